import type { KeyTable } from './key-file';

export interface KeyConsumer {
  id: string;
  prm: string;
}

/**
 * The month's coefficients of a "dynamique simple" key, per step and consumer's PRM (issue 29 §2): the shares the PMO
 * gave for the step where it gave some (a consumer left out gets 0), else the default key written as coefficients
 * (each consumer's part of the step's consumption as the îlot measured it; nobody consumed: 0 for all), which shares
 * the production as the distributor's default key would. A static key's shares are the same in every step. Pure.
 */
export function monthKeyTable(input: {
  stepStarts: readonly Date[];
  consumers: readonly KeyConsumer[];
  /** The shares given per step (ms), by participant id. */
  givenShares?: ReadonlyMap<number, ReadonlyMap<string, number>>;
  /** A static key's shares, by participant id (every step). */
  staticShares?: ReadonlyMap<string, number>;
  /** The îlot's measured consumption per step (ms), by participant id, Wh. */
  consumptionWh: ReadonlyMap<number, ReadonlyMap<string, number>>;
}): KeyTable {
  const steps = input.stepStarts.map((start) => {
    const given = input.staticShares ?? input.givenShares?.get(start.getTime());
    const consumed = input.consumptionWh.get(start.getTime()) ?? new Map<string, number>();
    const totalWh = input.consumers.reduce((sum, c) => sum + Math.max(consumed.get(c.id) ?? 0, 0), 0);
    const shareOf = (c: KeyConsumer): number =>
      given ? (given.get(c.id) ?? 0) : totalWh > 0 ? Math.max(consumed.get(c.id) ?? 0, 0) / totalWh : 0;
    return { start, shares: new Map(input.consumers.map((c) => [c.prm, shareOf(c)])) };
  });
  return { columns: input.consumers.map((c) => c.prm), steps };
}
