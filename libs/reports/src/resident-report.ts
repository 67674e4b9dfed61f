import { localDateTime } from '@ilot/domain';
import type { CommoditiesSpec } from '@ilot/site';
import { type CommodityLine, commodityLines, type CommodityMonthInput } from './commodity-lines';

/** One step of a participant's month: what it consumed, what the collective allocated it, and the price it would have paid. */
export interface ReportStep {
  start: Date;
  consumptionWh: number;
  /** Self-consumed energy allocated by the collective's key (never above `consumptionWh`). */
  allocatedWh: number;
  importEurPerKWh: number;
  /** Tariff period (HP, HC); absent for a dynamic tariff. */
  period?: string;
}

export interface ResidentReportInput {
  participantId: string;
  /** Local month, YYYY-MM. */
  month: string;
  timeZone: string;
  /** Price of a kWh from the collective (what the PMO charges), EUR. */
  localEurPerKWh: number;
  steps: readonly ReportStep[];
  /** The end of the newest step recorded (undefined: none): the report is complete up to there. */
  dataUntil?: Date;
  /** The participant's consumption the month before, kWh (undefined: no data). */
  previousMonthKWh?: number;
  /** Monthly consumption of the other participants of the same kind, kWh, anonymous. */
  peersKWh: readonly number[];
  /** Effacement orders of the month and what this participant's meter delivered against its own reference, Wh. */
  effacements: ReadonlyArray<{ id: string; start: Date; end: Date; deliveredWh: number }>;
  /** The participant's gas, water and heat months (issue 16), and the site's prices and CO2 factors. */
  commodityMonths?: readonly CommodityMonthInput[];
  /** The participant's gas, water and heat by UTC hour over the month, in the meter's unit (m³, L, Wh). */
  commodityHours?: ReadonlyArray<{ commodity: 'gas' | 'water' | 'heat'; hour: Date; quantity: number }>;
  commodityPrices?: CommoditiesSpec;
}

export interface ResidentReport {
  participantId: string;
  month: string;
  /** The end of the newest step recorded (ISO 8601), null when none: a month in progress ends there. */
  dataUntil: string | null;
  totals: { consumptionKWh: number; localKWh: number; gridKWh: number; localShare: number };
  days: Array<{
    date: string;
    consumptionKWh: number;
    localKWh: number;
    gridKWh: number;
    /** The other commodities the participant meters, that day (m³ of gas and water, kWh of heat). */
    gasM3?: number;
    waterM3?: number;
    heatKWh?: number;
  }>;
  byPeriod: Array<{ period: string; consumptionKWh: number; localKWh: number }>;
  cost: { withCollectiveEur: number; withoutCollectiveEur: number; savingEur: number };
  effacements: Array<{ id: string; start: string; end: string; deliveredKWh: number }>;
  comparison: {
    previousMonthKWh: number | null;
    /** Change against the previous month, % (null without it). */
    changePct: number | null;
    peers: {
      count: number;
      medianKWh: number | null;
      /** Share of peers who consumed less, 0..1 (null without peers). */ belowShare: number | null;
    };
  };
  /** The month across commodities: electricity first, then each other one the participant meters (issue 16). */
  commodities: CommodityLine[];
  /** Why a figure is missing, in words. */
  notes: string[];
}

const kWh = (wh: number) => Math.round(wh) / 1000;
const eur = (x: number) => Math.round(x * 100) / 100;
/** kWh figures to the Wh, as the totals (a median of raw meter sums has 14 digits nobody reads). */
const roundKWh = (x: number | null) => (x === null ? null : Math.round(x * 1000) / 1000);

function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * A resident's month: consumption by local day and by tariff period, the part the îlot's PV covered (its
 * allocation), what it cost with the collective against without it, its part in the month's effacements,
 * and how the month compares with the one before and with similar homes (anonymous: a median and a rank).
 * Pure: steps, prices and peers are given; local days follow `timeZone` (23 or 25 hours at a change of time).
 */
export function residentReport(input: ResidentReportInput): ResidentReport {
  const notes: string[] = [];
  const { days, periods, consumptionWh, localWh, withoutEur, withEur } = sumSteps(input);
  const commodityDays = commodityByDay(input);
  if (days.size === 0) notes.push(`no consumption recorded for ${input.month}`);
  const totalKWh = kWh(consumptionWh);
  const previous = input.previousMonthKWh;
  if (previous === undefined) notes.push('no previous month to compare with');
  if (input.peersKWh.length === 0) notes.push('no similar home in the îlot to compare with');
  return {
    participantId: input.participantId,
    month: input.month,
    dataUntil: input.dataUntil?.toISOString() ?? null,
    totals: {
      consumptionKWh: totalKWh,
      localKWh: kWh(localWh),
      gridKWh: kWh(consumptionWh - localWh),
      localShare: consumptionWh > 0 ? localWh / consumptionWh : 0,
    },
    days: [...days]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([date, d]) => ({
        date,
        consumptionKWh: kWh(d.consumptionWh),
        localKWh: kWh(d.localWh),
        gridKWh: kWh(d.consumptionWh - d.localWh),
        ...commodityDays.get(date),
      })),
    byPeriod: [...periods]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([period, p]) => ({ period, consumptionKWh: kWh(p.consumptionWh), localKWh: kWh(p.localWh) })),
    cost: {
      withCollectiveEur: eur(withEur),
      withoutCollectiveEur: eur(withoutEur),
      savingEur: eur(eur(withoutEur) - eur(withEur)),
    },
    effacements: input.effacements.map((e) => ({
      id: e.id,
      start: e.start.toISOString(),
      end: e.end.toISOString(),
      deliveredKWh: kWh(e.deliveredWh),
    })),
    comparison: {
      previousMonthKWh: roundKWh(previous ?? null),
      changePct: previous ? Math.round(((totalKWh - previous) / previous) * 1000) / 10 : null,
      peers: {
        count: input.peersKWh.length,
        medianKWh: roundKWh(median(input.peersKWh)),
        belowShare: input.peersKWh.length
          ? input.peersKWh.filter((p) => p < totalKWh).length / input.peersKWh.length
          : null,
      },
    },
    commodities: commoditiesOf(input, consumptionWh, localWh, withEur),
    notes,
  };
}

/** The month across commodities, electricity's line from the month's sums (commodity-lines). */
function commoditiesOf(input: ResidentReportInput, consumptionWh: number, localWh: number, withEur: number) {
  return commodityLines(
    {
      consumptionKWh: kWh(consumptionWh),
      gridKWh: kWh(consumptionWh - localWh),
      costEur: eur(withEur),
      previousMonthKWh: input.previousMonthKWh ?? null,
      peersKWh: input.peersKWh,
    },
    input.commodityMonths ?? [],
    input.commodityPrices,
  );
}

const DAY_FIELDS = { gas: ['gasM3', 1], water: ['waterM3', 1 / 1000], heat: ['heatKWh', 1 / 1000] } as const;

/** The other commodities summed by local day of the month, in the report's units (m³ of gas and water, kWh of heat). */
function commodityByDay(
  input: ResidentReportInput,
): Map<string, { gasM3?: number; waterM3?: number; heatKWh?: number }> {
  const days = new Map<string, { gasM3?: number; waterM3?: number; heatKWh?: number }>();
  for (const { commodity, hour, quantity } of input.commodityHours ?? []) {
    const date = localDateTime(hour, input.timeZone).date;
    if (!date.startsWith(input.month)) continue;
    const [field, scale] = DAY_FIELDS[commodity];
    const day = days.get(date) ?? {};
    day[field] = Math.round(((day[field] ?? 0) + quantity * scale) * 1000) / 1000;
    days.set(date, day);
  }
  return days;
}

/** The month's steps summed by local day, by tariff period and in all, with their cost with and without the collective. */
function sumSteps(input: ResidentReportInput) {
  const days = new Map<string, { consumptionWh: number; localWh: number }>();
  const periods = new Map<string, { consumptionWh: number; localWh: number }>();
  const sums = { consumptionWh: 0, localWh: 0, withoutEur: 0, withEur: 0 };
  const add = (map: typeof days, key: string, consumptionWh: number, localWh: number) => {
    const entry = map.get(key) ?? { consumptionWh: 0, localWh: 0 };
    entry.consumptionWh += consumptionWh;
    entry.localWh += localWh;
    map.set(key, entry);
  };
  for (const step of input.steps) {
    const local = Math.min(step.allocatedWh, step.consumptionWh);
    const date = localDateTime(step.start, input.timeZone).date;
    if (!date.startsWith(input.month)) continue;
    add(days, date, step.consumptionWh, local);
    add(periods, step.period ?? 'all', step.consumptionWh, local);
    sums.consumptionWh += step.consumptionWh;
    sums.localWh += local;
    sums.withoutEur += (step.consumptionWh / 1000) * step.importEurPerKWh;
    sums.withEur +=
      ((step.consumptionWh - local) / 1000) * step.importEurPerKWh + (local / 1000) * input.localEurPerKWh;
  }
  return { days, periods, ...sums };
}

/** The days of a report as CSV (kWh), for a spreadsheet. */
export function residentReportCsv(report: ResidentReport): string {
  // A column for each other commodity the participant metered this month.
  const extra = (['gasM3', 'waterM3', 'heatKWh'] as const).filter((field) =>
    report.days.some((d) => d[field] !== undefined),
  );
  const rows = report.days.map((d) =>
    [
      d.date,
      d.consumptionKWh.toFixed(3),
      d.localKWh.toFixed(3),
      d.gridKWh.toFixed(3),
      ...extra.map((field) => (d[field] ?? 0).toFixed(3)),
    ].join(','),
  );
  return [['date', 'consumptionKWh', 'localKWh', 'gridKWh', ...extra].join(','), ...rows].join('\n') + '\n';
}
