import type { INestApplication } from '@nestjs/common';
import { signAccessToken } from '@ilot/residents';
import { ledgerSite } from '@ilot/residents/testing/ledger-site';
import { createTestDatabase, TestDatabase } from '@ilot/timeseries/testing/test-database';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { startApiOnLedgerDay } from '../apps/api/src/testing/api-alone';
import { launchChromium, PHONE_VIEWPORT } from './support/chromium';
import { waitFor } from './support/services';

const TOKEN = 'privacy-e2e-operator-token-0123456789';
const SECRET = 'privacy-e2e-token-secret-0123456789abcdef';
const SITE = ledgerSite('dynamic-default', 'privacy-page');

/**
 * Issue 15, "done when": a resident gives their consent to the detailed curve, downloads all their data and withdraws
 * the consent, on their own page, in Debian's Chromium (as a phone sees it), each step on the screenshots.
 */
describe('a resident’s consent, export and withdrawal on their page (real Chromium)', () => {
  let database: TestDatabase;
  let app: INestApplication;
  let base: string;
  const token = signAccessToken(
    { role: 'resident', site: SITE.id, participant: 'flat-2', exp: Math.floor(Date.now() / 1000) + 600 },
    SECRET,
  );

  beforeAll(async () => {
    database = await createTestDatabase('ilot_privacy_page');
    ({ app, base } = await startApiOnLedgerDay(SITE, database.url, { operator: TOKEN, secret: SECRET }));
    await waitFor(
      'the ledger’s first run',
      async () => {
        const report = await fetch(`${base}/participants/flat-2/report?month=2026-01`, {
          headers: { authorization: `Bearer ${TOKEN}` },
        });
        return ((await report.json()) as { totals: { consumptionKWh: number } }).totals.consumptionKWh > 0;
      },
      20_000,
    );
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await database?.drop();
  });

  it('gives, exports and withdraws, each taking effect at once, each read in the access log', async () => {
    const { browser, screenshots: dir } = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: PHONE_VIEWPORT, acceptDownloads: true });
      const errors: string[] = [];
      // Every request the page makes succeeds (the browser's own favicon guess aside).
      page.on('response', (r) => r.status() >= 400 && !r.url().endsWith('/favicon.ico') && errors.push(r.url()));
      await page.goto(`${base}/participants/flat-2/report?month=2026-01&format=html&access_token=${token}`);
      const state = () => page.innerText('#consent-state');
      expect(await state()).toContain('Seules vos consommations par jour et par mois sont affichées');
      expect(await page.innerText('#consent')).toBe('Autoriser ma courbe détaillée');
      await page.screenshot({ path: join(dir, 'resident-consent-1-default.png'), fullPage: true });

      await Promise.all([page.waitForEvent('load'), page.click('#consent')]);
      expect(await state()).toContain('Vous avez accepté que votre courbe de consommation détaillée');
      expect(await page.innerText('#consent')).toBe('Retirer mon consentement');
      await page.screenshot({ path: join(dir, 'resident-consent-2-given.png'), fullPage: true });

      const [download] = await Promise.all([page.waitForEvent('download'), page.click('a.export >> text=JSON')]);
      expect(download.suggestedFilename()).toBe('ilot-privacy-page-flat-2-export.json');
      const exported = JSON.parse(readFileSync((await download.path())!, 'utf8')) as {
        participantId: string;
        readingsStep: string;
        months: Array<{ month: string }>;
        consents: Array<{ granted: boolean }>;
        meterReadings: unknown[];
      };
      expect(exported).toMatchObject({ participantId: 'flat-2', readingsStep: '15m' });
      expect(exported.months.map((m) => m.month)).toEqual(['2026-01']);
      expect(exported.consents.map((c) => c.granted)).toEqual([true]);
      expect(exported.meterReadings.length).toBeGreaterThan(1);

      await Promise.all([page.waitForEvent('load'), page.click('#consent')]);
      expect(await state()).toContain('Seules vos consommations par jour et par mois sont affichées');
      await page.screenshot({ path: join(dir, 'resident-consent-3-withdrawn.png'), fullPage: true });
      expect(statSync(join(dir, 'resident-consent-3-withdrawn.png')).size).toBeGreaterThan(10_000);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
    // Withdrawn: the curve is refused again; the operator's access log holds every step, in order.
    const curve = await fetch(`${base}/readings?device=m-2&from=2026-01-10T12:00:00Z&to=2026-01-10T13:00:00Z`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(curve.status).toBe(403);
    const log = (await (
      await fetch(`${base}/access-log?participant=flat-2`, { headers: { authorization: `Bearer ${TOKEN}` } })
    ).json()) as { entries: Array<{ what: string; viewerId: string | null }> };
    // The operator's own reads (waiting for the ledger above) are in it too, as the operator's.
    expect(log.entries.filter((e) => e.viewerId === null).map((e) => e.what)).toContain('report 2026-01 (json)');
    const residents = log.entries.filter((e) => e.viewerId === 'flat-2');
    expect(residents.map((e) => e.what).reverse()).toEqual([
      'report 2026-01 (html)',
      'consents',
      'report 2026-01 (html)',
      'export (json)',
      'consents',
      'report 2026-01 (html)',
    ]);
    console.log(`screenshots: ${dir}/resident-consent-{1-default,2-given,3-withdrawn}.png`);
  }, 120_000);
});
