import { DataSource } from 'typeorm';
import { CommandEntity } from './entities';

export type StoredCommand = Omit<CommandEntity, 'ackStatus' | 'ackReason' | 'ackedAt'>;

export class CommandRepository {
  constructor(private readonly db: DataSource) {}

  async insert(command: StoredCommand): Promise<void> {
    await this.db.getRepository(CommandEntity).insert(command);
  }

  /** Records the first acknowledgement of a command; returns false for an unknown or already acknowledged cmdId. */
  async recordAck(cmdId: string, status: 'applied' | 'rejected', reason: string | undefined, ackedAt: Date): Promise<boolean> {
    // A SELECT over the CTE: TypeORM returns plain rows for it (UPDATE results come back in another shape).
    const [{ updated }]: Array<{ updated: number }> = await this.db.query(
      `WITH acked AS (UPDATE commands SET ack_status = $2, ack_reason = $3, acked_at = $4 WHERE cmd_id = $1 AND ack_status IS NULL RETURNING cmd_id)
       SELECT count(*)::int AS updated FROM acked`,
      [cmdId, status, reason ?? null, ackedAt.toISOString()],
    );
    return updated === 1;
  }

  async find(cmdId: string): Promise<CommandEntity | null> {
    return this.db.getRepository(CommandEntity).findOneBy({ cmdId });
  }
}
