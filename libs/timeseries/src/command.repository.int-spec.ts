import { DataSource } from 'typeorm';
import { CommandRepository } from './command.repository';
import { openDatabase } from './data-source';
import { createTestDatabase, TestDatabase } from './testing/test-database';

describe('CommandRepository on the real PostgreSQL', () => {
  let database: TestDatabase;
  let db: DataSource;

  beforeAll(async () => {
    database = await createTestDatabase();
    db = await openDatabase(database.url);
  });
  afterAll(async () => {
    await db.destroy();
    await database.drop();
  });

  it('records the first acknowledgement of a command only', async () => {
    const repository = new CommandRepository(db);
    const cmdId = '6f1c1f3e-3a51-4c3e-9a55-0d3f5e0c1a01';
    const t = new Date('2026-01-15T12:00:00Z');
    await repository.insert({
      cmdId,
      siteId: 'demo',
      deviceId: 'bat-1',
      type: 'battery.setpoint',
      planId: null,
      issuedAt: t,
      validFrom: t,
      validUntil: new Date('2026-01-15T12:20:00Z'),
      setpointW: -5000,
      reason: 'tariff',
      payload: { cmdId },
    });
    expect(await repository.recordAck(cmdId, 'applied', undefined, t)).toBe('battery.setpoint');
    expect(await repository.recordAck(cmdId, 'rejected', 'late duplicate', t)).toBeUndefined();
    expect(await repository.recordAck('6f1c1f3e-3a51-4c3e-9a55-0d3f5e0c1a02', 'applied', undefined, t)).toBeUndefined();
    expect(await repository.find(cmdId)).toMatchObject({ ackStatus: 'applied', ackReason: null, setpointW: -5000 });
  });
});
