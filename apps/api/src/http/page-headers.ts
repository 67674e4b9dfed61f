import type { Response } from 'express';

/**
 * The CSP of a page with its one script (the report's consent button, the live pages' events): scripts and
 * connections (EventSource, fetch) from this origin only, no inline script. The API's own CSP (`default-src 'none'`,
 * libs/runtime) would block both.
 */
export const PAGE_WITH_SCRIPT_CSP =
  "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/** Headers of an HTML page served with its script. */
export function asPageWithScript(response: Response): void {
  response.setHeader('content-type', 'text/html; charset=utf-8');
  response.setHeader('content-security-policy', PAGE_WITH_SCRIPT_CSP);
}
