import mqtt from 'mqtt';
import { Client } from 'pg';
import type { IngesterProcess } from '../support/app-process';
import { IngesterFixture, startIngesterFixture } from '../support/ingester-fixture';
import { waitFor } from '../support/services';

const METERS = ['m-a-101', 'm-a-102', 'm-a-103', 'm-b-101', 'm-b-102'];

/** Publishes [topic suffix, payload] pairs at QoS 1, 200 in flight at a time. */
async function publishAll(
  client: mqtt.MqttClient,
  siteId: string,
  messages: Array<[string, string | Buffer]>,
): Promise<void> {
  for (let i = 0; i < messages.length; i += 200)
    await Promise.all(
      messages
        .slice(i, i + 200)
        .map(([suffix, payload]) => client.publishAsync(`ilot/v1/${siteId}/${suffix}`, payload, { qos: 1 })),
    );
}

describe('ingester against replays and hostile input', () => {
  let fixture: IngesterFixture;
  let siteId: string;
  let ingester: IngesterProcess;
  let db: Client;
  let publisher: mqtt.MqttClient;
  const count = async (sql: string) => Number((await db.query(sql, [siteId])).rows[0].count);

  beforeAll(async () => {
    fixture = await startIngesterFixture('fuzz');
    ({ siteId, ingester } = fixture);
    db = new Client({ connectionString: fixture.database.url });
    await db.connect();
    publisher = await mqtt.connectAsync(fixture.broker.url, { protocolVersion: 5 });
  }, 60_000);

  afterAll(async () => {
    await publisher?.endAsync();
    await db?.end();
    await fixture?.tearDown();
  });

  it('stores 10k messages replayed three times once, and counts 20k duplicates', async () => {
    const baseMs = Date.now() - 2 * 3_600_000;
    const messages: Array<[string, string]> = Array.from({ length: 10_000 }, (_, k) => [
      `${METERS[k % METERS.length]}/telemetry`,
      JSON.stringify({
        ts: new Date(baseMs + Math.floor(k / METERS.length) * 1000).toISOString(),
        seq: k,
        powerW: 500,
      }),
    ]);
    for (let round = 0; round < 3; round++) await publishAll(publisher, siteId, messages);
    const duplicates = await waitFor(
      '20k duplicates counted',
      async () => {
        const n = await ingester.metric(`ilot_ingest_duplicates_total{site="${siteId}"}`);
        return n >= 20_000 && n;
      },
      60_000,
    );
    const stored = await count(`SELECT count(*) FROM readings WHERE site_id = $1`);
    console.log(`replay x3 of 10000 messages: stored ${stored}, duplicates counted ${duplicates}`);
    expect(stored).toBe(10_000);
    expect(duplicates).toBe(20_000);
  }, 120_000);

  it('refuses 10k fuzzed payloads with the right reason, stays up, and stores every good message around them', async () => {
    const nowMs = Date.now();
    const good = (k: number): [string, string] => [
      `${METERS[k % METERS.length]}/telemetry`,
      JSON.stringify({ ts: new Date(nowMs - 3_600_000 + k * 100).toISOString(), seq: k, powerW: 700 }),
    ];
    const fuzz: Array<{ reason: string; make: (k: number) => [string, string | Buffer] }> = [
      {
        reason: 'malformed_json',
        make: (k) => [`m-a-101/telemetry`, `{"ts": "2026-01-01T00:00:00Z", "seq": ${k}, "powerW": NaN}`],
      },
      { reason: 'malformed_json', make: () => [`m-a-101/telemetry`, Buffer.from([0xff, 0xfe, 0x7b, 0x00])] },
      {
        reason: 'out_of_range',
        make: (k) => [
          `m-a-102/telemetry`,
          JSON.stringify({ ts: new Date(nowMs - k).toISOString(), seq: k, powerW: 1e7 }),
        ],
      },
      {
        reason: 'schema',
        make: (k) => [`m-a-102/telemetry`, `{"ts":"${new Date(nowMs - k).toISOString()}","seq":${k},"powerW":1e999}`],
      },
      {
        reason: 'schema',
        make: (k) => [
          `m-a-103/telemetry`,
          JSON.stringify({ ts: new Date(nowMs - k).toISOString(), seq: String(k), powerW: 1 }),
        ],
      },
      {
        reason: 'schema',
        make: (k) => [`m-a-103/telemetry`, JSON.stringify({ ts: 'x'.repeat(5000), seq: k, powerW: 1 })],
      },
      {
        reason: 'oversized',
        make: (k) => [
          `m-b-101/telemetry`,
          JSON.stringify({ ts: new Date(nowMs).toISOString(), seq: k, powerW: 1, pad: 'y'.repeat(70_000) }),
        ],
      },
      {
        reason: 'too_old',
        make: (k) => [
          `m-b-101/telemetry`,
          JSON.stringify({ ts: new Date(nowMs - 30 * 86_400_000 - k * 1000).toISOString(), seq: k, powerW: 1 }),
        ],
      },
      {
        reason: 'future',
        make: (k) => [
          `m-b-102/telemetry`,
          JSON.stringify({ ts: new Date(nowMs + 3_600_000 + k).toISOString(), seq: k, powerW: 1 }),
        ],
      },
      {
        reason: 'unknown_device',
        make: (k) => [
          `nobody-${k % 7}/telemetry`,
          JSON.stringify({ ts: new Date(nowMs - k).toISOString(), seq: k, powerW: 1 }),
        ],
      },
    ];
    const messages: Array<[string, string | Buffer]> = [];
    const expected: Record<string, number> = {};
    let goodCount = 0;
    for (let k = 0; k < 10_000; k++) {
      const kind = fuzz[k % fuzz.length];
      messages.push(kind.make(k));
      expected[kind.reason] = (expected[kind.reason] ?? 0) + 1;
      if (k % 5 === 0) messages.push(good(goodCount++));
    }
    await publishAll(publisher, siteId, messages);
    const rejectedCount = async () => Number((await db.query(`SELECT count(*) FROM rejected_messages`)).rows[0].count);
    const goodCountStored = () => count(`SELECT count(*) FROM readings WHERE site_id = $1 AND power_w = 700`);
    await waitFor(
      'every fuzzed message rejected and every good one stored',
      async () => (await rejectedCount()) >= 10_000 && (await goodCountStored()) >= goodCount,
      60_000,
    ).catch(
      () => undefined, // the assertions below say what is missing
    );
    const rejectedTotal = await rejectedCount();
    const byReason = Object.fromEntries(
      (await db.query(`SELECT reason, count(*)::int AS n FROM rejected_messages GROUP BY reason`)).rows.map((r) => [
        r.reason,
        r.n,
      ]),
    );
    const goodStored = await goodCountStored();
    const ready = await fetch(`http://127.0.0.1:${ingester.httpPort}/readyz`);
    console.log(`fuzz: ${rejectedTotal} rejected ${JSON.stringify(byReason)}; good stored ${goodStored}/${goodCount}`);
    expect(byReason).toEqual(expected);
    expect(goodStored).toBe(goodCount);
    expect(ready.status).toBe(200);
    const longest = Number((await db.query(`SELECT max(length(payload)) AS n FROM rejected_messages`)).rows[0].n);
    expect(longest).toBeLessThanOrEqual(2048);
  }, 120_000);

  // Regression (probe of the running îlot): a second value for a stored (device, ts) was dropped silently, counted as
  // a duplicate. It is refused with its reason, kept and counted; the stored reading stays.
  it('refuses a second value for a stored instant, keeps it with its reason, and leaves the stored reading', async () => {
    const ts = new Date(Date.now() - 3 * 3_600_000).toISOString();
    const first: Array<[string, string]> = [[`${METERS[0]}/telemetry`, JSON.stringify({ ts, seq: 1, powerW: 400 })]];
    await publishAll(publisher, siteId, first);
    await waitFor(
      'the first value stored',
      async () => (await count(`SELECT count(*) FROM readings WHERE site_id = $1 AND power_w = 400`)) === 1,
      20_000,
    );
    const duplicatesBefore = await ingester.metric(`ilot_ingest_duplicates_total{site="${siteId}"}`);
    await publishAll(publisher, siteId, [
      [`${METERS[0]}/telemetry`, JSON.stringify({ ts, seq: 1, powerW: 400 })], // the same reading again
      [`${METERS[0]}/telemetry`, JSON.stringify({ ts, seq: 1, powerW: 455 })], // another value
    ]);
    const refused = await waitFor(
      'the second value refused',
      async () =>
        (await db.query(`SELECT reason, detail FROM rejected_messages WHERE reason = 'duplicate'`)).rows[0] as
          { reason: string; detail: string } | undefined,
      20_000,
    );
    expect(refused.detail).toBe(
      `ts: ${ts} is stored for ${METERS[0]} with powerW 400 (seq 1); this one says powerW 455 (seq 1)`,
    );
    expect(
      await ingester.metric(`ilot_ingest_rejected_total{site="${siteId}",topic="telemetry",reason="duplicate"}`),
    ).toBe(1);
    expect(await ingester.metric(`ilot_ingest_duplicates_total{site="${siteId}"}`)).toBe(duplicatesBefore + 1);
    const stored = await db.query(`SELECT power_w FROM readings WHERE site_id = $1 AND device_id = $2 AND ts = $3`, [
      siteId,
      METERS[0],
      ts,
    ]);
    expect(stored.rows).toEqual([{ power_w: 400 }]);
  }, 60_000);
});
