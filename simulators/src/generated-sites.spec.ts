import { electricDevices, generateSiteDocuments, powerBoundsW, validateSite } from '@ilot/site';
import { IlotWorld } from './ilot-world';
import { ProfileTable } from './profile-table';

const profiles = ProfileTable.load();
const sites = generateSiteDocuments(20, 1).map((document) => validateSite(document));

/**
 * Regression (issue 30 §1, the soak): the generated îlots' contracted power counted their flats and shops only, not
 * their heat pumps and chargers; simulated on their own rules, a June evening drew up to 2.3 times the contract, beyond
 * the grid meter's plausible range (twice the contract), and the ingesters refused 47 real grid readings as out of
 * range in one simulated day. Every reading the simulated devices send must be one the ingesters accept.
 */
describe('generated îlots, simulated on their own rules', () => {
  it.each([
    ['a June week', '2026-06-15T00:00:00Z'],
    ['a January week', '2026-01-12T00:00:00Z'],
  ])('report only powers within their devices’ plausible range over %s', (_, from) => {
    const outside: string[] = [];
    for (const site of sites) {
      const world = new IlotWorld(site, profiles);
      const bounds = new Map(
        electricDevices(site).map((d) => [
          d.id,
          powerBoundsW(d, { connection: site.connection, devices: electricDevices(site) }),
        ]),
      );
      const start = Date.parse(from);
      for (let t = start; t < start + 7 * 86_400_000; t += 5 * 60_000)
        for (const r of world.step(new Date(t))) {
          const b = bounds.get(r.deviceId)!;
          if (r.powerW < b.minW || r.powerW > b.maxW)
            outside.push(`${site.id}/${r.deviceId} ${new Date(t).toISOString()}: ${r.powerW} W`);
        }
    }
    expect(outside.slice(0, 5)).toEqual([]);
  });
});
