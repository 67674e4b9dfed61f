import { Injectable } from '@nestjs/common';
import { sharedDevices, type Site } from '@ilot/site';
import { DashboardDeviceRepository } from '@ilot/timeseries';

/**
 * Keeps `dashboard_devices` (migration 13) to the sites served: each site's shared devices written when its
 * definition is new or changed (the scope's site object is rebuilt then), the sites no longer served forgotten.
 */
@Injectable()
export class DashboardDevicesSync {
  private readonly written = new Map<string, Site>();
  private retained = false;

  constructor(private readonly repository: DashboardDeviceRepository) {}

  async sync(sites: readonly Site[]): Promise<void> {
    for (const site of sites) {
      if (this.written.get(site.id) === site) continue;
      await this.repository.replaceSite(site.id, sharedDevices(site));
      this.written.set(site.id, site);
    }
    const served = new Set(sites.map((site) => site.id));
    const gone = [...this.written.keys()].filter((id) => !served.has(id));
    // Once at start (sites an earlier run served), then whenever one goes.
    if (!this.retained || gone.length > 0) {
      await this.repository.retainSites([...served]);
      for (const id of gone) this.written.delete(id);
      this.retained = true;
    }
  }
}
