import { DataSource } from 'typeorm';
import { CommandRepository, payloadSha256, StoredCommand } from './command.repository';
import { openDatabase } from './data-source';
import { createTestDatabase, TestDatabase } from './testing/test-database';

/** A battery command issued at 12:00 for 20 minutes, with what a test cares about. */
function storedCommand(command: Pick<StoredCommand, 'cmdId' | 'setpointW' | 'reason' | 'payload'>): StoredCommand {
  const t = new Date('2026-01-15T12:00:00Z');
  return {
    siteId: 'demo',
    deviceId: 'bat-1',
    type: 'battery.setpoint',
    planId: null,
    issuedAt: t,
    validFrom: t,
    validUntil: new Date('2026-01-15T12:20:00Z'),
    ...command,
  };
}

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
    await repository.insert(storedCommand({ cmdId, setpointW: -5000, reason: 'tariff', payload: { cmdId } }));
    expect(await repository.recordAck('demo', 'bat-1', cmdId, 'applied', undefined, t)).toEqual({
      outcome: 'recorded',
      type: 'battery.setpoint',
    });
    expect(await repository.recordAck('demo', 'bat-1', cmdId, 'rejected', 'late duplicate', t)).toEqual({
      outcome: 'repeated',
    });
    expect(
      await repository.recordAck('demo', 'bat-1', '6f1c1f3e-3a51-4c3e-9a55-0d3f5e0c1a02', 'applied', undefined, t),
    ).toEqual({ outcome: 'unknown_command' });
    expect(await repository.find(cmdId)).toMatchObject({ ackStatus: 'applied', ackReason: null, setpointW: -5000 });
  });

  // Regression (probe of the running îlot): an ack was taken from any device's topic, and its ts believed.
  it('takes an ack only from the commanded device, not dated before the command was issued', async () => {
    const repository = new CommandRepository(db);
    const cmdId = '6f1c1f3e-3a51-4c3e-9a55-0d3f5e0c1a09';
    const t = new Date('2026-01-15T12:00:00Z');
    await repository.insert(storedCommand({ cmdId, setpointW: 1000, reason: 'peak', payload: { cmdId } }));
    expect(await repository.recordAck('demo', 'bat-2', cmdId, 'rejected', 'not mine', t)).toEqual({
      outcome: 'wrong_device',
    });
    expect(await repository.recordAck('other-site', 'bat-1', cmdId, 'applied', undefined, t)).toEqual({
      outcome: 'unknown_command',
    });
    expect(
      await repository.recordAck('demo', 'bat-1', cmdId, 'applied', undefined, new Date('2026-01-15T11:00:00Z')),
    ).toEqual({ outcome: 'before_issue' });
    expect(await repository.find(cmdId)).toMatchObject({ ackStatus: null });
    expect(await repository.recordAck('demo', 'bat-1', cmdId, 'applied', undefined, t)).toMatchObject({
      outcome: 'recorded',
    });
  });

  it('keeps an append-only audit trail: issued with the payload hash, then the ack; no UPDATE, DELETE or TRUNCATE', async () => {
    const repository = new CommandRepository(db);
    const cmdId = '6f1c1f3e-3a51-4c3e-9a55-0d3f5e0c1a03';
    const t = new Date('2026-01-15T12:00:00Z');
    const payload = { cmdId, type: 'battery.setpoint', setpointW: 7000 };
    await repository.insert(storedCommand({ cmdId, setpointW: 7000, reason: 'peak', payload }));
    await repository.recordAck(
      'demo',
      'bat-1',
      cmdId,
      'rejected',
      'SoC at its floor',
      new Date('2026-01-15T12:00:02Z'),
    );
    expect(await repository.auditTrail(cmdId)).toEqual([
      { event: 'issued', reason: 'peak', payloadSha256: payloadSha256(payload), at: t },
      { event: 'rejected', reason: 'SoC at its floor', payloadSha256: null, at: new Date('2026-01-15T12:00:02Z') },
    ]);
    expect(payloadSha256(payload)).toMatch(/^[0-9a-f]{64}$/);
    for (const statement of [
      `UPDATE command_audit SET reason = 'tampered'`,
      'DELETE FROM command_audit',
      'TRUNCATE command_audit',
    ])
      await expect(db.query(statement)).rejects.toThrow(/command_audit is append-only/);
    expect(await repository.auditTrail(cmdId)).toHaveLength(2);
  });
});
