import { residentLive } from './resident-live';

const now = new Date('2026-07-06T08:10:00Z'); // 10:10 in Paris
const input = {
  participantId: 'flat-1',
  now,
  timeZone: 'Europe/Paris',
  detailed: true,
  today: [
    {
      commodity: 'electricity' as const,
      hours: [
        { hour: new Date('2026-07-06T06:00:00Z'), value: 0.4 },
        { hour: new Date('2026-07-06T07:00:00Z'), value: 0.25 },
      ],
    },
    { commodity: 'water' as const, hours: [{ hour: new Date('2026-07-06T06:00:00Z'), value: 61.4 }] },
  ],
  solarNowW: 12_345,
  slots: Array.from({ length: 8 }, (_, k) => ({
    start: new Date(Date.parse('2026-07-06T08:00:00Z') + k * 900_000),
    minutes: 15,
    pvW: k < 6 ? 20_000 : 0,
    consumptionW: 8_000,
  })),
  effacements: [],
  tempoRedDays: ['2026-07-07'],
};

describe('residentLive: what a resident’s live page shows', () => {
  it('sums today per commodity, by local hour, and names the solar, the green hours and a Tempo red day (06-22 local)', () => {
    const live = residentLive(input);
    expect(live.date).toBe('2026-07-06');
    expect(live.today).toEqual([
      {
        commodity: 'electricity',
        unit: 'kWh',
        total: 0.65,
        hours: [
          { hour: 8, value: 0.4 },
          { hour: 9, value: 0.25 },
        ],
      },
      { commodity: 'water', unit: 'L', total: 61, hours: [{ hour: 8, value: 61 }] },
    ]);
    expect(live.solar).toEqual({
      nowKW: 12.3,
      nextHours: [
        { start: '2026-07-06T08:00:00.000Z', kW: 20 },
        { start: '2026-07-06T09:00:00.000Z', kW: 10 },
      ],
    });
    expect(live.hours).toEqual([
      { start: '2026-07-06T08:00:00.000Z', end: '2026-07-06T09:30:00.000Z', kind: 'green', reason: 'solar' },
      { start: '2026-07-07T04:00:00.000Z', end: '2026-07-07T20:00:00.000Z', kind: 'red', reason: 'tempo' },
    ]);
    expect(live.effacement).toBeNull();
  });

  it('gives the totals alone without the resident’s consent to their detailed curve', () => {
    expect(residentLive({ ...input, detailed: false }).today.map((c) => [c.total, c.hours])).toEqual([
      [0.65, null],
      [61, null],
    ]);
  });
});
