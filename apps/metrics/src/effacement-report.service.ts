import { Inject, Injectable } from '@nestjs/common';
import { eventReport, EventReport, REFERENCE_DEFAULTS } from '@ilot/effacement';
import { SITE } from '@ilot/runtime';
import { gridDeviceId, type Site } from '@ilot/site';
import { localDateTime } from '@ilot/tariffs';
import { PlanRepository, ReadingRepository, SignalRepository } from '@ilot/timeseries';

const SLOT_MINUTES = 15;
const DAY_MS = 86_400_000;

/** Gathers what an effacement report needs from the database (15-min aggregates, the plan in force, the order) and builds it. */
@Injectable()
export class EffacementReportService {
  constructor(
    @Inject(SITE) private readonly site: Site,
    private readonly signals: SignalRepository,
    private readonly readings: ReadingRepository,
    private readonly plans: PlanRepository,
  ) {}

  /** Undefined when the site has no such order. */
  async report(eventId: string): Promise<EventReport | undefined> {
    const order = await this.signals.find(this.site.id, 'effacement', eventId);
    if (!order) return undefined;
    const event = { id: eventId, start: order.startsAt, end: order.endsAt, reductionW: Number(order.payload.reductionW) };
    // Enough days back for `days` days of the same kind, weekends and other events left out.
    const from = new Date(event.start.getTime() - (REFERENCE_DEFAULTS.days * 2 + 4) * DAY_MS);
    const series = (deviceId: string) =>
      this.readings.forDevice(this.site.id, deviceId, from, event.end, SLOT_MINUTES).then((rows) => rows.map((r) => ({ at: r.ts, powerW: r.powerW })));
    const others = await this.signals.overlapping(this.site.id, from, event.start);
    const eventDays = new Set(others.filter((s) => s.type === 'effacement').map((s) => localDateTime(s.startsAt, this.site.timezone).date));
    const plan = await this.plans.latestAt<{ slots: Array<{ start: string; gridW: number }> }>(this.site.id, event.start);
    const plannedGridW = (plan?.document.slots ?? [])
      .map((s) => ({ at: new Date(s.start), powerW: s.gridW }))
      .filter((s) => s.at >= event.start && s.at < event.end);
    const [gridW, ...meters] = await Promise.all([series(gridDeviceId(this.site)), ...this.site.participants.map((p) => series(p.meter))]);
    return eventReport(
      {
        event,
        gridW,
        plannedGridW,
        participants: this.site.participants.map((p, i) => ({ participantId: p.id, meterId: p.meter, consumptionW: meters[i] })),
      },
      {
        timeZone: this.site.timezone,
        slotMinutes: SLOT_MINUTES,
        days: REFERENCE_DEFAULTS.days,
        adjustmentMinutes: REFERENCE_DEFAULTS.adjustmentMinutes,
        eventDays,
      },
    );
  }
}
