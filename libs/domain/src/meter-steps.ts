import { HOUR_MS } from './time';
/**
 * A reading of a meter of gas, water or heat (issue 16), in the meter's unit (m³, L, Wh): its index (cumulative
 * register) or the quantity counted since its previous reading.
 */
export interface CommodityReading {
  siteId: string;
  deviceId: string;
  ts: Date;
  seq: number;
  indexValue?: number;
  /** Counted since the meter's previous reading (a meter that reports intervals). */
  quantity?: number;
}

/**
 * How a reading's quantity was found: sent as an interval (`interval`), the index's increase (`index`), across the
 * register's rollover to zero (`rollover`); `baseline` is a meter's first index (nothing to compare it with) and
 * `reset` an index that fell, or leapt faster than the meter can count, without a rollover to explain it (a meter
 * swapped or reprogrammed): its quantity is unknown, never a negative or impossible consumption.
 */
export type MeterStepKind = 'interval' | 'index' | 'rollover' | 'baseline' | 'reset';

export interface MeterStep {
  reading: CommodityReading;
  /** Consumed between the previous reading and this one, in the meter's unit; null when unknown (baseline, reset). */
  quantity: number | null;
  kind: MeterStepKind;
}

export type MeterStepsResult =
  | { ok: true; steps: MeterStep[] }
  | { ok: false; index: number; reason: 'out_of_order' | 'out_of_range'; problem: string };

/**
 * The quantities of a meter's new readings, in time order after its last stored one (`previous`). Pure.
 * `maxPerHour` is what the meter can count in an hour at most. A register rolls over at the power of ten above its
 * last index (99 999.9 -> 0.4 is 0.5). A reading no later than the meter's last one is refused: a register is read
 * forwards, and a quantity counted since the previous reading covers only the time since it (issue 26: a quantity
 * dated at or before the last one was never bounded: `volumeL: 1e9` dated 20 s back billed 1 000 000 m³). Every
 * quantity is bounded by the time it covers: since the previous reading, or for a meter's first reading at most
 * `FIRST_QUANTITY_MAX_H`; faster than the meter can count is refused.
 */
/** The most time a meter's first quantity (no previous reading to count from) may cover, hours. */
export const FIRST_QUANTITY_MAX_H = 1;

export function meterSteps(
  previous: { ts: Date; indexValue?: number } | undefined,
  readings: readonly CommodityReading[],
  maxPerHour: number,
): MeterStepsResult {
  const steps: MeterStep[] = [];
  let last = previous;
  let lastIndex = previous?.indexValue === undefined ? undefined : { ts: previous.ts, value: previous.indexValue };
  for (const [i, reading] of readings.entries()) {
    const elapsedH = last ? (reading.ts.getTime() - last.ts.getTime()) / HOUR_MS : undefined;
    if (reading.quantity !== undefined) {
      if (last && elapsedH! <= 0)
        return refusal(
          i,
          'out_of_order',
          `quantity at ${reading.ts.toISOString()} is not after the meter's last reading at ${last.ts.toISOString()}: a quantity counts the time since the previous reading`,
        );
      const coveredH = elapsedH ?? FIRST_QUANTITY_MAX_H;
      if (reading.quantity > maxPerHour * coveredH * 1.0001)
        return refusal(
          i,
          'out_of_range',
          last
            ? `${reading.quantity} in ${describeHours(coveredH)} is faster than the meter's ${maxPerHour} an hour`
            : `${reading.quantity} is more than the meter's first reading can cover (${maxPerHour} an hour for at most ${FIRST_QUANTITY_MAX_H} h, nothing before it to count from)`,
        );
      steps.push({ reading, quantity: reading.quantity, kind: 'interval' });
    } else if (reading.indexValue !== undefined) {
      if (lastIndex && reading.ts.getTime() <= lastIndex.ts.getTime())
        return refusal(
          i,
          'out_of_order',
          `index at ${reading.ts.toISOString()} is not after the meter's last index at ${lastIndex.ts.toISOString()}: a register is read forwards`,
        );
      steps.push(
        lastIndex
          ? indexStep(reading, reading.indexValue, lastIndex, maxPerHour)
          : { reading, quantity: null, kind: 'baseline' },
      );
      lastIndex = { ts: reading.ts, value: reading.indexValue };
    } else return refusal(i, 'out_of_range', 'neither an index nor a quantity');
    last = reading;
  }
  return { ok: true, steps };
}

function indexStep(
  reading: CommodityReading,
  value: number,
  lastIndex: { ts: Date; value: number },
  maxPerHour: number,
): MeterStep {
  const elapsedH = (reading.ts.getTime() - lastIndex.ts.getTime()) / HOUR_MS;
  const most = maxPerHour * elapsedH * 1.0001;
  const increase = value - lastIndex.value;
  if (increase >= 0)
    return increase <= most
      ? { reading, quantity: increase, kind: 'index' }
      : { reading, quantity: null, kind: 'reset' };
  const wrapped = registerSpan(lastIndex.value) - lastIndex.value + value;
  return wrapped <= most
    ? { reading, quantity: wrapped, kind: 'rollover' }
    : { reading, quantity: null, kind: 'reset' };
}

/** The value a register showing `value` rolls over at: the power of ten above it (a 5-digit m³ register at 100 000). */
function registerSpan(value: number): number {
  return 10 ** (Math.floor(Math.log10(Math.max(value, 1))) + 1);
}

function describeHours(hours: number): string {
  return hours >= 1 ? `${hours.toFixed(2)} h` : `${Math.round(hours * 3600)} s`;
}

function refusal(index: number, reason: 'out_of_order' | 'out_of_range', problem: string): MeterStepsResult {
  return { ok: false, index, reason, problem };
}
