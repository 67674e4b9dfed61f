import { seededRandom } from '@ilot/domain';
import { creditNoteFor, invoiceTotals } from './invoice';
import { type BilledStep, consumerEnergy, type DatedPrice, priceAt } from './invoice-energy';
import { divideRounded, energyCents, formatEur, percentCents } from './money';
import { novemberInvoice, TEST_SELLER } from './testing/november-invoice';

const TZ = 'Europe/Paris';
const seller = TEST_SELLER;
const prices = new Map<string, DatedPrice[]>([
  ['p1', [{ from: '2026-01-01', eurPerKWh: 0.12 }]],
  [
    'p2',
    [
      { from: '2026-01-01', hpEurPerKWh: 0.14, hcEurPerKWh: 0.1, hcWindows: ['22:00-06:00'] },
      { from: '2026-11-16', hpEurPerKWh: 0.15, hcEurPerKWh: 0.1, hcWindows: ['22:00-06:00'] },
    ],
  ],
]);

describe('money, in integers', () => {
  it.each([
    [12_345, 0.12, 148], // 1.4814 €
    [12_500, 0.12, 150],
    [1, 0.005, 0], // 0.000005 €
    [41_667, 0.12, 500], // 5.00004 €
    [125_000, 0.02998, 375], // 3.7475 € -> 3.75 € (half up, no float)
  ])('%i Wh at %f €/kWh is %i cents', (wh, price, cents) => expect(energyCents(wh, price)).toBe(cents));

  it('rounds half up, VAT per rate, and writes French amounts', () => {
    expect(divideRounded(5, 10)).toBe(1);
    expect(percentCents(1_005, 5.5)).toBe(55); // 55.275
    expect(formatEur(1_234_567)).toBe('12\u202f345,67 €');
  });
});

describe('priceAt', () => {
  it.each([
    ['2026-11-10T12:00:00Z', 'p1', 'base', 0.12, '2026-01-01'],
    ['2026-11-10T12:00:00Z', 'p2', 'hp', 0.14, '2026-01-01'],
    ['2026-11-10T22:30:00Z', 'p2', 'hc', 0.1, '2026-01-01'], // 23:30 local
    ['2026-11-16T08:00:00Z', 'p2', 'hp', 0.15, '2026-11-16'],
    ['2026-11-15T22:59:00Z', 'p2', 'hc', 0.1, '2026-01-01'], // 23:59 local on the 15th: the old version still
  ])('at %s, %s is %s at %f (version of %s)', (at, producer, period, eur, from) => {
    expect(priceAt(prices.get(producer)!, new Date(at), TZ)).toEqual({ priceFrom: from, period, eurPerKWh: eur });
  });
});

function randomSteps(seed: number, count: number): BilledStep[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, (_, i) => {
    const production = new Map([
      ['p1', Math.floor(random() * 3000)],
      ['p2', Math.floor(random() * 5000)],
    ]);
    const producerAllocated = new Map([...production].map(([p, wh]) => [p, Math.floor(wh * random())]));
    const total = [...producerAllocated.values()].reduce((s, w) => s + w, 0);
    const a = Math.floor(total * random());
    return {
      start: new Date(Date.UTC(2026, 9, 31, 23) + i * 900_000), // the local month
      allocatedWh: new Map([
        ['a', a],
        ['b', total - a],
      ]),
      complementWh: new Map([
        ['a', Math.floor(random() * 500)],
        ['b', 100],
      ]),
      producerAllocatedWh: producerAllocated,
      productionWh: production,
    };
  });
}

describe('consumerEnergy', () => {
  it('bills each consumer its allocation to the Wh, and no producer more than it injected, step by step', () => {
    const steps = randomSteps(29, 2880);
    const taken = new Map<number, Map<string, number>>();
    const a = consumerEnergy('a', steps, prices, TZ, taken);
    const b = consumerEnergy('b', steps, prices, TZ, taken);
    const billed = (e: typeof a) => e.lines.reduce((s, l) => s + l.wh, 0);
    const allocated = (c: string) => steps.reduce((s, st) => s + st.allocatedWh.get(c)!, 0);
    expect(billed(a)).toBe(allocated('a'));
    expect(billed(b)).toBe(allocated('b'));
    for (const step of steps)
      for (const [p, wh] of taken.get(step.start.getTime()) ?? new Map())
        expect(wh).toBeLessThanOrEqual(step.productionWh.get(p)!);
    expect(a.days).toHaveLength(30);
    expect(a.days.reduce((s, d) => s + d.localWh, 0)).toBe(allocated('a'));
    // p2 changed price on the 16th: both versions and both periods are lines.
    expect(a.lines.filter((l) => l.producerId === 'p2').map((l) => `${l.priceFrom} ${l.period}`)).toEqual([
      '2026-01-01 hc',
      '2026-01-01 hp',
      '2026-11-16 hc',
      '2026-11-16 hp',
    ]);
  });
});

describe('buildInvoice', () => {
  const buyer = {
    ...seller,
    name: 'Boulangerie',
    participantId: 'bakery',
    kind: 'business' as const,
    prm: '30000000000204',
  };
  const invoice = novemberInvoice(
    buyer,
    [
      { producerId: 'p1', priceFrom: '2026-01-01', period: 'base', eurPerKWh: 0.12, wh: 100_001 },
      { producerId: 'p2', priceFrom: '2026-01-01', period: 'hp', eurPerKWh: 0.14, wh: 50_005 },
    ],
    { memberDays: 20, producerNames: new Map([['p1', 'Toit A']]) },
  );

  it('prices each line to the cent, prorates the fees, collects the excise, and its totals add up', () => {
    expect(invoice.lines.map((l) => [l.kind, l.quantity, l.amountCents])).toEqual([
      ['energy', 100.001, 1200], // 12.00012 €
      ['energy', 50.005, 700], // 7.0007 €
      ['fee', 0.6667, 167], // 2.5 € x 20/30
      ['excise', 150.006, 450], // 150.006 kWh x 0.02998 = 4.4972 €
    ]);
    expect(invoice.totals).toEqual({
      netCents: 2517,
      vatCents: 503, // 20 % of 25.17 = 5.034
      grossCents: 3020,
      vat: [{ pct: 20, baseCents: 2517, vatCents: 503 }],
    });
    expect(invoice.dueDate).toBe('2027-01-04');
    expect(invoice.mentions.join(' ')).toMatch(/indemnité forfaitaire pour frais de recouvrement de 40 €/);
    expect(invoice.lines[0].description).toBe('Électricité locale de Toit A, tarif du 01/01/2026');
  });

  it('makes a credit note of the same amounts, naming the invoice it cancels', () => {
    const credit = creditNoteFor(invoice, 'IVE-2026-000002', '2026-12-10', 'index corrigé');
    expect(credit).toMatchObject({ kind: 'credit-note', corrects: 'IVE-2026-000001', totals: invoice.totals });
    expect(credit.mentions[0]).toBe('Avoir annulant la facture IVE-2026-000001 : index corrigé.');
    expect(invoiceTotals(credit.lines)).toEqual(invoice.totals);
  });
});
