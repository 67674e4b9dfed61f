import { Injectable } from '@nestjs/common';
import { COMMODITIES, COMMODITY_METERS, type DeviceSpec, isCommodityMeter, type Site } from '@ilot/site';
import { PrivacyRepository } from '@ilot/timeseries';

/**
 * What the îlot's operation needs of a meter's raw readings: the planner's forecast history (7 days) and the ledger's
 * catching up on late readings (7 days), with a day to spare.
 */
export const OPERATION_WINDOW_DAYS = 8;

/**
 * Keeps a participant's raw meter readings (electricity, gas, water, heat) past the operation window only with their consent to the detailed curve
 * (issue 15, docs/privacy.md): at each run, those of every meter older than the window are deleted but a consenting
 * participant's (never given, withdrawn, or a meter nobody has now). A withdrawal takes effect at the next run.
 */
@Injectable()
export class PrivacyRetention {
  constructor(private readonly privacy: PrivacyRepository) {}

  /** Returns how many raw readings were deleted, by site. */
  async apply(sites: readonly Site[], now: Date): Promise<Map<string, number>> {
    const deleted = new Map<string, number>();
    const before = new Date(now.getTime() - OPERATION_WINDOW_DAYS * 86_400_000);
    for (const site of sites) {
      const consenting = await this.privacy.consenting(site.id, 'detailed_curve');
      const consented = new Set(
        site.participants
          .filter((p) => consenting.has(p.id))
          .flatMap((p) => [p.meter, ...COMMODITIES.map((c) => p[COMMODITY_METERS[c].participantField])]),
      );
      // Every meter but a consenting participant's: a meter nobody has now holds a former participant's curve.
      const unconsented = (isMeter: (device: DeviceSpec) => boolean) =>
        [...site.devices.entries()].filter(([id, device]) => isMeter(device) && !consented.has(id)).map(([id]) => id);
      const electricity = await this.privacy.deleteRawReadings(
        site.id,
        unconsented((d) => d.kind === 'meter'),
        before,
      );
      const others = await this.privacy.deleteRawCommodityReadings(site.id, unconsented(isCommodityMeter), before);
      deleted.set(site.id, electricity + others);
    }
    return deleted;
  }
}
