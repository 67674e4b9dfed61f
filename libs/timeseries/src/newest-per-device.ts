import type { Reading } from '@ilot/domain';

/**
 * Of the readings that carry a state (`pick` gives it, or undefined), the newest per site and device by `ts`: what an
 * upsert keeps, so that an older reading of the batch never replaces a fresher one.
 */
export function newestPerDevice<T>(
  readings: readonly Reading[],
  pick: (reading: Reading) => T | undefined,
): Array<{ reading: Reading; state: T }> {
  const newest = new Map<string, { reading: Reading; state: T }>();
  for (const reading of readings) {
    const state = pick(reading);
    if (state === undefined) continue;
    const key = `${reading.siteId}\u0000${reading.deviceId}`;
    const seen = newest.get(key);
    if (!seen || seen.reading.ts < reading.ts) newest.set(key, { reading, state });
  }
  return [...newest.values()];
}
