import { z } from 'zod';
import { accBillingSchema, partySchema } from './acc-billing.schema';
import { commoditiesSchema, commodityMeterDevices } from './commodity.schema';
import type { PricePoint } from './price-series';

const id = z.string().regex(/^[a-z0-9-]+$/, 'must match [a-z0-9-]+');
/**
 * How the production is shared: by fixed shares, by consumption, by the PMO's shares of the whole production per step
 * (`dynamic-custom`, Enedis' "dynamique simple"), or by the PMO's coefficients per producer and consumer per step
 * (`dynamic-full`, issue 29 §2: only on the public grid, where each producer has its injection point).
 */
const allocationKind = z.enum(['static', 'dynamic-default', 'dynamic-custom', 'dynamic-full']);
const localDate = z.string().regex(/^20\d\d-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, 'a local date YYYY-MM-DD');
const positive = z.number().finite().positive();
const nonNegative = z.number().finite().nonnegative();
const pct = z.number().finite().min(0).max(100);
const efficiency = z.number().finite().gt(0).max(1);
const hhmm = /^([01]\d|2[0-3]):[0-5]\d$/;
const window = z
  .string()
  .refine((s) => s.split('-').length === 2 && s.split('-').every((p) => hhmm.test(p)), 'must be "HH:MM-HH:MM"');

/** A point on the map (WGS 84): the site's, or a delivery or injection point's in collective self-consumption. */
const position = z.strictObject({
  latitudeDeg: z.number().min(-90).max(90),
  longitudeDeg: z.number().min(-180).max(180),
});
/** A delivery point's id on the French public grid (PRM, point de référence mesure): 14 digits. */
const prm = z.string().regex(/^\d{14}$/, 'a delivery point id (PRM) is 14 digits');

/** Every device may say how long it may stay silent before its readings are stale (default: the optimiser's ILOT_STATE_MAX_AGE_S). */
const maxAgeS = positive.optional();
const gridDevice = z.strictObject({ id, kind: z.literal('grid'), maxAgeS });
/** `profile` tells the simulators which measured load shape drives this meter. */
const meterDevice = z.strictObject({
  id,
  kind: z.literal('meter'),
  maxAgeS,
  annualKWh: positive,
  profile: z.enum(['flat', 'office', 'school', 'shop']).optional(),
});
/**
 * A PV array. Its plane (issue 27 §3) is what a weather provider's tilted irradiance is asked for: `tiltDeg` from the
 * horizontal (default 30), `azimuthDeg` the compass direction it faces (default 180, south); `inverterW` its AC limit
 * (default: the peak power), where a forecast is clipped.
 */
const pvDevice = z.strictObject({
  id,
  kind: z.literal('pv'),
  maxAgeS,
  peakW: positive,
  tiltDeg: z.number().finite().min(0).max(90).default(30),
  azimuthDeg: z.number().finite().min(0).lt(360).default(180),
  inverterW: positive.optional(),
  /** On the public grid (`topology: public-grid-acc`, issue 29): its injection point's id and where it is. */
  injectionPrm: prm.optional(),
  position: position.optional(),
});
const batteryDevice = z
  .strictObject({
    id,
    kind: z.literal('battery'),
    maxAgeS,
    capacityWh: positive,
    maxChargeW: positive,
    maxDischargeW: positive,
    minSocPct: pct.default(0),
    maxSocPct: pct.default(100),
    chargeEfficiency: efficiency.default(0.95),
    dischargeEfficiency: efficiency.default(0.95),
  })
  .refine((b) => b.minSocPct < b.maxSocPct, { message: 'minSocPct must be below maxSocPct', path: ['minSocPct'] });
const heatPumpDevice = z
  .strictObject({
    id,
    kind: z.literal('heat_pump'),
    maxAgeS,
    ratedW: positive,
    maxShedW: nonNegative.default(0),
    maxShedMinutes: nonNegative.default(0),
    annualKWh: positive.optional(),
  })
  .refine((d) => d.maxShedW <= d.ratedW, { message: 'maxShedW must not exceed ratedW', path: ['maxShedW'] });
const evChargerDevice = z.strictObject({ id, kind: z.literal('ev_charger'), maxAgeS, maxW: positive });
const flexibleLoadDevice = z.strictObject({
  id,
  kind: z.literal('flexible_load'),
  maxAgeS,
  maxShedW: nonNegative,
  maxShedMinutes: nonNegative,
  ratedW: positive.optional(),
});

export const deviceSchema = z.discriminatedUnion('kind', [
  gridDevice,
  meterDevice,
  pvDevice,
  batteryDevice,
  heatPumpDevice,
  evChargerDevice,
  flexibleLoadDevice,
  ...commodityMeterDevices,
]);

const hphcTariff = z.strictObject({
  kind: z.literal('hphc'),
  hpEurPerKWh: nonNegative,
  hcEurPerKWh: nonNegative,
  hcWindows: z.array(window).min(1),
  feedInEurPerKWh: nonNegative,
});
const colourPrices = z.strictObject({ hpEurPerKWh: nonNegative, hcEurPerKWh: nonNegative });
const tempoTariff = z.strictObject({
  kind: z.literal('tempo'),
  blue: colourPrices,
  white: colourPrices,
  red: colourPrices,
  hcWindows: z.array(window).min(1),
  feedInEurPerKWh: nonNegative,
});
const dynamicTariff = z.strictObject({
  kind: z.literal('dynamic'),
  seriesFile: z.string().min(1),
  feedInEurPerKWh: nonNegative,
  peakEurPerKW: nonNegative.optional(),
});

/** The time classes of a French BT > 36 kVA connection (TURPE), in the order each subscription must not decrease. */
export const CAPACITY_CLASSES = ['HPH', 'HCH', 'HPB', 'HCB'] as const;
export type CapacityClass = (typeof CAPACITY_CLASSES)[number];
const perClass = (value: z.ZodNumber) =>
  z.strictObject({ HPH: value, HCH: value, HPB: value, HCB: value }) as z.ZodType<Record<CapacityClass, number>>;

/**
 * A capacity tariff (TURPE BT > 36 kVA, "C4", style; docs/site-file.md): one subscribed power per time class (winter /
 * summer x HP / HC), each at least the previous; a fixed cost per kVA and year, paid on each class's increase over the
 * previous one; and a penalty for overrun, per hour of overrun or per kW of the month's highest overrun.
 */
const capacityTariff = z
  .strictObject({
    subscribedKVA: perClass(positive),
    eurPerKVAYear: perClass(nonNegative),
    overrun: z.union([z.strictObject({ eurPerHour: nonNegative }), z.strictObject({ eurPerKW: nonNegative })]),
    /** Active power per kVA subscribed: Enedis controls BT > 36 kVA overruns on 0.93 x the apparent power. */
    powerFactor: z.number().gt(0).max(1).default(0.93),
    /** The HC hours of the network tariff, local time; default: the energy tariff's `hcWindows`. */
    hcWindows: z.array(window).min(1).optional(),
    /** Winter months (1-12, local time); the other months are summer. */
    winterMonths: z.array(z.number().int().min(1).max(12)).default([11, 12, 1, 2, 3]),
  })
  .refine(
    (c) => CAPACITY_CLASSES.every((k, i) => i === 0 || c.subscribedKVA[k] >= c.subscribedKVA[CAPACITY_CLASSES[i - 1]]),
    {
      message: 'each class must subscribe at least the previous one (HPH <= HCH <= HPB <= HCB)',
      path: ['subscribedKVA'],
    },
  );

const baseUrl = z.string().regex(/^https?:\/\/\S+$/, 'must be an http(s) address');
/**
 * Weather providers of the PV forecast, in order of preference (issue 27 §3, docs/forecasting.md): the first that
 * answers is stored and planned on; when none has for `maxAgeH`, the planner's own forecast plans.
 */
const forecastProvider = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('open-meteo'), baseUrl: baseUrl.optional() }),
  z.strictObject({ type: z.literal('forecast-solar'), baseUrl: baseUrl.optional() }),
  z.strictObject({
    type: z.literal('solcast'),
    baseUrl: baseUrl.optional(),
    /** The rooftop site's resource id at Solcast. */
    resourceId: z.string().regex(/^[A-Za-z0-9-]{1,64}$/, 'letters, digits and - (at most 64)'),
    /** The array it forecasts; absent: the whole site. */
    device: id.optional(),
    /** The calls the account allows a day (a hobbyist's: 10): the fetches are spread under it. */
    dailyCalls: z.number().int().min(1).max(10_000).default(10),
  }),
  z.strictObject({
    type: z.literal('http-json'),
    url: baseUrl,
    seriesPath: z.string().optional(),
    timeField: z.string().min(1),
    powerField: z.string().min(1),
    powerUnit: z.enum(['W', 'kW']).default('W'),
    timeIs: z.enum(['start', 'end']).default('start'),
    device: id.optional(),
  }),
]);
const forecastSection = z.strictObject({
  providers: z.array(forecastProvider).min(1),
  maxAgeH: z.number().finite().positive().max(48).default(24),
});
export type ForecastProviderSpec = z.infer<typeof forecastProvider>;

export const siteSchema = z.strictObject({
  id,
  name: z.string().min(1),
  timezone: z.string().refine(isIanaTimeZone, 'must be an IANA time zone such as Europe/Paris'),
  location: position.optional(),
  /**
   * Behind one connection (the default: the îlot's meters behind its grid meter), or a collective self-consumption
   * operation on the public grid (issue 29): each participant behind its own Linky (its `prm` and `position`), each
   * producer its injection point's, within the perimeter and capacity of `acc`.
   */
  topology: z.enum(['behind-one-connection', 'public-grid-acc']).default('behind-one-connection'),
  acc: z
    .strictObject({
      /** Mainland France (3 MW of production at most) or a non-interconnected zone (0.5 MW). */
      zone: z.enum(['metropolitan', 'zni']).default('metropolitan'),
      /** A wider perimeter granted by derogation (up to 20 km): its distance and the act granting it. */
      derogation: z
        .strictObject({ maxDistanceKm: z.number().positive().max(20), reference: z.string().min(1) })
        .optional(),
      /** How the PMO bills its members (issue 29 §4, docs/acc.md); without it, the operation is not invoiced. */
      billing: accBillingSchema.optional(),
    })
    .optional(),
  connection: z.strictObject({
    importLimitW: positive,
    exportLimitW: nonNegative,
    capacity: capacityTariff.optional(),
  }),
  tariff: z.discriminatedUnion('kind', [hphcTariff, tempoTariff, dynamicTariff]),
  /** The licence of the îlot's open data (issue 16); Licence Ouverte 2.0 when not given. */
  openData: z
    .strictObject({
      licence: z.strictObject({
        name: z.string().min(1),
        title: z.string().min(1),
        path: z.string().regex(/^https?:\/\/\S+$/, "must be the licence text's http(s) address"),
      }),
    })
    .optional(),
  forecast: forecastSection.optional(),
  /** Prices and CO2 factors of the other commodities (required for each one the site meters) and electricity's CO2. */
  commodities: commoditiesSchema.optional(),
  allocation: z.strictObject({
    key: allocationKind,
    /**
     * The keys in force before this one (issue 29 §5), each until the first day of the month it stopped (a key changes
     * at a month's start, as the distributor applies it), in order: the ledger shares each step by its day's key.
     */
    history: z
      .array(
        z.strictObject({
          key: allocationKind,
          until: z.string().regex(/^20\d\d-(0[1-9]|1[0-2])-01$/, 'the first day of a month, YYYY-MM-01'),
        }),
      )
      .default([]),
  }),
  participants: z
    .array(
      z.strictObject({
        id,
        kind: z.enum(['resident', 'business', 'public']),
        meter: id,
        staticShare: z.number().min(0).max(1).optional(),
        /** The participant's meters of the other energies and of water (issue 16), devices of the matching kind. */
        gasMeter: id.optional(),
        waterMeter: id.optional(),
        heatMeter: id.optional(),
        /** On the public grid (`topology: public-grid-acc`): its delivery point's id and where it is. */
        prm: prm.optional(),
        position: position.optional(),
        /** Who it is on an invoice (the operation's billing, issue 29 §4). */
        billing: partySchema.optional(),
        /** When it joined the operation and, once it left, the day it left (local dates; absent: a member throughout). */
        membership: z
          .strictObject({ from: localDate, to: localDate.optional() })
          .refine((m) => !m.to || m.to > m.from, 'membership.to must come after membership.from')
          .optional(),
      }),
    )
    .min(1),
  buildings: z.array(z.strictObject({ id, name: z.string().optional(), devices: z.array(deviceSchema).min(1) })).min(1),
});

function isIanaTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: zone });
    return zone.includes('/') || zone === 'UTC';
  } catch {
    return false;
  }
}

export type SiteFile = z.infer<typeof siteSchema>;
export type DeviceSpec = z.infer<typeof deviceSchema>;
/** A device of the îlot's electricity (it reports a power), not a meter of another commodity. */
export type ElectricDeviceSpec = Exclude<DeviceSpec, { kind: 'gas_meter' | 'water_meter' | 'heat_meter' }>;
export type BatterySpec = Extract<DeviceSpec, { kind: 'battery' }>;
export type PvSpec = Extract<DeviceSpec, { kind: 'pv' }>;
export type TariffSpec = SiteFile['tariff'];
export type CapacityTariffSpec = z.infer<typeof capacityTariff>;
export type HphcTariffSpec = Extract<TariffSpec, { kind: 'hphc' }>;

/** A validated site with its devices indexed. */
export interface Site extends SiteFile {
  devices: ReadonlyMap<string, DeviceSpec & { buildingId: string }>;
  /** A dynamic tariff's prices, read from its series file. */
  priceSeries?: readonly PricePoint[];
}
