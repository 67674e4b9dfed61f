import type { AccBilling } from '@ilot/site';
import { buildInvoice, type Invoice, type InvoiceInput } from '../invoice';
import type { EnergyLine } from '../invoice-energy';

/** A seller as the site file's `acc.billing.seller` names it (a valid SIREN and VAT number). */
export const TEST_SELLER = {
  name: 'PMO Île Verte Énergie',
  address: ['12 rue des Alliés'],
  postcode: '38100',
  city: 'Grenoble',
  countryCode: 'FR',
  siren: '912345675',
  vatNumber: 'FR65912345675',
};

/** The billing of the tests: 20 % VAT (5.5 % for public buyers), the excise collected, a 2.50 € monthly fee. */
export const TEST_BILLING: AccBilling = {
  seller: TEST_SELLER,
  invoicePrefix: 'IVE',
  paymentTermDays: 30,
  vatPct: { resident: 20, business: 20, public: 5.5 },
  excise: { eurPerKWh: 0.02998, collectedBySeller: true },
  fees: [{ label: 'Frais de gestion', eurPerMonth: 2.5 }],
  producers: {},
};

/** November 2026's invoice number 1 of a buyer, issued on 5 December, with the energy lines given. */
export function novemberInvoice(
  buyer: InvoiceInput['buyer'],
  lines: EnergyLine[],
  options: { memberDays?: number; producerNames?: ReadonlyMap<string, string>; billing?: AccBilling } = {},
): Invoice {
  return buildInvoice({
    number: 'IVE-2026-000001',
    siteId: 'acc-demo',
    month: '2026-11',
    issueDate: '2026-12-05',
    periodStart: '2026-11-01',
    periodEnd: '2026-11-30',
    billing: options.billing ?? TEST_BILLING,
    buyer,
    energy: { lines, days: [] },
    memberDays: options.memberDays ?? 30,
    monthDays: 30,
    producerNames: options.producerNames ?? new Map(),
  });
}
