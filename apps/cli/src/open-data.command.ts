import { openDataCsv, openDataDocument } from '@ilot/reports';
import { deliveredEffacement, effacementReportsOn, openDataOf, openDataRangeProblem } from '@ilot/residents';
import { loadSiteFile } from '@ilot/site';
import { OpenDataHourRepository, ReadingRepository, SignalRepository, openDatabase } from '@ilot/timeseries';
import { writeFileSync } from 'node:fs';
import { databaseUrl, required, UsageError } from './args';

/**
 * `ilot open-data --site FILE --from ISO --to ISO [--format csv|json] [--out FILE] [--database URL]`: the îlot's
 * open data (the API's `GET .../open-data`), hourly aggregates only, with its Table Schema and licence in JSON; to a
 * file with --out, else printed.
 */
export async function openDataCommand(options: Map<string, string[]>, log: (line: string) => void): Promise<number> {
  const site = loadSiteFile(required(options, 'site'));
  const instant = (name: string) => {
    const text = required(options, name);
    const value = new Date(text);
    if (!/^\d{4}-\d{2}-\d{2}(T.*)?$/.test(text) || Number.isNaN(value.getTime()))
      throw new UsageError(`--${name} must be an ISO 8601 instant (2026-01-12 or 2026-01-12T00:00:00Z), got "${text}"`);
    return value;
  };
  const from = instant('from');
  const to = instant('to');
  const problem = openDataRangeProblem(from, to);
  if (problem) throw new UsageError(`--from/--to: ${problem}`);
  const format = options.get('format')?.[0] ?? 'csv';
  if (format !== 'json' && format !== 'csv') throw new UsageError('--format must be csv or json');
  const url = databaseUrl(options);
  const db = await openDatabase(url);
  try {
    const delivered = await deliveredEffacement(
      site.id,
      new SignalRepository(db),
      effacementReportsOn(site, db),
      from,
      to,
    );
    // What the CLI gives is published too: a past hour stays as first given, by the API or by the CLI.
    const rows = await openDataOf(site, new ReadingRepository(db), from, to, delivered, {
      repository: new OpenDataHourRepository(db),
      now: new Date(),
    });
    const text = format === 'csv' ? openDataCsv(rows) : JSON.stringify(openDataDocument(site, rows), null, 2) + '\n';
    const out = options.get('out')?.[0];
    if (out) {
      writeFileSync(out, text);
      log(`${out}: ${rows.length} hours of ${site.id}, ${format}`);
    } else log(text.trimEnd());
    return rows.length;
  } finally {
    await db.destroy();
  }
}
