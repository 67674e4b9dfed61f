import type { Checked } from '@ilot/domain';
import { allocateAccStep, type AccKey } from './acc-allocation';
import type { DistributorRow } from './distributor-file';

/** One step as the distributor's meters measured it, by PRM (a delivery point not measured in the step is absent). */
export interface MeasuredStep {
  start: Date;
  productionWh: ReadonlyMap<string, number>;
  consumptionWh: ReadonlyMap<string, number>;
}

/**
 * What the distributor computes for the PMO from its meters and the operation's key (issue 29 §3), rounded to whole
 * Wh as it publishes them: the simulator's distributor, and the reference the îlot's own ledger is checked against.
 * Each rounding keeps total = allocated + rest. Delivery points of `prms` not measured in a step get a row with empty
 * values; a consumer not a member in a step gets no row. Pure.
 */
export function distributorRows(
  steps: readonly MeasuredStep[],
  key: AccKey,
  prms: { consumers: readonly string[]; producers: readonly string[] },
  /** Whether a consumer's point belongs to the operation in a step (joined, not yet left); all do when not given. */
  memberAt: (prm: string, start: Date) => boolean = () => true,
): Checked<DistributorRow[], 'invalid'> {
  const rows: DistributorRow[] = [];
  for (const step of steps) {
    const allocation = allocateAccStep(step, key);
    if (!allocation.ok) return allocation;
    for (const prm of prms.consumers) {
      if (!memberAt(prm, step.start)) continue;
      const c = allocation.value.consumers.get(prm);
      rows.push(
        c
          ? rounded(step.start, prm, 'consumer', c.consumptionWh, c.allocatedWh)
          : unmeasured(step.start, prm, 'consumer'),
      );
    }
    for (const prm of prms.producers) {
      const p = allocation.value.producers.get(prm);
      rows.push(
        p
          ? rounded(step.start, prm, 'producer', p.productionWh, p.allocatedWh)
          : unmeasured(step.start, prm, 'producer'),
      );
    }
  }
  return { ok: true, value: rows };
}

function rounded(
  start: Date,
  prm: string,
  role: DistributorRow['role'],
  totalWh: number,
  allocatedWh: number,
): DistributorRow {
  const total = Math.round(totalWh);
  const allocated = Math.min(Math.round(allocatedWh), total);
  return { start, prm, role, totalWh: total, allocatedWh: allocated, restWh: total - allocated };
}

function unmeasured(start: Date, prm: string, role: DistributorRow['role']): DistributorRow {
  return { start, prm, role, totalWh: null, allocatedWh: null, restWh: null };
}
