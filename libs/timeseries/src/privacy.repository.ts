import type { DataSource } from 'typeorm';

export type ConsentScope = 'detailed_curve';

export interface ConsentRecord {
  scope: ConsentScope;
  granted: boolean;
  at: Date;
  givenBy: 'resident' | 'operator';
  how: string;
}

export interface AccessRecord {
  at: Date;
  participantId: string;
  viewerRole: 'resident' | 'operator';
  viewerId: string | null;
  route: string;
  what: string;
}

/**
 * The consent in force for a scope, from a history newest first (consentHistory): its newest record's choice and
 * instant; none recorded, not granted. The one reading of a history, wherever it is shown or obeyed.
 */
export function consentInForce(
  history: readonly ConsentRecord[],
  scope: ConsentScope,
): { granted: boolean; since: Date | undefined } {
  const newest = history.find((c) => c.scope === scope);
  return { granted: newest?.granted ?? false, since: newest?.at };
}

/** All the SQL on residents' consents and the access log of personal data (migration 14, both append-only). */
export class PrivacyRepository {
  constructor(private readonly db: DataSource) {}

  async recordConsent(siteId: string, participantId: string, consent: ConsentRecord): Promise<void> {
    await this.db.query(
      `INSERT INTO participant_consents (site_id, participant_id, scope, granted, at, given_by, how)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [siteId, participantId, consent.scope, consent.granted, consent.at, consent.givenBy, consent.how],
    );
  }

  /** Every consent given or withdrawn, newest first. */
  async consentHistory(siteId: string, participantId: string): Promise<ConsentRecord[]> {
    const rows: Array<{
      scope: ConsentScope;
      granted: boolean;
      at: Date;
      given_by: 'resident' | 'operator';
      how: string;
    }> = await this.db.query(
      `SELECT scope, granted, at, given_by, how FROM participant_consents
          WHERE site_id = $1 AND participant_id = $2 ORDER BY id DESC`,
      [siteId, participantId],
    );
    return rows.map((r) => ({ scope: r.scope, granted: r.granted, at: r.at, givenBy: r.given_by, how: r.how }));
  }

  /** Whether the newest record of the scope grants it (none: no). */
  async hasConsent(siteId: string, participantId: string, scope: ConsentScope): Promise<boolean> {
    const rows: Array<{ granted: boolean }> = await this.db.query(
      `SELECT granted FROM participant_consents WHERE site_id = $1 AND participant_id = $2 AND scope = $3
        ORDER BY id DESC LIMIT 1`,
      [siteId, participantId, scope],
    );
    return rows[0]?.granted ?? false;
  }

  /** The participants of a site whose newest `scope` record grants it. */
  async consenting(siteId: string, scope: ConsentScope): Promise<Set<string>> {
    const rows: Array<{ participant_id: string }> = await this.db.query(
      `SELECT participant_id FROM (
         SELECT DISTINCT ON (participant_id) participant_id, granted FROM participant_consents
          WHERE site_id = $1 AND scope = $2 ORDER BY participant_id, id DESC) c
        WHERE granted`,
      [siteId, scope],
    );
    return new Set(rows.map((r) => r.participant_id));
  }

  async logAccess(siteId: string, access: AccessRecord): Promise<void> {
    await this.db.query(
      `INSERT INTO personal_data_access (at, site_id, participant_id, viewer_role, viewer_id, route, what)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [access.at, siteId, access.participantId, access.viewerRole, access.viewerId, access.route, access.what],
    );
  }

  /** The access log of a site (one participant's, when given), newest first, at most `limit` entries. */
  async accessLog(siteId: string, participantId: string | undefined, limit: number): Promise<AccessRecord[]> {
    const rows: Array<{
      at: Date;
      participant_id: string;
      viewer_role: 'resident' | 'operator';
      viewer_id: string | null;
      route: string;
      what: string;
    }> = await this.db.query(
      `SELECT at, participant_id, viewer_role, viewer_id, route, what FROM personal_data_access
        WHERE site_id = $1 AND ($2::text IS NULL OR participant_id = $2) ORDER BY id DESC LIMIT $3`,
      [siteId, participantId ?? null, limit],
    );
    return rows.map((r) => ({
      at: r.at,
      participantId: r.participant_id,
      viewerRole: r.viewer_role,
      viewerId: r.viewer_id,
      route: r.route,
      what: r.what,
    }));
  }

  /**
   * Deletes the raw readings of these meters older than `before` (a hypertable on TimescaleDB, compressed chunks
   * included); returns how many. Their 15-minute aggregate stays: the basis of the allocation between participants.
   */
  async deleteRawReadings(siteId: string, deviceIds: readonly string[], before: Date): Promise<number> {
    if (deviceIds.length === 0) return 0;
    const result: [unknown[], number] = await this.db.query(
      `DELETE FROM readings WHERE site_id = $1 AND device_id = ANY($2::text[]) AND ts < $3`,
      [siteId, [...deviceIds], before.toISOString()],
    );
    return result[1];
  }

  /** Deletes the raw readings of the gas, water or heat meters given, stamped before `before` (the hourly totals stay). */
  async deleteRawCommodityReadings(siteId: string, deviceIds: readonly string[], before: Date): Promise<number> {
    if (deviceIds.length === 0) return 0;
    const result: [unknown[], number] = await this.db.query(
      `DELETE FROM commodity_readings WHERE site_id = $1 AND device_id = ANY($2::text[]) AND ts < $3`,
      [siteId, [...deviceIds], before.toISOString()],
    );
    return result[1];
  }
}
