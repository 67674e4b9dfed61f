import { leaseMoves } from '@ilot/domain';
import type { HeldLease, SiteLeaseRepository } from '@ilot/timeseries';

/**
 * One planner instance's side of the leases (issue 14): on each `tick` it says it is alive, renews what it keeps and
 * takes the free sites it should (one statement), then hands back what is above its fair share (or no longer a site).
 * It then plans exactly the sites of `held()`, each command carrying the lease's token. Ticks come from the caller's
 * clock, a few times per lease period (a dead instance's sites are taken within one period after its leases expire).
 *
 * Renewal comes first and waits for nothing: it used to come after the hand-backs, each awaiting its planner's stop (a
 * run in flight) one after the other, with one statement per site, so that on a busy machine a tick could outlive the
 * lease and the other instance take every site. The hand-backs run side by side.
 */
export class SiteLeaseKeeper {
  private leases = new Map<string, HeldLease>();

  constructor(
    private readonly repository: SiteLeaseRepository,
    readonly holder: string,
    private readonly ttlMs: number,
  ) {}

  /**
   * `beforeRelease`: awaited before a site is handed back, so that its planner has stopped (no plan of the old holder
   * lands after the new holder's).
   */
  async tick(
    sites: readonly string[],
    now: Date,
    beforeRelease: (siteId: string) => Promise<void> = async () => undefined,
  ): Promise<ReadonlyMap<string, HeldLease>> {
    await this.repository.heartbeat(this.holder, now, this.ttlMs);
    const view = await this.repository.view(sites, this.holder, now);
    const moves = leaseMoves(view, this.holder);
    const released = new Set(moves.release);
    // What the table says is ours (a restart under the same holder id included), renewed, and the free ones to take.
    const wanted = [...view.mine.filter((id) => !released.has(id)), ...moves.take];
    const granted = await this.repository.acquire(wanted, this.holder, now, this.ttlMs);
    this.leases = new Map(granted.map((lease) => [lease.siteId, lease]));
    await Promise.all(
      moves.release.map(async (siteId) => {
        await beforeRelease(siteId);
        await this.repository.release(siteId, this.holder);
      }),
    );
    return this.leases;
  }

  /**
   * Between rounds, and never waiting for one: says this instance is alive and extends the leases it holds (two
   * statements). A round slowed by its planners' stops and starts (a first plan reading days of history on a busy
   * machine) no longer lets the heartbeat lapse, which made the other instance take every site and the two pass them
   * back and forth (the 10-day soak: one site's token 4 -> 12 in 23 s real, no plan stored in between).
   */
  async renew(now: Date): Promise<void> {
    await this.repository.heartbeat(this.holder, now, this.ttlMs);
    await this.repository.renew([...this.leases.keys()], this.holder, now, this.ttlMs);
  }

  held(): ReadonlyMap<string, HeldLease> {
    return this.leases;
  }

  /** At shutdown: this instance leaves and hands every site back at once, for the others to take without waiting. */
  async releaseAll(): Promise<void> {
    await this.repository.leave(this.holder);
    for (const siteId of this.leases.keys()) await this.repository.release(siteId, this.holder);
    this.leases = new Map();
  }
}
