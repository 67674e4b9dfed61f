import { Logger } from '@nestjs/common';
import { LogThrottle } from './log-throttle';

const throttle = new LogThrottle(new Logger('Metrics'), 60_000);

/**
 * A scrape-time gauge's `collect` that never fails the scrape. A gauge read from the database at scrape time threw
 * while the database was away, and prom-client then failed the whole /metrics (500): the ingesters' spool and counters
 * and the process's own metrics went missing exactly during the outage they would show (found by the soak, issue 30).
 * Now the gauge is left empty for that scrape (`reset`: no stale value) and the failure said at most once a minute.
 */
export async function collectSafely(
  gauge: { name: string; reset(): void },
  collect: () => Promise<void> | void,
): Promise<void> {
  try {
    await collect();
  } catch (error) {
    gauge.reset();
    throttle.warn(gauge.name, `${gauge.name} left empty at this scrape: ${(error as Error).message}`);
  }
}
