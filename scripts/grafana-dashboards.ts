/* eslint-disable max-lines -- the dashboards as data: one panel definition after another, generated into deploy/grafana */
/**
 * The Grafana dashboards of the îlot, as code: `npm run dashboards` writes them to deploy/grafana/dashboards/*.json
 * (what Grafana provisions); a test checks the JSON files are what this gives, runs every SQL query against a real
 * database with data, and checks every Prometheus query names a metric the apps export.
 * SQL panels read the 15-min aggregate of the îlot's shared devices and the participants' meters summed (migration
 * 13's views over `readings_15m`: a continuous aggregate on TimescaleDB, a rollup table
 * otherwise, same columns) and the plans, commands, signals and rejects tables.
 */

/**
 * Panels name their data sources through two dashboard variables, not fixed uids (issue 25: the dashboards worked only
 * with the shipped compose's data sources): imported into an existing Grafana, they take that Grafana's Prometheus and
 * PostgreSQL sources (the first of each type, or the one picked at the top of the dashboard).
 */
export const PROMETHEUS = { type: 'prometheus', uid: '${prometheus}' } as const;
export const DATABASE = { type: 'grafana-postgresql-datasource', uid: '${timescaledb}' } as const;
const DATASOURCE_VARIABLES = [
  { name: 'prometheus', label: 'Prometheus', type: 'datasource', query: 'prometheus', hide: 0 },
  { name: 'timescaledb', label: 'TimescaleDB', type: 'datasource', query: 'grafana-postgresql-datasource', hide: 0 },
];

type Datasource = typeof PROMETHEUS | typeof DATABASE;
export interface PromTarget {
  refId: string;
  datasource: typeof PROMETHEUS;
  expr: string;
  legendFormat: string;
}
export interface SqlTarget {
  refId: string;
  datasource: typeof DATABASE;
  rawSql: string;
  format: 'time_series' | 'table';
  rawQuery: true;
  editorMode: 'code';
}
export interface Panel {
  id: number;
  type: 'timeseries' | 'stat' | 'table';
  title: string;
  datasource: Datasource;
  gridPos: { x: number; y: number; w: number; h: number };
  targets: Array<PromTarget | SqlTarget>;
  fieldConfig: {
    defaults: { unit?: string };
    overrides: Array<{ matcher: { id: 'byName'; options: string }; properties: Array<{ id: string; value: unknown }> }>;
  };
  options?: Record<string, unknown>;
}
export interface Dashboard {
  uid: string;
  title: string;
  tags: string[];
  timezone: 'browser';
  schemaVersion: 39;
  version: 1;
  refresh: string;
  time: { from: string; to: string };
  templating: { list: unknown[] };
  panels: Panel[];
}

const SITE_VARIABLE = {
  name: 'site',
  label: 'Îlot',
  type: 'query',
  datasource: DATABASE,
  query: 'SELECT DISTINCT site_id FROM device_status ORDER BY 1',
  refresh: 1,
};
const GRID_VARIABLE = {
  name: 'grid',
  label: 'Grid meter',
  type: 'textbox',
  query: 'grid',
  current: { text: 'grid', value: 'grid' },
};

/** Panels laid out two per row, 12 columns wide, 8 high. */
function layout(panels: Array<Omit<Panel, 'id' | 'gridPos'> & { wide?: boolean }>): Panel[] {
  let x = 0;
  let y = 0;
  return panels.map(({ wide, ...panel }, i) => {
    const w = wide ? 24 : 12;
    if (x + w > 24) {
      x = 0;
      y += 8;
    }
    const placed = { ...panel, id: i + 1, gridPos: { x, y, w, h: 8 } };
    x += w;
    return placed;
  });
}

const prom = (
  title: string,
  type: Panel['type'],
  unit: string,
  queries: Array<[expr: string, legend: string]>,
  wide = false,
) => ({
  type,
  title,
  datasource: PROMETHEUS,
  wide,
  targets: queries.map(([expr, legendFormat], i) => ({
    refId: String.fromCharCode(65 + i),
    datasource: PROMETHEUS,
    expr,
    legendFormat,
  })),
  fieldConfig: { defaults: { unit }, overrides: [] },
});

/** A SQL panel; a table names its columns (with their units), which the test checks the query returns. */
const sql = (
  title: string,
  format: SqlTarget['format'],
  queries: string[],
  options: { unit?: string; columns?: Record<string, string>; wide?: boolean } = {},
) => ({
  type: format === 'table' ? ('table' as const) : ('timeseries' as const),
  title,
  datasource: DATABASE,
  wide: options.wide ?? false,
  targets: queries.map((rawSql, i) => ({
    refId: String.fromCharCode(65 + i),
    datasource: DATABASE,
    rawSql,
    format,
    rawQuery: true as const,
    editorMode: 'code' as const,
  })),
  fieldConfig: {
    defaults: { unit: options.unit },
    overrides: Object.entries(options.columns ?? {}).map(([column, unit]) => ({
      matcher: { id: 'byName' as const, options: column },
      properties: [{ id: 'unit', value: unit }],
    })),
  },
});

const GRID_15M = `SELECT bucket AS time, power_sum_w / samples AS grid_w
  FROM dashboard_readings_15m WHERE site_id = '$site' AND device_id = '$grid' AND $__timeFilter(bucket) ORDER BY 1`;

function dashboard(
  uid: string,
  title: string,
  panels: Parameters<typeof layout>[0],
  time = { from: 'now-24h', to: 'now' },
): Dashboard {
  return {
    uid,
    title,
    tags: ['ilot'],
    timezone: 'browser',
    schemaVersion: 39,
    version: 1,
    refresh: '30s',
    time,
    templating: { list: [...DATASOURCE_VARIABLES, SITE_VARIABLE, GRID_VARIABLE] },
    panels: layout(panels),
  };
}

export const DASHBOARDS: Dashboard[] = [
  dashboard('ilot-overview', 'Îlot: overview', [
    prom(
      'Power flows',
      'timeseries',
      'watt',
      [
        ['ilot_site_grid_power_watts{site="$site"}', 'grid (> 0 import)'],
        ['ilot_site_pv_power_watts{site="$site"}', 'PV'],
      ],
      true,
    ),
    prom('Self-consumption and self-sufficiency (trailing window)', 'stat', 'percentunit', [
      ['ilot_site_self_consumption_ratio{site="$site"}', 'self-consumption'],
      ['ilot_site_self_sufficiency_ratio{site="$site"}', 'self-sufficiency'],
    ]),
    prom('Battery state of charge', 'timeseries', 'percent', [
      ['ilot_battery_soc_percent{site="$site"}', '{{device}}'],
    ]),
    prom('Import price and tariff period', 'timeseries', 'currencyEUR', [
      ['ilot_site_import_price_eur_per_kwh{site="$site"}', '{{period}}'],
    ]),
    sql('Grid at the connection, 15-min means', 'time_series', [GRID_15M], { unit: 'watt' }),
    sql(
      'Energy by device over the range',
      'table',
      [
        `SELECT device, energy_kwh FROM (
  SELECT device_id AS device, round((sum(power_sum_w / samples) * 0.25 / 1000)::numeric, 1) AS energy_kwh
    FROM dashboard_readings_15m WHERE site_id = '$site' AND $__timeFilter(bucket) GROUP BY device_id
  UNION ALL
  SELECT 'participants (' || max(meters) || ' meters, summed)', round((sum(power_w) * 0.25 / 1000)::numeric, 1)
    FROM dashboard_participants_15m WHERE site_id = '$site' AND $__timeFilter(bucket) HAVING count(*) > 0
) e ORDER BY energy_kwh DESC`,
      ],
      { columns: { device: 'string', energy_kwh: 'kwatth' }, wide: true },
    ),
  ]),
  dashboard(
    'ilot-planner',
    'Îlot: planner',
    [
      sql(
        'Plan against actual: grid power',
        'time_series',
        [
          `SELECT (s->>'start')::timestamptz AS time, (s->>'gridW')::float8 AS planned_grid_w
  FROM plans p CROSS JOIN LATERAL jsonb_array_elements(p.document->'slots') s
  WHERE p.id = (SELECT max(id) FROM plans WHERE site_id = '$site') AND $__timeFilter((s->>'start')::timestamptz) ORDER BY 1`,
          GRID_15M,
        ],
        { unit: 'watt', wide: true },
      ),
      prom('Plans by status', 'timeseries', 'short', [
        ['sum by (status) (increase(ilot_optimiser_runs_total{site="$site"}[$__rate_interval]))', '{{status}}'],
      ]),
      prom('Solve time', 'timeseries', 's', [
        [
          'histogram_quantile(0.5, sum by (le, solver) (rate(ilot_optimiser_solve_seconds_bucket{site="$site"}[$__rate_interval])))',
          'p50 {{solver}}',
        ],
        [
          'histogram_quantile(0.99, sum by (le, solver) (rate(ilot_optimiser_solve_seconds_bucket{site="$site"}[$__rate_interval])))',
          'p99 {{solver}}',
        ],
      ]),
      sql(
        'Recent plans',
        'table',
        [
          `SELECT generated_at AS time, status, solver, round(objective_eur::numeric, 2) AS objective_eur, round(solve_ms::numeric) AS solve_ms
  FROM plans WHERE site_id = '$site' AND $__timeFilter(generated_at) ORDER BY generated_at DESC LIMIT 50`,
        ],
        {
          columns: {
            time: 'dateTimeAsIso',
            status: 'string',
            solver: 'string',
            objective_eur: 'currencyEUR',
            solve_ms: 'ms',
          },
        },
      ),
      sql(
        'Commands and their outcome',
        'table',
        [
          `SELECT issued_at AS time, device_id AS device, type, reason, coalesce(ack_status, 'pending') AS ack
  FROM commands WHERE site_id = '$site' AND $__timeFilter(issued_at) ORDER BY issued_at DESC LIMIT 100`,
        ],
        { columns: { time: 'dateTimeAsIso', device: 'string', type: 'string', reason: 'string', ack: 'string' } },
      ),
      prom('Commands by outcome', 'timeseries', 'short', [
        ['sum by (status) (increase(ilot_commands_total{site="$site"}[$__rate_interval]))', '{{status}}'],
      ]),
    ],
    { from: 'now-24h', to: 'now+24h' },
  ),
  dashboard(
    'ilot-effacement',
    'Îlot: effacement events',
    [
      sql(
        'Orders',
        'table',
        [
          `SELECT key AS event, starts_at AS start, ends_at AS "end", (payload->>'reductionW')::float8 AS asked_w
  FROM signals WHERE site_id = '$site' AND type = 'effacement' AND $__timeFilter(starts_at) ORDER BY starts_at DESC`,
        ],
        { columns: { event: 'string', start: 'dateTimeAsIso', end: 'dateTimeAsIso', asked_w: 'watt' }, wide: true },
      ),
      prom('Delivered against asked, now', 'timeseries', 'watt', [
        ['ilot_effacement_asked_watts{site="$site"}', 'asked {{event}}'],
        ['ilot_effacement_delivered_watts{site="$site"}', 'delivered {{event}}'],
      ]),
      sql(
        'Grid import during the orders, 15-min means',
        'time_series',
        [
          `SELECT r.bucket AS time, r.power_sum_w / r.samples AS grid_w
  FROM dashboard_readings_15m r JOIN signals s ON s.site_id = r.site_id AND s.type = 'effacement' AND r.bucket >= s.starts_at AND r.bucket < s.ends_at
  WHERE r.site_id = '$site' AND r.device_id = '$grid' AND $__timeFilter(r.bucket) ORDER BY 1`,
        ],
        { unit: 'watt' },
      ),
      sql(
        'Commands for the orders',
        'table',
        [
          `SELECT issued_at AS time, device_id AS device, type, reason, coalesce(ack_status, 'pending') AS ack
  FROM commands WHERE site_id = '$site' AND reason LIKE 'effacement:%' AND $__timeFilter(issued_at) ORDER BY issued_at DESC LIMIT 100`,
        ],
        { columns: { time: 'dateTimeAsIso', device: 'string', reason: 'string', ack: 'string' } },
      ),
    ],
    { from: 'now-7d', to: 'now+1d' },
  ),
  dashboard('ilot-ingestion', 'Îlot: ingestion health', [
    prom('Readings committed and duplicates', 'timeseries', 'reqps', [
      ['sum by (site) (rate(ilot_ingest_readings_total{site="$site"}[$__rate_interval]))', 'committed'],
      ['sum by (site) (rate(ilot_ingest_duplicates_total{site="$site"}[$__rate_interval]))', 'duplicates'],
    ]),
    prom('Rejected messages by reason', 'timeseries', 'reqps', [
      ['sum by (reason) (rate(ilot_ingest_rejected_total{site="$site"}[$__rate_interval]))', '{{reason}}'],
    ]),
    prom('Lag, device time to commit', 'timeseries', 's', [
      [
        'histogram_quantile(0.5, sum by (le) (rate(ilot_ingest_lag_seconds_bucket{site="$site"}[$__rate_interval])))',
        'p50',
      ],
      [
        'histogram_quantile(0.99, sum by (le) (rate(ilot_ingest_lag_seconds_bucket{site="$site"}[$__rate_interval])))',
        'p99',
      ],
    ]),
    prom('Messages held unacknowledged', 'timeseries', 'short', [
      ['ilot_ingest_unacked_messages{site="$site"}', 'held'],
    ]),
    prom('Residents’ reports: how far the ledger is behind', 'timeseries', 's', [
      ['ilot_resident_ledger_lag_seconds{site="$site"}', 'behind'],
    ]),
    prom(
      'Age of each device’s last reading',
      'timeseries',
      's',
      [['ilot_device_last_reading_age_seconds{site="$site"}', '{{device}}']],
      true,
    ),
    sql(
      'Last rejected messages',
      'table',
      [
        `SELECT received_at AS time, topic, reason, detail FROM dashboard_rejected_messages WHERE $__timeFilter(received_at) ORDER BY received_at DESC LIMIT 50`,
      ],
      { columns: { time: 'dateTimeAsIso', topic: 'string', reason: 'string', detail: 'string' } },
    ),
    sql(
      'Collective self-consumption: the months reconciled with the distributor',
      'table',
      [
        `SELECT month, role, quantity, cause, points, flagged_points AS flagged, difference_kwh AS difference, computed_at AS computed
  FROM dashboard_acc_reconciliation WHERE site_id = '$site' ORDER BY month DESC, role, quantity, cause LIMIT 100`,
      ],
      {
        columns: {
          month: 'string',
          cause: 'string',
          flagged: 'short',
          difference: 'kwatth',
          computed: 'dateTimeAsIso',
        },
        wide: true,
      },
    ),
    sql(
      'Device status',
      'table',
      [
        `SELECT device_id AS device, state, received_at AS since FROM device_status WHERE site_id = '$site' ORDER BY state, device_id`,
      ],
      {
        columns: { device: 'string', state: 'string', since: 'dateTimeAsIso' },
      },
    ),
  ]),
];

/** The file Grafana provisions for a dashboard. */
export function dashboardJson(dashboard: Dashboard): string {
  return JSON.stringify(dashboard, null, 2) + '\n';
}
