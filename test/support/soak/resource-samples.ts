import { readdirSync, readFileSync } from 'node:fs';

const DAY_MS = 86_400_000;

export interface ResourceSample {
  /** Simulated ms. */
  atMs: number;
  rssMb: number;
  fds: number;
  /** The V8 heap in use (prom-client's nodejs_heap_size_used_bytes), MB, where it was scraped with this sample. */
  heapMb?: number;
  /** The main thread's V8 heap reserved (nodejs_heap_size_total_bytes) and its external memory, MB, scraped with it. */
  heapTotalMb?: number;
  externalMb?: number;
}

/** What an app's page says of its memory, MB: the V8 heap in use and reserved, the external memory. */
export interface ScrapedMemory {
  heapMb: number;
  heapTotalMb?: number;
  externalMb?: number;
}

/** A series' first and last values and its trend (MB per simulated day, on the second half's floor). */
export interface SeriesSummary {
  firstMb: number;
  lastMb: number;
  slopeMbPerDay: number | undefined;
}

/** A process's resident memory (MB) and open file descriptors (sockets included) from /proc; undefined once gone. */
export function sampleProcess(pid: number | undefined): { rssMb: number; fds: number } | undefined {
  if (!pid) return undefined;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
    const state = /State:\s+(\S)/.exec(status)?.[1];
    if (!Number.isFinite(rssKb) || state === 'Z') return undefined;
    return { rssMb: rssKb / 1024, fds: readdirSync(`/proc/${pid}/fd`).length };
  } catch {
    return undefined;
  }
}

/** The least-squares slope of `value` per simulated day; undefined with fewer than 3 points or no time between them. */
export function slopePerDay(points: ReadonlyArray<{ atMs: number; value: number }>): number | undefined {
  if (points.length < 3) return undefined;
  const xs = points.map((p) => p.atMs / DAY_MS);
  const meanX = xs.reduce((a, b) => a + b, 0) / xs.length;
  const meanY = points.reduce((a, p) => a + p.value, 0) / points.length;
  let num = 0;
  let den = 0;
  points.forEach((p, k) => {
    num += (xs[k] - meanX) * (p.value - meanY);
    den += (xs[k] - meanX) ** 2;
  });
  return den > 0 ? num / den : undefined;
}

/**
 * One process's samples, per life (a restart begins another): the trend judged on each life's second half (after
 * its caches have filled), over the lives that lasted at least `minDays` simulated.
 */
export class ProcessTrend {
  private readonly lives: ResourceSample[][] = [[]];
  private pid: number | undefined;

  constructor(readonly name: string) {}

  add(pid: number | undefined, atMs: number, memory?: ScrapedMemory): void {
    const sample = sampleProcess(pid);
    if (!sample) return;
    if (this.pid !== undefined && pid !== this.pid) this.lives.push([]);
    this.pid = pid;
    this.lives.at(-1)!.push({ atMs, ...sample, ...memory });
  }

  /**
   * The last life of `minDays` simulated days or more (else the longest): its span, its RSS trend (MB per simulated
   * day, fitted on its second half's floor: the least RSS of each eighth of the life, so that the garbage collector's
   * swings do not pass for a trend) and its descriptors, first, last and most.
   */
  summary(minDays: number): {
    lives: number;
    days: number;
    rssFirstMb: number;
    rssLastMb: number;
    rssSlopeMbPerDay: number | undefined;
    /** The same for the V8 heap in use, where it was scraped: RSS grows where V8 or malloc keeps pages, the heap where objects stay. */
    heap?: SeriesSummary;
    /**
     * Where the RSS is, where the page said it: the main thread's V8 heap reserved, its external memory (buffers), and
     * the rest (malloc's arenas, worker threads' heaps, WebAssembly memories, code): which of them grows.
     */
    parts?: { heapTotal: SeriesSummary; external: SeriesSummary; rest: SeriesSummary };
    fdsFirst: number;
    fdsLast: number;
    fdsMax: number;
    fdsSlopePerDay: number | undefined;
  } {
    const lives = this.lives.filter((l) => l.length > 0);
    const longest = lives.reduce((a, b) => (span(b) > span(a) ? b : a), lives[0] ?? []);
    const life = [...lives].reverse().find((l) => span(l) >= minDays * DAY_MS) ?? longest;
    const half = life.filter((s) => s.atMs >= life[0].atMs + span(life) / 2);
    return {
      lives: lives.length,
      days: span(life) / DAY_MS,
      rssFirstMb: life[0]?.rssMb ?? NaN,
      rssLastMb: life.at(-1)?.rssMb ?? NaN,
      rssSlopeMbPerDay: secondHalfFloorSlope(life, (s) => s.rssMb),
      ...heapOf(life),
      ...partsOf(life),
      fdsFirst: life[0]?.fds ?? NaN,
      fdsLast: life.at(-1)?.fds ?? NaN,
      fdsMax: Math.max(...life.map((s) => s.fds)),
      fdsSlopePerDay: slopePerDay(half.map((s) => ({ atMs: s.atMs, value: s.fds }))),
    };
  }
}

/** The trend of the least value of each eighth of a life, over its second half, per simulated day. */
function secondHalfFloorSlope(
  life: readonly ResourceSample[],
  value: (sample: ResourceSample) => number,
): number | undefined {
  return slopePerDay(floors(life, 8, value).filter((p) => p.atMs >= life[0].atMs + span(life) / 2));
}

/** The heap's first, last and trend over the samples that carry it. */
function heapOf(life: readonly ResourceSample[]): { heap?: SeriesSummary } {
  const heap = seriesOf(life, (s) => s.heapMb);
  return heap ? { heap } : {};
}

/** The RSS split by what the page said (heap reserved, external, the rest), over the samples that carry both. */
function partsOf(life: readonly ResourceSample[]): {
  parts?: NonNullable<ReturnType<ProcessTrend['summary']>['parts']>;
} {
  const both = (s: ResourceSample) => s.heapTotalMb !== undefined && s.externalMb !== undefined;
  const heapTotal = seriesOf(life, (s) => (both(s) ? s.heapTotalMb : undefined));
  const external = seriesOf(life, (s) => (both(s) ? s.externalMb : undefined));
  const rest = seriesOf(life, (s) => (both(s) ? s.rssMb - s.heapTotalMb! - s.externalMb! : undefined));
  return heapTotal && external && rest ? { parts: { heapTotal, external, rest } } : {};
}

/** A value's first, last and trend over the samples that have it; undefined where none has. */
function seriesOf(
  life: readonly ResourceSample[],
  value: (sample: ResourceSample) => number | undefined,
): SeriesSummary | undefined {
  const points = life.filter((s) => value(s) !== undefined);
  if (points.length === 0) return undefined;
  return {
    firstMb: value(points[0])!,
    lastMb: value(points.at(-1)!)!,
    slopeMbPerDay: secondHalfFloorSlope(points, (s) => value(s)!),
  };
}

/** The least value of each of `parts` equal spans of a life, at the middle of its span. */
function floors(
  life: readonly ResourceSample[],
  parts: number,
  value: (sample: ResourceSample) => number,
): Array<{ atMs: number; value: number }> {
  if (life.length < 2) return [];
  const widthMs = span(life) / parts;
  return Array.from({ length: parts }, (_, k) => {
    const fromMs = life[0].atMs + k * widthMs;
    const inside = life.filter((s) => s.atMs >= fromMs && s.atMs < fromMs + widthMs + (k === parts - 1 ? 1 : 0));
    return { atMs: fromMs + widthMs / 2, value: Math.min(...inside.map(value)) };
  }).filter((p) => Number.isFinite(p.value));
}

const span = (life: readonly ResourceSample[]) => (life.length > 1 ? life.at(-1)!.atMs - life[0].atMs : 0);
