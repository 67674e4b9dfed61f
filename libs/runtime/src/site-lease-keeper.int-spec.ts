import { openDatabase, SiteLeaseRepository } from '@ilot/timeseries';
import { createTestDatabase, TestDatabase } from '@ilot/timeseries/testing/test-database';
import { DataSource } from 'typeorm';
import { SiteLeaseKeeper } from './site-lease-keeper';

const TTL_MS = 60_000;
const sites = Array.from({ length: 20 }, (_, i) => `ilot-${String(i + 1).padStart(3, '0')}`);
const at = (s: number) => new Date(Date.UTC(2026, 5, 17, 12, 0, s));

/** Planner leases on the real PostgreSQL: two instances, each with its own pool, as two processes would be. */
describe('site leases: every site planned by exactly one instance', () => {
  let database: TestDatabase;
  let pools: DataSource[];
  let a: SiteLeaseKeeper;
  let b: SiteLeaseKeeper;

  beforeAll(async () => {
    database = await createTestDatabase('ilot_leases');
    pools = [await openDatabase(database.url), await openDatabase(database.url)];
    a = new SiteLeaseKeeper(new SiteLeaseRepository(pools[0]), 'planner-a', TTL_MS);
    b = new SiteLeaseKeeper(new SiteLeaseRepository(pools[1]), 'planner-b', TTL_MS);
  });
  afterAll(async () => {
    for (const pool of pools ?? []) await pool.destroy();
    await database?.drop();
  });

  const disjointAndComplete = () => {
    const held = [...a.held().keys(), ...b.held().keys()];
    expect(new Set(held).size).toBe(held.length);
    expect(held.sort()).toEqual(sites);
  };

  it('splits the sites evenly between two instances ticking at once, never one site to both', async () => {
    for (let s = 0; s < 30; s += 10) await Promise.all([a.tick(sites, at(s)), b.tick(sites, at(s))]);
    disjointAndComplete();
    expect([a.held().size, b.held().size]).toEqual([10, 10]);
  });

  it('hands a dead instance’s sites to the other once its leases expire, with the next fencing token', async () => {
    const fromB = [...b.held().values()];
    const repository = new SiteLeaseRepository(pools[0]);
    // b stops ticking (kill -9). Before its leases expire a leaves them alone; after, a takes them all.
    await a.tick(sites, at(59));
    expect(a.held().size).toBe(10);
    await a.tick(sites, at(30 + 61));
    expect(a.held().size).toBe(20);
    for (const lease of fromB) {
      expect(a.held().get(lease.siteId)!.token).toBe(lease.token + 1);
      // A command carrying the dead planner's token is no longer current: it must not be sent or applied.
      expect(await repository.isCurrent(lease.siteId, lease.token)).toBe(false);
      expect(await repository.isCurrent(lease.siteId, lease.token + 1)).toBe(true);
    }
  });

  it('rebalances when the instance comes back, renewing without a new token, and hands all back at shutdown', async () => {
    const before = new Map([...a.held()].map(([id, lease]) => [id, lease.token]));
    // b returns: it says it is alive; a hands back above its share on its next tick, b takes them on its own.
    for (let s = 100; s < 130; s += 10) {
      await b.tick(sites, at(s));
      await a.tick(sites, at(s + 1));
    }
    disjointAndComplete();
    expect([a.held().size, b.held().size]).toEqual([10, 10]);
    for (const [id, lease] of a.held()) expect(lease.token).toBe(before.get(id));
    await a.releaseAll();
    await b.tick(sites, at(131));
    expect(b.held().size).toBe(20);
  });

  it('renews what it keeps before handing back, so that a slow stop never lets its other leases lapse', async () => {
    // b holds all 20; a comes back, so b must hand 10 back, and its planners' stops take their time.
    await a.tick(sites, at(140));
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const stopping: string[] = [];
    const ticking = b.tick(sites, at(150), async (siteId) => {
      stopping.push(siteId);
      await gate;
    });
    await waitUntil(() => stopping.length === 10);
    // While the stops are pending, b's kept leases already run to 150 + 60 s: at 200 they are still b's (they ended
    // at 131 + 60 = 191 before).
    const seen = await new SiteLeaseRepository(pools[0]).view(sites, 'planner-a', at(200));
    expect(seen.theirs.filter((id) => !stopping.includes(id)).sort()).toEqual(
      sites.filter((id) => !stopping.includes(id)),
    );
    open();
    await ticking;
    expect(b.held().size).toBe(10);
    await a.tick(sites, at(151));
    disjointAndComplete();
  });
});

describe('site leases: renewed between rounds', () => {
  let database: TestDatabase;
  let pool: DataSource;
  beforeAll(async () => {
    database = await createTestDatabase('ilot_lease_renew');
    pool = await openDatabase(database.url);
  });
  afterAll(async () => {
    await pool?.destroy();
    await database?.drop();
  });

  it('renew keeps the instance alive and its leases live without a round, and never takes back a site handed back', async () => {
    const repository = new SiteLeaseRepository(pool);
    const c = new SiteLeaseKeeper(repository, 'planner-c', TTL_MS);
    const three = sites.slice(0, 3);
    await c.tick(three, at(0));
    expect(c.held().size).toBe(3);
    await repository.release(three[0], 'planner-c');
    // No round for 100 s, a renewal every 40: at 100 the leases ended at 60 without it.
    await c.renew(at(40));
    await c.renew(at(80));
    const seen = await repository.view(three, 'planner-d', at(100));
    expect([...seen.theirs].sort()).toEqual(three.slice(1));
    expect(seen.instances).toBe(2);
    // The tokens stay: renewing is not taking.
    for (const id of three.slice(1)) expect(await repository.isCurrent(id, c.held().get(id)!.token)).toBe(true);
  });
});

async function waitUntil(condition: () => boolean): Promise<void> {
  for (let k = 0; k < 200 && !condition(); k++) await new Promise((resolve) => setTimeout(resolve, 10));
  if (!condition()) throw new Error('condition not met within 2 s');
}
