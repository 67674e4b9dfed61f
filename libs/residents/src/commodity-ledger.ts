import { HOUR_MS, localMonthRange } from '@ilot/domain';
import { COMMODITIES, COMMODITY_METERS, type Commodity, type Site } from '@ilot/site';
import type { CommodityMonth, CommodityReadingRepository, ParticipantCommodityRepository } from '@ilot/timeseries';

/**
 * The ledger's gas, water and heat (issue 16): each participant's meters summed by hour from the hourly aggregate,
 * then each local month's total with the anonymous totals of the others of the same kind who meter the commodity
 * (flats with flats), as the electricity ledger does.
 */
export class CommodityLedger {
  private readonly owners: Map<string, { participantId: string; commodity: Commodity }>;

  constructor(
    private readonly site: Site,
    private readonly readings: CommodityReadingRepository,
    private readonly store: ParticipantCommodityRepository,
  ) {
    this.owners = new Map(
      site.participants.flatMap((p) =>
        COMMODITIES.flatMap((commodity) => {
          const meterId = p[COMMODITY_METERS[commodity].participantField];
          return meterId ? [[meterId, { participantId: p.id, commodity }] as const] : [];
        }),
      ),
    );
  }

  /** Writes the hours of [from, to) (from its hour's start) and the local months given; returns the hours written. */
  async write(from: Date, to: Date, months: readonly string[]): Promise<number> {
    if (this.owners.size === 0) return 0;
    const hourFrom = new Date(Math.floor(from.getTime() / HOUR_MS) * HOUR_MS);
    const rows = await this.readings.hourly(this.site.id, [...this.owners.keys()], hourFrom, to);
    await this.store.writeHours(
      this.site.id,
      rows.map((r) => ({ ...this.owners.get(r.deviceId)!, hour: r.hour, quantity: r.quantity })),
    );
    for (const month of months) await this.store.writeMonths(this.site.id, await this.monthsOf(month));
    return rows.length;
  }

  private async monthsOf(month: string): Promise<CommodityMonth[]> {
    const { from, to } = localMonthRange(month, this.site.timezone);
    const totals = await this.store.totals(this.site.id, from, to);
    const kindOf = new Map(this.site.participants.map((p) => [p.id, p.kind]));
    return totals.map((t) => ({
      ...t,
      month,
      peers: totals
        .filter((o) => o.commodity === t.commodity && o.participantId !== t.participantId)
        .filter((o) => kindOf.get(o.participantId) === kindOf.get(t.participantId))
        .map((o) => o.quantity),
    }));
  }
}
