import type { Reading } from '@ilot/domain';
import { validateSite, type Site } from '@ilot/site';

/** Two flats and a shop behind one grid meter; 10 kW of PV; a heat pump of the building, served first. */
export function ledgerSite(key: Site['allocation']['key'] = 'dynamic-default', id = 'ledger'): Site {
  return validateSite({
    id,
    name: 'ledger test',
    timezone: 'Europe/Paris',
    location: { latitudeDeg: 45.7, longitudeDeg: 4.8 },
    connection: { importLimitW: 60_000, exportLimitW: 30_000 },
    tariff: { kind: 'hphc', hpEurPerKWh: 0.27, hcEurPerKWh: 0.2, hcWindows: ['22:00-06:00'], feedInEurPerKWh: 0.1 },
    allocation: { key },
    participants: [
      { id: 'flat-1', kind: 'resident', meter: 'm-1' },
      { id: 'flat-2', kind: 'resident', meter: 'm-2' },
      { id: 'shop-1', kind: 'business', meter: 'm-3' },
    ],
    buildings: [
      {
        id: 'b',
        name: 'B',
        devices: [
          { id: 'grid', kind: 'grid' },
          { id: 'm-1', kind: 'meter', annualKWh: 2000, profile: 'flat' },
          { id: 'm-2', kind: 'meter', annualKWh: 2000, profile: 'flat' },
          { id: 'm-3', kind: 'meter', annualKWh: 2000, profile: 'flat' },
          { id: 'pv-1', kind: 'pv', peakW: 10_000 },
          { id: 'hp-1', kind: 'heat_pump', ratedW: 3000 },
        ],
      },
    ],
  });
}

/** Readings every 5 min over [fromMs, fromMs + 15 min) at a constant power. */
export function quarter(siteId: string, deviceId: string, fromMs: number, powerW: number): Reading[] {
  return [0, 1, 2].map((k) => ({
    siteId,
    deviceId,
    ts: new Date(fromMs + k * 300_000),
    seq: fromMs / 1000 + k,
    powerW,
  }));
}

export const T0 = Date.parse('2026-01-10T12:00:00Z');

/**
 * The readings of two steps: at 12:00Z flats 1 and 3 kW, shop 2 kW, PV 5 kW of which the heat pump takes 1 kW
 * (1000 Wh to share); at 12:15Z flats 2 kW each, PV 2.4 kW (600 Wh), the shop's meter silent.
 */
export function ledgerReadings(siteId: string): Reading[] {
  return [
    ...quarter(siteId, 'm-1', T0, 1000),
    ...quarter(siteId, 'm-2', T0, 3000),
    ...quarter(siteId, 'm-3', T0, 2000),
    ...quarter(siteId, 'pv-1', T0, 5000),
    ...quarter(siteId, 'hp-1', T0, 1000),
    ...quarter(siteId, 'm-1', T0 + 900_000, 2000),
    ...quarter(siteId, 'm-2', T0 + 900_000, 2000),
    ...quarter(siteId, 'pv-1', T0 + 900_000, 2400),
  ];
}

/** libs/residents' ledger site with four flats who meter gas, and flat-1 its water too. */
export function multiEnergySite(id = 'multi'): Site {
  return validateSite({
    id,
    name: 'multi-energy test',
    timezone: 'Europe/Paris',
    location: { latitudeDeg: 45.7, longitudeDeg: 4.8 },
    connection: { importLimitW: 60_000, exportLimitW: 30_000 },
    tariff: { kind: 'hphc', hpEurPerKWh: 0.27, hcEurPerKWh: 0.2, hcWindows: ['22:00-06:00'], feedInEurPerKWh: 0.1 },
    commodities: {
      electricity: { kgCo2PerKWh: 0.052 },
      gas: { kWhPerM3: 11.2, eurPerKWh: 0.12, kgCo2PerKWh: 0.205 },
      water: { eurPerM3: 4.34, kgCo2PerM3: 0.132 },
    },
    allocation: { key: 'dynamic-default' },
    participants: [
      { id: 'flat-1', kind: 'resident', meter: 'm-1', gasMeter: 'g-1', waterMeter: 'w-1' },
      { id: 'flat-2', kind: 'resident', meter: 'm-2', gasMeter: 'g-2' },
      { id: 'shop-1', kind: 'business', meter: 'm-3' },
      { id: 'flat-3', kind: 'resident', meter: 'm-4', gasMeter: 'g-3' },
      { id: 'flat-4', kind: 'resident', meter: 'm-5', gasMeter: 'g-4' },
    ],
    buildings: [
      {
        id: 'b',
        devices: [
          { id: 'grid', kind: 'grid' },
          ...['m-1', 'm-2', 'm-3', 'm-4', 'm-5'].map((id) => ({ id, kind: 'meter', annualKWh: 2000, profile: 'flat' })),
          { id: 'pv-1', kind: 'pv', peakW: 10_000 },
          { id: 'hp-1', kind: 'heat_pump', ratedW: 3000 },
          ...['g-1', 'g-2', 'g-3', 'g-4'].map((id) => ({ id, kind: 'gas_meter' })),
          { id: 'w-1', kind: 'water_meter' },
        ],
      },
    ],
  });
}

/** Every electricity device of multiEnergySite at `ts`: its 5 meters at 0.7 to 1.5 kW (5.5 in all), the heat pump at 2. */
export function multiEnergyReadings(siteId: string, ts: Date, pvW: number, gridW: number): Reading[] {
  const powers = {
    'm-1': 700,
    'm-2': 900,
    'm-3': 1100,
    'm-4': 1300,
    'm-5': 1500,
    'hp-1': 2000,
    'pv-1': pvW,
    grid: gridW,
  };
  return Object.entries(powers).map(([deviceId, powerW], seq) => ({ siteId, deviceId, ts, seq, powerW }));
}
