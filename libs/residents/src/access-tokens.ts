import { accepted, type Checked, refused } from '@ilot/domain';
import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Who a token speaks for: the operator (every participant of the site) or one resident. `iat`: when it was signed, Unix
 * seconds (fractional): a resident's tokens signed before their revocation (a move-out) are refused (issue 26).
 */
export type AccessClaims =
  | { role: 'operator'; site: string; exp: number; iat?: number }
  | { role: 'resident'; site: string; participant: string; exp: number; iat?: number };

const PREFIX = 'v1';
const mac = (body: string, secret: string) => createHmac('sha256', secret).update(`${PREFIX}.${body}`).digest();

/** `v1.<claims, base64url JSON>.<HMAC-SHA256, base64url>`; `exp` and `iat` (`issuedAt`) in Unix seconds. */
export function signAccessToken(claims: AccessClaims, secret: string, issuedAt: Date = new Date()): string {
  const body = Buffer.from(JSON.stringify({ ...claims, iat: claims.iat ?? issuedAt.getTime() / 1000 })).toString(
    'base64url',
  );
  return `${PREFIX}.${body}.${mac(body, secret).toString('base64url')}`;
}

/** The claims of a token signed with `secret` and not expired at `now`, or why it is refused. */
export function verifyAccessToken(
  token: string,
  secret: string,
  now: Date,
): Checked<AccessClaims, 'invalid' | 'expired'> {
  const [prefix, body, signature, ...rest] = token.split('.');
  if (prefix !== PREFIX || !body || !signature || rest.length)
    return refused('invalid', 'token not valid: not a v1 token');
  const given = Buffer.from(signature, 'base64url');
  const expected = mac(body, secret);
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return refused('invalid', 'token not valid: bad signature');
  let claims: AccessClaims;
  try {
    claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as AccessClaims;
  } catch {
    return refused('invalid', 'token not valid: unreadable claims');
  }
  // Regression (probe): a signed `null` as claims was a 500.
  if (typeof claims !== 'object' || claims === null || Array.isArray(claims))
    return refused('invalid', 'token not valid: bad claims');
  if (typeof claims.exp !== 'number' || claims.exp * 1000 <= now.getTime()) return refused('expired', 'token expired');
  if ((claims.role !== 'operator' && claims.role !== 'resident') || typeof claims.site !== 'string')
    return refused('invalid', 'token not valid: bad claims');
  if (claims.role === 'resident' && typeof claims.participant !== 'string')
    return refused('invalid', 'token not valid: no participant');
  return accepted(claims);
}
