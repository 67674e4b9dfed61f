import { HOUR_MS } from '@ilot/domain';
import type { Reading } from '@ilot/domain';
import { loadSiteFile, sharedDevices } from '@ilot/site';
import {
  AccRepository,
  CommandRepository,
  DashboardDeviceRepository,
  GRAFANA_ROLE,
  DeviceStatusRepository,
  PlanRepository,
  ReadingRepository,
  RejectedMessageRepository,
  SignalRepository,
} from '@ilot/timeseries';
import { STORAGE_BACKENDS } from '@ilot/timeseries/testing/storage-backends';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { DASHBOARDS, dashboardJson, SqlTarget } from '../scripts/grafana-dashboards';
import { IlotWorld, ProfileTable } from '../simulators/src';
import { uniqueDemoSite } from './support/services';

const DIR = join(process.cwd(), 'deploy', 'grafana', 'dashboards');

/** Grafana's macros and the dashboards' variables, as Grafana expands them for a time range. */
function expand(rawSql: string, vars: { site: string; grid: string; from: Date; to: Date }): string {
  return rawSql
    .replace(
      /\$__timeFilter\(([^()]*(?:\([^()]*\))?[^()]*)\)/g,
      (_m, column: string) => `(${column}) BETWEEN '${vars.from.toISOString()}' AND '${vars.to.toISOString()}'`,
    )
    .replaceAll('$site', vars.site)
    .replaceAll('$grid', vars.grid);
}

describe('Grafana dashboards', () => {
  it('are the files Grafana provisions: deploy/grafana/dashboards holds exactly what scripts/grafana-dashboards.ts gives (npm run dashboards)', () => {
    expect(
      readdirSync(DIR)
        .filter((f) => f.endsWith('.json'))
        .sort(),
    ).toEqual(DASHBOARDS.map((d) => `${d.uid}.json`).sort());
    for (const dashboard of DASHBOARDS)
      expect(readFileSync(join(DIR, `${dashboard.uid}.json`), 'utf8')).toBe(dashboardJson(dashboard));
  });

  // Regression (issue 25): panels named the shipped compose's data source uids, so an import into an existing Grafana
  // showed "data source not found" on every panel.
  it('import into any Grafana: every panel and query names its data source through a dashboard variable', () => {
    for (const dashboard of DASHBOARDS) {
      const variables = new Map(
        (dashboard.templating.list as Array<{ name: string; type: string; query: string }>)
          .filter((v) => v.type === 'datasource')
          .map((v) => [`\${${v.name}}`, v.query]),
      );
      expect([...variables.values()].sort()).toEqual(['grafana-postgresql-datasource', 'prometheus']);
      const named = dashboard.panels.flatMap((panel) => [panel.datasource, ...panel.targets.map((t) => t.datasource)]);
      for (const source of named) expect(variables.get(source.uid)).toBe(source.type);
    }
  });

  describe.each(STORAGE_BACKENDS)('every SQL query, on $name with a day of the demo îlot', (backend) => {
    let db: DataSource;
    let close: () => Promise<void>;
    const { path: siteFile, siteId } = uniqueDemoSite('dash');
    const site = loadSiteFile(siteFile);
    const meters = new Set(site.participants.map((p) => p.meter));
    const now = new Date();
    const vars = {
      site: siteId,
      grid: 'grid',
      from: new Date(now.getTime() - 24 * HOUR_MS),
      to: new Date(now.getTime() + 24 * HOUR_MS),
    };

    beforeAll(async () => {
      ({ db, close } = await backend.open());
      // A day of every device, at 15-min steps, as ingestion stores it.
      const world = new IlotWorld(site, ProfileTable.load());
      const readings: Reading[] = [];
      const startMs = Math.floor((now.getTime() - 24 * HOUR_MS) / 900_000) * 900_000;
      for (let t = startMs; t < now.getTime(); t += 900_000) readings.push(...world.step(new Date(t)));
      await new ReadingRepository(db).insertBatch(readings, now);
      // As the metrics app keeps it: the îlot's shared devices, not the participants' meters.
      await new DashboardDeviceRepository(db).replaceSite(siteId, sharedDevices(site));
      const statuses = new DeviceStatusRepository(db);
      await statuses.upsert(siteId, 'bat-1', 'online', now, now);
      await statuses.upsert(siteId, 'pv-b', 'offline', now, now);
      const slots = Array.from({ length: 96 }, (_, k) => ({
        start: new Date(startMs + 96 * 900_000 + k * 900_000).toISOString(),
        gridW: 40_000 - k * 100,
      }));
      const planId = await new PlanRepository(db).insert({
        siteId,
        generatedAt: now,
        status: 'optimal',
        solver: 'highs',
        objectiveEur: 12.34,
        solveMs: 120,
        document: { slots },
      });
      const order = { start: new Date(now.getTime() - 4 * HOUR_MS), end: new Date(now.getTime() - 2 * HOUR_MS) };
      await new SignalRepository(db).storePayload(
        siteId,
        {
          type: 'effacement',
          id: 'order-1',
          start: order.start.toISOString(),
          end: order.end.toISOString(),
          reductionW: 40_000,
        },
        'Europe/Paris',
        now,
      );
      const command = {
        cmdId: '00000000-0000-4000-8000-000000000001',
        type: 'battery.setpoint',
        issuedAt: order.start.toISOString(),
        validFrom: order.start.toISOString(),
        validUntil: new Date(order.start.getTime() + 900_000).toISOString(),
        setpointW: 40_000,
        reason: 'effacement:order-1',
      };
      await new CommandRepository(db).insert({
        cmdId: command.cmdId,
        siteId,
        deviceId: 'bat-1',
        type: command.type,
        planId,
        issuedAt: order.start,
        validFrom: order.start,
        validUntil: new Date(command.validUntil),
        setpointW: command.setpointW,
        reason: command.reason,
        payload: command,
      });
      // A month of an operation on the public grid reconciled: one point's gap explained (issue 29).
      const gapStep = new Date(startMs);
      await new AccRepository(db).replaceReconciliation(
        siteId,
        '2026-11',
        [
          {
            id: 'flat-1',
            prm: '30000000000101',
            role: 'consumer',
            quantity: 'total',
            ilotWh: 1000,
            distributorWh: 1100,
            differenceWh: 100,
            differencePct: 9.09,
            roundingWh: 0,
            flagged: true,
            explanations: [
              { cause: 'ilot-meter-gap', steps: 1, differenceWh: 100, firstStep: gapStep, lastStep: gapStep },
            ],
          },
        ],
        now,
      );
      await new RejectedMessageRepository(db).insertBatch([
        {
          receivedAt: now,
          topic: `ilot/v1/${siteId}/m-a-101/telemetry`,
          reason: 'schema',
          detail: 'powerW: expected number',
          payload: '{}',
        },
      ]);
    }, 120_000);

    afterAll(async () => close?.());

    const sqlPanels = DASHBOARDS.flatMap((d) =>
      d.panels.flatMap((panel) =>
        panel.targets
          .filter((t): t is SqlTarget => 'rawSql' in t)
          .map((target) => ({ name: `${d.uid} / ${panel.title} / ${target.refId}`, panel, target })),
      ),
    );

    const asGrafana = (sql: string) =>
      db.transaction(async (m) => {
        await m.query(`SET LOCAL ROLE ${GRAFANA_ROLE}`);
        return m.query(sql) as Promise<Array<Record<string, unknown>>>;
      });

    it('gives Grafana’s role nothing of the resident ledger, nor any participant’s readings', async () => {
      for (const table of [
        'participant_steps',
        'readings',
        'readings_15m',
        'readings_1h',
        'rejected_messages',
        'ev_sessions',
        'dashboard_devices',
        'viewer_ticket_key',
        'acc_reconciliations',
        'acc_distributor_steps',
        'acc_key_files',
      ])
        await expect(asGrafana(`SELECT 1 FROM ${table} LIMIT 1`)).rejects.toThrow(/permission denied/);
    });

    /** Regression (issue 15): migration 5 granted every table; the overview's energy by device listed each flat. */
    it('shows the îlot’s shared devices one by one and the participants’ meters only summed, three or more', async () => {
      const devices = (await asGrafana('SELECT DISTINCT device_id FROM dashboard_readings_15m')).map(
        (r) => r.device_id,
      );
      expect(devices).toContain('grid');
      expect(devices.filter((id) => meters.has(String(id)))).toEqual([]);
      const summed = await asGrafana(
        `SELECT min(meters) AS fewest FROM dashboard_participants_15m WHERE site_id = '${siteId}'`,
      );
      expect(Number(summed[0].fewest)).toBeGreaterThanOrEqual(3);
      const energy = sqlPanels.find((p) => p.panel.title === 'Energy by device over the range')!;
      const rows = await asGrafana(expand(energy.target.rawSql, vars));
      expect(rows.map((r) => String(r.device)).filter((d) => meters.has(d))).toEqual([]);
      expect(rows.map((r) => String(r.device))).toContain(`participants (${meters.size} meters, summed)`);
      // What the role may read at all: views and the operational tables, nothing else.
      const granted = await db.query(
        `SELECT DISTINCT table_name FROM information_schema.role_table_grants WHERE grantee = $1 ORDER BY 1`,
        [GRAFANA_ROLE],
      );
      expect(granted.map((r: { table_name: string }) => r.table_name)).toEqual([
        'commands',
        'dashboard_acc_reconciliation',
        'dashboard_participants_15m',
        'dashboard_readings_15m',
        'dashboard_rejected_messages',
        'device_status',
        'plans',
        'signals',
      ]);
    });

    it('has SQL panels on every dashboard', () => {
      expect(new Set(sqlPanels.map((p) => p.name.split(' / ')[0]))).toEqual(new Set(DASHBOARDS.map((d) => d.uid)));
    });

    it.each(sqlPanels)(
      '$name returns rows with the columns its panel expects, as Grafana’s role',
      async ({ panel, target }) => {
        // As the datasource's role (deploy/grafana): its grants must cover every query, aggregates included.
        const rows: Array<Record<string, unknown>> = await db.transaction(async (m) => {
          await m.query(`SET LOCAL ROLE ${GRAFANA_ROLE}`);
          return m.query(expand(target.rawSql, vars));
        });
        expect(rows.length).toBeGreaterThan(0);
        const columns = Object.keys(rows[0]);
        if (target.format === 'time_series') {
          // A time column, then numbers only: what a Grafana time series needs.
          expect(columns[0]).toBe('time');
          expect(columns.length).toBeGreaterThan(1);
          for (const row of rows) {
            expect(row.time).toBeInstanceOf(Date);
            for (const column of columns.slice(1)) expect(typeof row[column]).toBe('number');
          }
        } else {
          // A table shows the columns its overrides name (with their units): each must come back.
          const expected = panel.fieldConfig.overrides.map((o) => o.matcher.options);
          expect(expected.length).toBeGreaterThan(0);
          for (const column of expected) expect(columns).toContain(column);
        }
      },
    );
  });
});
