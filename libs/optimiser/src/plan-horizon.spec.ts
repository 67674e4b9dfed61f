import { firstPlannedAt } from '@ilot/domain';
import { planHorizonSlots } from './plan-horizon';

const first = new Date('2026-06-17T09:00:00Z');
const order = (startH: number, endH: number) => ({
  start: new Date(first.getTime() + startH * 3_600_000),
  end: new Date(first.getTime() + endH * 3_600_000),
});

describe('the plan horizon reaches the end of every known order, up to 48 h', () => {
  it.each([
    ['no order: the base horizon', [], 96],
    ['an order within the base horizon', [order(8, 10)], 96],
    // Regression (issue 27): tomorrow 18:00-20:00 local, accepted this morning, was planned only once within 24 h.
    ['an order for tomorrow evening: to its end', [order(31, 33)], 132],
    ['an order ending past 48 h: 48 h', [order(46, 50)], 192],
    ['an order starting past 48 h: not yet', [order(49, 51)], 96],
    ['the latest of several', [order(26, 28), order(30, 31.25)], 125],
  ])('%s', (_, orders, slots) => {
    expect(planHorizonSlots(96, 15, first, orders)).toBe(slots);
  });

  it('never shortens a base horizon longer than 48 h', () => {
    expect(planHorizonSlots(300, 15, first, [order(1, 2)])).toBe(300);
  });

  it.each([
    ['within 48 h: at the next plan', order(31, 33), first],
    ['in three days: 48 h before its start', order(72, 74), new Date(first.getTime() + 24 * 3_600_000)],
  ])('says when an order is first planned: %s', (_, o, expected) => {
    expect(firstPlannedAt(o, first)).toEqual(expected);
  });
});
