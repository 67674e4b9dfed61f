import { seededRandom } from '@ilot/domain';
import { type AccKey, allocateAccStep, type AccStepAllocation } from './acc-allocation';

const start = new Date('2026-11-02T11:00:00Z');
const step = {
  start,
  productionWh: new Map([
    ['p1', 600],
    ['p2', 400],
  ]),
  consumptionWh: new Map([
    ['a', 300],
    ['b', 900],
  ]),
};

function allocated(key: AccKey): AccStepAllocation {
  const result = allocateAccStep(step, key);
  if (!result.ok) throw new Error(result.problems.join('; '));
  return result.value;
}

const pairs = (a: AccStepAllocation) =>
  Object.fromEntries([...a.consumers].map(([c, s]) => [c, Object.fromEntries(s.byProducerWh)]));
const producers = (a: AccStepAllocation) =>
  Object.fromEntries([...a.producers].map(([p, s]) => [p, [s.allocatedWh, s.surplusWh]]));

describe('allocateAccStep (hand-computed, two producers and two consumers)', () => {
  it.each<[string, AccKey, Record<string, Record<string, number>>, Record<string, number[]>]>([
    [
      'dynamic-default: 1000 Wh over 1200 Wh consumed, each producer in proportion to its production',
      { kind: 'dynamic-default' },
      { a: { p1: 150, p2: 100 }, b: { p1: 450, p2: 300 } },
      { p1: [600, 0], p2: [400, 0] },
    ],
    [
      'static 50/50: a capped at its 300 Wh, the rest of its half is surplus',
      {
        kind: 'static',
        shares: new Map([
          ['a', 0.5],
          ['b', 0.5],
        ]),
      },
      { a: { p1: 180, p2: 120 }, b: { p1: 300, p2: 200 } },
      { p1: [480, 120], p2: [320, 80] },
    ],
    [
      'dynamic-full: p1 all to a (who takes 300 of 600), p2 half to b',
      {
        kind: 'dynamic-full',
        coefficientsAt: () =>
          new Map([
            ['p1', new Map([['a', 1]])],
            ['p2', new Map([['b', 0.5]])],
          ]),
      },
      { a: { p1: 300, p2: 0 }, b: { p1: 0, p2: 200 } },
      { p1: [300, 300], p2: [200, 200] },
    ],
  ])('%s', (_name, key, expectedPairs, expectedProducers) => {
    const result = allocated(key);
    for (const [c, byP] of Object.entries(pairs(result)))
      for (const [p, wh] of Object.entries(byP)) expect(wh).toBeCloseTo(expectedPairs[c][p], 9);
    for (const [p, [alloc, surplus]] of Object.entries(producers(result))) {
      expect(alloc).toBeCloseTo(expectedProducers[p][0], 9);
      expect(surplus).toBeCloseTo(expectedProducers[p][1], 9);
    }
  });

  it('a consumer offered more by several producers takes from each in the same proportion', () => {
    const result = allocated({
      kind: 'dynamic-full',
      coefficientsAt: () =>
        new Map([
          ['p1', new Map([['a', 1]])],
          ['p2', new Map([['a', 1]])],
        ]),
    });
    expect(result.consumers.get('a')!.byProducerWh.get('p1')).toBeCloseTo(180, 9); // 300 * 600 / 1000
    expect(result.consumers.get('a')!.byProducerWh.get('p2')).toBeCloseTo(120, 9);
    expect(result.consumers.get('b')!.allocatedWh).toBe(0);
  });

  it('a full dynamic step without coefficients falls back on the default key, and says so', () => {
    const result = allocated({ kind: 'dynamic-full', coefficientsAt: () => undefined });
    expect(result.key).toBe('dynamic-default');
    expect(result.consumers.get('a')!.allocatedWh).toBeCloseTo(250, 9);
  });

  it.each<[string, Parameters<typeof allocateAccStep>[0], AccKey, RegExp]>([
    [
      'a negative production',
      { ...step, productionWh: new Map([['p1', -1]]) },
      { kind: 'dynamic-default' },
      /production of p1 is -1/,
    ],
    [
      'a consumption that is not a number',
      { ...step, consumptionWh: new Map([['a', NaN]]) },
      { kind: 'dynamic-default' },
      /consumption of a is NaN/,
    ],
    [
      "a producer's coefficients summing above 1",
      step,
      {
        kind: 'dynamic-full',
        coefficientsAt: () =>
          new Map([
            [
              'p1',
              new Map([
                ['a', 0.7],
                ['b', 0.4],
              ]),
            ],
          ]),
      },
      /producer p1: shares sum to 1.1/,
    ],
  ])('refuses %s with its reason', (_name, input, key, reason) => {
    const result = allocateAccStep(input, key);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems.join()).toMatch(reason);
  });

  it('keeps its invariants over 500 seeded random steps and keys', () => {
    const random = seededRandom(29);
    for (let i = 0; i < 500; i++) {
      const productionWh = new Map(['p1', 'p2', 'p3'].map((p) => [p, random() < 0.2 ? 0 : random() * 2000]));
      const consumptionWh = new Map(['a', 'b', 'c', 'd'].map((c) => [c, random() < 0.1 ? 0 : random() * 800]));
      const coefficients = new Map(
        [...productionWh.keys()].map((p) => {
          const raw = [...consumptionWh.keys()].map((c) => [c, random()] as const);
          const total = raw.reduce((s, [, v]) => s + v, 0) / random();
          return [p, new Map(raw.map(([c, v]) => [c, Math.min(v / Math.max(total, 1), 1)]))];
        }),
      );
      const keys: AccKey[] = [
        { kind: 'dynamic-default' },
        {
          kind: 'static',
          shares: new Map([
            ['a', 0.4],
            ['b', 0.3],
            ['c', 0.2],
          ]),
        },
        { kind: 'dynamic-full', coefficientsAt: () => coefficients },
      ];
      for (const key of keys) {
        const r = allocateAccStep({ start, productionWh, consumptionWh }, key);
        expect(r.ok).toBe(true);
        if (!r.ok) continue;
        const byConsumers = [...r.value.consumers.values()].reduce((s, c) => s + c.allocatedWh, 0);
        const byProducers = [...r.value.producers.values()].reduce((s, p) => s + p.allocatedWh, 0);
        expect(byConsumers).toBeCloseTo(byProducers, 6);
        for (const [c, s] of r.value.consumers) {
          expect(s.allocatedWh).toBeLessThanOrEqual(consumptionWh.get(c)! + 1e-9);
          expect(s.allocatedWh + s.complementWh).toBeCloseTo(consumptionWh.get(c)!, 6);
        }
        for (const [p, s] of r.value.producers) {
          expect(s.allocatedWh).toBeLessThanOrEqual(productionWh.get(p)! + 1e-9);
          expect(s.allocatedWh + s.surplusWh).toBeCloseTo(productionWh.get(p)!, 6);
        }
      }
    }
  });
});
