import { localDateTime } from '@ilot/domain';
import { CAPACITY_CLASSES, type CapacityClass, type CapacityTariffSpec, type Site } from '@ilot/site';
import { periodAt } from './tariff';

/** The TURPE time class of an instant: winter (the capacity tariff's months, local time) or summer, x HP or HC. */
export function capacityClassAt(at: Date, site: Pick<Site, 'connection' | 'tariff' | 'timezone'>): CapacityClass {
  const capacity = site.connection.capacity!;
  const hcWindows = capacity.hcWindows ?? ('hcWindows' in site.tariff ? site.tariff.hcWindows : []);
  const month = Number(localDateTime(at, site.timezone).date.slice(5, 7));
  const winter = capacity.winterMonths.includes(month);
  const period = periodAt(at, hcWindows, site.timezone);
  return `${period}${winter ? 'H' : 'B'}` as CapacityClass;
}

/**
 * The contracted import power at an instant, W: the subscription of its time class (as active power, kVA x power
 * factor) under a capacity tariff, never above the connection's `importLimitW`; else `importLimitW` itself.
 */
export function contractedImportW(at: Date, site: Pick<Site, 'connection' | 'tariff' | 'timezone'>): number {
  const capacity = site.connection.capacity;
  if (!capacity) return site.connection.importLimitW;
  const subscribedW = capacity.subscribedKVA[capacityClassAt(at, site)] * capacity.powerFactor * 1000;
  return Math.min(subscribedW, site.connection.importLimitW);
}

/**
 * The fixed part of a capacity tariff over `days`, EUR: per year, the first class's subscription at its price plus
 * each later class's increase over the previous one at its own price (TURPE's differential subscriptions).
 */
export function subscriptionCostEur(capacity: CapacityTariffSpec, days: number): number {
  let previousKVA = 0;
  let eurPerYear = 0;
  for (const timeClass of CAPACITY_CLASSES) {
    const kVA = capacity.subscribedKVA[timeClass];
    eurPerYear += capacity.eurPerKVAYear[timeClass] * Math.max(kVA - previousKVA, 0);
    previousKVA = Math.max(previousKVA, kVA);
  }
  return (eurPerYear * days) / 365;
}

/** One interval of measured import: its start, its length and its mean import, W. */
export interface ImportInterval {
  start: Date;
  hours: number;
  importW: number;
}

/**
 * A mean this close above the contract is not an overrun: a meter reads whole watts, and a plan held at the limit comes
 * out a fraction of a watt above it in floating point (regression, issue 27: the replay's bound, planned at 160 kW,
 * measured 160.0009 kW and paid 8.81 EUR of overrun for 0.2 Wh).
 */
export const OVERRUN_RESOLUTION_W = 1;

/**
 * The overrun penalty of a capacity tariff on measured intervals (e.g. 15-min means), EUR: per hour of overrun (each
 * interval above its class's contracted power counts its length), or per kW of each local month's highest overrun.
 * Without a capacity tariff, nothing.
 */
export function overrunCostEur(
  intervals: readonly ImportInterval[],
  site: Pick<Site, 'connection' | 'tariff' | 'timezone'>,
): number {
  const capacity = site.connection.capacity;
  if (!capacity) return 0;
  let overrunHours = 0;
  const monthMaxOverrunW = new Map<string, number>();
  for (const interval of intervals) {
    const overrunW = interval.importW - contractedImportW(interval.start, site);
    if (overrunW <= OVERRUN_RESOLUTION_W) continue;
    overrunHours += interval.hours;
    const month = localDateTime(interval.start, site.timezone).date.slice(0, 7);
    monthMaxOverrunW.set(month, Math.max(monthMaxOverrunW.get(month) ?? 0, overrunW));
  }
  if ('eurPerHour' in capacity.overrun) return overrunHours * capacity.overrun.eurPerHour;
  const eurPerKW = capacity.overrun.eurPerKW;
  return [...monthMaxOverrunW.values()].reduce((sum, w) => sum + (w / 1000) * eurPerKW, 0);
}
