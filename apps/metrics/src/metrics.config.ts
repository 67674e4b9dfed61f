import { loadConfig } from '@ilot/runtime';
import { z } from 'zod';

export const metricsEnvSchema = z.object({
  /** Readings older than this do not feed the power and SoC gauges, seconds. */
  ILOT_METRICS_MAX_AGE_S: z.coerce.number().min(1).default(600),
  /** Trailing window of the self-consumption and self-sufficiency ratios, hours. */
  ILOT_METRICS_WINDOW_H: z.coerce
    .number()
    .min(0.25)
    .max(24 * 31)
    .default(24),
  /** How often the resident ledger (each participant's allocated steps, for the reports) catches up, seconds of wall time. */
  ILOT_LEDGER_INTERVAL_S: z.coerce.number().min(1).max(3600).default(60),
});
export type MetricsConfig = z.infer<typeof metricsEnvSchema>;

/** Injection token of the metrics app's configuration. */
export const METRICS_CONFIG = Symbol('METRICS_CONFIG');

export function loadMetricsConfig(env: NodeJS.ProcessEnv = process.env): MetricsConfig {
  return loadConfig(metricsEnvSchema, env);
}
