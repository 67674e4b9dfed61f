import { seededRandom } from '@ilot/domain';
/**
 * Site documents for a fleet of îlots of varied sizes (demos, `npm run bench:fleet`, the many-îlot tests): each a
 * valid site file's content, drawn from a seeded generator so the same seed gives the same fleet. Sizes range from a
 * small residence (12 flats, one roof) to a large block (72 flats, shops, an office, a school), with PV on most roofs,
 * a shared battery on most sites, heat pumps and EV chargers. Plain data: no file is read or written here.
 */
export function generateSiteDocuments(count: number, seed = 1): Array<Record<string, unknown>> {
  const random = seededRandom(seed);
  const between = (low: number, high: number) => low + Math.floor(random() * (high - low + 1));
  return Array.from({ length: count }, (_, k) => generatedSite(k, between(12, 72), random, between));
}

type Document = Record<string, unknown>;
type Between = (low: number, high: number) => number;

function generatedSite(k: number, flats: number, random: () => number, between: Between): Document {
  const buildings = Array.from({ length: Math.ceil(flats / 16) }, (_, b) =>
    residentialBuilding(b + 1, Math.min(16, flats - b * 16), random, between),
  );
  buildings[0].devices.unshift({ id: 'grid', kind: 'grid' });
  const offices = flats >= 40;
  if (offices)
    buildings.push({
      id: 'office',
      devices: [
        { id: 'm-office', kind: 'meter', annualKWh: between(80, 160) * 1000, profile: 'office' },
        { id: 'pv-office', kind: 'pv', peakW: between(30, 80) * 1000 },
        { id: 'ev-office', kind: 'ev_charger', maxW: 22_000 },
      ],
    });
  const meters = buildings.flatMap((b) => b.devices.filter((d) => d.kind === 'meter'));
  const annualKWh = meters.reduce((sum, m) => sum + (m.annualKWh as number), 0);
  // The contracted power: about three times the mean load, in whole kW (the demo: 160 kW for some 600 MWh a year).
  const importLimitW = Math.max(Math.round((annualKWh / 8760) * 3) * 1000, 12_000);
  if (random() < 0.7) buildings[0].devices.push(batteryFor(importLimitW));
  return {
    id: `ilot-${String(k + 1).padStart(3, '0')}`,
    name: `Îlot ${k + 1} (${flats} flats${offices ? ', offices' : ''})`,
    timezone: 'Europe/Paris',
    location: { latitudeDeg: 43.3 + random() * 6.5, longitudeDeg: -1.5 + random() * 8.5 },
    connection: { importLimitW, exportLimitW: importLimitW },
    tariff: { kind: 'hphc', hpEurPerKWh: 0.27, hcEurPerKWh: 0.2068, hcWindows: ['22:00-06:00'], feedInEurPerKWh: 0.1 },
    allocation: { key: 'dynamic-default' },
    participants: meters.map((m) => ({
      id: `p-${(m.id as string).slice(2)}`,
      kind: m.profile === 'flat' ? 'resident' : 'business',
      meter: m.id,
    })),
    buildings,
  };
}

/** A residential building: its flats' meters, and (on most) a PV roof, a heat pump, a charger, a shop downstairs. */
function residentialBuilding(
  b: number,
  flats: number,
  random: () => number,
  between: Between,
): { id: string; devices: Document[] } {
  const devices: Document[] = Array.from({ length: flats }, (_, f) => ({
    id: `m-${b}-${f + 1}`,
    kind: 'meter',
    annualKWh: between(16, 34) * 100,
    profile: 'flat',
  }));
  if (random() < 0.85) devices.push({ id: `pv-${b}`, kind: 'pv', peakW: between(12, 40) * 1000 });
  if (random() < 0.6)
    devices.push({ id: `hp-${b}`, kind: 'heat_pump', ratedW: 10_000, maxShedW: 6000, maxShedMinutes: 60 });
  if (random() < 0.5) devices.push({ id: `ev-${b}`, kind: 'ev_charger', maxW: 7400 });
  if (random() < 0.3)
    devices.push({ id: `shop-${b}`, kind: 'meter', annualKWh: between(15, 40) * 1000, profile: 'shop' });
  return { id: `building-${b}`, devices };
}

/** A shared battery sized on the contract: 1.2 h of it, charged and discharged at half of it. */
function batteryFor(importLimitW: number): Document {
  return {
    id: 'bat-1',
    kind: 'battery',
    capacityWh: Math.round(importLimitW * 1.2),
    maxChargeW: Math.round(importLimitW * 0.5),
    maxDischargeW: Math.round(importLimitW * 0.5),
    minSocPct: 10,
    maxSocPct: 95,
    chargeEfficiency: 0.95,
    dischargeEfficiency: 0.95,
  };
}
