import mqtt from 'mqtt';
import { Client } from 'pg';
import { IngesterFixture, startIngesterFixture } from '../support/ingester-fixture';
import { waitFor } from '../support/services';

const MESSAGES = Number(process.env.ILOT_FAULT_STOCK_MESSAGES ?? 60_000);
const PUBLISHERS = 4;
const METERS = Array.from({ length: 34 }, (_, i) =>
  i < 18 ? `m-a-${Math.floor(i / 3) + 1}0${(i % 3) + 1}` : `m-b-${Math.floor((i - 18) / 4) + 1}0${((i - 18) % 4) + 1}`,
);

/**
 * Issue 30 §3: on a stock Mosquitto (its queue of 1000 messages per session), the ingester killed -9 mid-burst loses
 * what the broker drops while it is away; the loss is seen: every lost reading is counted by the gaps in its device's
 * seq (`ilot_ingest_seq_missing_total`), the devices named in the log.
 */
describe(`ingester killed (-9) during a ${MESSAGES}-message burst on a stock Mosquitto`, () => {
  let fixture: IngesterFixture;
  let db: Client;

  beforeAll(async () => {
    fixture = await startIngesterFixture('stockkill', {
      stockBroker: true,
      // Settling longer than the restart: what the killed ingester held unacknowledged is redelivered to the new one.
      env: { ILOT_INGEST_SEQ_CHECK_S: '1', ILOT_INGEST_SEQ_SETTLE_S: '15' },
    });
    db = new Client({ connectionString: fixture.database.url });
    await db.connect();
  }, 60_000);

  afterAll(async () => {
    await db?.end();
    await fixture?.tearDown();
  });

  it('counts every reading the broker dropped as missing by its seq', async () => {
    const { siteId, ingester } = fixture;
    const baseMs = Date.now() - 3 * 3_600_000;
    const publishers = await Promise.all(
      Array.from({ length: PUBLISHERS }, () => mqtt.connectAsync(fixture.broker.url, { protocolVersion: 5 })),
    );
    let published = 0;
    const publishSlice = async (client: mqtt.MqttClient, from: number) => {
      const inFlight: Promise<unknown>[] = [];
      for (let k = from; k < MESSAGES; k += PUBLISHERS) {
        // Each meter counts its own readings from 1, a reading every 100 ms of its own time.
        const n = Math.floor(k / METERS.length);
        const payload = { ts: new Date(baseMs + n * 100).toISOString(), seq: n + 1, powerW: 100 + (k % 50) };
        inFlight.push(
          client
            .publishAsync(`ilot/v1/${siteId}/${METERS[k % METERS.length]}/telemetry`, JSON.stringify(payload), {
              qos: 1,
            })
            .then(() => published++),
        );
        if (inFlight.length >= 200) await Promise.all(inFlight.splice(0));
      }
      await Promise.all(inFlight);
    };
    const burst = Promise.all(publishers.map((client, i) => publishSlice(client, i)));
    await waitFor('a third of the burst', async () => published >= MESSAGES / 3, 120_000, 20);
    await ingester.kill9();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await ingester.start();
    await burst;
    // The devices go on: each one's next reading, once the ingester is back, closes the gap of a tail the broker dropped.
    await Promise.all(
      METERS.map((meter, j) => {
        const sent = Math.floor((MESSAGES - 1 - j) / METERS.length) + 1; // the meter's readings in the burst
        return publishers[0].publishAsync(
          `ilot/v1/${siteId}/${meter}/telemetry`,
          JSON.stringify({ ts: new Date(baseMs + sent * 100).toISOString(), seq: sent + 1, powerW: 100 }),
          { qos: 1 },
        );
      }),
    );
    const total = MESSAGES + METERS.length;
    await Promise.all(publishers.map((client) => client.endAsync()));

    const count = async () =>
      Number((await db.query(`SELECT count(*) FROM readings WHERE site_id = $1`, [siteId])).rows[0].count);
    // Stored is final once it stops moving; missing once every reading is judged (15 s after it arrived).
    let last = -1;
    const stored = await waitFor(
      'the stored count to settle',
      async () => {
        const n = await count();
        const settled = n === last;
        last = n;
        return settled && n;
      },
      180_000,
      3000,
    );
    const lost = total - stored;
    const missing = await waitFor(
      'every lost reading counted',
      async () => {
        const m = await ingester.metric(`ilot_ingest_seq_missing_total{site="${siteId}"}`);
        return m >= lost && m;
      },
      60_000,
      500,
    ).catch(() => ingester.metric(`ilot_ingest_seq_missing_total{site="${siteId}"}`));
    console.log(
      `stock Mosquitto, ingester killed -9 mid-burst: published ${total}, stored ${stored}, lost ${lost}; ` +
        `counted missing by seq: ${missing}`,
    );
    expect(lost).toBeGreaterThan(0);
    expect(missing).toBe(lost);
    expect(ingester.output).toMatch(/readings missing by their seq: m-[ab]-\d+ \d+ in \d+ gap/);
  }, 400_000);
});
