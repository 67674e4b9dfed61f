import { loadConfig } from '@ilot/runtime';
import { z } from 'zod';

/** The ingestion app's variables (README, "Environment variables"), on top of the runtime ones. */
export const ingestionEnvSchema = z.object({
  /** Readings per INSERT statement at most. */
  ILOT_INGEST_BATCH_SIZE: z.coerce.number().int().min(1).max(50_000).default(1000),
  /** A batch is written at the latest this many real milliseconds after its first reading. */
  ILOT_INGEST_FLUSH_MS: z.coerce.number().int().min(1).max(60_000).default(50),
  /** Payloads larger than this are refused before parsing, bytes. */
  ILOT_INGEST_MAX_PAYLOAD_BYTES: z.coerce.number().int().min(256).max(10_000_000).default(65_536),
  /** A reading stamped further in the future than this is refused, seconds of (simulated) time. */
  ILOT_INGEST_MAX_FUTURE_S: z.coerce.number().min(0).default(300),
  /** A reading older than this is refused (lateness limit), seconds. */
  ILOT_INGEST_LATENESS_S: z.coerce
    .number()
    .min(60)
    .default(7 * 86_400),
});

export type IngestionConfig = z.infer<typeof ingestionEnvSchema>;

export function loadIngestionConfig(env: NodeJS.ProcessEnv = process.env): IngestionConfig {
  return loadConfig(ingestionEnvSchema, env);
}
