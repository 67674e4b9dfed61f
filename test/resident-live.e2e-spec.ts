import type { INestApplication } from '@nestjs/common';
import type { CommodityReading } from '@ilot/domain';
import type { ResidentLive } from '@ilot/reports';
import { signAccessToken } from '@ilot/residents';
import { multiEnergyReadings, multiEnergySite, T0 } from '@ilot/residents/testing/ledger-site';
import { CommodityReadingRepository, openDatabase, PlanRepository, ReadingRepository } from '@ilot/timeseries';
import { createTestDatabase, TestDatabase } from '@ilot/timeseries/testing/test-database';

import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { DataSource } from 'typeorm';
import { startApiOnLedgerDay } from '../apps/api/src/testing/api-alone';
import { launchChromium, PHONE_VIEWPORT } from './support/chromium';
import { waitFor } from './support/services';

const TOKEN = 'live-e2e-operator-token-0123456789';
const SECRET = 'live-e2e-token-secret-0123456789abcdef012';
const SITE = multiEnergySite('live');
const at = (minutes: number) => new Date(T0 + minutes * 60_000);

/**
 * Issue 16, "done when": a resident sees their electricity, gas and water live from their link, on a phone-sized
 * Chromium: the figures are the API's, a new reading shows within seconds without reloading, and axe-core finds no
 * serious or critical accessibility violation. The îlot's clock starts at 12:40Z on the ledger day.
 */
/** axe-core's violations on a page, in a context of its own that lets the test inject the library (bypassCSP). */
async function axeViolations(
  browser: Browser,
  url: string,
): Promise<Array<{ id: string; impact: string; nodes: number }>> {
  const context = await browser.newContext({ viewport: PHONE_VIEWPORT, bypassCSP: true });
  try {
    const page = await context.newPage();
    await page.goto(url);
    await page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
    return (await page.evaluate(
      'axe.run().then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length })))',
    )) as Array<{ id: string; impact: string; nodes: number }>;
  } finally {
    await context.close();
  }
}

describe('a resident’s live page (real Chromium, real PostgreSQL)', () => {
  let database: TestDatabase;
  let app: INestApplication;
  let base: string;
  let db: DataSource;
  const token = (participant: string) =>
    signAccessToken({ role: 'resident', site: SITE.id, participant, exp: Math.floor(Date.now() / 1000) + 600 }, SECRET);

  beforeAll(async () => {
    database = await createTestDatabase('ilot_live_page');
    db = await openDatabase(database.url);
    const meters = new CommodityReadingRepository(db);
    const gas: CommodityReading[] = [0, 15, 30].map((m, k) => ({
      siteId: SITE.id,
      deviceId: 'g-1',
      ts: at(m),
      seq: k,
      indexValue: 500 + 0.2 * k,
    }));
    await meters.store({ siteId: SITE.id, deviceId: 'g-1', maxPerHour: 6 }, gas, at(35));
    await meters.store(
      { siteId: SITE.id, deviceId: 'w-1', maxPerHour: 3125 },
      [{ siteId: SITE.id, deviceId: 'w-1', ts: at(20), seq: 1, quantity: 42 }],
      at(35),
    );
    // The plan: a sunny hour ahead (green), then cloud.
    const slots = Array.from({ length: 16 }, (_, k) => ({
      start: at(30 + 15 * k).toISOString(),
      gridW: 0,
      pvW: k >= 1 && k < 6 ? 9_000 : 1_000,
      consumptionW: 4_000,
    }));
    await new PlanRepository(db).insert({
      siteId: SITE.id,
      generatedAt: at(30),
      status: 'optimal',
      solver: 'highs',
      objectiveEur: 1,
      solveMs: 1,
      document: { slotMinutes: 15, slots },
    });
    ({ app, base } = await startApiOnLedgerDay(
      SITE,
      database.url,
      { operator: TOKEN, secret: SECRET },
      { ILOT_LIVE_PUSH_S: '1' },
    ));
    const order = {
      type: 'effacement',
      id: 'evening',
      start: '2026-01-10T17:00:00Z',
      end: '2026-01-10T19:00:00Z',
      reductionW: 8000,
    };
    const posted = await fetch(`${base}/signals`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(order),
    });
    expect(posted.status).toBe(201);
    const consent = await fetch(`${base}/participants/flat-1/consent`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token('flat-1')}`, 'content-type': 'application/json' },
      body: JSON.stringify({ detailedCurve: true }),
    });
    expect(consent.status).toBe(200);
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await db?.destroy();
    await database?.drop();
  });

  const liveJson = async (participant: string) => {
    const response = await fetch(`${base}/participants/${participant}/live.json`, {
      headers: { authorization: `Bearer ${token(participant)}` },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('private, no-store');
    return (await response.json()) as ResidentLive;
  };
  const total = (live: ResidentLive, commodity: string) => live.today.find((c) => c.commodity === commodity)!.total;
  const shown = (page: Page, commodity: string) =>
    page.getAttribute(`[data-total="${commodity}"]`, 'data-value').then(Number);

  it('gives today so far per commodity (by hour with consent), the solar, the good hours and the next order', async () => {
    const live = await liveJson('flat-1');
    expect(live.today.map((c) => [c.commodity, c.unit])).toEqual([
      ['electricity', 'kWh'],
      ['gas', 'm3'],
      ['water', 'L'],
    ]);
    expect(total(live, 'gas')).toBeCloseTo(0.4, 6);
    expect(total(live, 'water')).toBe(42);
    expect(live.today[0].hours!.length).toBeGreaterThan(0);
    expect(live.hours[0]).toMatchObject({
      kind: 'green',
      reason: 'solar',
      start: at(45).toISOString(),
      end: at(120).toISOString(),
    });
    expect(live.hours).toContainEqual({
      kind: 'red',
      reason: 'effacement',
      start: '2026-01-10T17:00:00.000Z',
      end: '2026-01-10T19:00:00.000Z',
    });
    expect(live.effacement).toEqual({
      id: 'evening',
      start: '2026-01-10T17:00:00.000Z',
      end: '2026-01-10T19:00:00.000Z',
      reductionKW: 8,
    });
    // Without consent: today's totals only, not by hour.
    const other = await liveJson('flat-2');
    expect(other.today.map((c) => [c.commodity, c.hours])).toEqual([
      ['electricity', null],
      ['gas', null],
    ]);
  });

  it('shows the API’s figures on a phone, updates within seconds of a new reading, and passes axe-core', async () => {
    const { browser, screenshots: dir } = await launchChromium();
    try {
      // Under the page's own CSP, as a resident's browser runs it (regression: a bypassed CSP hid a blocked script).
      const context = await browser.newContext({ viewport: PHONE_VIEWPORT });
      const page = await context.newPage();
      const failed: string[] = [];
      page.on(
        'response',
        (r) => r.status() >= 400 && !r.url().endsWith('/favicon.ico') && failed.push(`${r.status()} ${r.url()}`),
      );
      // Electricity's hour in progress grows with the clock (its mean power times the time elapsed in it): the page,
      // rendered between two reads of live.json, shows a figure between theirs (regression, CI: 1.001 shown, 1 read
      // just after). Gas and water are counted quantities: the same in all three.
      const earlier = await liveJson('flat-1');
      await page.goto(`${base}/participants/flat-1/live?access_token=${token('flat-1')}`);
      const shownNow = new Map<string, number>();
      for (const commodity of ['electricity', 'gas', 'water']) shownNow.set(commodity, await shown(page, commodity));
      const before = await liveJson('flat-1');
      for (const commodity of ['electricity', 'gas', 'water']) {
        const [low, high] = [total(earlier, commodity), total(before, commodity)].sort((x, y) => x - y);
        expect(shownNow.get(commodity)).toBeGreaterThanOrEqual(low);
        expect(shownNow.get(commodity)).toBeLessThanOrEqual(high);
      }
      for (const commodity of ['gas', 'water']) expect(shownNow.get(commodity)).toBe(total(before, commodity));
      expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
      await page.screenshot({ path: join(dir, 'resident-live-1-fr.png'), fullPage: true });

      // A new gas index and a minute of 6 kW on the flat's meter: the page changes by itself.
      const sent = Date.now();
      await new CommodityReadingRepository(db).store(
        { siteId: SITE.id, deviceId: 'g-1', maxPerHour: 6 },
        [{ siteId: SITE.id, deviceId: 'g-1', ts: at(41), seq: 9, indexValue: 500.9 }],
        new Date(),
      );
      await new ReadingRepository(db).insertBatch(
        [{ siteId: SITE.id, deviceId: 'm-1', ts: at(40.5), seq: 99, powerW: 6000 }],
        new Date(),
      );
      await waitFor(
        'the new gas figure on the page',
        async () => (await shown(page, 'gas')) > total(before, 'gas'),
        10_000,
      );
      const seconds = (Date.now() - sent) / 1000;
      console.log(`live page updated ${seconds.toFixed(1)} s after the reading was stored`);
      expect(seconds).toBeLessThan(5);
      const after = await liveJson('flat-1');
      expect(await shown(page, 'gas')).toBe(total(after, 'gas'));
      // The electricity may come with the next push (a burst's last change waits ILOT_LIVE_PUSH_S): waited for as long
      // as the gas (CI of 2026-12-07 on a loaded machine: not there within 5 s); the latency bound is the gas's, above.
      await waitFor(
        'the new electricity figure',
        async () => (await shown(page, 'electricity')) === total(after, 'electricity'),
        10_000,
      );
      expect(Number(await page.getAttribute('#live', 'data-updates'))).toBeGreaterThanOrEqual(1);

      const violations = await axeViolations(browser, page.url());
      console.log(`axe-core on the live page: ${JSON.stringify(violations)}`);
      expect(violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')).toEqual([]);

      await page.goto(`${base}/participants/flat-1/live?lang=en&access_token=${token('flat-1')}`);
      await page.screenshot({ path: join(dir, 'resident-live-2-en.png'), fullPage: true });
      expect(failed).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 60_000);

  it('shows the îlot on a lobby screen, to anyone, updated live, and passes axe-core', async () => {
    const { browser, screenshots: dir } = await launchChromium();
    try {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      await page.goto(`${base}/lobby`);
      const solarBefore = await page.getAttribute('[data-figure="solar-today"]', 'data-value');
      // The îlot's first readings in 10 minutes (its clock is at 12:40), its 5 meters among them: the lobby changes by itself.
      await new ReadingRepository(db).insertBatch(multiEnergyReadings(SITE.id, at(40), 9000, -1500), new Date());
      await waitFor(
        'the new solar figure in the lobby',
        async () =>
          (await page.evaluate(`document.querySelector('[data-solar-now]')?.getAttribute('data-value')`)) === '9',
        10_000,
      );
      expect(await page.getAttribute('[data-figure="solar-today"]', 'data-value')).not.toBe(solarBefore);
      expect(await page.getAttribute('[data-figure="consumption-now"]', 'data-value')).toBe('8');
      const violations = await axeViolations(browser, page.url());
      console.log(`axe-core on the lobby page: ${JSON.stringify(violations)}`);
      expect(violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')).toEqual([]);
      await page.screenshot({ path: join(dir, 'lobby-fr.png'), fullPage: true });
    } finally {
      await browser.close();
    }
  }, 60_000);
});
