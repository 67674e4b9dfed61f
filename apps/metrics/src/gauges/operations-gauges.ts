import type { Clock } from '@ilot/domain';
import type { AccRepository, ResidentLedgerRepository } from '@ilot/timeseries';
import type { Registry } from 'prom-client';
import type { SiteScope } from '@ilot/residents';
import { eachWhileInFlight } from './shared-while-in-flight';
import { scrapeGauge } from './site-gauges';

/** The ledger's step, s: its newest step ends this long after it starts. */
const LEDGER_STEP_S = 900;

/** For every îlot served: the orders in progress (asked and delivered reduction) and how far the residents' ledger is behind. */
export function registerOperationsGauges(
  registry: Registry,
  scopes: () => readonly SiteScope[],
  clock: Clock,
  residentLedger: ResidentLedgerRepository,
  acc: AccRepository,
): void {
  const orders = eachWhileInFlight(scopes, (scope) => scope.effacements.inProgress(clock.now()));
  scrapeGauge(
    registry,
    {
      name: 'ilot_effacement_delivered_watts',
      help: 'Reduction an effacement order in progress delivers now: the îlot reference (courbe de référence) minus the measured import of the latest 15-min slot, W',
      labelNames: ['site', 'event'],
    },
    async (set) => {
      for (const { item, value } of await orders())
        for (const [event, { deliveredW }] of value)
          if (deliveredW !== undefined) set({ site: item.site.id, event }, deliveredW);
    },
  );
  scrapeGauge(
    registry,
    {
      name: 'ilot_effacement_asked_watts',
      help: 'Reduction an effacement order in progress asks, W (the alert compares the delivered one with it)',
      labelNames: ['site', 'event'],
    },
    async (set) => {
      for (const { item, value } of await orders())
        for (const [event, { askedW }] of value) set({ site: item.site.id, event }, askedW);
    },
  );
  const newestSteps = eachWhileInFlight(scopes, (scope) => residentLedger.newestStep(scope.site.id));
  scrapeGauge(
    registry,
    {
      name: 'ilot_resident_ledger_lag_seconds',
      help: 'How far the residents’ ledger (each participant’s allocated 15-min steps, what the reports read) is behind the îlot clock: now minus the end of its newest step, s',
      labelNames: ['site'],
    },
    async (set) => {
      for (const { item, value: newest } of await newestSteps())
        if (newest) set({ site: item.site.id }, (clock.now().getTime() - newest.getTime()) / 1000 - LEDGER_STEP_S);
    },
  );
  const reconciled = eachWhileInFlight(scopes, (scope) => acc.flaggedInNewestMonth(scope.site.id));
  scrapeGauge(
    registry,
    {
      name: 'ilot_acc_reconciliation_flagged_lines',
      help: 'Collective self-consumption on the public grid: in the newest month reconciled, the lines (delivery point and quantity) whose difference with the distributor is above 2 % (ilot acc reconcile explains each)',
      labelNames: ['site', 'month'],
    },
    async (set) => {
      for (const { item, value } of await reconciled())
        if (value) set({ site: item.site.id, month: value.month }, value.flagged);
    },
  );
}
