import type { Clock } from '@ilot/domain';
import { devicesOfKind } from '@ilot/site';
import { SimulatedSunSpecDevice, type SimulatorRunner, WorldBatteryPort } from '@ilot/simulators';
import { edgeConfigSchema } from '../../edge/src/edge.config';
import { EdgeGateway } from '../../edge/src/edge-gateway';
import { assertPortFree } from './port-check';

export interface EdgeDemo {
  /** The banner's line: which device goes through the gateway, and where its registers are. */
  said: string;
  stop(): Promise<void>;
}

/**
 * `npm start`'s battery behind the building gateway (issue 28), so a newcomer sees the real protocol at work: the
 * site's first battery becomes a SunSpec hybrid inverter on Modbus TCP (models 1, 103, 120, 124, 802) whose physics
 * stay the simulated îlot's (WorldBatteryPort), its simulated controller hands over, and apps/edge is its controller
 * with the device's own credentials: registers -> telemetry, battery.setpoint -> model 124 written and read back.
 * Undefined when the site has no battery.
 */
export async function startEdgeDemo(options: {
  runner: SimulatorRunner;
  clock: Clock;
  mqtt: { url: string; protocolVersion: 4 | 5; credentialsDir?: string; caFile?: string };
  modbusPort: number;
  log: (line: string) => void;
}): Promise<EdgeDemo | undefined> {
  const { runner, clock, modbusPort } = options;
  const site = runner.world.site;
  const battery = devicesOfKind(site, 'battery')[0];
  if (!battery) return undefined;
  await assertPortFree(modbusPort, 'ILOT_EDGE_DEMO_MODBUS_PORT', "demo battery's Modbus TCP server");
  const device = new SimulatedSunSpecDevice({
    kind: 'hybrid-battery',
    port: modbusPort,
    ratingW: Math.max(battery.maxChargeW, battery.maxDischargeW),
    capacityWh: battery.capacityWh,
    battery: new WorldBatteryPort(runner.world, battery.id, clock),
  });
  await device.start();
  await runner.handOver(battery.id);
  const gateway = new EdgeGateway(
    edgeConfigSchema.parse({
      site: site.id,
      mqtt: {
        url: options.mqtt.url,
        protocolVersion: options.mqtt.protocolVersion,
        ...(options.mqtt.credentialsDir ? { credentialsDir: options.mqtt.credentialsDir } : {}),
        ...(options.mqtt.caFile ? { caFile: options.mqtt.caFile } : {}),
      },
      devices: [{ id: battery.id, protocol: 'sunspec', host: '127.0.0.1', port: modbusPort, pollS: 1 }],
    }),
    clock,
    options.log,
  );
  await gateway.start();
  return {
    said: `${battery.id} is a SunSpec inverter on Modbus TCP 127.0.0.1:${modbusPort} behind the building gateway (apps/edge, docs/edge.md): its readings and commands go through the real protocol; ILOT_EDGE_DEMO=off simulates it as the others`,
    stop: async () => {
      await gateway.stop();
      await device.stop();
    },
  };
}
