import { loadSolver } from '@ilot/optimiser';
import { loadSiteFile } from '@ilot/site';
import { join } from 'node:path';
import { replay } from './closed-loop';
import { perfectForesightPlan } from './perfect-foresight';
import { ProfileTable } from './profile-table';

const site = loadSiteFile(join(__dirname, '..', '..', 'sites', 'demo.yaml'));
const profiles = ProfileTable.load();

/** Two June days of the demo îlot: the contracted power never binds, so the bound is purely a cost bound. */
describe('perfect foresight, the bound of a replay', () => {
  const options = { start: new Date('2026-06-16T00:00:00Z'), days: 2 };

  it('plans the whole period at the replay step and the replay follows that plan to the kWh', async () => {
    const solver = await loadSolver('highs');
    const plan = perfectForesightPlan(site, profiles, { ...options, stepMinutes: 5, solver });
    expect(plan.slots).toHaveLength(2 * 288);
    expect(plan.status).toBe('optimal');
    const bound = replay(site, profiles, 'perfect-foresight', { ...options, solver });
    const plannedEndKWh = (plan.slots.at(-1)!.devices['bat-1'].socPct! / 100) * 200;
    expect(bound.storedEndKWh).toBeCloseTo(plannedEndKWh, 0);
    // With the true series the plan's grid power is what the world measures: the same import, to the kWh.
    const plannedImportKWh = plan.slots.reduce((sum, s) => sum + Math.max(s.gridW, 0) / 12, 0) / 1000;
    expect(bound.importKWh).toBeCloseTo(plannedImportKWh, 0);
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
