import { type CommodityReading, meterSteps } from './meter-steps';

const at = (minutes: number) => new Date(Date.UTC(2026, 0, 10, 0, minutes));
const index = (minutes: number, indexValue: number): CommodityReading => ({
  siteId: 's',
  deviceId: 'g',
  ts: at(minutes),
  seq: minutes,
  indexValue,
});
const interval = (minutes: number, quantity: number): CommodityReading => ({
  ...index(minutes, 0),
  indexValue: undefined,
  quantity,
});

describe('meterSteps: the quantity of each reading of a gas, water or heat meter (6 m³/h at most here)', () => {
  it.each([
    ['first index: a baseline, quantity unknown', undefined, [index(15, 1234.5)], [[null, 'baseline']]],
    [
      'index increases: the difference',
      { ts: at(0), indexValue: 1234.5 },
      [index(15, 1234.75), index(30, 1235.0)],
      [
        [0.25, 'index'],
        [0.25, 'index'],
      ],
    ],
    ['an index that stays: nothing consumed', { ts: at(0), indexValue: 10 }, [index(15, 10)], [[0, 'index']]],
    [
      'a 5-digit register rolls over at 100 000',
      { ts: at(0), indexValue: 99_999.9 },
      [index(15, 0.4)],
      [[0.5, 'rollover']],
    ],
    [
      'an index that falls without a rollover: a reset, never negative',
      { ts: at(0), indexValue: 1234.5 },
      [index(15, 12.0)],
      [[null, 'reset']],
    ],
    [
      'an index leaping faster than the meter counts: a reset (a swapped meter)',
      { ts: at(0), indexValue: 10 },
      [index(15, 500)],
      [[null, 'reset']],
    ],
    [
      'after a reset the next index counts from the new register',
      { ts: at(0), indexValue: 1234.5 },
      [index(15, 3), index(30, 3.5)],
      [
        [null, 'reset'],
        [0.5, 'index'],
      ],
    ],
    [
      'interval quantities stand alone',
      undefined,
      [interval(15, 0.2), interval(30, 0.1)],
      [
        [0.2, 'interval'],
        [0.1, 'interval'],
      ],
    ],
  ] as const)('%s', (_case, previous, readings, expected) => {
    const result = meterSteps(previous, readings, 6);
    if (!result.ok) throw new Error(result.problem);
    expect(result.steps.map((s) => [s.quantity === null ? null : Number(s.quantity.toFixed(6)), s.kind])).toEqual(
      expected,
    );
  });

  it('refuses an index no later than the last stored one (a register is read forwards), naming both instants', () => {
    const result = meterSteps({ ts: at(30), indexValue: 10 }, [index(15, 9.9)], 6);
    expect(result).toEqual({
      ok: false,
      index: 0,
      reason: 'out_of_order',
      problem: expect.stringContaining(
        "2026-01-10T00:15:00.000Z is not after the meter's last index at 2026-01-10T00:30:00.000Z",
      ),
    });
  });

  it('refuses an interval quantity faster than the meter can count, with the figures', () => {
    const result = meterSteps({ ts: at(0), indexValue: 10 }, [interval(15, 0.5), interval(30, 2)], 6);
    expect(result).toEqual({
      ok: false,
      index: 1,
      reason: 'out_of_range',
      problem: "2 in 900 s is faster than the meter's 6 an hour",
    });
  });

  // Issue 26: a meter inflated its own bill by backdating (`volumeL: 1e9` dated 20 s back: 1 000 000 m³ in its month),
  // and its first reading was never bounded.
  it.each([
    [
      'dated at the last reading',
      { ts: at(30) },
      [interval(30, 0.1)],
      'out_of_order',
      /is not after the meter's last reading/,
    ],
    [
      'dated before the last reading',
      { ts: at(30) },
      [interval(29, 1e6)],
      'out_of_order',
      /is not after the meter's last reading/,
    ],
    [
      'a first reading above an hour of the meter',
      undefined,
      [interval(30, 1e6)],
      'out_of_range',
      /first reading can cover \(6 an hour for at most 1 h/,
    ],
  ])('refuses a quantity %s', (_, previous, readings, reason, problem) => {
    const result = meterSteps(previous, readings, 6);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.reason).toBe(reason);
      expect(result.problem).toMatch(problem);
    }
  });

  it("counts a first reading within an hour of the meter's pace", () => {
    expect(meterSteps(undefined, [interval(30, 5.9)], 6)).toEqual({
      ok: true,
      steps: [{ reading: interval(30, 5.9), quantity: 5.9, kind: 'interval' }],
    });
  });
});
