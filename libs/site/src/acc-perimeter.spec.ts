import { distanceKm, farthestPair } from './acc-perimeter';
import { demoSiteDocument, siteProblemsOf } from './testing/site-problems-of';

/** Lyon Confluence (the demo's location) and points so many km east of it (a degree of longitude there: 77.6 km). */
const ORIGIN = { latitudeDeg: 45.742, longitudeDeg: 4.818 };
const KM_PER_DEGREE = ((2 * Math.PI * 6371) / 360) * Math.cos((ORIGIN.latitudeDeg * Math.PI) / 180);
const east = (km: number) => ({
  latitudeDeg: ORIGIN.latitudeDeg,
  longitudeDeg: ORIGIN.longitudeDeg + km / KM_PER_DEGREE,
});

/**
 * The demo as a collective self-consumption operation on the public grid (issue 29 §1): every participant its PRM and
 * position within 1 km, every PV array its injection point beside it.
 */
function accDemo(): any {
  const raw = demoSiteDocument();
  raw.topology = 'public-grid-acc';
  raw.participants.forEach((p: any, i: number) => {
    p.prm = String(30_000_000_000_000 + i);
    p.position = east((i % 10) / 10);
  });
  let n = 0;
  for (const building of raw.buildings)
    for (const device of building.devices)
      if (device.kind === 'pv') {
        device.injectionPrm = String(40_000_000_000_000 + n++);
        device.position = east(0.5);
      }
  return raw;
}

const problemsOf = (mutate: (site: any) => void) => siteProblemsOf(mutate, accDemo);

describe('a collective self-consumption operation on the public grid: the perimeter and capacity rules', () => {
  it('measures distances on the globe (haversine): 1 km east is 1 km, Lyon to Paris about 392 km', () => {
    expect(distanceKm(ORIGIN, east(1))).toBeCloseTo(1, 2);
    expect(distanceKm(ORIGIN, { latitudeDeg: 48.8566, longitudeDeg: 2.3522 })).toBeCloseTo(392, -1);
    expect(farthestPair([{ name: 'a', prm: '1', ...ORIGIN }])).toBeUndefined();
  });

  it('accepts the demo as an operation within 2 km and under 3 MW', () => {
    expect(problemsOf(() => undefined)).toEqual([]);
  });

  it.each([
    [
      'a participant without its delivery point',
      (s: any) => delete s.participants[2].prm,
      'participants[2] (flat-a-103): prm required on the public grid (its Linky)',
    ],
    [
      'a producer without its injection point and position',
      (s: any) => {
        delete s.buildings[0].devices.find((d: any) => d.kind === 'pv').injectionPrm;
        delete s.buildings[0].devices.find((d: any) => d.kind === 'pv').position;
      },
      'pv pv-a: injectionPrm and position required on the public grid (its injection point)',
    ],
    [
      'a PRM held twice',
      (s: any) => (s.participants[5].prm = s.participants[4].prm),
      "participant flat-a-203: PRM 30000000000004 is already participant flat-a-202's (one delivery point, one member)",
    ],
    [
      'a PRM that is not 14 digits',
      (s: any) => (s.participants[0].prm = '1234'),
      'a delivery point id (PRM) is 14 digits',
    ],
    [
      'a participant 2.5 km away',
      (s: any) => (s.participants[7].position = east(2.5)),
      'participants: participant flat-a-101 and participant flat-a-302 are 2.50 km apart, beyond the 2 km of an extended operation (a derogation may grant up to 20 km: acc.derogation)',
    ],
    [
      'beyond its derogation',
      (s: any) => {
        s.acc = { derogation: { maxDistanceKm: 10, reference: 'arrêté du 1er mars 2026' } };
        s.participants[7].position = east(12);
      },
      'beyond the 10 km of the derogation (arrêté du 1er mars 2026)',
    ],
    [
      'a derogation beyond 20 km',
      (s: any) => (s.acc = { derogation: { maxDistanceKm: 30, reference: 'none' } }),
      'acc.derogation.maxDistanceKm: ',
    ],
    [
      'producers of 3 MW',
      (s: any) => (s.buildings[0].devices.find((d: any) => d.kind === 'pv').peakW = 3_000_000),
      "buildings: the producers' peak power adds up to 3.",
    ],
    [
      'producers of 0.5 MW in a non-interconnected zone',
      (s: any) => {
        s.acc = { zone: 'zni' };
        s.buildings[0].devices.find((d: any) => d.kind === 'pv').peakW = 400_000;
      },
      'not under the 0.5 MW of an operation in a non-interconnected zone',
    ],
  ])('refuses %s, naming it', (_, mutate, expected) => {
    expect(problemsOf(mutate).join('\n')).toContain(expected);
  });

  it('accepts a participant 12 km away under a 20 km derogation it states', () => {
    expect(
      problemsOf((s) => {
        s.acc = { derogation: { maxDistanceKm: 20, reference: 'arrêté du 1er mars 2026' } };
        s.participants[7].position = east(12);
      }),
    ).toEqual([]);
  });

  it('refuses the operation fields on a site behind one connection (they would be unused)', () => {
    expect(
      problemsOf((s) => {
        s.topology = undefined;
      }),
    ).toEqual([
      expect.stringMatching(
        /^participant flat-a-101, .*pv pv-a.*: delivery points, positions, billing, memberships and the per-producer key are for topology "public-grid-acc"/,
      ),
    ]);
  });

  it('refuses the per-producer key (dynamic-full) behind one connection, where producers have no injection point', () => {
    const problems = siteProblemsOf((s) => {
      s.allocation = { key: 'dynamic-default', history: [{ key: 'dynamic-full', until: '2026-11-01' }] };
    });
    expect(problems).toEqual([
      'allocation key "dynamic-full": delivery points, positions, billing, memberships and the per-producer key are for topology "public-grid-acc" (this site is behind one connection)',
    ]);
  });
});
