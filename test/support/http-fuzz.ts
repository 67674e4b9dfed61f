/** One hostile or malformed request for the API fuzz run. */
export interface FuzzCase {
  kind: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Buffer;
}

/** A seeded PRNG (mulberry32): the same seed, the same run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HOSTILE_IDS = [
  '..',
  '../../etc/passwd',
  '..%2F..%2Fetc%2Fpasswd',
  '%00',
  'a%00b',
  "' OR 1=1 --",
  "x'; DROP TABLE readings; --",
  '%27%20OR%20%271%27%3D%271',
  '<script>alert(1)</script>',
  'A'.repeat(5000),
  '%F0%9F%92%A9',
  '%C0%AF',
  '$(reboot)',
  '{{7*7}}',
  '${jndi:ldap://x}',
  'NaN',
  '-1',
  '1e308',
];
const HOSTILE_VALUES = [
  ...HOSTILE_IDS,
  '',
  ' ',
  '2026-13-45',
  '9999-12-31T00:00:00Z',
  '0000-01-01',
  'null',
  '[]',
  '{}',
];
const BAD_JSON = [
  '{',
  '{"type":',
  '[1,2,',
  'null',
  '"string"',
  '123',
  'true',
  '{"a":1}}',
  '\u0000',
  '{"__proto__":{"admin":true}}',
  '{"constructor":{"prototype":{"x":1}}}',
  `{"type":"effacement","id":"x","start":"2026-01-01T00:00:00Z","end":"2026-01-01T01:00:00Z","reductionW":"1e999"}`,
  `{"detailedCurve":"yes"}`,
  `{"detailedCurve":true,"how":"${'x'.repeat(500)}"}`,
  `{"shares":[{"ts":"x"}]}`,
  `{"issuedAt":"2026-01-01T00:00:00Z","series":[{"ts":"2026-01-01T00:00:00Z","pvW":-5}]}`,
  '[' + '['.repeat(5000) + ']'.repeat(5000) + ']',
  '{"a":' + '{"a":'.repeat(2000) + '1' + '}'.repeat(2001),
];
const FORGED_TOKENS = [
  'v1.eyJyb2xlIjoib3BlcmF0b3IifQ.AAAA',
  'v1..',
  'v1.' + 'A'.repeat(10_000) + '.x',
  'not-a-token',
  'Bearer',
  "' OR 1=1 --",
  'v1.e30.e30',
  'eyJhbGciOiJub25lIn0.eyJyb2xlIjoib3BlcmF0b3IifQ.',
];

/**
 * `count` requests against one site's API (the real site id, its real participants too, so that the checks past
 * the router are reached): bad JSON, huge bodies, hostile ids and parameters, wrong types, forged tokens, wrong
 * methods and content types. Each kind in turn, its details drawn from the seeded PRNG.
 */
export function fuzzCases(siteId: string, participant: string, count: number, seed = 1): FuzzCase[] {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)];
  const base = `/api/v1/sites/${siteId}`;
  const json = { 'content-type': 'application/json' };
  const bearer = () => ({ authorization: `Bearer ${pick(FORGED_TOKENS)}` });
  const makers: Array<() => FuzzCase> = [
    () => ({
      kind: 'bad JSON',
      method: 'POST',
      path: `${base}/signals`,
      headers: { ...json, ...bearer() },
      body: pick(BAD_JSON),
    }),
    () => ({
      kind: 'bad JSON',
      method: 'PUT',
      path: `${base}/participants/${participant}/consent`,
      headers: { ...json, ...bearer() },
      body: pick(BAD_JSON),
    }),
    () => ({
      kind: 'bad JSON',
      method: 'PUT',
      path: `/api/v1/sites/${pick(HOSTILE_IDS)}`,
      headers: { ...json, ...bearer() },
      body: pick(BAD_JSON),
    }),
    () => ({
      kind: 'huge body',
      method: 'POST',
      path: `${base}/forecast`,
      headers: json,
      body: Buffer.alloc(5 * 1024 * 1024 + Math.floor(random() * 1000), 0x20),
    }),
    () => ({ kind: 'hostile id', method: 'GET', path: `/api/v1/sites/${pick(HOSTILE_IDS)}/schedule`, headers: {} }),
    () => ({
      kind: 'hostile id',
      method: 'GET',
      path: `${base}/participants/${pick(HOSTILE_IDS)}/report?month=2026-01`,
      headers: bearer(),
    }),
    () => ({
      kind: 'hostile id',
      method: 'GET',
      path: `${base}/participants/${pick(HOSTILE_IDS)}/export`,
      headers: bearer(),
    }),
    () => ({
      kind: 'hostile id',
      method: 'GET',
      path: `${base}/effacements/${pick(HOSTILE_IDS)}/report`,
      headers: bearer(),
    }),
    () => ({
      kind: 'SQL in parameters',
      method: 'GET',
      path: `${base}/readings?device=${pick(HOSTILE_VALUES)}&from=${pick(HOSTILE_VALUES)}&to=${pick(HOSTILE_VALUES)}`,
      headers: {},
    }),
    () => ({
      kind: 'SQL in parameters',
      method: 'GET',
      path: `${base}/readings?device=grid&from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z&bucket=${pick(HOSTILE_VALUES)}`,
      headers: {},
    }),
    () => ({
      kind: 'SQL in parameters',
      method: 'GET',
      path: `${base}/participants/${participant}/report?month=${pick(HOSTILE_VALUES)}&format=${pick(HOSTILE_VALUES)}`,
      headers: bearer(),
    }),
    () => ({
      kind: 'wrong types',
      method: 'GET',
      path: `${base}/readings?device=grid&device=pv&from[]=1&to[a]=2`,
      headers: {},
    }),
    () => ({
      kind: 'forged token',
      method: 'GET',
      path: `${base}/participants/${participant}/report?month=2026-01&access_token=${encodeURIComponent(pick(FORGED_TOKENS))}`,
      headers: {},
    }),
    () => ({ kind: 'forged token', method: 'GET', path: `${base}/access-log`, headers: bearer() }),
    () => ({ kind: 'forged token', method: 'DELETE', path: `/api/v1/sites/${siteId}`, headers: bearer() }),
    () => ({
      kind: 'wrong content type',
      method: 'POST',
      path: `${base}/signals`,
      headers: {
        'content-type': pick([
          'application/x-www-form-urlencoded',
          'text/plain',
          'multipart/form-data; boundary=x',
          'application/json; charset=utf-7',
          'application/xml',
        ]),
      },
      body: 'type=tempo&date=2026-01-01',
    }),
    () => ({
      kind: 'wrong method',
      method: pick(['PATCH', 'DELETE', 'PUT', 'OPTIONS', 'HEAD']),
      path: `${base}/readings`,
      headers: {},
    }),
    () => ({
      kind: 'unknown route',
      method: 'GET',
      path: `/api/v1/${pick(HOSTILE_IDS)}/${pick(HOSTILE_IDS)}`,
      headers: {},
    }),
  ];
  // A body past the 4 MB limit, one request in a hundred (each is 5 MB on the wire).
  const huge = (): FuzzCase => ({
    kind: 'huge body',
    method: pick(['POST', 'PUT']),
    path: pick([`${base}/forecast`, `${base}/signals`, `${base}/participants/${participant}/consent`]),
    headers: { ...json, ...bearer() },
    body: Buffer.alloc(5 * 1024 * 1024, 0x20),
  });
  return Array.from({ length: count }, (_, n) => (n % 100 === 99 ? huge() : makers[n % makers.length]()));
}
