import { Inject, Injectable } from '@nestjs/common';
import { allocateStep, AllocationKey } from '@ilot/allocation';
import { CONSUMING_KINDS } from '@ilot/domain';
import { ReportStep, residentReport, ResidentReport } from '@ilot/reports';
import { SITE } from '@ilot/runtime';
import { devicesOfKind, type Site } from '@ilot/site';
import { localMonthRange, priceAt, shiftMonth } from '@ilot/tariffs';
import { ReadingRepository, SignalRepository } from '@ilot/timeseries';
import { EffacementReportService } from './effacement-report.service';

const STEP_MINUTES = 15;
const STEP_H = STEP_MINUTES / 60;

/**
 * A resident's monthly report from the database: every participant's meter in 15-min steps (the allocation shares
 * the îlot's production among all of them), the îlot's production for sharing (PV and batteries, less the
 * buildings' own loads: heat pumps, chargers, water heaters, served first), the site's key and tariff.
 * A kWh from the collective is priced at the site's feed-in price (what the îlot would get for it otherwise).
 */
@Injectable()
export class ResidentReportService {
  private readonly productionIds: string[];
  private readonly sharedLoadIds: string[];
  private readonly meters: Set<string>;

  constructor(
    @Inject(SITE) private readonly site: Site,
    private readonly readings: ReadingRepository,
    private readonly signals: SignalRepository,
    private readonly effacements: EffacementReportService,
  ) {
    this.productionIds = [...devicesOfKind(site, 'pv'), ...devicesOfKind(site, 'battery')].map((d) => d.id);
    this.meters = new Set(site.participants.map((p) => p.meter));
    this.sharedLoadIds = [...site.devices.values()].filter((d) => CONSUMING_KINDS.has(d.kind) && !this.meters.has(d.id)).map((d) => d.id);
  }

  /** The report of one participant for a local month (YYYY-MM); undefined for an unknown participant. */
  async report(participantId: string, month: string): Promise<ResidentReport | undefined> {
    const participant = this.site.participants.find((p) => p.id === participantId);
    if (!participant) return undefined;
    const tz = this.site.timezone;
    const { from, to } = localMonthRange(month, tz);
    const [consumption, productionW, sharedW, previousKWh] = await Promise.all([
      this.consumptionByParticipant(from, to),
      this.sumByStep(this.productionIds, from, to),
      this.sumByStep(this.sharedLoadIds, from, to),
      this.monthKWh(participant.meter, shiftMonth(month, -1)),
    ]);
    const key = this.allocationKey();
    const steps: ReportStep[] = [];
    const own = consumption.get(participantId)!;
    for (const [startMs, ownW] of own) {
      const start = new Date(startMs);
      const consumptionWh = new Map([...consumption].map(([id, series]) => [id, (series.get(startMs) ?? 0) * STEP_H]));
      const productionWh = Math.max((productionW.get(startMs) ?? 0) - (sharedW.get(startMs) ?? 0), 0) * STEP_H;
      const allocation = allocateStep({ start, productionWh, consumptionWh }, key);
      const price = priceAt(start, this.site.tariff, tz, undefined, this.site.priceSeries);
      steps.push({
        start,
        consumptionWh: ownW * STEP_H,
        allocatedWh: allocation.ok ? (allocation.value.allocatedWh.get(participantId) ?? 0) : 0,
        importEurPerKWh: price.importEurPerKWh,
        period: price.period,
      });
    }
    const peersKWh = this.site.participants
      .filter((p) => p.kind === participant.kind && p.id !== participantId)
      .map((p) => [...(consumption.get(p.id)?.values() ?? [])].reduce((sum, w) => sum + w * STEP_H, 0) / 1000);
    return residentReport({
      participantId,
      month,
      timeZone: tz,
      localEurPerKWh: this.site.tariff.feedInEurPerKWh,
      steps,
      previousMonthKWh: previousKWh,
      peersKWh,
      effacements: await this.effacementsOf(participantId, from, to),
    });
  }

  /** The site's key; a custom key has no per-step shares stored yet, so it falls back on the default, as Enedis does. */
  private allocationKey(): AllocationKey {
    if (this.site.allocation.key === 'static') return { kind: 'static', shares: new Map(this.site.participants.map((p) => [p.id, p.staticShare ?? 0])) };
    if (this.site.allocation.key === 'dynamic-custom') return { kind: 'dynamic-custom', sharesAt: () => undefined };
    return { kind: 'dynamic-default' };
  }

  private async consumptionByParticipant(from: Date, to: Date): Promise<Map<string, Map<number, number>>> {
    const series = await Promise.all(
      this.site.participants.map(async (p) => {
        const rows = await this.readings.forDevice(this.site.id, p.meter, from, to, STEP_MINUTES);
        return [p.id, new Map(rows.map((r) => [r.ts.getTime(), Math.max(r.powerW, 0)]))] as const;
      }),
    );
    return new Map(series);
  }

  private async sumByStep(deviceIds: string[], from: Date, to: Date): Promise<Map<number, number>> {
    if (deviceIds.length === 0) return new Map();
    const rows = await this.readings.bucketedSum(this.site.id, deviceIds, from, to, STEP_MINUTES);
    return new Map(rows.map((r) => [r.bucket.getTime(), r.powerW]));
  }

  private async monthKWh(meter: string, month: string): Promise<number | undefined> {
    const { from, to } = localMonthRange(month, this.site.timezone);
    const rows = await this.readings.forDevice(this.site.id, meter, from, to, STEP_MINUTES);
    return rows.length ? rows.reduce((sum, r) => sum + Math.max(r.powerW, 0) * STEP_H, 0) / 1000 : undefined;
  }

  private async effacementsOf(participantId: string, from: Date, to: Date) {
    const orders = (await this.signals.overlapping(this.site.id, from, to)).filter((s) => s.type === 'effacement');
    const result = [];
    for (const order of orders) {
      const report = await this.effacements.report(order.key);
      const mine = report?.participants.find((p) => p.participantId === participantId);
      if (mine) result.push({ id: order.key, start: order.startsAt, end: order.endsAt, deliveredWh: mine.deliveredWh });
    }
    return result;
  }
}
