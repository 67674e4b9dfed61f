import { deliveredReduction, referenceCurve } from './reference-curve';

const ZONE = 'Europe/Paris';
const SLOT_MS = 15 * 60_000;
const options = { timeZone: ZONE, slotMinutes: 15, days: 10, eventDays: new Set<string>(), adjustmentMinutes: 60 };

/** Quarter-hour slot means from `from` for `days` days, by a function of the local hour and the day index. */
function history(from: string, days: number, powerW: (localHour: number, day: number) => number) {
  const start = Date.parse(from);
  return Array.from({ length: days * 96 }, (_, i) => {
    const at = new Date(start + i * SLOT_MS);
    // Winter: Paris is UTC+1.
    const localHour = ((at.getUTCHours() + 1) % 24) + at.getUTCMinutes() / 60;
    return { at, powerW: powerW(localHour, Math.floor(i / 96)) };
  });
}

describe('referenceCurve', () => {
  // Mon 2026-01-05 to Fri 2026-01-23 (local midnight = 23:00Z the day before); the event: Fri 23rd, 18:00-20:00 local.
  const event = { start: new Date('2026-01-23T17:00:00Z'), end: new Date('2026-01-23T19:00:00Z') };
  const usual = (h: number) => (h >= 17 && h < 21 ? 80_000 : 40_000);

  it('averages the same local time over the previous weekdays: 80 kW in the evening', () => {
    const samples = history('2026-01-04T23:00:00Z', 19, usual);
    const curve = referenceCurve(samples, event, options);
    expect(curve).toHaveLength(8);
    expect(curve.every((s) => s.powerW === 80_000)).toBe(true);
  });

  it('leaves out weekends and other event days, and shifts to the level of the hour before the event', () => {
    // Weekends at 10 kW (must not count); an earlier event day (Thu 22nd) at 20 kW (must not count);
    // on the event day the hour before the event runs 5 kW above usual.
    const samples = history('2026-01-04T23:00:00Z', 19, (h, day) => {
      const weekday = (day + 1) % 7; // day 0 is Monday 5th
      if (weekday === 6 || weekday === 0) return 10_000;
      if (day === 17) return 20_000;
      if (day === 18 && h >= 17 && h < 18) return usual(h) + 5_000;
      return usual(h);
    });
    const curve = referenceCurve(samples, { start: new Date('2026-01-23T17:00:00Z'), end: event.end }, { ...options, eventDays: new Set(['2026-01-22']) });
    // The event starts at 18:00 local; the hour before (17:00-18:00) is 85 kW against 80 usually: +5 kW.
    expect(curve.map((s) => s.powerW)).toEqual(Array(8).fill(85_000));
  });

  it('measures the delivered reduction against it', () => {
    const reference = referenceCurve(history('2026-01-04T23:00:00Z', 19, usual), event, options);
    const measured = reference.map((s) => ({ at: s.at, powerW: s.powerW - 30_000 }));
    const delivered = deliveredReduction(reference, measured, 15);
    expect(delivered.meanReductionW).toBe(30_000);
    expect(delivered.energyWh).toBe(60_000); // 30 kW for 2 h
  });
});
