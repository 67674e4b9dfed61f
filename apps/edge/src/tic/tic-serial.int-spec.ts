import { SystemClock } from '@ilot/domain';
import { TEST_MQTT_URL, waitFor } from '@ilot/mqtt/testing/broker';
import { ticGroup } from '@ilot/tic';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { edgeConfigSchema } from '../edge.config';
import { EdgeGateway } from '../edge-gateway';
import { SiteMessages } from '../testing/site-messages';

const SITE = `ticserial-${process.pid}`;

/** A standard-mode frame (Enedis-NOI-CPT_54E §6.2): drawn and injected apparent power, the total index. */
function standardFrame(drawnVA: number, injectedVA: number, eastWh: number): string {
  const groups = [
    ticGroup('standard', 'ADSC', '041876097467'),
    ticGroup('standard', 'VTIC', '02'),
    ticGroup('standard', 'DATE', '', 'H240115143000'),
    ticGroup('standard', 'LTARF', '    HP  BLEU    '),
    ticGroup('standard', 'EAST', String(eastWh).padStart(9, '0')),
    ticGroup('standard', 'SINSTS', String(drawnVA).padStart(5, '0')),
    ticGroup('standard', 'SINSTI', String(injectedVA).padStart(5, '0')),
  ];
  return `\x02${groups.join('')}\x03`;
}

/**
 * A Linky in standard mode on a serial port: a pseudo-terminal pair made by socat (Debian's package), the gateway on one
 * end through `serialport` (9600 baud, 7E1), frames written into the other; the real broker.
 */
describe('edge gateway: a Linky TIC meter on a serial port (standard mode)', () => {
  let socat: ChildProcess;
  let gateway: EdgeGateway;
  const dir = mkdtempSync(join(tmpdir(), 'ilot-tic-'));
  const [meterEnd, gatewayEnd] = [join(dir, 'meter'), join(dir, 'gateway')];
  let messages: SiteMessages;

  beforeAll(async () => {
    socat = spawn('socat', [`pty,raw,echo=0,link=${meterEnd}`, `pty,raw,echo=0,link=${gatewayEnd}`], {
      stdio: 'ignore',
    });
    await waitFor('the pseudo-terminals', async () => existsSync(meterEnd) && existsSync(gatewayEnd), 5000, 50);
    messages = await SiteMessages.watch(TEST_MQTT_URL, SITE);
    gateway = new EdgeGateway(
      edgeConfigSchema.parse({
        site: SITE,
        mqtt: { url: TEST_MQTT_URL },
        devices: [{ id: 'grid', protocol: 'tic', serialPath: gatewayEnd, mode: 'standard', minIntervalS: 0 }],
      }),
      new SystemClock(),
      () => undefined,
    );
    await gateway.start();
  }, 20_000);

  afterAll(async () => {
    await gateway?.stop();
    socat?.kill();
    await messages?.close(['grid']);
  }, 20_000);

  it('reads the frames from the port: SINSTS net of SINSTI as the power, EAST as the index', async () => {
    const meter = openSync(meterEnd, 'w');
    try {
      const reading = await waitFor(
        'a reading from the serial port',
        async () => {
          writeSync(meter, Buffer.from(standardFrame(3200, 450, 8_745_321), 'latin1'));
          return messages.latest('grid', 'telemetry');
        },
        10_000,
        200,
      );
      expect(reading.payload).toMatchObject({ powerW: 3200 - 450, energyWh: 8_745_321 });
    } finally {
      closeSync(meter);
    }
  }, 20_000);
});
