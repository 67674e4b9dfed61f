import { parseDistributorFile } from '@ilot/acc';
import type { Invoice } from '@ilot/invoicing';
import { accInvoicingOn, FacturxValidator } from '@ilot/residents';
import {
  AccInvoiceRepository,
  ErasureRepository,
  ResidentLedgerRepository,
  type StoredInvoice,
} from '@ilot/timeseries';
import { PDFDocument, PDFName } from 'pdf-lib';
import { ACC_DEMO, ACC_MONTH, accDemoMonth } from './support/acc-demo-month';

const ISSUED_AT = new Date('2026-12-05T08:00:00Z');

/**
 * Issue 29 §4-5 on the real PostgreSQL: the demo month's invoices from the distributor's figures. The kWh invoiced are
 * the kWh allocated, to the Wh, and no producer sells more than it produced; every total adds up to the cent; the
 * bakery's Factur-X is valid and embedded; the register is immutable, issues nothing twice, corrects by credit note.
 */
describe("the PMO's invoices of a month (issue 29, real PostgreSQL)", () => {
  jest.setTimeout(120_000);
  let month: Awaited<ReturnType<typeof accDemoMonth>>;
  let issued: StoredInvoice[];
  const validator = new FacturxValidator();

  beforeAll(async () => {
    month = await accDemoMonth();
    const result = await accInvoicingOn(ACC_DEMO, month.db, validator).issueMonth(ACC_MONTH, ISSUED_AT);
    if (!result.ok) throw new Error(result.problems.join('; '));
    issued = result.value.issued;
  });
  afterAll(async () => {
    await month?.close();
  });

  const distributor = () => {
    const rows = parseDistributorFile(month.distributorFile, { month: ACC_MONTH, timezone: ACC_DEMO.timezone });
    if (!rows.ok) throw new Error('bad file');
    return rows.value;
  };
  const energyWh = (d: Invoice, producerId?: string) =>
    d.lines
      .filter((l) => l.kind === 'energy' && (!producerId || l.producerId === producerId))
      .reduce((s, l) => s + l.wh!, 0);

  it('invoices every member once, numbered without a gap', () => {
    expect(issued.map((d) => d.participantId)).toEqual(ACC_DEMO.participants.map((p) => p.id));
    expect(issued.map((d) => d.number)).toEqual(issued.map((_, i) => `IVE-2026-${String(i + 1).padStart(6, '0')}`));
  });

  it('invoices each consumer the kWh allocated to it, to the Wh, and no producer more than it produced', () => {
    const rows = distributor();
    for (const d of issued) {
      const prm = ACC_DEMO.participants.find((p) => p.id === d.participantId)!.prm!;
      const allocated = rows.filter((r) => r.prm === prm).reduce((s, r) => s + (r.allocatedWh ?? 0), 0);
      expect({ who: d.participantId, wh: energyWh(d.document) }).toEqual({ who: d.participantId, wh: allocated });
    }
    for (const pv of ['pv-block-a', 'pv-school']) {
      const prm =
        ACC_DEMO.devices.get(pv)!.kind === 'pv'
          ? (ACC_DEMO.devices.get(pv) as { injectionPrm: string }).injectionPrm
          : '';
      const produced = rows.filter((r) => r.prm === prm).reduce((s, r) => s + (r.totalWh ?? 0), 0);
      const sold = issued.reduce((s, d) => s + energyWh(d.document, pv), 0);
      expect(sold).toBeGreaterThan(0);
      expect(sold).toBeLessThanOrEqual(produced);
    }
  });

  it('adds up to the cent: lines to the net, VAT per rate, net and VAT to the total', () => {
    for (const { document: d } of issued) {
      expect(d.lines.reduce((s, l) => s + l.amountCents, 0)).toBe(d.totals.netCents);
      expect(d.totals.vat.reduce((s, v) => s + v.baseCents, 0)).toBe(d.totals.netCents);
      expect(d.totals.netCents + d.totals.vatCents).toBe(d.totals.grossCents);
      expect(d.totals.vat.reduce((s, v) => s + v.vatCents, 0)).toBe(d.totals.vatCents);
    }
  });

  it('prorates the fees of who joined or left, and shows both prices of the school in force in the month', () => {
    const fee = (id: string) =>
      issued.find((d) => d.participantId === id)!.document.lines.find((l) => l.kind === 'fee')!;
    expect(fee('a-1').amountCents).toBe(250);
    expect(fee('b-3')).toMatchObject({
      amountCents: 167,
      description: "Frais de gestion de l'opération (20 jours sur 30)",
    });
    expect(fee('c-2')).toMatchObject({
      amountCents: 175,
      description: "Frais de gestion de l'opération (21 jours sur 30)",
    });
    const school = issued[0].document.lines.filter((l) => l.producerId === 'pv-school').map((l) => l.description);
    expect(school.some((d) => d.includes('tarif du 01/01/2026'))).toBe(true);
    expect(school.some((d) => d.includes('tarif du 16/11/2026'))).toBe(true);
  });

  it('gives the bakery a Factur-X PDF whose embedded XML is valid EN 16931, the residents a plain PDF', async () => {
    const bakery = issued.find((d) => d.participantId === 'bakery')!;
    expect(bakery.facturx).toBe(true);
    expect(issued.filter((d) => d.facturx).map((d) => d.participantId)).toEqual(['bakery']);
    const files = await new AccInvoiceRepository(new ResidentLedgerRepository(month.db)).withFiles(
      ACC_DEMO.id,
      bakery.number,
    );
    expect(await validator.validate(files!.facturxXml!)).toEqual({ ok: true, value: true });
    const pdf = await PDFDocument.load(files!.pdf);
    expect(pdf.catalog.get(PDFName.of('AF'))).toBeDefined();
    expect(Buffer.from(files!.pdf).includes(Buffer.from('fx:ConformanceLevel>EN 16931'))).toBe(true);
    expect(pdf.getTitle()).toBe(`Facture ${bakery.number}`);
  });

  it('issues nothing twice; corrects by a credit note, then invoices the participant again with the next number', async () => {
    const service = accInvoicingOn(ACC_DEMO, month.db, validator);
    const again = await service.issueMonth(ACC_MONTH, ISSUED_AT);
    expect(again).toMatchObject({ ok: true, value: { issued: [] } });
    const b1 = issued.find((d) => d.participantId === 'b-1')!;
    const credit = await service.creditNote(b1.number, 'index contesté', new Date('2026-12-08T10:00:00Z'));
    expect(credit).toMatchObject({
      ok: true,
      value: { kind: 'credit-note', corrects: b1.number, number: 'IVE-2026-000011' },
    });
    expect(await service.creditNote(b1.number, 'deux fois', new Date())).toMatchObject({
      ok: false,
      reason: 'invalid',
    });
    const reissued = await service.issueMonth(ACC_MONTH, new Date('2026-12-08T10:05:00Z'));
    if (!reissued.ok) throw new Error(reissued.problems.join());
    expect(reissued.value.issued.map((d) => [d.participantId, d.number])).toEqual([['b-1', 'IVE-2026-000012']]);
    expect(reissued.value.issued[0].document.totals).toEqual(b1.document.totals);
    const statements = await service.statements(ACC_MONTH);
    const sold = statements.reduce((s, st) => s + st.totalWh, 0);
    expect(sold).toBe(issued.reduce((s, d) => s + energyWh(d.document), 0));
    const csv = (await service.accounting(ACC_MONTH)).trimEnd().split('\n');
    expect(csv).toHaveLength(1 + 12);
    expect(csv[11]).toMatch(/^IVE-2026-000011;avoir;2026-12-08;2026-12-08;IVE-2026-000005;b-1;/);
    expect(csv[11]).toMatch(/;-\d+,\d\d$/);
  });

  it('keeps the register immutable: the database refuses an edit or a deletion', async () => {
    await expect(month.db.query(`UPDATE acc_invoices SET gross_cents = 0`)).rejects.toThrow(/immutable register/);
    await expect(month.db.query(`DELETE FROM acc_invoices`)).rejects.toThrow(/immutable register/);
  });

  it("erases a participant who left: their invoices kept whole, their month's other rows pseudonymised", async () => {
    const b3 = issued.find((d) => d.participantId === 'b-3')!;
    const prm = ACC_DEMO.participants.find((p) => p.id === 'b-3')!.prm!;
    const outcome = await new ErasureRepository(new ResidentLedgerRepository(month.db)).pseudonymise(
      ACC_DEMO.id,
      'b-3',
      new Date('2026-12-20T00:00:00Z'),
    );
    expect(outcome.invoicesKept).toBe(1);
    expect(outcome.rows.acc_distributor_steps).toBe(20 * 96); // the 20 days it was a member
    expect(outcome.rows.acc_reconciliations).toBe(2);
    expect(outcome.rows.acc_key_files).toBe(1);
    const kept = await new AccInvoiceRepository(new ResidentLedgerRepository(month.db)).withFiles(
      ACC_DEMO.id,
      b3.number,
    );
    expect(kept).toMatchObject({ participantId: 'b-3', grossCents: b3.grossCents, sha256: b3.sha256 });
    const left = await month.db.query(
      `SELECT (SELECT count(*) FROM acc_distributor_steps WHERE prm = $1)::int AS steps,
              (SELECT count(*) FROM acc_reconciliations WHERE point_id = 'b-3' OR prm = $1)::int AS lines,
              (SELECT count(*) FROM acc_key_files WHERE strpos(body, $1) > 0)::int AS keys`,
      [prm],
    );
    expect(left).toEqual([{ steps: 0, lines: 0, keys: 0 }]);
  });

  it('refuses to invoice a month not over, or not reconciled', async () => {
    const service = accInvoicingOn(ACC_DEMO, month.db, validator);
    expect(await service.issueMonth('2026-12', new Date('2026-12-20T00:00:00Z'))).toMatchObject({
      ok: false,
      reason: 'too-early',
    });
    expect(await service.issueMonth('2026-10', ISSUED_AT)).toMatchObject({ ok: false, reason: 'no-file' });
  });
});
