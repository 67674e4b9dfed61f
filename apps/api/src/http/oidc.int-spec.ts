import type { INestApplication } from '@nestjs/common';
import { ledgerSite } from '@ilot/residents/testing/ledger-site';
import { createTestDatabase, TestDatabase } from '@ilot/timeseries/testing/test-database';
import { exportJWK, generateKeyPair, type KeyLike, SignJWT } from 'jose';
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startApiOnLedgerDay } from '../testing/api-alone';

const SITE = ledgerSite('dynamic-default', 'oidc');
const ISSUER = 'https://id.example.test/realms/ilot';
const AUDIENCE = 'ilot-api';

/**
 * Issue 15: operators sign in through their identity provider. A real JWKS is served over HTTP here, the tokens are
 * signed by its key (or not), and the metrics app verifies them: roles per site from the claim, `viewer` reads only.
 */
describe('operators’ access tokens from the identity provider (OIDC, real JWKS over HTTP)', () => {
  let database: TestDatabase;
  let app: INestApplication;
  let base: string;
  let jwks: Server;
  let key: KeyLike;
  let stranger: KeyLike;
  let jwksFetches = 0;

  const token = (claims: Record<string, unknown>, options: { key?: KeyLike; exp?: string; alg?: string } = {}) =>
    new SignJWT({ ilot_roles: ['operator:oidc'], ...claims })
      .setProtectedHeader({ alg: options.alg ?? 'RS256', kid: 'k1' })
      .setIssuer(typeof claims.iss === 'string' ? claims.iss : ISSUER)
      .setAudience(typeof claims.aud === 'string' ? claims.aud : AUDIENCE)
      .setSubject('alice@operator.example')
      .setIssuedAt()
      .setExpirationTime(options.exp ?? '5m')
      .sign(options.key ?? key);
  const call = async (path: string, bearer: string, init: RequestInit = {}) => {
    const response = await fetch(`${base}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
    });
    return { status: response.status, message: ((await response.json()) as { message?: string }).message };
  };
  const tempo = { method: 'POST', body: JSON.stringify({ type: 'tempo', date: '2026-01-11', color: 'red' }) };

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256');
    key = pair.privateKey;
    stranger = (await generateKeyPair('RS256')).privateKey;
    const published = { keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }] };
    jwks = createServer((_request, response) => {
      jwksFetches++;
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify(published));
    });
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    database = await createTestDatabase('ilot_oidc');
    ({ app, base } = await startApiOnLedgerDay(
      SITE,
      database.url,
      { operator: 'oidc-static-operator-token-0123456789', secret: 'oidc-token-secret-0123456789abcdef0123' },
      {
        ILOT_OIDC_ISSUER: ISSUER,
        ILOT_OIDC_AUDIENCE: AUDIENCE,
        ILOT_OIDC_JWKS_URL: `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/certs`,
      },
    ));
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await database?.drop();
    jwks?.close();
  });

  it('lets the site’s operator in, and a viewer read only', async () => {
    expect((await call('/signals', await token({}), tempo)).status).toBe(201);
    expect((await call('/access-log', await token({}))).status).toBe(200);
    const viewer = await token({ ilot_roles: ['viewer:oidc'] });
    expect((await call('/access-log', viewer)).status).toBe(200);
    expect(await call('/signals', viewer, tempo)).toEqual({ status: 403, message: 'a viewer only reads' });
    expect(jwksFetches).toBeGreaterThanOrEqual(1);
  });

  it.each([
    ['expired', () => token({}, { exp: '-2m' }), 401, 'identity provider token refused: expired'],
    [
      'for another audience',
      () => token({ aud: 'grafana' }),
      401,
      'identity provider token refused: claim "aud" does not match',
    ],
    [
      'from another issuer',
      () => token({ iss: 'https://evil.example' }),
      401,
      'identity provider token refused: claim "iss" does not match',
    ],
    [
      'for another site',
      () => token({ ilot_roles: ['operator:other'] }),
      403,
      'this token gives no role on site "oidc"',
    ],
    ['with no role', () => token({ ilot_roles: [] }), 403, 'this token gives no role on site "oidc"'],
    [
      'signed by a key the provider does not publish',
      () => token({}, { key: stranger }),
      401,
      'identity provider token refused: signature not valid',
    ],
  ])('refuses a token %s, saying why', async (_name, make, status, message) => {
    expect(await call('/signals', await make(), tempo)).toEqual({ status, message });
  });

  it('refuses an unsigned token and one given in the URL', async () => {
    const [header, payload] = (await token({})).split('.');
    const none = `${Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url')}.${payload}.`;
    expect((await call('/signals', none, tempo)).status).toBe(401);
    const inUrl = await fetch(`${base}/participants/flat-1/report?month=2026-01&access_token=${await token({})}`);
    expect(inUrl.status).toBe(401);
    expect(header.startsWith('eyJ')).toBe(true);
  });

  it('opens the deployment’s routes to `operator:*` only, and logs its reads of personal data as the operator’s', async () => {
    expect(
      (
        await fetch(base.replace(/\/sites\/oidc$/, '/sites'), {
          headers: { authorization: `Bearer ${await token({})}` },
        })
      ).status,
    ).toBe(403);
    const everywhere = await token({ ilot_roles: ['operator:*'] });
    expect(
      (await fetch(base.replace(/\/sites\/oidc$/, '/sites'), { headers: { authorization: `Bearer ${everywhere}` } }))
        .status,
    ).toBe(200);
    expect(
      (
        await fetch(`${base}/participants/flat-1/report?month=2026-01`, {
          headers: { authorization: `Bearer ${everywhere}` },
        })
      ).status,
    ).toBe(200);
    const log = (await (
      await fetch(`${base}/access-log?participant=flat-1`, { headers: { authorization: `Bearer ${everywhere}` } })
    ).json()) as {
      entries: Array<{ viewerRole: string; what: string }>;
    };
    expect(log.entries[0]).toMatchObject({ viewerRole: 'operator', what: 'report 2026-01 (json)' });
  });
});
