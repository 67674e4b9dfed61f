import type { Reading } from '@ilot/domain';
import { describeIssue, statusPayloadSchema, telemetryPayloadSchema } from '@ilot/mqtt';
import { powerBoundsW, Site } from '@ilot/site';

export const REJECT_REASONS = [
  'oversized',
  'malformed_json',
  'schema',
  'unknown_site',
  'unknown_device',
  'out_of_range',
  'future',
  'too_old',
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

export type Validation<T> = { ok: true; value: T } | { ok: false; reason: RejectReason; detail: string };

export interface ValidationLimits {
  maxPayloadBytes: number;
  maxFutureMs: number;
  latenessMs: number;
}

function parseJson(payload: Buffer, limits: ValidationLimits): Validation<unknown> {
  if (payload.length > limits.maxPayloadBytes)
    return { ok: false, reason: 'oversized', detail: `${payload.length} bytes > ${limits.maxPayloadBytes}` };
  try {
    return { ok: true, value: JSON.parse(payload.toString('utf8')) };
  } catch (error) {
    return { ok: false, reason: 'malformed_json', detail: (error as Error).message };
  }
}

function checkTime(ts: Date, now: Date, limits: ValidationLimits): Validation<Date> {
  if (ts.getTime() > now.getTime() + limits.maxFutureMs)
    return {
      ok: false,
      reason: 'future',
      detail: `ts ${ts.toISOString()} is after now ${now.toISOString()} + ${limits.maxFutureMs / 1000} s`,
    };
  if (ts.getTime() < now.getTime() - limits.latenessMs)
    return {
      ok: false,
      reason: 'too_old',
      detail: `ts ${ts.toISOString()} is older than the ${limits.latenessMs / 1000} s lateness limit`,
    };
  return { ok: true, value: ts };
}

/** Telemetry payload of one device -> readings in the sign convention, or the reason it is refused. Pure. */
export function validateTelemetry(
  site: Site,
  deviceId: string,
  payload: Buffer,
  now: Date,
  limits: ValidationLimits,
): Validation<Reading[]> {
  const device = site.devices.get(deviceId);
  if (!device) return { ok: false, reason: 'unknown_device', detail: `no device "${deviceId}" in site "${site.id}"` };
  const json = parseJson(payload, limits);
  if (!json.ok) return json;
  const parsed = telemetryPayloadSchema.safeParse(json.value);
  if (!parsed.success) return { ok: false, reason: 'schema', detail: describeIssue(parsed.error) };
  const raw = 'values' in parsed.data ? parsed.data.values : [parsed.data];
  const bounds = powerBoundsW(device, site.connection);
  const readings: Reading[] = [];
  for (const [i, r] of raw.entries()) {
    const where = raw.length > 1 ? `values[${i}].` : '';
    const time = checkTime(new Date(r.ts), now, limits);
    if (!time.ok) return { ...time, detail: `${where}${time.detail}` };
    if (r.powerW < bounds.minW || r.powerW > bounds.maxW)
      return {
        ok: false,
        reason: 'out_of_range',
        detail: `${where}powerW ${r.powerW} outside [${bounds.minW}, ${bounds.maxW}] for ${device.kind} ${deviceId}`,
      };
    if (r.socPct !== undefined && (r.socPct < 0 || r.socPct > 100))
      return { ok: false, reason: 'out_of_range', detail: `${where}socPct ${r.socPct} outside [0, 100]` };
    if (r.energyWh !== undefined && r.energyWh < 0)
      return { ok: false, reason: 'out_of_range', detail: `${where}energyWh ${r.energyWh} is negative` };
    readings.push({
      siteId: site.id,
      deviceId,
      ts: time.value,
      seq: r.seq,
      powerW: r.powerW,
      energyWh: r.energyWh,
      socPct: r.socPct,
    });
  }
  return { ok: true, value: readings };
}

export function validateStatus(
  site: Site,
  deviceId: string,
  payload: Buffer,
  now: Date,
  limits: ValidationLimits,
): Validation<{ state: 'online' | 'offline'; ts: Date }> {
  if (!site.devices.has(deviceId))
    return { ok: false, reason: 'unknown_device', detail: `no device "${deviceId}" in site "${site.id}"` };
  const json = parseJson(payload, limits);
  if (!json.ok) return json;
  const parsed = statusPayloadSchema.safeParse(json.value);
  if (!parsed.success) return { ok: false, reason: 'schema', detail: describeIssue(parsed.error) };
  const ts = new Date(parsed.data.ts);
  if (ts.getTime() > now.getTime() + limits.maxFutureMs)
    return { ok: false, reason: 'future', detail: `ts ${parsed.data.ts} is in the future` };
  return { ok: true, value: { state: parsed.data.state, ts } };
}
