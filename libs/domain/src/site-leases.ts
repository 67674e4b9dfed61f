/**
 * How many îlots one planner instance should hold, and which to take or hand back (issue 14): every site planned by
 * exactly one instance, spread evenly. Each instance runs this on what the lease table says, then acquires or releases
 * through it (the database arbitrates: two instances taking the same free site, one wins). Pure: no clock, no I/O.
 */
export interface LeaseView {
  /** Every site to plan. */
  sites: readonly string[];
  /** The sites this instance holds a live lease on. */
  mine: readonly string[];
  /** The sites another instance holds a live lease on. */
  theirs: readonly string[];
  /** Instances alive (this one included), >= 1. */
  instances: number;
}

export interface LeaseMoves {
  /** Free sites (no live lease) to try to acquire, most needed first. */
  take: string[];
  /** Held sites to hand back (above this instance's fair share, or no longer a site). */
  release: string[];
}

/**
 * This instance's fair share is ceil(sites / instances). Below it, it takes free sites (in a per-instance order, so
 * that two instances starting together mostly try different ones); above it, it hands back the extra, so that an
 * instance joining gets its share within a lease period. Sites no longer in the list are released at once.
 */
export function leaseMoves(view: LeaseView, instanceId: string): LeaseMoves {
  const sites = new Set(view.sites);
  const mine = view.mine.filter((id) => sites.has(id));
  const gone = view.mine.filter((id) => !sites.has(id));
  const share = Math.ceil(sites.size / Math.max(view.instances, 1));
  const taken = new Set([...view.mine, ...view.theirs]);
  const free = [...sites].filter((id) => !taken.has(id)).sort((a, b) => rank(a, instanceId) - rank(b, instanceId));
  const extra = mine
    .sort((a, b) => rank(b, instanceId) - rank(a, instanceId))
    .slice(0, Math.max(mine.length - share, 0));
  return { take: free.slice(0, Math.max(share - mine.length, 0)), release: [...gone, ...extra] };
}

/** A stable pseudo-random order of the sites per instance (FNV-1a of both ids). */
function rank(siteId: string, instanceId: string): number {
  let hash = 0x811c9dc5;
  for (const char of `${instanceId}/${siteId}`) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193) >>> 0;
  return hash;
}
