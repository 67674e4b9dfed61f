/**
 * One query for all the gauges of a scrape: prom-client collects them concurrently, so they
 * share the promise in flight; the next scrape asks again.
 */
export function sharedWhileInFlight<T>(query: () => Promise<T>): () => Promise<T> {
  let inFlight: Promise<T> | undefined;
  return () => (inFlight ??= query().finally(() => (inFlight = undefined)));
}
