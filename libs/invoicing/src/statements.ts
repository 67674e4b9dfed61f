import type { Invoice } from './invoice';
import { decimalAmount, formatKWh } from './money';

export interface ProducerStatement {
  producerId: string;
  month: string;
  /** What it sold to each buyer in the month: the standing invoices' energy lines from it, Wh and cents before tax. */
  buyers: Array<{ participantId: string; name: string; wh: number; netCents: number }>;
  totalWh: number;
  totalNetCents: number;
}

/**
 * Each producer's statement of a month (issue 29 §4): what it sold to whom, from the invoices in force (an invoice a
 * credit note cancelled counts no more; the one issued in its place does). Pure.
 */
export function producerStatements(
  documents: ReadonlyArray<{ document: Invoice; credited: boolean }>,
): ProducerStatement[] {
  const statements = new Map<string, ProducerStatement>();
  for (const { document, credited } of documents) {
    if (document.kind !== 'invoice' || credited) continue;
    for (const line of document.lines) {
      if (line.kind !== 'energy' || !line.producerId) continue;
      const statement =
        statements.get(line.producerId) ??
        statements
          .set(line.producerId, {
            producerId: line.producerId,
            month: document.month,
            buyers: [],
            totalWh: 0,
            totalNetCents: 0,
          })
          .get(line.producerId)!;
      let buyer = statement.buyers.find((b) => b.participantId === document.buyer.participantId);
      if (!buyer)
        statement.buyers.push(
          (buyer = { participantId: document.buyer.participantId, name: document.buyer.name, wh: 0, netCents: 0 }),
        );
      buyer.wh += line.wh ?? 0;
      buyer.netCents += line.amountCents;
      statement.totalWh += line.wh ?? 0;
      statement.totalNetCents += line.amountCents;
    }
  }
  return [...statements.values()].sort((a, b) => a.producerId.localeCompare(b.producerId));
}

const csvCell = (text: string) => (/[;"\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text);
const frenchAmount = (cents: number) => decimalAmount(cents).replace('.', ',');

/** A producer's statement as CSV (`;`, decimal comma): a line per buyer, then the total. */
export function statementCsv(statement: ProducerStatement): string {
  const rows = [
    'Producteur;Mois;Participant;Acheteur;Énergie (kWh);Montant HT (€)',
    ...statement.buyers.map((b) =>
      [
        statement.producerId,
        statement.month,
        b.participantId,
        csvCell(b.name),
        formatKWh(b.wh),
        frenchAmount(b.netCents),
      ].join(';'),
    ),
    [
      statement.producerId,
      statement.month,
      'total',
      '',
      formatKWh(statement.totalWh),
      frenchAmount(statement.totalNetCents),
    ].join(';'),
  ];
  return rows.join('\n') + '\n';
}

/**
 * The month's register for the accountant (issue 29 §4): one line per invoice and credit note in number order, credit
 * notes negative, amounts before tax, VAT and total, with the buyer's SIREN where it has one.
 */
export function accountingCsv(documents: ReadonlyArray<{ document: Invoice }>): string {
  const rows = [
    'Numéro;Type;Date;Échéance;Facture corrigée;Participant;Client;SIREN client;PRM;Total HT (€);TVA (€);Total TTC (€)',
    ...documents.map(({ document: d }) => {
      const sign = d.kind === 'credit-note' ? -1 : 1;
      return [
        d.number,
        d.kind === 'credit-note' ? 'avoir' : 'facture',
        d.issueDate,
        d.dueDate,
        d.corrects ?? '',
        d.buyer.participantId,
        csvCell(d.buyer.name),
        d.buyer.siren ?? '',
        d.buyer.prm,
        frenchAmount(sign * d.totals.netCents),
        frenchAmount(sign * d.totals.vatCents),
        frenchAmount(sign * d.totals.grossCents),
      ].join(';');
    }),
  ];
  return rows.join('\n') + '\n';
}
