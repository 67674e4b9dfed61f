import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'device_status' })
export class DeviceStatusEntity {
  @PrimaryColumn({ name: 'site_id', type: 'text' })
  siteId!: string;
  @PrimaryColumn({ name: 'device_id', type: 'text' })
  deviceId!: string;
  @Column({ type: 'text' })
  state!: 'online' | 'offline';
  @Column({ type: 'timestamptz' })
  ts!: Date;
  @Column({ name: 'received_at', type: 'timestamptz' })
  receivedAt!: Date;
}
