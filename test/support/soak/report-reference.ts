import { createTestDatabase, type TestDatabase } from '@ilot/timeseries/testing/test-database';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { AppProcess } from '../app-process';
import { postgresBin } from '../postgres-process';
import { testPort, waitFor } from '../services';
import { sitesLedgerBehind } from './soak-checks';
import type { SoakDeployment } from './soak-deployment';

/** What the resident ledger writes (from the readings), so what the reference computes again from nothing. */
export const LEDGER_TABLES = [
  'participant_steps',
  'participant_months',
  'participant_effacements',
  'participant_commodity_hours',
  'participant_commodity_months',
  'open_data_hours',
];

export interface ReportComparison {
  reports: number;
  reportsDifferent: string[];
  openData: number;
  openDataDifferent: string[];
  /** Where the first report that differs first differs (its text around it, under faults and without). */
  firstDifference?: string;
}

/**
 * The residents' month reports and the open data of the run, from the soak's database as its apps wrote it under
 * faults, against a fault-free computation of the same readings: a copy of the database (pg_dump / pg_restore) whose
 * ledger and published open data are emptied, then written again by a fresh metrics app in one go. Both are read
 * through a fresh API at the same frozen instant (the run's end). The readings themselves are checked apart (each one
 * published stored once, the rollups equal to the raw rows), so equal answers here mean the faults changed nothing a
 * resident or the public sees.
 */
export async function compareReports(
  deployment: SoakDeployment,
  startMs: number,
  endMs: number,
): Promise<ReportComparison> {
  const reference = await createTestDatabase('ilot_soak_ref', deployment.postgres.url);
  const apps: AppProcess[] = [];
  try {
    copyDatabase(deployment.database, reference);
    const ref = new Client({ connectionString: reference.url });
    await ref.connect();
    await ref.query(`TRUNCATE ${LEDGER_TABLES.join(', ')}`);
    const frozen = {
      ILOT_SIM_START: new Date(endMs + 3_600_000).toISOString(),
      ILOT_SIM_START_REAL: new Date().toISOString(),
      ILOT_SPEEDUP: '1',
      ILOT_SITES_DIR: deployment.sitesDir,
      ILOT_MQTT_URL: deployment.broker.url,
      ILOT_OPERATOR_TOKEN: deployment.settings.operatorToken,
      ILOT_TOKEN_SECRET: deployment.settings.tokenSecret,
      // The soak reads every resident's report from one address: no rate limit on these two.
      ILOT_HTTP_RATE_PER_MIN: '0',
    };
    const start = async (kind: 'api' | 'metrics', url: string) => {
      const app = new AppProcess(kind, { ...frozen, ILOT_DATABASE_URL: url, ILOT_HTTP_PORT: String(testPort()) });
      apps.push(app);
      await app.start();
      return `http://127.0.0.1:${app.httpPort}/api/v1/sites`;
    };
    await start('metrics', reference.url);
    await waitFor('the reference ledger written', async () => (await sitesLedgerBehind(ref)) === 0, 900_000, 1000);
    await ref.end();
    const underFaults = await start('api', deployment.database.url);
    const faultFree = await start('api', reference.url);
    return await compareAnswers(deployment, underFaults, faultFree, startMs, endMs);
  } finally {
    for (const app of apps) await app.stop();
    await reference.drop().catch(() => undefined);
  }
}

async function compareAnswers(
  deployment: SoakDeployment,
  underFaults: string,
  faultFree: string,
  startMs: number,
  endMs: number,
): Promise<ReportComparison> {
  const headers = { authorization: `Bearer ${deployment.settings.operatorToken}` };
  const get = async (base: string, path: string) => {
    const response = await fetch(`${base}${path}`, { headers });
    if (response.status !== 200) throw new Error(`GET ${path}: ${response.status} ${await response.text()}`);
    return response.text();
  };
  const result: ReportComparison = { reports: 0, reportsDifferent: [], openData: 0, openDataDifferent: [] };
  const months = monthsOf(startMs, endMs);
  for (const site of deployment.sites) {
    for (const participant of site.participants)
      for (const month of months) {
        const path = `/${site.id}/participants/${participant.id}/report?month=${month}`;
        result.reports++;
        const [a, b] = [withoutInstant(await get(underFaults, path)), withoutInstant(await get(faultFree, path))];
        if (a !== b) {
          result.reportsDifferent.push(path);
          if (result.reportsDifferent.length === 1) result.firstDifference = firstDifference(a, b);
        }
      }
    const path = `/${site.id}/open-data?from=${new Date(startMs).toISOString()}&to=${new Date(endMs).toISOString()}&format=csv`;
    result.openData++;
    if ((await get(underFaults, path)) !== (await get(faultFree, path))) result.openDataDifferent.push(path);
  }
  return result;
}

/** A report's JSON without when it was made (the two APIs answer a few seconds apart). */
function withoutInstant(json: string): string {
  return JSON.stringify(JSON.parse(json), (key, value: unknown) => (key === 'generatedAt' ? undefined : value));
}

function firstDifference(a: string, b: string): string {
  let k = 0;
  while (k < a.length && a[k] === b[k]) k++;
  return `under faults …${a.slice(Math.max(0, k - 120), k + 80)}… without …${b.slice(Math.max(0, k - 120), k + 80)}…`;
}

/** The local months (Paris) the run covers, YYYY-MM. */
function monthsOf(startMs: number, endMs: number): string[] {
  const month = (ms: number) =>
    new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit' }).format(ms);
  const months = new Set<string>();
  for (let ms = startMs; ms < endMs; ms += 86_400_000) months.add(month(ms));
  return [...months];
}

/** pg_dump of one database restored into another (the machine's PostgreSQL programs). */
function copyDatabase(from: TestDatabase, to: TestDatabase): void {
  const bin = postgresBin();
  if (!bin) throw new Error('PostgreSQL programs not found under /usr/lib/postgresql');
  const dir = mkdtempSync(join(tmpdir(), 'ilot-soak-dump-'));
  try {
    const file = join(dir, 'soak.dump');
    execFileSync(join(bin, 'pg_dump'), ['-Fc', '-f', file, '-d', from.url], { stdio: 'pipe' });
    execFileSync(join(bin, 'pg_restore'), ['--no-owner', '-d', to.url, file], { stdio: 'pipe' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
