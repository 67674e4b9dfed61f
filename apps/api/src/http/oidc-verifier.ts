import { Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from 'jose';

/** Injection token of the OIDC settings (undefined: OIDC sign-in is off). */
export const OIDC_SETTINGS = Symbol('OIDC_SETTINGS');

export interface OidcSettings {
  issuer: string;
  audience: string;
  jwksUrl: string;
  /** Dotted path of the claim listing the roles: `operator:SITE`, `viewer:SITE`, `operator:*`, `viewer:*`. */
  rolesClaim: string;
}

export type OidcRole = 'operator' | 'viewer';

/** The roles an access token gives, per site (`*`: every site). */
export type OidcGrants = ReadonlyMap<string, OidcRole>;

/** Whether a bearer token is a JWT (three base64url parts, a JSON header): the identity provider's, not ours. */
export function isJwt(token: string): boolean {
  const parts = token.split('.');
  return parts.length === 3 && parts[0].startsWith('eyJ');
}

/**
 * Verifies operators' access tokens from the identity provider (issue 15): signature by a key of the provider's JWKS
 * (fetched, cached, fetched again for a key it does not know: rotation), issuer, audience, expiry (a minute of clock
 * skew), asymmetric algorithms only; then the roles of the configured claim. Refusals say why (401).
 */
@Injectable()
export class OidcVerifier {
  private readonly keys;

  constructor(@Inject(OIDC_SETTINGS) private readonly settings: OidcSettings | undefined) {
    this.keys = settings ? createRemoteJWKSet(new URL(settings.jwksUrl)) : undefined;
  }

  get enabled(): boolean {
    return this.settings !== undefined;
  }

  async grants(token: string): Promise<OidcGrants> {
    if (!this.settings || !this.keys)
      throw new UnauthorizedException('identity provider tokens are not accepted: ILOT_OIDC_ISSUER is not set');
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.keys, {
        issuer: this.settings.issuer,
        audience: this.settings.audience,
        algorithms: ['RS256', 'RS384', 'RS512', 'PS256', 'ES256', 'ES384', 'EdDSA'],
        clockTolerance: 60,
      }));
    } catch (error) {
      throw new UnauthorizedException(`identity provider token refused: ${reasonOf(error)}`);
    }
    return rolesOf(payload, this.settings.rolesClaim);
  }
}

function reasonOf(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'expired';
  if (error instanceof errors.JWTClaimValidationFailed)
    return `claim "${error.claim}" ${error.reason === 'check_failed' ? 'does not match' : error.reason}`;
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'signature not valid';
  if (error instanceof errors.JWKSNoMatchingKey) return 'signed by a key the identity provider does not publish';
  if (error instanceof errors.JOSEAlgNotAllowed) return 'algorithm not allowed';
  return (error as Error).message;
}

/** The roles of the claim at `path`: a list, or a space-separated string, of `role:site`. */
export function rolesOf(payload: JWTPayload, path: string): Map<string, OidcRole> {
  let value: unknown = payload;
  for (const key of path.split('.')) value = (value as Record<string, unknown> | undefined)?.[key];
  const items = Array.isArray(value) ? value : typeof value === 'string' ? value.split(' ') : [];
  const grants = new Map<string, OidcRole>();
  for (const item of items) {
    const match = typeof item === 'string' ? /^(operator|viewer):([a-z0-9-]+|\*)$/.exec(item) : null;
    if (!match) continue;
    const [, role, site] = match as unknown as [string, OidcRole, string];
    // Operator over viewer when both are given.
    if (grants.get(site) !== 'operator') grants.set(site, role);
  }
  return grants;
}
