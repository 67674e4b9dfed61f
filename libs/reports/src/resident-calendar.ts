/**
 * A resident's calendar feed (iCalendar, RFC 5545; issue 16): the îlot's upcoming effacement orders, Tempo red days
 * and "green hours" (when the îlot's solar covers more than its consumption: the time to run the washing machine),
 * subscribable in a phone's calendar. Pure: the îlot's upcoming events in, the feed's text out.
 */
export interface CalendarInput {
  siteId: string;
  siteName: string;
  participantId: string;
  /** When the feed is made (its DTSTAMP). */
  now: Date;
  effacements: ReadonlyArray<{ id: string; start: Date; end: Date; reductionW: number }>;
  tempoRedDays: ReadonlyArray<{ date: string }>;
  /** The plan's slots ahead: the expected solar production and non-controllable consumption of the îlot. */
  slots: ReadonlyArray<{ start: Date; minutes: number; pvW: number; consumptionW: number }>;
  language: 'fr' | 'en';
}

/** The feed's title: the îlot's name, prefixed with "Îlot" unless it says so already ("Îlot des Pentes", not "Îlot Îlot des Pentes"). */
export function calendarName(siteName: string): string {
  return /^\s*[iî]lot\b/iu.test(siteName) ? siteName.trim() : `Îlot ${siteName}`;
}

const TEXT = {
  fr: {
    calendar: calendarName,
    green: 'Heures vertes : le solaire de l’îlot couvre sa consommation',
    greenWhat: 'Le bon moment pour lancer une machine, charger une voiture, chauffer l’eau.',
    effacement: (kw: number) => `Effacement demandé à l’îlot : ${kw} kW de moins`,
    effacementWhat: 'Décalez ce qui peut attendre (lave-linge, lave-vaisselle, recharge) après cette plage.',
    tempo: 'Jour rouge Tempo : électricité chère',
    tempoWhat: 'Évitez les gros usages de 6 h à 22 h.',
  },
  en: {
    calendar: calendarName,
    green: 'Green hours: the block’s solar covers its consumption',
    greenWhat: 'A good time to run a machine, charge a car, heat water.',
    effacement: (kw: number) => `Demand response asked of the block: ${kw} kW less`,
    effacementWhat: 'Move what can wait (washing machine, dishwasher, charging) after this window.',
    tempo: 'Tempo red day: expensive electricity',
    tempoWhat: 'Avoid heavy use from 6:00 to 22:00.',
  },
};

interface CalendarEvent {
  uid: string;
  start: Date | string;
  end: Date | string;
  summary: string;
  description: string;
}

/** Green hours: the slots where the solar covers the consumption, joined into windows of at least one hour. */
export function greenWindows(slots: CalendarInput['slots']): Array<{ start: Date; end: Date }> {
  const windows: Array<{ start: Date; end: Date }> = [];
  for (const slot of [...slots].sort((a, b) => a.start.getTime() - b.start.getTime())) {
    if (slot.pvW <= slot.consumptionW) continue;
    const end = new Date(slot.start.getTime() + slot.minutes * 60_000);
    const last = windows.at(-1);
    if (last && last.end.getTime() === slot.start.getTime()) last.end = end;
    else windows.push({ start: slot.start, end });
  }
  return windows.filter((w) => w.end.getTime() - w.start.getTime() >= 3_600_000);
}

export function residentCalendar(input: CalendarInput): string {
  const t = TEXT[input.language];
  const events: CalendarEvent[] = [
    ...input.effacements.map((e) => ({
      uid: `effacement-${e.id}`,
      start: e.start,
      end: e.end,
      summary: t.effacement(Math.round(e.reductionW / 1000)),
      description: t.effacementWhat,
    })),
    ...input.tempoRedDays.map((d) => ({
      uid: `tempo-red-${d.date}`,
      start: d.date,
      end: nextDay(d.date),
      summary: t.tempo,
      description: t.tempoWhat,
    })),
    ...greenWindows(input.slots).map((w) => ({
      uid: `green-${w.start.toISOString()}`,
      start: w.start,
      end: w.end,
      summary: t.green,
      description: t.greenWhat,
    })),
  ];
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Ilot//resident calendar//FR',
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
    `X-WR-CALNAME:${escapeText(t.calendar(input.siteName))}`,
    'REFRESH-INTERVAL;VALUE=DURATION:PT1H',
    ...events.flatMap((event) => [
      'BEGIN:VEVENT',
      `UID:${event.uid}@${input.siteId}.ilot`,
      `DTSTAMP:${utc(input.now)}`,
      typeof event.start === 'string'
        ? `DTSTART;VALUE=DATE:${event.start.replaceAll('-', '')}`
        : `DTSTART:${utc(event.start)}`,
      typeof event.end === 'string' ? `DTEND;VALUE=DATE:${event.end.replaceAll('-', '')}` : `DTEND:${utc(event.end)}`,
      `SUMMARY:${escapeText(event.summary)}`,
      `DESCRIPTION:${escapeText(event.description)}`,
      'TRANSP:TRANSPARENT',
      'END:VEVENT',
    ]),
    'END:VCALENDAR',
  ];
  return lines.map(fold).join('\r\n') + '\r\n';
}

const utc = (instant: Date) =>
  instant
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');

function nextDay(date: string): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}

/** RFC 5545 3.3.11: backslash, semicolon, comma and newline escaped. */
function escapeText(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(/\n/g, '\\n');
}

/** RFC 5545 3.1: lines of at most 75 octets, continued with a space, never inside a UTF-8 character. */
function fold(line: string): string {
  const parts: string[] = [];
  let current = '';
  let octets = 0;
  for (const char of line) {
    const size = Buffer.byteLength(char);
    if (octets + size > (parts.length === 0 ? 75 : 74)) {
      parts.push(current);
      current = '';
      octets = 0;
    }
    current += char;
    octets += size;
  }
  parts.push(current);
  return parts.join('\r\n ');
}
