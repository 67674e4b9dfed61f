import { validateSite } from '@ilot/site';
import { validateTelemetry } from './telemetry-validation';

const site = validateSite({
  id: 'demo',
  name: 'test',
  timezone: 'Europe/Paris',
  location: { latitudeDeg: 45.7, longitudeDeg: 4.8 },
  connection: { importLimitW: 100_000, exportLimitW: 50_000 },
  tariff: { kind: 'hphc', hpEurPerKWh: 0.27, hcEurPerKWh: 0.2, hcWindows: ['22:00-06:00'], feedInEurPerKWh: 0.1 },
  allocation: { key: 'dynamic-default' },
  participants: [{ id: 'p1', kind: 'resident', meter: 'm1' }],
  buildings: [
    {
      id: 'b',
      devices: [
        { id: 'grid', kind: 'grid' },
        { id: 'm1', kind: 'meter', annualKWh: 3000 },
        { id: 'pv', kind: 'pv', peakW: 10_000 },
        { id: 'bat', kind: 'battery', capacityWh: 10_000, maxChargeW: 5_000, maxDischargeW: 5_000 },
        { id: 'ev', kind: 'ev_charger', maxW: 11_000 },
        { id: 'hp', kind: 'heat_pump', ratedW: 6_000, maxShedW: 3_000, maxShedMinutes: 60 },
        { id: 'hp-fixed', kind: 'heat_pump', ratedW: 6_000 },
      ],
    },
  ],
});
const now = new Date('2026-01-15T12:00:00Z');
const limits = { maxPayloadBytes: 1024, maxFutureMs: 300_000, latenessMs: 86_400_000 };
const json = (value: unknown) => Buffer.from(JSON.stringify(value));

describe('validateTelemetry', () => {
  it("carries an EV charger's session, its departure an instant", () => {
    const session = { plugged: true, energyNeededWh: 12_000, departure: '2026-01-16T07:30:00+01:00', maxW: 7400 };
    const result = validateTelemetry(
      site,
      'ev',
      json({ ts: '2026-01-15T11:59:50Z', seq: 3, powerW: 7400, session }),
      now,
      limits,
    );
    expect(result.ok && result.value[0].evSession).toEqual({
      plugged: true,
      energyNeededWh: 12_000,
      departure: new Date('2026-01-16T06:30:00Z'),
      maxW: 7400,
    });
    const unplugged = validateTelemetry(
      site,
      'ev',
      json({ ts: '2026-01-15T11:59:50Z', seq: 4, powerW: 0, session: { plugged: false } }),
      now,
      limits,
    );
    expect(unplugged.ok && unplugged.value[0].evSession).toEqual({ plugged: false });
  });

  it("carries a sheddable load's energy owed, and refuses it from any other device", () => {
    const owed = validateTelemetry(
      site,
      'hp',
      json({ ts: '2026-01-15T11:59:50Z', seq: 5, powerW: 1500, owedWh: 750 }),
      now,
      limits,
    );
    expect(owed.ok && owed.value[0].owedWh).toBe(750);
    const none = validateTelemetry(site, 'hp', json({ ts: '2026-01-15T11:59:50Z', seq: 6, powerW: 1500 }), now, limits);
    expect(none.ok && 'owedWh' in none.value[0]).toBe(false);
    for (const deviceId of ['hp-fixed', 'm1', 'bat']) {
      const refusedOwed = validateTelemetry(
        site,
        deviceId,
        json({ ts: '2026-01-15T11:59:50Z', seq: 7, powerW: 10, owedWh: 100 }),
        now,
        limits,
      );
      expect(refusedOwed).toMatchObject({ ok: false, reason: 'out_of_range' });
      expect(!refusedOwed.ok && refusedOwed.problems[0]).toMatch(/^owedWh: .* is not a sheddable load/);
    }
    const negative = validateTelemetry(
      site,
      'hp',
      json({ ts: '2026-01-15T11:59:50Z', seq: 8, powerW: 10, owedWh: -1 }),
      now,
      limits,
    );
    expect(negative).toMatchObject({ ok: false, reason: 'schema' });
    expect(!negative.ok && negative.problems[0]).toMatch(/^owedWh: /);
  });

  it('accepts one reading and arrays of readings, in the sign convention', () => {
    const one = validateTelemetry(
      site,
      'bat',
      json({ ts: '2026-01-15T11:59:50Z', seq: 1, powerW: -4000, socPct: 50 }),
      now,
      limits,
    );
    expect(one).toEqual({
      ok: true,
      value: [
        {
          siteId: 'demo',
          deviceId: 'bat',
          ts: new Date('2026-01-15T11:59:50Z'),
          seq: 1,
          powerW: -4000,
          socPct: 50,
          energyWh: undefined,
        },
      ],
    });
    const many = validateTelemetry(
      site,
      'pv',
      json({
        values: [
          { ts: '2026-01-15T11:00:00+01:00', seq: 1, powerW: 10 },
          { ts: '2026-01-15T10:01:00Z', seq: 2, powerW: 20 },
        ],
      }),
      now,
      limits,
    );
    expect(many.ok && many.value.map((r) => r.powerW)).toEqual([10, 20]);
  });

  it.each([
    ['oversized', 'pv', Buffer.alloc(2000, 32)],
    ['malformed_json', 'pv', Buffer.from('{"ts": ')],
    ['schema', 'pv', json({ ts: '2026-01-15T12:00:00Z', seq: 1, powerW: '12' })],
    ['schema', 'pv', json({ ts: '2026-01-15 12:00', seq: 1, powerW: 12 })],
    ['schema', 'pv', json({ ts: '2026-01-15T12:00:00Z', seq: -1, powerW: 12 })],
    ['schema', 'pv', Buffer.from('{"ts":"2026-01-15T12:00:00Z","seq":1,"powerW":1e999}')],
    ['schema', 'pv', json({ ts: '2026-01-15T12:00:00Z', seq: 1, powerW: 12, extra: true })],
    ['unknown_device', 'nobody', json({ ts: '2026-01-15T12:00:00Z', seq: 1, powerW: 12 })],
    ['out_of_range', 'pv', json({ ts: '2026-01-15T12:00:00Z', seq: 1, powerW: 13_000 })],
    ['out_of_range', 'm1', json({ ts: '2026-01-15T12:00:00Z', seq: 1, powerW: -5 })],
    ['schema', 'bat', json({ ts: '2026-01-15T12:00:00Z', seq: 1, powerW: 0, socPct: 101 })],
    ['future', 'pv', json({ ts: '2026-01-15T12:05:01Z', seq: 1, powerW: 12 })],
    ['too_old', 'pv', json({ ts: '2026-01-14T11:59:59Z', seq: 1, powerW: 12 })],
    ['schema', 'pv', json({ ts: '1970-01-01T00:00:00Z', seq: 1, powerW: 12 })],
    [
      'out_of_range',
      'pv',
      json({
        values: [
          { ts: '2026-01-15T12:00:00Z', seq: 1, powerW: 12 },
          { ts: '2026-01-15T12:00:10Z', seq: 2, powerW: 1e9 },
        ],
      }),
    ],
  ])('refuses with reason %s (%s)', (reason, deviceId, payload) => {
    const result = validateTelemetry(site, deviceId, payload, now, limits);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.reason).toBe(reason);
      expect(result.problems.length).toBeGreaterThan(0);
    }
  });

  // Regression (probe of the running îlot): physical ranges were not checked for every field, and a reject reason
  // "(root): Invalid input" named no field.
  it.each([
    ['pv', { ts: '2026-01-15T12:00:00Z', seq: 1, powerW: '12' }, 'schema', /^powerW: /],
    ['m1', { ts: '2026-01-15T12:00:00Z', seq: 1, powerW: 12, energyWh: 1e308 }, 'schema', /^energyWh: /],
    ['m1', { ts: '2026-01-15T12:00:00Z', seq: 1, powerW: 12, socPct: 50 }, 'out_of_range', /^socPct: a meter/],
    ['pv', { ts: '2026-01-15T12:00:00Z', seq: 1, powerW: 12, extra: 1 }, 'schema', /^extra: unknown field/],
    ['pv', { values: [{ ts: '2026-01-15T12:00:00Z', seq: 1, powerW: 'x' }] }, 'schema', /^values\.0\.powerW: /],
    [
      'pv',
      { values: [{ ts: '2026-01-15T12:00:00Z', seq: 1, powerW: 99_000 }] },
      'out_of_range',
      /^values\.0\.powerW: /,
    ],
    ['pv', { ts: '0000-01-01T00:00:00Z', seq: 1, powerW: 12 }, 'schema', /^ts: /],
    [
      'm1',
      { ts: '2026-01-15T12:00:00Z', seq: 1, powerW: 12, session: { plugged: false } },
      'out_of_range',
      /^session: a meter/,
    ],
    [
      'ev',
      { ts: '2026-01-15T12:00:00Z', seq: 1, powerW: 0, session: { plugged: true, energyNeededWh: 9000 } },
      'schema',
      /^session: a plugged session needs/,
    ],
    [
      'ev',
      {
        ts: '2026-01-15T12:00:00Z',
        seq: 1,
        powerW: 0,
        session: { plugged: true, energyNeededWh: -1, departure: '2026-01-16T07:00:00Z' },
      },
      'schema',
      /^session\.energyNeededWh: /,
    ],
    [
      'ev',
      {
        ts: '2026-01-15T12:00:00Z',
        seq: 1,
        powerW: 0,
        session: { plugged: true, energyNeededWh: 1, departure: 'tomorrow' },
      },
      'schema',
      /^session\.departure: /,
    ],
  ])('names the field at fault: %s %j', (deviceId, payload, reason, detail) => {
    const result = validateTelemetry(site, deviceId, json(payload), now, limits);
    expect(result.ok ? undefined : [result.reason, result.problems[0]]).toEqual([
      reason,
      expect.stringMatching(detail),
    ]);
  });
});
