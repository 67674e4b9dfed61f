import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './main';

const SITE_FILE = join(__dirname, '..', '..', '..', 'sites', 'demo.yaml');

/** Runs the CLI and keeps what it printed and what it said on stderr. */
async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const spy = jest.spyOn(console, 'error').mockImplementation((line: string) => void err.push(line));
  try {
    const code = await runCli(argv, (line) => out.push(line));
    return { code, out: out.join('\n'), err: err.join('\n') };
  } finally {
    spy.mockRestore();
  }
}

describe('ilot: a command line that refuses what it does not know', () => {
  // Regression: `ilot simulate --histroy x.csv` silently ran on the shipped profiles.
  it('refuses an unknown option with the command usage and exit 2, suggesting the option meant', async () => {
    const result = await cli('simulate', '--site', SITE_FILE, '--dyas', '7', '--out', '/tmp/x');
    expect(result.code).toBe(2);
    expect(result.err).toContain('ilot: unknown option --dyas for "ilot simulate" (did you mean --days?)');
    expect(result.err).toContain('usage: ilot simulate --site FILE --days N');
    expect(result.out).toBe('');
  });

  it.each([
    [['simulate', '--site'], '--site needs a value'],
    [['simulate', 'extra'], 'Unexpected argument'],
    [['simulat'], 'unknown command "simulat" (did you mean simulate?)'],
    [['help', 'nope'], 'unknown command "nope"'],
    [['token', '--site', SITE_FILE, '--role', 'operator', '--role', 'resident'], '--role is given twice'],
  ])('refuses %j with exit 2', async (argv, message) => {
    const result = await cli(...argv);
    expect(result.code).toBe(2);
    expect(result.err).toContain(message);
  });

  it('shows each command its usage on --help and ilot help COMMAND, exit 0', async () => {
    for (const argv of [
      ['report', '--help'],
      ['help', 'report'],
    ]) {
      const result = await cli(...argv);
      expect(result).toMatchObject({ code: 0, err: '' });
      expect(result.out).toMatch(/^usage: ilot report --site FILE --participant ID --month YYYY-MM/);
    }
    const overview = await cli('help');
    expect(overview.code).toBe(0);
    for (const name of ['validate', 'simulate', 'optimise', 'report', 'token', 'generate-sites'])
      expect(overview.out).toContain(`  ${name} `);
  });

  it('ilot validate: says what a good site file describes', async () => {
    const result = await cli('validate', '--site', SITE_FILE);
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/valid\. Site "demo"/);
    expect(result.out).toMatch(/\d+ devices \(1 grid, \d+ meter/);
    expect(result.out).not.toContain('warning');
  });

  it('ilot validate: says what a collective self-consumption operation on the public grid spans (issue 29)', async () => {
    const result = await cli('validate', '--site', join(__dirname, '..', '..', '..', 'sites', 'acc-example.yaml'));
    expect(result.code).toBe(0);
    expect(result.out).toContain(
      "collective self-consumption on the public grid: 4 consumers' and 1 producers' points, the farthest home-3 and bakery, 0.67 km apart (at most 2 km); producers 0.100 MW (under 3 MW)",
    );
  });

  it('ilot validate: says who bills an operation, its producers priced and its rates (issue 29)', async () => {
    const result = await cli('validate', '--site', join(__dirname, '..', '..', '..', 'sites', 'acc-demo.yaml'));
    expect(result.code).toBe(0);
    expect(result.out).toContain(
      'billed by PMO Île Verte Énergie (SAS) (SIREN 912345675), invoices IVE-YYYY-NNNNNN: pv-block-a (1 price(s)), pv-school (2 price(s)); VAT 20/20/20 % (resident/business/public); excise 0.02998 €/kWh collected',
    );
  });

  // Regression (issue 25): a new operator's file with fractions for percentages and kW for W was "valid", silently.
  it('ilot validate: warns of fractions where percentages are meant, kW for W, a meter nobody holds', async () => {
    const text = readFileSync(SITE_FILE, 'utf8')
      .replace(/minSocPct: 10\b/, 'minSocPct: 0.1')
      .replace(/maxSocPct: 95\b/, 'maxSocPct: 0.95')
      .replace(/peakW: (\d+)000\b/, 'peakW: $1')
      .replace(/^ {2}- \{ id: flat-a-101, kind: resident, meter: m-a-101 \}\n/m, '');
    const path = join(mkdtempSync(join(tmpdir(), 'ilot-site-')), 'mistaken.yaml');
    writeFileSync(path, text);
    const result = await cli('validate', '--site', path);
    expect(result.code).toBe(0);
    const warnings = result.out.split('\n').filter((l) => l.startsWith('  warning: '));
    expect(warnings).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^ {2}warning: bat-1\.minSocPct, maxSocPct: 0\.1 and 0\.95 read as fractions: percentages are meant \(10 and 95\)/,
        ),
        expect.stringMatching(/^ {2}warning: pv-\S+\.peakW: \d+ W is implausibly small: W are meant, not kW/),
        "  warning: m-a-101: a meter no participant holds: its consumption counts in the îlot's but in no one's report or allocation",
      ]),
    );
  });

  it('ilot generate-sites: a folder of valid îlots, one file each, and refuses a bad count', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'ilot-fleet-')), 'fleet');
    const result = await cli('generate-sites', '--count', '5', '--out', out, '--seed', '3');
    expect(result.code).toBe(0);
    expect(readdirSync(out).sort()).toEqual(
      ['ilot-001', 'ilot-002', 'ilot-003', 'ilot-004', 'ilot-005'].map((id) => `${id}.yaml`),
    );
    expect(result.out).toMatch(new RegExp(`^${out}: 5 îlot\\(s\\), \\d+ devices \\(seed 3\\)`));
    for (const count of ['0', '2.5', 'many']) {
      const bad = await cli('generate-sites', '--count', count, '--out', out);
      expect([bad.code, bad.err]).toEqual([2, expect.stringContaining('--count must be a whole number')]);
    }
  });
});
