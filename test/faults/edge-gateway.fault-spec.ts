import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { SimulatedSunSpecDevice } from '@ilot/simulators';
import { stopChild } from '../support/child';
import { MosquittoProcess } from '../support/mosquitto-process';
import { testPort, waitFor } from '../support/services';

const SITE = `edgefault-${process.pid}`;

/**
 * The building gateway killed -9 and restarted (issue 28), as a process (`dist/apps/edge/src/main.js --config`), on a
 * broker of the test's own with the production settings (persistent sessions, MQTT 5 expiry): the device goes back to
 * its own mode by its own timer while the gateway is dead; a command sent meanwhile and expired by the restart is never
 * applied; one still valid, queued in the device's session, is applied on the restart.
 */
describe('edge gateway killed -9 and restarted', () => {
  const broker = new MosquittoProcess();
  let device: SimulatedSunSpecDevice;
  let gateway: ChildProcess | undefined;
  let observer: MqttClient;
  let output = '';
  const acks: Array<{ cmdId: string; status: string; reason?: string }> = [];
  const configPath = join(mkdtempSync(join(tmpdir(), 'ilot-edge-')), 'edge.yaml');

  const startGateway = async () => {
    output = '';
    gateway = spawn(
      process.execPath,
      [join(__dirname, '..', '..', 'dist', 'apps', 'edge', 'src', 'main.js'), '--config', configPath],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    gateway.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    gateway.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await waitFor('the gateway up', async () => output.includes('1 device(s)'), 15_000, 50);
  };
  const command = async (setpointW: number, validForMs: number) => {
    const now = Date.now();
    const cmdId = randomUUID();
    await observer.publishAsync(
      `ilot/v1/${SITE}/bat-1/command`,
      JSON.stringify({
        cmdId,
        type: 'battery.setpoint',
        setpointW,
        issuedAt: new Date(now).toISOString(),
        reason: 'fault test',
        validFrom: new Date(now - 1000).toISOString(),
        validUntil: new Date(now + validForMs).toISOString(),
      }),
      { qos: 1, properties: { messageExpiryInterval: Math.max(Math.ceil(validForMs / 1000), 1) } },
    );
    return cmdId;
  };

  beforeAll(async () => {
    await broker.start();
    device = new SimulatedSunSpecDevice({
      kind: 'hybrid-battery',
      port: testPort(),
      ratingW: 5000,
      capacityWh: 10_000,
      initialSocPct: 50,
    });
    await device.start();
    writeFileSync(
      configPath,
      [
        `site: ${SITE}`,
        'mqtt:',
        `  url: ${broker.url}`,
        'devices:',
        `  - { id: bat-1, protocol: sunspec, host: 127.0.0.1, port: ${device.port}, pollS: 0.2, timeoutMs: 500 }`,
      ].join('\n'),
    );
    observer = await mqtt.connectAsync(broker.url, {
      protocolVersion: 5,
      clientId: `ilot-test.edgefault-${randomUUID()}`,
    });
    observer.on('message', (_topic, payload) => payload.length && acks.push(JSON.parse(payload.toString())));
    await observer.subscribeAsync(`ilot/v1/${SITE}/bat-1/command/ack`, { qos: 1 });
    await startGateway();
  }, 60_000);

  afterAll(async () => {
    await stopChild(gateway, 'SIGKILL');
    await device?.stop();
    await observer?.endAsync();
    await broker.stop();
  }, 30_000);

  it('applies no command past its validity after a restart, and resumes the device session', async () => {
    const first = await command(-2000, 2000);
    await waitFor(
      'the first command applied',
      async () => acks.some((a) => a.cmdId === first && a.status === 'applied'),
      10_000,
    );
    expect(device.value(124, 'StorCtl_Mod')).toBe(3);
    await stopChild(gateway, 'SIGKILL');
    const killedAt = Date.now();
    // Dead: the device returns to its own mode by its own revert timer.
    await waitFor('the device back in its own mode', async () => device.revertedAt !== undefined, 5000, 50);
    const revertedAfterMs = device.revertedAt!.getTime() - killedAt;
    // Two commands sent while it is dead: one valid 1 s (expired long before the restart), one valid 30 s.
    const writesBefore = device.writes.length;
    const stale = await command(3000, 1000);
    const queued = await command(1000, 30_000);
    await new Promise((resolve) => setTimeout(resolve, 2500));
    await startGateway();
    console.log(`gateway killed -9; device reverted ${revertedAfterMs} ms after, by its own timer; restarted`);
    // Its session resumed: the valid one, queued at the broker, arrives with the CONNACK (before the first poll) and is
    // applied; the expired one never is. Regression: that first command was refused "bat-1 does not answer".
    await waitFor(
      'the queued command applied',
      async () => acks.some((a) => a.cmdId === queued && a.status === 'applied'),
      15_000,
    ).catch((error: Error) => {
      throw new Error(`${error.message}; acks ${JSON.stringify(acks)}; gateway said:\n${output.slice(-3000)}`);
    });
    expect(acks.filter((a) => a.cmdId === stale && a.status === 'applied')).toEqual([]);
    expect(device.writes.length - writesBefore).toBe(4);
    expect(device.value(124, 'OutWRte')).toBe(20);
  }, 60_000);

  it('with the broker stopped, hands the device back to its own mode at validUntil, and carries on when it returns', async () => {
    const cmdId = await command(-1000, 3000);
    await waitFor(
      'the command applied',
      async () => acks.some((a) => a.cmdId === cmdId && a.status === 'applied'),
      10_000,
    );
    expect(device.value(124, 'StorCtl_Mod')).toBe(3);
    await broker.stop();
    const stoppedAt = Date.now();
    await waitFor('the device in its own mode', async () => device.value(124, 'StorCtl_Mod') === 0, 8000, 50);
    const releasedAfterMs = Date.now() - stoppedAt;
    console.log(`broker stopped: the device in its own mode ${releasedAfterMs} ms later (the command valid 3 s)`);
    expect(releasedAfterMs).toBeLessThan(4000);
    await broker.start();
    // The gateway's session comes back by itself; a new command goes through.
    const next = await command(500, 30_000);
    await waitFor(
      'a command after the broker is back',
      async () => acks.some((a) => a.cmdId === next && a.status === 'applied'),
      30_000,
    );
  }, 60_000);
});
