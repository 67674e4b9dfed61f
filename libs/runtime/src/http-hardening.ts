import type { NextFunction, Request, Response } from 'express';

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

/**
 * JSON only where JSON is meant: a body of any other type on POST, PUT or PATCH is refused with 415 before anything
 * reads it (form-encoded bodies were parsed and taken before).
 */
export function jsonBodiesOnly(request: Request, response: Response, next: NextFunction): void {
  const hasBody =
    Number(request.headers['content-length'] ?? 0) > 0 || request.headers['transfer-encoding'] !== undefined;
  if (!['POST', 'PUT', 'PATCH'].includes(request.method) || !hasBody || request.is('application/json')) return next();
  response.status(415).json({
    statusCode: 415,
    error: 'Unsupported Media Type',
    message: `the body must be JSON (Content-Type: application/json), got "${request.headers['content-type'] ?? 'none'}"`,
  });
}
