import ICAL from 'ical.js';
import { calendarName, greenWindows, residentCalendar } from './resident-calendar';

const at = (iso: string) => new Date(iso);
const slot = (iso: string, pvW: number, consumptionW = 10_000) => ({ start: at(iso), minutes: 15, pvW, consumptionW });

describe('a resident’s calendar feed (iCalendar)', () => {
  const feed = residentCalendar({
    siteId: 'demo',
    siteName: 'Les Pentes, Lyon',
    participantId: 'flat-a-101',
    now: at('2026-06-17T08:00:00Z'),
    language: 'fr',
    effacements: [
      { id: 'order-1', start: at('2026-06-17T16:00:00Z'), end: at('2026-06-17T18:00:00Z'), reductionW: 60_000 },
    ],
    tempoRedDays: [{ date: '2026-06-18' }],
    slots: [
      ...['10:00', '10:15', '10:30', '10:45', '11:00'].map((t) => slot(`2026-06-17T${t}:00Z`, 20_000)),
      slot('2026-06-17T11:15:00Z', 5_000),
      slot('2026-06-17T12:00:00Z', 20_000), // alone: a quarter hour is not worth a calendar entry
    ],
  });

  it('is valid iCalendar that a calendar parser reads back: each event its dates and words', () => {
    const calendar = new ICAL.Component(ICAL.parse(feed));
    // X-WR-CALNAME is an extension: the parser keeps it as written (escaped as TEXT, as calendar apps read it).
    expect(calendar.getFirstPropertyValue('x-wr-calname')).toBe('Îlot Les Pentes\\, Lyon');
    const events = calendar.getAllSubcomponents('vevent').map((v) => new ICAL.Event(v));
    expect(events.map((e) => [e.summary, e.startDate.toString(), e.endDate.toString()])).toEqual([
      ['Effacement demandé à l’îlot : 60 kW de moins', '2026-06-17T16:00:00Z', '2026-06-17T18:00:00Z'],
      ['Jour rouge Tempo : électricité chère', '2026-06-18', '2026-06-19'],
      ['Heures vertes : le solaire de l’îlot couvre sa consommation', '2026-06-17T10:00:00Z', '2026-06-17T11:15:00Z'],
    ]);
    expect(new Set(events.map((e) => e.uid)).size).toBe(3);
    // TEXT read back with its commas (escaped on the wire).
    expect(events[0].description).toBe(
      'Décalez ce qui peut attendre (lave-linge, lave-vaisselle, recharge) après cette plage.',
    );
  });

  it('folds long lines at 75 octets without cutting a character, with CRLF line ends', () => {
    const lines = feed.split('\r\n');
    expect(feed.endsWith('\r\n')).toBe(true);
    for (const line of lines) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(75);
    expect(lines.some((line) => line.startsWith(' '))).toBe(true);
    expect(feed).toContain('Les Pentes\\, Lyon');
  });

  it('joins the surplus slots into windows of an hour or more', () => {
    expect(greenWindows([slot('2026-06-17T10:15:00Z', 9_000), slot('2026-06-17T10:00:00Z', 11_000)])).toEqual([]);
    expect(greenWindows(['10:00', '10:15', '10:30', '10:45'].map((t) => slot(`2026-06-17T${t}:00Z`, 11_000)))).toEqual([
      { start: at('2026-06-17T10:00:00Z'), end: at('2026-06-17T11:00:00Z') },
    ]);
  });

  it.each([
    ['Îlot des Pentes (Lyon)', 'Îlot des Pentes (Lyon)'],
    ['ilot Confluence', 'ilot Confluence'],
    ['Part-Dieu Sud', 'Îlot Part-Dieu Sud'],
    ['Îlotier', 'Îlot Îlotier'],
  ])('titles the feed of %s as %s (regression, issue 25: "Îlot Îlot des Pentes")', (name, title) =>
    expect(calendarName(name)).toBe(title),
  );
});
