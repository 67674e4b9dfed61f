import {
  accepted,
  type Checked,
  DAY_MS,
  type EffacementOrder,
  HOUR_MS,
  refused,
  SIGNAL_MAX_SPAN_MS,
} from '@ilot/domain';
import { z } from 'zod';
import { decode, type DecodeLimits, type RejectReason, validate } from './decode';
import { isoInstant } from './instant';

/**
 * What a signal may span and how far ahead it may come. An effacement order lasts hours and an EcoWatt period a day at
 * most (RTE publishes D-3 to D); a Tempo colour is announced the day before. Anything wider is refused: every
 * computation over a signal's period (its reference curve, its plan windows, its report) stays bounded.
 */
export const SIGNAL_LIMITS = {
  maxSpanMs: SIGNAL_MAX_SPAN_MS,
  maxLeadMs: 7 * DAY_MS,
} as const;

/**
 * The `signals` topic (docs/design.md): an aggregator's effacement order, an EcoWatt level over a period (3 = red,
 * 2 = orange: reduce), or the Tempo colour of a day.
 */
export const signalPayloadSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('effacement'),
    id: z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'letters, digits and _ . : - (at most 64)'),
    start: isoInstant,
    end: isoInstant,
    reductionW: z.number().positive('must be a positive power, W').max(1e9, 'at most 1 GW'),
  }),
  z.strictObject({
    type: z.literal('ecowatt'),
    level: z.union([z.literal(1), z.literal(2), z.literal(3)]),
    start: isoInstant,
    end: isoInstant,
  }),
  z.strictObject({
    type: z.literal('tempo'),
    date: z.iso.date().refine((d) => d >= '2000-01-01' && d < '2100-01-01', 'must lie in the years 2000 to 2099'),
    color: z.enum(['blue', 'white', 'red']),
  }),
]);
export type SignalPayload = z.infer<typeof signalPayloadSchema>;

/** What a well-formed signal may still get wrong at `now`: an empty, past, too long or too distant period. */
export function checkSignalPeriod(signal: SignalPayload, now: Date): Checked<SignalPayload, 'out_of_range'> {
  const start = Date.parse(signal.type === 'tempo' ? `${signal.date}T00:00:00Z` : signal.start);
  const end = signal.type === 'tempo' ? start + DAY_MS : Date.parse(signal.end);
  const field = signal.type === 'tempo' ? 'date' : 'start';
  if (signal.type !== 'tempo') {
    if (end <= start) return refused('out_of_range', `end: ${signal.end} is not after start ${signal.start}`);
    if (end - start > SIGNAL_LIMITS.maxSpanMs)
      return refused(
        'out_of_range',
        `end: the period spans ${hours(end - start)} h, at most ${hours(SIGNAL_LIMITS.maxSpanMs)} h`,
      );
  }
  // A past Tempo colour is history, kept as sent (it prices nothing ahead); an order or an alert that is over is refused.
  if (signal.type !== 'tempo' && end <= now.getTime())
    return refused('out_of_range', `end: the period ended at ${signal.end}, before now (${now.toISOString()})`);
  if (start - now.getTime() > SIGNAL_LIMITS.maxLeadMs)
    return refused(
      'out_of_range',
      `${field}: starts more than ${SIGNAL_LIMITS.maxLeadMs / DAY_MS} days ahead of now (${now.toISOString()})`,
    );
  return accepted(signal);
}

function hours(ms: number): string {
  return (ms / HOUR_MS).toFixed(1).replace(/\.0$/, '');
}

/** A signal as the `signals` topic and `POST /signals` both take it: the schema, then its period at `now`. */
export function validateSignal(json: unknown, now: Date): Checked<SignalPayload, 'schema' | 'out_of_range'> {
  const parsed = validate(json, signalPayloadSchema);
  return parsed.ok ? checkSignalPeriod(parsed.value, now) : parsed;
}

/** The wire's effacement order as the domain's (instants as Dates). */
export function effacementOrderOf(signal: Extract<SignalPayload, { type: 'effacement' }>): EffacementOrder {
  return { id: signal.id, start: new Date(signal.start), end: new Date(signal.end), reductionW: signal.reductionW };
}

/** A signal from the `signals` topic: size, JSON, schema, then its period at `now`. */
export function decodeSignal(
  payload: Buffer | string,
  now: Date,
  limits: DecodeLimits,
): Checked<SignalPayload, RejectReason> {
  const decoded = decode(payload, signalPayloadSchema, limits);
  return decoded.ok ? checkSignalPeriod(decoded.value, now) : decoded;
}
