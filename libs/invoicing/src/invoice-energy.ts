import { localDateTime, minuteInWindow, parseWindow } from '@ilot/domain';
import type { ProducerPrice } from '@ilot/site';

/** One step of the distributor's data for the operation: each consumer's allocation and each producer's, whole Wh. */
export interface BilledStep {
  start: Date;
  /** Allocated to each consumer (participant id), Wh. */
  allocatedWh: ReadonlyMap<string, number>;
  /** Each consumer's supplier complement (what it took from the grid), Wh. */
  complementWh: ReadonlyMap<string, number>;
  /** Each producer's (pv id) part allocated to the consumers, Wh. */
  producerAllocatedWh: ReadonlyMap<string, number>;
  /** Each producer's injection, Wh. */
  productionWh: ReadonlyMap<string, number>;
  /**
   * Under a full dynamic key, each consumer's allocation by producer as the key shares it (consumer -> producer -> Wh,
   * not rounded): its allocation is split in these proportions instead of the producers' allocated energy.
   */
  byProducerWh?: ReadonlyMap<string, ReadonlyMap<string, number>>;
}

/** A producer's price in force at an instant: the last version whose date (local) has begun. */
export type DatedPrice = ProducerPrice & { from: string };

export interface EnergyLine {
  producerId: string;
  /** The price version's first day (YYYY-MM-DD) and the tariff period (`base`, `hp`, `hc`). */
  priceFrom: string;
  period: 'base' | 'hp' | 'hc';
  eurPerKWh: number;
  wh: number;
}

/**
 * A consumer's local energy of the month by producer, price version and tariff period, whole Wh (issue 29 §4): each
 * step's allocation (the distributor's, to the Wh) split among the producers in proportion to their allocated energy
 * in the step (under a full dynamic key, to what the key gave this consumer from each), by largest remainder so that the parts make the whole, never giving a producer more than it injected.
 * Also, per local day, the consumer's local and grid energy (the invoice's chart). Pure.
 */
export function consumerEnergy(
  consumerId: string,
  steps: readonly BilledStep[],
  prices: ReadonlyMap<string, readonly DatedPrice[]>,
  timeZone: string,
  /** What earlier consumers already took of each producer's injection per step (ms), Wh: kept across calls. */
  taken: Map<number, Map<string, number>>,
): { lines: EnergyLine[]; days: Array<{ date: string; localWh: number; gridWh: number }> } {
  const lines = new Map<string, EnergyLine>();
  const days = new Map<string, { date: string; localWh: number; gridWh: number }>();
  for (const step of steps) {
    const date = localDateTime(step.start, timeZone).date;
    const day = days.get(date) ?? days.set(date, { date, localWh: 0, gridWh: 0 }).get(date)!;
    const allocatedWh = step.allocatedWh.get(consumerId) ?? 0;
    day.localWh += allocatedWh;
    day.gridWh += step.complementWh.get(consumerId) ?? 0;
    if (allocatedWh <= 0) continue;
    const takenHere =
      taken.get(step.start.getTime()) ?? taken.set(step.start.getTime(), new Map()).get(step.start.getTime())!;
    const weights = step.byProducerWh?.get(consumerId) ?? step.producerAllocatedWh;
    for (const [producerId, wh] of splitByProducer(allocatedWh, step, weights, takenHere)) {
      const price = priceAt(prices.get(producerId) ?? [], step.start, timeZone);
      if (!price) throw new RangeError(`no price of ${producerId} in force on ${date}`);
      const key = `${producerId}|${price.priceFrom}|${price.period}`;
      const line = lines.get(key) ?? lines.set(key, { producerId, ...price, wh: 0 }).get(key)!;
      line.wh += wh;
    }
  }
  return {
    lines: [...lines.values()].sort(
      (a, b) =>
        a.producerId.localeCompare(b.producerId) ||
        a.priceFrom.localeCompare(b.priceFrom) ||
        a.period.localeCompare(b.period),
    ),
    days: [...days.values()],
  };
}

/** Whole Wh from each producer making `allocatedWh`, in proportion to `byProducer`, within what each injected. */
function splitByProducer(
  allocatedWh: number,
  step: BilledStep,
  byProducer: ReadonlyMap<string, number>,
  taken: Map<string, number>,
): Map<string, number> {
  const producers = [...step.producerAllocatedWh.keys()].sort();
  const weights = producers.map((p) => Math.max(byProducer.get(p) ?? 0, 0));
  const weightTotal = weights.reduce((s, w) => s + w, 0);
  const room = (p: string) => Math.max((step.productionWh.get(p) ?? 0) - (taken.get(p) ?? 0), 0);
  const exact = producers.map((_, i) => (weightTotal > 0 ? (allocatedWh * weights[i]) / weightTotal : 0));
  const parts = exact.map((x, i) => Math.min(Math.floor(x), room(producers[i])));
  let left = allocatedWh - parts.reduce((s, x) => s + x, 0);
  // The remainder, a Wh at a time, to the largest fractions first, then to whoever still has room.
  const order = producers.map((_, i) => i).sort((a, b) => exact[b] - parts[b] - (exact[a] - parts[a]));
  for (let pass = 0; pass < 2 && left > 0; pass++)
    for (const i of order) {
      if (left === 0) break;
      const give = Math.min(pass === 0 ? Math.ceil(exact[i] - parts[i]) : left, room(producers[i]) - parts[i], left);
      if (give > 0) {
        parts[i] += give;
        left -= give;
      }
    }
  const split = new Map<string, number>();
  producers.forEach((p, i) => {
    if (parts[i] > 0) {
      split.set(p, parts[i]);
      taken.set(p, (taken.get(p) ?? 0) + parts[i]);
    }
  });
  // Allocation the producers' injection cannot hold (the distributor's own rounding): billed on the largest producer.
  if (left > 0 && producers.length) {
    const largest = producers[weights.indexOf(Math.max(...weights))];
    split.set(largest, (split.get(largest) ?? 0) + left);
    taken.set(largest, (taken.get(largest) ?? 0) + left);
  }
  return split;
}

/** The price of a producer at an instant: its version in force that day, and the tariff period of the instant. */
export function priceAt(
  versions: readonly DatedPrice[],
  at: Date,
  timeZone: string,
): { priceFrom: string; period: EnergyLine['period']; eurPerKWh: number } | undefined {
  const local = localDateTime(at, timeZone);
  const version = [...versions].reverse().find((v) => v.from <= local.date);
  if (!version) return undefined;
  if ('eurPerKWh' in version) return { priceFrom: version.from, period: 'base', eurPerKWh: version.eurPerKWh };
  const hc = version.hcWindows.some((w) => minuteInWindow(local.minuteOfDay, parseWindow(w)));
  return {
    priceFrom: version.from,
    period: hc ? 'hc' : 'hp',
    eurPerKWh: hc ? version.hcEurPerKWh : version.hpEurPerKWh,
  };
}
