import { DataSource } from 'typeorm';
import { CommandEntity } from './entities';

export type StoredCommand = Omit<CommandEntity, 'ackStatus' | 'ackReason' | 'ackedAt'>;

export class CommandRepository {
  constructor(private readonly db: DataSource) {}

  async insert(command: StoredCommand): Promise<void> {
    await this.db.getRepository(CommandEntity).insert(command);
  }

  /** Records the first acknowledgement of a command and returns the command's type; undefined for an unknown or already acknowledged cmdId. */
  async recordAck(cmdId: string, status: 'applied' | 'rejected', reason: string | undefined, ackedAt: Date): Promise<string | undefined> {
    // A SELECT over the CTE: TypeORM returns plain rows for it (UPDATE results come back in another shape).
    const rows: Array<{ type: string }> = await this.db.query(
      `WITH acked AS (UPDATE commands SET ack_status = $2, ack_reason = $3, acked_at = $4 WHERE cmd_id = $1 AND ack_status IS NULL RETURNING type)
       SELECT type FROM acked`,
      [cmdId, status, reason ?? null, ackedAt.toISOString()],
    );
    return rows[0]?.type;
  }

  async find(cmdId: string): Promise<CommandEntity | null> {
    return this.db.getRepository(CommandEntity).findOneBy({ cmdId });
  }
}
