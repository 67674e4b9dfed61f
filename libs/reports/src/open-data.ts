/**
 * The îlot's data as a common good (issue 16): its hourly production, consumption, exchanges with the grid and how
 * much of its solar it used itself, as open data with a Table Schema (Frictionless). Nothing personal: consumption is
 * the participants' meters summed, given only for an hour where at least OPEN_DATA_MIN_PARTICIPANTS of them reported
 * (fewer, and one could be singled out); the ratios that need it are empty then too. The grid's import and export,
 * and what derives from them (self-consumption, the effacement delivered), are the homes' summed consumption less the
 * îlot's own production: on an îlot of fewer than OPEN_DATA_MIN_PARTICIPANTS homes they are empty in every hour (issue
 * 26: on a two-home îlot they gave anyone the two homes' curve). Pure: hourly means in, rows out.
 */
export const OPEN_DATA_MIN_PARTICIPANTS = 5;

/** One hour of the îlot: the mean powers of the hour (W), the meters that reported in it. */
export interface OpenDataHour {
  hour: Date;
  pvW: number | null;
  gridW: number | null;
  consumptionW: number | null;
  metersReporting: number;
  /** The reduction the îlot delivered in the hour against its reference, Wh, when an effacement order covered it. */
  effacementWh?: number;
}

export interface OpenDataRow {
  hour: string;
  pv_production_kwh: number | null;
  consumption_kwh: number | null;
  grid_import_kwh: number | null;
  grid_export_kwh: number | null;
  self_consumption_ratio: number | null;
  self_sufficiency_ratio: number | null;
  effacement_delivered_kwh: number | null;
}

const round = (x: number) => Math.round(x * 1000) / 1000;

export function openDataRows(
  hours: readonly OpenDataHour[],
  /** The homes behind the îlot's connection (its participants' meters), whose sum the grid figures carry. */
  homes: number,
): OpenDataRow[] {
  const gridIsPublic = homes >= OPEN_DATA_MIN_PARTICIPANTS;
  return [...hours]
    .sort((a, b) => a.hour.getTime() - b.hour.getTime())
    .map((h) => {
      const pvKWh = h.pvW === null ? null : Math.max(0, h.pvW) / 1000;
      const gridW = gridIsPublic ? h.gridW : null;
      const importKWh = gridW === null ? null : Math.max(0, gridW) / 1000;
      const exportKWh = gridW === null ? null : Math.max(0, -gridW) / 1000;
      const consumptionKWh =
        h.consumptionW === null || h.metersReporting < OPEN_DATA_MIN_PARTICIPANTS ? null : h.consumptionW / 1000;
      const selfUsedKWh = pvKWh === null || exportKWh === null ? null : Math.max(0, pvKWh - exportKWh);
      return {
        // Table Schema's datetime: RFC 3339 without fractional seconds.
        hour: h.hour.toISOString().replace('.000Z', 'Z'),
        pv_production_kwh: pvKWh === null ? null : round(pvKWh),
        consumption_kwh: consumptionKWh === null ? null : round(consumptionKWh),
        grid_import_kwh: importKWh === null ? null : round(importKWh),
        grid_export_kwh: exportKWh === null ? null : round(exportKWh),
        self_consumption_ratio: selfUsedKWh === null || !pvKWh ? null : round(selfUsedKWh / pvKWh),
        self_sufficiency_ratio:
          selfUsedKWh === null || !consumptionKWh ? null : round(Math.min(1, selfUsedKWh / consumptionKWh)),
        effacement_delivered_kwh: h.effacementWh === undefined || !gridIsPublic ? null : round(h.effacementWh / 1000),
      };
    });
}

const kWhField = (name: string, title: string) => ({
  name,
  type: 'number',
  title,
  unit: 'kWh',
  constraints: { minimum: 0 },
});
const ratioField = (name: string, title: string) => ({
  name,
  type: 'number',
  title,
  constraints: { minimum: 0, maximum: 1 },
});

/** The Table Schema of the rows (https://specs.frictionlessdata.io/table-schema/); an empty cell is a missing value. */
export const OPEN_DATA_SCHEMA = {
  fields: [
    { name: 'hour', type: 'datetime', title: 'start of the hour, UTC', constraints: { required: true } },
    kWhField('pv_production_kwh', 'solar production of the îlot'),
    kWhField('consumption_kwh', `participants' consumption, summed (empty under ${OPEN_DATA_MIN_PARTICIPANTS} meters)`),
    kWhField(
      'grid_import_kwh',
      `drawn from the grid (hourly mean; empty on an îlot of under ${OPEN_DATA_MIN_PARTICIPANTS} homes)`,
    ),
    kWhField(
      'grid_export_kwh',
      `fed into the grid (hourly mean; empty on an îlot of under ${OPEN_DATA_MIN_PARTICIPANTS} homes)`,
    ),
    ratioField('self_consumption_ratio', 'share of the solar used in the îlot'),
    ratioField('self_sufficiency_ratio', 'share of the consumption covered by the solar'),
    {
      name: 'effacement_delivered_kwh',
      type: 'number',
      title: 'demand response delivered against the îlot’s reference (empty outside an order; negative: consumed more)',
      unit: 'kWh',
    },
  ],
  primaryKey: ['hour'],
  missingValues: [''],
};

/** The rows as CSV, a header line then one line per hour; an empty cell where a value is missing. */
export function openDataCsv(rows: readonly OpenDataRow[]): string {
  const names = OPEN_DATA_SCHEMA.fields.map((f) => f.name) as Array<keyof OpenDataRow>;
  return [names.join(','), ...rows.map((r) => names.map((n) => r[n] ?? '').join(','))].join('\n') + '\n';
}

/** The licence of the îlot's open data unless its site file chooses another (`openData.licence`). */
export const DEFAULT_OPEN_DATA_LICENCE = {
  name: 'etalab-2.0',
  title: 'Licence Ouverte / Open Licence 2.0',
  path: 'https://www.etalab.gouv.fr/licence-ouverte-open-licence',
} as const;

/** The JSON export: the îlot, its licence (Frictionless `licenses`), the Table Schema and the rows. API and CLI alike. */
export function openDataDocument(
  site: { id: string; name: string; openData?: { licence: { name: string; title: string; path: string } } },
  rows: readonly OpenDataRow[],
) {
  return {
    siteId: site.id,
    name: site.name,
    licenses: [site.openData?.licence ?? DEFAULT_OPEN_DATA_LICENCE],
    schema: OPEN_DATA_SCHEMA,
    rows,
  };
}
