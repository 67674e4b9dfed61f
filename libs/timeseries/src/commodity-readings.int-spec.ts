import type { CommodityReading } from '@ilot/domain';
import { DataSource } from 'typeorm';
import { CommodityReadingRepository } from './commodity-reading.repository';
import { STORAGE_BACKENDS } from './testing/storage-backends';

const t0 = Date.UTC(2026, 0, 12, 6, 0);
const at = (minutes: number) => new Date(t0 + minutes * 60_000);
const gas = { siteId: 'demo', deviceId: 'g-a-101', maxPerHour: 6 };
const index = (minutes: number, indexValue: number, deviceId = gas.deviceId): CommodityReading => ({
  siteId: 'demo',
  deviceId,
  ts: at(minutes),
  seq: minutes,
  indexValue,
});

/** Brings the continuous aggregate up to date (PGlite runs no background jobs); nothing to do for the rollup table. */
async function refresh(db: DataSource, mode: string): Promise<void> {
  if (mode === 'timescaledb')
    await db.query(`CALL refresh_continuous_aggregate('commodity_1h', '2026-01-01', '2026-02-01')`);
}

describe.each(STORAGE_BACKENDS)('gas, water and heat readings on $name', (backend) => {
  let db: DataSource;
  let close: () => Promise<void>;
  let repository: CommodityReadingRepository;

  beforeAll(async () => {
    ({ db, close } = await backend.open());
    repository = new CommodityReadingRepository(db);
  }, 120_000);
  afterAll(async () => close?.());

  it('stores each index with the quantity since the previous one, across a rollover and a reset, never negative', async () => {
    const receivedAt = at(200);
    // 15-min indexes in three messages, the second out of its own order: 99 999.2 -> 99 999.8 -> 0.3 (rollover)
    // -> 0.9 -> 5000 (a swapped meter: faster than 6 m³/h) -> 5000.4
    expect(await repository.store(gas, [index(0, 99_999.2), index(15, 99_999.8)], receivedAt)).toEqual({
      ok: true,
      inserted: 2,
      duplicates: 0,
      resets: 0,
    });
    expect(await repository.store(gas, [index(60, 5000), index(30, 0.3), index(45, 0.9)], receivedAt)).toMatchObject({
      ok: true,
      inserted: 3,
      resets: 1,
    });
    expect(await repository.store(gas, [index(75, 5000.4)], receivedAt)).toMatchObject({ ok: true, inserted: 1 });
    const rows = await repository.forDevice('demo', gas.deviceId, at(0), at(120));
    expect(rows.map((r) => [r.step, r.quantity === null ? null : Number(r.quantity.toFixed(6))])).toEqual([
      ['baseline', null],
      ['index', 0.6],
      ['rollover', 0.5],
      ['index', 0.6],
      ['reset', null],
      ['index', 0.4],
    ]);
  });

  it('takes the same reading again as a duplicate, refuses another figure for a stored instant and an index older than the last', async () => {
    expect(await repository.store(gas, [index(60, 5000)], at(200))).toEqual({
      ok: true,
      inserted: 0,
      duplicates: 1,
      resets: 0,
    });
    expect(await repository.store(gas, [index(60, 5001)], at(200))).toEqual({
      ok: false,
      reason: 'duplicate',
      problem: 'g-a-101 at 2026-01-12T07:00:00.000Z: 5001 differs from the 5000 stored for that instant',
    });
    expect(await repository.store(gas, [index(70, 5000.1)], at(200))).toMatchObject({
      ok: false,
      reason: 'out_of_order',
    });
    expect((await repository.forDevice('demo', gas.deviceId, at(0), at(120))).length).toBe(6);
  });

  it('sums the hours (UTC) per meter from the hourly aggregate, interval readings as sent', async () => {
    const water = { siteId: 'demo', deviceId: 'w-a-101', maxPerHour: 3125 };
    const litres = (minutes: number, quantity: number): CommodityReading => ({
      ...index(minutes, 0, water.deviceId),
      indexValue: undefined,
      quantity,
    });
    await repository.store(water, [litres(10, 40), litres(50, 60), litres(70, 25)], at(200));
    await refresh(db, backend.mode);
    const hours = await repository.hourly('demo', [gas.deviceId, water.deviceId], at(0), at(180));
    expect(hours.map((h) => [h.deviceId, h.hour.toISOString(), Number(h.quantity.toFixed(6))])).toEqual([
      ['g-a-101', '2026-01-12T06:00:00.000Z', 1.7],
      ['w-a-101', '2026-01-12T06:00:00.000Z', 100],
      ['g-a-101', '2026-01-12T07:00:00.000Z', 0.4],
      ['w-a-101', '2026-01-12T07:00:00.000Z', 25],
    ]);
  });

  it('keeps the meters from both database roles (personal data): neither ilot_api nor grafana_reader reads them', async () => {
    const grants: Array<{ grantee: string }> = await db.query(
      `SELECT DISTINCT grantee FROM information_schema.role_table_grants
        WHERE table_name IN ('commodity_readings', 'commodity_1h') AND grantee IN ('ilot_api', 'grafana_reader', 'PUBLIC')`,
    );
    expect(grants).toEqual([]);
  });
});
