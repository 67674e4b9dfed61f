import type { DistributorRow, KeyConsumer, ReconcilePoint, SideStep } from '@ilot/acc';
import { devicesOfKind, type Site } from '@ilot/site';
import type { LedgerStep } from '@ilot/timeseries';

const STEP_H = 0.25;

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
  production: ReadonlyArray<{ deviceId: string; bucket: Date; powerW: number }>,
  distributor: readonly DistributorRow[],
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
    const allocatedWh = totalWh > 0 ? ((allocatedByStep.get(ms) ?? 0) * producedWh) / totalWh : 0;
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
