import { type Checked, refused } from '@ilot/domain';
/**
 * Collective self-consumption (autoconsommation collective): the energy the îlot produces in a step is
 * shared among its participants by an allocation key, as Enedis does per 15-min step. Pure.
 *
 * - `static`: each participant's fixed share of the production;
 * - `dynamic-default`: the production in proportion to each participant's consumption in the step;
 * - `dynamic-custom`: shares given per step (by the operator, the PMO); a step without them falls
 *   back on the default key, as Enedis does when no coefficients were sent.
 *
 * In every step a participant is allocated at most what it consumed: the part of its share it could
 * not use is not passed on to the others, it is surplus (exported, or sold), as in Enedis' rules for
 * static and custom keys (the default key leaves surplus only when the production exceeds the whole
 * consumption).
 */
export type AllocationKey =
  | { kind: 'static'; shares: ReadonlyMap<string, number> }
  | { kind: 'dynamic-default' }
  | { kind: 'dynamic-custom'; sharesAt: (stepStart: Date) => ReadonlyMap<string, number> | undefined };

export interface AllocationStep {
  start: Date;
  /** Energy the îlot produced for sharing in the step, Wh (>= 0). */
  productionWh: number;
  /** Each participant's consumption in the step, Wh (>= 0). */
  consumptionWh: ReadonlyMap<string, number>;
}

export interface StepAllocation {
  start: Date;
  /** Self-consumed energy allocated to each participant, Wh: never more than it consumed. */
  allocatedWh: Map<string, number>;
  /** Production not allocated (exported), Wh. */
  surplusWh: number;
  /** The key actually applied (a custom step without shares falls back on the default one). */
  key: AllocationKey['kind'];
}

export type AllocationResult = Checked<StepAllocation, 'invalid'>;

/** Shares must be finite, >= 0 and sum to at most 1 (what is left unshared is surplus). */
export function sharesProblem(shares: ReadonlyMap<string, number>): string | undefined {
  for (const [participant, share] of shares)
    if (!Number.isFinite(share) || share < 0) return `share of ${participant} is ${share}: must be a number >= 0`;
  const total = [...shares.values()].reduce((sum, s) => sum + s, 0);
  if (total > 1 + 1e-9) return `shares sum to ${total}: must be at most 1`;
  return undefined;
}

function byShares(step: AllocationStep, shares: ReadonlyMap<string, number>): Map<string, number> {
  return new Map(
    [...step.consumptionWh].map(([participant, consumedWh]) => [
      participant,
      Math.min((shares.get(participant) ?? 0) * step.productionWh, consumedWh),
    ]),
  );
}

function byConsumption(step: AllocationStep): Map<string, number> {
  const totalWh = [...step.consumptionWh.values()].reduce((sum, c) => sum + c, 0);
  const covered = totalWh > 0 ? Math.min(step.productionWh / totalWh, 1) : 0;
  return new Map([...step.consumptionWh].map(([participant, consumedWh]) => [participant, consumedWh * covered]));
}

/** One step's allocation, or why it cannot be made (negative or non-finite energies, bad shares). */
export function allocateStep(step: AllocationStep, key: AllocationKey): AllocationResult {
  if (!Number.isFinite(step.productionWh) || step.productionWh < 0)
    return refused('invalid', `productionWh ${step.productionWh} must be a number >= 0`);
  for (const [participant, consumedWh] of step.consumptionWh)
    if (!Number.isFinite(consumedWh) || consumedWh < 0)
      return refused('invalid', `consumption of ${participant} is ${consumedWh}: must be a number >= 0`);
  let allocatedWh: Map<string, number>;
  let applied: AllocationKey['kind'] = key.kind;
  if (key.kind === 'dynamic-default') allocatedWh = byConsumption(step);
  else {
    const shares = key.kind === 'static' ? key.shares : key.sharesAt(step.start);
    if (shares === undefined) {
      allocatedWh = byConsumption(step);
      applied = 'dynamic-default';
    } else {
      const problem = sharesProblem(shares);
      if (problem) return refused('invalid', `${step.start.toISOString()}: ${problem}`);
      allocatedWh = byShares(step, shares);
    }
  }
  const allocatedTotalWh = [...allocatedWh.values()].reduce((sum, a) => sum + a, 0);
  return {
    ok: true,
    value: {
      start: step.start,
      allocatedWh,
      surplusWh: Math.max(step.productionWh - allocatedTotalWh, 0),
      key: applied,
    },
  };
}
