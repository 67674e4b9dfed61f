import { allocateStep, type AllocationKey, sharesProblem } from '@ilot/allocation';
import { type Checked, refused } from '@ilot/domain';

/**
 * A collective self-consumption step as the distributor computes it on the public grid (issue 29): each producer's
 * injection and each consumer's withdrawal measured on its own Linky, the production shared by the operation's key.
 *
 * The four keys Enedis runs: `static`, `dynamic-default`, `dynamic-custom` (Enedis' "dynamique simple": a share of
 * the whole production per consumer and step) share the production as a whole (libs/allocation): what a consumer
 * gets comes from each producer in proportion to that producer's production in the step. `dynamic-full` gives
 * coefficients per producer and consumer: each producer's production is shared by its own coefficients; a consumer
 * offered more than it consumed takes from each producer in the same proportion, the rest is the producers' surplus.
 * A step without coefficients falls back on the default key, as Enedis does.
 */
export type AccKey =
  | AllocationKey
  | {
      kind: 'dynamic-full';
      /** Per producer, each consumer's share of that producer's production (0..1, summing to at most 1). */
      coefficientsAt: (stepStart: Date) => ReadonlyMap<string, ReadonlyMap<string, number>> | undefined;
    };

export interface AccStepInput {
  start: Date;
  /** Each producer's injection in the step, Wh (>= 0). */
  productionWh: ReadonlyMap<string, number>;
  /** Each consumer's withdrawal in the step, Wh (>= 0). */
  consumptionWh: ReadonlyMap<string, number>;
}

export interface AccConsumerStep {
  consumptionWh: number;
  /** Local production allocated to it, Wh (<= consumptionWh). */
  allocatedWh: number;
  /** What its supplier delivers: consumption less allocation, Wh. */
  complementWh: number;
  /** Its allocation by producer, Wh (summing to allocatedWh). */
  byProducerWh: Map<string, number>;
}

export interface AccProducerStep {
  productionWh: number;
  /** Its production allocated to the consumers, Wh. */
  allocatedWh: number;
  /** Its production not allocated (sold to its buyer of surplus), Wh. */
  surplusWh: number;
}

export interface AccStepAllocation {
  start: Date;
  consumers: Map<string, AccConsumerStep>;
  producers: Map<string, AccProducerStep>;
  /** The key applied (a step without coefficients falls back on `dynamic-default`). */
  key: AccKey['kind'];
}

const sum = (values: Iterable<number>): number => [...values].reduce((total, v) => total + v, 0);

function energyProblem(what: string, energies: ReadonlyMap<string, number>): string | undefined {
  for (const [id, wh] of energies)
    if (!Number.isFinite(wh) || wh < 0) return `${what} of ${id} is ${wh}: must be a number >= 0`;
  return undefined;
}

/** One step shared among the operation's consumers, by producer; or why it cannot be. Pure. */
export function allocateAccStep(step: AccStepInput, key: AccKey): Checked<AccStepAllocation, 'invalid'> {
  const problem = energyProblem('production', step.productionWh) ?? energyProblem('consumption', step.consumptionWh);
  if (problem) return refused('invalid', `${step.start.toISOString()}: ${problem}`);
  const coefficients = key.kind === 'dynamic-full' ? key.coefficientsAt(step.start) : undefined;
  if (key.kind === 'dynamic-full' && coefficients) return byProducerCoefficients(step, coefficients);
  const whole = allocateStep(
    { start: step.start, productionWh: sum(step.productionWh.values()), consumptionWh: step.consumptionWh },
    key.kind === 'dynamic-full' ? { kind: 'dynamic-default' } : key,
  );
  if (!whole.ok) return whole;
  const totalWh = sum(step.productionWh.values());
  const pairs = new Map<string, Map<string, number>>();
  for (const [consumer, allocatedWh] of whole.value.allocatedWh)
    pairs.set(
      consumer,
      new Map(
        [...step.productionWh].map(([producer, wh]) => [producer, totalWh > 0 ? (allocatedWh * wh) / totalWh : 0]),
      ),
    );
  return { ok: true, value: assemble(step, pairs, whole.value.key) };
}

function byProducerCoefficients(
  step: AccStepInput,
  coefficients: ReadonlyMap<string, ReadonlyMap<string, number>>,
): Checked<AccStepAllocation, 'invalid'> {
  for (const [producer, shares] of coefficients) {
    const problem = sharesProblem(shares);
    if (problem) return refused('invalid', `${step.start.toISOString()}: producer ${producer}: ${problem}`);
  }
  const pairs = new Map<string, Map<string, number>>();
  for (const [consumer, consumedWh] of step.consumptionWh) {
    const offered = new Map(
      [...step.productionWh].map(([producer, wh]) => [producer, (coefficients.get(producer)?.get(consumer) ?? 0) * wh]),
    );
    const offeredWh = sum(offered.values());
    const taken = offeredWh > consumedWh ? consumedWh / offeredWh : 1;
    pairs.set(consumer, new Map([...offered].map(([producer, wh]) => [producer, wh * taken])));
  }
  return { ok: true, value: assemble(step, pairs, 'dynamic-full') };
}

function assemble(
  step: AccStepInput,
  pairs: ReadonlyMap<string, Map<string, number>>,
  key: AccKey['kind'],
): AccStepAllocation {
  const consumers = new Map<string, AccConsumerStep>();
  for (const [consumer, consumptionWh] of step.consumptionWh) {
    const byProducerWh = pairs.get(consumer) ?? new Map<string, number>();
    const allocatedWh = Math.min(sum(byProducerWh.values()), consumptionWh);
    consumers.set(consumer, {
      consumptionWh,
      allocatedWh,
      complementWh: Math.max(consumptionWh - allocatedWh, 0),
      byProducerWh,
    });
  }
  const producers = new Map<string, AccProducerStep>();
  for (const [producer, productionWh] of step.productionWh) {
    const allocatedWh = Math.min(sum([...pairs.values()].map((p) => p.get(producer) ?? 0)), productionWh);
    producers.set(producer, { productionWh, allocatedWh, surplusWh: Math.max(productionWh - allocatedWh, 0) });
  }
  return { start: step.start, consumers, producers, key };
}
