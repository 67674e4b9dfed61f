import type { CommandPayload } from '@ilot/protocol';
import { insertCommand, storedCommand } from './command.repository';
import { DataSource, LessThanOrEqual } from 'typeorm';
import { PlanEntity } from './entities';

export interface StoredPlan<TDocument> {
  id: string;
  siteId: string;
  generatedAt: Date;
  status: string;
  solver: string;
  objectiveEur: number;
  solveMs: number;
  document: TDocument;
}

export class PlanRepository {
  // Documents are JSON objects (the schedule).

  constructor(private readonly db: DataSource) {}

  async insert<TDocument extends object>(plan: Omit<StoredPlan<TDocument>, 'id'>): Promise<string> {
    const result = await this.db.getRepository(PlanEntity).insert(plan);
    return String(result.identifiers[0].id);
  }

  /**
   * The outbox of a planning run: the plan and the commands it sends (each with its `issued` audit event) stored in one
   * transaction, before anything is published; returns the plan's id. A run that fails or dies midway leaves either
   * the whole plan with its commands or nothing, never a plan whose commands were never recorded.
   */
  async insertWithCommands<TDocument extends object>(
    plan: Omit<StoredPlan<TDocument>, 'id'>,
    commands: ReadonlyArray<{ deviceId: string; command: CommandPayload }>,
  ): Promise<string> {
    return this.db.transaction(async (manager) => {
      const result = await manager.getRepository(PlanEntity).insert(plan);
      const planId = String(result.identifiers[0].id);
      for (const { deviceId, command } of commands)
        await insertCommand(manager, storedCommand(plan.siteId, deviceId, command, planId));
      return planId;
    });
  }

  /** The last plan generated at or before `at`: the one in force then. */
  async latestAt<TDocument>(siteId: string, at: Date): Promise<StoredPlan<TDocument> | undefined> {
    const row = await this.db
      .getRepository(PlanEntity)
      .findOne({ where: { siteId, generatedAt: LessThanOrEqual(at) }, order: { generatedAt: 'DESC', id: 'DESC' } });
    return row ? ({ ...row, document: row.document as TDocument } as StoredPlan<TDocument>) : undefined;
  }

  async latest<TDocument>(siteId: string): Promise<StoredPlan<TDocument> | undefined> {
    const row = await this.db
      .getRepository(PlanEntity)
      .findOne({ where: { siteId }, order: { generatedAt: 'DESC', id: 'DESC' } });
    return row ? ({ ...row, document: row.document as TDocument } as StoredPlan<TDocument>) : undefined;
  }
}
