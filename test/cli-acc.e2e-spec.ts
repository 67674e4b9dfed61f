import { createTestDatabase, type TestDatabase } from '@ilot/timeseries/testing/test-database';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const root = join(__dirname, '..');
const SITE = join(root, 'sites', 'acc-demo.yaml');

/** `ilot acc ...` as an operator runs it (the built command) on the real PostgreSQL: the demo's November, a gap planted. */
describe('ilot acc simulate | import | reconcile (issue 29)', () => {
  let database: TestDatabase;
  const out = mkdtempSync(join(tmpdir(), 'ilot-acc-'));
  const ilot = async (...args: string[]) => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        join(root, 'dist/apps/cli/src/main.js'),
        ...args,
        '--site',
        SITE,
        '--month',
        '2026-11',
        '--database',
        database.url,
      ],
      { cwd: root, maxBuffer: 16 * 1024 * 1024 },
    );
    return stdout.trimEnd().split('\n');
  };

  beforeAll(async () => {
    database = await createTestDatabase('ilot_cli_acc');
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('writes the key file and the distributor file, imports it, and flags the participant whose meter was silent', async () => {
    const simulated = await ilot(
      'acc',
      'simulate',
      '--out',
      out,
      '--sample-minutes',
      '15',
      '--gap',
      'm-bakery,2026-11-20T06:00:00Z,2026-11-20T18:00:00Z',
    );
    expect(simulated[0]).toMatch(/^\d+ readings of 2026-11 stored for "acc-demo"$/);
    // The gap reaches the key file: the bakery's half day gets 0 % there, and the PMO is told before sending it.
    expect(simulated).toContain('  bakery: 48 step(s) without a reading get 0 %');
    const key = readFileSync(join(out, 'cles-acc-demo-2026-11.csv'), 'utf8').split('\n');
    expect(key[0]).toBe(
      'Horodate;' + [101, 102, 103, 104, 201, 202, 203, 204, 301, 302].map((n) => `30000000000${n}`).join(';'),
    );
    const imported = await ilot('acc', 'import', '--file', join(out, 'distributeur-acc-demo-2026-11.csv'));
    expect(imported[0]).toMatch(/: 32736 rows of 2026-11 imported for "acc-demo" \(import 1\)$/);
    const report = await ilot('acc', 'reconcile');
    expect(report[0]).toBe('acc-demo 2026-11: 12 delivery points, 1 line(s) flagged above 2 %');
    const bakery = report.findIndex((l) => /bakery .* total /.test(l));
    // Half a weekday of a bakery's month: over 2 %.
    expect(report[bakery]).toMatch(/^FLAGGED bakery .* difference [1-9]\d*\.\d{3} kWh \([2-9]\.\d\d %\)$/);
    expect(report[bakery + 1]).toMatch(
      /ilot-meter-gap: 48 step\(s\), .* kWh, 2026-11-20T06:00:00.000Z to 2026-11-20T18:00:00.000Z/,
    );
    expect(report.filter((l) => /difference 0\.000 kWh/.test(l))).toHaveLength(23);
  }, 120_000);

  it('invoices the month only once its differences are accepted, then writes the statements and the export', async () => {
    // The bakery's half-day gap is flagged: the month is not invoiced on unexplained figures.
    await expect(ilot('acc', 'invoice', '--out', out)).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('unchecked'),
    });
    const invoiced = await ilot('acc', 'invoice', '--out', out, '--accept-differences');
    expect(invoiced[0]).toBe('acc-demo 2026-11: 10 invoice(s) issued, 0 already invoiced');
    expect(invoiced.filter((l) => /^ {2}IVE-2026-0000\d\d /.test(l))).toHaveLength(10);
    expect(invoiced.find((l) => l.includes('bakery'))).toMatch(/TTC \(Factur-X\)$/);
    expect(readFileSync(join(out, 'IVE-2026-000008.pdf')).subarray(0, 5).toString()).toBe('%PDF-');
    expect(readFileSync(join(out, 'IVE-2026-000008.factur-x.xml'), 'utf8')).toContain(
      '<ram:ID>IVE-2026-000008</ram:ID>',
    );
    expect((await ilot('acc', 'invoice', '--out', out, '--accept-differences'))[0]).toBe(
      'acc-demo 2026-11: 0 invoice(s) issued, 10 already invoiced',
    );
    const statements = await ilot('acc', 'statements', '--out', out);
    expect(statements).toHaveLength(2);
    expect(readFileSync(join(out, 'releve-pv-school-2026-11.csv'), 'utf8').split('\n')[0]).toBe(
      'Producteur;Mois;Participant;Acheteur;Énergie (kWh);Montant HT (€)',
    );
    const exported = await ilot('acc', 'export');
    expect(exported).toHaveLength(11);
    expect(exported[8]).toMatch(
      /^IVE-2026-000008;facture;.*;bakery;.*;823456785;30000000000204;\d+,\d\d;\d+,\d\d;\d+,\d\d$/,
    );
  }, 120_000);

  it('refuses a file that is not the distributor format, naming the line, and imports nothing', async () => {
    const bad = join(out, 'bad.csv');
    writeFileSync(
      bad,
      'Horodate;Identifiant PRM;Type;Energie totale (Wh);Energie autoconsommée (Wh);Complément ou surplus (Wh)\n2026-11-02T12:00:00+01:00;30000000000101;CONSOMMATEUR;12,5;0;12,5\n',
    );
    await expect(ilot('acc', 'import', '--file', bad)).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('line 2: Energie totale (Wh) "12,5" is not whole Wh >= 0'),
    });
    // The month imported before is still the one reconciled.
    expect(await ilot('acc', 'reconcile')).toContain(
      'acc-demo 2026-11: 12 delivery points, 1 line(s) flagged above 2 %',
    );
  }, 60_000);
});
