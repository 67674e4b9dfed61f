import { MigrationInterface, QueryRunner } from 'typeorm';
import { STORAGE_POLICY } from '../storage-policy';

/**
 * 15-minute and hourly aggregates of `readings` per device, with the same columns on both paths:
 * `site_id, device_id, bucket, samples, power_sum_w, soc_sum_pct, soc_samples` (means are sums
 * over samples, so buckets combine exactly).
 *
 * - TimescaleDB available (and loadable): `readings` becomes a hypertable, the aggregates are
 *   real-time continuous aggregates (1 h built on 15 min), refreshed over `refreshLookback` so
 *   late data is folded in; raw chunks are compressed and dropped by policy.
 * - Otherwise: plain tables that `ReadingRepository.insertBatch` updates in the same statement
 *   as the insert (ADR 0005).
 */
export class ReadingsAggregates1700000000002 implements MigrationInterface {
  name = 'ReadingsAggregates1700000000002';

  async up(queryRunner: QueryRunner): Promise<void> {
    if (await enableTimescale(queryRunner)) await timescalePath(queryRunner);
    else await rollupTablesPath(queryRunner);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const timescale = (await queryRunner.query(`SELECT 1 FROM pg_extension WHERE extname = 'timescaledb'`)).length > 0;
    if (timescale) {
      await queryRunner.query('DROP MATERIALIZED VIEW readings_1h');
      await queryRunner.query('DROP MATERIALIZED VIEW readings_15m');
    } else {
      await queryRunner.query('DROP TABLE readings_1h');
      await queryRunner.query('DROP TABLE readings_15m');
    }
  }
}

/** Creates the extension when the server has it; a server that lists it but cannot load it (not preloaded) falls back. */
async function enableTimescale(queryRunner: QueryRunner): Promise<boolean> {
  const available = await queryRunner.query(`SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb'`);
  if (available.length === 0) return false;
  await queryRunner.query('SAVEPOINT enable_timescaledb');
  try {
    await queryRunner.query('CREATE EXTENSION IF NOT EXISTS timescaledb');
    await queryRunner.query('RELEASE SAVEPOINT enable_timescaledb');
    return true;
  } catch {
    await queryRunner.query('ROLLBACK TO SAVEPOINT enable_timescaledb');
    return false;
  }
}

async function timescalePath(queryRunner: QueryRunner): Promise<void> {
  const p = STORAGE_POLICY;
  await queryRunner.query(
    `SELECT create_hypertable('readings', by_range('ts', INTERVAL '${p.chunkInterval}'), migrate_data => true)`,
  );
  await queryRunner.query(`
    CREATE MATERIALIZED VIEW readings_15m WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
    SELECT site_id, device_id, time_bucket(INTERVAL '15 minutes', ts) AS bucket,
           count(*) AS samples, sum(power_w) AS power_sum_w, sum(soc_pct) AS soc_sum_pct, count(soc_pct) AS soc_samples
      FROM readings
     GROUP BY site_id, device_id, time_bucket(INTERVAL '15 minutes', ts)
    WITH NO DATA`);
  await queryRunner.query(`
    CREATE MATERIALIZED VIEW readings_1h WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
    SELECT site_id, device_id, time_bucket(INTERVAL '1 hour', bucket) AS bucket,
           sum(samples)::bigint AS samples, sum(power_sum_w) AS power_sum_w, sum(soc_sum_pct) AS soc_sum_pct, sum(soc_samples)::bigint AS soc_samples
      FROM readings_15m
     GROUP BY site_id, device_id, time_bucket(INTERVAL '1 hour', bucket)
    WITH NO DATA`);
  await queryRunner.query(
    `SELECT add_continuous_aggregate_policy('readings_15m', start_offset => INTERVAL '${p.refreshLookback}', end_offset => INTERVAL '15 minutes', schedule_interval => INTERVAL '5 minutes')`,
  );
  await queryRunner.query(
    `SELECT add_continuous_aggregate_policy('readings_1h', start_offset => INTERVAL '${p.refreshLookback}', end_offset => INTERVAL '1 hour', schedule_interval => INTERVAL '15 minutes')`,
  );
  await queryRunner.query(
    `ALTER TABLE readings SET (timescaledb.compress, timescaledb.compress_segmentby = 'site_id, device_id', timescaledb.compress_orderby = 'ts DESC')`,
  );
  await queryRunner.query(`SELECT add_compression_policy('readings', compress_after => INTERVAL '${p.compressAfter}')`);
  await queryRunner.query(`SELECT add_retention_policy('readings', drop_after => INTERVAL '${p.rawRetention}')`);
  await queryRunner.query(
    `SELECT add_retention_policy('readings_15m', drop_after => INTERVAL '${p.quarterHourRetention}')`,
  );
}

async function rollupTablesPath(queryRunner: QueryRunner): Promise<void> {
  for (const [relation, minutes] of [
    ['readings_15m', 15],
    ['readings_1h', 60],
  ] as const) {
    await queryRunner.query(`
      CREATE TABLE ${relation} (
        site_id     text             NOT NULL,
        device_id   text             NOT NULL,
        bucket      timestamptz      NOT NULL,
        samples     bigint           NOT NULL,
        power_sum_w double precision NOT NULL,
        soc_sum_pct double precision,
        soc_samples bigint           NOT NULL,
        PRIMARY KEY (site_id, device_id, bucket)
      )`);
    await queryRunner.query(`CREATE INDEX ${relation}_site_bucket ON ${relation} (site_id, bucket)`);
    await queryRunner.query(`
      INSERT INTO ${relation} (site_id, device_id, bucket, samples, power_sum_w, soc_sum_pct, soc_samples)
      SELECT site_id, device_id, date_bin(INTERVAL '${minutes} minutes', ts, TIMESTAMPTZ '2000-01-01 00:00:00Z'),
             count(*), sum(power_w), sum(soc_pct), count(soc_pct)
        FROM readings GROUP BY 1, 2, 3`);
  }
}
