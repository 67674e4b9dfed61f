import type { ElectricDeviceSpec, SiteFile } from './site.schema';

/**
 * The range of power a device can physically report, W, in the sign convention of libs/domain,
 * with a margin for meter accuracy and short overloads. Readings outside it are rejected.
 */
export function powerBoundsW(
  device: ElectricDeviceSpec,
  connection: SiteFile['connection'],
): { minW: number; maxW: number } {
  switch (device.kind) {
    case 'grid':
      return {
        minW: -2 * Math.max(connection.exportLimitW, connection.importLimitW),
        maxW: 2 * Math.max(connection.importLimitW, connection.exportLimitW),
      };
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
