import type { Reading } from '@ilot/domain';
import { loadSiteFile } from '@ilot/site';
import { openDatabase, ReadingRepository } from '@ilot/timeseries';
import { createTestDatabase, TestDatabase } from '@ilot/timeseries/testing/test-database';
import type { RunningIlot } from '../apps/ilot/src/ilot.app';
import { startTestIlot, TEST_OPERATOR_TOKEN, TEST_TOKEN_SECRET } from './support/test-ilot';
import { signAccessToken } from '@ilot/residents';
import { runCli } from '../apps/cli/src/main';
import { mkdirSync, statSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { join } from 'node:path';
import { IlotWorld, ProfileTable } from '../simulators/src';
import { clearRetained, TEST_MQTT_URL, uniqueDemoSite, waitFor } from './support/services';

// 150x, not 300x: at 300x the same code delivered from 52 to 60 kW from run to run (plans and commands lagging the
// simulated clock on a 2-core machine, more so under load); at 150x it delivers 59.4-59.5 kW every run.
const SPEEDUP = 150;
const OPERATOR_TOKEN = TEST_OPERATOR_TOKEN;
/** A January weekday: the order runs 17:00-19:00 Paris (16:00-18:00Z); the îlot starts at 14:00Z with two weeks of history. */
const HISTORY_FROM = '2026-01-01T00:00:00Z';
const SIM_START = '2026-01-15T14:00:00Z';
const ORDER = {
  type: 'effacement',
  id: 'e2e-60kw',
  start: '2026-01-15T16:00:00Z',
  end: '2026-01-15T18:00:00Z',
  reductionW: 60_000,
};

interface Report {
  askedW: number;
  planned: { meanReductionW: number | null };
  delivered: { meanReductionW: number | null; energyWh: number; slots: unknown[] };
  deliveredAsAsked: boolean;
  participants: Array<{ participantId: string; deliveredWh: number }>;
  loads: Array<{ deviceId: string; meanReductionW: number | null; shareOfMaxShed: number | null }>;
  notes: string[];
}

/**
 * An aggregator's order of 60 kW for 2 h on the demo îlot, the whole loop on the real broker and database: two
 * weeks of history (the world on its controllers' own rule, stored as the ingester would), then the apps and the
 * simulated controllers at 150x from 14:00Z, the order posted by the operator, and its report read from the API.
 */
describe('an effacement order on the demo îlot, end to end', () => {
  let database: TestDatabase;
  let ilot: RunningIlot;
  const { path: siteFile, siteId } = uniqueDemoSite('effacement');

  beforeAll(async () => {
    database = await createTestDatabase('ilot_effacement');
    // History at 5-min steps from the same world the simulators run, so the reference is made of what they do.
    const db = await openDatabase(database.url);
    const readings = new ReadingRepository(db);
    const world = new IlotWorld(loadSiteFile(siteFile), ProfileTable.load());
    let batch: Reading[] = [];
    for (let t = Date.parse(HISTORY_FROM); t < Date.parse(SIM_START); t += 300_000) {
      batch.push(...world.step(new Date(t)));
      if (batch.length >= 5000 || t + 300_000 >= Date.parse(SIM_START)) {
        await readings.insertBatch(batch, new Date(t));
        batch = [];
      }
    }
    await db.destroy();
    ilot = await startTestIlot(database.url, siteFile, { speedup: SPEEDUP, simStart: SIM_START });
  }, 120_000);

  // Stopping 50 simulated devices and the apps takes a few seconds on a loaded machine (once over jest's 5 s).
  afterAll(async () => {
    await ilot?.stop();
    await clearRetained(TEST_MQTT_URL, siteId);
    await database?.drop();
  }, 30_000);

  it('delivers the 60 kW asked (at least 90 %, at most 120 %), against the îlot reference, as planned', async () => {
    const api = `http://127.0.0.1:${ilot.httpPort}/api/v1/sites/${siteId}`;
    const operator = { authorization: `Bearer ${OPERATOR_TOKEN}` };
    const posted = await fetch(`${api}/signals`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${OPERATOR_TOKEN}` },
      body: JSON.stringify(ORDER),
    });
    expect(posted.status).toBe(201);
    // 18:15Z simulated: the order's last quarter-hour is in the 15-min aggregates.
    const endRealMs = (Date.parse('2026-01-15T18:15:00Z') - Date.parse(SIM_START)) / SPEEDUP;
    await new Promise((resolve) => setTimeout(resolve, endRealMs));
    const report = await waitFor(
      'the report of the whole order',
      async () => {
        const r = (await (
          await fetch(`${api}/effacements/${ORDER.id}/report`, { headers: operator })
        ).json()) as Report;
        return r.delivered.slots.length === 8 && r;
      },
      30_000,
    );
    const spread = report.participants.map((p) => p.deliveredWh);
    const loads = report.loads
      .map((l) => `${l.deviceId} ${l.meanReductionW?.toFixed(0)} W (${((l.shareOfMaxShed ?? 0) * 100).toFixed(0)} %)`)
      .join(', ');
    console.log(
      `order ${ORDER.reductionW} W for 2 h (real services, ${SPEEDUP}x): planned ${report.planned.meanReductionW?.toFixed(0)} W, delivered ${report.delivered.meanReductionW?.toFixed(0)} W; ` +
        `loads shed ${loads}; residents' meters against their own reference from ${Math.min(...spread).toFixed(0)} to ${Math.max(...spread).toFixed(0)} Wh; notes: ${JSON.stringify(report.notes)}`,
    );
    expect(report.askedW).toBe(60_000);
    expect(report.planned.meanReductionW).toBeGreaterThanOrEqual(0.9 * 60_000);
    // At least 90 % of what was asked. Above it by up to 20 %: since EVs are planned (issue 13), a resident's car that
    // arrives during the order is held for the off-peak hours, a reduction the reference's uncontrolled habit counted
    // as import (measured 65.4-66.8 kW). To do: count the cars' shift in the plan's delivery instead of this margin.
    expect(report.delivered.meanReductionW!).toBeGreaterThanOrEqual(0.9 * 60_000);
    expect(report.delivered.meanReductionW!).toBeLessThanOrEqual(1.2 * 60_000);
    expect(report.deliveredAsAsked).toBe(true);
    expect(report.notes).toEqual([]);
    // The îlot's open data says what it delivered, hour by hour (issue 16): the report's energy, to the Wh.
    const open = (await (await fetch(`${api}/open-data?from=${ORDER.start}&to=${ORDER.end}`)).json()) as {
      rows: Array<{ effacement_delivered_kwh: number | null }>;
    };
    expect(open.rows.map((r) => r.effacement_delivered_kwh !== null)).toEqual([true, true]);
    const openKWh = open.rows.reduce((sum, r) => sum + r.effacement_delivered_kwh!, 0);
    expect(openKWh).toBeCloseTo(report.delivered.energyWh / 1000, 2);
    // It holds every participant's consumption: each participant's read is in the access log (issue 15).
    const log = (await (
      await fetch(`${api}/access-log?participant=${report.participants[0].participantId}`, { headers: operator })
    ).json()) as { entries: Array<{ what: string; viewerRole: string }> };
    expect(log.entries[0]).toMatchObject({ what: `effacement report ${ORDER.id}`, viewerRole: 'operator' });
    // Every sheddable load is accounted for against its own reference, none beyond its declared flexibility. Whether
    // the heat pumps shed at all depends on what the battery had left (measured exactly in effacement-replay.spec.ts).
    expect(report.loads.map((l) => l.deviceId).sort()).toEqual(['hp-a', 'hp-b', 'wh-a']);
    for (const load of report.loads) {
      expect(typeof load.meanReductionW).toBe('number');
      expect(load.shareOfMaxShed!).toBeLessThanOrEqual(1.05);
    }
    // Each sheddable load's controller said what it owes, through the broker and the ingester, as the planner reads it
    // (issue 27): a debt of the run's last minutes for each, never negative.
    const db = await openDatabase(database.url);
    try {
      const owed = await new ReadingRepository(db).latestOwedEnergy(
        siteId,
        new Date(Date.parse(ORDER.end) - 3_600_000),
      );
      expect(owed.map((o) => o.deviceId).sort()).toEqual(['hp-a', 'hp-b', 'wh-a']);
      expect(owed.every((o) => o.owedWh >= 0)).toBe(true);
    } finally {
      await db.destroy();
    }
  }, 120_000);

  it('gives a resident’s month: consumption by day and period, the PV share, the cost with and without the collective, the order', async () => {
    const url = (participant: string, query: string) =>
      `http://127.0.0.1:${ilot.httpPort}/api/v1/sites/${siteId}/participants/${participant}/report?${query}`;
    const get = (participant: string, query: string, token: string | null = OPERATOR_TOKEN) =>
      fetch(url(participant, query), { headers: token ? { authorization: `Bearer ${token}` } : {} });
    // The ledger (each participant's allocated steps, written by the operator's side) catches up every 2 s here.
    const orderEnd = Date.parse(ORDER.end);
    const response = await waitFor(
      'the resident ledger past the order',
      async () => {
        const r = await get('flat-a-101', 'month=2026-01');
        const body = (await r.clone().json()) as { dataUntil: string | null };
        return body.dataUntil && Date.parse(body.dataUntil) >= orderEnd ? r : undefined;
      },
      30_000,
    );
    expect(response.status).toBe(200);
    const report = (await response.json()) as {
      totals: { consumptionKWh: number; localKWh: number; gridKWh: number; localShare: number };
      days: Array<{ date: string; consumptionKWh: number }>;
      byPeriod: Array<{ period: string; consumptionKWh: number }>;
      cost: { withCollectiveEur: number; withoutCollectiveEur: number; savingEur: number };
      effacements: Array<{ id: string; deliveredKWh: number }>;
      comparison: { previousMonthKWh: number | null; peers: { count: number; medianKWh: number } };
      notes: string[];
    };
    console.log(
      `flat-a-101, 2026-01: ${JSON.stringify({ totals: report.totals, cost: report.cost, peers: report.comparison.peers, effacements: report.effacements })}`,
    );
    // Fifteen local days of history and loop (1-15 January), HP and HC, the PV's share between none and all.
    expect(report.days.map((d) => d.date)).toEqual(
      Array.from({ length: 15 }, (_, k) => `2026-01-${String(k + 1).padStart(2, '0')}`),
    );
    expect(report.days.every((d) => d.consumptionKWh > 0)).toBe(true);
    expect(report.byPeriod.map((p) => p.period)).toEqual(['HC', 'HP']);
    expect(report.totals.consumptionKWh).toBeCloseTo(
      report.days.reduce((sum, d) => sum + d.consumptionKWh, 0),
      2,
    );
    expect(report.totals.localKWh + report.totals.gridKWh).toBeCloseTo(report.totals.consumptionKWh, 2);
    expect(report.totals.localShare).toBeGreaterThan(0);
    expect(report.totals.localShare).toBeLessThan(1);
    // A local kWh costs the feed-in price (0.10), below HP and HC: the collective saves money.
    expect(report.cost.savingEur).toBeGreaterThan(0);
    expect(report.cost.withoutCollectiveEur - report.cost.withCollectiveEur).toBeCloseTo(report.cost.savingEur, 2);
    expect(report.effacements.map((e) => e.id)).toEqual([ORDER.id]);
    expect(report.comparison.peers.count).toBe(33); // the other flats, no names
    expect(report.notes).toEqual(['no previous month to compare with']);
    const csv = await get('flat-a-101', 'month=2026-01&format=csv');
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect((await csv.text()).split('\n')[0]).toBe('date,consumptionKWh,localKWh,gridKWh');
    // Precise refusals.
    expect((await get('flat-a-101', 'month=2026-1')).status).toBe(400);
    expect((await get('no-such-flat', 'month=2026-01')).status).toBe(404);
    expect((await get('flat-a-101', 'month=2026-01', null)).status).toBe(401);
    // A resident's token opens their own report only; a forged or expired one nothing; a signed operator token every one.
    const exp = Date.now() / 1000 + 3600;
    // The operator hands the resident a token made by `ilot token` (the metrics app's secret from the environment).
    process.env.ILOT_TOKEN_SECRET = TEST_TOKEN_SECRET;
    const printedToken: string[] = [];
    expect(
      await runCli(['token', '--site', siteFile, '--participant', 'flat-a-101', '--days', '1'], (line) =>
        printedToken.push(line),
      ),
    ).toBe(0);
    const own = printedToken[0];
    const ownReport = await get('flat-a-101', 'month=2026-01', own);
    expect(ownReport.status).toBe(200);
    // Read through the API role as this resident (row-level security lets its rows through): the same completed days.
    expect(((await ownReport.json()) as typeof report).days.slice(0, 14)).toEqual(report.days.slice(0, 14));
    // The same token in the link's URL; the operator's static token never in a URL.
    expect((await get('flat-a-101', `month=2026-01&access_token=${own}`, null)).status).toBe(200);
    expect((await get('flat-a-102', `month=2026-01&access_token=${own}`, null)).status).toBe(403);
    const operatorInUrl = await get('flat-a-101', `month=2026-01&access_token=${OPERATOR_TOKEN}`, null);
    expect(operatorInUrl.status).toBe(401);
    expect(((await operatorInUrl.json()) as { message: string }).message).toBe(
      "only a resident's signed token may be given in the URL",
    );
    const other = await get('flat-a-102', 'month=2026-01', own);
    expect(other.status).toBe(403);
    expect(((await other.json()) as { message: string }).message).toBe('a resident sees only their own report');
    const forged = signAccessToken(
      { role: 'resident', site: siteId, participant: 'flat-a-102', exp },
      'not-the-secret-but-32-characters-long',
    );
    expect((await get('flat-a-102', 'month=2026-01', forged)).status).toBe(401);
    const expired = signAccessToken(
      { role: 'resident', site: siteId, participant: 'flat-a-101', exp: Date.now() / 1000 - 60 },
      TEST_TOKEN_SECRET,
    );
    expect((await get('flat-a-101', 'month=2026-01', expired)).status).toBe(401);
    const operator = signAccessToken({ role: 'operator', site: siteId, exp }, TEST_TOKEN_SECRET);
    const operatorReport = await get('flat-a-102', 'month=2026-01', operator);
    expect(operatorReport.status).toBe(200);
    expect(((await operatorReport.json()) as typeof report).days).toHaveLength(15);
    // `ilot report` on the command line gives the same report.
    const printed: string[] = [];
    const code = await runCli(
      ['report', '--site', siteFile, '--participant', 'flat-a-101', '--month', '2026-01', '--database', database.url],
      (line) => printed.push(line),
    );
    expect(code).toBe(0);
    // The îlot keeps running (the 15th grows): the completed days must agree to the Wh.
    const fromCli = JSON.parse(printed.join('\n')) as typeof report;
    expect(fromCli.days.slice(0, 14)).toEqual(report.days.slice(0, 14));
    expect(fromCli.effacements.map((e) => e.id)).toEqual([ORDER.id]);
    expect(fromCli.comparison.peers.count).toBe(33);
  }, 60_000);

  it('renders the printable page in headless Chromium: the month’s figures, nothing missing, no horizontal scroll on a phone', async () => {
    // The link a resident is sent: their own token in the URL (a browser cannot set a header), made by `ilot token`.
    process.env.ILOT_TOKEN_SECRET = TEST_TOKEN_SECRET;
    const printed: string[] = [];
    expect(
      await runCli(['token', '--site', siteFile, '--participant', 'flat-a-101', '--days', '1'], (line) =>
        printed.push(line),
      ),
    ).toBe(0);
    const url = `http://127.0.0.1:${ilot.httpPort}/api/v1/sites/${siteId}/participants/flat-a-101/report?month=2026-01&format=html&access_token=${printed[0]}`;
    // Debian's Chromium, driven by playwright-core, as a phone sees the page (390 px wide).
    const browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
      const response = await page.goto(url);
      expect(response?.status()).toBe(200);
      expect(response?.headers()).toMatchObject({
        'cache-control': 'private, no-store',
        'referrer-policy': 'no-referrer',
      });
      expect(response?.headers()['content-type']).toContain('text/html');
      const text = await page.innerText('body');
      expect(text).not.toMatch(/undefined|NaN|null/);
      expect(text).toContain('Votre énergie');
      expect(await page.locator('tbody tr').count()).toBe(15 + 2); // 15 days and 2 tariff periods
      // Evaluated in the page (a string: this project's TypeScript has no DOM types).
      const widths = (await page.evaluate(
        '({ scroll: document.documentElement.scrollWidth, viewport: window.innerWidth })',
      )) as {
        scroll: number;
        viewport: number;
      };
      expect(widths.viewport).toBe(390);
      expect(widths.scroll).toBeLessThanOrEqual(widths.viewport); // no horizontal scroll on a phone
      // Regression: "Consommation" broke mid-word in its column ("Consomm / ation"). A one-word heading is on one line.
      const headingLines = (await page.evaluate(
        `[...document.querySelectorAll('th')].filter((th) => /^\\S+$/.test(th.textContent.trim())).map((th) => {
           const range = document.createRange();
           range.selectNodeContents(th);
           return [th.textContent.trim(), range.getClientRects().length];
         })`,
      )) as Array<[string, number]>;
      expect(headingLines).toContainEqual(['Consommation', 1]);
      for (const [heading, lines] of headingLines) expect(`${heading}: ${lines} line(s)`).toBe(`${heading}: 1 line(s)`);
      const dir = join(process.cwd(), 'test', 'output');
      mkdirSync(dir, { recursive: true });
      const screenshot = join(dir, 'resident-report-flat-a-101-2026-01.png');
      await page.screenshot({ path: screenshot, fullPage: true });
      expect(statSync(screenshot).size).toBeGreaterThan(10_000);
      console.log(`screenshot: ${screenshot}`);
    } finally {
      await browser.close();
    }
  }, 120_000);
});
