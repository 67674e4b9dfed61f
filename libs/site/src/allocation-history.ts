import { localDateTime } from '@ilot/domain';
import type { SiteFile } from './site.schema';

export type AllocationKind = SiteFile['allocation']['key'];

/** The history's dates in order, each a month start (the schema checks the form). */
export function allocationHistoryProblems(allocation: SiteFile['allocation']): string[] {
  return allocation.history.flatMap((h, i) =>
    i > 0 && h.until <= allocation.history[i - 1].until
      ? [`allocation.history[${i}].until: ${h.until} must come after ${allocation.history[i - 1].until}`]
      : [],
  );
}

/** The allocation key in force on a local date (YYYY-MM-DD): the first of the history not over yet, else the current one. */
export function allocationKeyOn(site: Pick<SiteFile, 'allocation'>, date: string): AllocationKind {
  return site.allocation.history.find((h) => date < h.until)?.key ?? site.allocation.key;
}

/** The allocation key in force at an instant (its local date in the site's zone). */
export function allocationKeyAt(site: Pick<SiteFile, 'allocation' | 'timezone'>, at: Date): AllocationKind {
  return site.allocation.history.length
    ? allocationKeyOn(site, localDateTime(at, site.timezone).date)
    : site.allocation.key;
}
