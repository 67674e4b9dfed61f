import { SeqWatermarks1700000000024 } from './1700000000024-seq-watermarks';
import { LedgerMarks1700000000025 } from './1700000000025-ledger-marks';
import { ProducerShares1700000000023 } from './1700000000023-producer-shares';
import { AccInvoices1700000000022 } from './1700000000022-acc-invoices';
import { AccMonth1700000000021 } from './1700000000021-acc-month';
import { InitialSchema1700000000001 } from './1700000000001-initial-schema';
import { ReadingsAggregates1700000000002 } from './1700000000002-readings-aggregates';
import { Signals1700000000003 } from './1700000000003-signals';
import { CommandAudit1700000000004 } from './1700000000004-command-audit';
import { ResidentLedger1700000000005 } from './1700000000005-resident-ledger';
import { AllocationShares1700000000006 } from './1700000000006-allocation-shares';
import { DeviceStatusHistory1700000000007 } from './1700000000007-device-status-history';
import { EvSessions1700000000008 } from './1700000000008-ev-sessions';
import { PvForecasts1700000000009 } from './1700000000009-pv-forecasts';
import { SiteDefinitions1700000000010 } from './1700000000010-site-definitions';
import { SiteLeases1700000000011 } from './1700000000011-site-leases';
import { ViewerTickets1700000000012 } from './1700000000012-viewer-tickets';
import { DashboardReader1700000000013 } from './1700000000013-dashboard-reader';
import { Privacy1700000000014 } from './1700000000014-privacy';
import { Erasure1700000000015 } from './1700000000015-erasure';
import { CommodityReadings1700000000016 } from './1700000000016-commodity-readings';
import { OpenDataPublished1700000000017 } from './1700000000017-open-data-published';
import { TokenRevocations1700000000018 } from './1700000000018-token-revocations';
import { PvForecastsBySlot1700000000019 } from './1700000000019-pv-forecasts-by-slot';
import { WeatherForecasts1700000000020 } from './1700000000020-weather-forecasts';
import { OwedEnergy1700000000026 } from './1700000000026-owed-energy';

/** Numbered migrations, in order. Apps apply the pending ones at start-up. */
export const MIGRATIONS = [
  InitialSchema1700000000001,
  ReadingsAggregates1700000000002,
  Signals1700000000003,
  CommandAudit1700000000004,
  ResidentLedger1700000000005,
  AllocationShares1700000000006,
  DeviceStatusHistory1700000000007,
  EvSessions1700000000008,
  PvForecasts1700000000009,
  SiteDefinitions1700000000010,
  SiteLeases1700000000011,
  ViewerTickets1700000000012,
  DashboardReader1700000000013,
  Privacy1700000000014,
  Erasure1700000000015,
  CommodityReadings1700000000016,
  OpenDataPublished1700000000017,
  TokenRevocations1700000000018,
  PvForecastsBySlot1700000000019,
  WeatherForecasts1700000000020,
  AccMonth1700000000021,
  AccInvoices1700000000022,
  ProducerShares1700000000023,
  SeqWatermarks1700000000024,
  LedgerMarks1700000000025,
  OwedEnergy1700000000026,
];
