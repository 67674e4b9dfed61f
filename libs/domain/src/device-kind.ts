/** The devices of the îlot's electricity, which report a power (W). */
export const ELECTRIC_KINDS = ['grid', 'meter', 'pv', 'battery', 'heat_pump', 'ev_charger', 'flexible_load'] as const;
/** A participant's meters of the other commodities (issue 16), which report an index or a quantity, never a power. */
export const COMMODITY_METER_KINDS = ['gas_meter', 'water_meter', 'heat_meter'] as const;
export const DEVICE_KINDS = [...ELECTRIC_KINDS, ...COMMODITY_METER_KINDS] as const;
export type DeviceKind = (typeof DEVICE_KINDS)[number];
export type ElectricKind = (typeof ELECTRIC_KINDS)[number];

/** Devices whose power counts as consumption of the îlot (>= 0). */
export const CONSUMING_KINDS: ReadonlySet<DeviceKind> = new Set(['meter', 'heat_pump', 'ev_charger', 'flexible_load']);

export function isElectricKind(kind: DeviceKind): kind is ElectricKind {
  return (ELECTRIC_KINDS as readonly string[]).includes(kind);
}
