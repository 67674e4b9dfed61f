export const DEVICE_KINDS = ['grid', 'meter', 'pv', 'battery', 'heat_pump', 'ev_charger', 'flexible_load'] as const;
export type DeviceKind = (typeof DEVICE_KINDS)[number];

/** Devices whose power counts as consumption of the îlot (>= 0). */
export const CONSUMING_KINDS: ReadonlySet<DeviceKind> = new Set(['meter', 'heat_pump', 'ev_charger', 'flexible_load']);
