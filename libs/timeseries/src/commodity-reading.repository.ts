import { type CommodityReading, type MeterStep, meterSteps } from '@ilot/domain';
import type { DataSource, EntityManager } from 'typeorm';
import { markLate } from './ledger-marks';
import { numberArrayLiteral, textArrayLiteral } from './pg-array';
import { detectStorageMode } from './reading.repository';
import type { StorageMode } from './storage-policy';

export type CommodityStoreResult =
  | { ok: true; inserted: number; duplicates: number; resets: number }
  | { ok: false; reason: 'out_of_order' | 'out_of_range' | 'duplicate'; problem: string };

/** All the SQL on `commodity_readings` and `commodity_1h` (migration 16). */
export class CommodityReadingRepository {
  private mode?: Promise<StorageMode>;

  constructor(private readonly db: DataSource) {}

  /**
   * Stores one meter's readings in one transaction, each with the quantity since the meter's previous reading
   * (meterSteps, against the last stored one; the meter locked meanwhile, so two ingesters never compute from the
   * same previous). A reading stored already with the same figures is a duplicate; with other figures, a conflict,
   * refused. On plain PostgreSQL the hourly rollup is updated in the same statement.
   */
  async store(
    meter: { siteId: string; deviceId: string; maxPerHour: number },
    readings: readonly CommodityReading[],
    receivedAt: Date,
  ): Promise<CommodityStoreResult> {
    this.mode ??= detectStorageMode(this.db);
    const rollup = (await this.mode) === 'postgresql';
    const sorted = [...readings].sort((a, b) => a.ts.getTime() - b.ts.getTime());
    return this.db.transaction(async (m) => {
      await m.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`commodity:${meter.siteId}/${meter.deviceId}`]);
      const stored = await storedAt(m, meter, sorted);
      const fresh: CommodityReading[] = [];
      for (const reading of sorted) {
        const same = stored.get(reading.ts.getTime());
        if (!same) fresh.push(reading);
        else if (
          same.index !== (reading.indexValue ?? null) ||
          (reading.quantity !== undefined && same.quantity !== reading.quantity)
        )
          return conflict(reading, same);
      }
      if (fresh.length === 0) return { ok: true, inserted: 0, duplicates: sorted.length, resets: 0 };
      const steps = meterSteps(await lastStored(m, meter), fresh, meter.maxPerHour);
      if (!steps.ok) return { ok: false, reason: steps.reason, problem: steps.problem };
      await m.query(rollup ? INSERT_WITH_ROLLUP : INSERT, insertParameters(steps.steps, receivedAt));
      return {
        ok: true,
        inserted: fresh.length,
        duplicates: sorted.length - fresh.length,
        resets: steps.steps.filter((s) => s.kind === 'reset').length,
      };
    });
  }

  /** Per meter and UTC hour in [from, to): the quantity counted (the meter's unit). */
  async hourly(
    siteId: string,
    deviceIds: readonly string[],
    from: Date,
    to: Date,
  ): Promise<Array<{ deviceId: string; hour: Date; quantity: number }>> {
    const rows: Array<{ device_id: string; bucket: Date; quantity: number }> = await this.db.query(
      `SELECT device_id, bucket, quantity FROM commodity_1h
        WHERE site_id = $1 AND device_id = ANY($2) AND bucket >= $3 AND bucket < $4 ORDER BY bucket, device_id`,
      [siteId, deviceIds, from.toISOString(), to.toISOString()],
    );
    return rows.map((r) => ({ deviceId: r.device_id, hour: r.bucket, quantity: Number(r.quantity) }));
  }

  /** A meter's stored readings in [from, to), in time order (tests, exports). */
  async forDevice(
    siteId: string,
    deviceId: string,
    from: Date,
    to: Date,
  ): Promise<Array<{ ts: Date; indexValue: number | null; quantity: number | null; step: MeterStep['kind'] }>> {
    const rows: Array<{ ts: Date; index_value: number | null; quantity: number | null; step: MeterStep['kind'] }> =
      await this.db.query(
        `SELECT ts, index_value, quantity, step FROM commodity_readings
          WHERE site_id = $1 AND device_id = $2 AND ts >= $3 AND ts < $4 ORDER BY ts LIMIT 100000`,
        [siteId, deviceId, from.toISOString(), to.toISOString()],
      );
    return rows.map((r) => ({ ts: r.ts, indexValue: r.index_value, quantity: r.quantity, step: r.step }));
  }
}

type Meter = { siteId: string; deviceId: string };

async function storedAt(
  m: EntityManager,
  meter: Meter,
  readings: readonly CommodityReading[],
): Promise<Map<number, { index: number | null; quantity: number | null; seq: number }>> {
  const rows: Array<{ ts: Date; index_value: number | null; quantity: number | null; seq: string }> = await m.query(
    `SELECT ts, index_value, quantity, seq FROM commodity_readings
      WHERE site_id = $1 AND device_id = $2 AND ts = ANY($3::timestamptz[])`,
    [meter.siteId, meter.deviceId, textArrayLiteral(readings.map((r) => r.ts.toISOString()))],
  );
  return new Map(rows.map((r) => [r.ts.getTime(), { index: r.index_value, quantity: r.quantity, seq: Number(r.seq) }]));
}

/** The meter's newest stored reading: its instant and, if it was an index, its value. */
async function lastStored(m: EntityManager, meter: Meter): Promise<{ ts: Date; indexValue?: number } | undefined> {
  const rows: Array<{ ts: Date; index_value: number | null }> = await m.query(
    `SELECT ts, index_value FROM commodity_readings WHERE site_id = $1 AND device_id = $2 ORDER BY ts DESC LIMIT 1`,
    [meter.siteId, meter.deviceId],
  );
  if (rows.length === 0) return undefined;
  return { ts: rows[0].ts, ...(rows[0].index_value === null ? {} : { indexValue: rows[0].index_value }) };
}

function conflict(
  reading: CommodityReading,
  stored: { index: number | null; quantity: number | null },
): CommodityStoreResult {
  const sent = reading.indexValue ?? reading.quantity;
  return {
    ok: false,
    reason: 'duplicate',
    problem: `${reading.deviceId} at ${reading.ts.toISOString()}: ${sent} differs from the ${stored.index ?? stored.quantity} stored for that instant`,
  };
}

function insertParameters(steps: readonly MeterStep[], receivedAt: Date): unknown[] {
  return [
    textArrayLiteral(steps.map((s) => s.reading.siteId)),
    textArrayLiteral(steps.map((s) => s.reading.deviceId)),
    textArrayLiteral(steps.map((s) => s.reading.ts.toISOString())),
    numberArrayLiteral(steps.map((s) => s.reading.seq)),
    numberArrayLiteral(steps.map((s) => s.reading.indexValue)),
    numberArrayLiteral(steps.map((s) => s.quantity ?? undefined)),
    textArrayLiteral(steps.map((s) => s.kind)),
    receivedAt.toISOString(),
  ];
}

const INSERTED = `
    INSERT INTO commodity_readings (site_id, device_id, ts, seq, index_value, quantity, step, received_at)
    SELECT s, d, t, q, i, v, k, $8::timestamptz
      FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::bigint[], $5::float8[], $6::float8[], $7::text[]) AS u(s, d, t, q, i, v, k)
    ON CONFLICT (site_id, device_id, ts) DO NOTHING
    RETURNING site_id, device_id, ts, quantity`;

const INSERT = `WITH inserted AS (${INSERTED}), marked AS (${markLate('$8')}) SELECT count(*)::int AS inserted FROM inserted`;

const INSERT_WITH_ROLLUP = `
  WITH inserted AS (${INSERTED}),
  rolled AS (
    INSERT INTO commodity_1h AS r (site_id, device_id, bucket, quantity, readings)
    SELECT site_id, device_id, date_bin(INTERVAL '1 hour', ts, TIMESTAMPTZ '2000-01-01 00:00:00Z'), coalesce(sum(quantity), 0), count(*)
      FROM inserted GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    ON CONFLICT (site_id, device_id, bucket) DO UPDATE
       SET quantity = r.quantity + EXCLUDED.quantity, readings = r.readings + EXCLUDED.readings),
  marked AS (${markLate('$8')})
  SELECT count(*)::int AS inserted FROM inserted`;
