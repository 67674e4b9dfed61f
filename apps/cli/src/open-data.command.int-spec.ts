import type { Reading } from '@ilot/domain';
import { OPEN_DATA_SCHEMA } from '@ilot/reports';
import { openDatabase, ReadingRepository } from '@ilot/timeseries';
import { createTestDatabase, TestDatabase } from '@ilot/timeseries/testing/test-database';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Schema, Table } from 'tableschema';
import { UsageError } from './args';
import { openDataCommand } from './open-data.command';

/** The demo îlot, its open data under the ODbL the operator chose. */
const dir = mkdtempSync(join(tmpdir(), 'ilot-open-data-'));
const siteFile = join(dir, 'demo.yaml');
writeFileSync(
  siteFile,
  readFileSync('sites/demo.yaml', 'utf8') +
    "openData:\n  licence: { name: odc-odbl, title: Open Data Commons Open Database License, path: 'https://opendatacommons.org/licenses/odbl/' }\n",
);
const T0 = Date.parse('2026-03-02T10:00:00Z');
const METERS = ['m-a-101', 'm-a-102', 'm-a-103', 'm-a-201', 'm-a-202', 'm-a-203'];

/** Two hours of readings every 15 min: six flats at 500 W, the PV at 6 kW, the connection importing the rest. */
function readings(): Reading[] {
  const rows: Reading[] = [];
  for (let k = 0; k < 8; k++) {
    const ts = new Date(T0 + k * 900_000);
    for (const deviceId of METERS) rows.push({ siteId: 'demo', deviceId, ts, seq: k, powerW: 500 });
    rows.push({ siteId: 'demo', deviceId: 'pv-a', ts, seq: k, powerW: 6000 });
    rows.push({ siteId: 'demo', deviceId: 'grid', ts, seq: k, powerW: -3000 });
  }
  return rows;
}

describe('ilot open-data: the îlot’s open data from the database (real PostgreSQL)', () => {
  let database: TestDatabase;
  const options = (extra: Record<string, string>) =>
    new Map(Object.entries({ site: siteFile, database: database.url, ...extra }).map(([k, v]) => [k, [v]]));

  beforeAll(async () => {
    database = await createTestDatabase('ilot_open_data_cli');
    const db = await openDatabase(database.url);
    await new ReadingRepository(db).insertBatch(readings(), new Date(T0 + 3 * 3_600_000));
    await db.destroy();
  }, 60_000);
  afterAll(async () => database?.drop());

  it('writes CSV its Table Schema validates: six flats (5 or more) give the consumption and the self-sufficiency', async () => {
    const out = join(dir, 'open-data.csv');
    const lines: string[] = [];
    const hours = await openDataCommand(
      options({ from: '2026-03-02T10:00:00Z', to: '2026-03-02T12:00:00Z', out }),
      (l) => lines.push(l),
    );
    expect(hours).toBe(2);
    expect(lines).toEqual([`${out}: 2 hours of demo, csv`]);
    const table = await Table.load(
      readFileSync(out, 'utf8')
        .trim()
        .split('\n')
        .map((line) => line.split(',')),
      { schema: await Schema.load(OPEN_DATA_SCHEMA), headers: 1 },
    );
    const rows = (await table.read({ keyed: true, cast: true })) as unknown as Array<Record<string, number | null>>;
    expect(rows.map((r) => [r.pv_production_kwh, r.consumption_kwh, r.grid_export_kwh])).toEqual([
      [6, 3, 3],
      [6, 3, 3],
    ]);
  });

  it('gives JSON with the licence the site file chose, and refuses a bad range or date with the reason', async () => {
    const printed: string[] = [];
    await openDataCommand(options({ from: '2026-03-02', to: '2026-03-03', format: 'json' }), (l) => printed.push(l));
    const document = JSON.parse(printed.join('\n')) as {
      licenses: Array<{ name: string }>;
      schema: unknown;
      rows: unknown[];
    };
    expect(document.licenses).toEqual([
      {
        name: 'odc-odbl',
        title: 'Open Data Commons Open Database License',
        path: 'https://opendatacommons.org/licenses/odbl/',
      },
    ]);
    expect(document.schema).toEqual(OPEN_DATA_SCHEMA);
    expect(document.rows).toHaveLength(2);
    await expect(openDataCommand(options({ from: '2026-03-03', to: '2026-03-02' }), () => {})).rejects.toThrow(
      new UsageError('--from/--to: "from" must be before "to"'),
    );
    await expect(openDataCommand(options({ from: 'yesterday', to: '2026-03-02' }), () => {})).rejects.toThrow(
      '--from must be an ISO 8601 instant (2026-01-12 or 2026-01-12T00:00:00Z), got "yesterday"',
    );
  });
});
