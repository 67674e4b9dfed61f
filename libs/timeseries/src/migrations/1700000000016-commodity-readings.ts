import { MigrationInterface, QueryRunner } from 'typeorm';
import { API_ROLE } from '../resident-access';
import { STORAGE_POLICY } from '../storage-policy';

/**
 * Gas, water and heat (issue 16).
 *
 * - `commodity_readings`: each reading of a participant's meter in its unit (m³, L, Wh), its index when it sent one,
 *   and the quantity since the meter's previous reading as ingestion found it (`step`: interval, index, rollover;
 *   NULL for a baseline or a reset, never negative). Personal data: neither role reads it.
 * - `commodity_1h`: per meter and hour, the quantity and how many readings; on TimescaleDB a hypertable and a
 *   real-time continuous aggregate with the readings' compression and retention, otherwise a rollup table the
 *   repository updates in the insert's statement (as migration 2).
 * - `participant_commodity_hours` and `_months`: each participant's hours and months per commodity (a month with the
 *   anonymous totals of the others who meter it), written by the ledger job, under the resident ledger's row-level
 *   security (the API reads a resident's own rows, or an operator's).
 */
export class CommodityReadings1700000000016 implements MigrationInterface {
  name = 'CommodityReadings1700000000016';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE commodity_readings (
        site_id     text             NOT NULL,
        device_id   text             NOT NULL,
        ts          timestamptz      NOT NULL,
        seq         bigint           NOT NULL,
        index_value double precision CHECK (index_value >= 0),
        quantity    double precision CHECK (quantity >= 0),
        step        text             NOT NULL CHECK (step IN ('interval', 'index', 'rollover', 'baseline', 'reset')),
        received_at timestamptz      NOT NULL,
        PRIMARY KEY (site_id, device_id, ts)
      )`);
    await queryRunner.query(`REVOKE ALL ON commodity_readings FROM PUBLIC`);
    const timescale = (await queryRunner.query(`SELECT 1 FROM pg_extension WHERE extname = 'timescaledb'`)).length > 0;
    if (timescale) await timescalePath(queryRunner);
    else {
      await queryRunner.query(`
        CREATE TABLE commodity_1h (
          site_id   text             NOT NULL,
          device_id text             NOT NULL,
          bucket    timestamptz      NOT NULL,
          quantity  double precision NOT NULL,
          readings  bigint           NOT NULL,
          PRIMARY KEY (site_id, device_id, bucket)
        )`);
    }
    await queryRunner.query(`REVOKE ALL ON commodity_1h FROM PUBLIC`);
    await queryRunner.query(`
      CREATE TABLE participant_commodity_hours (
        site_id        text             NOT NULL,
        participant_id text             NOT NULL,
        commodity      text             NOT NULL CHECK (commodity IN ('gas', 'water', 'heat')),
        hour           timestamptz      NOT NULL,
        quantity       double precision NOT NULL CHECK (quantity >= 0),
        PRIMARY KEY (site_id, participant_id, commodity, hour)
      )`);
    await queryRunner.query(`
      CREATE TABLE participant_commodity_months (
        site_id        text               NOT NULL,
        participant_id text               NOT NULL,
        commodity      text               NOT NULL CHECK (commodity IN ('gas', 'water', 'heat')),
        month          text               NOT NULL CHECK (month ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
        quantity       double precision   NOT NULL CHECK (quantity >= 0),
        peers          double precision[] NOT NULL,
        PRIMARY KEY (site_id, participant_id, commodity, month)
      )`);
    const visible = `site_id = (SELECT ilot_viewer()->>'site')
       AND ((SELECT ilot_viewer()->>'role') = 'operator' OR participant_id = (SELECT ilot_viewer()->>'participant'))`;
    for (const table of ['participant_commodity_hours', 'participant_commodity_months']) {
      await queryRunner.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await queryRunner.query(`ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`);
      await queryRunner.query(`CREATE POLICY ${table}_viewer ON ${table} USING (${visible}) WITH CHECK (${visible})`);
      await queryRunner.query(`REVOKE ALL ON ${table} FROM PUBLIC`);
      await queryRunner.query(`GRANT SELECT ON ${table} TO ${API_ROLE}`);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE participant_commodity_hours, participant_commodity_months');
    const timescale = (await queryRunner.query(`SELECT 1 FROM pg_extension WHERE extname = 'timescaledb'`)).length > 0;
    await queryRunner.query(timescale ? 'DROP MATERIALIZED VIEW commodity_1h' : 'DROP TABLE commodity_1h');
    await queryRunner.query('DROP TABLE commodity_readings');
  }
}

async function timescalePath(queryRunner: QueryRunner): Promise<void> {
  const p = STORAGE_POLICY;
  await queryRunner.query(
    `SELECT create_hypertable('commodity_readings', by_range('ts', INTERVAL '${p.chunkInterval}'), migrate_data => true)`,
  );
  await queryRunner.query(`
    CREATE MATERIALIZED VIEW commodity_1h WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
    SELECT site_id, device_id, time_bucket(INTERVAL '1 hour', ts) AS bucket,
           coalesce(sum(quantity), 0) AS quantity, count(*) AS readings
      FROM commodity_readings
     GROUP BY site_id, device_id, time_bucket(INTERVAL '1 hour', ts)
    WITH NO DATA`);
  await queryRunner.query(
    `SELECT add_continuous_aggregate_policy('commodity_1h', start_offset => INTERVAL '${p.refreshLookback}', end_offset => INTERVAL '1 hour', schedule_interval => INTERVAL '15 minutes')`,
  );
  await queryRunner.query(
    `ALTER TABLE commodity_readings SET (timescaledb.compress, timescaledb.compress_segmentby = 'site_id, device_id', timescaledb.compress_orderby = 'ts DESC')`,
  );
  await queryRunner.query(
    `SELECT add_compression_policy('commodity_readings', compress_after => INTERVAL '${p.compressAfter}')`,
  );
  await queryRunner.query(
    `SELECT add_retention_policy('commodity_readings', drop_after => INTERVAL '${p.rawRetention}')`,
  );
}
