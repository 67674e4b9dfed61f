import { planSignals } from './plan-signals';

describe('planSignals', () => {
  it('turns stored signals into the planner’s orders, alerts and Tempo calendar', () => {
    const start = new Date('2026-01-20T17:00:00Z');
    const end = new Date('2026-01-20T19:00:00Z');
    const signals = planSignals([
      {
        type: 'effacement',
        key: 'o-1',
        startsAt: start,
        endsAt: end,
        payload: {
          type: 'effacement',
          id: 'o-1',
          start: start.toISOString(),
          end: end.toISOString(),
          reductionW: 25_000,
        },
      },
      {
        type: 'ecowatt',
        key: start.toISOString(),
        startsAt: start,
        endsAt: end,
        payload: { type: 'ecowatt', level: 3, start: start.toISOString(), end: end.toISOString() },
      },
      {
        type: 'tempo',
        key: '2026-01-20',
        startsAt: start,
        endsAt: end,
        payload: { type: 'tempo', date: '2026-01-20', color: 'red' },
      },
    ]);
    expect(signals.effacements).toEqual([{ id: 'o-1', start, end, reductionW: 25_000 }]);
    expect(signals.ecowatt).toEqual([{ level: 3, start, end }]);
    expect([...signals.tempo]).toEqual([['2026-01-20', 'red']]);
  });
});
