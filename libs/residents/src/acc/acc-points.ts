import { allocateAccStep, type DistributorRow, type KeyConsumer, type ReconcilePoint, type SideStep } from '@ilot/acc';
import { devicesOfKind, type Site } from '@ilot/site';
import type { LedgerStep, ProducerShares } from '@ilot/timeseries';

const STEP_H = 0.25;

/** A producer's mean injection over a step, as the readings' buckets give it. */
export interface ProducerBucket {
  deviceId: string;
  bucket: Date;
  powerW: number;
}

/**
 * What a full dynamic key allocated from each producer per step, as the ledger shares it: the producers' injection
 * and the members' consumption of the step shared by the coefficients the PMO sent (the default key where it sent
 * none). Pure.
 */
export function producersAllocated(
  ledgerSteps: readonly LedgerStep[],
  production: readonly ProducerBucket[],
  coefficientsAt: (start: Date) => ProducerShares | undefined,
): Map<number, Map<string, number>> {
  const steps = new Map<number, { productionWh: Map<string, number>; consumptionWh: Map<string, number> }>();
  const step = (ms: number) =>
    steps.get(ms) ?? steps.set(ms, { productionWh: new Map(), consumptionWh: new Map() }).get(ms)!;
  for (const s of ledgerSteps) step(s.ts.getTime()).consumptionWh.set(s.participantId, s.consumptionWh);
  for (const p of production) step(p.bucket.getTime()).productionWh.set(p.deviceId, Math.max(p.powerW, 0) * STEP_H);
  const allocated = new Map<number, Map<string, number>>();
  for (const [ms, energies] of steps) {
    const shared = allocateAccStep({ start: new Date(ms), ...energies }, { kind: 'dynamic-full', coefficientsAt });
    if (shared.ok)
      allocated.set(ms, new Map([...shared.value.producers].map(([id, producer]) => [id, producer.allocatedWh])));
  }
  return allocated;
}

/** The operation's delivery points: each consumer's (a participant with a PRM) and each producer's (a PV array's injection point). */
export interface AccPoints {
  consumers: KeyConsumer[];
  producers: Array<{ id: string; prm: string }>;
}

export function accPoints(site: Site): AccPoints {
  return {
    consumers: site.participants.filter((p) => p.prm).map((p) => ({ id: p.id, prm: p.prm! })),
    producers: devicesOfKind(site, 'pv')
      .filter((pv) => pv.injectionPrm)
      .map((pv) => ({ id: pv.id, prm: pv.injectionPrm! })),
  };
}

/**
 * Both sides of every delivery point, by step: a consumer's from the ledger; a producer's production from its readings,
 * and what was allocated from it as the ledger shared the step (its part of the step's production, as the keys do).
 */
export function reconcilePoints(
  points: AccPoints,
  ledgerSteps: readonly LedgerStep[],
  production: readonly ProducerBucket[],
  distributor: readonly DistributorRow[],
  /** A full dynamic key's allocation per step (ms) and producer, Wh (`producersAllocated`); else pro rata. */
  producerAllocatedWh?: ReadonlyMap<number, ReadonlyMap<string, number>>,
): ReconcilePoint[] {
  const ilot = new Map<string, Map<number, SideStep>>();
  const side = (id: string) => ilot.get(id) ?? ilot.set(id, new Map()).get(id)!;
  const allocatedByStep = new Map<number, number>();
  for (const s of ledgerSteps) {
    side(s.participantId).set(s.ts.getTime(), { totalWh: s.consumptionWh, allocatedWh: s.allocatedWh });
    allocatedByStep.set(s.ts.getTime(), (allocatedByStep.get(s.ts.getTime()) ?? 0) + s.allocatedWh);
  }
  const producedByStep = new Map<number, number>();
  for (const p of production)
    producedByStep.set(
      p.bucket.getTime(),
      (producedByStep.get(p.bucket.getTime()) ?? 0) + Math.max(p.powerW, 0) * STEP_H,
    );
  for (const p of production) {
    const ms = p.bucket.getTime();
    const producedWh = Math.max(p.powerW, 0) * STEP_H;
    const totalWh = producedByStep.get(ms)!;
    const allocatedWh = producerAllocatedWh
      ? (producerAllocatedWh.get(ms)?.get(p.deviceId) ?? 0)
      : totalWh > 0
        ? ((allocatedByStep.get(ms) ?? 0) * producedWh) / totalWh
        : 0;
    side(p.deviceId).set(ms, { totalWh: producedWh, allocatedWh });
  }
  const fromDistributor = new Map<string, Map<number, SideStep | null>>();
  for (const r of distributor) {
    const steps = fromDistributor.get(r.prm) ?? fromDistributor.set(r.prm, new Map()).get(r.prm)!;
    steps.set(r.start.getTime(), r.totalWh === null ? null : { totalWh: r.totalWh, allocatedWh: r.allocatedWh ?? 0 });
  }
  const point = (id: string, prm: string, role: DistributorRow['role']): ReconcilePoint => ({
    id,
    prm,
    role,
    ilot: ilot.get(id) ?? new Map(),
    distributor: fromDistributor.get(prm) ?? new Map(),
  });
  return [
    ...points.consumers.map((c) => point(c.id, c.prm, 'consumer')),
    ...points.producers.map((p) => point(p.id, p.prm, 'producer')),
  ];
}
