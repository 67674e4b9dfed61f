import type { INestApplication } from '@nestjs/common';
import type { Lobby } from '@ilot/reports';
import { multiEnergyReadings, multiEnergySite, T0 } from '@ilot/residents/testing/ledger-site';
import { openDatabase, ReadingRepository } from '@ilot/timeseries';
import { createTestDatabase, TestDatabase } from '@ilot/timeseries/testing/test-database';
import type { DataSource } from 'typeorm';
import { startApiOnLedgerDay } from '../testing/api-alone';
import { LobbyService } from './lobby.service';

const SITE = multiEnergySite('lobby');
/** Every name a participant or their meters go by: none may appear in what the lobby serves. */
const PERSONAL = [...SITE.participants.flatMap((p) => [p.id, p.meter, p.gasMeter, p.waterMeter])].filter(
  Boolean,
) as string[];

/**
 * The API on the ledger day's database (the clock at 12:40Z) with the 12:35 readings stored, started before the
 * describe's tests and closed after them.
 */
function lobbyOnLedgerDay(prefix: string) {
  let database: TestDatabase;
  let started: { app: INestApplication; base: string; db: DataSource };
  beforeAll(async () => {
    database = await createTestDatabase(prefix);
    const { app, base } = await startApiOnLedgerDay(SITE, database.url, {
      operator: 'lobby-operator-token-0123456789',
      secret: 'lobby-token-secret-0123456789abcdef012345',
    });
    const db = await openDatabase(database.url);
    const ts = new Date(T0 + 35 * 60_000);
    await new ReadingRepository(db).insertBatch(multiEnergyReadings(SITE.id, ts, 3500, 4000), ts);
    started = { app, base, db };
  }, 60_000);
  afterAll(async () => {
    await started?.app.close();
    await started?.db.destroy();
    await database?.drop();
  });
  return { started: () => started };
}

/** Issue 16: the îlot live for its lobby, to anyone, aggregates only (real PostgreSQL; the clock at 12:40Z). */
describe('the lobby view', () => {
  const lobbyDay = lobbyOnLedgerDay('ilot_lobby');
  let app: INestApplication;
  let base: string;
  let db: DataSource;
  beforeAll(() => ({ app, base, db } = lobbyDay.started()));

  const lobby = async () => {
    const response = await fetch(`${base}/lobby.json`);
    expect(response.status).toBe(200);
    const text = await response.text();
    return { lobby: JSON.parse(text) as Lobby, text };
  };

  it('shows the îlot’s consumption (5 meters and the shared loads summed, whole kW), grid and solar, to anyone, naming no one', async () => {
    const { lobby: view, text } = await lobby();
    expect(view.now).toEqual({ consumptionKW: 8, gridKW: 4 });
    expect(view.solar.nowKW).toBe(3.5);
    for (const name of PERSONAL) expect(text).not.toContain(`"${name}"`);
    const page = await (await fetch(`${base}/lobby`)).text();
    expect(page).toContain('data-figure="consumption-now" data-value="8"');
    for (const name of PERSONAL) expect(page).not.toMatch(new RegExp(`\\b${name}\\b`));
  });

  it('says nothing of the consumption or the grid once fewer than 5 participants’ meters are in it', async () => {
    // m-5 silent: the 4 others and the heat pump would give away close to a home's figure by difference.
    await db.query(`DELETE FROM readings WHERE site_id = $1 AND device_id = 'm-5'`, [SITE.id]);
    const { lobby: view } = await lobby();
    expect(view.now).toEqual({ consumptionKW: null, gridKW: null });
    // Today counts only the 12:30 step (its 5 meters reported at 12:35: 7.5 kW with the heat pump's 2, 3.5 kW of PV); the
    // ledger day's 12:00 and 12:15 steps had 3 meters and are left out whole.
    expect(view.today).toMatchObject({ consumptionKWh: 2, selfSufficiency: 0.47, selfConsumption: 1 });
    expect(view.today.solarKWh).toBeGreaterThan(0);
    const page = await (await fetch(`${base}/lobby?lang=en`)).text();
    expect(page).toContain('not shown: too few meters for every home to stay unrecognisable');
  });

  // Issue 26: 1 000 lobby streams from one address took 1.1 of 2 cores (each read the database every push).
  it('caps the live streams of one address (429 with the reason), and reads the figures once for all of them', async () => {
    const snapshots = jest.spyOn(app.get(LobbyService), 'snapshot');
    const controllers: AbortController[] = [];
    const openStream = async () => {
      const controller = new AbortController();
      const response = await fetch(`${base}/lobby/events`, { signal: controller.signal });
      if (response.status === 200) controllers.push(controller);
      return response;
    };
    try {
      for (let i = 0; i < 8; i++) expect((await openStream()).status).toBe(200);
      const refused = await openStream();
      expect(refused.status).toBe(429);
      expect(((await refused.json()) as { message: string }).message).toMatch(
        /too many live streams from .* \(8, ILOT_LIVE_MAX_STREAMS_PER_ADDRESS\)/,
      );
      // Eight streams opened within a push period share one reading of the figures.
      expect(snapshots.mock.calls.length).toBeLessThanOrEqual(2);
      // One closed, one more may open.
      controllers.shift()!.abort();
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect((await openStream()).status).toBe(200);
    } finally {
      for (const controller of controllers) controller.abort();
      snapshots.mockRestore();
    }
  });
});

/** Issue 30 §4: the live pages pushed on the store's change notification, one reading per page whatever its streams. */
describe('the lobby pushed, not polled', () => {
  const lobbyDay = lobbyOnLedgerDay('ilot_lobby_push');
  let app: INestApplication;
  let base: string;
  let db: DataSource;
  beforeAll(() => ({ app, base, db } = lobbyDay.started()));

  /** A stream's "live" events as they come: the solar power now of each. */
  const openStream = async (controller: AbortController, seen: number[]) => {
    const response = await fetch(`${base}/lobby/events`, { signal: controller.signal });
    expect(response.status).toBe(200);
    void (async () => {
      const decoder = new TextDecoder();
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>)
        for (const line of decoder.decode(chunk).split('\n'))
          if (line.startsWith('data: ')) seen.push((JSON.parse(line.slice(6)) as { live: Lobby }).live.solar.nowKW!);
    })().catch(() => undefined);
  };

  it('sends every stream the change within two seconds of its commit, reading the figures once for all of them', async () => {
    const snapshots = jest.spyOn(app.get(LobbyService), 'snapshot');
    const controllers = Array.from({ length: 6 }, () => new AbortController());
    const seen = controllers.map(() => [] as number[]);
    try {
      await Promise.all(controllers.map((c, i) => openStream(c, seen[i])));
      const deadline = Date.now() + 5000;
      while (seen.some((s) => s.length === 0) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(seen.map((s) => s[0])).toEqual(controllers.map(() => 3.5));
      // Past the push period, so the change is read at once (ILOT_LIVE_REFRESH_S, 60 s, cannot explain an update).
      await new Promise((resolve) => setTimeout(resolve, 5200));
      const readsBefore = snapshots.mock.calls.length;
      const ts = new Date(T0 + 38 * 60_000);
      const committed = Date.now();
      await new ReadingRepository(db).insertBatch(multiEnergyReadings(SITE.id, ts, 5000, 4000), ts);
      while (seen.some((s) => s.length < 2) && Date.now() < committed + 3000)
        await new Promise((r) => setTimeout(r, 20));
      const afterMs = Date.now() - committed;
      expect(seen.map((s) => s.at(-1))).toEqual(controllers.map(() => 5));
      expect(afterMs).toBeLessThan(2000);
      expect(snapshots.mock.calls.length - readsBefore).toBe(1);
    } finally {
      for (const controller of controllers) controller.abort();
      snapshots.mockRestore();
    }
  }, 30_000);
});
