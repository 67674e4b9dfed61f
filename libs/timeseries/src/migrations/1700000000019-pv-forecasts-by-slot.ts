import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The PV forecasts by slot (issue 27 §4): the calibration reads, for each past slot, the newest issue out by then
 * (PvForecastRepository.asPlanned), a range of `ts` across a month of issues that the primary key (by issue) cannot
 * serve.
 */
export class PvForecastsBySlot1700000000019 implements MigrationInterface {
  name = 'PvForecastsBySlot1700000000019';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX pv_forecasts_by_slot ON pv_forecasts (site_id, device_id, ts, issued_at DESC)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX pv_forecasts_by_slot');
  }
}
