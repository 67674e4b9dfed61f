import { creditNoteFor, facturxXml } from '@ilot/invoicing';
import { novemberInvoice } from '@ilot/invoicing/testing/november-invoice';
import { FacturxValidator } from './facturx-validator';

const invoice = novemberInvoice(
  {
    name: 'Boulangerie <Le Fournil> & fils',
    address: ['3 place Saint-Bruno'],
    postcode: '38000',
    city: 'Grenoble',
    countryCode: 'FR',
    siren: '823456785',
    participantId: 'bakery',
    kind: 'business',
    prm: '30000000000204',
  },
  [
    { producerId: 'pv-block-a', priceFrom: '2026-01-01', period: 'base', eurPerKWh: 0.12, wh: 300_123 },
    { producerId: 'pv-school', priceFrom: '2026-11-16', period: 'hp', eurPerKWh: 0.15, wh: 420_009 },
  ],
  { producerNames: new Map([['pv-block-a', 'Toit de la résidence A']]) },
);

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
    expect(xml).toContain('<ram:ID schemeID="0002">823456785</ram:ID>');
    expect(xml).toContain('<ram:ID schemeID="VA">FR65912345675</ram:ID>');
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
