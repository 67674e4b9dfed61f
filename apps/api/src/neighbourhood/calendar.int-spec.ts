import type { INestApplication } from '@nestjs/common';
import { signAccessToken } from '@ilot/residents';
import { ledgerSite, T0 } from '@ilot/residents/testing/ledger-site';
import { openDatabase, PlanRepository } from '@ilot/timeseries';
import { createTestDatabase, TestDatabase } from '@ilot/timeseries/testing/test-database';
import ICAL from 'ical.js';
import { startApiOnLedgerDay } from '../testing/api-alone';

const TOKEN = 'calendar-operator-token-0123456789';
const SECRET = 'calendar-token-secret-0123456789abcdef0123';
const SITE = ledgerSite('dynamic-default', 'calendar');

/** Issue 16: a resident's calendar feed from their link, read back by an iCalendar parser (real PostgreSQL). */
describe('a resident’s calendar feed', () => {
  let database: TestDatabase;
  let app: INestApplication;
  let base: string;
  const resident = signAccessToken(
    { role: 'resident', site: SITE.id, participant: 'flat-1', exp: Math.floor(Date.now() / 1000) + 600 },
    SECRET,
  );

  beforeAll(async () => {
    database = await createTestDatabase('ilot_calendar');
    ({ app, base } = await startApiOnLedgerDay(SITE, database.url, { operator: TOKEN, secret: SECRET }));
    // The îlot's clock is at 12:40Z: a plan from 12:30 with a sunny hour ahead, an order this evening, a red day.
    const db = await openDatabase(database.url);
    const slots = Array.from({ length: 12 }, (_, k) => ({
      start: new Date(T0 + 30 * 60_000 + k * 900_000).toISOString(),
      gridW: 0,
      pvW: k >= 2 && k < 7 ? 9_000 : 1_000,
      consumptionW: 4_000,
    }));
    await new PlanRepository(db).insert({
      siteId: SITE.id,
      generatedAt: new Date(T0 + 30 * 60_000),
      status: 'optimal',
      solver: 'highs',
      objectiveEur: 1,
      solveMs: 1,
      document: { slotMinutes: 15, slots },
    });
    await db.destroy();
    for (const signal of [
      {
        type: 'effacement',
        id: 'evening',
        start: '2026-01-10T17:00:00Z',
        end: '2026-01-10T19:00:00Z',
        reductionW: 8000,
      },
      { type: 'tempo', date: '2026-01-12', color: 'red' },
    ])
      expect(
        (
          await fetch(`${base}/signals`, {
            method: 'POST',
            headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
            body: JSON.stringify(signal),
          })
        ).status,
      ).toBe(201);
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await database?.drop();
  });

  it('gives the order, the red day and the green hours ahead, from the resident’s link', async () => {
    const response = await fetch(`${base}/participants/flat-1/calendar.ics?lang=en&access_token=${resident}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/calendar; charset=utf-8');
    // Its link carries the resident's token: kept out of shared caches (issue 26).
    expect(response.headers.get('cache-control')).toBe('private, no-store');
    const calendar = new ICAL.Component(ICAL.parse(await response.text()));
    const events = calendar.getAllSubcomponents('vevent').map((v) => new ICAL.Event(v));
    expect(events.map((e) => [e.summary, e.startDate.toString(), e.endDate.toString()])).toEqual([
      ['Demand response asked of the block: 8 kW less', '2026-01-10T17:00:00Z', '2026-01-10T19:00:00Z'],
      ['Tempo red day: expensive electricity', '2026-01-12', '2026-01-13'],
      ['Green hours: the block’s solar covers its consumption', '2026-01-10T13:00:00Z', '2026-01-10T14:15:00Z'],
    ]);
  });

  it('is the resident’s or the operator’s only', async () => {
    expect((await fetch(`${base}/participants/flat-1/calendar.ics`)).status).toBe(401);
    expect((await fetch(`${base}/participants/flat-2/calendar.ics?access_token=${resident}`)).status).toBe(403);
    expect((await fetch(`${base}/participants/flat-1/calendar.ics?lang=de&access_token=${resident}`)).status).toBe(400);
    // Regression (issue 25): the calendar of a participant the site does not have was answered; now 404 as every
    // participant route (ParticipantAccess).
    const unknown = await fetch(`${base}/participants/nobody/calendar.ics`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { message: string }).message).toContain('no participant "nobody"');
  });
});
