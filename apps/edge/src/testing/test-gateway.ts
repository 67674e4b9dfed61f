import { type Clock, SystemClock } from '@ilot/domain';
import { TEST_MQTT_URL, waitFor } from '@ilot/mqtt/testing/broker';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { edgeConfigSchema } from '../edge.config';
import { EdgeGateway } from '../edge-gateway';

/**
 * A gateway of the specs, started: the config's site and devices (and its OCPP endpoint) on the test broker, the real
 * clock unless one is given, its log kept by `log` or dropped.
 */
export async function startTestGateway(
  config: { site: string; devices: unknown[]; ocpp?: unknown },
  options: { clock?: Clock; log?: (line: string) => void } = {},
): Promise<EdgeGateway> {
  const gateway = new EdgeGateway(
    edgeConfigSchema.parse({ mqtt: { url: TEST_MQTT_URL }, ...config }),
    options.clock ?? new SystemClock(),
    options.log ?? (() => undefined),
  );
  await gateway.start();
  return gateway;
}

/** A serial line of the specs: a pseudo-terminal pair made by socat (Debian's package), one end each side. */
export interface SerialLine {
  /** The device's end and the gateway's end (paths of the two pseudo-terminals). */
  deviceEnd: string;
  gatewayEnd: string;
  close(): void;
}

export async function openSerialLine(): Promise<SerialLine> {
  const dir = mkdtempSync(join(tmpdir(), 'ilot-serial-'));
  const [deviceEnd, gatewayEnd] = [join(dir, 'device'), join(dir, 'gateway')];
  const socat: ChildProcess = spawn(
    'socat',
    [`pty,raw,echo=0,link=${deviceEnd}`, `pty,raw,echo=0,link=${gatewayEnd}`],
    { stdio: 'ignore' },
  );
  await waitFor('the pseudo-terminals', async () => existsSync(deviceEnd) && existsSync(gatewayEnd), 5000, 50);
  return { deviceEnd, gatewayEnd, close: () => void socat.kill() };
}
