import { loadSiteFile, sharedDevices, validateSite } from '@ilot/site';
import { DashboardDeviceRepository, openDatabase } from '@ilot/timeseries';
import { createTestDatabase, TestDatabase } from '@ilot/timeseries/testing/test-database';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { parse } from 'yaml';
import { DashboardDevicesSync } from './dashboard-devices.sync';

/** The dashboards' device list follows the sites served (real PostgreSQL). */
describe('DashboardDevicesSync', () => {
  let database: TestDatabase;
  let db: DataSource;
  const demo = loadSiteFile(join(process.cwd(), 'sites', 'demo.yaml'));
  const other = validateSite({
    ...parse(readFileSync(join(process.cwd(), 'sites', 'demo.yaml'), 'utf8')),
    id: 'other',
  });
  const listed = async (siteId: string) =>
    (
      await db.query<Array<{ device_id: string }>>(
        'SELECT device_id FROM dashboard_devices WHERE site_id = $1 ORDER BY 1',
        [siteId],
      )
    ).map((r) => r.device_id);

  beforeAll(async () => {
    database = await createTestDatabase('ilot_dashboard_devices');
    db = await openDatabase(database.url);
  });

  afterAll(async () => {
    await db?.destroy();
    await database?.drop();
  });

  it('lists each site’s shared devices, none of the participants’ meters, and forgets a site no longer served', async () => {
    const repository = new DashboardDeviceRepository(db);
    await repository.replaceSite('stale', [{ id: 'grid', kind: 'grid' }]);
    const sync = new DashboardDevicesSync(repository);
    await sync.sync([demo, other]);
    const shared = sharedDevices(demo)
      .map((d) => d.id)
      .sort();
    expect(await listed('demo')).toEqual(shared);
    expect(shared).toContain('grid');
    expect(shared.filter((id) => demo.participants.some((p) => p.meter === id))).toEqual([]);
    expect(shared.length).toBeLessThan(demo.devices.size);
    expect(await listed('stale')).toEqual([]); // a site an earlier run served
    await sync.sync([demo]);
    expect(await listed('other')).toEqual([]);
    expect(await listed('demo')).toEqual(shared);
  });
});
