import { DataSource } from 'typeorm';

/** A site document stored through the API, as the operator sent it. */
export interface StoredSiteDefinition {
  siteId: string;
  document: unknown;
  fingerprint: string;
  updatedAt: Date;
}

interface Row {
  site_id: string;
  document: unknown;
  fingerprint: string;
  updated_at: Date;
}

const stored = (row: Row): StoredSiteDefinition => ({
  siteId: row.site_id,
  document: row.document,
  fingerprint: row.fingerprint,
  updatedAt: row.updated_at,
});

/** All the SQL on `site_definitions`: the sites managed through the API. */
export class SiteDefinitionRepository {
  constructor(private readonly db: DataSource) {}

  /** Stores a site's document, replacing the one before; says whether the site is new. */
  async put(siteId: string, document: unknown, fingerprint: string, now: Date): Promise<{ created: boolean }> {
    const rows: Array<{ created: boolean }> = await this.db.query(
      `INSERT INTO site_definitions (site_id, document, fingerprint, updated_at) VALUES ($1, $2::jsonb, $3, $4)
       ON CONFLICT (site_id) DO UPDATE SET document = EXCLUDED.document, fingerprint = EXCLUDED.fingerprint,
                                           updated_at = EXCLUDED.updated_at
       RETURNING (xmax = 0) AS created`,
      [siteId, JSON.stringify(document), fingerprint, now.toISOString()],
    );
    return { created: rows[0].created };
  }

  async get(siteId: string): Promise<StoredSiteDefinition | undefined> {
    const rows: Row[] = await this.db.query('SELECT * FROM site_definitions WHERE site_id = $1', [siteId]);
    return rows[0] && stored(rows[0]);
  }

  /** Every stored site, by id. */
  async list(): Promise<StoredSiteDefinition[]> {
    const rows: Row[] = await this.db.query('SELECT * FROM site_definitions ORDER BY site_id');
    return rows.map(stored);
  }

  /** Removes a site; says whether there was one. */
  async delete(siteId: string): Promise<boolean> {
    const [, deleted] = (await this.db.query('DELETE FROM site_definitions WHERE site_id = $1', [siteId])) as [
      unknown,
      number,
    ];
    return deleted > 0;
  }
}
