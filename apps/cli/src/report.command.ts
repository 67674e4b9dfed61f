import { ResidentReport, residentReportCsv } from '@ilot/reports';
import { loadSiteFile } from '@ilot/site';
import { isMonth } from '@ilot/domain';
import { openDatabase, ResidentLedgerRepository } from '@ilot/timeseries';
import { residentLedgerOn } from '@ilot/residents';
import { ResidentReportService } from '@ilot/residents';
import { databaseUrl, required, UsageError } from './args';

/**
 * `ilot report --site FILE --participant ID --month YYYY-MM [--format json|csv] [--database URL]`: a resident's month,
 * the same report the API serves, read from the database (--database, else ILOT_DATABASE_URL). The operator's tool:
 * it brings the resident ledger up to the newest reading first (as the metrics app does every minute), then reads
 * it as the operator.
 */
export async function reportCommand(
  options: Map<string, string[]>,
  log: (line: string) => void,
): Promise<ResidentReport> {
  const site = loadSiteFile(required(options, 'site'));
  const participantId = required(options, 'participant');
  const month = required(options, 'month');
  if (!isMonth(month)) throw new UsageError('--month must be YYYY-MM');
  const format = options.get('format')?.[0] ?? 'json';
  if (format !== 'json' && format !== 'csv') throw new UsageError('--format must be json or csv');
  if (!site.participants.some((p) => p.id === participantId))
    throw new UsageError(`--participant: no participant "${participantId}" in site "${site.id}"`);
  const url = databaseUrl(options);
  const db = await openDatabase(url);
  try {
    await residentLedgerOn(site, db).catchUp(new Date(), { wait: true }); // after the metrics app's run, if one is on
    const report = (await new ResidentReportService(site, new ResidentLedgerRepository(db)).report(
      { role: 'operator' },
      participantId,
      month,
    ))!;
    log(format === 'csv' ? residentReportCsv(report).trimEnd() : JSON.stringify(report, null, 2));
    return report;
  } finally {
    await db.destroy();
  }
}
