import { Logger } from '@nestjs/common';
import { type AccKey, allocateAccStep } from '@ilot/acc';
import {
  addMs,
  CONSUMING_KINDS,
  describeProblems,
  HOUR_MS,
  localMonth,
  localMonthRange,
  MINUTE_MS,
  shiftMonth,
  slotStart,
} from '@ilot/domain';
import { allocationKeyAt, devicesOfKind, isMemberAt, type Site } from '@ilot/site';
import {
  AllocationShareRepository,
  CommodityReadingRepository,
  EffacementReferences,
  LedgerEffacement,
  LedgerMonth,
  LedgerStep,
  ReadingRepository,
  PlanRepository,
  ParticipantCommodityRepository,
  ResidentLedgerRepository,
  SignalRepository,
  STORAGE_POLICY,
} from '@ilot/timeseries';
import type { DataSource } from 'typeorm';
import { EffacementReportService } from './effacement-report.service';
import { CommodityLedger } from './commodity-ledger';

const STEP_MINUTES = 15;
const STEP_MS = STEP_MINUTES * MINUTE_MS;
const STEP_H = STEP_MINUTES / 60;
/**
 * Steps written less than this long ago are computed again at every run: readings on time, and TimescaleDB's real-time
 * aggregate catching up. A reading later than half of it marks its site (ledger_marks, by ingestion) instead.
 */
export const LEDGER_RECOMPUTE_MS = 2 * STORAGE_POLICY.ledgerLateMarkS * 1000;
/**
 * Once an hour of îlot time, the steps of the marks taken since the last such run are computed again (TimescaleDB folds
 * a late reading into its continuous aggregates at its next refresh, minutes later), and the ledger's retention runs.
 * The first run of a process computes again every step ingestion still accepts readings for.
 */
export const LEDGER_DEEP_EVERY_MS = HOUR_MS;
const LATE_READINGS_MS = STORAGE_POLICY.maxLatenessS * 1000;
/** Steps are computed a day at a time, so that a first run over months of history holds one day of readings at once. */
const CHUNK_MS = 24 * HOUR_MS;

export interface LedgerRun {
  from: Date;
  to: Date;
  steps: number;
  months: string[];
  effacements: number;
}

/**
 * The operator's side of the residents' reports: the allocation needs every participant's consumption, so it
 * runs here, on the owner's connection, and writes each participant's rows of the resident ledger, which
 * row-level security then filters for the report API (ADR 0007).
 *
 * The îlot's production for sharing is its PV and batteries less the buildings' own loads (heat pumps,
 * chargers, water heaters: served first); every participant's meter is a consumer.
 */
export class ResidentLedgerService {
  private readonly logger = new Logger('ResidentLedger');
  /** Runs one at a time: the job's catch-up and a recompute for new shares would write the same steps. */
  private last: Promise<unknown> = Promise.resolve();
  private lastDeepRun?: Date;
  /** The earliest step of the marks cleared since the last deep run, ms: computed again at the next one. */
  private markedSinceDeep?: number;
  private readonly productionIds: string[];
  /** The site's devices: where its readings begin and end (`span`). */
  private readonly deviceIds: string[];
  private readonly sharedLoadIds: string[];

  constructor(
    private readonly site: Site,
    private readonly readings: ReadingRepository,
    private readonly signals: SignalRepository,
    private readonly ledger: ResidentLedgerRepository,
    private readonly effacements: EffacementReportService,
    private readonly customShares: AllocationShareRepository,
    /** The participants' gas, water and heat, written with the electricity (none when the site meters none). */
    private readonly commodities?: CommodityLedger,
  ) {
    this.productionIds = [...devicesOfKind(site, 'pv'), ...devicesOfKind(site, 'battery')].map((d) => d.id);
    const meters = new Set(site.participants.map((p) => p.meter));
    this.sharedLoadIds = [...site.devices.values()]
      .filter((d) => CONSUMING_KINDS.has(d.kind) && !meters.has(d.id))
      .map((d) => d.id);
    this.deviceIds = [...site.devices.keys()];
  }

  /**
   * Writes the steps complete at `now` not written yet, the last LEDGER_RECOMPUTE_MS again and those from the site's
   * mark of late readings (again an hour later, LEDGER_DEEP_EVERY_MS);
   * then the totals of the local months they touch and the participants' part in the effacement orders
   * overlapping them. Undefined when there is nothing to write; `busy` when another process is writing the site's
   * ledger (with `wait`, waits for it instead).
   */
  catchUp(now: Date, options: { wait?: boolean } = {}): Promise<LedgerRun | 'busy' | undefined> {
    return this.serially(() => this.asWriter(() => this.catchUpNow(now), options.wait ?? false));
  }

  /**
   * Computes the steps of [from, to) again (new custom shares, readings come late), then the totals of the
   * local months they touch and the participants' part in the effacement orders overlapping them.
   */
  async recompute(from: Date, to: Date): Promise<LedgerRun | undefined> {
    const run = await this.serially(() => this.asWriter(() => this.write(from, to), true));
    return run === 'busy' ? undefined : run;
  }

  /** One process writes a site's ledger at a time (several metrics apps may run); `busy` when another one does. */
  private async asWriter(
    work: () => Promise<LedgerRun | undefined>,
    wait: boolean,
  ): Promise<LedgerRun | 'busy' | undefined> {
    const held = await this.ledger.asWriter(this.site.id, work, wait);
    return held.busy ? 'busy' : held.value;
  }

  private serially<T>(work: () => Promise<T>): Promise<T> {
    const run = this.last.then(work, work);
    this.last = run.catch(() => undefined);
    return run;
  }

  private async catchUpNow(now: Date): Promise<LedgerRun | undefined> {
    const span = await this.readings.span(this.site.id, this.deviceIds);
    if (!span) return undefined;
    const to = new Date(Math.min(slotStart(now, STEP_MS).getTime(), slotStart(span.last, STEP_MS).getTime() + STEP_MS));
    const [newest, mark] = await Promise.all([
      this.ledger.newestStep(this.site.id),
      this.ledger.marks.of(this.site.id),
    ]);
    const first = slotStart(span.first, STEP_MS).getTime();
    const deep = !this.lastDeepRun || now.getTime() - this.lastDeepRun.getTime() >= LEDGER_DEEP_EVERY_MS;
    const since = (lookbackMs: number) => (newest ? newest.getTime() + STEP_MS - lookbackMs : first);
    const starts = [since(LEDGER_RECOMPUTE_MS), mark?.from.getTime() ?? Infinity];
    if (deep) starts.push(this.lastDeepRun ? (this.markedSinceDeep ?? Infinity) : since(LATE_READINGS_MS));
    const run = await this.write(new Date(Math.max(first, Math.min(...starts))), to);
    if (mark) await this.ledger.marks.clear(this.site.id, mark);
    if (deep) {
      await this.dropExpired(now);
      this.lastDeepRun = now;
      this.markedSinceDeep = undefined;
    }
    if (mark) this.markedSinceDeep = Math.min(this.markedSinceDeep ?? Infinity, mark.from.getTime());
    return run;
  }

  /** Personal data is not kept longer than the 15-min aggregates it is made from: whole local months past the retention go. */
  private async dropExpired(now: Date): Promise<void> {
    const oldestMonth = shiftMonth(localMonth(now, this.site.timezone), -STORAGE_POLICY.residentLedgerRetentionMonths);
    const deleted = await this.ledger.deleteBefore(
      this.site.id,
      localMonthRange(oldestMonth, this.site.timezone).from,
      oldestMonth,
    );
    if (deleted > 0) this.logger.log(`retention: ${deleted} participant-steps before ${oldestMonth} deleted`);
  }

  private async write(from: Date, to: Date): Promise<LedgerRun | undefined> {
    if (from >= to) return undefined;
    let steps = 0;
    for (let chunk = from; chunk < to; chunk = addMs(chunk, CHUNK_MS)) {
      const rows = await this.stepsOf(chunk, new Date(Math.min(chunk.getTime() + CHUNK_MS, to.getTime())));
      await this.ledger.writeSteps(this.site.id, rows);
      steps += rows.length;
    }
    const months = this.localMonths(from, to);
    for (const month of months) await this.ledger.writeMonths(this.site.id, await this.monthsOf(month));
    const effacements = await this.effacementsOf(from, to);
    await this.ledger.writeEffacements(this.site.id, effacements);
    await this.commodities?.write(from, to, months);
    return { from, to, steps, months, effacements: effacements.length };
  }

  private async stepsOf(from: Date, to: Date): Promise<LedgerStep[]> {
    const meterOf = new Map(this.site.participants.map((p) => [p.meter, p.id]));
    const keyAt = await this.allocationKey(from, to);
    const [meters, production, shared, byProducer] = await Promise.all([
      this.readings.bucketedByDevice(this.site.id, [...meterOf.keys()], from, to, STEP_MINUTES),
      this.sumByStep(this.productionIds, from, to),
      this.sumByStep(this.sharedLoadIds, from, to),
      this.producersByStep(from, to),
    ]);
    const consumptionByStep = new Map<number, Map<string, number>>();
    const participantOf = new Map(this.site.participants.map((p) => [p.id, p]));
    for (const { deviceId, bucket, powerW } of meters) {
      const participantId = meterOf.get(deviceId)!;
      // Before it joined or once it left the operation (issue 29 §5), a participant has no share of any step.
      if (!isMemberAt(participantOf.get(participantId)!, bucket, this.site.timezone)) continue;
      const step = consumptionByStep.get(bucket.getTime()) ?? new Map<string, number>();
      step.set(participantId, Math.max(powerW, 0) * STEP_H);
      consumptionByStep.set(bucket.getTime(), step);
    }
    const rows: LedgerStep[] = [];
    for (const [startMs, consumptionWh] of consumptionByStep) {
      const start = new Date(startMs);
      const key = keyAt(start);
      // A full dynamic key shares each producer's injection by its own coefficients; the others, the îlot's production.
      const productionWh =
        key.kind === 'dynamic-full'
          ? (byProducer.get(startMs) ?? new Map<string, number>())
          : new Map([['', Math.max((production.get(startMs) ?? 0) - (shared.get(startMs) ?? 0), 0) * STEP_H]]);
      const allocation = allocateAccStep({ start, productionWh, consumptionWh }, key);
      // Stored shares were checked on their way in, energies are >= 0: a refusal here is a bug, said loudly.
      if (!allocation.ok)
        this.logger.error(
          `step ${start.toISOString()} not allocated (nothing allocated to anyone): ${describeProblems(allocation)}`,
        );
      for (const [participantId, wh] of consumptionWh)
        rows.push({
          participantId,
          ts: start,
          consumptionWh: wh,
          allocatedWh: allocation.ok ? (allocation.value.consumers.get(participantId)?.allocatedWh ?? 0) : 0,
        });
    }
    return rows;
  }

  /**
   * The site's key of each step in [from, to): the one in force that day (issue 29 §5, `allocation.history`); a custom
   * or full dynamic key's steps without shares given fall back on the default, as Enedis does.
   */
  private async allocationKey(from: Date, to: Date): Promise<(start: Date) => AccKey> {
    const kinds = new Set([this.site.allocation.key, ...this.site.allocation.history.map((h) => h.key)]);
    const [shares, coefficients] = await Promise.all([
      kinds.has('dynamic-custom') ? this.customShares.between(this.site.id, from, to) : new Map(),
      kinds.has('dynamic-full') ? this.customShares.byProducerBetween(this.site.id, from, to) : new Map(),
    ]);
    const byKind: Record<AccKey['kind'], AccKey> = {
      static: { kind: 'static', shares: new Map(this.site.participants.map((p) => [p.id, p.staticShare ?? 0])) },
      'dynamic-default': { kind: 'dynamic-default' },
      'dynamic-custom': { kind: 'dynamic-custom', sharesAt: (start) => shares.get(start.getTime()) },
      'dynamic-full': { kind: 'dynamic-full', coefficientsAt: (start) => coefficients.get(start.getTime()) },
    };
    return (start) => byKind[allocationKeyAt(this.site, start)];
  }

  /** Each producer's (a PV array's injection point, on the public grid) energy per step, Wh: for a full dynamic key. */
  private async producersByStep(from: Date, to: Date): Promise<Map<number, Map<string, number>>> {
    const kinds = [this.site.allocation.key, ...this.site.allocation.history.map((h) => h.key)];
    const producers = devicesOfKind(this.site, 'pv').filter((pv) => pv.injectionPrm);
    const steps = new Map<number, Map<string, number>>();
    if (!kinds.includes('dynamic-full') || producers.length === 0) return steps;
    const ids = producers.map((pv) => pv.id);
    for (const { deviceId, bucket, powerW } of await this.readings.bucketedByDevice(
      this.site.id,
      ids,
      from,
      to,
      STEP_MINUTES,
    )) {
      const step = steps.get(bucket.getTime()) ?? steps.set(bucket.getTime(), new Map()).get(bucket.getTime())!;
      step.set(deviceId, Math.max(powerW, 0) * STEP_H);
    }
    return steps;
  }

  private async sumByStep(deviceIds: string[], from: Date, to: Date): Promise<Map<number, number>> {
    if (deviceIds.length === 0) return new Map();
    const rows = await this.readings.bucketedSum(this.site.id, deviceIds, from, to, STEP_MINUTES);
    return new Map(rows.map((r) => [r.bucket.getTime(), r.powerW]));
  }

  /** The local months (YYYY-MM) that [from, to) touches. */
  private localMonths(from: Date, to: Date): string[] {
    const last = localMonth(new Date(to.getTime() - 1), this.site.timezone);
    const months = [localMonth(from, this.site.timezone)];
    while (months[months.length - 1] < last) months.push(shiftMonth(months[months.length - 1], 1));
    return months;
  }

  /** Each participant's month total, and the totals of the others of its kind (flats with flats, offices with offices). */
  private async monthsOf(month: string): Promise<LedgerMonth[]> {
    const { from, to } = localMonthRange(month, this.site.timezone);
    const totals = await this.ledger.totalsKWh(this.site.id, from, to);
    return this.site.participants
      .filter((p) => totals.has(p.id))
      .map((p) => ({
        participantId: p.id,
        month,
        consumptionKWh: totals.get(p.id)!,
        peersKWh: this.site.participants
          .filter((peer) => peer.kind === p.kind && peer.id !== p.id && totals.has(peer.id))
          .map((peer) => totals.get(peer.id)!)
          .sort((a, b) => a - b),
      }));
  }

  private async effacementsOf(from: Date, to: Date): Promise<LedgerEffacement[]> {
    const orders = (await this.signals.overlapping(this.site.id, from, to)).filter((s) => s.type === 'effacement');
    const rows: LedgerEffacement[] = [];
    for (const order of orders) {
      const report = await this.effacements.report(order.key);
      for (const p of report?.participants ?? [])
        rows.push({
          participantId: p.participantId,
          signalKey: order.key,
          startsAt: order.startsAt,
          endsAt: order.endsAt,
          deliveredWh: p.deliveredWh,
        });
    }
    return rows;
  }
}

/** The effacement reports of a site on a connection, outside Nest (`ilot report`, `ilot open-data`, tests). */
export function effacementReportsOn(site: Site, db: DataSource): EffacementReportService {
  const readings = new ReadingRepository(db);
  const signals = new SignalRepository(db);
  return new EffacementReportService(
    site,
    signals,
    new EffacementReferences(site, readings, signals),
    new PlanRepository(db),
  );
}

/** The ledger's writer on the owner's connection, outside Nest (`ilot report`, tests): its repositories built on `db`. */
export function residentLedgerOn(site: Site, db: DataSource): ResidentLedgerService {
  const readings = new ReadingRepository(db);
  const signals = new SignalRepository(db);
  const effacements = effacementReportsOn(site, db);
  const ledger = new ResidentLedgerRepository(db);
  return new ResidentLedgerService(
    site,
    readings,
    signals,
    ledger,
    effacements,
    new AllocationShareRepository(db),
    new CommodityLedger(site, new CommodityReadingRepository(db), new ParticipantCommodityRepository(ledger)),
  );
}
