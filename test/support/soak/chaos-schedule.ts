import { seededRandom } from '@ilot/domain';

/** The faults of the soak (issue 30 §1), each one part of the deployment failing. */
export const CHAOS_KINDS = [
  'kill-ingester',
  'kill-planner',
  'kill-api',
  'kill-metrics',
  'restart-broker',
  'restart-postgres',
  'pause-planner',
  'controller-offline',
  'hostile-burst',
] as const;
export type ChaosKind = (typeof CHAOS_KINDS)[number];

export interface ChaosEvent {
  /** When it starts, simulated ms since the epoch. */
  atMs: number;
  kind: ChaosKind;
  /** Which instance (0 or 1 of a pair, the îlot of a controller), chosen by the seed. */
  target: number;
  /** How long the part stays down or paused, simulated ms (0: at once back, a kill -9 restarted). */
  downSimMs: number;
}

export interface ChaosOptions {
  seed: number;
  /** The simulated run, ms since the epoch. */
  startMs: number;
  endMs: number;
  /** Simulated ms per real ms. */
  speedup: number;
  /** The planners' lease, simulated ms: a paused planner stays paused longer. */
  leaseSimMs: number;
  /** Îlots in the run (a controller offline is one of theirs). */
  sites: number;
  /** Rounds of every kind (fewer when the run is too short to keep `spacingRealMs` between them). */
  rounds: number;
  /** Real time between two faults at least, ms: a part has come back before the next one fails. */
  spacingRealMs: number;
  /**
   * The apps' own faults (kills, the pause) first, every round of them, then the others' (broker, database,
   * controllers, hostile messages): each app then lives the rest of the run through the others' faults, one long life
   * whose memory can be judged (a month's lives cut every few days were warm-up only: the run of 2026-12-07).
   */
  processFaultsFirst?: boolean;
}

/** The faults that end or stop an app's process (a new life of it begins). */
export const PROCESS_FAULTS: ReadonlySet<ChaosKind> = new Set([
  'kill-ingester',
  'kill-planner',
  'kill-api',
  'kill-metrics',
  'pause-planner',
]);

/**
 * A seeded chaos schedule: rounds in which every kind of fault happens once, in an order the seed shuffles, spread
 * evenly over the run but for its first and last tenth (the deployment warm, then its backlog drained), each at a
 * jittered instant within its share. The same options give the same schedule.
 */
export function chaosSchedule(options: ChaosOptions): ChaosEvent[] {
  const random = seededRandom(options.seed);
  const spanMs = options.endMs - options.startMs;
  const firstMs = options.startMs + spanMs / 10;
  const usableMs = (spanMs * 8) / 10;
  const spacingSimMs = options.spacingRealMs * options.speedup;
  const fit = Math.floor(usableMs / spacingSimMs / CHAOS_KINDS.length);
  const rounds = Math.max(1, Math.min(options.rounds, fit));
  const count = rounds * CHAOS_KINDS.length;
  const shareMs = usableMs / count;
  const events: ChaosEvent[] = [];
  for (let round = 0; round < rounds; round++) {
    const kinds = shuffled([...CHAOS_KINDS], random);
    kinds.forEach((kind, k) => {
      const index = round * CHAOS_KINDS.length + k;
      const atMs = Math.round(firstMs + shareMs * (index + 0.25 + 0.5 * random()));
      events.push({ atMs, kind, target: targetOf(kind, options.sites, random), downSimMs: downtime(kind, options) });
    });
  }
  return options.processFaultsFirst ? processFaultsFirst(events) : events;
}

/** The same faults at the same instants, the apps' own taking the first ones (in their order), the others' the rest. */
function processFaultsFirst(events: readonly ChaosEvent[]): ChaosEvent[] {
  const ordered = [
    ...events.filter((e) => PROCESS_FAULTS.has(e.kind)),
    ...events.filter((e) => !PROCESS_FAULTS.has(e.kind)),
  ];
  return ordered.map((e, k) => ({ ...e, atMs: events[k].atMs }));
}

function targetOf(kind: ChaosKind, sites: number, random: () => number): number {
  if (kind === 'controller-offline') return Math.floor(random() * sites);
  return random() < 0.5 ? 0 : 1;
}

/** How long each fault lasts: real seconds for the parts (what a restart takes), simulated hours for a controller. */
function downtime(kind: ChaosKind, options: ChaosOptions): number {
  switch (kind) {
    case 'restart-broker':
    case 'restart-postgres':
      return 3_000 * options.speedup;
    case 'pause-planner':
      return 2 * options.leaseSimMs;
    case 'controller-offline':
      return 4 * 3_600_000;
    case 'kill-ingester':
    case 'kill-planner':
    case 'kill-api':
    case 'kill-metrics':
    case 'hostile-burst':
      return 0;
  }
}

function shuffled<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

/** The schedule as printed at the start of a run: one line per fault, simulated time and real offset. */
export function describeSchedule(
  events: readonly ChaosEvent[],
  options: Pick<ChaosOptions, 'startMs' | 'speedup'>,
): string[] {
  return events.map((e) => {
    const realS = (e.atMs - options.startMs) / options.speedup / 1000;
    const down = e.downSimMs > 0 ? `, down ${(e.downSimMs / 60_000).toFixed(0)} min simulated` : '';
    return `  ${new Date(e.atMs).toISOString()} (+${realS.toFixed(0)} s) ${e.kind} #${e.target}${down}`;
  });
}
