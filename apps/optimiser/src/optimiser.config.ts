import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { loadConfig } from '@ilot/runtime';
import { PLAN_DEFAULTS, SOLVER_NAMES } from '@ilot/optimiser';
import { z } from 'zod';

/** The optimiser app's variables (README, "Environment variables"). Durations in simulated time unless said. */
export const optimiserEnvSchema = z.object({
  ILOT_PLAN_SLOT_MINUTES: z.coerce
    .number()
    .int()
    .refine((m) => [5, 10, 15, 30, 60].includes(m), 'must be 5, 10, 15, 30 or 60')
    .default(15),
  ILOT_PLAN_HORIZON_SLOTS: z.coerce.number().int().min(4).max(1000).default(96),
  /** New readings trigger a re-plan at most this often, seconds. */
  ILOT_REPLAN_MIN_INTERVAL_S: z.coerce.number().min(0).default(60),
  /** A command stays valid this long after the end of its slot, seconds. */
  ILOT_COMMAND_GRACE_S: z.coerce.number().min(0).default(PLAN_DEFAULTS.commandGraceS),
  /** A reading older than this is stale and not used as the current state, seconds. */
  ILOT_STATE_MAX_AGE_S: z.coerce.number().min(1).default(600),
  /** Wall-clock budget of one solve, real milliseconds. */
  ILOT_SOLVE_TIMEOUT_MS: z.coerce.number().int().min(10).default(10_000),
  ILOT_CYCLING_COST_EUR_PER_KWH: z.coerce.number().min(0).default(0.03),
  /** A command not acknowledged within this many real milliseconds is sent again, same cmdId. */
  ILOT_COMMAND_ACK_TIMEOUT_MS: z.coerce.number().int().min(50).default(5000),
  /** An applied command is checked against the telemetry this long after its ack, simulated seconds. */
  ILOT_COMMAND_VERIFY_AFTER_S: z.coerce.number().min(1).default(30),
  /** How many times a command is sent again before it is recorded as unacknowledged. */
  ILOT_COMMAND_MAX_RETRIES: z.coerce.number().int().min(0).max(20).default(3),
  /** When the solver gives no plan, the last valid plan goes on until it is this old, then the rule-based fallback; seconds. */
  ILOT_PLAN_KEEP_S: z.coerce.number().min(0).default(PLAN_DEFAULTS.planKeepS),
  /** LP solver: HiGHS (WebAssembly) for real îlots, javascript-lp-solver for small ones and cross-checks. */
  ILOT_PLAN_SOLVER: z.enum(SOLVER_NAMES).default('highs'),
  /**
   * Solver threads shared by the sites this instance plans: a long solve holds one, the other sites go on on the
   * others. Default: one per core, at least 2 (the event loop mostly waits on the database meanwhile).
   */
  ILOT_SOLVER_THREADS: z.coerce.number().int().min(1).max(64).optional(),
  /** Many îlots: this planner instance's name in the leases (default host-pid; each instance needs its own). */
  ILOT_PLANNER_ID: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'letters, digits, _ . - (at most 64)')
    .optional(),
  /** Many îlots: how long a planner's lease on a site lasts unless renewed (a dead instance's sites move on after it), s. */
  ILOT_LEASE_TTL_S: z.coerce.number().min(3).max(3600).default(60),
  /** How often a site's weather providers are asked for a PV forecast (its `forecast` section), seconds (jittered 10 %). */
  ILOT_FORECAST_FETCH_S: z.coerce.number().min(1).default(3600),
  /** One request to a weather provider, real milliseconds. */
  ILOT_FORECAST_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
  /** Requests to a provider per fetch at most (timeouts, 5xx and truncated answers are asked again). */
  ILOT_FORECAST_TRIES: z.coerce.number().int().min(1).max(10).default(3),
  /** The wait before a provider is asked again within a fetch, real ms, doubled each time. */
  ILOT_FORECAST_RETRY_MS: z.coerce.number().int().min(0).default(2000),
  /** Solcast's API key, for sites whose forecast names Solcast (or ILOT_SOLCAST_API_KEY_FILE: a file holding it). */
  ILOT_SOLCAST_API_KEY: z.string().min(1).optional(),
  ILOT_SOLCAST_API_KEY_FILE: z.string().min(1).optional(),
});

export type OptimiserConfig = z.infer<typeof optimiserEnvSchema>;

/** ILOT_SOLVER_THREADS, or one per core of this machine, at least 2. */
export function solverThreads(config: OptimiserConfig): number {
  return config.ILOT_SOLVER_THREADS ?? Math.max(2, availableParallelism());
}

export function loadOptimiserConfig(env: NodeJS.ProcessEnv = process.env): OptimiserConfig {
  return loadConfig(optimiserEnvSchema, env);
}

/** Solcast's API key: ILOT_SOLCAST_API_KEY, else the first line of ILOT_SOLCAST_API_KEY_FILE; undefined without either. */
export function solcastApiKey(config: OptimiserConfig): string | undefined {
  if (config.ILOT_SOLCAST_API_KEY) return config.ILOT_SOLCAST_API_KEY;
  if (!config.ILOT_SOLCAST_API_KEY_FILE) return undefined;
  const key = readFileSync(config.ILOT_SOLCAST_API_KEY_FILE, 'utf8').split(/\r?\n/)[0].trim();
  if (!key) throw new Error(`ILOT_SOLCAST_API_KEY_FILE ${config.ILOT_SOLCAST_API_KEY_FILE} is empty`);
  return key;
}
