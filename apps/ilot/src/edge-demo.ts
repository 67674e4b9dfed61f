import type { Clock } from '@ilot/domain';
import { devicesOfKind } from '@ilot/site';
import {
  SimulatedChargePoint,
  SimulatedSunSpecDevice,
  type SimulatorRunner,
  WorldBatteryPort,
  WorldPvPort,
} from '@ilot/simulators';
import { randomBytes } from 'node:crypto';
import { edgeConfigSchema } from '../../edge/src/edge.config';
import { EdgeGateway } from '../../edge/src/edge-gateway';
import { assertPortFree } from './port-check';

export interface EdgeDemo {
  /** The banner's line: which devices go through the gateway, and where. */
  said: string;
  stop(): Promise<void>;
}

/** A simulated device of the demo that speaks a real protocol to the gateway, and its entry in the gateway's config. */
interface DemoDevice {
  id: string;
  where: string;
  /** The Modbus TCP port it serves (a SunSpec device); a charger connects to the gateway instead. */
  port?: number;
  config: Record<string, unknown>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * `npm start`'s devices behind the building gateway (issue 28), so a newcomer sees the real protocols at work: the
 * site's first battery a SunSpec hybrid inverter on Modbus TCP (models 1, 103, 120, 124, 802) at `port`, its first PV
 * array a PV inverter (1, 103, 120, 123) on the next port, its chargers OCPP 2.0.1 charging stations connecting to the
 * gateway's endpoint at `port + 2`; their physics still the simulated îlot's (WorldBatteryPort, WorldPvPort, the world's
 * chargers). Their simulated controllers hand over and apps/edge is theirs, with the devices' own credentials.
 * Undefined when the site has none of them.
 */
export async function startEdgeDemo(options: {
  runner: SimulatorRunner;
  clock: Clock;
  mqtt: { url: string; protocolVersion: 4 | 5; credentialsDir?: string; caFile?: string };
  port: number;
  log: (line: string) => void;
}): Promise<EdgeDemo | undefined> {
  const { runner, clock, port } = options;
  const ocppPort = port + 2;
  const sunspec = sunSpecDevices(runner, clock, port);
  const chargers = chargePoints(runner, clock, ocppPort);
  const devices = [...sunspec, ...chargers];
  if (!devices.length) return undefined;
  for (const p of [...sunspec.map((d) => d.port!), ...(chargers.length ? [ocppPort] : [])])
    await assertPortFree(
      p,
      'ILOT_EDGE_DEMO_PORT',
      "demo devices' Modbus TCP servers and OCPP endpoint (it and the next two)",
    );
  // The devices' servers first, then their simulated controllers hand over, then the gateway, then the chargers.
  for (const device of sunspec) await device.start();
  for (const device of devices) await runner.handOver(device.id);
  const gateway = new EdgeGateway(
    edgeConfigSchema.parse({
      site: runner.world.site.id,
      mqtt: {
        url: options.mqtt.url,
        protocolVersion: options.mqtt.protocolVersion,
        ...(options.mqtt.credentialsDir ? { credentialsDir: options.mqtt.credentialsDir } : {}),
        ...(options.mqtt.caFile ? { caFile: options.mqtt.caFile } : {}),
      },
      ...(chargers.length ? { ocpp: { port: ocppPort, host: '127.0.0.1' } } : {}),
      devices: devices.map((d) => d.config),
    }),
    clock,
    options.log,
  );
  await gateway.start();
  for (const charger of chargers) await charger.start();
  return {
    said: `${devices.map((d) => `${d.id} (${d.where})`).join(', ')} speak their protocols to the building gateway (apps/edge, docs/edge.md), their physics the simulated îlot's; ILOT_EDGE_DEMO=off simulates them as the others`,
    stop: async () => {
      for (const charger of chargers) await charger.stop();
      await gateway.stop();
      for (const device of sunspec) await device.stop();
    },
  };
}

/**
 * The site's first battery and first PV array as SunSpec devices on consecutive ports from `port`, polled every 5
 * simulated seconds (as a real device every 5 s; at least every 0.1 s real).
 */
function sunSpecDevices(runner: SimulatorRunner, clock: Clock, port: number): DemoDevice[] {
  const site = runner.world.site;
  const battery = devicesOfKind(site, 'battery')[0];
  const pv = devicesOfKind(site, 'pv')[0];
  const served: Array<{ id: string; device: SimulatedSunSpecDevice }> = [];
  if (battery)
    served.push({
      id: battery.id,
      device: new SimulatedSunSpecDevice({
        kind: 'hybrid-battery',
        port: port + served.length,
        ratingW: Math.max(battery.maxChargeW, battery.maxDischargeW),
        capacityWh: battery.capacityWh,
        battery: new WorldBatteryPort(runner.world, battery.id, clock),
      }),
    });
  if (pv)
    served.push({
      id: pv.id,
      device: new SimulatedSunSpecDevice({
        kind: 'pv-inverter',
        port: port + served.length,
        ratingW: pv.inverterW ?? pv.peakW,
        pv: new WorldPvPort(runner.world, pv.id, clock),
      }),
    });
  return served.map(({ id, device }) => ({
    id,
    where: `SunSpec, Modbus TCP 127.0.0.1:${device.port}`,
    port: device.port,
    config: { id, protocol: 'sunspec', host: '127.0.0.1', port: device.port, pollS: Math.max(5 / clock.speedup, 0.1) },
    start: () => device.start(),
    stop: () => device.stop(),
  }));
}

/** The site's chargers as OCPP 2.0.1 charging stations, each with a password made up for the run. */
function chargePoints(runner: SimulatorRunner, clock: Clock, ocppPort: number): DemoDevice[] {
  return devicesOfKind(runner.world.site, 'ev_charger').map((charger) => {
    const password = randomBytes(18).toString('base64url');
    const station = new SimulatedChargePoint({
      world: runner.world,
      deviceId: charger.id,
      clock,
      endpoint: `ws://127.0.0.1:${ocppPort}`,
      identity: charger.id,
      password,
      periodMs: 2000,
    });
    return {
      id: charger.id,
      where: `OCPP 2.0.1 to ws://127.0.0.1:${ocppPort}`,
      config: { id: charger.id, protocol: 'ocpp', chargePointId: charger.id, password, maxW: charger.maxW, phases: 3 },
      start: () => station.start(),
      stop: () => station.stop(),
    };
  });
}
