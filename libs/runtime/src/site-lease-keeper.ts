import { leaseMoves } from '@ilot/domain';
import type { HeldLease, SiteLeaseRepository } from '@ilot/timeseries';

/**
 * One planner instance's side of the leases (issue 14): on each `tick` it says it is alive, hands back what is above
 * its fair share (or no longer a site), renews what it holds and tries the free sites it should take. It then plans
 * exactly the sites of `held()`, each command carrying the lease's token. Ticks come from the caller's clock, a few
 * times per lease period (a dead instance's sites are taken within one period after its leases expire).
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
    for (const siteId of moves.release) {
      await beforeRelease(siteId);
      await this.repository.release(siteId, this.holder);
    }
    const released = new Set(moves.release);
    // What the table says is ours (a restart under the same holder id included), renewed; then the free ones to take.
    const wanted = [...view.mine.filter((id) => !released.has(id)), ...moves.take];
    const next = new Map<string, HeldLease>();
    for (const siteId of new Set(wanted)) {
      const lease = await this.repository.acquire(siteId, this.holder, now, this.ttlMs);
      if (lease) next.set(siteId, lease);
    }
    this.leases = next;
    return next;
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
