import type { LeaseView } from '@ilot/domain';
import { DataSource } from 'typeorm';

/** A lease held: the site, and the fencing token its commands carry. */
export interface HeldLease {
  siteId: string;
  token: number;
}

/**
 * All the SQL on `site_leases` and `lease_holders` (issue 14): planner instances share the sites through leases with
 * expiry and fencing tokens, PostgreSQL arbitrating each acquisition in one statement. Times come from the caller's
 * clock (the simulated clock of a demo included), never from the database's.
 */
export class SiteLeaseRepository {
  constructor(private readonly db: DataSource) {}

  /** This instance is alive until `now + ttlMs` (its share of the sites counts on it). */
  async heartbeat(holder: string, now: Date, ttlMs: number): Promise<void> {
    await this.db.query(
      `INSERT INTO lease_holders (holder, alive_until) VALUES ($1, $2)
       ON CONFLICT (holder) DO UPDATE SET alive_until = EXCLUDED.alive_until`,
      [holder, new Date(now.getTime() + ttlMs).toISOString()],
    );
  }

  /**
   * Takes or renews sites' leases until `now + ttlMs`, in one statement: each granted when it is free, expired, or
   * already this holder's. A site's token grows by one when it changes hands and stays when the holder renews. Returns
   * the leases granted (a site another instance holds is left out). The sites go in one order (sorted) whoever asks, so
   * two instances' statements lock rows in the same order and never deadlock.
   */
  async acquire(siteIds: readonly string[], holder: string, now: Date, ttlMs: number): Promise<HeldLease[]> {
    if (!siteIds.length) return [];
    const rows: Array<{ site_id: string; token: string }> = await this.db.query(
      `INSERT INTO site_leases AS l (site_id, holder, token, expires_at)
       SELECT site_id, $2, 1, $4 FROM unnest($1::text[]) AS site_id
       ON CONFLICT (site_id) DO UPDATE
          SET token = CASE WHEN l.holder = EXCLUDED.holder THEN l.token ELSE l.token + 1 END,
              holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at
        WHERE l.holder = EXCLUDED.holder OR l.expires_at <= $3
       RETURNING site_id, token`,
      [[...new Set(siteIds)].sort(), holder, now.toISOString(), new Date(now.getTime() + ttlMs).toISOString()],
    );
    return rows.map((row) => ({ siteId: row.site_id, token: Number(row.token) }));
  }

  /**
   * Extends this holder's live leases on `siteIds` to `now + ttlMs` (one statement; a lease handed back or taken over
   * is left as it is). Returns the sites renewed.
   */
  async renew(siteIds: readonly string[], holder: string, now: Date, ttlMs: number): Promise<string[]> {
    if (!siteIds.length) return [];
    const rows: Array<{ site_id: string }> = await this.db.query(
      `UPDATE site_leases SET expires_at = $4
        WHERE site_id = ANY($1::text[]) AND holder = $2 AND expires_at > $3
       RETURNING site_id`,
      [[...siteIds].sort(), holder, now.toISOString(), new Date(now.getTime() + ttlMs).toISOString()],
    );
    return rows.map((row) => row.site_id);
  }

  /** This instance leaves: it no longer counts among the alive (the others' share grows at their next tick). */
  async leave(holder: string): Promise<void> {
    await this.db.query('DELETE FROM lease_holders WHERE holder = $1', [holder]);
  }

  /** Hands a site back at once (its next holder gets the next token). */
  async release(siteId: string, holder: string): Promise<void> {
    await this.db.query(`UPDATE site_leases SET expires_at = '-infinity' WHERE site_id = $1 AND holder = $2`, [
      siteId,
      holder,
    ]);
  }

  /** What `leaseMoves` needs: the live leases, this holder's and the others', and how many instances are alive. */
  async view(sites: readonly string[], holder: string, now: Date): Promise<LeaseView> {
    const leases: Array<{ site_id: string; holder: string }> = await this.db.query(
      'SELECT site_id, holder FROM site_leases WHERE expires_at > $1',
      [now.toISOString()],
    );
    const others: Array<{ n: number }> = await this.db.query(
      'SELECT count(*)::int AS n FROM lease_holders WHERE alive_until > $1 AND holder <> $2',
      [now.toISOString(), holder],
    );
    return {
      sites,
      mine: leases.filter((l) => l.holder === holder).map((l) => l.site_id),
      theirs: leases.filter((l) => l.holder !== holder).map((l) => l.site_id),
      instances: others[0].n + 1,
    };
  }

  /** Whether `token` is still the site's current one (a command of an older holder must not go out). */
  async isCurrent(siteId: string, token: number): Promise<boolean> {
    const rows: Array<{ token: string }> = await this.db.query('SELECT token FROM site_leases WHERE site_id = $1', [
      siteId,
    ]);
    return rows.length > 0 && Number(rows[0].token) === token;
  }
}
