import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The outdoor temperature the weather providers forecast (issue 27 §5): each fetch's points as issued, beside its PV
 * forecast, so the load model learns from the temperatures the planner had and plans on the newest.
 */
export class WeatherForecasts1700000000020 implements MigrationInterface {
  name = 'WeatherForecasts1700000000020';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE weather_forecasts (
         site_id text NOT NULL,
         issued_at timestamptz NOT NULL,
         source text NOT NULL,
         ts timestamptz NOT NULL,
         air_temp_c real NOT NULL,
         PRIMARY KEY (site_id, issued_at, ts)
       )`,
    );
    await queryRunner.query(
      `CREATE INDEX weather_forecasts_by_slot ON weather_forecasts (site_id, ts, issued_at DESC)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE weather_forecasts');
  }
}
