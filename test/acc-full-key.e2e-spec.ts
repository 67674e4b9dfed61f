import { parseDistributorFile, stepStarts } from '@ilot/acc';
import { localMonthRange, SETTLEMENT_STEP_MS } from '@ilot/domain';
import type { Invoice } from '@ilot/invoicing';
import { accInvoicingOn, FacturxValidator } from '@ilot/residents';
import type { Site } from '@ilot/site';
import { AllocationShareRepository } from '@ilot/timeseries';
import { ACC_DEMO, ACC_MONTH, accDemoMonth } from './support/acc-demo-month';

const ISSUED_AT = new Date('2026-12-05T08:00:00Z');
/** The demo operation on a full dynamic key: the PMO says, per step, who gets what of each producer. */
const SITE: Site = { ...ACC_DEMO, allocation: { key: 'dynamic-full', history: [] } };
/** The housing block's roof for its own four flats, the school's for the bakery and the school's building. */
const COEFFICIENTS = new Map([
  [
    'pv-block-a',
    new Map([
      ['a-1', 0.25],
      ['a-2', 0.25],
      ['a-3', 0.25],
      ['a-4', 0.25],
    ]),
  ],
  [
    'pv-school',
    new Map([
      ['bakery', 0.5],
      ['c-1', 0.25],
      ['c-2', 0.25],
    ]),
  ],
]);
/** The PMO gave nothing for the month's first day: the default key shares it (both producers, every member). */
const FIRST_DAY_END = new Date('2026-11-01T23:00:00Z');

/**
 * Issue 29 §2 and §4, the full dynamic key on the real PostgreSQL: the PMO's coefficients per producer and consumer,
 * one key file per producer, the simulated distributor applying them, the reconciliation finding no difference, and
 * invoices that bill each consumer the producers the key gave it, to the Wh.
 */
describe('a month on a full dynamic key (dynamic-full, issue 29)', () => {
  jest.setTimeout(120_000);
  let month: Awaited<ReturnType<typeof accDemoMonth>>;
  let issued: Array<{ participantId: string; document: Invoice }>;

  beforeAll(async () => {
    const { from, to } = localMonthRange(ACC_MONTH, SITE.timezone);
    const given = stepStarts(from, to, SETTLEMENT_STEP_MS)
      .filter((start) => start >= FIRST_DAY_END)
      .map((start) => ({ start, byProducer: COEFFICIENTS }));
    month = await accDemoMonth([], SITE, async (db) => {
      await new AllocationShareRepository(db).replaceByProducer(SITE.id, given, ISSUED_AT);
    });
    const result = await accInvoicingOn(SITE, month.db, new FacturxValidator()).issueMonth(ACC_MONTH, ISSUED_AT);
    if (!result.ok) throw new Error(result.problems.join('; '));
    issued = result.value.issued;
  });
  afterAll(async () => {
    await month?.close();
  });

  const energyWh = (d: Invoice, producerId?: string) =>
    d.lines
      .filter((l) => l.kind === 'energy' && (!producerId || l.producerId === producerId))
      .reduce((s, l) => s + l.wh!, 0);

  it('writes one key file per producer, named by its injection point, with every step and every consumer', () => {
    expect(month.keys.files.map((f) => [f.fileName, f.producer?.id])).toEqual([
      ['cles-acc-demo-2026-11-30000000000199.csv', 'pv-block-a'],
      ['cles-acc-demo-2026-11-30000000000399.csv', 'pv-school'],
    ]);
    for (const file of month.keys.files) {
      const lines = file.text.trimEnd().split('\n');
      expect(lines).toHaveLength(1 + 30 * 96);
      expect(lines[0].split(';')).toHaveLength(1 + 10);
    }
    const [roof] = month.keys.files;
    // A step the PMO gave: the roof's 25 % to each of building A's flats, nothing to the others.
    expect(roof.text).toContain(
      '\n2026-11-10T12:00:00+01:00;25,000;25,000;25,000;25,000;0,000;0,000;0,000;0,000;0,000;0,000\n',
    );
  });

  it('reconciles to no difference: the îlot shares each producer as the distributor does', () => {
    expect(month.imported).toMatchObject({ ok: true, value: { pointsAbsent: [] } });
    expect(month.lines).toHaveLength(12 * 2);
    for (const line of month.lines)
      expect({ id: line.id, quantity: line.quantity, differenceWh: line.differenceWh }).toEqual({
        id: line.id,
        quantity: line.quantity,
        differenceWh: 0,
      });
    const allocated = (id: string) => month.lines.find((l) => l.id === id && l.quantity === 'allocated')!.ilotWh;
    expect(allocated('pv-block-a')).toBeGreaterThan(0);
    expect(allocated('pv-school')).toBeGreaterThan(0);
  });

  it("bills each consumer the producers the key gave it: building A's roof to building A, the school's to the bakery", () => {
    const rows = parseDistributorFile(month.distributorFile, { month: ACC_MONTH, timezone: SITE.timezone });
    if (!rows.ok) throw new Error('bad file');
    const of = (id: string) => issued.find((d) => d.participantId === id)!.document;
    for (const d of issued) {
      const prm = SITE.participants.find((p) => p.id === d.participantId)!.prm!;
      const allocatedWh = rows.value.filter((r) => r.prm === prm).reduce((s, r) => s + (r.allocatedWh ?? 0), 0);
      expect({ who: d.participantId, wh: energyWh(d.document) }).toEqual({ who: d.participantId, wh: allocatedWh });
    }
    // Only the first day (the default key) mixes the producers: the rest of the month follows the coefficients.
    const firstDayWh = (id: string) => {
      const prm = SITE.participants.find((p) => p.id === id)!.prm!;
      return rows.value
        .filter((r) => r.prm === prm && r.start < FIRST_DAY_END)
        .reduce((s, r) => s + (r.allocatedWh ?? 0), 0);
    };
    for (const id of ['a-1', 'a-2', 'a-3', 'a-4']) {
      expect(energyWh(of(id), 'pv-block-a')).toBeGreaterThan(10 * energyWh(of(id), 'pv-school'));
      expect(energyWh(of(id), 'pv-school')).toBeLessThanOrEqual(firstDayWh(id));
    }
    expect(energyWh(of('bakery'), 'pv-school')).toBeGreaterThan(10 * energyWh(of('bakery'), 'pv-block-a'));
    for (const id of ['b-1', 'b-2', 'b-3'])
      expect(energyWh(of(id))).toBeLessThanOrEqual(firstDayWh(id));
    expect(energyWh(of('b-1'))).toBeGreaterThan(0);
  });
});
