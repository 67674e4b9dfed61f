import { externalPvSlots, nudgedByLatest } from './external-pv';

const at = (h: number, m = 0) => new Date(Date.UTC(2026, 5, 17, h, m));
const arrays = [
  { id: 'pv-a', peakW: 30_000 },
  { id: 'pv-b', peakW: 10_000 },
];

describe('externalPvSlots', () => {
  it('holds each hourly point over its hour, shares a site forecast by peak power, and leaves uncovered slots undefined', () => {
    const points = [
      { deviceId: '', at: at(10), pvW: 20_000 },
      { deviceId: '', at: at(11), pvW: 40_000 },
    ];
    const slots = externalPvSlots(points, arrays, [at(9, 45), at(10, 45), at(11, 45), at(12)], 15);
    expect(slots.get('pv-a')).toEqual([undefined, 15_000, 30_000, undefined]);
    expect(slots.get('pv-b')).toEqual([undefined, 5000, 10_000, undefined]);
  });

  it("averages finer points over a slot, and an array's own series wins over the site's", () => {
    const points = [
      { deviceId: 'pv-b', at: at(10), pvW: 1000 },
      { deviceId: 'pv-b', at: at(10, 5), pvW: 4000 },
      { deviceId: 'pv-b', at: at(10, 10), pvW: 7000 },
      { deviceId: '', at: at(10), pvW: 80_000 },
      { deviceId: '', at: at(11), pvW: 80_000 },
    ];
    const slots = externalPvSlots(points, arrays, [at(10)], 15);
    expect(slots.get('pv-b')).toEqual([4000]);
    expect(slots.get('pv-a')).toEqual([60_000]);
  });
});

describe('nudgedByLatest: the first hours of an external forecast corrected by what the array makes now', () => {
  const now = new Date('2026-06-17T12:05:00Z');
  const slotStarts = [0, 1, 4, 12].map((k) => new Date(Date.parse('2026-06-17T12:00:00Z') + k * 15 * 60_000));
  const forecastW = [8000, 8000, undefined, 8000];

  it.each([
    [
      'a cloud the forecast missed: half now, back toward the forecast over hours',
      4000,
      [4000, 4000 + 4000 * (1 - Math.exp(-10 / 180)), undefined, 8000 - 4000 * Math.exp(-175 / 180)],
    ],
    ['no reading: the forecast as it is', undefined, forecastW],
  ])('%s', (_, latestW, expected) => {
    const nudged = nudgedByLatest(
      forecastW,
      slotStarts,
      now,
      latestW === undefined ? undefined : { powerW: latestW },
      10_000,
    );
    expected.forEach((w, t) =>
      w === undefined ? expect(nudged[t]).toBeUndefined() : expect(nudged[t]).toBeCloseTo(w, 6),
    );
  });

  it('holds the ratio within [0, 2] and the inverter limit, and takes no ratio from a forecast of night', () => {
    expect(nudgedByLatest([3000, 3000], slotStarts, now, { powerW: 9000 }, 10_000, 5000)).toEqual([5000, 5000]);
    expect(nudgedByLatest([100, 6000], slotStarts, now, { powerW: 0 }, 10_000)).toEqual([100, 6000]);
  });
});
