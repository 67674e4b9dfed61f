import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { RateLimiter } from './rate-limiter';

/**
 * The headers every answer carries (issue 15): no MIME sniffing; no framing and nothing loaded from elsewhere (the
 * resident's page is one document with its own styles); no referrer (a resident's link carries their token).
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-resource-policy': 'same-origin',
};

/** Sets the security headers on every answer. */
export function securityHeaders(_request: Request, response: Response, next: NextFunction): void {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) response.setHeader(name, value);
  next();
}

/** The routes whose body is a CSV file (the distributor's month, issue 29): text/csv there, JSON everywhere else. */
const CSV_BODY_ROUTES = [/^\/api\/v1\/sites\/[^/]+\/acc\/[^/]+\/distributor-data$/];

/**
 * JSON only where JSON is meant: a body of any other type on POST, PUT or PATCH is refused with 415 before anything
 * reads it (form-encoded bodies were parsed and taken before); a CSV route takes text/csv only.
 */
export function jsonBodiesOnly(request: Request, response: Response, next: NextFunction): void {
  const hasBody =
    Number(request.headers['content-length'] ?? 0) > 0 || request.headers['transfer-encoding'] !== undefined;
  const csv = CSV_BODY_ROUTES.some((route) => route.test(request.path));
  if (!['POST', 'PUT', 'PATCH'].includes(request.method) || !hasBody) return next();
  if (csv ? request.is('text/csv') : request.is('application/json')) return next();
  if (csv) {
    response.status(415).json({
      statusCode: 415,
      error: 'Unsupported Media Type',
      message: `the body must be CSV (Content-Type: text/csv), got "${request.headers['content-type'] ?? 'none'}"`,
    });
    return;
  }
  response.status(415).json({
    statusCode: 415,
    error: 'Unsupported Media Type',
    message: `the body must be JSON (Content-Type: application/json), got "${request.headers['content-type'] ?? 'none'}"`,
  });
}

/**
 * Rate limit of the API (`/api/...`, the routes anyone can reach): `perMinute` requests a minute per client address
 * on average, bursts of a fifth of it; past it, 429 with Retry-After. `/metrics` and the probes are not limited (the
 * infrastructure's). Behind a load balancer, ILOT_HTTP_TRUST_PROXY makes the address the client's, not the balancer's.
 */
export function apiRateLimit(perMinute: number, nowMs: () => number = Date.now): RequestHandler {
  const limiter = new RateLimiter(perMinute, Math.max(1, Math.ceil(perMinute / 5)));
  return (request, response, next) => {
    if (!request.path.startsWith('/api/')) return next();
    const verdict = limiter.take(clientAddress(request), nowMs());
    if (verdict.allowed) return next();
    response.setHeader('retry-after', String(verdict.retryAfterS));
    response.status(429).json({
      statusCode: 429,
      error: 'Too Many Requests',
      message: `more than ${perMinute} requests a minute from this address: retry in ${verdict.retryAfterS} s`,
    });
  };
}

/** The client's address: the socket's, or behind a trusted proxy (ILOT_HTTP_TRUST_PROXY) the one it forwards. */
export function clientAddress(request: Request): string {
  return request.ip ?? 'unknown';
}
