import { loadConfig } from '@ilot/runtime';
import { z } from 'zod';

/** The variables of `npm start` itself (README, "Environment variables"). */
export const launcherEnvSchema = z.object({
  ILOT_EMBEDDED_MQTT_PORT: z.coerce.number().int().min(1).max(65_535).default(1883),
  ILOT_EMBEDDED_PG_PORT: z.coerce.number().int().min(1).max(65_535).default(54329),
  /** Where the embedded PostgreSQL keeps its data. */
  ILOT_DATA_DIR: z.string().min(1).default('.ilot'),
  /**
   * The demo's battery behind the building gateway (issue 28): a simulated SunSpec inverter on this Modbus TCP port,
   * apps/edge its controller. `off` simulates it as the other devices.
   */
  ILOT_EDGE_DEMO: z.enum(['on', 'off']).default('on'),
  ILOT_EDGE_DEMO_PORT: z.coerce.number().int().min(1).max(65_535).default(15020),
});
export type LauncherConfig = z.infer<typeof launcherEnvSchema>;

export function loadLauncherConfig(env: NodeJS.ProcessEnv = process.env): LauncherConfig {
  return loadConfig(launcherEnvSchema, env);
}
