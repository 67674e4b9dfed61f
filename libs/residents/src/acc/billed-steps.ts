import { allocateAccStep, type DistributorRow } from '@ilot/acc';
import { localDateTime, localMonthRange } from '@ilot/domain';
import type { BilledStep } from '@ilot/invoicing';
import { isMemberOn, type Site } from '@ilot/site';
import { accPoints } from './acc-points';

/**
 * The distributor's month as the invoices read it: per step, each consumer's and each producer's energies by id. Under
 * a full dynamic key (`coefficientsAt`, by participant and producer id, as sent), each consumer's allocation by
 * producer as the key shares the distributor's measurements: what its invoice splits by producer.
 */
export function billedSteps(
  site: Site,
  rows: readonly DistributorRow[],
  coefficientsAt?: (start: Date) => ReadonlyMap<string, ReadonlyMap<string, number>> | undefined,
): BilledStep[] {
  const points = accPoints(site);
  const consumerOf = new Map(points.consumers.map((c) => [c.prm, c.id]));
  const producerOf = new Map(points.producers.map((p) => [p.prm, p.id]));
  const steps = new Map<number, BilledStep>();
  for (const row of rows) {
    const ms = row.start.getTime();
    const step =
      steps.get(ms) ??
      steps
        .set(ms, {
          start: row.start,
          allocatedWh: new Map(),
          complementWh: new Map(),
          producerAllocatedWh: new Map(),
          productionWh: new Map(),
        })
        .get(ms)!;
    const consumer = consumerOf.get(row.prm);
    const producer = producerOf.get(row.prm);
    if (consumer) {
      (step.allocatedWh as Map<string, number>).set(consumer, row.allocatedWh ?? 0);
      (step.complementWh as Map<string, number>).set(consumer, row.restWh ?? 0);
    } else if (producer) {
      (step.producerAllocatedWh as Map<string, number>).set(producer, row.allocatedWh ?? 0);
      (step.productionWh as Map<string, number>).set(producer, row.totalWh ?? 0);
    }
  }
  const sorted = [...steps.values()].sort((a, b) => a.start.getTime() - b.start.getTime());
  if (!coefficientsAt) return sorted;
  const consumedWh = new Map<number, Map<string, number>>();
  for (const row of rows) {
    const consumer = consumerOf.get(row.prm);
    const ms = row.start.getTime();
    if (consumer) (consumedWh.get(ms) ?? consumedWh.set(ms, new Map()).get(ms)!).set(consumer, row.totalWh ?? 0);
  }
  return sorted.map((step) => withPairs(step, consumedWh.get(step.start.getTime()) ?? new Map(), coefficientsAt));
}

/** A step with each consumer's allocation by producer, the key applied to the distributor's consumption and production. */
function withPairs(
  step: BilledStep,
  consumptionWh: ReadonlyMap<string, number>,
  coefficientsAt: (start: Date) => ReadonlyMap<string, ReadonlyMap<string, number>> | undefined,
): BilledStep {
  const shared = allocateAccStep(
    { start: step.start, productionWh: step.productionWh, consumptionWh },
    { kind: 'dynamic-full', coefficientsAt },
  );
  if (!shared.ok) return step;
  return {
    ...step,
    byProducerWh: new Map([...shared.value.consumers].map(([id, consumer]) => [id, consumer.byProducerWh])),
  };
}

/** The days of a local month a participant belonged to the operation, and the month's days. */
export function membershipDays(
  participant: Site['participants'][number],
  month: string,
  timeZone: string,
): { memberDays: number; monthDays: number } {
  const { from, to } = localMonthRange(month, timeZone);
  const first = localDateTime(from, timeZone).date;
  const monthDays = Math.round(
    (Date.parse(`${localDateTime(to, timeZone).date}T00:00:00Z`) - Date.parse(`${first}T00:00:00Z`)) / 86_400_000,
  );
  let memberDays = 0;
  for (let d = 0; d < monthDays; d++) {
    const date = new Date(Date.parse(`${first}T00:00:00Z`) + d * 86_400_000).toISOString().slice(0, 10);
    if (isMemberOn(participant, date)) memberDays++;
  }
  return { memberDays, monthDays };
}
