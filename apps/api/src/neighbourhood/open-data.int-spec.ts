import type { INestApplication } from '@nestjs/common';
import { OPEN_DATA_SCHEMA } from '@ilot/reports';
import { ledgerSite } from '@ilot/residents/testing/ledger-site';
import { createTestDatabase, TestDatabase } from '@ilot/timeseries/testing/test-database';
import { Client } from 'pg';
import { Schema, Table } from 'tableschema';
import { startApiOnLedgerDay } from '../testing/api-alone';

const SITE = ledgerSite('dynamic-default', 'open');

/** Issue 16: the îlot's open data over HTTP, to anyone, validated against its Table Schema (real PostgreSQL). */
describe('the îlot’s open data', () => {
  let database: TestDatabase;
  let app: INestApplication;
  let base: string;
  const range = 'from=2026-01-10T11:00:00Z&to=2026-01-10T14:00:00Z';

  beforeAll(async () => {
    database = await createTestDatabase('ilot_open_data');
    ({ app, base } = await startApiOnLedgerDay(SITE, database.url, {
      operator: 'open-data-operator-token-0123456789',
      secret: 'open-data-token-secret-0123456789abcdef0123',
    }));
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await database?.drop();
  });

  it('serves CSV its Table Schema validates, and never the consumption of fewer than 5 participants', async () => {
    const csv = await fetch(`${base}/open-data?${range}&format=csv`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const lines = (await csv.text()).trim().split('\n');
    const table = await Table.load(
      lines.map((line) => line.split(',')),
      { schema: await Schema.load(OPEN_DATA_SCHEMA), headers: 1 },
    );
    const rows = (await table.read({ keyed: true, cast: true })) as unknown as Array<Record<string, unknown>>;
    expect(rows.length).toBeGreaterThan(0);
    // The test îlot has 3 participants: their consumption is never given, its ratio neither; the solar is. Nor the grid
    // (issue 26: consumption = grid + PV, the homes' sum), nor the self-consumption that gives the export.
    expect(rows.every((r) => r.consumption_kwh === null && r.self_sufficiency_ratio === null)).toBe(true);
    expect(rows.every((r) => r.grid_import_kwh === null && r.grid_export_kwh === null)).toBe(true);
    expect(rows.every((r) => r.self_consumption_ratio === null)).toBe(true);
    expect(rows.some((r) => typeof r.pv_production_kwh === 'number' && (r.pv_production_kwh as number) > 0)).toBe(true);
  });

  it('serves JSON with its schema and licence, to anyone, and refuses a bad range with the reason', async () => {
    const json = (await (await fetch(`${base}/open-data?${range}`)).json()) as {
      schema: unknown;
      licenses: Array<{ name: string }>;
    };
    expect(json.schema).toEqual(OPEN_DATA_SCHEMA);
    expect(json.licenses[0].name).toBe('etalab-2.0');
    const reversed = await fetch(`${base}/open-data?from=2026-01-10T14:00:00Z&to=2026-01-10T11:00:00Z`);
    expect(reversed.status).toBe(400);
    expect(((await reversed.json()) as { message: string }).message).toBe('"from" must be before "to"');
  });

  // Issue 26: open data was recomputed at every request: removing one home changed a past hour by that home's own kWh.
  it('gives a past hour as it was first published, whatever changes after', async () => {
    type Rows = { rows: Array<{ hour: string; pv_production_kwh: number | null }> };
    const first = ((await (await fetch(`${base}/open-data?${range}`)).json()) as Rows).rows;
    expect(first.some((r) => (r.pv_production_kwh ?? 0) > 0)).toBe(true);
    const db = new Client({ connectionString: database.url });
    await db.connect();
    try {
      // The îlot's PV readings of the range gone (or a meter's, a home leaving): the published hours do not move.
      const { rowCount } = await db.query(
        `DELETE FROM readings WHERE site_id = $1 AND device_id = 'pv-1' AND ts >= '2026-01-10T11:00:00Z'`,
        [SITE.id],
      );
      expect(rowCount).toBeGreaterThan(0);
      const again = ((await (await fetch(`${base}/open-data?${range}`)).json()) as Rows).rows;
      expect(again).toEqual(first);
      const csv = await (await fetch(`${base}/open-data?${range}&format=csv`)).text();
      expect(csv.split('\n').length - 2).toBe(first.length);
    } finally {
      await db.end();
    }
  });
});
