import { allocationHistoryProblems } from './allocation-history';
import { z } from 'zod';
import { DeviceSpec, ElectricDeviceSpec, type Site, type SiteFile, siteSchema } from './site.schema';

export type { Site } from './site.schema';
import { describeSiteIssue, namedPath } from './site-problems';
import { commodityProblems, isCommodityMeter } from './commodity';
import { accProblems } from './acc-perimeter';

export class SiteValidationError extends Error {
  readonly code = 'SITE_INVALID';
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`${source} is not a valid site file:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/**
 * The largest îlot one site holds (issue 26: a site of 20 000 meters was accepted through the API, and every app plans,
 * simulates and reports it). Beyond, split the îlot into several sites (each its own plan and its own connection).
 */
export const SITE_LIMITS = { maxDevices: 2000, maxParticipants: 1000 } as const;

function sizeProblems(devices: number, participants: number): string[] {
  const split = 'in one site: split the îlot into several sites';
  return [
    ...(devices > SITE_LIMITS.maxDevices
      ? [`buildings: ${devices} devices, at most ${SITE_LIMITS.maxDevices} ${split}`]
      : []),
    ...(participants > SITE_LIMITS.maxParticipants
      ? [`participants: ${participants}, at most ${SITE_LIMITS.maxParticipants} ${split}`]
      : []),
  ];
}

/** Validates a parsed site document: schema first, then the rules that span fields. */
export function validateSite(raw: unknown, source = 'site'): Site {
  const parsed = siteSchema.safeParse(raw);
  if (!parsed.success) {
    throw new SiteValidationError(
      source,
      parsed.error.issues.map((issue: z.core.$ZodIssue) => describeSiteIssue(issue, raw, siteSchema)),
    );
  }
  const file = parsed.data;
  const problems: string[] = [];
  const devices = new Map<string, DeviceSpec & { buildingId: string }>();
  file.buildings.forEach((building, b) =>
    building.devices.forEach((device, d) => {
      if (devices.has(device.id))
        problems.push(`${namedPath(['buildings', b, 'devices'], raw)}[${d}].id: duplicate device id "${device.id}"`);
      devices.set(device.id, { ...device, buildingId: building.id });
    }),
  );
  problems.push(...sizeProblems(devices.size, file.participants.length));
  const grids = [...devices.values()].filter((d) => d.kind === 'grid');
  if (grids.length !== 1)
    problems.push(`buildings: exactly one device of kind "grid" is required, found ${grids.length}`);
  if (!file.location && [...devices.values()].some((d) => d.kind === 'pv'))
    problems.push('location: required when the site has pv devices (the PV forecast needs the position of the sun)');
  problems.push(...capacityProblems(file), ...forecastProblems(file, devices));
  const participantIds = new Set<string>();
  const metersTaken = new Set<string>();
  file.participants.forEach((participant, p) => {
    if (participantIds.has(participant.id))
      problems.push(`${namedPath(['participants', p], raw)}.id: duplicate participant id "${participant.id}"`);
    participantIds.add(participant.id);
    const meter = devices.get(participant.meter);
    if (!meter)
      problems.push(`${namedPath(['participants', p], raw)}.meter: no device "${participant.meter}" in buildings`);
    else if (meter.kind !== 'meter')
      problems.push(
        `${namedPath(['participants', p], raw)}.meter: device "${participant.meter}" is a ${meter.kind}, not a meter`,
      );
    if (metersTaken.has(participant.meter))
      problems.push(
        `${namedPath(['participants', p], raw)}.meter: meter "${participant.meter}" already belongs to another participant`,
      );
    metersTaken.add(participant.meter);
  });
  problems.push(...commodityProblems({ ...file, devices }), ...accProblems(file, devices));
  problems.push(...allocationHistoryProblems(file.allocation));
  if ([file.allocation.key, ...file.allocation.history.map((h) => h.key)].includes('static')) {
    const missing = file.participants.findIndex((p) => p.staticShare === undefined);
    if (missing >= 0)
      problems.push(`${namedPath(['participants', missing], raw)}.staticShare: required by allocation key "static"`);
    const total = file.participants.reduce((sum, p) => sum + (p.staticShare ?? 0), 0);
    if (total > 1 + 1e-9) problems.push(`participants: static shares add up to ${total.toFixed(4)}, more than 1`);
  }
  if (problems.length > 0) throw new SiteValidationError(source, problems);
  return { ...file, devices };
}

/** A capacity tariff needs HC hours (its own or the energy tariff's) and subscriptions the connection can carry. */
function capacityProblems(file: SiteFile): string[] {
  const capacity = file.connection.capacity;
  if (!capacity) return [];
  const problems: string[] = [];
  if (!capacity.hcWindows && !('hcWindows' in file.tariff))
    problems.push('connection.capacity.hcWindows: required when the energy tariff has no HC hours (kind "dynamic")');
  for (const [timeClass, kVA] of Object.entries(capacity.subscribedKVA))
    if (kVA * 1000 * capacity.powerFactor > file.connection.importLimitW + 1e-6)
      problems.push(
        `connection.capacity.subscribedKVA.${timeClass}: ${kVA} kVA x ${capacity.powerFactor} is ${(kVA * capacity.powerFactor).toFixed(1)} kW, above the connection's importLimitW (${file.connection.importLimitW / 1000} kW)`,
      );
  return problems;
}

export function devicesOfKind<K extends DeviceSpec['kind']>(
  site: Site,
  kind: K,
): Array<Extract<DeviceSpec, { kind: K }> & { buildingId: string }> {
  return [...site.devices.values()].filter(
    (d): d is Extract<DeviceSpec, { kind: K }> & { buildingId: string } => d.kind === kind,
  );
}

/** The loads that may be shed (heat pumps, flexible loads) and declared how much (`maxShedW` > 0), in the site's order. */
export function sheddableLoads(
  site: Site,
): Array<Extract<DeviceSpec, { kind: 'heat_pump' | 'flexible_load' }> & { buildingId: string }> {
  return [...site.devices.values()].filter(
    (d): d is Extract<DeviceSpec, { kind: 'heat_pump' | 'flexible_load' }> & { buildingId: string } =>
      (d.kind === 'heat_pump' || d.kind === 'flexible_load') && d.maxShedW > 0,
  );
}

/** The devices of the îlot's electricity (each reports a power), in the site's order: what the planner and the world see. */
export function electricDevices(site: Site): Array<ElectricDeviceSpec & { buildingId: string }> {
  return [...site.devices.values()].filter(
    (d): d is ElectricDeviceSpec & { buildingId: string } => !isCommodityMeter(d),
  );
}

export function gridDeviceId(site: Site): string {
  return devicesOfKind(site, 'grid')[0].id;
}

/**
 * The îlot's shared devices: every device but the meters (of electricity and of the other commodities) (grid connection, PV, batteries, heat pumps, chargers). What
 * the operator's dashboards may show device by device. A meter is a participant's load curve, personal data (issue
 * 15), and stays so when it has none now: its history is the former participant's.
 */
export function sharedDevices(site: Site): Array<{ id: string; kind: DeviceSpec['kind'] }> {
  return [...site.devices.entries()]
    .filter(([, d]) => d.kind !== 'meter' && !isCommodityMeter(d))
    .map(([id, d]) => ({ id, kind: d.kind }));
}

/** A provider names a PV array of the site, and the weather is asked where the site is. */
function forecastProblems(file: SiteFile, devices: ReadonlyMap<string, DeviceSpec>): string[] {
  const providers = file.forecast?.providers ?? [];
  const problems: string[] = [];
  providers.forEach((provider, p) => {
    if (
      (provider.type === 'http-json' || provider.type === 'solcast') &&
      provider.device &&
      devices.get(provider.device)?.kind !== 'pv'
    )
      problems.push(`forecast.providers[${p}].device: "${provider.device}" is not a pv device of the site`);
    if ((provider.type === 'open-meteo' || provider.type === 'forecast-solar') && !file.location)
      problems.push(`forecast.providers[${p}]: ${provider.type} needs the site's location`);
  });
  if (providers.length && ![...devices.values()].some((d) => d.kind === 'pv'))
    problems.push('forecast: the site has no pv device to forecast');
  return problems;
}
