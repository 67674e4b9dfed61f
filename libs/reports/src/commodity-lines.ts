import type { CommoditiesSpec } from '@ilot/site';

export type ReportCommodity = 'electricity' | 'gas' | 'water' | 'heat';

/** A month of one commodity as the ledger holds it, in the meter's unit (m³, L, Wh). */
export interface CommodityMonthInput {
  commodity: Exclude<ReportCommodity, 'electricity'>;
  quantity: number;
  previousQuantity?: number;
  /** The others' months (same kind of participant, metering it), anonymous. */
  peers: readonly number[];
}

/** One line of the report across commodities: what was used, in its unit and in kWh, what it cost, its CO2. */
export interface CommodityLine {
  commodity: ReportCommodity;
  /** The unit a resident reads on their meter: kWh (electricity, heat), m³ (gas, water). */
  unit: 'kWh' | 'm3';
  quantity: number;
  /** The energy, kWh (null for water). */
  energyKWh: number | null;
  costEur: number;
  kgCo2: number | null;
  previousMonth: number | null;
  changePct: number | null;
  /** Similar homes (anonymous): their median, given only when 3 or more meter the commodity. */
  peers: { count: number; median: number | null };
}

/** Fewer peers than this and no median is given: with one or two, a resident could work out a neighbour's figure. */
export const MIN_PEERS_FOR_MEDIAN = 3;

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

function median(values: readonly number[]): number | null {
  if (values.length < MIN_PEERS_FOR_MEDIAN) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * The month across commodities (issue 16): electricity from the report's totals (its cost with the collective; CO2
 * on the kWh from the grid, the îlot's PV at zero at the point of use), gas from m³ at the supplier's kWh/m³, water
 * in m³, heat in kWh; each priced at its own tariff and with its CO2 factor from the site file. Pure.
 */
export function commodityLines(
  electricity: {
    consumptionKWh: number;
    gridKWh: number;
    costEur: number;
    previousMonthKWh: number | null;
    peersKWh: readonly number[];
  },
  months: readonly CommodityMonthInput[],
  prices: CommoditiesSpec | undefined,
): CommodityLine[] {
  const electricityFactor = prices?.electricity?.kgCo2PerKWh;
  const lines: CommodityLine[] = [
    line(
      'electricity',
      'kWh',
      electricity.consumptionKWh,
      electricity.consumptionKWh,
      electricity.costEur,
      electricityFactor === undefined ? null : electricity.gridKWh * electricityFactor,
      electricity.previousMonthKWh,
      electricity.peersKWh,
    ),
  ];
  for (const month of months) {
    const priced = priceOf(month.commodity, prices);
    if (!priced) continue;
    const toUnit = unitOf(month.commodity);
    const quantity = toUnit(month.quantity);
    const previous = month.previousQuantity === undefined ? null : toUnit(month.previousQuantity);
    const { unit, energyKWh, costEur, kgCo2 } = priced(quantity);
    lines.push(line(month.commodity, unit, quantity, energyKWh, costEur, kgCo2, previous, month.peers.map(toUnit)));
  }
  return lines;
}

type Priced = { unit: CommodityLine['unit']; energyKWh: number | null; costEur: number; kgCo2: number };

/** How a quantity in the report's unit is priced and weighed, at the site's figures; undefined without them. */
function priceOf(
  commodity: CommodityMonthInput['commodity'],
  prices: CommoditiesSpec | undefined,
): ((quantity: number) => Priced) | undefined {
  const gas = prices?.gas;
  const water = prices?.water;
  const heat = prices?.heat;
  switch (commodity) {
    case 'gas':
      return (
        gas &&
        ((m3) => {
          const kWh = m3 * gas.kWhPerM3;
          return { unit: 'm3', energyKWh: kWh, costEur: kWh * gas.eurPerKWh, kgCo2: kWh * gas.kgCo2PerKWh };
        })
      );
    case 'water':
      return (
        water && ((m3) => ({ unit: 'm3', energyKWh: null, costEur: m3 * water.eurPerM3, kgCo2: m3 * water.kgCo2PerM3 }))
      );
    case 'heat':
      return (
        heat &&
        ((kWh) => ({ unit: 'kWh', energyKWh: kWh, costEur: kWh * heat.eurPerKWh, kgCo2: kWh * heat.kgCo2PerKWh }))
      );
  }
}

/** From the meter's unit to the report's: m³ stay, litres to m³, Wh to kWh. */
function unitOf(commodity: CommodityMonthInput['commodity']): (x: number) => number {
  return commodity === 'gas' ? (x) => x : (x) => x / 1000;
}

function line(
  commodity: ReportCommodity,
  unit: CommodityLine['unit'],
  quantity: number,
  energyKWh: number | null,
  costEur: number,
  kgCo2: number | null,
  previous: number | null,
  peers: readonly number[],
): CommodityLine {
  return {
    commodity,
    unit,
    quantity: round(quantity, 3),
    energyKWh: energyKWh === null ? null : round(energyKWh, 3),
    costEur: round(costEur, 2),
    kgCo2: kgCo2 === null ? null : round(kgCo2, 1),
    previousMonth: previous === null ? null : round(previous, 3),
    changePct: previous ? round(((quantity - previous) / previous) * 100, 1) : null,
    peers: {
      count: peers.length,
      median: (() => {
        const m = median(peers);
        return m === null ? null : round(m, 3);
      })(),
    },
  };
}
