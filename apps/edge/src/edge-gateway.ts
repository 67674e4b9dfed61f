import type { Clock } from '@ilot/domain';
import { brokerIdentity } from '@ilot/mqtt';
import { DeviceLink } from './device-link';
import type { EdgeConfig } from './edge.config';
import { SunSpecDriver } from './sunspec/sunspec-driver';
import { TicDriver } from './tic/tic-driver';
import { OcppCentralSystem } from './ocpp/ocpp-central';
import { GridPower } from './grid-power';

/** A grid reading older than this is no measurement to track (a TIC frame comes every 1-2 s), real ms. */
const GRID_READING_MAX_AGE_MS = 10_000;

/**
 * A building's gateway (issue 28): for each device of its config, the device's MQTT identity (DeviceLink) and its
 * protocol's driver (SunSpec Modbus TCP, Linky TIC through a serial bridge), wired so that the driver's readings go out as telemetry and the
 * îlot's commands come to the driver.
 */
export class EdgeGateway {
  readonly links = new Map<string, DeviceLink>();
  readonly drivers = new Map<string, SunSpecDriver | TicDriver>();
  /** The chargers' OCPP endpoint, when the config has chargers. */
  ocpp: OcppCentralSystem | undefined;
  private readonly gridPower = new GridPower();

  constructor(
    private readonly config: EdgeConfig,
    private readonly clock: Clock,
    private readonly log: (line: string) => void,
  ) {}

  async start(): Promise<void> {
    const { site, mqtt } = this.config;
    for (const device of this.config.devices) {
      const link = new DeviceLink({
        mqttUrl: mqtt.url,
        protocolVersion: mqtt.protocolVersion,
        siteId: site,
        deviceId: device.id,
        identity: brokerIdentity({ credentialsDir: mqtt.credentialsDir, caFile: mqtt.caFile }, `${site}/${device.id}`),
        clock: this.clock,
        takesCommands: device.protocol === 'ocpp' || (device.protocol === 'sunspec' && device.commands),
        log: this.log,
      });
      if (device.protocol === 'ocpp') {
        this.ocpp ??= new OcppCentralSystem(this.clock, this.log);
        await link.connect(this.ocpp.add(device, link));
        this.links.set(device.id, link);
        continue;
      }
      if (device.protocol === 'tic') {
        const driver = new TicDriver(device, link, this.log, (powerW) =>
          this.gridPower.set(device.id, powerW, Date.now()),
        );
        await link.connect();
        this.links.set(device.id, link);
        this.drivers.set(device.id, driver);
        driver.start();
        continue;
      }
      const meter = device.gridMeter;
      const gridW = meter ? () => this.gridPower.get(meter, Date.now(), GRID_READING_MAX_AGE_MS) : undefined;
      const driver = new SunSpecDriver(device, link, this.clock, this.log, gridW);
      await link.connect(device.commands ? driver.apply : undefined);
      this.links.set(device.id, link);
      this.drivers.set(device.id, driver);
      driver.start();
    }
    await this.listen();
  }

  /** Starts the OCPP endpoint once every charger is known (a charger may connect at once). */
  private async listen(): Promise<void> {
    if (this.ocpp)
      await this.ocpp.listen(
        this.config.ocpp?.port ?? 9220,
        this.config.ocpp?.host ?? '0.0.0.0',
        this.config.ocpp?.tls,
      );
  }

  async stop(): Promise<void> {
    await this.ocpp?.close();
    await Promise.all([...this.drivers.values()].map((d) => d.stop()));
    await Promise.all([...this.links.values()].map((l) => l.close()));
  }
}
