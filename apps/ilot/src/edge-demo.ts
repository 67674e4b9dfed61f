import type { Clock } from '@ilot/domain';
import { devicesOfKind } from '@ilot/site';
import { SimulatedSunSpecDevice, type SimulatorRunner, WorldBatteryPort, WorldPvPort } from '@ilot/simulators';
import { edgeConfigSchema } from '../../edge/src/edge.config';
import { EdgeGateway } from '../../edge/src/edge-gateway';
import { assertPortFree } from './port-check';

export interface EdgeDemo {
  /** The banner's line: which device goes through the gateway, and where its registers are. */
  said: string;
  stop(): Promise<void>;
}

/**
 * `npm start`'s battery and first PV array behind the building gateway (issue 28), so a newcomer sees the real
 * protocol at work: the battery a SunSpec hybrid inverter on Modbus TCP (models 1, 103, 120, 124, 802), the array a PV
 * inverter (1, 103, 120, 123), their physics still the simulated îlot's (WorldBatteryPort, WorldPvPort); their
 * simulated controllers hand over and apps/edge is theirs, with the devices' own credentials: registers -> telemetry,
 * battery.setpoint -> model 124, pv.curtail -> model 123, written and read back. Undefined when the site has neither.
 */
export async function startEdgeDemo(options: {
  runner: SimulatorRunner;
  clock: Clock;
  mqtt: { url: string; protocolVersion: 4 | 5; credentialsDir?: string; caFile?: string };
  /** The battery's Modbus TCP port; the PV array's is the next one. */
  modbusPort: number;
  log: (line: string) => void;
}): Promise<EdgeDemo | undefined> {
  const { runner, clock, modbusPort } = options;
  const site = runner.world.site;
  const devices = demoDevices(runner, clock, modbusPort);
  if (!devices.length) return undefined;
  for (const { port } of devices)
    await assertPortFree(port, 'ILOT_EDGE_DEMO_MODBUS_PORT', "demo devices' Modbus TCP servers (it and the next one)");
  for (const { id, device } of devices) {
    await device.start();
    await runner.handOver(id);
  }
  const gateway = new EdgeGateway(
    edgeConfigSchema.parse({
      site: site.id,
      mqtt: {
        url: options.mqtt.url,
        protocolVersion: options.mqtt.protocolVersion,
        ...(options.mqtt.credentialsDir ? { credentialsDir: options.mqtt.credentialsDir } : {}),
        ...(options.mqtt.caFile ? { caFile: options.mqtt.caFile } : {}),
      },
      devices: devices.map(({ id, port }) => ({ id, protocol: 'sunspec', host: '127.0.0.1', port, pollS: 1 })),
    }),
    clock,
    options.log,
  );
  await gateway.start();
  const named = devices.map(({ id, port }) => `${id} (127.0.0.1:${port})`).join(' and ');
  return {
    said: `${named} are SunSpec devices on Modbus TCP behind the building gateway (apps/edge, docs/edge.md): their readings and commands go through the real protocol; ILOT_EDGE_DEMO=off simulates them as the others`,
    stop: async () => {
      await gateway.stop();
      for (const { device } of devices) await device.stop();
    },
  };
}

/** The site's first battery and first PV array as SunSpec devices on consecutive ports, backed by the îlot's world. */
function demoDevices(
  runner: SimulatorRunner,
  clock: Clock,
  modbusPort: number,
): Array<{ id: string; port: number; device: SimulatedSunSpecDevice }> {
  const site = runner.world.site;
  const battery = devicesOfKind(site, 'battery')[0];
  const pv = devicesOfKind(site, 'pv')[0];
  const devices: Array<{ id: string; port: number; device: SimulatedSunSpecDevice }> = [];
  if (battery)
    devices.push({
      id: battery.id,
      port: modbusPort,
      device: new SimulatedSunSpecDevice({
        kind: 'hybrid-battery',
        port: modbusPort,
        ratingW: Math.max(battery.maxChargeW, battery.maxDischargeW),
        capacityWh: battery.capacityWh,
        battery: new WorldBatteryPort(runner.world, battery.id, clock),
      }),
    });
  if (pv)
    devices.push({
      id: pv.id,
      port: modbusPort + 1,
      device: new SimulatedSunSpecDevice({
        kind: 'pv-inverter',
        port: modbusPort + 1,
        ratingW: pv.inverterW ?? pv.peakW,
        pv: new WorldPvPort(runner.world, pv.id, clock),
      }),
    });
  return devices;
}
