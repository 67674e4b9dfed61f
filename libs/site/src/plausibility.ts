import type { Site } from './site';

/**
 * Powers and energies below these are read as a unit mistake (kW or kWh written where W or Wh is meant): no PV array,
 * battery, heat pump or charger of a building is that small. A warning, never a refusal: the file may be right.
 */
const SMALLEST_W = 100;
const SMALLEST_WH = 100;
/** Both SoC bounds at or below this read as fractions (0.1, 0.95) where percentages are meant. */
const FRACTION_PCT = 1;

/**
 * What a valid site file may have got wrong, each a warning naming the device and field (issue 25: `minSocPct: 0.1,
 * maxSocPct: 0.95` made both batteries useless, and `peakW: 36` a 36 kWp array 36 W): a fraction where a percentage
 * is meant, kW or kWh where W or Wh is meant, a meter no participant holds (its consumption is in no one's report and
 * no allocation). Pure.
 */
export function siteWarnings(site: Site): string[] {
  const warnings: string[] = [];
  const small = (id: string, field: string, value: number, unit: 'W' | 'Wh') => {
    if (value < (unit === 'W' ? SMALLEST_W : SMALLEST_WH))
      warnings.push(
        `${id}.${field}: ${value} ${unit} is implausibly small: ${unit} are meant, not k${unit} (${value} k${unit} is ${value * 1000})`,
      );
  };
  const held = new Set(site.participants.map((p) => p.meter));
  for (const device of site.devices.values()) {
    switch (device.kind) {
      case 'pv':
        small(device.id, 'peakW', device.peakW, 'W');
        break;
      case 'battery':
        small(device.id, 'capacityWh', device.capacityWh, 'Wh');
        small(device.id, 'maxChargeW', device.maxChargeW, 'W');
        small(device.id, 'maxDischargeW', device.maxDischargeW, 'W');
        if (device.maxSocPct <= FRACTION_PCT)
          warnings.push(
            `${device.id}.minSocPct, maxSocPct: ${device.minSocPct} and ${device.maxSocPct} read as fractions: percentages are meant (${device.minSocPct * 100} and ${device.maxSocPct * 100}); as written the battery may hold ${(device.maxSocPct - device.minSocPct).toFixed(2)} % of its capacity`,
          );
        break;
      case 'heat_pump':
        small(device.id, 'ratedW', device.ratedW, 'W');
        break;
      case 'ev_charger':
        small(device.id, 'maxW', device.maxW, 'W');
        break;
      case 'meter':
        if (!held.has(device.id))
          warnings.push(
            `${device.id}: a meter no participant holds: its consumption counts in the îlot's but in no one's report or allocation`,
          );
        break;
      case 'grid':
      case 'flexible_load':
      case 'gas_meter':
      case 'water_meter':
      case 'heat_meter':
        break;
    }
  }
  small('connection', 'importLimitW', site.connection.importLimitW, 'W');
  return warnings;
}
