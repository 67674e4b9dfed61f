import { allocateStep, AllocationKey } from './allocation';

const start = new Date('2026-06-17T10:00:00Z');
const step = (productionWh: number, consumptionWh: Record<string, number>) => ({
  start,
  productionWh,
  consumptionWh: new Map(Object.entries(consumptionWh)),
});
const shares = (s: Record<string, number>) => new Map(Object.entries(s));
const DEFAULT: AllocationKey = { kind: 'dynamic-default' };

describe('allocateStep (hand-computed cases)', () => {
  it.each([
    // [case, key, production Wh, consumption Wh, expected allocation Wh, expected surplus Wh, key applied]
    [
      'default: production below consumption, pro rata (half of each)',
      DEFAULT,
      6,
      { a: 2, b: 4, c: 6 },
      { a: 1, b: 2, c: 3 },
      0,
      'dynamic-default',
    ],
    [
      'default: production above consumption, all covered, the rest exported',
      DEFAULT,
      15,
      { a: 2, b: 4, c: 6 },
      { a: 2, b: 4, c: 6 },
      3,
      'dynamic-default',
    ],
    ['default: nobody consumes, all exported', DEFAULT, 5, { a: 0, b: 0 }, { a: 0, b: 0 }, 5, 'dynamic-default'],
    ['default: no production', DEFAULT, 0, { a: 3 }, { a: 0 }, 0, 'dynamic-default'],
    [
      'static: a share above consumption is capped, and what a could not use is not passed to b or c',
      { kind: 'static', shares: shares({ a: 0.5, b: 0.3, c: 0.2 }) },
      10,
      { a: 2, b: 4, c: 6 },
      { a: 2, b: 3, c: 2 },
      3,
      'static',
    ],
    [
      'static: shares summing to 0.8 leave 20 % unshared',
      { kind: 'static', shares: shares({ a: 0.4, b: 0.4 }) },
      10,
      { a: 10, b: 10 },
      { a: 4, b: 4 },
      2,
      'static',
    ],
    [
      'static: a participant without a share gets nothing',
      { kind: 'static', shares: shares({ a: 1 }) },
      10,
      { a: 4, b: 10 },
      { a: 4, b: 0 },
      6,
      'static',
    ],
    [
      'custom: the step’s shares',
      { kind: 'dynamic-custom', sharesAt: () => shares({ a: 0.9, b: 0.1 }) },
      10,
      { a: 5, b: 5 },
      { a: 5, b: 1 },
      4,
      'dynamic-custom',
    ],
    [
      'custom: a step without shares falls back on the default key',
      { kind: 'dynamic-custom', sharesAt: () => undefined },
      10,
      { a: 5, b: 15 },
      { a: 2.5, b: 7.5 },
      0,
      'dynamic-default',
    ],
  ] as Array<[string, AllocationKey, number, Record<string, number>, Record<string, number>, number, string]>)(
    '%s',
    (_name, key, productionWh, consumptionWh, expected, surplusWh, applied) => {
      const result = allocateStep(step(productionWh, consumptionWh), key);
      if (!result.ok) throw new Error(result.reason);
      expect(Object.fromEntries(result.value.allocatedWh)).toEqual(expected);
      expect(result.value.surplusWh).toBeCloseTo(surplusWh, 9);
      expect(result.value.key).toBe(applied);
    },
  );

  it.each([
    ['a negative production', DEFAULT, step(-1, { a: 1 }), 'productionWh -1 must be a number >= 0'],
    [
      'a consumption that is not a number',
      DEFAULT,
      step(1, { a: NaN }),
      'consumption of a is NaN: must be a number >= 0',
    ],
    [
      'static shares above 1',
      { kind: 'static', shares: shares({ a: 0.7, b: 0.5 }) },
      step(1, { a: 1 }),
      '2026-06-17T10:00:00.000Z: shares sum to 1.2: must be at most 1',
    ],
    [
      'a negative custom share',
      { kind: 'dynamic-custom', sharesAt: () => shares({ a: -0.1 }) },
      step(1, { a: 1 }),
      '2026-06-17T10:00:00.000Z: share of a is -0.1: must be a number >= 0',
    ],
  ] as Array<[string, AllocationKey, ReturnType<typeof step>, string]>)(
    'refuses %s with the reason',
    (_name, key, input, reason) => {
      expect(allocateStep(input, key)).toEqual({ ok: false, reason: 'invalid', problems: [reason] });
    },
  );
});

describe('allocateStep invariants over random steps', () => {
  /** A seeded generator, so a failure can be replayed. */
  let state = 42;
  const random = () => (state = (state * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;

  it('never allocates more than a participant consumed, and allocation plus surplus is the production', () => {
    for (let i = 0; i < 2000; i++) {
      const participants = Array.from({ length: 1 + Math.floor(random() * 6) }, (_, k) => `p${k}`);
      const consumption = Object.fromEntries(participants.map((p) => [p, random() < 0.2 ? 0 : random() * 500]));
      const raw = participants.map(() => random());
      const scale = random() / raw.reduce((a, b) => a + b, 0);
      const keyShares = shares(Object.fromEntries(participants.map((p, k) => [p, raw[k] * scale])));
      const keys: AllocationKey[] = [
        DEFAULT,
        { kind: 'static', shares: keyShares },
        { kind: 'dynamic-custom', sharesAt: () => keyShares },
      ];
      const input = step(random() * 2000, consumption);
      for (const key of keys) {
        const result = allocateStep(input, key);
        if (!result.ok) throw new Error(result.reason);
        let total = 0;
        for (const [participant, allocated] of result.value.allocatedWh) {
          expect(allocated).toBeGreaterThanOrEqual(0);
          expect(allocated).toBeLessThanOrEqual(consumption[participant] + 1e-9);
          total += allocated;
        }
        expect(total + result.value.surplusWh).toBeCloseTo(input.productionWh, 6);
      }
    }
  });
});
