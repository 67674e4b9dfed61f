import { createHmac } from 'node:crypto';
import type { DataSource } from 'typeorm';

/** How long a ticket is good for: one request's transaction, with room for a slow one. */
const TICKET_TTL_S = 300;

/**
 * Who reads the resident ledger, said to PostgreSQL in a way the connection's role cannot forge (issue 15). A ticket
 * is `hex(JSON claims).hex(HMAC-SHA256)`, keyed by the secret of `viewer_ticket_key` (migration 12), which only the
 * tables' owner reads; the row-level-security policies verify it (`ilot_viewer()`, SECURITY DEFINER). So the API's
 * role, `ilot_api`, reads only what a ticket minted by a process holding the owner's connection allows: holding its
 * password alone, one sees nothing, whatever one sets.
 */
export class ViewerTickets {
  private constructor(private readonly secret: Buffer) {}

  /** The key, read on the owner's connection (the API role may not read it). */
  static async load(ownerDb: DataSource): Promise<ViewerTickets> {
    const rows: Array<{ secret: Buffer }> = await ownerDb.query(`SELECT secret FROM viewer_ticket_key`);
    if (rows.length !== 1) throw new Error('viewer_ticket_key holds no key: migration 12 has not run');
    return new ViewerTickets(rows[0].secret);
  }

  /** A ticket for `viewer` on `siteId`, valid TICKET_TTL_S from `nowMs` (the wall clock: PostgreSQL checks it). */
  ticket(siteId: string, viewer: Viewer, nowMs: number): string {
    const claims = {
      site: siteId,
      role: viewer.role,
      ...(viewer.role === 'resident' ? { participant: viewer.participantId } : {}),
      exp: Math.floor(nowMs / 1000) + TICKET_TTL_S,
    };
    const payload = Buffer.from(JSON.stringify(claims), 'utf8').toString('hex');
    return `${payload}.${createHmac('sha256', this.secret).update(payload, 'utf8').digest('hex')}`;
  }
}

/** Who reads (or writes) the resident ledger, as the API established it from a token. */
export type Viewer = { role: 'operator' } | { role: 'resident'; participantId: string };
