import { buildModel } from './build-model';
import { effacementWindows } from './plan-input.builder';
import { planInput } from './testing/plan-input.factory';

/** Planning from Saturday 22:00Z over the autumn change of 2026-10-25 (01:00Z: 03:00 CEST becomes 02:00 CET). */
describe('an effacement window across the 2026-10-25 change of time', () => {
  const now = new Date('2026-10-24T22:00:00Z');
  const base = planInput({ now, consumptionW: Array(24).fill(60_000), batteries: [] });
  const slotStarts = base.slots.map((s) => s.start);
  const order = {
    id: 'dst-order',
    start: new Date('2026-10-25T00:00:00Z'),
    end: new Date('2026-10-25T02:00:00Z'),
    reductionW: 20_000,
  };

  it('caps the import over its 8 real quarter-hours (local 02:00-03:00 twice), not 4 nor 12', () => {
    const windows = effacementWindows(slotStarts, Array(24).fill(60_000), [], {
      effacements: [order],
      ecowatt: [],
      tempo: new Map(),
    });
    expect(windows).toHaveLength(1);
    expect(windows[0].importCapW).toBe(40_000);
    const { index } = buildModel({ ...base, effacements: windows });
    expect(index.effacements[0].slots).toEqual([8, 9, 10, 11, 12, 13, 14, 15]);
  });
});
