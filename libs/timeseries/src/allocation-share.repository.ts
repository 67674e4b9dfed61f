import { DataSource } from 'typeorm';
import { numberArrayLiteral, textArrayLiteral } from './pg-array';

/** All the SQL on `allocation_shares`: the operator's shares of a `dynamic-custom` key. */
export class AllocationShareRepository {
  constructor(private readonly db: DataSource) {}

  /** Stores the steps' shares; a step given again loses its earlier shares (a participant left out has none). */
  async replace(
    siteId: string,
    steps: ReadonlyArray<{ start: Date; shares: ReadonlyMap<string, number> }>,
    receivedAt: Date,
  ): Promise<void> {
    const rows = steps.flatMap((s) =>
      [...s.shares].map(([participantId, share]) => ({ ts: s.start.toISOString(), participantId, share })),
    );
    await this.db.transaction(async (m) => {
      await m.query('DELETE FROM allocation_shares WHERE site_id = $1 AND ts = ANY($2::timestamptz[])', [
        siteId,
        textArrayLiteral(steps.map((s) => s.start.toISOString())),
      ]);
      if (rows.length === 0) return;
      await m.query(
        `INSERT INTO allocation_shares (site_id, ts, participant_id, share, received_at)
         SELECT $1, ts, participant_id, share, $5 FROM unnest($2::timestamptz[], $3::text[], $4::float8[]) AS r(ts, participant_id, share)`,
        [
          siteId,
          textArrayLiteral(rows.map((r) => r.ts)),
          textArrayLiteral(rows.map((r) => r.participantId)),
          numberArrayLiteral(rows.map((r) => r.share)),
          receivedAt.toISOString(),
        ],
      );
    });
  }

  /** The shares of the steps starting in [from, to), by step start (ms). A step without a row has none given. */
  async between(siteId: string, from: Date, to: Date): Promise<Map<number, Map<string, number>>> {
    const rows: Array<{ ts: Date; participant_id: string; share: number }> = await this.db.query(
      'SELECT ts, participant_id, share FROM allocation_shares WHERE site_id = $1 AND ts >= $2 AND ts < $3',
      [siteId, from.toISOString(), to.toISOString()],
    );
    const steps = new Map<number, Map<string, number>>();
    for (const r of rows) {
      const step = steps.get(r.ts.getTime()) ?? new Map<string, number>();
      step.set(r.participant_id, r.share);
      steps.set(r.ts.getTime(), step);
    }
    return steps;
  }
}
