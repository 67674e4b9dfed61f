import { createDataSource, SiteLeaseRepository } from '@ilot/timeseries';
import type { DataSource } from 'typeorm';

/** Connections of the leases' own: the rounds, and the planners' checks that their lease is current (the renewals have the heartbeat thread's). */
const LEASE_CONNECTIONS = 2;

/**
 * The leases on connections of their own, apart from the app's pool (issue 30): a round never waits for a connection
 * behind the planners' reads and writes (the renewals between rounds have the heartbeat thread's, lease-heartbeat.ts). The month's soak (720x: a lease of 2.5 s real) had the renewals, two short
 * statements, queue in the app's pool of 10 behind the plans of a loaded machine; leases lapsed, 631 plans were dropped
 * as no longer current and one site went 1 182 simulated minutes without a plan. With one site (no ILOT_SITES_DIR)
 * there are no leases and nothing more is opened.
 */
export class LeaseDatabase {
  private constructor(
    readonly repository: SiteLeaseRepository,
    private readonly own: DataSource | undefined,
  ) {}

  /** Opens the leases' connections (the app's pool has applied the migrations), or shares `shared` for one site. */
  static async open(url: string, leased: boolean, shared: DataSource): Promise<LeaseDatabase> {
    if (!leased) return new LeaseDatabase(new SiteLeaseRepository(shared), undefined);
    const own = createDataSource(url, LEASE_CONNECTIONS);
    await own.initialize();
    return new LeaseDatabase(new SiteLeaseRepository(own), own);
  }

  /** After the leases are handed back, at shutdown. */
  async close(): Promise<void> {
    if (this.own?.isInitialized) await this.own.destroy();
  }
}
