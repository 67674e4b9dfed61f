import { Inject, Injectable } from '@nestjs/common';
import { type Clock, HOUR_MS, localDateTime, localDayStart } from '@ilot/domain';
import { type LiveCommodity, residentLive, type ResidentLive } from '@ilot/reports';
import { CLOCK } from '@ilot/runtime';
import { COMMODITIES, COMMODITY_METERS, type Site } from '@ilot/site';
import { CommodityReadingRepository, PrivacyRepository, ReadingRepository } from '@ilot/timeseries';
import { SiteScopes } from '@ilot/residents';
import { OutlookReader } from './outlook.reader';

/** From the meter's unit to the live page's: gas m³ and water litres as counted, heat Wh to kWh. */
const LIVE_SCALE = { gas: 1, water: 1, heat: 1 / 1000 } as const;

/**
 * What a resident's live page shows (libs/reports `residentLive`), read now: their meters since local midnight (by
 * hour with their consent to the detailed curve), the îlot's PV now, the plan ahead and the signals in force.
 */
@Injectable()
export class ResidentLiveService {
  constructor(
    private readonly scopes: SiteScopes,
    private readonly readings: ReadingRepository,
    private readonly commodityReadings: CommodityReadingRepository,
    private readonly outlook: OutlookReader,
    private readonly privacy: PrivacyRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async snapshot(siteId: string, participantId: string): Promise<ResidentLive> {
    const { site } = this.scopes.of(siteId);
    const now = this.clock.now();
    const dayStart = localDayStart(localDateTime(now, site.timezone).date, site.timezone);
    const [today, outlook, detailed] = await Promise.all([
      this.today(site, participantId, dayStart, now),
      this.outlook.read(site, now),
      this.privacy.hasConsent(siteId, participantId, 'detailed_curve'),
    ]);
    return residentLive({ ...outlook, participantId, detailed, today });
  }

  /** Each commodity the participant meters, by UTC hour since local midnight; the hour in progress up to now. */
  private async today(site: Site, participantId: string, dayStart: Date, now: Date) {
    const participant = site.participants.find((p) => p.id === participantId)!;
    const electricity = await this.readings.bucketedByDevice(site.id, [participant.meter], dayStart, now, 60);
    const lines: Array<{ commodity: LiveCommodity; hours: Array<{ hour: Date; value: number }> }> = [
      {
        commodity: 'electricity',
        hours: electricity.map((h) => ({
          hour: h.bucket,
          value: (Math.max(h.powerW, 0) * Math.min(now.getTime() - h.bucket.getTime(), HOUR_MS)) / HOUR_MS / 1000,
        })),
      },
    ];
    for (const commodity of COMMODITIES) {
      const meterId = participant[COMMODITY_METERS[commodity].participantField];
      if (!meterId) continue;
      const hours = await this.commodityReadings.hourly(site.id, [meterId], dayStart, now);
      lines.push({ commodity, hours: hours.map((h) => ({ hour: h.hour, value: h.quantity * LIVE_SCALE[commodity] })) });
    }
    return lines;
  }
}
