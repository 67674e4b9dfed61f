import { TEST_MQTT_URL, waitFor } from '@ilot/mqtt/testing/broker';
import { ticGroup } from '@ilot/tic';
import { openSync, writeSync, closeSync } from 'node:fs';
import type { EdgeGateway } from '../edge-gateway';
import { openSerialLine, type SerialLine, startTestGateway } from '../testing/test-gateway';
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
  let line: SerialLine;
  let gateway: EdgeGateway;
  let messages: SiteMessages;

  beforeAll(async () => {
    line = await openSerialLine();
    messages = await SiteMessages.watch(TEST_MQTT_URL, SITE);
    gateway = await startTestGateway({
      site: SITE,
      devices: [{ id: 'grid', protocol: 'tic', serialPath: line.gatewayEnd, mode: 'standard', minIntervalS: 0 }],
    });
  }, 20_000);

  afterAll(async () => {
    await gateway?.stop();
    line?.close();
    await messages?.close(['grid']);
  }, 20_000);

  it('reads the frames from the port: SINSTS net of SINSTI as the power, EAST as the index', async () => {
    const meter = openSync(line.deviceEnd, 'w');
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
