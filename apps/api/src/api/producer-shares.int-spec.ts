import type { INestApplication } from '@nestjs/common';
import { SETTLEMENT_STEP_MS } from '@ilot/domain';
import { residentLedgerOn } from '@ilot/residents';
import { loadSiteFile, type Site } from '@ilot/site';
import { ProfileTable, simulateAccMonth } from '@ilot/simulators';
import { AllocationShareRepository, openDatabase, ReadingRepository, ResidentLedgerRepository } from '@ilot/timeseries';
import { createTestDatabase, TestDatabase } from '@ilot/timeseries/testing/test-database';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { startApiAlone } from '../testing/api-alone';

const ACC_DEMO = loadSiteFile(join(__dirname, '..', '..', '..', '..', 'sites', 'acc-demo.yaml'));
/** The demo operation on a full dynamic key (issue 29 §2). */
const SITE: Site = { ...ACC_DEMO, allocation: { key: 'dynamic-full', history: [] } };
const OPERATOR = 'acc-operator-token-0123456789abcdef';
const NOON = '2026-11-10T11:00:00Z';

/** The operator gives a full dynamic key's coefficients through the API; the ledger applies them at once. */
describe('PUT /api/v1/sites/{site}/allocation/producer-shares (dynamic-full, real PostgreSQL)', () => {
  let database: TestDatabase;
  let db: DataSource;
  let app: INestApplication;
  let base: string;
  const put = (body: unknown, token: string | null = OPERATOR) =>
    fetch(`${base}/allocation/producer-shares`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
  const allocatedAtNoon = async () => {
    const steps = await new ResidentLedgerRepository(db).stepsBetween(
      SITE.id,
      new Date(NOON),
      new Date(Date.parse(NOON) + SETTLEMENT_STEP_MS),
    );
    return new Map(steps.map((s) => [s.participantId, s.allocatedWh]));
  };

  beforeAll(async () => {
    database = await createTestDatabase('ilot_producer_shares');
    db = await openDatabase(database.url);
    const world = simulateAccMonth(SITE, ProfileTable.load(), '2026-11', { sampleMinutes: 15 });
    const day = world.readings.filter((r) => r.ts.toISOString().startsWith('2026-11-10'));
    await new ReadingRepository(db).insertBatch(day, new Date('2026-11-11T00:00:00Z'));
    // The ledger job's catch-up (the metrics app's): the day shared by the default key, no coefficient given yet.
    await residentLedgerOn(SITE, db).catchUp(new Date('2026-11-11T00:00:00Z'), { wait: true });
    ({ app, base } = await startApiAlone(SITE, {
      ILOT_DATABASE_URL: database.url,
      ILOT_SIM_START: '2026-11-11T08:00:00Z',
      ILOT_SIM_START_REAL: new Date().toISOString(),
      ILOT_OPERATOR_TOKEN: OPERATOR,
    }));
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await db?.destroy();
    await database?.drop();
  });

  it('refuses without the operator’s token, and bad coefficients with every reason, storing nothing', async () => {
    const good = { steps: [{ start: NOON, byProducer: { 'pv-school': { bakery: 1 } } }] };
    expect((await put(good, null)).status).toBe(401);
    const bad = await put({
      steps: [
        { start: NOON, byProducer: { 'pv-school': { bakery: 0.8, 'c-1': 0.3 }, 'pv-moon': { 'a-1': 1 } } },
        { start: '2026-11-10T11:05:00Z', byProducer: { 'pv-school': { bakery: 1 } } },
      ],
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { problems: string[] }).problems).toEqual([
      'steps[0].byProducer.pv-school: shares sum to 1.1: must be at most 1',
      'steps[0].byProducer.pv-moon: no such producer (a PV array)',
      'steps[1].start: 2026-11-10T11:05:00Z is not the start of a 15-min step',
    ]);
    const stored = await new AllocationShareRepository(db).byProducerBetween(
      SITE.id,
      new Date('2026-11-01T00:00:00Z'),
      new Date('2026-12-01T00:00:00Z'),
    );
    expect(stored.size).toBe(0);
  });

  it('stores good coefficients and shares the step again at once: all the school’s to the bakery', async () => {
    const before = await allocatedAtNoon();
    expect(before.get('a-1')).toBeGreaterThan(0);
    const response = await put({ steps: [{ start: NOON, byProducer: { 'pv-school': { bakery: 1 } } }] });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ steps: 1, recomputedSteps: 10 });
    const after = await allocatedAtNoon();
    // The roof was left out of the step: it gives nobody anything; the school's whole production goes to the bakery.
    for (const id of ['a-1', 'a-2', 'b-1', 'c-1']) expect(after.get(id)).toBe(0);
    const [school] = await new ReadingRepository(db).bucketedByDevice(
      SITE.id,
      ['pv-school'],
      new Date(NOON),
      new Date(Date.parse(NOON) + SETTLEMENT_STEP_MS),
      15,
    );
    const bakeryWh = (
      await new ResidentLedgerRepository(db).stepsBetween(
        SITE.id,
        new Date(NOON),
        new Date(Date.parse(NOON) + SETTLEMENT_STEP_MS),
      )
    ).find((s) => s.participantId === 'bakery')!.consumptionWh;
    expect(school.powerW).toBeGreaterThan(0);
    expect(after.get('bakery')).toBeCloseTo(Math.min(school.powerW * 0.25, bakeryWh), 6);
  });

  it('says 409 on a site whose key is not dynamic-full', async () => {
    const custom = await fetch(`${base}/allocation/shares`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${OPERATOR}` },
      body: JSON.stringify({ steps: [{ start: NOON, shares: { bakery: 1 } }] }),
    });
    expect(custom.status).toBe(409);
    expect(((await custom.json()) as { message: string }).message).toMatch(/dynamic-full key: custom shares/);
  });
});
