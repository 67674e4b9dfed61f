import { ChildProcess, spawn } from 'node:child_process';
import { spawnLauncher } from './support/launcher';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { portOpen } from './support/child';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { Client } from 'pg';
import { ownedClientIdOf, testPort, waitFor } from './support/services';
import { readPassword } from '@ilot/mqtt';
import ModbusRTU from 'modbus-serial';

/** `npm start` on embedded defaults: aedes in process, embedded PostgreSQL, simulators; Ctrl-C leaves nothing behind. */
describe('npm start on embedded defaults (built app, as a user runs it)', () => {
  const root = join(__dirname, '..');
  const dataDir = mkdtempSync(join(tmpdir(), 'ilot-start-'));
  // below the ephemeral range (testPort): CI run of stop 37 drew 56070, taken by an outgoing connection
  const ports = { mqtt: testPort(), pg: testPort(), http: testPort(), modbus: testPort() };
  let child: ChildProcess;
  let output: () => string;

  beforeAll(() => {
    const launched = spawnLauncher(root, {
      ILOT_EMBEDDED_MQTT_PORT: String(ports.mqtt),
      ILOT_EMBEDDED_PG_PORT: String(ports.pg),
      ILOT_HTTP_PORT: String(ports.http),
      ILOT_DATA_DIR: dataDir,
      ILOT_SPEEDUP: '60',
      ILOT_EDGE_DEMO_PORT: String(ports.modbus),
    });
    child = launched.child;
    output = launched.output;
  });

  afterAll(() => {
    if (child.exitCode === null) process.kill(-child.pid!, 'SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('prints where to look, then shows commands, acks, a retained schedule and the îlot on /metrics', async () => {
    await waitFor(
      'the start-up banner',
      async () => {
        if (child.exitCode !== null) throw new Error(`npm start exited with ${child.exitCode}`);
        return output().includes('Ctrl-C stops everything');
      },
      90_000,
    ).catch((error: Error) => {
      throw new Error(`${error.message}; output so far:\n${output()}`);
    });
    expect(output()).toContain(`http://127.0.0.1:${ports.http}/metrics`);
    expect(output()).toContain('(embedded aedes;');
    expect(output()).toContain('(embedded PostgreSQL');

    expect(output()).toContain(`a password for each app and device in ${join(dataDir, 'mqtt')}`);
    // The embedded broker wants credentials, made in the data folder: the battery reads its commands and the
    // schedule, the optimiser's identity the acks (nobody may read everything).
    const url = `mqtt://127.0.0.1:${ports.mqtt}`;
    const as = (username: string) =>
      mqtt.connectAsync(url, {
        protocolVersion: 4,
        username,
        password: readPassword(join(dataDir, 'mqtt'), username),
        // A client id of the identity's own (issue 26): beside the simulated battery's session, a second one.
        clientId: ownedClientIdOf(username, 'watch'),
      });
    await expect(mqtt.connectAsync(url, { protocolVersion: 4, reconnectPeriod: 0 })).rejects.toThrow(
      /Bad username or password/i,
    );
    const battery = await as('demo/bat-1');
    const optimiser = await as('ilot-optimiser');
    const seen = { command: 0, ack: 0, retainedSchedule: 0 };
    for (const client of [battery, optimiser])
      client.on('message', (topic, _payload, packet) => {
        if (topic.endsWith('/command')) seen.command++;
        if (topic.endsWith('/command/ack')) seen.ack++;
        if (topic.endsWith('/schedule') && packet.retain) seen.retainedSchedule++;
      });
    await battery.subscribeAsync(['ilot/v1/demo/bat-1/command', 'ilot/v1/demo/schedule'], { qos: 1 });
    await optimiser.subscribeAsync('ilot/v1/demo/+/command/ack', { qos: 1 });
    await waitFor(
      'a command, its ack and the retained schedule',
      async () => seen.command > 0 && seen.ack > 0 && seen.retainedSchedule > 0,
      60_000,
    );
    await Promise.all([battery.endAsync(), optimiser.endAsync()]);

    // The applied count follows the ack once the dispatcher has recorded it in the database: it can lag the ack seen on
    // the broker by a moment, so it is waited for with the gauges (CI once read /metrics in between).
    const metrics = await waitFor(
      'battery SoC, grid power and an applied command on /metrics',
      async () => {
        const text = await (await fetch(`http://127.0.0.1:${ports.http}/metrics`)).text();
        return (
          /^ilot_battery_soc_percent\{site="demo",device="bat-1"\} [1-9]/m.test(text) &&
          // Present (set from a fresh reading) is what counts: 0 W is a right value when the battery holds the
          // connection at its planned 0 W, which in HP hours it does (the test failed in the morning for that).
          /^ilot_site_grid_power_watts\{site="demo"\} -?\d/m.test(text) &&
          /^ilot_commands_total\{site="demo",type="battery.setpoint",status="applied"\} [1-9]/m.test(text) &&
          text
        );
      },
      30_000,
    );
    expect(metrics).toMatch(/^ilot_commands_total\{site="demo",type="battery.setpoint",status="applied"\} [1-9]/m);

    // Issue 28: the battery and pv-a are SunSpec devices and the chargers OCPP stations behind the building gateway, the
    // banner says so; its map answers on
    // Modbus TCP ("SunS" at 40000) and the gateway wrote the plan's setpoints into model 124.
    expect(output()).toContain(
      `bat-1 (SunSpec, Modbus TCP 127.0.0.1:${ports.modbus}), pv-a (SunSpec, Modbus TCP 127.0.0.1:${ports.modbus + 1}), ev-a-1 (OCPP 2.0.1 to ws://127.0.0.1:${ports.modbus + 2}),`,
    );
    const modbus = new ModbusRTU();
    await modbus.connectTCP('127.0.0.1', { port: ports.modbus });
    modbus.setID(1);
    expect((await modbus.readHoldingRegisters(40000, 2)).data).toEqual([0x5375, 0x6e53]);
    modbus.close(() => undefined);
    expect(output()).toMatch(/edge: bat-1: battery\.setpoint \S+ -> model 124: InWRte/);
    expect(output()).toMatch(/edge: pv-a: SunSpec map at 40000, models 1, 103, 120, 123/);
    // The chargers are OCPP stations connected to the gateway.
    await waitFor(
      'the chargers on OCPP',
      async () => output().includes('edge: OCPP: ev-office-1 connected (ocpp2.0.1)'),
      10_000,
    );

    // The resident's link the banner prints opens as a browser opens it: no header, the signed token in the link
    // (regression: it answered 401, the secret unset), read through the API role (its password made up for this run).
    // Issue 26: the secrets are in the data folder, for its owner only, never on the terminal.
    const secret = (name: string) => {
      const path = join(dataDir, name);
      expect(statSync(path).mode & 0o777).toBe(0o600);
      const value = readFileSync(path, 'utf8').trim();
      expect(output()).not.toContain(value);
      return value;
    };
    expect(output()).toContain(`the link in ${join(dataDir, 'resident-link')}`);
    const residentLink = secret('resident-link');
    const page = await fetch(residentLink);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    const report = await fetch(residentLink.replace('format=html', 'format=json'));
    expect(((await report.json()) as { participantId: string }).participantId).toBe('flat-a-101');
    expect((await fetch(residentLink.replace(/access_token=[^&]+/, 'access_token=forged'))).status).toBe(401);
    const token = secret('operator-token');
    expect(output()).toContain(`Authorization: Bearer $(cat ${join(dataDir, 'operator-token')})`);
    expect(
      (await fetch(residentLink.replace(/&access_token=[^&]+/, ''), { headers: { authorization: `Bearer ${token}` } }))
        .status,
    ).toBe(200);
  }, 180_000);

  // Regression (issue 15): the embedded PostgreSQL's superuser was postgres/postgres on every install.
  it('makes up the embedded PostgreSQL’s superuser password, keeps it in the data folder for its owner only', async () => {
    const path = join(dataDir, 'pg-superuser-password');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const password = readFileSync(path, 'utf8').trim();
    expect(password).toMatch(/^[A-Za-z0-9_-]{32}$/);
    const as = (pass: string) =>
      new Client({ host: '127.0.0.1', port: ports.pg, user: 'postgres', password: pass, database: 'ilot' });
    await expect(as('postgres').connect()).rejects.toThrow('password authentication failed for user "postgres"');
    const client = as(password);
    await client.connect();
    expect((await client.query('SELECT current_user AS u')).rows[0].u).toBe('postgres');
    // Issue 26: SCRAM, never a cleartext password on the socket.
    const methods = await client.query('SELECT DISTINCT auth_method FROM pg_hba_file_rules WHERE error IS NULL');
    expect(methods.rows.map((r: { auth_method: string }) => r.auth_method)).toEqual(['scram-sha-256']);
    await client.end();
    expect(output()).not.toContain(password);
  });

  // Regression: a terminal's Ctrl-C reached the embedded PostgreSQL too, which died under the apps: 12 s of errors.
  it('stops cleanly on Ctrl-C to the whole process group: exit code 0, no error, ports closed', async () => {
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const before = output().length;
    const startedMs = Date.now();
    process.kill(-child.pid!, 'SIGINT');
    expect(await exited).toBe(0);
    const stopping = output().slice(before);
    console.log(`Ctrl-C to exit: ${Date.now() - startedMs} ms; said:${stopping}`);
    expect(stopping).toContain('stopped.');
    expect(stopping).not.toMatch(/ERROR|error|terminat/);
    expect(await portOpen(ports.mqtt)).toBe(false);
    expect(await portOpen(ports.pg)).toBe(false);
    expect(await portOpen(ports.http)).toBe(false);
  }, 60_000);

  it('refuses a taken port with the variable to set', async () => {
    const blocker = spawn(process.execPath, [
      '-e',
      `require('net').createServer().listen(${ports.mqtt}, '127.0.0.1'); setTimeout(() => {}, 20000)`,
    ]);
    await waitFor('the blocker', () => portOpen(ports.mqtt), 5000);
    const result = await new Promise<{ code: number | null; text: string }>((resolve) => {
      let text = '';
      const run = spawn(process.execPath, [join(root, 'dist/apps/ilot/src/main.js')], {
        cwd: root,
        env: { PATH: process.env.PATH, ILOT_EMBEDDED_MQTT_PORT: String(ports.mqtt), ILOT_DATA_DIR: dataDir },
      });
      run.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
      run.once('exit', (code) => resolve({ code, text }));
    });
    blocker.kill();
    expect(result.code).toBe(1);
    expect(result.text).toContain('ILOT_EMBEDDED_MQTT_PORT');
  }, 30_000);
});
