import { buildInvoice, creditNoteFor, facturxXml } from '@ilot/invoicing';
import type { AccBilling } from '@ilot/site';
import { FacturxValidator } from './facturx-validator';

const seller = {
  name: 'PMO Île Verte Énergie',
  address: ['12 rue des Alliés'],
  postcode: '38100',
  city: 'Grenoble',
  countryCode: 'FR',
  siren: '912345674',
  vatNumber: 'FR42912345674',
};
const billing: AccBilling = {
  seller,
  invoicePrefix: 'IVE',
  paymentTermDays: 15,
  vatPct: { resident: 20, business: 20, public: 20 },
  excise: { eurPerKWh: 0.02998, collectedBySeller: true },
  fees: [{ label: 'Frais de gestion', eurPerMonth: 2.5 }],
  producers: {},
};
const invoice = buildInvoice({
  number: 'IVE-2026-000001',
  siteId: 'acc-demo',
  month: '2026-11',
  issueDate: '2026-12-05',
  periodStart: '2026-11-01',
  periodEnd: '2026-11-30',
  billing,
  buyer: {
    name: 'Boulangerie <Le Fournil> & fils',
    address: ['3 place Saint-Bruno'],
    postcode: '38000',
    city: 'Grenoble',
    countryCode: 'FR',
    siren: '823456789',
    participantId: 'bakery',
    kind: 'business',
    prm: '30000000000204',
  },
  energy: {
    lines: [
      { producerId: 'pv-block-a', priceFrom: '2026-01-01', period: 'base', eurPerKWh: 0.12, wh: 300_123 },
      { producerId: 'pv-school', priceFrom: '2026-11-16', period: 'hp', eurPerKWh: 0.15, wh: 420_009 },
    ],
    days: [],
  },
  memberDays: 30,
  monthDays: 30,
  producerNames: new Map([['pv-block-a', 'Toit de la résidence A']]),
});

/** Issue 29 §4: the Factur-X XML of a business participant's invoice, valid against the EN 16931 profile's XSD. */
describe('Factur-X EN 16931', () => {
  const validator = new FacturxValidator();

  it("an invoice's and a credit note's XML are valid against the profile's schema", async () => {
    expect(await validator.validate(facturxXml(invoice))).toEqual({ ok: true, value: true });
    const credit = facturxXml(creditNoteFor(invoice, 'IVE-2026-000002', '2026-12-08', 'erreur de prix'));
    expect(credit).toContain('<ram:TypeCode>381</ram:TypeCode>');
    expect(credit).toContain('<ram:IssuerAssignedID>IVE-2026-000001</ram:IssuerAssignedID>');
    expect(await validator.validate(credit)).toEqual({ ok: true, value: true });
  });

  it('carries the figures of the invoice: lines, VAT, totals, the parties and their numbers', () => {
    const xml = facturxXml(invoice);
    expect(xml).toContain('<ram:BilledQuantity unitCode="KWH">300.1230</ram:BilledQuantity>');
    expect(xml).toContain('<ram:GrandTotalAmount>');
    expect(xml).toContain(
      `<ram:GrandTotalAmount>${(invoice.totals.grossCents / 100).toFixed(2)}</ram:GrandTotalAmount>`,
    );
    expect(xml).toContain('<ram:ID schemeID="0002">823456789</ram:ID>');
    expect(xml).toContain('<ram:ID schemeID="VA">FR42912345674</ram:ID>');
    expect(xml).toContain('Boulangerie &lt;Le Fournil&gt; &amp; fils');
  });

  it('refuses an XML the schema does not allow, naming the line and the element', async () => {
    const spoiled = facturxXml(invoice).replace(
      /<ram:InvoiceCurrencyCode>EUR<\/ram:InvoiceCurrencyCode>/,
      '<ram:Currency>EUR</ram:Currency>',
    );
    const result = await validator.validate(spoiled);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems.join('\n')).toMatch(/factur-x\.xml:\d+: .*Currency/);
  });
});
