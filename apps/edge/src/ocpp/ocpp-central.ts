import type { Clock } from '@ilot/domain';
import type { AckDecision, CommandPayload } from '@ilot/protocol';
import { readFileSync } from 'node:fs';
import { timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import { createRPCError, RPCServer } from 'ocpp-rpc';
import type { DeviceLink } from '../device-link';
import type { OcppDeviceConfig } from '../edge.config';
import { ChargerState, type SampledValue } from './charger-state';

type Version = 'ocpp1.6' | 'ocpp2.0.1';
/** A call's params: ocpp-rpc's strict mode has validated them against the version's OCPP JSON schema before a handler runs. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- shaped by the OCPP schemas, checked by strict mode
type OcppParams = any;

/** What the gateway uses of ocpp-rpc's server-side client. */
interface OcppClient {
  identity: string;
  protocol: string;
  call(method: string, params: unknown): Promise<Record<string, unknown>>;
  handle(method: string, handler: (call: { params: OcppParams }) => unknown): void;
  handle(handler: (call: { method: string }) => unknown): void;
  on(event: string, listener: () => void): void;
}
type Handle = (method: string, handler: (params: OcppParams) => unknown) => void;

interface ChargePoint {
  config: OcppDeviceConfig;
  link: DeviceLink;
  state: ChargerState;
  client?: OcppClient;
  profileId: number;
  clearTimer?: NodeJS.Timeout;
}

/** The OCPP profile id the gateway's charging limits take (one per charge point, replaced by each new limit). */
const PROFILE_ID = 4201;

/**
 * The gateway as its chargers' OCPP central system (issue 28), 1.6J and 2.0.1 on one endpoint (ocpp-rpc, strict
 * schema validation: a malformed call gets a CALLERROR and the connection stays): only the configured charge point
 * ids, each with its own password (security profile 1, HTTP Basic); BootNotification, Heartbeat, StatusNotification
 * -> the device's status; MeterValues and transactions -> its telemetry with the EV session; NotifyEVChargingNeeds ->
 * the session's energy and departure; `ev.limit` -> SetChargingProfile (TxProfile in W or in A per phase, `validTo` =
 * `validUntil`),
 * acked from the charger's answer, and ClearChargingProfile when the limit expires.
 */
export class OcppCentralSystem {
  private readonly server: RPCServer;
  private readonly points = new Map<string, ChargePoint>();
  private tlsServer?: Server;
  readonly stats = { calls: 0, badCalls: 0, rejectedConnections: 0 };

  constructor(
    private readonly clock: Clock,
    private readonly log: (line: string) => void,
  ) {
    this.server = new RPCServer({
      protocols: ['ocpp2.0.1', 'ocpp1.6'],
      strictMode: true,
      respondWithDetailedErrors: true,
    });
    this.server.auth((accept, reject, handshake) => {
      const point = this.points.get(handshake.identity);
      const expected = point && Buffer.from(passwordOf(point.config));
      const given = handshake.password;
      if (!point || !expected || !given || expected.length !== given.length || !timingSafeEqual(expected, given)) {
        this.stats.rejectedConnections++;
        this.log(`OCPP: refused "${handshake.identity}" (${point ? 'wrong password' : 'unknown charge point'})`);
        return reject(401, 'Unauthorized');
      }
      accept({ deviceId: point.config.id });
    });
    this.server.on('client', (client: OcppClient) => this.onClient(client));
  }

  /** A charger of the config, its device link: its messages become the link's telemetry and status. */
  add(config: OcppDeviceConfig, link: DeviceLink): (command: CommandPayload) => Promise<AckDecision> {
    const point: ChargePoint = {
      config,
      link,
      state: new ChargerState({
        energyNeededWh: config.sessionDefaults.energyNeededWh,
        stayH: config.sessionDefaults.stayH,
        maxW: config.maxW,
      }),
      profileId: PROFILE_ID,
    };
    this.points.set(config.chargePointId, point);
    return (command) => this.limit(point, command);
  }

  /** Listens on ws:// (security profile 1), or on wss:// with the certificate and key given (profile 2). */
  async listen(port: number, host: string, tls?: { certFile: string; keyFile: string }): Promise<void> {
    if (!tls) {
      await this.server.listen(port, host);
      return;
    }
    const https = createServer({ cert: readFileSync(tls.certFile), key: readFileSync(tls.keyFile) });
    https.on('upgrade', this.server.handleUpgrade);
    await new Promise<void>((resolve, reject) => https.once('error', reject).listen(port, host, () => resolve()));
    this.tlsServer = https;
  }

  async close(): Promise<void> {
    for (const point of this.points.values()) if (point.clearTimer) clearTimeout(point.clearTimer);
    await this.server.close({ force: true });
    const tls = this.tlsServer;
    if (tls) await new Promise<void>((resolve) => tls.close(() => resolve()).closeAllConnections());
  }

  private onClient(client: OcppClient): void {
    const point = this.points.get(client.identity)!;
    point.client = client;
    this.log(`OCPP: ${client.identity} connected (${client.protocol}) as ${point.config.id}`);
    client.on('strictValidationFailure', () => this.stats.badCalls++);
    client.on('badMessage', () => this.stats.badCalls++);
    client.on('close', () => {
      point.client = undefined;
      void point.link.offline().catch(() => undefined);
    });
    const handle: Handle = (method, handler) =>
      client.handle(method, async ({ params }) => {
        this.stats.calls++;
        return handler(params);
      });
    const now = () => this.clock.now();
    const version = client.protocol as Version;
    handle('BootNotification', async () => {
      await point.link.online();
      return { status: 'Accepted', interval: 60, currentTime: now().toISOString() };
    });
    handle('Heartbeat', () => ({ currentTime: now().toISOString() }));
    handle('StatusNotification', async (p) => {
      point.state.status(version === 'ocpp1.6' ? p.status : p.connectorStatus, now());
      await this.send(point);
      return {};
    });
    handle('MeterValues', async (p) => {
      point.state.meterValues(sampledValues(p.meterValue));
      if (p.transactionId !== undefined) point.state.resumed(p.transactionId, now());
      await this.send(point);
      return {};
    });
    if (version === 'ocpp1.6') this.transactions16(point, handle);
    else this.transactions201(point, handle);
    client.handle(({ method }) => {
      this.stats.badCalls++;
      throw createRPCError('NotImplemented', `${method} is not handled by the îlot gateway`);
    });
  }

  private async send(point: ChargePoint): Promise<void> {
    await point.link.online();
    await point.link.telemetry(point.state.reading());
  }

  /** OCPP 1.6J: Authorize, StartTransaction, StopTransaction. */
  private transactions16(point: ChargePoint, handle: Handle): void {
    const now = () => this.clock.now();
    handle('Authorize', () => ({ idTagInfo: { status: 'Accepted' } }));
    handle('StartTransaction', async (p) => {
      const transactionId = Math.floor(Date.now() / 1000) % 2_000_000_000;
      point.state.started(transactionId, p.meterStart, now());
      await this.send(point);
      return { transactionId, idTagInfo: { status: 'Accepted' } };
    });
    handle('StopTransaction', async (p) => {
      point.state.meterValues([{ value: p.meterStop, measurand: 'Energy.Active.Import.Register', unit: 'Wh' }]);
      point.state.ended(now());
      await this.send(point);
      return { idTagInfo: { status: 'Accepted' } };
    });
  }

  /** OCPP 2.0.1: Authorize, TransactionEvent, NotifyEVChargingNeeds. */
  private transactions201(point: ChargePoint, handle: Handle): void {
    const now = () => this.clock.now();
    handle('Authorize', () => ({ idTokenInfo: { status: 'Accepted' } }));
    handle('TransactionEvent', async (p) => {
      point.state.meterValues(sampledValues(p.meterValue));
      if (p.eventType === 'Started') point.state.started(p.transactionInfo.transactionId, undefined, now());
      if (p.eventType === 'Updated') point.state.resumed(p.transactionInfo.transactionId, now());
      if (p.eventType === 'Ended') point.state.ended(now());
      await this.send(point);
      return {};
    });
    handle('NotifyEVChargingNeeds', async (p) => {
      const ac = p.chargingNeeds?.acChargingParameters;
      point.state.chargingNeeds({
        ...(ac?.energyAmount !== undefined ? { energyWh: ac.energyAmount } : {}),
        ...(p.chargingNeeds?.departureTime ? { departure: new Date(p.chargingNeeds.departureTime).toISOString() } : {}),
        ...(ac?.evMaxCurrent !== undefined && ac?.evMaxVoltage !== undefined
          ? { maxW: ac.evMaxCurrent * ac.evMaxVoltage * point.config.phases }
          : {}),
      });
      await this.send(point);
      return { status: 'Accepted' };
    });
  }

  /** `ev.limit` as a charging profile on the charger's transaction, acked from its answer. */
  private async limit(point: ChargePoint, command: CommandPayload): Promise<AckDecision> {
    if (command.type !== 'ev.limit') return { status: 'rejected', reason: `a charger does not take ${command.type}` };
    const client = point.client;
    if (!client) return { status: 'rejected', reason: `charge point ${point.config.chargePointId} is not connected` };
    if (point.state.transactionId === undefined) return { status: 'rejected', reason: 'no transaction to limit' };
    const { unit, period } = chargingLimit(point.config, command.maxW);
    const schedulePeriod = [period];
    const profile = {
      stackLevel: 1,
      chargingProfilePurpose: 'TxProfile',
      chargingProfileKind: 'Absolute',
      validFrom: command.validFrom,
      validTo: command.validUntil,
    };
    const answer =
      client.protocol === 'ocpp1.6'
        ? await client.call('SetChargingProfile', {
            connectorId: point.config.connectorId,
            csChargingProfiles: {
              chargingProfileId: point.profileId,
              transactionId: point.state.transactionId,
              ...profile,
              chargingSchedule: { chargingRateUnit: unit, chargingSchedulePeriod: schedulePeriod },
            },
          })
        : await client.call('SetChargingProfile', {
            evseId: point.config.connectorId,
            chargingProfile: {
              id: point.profileId,
              transactionId: String(point.state.transactionId),
              ...profile,
              chargingSchedule: [{ id: 1, chargingRateUnit: unit, chargingSchedulePeriod: schedulePeriod }],
            },
          });
    if (answer.status !== 'Accepted')
      return { status: 'rejected', reason: `SetChargingProfile: ${String(answer.status)}` };
    this.clearAt(point, command.validUntil);
    return { status: 'applied' };
  }

  /** At `validUntil` (the profile's validTo ends it in the charger too), the gateway clears it: the car charges freely. */
  private clearAt(point: ChargePoint, validUntil: string): void {
    if (point.clearTimer) clearTimeout(point.clearTimer);
    const delayMs = Math.max((Date.parse(validUntil) - this.clock.now().getTime()) / this.clock.speedup, 0);
    point.clearTimer = setTimeout(() => {
      const client = point.client;
      if (!client) return;
      const params = client.protocol === 'ocpp1.6' ? { id: point.profileId } : { chargingProfileId: point.profileId };
      void client
        .call('ClearChargingProfile', params)
        .catch((error: Error) => this.log(`${point.config.id}: clear failed: ${error.message}`));
    }, delayMs);
    point.clearTimer.unref?.();
  }
}

function passwordOf(config: OcppDeviceConfig): string {
  return config.password ?? readFileSync(config.passwordFile!, 'utf8').trim();
}

/** The sampled values of a `meterValue` array (both versions). */
function sampledValues(meterValue: unknown): SampledValue[] {
  if (!Array.isArray(meterValue)) return [];
  return meterValue.flatMap((m: { sampledValue?: SampledValue[] }) => m.sampledValue ?? []);
}

/**
 * A limit in the charger's unit: W as planned, or A per phase (maxW / (phases x voltageV), rounded down to 0.1 A so the
 * charger never draws more than planned) with its number of phases.
 */
export function chargingLimit(
  config: Pick<OcppDeviceConfig, 'limitUnit' | 'phases' | 'voltageV'>,
  maxW: number,
): { unit: 'W' | 'A'; period: { startPeriod: number; limit: number; numberPhases?: number } } {
  if (config.limitUnit === 'W') return { unit: 'W', period: { startPeriod: 0, limit: maxW } };
  const amps = Math.floor((maxW / (config.phases * config.voltageV)) * 10) / 10;
  return { unit: 'A', period: { startPeriod: 0, limit: Math.max(amps, 0), numberPhases: config.phases } };
}
