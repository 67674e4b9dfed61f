import { type ReconcilePoint, reconcile, type SideStep } from './reconcile';

const starts = [0, 1, 2, 3, 4, 5].map((i) => new Date(Date.UTC(2026, 10, 2, 11, i * 15)));
const ms = (i: number) => starts[i].getTime();

function side(values: Array<[number, number] | undefined>): Map<number, SideStep> {
  const steps = new Map<number, SideStep>();
  values.forEach((v, i) => v && steps.set(ms(i), { totalWh: v[0], allocatedWh: v[1] }));
  return steps;
}

const clean = {
  a: side([
    [300, 250],
    [300, 250],
    [300, 250],
    [300, 250],
    [300, 250],
    [300, 250],
  ]),
  b: side([
    [900, 750],
    [900, 750],
    [900, 750],
    [900, 750],
    [900, 750],
    [900, 750],
  ]),
};

const point = (id: string, ilot: Map<number, SideStep>, distributor: Map<number, SideStep | null>): ReconcilePoint => ({
  id,
  prm: id === 'a' ? '25110000000011' : '25110000000012',
  role: 'consumer',
  ilot,
  distributor,
});

describe('reconcile', () => {
  it('finds no difference on the same data, the distributor rounding to whole Wh aside', () => {
    const ilot = side([
      [300.4, 250.3],
      [300, 250],
      [300, 250],
      [300, 250],
      [300, 250],
      [299.6, 249.6],
    ]);
    const lines = reconcile([point('a', ilot, clean.a)], starts);
    expect(lines.map((l) => [l.quantity, l.differenceWh, l.flagged, l.explanations.length])).toEqual([
      ['total', 0, false, 0],
      ['allocated', 0, false, 0],
    ]);
    expect(lines[0].roundingWh).toBeCloseTo(0, 9);
  });

  it("explains a gap in the îlot's readings, and the allocation it moved in another's steps", () => {
    // a's meter sent nothing in steps 2 and 3: the îlot shared those steps' production with b alone.
    const ilotA = side([[300, 250], [300, 250], undefined, undefined, [300, 250], [300, 250]]);
    const ilotB = side([
      [900, 750],
      [900, 750],
      [900, 900],
      [900, 900],
      [900, 750],
      [900, 750],
    ]);
    const [aTotal, aAllocated, bTotal, bAllocated] = reconcile(
      [point('a', ilotA, clean.a), point('b', ilotB, clean.b)],
      starts,
    );
    expect(aTotal).toMatchObject({ ilotWh: 1200, distributorWh: 1800, differenceWh: 600, flagged: true });
    expect(aTotal.differencePct).toBeCloseTo(33.333, 3);
    expect(aTotal.explanations).toEqual([
      { cause: 'ilot-meter-gap', steps: 2, differenceWh: 600, firstStep: starts[2], lastStep: starts[3] },
    ]);
    expect(aAllocated.explanations).toEqual([
      { cause: 'ilot-meter-gap', steps: 2, differenceWh: 500, firstStep: starts[2], lastStep: starts[3] },
    ]);
    expect(bTotal).toMatchObject({ differenceWh: 0, flagged: false, explanations: [] });
    expect(bAllocated.explanations).toEqual([
      { cause: 'other-point-difference', steps: 2, differenceWh: -300, firstStep: starts[2], lastStep: starts[3] },
    ]);
    expect(bAllocated.differencePct).toBeCloseTo((-300 / 4800) * 100, 9);
    expect(bAllocated.flagged).toBe(true); // 6.25 % > 2 %
  });

  it('explains a step the distributor did not measure, a meter disagreement and a key difference, each by cause', () => {
    const distributor = new Map<number, SideStep | null>(clean.a);
    distributor.set(ms(0), null); // not measured
    distributor.set(ms(1), { totalWh: 310, allocatedWh: 258 }); // its meter read 10 Wh more
    distributor.set(ms(4), { totalWh: 300, allocatedWh: 240 }); // same energy, another key
    const [total, allocated] = reconcile([point('a', clean.a, distributor)], starts);
    expect(total.explanations.map((e) => [e.cause, e.steps, e.differenceWh])).toEqual([
      ['distributor-missing-step', 1, -300],
      ['measurement', 1, 10],
    ]);
    expect(allocated.explanations.map((e) => [e.cause, e.steps, e.differenceWh])).toEqual([
      ['distributor-missing-step', 1, -250],
      ['measurement', 1, 8],
      ['key', 1, -10],
    ]);
    expect(allocated.differenceWh).toBe(-252);
  });

  it('flags above the threshold only', () => {
    const distributor = side([
      [300, 250],
      [300, 250],
      [300, 250],
      [300, 250],
      [300, 250],
      [300 + 35, 250],
    ]);
    const [below] = reconcile([point('a', clean.a, distributor)], starts); // 35 of 1835 Wh: 1.9 %
    expect(below.flagged).toBe(false);
    const [above] = reconcile([point('a', clean.a, distributor)], starts, 1.5);
    expect(above.flagged).toBe(true);
  });
});
