import { DataSource } from 'typeorm';
import { numberArrayLiteral, textArrayLiteral } from './pg-array';

/** Per step, per producer, each participant's share of that producer's production (a `dynamic-full` key). */
export type ProducerShares = Map<string, Map<string, number>>;

/** The shares of the whole production (producer ''), or of one producer's, of one participant in one step. */
interface ShareRow {
  ts: string;
  producerId: string;
  participantId: string;
  share: number;
}

/**
 * All the SQL on `allocation_shares`: the operator's shares of a `dynamic-custom` key (of the whole production) and
 * the coefficients of a `dynamic-full` key (of each producer's, migration 23).
 */
export class AllocationShareRepository {
  constructor(private readonly db: DataSource) {}

  /** Stores the steps' shares; a step given again loses its earlier shares (a participant left out has none). */
  async replace(
    siteId: string,
    steps: ReadonlyArray<{ start: Date; shares: ReadonlyMap<string, number> }>,
    receivedAt: Date,
  ): Promise<void> {
    const rows = steps.flatMap((s) =>
      [...s.shares].map(([participantId, share]) => ({
        ts: s.start.toISOString(),
        producerId: '',
        participantId,
        share,
      })),
    );
    await this.write(siteId, steps, rows, receivedAt);
  }

  /** Stores the steps' coefficients by producer, replacing every share given before for those steps. */
  async replaceByProducer(
    siteId: string,
    steps: ReadonlyArray<{ start: Date; byProducer: ReadonlyMap<string, ReadonlyMap<string, number>> }>,
    receivedAt: Date,
  ): Promise<void> {
    const rows = steps.flatMap((s) =>
      [...s.byProducer].flatMap(([producerId, shares]) =>
        [...shares].map(([participantId, share]) => ({ ts: s.start.toISOString(), producerId, participantId, share })),
      ),
    );
    await this.write(siteId, steps, rows, receivedAt);
  }

  private async write(
    siteId: string,
    steps: ReadonlyArray<{ start: Date }>,
    rows: readonly ShareRow[],
    receivedAt: Date,
  ): Promise<void> {
    await this.db.transaction(async (m) => {
      await m.query('DELETE FROM allocation_shares WHERE site_id = $1 AND ts = ANY($2::timestamptz[])', [
        siteId,
        textArrayLiteral(steps.map((s) => s.start.toISOString())),
      ]);
      if (rows.length === 0) return;
      await m.query(
        `INSERT INTO allocation_shares (site_id, ts, producer_id, participant_id, share, received_at)
         SELECT $1, ts, producer_id, participant_id, share, $6
           FROM unnest($2::timestamptz[], $3::text[], $4::text[], $5::float8[]) AS r(ts, producer_id, participant_id, share)`,
        [
          siteId,
          textArrayLiteral(rows.map((r) => r.ts)),
          textArrayLiteral(rows.map((r) => r.producerId)),
          textArrayLiteral(rows.map((r) => r.participantId)),
          numberArrayLiteral(rows.map((r) => r.share)),
          receivedAt.toISOString(),
        ],
      );
    });
  }

  /** The shares of the whole production of the steps starting in [from, to), by step start (ms). A step without a row has none given. */
  async between(siteId: string, from: Date, to: Date): Promise<Map<number, Map<string, number>>> {
    const steps = new Map<number, Map<string, number>>();
    for (const r of await this.rows(siteId, from, to, `producer_id = ''`)) {
      const step = steps.get(r.ts.getTime()) ?? steps.set(r.ts.getTime(), new Map()).get(r.ts.getTime())!;
      step.set(r.participant_id, r.share);
    }
    return steps;
  }

  /** The coefficients by producer of the steps starting in [from, to), by step start (ms); a step without a row has none given. */
  async byProducerBetween(siteId: string, from: Date, to: Date): Promise<Map<number, ProducerShares>> {
    const steps = new Map<number, ProducerShares>();
    for (const r of await this.rows(siteId, from, to, `producer_id <> ''`)) {
      const step = steps.get(r.ts.getTime()) ?? steps.set(r.ts.getTime(), new Map()).get(r.ts.getTime())!;
      const shares = step.get(r.producer_id) ?? step.set(r.producer_id, new Map()).get(r.producer_id)!;
      shares.set(r.participant_id, r.share);
    }
    return steps;
  }

  private rows(
    siteId: string,
    from: Date,
    to: Date,
    which: string,
  ): Promise<Array<{ ts: Date; producer_id: string; participant_id: string; share: number }>> {
    return this.db.query(
      `SELECT ts, producer_id, participant_id, share FROM allocation_shares
        WHERE site_id = $1 AND ts >= $2 AND ts < $3 AND ${which}`,
      [siteId, from.toISOString(), to.toISOString()],
    );
  }
}
