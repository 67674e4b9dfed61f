import { DataSource, EntityManager } from 'typeorm';
import { LedgerMarkRepository } from './ledger-marks';
import { numberArrayLiteral, textArrayLiteral } from './pg-array';
import { asViewer, Viewer } from './resident-access';
import { ViewerTickets } from './viewer-tickets';

/** One participant's 15-min step: what it consumed and the part of the îlot's production allocated to it. */
export interface LedgerStep {
  participantId: string;
  ts: Date;
  consumptionWh: number;
  allocatedWh: number;
}

/** One participant's local month: its total and the totals of similar homes (no ids: anonymous). */
export interface LedgerMonth {
  participantId: string;
  month: string;
  consumptionKWh: number;
  peersKWh: number[];
}

/** One participant's part in an effacement order. */
export interface LedgerEffacement {
  participantId: string;
  signalKey: string;
  startsAt: Date;
  endsAt: Date;
  deliveredWh: number;
}

/** What a report reads of one participant's month, as the viewer may see it. */
export interface ParticipantMonth {
  steps: Array<{ ts: Date; consumptionWh: number; allocatedWh: number }>;
  peersKWh: number[];
  previousMonthKWh?: number;
  effacements: LedgerEffacement[];
}

const OPERATOR: Viewer = { role: 'operator' };
/** The advisory lock class of the ledger's writers (the key is the site's); migrations use 7110101 alone. */
const WRITER_LOCK_CLASS = 7_110_102;

/**
 * All the SQL on the resident ledger (migration 5). The operator's side writes it (`write*`, on the owner's
 * connection); reports read it (`participantMonth`, on the API role's connection). Every statement runs in a
 * transaction that says who asks, so row-level security filters it.
 */
export class ResidentLedgerRepository {
  private tickets: Promise<ViewerTickets> | undefined;
  /** Where late readings ask the ledger to be computed again from (ledger_marks), on the writer's connection. */
  readonly marks: LedgerMarkRepository;

  /**
   * `tickets`: the viewer tickets' key, read on the owner's connection; the API role's repository is given it.
   * Without it, the repository reads the key on its own connection (the owner's: the ledger's writers, the CLI).
   */
  constructor(
    private readonly db: DataSource,
    tickets?: ViewerTickets,
  ) {
    if (tickets) this.tickets = Promise.resolve(tickets);
    this.marks = new LedgerMarkRepository(db);
  }

  /** Runs `work` in a transaction under `viewer`'s ticket (row-level security filters what it reads and writes). */
  async viewing<T>(siteId: string, viewer: Viewer, work: (m: EntityManager) => Promise<T>): Promise<T> {
    this.tickets ??= ViewerTickets.load(this.db);
    return asViewer(this.db, await this.tickets, siteId, viewer, work);
  }

  /**
   * Runs `work` holding the site's writer lock (two metrics apps would compute the same steps twice). Without
   * `wait`, answers `busy` at once when another process holds it; with it, waits for it. A session-level advisory
   * lock, on a connection of its own.
   */
  async asWriter<T>(
    siteId: string,
    work: () => Promise<T>,
    wait = false,
  ): Promise<{ busy: true } | { busy: false; value: T }> {
    const runner = this.db.createQueryRunner();
    try {
      const [{ locked }] = (await runner.query(
        wait
          ? 'SELECT true AS locked FROM pg_advisory_lock($1, hashtext($2))'
          : 'SELECT pg_try_advisory_lock($1, hashtext($2)) AS locked',
        [WRITER_LOCK_CLASS, siteId],
      )) as Array<{ locked: boolean }>;
      if (!locked) return { busy: true };
      try {
        return { busy: false, value: await work() };
      } finally {
        await runner.query('SELECT pg_advisory_unlock($1, hashtext($2))', [WRITER_LOCK_CLASS, siteId]);
      }
    } finally {
      await runner.release();
    }
  }

  /** The start of the newest step written for the site, if any. */
  async newestStep(siteId: string): Promise<Date | undefined> {
    const rows: Array<{ ts: Date | null }> = await this.viewing(siteId, OPERATOR, (m) =>
      m.query('SELECT max(ts) AS ts FROM participant_steps WHERE site_id = $1', [siteId]),
    );
    return rows[0].ts ?? undefined;
  }

  /** Writes the steps, or rewrites them (readings may arrive late). */
  async writeSteps(siteId: string, steps: readonly LedgerStep[]): Promise<void> {
    if (steps.length === 0) return;
    await this.viewing(siteId, OPERATOR, (m) =>
      m.query(
        `INSERT INTO participant_steps (site_id, participant_id, ts, consumption_wh, allocated_wh)
         SELECT $1, * FROM unnest($2::text[], $3::timestamptz[], $4::float8[], $5::float8[])
         ON CONFLICT (site_id, participant_id, ts) DO UPDATE SET consumption_wh = EXCLUDED.consumption_wh, allocated_wh = EXCLUDED.allocated_wh`,
        [
          siteId,
          textArrayLiteral(steps.map((s) => s.participantId)),
          textArrayLiteral(steps.map((s) => s.ts.toISOString())),
          numberArrayLiteral(steps.map((s) => s.consumptionWh)),
          numberArrayLiteral(steps.map((s) => s.allocatedWh)),
        ],
      ),
    );
  }

  /**
   * Deletes what is older than the retention: steps before `before`, months before `beforeMonth`, orders that ended
   * before `before`. Returns the steps deleted.
   */
  async deleteBefore(siteId: string, before: Date, beforeMonth: string): Promise<number> {
    return this.viewing(siteId, OPERATOR, async (m) => {
      const [, deleted] = (await m.query('DELETE FROM participant_steps WHERE site_id = $1 AND ts < $2', [
        siteId,
        before.toISOString(),
      ])) as [unknown, number];
      await m.query('DELETE FROM participant_months WHERE site_id = $1 AND month < $2', [siteId, beforeMonth]);
      await m.query('DELETE FROM participant_effacements WHERE site_id = $1 AND ends_at < $2', [
        siteId,
        before.toISOString(),
      ]);
      return deleted;
    });
  }

  /** Every participant's steps written in [from, to) (the operator's view: the PMO's month, issue 29). */
  async stepsBetween(siteId: string, from: Date, to: Date): Promise<LedgerStep[]> {
    const rows: Array<{ participant_id: string; ts: Date; consumption_wh: number; allocated_wh: number }> =
      await this.viewing(siteId, OPERATOR, (m) =>
        m.query(
          `SELECT participant_id, ts, consumption_wh, allocated_wh FROM participant_steps
            WHERE site_id = $1 AND ts >= $2 AND ts < $3 ORDER BY ts, participant_id`,
          [siteId, from.toISOString(), to.toISOString()],
        ),
      );
    return rows.map((r) => ({
      participantId: r.participant_id,
      ts: r.ts,
      consumptionWh: Number(r.consumption_wh),
      allocatedWh: Number(r.allocated_wh),
    }));
  }

  /** Each participant's consumption in [from, to), kWh, from the steps written. */
  async totalsKWh(siteId: string, from: Date, to: Date): Promise<Map<string, number>> {
    const rows: Array<{ participant_id: string; kwh: number }> = await this.viewing(siteId, OPERATOR, (m) =>
      m.query(
        `SELECT participant_id, sum(consumption_wh) / 1000 AS kwh FROM participant_steps
          WHERE site_id = $1 AND ts >= $2 AND ts < $3 GROUP BY participant_id`,
        [siteId, from.toISOString(), to.toISOString()],
      ),
    );
    return new Map(rows.map((r) => [r.participant_id, Number(r.kwh)]));
  }

  /** Writes the months in one statement, as the steps (each row's peers go as an array literal, cast back). */
  async writeMonths(siteId: string, months: readonly LedgerMonth[]): Promise<void> {
    if (months.length === 0) return;
    await this.viewing(siteId, OPERATOR, (m) =>
      m.query(
        `INSERT INTO participant_months (site_id, participant_id, month, consumption_kwh, peers_kwh)
         SELECT $1, participant_id, month, kwh, peers::float8[] FROM unnest($2::text[], $3::text[], $4::float8[], $5::text[]) AS r(participant_id, month, kwh, peers)
         ON CONFLICT (site_id, participant_id, month) DO UPDATE SET consumption_kwh = EXCLUDED.consumption_kwh, peers_kwh = EXCLUDED.peers_kwh`,
        [
          siteId,
          textArrayLiteral(months.map((r) => r.participantId)),
          textArrayLiteral(months.map((r) => r.month)),
          numberArrayLiteral(months.map((r) => r.consumptionKWh)),
          textArrayLiteral(months.map((r) => numberArrayLiteral(r.peersKWh))),
        ],
      ),
    );
  }

  async writeEffacements(siteId: string, effacements: readonly LedgerEffacement[]): Promise<void> {
    if (effacements.length === 0) return;
    await this.viewing(siteId, OPERATOR, (m) =>
      m.query(
        `INSERT INTO participant_effacements (site_id, participant_id, signal_key, starts_at, ends_at, delivered_wh)
         SELECT $1, * FROM unnest($2::text[], $3::text[], $4::timestamptz[], $5::timestamptz[], $6::float8[])
         ON CONFLICT (site_id, participant_id, signal_key) DO UPDATE
           SET starts_at = EXCLUDED.starts_at, ends_at = EXCLUDED.ends_at, delivered_wh = EXCLUDED.delivered_wh`,
        [
          siteId,
          textArrayLiteral(effacements.map((e) => e.participantId)),
          textArrayLiteral(effacements.map((e) => e.signalKey)),
          textArrayLiteral(effacements.map((e) => e.startsAt.toISOString())),
          textArrayLiteral(effacements.map((e) => e.endsAt.toISOString())),
          numberArrayLiteral(effacements.map((e) => e.deliveredWh)),
        ],
      ),
    );
  }

  /** The months the ledger holds for a participant, oldest first, as the viewer may see them. */
  async monthsOf(siteId: string, viewer: Viewer, participantId: string): Promise<string[]> {
    return this.viewing(siteId, viewer, async (m) => {
      const rows: Array<{ month: string }> = await m.query(
        `SELECT month FROM participant_months WHERE site_id = $1 AND participant_id = $2 ORDER BY month`,
        [siteId, participantId],
      );
      return rows.map((r) => r.month);
    });
  }

  /**
   * One participant's month [from, to) as `viewer` may see it, in one transaction: the steps, the month's peers,
   * the previous month's total and the effacement orders overlapping the month. A viewer who may not see this
   * participant gets an empty month: the database filters it, whatever the query asks.
   */
  async participantMonth(
    siteId: string,
    viewer: Viewer,
    participantId: string,
    month: { key: string; from: Date; to: Date; previousKey: string },
  ): Promise<ParticipantMonth> {
    return this.viewing(siteId, viewer, async (m) => {
      const steps: Array<{ ts: Date; consumption_wh: number; allocated_wh: number }> = await m.query(
        `SELECT ts, consumption_wh, allocated_wh FROM participant_steps
          WHERE site_id = $1 AND participant_id = $2 AND ts >= $3 AND ts < $4 ORDER BY ts`,
        [siteId, participantId, month.from.toISOString(), month.to.toISOString()],
      );
      const months = await monthRows(m, siteId, participantId, [month.key, month.previousKey]);
      const effacements: Array<{ signal_key: string; starts_at: Date; ends_at: Date; delivered_wh: number }> =
        await m.query(
          `SELECT signal_key, starts_at, ends_at, delivered_wh FROM participant_effacements
          WHERE site_id = $1 AND participant_id = $2 AND ends_at > $3 AND starts_at < $4 ORDER BY starts_at, signal_key`,
          [siteId, participantId, month.from.toISOString(), month.to.toISOString()],
        );
      return {
        steps: steps.map((s) => ({ ts: s.ts, consumptionWh: s.consumption_wh, allocatedWh: s.allocated_wh })),
        peersKWh: months.get(month.key)?.peers_kwh ?? [],
        previousMonthKWh: months.get(month.previousKey)?.consumption_kwh,
        effacements: effacements.map((e) => ({
          participantId,
          signalKey: e.signal_key,
          startsAt: e.starts_at,
          endsAt: e.ends_at,
          deliveredWh: e.delivered_wh,
        })),
      };
    });
  }
}

async function monthRows(m: EntityManager, siteId: string, participantId: string, keys: string[]) {
  const rows: Array<{ month: string; consumption_kwh: number; peers_kwh: number[] }> = await m.query(
    `SELECT month, consumption_kwh, peers_kwh FROM participant_months WHERE site_id = $1 AND participant_id = $2 AND month = ANY($3)`,
    [siteId, participantId, keys],
  );
  return new Map(rows.map((r) => [r.month, r]));
}
