import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity({ name: 'plans' })
export class PlanEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;
  @Column({ name: 'site_id', type: 'text' })
  siteId!: string;
  @Column({ name: 'generated_at', type: 'timestamptz' })
  generatedAt!: Date;
  @Column({ type: 'text' })
  status!: string;
  @Column({ type: 'text' })
  solver!: string;
  @Column({ name: 'objective_eur', type: 'double precision' })
  objectiveEur!: number;
  @Column({ name: 'solve_ms', type: 'double precision' })
  solveMs!: number;
  @Column({ type: 'jsonb' })
  document!: object;
}
