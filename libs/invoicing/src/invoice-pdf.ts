import fontkit from '@pdf-lib/fontkit';
import { PDFDocument, type PDFFont, type PDFPage, rgb } from 'pdf-lib';
import type { Party } from '@ilot/site';
import type { Invoice } from './invoice';
import { formatEur, formatKWh, frenchDate } from './money';

/** The fonts an invoice embeds (a PDF/A document carries its fonts): DejaVu Sans, libs/invoicing/fonts. */
export interface InvoiceFonts {
  regular: Uint8Array;
  bold: Uint8Array;
}

const A4 = { width: 595.28, height: 841.89 };
const MARGIN = 48;
const INK = rgb(0.13, 0.15, 0.18);
const MUTED = rgb(0.42, 0.45, 0.5);
const LOCAL = rgb(0.2, 0.62, 0.35);
const GRID = rgb(0.7, 0.72, 0.76);

interface Pen {
  page: PDFPage;
  regular: PDFFont;
  bold: PDFFont;
}

function text(
  pen: Pen,
  value: string,
  x: number,
  y: number,
  size = 9,
  options: { bold?: boolean; color?: typeof INK; right?: boolean } = {},
): void {
  const font = options.bold ? pen.bold : pen.regular;
  const width = font.widthOfTextAtSize(value, size);
  pen.page.drawText(value, { x: options.right ? x - width : x, y, size, font, color: options.color ?? INK });
}

/** Words laid on lines no wider than `width`. */
export function wrap(font: PDFFont, value: string, size: number, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of value.split(/\s+/)) {
    const next = line ? `${line} ${word}` : word;
    if (font.widthOfTextAtSize(next, size) > width && line) {
      lines.push(line);
      line = word;
    } else line = next;
  }
  return line ? [...lines, line] : lines;
}

function partyLines(p: Party): string[] {
  return [
    ...p.address,
    `${p.postcode} ${p.city}`,
    ...(p.siren ? [`SIREN ${p.siren}`] : []),
    ...(p.vatNumber ? [`TVA intracommunautaire ${p.vatNumber}`] : []),
  ];
}

function header(pen: Pen, invoice: Invoice): number {
  const y = A4.height - MARGIN;
  text(pen, invoice.seller.name, MARGIN, y, 13, { bold: true });
  partyLines(invoice.seller).forEach((line, i) => text(pen, line, MARGIN, y - 16 - i * 11, 8.5, { color: MUTED }));
  const right = A4.width - MARGIN;
  text(pen, invoice.kind === 'credit-note' ? 'AVOIR' : 'FACTURE', right, y, 20, { bold: true, right: true });
  const facts = [
    `N° ${invoice.number}`,
    `Date : ${frenchDate(invoice.issueDate)}`,
    ...(invoice.corrects ? [`Annule la facture ${invoice.corrects}`] : [`Échéance : ${frenchDate(invoice.dueDate)}`]),
    `Période : du ${frenchDate(invoice.periodStart)} au ${frenchDate(invoice.periodEnd)}`,
  ];
  facts.forEach((line, i) => text(pen, line, right, y - 20 - i * 12, 9, { right: true }));
  // The buyer's box, under the facts, as tall as its lines.
  const lines = [...partyLines(invoice.buyer), `Point de livraison (PRM) ${invoice.buyer.prm}`];
  const boxX = A4.width / 2 - 20;
  const top = y - 78;
  const height = 36 + lines.length * 10.5;
  pen.page.drawRectangle({
    x: boxX,
    y: top - height,
    width: A4.width - MARGIN - boxX,
    height,
    borderColor: GRID,
    borderWidth: 0.8,
  });
  text(pen, 'Facturé à', boxX + 10, top - 12, 8, { color: MUTED });
  const nameSize = pen.bold.widthOfTextAtSize(invoice.buyer.name, 10) > A4.width - MARGIN - boxX - 20 ? 8.5 : 10;
  text(pen, invoice.buyer.name, boxX + 10, top - 26, nameSize, { bold: true });
  lines.forEach((line, i) => text(pen, line, boxX + 10, top - 40 - i * 10.5, 8.5));
  return top - height - 24;
}

const COLUMNS = [
  { title: 'Désignation', x: MARGIN, right: false },
  { title: 'Quantité', x: 352, right: true },
  { title: 'Unité', x: 360, right: false },
  { title: 'P.U. HT', x: 440, right: true },
  { title: 'TVA', x: 478, right: true },
  { title: 'Montant HT', x: A4.width - MARGIN, right: true },
];

function table(pen: Pen, invoice: Invoice, top: number): number {
  let y = top;
  pen.page.drawRectangle({
    x: MARGIN,
    y: y - 4,
    width: A4.width - 2 * MARGIN,
    height: 16,
    color: rgb(0.94, 0.95, 0.96),
  });
  for (const c of COLUMNS) text(pen, c.title, c.x + (c.right ? -2 : 4), y, 8, { bold: true, right: c.right });
  y -= 18;
  for (const line of invoice.lines) {
    const described = wrap(pen.regular, line.description, 8.5, 235);
    described.forEach((l, i) => text(pen, l, MARGIN + 4, y - i * 10, 8.5));
    const quantity = line.wh !== undefined ? formatKWh(line.wh) : line.quantity.toFixed(4).replace('.', ',');
    text(pen, quantity, 350, y, 8.5, { right: true });
    text(pen, line.unit, 364, y, 8.5);
    text(pen, `${line.unitPriceEur.toFixed(5).replace('.', ',')} €`, 438, y, 8.5, { right: true });
    text(pen, `${String(line.vatPct).replace('.', ',')} %`, 476, y, 8.5, { right: true });
    text(pen, formatEur(line.amountCents), A4.width - MARGIN - 2, y, 8.5, { right: true });
    y -= 10 * described.length + 6;
  }
  pen.page.drawLine({
    start: { x: MARGIN, y: y + 2 },
    end: { x: A4.width - MARGIN, y: y + 2 },
    color: GRID,
    thickness: 0.8,
  });
  y -= 14;
  const totals: Array<[string, number, boolean]> = [
    ['Total HT', invoice.totals.netCents, false],
    ...invoice.totals.vat.map((v): [string, number, boolean] => [
      `TVA ${String(v.pct).replace('.', ',')} % sur ${formatEur(v.baseCents)}`,
      v.vatCents,
      false,
    ]),
    [invoice.kind === 'credit-note' ? 'Total TTC à rembourser' : 'Total TTC à payer', invoice.totals.grossCents, true],
  ];
  for (const [label, cents, bold] of totals) {
    text(pen, label, 440, y, bold ? 10 : 9, { bold, right: true });
    text(pen, formatEur(cents), A4.width - MARGIN - 2, y, bold ? 10 : 9, { bold, right: true });
    y -= bold ? 16 : 13;
  }
  return y;
}

/** The month's local and grid energy per day: stacked bars, the month's totals and the local share. */
function chart(pen: Pen, invoice: Invoice, top: number): number {
  const localWh = invoice.days.reduce((s, d) => s + d.localWh, 0);
  const gridWh = invoice.days.reduce((s, d) => s + d.gridWh, 0);
  const share = localWh + gridWh > 0 ? Math.round((100 * localWh) / (localWh + gridWh)) : 0;
  text(pen, 'Votre mois : électricité locale et électricité du réseau, par jour', MARGIN, top, 10, { bold: true });
  text(
    pen,
    `Locale ${formatKWh(localWh)} kWh (${share} %) · réseau (votre fournisseur) ${formatKWh(gridWh)} kWh`,
    MARGIN,
    top - 13,
    8.5,
    { color: MUTED },
  );
  const height = 110;
  const bottom = top - 30 - height;
  const width = A4.width - 2 * MARGIN;
  const peak = Math.max(1, ...invoice.days.map((d) => d.localWh + d.gridWh));
  const slot = width / Math.max(invoice.days.length, 1);
  invoice.days.forEach((d, i) => {
    const x = MARGIN + i * slot + slot * 0.15;
    const localH = (d.localWh / peak) * height;
    const gridH = (d.gridWh / peak) * height;
    pen.page.drawRectangle({ x, y: bottom, width: slot * 0.7, height: localH, color: LOCAL });
    pen.page.drawRectangle({ x, y: bottom + localH, width: slot * 0.7, height: gridH, color: GRID });
    if (i % 5 === 0) text(pen, d.date.slice(8), x, bottom - 10, 7, { color: MUTED });
  });
  pen.page.drawLine({
    start: { x: MARGIN, y: bottom },
    end: { x: A4.width - MARGIN, y: bottom },
    color: MUTED,
    thickness: 0.5,
  });
  pen.page.drawRectangle({ x: A4.width - MARGIN - 110, y: top - 14, width: 8, height: 8, color: LOCAL });
  text(pen, 'locale', A4.width - MARGIN - 98, top - 13, 8);
  pen.page.drawRectangle({ x: A4.width - MARGIN - 55, y: top - 14, width: 8, height: 8, color: GRID });
  text(pen, 'réseau', A4.width - MARGIN - 43, top - 13, 8);
  return bottom - 24;
}

/**
 * The invoice as a one-page PDF in French (issue 29 §4): the seller and the buyer with their numbers, the lines, the
 * totals, the month's local and grid energy as a chart, the mentions. Fonts embedded; dates fixed by the invoice,
 * so that the same invoice gives the same bytes. Pure.
 */
export async function invoicePdf(invoice: Invoice, fonts: InvoiceFonts): Promise<PDFDocument> {
  const doc = await PDFDocument.create({ updateMetadata: false });
  doc.registerFontkit(fontkit);
  const pen: Pen = {
    page: doc.addPage([A4.width, A4.height]),
    regular: await doc.embedFont(fonts.regular, { subset: true }),
    bold: await doc.embedFont(fonts.bold, { subset: true }),
  };
  const issued = new Date(`${invoice.issueDate}T00:00:00Z`);
  doc.setTitle(`${invoice.kind === 'credit-note' ? 'Avoir' : 'Facture'} ${invoice.number}`);
  doc.setAuthor(invoice.seller.name);
  doc.setCreator('Îlot');
  doc.setProducer('Îlot (pdf-lib)');
  doc.setCreationDate(issued);
  doc.setModificationDate(issued);
  let y = table(pen, invoice, header(pen, invoice));
  if (invoice.days.length) y = chart(pen, invoice, y - 14);
  for (const mention of invoice.mentions)
    for (const line of wrap(pen.regular, mention, 7.5, A4.width - 2 * MARGIN)) {
      text(pen, line, MARGIN, y, 7.5, { color: MUTED });
      y -= 10;
    }
  text(pen, `${invoice.seller.name} · ${invoice.number} · page 1/1`, A4.width / 2 - 80, 24, 7, { color: MUTED });
  return doc;
}
