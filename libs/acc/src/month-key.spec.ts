import { monthKeyTable } from './month-key';

const s = [0, 1, 2].map((i) => new Date(Date.UTC(2026, 10, 2, 11, i * 15)));
const consumers = [
  { id: 'a', prm: '25110000000011' },
  { id: 'b', prm: '25110000000012' },
];
const consumption = new Map([
  [
    s[0].getTime(),
    new Map([
      ['a', 300],
      ['b', 900],
    ]),
  ],
  [s[1].getTime(), new Map([['a', 100]])], // b's meter sent nothing
]);
const row = (t: ReturnType<typeof monthKeyTable>, i: number) => Object.fromEntries(t.steps[i].shares);

describe('monthKeyTable', () => {
  it('writes the default key as coefficients where no shares were given: parts of the consumption, 0 when nobody consumed', () => {
    const table = monthKeyTable({ stepStarts: s, consumers, consumptionWh: consumption });
    expect(table.columns).toEqual(['25110000000011', '25110000000012']);
    expect(row(table, 0)).toEqual({ '25110000000011': 0.25, '25110000000012': 0.75 });
    expect(row(table, 1)).toEqual({ '25110000000011': 1, '25110000000012': 0 });
    expect(row(table, 2)).toEqual({ '25110000000011': 0, '25110000000012': 0 });
  });

  it("keeps the PMO's shares where it gave some (a consumer left out gets 0), and a static key's in every step", () => {
    const given = new Map([[s[1].getTime(), new Map([['b', 0.6]])]]);
    const table = monthKeyTable({ stepStarts: s, consumers, consumptionWh: consumption, givenShares: given });
    expect(row(table, 1)).toEqual({ '25110000000011': 0, '25110000000012': 0.6 });
    expect(row(table, 0)).toEqual({ '25110000000011': 0.25, '25110000000012': 0.75 });
    const fixed = monthKeyTable({
      stepStarts: s,
      consumers,
      consumptionWh: consumption,
      staticShares: new Map([
        ['a', 0.3],
        ['b', 0.7],
      ]),
    });
    expect([0, 1, 2].map((i) => row(fixed, i))).toEqual(
      Array(3).fill({ '25110000000011': 0.3, '25110000000012': 0.7 }),
    );
  });
});
