import type { ElectricDeviceSpec, SiteFile } from './site.schema';

/** What a grid meter's range is drawn from: the site's contract and the devices behind the meter. */
export interface GridBoundsInput {
  connection: SiteFile['connection'];
  /** The site's electric devices (the grid meter among them is skipped). */
  devices: Iterable<ElectricDeviceSpec>;
}

/**
 * The range of power a device can physically report, W, in the sign convention of libs/domain,
 * with a margin for meter accuracy and short overloads. Readings outside it are rejected.
 *
 * A grid meter measures whatever flows, overruns of the contract included (billed, not cut, above 36 kVA): its range
 * is twice the contract, or what every device behind it could draw (or inject) at once when that is more. Regression
 * (issue 30 §1, the soak): bounded by twice the contract alone, the real readings of an evening peak of 2.3 times the
 * contract were refused as out of range.
 */
export function powerBoundsW(device: ElectricDeviceSpec, site: GridBoundsInput): { minW: number; maxW: number } {
  if (device.kind !== 'grid') return deviceBoundsW(device);
  let drawW = 0;
  let injectW = 0;
  for (const other of site.devices) {
    if (other.kind === 'grid') continue;
    const { minW, maxW } = deviceBoundsW(other);
    // A device's positive power is drawn (a consumer) or produced (PV, a battery discharging); its negative power the
    // other way round (PV's standby draw, a battery charging).
    const produces = other.kind === 'pv' || other.kind === 'battery';
    drawW += produces ? -minW : maxW;
    injectW += produces ? maxW : 0;
  }
  const { importLimitW, exportLimitW } = site.connection;
  return {
    minW: -Math.max(2 * Math.max(exportLimitW, importLimitW), injectW),
    maxW: Math.max(2 * Math.max(importLimitW, exportLimitW), drawW),
  };
}

function deviceBoundsW(device: Exclude<ElectricDeviceSpec, { kind: 'grid' }>): { minW: number; maxW: number } {
  switch (device.kind) {
    case 'meter':
      // Peak demand of a consumer rarely exceeds 25 times its mean power; never below a 12 kVA flat.
      return { minW: 0, maxW: Math.max(12_000, ((device.annualKWh * 1000) / 8760) * 25) };
    case 'pv':
      // Inverters draw a little at night; clear cold days exceed nameplate slightly.
      return { minW: -0.02 * device.peakW, maxW: 1.2 * device.peakW };
    case 'battery':
      return { minW: -1.1 * device.maxChargeW, maxW: 1.1 * device.maxDischargeW };
    case 'heat_pump':
      return { minW: 0, maxW: 1.2 * device.ratedW };
    case 'ev_charger':
      return { minW: 0, maxW: 1.1 * device.maxW };
    case 'flexible_load':
      return { minW: 0, maxW: 1.2 * (device.ratedW ?? Math.max(device.maxShedW, 1000)) };
    default: {
      const unreachable: never = device;
      throw new Error(`unknown device ${JSON.stringify(unreachable)}`);
    }
  }
}
