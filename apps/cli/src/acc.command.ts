import type { ReconcileLine } from '@ilot/acc';
import { type Checked, isMonth } from '@ilot/domain';
import {
  accMonthOn,
  type AccMonthService,
  DataConnectClient,
  type DataConnectConfig,
  type KeyFile,
} from '@ilot/residents';
import { allocationKeyOn, loadSiteFile, type Site } from '@ilot/site';
import { type MeterGap, ProfileTable, simulateAccMonth, simulatedDistributorFile } from '@ilot/simulators';
import { openDatabase, ReadingRepository } from '@ilot/timeseries';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { databaseUrl, required, UsageError } from './args';

type Options = Map<string, string[]>;

/** The site, the month and the PMO's month service on the database (--database, else ILOT_DATABASE_URL). */
async function withAcc<T>(
  options: Options,
  work: (
    service: AccMonthService,
    site: Site,
    month: string,
    db: Awaited<ReturnType<typeof openDatabase>>,
  ) => Promise<T>,
): Promise<T> {
  const site = loadSiteFile(required(options, 'site'));
  const month = required(options, 'month');
  if (!isMonth(month)) throw new UsageError('--month must be YYYY-MM');
  if (site.topology !== 'public-grid-acc')
    throw new UsageError(`--site: "${site.id}" is not an operation on the public grid (topology public-grid-acc)`);
  const url = databaseUrl(options);
  const db = await openDatabase(url);
  try {
    return await work(accMonthOn(site, db), site, month, db);
  } finally {
    await db.destroy();
  }
}

function accepted<T>(result: Checked<T>): T {
  if (!result.ok) throw new Error(`${result.reason}:\n  ${result.problems.join('\n  ')}`);
  return result.value;
}

/** `ilot acc keys`: the month's key file, validated, written to --out; the ledger applies it from then on. */
export function accKeysCommand(options: Options, log: (line: string) => void): Promise<string> {
  const out = required(options, 'out');
  return withAcc(options, async (service, site, month) => {
    const written = accepted(await service.keys(month, new Date()));
    const paths = writeKeyFiles(out, written.files, (path, file) =>
      log(`${path}: ${written.steps} steps of ${month} (${site.timezone})${producerOf(file)}, sha256 ${file.sha256}`),
    );
    for (const gap of written.gaps)
      log(`  ${gap.participantId}: ${gap.steps} step(s) without a reading get 0 % (fill them first: ilot acc curve)`);
    return paths.join('\n');
  });
}

const producerOf = (file: KeyFile) => (file.producer ? ` of producer ${file.producer.id}` : '');

/** Writes the key files into `out`, each told to `told`; their paths. */
function writeKeyFiles(out: string, files: readonly KeyFile[], told: (path: string, file: KeyFile) => void): string[] {
  mkdirSync(out, { recursive: true });
  return files.map((file) => {
    const path = join(out, file.fileName);
    writeFileSync(path, file.text);
    told(path, file);
    return path;
  });
}

/** `ilot acc import`: the distributor's month file, checked line by line, in place of an earlier import of the month. */
export function accImportCommand(options: Options, log: (line: string) => void): Promise<void> {
  const file = required(options, 'file');
  return withAcc(options, async (service, site, month) => {
    const imported = accepted(await service.import(month, readFileSync(file, 'utf8'), new Date()));
    log(`${file}: ${imported.rows} rows of ${month} imported for "${site.id}" (import ${imported.importId})`);
    if (imported.pointsAbsent.length) log(`  not in the file: ${imported.pointsAbsent.join(', ')}`);
  });
}

const kWh = (wh: number) => (wh / 1000).toFixed(3);

/** One line of the reconciliation as the operator reads it. */
export function reconcileLineText(l: ReconcileLine): string {
  const head = `${l.flagged ? 'FLAGGED ' : '        '}${l.id.padEnd(12)} ${l.prm} ${l.quantity.padEnd(9)}`;
  const figures = `îlot ${kWh(l.ilotWh)} kWh, distributor ${kWh(l.distributorWh)} kWh, difference ${kWh(l.differenceWh)} kWh (${l.differencePct.toFixed(2)} %)`;
  const why = l.explanations.map(
    (e) =>
      `\n          ${e.cause}: ${e.steps} step(s), ${kWh(e.differenceWh)} kWh, ${e.firstStep.toISOString()} to ${new Date(e.lastStep.getTime() + 900_000).toISOString()}`,
  );
  return `${head} ${figures}${why.join('')}`;
}

/** `ilot acc reconcile`: the month's ledger against the distributor's data, each difference explained, >2 % flagged. */
export function accReconcileCommand(options: Options, log: (line: string) => void): Promise<ReconcileLine[]> {
  const format = options.get('format')?.[0] ?? 'text';
  if (format !== 'text' && format !== 'json') throw new UsageError('--format must be text or json');
  return withAcc(options, async (service, site, month) => {
    const lines = accepted(await service.reconcile(month, new Date()));
    if (format === 'json') log(JSON.stringify(lines, null, 2));
    else {
      const flagged = lines.filter((l) => l.flagged).length;
      log(`${site.id} ${month}: ${lines.length / 2} delivery points, ${flagged} line(s) flagged above 2 %`);
      for (const line of lines) log(reconcileLineText(line));
    }
    return lines;
  });
}

/** `--gap METER,FROM,TO`: a meter whose readings never reached the îlot over [FROM, TO). */
export function parseGapOption(text: string, site: Site): MeterGap {
  const [meterId, fromText, toText, ...rest] = text.split(',');
  const from = new Date(fromText ?? '');
  const to = new Date(toText ?? '');
  if (rest.length || !meterId || Number.isNaN(from.getTime()) || Number.isNaN(to.getTime()) || from >= to)
    throw new UsageError(`--gap "${text}": expected METER,FROM,TO (ISO instants, FROM before TO)`);
  if (!site.participants.some((p) => p.meter === meterId))
    throw new UsageError(`--gap "${text}": no participant's meter "${meterId}" in site "${site.id}"`);
  return { meterId, from, to };
}

/**
 * `ilot acc simulate`: the demo month in the simulators: the îlot's readings into the database (less the gaps), the
 * key file, and the distributor's file computed from the simulated world with that key, both to --out.
 */
export function accSimulateCommand(options: Options, log: (line: string) => void): Promise<string> {
  const out = required(options, 'out');
  return withAcc(options, async (service, site, month, db) => {
    const gaps = (options.get('gap') ?? []).map((g) => parseGapOption(g, site));
    const sampleMinutes = Number(options.get('sample-minutes')?.[0] ?? 5);
    if (![1, 5, 15].includes(sampleMinutes)) throw new UsageError('--sample-minutes must be 1, 5 or 15');
    const world = simulateAccMonth(site, ProfileTable.load(), month, { gaps, sampleMinutes });
    const readings = new ReadingRepository(db);
    for (let i = 0; i < world.readings.length; i += 20_000)
      await readings.insertBatch(world.readings.slice(i, i + 20_000), new Date());
    log(`${world.readings.length} readings of ${month} stored for "${site.id}"`);
    const keys =
      allocationKeyOn(site, `${month}-01`) === 'dynamic-default'
        ? undefined
        : accepted(await service.keys(month, new Date()));
    mkdirSync(out, { recursive: true });
    if (keys) {
      writeKeyFiles(out, keys.files, (path, file) =>
        log(`${path}: the key file${producerOf(file)} (${keys.steps} steps)`),
      );
      for (const gap of keys.gaps) log(`  ${gap.participantId}: ${gap.steps} step(s) without a reading get 0 %`);
    }
    const distributorPath = join(out, `distributeur-${site.id}-${month}.csv`);
    writeFileSync(distributorPath, accepted(simulatedDistributorFile(site, month, world.measured, keys?.files)));
    log(`${distributorPath}: the distributor's month, from the simulated meters and the key file`);
    return distributorPath;
  });
}

/** Data Connect's endpoints and our credentials, from the environment (ILOT_DATACONNECT_*; docs/acc.md). */
export function dataConnectConfigFromEnv(env: NodeJS.ProcessEnv = process.env): DataConnectConfig {
  const names = {
    tokenUrl: 'ILOT_DATACONNECT_TOKEN_URL',
    apiBase: 'ILOT_DATACONNECT_API_BASE',
    clientId: 'ILOT_DATACONNECT_CLIENT_ID',
    clientSecret: 'ILOT_DATACONNECT_CLIENT_SECRET',
  } as const;
  const missing = Object.values(names).filter((name) => !env[name]);
  if (missing.length) throw new UsageError(`Data Connect is not configured: set ${missing.join(', ')}`);
  return {
    tokenUrl: env[names.tokenUrl]!,
    apiBase: env[names.apiBase]!,
    clientId: env[names.clientId]!,
    clientSecret: env[names.clientSecret]!,
  };
}

/** `ilot acc curve`: a participant's gaps in the month filled from its Linky curve (Data Connect, with its consent). */
export function accCurveCommand(options: Options, log: (line: string) => void): Promise<void> {
  const participant = required(options, 'participant');
  const client = new DataConnectClient(dataConnectConfigFromEnv());
  return withAcc(options, async (service, site, month) => {
    const filled = accepted(await service.fillFromDataConnect(participant, month, client, new Date()));
    log(
      `${participant} (${site.id}) ${month}: ${filled.points} points of its Linky curve, ${filled.stepsFilled} 15-min steps filled where the îlot had no reading`,
    );
  });
}
