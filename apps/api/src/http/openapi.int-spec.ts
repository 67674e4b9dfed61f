import type { INestApplication } from '@nestjs/common';
import { ledgerSite } from '@ilot/residents/testing/ledger-site';
import { createTestDatabase, TestDatabase } from '@ilot/timeseries/testing/test-database';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startApiOnLedgerDay } from '../testing/api-alone';

const COMMITTED = join(process.cwd(), 'docs', 'openapi.json');

interface Operation {
  summary?: string;
  description?: string;
  parameters?: Array<{ name: string; in: string }>;
  security?: unknown[];
  responses: Record<string, unknown>;
  requestBody?: { content: Record<string, unknown> };
}

/**
 * Issue 15: the OpenAPI document, generated from the code, served at /api/docs, and equal to docs/openapi.json
 * (`npm run openapi` writes it: ILOT_WRITE_OPENAPI=1); every route with its access rule, parameters and refusals.
 */
describe('the OpenAPI document of the API', () => {
  let database: TestDatabase;
  let app: INestApplication;
  let served: { paths: Record<string, Record<string, Operation>> };
  let base: string;
  const site = ledgerSite('dynamic-default', 'docs');

  beforeAll(async () => {
    database = await createTestDatabase('ilot_openapi');
    const started = await startApiOnLedgerDay(site, database.url, {
      operator: 'openapi-operator-token-0123456789',
      secret: 'openapi-token-secret-0123456789abcdef0123',
    });
    app = started.app;
    base = started.base;
    const response = await fetch(started.base.replace(/\/v1\/sites\/docs$/, '/docs'));
    expect(response.status).toBe(200);
    served = (await response.json()) as typeof served;
    if (process.env.ILOT_WRITE_OPENAPI === '1') writeFileSync(COMMITTED, `${JSON.stringify(served, null, 2)}\n`);
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await database?.drop();
  });

  it('is docs/openapi.json (npm run openapi after a change of the API)', () => {
    expect(JSON.parse(readFileSync(COMMITTED, 'utf8'))).toEqual(served);
  });

  it('says for every /api/v1 route who may call it, its path parameters and its refusals', () => {
    const operations = Object.entries(served.paths)
      .filter(([path]) => path.startsWith('/api/v1/'))
      .flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ path, method, op })));
    expect(operations.length).toBeGreaterThanOrEqual(16);
    for (const { path, method, op } of operations) {
      const where = `${method.toUpperCase()} ${path}`;
      expect(`${where}: ${op.description ?? ''}`).toMatch(/: Access: /);
      expect(`${where}: ${op.summary ?? ''}`).toMatch(/: \S/);
      const refusals = Object.keys(op.responses).filter((status) => /^4\d\d$/.test(status));
      expect(`${where}: ${refusals.join(',')}`).toMatch(/429/);
      for (const name of [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]))
        expect(
          `${where}: ${(op.parameters ?? [])
            .filter((p) => p.in === 'path')
            .map((p) => p.name)
            .join(',')}`,
        ).toContain(name);
      if (!/Access: anyone$/.test(op.description ?? ''))
        expect(`${where}: ${JSON.stringify(op.security)}`).toContain('bearer');
    }
  });

  // Regression (issue 25): /readings of the îlot's devices and /schedule answered without a token, though the
  // document said a bearer token was required. Every route is called here without one: those the document says
  // anyone may call answer (whatever the status, never 401 or 403), every other answers 401.
  it('agrees with the code: every route called without a token is refused unless the document says anyone', async () => {
    const origin = base.replace(/\/api\/v1\/sites\/docs$/, '');
    const values: Record<string, string> = {
      siteId: site.id,
      participantId: site.participants[0].id,
      eventId: 'o-1',
      month: '2026-01',
    };
    const query = 'device=grid&from=2026-01-10T00:00:00Z&to=2026-01-11T00:00:00Z&month=2026-01';
    const outcomes: string[] = [];
    let open = 0;
    for (const [path, methods] of Object.entries(served.paths).filter(([p]) => p.startsWith('/api/v1/')))
      for (const [method, op] of Object.entries(methods)) {
        const url = `${origin}${path.replace(/\{(\w+)\}/g, (_m, name: string) => values[name])}?${query}`;
        const abort = new AbortController();
        const response = await fetch(url, {
          method: method.toUpperCase(),
          signal: abort.signal,
          // A body of the type the route documents (JSON, or the one CSV route's text/csv).
          ...(method === 'get'
            ? {}
            : {
                headers: { 'content-type': Object.keys(op.requestBody?.content ?? { 'application/json': 0 })[0] },
                body: '{}',
              }),
        });
        abort.abort(); // an event stream never ends by itself
        const anyone = /Access: anyone$/.test(op.description ?? '');
        if (anyone) open++;
        const refused = response.status === 401 || response.status === 403;
        if (anyone === refused || (!anyone && response.status !== 401))
          outcomes.push(`${method.toUpperCase()} ${path}: ${response.status}, documented "${op.description}"`);
      }
    expect(outcomes).toEqual([]);
    // The lobby (page, figures, events), the open data and the two page scripts: nothing else.
    expect(open).toBe(6);
  });
});
