import { TEST_MQTT_URL, waitFor } from '@ilot/mqtt/testing/broker';
import { ticGroup } from '@ilot/tic';
import { createServer, type Server, type Socket } from 'node:net';
import { EdgeGateway } from '../edge-gateway';
import { startTestGateway } from '../testing/test-gateway';
import { SiteMessages } from '../testing/site-messages';

const SITE = `tic-${process.pid}`;
const PORT = 16_020 + (process.pid % 500);

/** A historic-mode frame (Enedis-NOI-CPT_54E §5.3) with the power and indexes given; `corrupt` breaks PAPP's checksum. */
function frame(pappVA: number, hchcWh: number, corrupt = false): string {
  const groups = [
    ticGroup('historic', 'ADCO', '031762120162'),
    ticGroup('historic', 'OPTARIF', 'HC..'),
    ticGroup('historic', 'HCHC', String(hchcWh).padStart(9, '0')),
    ticGroup('historic', 'HCHP', '000765432'),
    ticGroup('historic', 'PTEC', 'HC..'),
    ticGroup('historic', 'PAPP', String(pappVA).padStart(5, '0')),
  ];
  const text = `\x02${groups.join('')}\x03`;
  return corrupt
    ? text.replace(/PAPP (\d+)/, (_m, d: string) => `PAPP ${d.slice(0, -1)}${(Number(d.at(-1)) + 1) % 10}`)
    : text;
}

/**
 * A Linky's TIC through a TCP serial bridge (a local server streaming frames as a ser2net port would), on the real
 * broker: good frames become the meter's telemetry, a corrupted one is dropped whole, a silent bridge is offline.
 */
describe('edge gateway: a Linky TIC meter through a serial bridge', () => {
  let bridge: Server;
  const sockets = new Set<Socket>();
  let streaming: NodeJS.Timeout | undefined;
  let gateway: EdgeGateway;
  let messages: SiteMessages;
  let corruptNext = false;
  let papp = 1200;

  beforeAll(async () => {
    bridge = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => bridge.listen(PORT, '127.0.0.1', resolve));
    streaming = setInterval(() => {
      const text = frame(papp, 1_234_567, corruptNext);
      corruptNext = false;
      // Cut in two chunks, as a serial line delivers it.
      for (const socket of sockets) {
        socket.write(Buffer.from(text.slice(0, 30), 'latin1'));
        socket.write(Buffer.from(text.slice(30), 'latin1'));
      }
    }, 100);
    messages = await SiteMessages.watch(TEST_MQTT_URL, SITE);
    gateway = await startTestGateway({
      site: SITE,
      devices: [{ id: 'grid', protocol: 'tic', host: '127.0.0.1', port: PORT, minIntervalS: 0, silenceS: 1 }],
    });
  }, 20_000);

  afterAll(async () => {
    if (streaming) clearInterval(streaming);
    await gateway?.stop();
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => bridge?.close(resolve));
    await messages?.close(['grid']);
  }, 20_000);

  const latest = (kind: string) => messages.latest('grid', kind);

  it('sends each good frame as the meter reading: apparent power and the sum of the indexes', async () => {
    const reading = await waitFor('a meter reading', async () => latest('telemetry'), 10_000);
    expect(reading.payload).toMatchObject({ powerW: 1200, energyWh: 1_234_567 + 765_432 });
    papp = 3400;
    await waitFor('the new power', async () => latest('telemetry')?.payload.powerW === 3400, 10_000);
  }, 20_000);

  it('drops a frame with a bad checksum whole, never a half or a wrong value', async () => {
    const driver = gateway.drivers.get('grid') as unknown as { stats: { badFrames: number; lastProblem?: string } };
    const before = driver.stats.badFrames;
    const sentBefore = messages.seen.length;
    papp = 5000;
    corruptNext = true;
    await waitFor('a bad frame counted', async () => driver.stats.badFrames > before, 5000);
    expect(driver.stats.lastProblem).toMatch(/^group PAPP: checksum/);
    await waitFor('a good reading at 5000', async () => latest('telemetry')?.payload.powerW === 5000, 5000);
    // Only good values went out: the corrupted frame said 5001 W.
    const powers = messages.seen
      .slice(sentBefore)
      .filter((s) => s.topic.endsWith('/telemetry'))
      .map((s) => s.payload.powerW);
    expect(powers.every((p) => p === 3400 || p === 5000)).toBe(true);
  }, 20_000);

  it('reports the meter offline when its bridge falls silent, online when frames come back', async () => {
    clearInterval(streaming);
    const stoppedAt = Date.now();
    const offline = await waitFor(
      'offline',
      async () => latest('status')?.payload.state === 'offline' && latest('status')!.at > stoppedAt && latest('status'),
      10_000,
    );
    expect(offline.at - stoppedAt).toBeLessThan(3000);
    streaming = setInterval(() => {
      for (const socket of sockets) socket.write(Buffer.from(frame(800, 1_234_600), 'latin1'));
    }, 100);
    await waitFor('online again', async () => latest('status')?.payload.state === 'online', 10_000);
    await waitFor('a reading again', async () => latest('telemetry')?.payload.powerW === 800, 10_000);
  }, 30_000);
});
