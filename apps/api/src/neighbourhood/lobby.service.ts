import { Inject, Injectable } from '@nestjs/common';
import { type Clock, CONSUMING_KINDS, localDateTime, localDayStart } from '@ilot/domain';
import { type Lobby, lobbyView } from '@ilot/reports';
import { CLOCK } from '@ilot/runtime';
import { devicesOfKind, gridDeviceId } from '@ilot/site';
import { ReadingRepository } from '@ilot/timeseries';
import { SiteScopes } from '@ilot/residents';
import { FRESH_MS, OutlookReader } from './outlook.reader';

const STEP_MINUTES = 15;

/**
 * The lobby's figures (libs/reports `lobbyView`), read now: the îlot's meters and shared loads summed (never one by
 * one), how many participants' meters that sum holds, its PV and connection, today's 15-minute steps, its outlook.
 */
@Injectable()
export class LobbyService {
  constructor(
    private readonly scopes: SiteScopes,
    private readonly readings: ReadingRepository,
    private readonly outlook: OutlookReader,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async snapshot(siteId: string): Promise<Lobby> {
    const { site } = this.scopes.of(siteId);
    const now = this.clock.now();
    const meters = devicesOfKind(site, 'meter').map((d) => d.id);
    const meterSet = new Set(meters);
    const shared = [...site.devices.values()]
      .filter((d) => CONSUMING_KINDS.has(d.kind) && !meterSet.has(d.id))
      .map((d) => d.id);
    const pv = devicesOfKind(site, 'pv').map((d) => d.id);
    const grid = gridDeviceId(site);
    const dayStart = localDayStart(localDateTime(now, site.timezone).date, site.timezone);
    const fresh = new Date(now.getTime() - FRESH_MS);
    const sum = (ids: string[]) =>
      ids.length ? this.readings.bucketedSum(site.id, ids, dayStart, now, STEP_MINUTES) : Promise.resolve([]);
    const [latest, meterSteps, sharedSteps, pvSteps, outlook] = await Promise.all([
      this.readings.latestPerDevice(site.id, [...meters, ...shared, grid], fresh, now),
      sum(meters),
      sum(shared),
      sum(pv),
      this.outlook.read(site, now),
    ]);
    const byBucket = (rows: Array<{ bucket: Date; powerW: number }>) =>
      new Map(rows.map((r) => [r.bucket.getTime(), r.powerW]));
    const [sharedW, pvW] = [byBucket(sharedSteps), byBucket(pvSteps)];
    const stepH = STEP_MINUTES / 60;
    return lobbyView({
      ...outlook,
      siteName: site.name,
      current: {
        metersReporting: latest.filter((r) => meterSet.has(r.deviceId)).length,
        consumptionW: latest.filter((r) => r.deviceId !== grid).reduce((total, r) => total + Math.max(r.powerW, 0), 0),
        gridW: latest.find((r) => r.deviceId === grid)?.powerW ?? null,
      },
      steps: [
        ...meterSteps.map((m) => ({
          pvWh: (pvW.get(m.bucket.getTime()) ?? 0) * stepH,
          consumptionWh: (m.powerW + (sharedW.get(m.bucket.getTime()) ?? 0)) * stepH,
          metersReporting: m.devices,
        })),
        // Steps with solar and no participant's meter: the solar counts, nothing of the consumption is told.
        ...pvSteps
          .filter((p) => !meterSteps.some((m) => m.bucket.getTime() === p.bucket.getTime()))
          .map((p) => ({ pvWh: p.powerW * stepH, consumptionWh: 0, metersReporting: 0 })),
      ],
    });
  }
}
