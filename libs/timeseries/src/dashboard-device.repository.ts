import type { DataSource } from 'typeorm';

/** The îlot's shared devices the dashboards may show one by one (migration 13), written from the site definitions. */
export class DashboardDeviceRepository {
  constructor(private readonly db: DataSource) {}

  /** Replaces a site's list in one transaction: a device no longer shared (now a participant's meter) leaves it. */
  async replaceSite(siteId: string, devices: ReadonlyArray<{ id: string; kind: string }>): Promise<void> {
    await this.db.transaction(async (m) => {
      await m.query('DELETE FROM dashboard_devices WHERE site_id = $1', [siteId]);
      if (devices.length > 0)
        await m.query(
          `INSERT INTO dashboard_devices (site_id, device_id, kind)
           SELECT $1, * FROM unnest($2::text[], $3::text[])`,
          [siteId, devices.map((d) => d.id), devices.map((d) => d.kind)],
        );
    });
  }

  /** Forgets the sites no longer served. */
  async retainSites(siteIds: readonly string[]): Promise<void> {
    await this.db.query('DELETE FROM dashboard_devices WHERE NOT (site_id = ANY($1::text[]))', [[...siteIds]]);
  }
}
