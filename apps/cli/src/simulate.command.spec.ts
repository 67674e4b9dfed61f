import { loadSiteFile } from '@ilot/site';
import { join } from 'node:path';
import { UsageError } from './args';
import { parseEffacementOption, withSubscription } from './simulate.command';

describe('ilot simulate --effacement', () => {
  it('reads an order', () => {
    expect(parseEffacementOption('order-1,2026-01-15T16:00:00Z,2026-01-15T18:00:00Z,60000')).toEqual({
      id: 'order-1',
      start: new Date('2026-01-15T16:00:00Z'),
      end: new Date('2026-01-15T18:00:00Z'),
      reductionW: 60_000,
    });
  });

  it.each([
    ['order-1,2026-01-15T16:00:00Z,60000', 'expected ID,START,END,REDUCTION_W'],
    ['order 1,2026-01-15T16:00:00Z,2026-01-15T18:00:00Z,60000', 'the id may hold letters, digits and . _ : - only'],
    ['o,2026-01-15T16:05:00Z,2026-01-15T18:00:00Z,60000', 'START must be an ISO instant on a quarter-hour'],
    ['o,2026-01-15T16:00:00Z,tomorrow,60000', 'END must be an ISO instant on a quarter-hour'],
    ['o,2026-01-15T18:00:00Z,2026-01-15T16:00:00Z,60000', 'END must be after START'],
    ['o,2026-01-15T16:00:00Z,2026-01-15T18:00:00Z,-5', 'REDUCTION_W must be a positive power, W'],
  ])('refuses "%s" with the reason', (text, reason) => {
    expect(() => parseEffacementOption(text)).toThrow(UsageError);
    expect(() => parseEffacementOption(text)).toThrow(`--effacement "${text}": ${reason}`);
  });
});

describe('ilot simulate --subscribed-power: refused when it cannot be', () => {
  // The replays themselves run the built command, in test/cli-simulate.e2e-spec.ts.
  const site = join(__dirname, '..', '..', '..', 'sites', 'demo.yaml');

  it.each([
    ['0', '--subscribed-power must be a positive power, kVA'],
    ['200', "--subscribed-power 200 kVA is 186.0 kW, above the connection's importLimitW"],
  ])('refuses --subscribed-power %s', (kVA, message) => {
    const demo = loadSiteFile(site);
    expect(() => withSubscription(demo, kVA)).toThrow(message);
    const noTariff = { ...demo, connection: { importLimitW: 160_000, exportLimitW: 0 } };
    expect(() => withSubscription(noTariff, '100')).toThrow('the site has no capacity tariff');
  });
});
