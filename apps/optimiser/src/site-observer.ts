import { HistoryCache } from './history-cache';
import {
  CONSUMING_KINDS,
  DAY_MS,
  HISTORY_MS,
  HOUR_MS,
  localDateTime,
  localMonth,
  localMonthRange,
  MAX_PLAN_HORIZON_MS,
  MINUTE_MS,
  slotStart,
} from '@ilot/domain';
import { chooseWeatherLoadModel, LOAD_MODEL_WINDOW_DAYS } from '@ilot/forecasting';
import {
  EXTERNAL_PV_MAX_AGE_MS,
  loadModelInput,
  peakChargeEurPerKW,
  PV_CALIBRATION_DAYS,
  type SiteObservations,
} from '@ilot/optimiser';
import {
  describeLiveness,
  deviceLiveness,
  devicesOfKind,
  electricDevices,
  gridDeviceId,
  sheddableLoads,
  type Site,
} from '@ilot/site';
import {
  DeviceStatusRepository,
  EffacementReferences,
  PvForecastRepository,
  ReadingRepository,
  SignalRepository,
  WeatherForecastRepository,
} from '@ilot/timeseries';
import type { OptimiserConfig } from './optimiser.config';
import { planSignals } from './plan-signals';

/** How often the PV calibration's month of history is read again, ms. */
export const PV_CALIBRATION_REFRESH_MS = HOUR_MS;

/** What a site observer reads with (the planner's repositories and its planning grid). */
export interface ObserverDeps {
  readings: ReadingRepository;
  statuses: DeviceStatusRepository;
  signals: SignalRepository;
  pvForecasts: PvForecastRepository;
  weatherForecasts: WeatherForecastRepository;
}

/**
 * What a site's planner knows of the îlot before it plans (issue 25: the reading of the state, apart from planning,
 * storing and sending): the live devices' latest readings and why the others are left out, 7 days of consumption,
 * PV and each flexible load's history in slot means, the chargers' sessions, the signals over the horizon with each
 * order's reference, the month's peak import where a peak charge counts it, the newest external PV forecast and what
 * its calibration learns from. Reads
 * only; the planner (site-planner.ts) turns it into a plan.
 */
export class SiteObserver {
  private readonly consumerIds: string[];
  private readonly pvIds: string[];
  private readonly deviceIds: string[];
  private readonly gridId: string;
  private readonly ownHistoryIds: string[];
  private readonly references: EffacementReferences;
  /** The PV calibration's history as last read, and when (pvCalibrationHistory). */
  private calibrationHistory?: { readAtMs: number; value: NonNullable<SiteObservations['pvCalibrationHistory']> };
  /** The load model's four weeks as last read, and when (loadModelHistory). */
  private loadModelLongHistory?: { readAtMs: number; value: NonNullable<SiteObservations['loadModelHistory']> };

  constructor(
    private readonly site: Site,
    private readonly deps: ObserverDeps,
    private readonly config: Pick<
      OptimiserConfig,
      'ILOT_STATE_MAX_AGE_S' | 'ILOT_PLAN_SLOT_MINUTES' | 'ILOT_PLAN_HORIZON_SLOTS'
    >,
  ) {
    this.consumerIds = [...site.devices.values()].filter((d) => CONSUMING_KINDS.has(d.kind)).map((d) => d.id);
    this.pvIds = devicesOfKind(site, 'pv').map((d) => d.id);
    this.deviceIds = electricDevices(site).map((d) => d.id);
    this.gridId = gridDeviceId(site);
    // Each sheddable load's history is its baseline; each charger's its habit (what the plan takes over when plugged).
    this.ownHistoryIds = [...sheddableLoads(site), ...devicesOfKind(site, 'ev_charger')].map((d) => d.id);
    this.references = new EffacementReferences(site, deps.readings, deps.signals);
    this.history = new HistoryCache(
      (ids, from, to) =>
        deps.readings
          .bucketedSum(site.id, ids, from, to, config.ILOT_PLAN_SLOT_MINUTES)
          .then((rows) => rows.map((h) => ({ at: h.bucket, powerW: h.powerW }))),
      (ids, from, to) =>
        deps.readings
          .bucketedByDevice(site.id, ids, from, to, config.ILOT_PLAN_SLOT_MINUTES)
          .then((rows) => rows.map((h) => ({ deviceId: h.deviceId, at: h.bucket, powerW: h.powerW }))),
    );
  }

  /** The slot means of the history window, kept between plans. */
  readonly history: HistoryCache;

  /** The îlot's recent state from the database; stale and offline devices are left out, and `unavailable` says why. */
  async observe(now: Date): Promise<SiteObservations> {
    const defaultMaxAgeS = this.config.ILOT_STATE_MAX_AGE_S;
    // A device heard from within the history window is stale when silent too long; one not heard from in it is silent.
    const historyTo = slotStart(now, this.config.ILOT_PLAN_SLOT_MINUTES * MINUTE_MS);
    const historyFrom = new Date(historyTo.getTime() - HISTORY_MS);
    const [latestRows, offline, sessions, debts] = await Promise.all([
      this.deps.readings.latestPerDevice(this.site.id, this.deviceIds, historyFrom, now),
      this.deps.statuses.offlineDevices(this.site.id),
      this.deps.readings.latestEvSessions(this.site.id, historyFrom),
      this.deps.readings.latestOwedEnergy(this.site.id, historyFrom),
    ]);
    const lastReadings = new Map(latestRows.map((r) => [r.deviceId, r]));
    const latest = new Map<string, (typeof latestRows)[number]>();
    const unavailable = new Map<string, string>();
    for (const device of electricDevices(this.site)) {
      const reading = lastReadings.get(device.id);
      const liveness = deviceLiveness(
        device,
        { lastReadingAt: reading?.ts, offlineSince: offline.get(device.id) },
        now,
        defaultMaxAgeS,
      );
      if (liveness.state === 'live') latest.set(device.id, reading!);
      else unavailable.set(device.id, describeLiveness(device.id, liveness, now));
    }
    const fresh = <T>(states: ReadonlyArray<{ deviceId: string; ts: Date; state: T }>) =>
      freshStates(this.site, states, latest, offline, now, defaultMaxAgeS);
    const evSessions = fresh(sessions.map(({ session, ...s }) => ({ ...s, state: session })));
    const owedWh = fresh(debts.map(({ owedWh: state, ...d }) => ({ ...d, state })));
    // The same history as the closed-loop replay (ilot simulate): 7 days of consumption and of PV, in slot means.
    // Kept between plans (issue 30 §5): a plan reads the slots since the last one, not the 7 days.
    const samples = (ids: string[]) => this.history.samples(ids, historyFrom, historyTo);
    const horizonEnd = this.horizonEnd(historyTo);
    const [consumptionHistory, pvHistory, stored, monthPeakImportW, flexibleHistory, pvForecast] = await Promise.all([
      samples(this.consumerIds),
      samples(this.pvIds),
      this.deps.signals.overlapping(this.site.id, new Date(now.getTime() - DAY_MS), horizonEnd),
      peakChargeEurPerKW(this.site) ? this.monthPeakImportW(now, historyTo) : Promise.resolve(undefined),
      this.history.eachSamples(this.ownHistoryIds, historyFrom, historyTo),
      this.externalPvForecast(now, historyTo, horizonEnd),
    ]);
    const pvCalibrationHistory = pvForecast ? await this.pvCalibrationHistory(historyTo) : undefined;
    const loadModelHistory = await this.loadModelHistory(now, historyTo, horizonEnd);
    const loadModelChoice = this.loadModelChoice(now, { consumptionHistory, loadModelHistory });
    const signals = planSignals(stored);
    // Each order is aimed at its contractual reference (the report's), made from the import net of storage.
    for (const order of signals.effacements) order.referenceW = await this.references.referenceMeanW(order);
    return {
      latest,
      unavailable,
      consumptionHistory,
      pvHistory,
      flexibleHistory,
      evSessions,
      ...(owedWh.size > 0 ? { owedWh } : {}),
      signals,
      monthPeakImportW,
      ...(pvForecast ? { pvForecast } : {}),
      ...(pvCalibrationHistory ? { pvCalibrationHistory } : {}),
      loadModelHistory,
      ...(loadModelChoice ? { loadModelChoice } : {}),
    };
  }

  /** The learnt load model's choice, made at the local day's first plan and kept for the day (issue 30 §5). */
  private choice: { date: string; value: NonNullable<SiteObservations['loadModelChoice']> } | undefined;

  private loadModelChoice(
    now: Date,
    observations: Pick<SiteObservations, 'consumptionHistory' | 'loadModelHistory'>,
  ): SiteObservations['loadModelChoice'] {
    const date = localDateTime(now, this.site.timezone).date;
    if (this.choice?.date !== date) {
      const input = loadModelInput(this.site, now, [], observations, undefined);
      this.choice = input && { date, value: chooseWeatherLoadModel(input) };
    }
    return this.choice?.value;
  }

  /**
   * What the learnt load model learns from (issue 27 §5): four weeks of the îlot's consumption and of the providers'
   * temperatures, read once an hour (PV_CALIBRATION_REFRESH_MS; the plan's own seven days take over where they reach),
   * and the temperatures from a day back over the horizon read at every plan (the newest forecast plans).
   */
  private async loadModelHistory(
    now: Date,
    historyTo: Date,
    horizonEnd: Date,
  ): Promise<NonNullable<SiteObservations['loadModelHistory']>> {
    const recentFrom = new Date(historyTo.getTime() - DAY_MS);
    let long = this.loadModelLongHistory;
    if (!long || historyTo.getTime() - long.readAtMs >= PV_CALIBRATION_REFRESH_MS) {
      const from = new Date(historyTo.getTime() - (LOAD_MODEL_WINDOW_DAYS + 1) * DAY_MS);
      const [consumption, temperatures] = await Promise.all([
        this.deps.readings.bucketedSum(
          this.site.id,
          this.consumerIds,
          from,
          historyTo,
          this.config.ILOT_PLAN_SLOT_MINUTES,
        ),
        this.deps.weatherForecasts.known(this.site.id, from, historyTo, now),
      ]);
      long = {
        readAtMs: historyTo.getTime(),
        value: {
          consumption: consumption.map((r) => ({ at: r.bucket, powerW: r.powerW })),
          temperatures: temperatures.map((t) => ({ at: t.ts, airTempC: t.airTempC })),
        },
      };
      this.loadModelLongHistory = long;
    }
    const recent = await this.deps.weatherForecasts.known(this.site.id, recentFrom, horizonEnd, now);
    return {
      consumption: long.value.consumption,
      temperatures: [
        ...long.value.temperatures.filter((t) => t.at < recentFrom),
        ...recent.map((t) => ({ at: t.ts, airTempC: t.airTempC })),
      ],
    };
  }

  /**
   * What the PV calibration learns from: the past PV_CALIBRATION_DAYS of external forecast points as planned, beside
   * each array's measured slot means. A month of both changes little from one plan to the next: read again once an
   * hour (PV_CALIBRATION_REFRESH_MS), not on every plan.
   */
  private async pvCalibrationHistory(historyTo: Date): Promise<SiteObservations['pvCalibrationHistory']> {
    const cached = this.calibrationHistory;
    if (cached && historyTo.getTime() - cached.readAtMs < PV_CALIBRATION_REFRESH_MS) return cached.value;
    const from = new Date(historyTo.getTime() - PV_CALIBRATION_DAYS * DAY_MS);
    const slotMinutes = this.config.ILOT_PLAN_SLOT_MINUTES;
    const [points, measured] = await Promise.all([
      this.deps.pvForecasts.asPlanned(this.site.id, from, historyTo),
      Promise.all(
        this.pvIds.map(async (id) => {
          const rows = await this.deps.readings.bucketedSum(this.site.id, [id], from, historyTo, slotMinutes);
          return [id, rows.map((r) => ({ at: r.bucket, powerW: r.powerW }))] as const;
        }),
      ),
    ]);
    const value = { forecast: points.map(({ ts, ...p }) => ({ ...p, at: ts })), measured: new Map(measured) };
    this.calibrationHistory = { readAtMs: historyTo.getTime(), value };
    return value;
  }

  /**
   * Where the signals read end: the horizon, which reaches the end of the orders known up to MAX_PLAN_HORIZON_MS ahead
   * (plan-horizon.ts). They are read from a day back (Tempo days start at 06:00).
   */
  private horizonEnd(firstSlot: Date): Date {
    const baseMs = this.config.ILOT_PLAN_HORIZON_SLOTS * this.config.ILOT_PLAN_SLOT_MINUTES * MINUTE_MS;
    return new Date(firstSlot.getTime() + Math.max(baseMs, MAX_PLAN_HORIZON_MS));
  }

  /** The month's highest 15-min import so far (local month), which a peak charge counts above; read only for tariffs that have one. */
  private async monthPeakImportW(now: Date, to: Date): Promise<number> {
    const monthStart = localMonthRange(localMonth(now, this.site.timezone), this.site.timezone).from;
    const buckets = await this.deps.readings.forDevice(this.site.id, this.gridId, monthStart, to, 15);
    return Math.max(0, ...buckets.map((b) => b.powerW));
  }

  /**
   * The newest fresh external PV forecast (issued within the site's `forecast.maxAgeH`, else EXTERNAL_PV_MAX_AGE_MS), from
   * an hour before the first slot (a point covers until the next one).
   */
  private async externalPvForecast(now: Date, firstSlot: Date, horizonEnd: Date) {
    const maxAgeMs = this.site.forecast ? this.site.forecast.maxAgeH * HOUR_MS : EXTERNAL_PV_MAX_AGE_MS;
    const stored = await this.deps.pvForecasts.newest(
      this.site.id,
      new Date(now.getTime() - maxAgeMs),
      new Date(firstSlot.getTime() - HOUR_MS),
      horizonEnd,
    );
    return stored && { ...stored, points: stored.points.map(({ ts, ...p }) => ({ ...p, at: ts })) };
  }
}

/**
 * The states devices reported beside their power that count (a charger's session, a load's debt): the device is live
 * and its state as fresh as a reading must be.
 */
function freshStates<T>(
  site: Site,
  states: ReadonlyArray<{ deviceId: string; ts: Date; state: T }>,
  latest: ReadonlyMap<string, unknown>,
  offline: ReadonlyMap<string, Date>,
  now: Date,
  defaultMaxAgeS: number,
): Map<string, T> {
  return new Map(
    states
      .filter(({ deviceId, ts }) => {
        const device = site.devices.get(deviceId);
        if (!device || !latest.has(deviceId)) return false;
        return (
          deviceLiveness(device, { lastReadingAt: ts, offlineSince: offline.get(deviceId) }, now, defaultMaxAgeS)
            .state === 'live'
        );
      })
      .map(({ deviceId, state }) => [deviceId, state]),
  );
}
