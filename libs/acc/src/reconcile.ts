import type { DistributorRow } from './distributor-file';

/** A delivery point's step as one side has it, Wh (the îlot's ledger, or the distributor's data). */
export interface SideStep {
  totalWh: number;
  allocatedWh: number;
}

/** One delivery point of the operation: the participant (or producing device) behind it and both sides' steps. */
export interface ReconcilePoint {
  id: string;
  prm: string;
  role: DistributorRow['role'];
  /** The îlot's steps by start (ms); a step it has no reading for is absent. */
  ilot: ReadonlyMap<number, SideStep>;
  /** The distributor's steps by start (ms); a step it did not measure is absent or null. */
  distributor: ReadonlyMap<number, SideStep | null>;
}

export type DifferenceCause =
  /** The îlot has no reading of this meter in the step; the distributor measured it. */
  | 'ilot-meter-gap'
  /** The distributor has no measurement of the step; the îlot has. */
  | 'distributor-missing-step'
  /** Both measured the step and differ: the meters disagree. */
  | 'measurement'
  /**
   * Same measured energy, another allocation, in a step where another delivery point's energy differs (a gap on one
   * side, or its meters disagree): a key that shares by consumption moves everyone's allocation with it.
   */
  | 'other-point-difference'
  /** Same measured energies everywhere in the step, another allocation: the keys applied differ. */
  | 'key';

export interface Explanation {
  cause: DifferenceCause;
  steps: number;
  /** The part of the difference these steps make, distributor less îlot, Wh. */
  differenceWh: number;
  firstStep: Date;
  lastStep: Date;
}

export interface ReconcileLine {
  id: string;
  prm: string;
  role: DistributorRow['role'];
  /** `total`: the consumer's withdrawal or the producer's injection; `allocated`: to the consumer, or from the producer. */
  quantity: 'total' | 'allocated';
  ilotWh: number;
  distributorWh: number;
  /** Distributor less îlot over the steps that differ beyond the distributor's rounding, Wh: the explained difference. */
  differenceWh: number;
  /** Of the larger of the two totals, %. */
  differencePct: number;
  /** What the distributor's rounding to whole Wh leaves besides: distributorWh - ilotWh - differenceWh. */
  roundingWh: number;
  explanations: Explanation[];
  flagged: boolean;
}

/** A step's difference within this is the distributor's rounding to whole Wh, not a difference. */
const ROUNDING_WH = 0.5 + 1e-6;
export const RECONCILE_THRESHOLD_PCT = 2;

/**
 * The month's reconciliation (issue 29 §3): per delivery point and quantity, the îlot's and the distributor's
 * totals, the difference and each step's reason for it, flagged above `thresholdPct`. Pure.
 */
export function reconcile(
  points: readonly ReconcilePoint[],
  stepStarts: readonly Date[],
  thresholdPct = RECONCILE_THRESHOLD_PCT,
): ReconcileLine[] {
  const differing = new Set<number>();
  for (const point of points)
    for (const start of stepStarts) {
      const ilot = point.ilot.get(start.getTime());
      const distributor = point.distributor.get(start.getTime()) ?? undefined;
      if (Math.abs((distributor?.totalWh ?? 0) - (ilot?.totalWh ?? 0)) > ROUNDING_WH || !ilot !== !distributor)
        differing.add(start.getTime());
    }
  return points.flatMap((point) =>
    (['total', 'allocated'] as const).map((quantity) => line(point, quantity, stepStarts, differing, thresholdPct)),
  );
}

function line(
  point: ReconcilePoint,
  quantity: 'total' | 'allocated',
  stepStarts: readonly Date[],
  differing: ReadonlySet<number>,
  thresholdPct: number,
): ReconcileLine {
  const value = (s: SideStep) => (quantity === 'total' ? s.totalWh : s.allocatedWh);
  const causes = new Map<DifferenceCause, Explanation>();
  let ilotWh = 0;
  let distributorWh = 0;
  for (const start of stepStarts) {
    const ilot = point.ilot.get(start.getTime());
    const distributor = point.distributor.get(start.getTime()) ?? undefined;
    ilotWh += ilot ? value(ilot) : 0;
    distributorWh += distributor ? value(distributor) : 0;
    const differenceWh = (distributor ? value(distributor) : 0) - (ilot ? value(ilot) : 0);
    if (Math.abs(differenceWh) <= ROUNDING_WH) continue;
    const cause = causeOf(ilot, distributor, quantity, differing.has(start.getTime()));
    const known = causes.get(cause);
    if (known) {
      known.steps += 1;
      known.differenceWh += differenceWh;
      known.lastStep = start;
    } else causes.set(cause, { cause, steps: 1, differenceWh, firstStep: start, lastStep: start });
  }
  const explanations = [...causes.values()];
  const differenceWh = explanations.reduce((sum, e) => sum + e.differenceWh, 0);
  const scale = Math.max(Math.abs(distributorWh), Math.abs(ilotWh));
  const differencePct = scale > 0 ? (differenceWh / scale) * 100 : 0;
  return {
    id: point.id,
    prm: point.prm,
    role: point.role,
    quantity,
    ilotWh,
    distributorWh,
    differenceWh,
    differencePct,
    roundingWh: distributorWh - ilotWh - differenceWh,
    explanations,
    flagged: Math.abs(differencePct) > thresholdPct,
  };
}

function causeOf(
  ilot: SideStep | undefined,
  distributor: SideStep | undefined,
  quantity: 'total' | 'allocated',
  someDifference: boolean,
): DifferenceCause {
  if (!ilot) return 'ilot-meter-gap';
  if (!distributor) return 'distributor-missing-step';
  if (quantity === 'total' || Math.abs(distributor.totalWh - ilot.totalWh) > ROUNDING_WH) return 'measurement';
  return someDifference ? 'other-point-difference' : 'key';
}
