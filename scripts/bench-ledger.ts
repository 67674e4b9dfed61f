/**
 * npm run bench:ledger: what the residents' ledger costs (the operator's side of the reports, ADR 0007), on the
 * machine's PostgreSQL with BENCH_DAYS (31) of the demo îlot at 5-min readings, in a database made for the run.
 * - first run: the whole history at once (a new installation, or the ledger emptied);
 * - steady run: one new 15-min step and the last 2 hours again (every minute in production);
 * - late run: the same with a meter's quarter-hour of 3 days ago come now (ingestion marked the site: from there);
 * - a process's first run: the last 7 days again (as late as ingestion accepts), after a restart.
 * Each against the limit it must hold: a run must end well within the job's period (ILOT_LEDGER_INTERVAL_S, 60 s).
 */
import { slotStart } from '@ilot/domain';
import { IlotWorld, ProfileTable } from '@ilot/simulators';
import { loadSiteFile } from '@ilot/site';
import { openDatabase, ReadingRepository } from '@ilot/timeseries';
import { createTestDatabase } from '@ilot/timeseries/testing/test-database';
import type { Reading } from '@ilot/domain';
import { join } from 'node:path';
import { residentLedgerOn } from '@ilot/residents';

const DAYS = Number(process.env.BENCH_DAYS ?? 31);
const INTERVAL_S = Number(process.env.ILOT_LEDGER_INTERVAL_S ?? 60);
const START = Date.parse(process.env.BENCH_START ?? '2026-01-01T00:00:00Z');
const READING_MS = 300_000;

async function main(): Promise<void> {
  const site = loadSiteFile(join(__dirname, '..', '..', 'sites', 'demo.yaml'));
  const database = await createTestDatabase('ilot_bench_ledger');
  const db = await openDatabase(database.url);
  try {
    const readings = new ReadingRepository(db);
    const world = new IlotWorld(site, ProfileTable.load());
    const insert = async (fromMs: number, toMs: number) => {
      let batch: Reading[] = [];
      for (let t = fromMs; t < toMs; t += READING_MS) {
        batch.push(...world.step(new Date(t)));
        if (batch.length >= 5000 || t + READING_MS >= toMs) {
          await readings.insertBatch(batch, new Date(t));
          batch = [];
        }
      }
    };
    const end = START + DAYS * 86_400_000;
    const loadStarted = performance.now();
    await insert(START, end);
    console.log(
      `demo îlot: ${site.participants.length} participants, ${site.devices.size} devices, ${DAYS} days at 5-min readings (loaded in ${((performance.now() - loadStarted) / 1000).toFixed(1)} s)`,
    );

    const ledger = residentLedgerOn(site, db);
    const timed = async (label: string, now: number, writer = ledger) => {
      const started = performance.now();
      const run = await writer.catchUp(new Date(now), { wait: true });
      const seconds = (performance.now() - started) / 1000;
      const steps = run === 'busy' ? 0 : (run?.steps ?? 0);
      console.log(
        `${label.padEnd(24)} ${String(steps).padStart(7)} participant-steps in ${seconds.toFixed(2).padStart(6)} s (${Math.round(steps / seconds)} /s); ` +
          `${((seconds / INTERVAL_S) * 100).toFixed(1)} % of the ${INTERVAL_S} s period`,
      );
      return seconds;
    };
    await timed('first run', end);
    // One more quarter-hour of readings, then the steady run (the deep one is not due for an hour).
    await insert(end, end + 900_000);
    await timed('steady run', slotStart(new Date(end + 900_000), 900_000).getTime());
    // A meter's quarter-hour of 3 days ago, come now (stored, it marks the site), then the next run.
    const lateAt = end - 3 * 86_400_000;
    const meter = site.participants[0].meter;
    await readings.insertBatch(
      [0, 1, 2].map((k) => ({
        siteId: site.id,
        deviceId: meter,
        ts: new Date(lateAt + 60_000 + k * READING_MS),
        seq: k,
        powerW: 1234,
      })),
      new Date(end + 1_800_000),
    );
    await insert(end + 900_000, end + 1_800_000);
    await timed('late run', end + 1_800_000);
    await insert(end + 1_800_000, end + 2_700_000);
    await timed('first run of a process', end + 2_700_000, residentLedgerOn(site, db));
  } finally {
    await db.destroy();
    await database.drop();
  }
}

main().catch((error: Error) => {
  console.error(`bench:ledger: ${error.message}`);
  process.exit(1);
});
