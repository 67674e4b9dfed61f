import { CHAOS_KINDS, chaosSchedule, type ChaosOptions, PROCESS_FAULTS } from './support/soak/chaos-schedule';

const DAY_MS = 86_400_000;
const base: ChaosOptions = {
  seed: 7,
  startMs: Date.parse('2026-06-01T00:00:00Z'),
  endMs: Date.parse('2026-06-01T00:00:00Z') + 30 * DAY_MS,
  speedup: 720,
  leaseSimMs: 1_800_000,
  sites: 10,
  spacingRealMs: 20_000,
  rounds: 5,
};

describe('the soak’s chaos schedule (issue 30 §1)', () => {
  it('is the same for the same seed, another for another seed', () => {
    expect(chaosSchedule(base)).toEqual(chaosSchedule(base));
    expect(chaosSchedule({ ...base, seed: 8 })).not.toEqual(chaosSchedule(base));
  });

  it.each([
    ['a month at 720x, a round a week', base, 5],
    // 0.8 x 30 days / 720 / 20 s = 144 faults at most: 16 rounds of 9.
    ['a month at 720x, as many rounds as fit', { ...base, rounds: 100 }, 16],
    ['a day at 720x (the short form)', { ...base, endMs: base.startMs + DAY_MS, spacingRealMs: 10_000 }, 1],
  ])('over %s: every kind once per round, in order, spaced, off the first and last tenth', (_, options, rounds) => {
    const events = chaosSchedule(options);
    expect(events).toHaveLength(rounds * CHAOS_KINDS.length);
    for (let r = 0; r < rounds; r++)
      expect(new Set(events.slice(r * CHAOS_KINDS.length, (r + 1) * CHAOS_KINDS.length).map((e) => e.kind))).toEqual(
        new Set(CHAOS_KINDS),
      );
    const span = options.endMs - options.startMs;
    expect(events[0].atMs).toBeGreaterThanOrEqual(options.startMs + span / 10);
    expect(events.at(-1)!.atMs).toBeLessThanOrEqual(options.endMs - span / 10);
    const gapsRealMs = events.slice(1).map((e, k) => (e.atMs - events[k].atMs) / options.speedup);
    expect(Math.min(...gapsRealMs)).toBeGreaterThan(options.spacingRealMs / 2);
  });

  it('pauses a planner longer than its lease, and names instances and îlots that exist', () => {
    const events = chaosSchedule(base);
    for (const e of events.filter((e) => e.kind === 'pause-planner'))
      expect(e.downSimMs).toBeGreaterThan(base.leaseSimMs);
    for (const e of events) expect(e.target).toBeLessThan(e.kind === 'controller-offline' ? base.sites : 2);
    expect(new Set(events.filter((e) => e.kind === 'kill-ingester').map((e) => e.target))).toEqual(new Set([0, 1]));
  });

  it('with the apps’ faults first: the same faults at the same instants, every kill and pause before any other', () => {
    const plain = chaosSchedule(base);
    const events = chaosSchedule({ ...base, processFaultsFirst: true });
    expect(events.map((e) => e.atMs)).toEqual(plain.map((e) => e.atMs));
    const key = (e: { kind: string; target: number; downSimMs: number }) => `${e.kind} ${e.target} ${e.downSimMs}`;
    expect(events.map(key).sort()).toEqual(plain.map(key).sort());
    const lastProcess = events.findLastIndex((e) => PROCESS_FAULTS.has(e.kind));
    const firstOther = events.findIndex((e) => !PROCESS_FAULTS.has(e.kind));
    expect(lastProcess).toBe(firstOther - 1);
    expect(firstOther).toBe(base.rounds * PROCESS_FAULTS.size);
    // The apps' lives from the last of their faults on: over a third of the month, the life their memory is judged on.
    expect(base.endMs - events[lastProcess].atMs).toBeGreaterThan((base.endMs - base.startMs) / 3);
  });
});
