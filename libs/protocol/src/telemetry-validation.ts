import { type Checked, type EvSession, type Reading, refused } from '@ilot/domain';
import { electricDevices, isCommodityMeter, powerBoundsW, type Site, sheddableLoads } from '@ilot/site';
import { decode, type RejectReason } from './decode';
import { checkInstant, type InboundLimits } from './inbound-limits';
import { type EvSessionPayload, statusPayloadSchema, telemetryPayloadSchema } from './telemetry';

export type Validation<T> = Checked<T, RejectReason>;

/** Telemetry payload of one device -> readings in the sign convention, or the reason it is refused, naming the field. Pure. */
export function validateTelemetry(
  site: Site,
  deviceId: string,
  payload: Buffer,
  now: Date,
  limits: InboundLimits,
): Validation<Reading[]> {
  const device = site.devices.get(deviceId);
  if (!device) return refused('unknown_device', `no device "${deviceId}" in site "${site.id}"`);
  if (isCommodityMeter(device))
    return refused('schema', `${deviceId} is a ${device.kind}: its readings are an index or a quantity, not a power`);
  const decoded = decode(payload, telemetryPayloadSchema, limits);
  if (!decoded.ok) return decoded;
  const raw = 'values' in decoded.value ? decoded.value.values : [decoded.value];
  const bounds = powerBoundsW(device, { connection: site.connection, devices: electricDevices(site) });
  const sheddable = sheddableLoads(site).some((load) => load.id === deviceId);
  const readings: Reading[] = [];
  for (const [i, r] of raw.entries()) {
    const where = raw.length > 1 || 'values' in decoded.value ? `values.${i}.` : '';
    const time = checkInstant(new Date(r.ts), now, limits, `${where}ts`);
    if (!time.ok) return time;
    if (r.powerW < bounds.minW || r.powerW > bounds.maxW)
      return refused(
        'out_of_range',
        `${where}powerW: ${r.powerW} outside [${bounds.minW}, ${bounds.maxW}] for ${device.kind} ${deviceId}`,
      );
    if (r.socPct !== undefined && device.kind !== 'battery')
      return refused('out_of_range', `${where}socPct: a ${device.kind} has no state of charge`);
    if (r.session && device.kind !== 'ev_charger')
      return refused('out_of_range', `${where}session: a ${device.kind} has no charging session`);
    if (r.owedWh !== undefined && !sheddable)
      return refused(
        'out_of_range',
        `${where}owedWh: ${deviceId} is not a sheddable load (a heat_pump or flexible_load with maxShedW)`,
      );
    readings.push({
      siteId: site.id,
      deviceId,
      ts: time.value,
      seq: r.seq,
      powerW: r.powerW,
      energyWh: r.energyWh,
      socPct: r.socPct,
      ...(r.session ? { evSession: evSessionOf(r.session) } : {}),
      ...(r.owedWh === undefined ? {} : { owedWh: r.owedWh }),
    });
  }
  return { ok: true, value: readings };
}

function evSessionOf({ departure, ...session }: EvSessionPayload): EvSession {
  return { ...session, ...(departure === undefined ? {} : { departure: new Date(departure) }) };
}

/** A status message (online/offline, the Last Will) -> its state and instant, or the reason it is refused. Pure. */
export function validateStatus(
  site: Site,
  deviceId: string,
  payload: Buffer,
  now: Date,
  limits: InboundLimits,
): Validation<{ state: 'online' | 'offline'; ts: Date }> {
  if (!site.devices.has(deviceId)) return refused('unknown_device', `no device "${deviceId}" in site "${site.id}"`);
  const decoded = decode(payload, statusPayloadSchema, limits);
  if (!decoded.ok) return decoded;
  // A status may be old (a retained Last Will): only the future is refused.
  const ts = checkInstant(new Date(decoded.value.ts), now, { maxFutureMs: limits.maxFutureMs }, 'ts');
  return ts.ok ? { ok: true, value: { state: decoded.value.state, ts: ts.value } } : ts;
}
