import mqtt from 'mqtt';
import type { ChaosEvent } from './chaos-schedule';
import { type AppName, sleep, type SoakDeployment } from './soak-deployment';

/** What a fault did: when it began and ended (real ms), and what it hit. */
export interface ChaosOutcome {
  event: ChaosEvent;
  what: string;
  startedRealMs: number;
  /** Real ms the part was away (a kill -9 until ready again, a pause, a stop until started). */
  awayRealMs: number;
  error?: string;
  /** A hostile burst's telemetry messages that reached the ingesters (each must be refused). */
  hostileTelemetry?: number;
}

/** A fault (a part failed and back) that takes longer than this fails the soak instead of holding it, real ms. */
const FAULT_LIMIT_MS = 120_000;

function withinMs<T>(limitMs: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`not done within ${limitMs / 1000} s`)), limitMs);
  });
  return Promise.race([work, limit]).finally(() => clearTimeout(timer));
}

/** Hostile messages per burst: malformed, impossible, for strangers, and expired commands sent to a controller. */
export const HOSTILE_PER_BURST = 200;

/**
 * Runs the schedule on the deployment, each fault when the îlot clock reaches it, one after the other (a controller's
 * absence of hours goes on in the background). Resolves with what each did.
 */
export async function runChaos(
  deployment: SoakDeployment,
  events: readonly ChaosEvent[],
  log: (line: string) => void,
): Promise<ChaosOutcome[]> {
  const outcomes: ChaosOutcome[] = [];
  const background: Promise<unknown>[] = [];
  for (const event of events) {
    const waitMs = (event.atMs - deployment.clock.now().getTime()) / deployment.settings.speedup;
    if (waitMs > 0) await sleep(waitMs);
    const startedRealMs = Date.now();
    const outcome: ChaosOutcome = { event, what: '', startedRealMs, awayRealMs: 0 };
    try {
      const away = await withinMs(FAULT_LIMIT_MS, apply(deployment, event, outcome, background));
      outcome.awayRealMs = away ?? Date.now() - startedRealMs;
    } catch (error) {
      outcome.error = (error as Error).message;
    }
    log(
      `chaos ${deployment.clock.now().toISOString()} ${event.kind}: ${outcome.what} (${(outcome.awayRealMs / 1000).toFixed(1)} s real)${outcome.error ? ` FAILED: ${outcome.error}` : ''}`,
    );
    outcomes.push(outcome);
  }
  await Promise.all(background);
  return outcomes;
}

async function apply(
  deployment: SoakDeployment,
  event: ChaosEvent,
  outcome: ChaosOutcome,
  background: Promise<unknown>[],
): Promise<number | undefined> {
  const realMs = event.downSimMs / deployment.settings.speedup;
  const pair = (kind: string): AppName => `${kind}-${event.target}` as AppName;
  switch (event.kind) {
    case 'kill-ingester':
    case 'kill-planner': {
      const name = pair(event.kind.slice('kill-'.length));
      outcome.what = `kill -9 ${name}, restarted`;
      await deployment.killAndRestart(name);
      return undefined;
    }
    case 'kill-api':
    case 'kill-metrics': {
      const name = event.kind.slice('kill-'.length) as AppName;
      outcome.what = `kill -9 ${name}, restarted`;
      await deployment.killAndRestart(name);
      return undefined;
    }
    case 'pause-planner':
      outcome.what = `SIGSTOP planner-${event.target} for ${(realMs / 1000).toFixed(1)} s, SIGCONT`;
      await deployment.pause(pair('planner'), realMs);
      return undefined;
    case 'restart-broker':
      outcome.what = `Mosquitto stopped, started again`;
      await deployment.restartBroker(realMs);
      return undefined;
    case 'restart-postgres':
      outcome.what = `PostgreSQL stopped (immediate), started again`;
      await deployment.restartPostgres(realMs);
      return undefined;
    case 'controller-offline': {
      const runner = deployment.runners[event.target % deployment.runners.length];
      const deviceId = [...runner.world.site.devices.keys()].find((id) => runner.world.takesCommands(id))!;
      outcome.what = `${runner.world.site.id}/${deviceId} offline (no goodbye) for ${(event.downSimMs / 3_600_000).toFixed(1)} h simulated`;
      runner.disconnect(deviceId);
      // Bounded (regression, the month soak: a reconnection that never settled held the run's end for good).
      background.push(
        sleep(realMs)
          .then(() => withinMs(FAULT_LIMIT_MS, runner.reconnect(deviceId)))
          .catch((error: Error) => (outcome.error = `${deviceId} not back: ${error.message}`)),
      );
      return realMs;
    }
    case 'hostile-burst':
      outcome.hostileTelemetry = await hostileBurst(deployment);
      outcome.what = `${HOSTILE_PER_BURST} hostile messages, ${outcome.hostileTelemetry} of them telemetry to refuse`;
      return 0;
  }
}

/**
 * From an unknown client: telemetry that is not JSON, JSON that is not a reading, impossible readings of the îlots'
 * devices (a negative index, a power of a billion watts, an instant in 1970 or next year), readings of devices and
 * sites nobody knows, a payload of a megabyte, and commands to a controller that expired an hour ago.
 */
export async function hostileBurst(deployment: SoakDeployment): Promise<number> {
  const client = await mqtt.connectAsync(deployment.broker.url, {
    protocolVersion: 5,
    clientId: `hostile-${Date.now()}`,
  });
  try {
    const site = deployment.sites[0];
    const meter = [...site.devices.values()].find((d) => d.kind === 'meter')!.id;
    const battery = [...site.devices.values()].find((d) => d.kind === 'battery')?.id;
    const now = deployment.clock.now().getTime();
    const bodies: Array<[string, string]> = [
      [`ilot/v1/${site.id}/${meter}/telemetry`, '{"ts": "not json'],
      [`ilot/v1/${site.id}/${meter}/telemetry`, '[1, 2, 3]'],
      [
        `ilot/v1/${site.id}/${meter}/telemetry`,
        JSON.stringify({ ts: new Date(now).toISOString(), seq: 1, powerW: 1e9 }),
      ],
      [`ilot/v1/${site.id}/${meter}/telemetry`, JSON.stringify({ ts: '1970-01-01T00:00:00Z', seq: 1, powerW: 10 })],
      [
        `ilot/v1/${site.id}/${meter}/telemetry`,
        JSON.stringify({ ts: new Date(now + 366 * 86_400_000).toISOString(), seq: 1, powerW: 10 }),
      ],
      [
        `ilot/v1/${site.id}/no-such-device/telemetry`,
        JSON.stringify({ ts: new Date(now).toISOString(), seq: 1, powerW: 10 }),
      ],
      [
        `ilot/v1/no-such-site/${meter}/telemetry`,
        JSON.stringify({ ts: new Date(now).toISOString(), seq: 1, powerW: 10 }),
      ],
    ];
    if (battery)
      bodies.push([
        `ilot/v1/${site.id}/${battery}/command`,
        JSON.stringify({
          type: 'battery.setpoint',
          cmdId: '00000000-0000-4000-8000-000000000001',
          issuedAt: new Date(now - 7_200_000).toISOString(),
          validFrom: new Date(now - 7_200_000).toISOString(),
          validUntil: new Date(now - 3_600_000).toISOString(),
          reason: 'hostile: expired an hour ago',
          setpointW: 5000,
        }),
      ]);
    const sends: Promise<unknown>[] = [];
    const seen: string[] = [];
    let acked = 0;
    let delivered = 0;
    client.on('error', (error) => seen.push(`error ${error.message}`));
    client.on('disconnect', (packet) => seen.push(`disconnect ${packet.reasonCode}`));
    client.on('close', () => seen.push('close'));
    // As an attacker would, a message nobody was subscribed to (the ingesters just back on a restarted broker) is sent
    // again, so that every hostile telemetry message reaches an ingester and must be refused there.
    const send = async (topic: string, body: string): Promise<void> => {
      for (let attempt = 0; attempt < 100; attempt++) {
        const puback = await client.publishAsync(topic, body, { qos: 1 });
        if ((puback as { reasonCode?: number } | undefined)?.reasonCode !== NO_MATCHING_SUBSCRIBERS) break;
        await sleep(100);
      }
      acked++;
      if (topic.endsWith('/telemetry')) delivered++;
    };
    for (let k = 0; k < HOSTILE_PER_BURST - 1; k++) {
      const [topic, body] = bodies[k % bodies.length];
      sends.push(send(topic, body).catch((error: Error) => seen.push(`publish ${error.message}`)));
    }
    await withinMs(30_000, Promise.all(sends)).catch((error: Error) => {
      throw new Error(`${error.message}: ${acked} acknowledged; ${[...new Set(seen)].join(', ')}`);
    });
    // Last, a megabyte: over the broker's max_packet_size, it cuts the client (which never hears back).
    client.publish(
      `ilot/v1/${site.id}/${meter}/telemetry`,
      JSON.stringify({ ts: new Date(now).toISOString(), pad: 'x'.repeat(1_000_000) }),
      { qos: 1 },
      () => undefined,
    );
    await sleep(200);
    return delivered;
  } finally {
    client.end(true);
  }
}

/** MQTT 5's PUBACK reason "no matching subscribers" (0x10). */
const NO_MATCHING_SUBSCRIBERS = 16;
