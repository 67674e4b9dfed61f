import { Logger } from '@nestjs/common';
import {
  addSite,
  loadSitesDir,
  type RefusedSite,
  type SiteDefinitionChanges,
  siteDefinitionChanges,
  type SiteEntry,
  siteFromDocument,
  type SitesLoad,
  SiteValidationError,
} from '@ilot/site';
import type { SiteDefinitionRepository } from '@ilot/timeseries';
import { Subject } from 'rxjs';

/**
 * Where the catalog's file sites come from: a folder of site files, or the one site the process was started with
 * (ILOT_SITE_FILE, read and validated before Nest starts; it does not change while the process runs).
 */
export type SiteFiles = { dir: string } | { fixed: SiteEntry };

/**
 * The îlots a deployment serves (issue 14): the site files (ILOT_SITES_DIR, or the one of ILOT_SITE_FILE) and the sites stored
 * through the API, read again on `refresh` (every ILOT_SITES_POLL_S, and at once after a change through this
 * instance's API), so that adding, changing or removing a site needs no restart. A file's site wins over a stored one
 * of the same id; a bad site is refused with its reasons, logged once, and never stops the others. `changes$` says
 * what each refresh added, changed and removed.
 */
export class SiteCatalog {
  private readonly logger = new Logger('Sites');
  private current: SitesLoad = { sites: [], refused: [] };
  private refusedLogged = new Set<string>();
  readonly changes$ = new Subject<SiteDefinitionChanges>();
  private timer?: NodeJS.Timeout;
  private refreshing?: Promise<unknown>;

  constructor(
    private readonly files: SiteFiles,
    private readonly stored: Pick<SiteDefinitionRepository, 'list'>,
  ) {}

  async refresh(): Promise<SiteDefinitionChanges> {
    const next: SitesLoad =
      'dir' in this.files ? loadSitesDir(this.files.dir) : { sites: [this.files.fixed], refused: [] };
    for (const row of await this.stored.list()) {
      try {
        addSite(next, siteFromDocument(row.document, `api:${row.siteId}`));
      } catch (error) {
        const problems = error instanceof SiteValidationError ? error.problems : [(error as Error).message];
        next.refused.push({ source: `api:${row.siteId}`, problems });
      }
    }
    const changes = siteDefinitionChanges(this.current.sites, next.sites);
    this.current = next;
    this.logRefusals(next.refused);
    if (changes.added.length + changes.changed.length + changes.removed.length > 0) {
      const ids = (entries: SiteEntry[]) => entries.map((e) => e.site.id).join(', ') || '-';
      this.logger.log(
        `sites: added ${ids(changes.added)}; changed ${ids(changes.changed)}; removed ${changes.removed.join(', ') || '-'}`,
      );
      this.changes$.next(changes);
    }
    return changes;
  }

  /** Refreshes every `intervalMs` until `stop`; a refresh that fails (the database away) is logged and retried then. */
  start(intervalMs: number): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = setInterval(() => {
      if (this.refreshing) return;
      this.refreshing = this.refresh()
        .catch((error: Error) => this.logger.warn(`sites not read again: ${error.message}`))
        .then(() => (this.refreshing = undefined));
    }, intervalMs);
    this.timer.unref();
  }

  /** Stops the polling and waits for a refresh in flight (before the database pool closes). */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.refreshing;
  }

  sites(): readonly SiteEntry[] {
    return this.current.sites;
  }

  refused(): readonly RefusedSite[] {
    return this.current.refused;
  }

  find(siteId: string): SiteEntry | undefined {
    return this.current.sites.find((entry) => entry.site.id === siteId);
  }

  /** Each refusal once while it lasts (a poll every few seconds must not repeat it). */
  private logRefusals(refused: readonly RefusedSite[]): void {
    const key = (r: RefusedSite) => `${r.source}\n${r.problems.join('\n')}`;
    for (const r of refused)
      if (!this.refusedLogged.has(key(r)))
        this.logger.warn(
          `${r.source} refused, the other sites go on:\n${r.problems.map((p) => `  - ${p}`).join('\n')}`,
        );
    this.refusedLogged = new Set(refused.map(key));
  }
}
