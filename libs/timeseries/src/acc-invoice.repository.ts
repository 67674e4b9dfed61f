import type { Invoice } from '@ilot/invoicing';
import { createHash } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { Viewer } from './resident-access';
import type { ResidentLedgerRepository } from './resident-ledger.repository';

const OPERATOR: Viewer = { role: 'operator' };
/** The advisory lock class of a site's invoice numbering (the key is the site's). */
const NUMBERING_LOCK_CLASS = 7_110_103;

/** An invoice as the register keeps it. */
export interface StoredInvoice {
  number: string;
  seq: number;
  kind: Invoice['kind'];
  corrects?: string;
  month: string;
  participantId: string;
  issueDate: string;
  issuedAt: Date;
  netCents: number;
  vatCents: number;
  grossCents: number;
  document: Invoice;
  sha256: string;
  facturx: boolean;
  /** Whether a credit note cancels it. */
  credited: boolean;
}

/** What a new document of the register is, before its number: built once the number is known. */
export interface DocumentToIssue {
  participantId: string;
  month: string;
  issuedAt: Date;
  render: (number: string, seq: number) => Promise<{ invoice: Invoice; pdf: Uint8Array; facturxXml?: string }>;
}

const COLUMNS = `number, seq, kind, corrects, month, participant_id, to_char(issue_date, 'YYYY-MM-DD') AS issue_date, issued_at,
  net_cents, vat_cents, gross_cents, document, sha256, facturx_xml IS NOT NULL AS facturx,
  EXISTS (SELECT 1 FROM acc_invoices c WHERE c.site_id = acc_invoices.site_id AND c.corrects = acc_invoices.number) AS credited`;

function stored(r: Record<string, unknown>): StoredInvoice {
  return {
    number: r.number as string,
    seq: r.seq as number,
    kind: r.kind as Invoice['kind'],
    ...(r.corrects ? { corrects: r.corrects as string } : {}),
    month: r.month as string,
    participantId: r.participant_id as string,
    issueDate: r.issue_date as string,
    issuedAt: r.issued_at as Date,
    netCents: Number(r.net_cents),
    vatCents: Number(r.vat_cents),
    grossCents: Number(r.gross_cents),
    document: r.document as Invoice,
    sha256: r.sha256 as string,
    facturx: r.facturx as boolean,
    credited: r.credited as boolean,
  };
}

/**
 * The invoice register (migration 22): append-only (the database refuses edits), one unbroken sequence per site, under
 * the resident ledger's row-level security (a participant reads its own, the operator all).
 */
export class AccInvoiceRepository {
  constructor(private readonly ledger: ResidentLedgerRepository) {}

  /**
   * Issues documents in order, each numbered PREFIX-YEAR-NNNNNN by the site's sequence (YEAR: the billed month's; the
   * sequence runs on across years), in one transaction holding the
   * site's numbering lock: the numbers follow each other without a gap, and none is taken by two processes.
   */
  async issue(siteId: string, prefix: string, documents: readonly DocumentToIssue[]): Promise<StoredInvoice[]> {
    if (documents.length === 0) return [];
    return this.ledger.viewing(siteId, OPERATOR, async (m) => {
      await m.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [NUMBERING_LOCK_CLASS, siteId]);
      const [{ last }] = (await m.query(
        'SELECT coalesce(max(seq), 0)::int AS last FROM acc_invoices WHERE site_id = $1',
        [siteId],
      )) as Array<{ last: number }>;
      const issued: StoredInvoice[] = [];
      for (const [i, doc] of documents.entries()) {
        const seq = last + i + 1;
        const number = `${prefix}-${doc.month.slice(0, 4)}-${String(seq).padStart(6, '0')}`;
        const { invoice, pdf, facturxXml } = await doc.render(number, seq);
        issued.push(await this.insert(m, siteId, seq, invoice, pdf, facturxXml, doc.issuedAt));
      }
      return issued;
    });
  }

  private async insert(
    m: EntityManager,
    siteId: string,
    seq: number,
    invoice: Invoice,
    pdf: Uint8Array,
    facturxXml: string | undefined,
    issuedAt: Date,
  ): Promise<StoredInvoice> {
    const sha256 = createHash('sha256').update(pdf).digest('hex');
    const rows = (await m.query(
      `INSERT INTO acc_invoices (site_id, seq, number, kind, corrects, month, participant_id, issue_date, issued_at,
         net_cents, vat_cents, gross_cents, document, pdf, facturx_xml, sha256)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING ${COLUMNS}`,
      [
        siteId,
        seq,
        invoice.number,
        invoice.kind,
        invoice.corrects ?? null,
        invoice.month,
        invoice.buyer.participantId,
        invoice.issueDate,
        issuedAt.toISOString(),
        invoice.totals.netCents,
        invoice.totals.vatCents,
        invoice.totals.grossCents,
        JSON.stringify(invoice),
        Buffer.from(pdf),
        facturxXml ?? null,
        sha256,
      ],
    )) as Array<Record<string, unknown>>;
    return stored(rows[0]);
  }

  /** The month's documents as the viewer may see them (a participant: its own), in number order. */
  async ofMonth(siteId: string, month: string, viewer: Viewer = OPERATOR): Promise<StoredInvoice[]> {
    const rows = await this.ledger.viewing(siteId, viewer, (m) =>
      m.query(`SELECT ${COLUMNS} FROM acc_invoices WHERE site_id = $1 AND month = $2 ORDER BY seq`, [siteId, month]),
    );
    return (rows as Array<Record<string, unknown>>).map(stored);
  }

  /** A participant's documents, newest first, as the viewer may see them. */
  async ofParticipant(siteId: string, participantId: string, viewer: Viewer): Promise<StoredInvoice[]> {
    const rows = await this.ledger.viewing(siteId, viewer, (m) =>
      m.query(`SELECT ${COLUMNS} FROM acc_invoices WHERE site_id = $1 AND participant_id = $2 ORDER BY seq DESC`, [
        siteId,
        participantId,
      ]),
    );
    return (rows as Array<Record<string, unknown>>).map(stored);
  }

  /** One document with its PDF and XML, if the viewer may see it. */
  async withFiles(
    siteId: string,
    number: string,
    viewer: Viewer = OPERATOR,
  ): Promise<(StoredInvoice & { pdf: Buffer; facturxXml?: string }) | undefined> {
    const rows = (await this.ledger.viewing(siteId, viewer, (m) =>
      m.query(`SELECT ${COLUMNS}, pdf, facturx_xml FROM acc_invoices WHERE site_id = $1 AND number = $2`, [
        siteId,
        number,
      ]),
    )) as Array<Record<string, unknown>>;
    if (!rows[0]) return undefined;
    return {
      ...stored(rows[0]),
      pdf: rows[0].pdf as Buffer,
      ...(rows[0].facturx_xml ? { facturxXml: rows[0].facturx_xml as string } : {}),
    };
  }
}
