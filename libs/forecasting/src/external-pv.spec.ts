import { externalPvSlots } from './external-pv';

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
