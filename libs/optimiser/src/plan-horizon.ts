import { HOUR_MS, MINUTE_MS } from '@ilot/domain';

/**
 * The furthest a plan looks, ms: an effacement order accepted for tomorrow evening is planned from now on (issue 27
 * §6: an order for tomorrow 18:00-20:00 was not planned until it came inside the 24-hour horizon, and nothing said
 * so), the horizon reaching the end of every known order up to this.
 */
export const MAX_PLAN_HORIZON_MS = 48 * HOUR_MS;

/**
 * The slots of a plan starting at `firstSlot`: the base horizon, longer to reach the end of every order that starts
 * within MAX_PLAN_HORIZON_MS (up to it). Pure.
 */
export function planHorizonSlots(
  baseSlots: number,
  slotMinutes: number,
  firstSlot: Date,
  orders: ReadonlyArray<{ start: Date; end: Date }>,
): number {
  const slotMs = slotMinutes * MINUTE_MS;
  const maxSlots = Math.max(baseSlots, Math.floor(MAX_PLAN_HORIZON_MS / slotMs));
  const firstMs = firstSlot.getTime();
  const reachMs = orders
    .filter((o) => o.start.getTime() < firstMs + MAX_PLAN_HORIZON_MS)
    .reduce((latest, o) => Math.max(latest, o.end.getTime()), 0);
  return Math.min(Math.max(baseSlots, Math.ceil((reachMs - firstMs) / slotMs)), maxSlots);
}

/** When a plan first takes an order into account: now if it starts within MAX_PLAN_HORIZON_MS, else that long before it. */
export function firstPlannedAt(order: { start: Date }, now: Date): Date {
  return new Date(Math.max(now.getTime(), order.start.getTime() - MAX_PLAN_HORIZON_MS));
}
