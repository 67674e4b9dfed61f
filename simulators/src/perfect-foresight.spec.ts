import { loadSolver, type PlanInput } from '@ilot/optimiser';
import { loadSiteFile } from '@ilot/site';
import { join } from 'node:path';
import { replay } from './closed-loop';
import { perfectForesightPlan } from './perfect-foresight';
import { ProfileTable } from './profile-table';
import { withTrueFuture } from './replay-planner';

const site = loadSiteFile(join(__dirname, '..', '..', 'sites', 'demo.yaml'));
const profiles = ProfileTable.load();

/** Two June days of the demo îlot: the contracted power never binds, so the bound is purely a cost bound. */
describe('perfect foresight, the bound of a replay', () => {
  const options = { start: new Date('2026-06-16T00:00:00Z'), days: 2 };

  it('plans the whole period at the replay step and the replay follows that plan to the kWh', async () => {
    const solver = await loadSolver('highs');
    const { schedule: plan, evs } = perfectForesightPlan(site, profiles, { ...options, stepMinutes: 5, solver });
    // The cars of the four smart chargers are planned as EVs, each visit from its arrival to its departure.
    expect(new Set(evs.map((ev) => ev.deviceId))).toEqual(new Set(['ev-a-1', 'ev-b-1', 'ev-office-1', 'ev-office-2']));
    expect(plan.slots).toHaveLength(2 * 288);
    expect(plan.status).toBe('optimal');
    const bound = replay(site, profiles, 'perfect-foresight', { ...options, solver });
    const plannedEndKWh = (plan.slots.at(-1)!.devices['bat-1'].socPct! / 100) * 200;
    expect(bound.storedEndKWh).toBeCloseTo(plannedEndKWh, 0);
    // With the true series the plan's grid power is what the world measures, but for the loads: a controller makes up
    // what it owes as fast as its rating allows once no limit holds it, not at the plan's pace. Every kWh of import
    // apart from the plan is a kWh the loads drew apart from it.
    const plannedImportKWh = plan.slots.reduce((sum, s) => sum + Math.max(s.gridW, 0) / 12, 0) / 1000;
    const plannedExportKWh = plan.slots.reduce((sum, s) => sum + Math.max(-s.gridW, 0) / 12, 0) / 1000;
    const loadsW = (s: (typeof plan.slots)[number]) =>
      ['hp-a', 'hp-b', 'wh-a'].reduce(
        (sum, id) => sum + (s.devices[id]?.recoveryW ?? 0) - (s.devices[id]?.setpointW ?? 0),
        0,
      ) + evs.reduce((sum, ev) => sum + (s.devices[ev.id]?.setpointW ?? 0), 0);
    const plannedConsumptionKWh = plan.slots.reduce((sum, s) => sum + (s.consumptionW + loadsW(s)) / 12, 0) / 1000;
    expect(bound.importKWh - bound.exportKWh - (plannedImportKWh - plannedExportKWh)).toBeCloseTo(
      bound.consumptionKWh - plannedConsumptionKWh,
      0,
    );
    // ... and the loads drew within 2 % of their planned energy; every car left with its energy.
    expect(Math.abs(bound.consumptionKWh - plannedConsumptionKWh)).toBeLessThan(0.02 * plannedConsumptionKWh);
    expect(bound.evShortfallKWh).toBeLessThan(0.1);
  });

  it('costs no more than an idle battery or the self-consumption rule, net of the energy left stored', async () => {
    const solver = await loadSolver('highs');
    const [bound, rule, idle] = (['perfect-foresight', 'self-consumption', 'idle'] as const).map((strategy) =>
      replay(site, profiles, strategy, { ...options, solver }),
    );
    expect(bound.costNetOfStorageEur).toBeLessThanOrEqual(rule.costNetOfStorageEur);
    expect(bound.costNetOfStorageEur).toBeLessThan(idle.costNetOfStorageEur);
  });
});

describe('oracle forecast: the live planner fed the true future', () => {
  it('replaces the consumption, PV and load baselines of the plan input with the true slot means, and nothing else', () => {
    const slot = (h: number) => new Date(Date.UTC(2026, 5, 16, h));
    const input = {
      slots: [0, 1].map((h) => ({ start: slot(h), consumptionW: 100, importEurPerKWh: 0.2, exportEurPerKWh: 0.1 })),
      pvs: [{ id: 'pv-a', forecastW: [10, 20] }],
      flexibleLoads: [{ id: 'hp-a', baselineW: [5, 5], maxShedW: 3, ratedW: 8, maxShedMinutes: 60, recoveryRatio: 1 }],
      batteries: [],
    } as unknown as PlanInput;
    const truth = new Map([
      ['m-1', new Map([[slot(0).getTime(), 70]])], // slot 1 unknown: its forecast stays
      [
        'hp-a',
        new Map([
          [slot(0).getTime(), 7],
          [slot(1).getTime(), 6],
        ]),
      ],
      ['pv-a', new Map([[slot(1).getTime(), 35]])],
    ]);
    const oracle = withTrueFuture(input, truth);
    expect(oracle.slots.map((s) => s.consumptionW)).toEqual([77, 100]);
    expect(oracle.pvs[0].forecastW).toEqual([10, 35]);
    expect(oracle.flexibleLoads![0].baselineW).toEqual([7, 6]);
    expect(oracle.slots[1].importEurPerKWh).toBe(0.2);
    expect(oracle.contractGuard).toBeUndefined();
    // Told one of the two, it keeps the other forecast and the guard against that forecast's error.
    const guarded = { ...input, contractGuard: { extraImportW: [40, 40] } };
    const toldPv = withTrueFuture(guarded, truth, ['pv']);
    expect(toldPv.slots.map((s) => s.consumptionW)).toEqual([100, 100]);
    expect(toldPv.flexibleLoads![0].baselineW).toEqual([5, 5]);
    expect(toldPv.pvs[0].forecastW).toEqual([10, 35]);
    expect(toldPv.contractGuard).toEqual({ extraImportW: [40, 40] });
    const toldLoad = withTrueFuture(guarded, truth, ['load']);
    expect(toldLoad.slots.map((s) => s.consumptionW)).toEqual([77, 100]);
    expect(toldLoad.flexibleLoads![0].baselineW).toEqual([7, 6]);
    expect(toldLoad.pvs[0].forecastW).toEqual([10, 20]);
    expect(toldLoad.contractGuard).toEqual({ extraImportW: [40, 40] });
    expect(withTrueFuture(guarded, truth).contractGuard).toBeUndefined();
  });

  it("leaves a planned EV's charger out of the true consumption until the car leaves", () => {
    const slot = (h: number) => new Date(Date.UTC(2026, 5, 16, h));
    const input = {
      slots: [0, 1].map((h) => ({ start: slot(h), consumptionW: 100, importEurPerKWh: 0.2, exportEurPerKWh: 0.1 })),
      pvs: [],
      evs: [{ id: 'ev-1', maxW: 7400, energyNeededWh: 5000, departure: slot(1) }],
      batteries: [],
    } as unknown as PlanInput;
    const both = (w0: number, w1: number) =>
      new Map([
        [slot(0).getTime(), w0],
        [slot(1).getTime(), w1],
      ]);
    const oracle = withTrueFuture(
      input,
      new Map([
        ['m-1', both(70, 80)],
        ['ev-1', both(7400, 3000)],
      ]),
    );
    expect(oracle.slots.map((s) => s.consumptionW)).toEqual([70, 3080]);
  });
  // Over two June days, the oracle plans as often as the live planner and costs it no more: test/cli-simulate.e2e-spec.ts.
});
