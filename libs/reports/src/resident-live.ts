import { HOUR_MS, localDateTime } from '@ilot/domain';
import { greenWindows } from './resident-calendar';

export type LiveCommodity = 'electricity' | 'gas' | 'water' | 'heat';
/** The unit a resident reads today: kWh of electricity and heat, m³ of gas, litres of water. */
export const LIVE_UNITS: Record<LiveCommodity, 'kWh' | 'm3' | 'L'> = {
  electricity: 'kWh',
  gas: 'm3',
  water: 'L',
  heat: 'kWh',
};

export interface LiveInput {
  participantId: string;
  now: Date;
  timeZone: string;
  /** Whether the resident consented to their detailed curve: without it, today's totals only, not by hour. */
  detailed: boolean;
  /** Today so far by UTC hour, per commodity the participant meters, in the LIVE_UNITS. */
  today: ReadonlyArray<{ commodity: LiveCommodity; hours: ReadonlyArray<{ hour: Date; value: number }> }>;
  /** The îlot's solar production now (fresh readings summed), W; null when no array reported lately. */
  solarNowW: number | null;
  /** The plan's slots ahead: the îlot's expected solar and consumption. */
  slots: ReadonlyArray<{ start: Date; minutes: number; pvW: number; consumptionW: number }>;
  effacements: ReadonlyArray<{ id: string; start: Date; end: Date; reductionW: number }>;
  /** Tempo red days ahead (local dates). */
  tempoRedDays: readonly string[];
}

export interface ResidentLive {
  participantId: string;
  generatedAt: string;
  /** The local date of "today". */
  date: string;
  today: Array<{
    commodity: LiveCommodity;
    unit: 'kWh' | 'm3' | 'L';
    total: number;
    /** By local hour (0-23) so far; null without consent to the detailed curve. */
    hours: Array<{ hour: number; value: number }> | null;
  }>;
  solar: { nowKW: number | null; nextHours: Array<{ start: string; kW: number }> };
  /** The next 24 h: green when the îlot's solar covers its consumption, red in an effacement window or a Tempo red day. */
  hours: Array<{ start: string; end: string; kind: 'green' | 'red'; reason: 'solar' | 'effacement' | 'tempo' }>;
  /** The next effacement order (in force or ahead), or null. */
  effacement: { id: string; start: string; end: string; reductionKW: number } | null;
}

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

/**
 * A resident's live page (issue 16): today so far per commodity, the îlot's solar now and in the next hours, the
 * good and bad hours ahead, the next effacement order. Pure: what was read in, the page's figures out.
 */
export function residentLive(input: LiveInput): ResidentLive {
  return {
    participantId: input.participantId,
    generatedAt: input.now.toISOString(),
    date: localDateTime(input.now, input.timeZone).date,
    today: input.today.map(({ commodity, hours }) => {
      const digits = commodity === 'water' ? 0 : 3;
      const byHour = hours.map((h) => ({
        hour: Math.floor(localDateTime(h.hour, input.timeZone).minuteOfDay / 60),
        value: round(h.value, digits),
      }));
      const total = round(
        hours.reduce((sum, h) => sum + h.value, 0),
        digits,
      );
      return { commodity, unit: LIVE_UNITS[commodity], total, hours: input.detailed ? byHour : null };
    }),
    ...ilotOutlook(input),
  };
}

/** What the îlot as a whole shows its residents and its lobby: its solar now and ahead, the hours ahead, the next order. */
export type OutlookInput = Pick<LiveInput, 'now' | 'timeZone' | 'solarNowW' | 'slots' | 'effacements' | 'tempoRedDays'>;
export type IlotOutlook = Pick<ResidentLive, 'solar' | 'hours' | 'effacement'>;

/** The îlot's outlook (residentLive's and the lobby's shared part). Pure. */
export function ilotOutlook(input: OutlookInput): IlotOutlook {
  const until = input.now.getTime() + 24 * HOUR_MS;
  const ahead = input.slots.filter((s) => s.start.getTime() + s.minutes * 60_000 > input.now.getTime());
  return {
    solar: {
      nowKW: input.solarNowW === null ? null : round(input.solarNowW / 1000, 1),
      nextHours: nextHours(ahead, input.now),
    },
    hours: [
      ...greenWindows(ahead).map((w) => window(w.start, w.end, 'green', 'solar')),
      ...input.effacements.map((e) => window(e.start, e.end, 'red', 'effacement')),
      ...input.tempoRedDays.map((date) => tempoWindow(date, input.timeZone)),
    ]
      .filter((w) => Date.parse(w.end) > input.now.getTime() && Date.parse(w.start) < until)
      .sort((a, b) => a.start.localeCompare(b.start)),
    effacement: nextEffacement(input),
  };
}

/** The plan's solar for the next six whole hours, kW (the mean of the slots in each). */
function nextHours(slots: LiveInput['slots'], now: Date): ResidentLive['solar']['nextHours'] {
  const first = Math.floor(now.getTime() / HOUR_MS) * HOUR_MS;
  return Array.from({ length: 6 }, (_, k) => first + k * HOUR_MS).flatMap((start) => {
    const inHour = slots.filter((s) => s.start.getTime() >= start && s.start.getTime() < start + HOUR_MS);
    if (inHour.length === 0) return [];
    return [
      {
        start: new Date(start).toISOString(),
        kW: round(inHour.reduce((sum, s) => sum + s.pvW, 0) / inHour.length / 1000, 1),
      },
    ];
  });
}

function window(start: Date, end: Date, kind: 'green' | 'red', reason: 'solar' | 'effacement' | 'tempo') {
  return { start: start.toISOString(), end: end.toISOString(), kind, reason };
}

/** A Tempo red day's expensive hours: 06:00 to 22:00 local (approximated from the day's UTC offset at noon). */
function tempoWindow(date: string, timeZone: string) {
  const noonUtc = new Date(`${date}T12:00:00Z`);
  const offsetMin = localDateTime(noonUtc, timeZone).minuteOfDay - 12 * 60;
  const at = (localHour: number) => new Date(Date.parse(`${date}T00:00:00Z`) + (localHour * 60 - offsetMin) * 60_000);
  return window(at(6), at(22), 'red', 'tempo');
}

function nextEffacement(input: OutlookInput): ResidentLive['effacement'] {
  const next = [...input.effacements]
    .filter((e) => e.end.getTime() > input.now.getTime())
    .sort((a, b) => a.start.getTime() - b.start.getTime())[0];
  return next
    ? {
        id: next.id,
        start: next.start.toISOString(),
        end: next.end.toISOString(),
        reductionKW: round(next.reductionW / 1000, 1),
      }
    : null;
}
