import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity({ name: 'rejected_messages' })
export class RejectedMessageEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;
  @Column({ name: 'received_at', type: 'timestamptz' })
  receivedAt!: Date;
  @Column({ type: 'text' })
  topic!: string;
  @Column({ type: 'text' })
  reason!: string;
  @Column({ type: 'text' })
  detail!: string;
  @Column({ type: 'text' })
  payload!: string;
}
