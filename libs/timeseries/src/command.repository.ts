import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import { CommandEntity } from './entities';

export type StoredCommand = Omit<CommandEntity, 'ackStatus' | 'ackReason' | 'ackedAt'>;

export class CommandRepository {
  constructor(private readonly db: DataSource) {}

  /** Stores a command and its `issued` audit event (with the SHA-256 of the payload sent), together. */
  async insert(command: StoredCommand): Promise<void> {
    await this.db.transaction(async (manager) => {
      await manager.getRepository(CommandEntity).insert(command);
      await manager.query(
        `INSERT INTO command_audit (cmd_id, site_id, device_id, event, plan_id, reason, payload_sha256, at) VALUES ($1, $2, $3, 'issued', $4, $5, $6, $7)`,
        [
          command.cmdId,
          command.siteId,
          command.deviceId,
          command.planId,
          command.reason,
          payloadSha256(command.payload),
          command.issuedAt.toISOString(),
        ],
      );
    });
  }

  /**
   * Records the first acknowledgement of a command (and its audit event) and returns the command's
   * type; undefined for an unknown or already acknowledged cmdId.
   */
  async recordAck(
    cmdId: string,
    status: 'applied' | 'rejected',
    reason: string | undefined,
    ackedAt: Date,
  ): Promise<string | undefined> {
    // One statement: the update and its audit row commit together. A SELECT over the CTE: TypeORM returns plain rows for it.
    const rows: Array<{ type: string }> = await this.db.query(
      `WITH acked AS (
         UPDATE commands SET ack_status = $2, ack_reason = $3, acked_at = $4 WHERE cmd_id = $1 AND ack_status IS NULL
         RETURNING cmd_id, site_id, device_id, plan_id, type),
       audited AS (
         INSERT INTO command_audit (cmd_id, site_id, device_id, event, plan_id, reason, at)
         SELECT cmd_id, site_id, device_id, $2, plan_id, $3, $4 FROM acked)
       SELECT type FROM acked`,
      [cmdId, status, reason ?? null, ackedAt.toISOString()],
    );
    return rows[0]?.type;
  }

  /** Appends an event to a command's audit trail (retried, unacknowledged, followed, not_followed). */
  async recordEvent(
    cmdId: string,
    event: 'retried' | 'unacknowledged' | 'followed' | 'not_followed',
    at: Date,
    detail?: object,
  ): Promise<void> {
    await this.db.query(
      `INSERT INTO command_audit (cmd_id, site_id, device_id, event, plan_id, reason, at, detail)
       SELECT cmd_id, site_id, device_id, $2, plan_id, reason, $3, $4 FROM commands WHERE cmd_id = $1`,
      [cmdId, event, at.toISOString(), detail === undefined ? null : JSON.stringify(detail)],
    );
  }

  /** A command's audit trail, oldest first. */
  async auditTrail(
    cmdId: string,
  ): Promise<Array<{ event: string; reason: string | null; payloadSha256: string | null; at: Date }>> {
    const rows: Array<{ event: string; reason: string | null; payload_sha256: string | null; at: Date }> =
      await this.db.query('SELECT event, reason, payload_sha256, at FROM command_audit WHERE cmd_id = $1 ORDER BY id', [
        cmdId,
      ]);
    return rows.map((r) => ({ event: r.event, reason: r.reason, payloadSha256: r.payload_sha256, at: r.at }));
  }

  async find(cmdId: string): Promise<CommandEntity | null> {
    return this.db.getRepository(CommandEntity).findOneBy({ cmdId });
  }
}

/** SHA-256 of the payload as it went on the wire (JSON.stringify of the command document). */
export function payloadSha256(payload: object): string {
  return createHash('sha256').update(JSON.stringify(payload)).digest('hex');
}
