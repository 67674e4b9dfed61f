import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'commands' })
export class CommandEntity {
  @PrimaryColumn({ name: 'cmd_id', type: 'uuid' })
  cmdId!: string;
  @Column({ name: 'site_id', type: 'text' })
  siteId!: string;
  @Column({ name: 'device_id', type: 'text' })
  deviceId!: string;
  @Column({ type: 'text' })
  type!: string;
  @Column({ name: 'plan_id', type: 'bigint', nullable: true })
  planId!: string | null;
  @Column({ name: 'issued_at', type: 'timestamptz' })
  issuedAt!: Date;
  @Column({ name: 'valid_from', type: 'timestamptz' })
  validFrom!: Date;
  @Column({ name: 'valid_until', type: 'timestamptz' })
  validUntil!: Date;
  @Column({ name: 'setpoint_w', type: 'double precision', nullable: true })
  setpointW!: number | null;
  @Column({ type: 'text' })
  reason!: string;
  @Column({ type: 'jsonb' })
  payload!: object;
  @Column({ name: 'ack_status', type: 'text', nullable: true })
  ackStatus!: string | null;
  @Column({ name: 'ack_reason', type: 'text', nullable: true })
  ackReason!: string | null;
  @Column({ name: 'acked_at', type: 'timestamptz', nullable: true })
  ackedAt!: Date | null;
}
