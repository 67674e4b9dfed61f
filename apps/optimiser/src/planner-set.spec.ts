import { PlannerSet, type StartablePlanner, type WantedPlanner } from './planner-set';

/** A planner that records its life; its start fails while `failStarts` says so. */
class FakePlanner implements StartablePlanner {
  started = false;
  stopped = false;
  constructor(
    readonly siteId: string,
    readonly leaseToken: number | undefined,
    private readonly failStart: boolean,
  ) {}
  async start(): Promise<void> {
    if (this.failStart) throw new Error('Connection closed');
    this.started = true;
  }
  async stop(): Promise<void> {
    this.stopped = true;
  }
}

describe('PlannerSet: the planners an instance runs follow its leases', () => {
  const made: FakePlanner[] = [];
  const want = (entries: Array<[string, number, string?]>, failing = new Set<string>()) =>
    new Map<string, WantedPlanner<FakePlanner>>(
      entries.map(([siteId, token, fingerprint = 'v1']) => [
        siteId,
        {
          token,
          fingerprint,
          create: () => {
            const planner = new FakePlanner(siteId, token, failing.has(siteId));
            made.push(planner);
            return planner;
          },
        },
      ]),
    );

  beforeEach(() => (made.length = 0));

  it.each([
    [
      'a new site',
      [['a', 1]],
      [
        ['a', 1],
        ['b', 1],
      ],
      ['a', 'b'],
      1,
      0,
    ],
    [
      'a lost lease',
      [
        ['a', 1],
        ['b', 1],
      ],
      [['a', 1]],
      ['a'],
      0,
      1,
    ],
    ['a token changed (the lease went away and came back)', [['a', 1]], [['a', 2]], ['a'], 1, 1],
    ['a site definition changed', [['a', 1]], [['a', 1, 'v2']], ['a'], 1, 1],
    ['nothing changed', [['a', 1]], [['a', 1]], ['a'], 0, 0],
  ] as Array<[string, Array<[string, number, string?]>, Array<[string, number, string?]>, string[], number, number]>)(
    '%s: the right planners start and stop',
    async (_case, before, after, sites, startedAfter, stoppedAfter) => {
      const set = new PlannerSet<FakePlanner>();
      await set.reconcile(want(before));
      const first = [...made];
      made.length = 0;
      await set.reconcile(want(after));
      expect(set.sites().sort()).toEqual(sites);
      expect(made.filter((p) => p.started)).toHaveLength(startedAfter);
      expect(first.filter((p) => p.stopped)).toHaveLength(stoppedAfter);
      for (const siteId of sites) expect(set.get(siteId)!.started).toBe(true);
    },
  );

  it('regression (soak, a site never planned while its lease was renewed): a planner whose start failed is not kept, and the next round starts it', async () => {
    const set = new PlannerSet<FakePlanner>();
    const failed = await set.reconcile(
      want(
        [
          ['a', 1],
          ['b', 1],
        ],
        new Set(['b']),
      ),
    );
    expect([...failed.keys()]).toEqual(['b']);
    expect(failed.get('b')!.message).toBe('Connection closed');
    expect(set.sites()).toEqual(['a']);
    // The failed one was cleaned up (its ack route and timers), not left half started.
    expect(made.find((p) => p.siteId === 'b')!.stopped).toBe(true);
    const retry = await set.reconcile(
      want([
        ['a', 1],
        ['b', 1],
      ]),
    );
    expect(retry.size).toBe(0);
    expect(set.sites().sort()).toEqual(['a', 'b']);
    expect(set.get('b')!.started).toBe(true);
  });

  it('stopAll stops every planner and forgets them', async () => {
    const set = new PlannerSet<FakePlanner>();
    await set.reconcile(
      want([
        ['a', 1],
        ['b', 2],
      ]),
    );
    await set.stopAll();
    expect(set.sites()).toEqual([]);
    expect(made.every((p) => p.stopped)).toBe(true);
  });
});
