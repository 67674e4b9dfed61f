import type { AccBilling, Party } from '@ilot/site';
import type { EnergyLine } from './invoice-energy';
import { energyCents, frenchDate, percentCents, priceUnits } from './money';

export type InvoiceKind = 'invoice' | 'credit-note';

export interface InvoiceLine {
  kind: 'energy' | 'fee' | 'excise';
  description: string;
  /** The producer the energy was bought from (energy lines). */
  producerId?: string;
  /** kWh to the Wh (3 decimals), or the share of a month (fees). */
  quantity: number;
  /** The exact energy, Wh (energy and excise lines). */
  wh?: number;
  unit: 'kWh' | 'mois';
  unitPriceEur: number;
  amountCents: number;
  vatPct: number;
}

export interface InvoiceTotals {
  netCents: number;
  vatCents: number;
  grossCents: number;
  vat: Array<{ pct: number; baseCents: number; vatCents: number }>;
}

/** A consumer's invoice (or credit note) of a month: everything the PDF, the Factur-X XML and the register carry. */
export interface Invoice {
  number: string;
  kind: InvoiceKind;
  /** The invoice a credit note cancels. */
  corrects?: string;
  siteId: string;
  month: string;
  issueDate: string;
  dueDate: string;
  periodStart: string;
  periodEnd: string;
  seller: Party;
  buyer: Party & { participantId: string; kind: 'resident' | 'business' | 'public'; prm: string };
  lines: InvoiceLine[];
  totals: InvoiceTotals;
  /** The month's local and grid energy, Wh, per local day (the PDF's chart). */
  days: Array<{ date: string; localWh: number; gridWh: number }>;
  mentions: string[];
}

export interface InvoiceInput {
  number: string;
  siteId: string;
  month: string;
  issueDate: string;
  periodStart: string;
  periodEnd: string;
  billing: AccBilling;
  buyer: Invoice['buyer'];
  energy: { lines: EnergyLine[]; days: Invoice['days'] };
  /** Days of the month the buyer was a member, and the month's days (fees pro rata). */
  memberDays: number;
  monthDays: number;
  producerNames: ReadonlyMap<string, string>;
}

const PERIODS = { base: '', hp: ' (heures pleines)', hc: ' (heures creuses)' } as const;

function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** The totals of lines: net, VAT per rate (rounded per rate), gross; every figure in cents, adding up to the cent. */
export function invoiceTotals(lines: readonly InvoiceLine[]): InvoiceTotals {
  const byRate = new Map<number, number>();
  for (const line of lines) byRate.set(line.vatPct, (byRate.get(line.vatPct) ?? 0) + line.amountCents);
  const vat = [...byRate].map(([pct, baseCents]) => ({ pct, baseCents, vatCents: percentCents(baseCents, pct) }));
  const netCents = lines.reduce((s, l) => s + l.amountCents, 0);
  const vatCents = vat.reduce((s, v) => s + v.vatCents, 0);
  return { netCents, vatCents, grossCents: netCents + vatCents, vat };
}

/**
 * A consumer's invoice of a month (issue 29 §4), pure: a line per producer, price version and tariff period (the
 * kWh to the Wh times the agreed price), the PMO's fees pro rata of the days of membership, the excise where the
 * seller collects it, VAT at the rate of the buyer's kind; the mentions a French invoice carries.
 */
export function buildInvoice(input: InvoiceInput): Invoice {
  const vatPct = input.billing.vatPct[input.buyer.kind];
  const lines: InvoiceLine[] = input.energy.lines
    .filter((l) => l.wh > 0)
    .map((l) => ({
      kind: 'energy',
      description: `Électricité locale de ${input.producerNames.get(l.producerId) ?? l.producerId}${PERIODS[l.period]}, tarif du ${frenchDate(l.priceFrom)}`,
      producerId: l.producerId,
      quantity: l.wh / 1000,
      wh: l.wh,
      unit: 'kWh',
      unitPriceEur: priceUnits(l.eurPerKWh) / 1e5,
      amountCents: energyCents(l.wh, l.eurPerKWh),
      vatPct,
    }));
  lines.push(...feeAndExciseLines(input, vatPct));
  const business = input.buyer.kind !== 'resident';
  return {
    number: input.number,
    kind: 'invoice',
    siteId: input.siteId,
    month: input.month,
    issueDate: input.issueDate,
    dueDate: addDays(input.issueDate, input.billing.paymentTermDays),
    periodStart: input.periodStart,
    periodEnd: input.periodEnd,
    seller: input.billing.seller,
    buyer: input.buyer,
    lines,
    totals: invoiceTotals(lines),
    days: input.energy.days,
    mentions: [
      `Payable au plus tard le ${frenchDate(addDays(input.issueDate, input.billing.paymentTermDays))}. Pas d'escompte pour paiement anticipé.`,
      business
        ? 'En cas de retard de paiement : pénalités au taux de trois fois le taux d’intérêt légal et indemnité forfaitaire pour frais de recouvrement de 40 € (art. L441-10 du code de commerce).'
        : 'En cas de retard de paiement : pénalités au taux de trois fois le taux d’intérêt légal.',
      'Électricité produite et consommée dans une opération d’autoconsommation collective (art. L315-2 du code de l’énergie), quantités relevées par le gestionnaire du réseau de distribution.',
    ],
  };
}

/** The PMO's fees pro rata of the days of membership, and the excise on the local kWh where the seller collects it. */
function feeAndExciseLines(input: InvoiceInput, vatPct: number): InvoiceLine[] {
  const lines: InvoiceLine[] = [];
  const share = input.memberDays / input.monthDays;
  for (const fee of input.billing.fees)
    lines.push({
      kind: 'fee',
      description: `${fee.label}${share < 1 ? ` (${input.memberDays} jours sur ${input.monthDays})` : ''}`,
      quantity: Math.round(share * 10_000) / 10_000,
      unit: 'mois',
      unitPriceEur: fee.eurPerMonth,
      amountCents: Math.round(fee.eurPerMonth * 100 * share),
      vatPct,
    });
  const localWh = input.energy.lines.reduce((s, l) => s + l.wh, 0);
  if (input.billing.excise.collectedBySeller && localWh > 0)
    lines.push({
      kind: 'excise',
      description: "Accise sur l'électricité",
      quantity: localWh / 1000,
      wh: localWh,
      unit: 'kWh',
      unitPriceEur: input.billing.excise.eurPerKWh,
      amountCents: energyCents(localWh, input.billing.excise.eurPerKWh),
      vatPct,
    });
  return lines;
}

/** The credit note cancelling an invoice in full: same lines and totals, its own number, the invoice it corrects. */
export function creditNoteFor(invoice: Invoice, number: string, issueDate: string, reason: string): Invoice {
  return {
    ...invoice,
    number,
    kind: 'credit-note',
    corrects: invoice.number,
    issueDate,
    dueDate: issueDate,
    mentions: [`Avoir annulant la facture ${invoice.number} : ${reason}.`, ...invoice.mentions.slice(2)],
  };
}
