export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;

/** Start of the slot of `slotMs` that contains `at` (slots aligned on the UTC epoch). */
export function slotStart(at: Date, slotMs: number): Date {
  return new Date(Math.floor(at.getTime() / slotMs) * slotMs);
}

export function addMs(at: Date, ms: number): Date {
  return new Date(at.getTime() + ms);
}

export const DAY_MS = 86_400_000;
/** The settlement step of French metering and of collective self-consumption (TURPE, Enedis): 15 minutes. */
export const SETTLEMENT_STEP_MS = 15 * MINUTE_MS;
export const SETTLEMENT_STEP_MINUTES = 15;
/** How far back the planner and the replay read history, and how late ingestion accepts a reading: 7 days. */
export const HISTORY_DAYS = 7;
export const HISTORY_MS = HISTORY_DAYS * DAY_MS;

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/** An ISO 8601 instant with its offset (`Z` or `±hh:mm`), as Unix ms; NaN for anything else (a local time included). */
export function isoInstantMs(text: string): number {
  return ISO_INSTANT.test(text) ? Date.parse(text) : NaN;
}
