import { z } from 'zod';

const id = z.string().regex(/^[a-z0-9-]+$/, 'must match [a-z0-9-]+');
const positive = z.number().finite().positive();
const nonNegative = z.number().finite().nonnegative();
const maxAgeS = positive.optional();

/**
 * Meters of the other energies and of water (issue 16), each a participant's: they report an index (cumulative) or
 * the quantity since their previous reading, in their own unit, never a power. Their ceiling on the flow is what a
 * reading may not exceed (above it, an index jump is a meter swap, not consumption); defaults are the common
 * residential meter's: a G4 gas meter (6 m³/h, EN 1359), a DN15 water meter (Q4 = 3125 L/h, EN ISO 4064), a flat's
 * heat substation (50 kW).
 */
const gasMeterDevice = z.strictObject({
  id,
  kind: z.literal('gas_meter'),
  maxAgeS,
  maxFlowM3PerH: positive.default(6),
  /** What the simulators replay: the flat's yearly gas, kWh (heating and hot water). */
  annualKWh: positive.optional(),
});
const waterMeterDevice = z.strictObject({
  id,
  kind: z.literal('water_meter'),
  maxAgeS,
  maxFlowLPerH: positive.default(3125),
  /** What the simulators replay: the home's yearly water, m³. */
  annualM3: positive.optional(),
});
const heatMeterDevice = z.strictObject({
  id,
  kind: z.literal('heat_meter'),
  maxAgeS,
  maxPowerW: positive.default(50_000),
  /** What the simulators replay: the flat's yearly heat, kWh. */
  annualKWh: positive.optional(),
});
export const commodityMeterDevices = [gasMeterDevice, waterMeterDevice, heatMeterDevice] as const;

/** What a unit of each commodity costs and emits (docs/commodities.md gives the sources of the demo's figures). */
const co2 = { kgCo2PerKWh: nonNegative };
export const commoditiesSchema = z.strictObject({
  electricity: z.strictObject(co2).optional(),
  gas: z
    .strictObject({
      /** The supplier's conversion coefficient, kWh (PCS) per m³ at the meter: it varies by zone, about 10.5-11.5. */
      kWhPerM3: z.number().min(8).max(13),
      eurPerKWh: nonNegative,
      ...co2,
    })
    .optional(),
  water: z.strictObject({ eurPerM3: nonNegative, kgCo2PerM3: nonNegative }).optional(),
  heat: z.strictObject({ eurPerKWh: nonNegative, ...co2 }).optional(),
});
export type CommoditiesSpec = z.infer<typeof commoditiesSchema>;
