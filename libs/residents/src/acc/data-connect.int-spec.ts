import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DataConnectClient } from './data-connect.client';

const PRM = '30000000000202';

/** A local server answering as Data Connect documents: a client-credentials token, the v5 consumption load curve. */
function dataConnectServer(plan: { status429Once?: boolean; status401Once?: boolean; failWith?: number }) {
  const requests: Array<{ path: string; query: Record<string, string>; authorization?: string; body?: string }> = [];
  let tokens = 0;
  let said429 = false;
  let said401 = false;
  const server: Server = createServer(async (request: IncomingMessage, response) => {
    const url = new URL(request.url!, 'http://local');
    let body = '';
    for await (const chunk of request) body += chunk;
    requests.push({
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      authorization: request.headers.authorization,
      body,
    });
    response.setHeader('content-type', 'application/json');
    if (url.pathname === '/oauth2/v3/token') {
      tokens++;
      return response.end(JSON.stringify({ access_token: `token-${tokens}`, token_type: 'Bearer', expires_in: 12600 }));
    }
    if (plan.status429Once && !said429) {
      said429 = true;
      response.writeHead(429, { 'retry-after': '0' });
      return response.end(JSON.stringify({ error: 'Too Many Requests' }));
    }
    if (plan.status401Once && !said401) {
      said401 = true;
      response.writeHead(401);
      return response.end(JSON.stringify({ error: 'invalid_token' }));
    }
    if (plan.failWith) {
      response.writeHead(plan.failWith);
      return response.end(
        JSON.stringify({ error: 'ADAM-ERR0069', error_description: 'no consent for this usage point' }),
      );
    }
    const start = url.searchParams.get('start')!;
    response.end(
      JSON.stringify({
        meter_reading: {
          usage_point_id: url.searchParams.get('usage_point_id'),
          start,
          end: url.searchParams.get('end'),
          quality: 'BRUT',
          reading_type: { unit: 'W', measurement_kind: 'power', aggregate: 'average' },
          interval_reading: [
            { value: '500', date: `${start} 00:30:00`, interval_length: 'PT30M', measure_type: 'B' },
            { value: '700', date: `${start} 01:00:00`, interval_length: 'PT30M', measure_type: 'B' },
          ],
        },
      }),
    );
  });
  return { server, requests, tokens: () => tokens };
}

async function listening(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('DataConnectClient (on a local server answering the documented shapes)', () => {
  const servers: Server[] = [];
  afterAll(() => servers.forEach((s) => s.close()));

  async function clientOn(plan: Parameters<typeof dataConnectServer>[0]) {
    const fake = dataConnectServer(plan);
    servers.push(fake.server);
    const base = await listening(fake.server);
    const waits: number[] = [];
    const client = new DataConnectClient(
      { tokenUrl: `${base}/oauth2/v3/token`, apiBase: base, clientId: 'ilot-pmo', clientSecret: 's3cret' },
      async (ms) => void waits.push(ms),
    );
    return { client, ...fake, waits };
  }

  it('takes a client-credentials token once, asks 7 days at a time with it, and reads the points as instants', async () => {
    const { client, requests, tokens } = await clientOn({});
    const curve = await client.loadCurve(PRM, '2026-11-01', '2026-11-10', 'Europe/Paris');
    expect(tokens()).toBe(1);
    expect(requests[0]).toMatchObject({ path: '/oauth2/v3/token' });
    expect(Object.fromEntries(new URLSearchParams(requests[0].body))).toEqual({
      grant_type: 'client_credentials',
      client_id: 'ilot-pmo',
      client_secret: 's3cret',
    });
    expect(requests.slice(1).map((r) => [r.path, r.query, r.authorization])).toEqual([
      [
        '/metering_data_clc/v5/consumption_load_curve',
        { usage_point_id: PRM, start: '2026-11-01', end: '2026-11-08' },
        'Bearer token-1',
      ],
      [
        '/metering_data_clc/v5/consumption_load_curve',
        { usage_point_id: PRM, start: '2026-11-08', end: '2026-11-10' },
        'Bearer token-1',
      ],
    ]);
    expect(curve.ok && curve.value.map((p) => [p.start.toISOString(), p.powerW])).toEqual([
      ['2026-10-31T23:00:00.000Z', 500],
      ['2026-10-31T23:30:00.000Z', 700],
      ['2026-11-07T23:00:00.000Z', 500],
      ['2026-11-07T23:30:00.000Z', 700],
    ]);
  });

  it('waits out a 429 and asks a new token after a 401, then gets the curve', async () => {
    const limited = await clientOn({ status429Once: true });
    expect((await limited.client.loadCurve(PRM, '2026-11-01', '2026-11-02', 'Europe/Paris')).ok).toBe(true);
    expect(limited.waits).toEqual([0]);
    const expired = await clientOn({ status401Once: true });
    expect((await expired.client.loadCurve(PRM, '2026-11-01', '2026-11-02', 'Europe/Paris')).ok).toBe(true);
    expect(expired.tokens()).toBe(2);
  });

  it.each([
    [403, 'no-consent', /30000000000202: no consent for this usage point/],
    [500, 'unavailable', /Data Connect answered 500: no consent/],
  ])('answers %s as a refusal (%s), never an exception', async (status, reason, problem) => {
    const { client } = await clientOn({ failWith: status });
    const curve = await client.loadCurve(PRM, '2026-11-01', '2026-11-02', 'Europe/Paris');
    expect(curve).toMatchObject({ ok: false, reason });
    if (!curve.ok) expect(curve.problems.join()).toMatch(problem);
  });
});
