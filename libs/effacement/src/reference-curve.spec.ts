import { deliveredNowW, eventReport, eventReportCsv } from './event-report';
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

  // Regression (probe of the running îlot): a stored order ending in 9999 walked every quarter-hour to it, on the event
  // loop, from the planner, every /metrics scrape and the report: the îlot froze, at every start too.
  it('never walks an event past the longest signal span, whatever was stored', () => {
    const samples = history('2026-01-04T23:00:00Z', 19, usual);
    const forever = { start: event.start, end: new Date('9999-01-01T00:00:00Z') };
    const curve = referenceCurve(samples, forever, options);
    expect(curve).toHaveLength(25 * 4);
    expect(curve.at(-1)!.at).toEqual(new Date(event.start.getTime() + 25 * 3_600_000 - SLOT_MS));
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
    const curve = referenceCurve(
      samples,
      { start: new Date('2026-01-23T17:00:00Z'), end: event.end },
      { ...options, eventDays: new Set(['2026-01-22']) },
    );
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

describe('eventReport', () => {
  const event = {
    id: 'order-7',
    start: new Date('2026-01-23T17:00:00Z'),
    end: new Date('2026-01-23T19:00:00Z'),
    reductionW: 30_000,
  };
  const usual = (h: number) => (h >= 17 && h < 21 ? 80_000 : 40_000);
  const inEvent = (h: number, day: number) => day === 18 && h >= 18 && h < 20;

  it('gives asked, planned and delivered for the îlot and each participant, and says whether it was delivered', () => {
    const grid = history('2026-01-04T23:00:00Z', 19, (h, day) => usual(h) - (inEvent(h, day) ? 28_000 : 0));
    const meterA = history('2026-01-04T23:00:00Z', 19, (h, day) => usual(h) / 2 - (inEvent(h, day) ? 20_000 : 0));
    const meterB = history('2026-01-04T23:00:00Z', 19, (h, day) => usual(h) / 2 - (inEvent(h, day) ? 8_000 : 0));
    const plannedGridW = grid
      .filter((s) => s.at >= event.start && s.at < event.end)
      .map((s) => ({ at: s.at, powerW: 50_000 }));
    const report = eventReport(
      {
        event,
        gridW: grid,
        plannedGridW,
        participants: [
          { participantId: 'flat-a', meterId: 'm-a', consumptionW: meterA },
          { participantId: 'flat-b', meterId: 'm-b', consumptionW: meterB },
        ],
      },
      options,
    );
    expect(report.askedW).toBe(30_000);
    expect(report.planned.meanReductionW).toBe(30_000); // reference 80 kW, plan 50 kW
    expect(report.delivered.meanReductionW).toBe(28_000);
    expect(report.delivered.energyWh).toBe(56_000);
    expect(report.deliveredAsAsked).toBe(true); // 28 of 30 kW: within 10 %
    expect(report.participants.map((p) => [p.participantId, p.deliveredWh])).toEqual([
      ['flat-a', 40_000],
      ['flat-b', 16_000],
    ]);
    expect(eventReportCsv(report).split('\n')[1]).toBe('flat-a,m-a,80000,40000,40000');
    expect(report.notes).toEqual([]);
  });

  it('says an order the plan committed to only in part is not fully deliverable', () => {
    const grid = history('2026-01-04T23:00:00Z', 19, usual);
    const plannedGridW = grid
      .filter((s) => s.at >= event.start && s.at < event.end)
      .map((s) => ({ at: s.at, powerW: 60_000 }));
    const report = eventReport({ event, gridW: grid, plannedGridW, participants: [] }, options);
    expect(report.planned.meanReductionW).toBe(20_000);
    expect(report.notes).toEqual(['not fully deliverable: the plan committed to 20000 W of the 30000 W asked']);
  });

  it('says when it was not delivered, and why figures are missing', () => {
    const grid = history('2026-01-22T23:00:00Z', 1, usual); // only the event day: no reference days
    const report = eventReport({ event, gridW: grid, plannedGridW: [], participants: [] }, options);
    expect(report.deliveredAsAsked).toBe(false);
    expect(report.delivered.meanReductionW).toBeNull();
    expect(report.notes).toEqual(['no reference: no history of the same kind of day in the 10 days before the event']);
  });
});

describe('deliveredNowW', () => {
  const event = { start: new Date('2026-01-23T17:00:00Z'), end: new Date('2026-01-23T19:00:00Z') };
  const reference = [0, 1, 2, 3].map((k) => ({ at: new Date(event.start.getTime() + k * SLOT_MS), powerW: 80_000 }));

  it('is the reference minus the latest measured slot of the event', () => {
    const measured = [
      { at: new Date(event.start.getTime() - SLOT_MS), powerW: 90_000 }, // before the event: ignored
      { at: reference[0].at, powerW: 60_000 },
      { at: reference[1].at, powerW: 50_000 },
    ];
    expect(deliveredNowW(reference, measured, event)).toBe(30_000);
  });

  it('is undefined before the first measured slot of the event, or without a reference', () => {
    expect(
      deliveredNowW(reference, [{ at: new Date(event.start.getTime() - SLOT_MS), powerW: 1 }], event),
    ).toBeUndefined();
    expect(deliveredNowW([], [{ at: reference[0].at, powerW: 1 }], event)).toBeUndefined();
  });
});
