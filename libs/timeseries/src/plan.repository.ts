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
