import {
  accountingCsv,
  buildInvoice,
  consumerEnergy,
  creditNoteFor,
  type DatedPrice,
  facturxXml,
  type Invoice,
  type InvoiceFonts,
  invoicePdf,
  producerStatements,
  type ProducerStatement,
  withFacturx,
} from '@ilot/invoicing';
import { type Checked, localDateTime, localMonthRange, refused, repoPath } from '@ilot/domain';
import { type AccBilling, allocationKeyOn, type Site } from '@ilot/site';
import {
  AccInvoiceRepository,
  AccRepository,
  AllocationShareRepository,
  type DocumentToIssue,
  ResidentLedgerRepository,
  type StoredInvoice,
} from '@ilot/timeseries';
import type { DataSource } from 'typeorm';
import { readFileSync } from 'node:fs';
import { billedSteps, membershipDays } from './billed-steps';
import { FacturxValidator } from './facturx-validator';

export type InvoicingRefusal = 'not-billed' | 'too-early' | 'no-file' | 'unchecked' | 'invalid' | 'not-found';

/** The fonts the invoices embed (libs/invoicing/fonts), read once. */
let fonts: InvoiceFonts | undefined;
function invoiceFonts(): InvoiceFonts {
  fonts ??= {
    regular: readFileSync(repoPath('libs', 'invoicing', 'fonts', 'DejaVuSans.ttf')),
    bold: readFileSync(repoPath('libs', 'invoicing', 'fonts', 'DejaVuSans-Bold.ttf')),
  };
  return fonts;
}

/**
 * The PMO's invoices (issue 29 §4): each member's month from the distributor's figures, once the month is over and
 * reconciled, in the site's unbroken sequence; a PDF each, and for a business its Factur-X (validated before it is
 * stored). Issuing a month again issues only what is missing; a correction is a credit note.
 */
export class AccInvoicingService {
  constructor(
    private readonly site: Site,
    private readonly acc: AccRepository,
    private readonly register: AccInvoiceRepository,
    private readonly validator: FacturxValidator,
    private readonly shares: AllocationShareRepository,
  ) {}

  private billing(): AccBilling | undefined {
    return this.site.topology === 'public-grid-acc' ? this.site.acc?.billing : undefined;
  }

  /** Issues the month's invoices not issued yet; the documents issued, and the participants already invoiced. */
  async issueMonth(
    month: string,
    now: Date,
    options: { acceptDifferences?: boolean } = {},
  ): Promise<Checked<{ issued: StoredInvoice[]; alreadyInvoiced: string[] }, InvoicingRefusal>> {
    const billing = this.billing();
    if (!billing) return refused('not-billed', `site "${this.site.id}" bills no one (acc.billing, on the public grid)`);
    const { from, to } = localMonthRange(month, this.site.timezone);
    if (now < to) return refused('too-early', `${month} is not over: it ends ${to.toISOString()}`);
    const rows = await this.acc.distributorMonth(this.site.id, month);
    if (rows.length === 0) return refused('no-file', `no distributor data imported for ${month}`);
    const check = await this.checked(month, options.acceptDifferences ?? false);
    if (check) return check;
    const steps = billedSteps(this.site, rows, await this.coefficientsOf(month));
    const prices = new Map(Object.entries(billing.producers).map(([id, p]) => [id, p.prices as DatedPrice[]]));
    const taken = new Map<number, Map<string, number>>();
    const standing = new Set(
      (await this.register.ofMonth(this.site.id, month))
        .filter((d) => d.kind === 'invoice' && !d.credited)
        .map((d) => d.participantId),
    );
    const issueDate = localDateTime(now, this.site.timezone).date;
    const documents: DocumentToIssue[] = [];
    for (const participant of this.site.participants.filter((p) => p.prm)) {
      // Every member's energy in the same order, invoiced or not: a re-issue splits the steps as the first issue did.
      const energy = consumerEnergy(participant.id, steps, prices, this.site.timezone, taken);
      const days = membershipDays(participant, month, this.site.timezone);
      if (days.memberDays === 0 || standing.has(participant.id)) continue;
      documents.push({
        participantId: participant.id,
        month,
        issuedAt: now,
        render: (number) =>
          this.rendered(
            buildInvoice({
              number,
              siteId: this.site.id,
              month,
              issueDate,
              periodStart: localDateTime(from, this.site.timezone).date,
              periodEnd: localDateTime(new Date(to.getTime() - 1), this.site.timezone).date,
              billing,
              buyer: {
                ...participant.billing!,
                participantId: participant.id,
                kind: participant.kind,
                prm: participant.prm!,
              },
              energy,
              ...days,
              producerNames: new Map(Object.entries(billing.producers).map(([id, p]) => [id, p.owner.name])),
            }),
          ),
      });
    }
    const issued = await this.register.issue(this.site.id, billing.invoicePrefix, documents);
    return { ok: true, value: { issued, alreadyInvoiced: [...standing] } };
  }

  /** Under a full dynamic key, the coefficients sent: each consumer's local energy comes from each producer as they say. */
  private async coefficientsOf(month: string) {
    if (allocationKeyOn(this.site, `${month}-01`) !== 'dynamic-full') return undefined;
    const { from, to } = localMonthRange(month, this.site.timezone);
    const coefficients = await this.shares.byProducerBetween(this.site.id, from, to);
    return (start: Date) => coefficients.get(start.getTime());
  }

  /** Refused unless the month was reconciled and nothing is flagged (or the operator accepts the differences). */
  private async checked(
    month: string,
    acceptDifferences: boolean,
  ): Promise<Checked<never, InvoicingRefusal> | undefined> {
    const lines = await this.acc.reconciliation(this.site.id, month);
    if (lines.length === 0)
      return refused('unchecked', `${month} is not reconciled: ilot acc reconcile --month ${month} first`);
    const flagged = lines.filter((l) => l.flagged);
    if (flagged.length && !acceptDifferences)
      return refused(
        'unchecked',
        `${month} has ${flagged.length} line(s) above 2 % (${flagged.map((l) => `${l.id} ${l.quantity}`).join(', ')}): explain them, or accept the differences`,
      );
    return undefined;
  }

  /** A credit note cancelling an invoice in full (once), with the reason it gives. */
  async creditNote(number: string, reason: string, now: Date): Promise<Checked<StoredInvoice, InvoicingRefusal>> {
    const billing = this.billing();
    if (!billing) return refused('not-billed', `site "${this.site.id}" bills no one`);
    const invoice = await this.register.withFiles(this.site.id, number);
    if (!invoice) return refused('not-found', `no document ${number} in the register of "${this.site.id}"`);
    if (invoice.kind !== 'invoice')
      return refused('invalid', `${number} is a credit note: only an invoice is credited`);
    if (invoice.credited) return refused('invalid', `${number} is already cancelled by a credit note`);
    if (!reason.trim()) return refused('invalid', 'a credit note states its reason');
    const issueDate = localDateTime(now, this.site.timezone).date;
    const [credit] = await this.register.issue(this.site.id, billing.invoicePrefix, [
      {
        participantId: invoice.participantId,
        month: invoice.month,
        issuedAt: now,
        render: (creditNumber) =>
          this.rendered(creditNoteFor(invoice.document, creditNumber, issueDate, reason.trim())),
      },
    ]);
    return { ok: true, value: credit };
  }

  /** Each producer's statement of the month: what it sold to whom, by the invoices in force. */
  async statements(month: string): Promise<ProducerStatement[]> {
    return producerStatements(await this.register.ofMonth(this.site.id, month));
  }

  /** The month's register for the accountant, as CSV (credit notes negative). */
  async accounting(month: string): Promise<string> {
    return accountingCsv(await this.register.ofMonth(this.site.id, month));
  }

  /** The PDF, and for a business buyer the Factur-X XML embedded in it, validated first. */
  private async rendered(invoice: Invoice): Promise<{ invoice: Invoice; pdf: Uint8Array; facturxXml?: string }> {
    const doc = await invoicePdf(invoice, invoiceFonts());
    if (invoice.buyer.kind === 'resident' || !invoice.buyer.siren)
      return { invoice, pdf: await doc.save({ useObjectStreams: false }) };
    const xml = facturxXml(invoice);
    const valid = await this.validator.validate(xml);
    // The XML is ours: a schema error is a bug, and nothing of the batch is stored (the transaction rolls back).
    if (!valid.ok) throw new Error(`Factur-X of ${invoice.number} is not valid EN 16931: ${valid.problems.join('; ')}`);
    const title = `${invoice.kind === 'credit-note' ? 'Avoir' : 'Facture'} ${invoice.number}`;
    return {
      invoice,
      pdf: await withFacturx(doc, xml, title, new Date(`${invoice.issueDate}T00:00:00Z`)),
      facturxXml: xml,
    };
  }
}

/** The PMO's invoices of a site on the owner's connection, outside Nest (`ilot acc invoice`, tests). */
export function accInvoicingOn(site: Site, db: DataSource, validator = new FacturxValidator()): AccInvoicingService {
  return new AccInvoicingService(
    site,
    new AccRepository(db),
    new AccInvoiceRepository(new ResidentLedgerRepository(db)),
    validator,
    new AllocationShareRepository(db),
  );
}
