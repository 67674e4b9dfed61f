import { provisionCredentials, readPassword } from '@ilot/mqtt';
import { deviceUsername, SERVICE_USERS } from '@ilot/protocol';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { ChildProcess, spawn } from 'node:child_process';
import { connect as tcpConnect } from 'node:net';
import { MatrixBroker, probeMatrix } from './support/acl-matrix';
import { stopChild } from './support/child';
import { setTimeout as delay } from 'node:timers/promises';
import { testPort, waitFor } from './support/services';

/**
 * Issue 15: `npm start`'s embedded broker (aedes) gives the production broker's rights: the same matrix as
 * broker-acl.int-spec.ts, on MQTT 3.1.1. Regression: any local client could publish a battery setpoint, an effacement
 * order, or read every resident's meter by subscribing to `#`.
 */
describe('the embedded broker (aedes): the same rights as the production one', () => {
  const siteA = 'emb-a';
  const siteB = 'emb-b';
  const credentials = mkdtempSync(join(tmpdir(), 'ilot-embedded-credentials-'));
  const port = testPort();
  const broker = { url: `mqtt://127.0.0.1:${port}` };
  let child: ChildProcess;
  const users = [
    deviceUsername(siteA, 'bat-1'),
    deviceUsername(siteA, 'm-1'),
    deviceUsername(siteB, 'bat-1'),
    ...SERVICE_USERS,
  ];

  beforeAll(async () => {
    provisionCredentials({
      dir: credentials,
      sites: [
        { id: siteA, deviceIds: ['bat-1', 'm-1'] },
        { id: siteB, deviceIds: ['bat-1'] },
      ],
    });
    // The built broker in a process of its own, as npm start runs it (aedes is an ES module, which jest cannot load).
    // It says when it listens: startEmbeddedBroker first opens and closes the port to check it is free, so an open
    // port alone is not a broker (regression: CI connected in that gap and met ECONNREFUSED).
    const script =
      `require('./dist/apps/ilot/src/embedded-broker').startEmbeddedBroker(${port}, ${JSON.stringify(credentials)})` +
      `.then(() => process.send('listening'))`;
    child = spawn(process.execPath, ['-e', script], { stdio: ['inherit', 'inherit', 'inherit', 'ipc'] });
    const listening = new Promise<boolean>((resolve) => child.once('message', () => resolve(true)));
    await waitFor('the embedded broker', () => Promise.race([listening, delay(200).then(() => false)]), 20_000);
  });

  afterAll(() => stopChild(child));

  const options = (username: string) => ({ username, password: readPassword(credentials, username) });
  const connect = (extra: mqtt.IClientOptions) =>
    mqtt
      .connectAsync(broker.url, { protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 3000, ...extra })
      .then((client) => (client.end(true), 'connected'))
      .catch((error: Error) => error.message);

  it('gives each device and service only its own rights: 0 leaks, 0 wrong refusals', async () => {
    const matrix: MatrixBroker = { url: broker.url, protocolVersion: 4, witnesses: users, optionsFor: options };
    const result = await probeMatrix(matrix, users, siteA, siteB);
    console.log(
      `broker ACL matrix (embedded aedes): ${users.length} identities, ${result.allowed} allowed, ` +
        `${result.denied} denied, ${result.leaks.length} leaks, ${result.wrongRefusals.length} wrong refusals`,
    );
    expect(result.leaks).toEqual([]);
    expect(result.wrongRefusals).toEqual([]);
  }, 120_000);

  it('refuses anonymous clients, wrong passwords, and a Last Will outside the rights', async () => {
    expect(await connect({})).toMatch(/Bad username or password/i);
    expect(await connect({ username: deviceUsername(siteA, 'bat-1'), password: 'guess' })).toMatch(
      /Bad username or password/i,
    );
    expect(await connect({ username: 'ilot-admin', password: 'x' })).toMatch(/Bad username or password/i);
    const battery = { ...options(deviceUsername(siteA, 'bat-1')), clientId: deviceUsername(siteA, 'bat-1') };
    expect(await connect(battery)).toBe('connected');
    const will = (topic: string) => ({ topic, payload: Buffer.from('{}'), qos: 1 as const, retain: true });
    expect(await connect({ ...battery, will: will(`ilot/v1/${siteA}/bat-1/status`) })).toBe('connected');
    expect(await connect({ ...battery, will: will(`ilot/v1/${siteA}/bat-1/command`) })).toMatch(/Not authorized/i);
  });

  // Issue 26, client-id takeover: a flat's meter connected as `ilot-ingestion-demo` and knocked ingestion off the broker.
  it("refuses a client id that is not its identity's own, and keeps the owner connected", async () => {
    const ingestion = await mqtt.connectAsync(broker.url, {
      protocolVersion: 4,
      reconnectPeriod: 0,
      clientId: 'ilot-ingestion.emb-a',
      ...options('ilot-ingestion'),
    });
    const battery = await mqtt.connectAsync(broker.url, {
      protocolVersion: 4,
      reconnectPeriod: 0,
      clientId: deviceUsername(siteA, 'bat-1'),
      ...options(deviceUsername(siteA, 'bat-1')),
    });
    const dropped: string[] = [];
    ingestion.on('close', () => dropped.push('ingestion'));
    battery.on('close', () => dropped.push('battery'));
    const meter = options(deviceUsername(siteA, 'm-1'));
    expect(await connect({ ...meter, clientId: 'ilot-ingestion.emb-a' })).toMatch(/Identifier rejected/i);
    expect(await connect({ ...meter, clientId: deviceUsername(siteA, 'bat-1') })).toMatch(/Identifier rejected/i);
    expect(await connect({ ...meter, clientId: 'sim-emb-a-bat-1' })).toMatch(/Identifier rejected/i);
    // A service's credential does not take a device's id either.
    expect(await connect({ ...options('ilot-forecast'), clientId: deviceUsername(siteA, 'bat-1') })).toMatch(
      /Identifier rejected/i,
    );
    expect(await connect({ ...meter, clientId: deviceUsername(siteA, 'm-1') })).toBe('connected');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(dropped).toEqual([]);
    await Promise.all([ingestion.endAsync(true), battery.endAsync(true)]);
  });

  // Issue 26: 4 CONNECT packets of 40 MB raised memory from 210 to 363 MB; 300 sessions of one identity were accepted.
  it('closes a connection whose packet announces more than 256 KiB, before reading it, and bounds sessions per device', async () => {
    const socket = tcpConnect(port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    const closed = new Promise<number>((resolve) => socket.once('close', () => resolve(Date.now())));
    // A CONNECT announcing 40 MB (Remaining Length 0x80 0x80 0x80 0x14), then its first 64 KiB.
    socket.write(Buffer.from([0x10, 0x80, 0x80, 0x80, 0x14]));
    socket.write(Buffer.alloc(65_536));
    const sentAt = Date.now();
    socket.on('error', () => undefined);
    expect((await closed) - sentAt).toBeLessThan(2000);

    const user = deviceUsername(siteA, 'm-1');
    const sessions = [];
    for (const clientId of [user, `${user}/2`])
      sessions.push(
        await mqtt.connectAsync(broker.url, { protocolVersion: 4, reconnectPeriod: 0, clientId, ...options(user) }),
      );
    expect(await connect({ ...options(user), clientId: `${user}/3` })).toMatch(/Server unavailable/i);
    await Promise.all(sessions.map((client) => client.endAsync(true)));
    // Once they are gone, the device may connect again.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await connect({ ...options(user), clientId: `${user}/3` })).toBe('connected');
  });
});
