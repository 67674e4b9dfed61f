import { z } from 'zod';
import { isoInstant } from './instant';

/** Physical bounds every reading obeys whatever its device (a device's own bounds are checked by ingestion). */
const READING_BOUNDS_MAX_W = 1e9;
export const READING_BOUNDS = {
  /** 1 GW: no connection of an îlot comes near. */
  maxAbsPowerW: READING_BOUNDS_MAX_W,
  /** 1 TWh: an energy register beyond this is corrupt. */
  maxEnergyWh: 1e12,
} as const;

/** The most an EV session may ask, Wh: far above any car's battery, so a larger figure is a unit error. */
export const MAX_EV_ENERGY_WH = 500_000;

/**
 * An EV charger's session (docs/design.md): `plugged`, and when a car is plugged the energy its driver still wants by
 * the departure, and optionally the most the car takes, W. A plugged session without both is refused: the planner
 * could only guess them.
 */
export const evSessionSchema = z
  .strictObject({
    plugged: z.boolean(),
    energyNeededWh: z.number().min(0).max(MAX_EV_ENERGY_WH).optional(),
    departure: isoInstant.optional(),
    maxW: z.number().positive().max(READING_BOUNDS_MAX_W).optional(),
  })
  .refine((s) => !s.plugged || (s.energyNeededWh !== undefined && s.departure !== undefined), {
    message: 'a plugged session needs energyNeededWh and departure',
  });

export const telemetryReadingSchema = z.strictObject({
  ts: isoInstant,
  seq: z.number().int().nonnegative(),
  powerW: z.number().min(-READING_BOUNDS.maxAbsPowerW).max(READING_BOUNDS.maxAbsPowerW),
  energyWh: z.number().min(0).max(READING_BOUNDS.maxEnergyWh).optional(),
  socPct: z.number().min(0).max(100).optional(),
  /** An EV charger's session (ev_charger only). */
  session: evSessionSchema.optional(),
  /** A sheddable load's energy denied and not made up yet, Wh (heat_pump or flexible_load with maxShedW only). */
  owedWh: z.number().min(0).max(READING_BOUNDS.maxEnergyWh).optional(),
});
export const MAX_READINGS_PER_MESSAGE = 1000;
export const telemetryBatchSchema = z.strictObject({
  values: z.array(telemetryReadingSchema).min(1).max(MAX_READINGS_PER_MESSAGE),
});
/** One reading, or `{values: [...]}` (a controller's backlog). */
export const telemetryPayloadSchema = z.union([telemetryReadingSchema, telemetryBatchSchema]);
export type TelemetryReading = z.infer<typeof telemetryReadingSchema>;
export type EvSessionPayload = z.infer<typeof evSessionSchema>;
export type TelemetryPayload = z.infer<typeof telemetryPayloadSchema>;

export const statusPayloadSchema = z.strictObject({ state: z.enum(['online', 'offline']), ts: isoInstant });
export type StatusPayload = z.infer<typeof statusPayloadSchema>;

/**
 * A reading of a gas, water or heat meter (issue 16): its index (cumulative register) or the quantity counted since
 * its previous reading, in the meter's unit, named by the field: m³ (gas), L (water), Wh (heat). Exactly one field.
 */
export const COMMODITY_READING_FIELDS = {
  m3: { index: 'indexM3', quantity: 'volumeM3' },
  L: { index: 'indexL', quantity: 'volumeL' },
  Wh: { index: 'indexWh', quantity: 'heatWh' },
} as const;
const register = z.number().min(0).max(READING_BOUNDS.maxEnergyWh);
const commodityFields = ['indexM3', 'volumeM3', 'indexL', 'volumeL', 'indexWh', 'heatWh'] as const;
export const commodityReadingSchema = z
  .strictObject({
    ts: isoInstant,
    seq: z.number().int().nonnegative(),
    ...Object.fromEntries(commodityFields.map((field) => [field, register.optional()])),
  } as { ts: typeof isoInstant; seq: z.ZodNumber } & Record<
    (typeof commodityFields)[number],
    z.ZodOptional<typeof register>
  >)
  .refine((r) => commodityFields.filter((field) => r[field] !== undefined).length === 1, {
    message: `exactly one of ${commodityFields.join(', ')}`,
  });
export const commodityPayloadSchema = z.union([
  commodityReadingSchema,
  z.strictObject({ values: z.array(commodityReadingSchema).min(1).max(MAX_READINGS_PER_MESSAGE) }),
]);
export type CommodityReadingPayload = z.infer<typeof commodityReadingSchema>;
