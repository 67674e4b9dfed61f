import { DataSource } from 'typeorm';
import { numberArrayLiteral, textArrayLiteral } from './pg-array';

/** An air temperature at an instant, °C, as a provider forecast it. */
export interface StoredTemperature {
  ts: Date;
  airTempC: number;
}

/**
 * How long an issue is kept, days: the load model learns from four weeks of temperatures (libs/forecasting
 * LOAD_MODEL_WINDOW_DAYS) and the day before them (the day's mean temperature), with a few days to spare.
 */
export const WEATHER_FORECAST_RETENTION_DAYS = 35;

/** All the SQL on `weather_forecasts`. */
export class WeatherForecastRepository {
  constructor(private readonly db: DataSource) {}

  /** Stores an issue's temperatures (the same issue again writes nothing twice); the site's issues past retention go. */
  async store(
    siteId: string,
    source: string,
    issuedAt: Date,
    temperatures: readonly StoredTemperature[],
  ): Promise<void> {
    await this.db.query(
      `DELETE FROM weather_forecasts WHERE site_id = $1 AND issued_at < $2::timestamptz - make_interval(days => $3)`,
      [siteId, issuedAt.toISOString(), WEATHER_FORECAST_RETENTION_DAYS],
    );
    await this.db.query(
      `INSERT INTO weather_forecasts (site_id, issued_at, source, ts, air_temp_c)
       SELECT $1, $2, $3, u.t, u.c FROM unnest($4::timestamptz[], $5::float8[]) AS u(t, c)
       ON CONFLICT (site_id, issued_at, ts) DO NOTHING`,
      [
        siteId,
        issuedAt.toISOString(),
        source,
        textArrayLiteral(temperatures.map((t) => t.ts.toISOString())),
        numberArrayLiteral(temperatures.map((t) => t.airTempC)),
      ],
    );
  }

  /**
   * The best known temperature of each instant in [from, to) as of `asOf`: that of the newest issue out by then (for
   * the past, the provider's latest word on it; ahead, its newest forecast).
   */
  async known(siteId: string, from: Date, to: Date, asOf: Date): Promise<StoredTemperature[]> {
    const rows: Array<{ ts: Date; air_temp_c: number }> = await this.db.query(
      `SELECT DISTINCT ON (ts) ts, air_temp_c
         FROM weather_forecasts
        WHERE site_id = $1 AND ts >= $2 AND ts < $3 AND issued_at <= $4
        ORDER BY ts, issued_at DESC`,
      [siteId, from.toISOString(), to.toISOString(), asOf.toISOString()],
    );
    return rows.map((r) => ({ ts: r.ts, airTempC: r.air_temp_c }));
  }
}
