import type { INestApplication } from '@nestjs/common';
import { ledgerSite } from '@ilot/residents/testing/ledger-site';
import { createTestDatabase, TestDatabase } from '@ilot/timeseries/testing/test-database';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startMetricsOnLedgerDay } from '../testing/metrics-alone';

const COMMITTED = join(process.cwd(), 'docs', 'openapi.json');

interface Operation {
  summary?: string;
  description?: string;
  parameters?: Array<{ name: string; in: string }>;
  security?: unknown[];
  responses: Record<string, unknown>;
}

/**
 * Issue 15: the OpenAPI document, generated from the code, served at /api/docs, and equal to docs/openapi.json
 * (`npm run openapi` writes it: ILOT_WRITE_OPENAPI=1); every route with its access rule, parameters and refusals.
 */
describe('the OpenAPI document of the API', () => {
  let database: TestDatabase;
  let app: INestApplication;
  let served: { paths: Record<string, Record<string, Operation>> };

  beforeAll(async () => {
    database = await createTestDatabase('ilot_openapi');
    const started = await startMetricsOnLedgerDay(ledgerSite('dynamic-default', 'docs'), database.url, {
      operator: 'openapi-operator-token-0123456789',
      secret: 'openapi-token-secret-0123456789abcdef0123',
    });
    app = started.app;
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
});
