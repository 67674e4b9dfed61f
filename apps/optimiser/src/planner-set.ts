/** What the set needs of a site's planner. */
export interface StartablePlanner {
  /** The fencing token it plans under (undefined: the one site of ILOT_SITE_FILE). */
  readonly leaseToken: number | undefined;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** A site this instance should plan: under which token, which site definition, and how to make its planner. */
export interface WantedPlanner<P extends StartablePlanner> {
  token: number | undefined;
  fingerprint: string;
  create(): P;
}

/**
 * The planners one instance runs, by site. `reconcile` brings them to what the leases and the catalog say: a planner
 * whose lease was lost, whose token changed or whose site definition changed is stopped; a site wanted and not running
 * gets a planner, kept only once it has started. Starts and stops run side by side.
 *
 * Regression (found reading the code after the soak failed in CI: one site without a plan for 743 simulated minutes
 * while the others were planned): a planner was kept before its start resolved, so a start that failed (its ack
 * subscription refused when the broker connection closed, as it does during a broker restart) left a planner that
 * never planned, its lease renewed, and every later round saw the site as running.
 */
export class PlannerSet<P extends StartablePlanner> {
  private readonly running = new Map<string, { planner: P; fingerprint: string }>();

  /** The sites planned now. */
  sites(): string[] {
    return [...this.running.keys()];
  }

  get(siteId: string): P | undefined {
    return this.running.get(siteId)?.planner;
  }

  /** Returns, per site whose planner failed to start, why (it is stopped again; the next round tries anew). */
  async reconcile(wanted: ReadonlyMap<string, WantedPlanner<P>>): Promise<Map<string, Error>> {
    const outdated = [...this.running].filter(([siteId, { planner, fingerprint }]) => {
      const want = wanted.get(siteId);
      return !want || want.token !== planner.leaseToken || want.fingerprint !== fingerprint;
    });
    await Promise.all(outdated.map(([siteId]) => this.stop(siteId)));
    const failures = new Map<string, Error>();
    const missing = [...wanted].filter(([siteId]) => !this.running.has(siteId));
    await Promise.all(
      missing.map(async ([siteId, want]) => {
        const planner = want.create();
        try {
          await planner.start();
          this.running.set(siteId, { planner, fingerprint: want.fingerprint });
        } catch (error) {
          failures.set(siteId, error as Error);
          await planner.stop().catch(() => undefined);
        }
      }),
    );
    return failures;
  }

  /** Stops a site's planner (its run in flight completes first) and forgets it. */
  async stop(siteId: string): Promise<void> {
    const running = this.running.get(siteId);
    this.running.delete(siteId);
    await running?.planner.stop();
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.sites().map((siteId) => this.stop(siteId)));
  }
}
