import { z } from 'zod';

export const simulatorsEnvSchema = z.object({
  /** Time between two readings of a device, simulated seconds; default max(10, speedup / 2) so that a demo sends at most two rounds a real second. */
  ILOT_SIM_TELEMETRY_PERIOD_S: z.coerce.number().positive().optional(),
  /** SoC of every battery when the simulators start, %. Default: mid-range. */
  ILOT_SIM_INITIAL_SOC_PCT: z.coerce.number().min(0).max(100).optional(),
  /** The broker the simulated devices connect to, when it is not the apps' (a production broker's devices' listener). Default: ILOT_MQTT_URL. */
  ILOT_SIM_MQTT_URL: z.string().url().optional(),
  /** Devices not simulated, comma-separated: real ones, or simulated behind the building gateway (apps/edge) instead. */
  ILOT_SIM_SKIP_DEVICES: z
    .string()
    .optional()
    .transform((list) =>
      (list ?? '')
        .split(',')
        .map((d) => d.trim())
        .filter(Boolean),
    ),
});
export type SimulatorsConfig = z.infer<typeof simulatorsEnvSchema>;

export function telemetryPeriodSimMs(config: SimulatorsConfig, speedup: number): number {
  return (config.ILOT_SIM_TELEMETRY_PERIOD_S ?? Math.max(10, speedup / 2)) * 1000;
}
