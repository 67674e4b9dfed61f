import { INBOUND_DEFAULTS, type InboundLimits } from '@ilot/protocol';
import { STORAGE_POLICY } from '@ilot/timeseries';
import { z } from 'zod';

export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Validates environment variables against an app's schema; every problem is reported at once, with the variable's name. */
export function loadConfig<T extends z.ZodType>(schema: T, env: NodeJS.ProcessEnv = process.env): z.infer<T> {
  const result = schema.safeParse(env);
  if (!result.success)
    throw new ConfigError(result.error.issues.map((i) => `${i.path.join('.') || '(env)'}: ${i.message}`));
  return result.data;
}

const isoInstant = z.iso.datetime({ offset: true });
/** 0 lets the system pick a free port (tests). */
const port = z.coerce.number().int().min(0).max(65_535);

/**
 * Variables every app reads (README, "Environment variables"). Apps extend this schema with their own.
 * Without ILOT_MQTT_URL / ILOT_DATABASE_URL an app cannot run alone: `npm start` provides embedded ones.
 */
export const runtimeEnvSchema = z
  .object({
    ILOT_MQTT_URL: z
      .string()
      .regex(/^(mqtts?|tcp|ws|wss):\/\//, 'must be an mqtt:// (or mqtts://, ws://) URL')
      .optional(),
    /** 5 (Mosquitto) or 4 (aedes, the embedded broker, speaks only MQTT 3.1.1). */
    ILOT_MQTT_PROTOCOL_VERSION: z
      .enum(['4', '5'])
      .default('5')
      .transform(Number)
      .pipe(z.union([z.literal(4), z.literal(5)])),
    /** The folder of broker credentials (`ilot devices provision --out`): each app connects as `ilot-{app}`. */
    ILOT_MQTT_CREDENTIALS_DIR: z.string().min(1).optional(),
    /** mqtts://: the CA that signed the broker's certificate (PEM); a client certificate and its key, if asked. */
    ILOT_MQTT_CA_FILE: z.string().min(1).optional(),
    ILOT_MQTT_CERT_FILE: z.string().min(1).optional(),
    ILOT_MQTT_KEY_FILE: z.string().min(1).optional(),
    ILOT_DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
      .optional(),
    ILOT_SITE_FILE: z.string().min(1).default('sites/demo.yaml'),
    /** A folder of site files, one îlot each (issue 14); the site catalog reads it, with the sites stored through the API. */
    ILOT_SITES_DIR: z.string().min(1).optional(),
    /** How often the site catalog reads the folder and the stored sites again (a change takes effect without restart). */
    ILOT_SITES_POLL_S: z.coerce.number().min(1).max(3600).default(10),
    ILOT_HTTP_PORT: port.default(3000),
    /** The HTTP listener's address: every interface by default (a container); `npm start` keeps to 127.0.0.1. */
    ILOT_HTTP_HOST: z.string().min(1).default('0.0.0.0'),
    /**
     * Bearer token /metrics asks for (Prometheus: `authorization: { credentials_file: ... }`). Unset: /metrics is open,
     * for a deployment that keeps it on a private network (issue 26: it showed every site id to anyone).
     */
    ILOT_METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
    /** Requests a minute per client address on /api (bursts of a fifth of it); past it 429. 0: no limit. */
    ILOT_HTTP_RATE_PER_MIN: z.coerce.number().int().min(0).default(600),
    /** Proxies in front (a load balancer: 1) whose X-Forwarded-For gives the client's address to the rate limit. */
    ILOT_HTTP_TRUST_PROXY: z.coerce.number().int().min(0).max(10).default(0),
    /** Simulated time runs this many times faster than the wall clock (demo only). */
    ILOT_SPEEDUP: z.coerce.number().positive().max(100_000).default(1),
    /** Shared origin of the simulated clock: simulated ILOT_SIM_START was real ILOT_SIM_START_REAL. */
    ILOT_SIM_START: isoInstant.optional(),
    ILOT_SIM_START_REAL: isoInstant.optional(),
    ILOT_LOG_LEVEL: z.enum(['error', 'warn', 'log', 'debug']).default('log'),
    /** text: readable lines (a terminal, npm start); json: one JSON object per line for a log shipper (production). */
    ILOT_LOG_FORMAT: z.enum(['text', 'json']).default('text'),
    /**
     * The bounds of every inbound message, on every topic and the HTTP intake (ingestion's telemetry, statuses,
     * signals and forecasts, the optimiser's acks, the API's forecasts and signals): payloads larger than this are
     * refused before parsing, bytes.
     */
    ILOT_INGEST_MAX_PAYLOAD_BYTES: z.coerce
      .number()
      .int()
      .min(256)
      .max(10_000_000)
      .default(INBOUND_DEFAULTS.maxPayloadBytes),
    /** A message stamped further in the future than this is refused, seconds of (simulated) time. */
    ILOT_INGEST_MAX_FUTURE_S: z.coerce
      .number()
      .min(0)
      .default(INBOUND_DEFAULTS.maxFutureMs / 1000),
    /** A reading older than this is refused (lateness limit), seconds; at most what the aggregates re-read and compression leaves writable. */
    ILOT_INGEST_LATENESS_S: z.coerce
      .number()
      .min(60)
      .max(
        STORAGE_POLICY.maxLatenessS,
        `at most ${STORAGE_POLICY.maxLatenessS} (older readings would miss the aggregates' refresh window)`,
      )
      .default(STORAGE_POLICY.maxLatenessS),
  })
  .superRefine((env, ctx) => {
    if ((env.ILOT_MQTT_CERT_FILE === undefined) !== (env.ILOT_MQTT_KEY_FILE === undefined))
      ctx.addIssue({
        code: 'custom',
        path: ['ILOT_MQTT_CERT_FILE'],
        message: 'ILOT_MQTT_CERT_FILE and ILOT_MQTT_KEY_FILE go together',
      });
    if (env.ILOT_SPEEDUP !== 1 && (!env.ILOT_SIM_START || !env.ILOT_SIM_START_REAL))
      ctx.addIssue({
        code: 'custom',
        path: ['ILOT_SIM_START'],
        message:
          'ILOT_SPEEDUP other than 1 needs ILOT_SIM_START and ILOT_SIM_START_REAL, so that every process shares one clock',
      });
    if (env.ILOT_SPEEDUP === 1 && (env.ILOT_SIM_START !== undefined) !== (env.ILOT_SIM_START_REAL !== undefined))
      ctx.addIssue({
        code: 'custom',
        path: ['ILOT_SIM_START'],
        message: 'ILOT_SIM_START and ILOT_SIM_START_REAL go together',
      });
  });

export type RuntimeConfig = Omit<z.infer<typeof runtimeEnvSchema>, 'ILOT_MQTT_URL' | 'ILOT_DATABASE_URL'> & {
  ILOT_MQTT_URL: string;
  ILOT_DATABASE_URL: string;
};

/**
 * The runtime variables, with the services this process needs: an app run alone needs the URLs
 * (`npm start` provides embedded ones); the simulators need only the broker.
 */
export function loadRuntimeConfig(
  env: NodeJS.ProcessEnv = process.env,
  needs: { database: boolean } = { database: true },
): RuntimeConfig {
  const problems: string[] = [];
  const hint = 'required to run this part alone (npm start runs everything on embedded defaults)';
  if (!env.ILOT_MQTT_URL) problems.push(`ILOT_MQTT_URL: ${hint}`);
  if (needs.database && !env.ILOT_DATABASE_URL) problems.push(`ILOT_DATABASE_URL: ${hint}`);
  let config: RuntimeConfig | undefined;
  try {
    config = loadConfig(runtimeEnvSchema, env) as RuntimeConfig;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(...error.problems);
  }
  if (problems.length || !config) throw new ConfigError(problems);
  return config;
}

/** The bounds of every inbound message of this deployment (libs/protocol's InboundLimits), from its variables. */
export function inboundLimits(config: RuntimeConfig): InboundLimits {
  return {
    maxPayloadBytes: config.ILOT_INGEST_MAX_PAYLOAD_BYTES,
    maxFutureMs: config.ILOT_INGEST_MAX_FUTURE_S * 1000,
    latenessMs: config.ILOT_INGEST_LATENESS_S * 1000,
  };
}

/** A service URL fit for a log or a banner: its password shown as ***. */
export function withoutPassword(url: string): string {
  return url.replace(/:[^:@/]+@/, ':***@');
}

/** Where this process finds its broker identity. */
export function brokerIdentitySources(config: RuntimeConfig) {
  return {
    credentialsDir: config.ILOT_MQTT_CREDENTIALS_DIR,
    caFile: config.ILOT_MQTT_CA_FILE,
    certFile: config.ILOT_MQTT_CERT_FILE,
    keyFile: config.ILOT_MQTT_KEY_FILE,
  };
}
