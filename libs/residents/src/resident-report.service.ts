import { SETTLEMENT_STEP_MS } from '@ilot/domain';
import { ReportStep, residentReport, ResidentReport } from '@ilot/reports';
import type { Site } from '@ilot/site';
import { priceAt } from '@ilot/tariffs';
import { localMonthRange, shiftMonth } from '@ilot/domain';
import { ParticipantCommodityRepository, ResidentLedgerRepository, Viewer } from '@ilot/timeseries';

/** Injection token of the resident ledger read on the API role's connection (row-level security applies). */
export const RESIDENT_READER = Symbol('RESIDENT_READER');

const STEP_MS = SETTLEMENT_STEP_MS;

/**
 * A resident's monthly report, read from the resident ledger as the viewer may see it: the database filters the
 * rows by the viewer set for the transaction (ADR 0007), so a viewer who may not see a participant gets an
 * empty month, whatever this code asks. Prices come from the site's tariff; a kWh from the collective is priced
 * at the site's feed-in price (what the îlot would get for it otherwise).
 */
export class ResidentReportService {
  constructor(
    private readonly site: Site,
    private readonly ledger: ResidentLedgerRepository,
    private readonly commodities = new ParticipantCommodityRepository(ledger),
  ) {}

  /** The local months the ledger holds for a participant (as the viewer may see them), oldest first. */
  months(viewer: Viewer, participantId: string): Promise<string[]> {
    return this.ledger.monthsOf(this.site.id, viewer, participantId);
  }

  /** The report of one participant for a local month (YYYY-MM); undefined for an unknown participant. */
  async report(viewer: Viewer, participantId: string, month: string): Promise<ResidentReport | undefined> {
    if (!this.site.participants.some((p) => p.id === participantId)) return undefined;
    const tz = this.site.timezone;
    const { from, to } = localMonthRange(month, tz);
    const data = await this.ledger.participantMonth(this.site.id, viewer, participantId, {
      key: month,
      from,
      to,
      previousKey: shiftMonth(month, -1),
    });
    const previousKey = shiftMonth(month, -1);
    const [commodityRows, commodityHours] = await Promise.all([
      this.commodities.monthsOf(this.site.id, viewer, participantId, [month, previousKey]),
      this.commodities.hoursOf(this.site.id, viewer, participantId, from, to),
    ]);
    const commodityMonths = commodityRows
      .filter((r) => r.month === month)
      .map((r) => ({
        commodity: r.commodity,
        quantity: r.quantity,
        previousQuantity: commodityRows.find((p) => p.month === previousKey && p.commodity === r.commodity)?.quantity,
        peers: r.peers,
      }));
    const steps: ReportStep[] = data.steps.map((s) => {
      const price = priceAt(s.ts, this.site.tariff, tz, undefined, this.site.priceSeries);
      return {
        start: s.ts,
        consumptionWh: s.consumptionWh,
        allocatedWh: s.allocatedWh,
        importEurPerKWh: price.importEurPerKWh,
        period: price.period,
      };
    });
    const last = data.steps[data.steps.length - 1];
    return residentReport({
      participantId,
      month,
      timeZone: tz,
      localEurPerKWh: this.site.tariff.feedInEurPerKWh,
      steps,
      dataUntil: last ? new Date(last.ts.getTime() + STEP_MS) : undefined,
      previousMonthKWh: data.previousMonthKWh,
      peersKWh: data.peersKWh,
      effacements: data.effacements.map((e) => ({
        id: e.signalKey,
        start: e.startsAt,
        end: e.endsAt,
        deliveredWh: e.deliveredWh,
      })),
      commodityMonths,
      commodityHours,
      commodityPrices: this.site.commodities,
    });
  }
}
