import { DAY_MS } from '@ilot/domain';
import { REFERENCE_DEFAULTS, referenceMeanW, ReferenceOptions } from '@ilot/effacement';
import type { PowerSample } from '@ilot/forecasting';
import { devicesOfKind, gridDeviceId, type Site } from '@ilot/site';
import { localDateTime } from '@ilot/domain';
import { ReadingRepository } from './reading.repository';
import { SignalRepository } from './signal.repository';

export const REFERENCE_SLOT_MINUTES = 15;

/**
 * What an effacement reference is made from, read from the database, for the planner and the report alike: 15-min
 * means far enough back for REFERENCE_DEFAULTS.days days of the same kind, other event days left out. The îlot's
 * reference is made from its import net of storage (grid + batteries), so what the batteries do before an event
 * (charging for it, or discharging) cannot move the reference it is counted against.
 */
export class EffacementReferences {
  private readonly gridId: string;
  private readonly batteryIds: string[];

  constructor(
    private readonly site: Site,
    private readonly readings: ReadingRepository,
    private readonly signals: SignalRepository,
  ) {
    this.gridId = gridDeviceId(site);
    this.batteryIds = devicesOfKind(site, 'battery').map((b) => b.id);
  }

  async inputs(event: { start: Date; end: Date }): Promise<{
    /** A device's slot means. */
    series: (deviceId: string) => Promise<PowerSample[]>;
    /** The îlot's import net of storage: the sum of the grid's and the batteries' slot means. */
    netOfStorage: () => Promise<PowerSample[]>;
    options: ReferenceOptions;
  }> {
    const from = new Date(event.start.getTime() - (REFERENCE_DEFAULTS.days * 2 + 4) * DAY_MS);
    const toSamples = (rows: Array<{ bucket: Date; powerW: number }>) =>
      rows.map((r) => ({ at: r.bucket, powerW: r.powerW }));
    const series = (deviceId: string) =>
      this.readings
        .forDevice(this.site.id, deviceId, from, event.end, REFERENCE_SLOT_MINUTES)
        .then((rows) => rows.map((r) => ({ at: r.ts, powerW: r.powerW })));
    const netOfStorage = () =>
      this.readings
        .bucketedSum(this.site.id, [this.gridId, ...this.batteryIds], from, event.end, REFERENCE_SLOT_MINUTES)
        .then(toSamples);
    const others = await this.signals.overlapping(this.site.id, from, event.start);
    const eventDays = new Set(
      others.filter((s) => s.type === 'effacement').map((s) => localDateTime(s.startsAt, this.site.timezone).date),
    );
    return {
      series,
      netOfStorage,
      options: {
        timeZone: this.site.timezone,
        slotMinutes: REFERENCE_SLOT_MINUTES,
        days: REFERENCE_DEFAULTS.days,
        adjustmentMinutes: REFERENCE_DEFAULTS.adjustmentMinutes,
        eventDays,
      },
    };
  }

  /** The mean of the îlot's reference over the event, W (undefined without history): what the planner aims the reduction from. */
  async referenceMeanW(event: { start: Date; end: Date }): Promise<number | undefined> {
    const { netOfStorage, options } = await this.inputs(event);
    return referenceMeanW(await netOfStorage(), event, options);
  }
}
