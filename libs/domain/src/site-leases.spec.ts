import { leaseMoves, type LeaseView } from './site-leases';

const sites = Array.from({ length: 10 }, (_, i) => `s${i}`);

/** Rounds of every live instance moving on the same table (acquisitions in turn: the database arbitrates). */
function settle(instances: string[], held: Map<string, string>): Map<string, string> {
  for (let round = 0; round < 4; round++)
    for (const me of instances) {
      const view: LeaseView = {
        sites,
        mine: [...held].filter(([, h]) => h === me).map(([s]) => s),
        theirs: [...held].filter(([, h]) => h !== me).map(([s]) => s),
        instances: instances.length,
      };
      const { take, release } = leaseMoves(view, me);
      for (const s of release) held.delete(s);
      for (const s of take) if (!held.has(s)) held.set(s, me);
    }
  return held;
}
const counts = (held: Map<string, string>) =>
  [...held.values()].reduce((m, h) => m.set(h, (m.get(h) ?? 0) + 1), new Map<string, number>());

describe('leaseMoves: every site planned by exactly one instance, spread evenly', () => {
  it.each([
    ['one instance takes every site', { sites, mine: [], theirs: [], instances: 1 }, 10, 0],
    ['two instances, none held yet: half each', { sites, mine: [], theirs: [], instances: 2 }, 5, 0],
    ['three instances: the share is ceil(10 / 3) = 4', { sites, mine: [], theirs: [], instances: 3 }, 4, 0],
    ['at its share: nothing to do', { sites, mine: sites.slice(0, 5), theirs: sites.slice(5), instances: 2 }, 0, 0],
    ['a newcomer joined: hands back above the share', { sites, mine: sites, theirs: [], instances: 2 }, 0, 5],
    [
      'a site removed: handed back at once',
      { sites: sites.slice(1), mine: ['s0', 's1'], theirs: [], instances: 1 },
      8,
      1,
    ],
  ])('%s', (_, view, took, released) => {
    const moves = leaseMoves(view as LeaseView, 'me');
    expect([moves.take.length, moves.release.length]).toEqual([took, released]);
    for (const s of moves.take) expect([...view.mine, ...view.theirs]).not.toContain(s);
  });

  it("settles two instances on 5 sites each, gives a dead one's sites to the other, and rebalances when one joins", () => {
    const held = settle(['a', 'b'], new Map());
    expect(held.size).toBe(10);
    expect(counts(held)).toEqual(
      new Map([
        ['a', 5],
        ['b', 5],
      ]),
    );
    // b dies: its leases expire (gone from the table), a alone takes every site.
    for (const [s, h] of held) if (h === 'b') held.delete(s);
    expect(counts(settle(['a'], held))).toEqual(new Map([['a', 10]]));
    // c joins: a hands back its extra, c takes it.
    const after = settle(['a', 'c'], held);
    expect(after.size).toBe(10);
    expect(counts(after)).toEqual(
      new Map([
        ['a', 5],
        ['c', 5],
      ]),
    );
  });
});
