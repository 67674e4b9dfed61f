import { commodityLines } from './commodity-lines';

const electricity = {
  consumptionKWh: 200,
  gridKWh: 150,
  costEur: 50,
  previousMonthKWh: 250,
  peersKWh: [180, 220, 260],
};
const prices = {
  electricity: { kgCo2PerKWh: 0.05 },
  gas: { kWhPerM3: 11, eurPerKWh: 0.1, kgCo2PerKWh: 0.2 },
  water: { eurPerM3: 4, kgCo2PerM3: 0.1 },
  heat: { eurPerKWh: 0.09, kgCo2PerKWh: 0.12 },
};

describe('commodityLines: a month across commodities, each priced and weighed at the site’s figures', () => {
  it('converts each meter’s unit (m³ of gas, litres, Wh) to the report’s, with cost, CO2, the month before and peers', () => {
    const lines = commodityLines(
      electricity,
      [
        { commodity: 'gas', quantity: 50, previousQuantity: 40, peers: [30, 60, 90, 10] },
        { commodity: 'water', quantity: 4500, peers: [3000, 6000] },
        { commodity: 'heat', quantity: 300_000, previousQuantity: 0, peers: [] },
      ],
      prices,
    );
    expect(lines).toEqual([
      {
        commodity: 'electricity',
        unit: 'kWh',
        quantity: 200,
        energyKWh: 200,
        costEur: 50,
        kgCo2: 7.5,
        previousMonth: 250,
        changePct: -20,
        peers: { count: 3, median: 220 },
      },
      {
        commodity: 'gas',
        unit: 'm3',
        quantity: 50,
        energyKWh: 550,
        costEur: 55,
        kgCo2: 110,
        previousMonth: 40,
        changePct: 25,
        peers: { count: 4, median: 45 },
      },
      // Two peers: no median, it would give the other one's figure away.
      {
        commodity: 'water',
        unit: 'm3',
        quantity: 4.5,
        energyKWh: null,
        costEur: 18,
        kgCo2: 0.5,
        previousMonth: null,
        changePct: null,
        peers: { count: 2, median: null },
      },
      {
        commodity: 'heat',
        unit: 'kWh',
        quantity: 300,
        energyKWh: 300,
        costEur: 27,
        kgCo2: 36,
        previousMonth: 0,
        changePct: null,
        peers: { count: 0, median: null },
      },
    ]);
  });

  it('leaves out a commodity the site gives no price for, and electricity’s CO2 without its factor', () => {
    const lines = commodityLines(electricity, [{ commodity: 'gas', quantity: 5, peers: [] }], { water: prices.water });
    expect(lines.map((l) => [l.commodity, l.kgCo2])).toEqual([['electricity', null]]);
  });
});
