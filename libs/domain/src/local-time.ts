const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

export interface LocalDateTime {
  /** YYYY-MM-DD in the zone. */
  date: string;
  /** Minutes since local midnight (0..1439). */
  minuteOfDay: number;
}

/**
 * Local times already worked out, by zone and UTC minute (the answer holds for the whole minute): Intl's formatting
 * was 60 % of a replay's CPU, asked the same instants by every forecast of every plan. Bounded: cleared when full.
 */
const localTimes = new Map<string, Map<number, LocalDateTime>>();
const LOCAL_TIMES_PER_ZONE = 200_000;

/** The wall-clock date and time of an instant in an IANA zone. */
export function localDateTime(at: Date, timeZone: string): LocalDateTime {
  const minute = Math.floor(at.getTime() / 60_000);
  let zone = localTimes.get(timeZone);
  if (!zone) localTimes.set(timeZone, (zone = new Map()));
  const known = zone.get(minute);
  if (known) return { ...known };
  const parts = Object.fromEntries(
    formatter(timeZone)
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  const local = {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    minuteOfDay: Number(parts.hour) * 60 + Number(parts.minute),
  };
  if (zone.size >= LOCAL_TIMES_PER_ZONE) zone.clear();
  zone.set(minute, local);
  return { ...local };
}

/** Parses "HH:MM-HH:MM" into minute bounds; a window may wrap past midnight. */
export function parseWindow(window: string): { fromMinute: number; toMinute: number } {
  const [from, to] = window.split('-').map((hhmm) => {
    const [h, m] = hhmm.split(':').map(Number);
    return h * 60 + m;
  });
  return { fromMinute: from, toMinute: to };
}

export function minuteInWindow(minuteOfDay: number, window: { fromMinute: number; toMinute: number }): boolean {
  return window.fromMinute <= window.toMinute
    ? minuteOfDay >= window.fromMinute && minuteOfDay < window.toMinute
    : minuteOfDay >= window.fromMinute || minuteOfDay < window.toMinute;
}

/** The local day of the week of an instant, "0" (Sunday) to "6". */
export function localDayOfWeek(at: Date, timeZone: string): string {
  return String(new Date(`${localDateTime(at, timeZone).date}T12:00:00Z`).getUTCDay());
}

/** "weekend" for local Saturdays and Sundays, "weekday" otherwise. */
export function localDayKind(at: Date, timeZone: string): 'weekday' | 'weekend' {
  const { date } = localDateTime(at, timeZone);
  let kind = dayKinds.get(date);
  if (!kind) {
    const weekday = new Date(`${date}T12:00:00Z`).getUTCDay();
    kind = weekday === 0 || weekday === 6 ? 'weekend' : 'weekday';
    if (dayKinds.size >= 100_000) dayKinds.clear();
    dayKinds.set(date, kind);
  }
  return kind;
}
const dayKinds = new Map<string, 'weekday' | 'weekend'>();

/** The instant a local date begins in a zone (local midnight; days of 23 and 25 hours included). */
export function localDayStart(date: string, timeZone: string): Date {
  const utcMidnight = Date.parse(`${date}T00:00:00Z`);
  // Zones sit between UTC-12 and UTC+14: try every quarter-hour offset, earliest instant first.
  for (let offsetMinutes = 14 * 60; offsetMinutes >= -12 * 60; offsetMinutes -= 15) {
    const at = new Date(utcMidnight - offsetMinutes * 60_000);
    const local = localDateTime(at, timeZone);
    if (local.date === date && local.minuteOfDay === 0) return at;
  }
  throw new RangeError(`no local midnight found for ${date} in ${timeZone}`);
}

/** Whether `text` is a month as YYYY-MM (the form reports and their routes take). */
export function isMonth(text: string): boolean {
  // Years 2000-2099: what the product's instants span (PostgreSQL and Intl hold them; 0000-01 or 9999-12 were 500s).
  return /^20\d\d-(0[1-9]|1[0-2])$/.test(text);
}

/** The local month (YYYY-MM) an instant falls in, in a zone. */
export function localMonth(at: Date, timeZone: string): string {
  return localDateTime(at, timeZone).date.slice(0, 7);
}

/** The local month (YYYY-MM) `delta` months from `month`. */
export function shiftMonth(month: string, delta: number): string {
  const [year, m] = month.split('-').map(Number);
  const index = year * 12 + (m - 1) + delta;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
}

/** [from, to) of a local month (YYYY-MM) in a zone: from its first local midnight to the next month's. */
export function localMonthRange(month: string, timeZone: string): { from: Date; to: Date } {
  return { from: localDayStart(`${month}-01`, timeZone), to: localDayStart(`${shiftMonth(month, 1)}-01`, timeZone) };
}

/**
 * An instant as its local wall-clock time with the zone's offset, `YYYY-MM-DDTHH:MM:00+01:00`: the form files read by
 * people carry (unambiguous across the autumn change, when a local hour comes twice). Minute resolution.
 */
export function localIsoWithOffset(at: Date, timeZone: string): string {
  const local = localDateTime(at, timeZone);
  const hh = String(Math.floor(local.minuteOfDay / 60)).padStart(2, '0');
  const mm = String(local.minuteOfDay % 60).padStart(2, '0');
  const wallMs = Date.parse(`${local.date}T${hh}:${mm}:00Z`);
  const offsetMinutes = Math.round((wallMs - Math.floor(at.getTime() / 60_000) * 60_000) / 60_000);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  const offset = `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  return `${local.date}T${hh}:${mm}:00${offset}`;
}
