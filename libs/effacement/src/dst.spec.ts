import { localDateTime } from '@ilot/domain';
import { eventReport } from './event-report';
import { referenceCurve } from './reference-curve';

/**
 * An effacement across the autumn change (Sunday 2026-10-25, Paris: 03:00 CEST becomes 02:00 CET at 01:00Z).
 * The order runs 00:00Z-02:00Z: local 02:00-03:00 CEST, then 02:00-03:00 CET again. Two real hours, 8 slots.
 */
const ZONE = 'Europe/Paris';
const options = { timeZone: ZONE, slotMinutes: 15, days: 10, eventDays: new Set<string>(), adjustmentMinutes: 60 };
const event = {
  id: 'dst-order',
  start: new Date('2026-10-25T00:00:00Z'),
  end: new Date('2026-10-25T02:00:00Z'),
  reductionW: 5000,
};

/** Quarter-hour means over the 40 days before, through the event: a level set by the LOCAL hour (so a UTC mix-up shows). */
const byLocalHour = (at: Date) => 10_000 + 1000 * Math.floor(localDateTime(at, ZONE).minuteOfDay / 60);
function history(powerW: (at: Date) => number) {
  const startMs = Date.parse('2026-09-15T00:00:00Z');
  return Array.from({ length: (Date.parse('2026-10-25T02:00:00Z') - startMs) / 900_000 }, (_, i) => {
    const at = new Date(startMs + i * 900_000);
    return { at, powerW: powerW(at) };
  });
}

describe('an effacement across the 2026-10-25 change of time', () => {
  it('has a reference for each of its 8 real quarter-hours, at the level of local 02:00 in both the CEST and the CET hour', () => {
    const curve = referenceCurve(history(byLocalHour), event, options);
    expect(curve.map((s) => s.at.toISOString())).toEqual(
      Array.from({ length: 8 }, (_, i) => new Date(Date.parse('2026-10-25T00:00:00Z') + i * 900_000).toISOString()),
    );
    // Local 02:xx both hours: 10 kW + 2 x 1 kW; the hour before (local 01:xx) matched its average, so no shift.
    expect(curve.map((s) => s.powerW)).toEqual(Array(8).fill(12_000));
  });

  it('reports 2 h of delivery: 8 slots, the energy of two hours, delivered as asked', () => {
    const inEvent = (at: Date) => at >= event.start && at < event.end;
    const gridW = history((at) => byLocalHour(at) - (inEvent(at) ? 5000 : 0));
    const report = eventReport({ event, gridW, plannedGridW: [], participants: [] }, options);
    expect(report.delivered.slots).toHaveLength(8);
    expect(report.delivered.meanReductionW).toBeCloseTo(5000, 6);
    expect(report.delivered.energyWh).toBeCloseTo(5000 * 2, 6);
    expect(report.deliveredAsAsked).toBe(true);
    expect(report.notes).toEqual(['no plan covered the event']);
  });
});
