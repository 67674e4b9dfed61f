import { deliveredNowW, eventReport, EventReport, referenceCurve } from '@ilot/effacement';
import { effacementOrderOf } from '@ilot/protocol';
import { gridDeviceId, sheddableLoads, type Site } from '@ilot/site';
import { EffacementReferences, PlanRepository, SignalRepository } from '@ilot/timeseries';

interface PlanDocument {
  slots: Array<{ start: string; gridW: number }>;
  effacements?: Array<{ id: string; importCapW: number }>;
}

/** Gathers what effacement reporting needs from the database (15-min aggregates, the plan in force, the orders) and builds it. */
export class EffacementReportService {
  constructor(
    private readonly site: Site,
    private readonly signals: SignalRepository,
    private readonly references: EffacementReferences,
    private readonly plans: PlanRepository,
  ) {}

  /** The report of one order; undefined when the site has no such order. */
  async report(eventId: string): Promise<EventReport | undefined> {
    const order = await this.signals.find(this.site.id, 'effacement', eventId);
    if (!order) return undefined;
    if (order.payload.type !== 'effacement') return undefined;
    const event = effacementOrderOf(order.payload);
    const { series, netOfStorage, options } = await this.references.inputs(event);
    const plan = await this.plans.latestAt<PlanDocument>(this.site.id, event.start);
    // What the plan committed to: the order's cap, or its grid power where it expected to stay above it.
    const capW = plan?.document.effacements?.find((e) => e.id === eventId)?.importCapW ?? -Infinity;
    const plannedGridW = (plan?.document.slots ?? [])
      .map((s) => ({ at: new Date(s.start), powerW: Math.max(s.gridW, capW) }))
      .filter((s) => s.at >= event.start && s.at < event.end);
    const [gridW, referenceBasisW, ...meters] = await Promise.all([
      series(gridDeviceId(this.site)),
      netOfStorage(),
      ...this.site.participants.map((p) => series(p.meter)),
    ]);
    const participants = this.site.participants.map((p, i) => ({
      participantId: p.id,
      meterId: p.meter,
      consumptionW: meters[i],
    }));
    const loads = await Promise.all(
      sheddableLoads(this.site).map(async (d) => ({
        deviceId: d.id,
        maxShedW: d.maxShedW,
        powerW: await series(d.id),
      })),
    );
    return eventReport({ event, gridW, referenceBasisW, plannedGridW, participants, loads }, options);
  }

  /** Each order in progress at `now`: the reduction asked, and the one it delivers now against the îlot's reference, W (undefined while unknown). */
  async inProgress(now: Date): Promise<Map<string, { askedW: number; deliveredW: number | undefined }>> {
    const stored = await this.signals.overlapping(this.site.id, now, new Date(now.getTime() + 1));
    const result = new Map<string, { askedW: number; deliveredW: number | undefined }>();
    for (const { payload } of stored) {
      if (payload.type !== 'effacement') continue;
      const event = effacementOrderOf(payload);
      const { series, netOfStorage, options } = await this.references.inputs(event);
      const [gridW, basisW] = await Promise.all([series(gridDeviceId(this.site)), netOfStorage()]);
      result.set(event.id, {
        askedW: event.reductionW,
        deliveredW: deliveredNowW(referenceCurve(basisW, event, options), gridW, event),
      });
    }
    return result;
  }
}
