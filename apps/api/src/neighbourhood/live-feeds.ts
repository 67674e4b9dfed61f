import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { METRICS_REGISTRY, RUNTIME_CONFIG, type RuntimeConfig, SiteChangesAdapter } from '@ilot/runtime';
import type { SiteChange } from '@ilot/timeseries';
import { Counter, type Registry } from 'prom-client';
import {
  asyncScheduler,
  auditTime,
  catchError,
  distinctUntilChanged,
  EMPTY,
  concatMap,
  defer,
  filter,
  finalize,
  from,
  interval,
  map,
  merge,
  type Observable,
  of,
  ReplaySubject,
  share,
  Subject,
  throttle,
  throttleTime,
} from 'rxjs';
import { API_CONFIG, type ApiConfig } from '../api.config';

/** How long a page waits after a change of its site for the rest of the burst before reading, ms. */
const BURST_MS = 250;

/** A live page's Server-Sent Event: its figures and the page part they render. */
export interface LiveEvent {
  type: string;
  data: unknown;
}

/**
 * The live pages pushed, not polled (issue 30 §4): one feed per page (kind, viewer, language), shared by every open
 * stream of it. A feed reads its figures when it opens, when the store announces a change of its site (readings,
 * statuses, signals: PostgreSQL's `ilot_site_changes`), at most once every ILOT_LIVE_PUSH_S (the last change of a
 * burst is read too), and every ILOT_LIVE_REFRESH_S all the same (the figures that move with the clock: the outlook,
 * the hour); it sends only what changed; it closes with its last stream. So the database's work grows with the pages
 * open, not with the streams, and nothing is read on a stream's timer.
 */
@Injectable()
export class LiveFeeds implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('LiveFeeds');
  private readonly feeds = new Map<string, Observable<LiveEvent>>();
  private readonly changes: SiteChangesAdapter;
  private readonly changes$ = new Subject<SiteChange>();
  private readonly reads: Counter<'page'>;

  constructor(
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    @Inject(RUNTIME_CONFIG) runtime: RuntimeConfig,
    @Inject(METRICS_REGISTRY) registry: Registry,
  ) {
    this.changes = new SiteChangesAdapter(runtime.ILOT_DATABASE_URL);
    this.changes.changes$.subscribe(this.changes$);
    this.reads = new Counter({
      name: 'ilot_api_live_reads_total',
      help: "Readings of a live page's figures (once per page and change, whatever the streams open on it)",
      labelNames: ['page'],
      registers: [registry],
    });
  }

  async onModuleInit(): Promise<void> {
    // Without the notifications (the database unreachable at start) the feeds still refresh on their period.
    await this.changes.start().catch((error: Error) => this.logger.warn(`no change notifications: ${error.message}`));
  }

  async onModuleDestroy(): Promise<void> {
    await this.changes.stop();
  }

  /** Feeds open now (pages with at least one stream). */
  get open(): number {
    return this.feeds.size;
  }

  /**
   * The events of the page `key` of site `siteId` (`page`: its kind, the metric's label): `read` its figures, `render`
   * the page part; one feed for every stream of the same key.
   */
  events<T extends { generatedAt: string }>(
    page: string,
    key: string,
    siteId: string,
    read: () => Promise<T>,
    render: (value: T) => string,
  ): Observable<LiveEvent> {
    const known = this.feeds.get(key);
    if (known) return known;
    const same = (value: T) => JSON.stringify({ ...value, generatedAt: '' });
    const feed = readOnChange(
      this.changes$.pipe(filter((change) => change.site === siteId)),
      { pushMs: this.config.ILOT_LIVE_PUSH_S * 1000, refreshMs: this.config.ILOT_LIVE_REFRESH_S * 1000 },
      () => {
        this.reads.inc({ page });
        return read();
      },
    ).pipe(
      distinctUntilChanged((a, b) => same(a) === same(b)),
      map((value): LiveEvent => ({ type: 'live', data: { live: value, html: render(value) } })),
      finalize(() => this.feeds.delete(key)),
      share({ connector: () => new ReplaySubject<LiveEvent>(1), resetOnRefCountZero: true }),
    );
    this.feeds.set(key, feed);
    return feed;
  }
}

/**
 * `read` at once, then after each burst of `changes$` (BURST_MS after its first), at most once every `pushMs` (the
 * last change of a burst read too) and every `refreshMs` all the same; one read at a time, a change during a read read
 * again after it; a failed read skipped (the next change or refresh reads again).
 */
export function readOnChange<T>(
  changes$: Observable<unknown>,
  period: { pushMs: number; refreshMs: number },
  read: () => Promise<T>,
): Observable<T> {
  return defer(() => {
    const readDone$ = new Subject<void>();
    return merge(
      of(0),
      // The writes of one burst (a reading and a gas index, an ingester's batches) read once, together: regression
      // (CI, test/resident-live.e2e-spec.ts): the first change's read went out at once and the second, a few ms later,
      // waited the whole push period.
      changes$.pipe(auditTime(BURST_MS)),
      interval(period.refreshMs),
    ).pipe(
      throttleTime(period.pushMs, asyncScheduler, { leading: true, trailing: true }),
      // Regression (CI, the same test): an exhaustMap dropped the last change of a burst when it came while the
      // previous read was still running, and the page kept the figures from before it.
      throttle(() => readDone$, { leading: true, trailing: true }),
      concatMap(() =>
        from(read()).pipe(
          catchError(() => EMPTY),
          finalize(() => readDone$.next()),
        ),
      ),
    );
  });
}
