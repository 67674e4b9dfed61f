import { DataSource } from 'typeorm';

/** All the SQL on `open_data_hours` (migration 17): each completed hour of an îlot's open data as first published. */
export class OpenDataHourRepository {
  constructor(private readonly db: DataSource) {}

  /** Keeps each hour given unless it is kept already: the first publication stands (replicas racing included). */
  async publish<TRow extends object>(
    siteId: string,
    hours: ReadonlyArray<{ hour: Date; row: TRow }>,
    publishedAt: Date,
  ): Promise<void> {
    if (hours.length === 0) return;
    await this.db.query(
      `INSERT INTO open_data_hours (site_id, hour, row, published_at)
       SELECT $1, h, r, $4 FROM unnest($2::timestamptz[], $3::jsonb[]) AS t(h, r)
       ON CONFLICT (site_id, hour) DO NOTHING`,
      [siteId, hours.map((h) => h.hour.toISOString()), hours.map((h) => JSON.stringify(h.row)), publishedAt],
    );
  }

  /** The hours of [from, to) as published, by hour start (ms). */
  async published<TRow>(siteId: string, from: Date, to: Date): Promise<Map<number, TRow>> {
    const rows: Array<{ hour: Date; row: TRow }> = await this.db.query(
      'SELECT hour, row FROM open_data_hours WHERE site_id = $1 AND hour >= $2 AND hour < $3',
      [siteId, from, to],
    );
    return new Map(rows.map((r) => [new Date(r.hour).getTime(), r.row]));
  }
}
