/** A deterministic pseudo-random number in [0, 1) from a string (same day, same device, same draw). */
export function hashUnit(key: string): number {
  let h = 2166136261;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 16777619);
  return ((h >>> 0) % 1_000_000) / 1_000_000;
}

export interface EvSession {
  arrivalMs: number;
  energyWh: number;
}

/**
 * One charging session a day: residents plug in between 17:30 and 20:00 UTC needing 8 to 20 kWh;
 * office chargers on weekdays between 07:00 and 08:30 UTC needing 12 to 30 kWh.
 */
export function evSessionOfDay(deviceId: string, dayStartMs: number, workplace: boolean): EvSession | undefined {
  const weekday = new Date(dayStartMs).getUTCDay();
  const draw = hashUnit(`${deviceId}:${dayStartMs}`);
  if (workplace) {
    if (weekday === 0 || weekday === 6) return undefined;
    return {
      arrivalMs: dayStartMs + (7 + 1.5 * draw) * 3_600_000,
      energyWh: 12_000 + 18_000 * hashUnit(`${deviceId}:${dayStartMs}:e`),
    };
  }
  return {
    arrivalMs: dayStartMs + (17.5 + 2.5 * draw) * 3_600_000,
    energyWh: 8_000 + 12_000 * hashUnit(`${deviceId}:${dayStartMs}:e`),
  };
}
