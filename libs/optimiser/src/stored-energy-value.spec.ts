import { JavascriptLpSolverAdapter } from './javascript-lp-solver.adapter';
import { plan } from './plan';
import { storedEnergySegments, storedEnergyValueEur } from './stored-energy-value';
import { battery, planInput } from './testing/plan-input.factory';

const bat = battery(); // 200 kWh, 10-95 %: 170 kWh usable, 95 % each way
const winterDay = planInput({
  consumptionW: Array(96).fill(60_000),
  importEurPerKWh: Array.from({ length: 96 }, (_, t) => (t < 24 || t >= 88 ? 0.2068 : 0.27)),
});

describe('storedEnergySegments: the energy left stored is worth what refilling it costs', () => {
  it('without a PV surplus, all of it is refilled from the grid at its cheapest price, through charging and wear', () => {
    expect(storedEnergySegments(winterDay, bat)).toEqual([{ kWh: 170, eurPerKWh: (0.2068 + 0.03) / 0.95 }]);
  });

  it('the top the forecast surplus refills is worth the feed-in price; the rest the grid price', () => {
    // 40 kW of surplus over 4 slots (1 h): 40 kWh, 38 kWh stored.
    const sunny = planInput({
      consumptionW: Array(96).fill(60_000),
      pvW: Array.from({ length: 96 }, (_, t) => (t >= 48 && t < 52 ? 100_000 : 0)),
      importEurPerKWh: winterDay.slots.map((s) => s.importEurPerKWh),
      exportEurPerKWh: 0.1,
    });
    const segments = storedEnergySegments(sunny, bat);
    expect(segments[0].kWh).toBeCloseTo(170 - 38, 9);
    expect(segments[0].eurPerKWh).toBeCloseTo((0.2068 + 0.03) / 0.95, 9);
    expect(segments[1].kWh).toBeCloseTo(38, 9);
    expect(segments[1].eurPerKWh).toBeCloseTo((0.1 + 0.03) / 0.95, 9);
    expect(storedEnergyValueEur(segments, 150)).toBeCloseTo(
      132 * segments[0].eurPerKWh + 18 * segments[1].eurPerKWh,
      9,
    );
  });

  it('regression (winter replay, Jan 2026): a battery half full at 06:00 is not emptied into the peak-price hours', () => {
    // Valued at the cheapest import x discharge efficiency (0.196 EUR/kWh), spending stored energy at 0.27 less wear paid,
    // and the battery stood empty when the contract needed it. Refilling it costs more than spending it saves: it is kept.
    const { schedule } = plan(winterDay, new JavascriptLpSolverAdapter());
    expect(schedule.slots.at(-1)!.devices['bat-1'].socPct).toBeCloseTo(50, 1);
  });
});
