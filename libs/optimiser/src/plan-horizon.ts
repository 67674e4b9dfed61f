import { MAX_PLAN_HORIZON_MS, MINUTE_MS } from '@ilot/domain';

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
