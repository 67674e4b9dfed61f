import { formatEur, statementCsv } from '@ilot/invoicing';
import { isMonth } from '@ilot/domain';
import { accInvoicingOn, type AccInvoicingService } from '@ilot/residents';
import { loadSiteFile, type Site } from '@ilot/site';
import { AccInvoiceRepository, openDatabase, ResidentLedgerRepository } from '@ilot/timeseries';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { databaseUrl, required, UsageError } from './args';

type Options = Map<string, string[]>;

async function withInvoicing<T>(
  options: Options,
  work: (service: AccInvoicingService, site: Site, db: DataSource) => Promise<T>,
): Promise<T> {
  const site = loadSiteFile(required(options, 'site'));
  if (!site.acc?.billing) throw new UsageError(`--site: "${site.id}" bills no one (acc.billing, docs/acc.md)`);
  const url = databaseUrl(options);
  const db = await openDatabase(url);
  try {
    return await work(accInvoicingOn(site, db), site, db);
  } finally {
    await db.destroy();
  }
}

function monthOption(options: Options): string {
  const month = required(options, 'month');
  if (!isMonth(month)) throw new UsageError('--month must be YYYY-MM');
  return month;
}

/** Writes each document's PDF (and Factur-X XML) of the register to `out`; their paths. */
async function writeFiles(db: DataSource, site: Site, numbers: readonly string[], out: string): Promise<string[]> {
  mkdirSync(out, { recursive: true });
  const register = new AccInvoiceRepository(new ResidentLedgerRepository(db));
  const paths: string[] = [];
  for (const number of numbers) {
    const files = (await register.withFiles(site.id, number))!;
    writeFileSync(join(out, `${number}.pdf`), files.pdf);
    paths.push(join(out, `${number}.pdf`));
    if (files.facturxXml) writeFileSync(join(out, `${number}.factur-x.xml`), files.facturxXml);
  }
  return paths;
}

/**
 * `ilot acc invoice`: the month's invoices not issued yet (the month over and reconciled, nothing above 2 % unless
 * --accept-differences), their PDFs (and the businesses' Factur-X XML) written to --out.
 */
export function accInvoiceCommand(options: Options, log: (line: string) => void): Promise<string[]> {
  const month = monthOption(options);
  const out = required(options, 'out');
  const acceptDifferences = options.has('accept-differences');
  return withInvoicing(options, async (service, site, db) => {
    const result = await service.issueMonth(month, new Date(), { acceptDifferences });
    if (!result.ok) throw new Error(`${result.reason}:\n  ${result.problems.join('\n  ')}`);
    const { issued, alreadyInvoiced } = result.value;
    log(`${site.id} ${month}: ${issued.length} invoice(s) issued, ${alreadyInvoiced.length} already invoiced`);
    for (const d of issued)
      log(
        `  ${d.number} ${d.participantId.padEnd(10)} ${formatEur(d.grossCents).padStart(12)} TTC${d.facturx ? ' (Factur-X)' : ''}`,
      );
    return writeFiles(
      db,
      site,
      issued.map((d) => d.number),
      out,
    );
  });
}

/** `ilot acc credit`: a credit note cancelling an invoice, with its reason; its PDF to --out. */
export function accCreditCommand(options: Options, log: (line: string) => void): Promise<string[]> {
  const number = required(options, 'number');
  const reason = required(options, 'reason');
  const out = required(options, 'out');
  return withInvoicing(options, async (service, site, db) => {
    const result = await service.creditNote(number, reason, new Date());
    if (!result.ok) throw new Error(`${result.reason}: ${result.problems.join('; ')}`);
    log(`${result.value.number}: credit note cancelling ${number} (${formatEur(result.value.grossCents)} TTC)`);
    return writeFiles(db, site, [result.value.number], out);
  });
}

/** `ilot acc statements`: each producer's statement of the month (what it sold to whom), one CSV each in --out. */
export function accStatementsCommand(options: Options, log: (line: string) => void): Promise<string[]> {
  const month = monthOption(options);
  const out = required(options, 'out');
  return withInvoicing(options, async (service, site) => {
    mkdirSync(out, { recursive: true });
    const paths: string[] = [];
    for (const statement of await service.statements(month)) {
      const path = join(out, `releve-${statement.producerId}-${month}.csv`);
      writeFileSync(path, statementCsv(statement));
      paths.push(path);
      log(
        `${path}: ${statement.buyers.length} buyer(s), ${(statement.totalWh / 1000).toFixed(3)} kWh, ${formatEur(statement.totalNetCents)} HT`,
      );
    }
    if (paths.length === 0) log(`${site.id} ${month}: no invoice in force, no statement`);
    return paths;
  });
}

/** `ilot acc export`: the month's invoices and credit notes for the accountant, as CSV (--out FILE, else printed). */
export function accExportCommand(options: Options, log: (line: string) => void): Promise<string> {
  const month = monthOption(options);
  return withInvoicing(options, async (service) => {
    const csv = await service.accounting(month);
    const out = options.get('out')?.[0];
    if (out) writeFileSync(out, csv);
    log(out ? `${out}: ${csv.trimEnd().split('\n').length - 1} document(s) of ${month}` : csv.trimEnd());
    return csv;
  });
}
