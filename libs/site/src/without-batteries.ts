import type { Site } from './site.schema';

/** The same îlot without its batteries (the replay's "no-battery" strategy: what the batteries earn, issue 27 §6). */
export function withoutBatteries(site: Site): Site {
  return {
    ...site,
    buildings: site.buildings.map((b) => ({ ...b, devices: b.devices.filter((d) => d.kind !== 'battery') })),
    devices: new Map([...site.devices].filter(([, d]) => d.kind !== 'battery')),
  };
}
