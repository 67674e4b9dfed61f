import { loadConfig } from '@ilot/runtime';
import { z } from 'zod';

/** The ingestion app's variables (README, "Environment variables"), on top of the runtime ones. */
export const ingestionEnvSchema = z.object({
  /** Readings per INSERT statement at most. */
  ILOT_INGEST_BATCH_SIZE: z.coerce.number().int().min(1).max(50_000).default(1000),
  /** Batch writes in flight at once (a second one overlaps parsing with the database's commit). */
  ILOT_INGEST_WRITE_CONCURRENCY: z.coerce.number().int().min(1).max(16).default(2),
  /** A batch is written at the latest this many real milliseconds after its first reading. */
  ILOT_INGEST_FLUSH_MS: z.coerce.number().int().min(1).max(60_000).default(50),
  /** Fixed MQTT client id of the persistent session; each instance needs its own. Default: ilot-ingestion.{siteId}, or .{host} with ILOT_SITES_DIR; with broker credentials it must start with `ilot-ingestion.` (the identity's own, issue 26). */
  ILOT_INGEST_CLIENT_ID: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, _ and - (at most 64)')
    .optional(),
  /** Shared subscription group of the instances (MQTT 5 brokers); empty for a plain subscription. */
  ILOT_INGEST_SHARE_GROUP: z
    .string()
    .regex(/^[A-Za-z0-9_-]*$/, 'letters, digits, _ and -')
    .default('ingestion'),
  /** Messages the broker may have in flight to this instance (MQTT 5 Receive Maximum): the bound on unacknowledged messages in memory. */
  ILOT_INGEST_MAX_INFLIGHT: z.coerce.number().int().min(1).max(65_535).default(2000),
  /** After start, when the log says how many readings of the last hour are missing by their seq, seconds of wall time. */
  ILOT_INGEST_MISSING_CHECK_S: z.coerce.number().min(0).max(3600).default(60),
  /**
   * Where messages the database cannot take wait on local disk (issue 30 §3), in a folder per instance (its client id)
   * under this one; a volume of its own in production (deploy/).
   */
  ILOT_INGEST_SPOOL_DIR: z.string().min(1).default('var/spool'),
  /** The spool's bound, MB; 0: no spool (a database outage then rests on the broker's queue alone). */
  ILOT_INGEST_SPOOL_MAX_MB: z.coerce.number().min(0).max(1_000_000).default(1024),
  /** How often the stored readings are checked for gaps in each device's seq, seconds of wall time; 0: never. */
  ILOT_INGEST_SEQ_CHECK_S: z.coerce.number().min(0).max(86_400).default(60),
  /** Readings younger than this, seconds of wall time (a simulation's clock runs faster), are not judged yet: one may still be on its way. */
  ILOT_INGEST_SEQ_SETTLE_S: z.coerce.number().min(0).max(86_400).default(300),
  /** How long the broker keeps the session (and queues telemetry) while the ingester is away, seconds. */
  ILOT_INGEST_SESSION_EXPIRY_S: z.coerce.number().int().min(0).default(604_800),
});

export type IngestionConfig = z.infer<typeof ingestionEnvSchema>;

export function loadIngestionConfig(env: NodeJS.ProcessEnv = process.env): IngestionConfig {
  return loadConfig(ingestionEnvSchema, env);
}
