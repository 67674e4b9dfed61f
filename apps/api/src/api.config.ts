import { loadConfig } from '@ilot/runtime';
import { z } from 'zod';

export const apiEnvSchema = z
  .object({
    /**
     * The connection of the residents' reports: a role that is neither owner nor superuser, so that row-level
     * security applies (the migrations create `ilot_api`). Default: ILOT_DATABASE_URL as `ilot_api`, no password.
     */
    ILOT_API_DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
      .optional(),
    /**
     * A live page reads its figures again when the store says its site changed, at most once every this many seconds
     * (an update is sent only when a figure changed; issue 30 §4).
     */
    ILOT_LIVE_PUSH_S: z.coerce.number().min(1).max(300).default(5),
    /** And every this many seconds all the same, for the figures that move with the clock (the outlook, the hour). */
    ILOT_LIVE_REFRESH_S: z.coerce.number().min(5).max(3600).default(60),
    /** Live pages' event streams (lobby, residents) open at once on this instance; beyond, 429 (issue 26). */
    ILOT_LIVE_MAX_STREAMS: z.coerce.number().int().min(1).default(500),
    /** The same, from one client address. */
    ILOT_LIVE_MAX_STREAMS_PER_ADDRESS: z.coerce.number().int().min(1).default(8),
    /** Bearer token of operator calls (POST /signals); without it they are refused. At least 16 characters. */
    ILOT_OPERATOR_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
    /** Secret that signs the access tokens of residents (and operators) for the reports; without it only ILOT_OPERATOR_TOKEN gets in. */
    ILOT_TOKEN_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    /**
     * Operators signing in through the operator's identity provider (OIDC): access tokens (JWT) verified against the
     * provider's keys (its JWKS), for this audience, with roles per site in a claim. Unset: static and signed tokens only.
     */
    ILOT_OIDC_ISSUER: z.string().url().optional(),
    ILOT_OIDC_AUDIENCE: z.string().min(1).optional(),
    ILOT_OIDC_JWKS_URL: z.string().url().optional(),
    /** The claim (a dotted path, e.g. realm_access.roles) listing `operator:SITE`, `viewer:SITE`, or `*` for every site. */
    ILOT_OIDC_ROLES_CLAIM: z.string().min(1).default('ilot_roles'),
  })
  .superRefine((env, ctx) => {
    if (env.ILOT_OIDC_ISSUER && (!env.ILOT_OIDC_AUDIENCE || !env.ILOT_OIDC_JWKS_URL))
      ctx.addIssue({
        code: 'custom',
        path: ['ILOT_OIDC_ISSUER'],
        message: 'ILOT_OIDC_ISSUER needs ILOT_OIDC_AUDIENCE and ILOT_OIDC_JWKS_URL',
      });
  });
export type ApiConfig = z.infer<typeof apiEnvSchema>;

/** Injection token of the API app's configuration. */
export const API_CONFIG = Symbol('API_CONFIG');

export function loadApiConfig(env: NodeJS.ProcessEnv = process.env): ApiConfig {
  return loadConfig(apiEnvSchema, env);
}
