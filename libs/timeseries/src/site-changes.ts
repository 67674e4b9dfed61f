import { DataSource } from 'typeorm';

/**
 * The channel on which the store announces what changed for a site: `{"site":"demo","kind":"readings"}`. PostgreSQL
 * delivers a notification when its transaction commits, so a listener reads what was announced.
 */
export const SITE_CHANGES_CHANNEL = 'ilot_site_changes';

export const SITE_CHANGE_KINDS = ['readings', 'status', 'signals'] as const;
export type SiteChangeKind = (typeof SITE_CHANGE_KINDS)[number];
export interface SiteChange {
  site: string;
  kind: SiteChangeKind;
}

export async function announceSiteChange(db: DataSource, siteId: string, kind: SiteChangeKind): Promise<void> {
  await db.query('SELECT pg_notify($1, $2)', [SITE_CHANGES_CHANNEL, JSON.stringify({ site: siteId, kind })]);
}

/** A notification's payload as a change; undefined for anything else on the channel. */
export function parseSiteChange(payload: string | undefined): SiteChange | undefined {
  if (!payload) return undefined;
  try {
    const value = JSON.parse(payload) as Partial<SiteChange>;
    return typeof value.site === 'string' && SITE_CHANGE_KINDS.includes(value.kind as SiteChangeKind)
      ? { site: value.site, kind: value.kind as SiteChangeKind }
      : undefined;
  } catch {
    return undefined;
  }
}
