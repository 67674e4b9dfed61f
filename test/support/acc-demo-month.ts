import { accMonthOn } from '@ilot/residents';
import { loadSiteFile } from '@ilot/site';
import { type MeterGap, ProfileTable, simulateAccMonth, simulatedDistributorFile } from '@ilot/simulators';
import type { Site } from '@ilot/site';
import { openDatabase, ReadingRepository } from '@ilot/timeseries';
import { createTestDatabase, type TestDatabase } from '@ilot/timeseries/testing/test-database';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';

export const ACC_DEMO = loadSiteFile(join(__dirname, '..', '..', 'sites', 'acc-demo.yaml'));
export const ACC_MONTH = '2026-11';
export const ACC_NOW = new Date('2026-12-02T09:00:00Z');

/**
 * The demo operation's November on a fresh database (issue 29): the simulated month's readings stored, the key file
 * written from the ledger, the simulated distributor's file built on it, imported and reconciled.
 */
export async function accDemoMonth(
  gaps: MeterGap[] = [],
  site: Site = ACC_DEMO,
  /** What the PMO gives before the key file is written (its shares or coefficients). */
  beforeKeys?: (db: DataSource) => Promise<void>,
) {
  const database: TestDatabase = await createTestDatabase('ilot_acc_month');
  const db: DataSource = await openDatabase(database.url);
  // A reading a quarter hour (the ledger's step): the month as the live îlot would store it, at a third of the cost.
  const world = simulateAccMonth(site, ProfileTable.load(), ACC_MONTH, { gaps, sampleMinutes: 15 });
  const readings = new ReadingRepository(db);
  for (let i = 0; i < world.readings.length; i += 20_000)
    await readings.insertBatch(world.readings.slice(i, i + 20_000), ACC_NOW);
  await beforeKeys?.(db);
  const service = accMonthOn(site, db);
  const keys = await service.keys(ACC_MONTH, ACC_NOW);
  if (!keys.ok) throw new Error(keys.problems.join('; '));
  const distributorFile = simulatedDistributorFile(site, ACC_MONTH, world.measured, keys.value.files);
  if (!distributorFile.ok) throw new Error(distributorFile.problems.join('; '));
  const imported = await service.import(ACC_MONTH, distributorFile.value, ACC_NOW);
  const reconciled = await service.reconcile(ACC_MONTH, ACC_NOW);
  if (!reconciled.ok) throw new Error(reconciled.problems.join('; '));
  const close = async () => {
    await db.destroy();
    await database.drop();
  };
  return {
    database,
    db,
    close,
    world,
    keys: keys.value,
    distributorFile: distributorFile.value,
    imported,
    lines: reconciled.value,
  };
}
