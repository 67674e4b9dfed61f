import type { Clock } from '@ilot/domain';
import { RPCClient } from 'ocpp-rpc';
import type { IlotWorld } from './ilot-world';

/** ocpp-rpc's typings ask every option; it defaults them. */
type ClientOptions = ConstructorParameters<typeof RPCClient>[0];
/** A call's params: strict mode has validated them against the OCPP 2.0.1 JSON schema before the handler runs. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- shaped by the OCPP schemas, checked by strict mode
type OcppParams = Record<string, any>;

/** The phase-to-neutral voltage an amp limit or a car's current is taken at, V. */
const VOLTAGE_V = 230;

/**
 * A charger of the simulated îlot as an OCPP 2.0.1 charging station (`npm start`'s chargers behind the building
 * gateway), ocpp-rpc's own client in strict mode: its cars are the world's (a TransactionEvent `Started` when one
 * plugs, `Updated` with the power and the energy register every period, `Ended` when it leaves, MeterValues while
 * nobody charges; the car's need and
 * departure said by NotifyEVChargingNeeds), and a charging profile the gateway sets limits the world's charger until
 * its `validTo` (in W, or in A per phase).
 */
export class SimulatedChargePoint {
  private client: RPCClient | undefined;
  private timer: NodeJS.Timeout | undefined;
  private transactionId: string | undefined;
  private transactions = 0;
  private seqNo = 0;
  private energyWh = 0;
  private lastTickMs: number | undefined;
  /** Every charging profile received (what the gateway sent on the wire). */
  readonly profiles: Array<Record<string, unknown>> = [];

  constructor(
    private readonly options: {
      world: IlotWorld;
      deviceId: string;
      clock: Clock;
      /** The gateway's OCPP endpoint, ws://host:port. */
      endpoint: string;
      identity: string;
      password: string;
      /** Real ms between two meter values. */
      periodMs: number;
    },
  ) {
    if (!options.world.chargers.has(options.deviceId))
      throw new Error(`"${options.deviceId}" is not a charger of site "${options.world.site.id}"`);
  }

  async start(): Promise<void> {
    const client = new RPCClient({
      endpoint: this.options.endpoint,
      identity: this.options.identity,
      password: this.options.password,
      protocols: ['ocpp2.0.1'],
      strictMode: true,
      reconnect: true,
    } as unknown as ClientOptions);
    client.handle('SetChargingProfile', async ({ params }) => this.limit(params as OcppParams));
    client.handle('ClearChargingProfile', async () => ({ status: 'Accepted' }));
    await client.connect();
    this.client = client;
    await client.call('BootNotification', {
      reason: 'PowerUp',
      chargingStation: { model: 'Simulated charger', vendorName: 'Ilot' },
    });
    await this.status('Available');
    this.timer = setInterval(() => void this.tick().catch(() => undefined), this.options.periodMs);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.client?.close({ force: true }).catch(() => undefined);
  }

  /** One period: the car plugged, charging or gone, as the world has it now. */
  private async tick(): Promise<void> {
    const { world, deviceId, clock } = this.options;
    const charger = world.chargers.get(deviceId)!;
    const nowMs = clock.now().getTime();
    if (this.lastTickMs !== undefined) this.energyWh += (charger.powerW * (nowMs - this.lastTickMs)) / 3_600_000;
    this.lastTickMs = nowMs;
    const session = charger.session(clock.now());
    const timestamp = clock.now().toISOString();
    const meterValue = [
      {
        timestamp,
        sampledValue: [
          { value: Math.round(charger.powerW), measurand: 'Power.Active.Import' },
          { value: Math.round(this.energyWh), measurand: 'Energy.Active.Import.Register' },
        ],
      },
    ];
    if (session.plugged && this.transactionId === undefined) {
      this.transactionId = `${deviceId}-${++this.transactions}`;
      this.seqNo = 0;
      await this.status('Occupied');
      await this.event('Started', 'CablePluggedIn', meterValue);
      await this.client!.call('NotifyEVChargingNeeds', {
        evseId: 1,
        chargingNeeds: {
          requestedEnergyTransfer: 'AC_three_phase',
          ...(session.departure ? { departureTime: session.departure.toISOString() } : {}),
          acChargingParameters: {
            energyAmount: Math.round(session.energyNeededWh ?? 0),
            evMinCurrent: 6,
            evMaxCurrent: Math.round((session.maxW ?? 0) / (3 * VOLTAGE_V)),
            evMaxVoltage: VOLTAGE_V,
          },
        },
      });
    } else if (!session.plugged && this.transactionId !== undefined) {
      await this.event('Ended', 'EVCommunicationLost', meterValue);
      this.transactionId = undefined;
      await this.status('Available');
    } else if (this.transactionId !== undefined) await this.event('Updated', 'MeterValuePeriodic', meterValue);
    // No car: its meter values all the same (a station configured to sample while idle), so it never reads stale.
    else await this.client!.call('MeterValues', { evseId: 1, meterValue });
  }

  private async event(eventType: string, triggerReason: string, meterValue: unknown[]): Promise<void> {
    await this.client!.call('TransactionEvent', {
      eventType,
      timestamp: this.options.clock.now().toISOString(),
      triggerReason,
      seqNo: this.seqNo++,
      transactionInfo: { transactionId: this.transactionId },
      evse: { id: 1, connectorId: 1 },
      meterValue,
    });
  }

  private status(connectorStatus: 'Available' | 'Occupied'): Promise<unknown> {
    return this.client!.call('StatusNotification', {
      timestamp: this.options.clock.now().toISOString(),
      connectorStatus,
      evseId: 1,
      connectorId: 1,
    });
  }

  /** A charging profile: its first period's limit (W, or A x phases x 230 V) held by the world's charger until validTo. */
  private limit(params: OcppParams): { status: 'Accepted' | 'Rejected' } {
    this.profiles.push(params);
    const profile = params.chargingProfile;
    const schedule = profile?.chargingSchedule?.[0];
    const period = schedule?.chargingSchedulePeriod?.[0];
    if (!period || !profile.validTo) return { status: 'Rejected' };
    const maxW =
      schedule.chargingRateUnit === 'A' ? period.limit * (period.numberPhases ?? 3) * VOLTAGE_V : period.limit;
    const now = this.options.clock.now();
    const answer = this.options.world.command(
      this.options.deviceId,
      {
        cmdId: `ocpp-${this.options.deviceId}-${this.profiles.length}`,
        type: 'ev.limit',
        maxW: Math.max(maxW, 0),
        issuedAt: now.toISOString(),
        validFrom: now.toISOString(),
        validUntil: profile.validTo,
        reason: 'ocpp charging profile',
      },
      now,
    );
    return { status: answer.status === 'applied' ? 'Accepted' : 'Rejected' };
  }
}
