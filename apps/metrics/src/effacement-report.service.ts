import { Inject, Injectable } from '@nestjs/common';
import { deliveredNowW, eventReport, EventReport, REFERENCE_DEFAULTS, referenceCurve, ReferenceOptions } from '@ilot/effacement';
import type { PowerSample } from '@ilot/forecasting';
import { SITE } from '@ilot/runtime';
import { gridDeviceId, type Site } from '@ilot/site';
import { localDateTime } from '@ilot/tariffs';
import { PlanRepository, ReadingRepository, SignalRepository } from '@ilot/timeseries';

const SLOT_MINUTES = 15;
const DAY_MS = 86_400_000;

/** Gathers what effacement reporting needs from the database (15-min aggregates, the plan in force, the orders) and builds it. */
@Injectable()
export class EffacementReportService {
  constructor(
    @Inject(SITE) private readonly site: Site,
    private readonly signals: SignalRepository,
    private readonly readings: ReadingRepository,
    private readonly plans: PlanRepository,
  ) {}

  /** The report of one order; undefined when the site has no such order. */
  async report(eventId: string): Promise<EventReport | undefined> {
    const order = await this.signals.find(this.site.id, 'effacement', eventId);
    if (!order) return undefined;
    const event = { id: eventId, start: order.startsAt, end: order.endsAt, reductionW: Number(order.payload.reductionW) };
    const { series, options } = await this.referenceInputs(event);
    const plan = await this.plans.latestAt<{ slots: Array<{ start: string; gridW: number }> }>(this.site.id, event.start);
    const plannedGridW = (plan?.document.slots ?? [])
      .map((s) => ({ at: new Date(s.start), powerW: s.gridW }))
      .filter((s) => s.at >= event.start && s.at < event.end);
    const [gridW, ...meters] = await Promise.all([series(gridDeviceId(this.site)), ...this.site.participants.map((p) => series(p.meter))]);
    const participants = this.site.participants.map((p, i) => ({ participantId: p.id, meterId: p.meter, consumptionW: meters[i] }));
    return eventReport({ event, gridW, plannedGridW, participants }, options);
  }

  /** For each order in progress at `now`: the reduction it delivers now against the îlot's reference, W (absent while unknown). */
  async deliveredNow(now: Date): Promise<Map<string, number>> {
    const orders = (await this.signals.overlapping(this.site.id, now, new Date(now.getTime() + 1))).filter((s) => s.type === 'effacement');
    const delivered = new Map<string, number>();
    for (const order of orders) {
      const event = { start: order.startsAt, end: order.endsAt };
      const { series, options } = await this.referenceInputs(event);
      const gridW = await series(gridDeviceId(this.site));
      const value = deliveredNowW(referenceCurve(gridW, event, options), gridW, event);
      if (value !== undefined) delivered.set(order.key, value);
    }
    return delivered;
  }

  /** A device's slot means from far enough back for the reference, and the reference options (other event days left out). */
  private async referenceInputs(event: {
    start: Date;
    end: Date;
  }): Promise<{ series: (deviceId: string) => Promise<PowerSample[]>; options: ReferenceOptions }> {
    // Enough days back for `days` days of the same kind, weekends and other events left out.
    const from = new Date(event.start.getTime() - (REFERENCE_DEFAULTS.days * 2 + 4) * DAY_MS);
    const series = (deviceId: string) =>
      this.readings.forDevice(this.site.id, deviceId, from, event.end, SLOT_MINUTES).then((rows) => rows.map((r) => ({ at: r.ts, powerW: r.powerW })));
    const others = await this.signals.overlapping(this.site.id, from, event.start);
    const eventDays = new Set(others.filter((s) => s.type === 'effacement').map((s) => localDateTime(s.startsAt, this.site.timezone).date));
    return {
      series,
      options: {
        timeZone: this.site.timezone,
        slotMinutes: SLOT_MINUTES,
        days: REFERENCE_DEFAULTS.days,
        adjustmentMinutes: REFERENCE_DEFAULTS.adjustmentMinutes,
        eventDays,
      },
    };
  }
}
