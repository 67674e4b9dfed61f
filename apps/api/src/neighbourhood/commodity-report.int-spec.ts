import type { INestApplication } from '@nestjs/common';
import type { CommodityReading } from '@ilot/domain';
import { type CommodityLine } from '@ilot/reports';
import { signAccessToken } from '@ilot/residents';
import { multiEnergySite, T0 } from '@ilot/residents/testing/ledger-site';
import { CommodityReadingRepository, openDatabase, PrivacyRepository } from '@ilot/timeseries';
import { createTestDatabase, TestDatabase } from '@ilot/timeseries/testing/test-database';
import { PrivacyRetention } from '@ilot/residents';
import { startApiOnLedgerDay } from '../testing/api-alone';

const TOKEN = 'commodity-operator-token-0123456789';
const SECRET = 'commodity-token-secret-0123456789abcdef0123';

const SITE = multiEnergySite();
const at = (minutes: number) => new Date(T0 + minutes * 60_000);
const gasIndexes = (deviceId: string, perQuarterM3: number): CommodityReading[] =>
  [-15, 0, 15].map((minutes, k) => ({
    siteId: SITE.id,
    deviceId,
    ts: at(minutes),
    seq: k,
    indexValue: 1000 + k * perQuarterM3,
  }));

/** Issue 16: a resident's month across electricity, gas and water, from the readings to the report (real PostgreSQL). */
describe('a resident’s report across commodities', () => {
  let database: TestDatabase;
  let app: INestApplication;
  let base: string;
  const token = (participant: string) =>
    signAccessToken({ role: 'resident', site: SITE.id, participant, exp: Math.floor(Date.now() / 1000) + 600 }, SECRET);

  beforeAll(async () => {
    database = await createTestDatabase('ilot_commodity_report');
    const db = await openDatabase(database.url);
    const meters = new CommodityReadingRepository(db);
    for (const [deviceId, m3] of [
      ['g-1', 0.25],
      ['g-2', 0.2],
      ['g-3', 0.3],
      ['g-4', 0.4],
    ] as const)
      expect(
        await meters.store({ siteId: SITE.id, deviceId, maxPerHour: 6 }, gasIndexes(deviceId, m3), at(20)),
      ).toMatchObject({ ok: true, inserted: 3 });
    const litres = [
      [10, 40],
      [20, 25],
    ].map(([minutes, quantity], k) => ({ siteId: SITE.id, deviceId: 'w-1', ts: at(minutes), seq: k, quantity }));
    expect(await meters.store({ siteId: SITE.id, deviceId: 'w-1', maxPerHour: 3125 }, litres, at(20))).toMatchObject({
      ok: true,
      inserted: 2,
    });
    await db.destroy();
    ({ app, base } = await startApiOnLedgerDay(SITE, database.url, { operator: TOKEN, secret: SECRET }));
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await database?.drop();
  });

  const report = async (participant: string, bearer: string) => {
    const response = await fetch(`${base}/participants/${participant}/report?month=2026-01`, {
      headers: { authorization: `Bearer ${bearer}` },
    });
    expect(response.status).toBe(200);
    return (await response.json()) as {
      totals: { consumptionKWh: number; gridKWh: number };
      cost: { withCollectiveEur: number };
      commodities: CommodityLine[];
    };
  };

  beforeAll(async () => {
    // The ledger job runs once at start, in the background: wait for its month.
    const deadline = Date.now() + 20_000;
    while ((await report('flat-1', token('flat-1'))).commodities.length < 3 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 200));
  }, 30_000);

  it('gives electricity, gas (m³ and kWh at the supplier’s factor) and water, each priced and with its CO2, and similar homes', async () => {
    const month = await report('flat-1', token('flat-1'));
    const line = (commodity: string) => month.commodities.find((l) => l.commodity === commodity)!;
    expect(month.commodities.map((l) => l.commodity)).toEqual(['electricity', 'gas', 'water']);
    expect(line('electricity')).toMatchObject({
      unit: 'kWh',
      quantity: month.totals.consumptionKWh,
      costEur: month.cost.withCollectiveEur,
      kgCo2: Math.round(month.totals.gridKWh * 0.052 * 10) / 10,
    });
    // 0.25 m³ a quarter-hour, two quarters after the baseline; the others 0.4, 0.6 and 0.8 m³.
    expect(line('gas')).toEqual({
      commodity: 'gas',
      unit: 'm3',
      quantity: 0.5,
      energyKWh: 5.6,
      costEur: 0.67,
      kgCo2: 1.1,
      previousMonth: null,
      changePct: null,
      peers: { count: 3, median: 0.6 },
    });
    // 65 L; alone with a water meter: no median (fewer than 3 would single a neighbour out).
    expect(line('water')).toMatchObject({
      unit: 'm3',
      quantity: 0.065,
      costEur: 0.28,
      kgCo2: 0,
      peers: { count: 0, median: null },
    });
  });

  it('shows each resident their own figures: flat-2 sees its gas and no water', async () => {
    const month = await report('flat-2', token('flat-2'));
    expect(month.commodities.map((l) => [l.commodity, l.quantity])).toEqual([
      ['electricity', month.totals.consumptionKWh],
      ['gas', 0.4],
    ]);
  });

  it('draws the table on the resident’s page, in French by default', async () => {
    const response = await fetch(
      `${base}/participants/flat-1/report?month=2026-01&format=html&access_token=${token('flat-1')}`,
    );
    const html = await response.text();
    expect(html).toContain('Toutes vos énergies');
    expect(html).toMatch(
      /<div class="figure" data-commodity="gas">Gaz<b>0,5 m³ \(5,6 kWh\)<\/b>0,67\s€ · 1,1 kg CO₂<br>/,
    );
    expect(html).toContain('<div class="figure" data-commodity="water">Eau<b>0,065 m³</b>');
  });

  it('adds a column per commodity to the CSV of days (m³ of gas and of water)', async () => {
    const response = await fetch(`${base}/participants/flat-1/report?month=2026-01&format=csv`, {
      headers: { authorization: `Bearer ${token('flat-1')}` },
    });
    const [header, day] = (await response.text()).trim().split('\n');
    expect(header).toBe('date,consumptionKWh,localKWh,gridKWh,gasM3,waterM3');
    expect(day).toMatch(/^2026-01-10,[0-9.]+,[0-9.]+,[0-9.]+,0\.500,0\.065$/);
  });

  it('deletes the raw gas and water readings of those who did not consent past the operation window, the hours kept', async () => {
    const consent = await fetch(`${base}/participants/flat-2/consent`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token('flat-2')}`, 'content-type': 'application/json' },
      body: JSON.stringify({ detailedCurve: true }),
    });
    expect(consent.status).toBe(200);
    const db = await openDatabase(database.url);
    try {
      const count = async (table: string) =>
        Object.fromEntries(
          (
            (await db.query(`SELECT device_id, count(*)::int AS n FROM ${table} GROUP BY 1`)) as Array<{
              device_id: string;
              n: number;
            }>
          ).map((r) => [r.device_id, r.n]),
        );
      const hoursBefore = await count('commodity_1h');
      const deleted = await new PrivacyRetention(new PrivacyRepository(db)).apply(
        [SITE],
        new Date(T0 + 9 * 86_400_000),
      );
      // g-1, g-3, g-4 (3 readings each) and w-1 (2) go; flat-2 consented: g-2 stays. No electricity reading is that old here but these.
      expect(await count('commodity_readings')).toEqual({ 'g-2': 3 });
      expect(deleted.get(SITE.id)).toBeGreaterThanOrEqual(11);
      expect(await count('commodity_1h')).toEqual(hoursBefore);
    } finally {
      await db.destroy();
    }
  });
});
