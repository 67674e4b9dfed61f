/**
 * An aggregator's effacement order, the one domain shape of it: reduce the îlot's import by `reductionW` against its
 * reference (courbe de référence) over [start, end). The wire payload (libs/protocol `SignalPayload`) carries ISO
 * strings and becomes this at the edge; the planner adds what it needs beside it (`referenceW`).
 */
export interface EffacementOrder {
  id: string;
  start: Date;
  end: Date;
  reductionW: number;
}

/**
 * The longest period a demand-response signal may span: an effacement order lasts hours, an EcoWatt period a day (25 h
 * on the day clocks go back). Intake refuses longer ones; computations over a stored one never walk past it.
 */
export const SIGNAL_MAX_SPAN_MS = 25 * 3_600_000;

/**
 * The furthest a plan looks, ms: an effacement order accepted for tomorrow evening is planned from now on (issue 27
 * §6: an order for tomorrow 18:00-20:00 was not planned until it came inside the 24-hour horizon, and nothing said
 * so), the horizon reaching the end of every known order up to this (libs/optimiser plan-horizon.ts).
 */
export const MAX_PLAN_HORIZON_MS = 48 * 3_600_000;

/** When a plan first takes an order into account: now if it starts within MAX_PLAN_HORIZON_MS, else that long before it. */
export function firstPlannedAt(order: { start: Date }, now: Date): Date {
  return new Date(Math.max(now.getTime(), order.start.getTime() - MAX_PLAN_HORIZON_MS));
}
