export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;

/** Start of the slot of `slotMs` that contains `at` (slots aligned on the UTC epoch). */
export function slotStart(at: Date, slotMs: number): Date {
  return new Date(Math.floor(at.getTime() / slotMs) * slotMs);
}

export function addMs(at: Date, ms: number): Date {
  return new Date(at.getTime() + ms);
}
