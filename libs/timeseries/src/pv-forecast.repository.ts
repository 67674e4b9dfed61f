import type { PvForecastPayload } from '@ilot/protocol';
import { DataSource } from 'typeorm';
import { numberArrayLiteral, textArrayLiteral } from './pg-array';

/** An external PV forecast as the planner takes it: its issue, source and points (`deviceId` '' for the whole site). */
export interface StoredPvForecast {
  issuedAt: Date;
  source: string | null;
  points: Array<{ deviceId: string; ts: Date; pvW: number }>;
}

/**
 * How long an issue is kept: a month of issues is enough to measure a provider's skill against the PV measured since,
 * and an hourly feed of a week ahead for four arrays would otherwise grow by some 65,000 rows a day.
 */
export const PV_FORECAST_RETENTION_DAYS = 30;

/** All the SQL on `pv_forecasts`. */
export class PvForecastRepository {
  constructor(private readonly db: DataSource) {}

  /**
   * Stores an issue's points; the same issue sent again (a QoS 1 redelivery) writes nothing twice. The site's issues
   * older than PV_FORECAST_RETENTION_DAYS before this one go at the same time.
   */
  async store(siteId: string, forecast: PvForecastPayload, receivedAt: Date): Promise<void> {
    const { series } = forecast;
    await this.db.query(
      `DELETE FROM pv_forecasts WHERE site_id = $1 AND issued_at < $2::timestamptz - make_interval(days => $3)`,
      [siteId, forecast.issuedAt, PV_FORECAST_RETENTION_DAYS],
    );
    await this.db.query(
      `INSERT INTO pv_forecasts (site_id, issued_at, source, device_id, ts, pv_w, received_at)
       SELECT $1, $2, $3, u.d, u.t, u.w, $7
         FROM unnest($4::text[], $5::timestamptz[], $6::float8[]) AS u(d, t, w)
       ON CONFLICT (site_id, issued_at, device_id, ts) DO NOTHING`,
      [
        siteId,
        forecast.issuedAt,
        forecast.source ?? null,
        textArrayLiteral(series.map((p) => p.device ?? '')),
        textArrayLiteral(series.map((p) => new Date(p.ts).toISOString())),
        numberArrayLiteral(series.map((p) => p.pvW)),
        receivedAt.toISOString(),
      ],
    );
  }

  /** The newest issue at or after `issuedSince` (an older forecast is stale), with its points in [from, to). */
  async newest(siteId: string, issuedSince: Date, from: Date, to: Date): Promise<StoredPvForecast | undefined> {
    const rows: Array<{ issued_at: Date; source: string | null; device_id: string; ts: Date; pv_w: number }> =
      await this.db.query(
        `WITH issue AS (SELECT max(issued_at) AS issued_at FROM pv_forecasts WHERE site_id = $1 AND issued_at >= $2)
         SELECT f.issued_at, f.source, f.device_id, f.ts, f.pv_w
           FROM pv_forecasts f JOIN issue USING (issued_at)
          WHERE f.site_id = $1 AND f.ts >= $3 AND f.ts < $4
          ORDER BY f.device_id, f.ts`,
        [siteId, issuedSince.toISOString(), from.toISOString(), to.toISOString()],
      );
    if (rows.length === 0) return undefined;
    return {
      issuedAt: rows[0].issued_at,
      source: rows[0].source,
      points: rows.map((r) => ({ deviceId: r.device_id, ts: r.ts, pvW: r.pv_w })),
    };
  }

  /**
   * Each point in [from, to) as the planner had it when its slot began: per device and instant, the point of the newest
   * issue issued at or before that instant (libs/forecasting forecastAsPlanned's rule). What the calibration learns from.
   */
  async asPlanned(siteId: string, from: Date, to: Date): Promise<Array<{ deviceId: string; ts: Date; pvW: number }>> {
    const rows: Array<{ device_id: string; ts: Date; pv_w: number }> = await this.db.query(
      `SELECT DISTINCT ON (device_id, ts) device_id, ts, pv_w
         FROM pv_forecasts
        WHERE site_id = $1 AND ts >= $2 AND ts < $3 AND issued_at <= ts
        ORDER BY device_id, ts, issued_at DESC`,
      [siteId, from.toISOString(), to.toISOString()],
    );
    return rows.map((r) => ({ deviceId: r.device_id, ts: r.ts, pvW: r.pv_w }));
  }
}
