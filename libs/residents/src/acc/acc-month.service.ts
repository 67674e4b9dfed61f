import {
  type CurvePoint,
  DEFAULT_DISTRIBUTOR_FILE_FORMAT,
  DEFAULT_KEY_FILE_FORMAT,
  type DistributorFileFormat,
  type KeyFileFormat,
  type KeyTable,
  monthKeyTable,
  parseDistributorFile,
  reconcile,
  type ReconcileLine,
  stepStarts,
  writeKeyFile,
} from '@ilot/acc';
import {
  type Checked,
  localDateTime,
  localMonthRange,
  type Reading,
  refused,
  SETTLEMENT_STEP_MS,
  slotStart,
} from '@ilot/domain';
import { allocationKeyOn, isMemberAt, type Site } from '@ilot/site';
import {
  AccRepository,
  AllocationShareRepository,
  ReadingRepository,
  ResidentLedgerRepository,
} from '@ilot/timeseries';
import type { DataSource } from 'typeorm';
import { residentLedgerOn, type ResidentLedgerService } from '../resident-ledger.service';
import { accPoints, type AccPoints, producersAllocated, reconcilePoints } from './acc-points';
import type { DataConnectClient, DataConnectRefusal } from './data-connect.client';

export type AccRefusal = 'not-acc' | 'no-file' | 'invalid';

/** One key file as written and kept. */
export interface KeyFile {
  fileName: string;
  text: string;
  sha256: string;
  /** The producer whose production it shares (a full dynamic key: one file per producer's injection point). */
  producer?: { id: string; prm: string };
}

export interface KeyFileWritten {
  /** One file (one per producer for a full dynamic key). */
  files: KeyFile[];
  steps: number;
  /**
   * Members' steps the îlot has no reading for: their coefficient there is 0 (nothing to share by), so the
   * distributor allocates them nothing; `ilot acc curve` fills them from the Linky before the file is sent.
   */
  gaps: Array<{ participantId: string; steps: number }>;
}

export interface DistributorImport {
  importId: number;
  rows: number;
  /** The operation's delivery points the file does not mention (the reconciliation will show their steps missing). */
  pointsAbsent: string[];
}

/**
 * The PMO's month of a collective self-consumption operation on the public grid (issue 29 §2, §3), on the owner's
 * connection: the key file from the ledger, the distributor's data imported, and the two reconciled. The ledger
 * applies the coefficients as sent, so that the îlot and the distributor share the month by the same numbers.
 */
export class AccMonthService {
  private readonly points: AccPoints;

  constructor(
    private readonly site: Site,
    private readonly ledgerWriter: ResidentLedgerService,
    private readonly ledger: ResidentLedgerRepository,
    private readonly shares: AllocationShareRepository,
    private readonly readings: ReadingRepository,
    private readonly acc: AccRepository,
    private readonly formats: { key: KeyFileFormat; distributor: DistributorFileFormat } = {
      key: DEFAULT_KEY_FILE_FORMAT,
      distributor: DEFAULT_DISTRIBUTOR_FILE_FORMAT,
    },
  ) {
    this.points = accPoints(site);
  }

  private notAcc(): Checked<never, AccRefusal> | undefined {
    return this.site.topology === 'public-grid-acc'
      ? undefined
      : refused('not-acc', `site "${this.site.id}" is not an operation on the public grid (topology public-grid-acc)`);
  }

  /**
   * Writes the month's key file, validated, from the ledger brought up to date first; stores the coefficients as
   * sent as the month's shares and computes the month's ledger again with them; keeps the file.
   */
  async keys(month: string, now: Date): Promise<Checked<KeyFileWritten, AccRefusal>> {
    const refusal = this.notAcc();
    if (refusal) return refusal;
    // A key changes at a month's start (allocation.history): the month's is the one of its first day.
    const kind = allocationKeyOn(this.site, `${month}-01`);
    if (kind === 'dynamic-default')
      return refused(
        'no-file',
        `the key of ${month} is dynamic-default: the distributor shares by consumption, no file is sent`,
      );
    await this.ledgerWriter.catchUp(now, { wait: true });
    const { from, to } = localMonthRange(month, this.site.timezone);
    const consumptionWh = new Map<number, Map<string, number>>();
    for (const step of await this.ledger.stepsBetween(this.site.id, from, to)) {
      const byParticipant = consumptionWh.get(step.ts.getTime()) ?? new Map<string, number>();
      byParticipant.set(step.participantId, step.consumptionWh);
      consumptionWh.set(step.ts.getTime(), byParticipant);
    }
    const tables = await this.keyTables(kind, month, consumptionWh);
    const files: KeyFile[] = [];
    const sentByProducer = new Map<number, Map<string, Map<string, number>>>();
    const idOf = new Map(this.points.consumers.map((c) => [c.prm, c.id]));
    for (const { producer, table } of tables) {
      const written = writeKeyFile(table, { month, timezone: this.site.timezone }, this.formats.key);
      if (!written.ok)
        return producer ? { ...written, problems: written.problems.map((p) => `${producer.id}: ${p}`) } : written;
      for (const s of written.value.sent.steps) {
        const step = sentByProducer.get(s.start.getTime()) ?? new Map<string, Map<string, number>>();
        step.set(producer?.id ?? '', new Map([...s.shares].map(([prm, share]) => [idOf.get(prm)!, share])));
        sentByProducer.set(s.start.getTime(), step);
      }
      const fileName = `cles-${this.site.id}-${month}${producer ? `-${producer.prm}` : ''}.csv`;
      const sha256 = await this.acc.keepKeyFile(this.site.id, month, fileName, written.value.text, now);
      files.push({ fileName, text: written.value.text, sha256, ...(producer ? { producer } : {}) });
    }
    if (kind !== 'static') {
      const sent = [...sentByProducer].map(([ms, byProducer]) => ({ start: new Date(ms), byProducer }));
      if (kind === 'dynamic-full') await this.shares.replaceByProducer(this.site.id, sent, now);
      else
        await this.shares.replace(
          this.site.id,
          sent.map((s) => ({ start: s.start, shares: s.byProducer.get('')! })),
          now,
        );
      await this.ledgerWriter.recompute(from, to);
    }
    const steps = tables[0]?.table.steps ?? [];
    const gaps = this.site.participants
      .filter((p) => p.prm)
      .map((p) => ({
        participantId: p.id,
        steps: steps.filter(
          (s) => isMemberAt(p, s.start, this.site.timezone) && !consumptionWh.get(s.start.getTime())?.has(p.id),
        ).length,
      }))
      .filter((g) => g.steps > 0);
    return { ok: true, value: { files, steps: steps.length, gaps } };
  }

  /**
   * The month's coefficients as tables for the key files: one of the whole production (static, dynamique simple), or
   * one per producer (full dynamic). Steps the PMO gave no shares for get the default key written as coefficients.
   */
  private async keyTables(
    kind: 'static' | 'dynamic-custom' | 'dynamic-full',
    month: string,
    consumptionWh: ReadonlyMap<number, ReadonlyMap<string, number>>,
  ): Promise<Array<{ producer?: { id: string; prm: string }; table: KeyTable }>> {
    const { from, to } = localMonthRange(month, this.site.timezone);
    const base = {
      stepStarts: stepStarts(from, to, SETTLEMENT_STEP_MS),
      consumers: this.points.consumers,
      consumptionWh,
    };
    if (kind === 'static')
      return [
        {
          table: monthKeyTable({
            ...base,
            staticShares: new Map(this.site.participants.map((p) => [p.id, p.staticShare ?? 0])),
          }),
        },
      ];
    if (kind === 'dynamic-custom')
      return [{ table: monthKeyTable({ ...base, givenShares: await this.shares.between(this.site.id, from, to) }) }];
    const given = await this.shares.byProducerBetween(this.site.id, from, to);
    // A producer left out of a step the PMO gave gives nobody anything there.
    return this.points.producers.map((producer) => ({
      producer,
      table: monthKeyTable({
        ...base,
        givenShares: new Map([...given].map(([ms, byProducer]) => [ms, byProducer.get(producer.id) ?? new Map()])),
      }),
    }));
  }

  /** Imports the distributor's month (replacing an earlier import of it); refused with every problem, storing nothing. */
  async import(month: string, text: string, now: Date): Promise<Checked<DistributorImport, AccRefusal>> {
    const refusal = this.notAcc();
    if (refusal) return refusal;
    const parsed = parseDistributorFile(text, { month, timezone: this.site.timezone }, this.formats.distributor);
    if (!parsed.ok) return parsed;
    const roles = new Map<string, 'consumer' | 'producer'>([
      ...this.points.consumers.map((c) => [c.prm, 'consumer'] as const),
      ...this.points.producers.map((p) => [p.prm, 'producer'] as const),
    ]);
    const problems = new Set<string>();
    for (const row of parsed.value) {
      const role = roles.get(row.prm);
      if (!role) problems.add(`${row.prm}: not a delivery point of site "${this.site.id}"`);
      else if (role !== row.role) problems.add(`${row.prm}: a ${role} of the operation, given as a ${row.role}`);
    }
    if (problems.size) return { ok: false, reason: 'invalid', problems: [...problems] };
    const importId = await this.acc.replaceDistributorMonth(this.site.id, month, parsed.value, text, now);
    const present = new Set(parsed.value.map((r) => r.prm));
    return {
      ok: true,
      value: {
        importId,
        rows: parsed.value.length,
        pointsAbsent: [...roles.keys()].filter((prm) => !present.has(prm)),
      },
    };
  }

  /** Reconciles the month's ledger with the distributor's data last imported, and stores the result. */
  async reconcile(month: string, now: Date): Promise<Checked<ReconcileLine[], AccRefusal>> {
    const refusal = this.notAcc();
    if (refusal) return refusal;
    const distributor = await this.acc.distributorMonth(this.site.id, month);
    if (distributor.length === 0)
      return refused('no-file', `no distributor data imported for ${month}: ilot acc import --month ${month} first`);
    await this.ledgerWriter.catchUp(now, { wait: true });
    const { from, to } = localMonthRange(month, this.site.timezone);
    const starts = stepStarts(from, to, SETTLEMENT_STEP_MS);
    const [ledgerSteps, production] = await Promise.all([
      this.ledger.stepsBetween(this.site.id, from, to),
      this.readings.bucketedByDevice(
        this.site.id,
        this.points.producers.map((p) => p.id),
        from,
        to,
        15,
      ),
    ]);
    const byProducer =
      allocationKeyOn(this.site, `${month}-01`) === 'dynamic-full'
        ? await this.shares.byProducerBetween(this.site.id, from, to)
        : undefined;
    const producerAllocatedWh =
      byProducer && producersAllocated(ledgerSteps, production, (start) => byProducer.get(start.getTime()));
    const lines = reconcile(
      reconcilePoints(this.points, ledgerSteps, production, distributor, producerAllocatedWh),
      starts,
    );
    await this.acc.replaceReconciliation(this.site.id, month, lines, now);
    return { ok: true, value: lines };
  }

  /**
   * Fills a participant's gaps in the îlot's readings of the month from its Linky curve through Data Connect (issue 29
   * §3; the participant consented at Enedis, else `no-consent`): each 15-min step of its meter the îlot has no reading
   * for gets the curve's mean power there; then the month's ledger is computed again. Up to yesterday (local).
   */
  async fillFromDataConnect(
    participantId: string,
    month: string,
    client: DataConnectClient,
    now: Date,
  ): Promise<Checked<{ points: number; stepsFilled: number }, AccRefusal | DataConnectRefusal>> {
    const refusal = this.notAcc();
    if (refusal) return refusal;
    const participant = this.site.participants.find((p) => p.id === participantId);
    if (!participant?.prm)
      return refused('invalid', `no participant "${participantId}" with a PRM in "${this.site.id}"`);
    const { from, to } = localMonthRange(month, this.site.timezone);
    const today = localDateTime(now, this.site.timezone).date;
    const lastDate = localDateTime(new Date(to.getTime() - 1), this.site.timezone).date;
    const toDate = today <= lastDate ? today : nextDate(lastDate);
    const curve = await client.loadCurve(participant.prm, `${month}-01`, toDate, this.site.timezone);
    if (!curve.ok) return curve;
    const known = new Set(
      (await this.readings.bucketedByDevice(this.site.id, [participant.meter], from, to, 15)).map((b) =>
        b.bucket.getTime(),
      ),
    );
    const readings = curveReadings(this.site.id, participant.meter, curve.value).filter(
      (r) => !known.has(slotStart(r.ts, SETTLEMENT_STEP_MS).getTime()) && r.ts >= from && r.ts < to,
    );
    await this.readings.insertBatch(readings, now);
    if (readings.length) await this.ledgerWriter.recompute(from, to);
    return {
      ok: true,
      value: {
        points: curve.value.length,
        stepsFilled: new Set(readings.map((r) => slotStart(r.ts, SETTLEMENT_STEP_MS).getTime())).size,
      },
    };
  }
}

const nextDate = (date: string): string =>
  new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

/** A load curve as readings of the meter: one at each 15-min step an interval covers (one at its start when shorter). */
function curveReadings(siteId: string, deviceId: string, points: readonly CurvePoint[]): Reading[] {
  return points.flatMap((p) => {
    const steps = Math.max(Math.floor(p.minutes / 15), 1);
    return Array.from({ length: steps }, (_, k) => ({
      siteId,
      deviceId,
      ts: new Date(p.start.getTime() + k * SETTLEMENT_STEP_MS),
      // Not from the controller's sequence: a backfill.
      seq: 0,
      powerW: p.powerW,
    }));
  });
}

/** The PMO's month of a site on the owner's connection, outside Nest (`ilot acc`, tests). */
export function accMonthOn(site: Site, db: DataSource): AccMonthService {
  return new AccMonthService(
    site,
    residentLedgerOn(site, db),
    new ResidentLedgerRepository(db),
    new AllocationShareRepository(db),
    new ReadingRepository(db),
    new AccRepository(db),
  );
}
