import type { DeviceSpec, Site } from './site.schema';

/** What a participant consumes besides the electricity of their meter (issue 16). */
export const COMMODITIES = ['gas', 'water', 'heat'] as const;
export type Commodity = (typeof COMMODITIES)[number];

/**
 * Each commodity's meter: its device kind, the participant's field naming it, the unit of its readings (an index, or
 * a quantity since the previous reading, in the same unit) and its ceiling on the flow per hour, in that unit.
 */
export const COMMODITY_METERS = {
  gas: { kind: 'gas_meter', participantField: 'gasMeter', unit: 'm3' },
  water: { kind: 'water_meter', participantField: 'waterMeter', unit: 'L' },
  heat: { kind: 'heat_meter', participantField: 'heatMeter', unit: 'Wh' },
} as const satisfies Record<
  Commodity,
  { kind: DeviceSpec['kind']; participantField: 'gasMeter' | 'waterMeter' | 'heatMeter'; unit: string }
>;
export type CommodityMeterKind = (typeof COMMODITY_METERS)[Commodity]['kind'];
export type CommodityMeterSpec = Extract<DeviceSpec, { kind: CommodityMeterKind }>;
export type CommodityUnit = (typeof COMMODITY_METERS)[Commodity]['unit'];

export function isCommodityMeter(device: DeviceSpec): device is CommodityMeterSpec {
  return device.kind === 'gas_meter' || device.kind === 'water_meter' || device.kind === 'heat_meter';
}

export function commodityOf(device: CommodityMeterSpec): Commodity {
  return device.kind === 'gas_meter' ? 'gas' : device.kind === 'water_meter' ? 'water' : 'heat';
}

/** The most a meter can count in an hour, in its unit. */
export function maxQuantityPerHour(device: CommodityMeterSpec): number {
  switch (device.kind) {
    case 'gas_meter':
      return device.maxFlowM3PerH;
    case 'water_meter':
      return device.maxFlowLPerH;
    case 'heat_meter':
      return device.maxPowerW;
  }
}

/** A participant's meter of a commodity, if they have one. */
export function participantMeterOf(site: Site, participantId: string, commodity: Commodity): string | undefined {
  const participant = site.participants.find((p) => p.id === participantId);
  return participant?.[COMMODITY_METERS[commodity].participantField];
}

/** Problems of the participants' commodity meters (each of the right kind, one participant each) and their prices. */
export function commodityProblems(site: Pick<Site, 'participants' | 'devices' | 'commodities'>): string[] {
  const problems: string[] = [];
  const taken = new Map<string, string>();
  site.participants.forEach((participant, p) => {
    for (const commodity of COMMODITIES) {
      const { participantField, kind } = COMMODITY_METERS[commodity];
      const meterId = participant[participantField];
      if (meterId === undefined) continue;
      const where = `participants[${p}] (${participant.id}).${participantField}`;
      const device = site.devices.get(meterId);
      if (!device) problems.push(`${where}: no device "${meterId}" in buildings`);
      else if (device.kind !== kind) problems.push(`${where}: device "${meterId}" is a ${device.kind}, not a ${kind}`);
      const owner = taken.get(meterId);
      if (owner) problems.push(`${where}: meter "${meterId}" already belongs to ${owner}`);
      taken.set(meterId, participant.id);
    }
  });
  for (const commodity of COMMODITIES) {
    const metered = [...site.devices.values()].some((d) => d.kind === COMMODITY_METERS[commodity].kind);
    if (metered && !site.commodities?.[commodity])
      problems.push(
        `commodities.${commodity}: required when the site has ${COMMODITY_METERS[commodity].kind} devices (its price and CO2 factor)`,
      );
  }
  return problems;
}
