import { createHash } from 'node:crypto';
import type { CommandPayload } from '@ilot/protocol';
import { DataSource, type EntityManager } from 'typeorm';
import { CommandEntity } from './entities';

export type StoredCommand = Omit<CommandEntity, 'ackStatus' | 'ackReason' | 'ackedAt'>;

/** A command as sent (its payload) -> the row that records it, under the plan that made it. */
export function storedCommand(
  siteId: string,
  deviceId: string,
  command: CommandPayload,
  planId: string,
): StoredCommand {
  return {
    cmdId: command.cmdId,
    siteId,
    deviceId,
    type: command.type,
    planId,
    issuedAt: new Date(command.issuedAt),
    validFrom: new Date(command.validFrom),
    validUntil: new Date(command.validUntil),
    setpointW: command.type === 'battery.setpoint' ? command.setpointW : null,
    reason: command.reason,
    payload: command,
  };
}

/** Inserts a command and its `issued` audit event within the caller's transaction. */
export async function insertCommand(manager: EntityManager, command: StoredCommand): Promise<void> {
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
}

export class CommandRepository {
  constructor(private readonly db: DataSource) {}

  /** Stores a command and its `issued` audit event (with the SHA-256 of the payload sent), together. */
  async insert(command: StoredCommand): Promise<void> {
    await this.db.transaction((manager) => insertCommand(manager, command));
  }

  /**
   * Records a controller's answer, once, from the commanded device only and not dated before the command was issued:
   * `recorded` (with the command's type), `repeated` (answered before: counted once), or why it is not taken
   * (`unknown_command`, `wrong_device`, `before_issue`). One statement: the answer and its audit row commit together.
   */
  async recordAck(
    siteId: string,
    deviceId: string,
    cmdId: string,
    status: 'applied' | 'rejected',
    reason: string | undefined,
    ackedAt: Date,
  ): Promise<
    | { outcome: 'recorded'; type: string }
    | { outcome: 'repeated' | 'unknown_command' | 'wrong_device' | 'before_issue'; type?: undefined }
  > {
    // A SELECT over the CTE: TypeORM returns plain rows for it.
    const rows: Array<{
      type: string | null;
      device_id: string | null;
      answered: boolean | null;
      issued_at: Date | null;
    }> = await this.db.query(
      `WITH target AS (SELECT device_id, ack_status IS NOT NULL AS answered, issued_at FROM commands WHERE cmd_id = $1 AND site_id = $5),
         acked AS (
           UPDATE commands SET ack_status = $2, ack_reason = $3, acked_at = $4
            WHERE cmd_id = $1 AND site_id = $5 AND device_id = $6 AND ack_status IS NULL AND issued_at <= $4
           RETURNING cmd_id, site_id, device_id, plan_id, type),
         audited AS (
           INSERT INTO command_audit (cmd_id, site_id, device_id, event, plan_id, reason, at)
           SELECT cmd_id, site_id, device_id, $2, plan_id, $3, $4 FROM acked)
         SELECT (SELECT type FROM acked) AS type, t.device_id, t.answered, t.issued_at
           FROM (SELECT 1) one LEFT JOIN target t ON true`,
      [cmdId, status, reason ?? null, ackedAt.toISOString(), siteId, deviceId],
    );
    const row = rows[0];
    if (row?.type) return { outcome: 'recorded', type: row.type };
    if (!row?.device_id) return { outcome: 'unknown_command' };
    if (row.device_id !== deviceId) return { outcome: 'wrong_device' };
    if (row.answered) return { outcome: 'repeated' };
    return { outcome: 'before_issue' };
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
