import { z } from 'zod';
import { isoInstant } from './instant';

/** Physical bounds every reading obeys whatever its device (a device's own bounds are checked by ingestion). */
export const READING_BOUNDS = {
  /** 1 GW: no connection of an îlot comes near. */
  maxAbsPowerW: 1e9,
  /** 1 TWh: an energy register beyond this is corrupt. */
  maxEnergyWh: 1e12,
} as const;

export const telemetryReadingSchema = z.strictObject({
  ts: isoInstant,
  seq: z.number().int().nonnegative(),
  powerW: z.number().min(-READING_BOUNDS.maxAbsPowerW).max(READING_BOUNDS.maxAbsPowerW),
  energyWh: z.number().min(0).max(READING_BOUNDS.maxEnergyWh).optional(),
  socPct: z.number().min(0).max(100).optional(),
});
export const MAX_READINGS_PER_MESSAGE = 1000;
export const telemetryBatchSchema = z.strictObject({
  values: z.array(telemetryReadingSchema).min(1).max(MAX_READINGS_PER_MESSAGE),
});
/** One reading, or `{values: [...]}` (a controller's backlog). */
export const telemetryPayloadSchema = z.union([telemetryReadingSchema, telemetryBatchSchema]);
export type TelemetryReading = z.infer<typeof telemetryReadingSchema>;
export type TelemetryPayload = z.infer<typeof telemetryPayloadSchema>;

export const statusPayloadSchema = z.strictObject({ state: z.enum(['online', 'offline']), ts: isoInstant });
export type StatusPayload = z.infer<typeof statusPayloadSchema>;
