import type { EntityManager } from 'typeorm';
import { numberArrayLiteral, textArrayLiteral } from './pg-array';
import type { Viewer } from './resident-access';
import type { ResidentLedgerRepository } from './resident-ledger.repository';

export type LedgerCommodity = 'gas' | 'water' | 'heat';
export interface CommodityHour {
  participantId: string;
  commodity: LedgerCommodity;
  hour: Date;
  /** In the meter's unit: m³ (gas), L (water), Wh (heat). */
  quantity: number;
}
export interface CommodityMonth {
  participantId: string;
  commodity: LedgerCommodity;
  month: string;
  quantity: number;
  /** The month's quantities of the others who meter the commodity, anonymous. */
  peers: number[];
}
const OPERATOR: Viewer = { role: 'operator' };

/**
 * The participants' gas, water and heat by hour and by month (migration 16), under the resident ledger's row-level
 * security: written on the operator's side by the ledger job, read by the API as the viewer may see them.
 */
export class ParticipantCommodityRepository {
  constructor(private readonly ledger: ResidentLedgerRepository) {}

  /** Writes the hours, or rewrites them (readings may arrive late). */
  async writeHours(siteId: string, hours: readonly CommodityHour[]): Promise<void> {
    if (hours.length === 0) return;
    await this.ledger.viewing(siteId, OPERATOR, (m) =>
      m.query(
        `INSERT INTO participant_commodity_hours (site_id, participant_id, commodity, hour, quantity)
         SELECT $1, * FROM unnest($2::text[], $3::text[], $4::timestamptz[], $5::float8[])
         ON CONFLICT (site_id, participant_id, commodity, hour) DO UPDATE SET quantity = EXCLUDED.quantity`,
        [
          siteId,
          textArrayLiteral(hours.map((h) => h.participantId)),
          textArrayLiteral(hours.map((h) => h.commodity)),
          textArrayLiteral(hours.map((h) => h.hour.toISOString())),
          numberArrayLiteral(hours.map((h) => h.quantity)),
        ],
      ),
    );
  }

  /** Each participant's total per commodity over [from, to) (the operator's side, to make the months). */
  async totals(siteId: string, from: Date, to: Date): Promise<Array<Omit<CommodityHour, 'hour'>>> {
    return this.ledger.viewing(siteId, OPERATOR, async (m) => {
      const rows: Array<{ participant_id: string; commodity: LedgerCommodity; quantity: number }> = await m.query(
        `SELECT participant_id, commodity, sum(quantity) AS quantity FROM participant_commodity_hours
          WHERE site_id = $1 AND hour >= $2 AND hour < $3 GROUP BY 1, 2 ORDER BY 1, 2`,
        [siteId, from.toISOString(), to.toISOString()],
      );
      return rows.map((r) => ({
        participantId: r.participant_id,
        commodity: r.commodity,
        quantity: Number(r.quantity),
      }));
    });
  }

  async writeMonths(siteId: string, months: readonly CommodityMonth[]): Promise<void> {
    if (months.length === 0) return;
    await this.ledger.viewing(siteId, OPERATOR, async (m) => {
      for (const month of months)
        await m.query(
          `INSERT INTO participant_commodity_months (site_id, participant_id, commodity, month, quantity, peers)
           VALUES ($1, $2, $3, $4, $5, $6::float8[])
           ON CONFLICT (site_id, participant_id, commodity, month) DO UPDATE SET quantity = EXCLUDED.quantity, peers = EXCLUDED.peers`,
          [siteId, month.participantId, month.commodity, month.month, month.quantity, numberArrayLiteral(month.peers)],
        );
    });
  }

  /** One participant's months given (e.g. this one and the one before), per commodity, as `viewer` may see them. */
  async monthsOf(
    siteId: string,
    viewer: Viewer,
    participantId: string,
    months: readonly string[],
  ): Promise<CommodityMonth[]> {
    return this.ledger.viewing(siteId, viewer, async (m) => {
      const rows: Array<{ commodity: LedgerCommodity; month: string; quantity: number; peers: number[] }> =
        await m.query(
          `SELECT commodity, month, quantity, peers FROM participant_commodity_months
          WHERE site_id = $1 AND participant_id = $2 AND month = ANY($3) ORDER BY commodity, month`,
          [siteId, participantId, months],
        );
      return rows.map((r) => ({
        participantId,
        commodity: r.commodity,
        month: r.month,
        quantity: r.quantity,
        peers: r.peers,
      }));
    });
  }

  /** One participant's hours in [from, to), as `viewer` may see them. */
  async hoursOf(siteId: string, viewer: Viewer, participantId: string, from: Date, to: Date): Promise<CommodityHour[]> {
    return this.ledger.viewing(siteId, viewer, (m: EntityManager) => hourRows(m, siteId, participantId, from, to));
  }
}

async function hourRows(
  m: EntityManager,
  siteId: string,
  participantId: string,
  from: Date,
  to: Date,
): Promise<CommodityHour[]> {
  const rows: Array<{ commodity: LedgerCommodity; hour: Date; quantity: number }> = await m.query(
    `SELECT commodity, hour, quantity FROM participant_commodity_hours
      WHERE site_id = $1 AND participant_id = $2 AND hour >= $3 AND hour < $4 ORDER BY hour, commodity`,
    [siteId, participantId, from.toISOString(), to.toISOString()],
  );
  return rows.map((r) => ({ participantId, commodity: r.commodity, hour: r.hour, quantity: r.quantity }));
}
