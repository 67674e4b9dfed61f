import { loadSolver } from '@ilot/optimiser';
import { loadSiteFile } from '@ilot/site';
import type { TempoColour } from '@ilot/tariffs';
import { join } from 'node:path';
import { replay } from './closed-loop';
import { ProfileTable } from './profile-table';

const site = loadSiteFile(join(__dirname, '..', '..', 'test', 'fixtures', 'sites', 'lyon-six.yaml'));
const profiles = ProfileTable.load();
const start = new Date('2026-01-14T00:00:00Z');
const days = (colour: TempoColour) =>
  new Map(
    [
      '2026-01-06',
      '2026-01-07',
      '2026-01-08',
      '2026-01-09',
      '2026-01-10',
      '2026-01-11',
      '2026-01-12',
      '2026-01-13',
      '2026-01-14',
      '2026-01-15',
      '2026-01-16',
    ].map((d) => [d, colour]),
  );

// Issue 27 §6: every replayed day was priced as a blue Tempo day; red days, the case for a battery, never appeared.
describe('the replay on a Tempo site prices each day by its colour', () => {
  it('a red day costs the red prices, and the optimiser, told the colour the day before, beats the rule on it', async () => {
    const solver = await loadSolver('highs');
    const run = (strategy: 'self-consumption' | 'optimised', colour?: TempoColour) =>
      replay(site, profiles, strategy, {
        start,
        days: 1,
        solver,
        replanMinutes: 15,
        ...(colour ? { tempoColours: days(colour) } : {}),
      });
    const blue = run('self-consumption');
    const red = run('self-consumption', 'red');
    expect(run('self-consumption', 'blue').energyCostEur).toBeCloseTo(blue.energyCostEur, 6);
    // Red HP is 0.7562 EUR/kWh against 0.1609 blue: the same energy costs far more.
    expect(red.importKWh).toBeCloseTo(blue.importKWh, 6);
    expect(red.energyCostEur).toBeGreaterThan(2.5 * blue.energyCostEur);
    expect(run('optimised', 'red').costNetOfStorageEur).toBeLessThan(red.costNetOfStorageEur);
  }, 120_000);
});
