import type { Response } from 'express';

/**
 * Personal data: kept out of shared caches and the browser's (every answer already carries `Referrer-Policy:
 * no-referrer`, libs/runtime's http-hardening). Every route that answers with a participant's data calls it.
 */
export function noStore(response: Response): void {
  response.setHeader('cache-control', 'private, no-store');
}
