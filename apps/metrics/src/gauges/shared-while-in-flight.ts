/**
 * One query for all the gauges of a scrape: prom-client collects them concurrently, so they
 * share the promise in flight; the next scrape asks again.
 */
export function sharedWhileInFlight<T>(query: () => Promise<T>): () => Promise<T> {
  let inFlight: Promise<T> | undefined;
  return () => (inFlight ??= query().finally(() => (inFlight = undefined)));
}

/** `query` for each item (each îlot served at this scrape), concurrently, shared by the gauges of one scrape. */
export function eachWhileInFlight<I, T>(
  items: () => readonly I[],
  query: (item: I) => Promise<T>,
): () => Promise<Array<{ item: I; value: T }>> {
  return sharedWhileInFlight(() => Promise.all(items().map(async (item) => ({ item, value: await query(item) }))));
}
