import { batteryPowerAskedW, commandAckSchema, commandPayloadSchema, COMMAND_TYPES } from './command';
import { decode } from './decode';
import { decodeSignal, SIGNAL_LIMITS } from './signal';
import { telemetryPayloadSchema } from './telemetry';

const limits = { maxPayloadBytes: 1024 };
const json = (value: unknown) => Buffer.from(JSON.stringify(value));

describe('decode: the one inbound edge', () => {
  it.each([
    ['oversized', Buffer.alloc(2000, 32), /^2000 bytes > 1024$/],
    ['malformed_json', Buffer.from('{"ts":'), /JSON/],
    ['schema', json({ ts: '2026-01-15T12:00:00Z', seq: 1 }), /^powerW: /],
    ['schema', json({ values: [] }), /^values: /],
    ['schema', json({ ts: '2026-01-15T12:00:00Z', seq: 1, powerW: 1, __proto__x: 1 }), /^__proto__x: unknown field$/],
  ])('refuses %s, naming what is wrong', (reason, payload, detail) => {
    const result = decode(payload, telemetryPayloadSchema, limits);
    expect(result.ok ? undefined : [result.reason, result.problems[0]]).toEqual([
      reason,
      expect.stringMatching(detail),
    ]);
  });

  it('gives the value when it is good', () => {
    expect(decode(json({ ts: '2026-01-15T12:00:00Z', seq: 1, powerW: 5 }), telemetryPayloadSchema, limits)).toEqual({
      ok: true,
      value: { ts: '2026-01-15T12:00:00Z', seq: 1, powerW: 5 },
    });
  });
});

describe('the command document: one shape per type', () => {
  const envelope = {
    cmdId: '6f1c1f3e-3a51-4c3e-9a55-0d3f5e0c1a01',
    issuedAt: '2026-01-15T12:00:00Z',
    validFrom: '2026-01-15T12:00:00Z',
    validUntil: '2026-01-15T12:20:00Z',
    reason: 'peak',
  };
  it('lists its types from the union', () =>
    expect(COMMAND_TYPES).toEqual(['battery.setpoint', 'load.limit', 'ev.limit', 'pv.curtail']));
  it.each([
    [{ ...envelope, type: 'battery.setpoint', setpointW: 5000, gridTargetW: 0, deviationShare: 0.5 }, true],
    [{ ...envelope, type: 'battery.setpoint' }, false], // a setpoint without its power
    [{ ...envelope, type: 'battery.setpoint', setpointW: 1, maxW: 3 }, false], // a field of another type
    [{ ...envelope, type: 'load.limit', maxW: 3000 }, true],
    [{ ...envelope, type: 'load.limit', maxW: -1 }, false],
    [{ ...envelope, type: 'load.limit', setpointW: 3000 }, false],
    [{ ...envelope, type: 'ev.limit', maxW: 3000 }, true],
    [{ ...envelope, type: 'ev.limit', maxW: -1 }, false],
    [{ ...envelope, type: 'ev.limit', setpointW: 3000 }, false],
    [{ ...envelope, type: 'ev.charge', maxW: 3000 }, false],
  ])('%j: valid %s', (command, valid) => expect(commandPayloadSchema.safeParse(command).success).toBe(valid));

  it('refuses an ack dated outside 2000-2099 (an ack dated 2999 was believed)', () => {
    const ack = { cmdId: envelope.cmdId, status: 'applied', ts: '2999-01-01T00:00:00Z' };
    expect(decode(json(ack), commandAckSchema, limits)).toEqual({
      ok: false,
      reason: 'schema',
      problems: ['ts: must lie in the years 2000 to 2099'],
    });
  });
});

describe('signals: bounded periods', () => {
  const now = new Date('2026-01-15T12:00:00Z');
  const order = (start: string, end: string) => json({ type: 'effacement', id: 'o-1', start, end, reductionW: 20_000 });

  it.each([
    ['an order of two hours', order('2026-01-15T17:00:00Z', '2026-01-15T19:00:00Z'), undefined],
    [
      'an empty period',
      order('2026-01-15T17:00:00Z', '2026-01-15T17:00:00Z'),
      'end: 2026-01-15T17:00:00Z is not after start 2026-01-15T17:00:00Z',
    ],
    [
      'a period that is over',
      order('2026-01-14T17:00:00Z', '2026-01-14T19:00:00Z'),
      'end: the period ended at 2026-01-14T19:00:00Z, before now (2026-01-15T12:00:00.000Z)',
    ],
    // Regression (probe of the running îlot): an order ending in 9999 froze the îlot for minutes, at every start too.
    [
      'an order to the year 9999',
      order('2026-01-15T17:00:00Z', '9999-01-01T00:00:00Z'),
      'end: must lie in the years 2000 to 2099',
    ],
    [
      'an order of 3 days',
      order('2026-01-15T17:00:00Z', '2026-01-18T17:00:00Z'),
      'end: the period spans 72 h, at most 25 h',
    ],
    [
      'an order a month ahead',
      order('2026-02-15T17:00:00Z', '2026-02-15T19:00:00Z'),
      'start: starts more than 7 days ahead of now (2026-01-15T12:00:00.000Z)',
    ],
    [
      'a Tempo day a month ahead',
      json({ type: 'tempo', date: '2026-02-15', color: 'red' }),
      'date: starts more than 7 days ahead of now (2026-01-15T12:00:00.000Z)',
    ],
    ['a past Tempo day (history)', json({ type: 'tempo', date: '2026-01-10', color: 'red' }), undefined],
  ])('%s', (_name, payload, problem) => {
    const result = decodeSignal(payload, now, limits);
    expect(result.ok ? undefined : result.problems.join('; ')).toEqual(problem);
  });

  it('bounds every period to a day and a lead to a week', () =>
    expect(SIGNAL_LIMITS).toEqual({ maxSpanMs: 25 * 3_600_000, maxLeadMs: 7 * 86_400_000 }));
});

// Regression (probe of the running îlot): a 64 MB signal was parsed; signals and acks now have telemetry's byte limit.
describe('the same byte limit for every inbound topic', () => {
  it('refuses an oversized signal before parsing it', () => {
    const huge = Buffer.alloc(70_000, 32);
    expect(decodeSignal(huge, new Date('2026-01-15T12:00:00Z'), { maxPayloadBytes: 65_536 })).toEqual({
      ok: false,
      reason: 'oversized',
      problems: ['70000 bytes > 65536'],
    });
    expect(decode(huge, commandAckSchema, { maxPayloadBytes: 65_536 }).ok).toBe(false);
  });
});

describe('batteryPowerAskedW: how a controller applies battery.setpoint', () => {
  it.each([
    ['the setpoint alone', { setpointW: 5000 }, 80_000, 5000],
    ['follows the planned grid power', { setpointW: 5000, gridTargetW: 70_000 }, 80_000, 10_000],
    ['its share of the deviation', { setpointW: 5000, gridTargetW: 70_000, deviationShare: 0.5 }, 80_000, 7500],
    // 200 kW without the battery, plan 150 kW: the target asks 50 kW, the 160 kW ceiling would need 40: the target wins.
    [
      'the ceiling, when the target already holds it',
      { setpointW: 0, gridTargetW: 150_000, gridLimitW: 160_000 },
      200_000,
      50_000,
    ],
    // Charging 30 kW planned at 130 kW of grid, the consumption comes 50 kW higher with a fixed setpoint: discharge 20.
    ['the ceiling over a fixed setpoint', { setpointW: -30_000, gridLimitW: 160_000 }, 180_000, 20_000],
    ['a ceiling not reached changes nothing', { setpointW: -30_000, gridLimitW: 160_000 }, 100_000, -30_000],
  ])('%s', (_name, command, gridWithoutBatteryW, expectedW) =>
    expect(batteryPowerAskedW(command, gridWithoutBatteryW)).toBeCloseTo(expectedW, 6),
  );
});
