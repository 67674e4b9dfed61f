import { type CommodityMeterSpec, validateSite } from '@ilot/site';
import { validateCommodityTelemetry } from './commodity-validation';
import { validateTelemetry } from './telemetry-validation';

const site = validateSite({
  id: 'demo',
  name: 'test',
  timezone: 'Europe/Paris',
  connection: { importLimitW: 100_000, exportLimitW: 50_000 },
  tariff: { kind: 'hphc', hpEurPerKWh: 0.27, hcEurPerKWh: 0.2, hcWindows: ['22:00-06:00'], feedInEurPerKWh: 0.1 },
  commodities: { gas: { kWhPerM3: 11.2, eurPerKWh: 0.12, kgCo2PerKWh: 0.2 }, water: { eurPerM3: 4, kgCo2PerM3: 0.1 } },
  allocation: { key: 'dynamic-default' },
  participants: [{ id: 'p1', kind: 'resident', meter: 'm1', gasMeter: 'g1', waterMeter: 'w1' }],
  buildings: [
    {
      id: 'b',
      devices: [
        { id: 'grid', kind: 'grid' },
        { id: 'm1', kind: 'meter', annualKWh: 3000 },
        { id: 'g1', kind: 'gas_meter' },
        { id: 'w1', kind: 'water_meter' },
      ],
    },
  ],
});
const now = new Date('2026-01-15T12:00:00Z');
const limits = { maxPayloadBytes: 1024, maxFutureMs: 300_000, latenessMs: 86_400_000 };
const json = (value: unknown) => Buffer.from(JSON.stringify(value));
const meter = (id: string) => site.devices.get(id) as CommodityMeterSpec;
const ts = '2026-01-15T11:45:00Z';

describe('validateCommodityTelemetry: gas and water meters', () => {
  it.each([
    ['a gas index in m³', 'g1', { ts, seq: 1, indexM3: 1234.567 }, { indexValue: 1234.567 }],
    ['litres since the previous reading', 'w1', { ts, seq: 2, volumeL: 12.5 }, { quantity: 12.5 }],
    ['a water index in litres', 'w1', { ts, seq: 3, indexL: 880_000 }, { indexValue: 880_000 }],
  ])('takes %s', (_case, deviceId, payload, expected) => {
    const result = validateCommodityTelemetry(site, meter(deviceId), json(payload), now, limits);
    expect(result).toEqual({
      ok: true,
      value: [{ siteId: 'demo', deviceId, ts: new Date(ts), seq: payload.seq, ...expected }],
    });
  });

  it.each([
    [
      'litres from a gas meter (another unit, not converted)',
      'g1',
      { ts, seq: 1, volumeL: 3 },
      'schema',
      'volumeL: a gas_meter counts in m3: send indexM3 or volumeM3',
    ],
    [
      'an index and a volume at once',
      'g1',
      { ts, seq: 1, indexM3: 3, volumeM3: 0.1 },
      'schema',
      'exactly one of indexM3, volumeM3, indexL, volumeL, indexWh, heatWh',
    ],
    ['a negative volume', 'w1', { ts, seq: 1, volumeL: -2 }, 'schema', 'volumeL'],
    ['a power, as an electricity meter sends', 'w1', { ts, seq: 1, powerW: 30 }, 'schema', 'powerW'],
    [
      'a reading from the future',
      'w1',
      { ts: '2026-01-15T13:00:00Z', seq: 1, volumeL: 2 },
      'future',
      'ts: 2026-01-15T13:00:00.000Z is after now',
    ],
  ])('refuses %s, naming the field', (_case, deviceId, payload, reason, problem) => {
    const result = validateCommodityTelemetry(site, meter(deviceId), json(payload), now, limits);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reason).toBe(reason);
    expect(result.problems.join('; ')).toContain(problem);
  });

  it('refuses a power reading on a gas meter through the electricity path too', () => {
    const result = validateTelemetry(site, 'g1', json({ ts, seq: 1, powerW: 10 }), now, limits);
    expect(result).toMatchObject({
      ok: false,
      reason: 'schema',
      problems: [expect.stringContaining('g1 is a gas_meter')],
    });
  });
});
