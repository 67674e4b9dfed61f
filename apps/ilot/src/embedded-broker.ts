import { parsePasswordFile, verifyMosquittoPassword } from '@ilot/mqtt';
import {
  clientIdRule,
  identityOf,
  mayPublish,
  mayReceive,
  maySubscribe,
  MqttIdentity,
  ownsClientId,
  usernameOf,
} from '@ilot/protocol';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer, Server, Socket } from 'node:net';
import { PacketSizeGuard } from './packet-size-guard';
import { importEsm } from './esm-import';
import { assertPortFree } from './port-check';

/**
 * The embedded broker's limits (issue 26: 4 CONNECT packets of 40 MB took 150 MB, 1 000 idle sockets and 300 sessions of
 * one identity were accepted). The same bounds as deploy/mosquitto: Mosquitto's max_packet_size, max_connections, and
 * one session per device (use_username_as_clientid on its device listeners).
 */
export const EMBEDDED_BROKER_LIMITS = {
  /** The largest MQTT packet, bytes (deploy/mosquitto/conf.d: max_packet_size). A device's retained messages are bounded by it, per topic. */
  maxPacketBytes: 262_144,
  /** Connections open at once, logged in or not. */
  maxConnections: 1000,
  /** Sessions one device identity may hold at once (its controller, and a second while it reconnects). */
  maxSessionsPerDevice: 2,
  /** Sessions one service identity may hold at once (replicas, per-site connections). */
  maxSessionsPerService: 64,
  /** A connection that has not logged in within this is closed, ms. */
  connectTimeoutMs: 10_000,
} as const;

export interface EmbeddedBroker {
  url: string;
  close(): Promise<void>;
}

interface AedesClient {
  id: string;
  /** Set here once the client is authenticated. */
  ilotIdentity?: MqttIdentity;
  /** The Last Will of its CONNECT (aedes sets it before authenticating). */
  _will?: { topic: string };
}
interface AedesBroker {
  handle: (socket: unknown) => void;
  on(event: 'clientDisconnect', listener: (client: AedesClient) => void): void;
  close(cb: () => void): void;
  authenticate(client: AedesClient, username: string | undefined, password: Buffer | undefined, cb: AuthCallback): void;
  authorizePublish(client: AedesClient | null, packet: { topic: string }, cb: (error: Error | null) => void): void;
  authorizeSubscribe(client: AedesClient, sub: { topic: string }, cb: (e: Error | null, s: unknown) => void): void;
  authorizeForward(client: AedesClient, packet: { topic: string }): unknown;
}
type AuthCallback = (error: (Error & { returnCode?: number }) | null, success: boolean | null) => void;

/**
 * An in-process MQTT 3.1.1 broker (aedes) for `npm start` without ILOT_MQTT_URL, with the production broker's rights
 * (issue 15): a client connects with a user name and password of the credentials folder (`passwd`, the format
 * Mosquitto reads), and each identity publishes, subscribes and receives only what libs/protocol's table allows. An
 * anonymous client is refused; a publication outside its rights closes the client's connection (MQTT 3.1.1 has no
 * refusal for it).
 */
export async function startEmbeddedBroker(port: number, credentialsDir: string): Promise<EmbeddedBroker> {
  await assertPortFree(port, 'ILOT_EMBEDDED_MQTT_PORT', 'embedded MQTT broker');
  const { Aedes } = (await importEsm('aedes')) as { Aedes: { createBroker(options?: object): Promise<AedesBroker> } };
  const broker = await Aedes.createBroker({ connectTimeout: EMBEDDED_BROKER_LIMITS.connectTimeoutMs });
  guard(broker, parsePasswordFile(readFileSync(join(credentialsDir, 'passwd'), 'utf8')));
  const server: Server = createServer((socket) => {
    watchPacketSizes(socket);
    broker.handle(socket);
  });
  server.maxConnections = EMBEDDED_BROKER_LIMITS.maxConnections;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    url: `mqtt://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => undefined);
        broker.close(() => resolve());
      }),
  };
}

/** Closes a connection whose next packet announces more than the limit, before its body is read. */
function watchPacketSizes(socket: Socket): void {
  const sizes = new PacketSizeGuard(EMBEDDED_BROKER_LIMITS.maxPacketBytes);
  // With aedes' 'readable' listener, 'data' is emitted for each read it makes: the guard sees every byte, in order.
  socket.on('data', (chunk: Buffer) => {
    if (sizes.feed(chunk) !== undefined) socket.destroy();
  });
}

/** aedes' hooks, the rights of libs/protocol/src/mqtt-access.ts. */
function guard(broker: AedesBroker, passwords: ReadonlyMap<string, string>): void {
  /** Sessions open per user name. */
  const sessions = new Map<string, Set<AedesClient>>();
  broker.on('clientDisconnect', (client) => {
    const identity = client.ilotIdentity;
    if (identity) sessions.get(usernameOf(identity))?.delete(client);
  });
  broker.authenticate = (client, username, password, cb) => {
    const hash = username === undefined ? undefined : passwords.get(username);
    const identity = username === undefined ? undefined : identityOf(username);
    if (!hash || !identity || !password || !verifyMosquittoPassword(hash, password.toString())) {
      // 4: bad user name or password (MQTT 3.1.1); anonymous alike.
      return cb(Object.assign(new Error('bad user name or password'), { returnCode: 4 }), null);
    }
    // A Last Will outside its rights is refused at CONNECT: published after the client is gone, it has no client left.
    if (client._will && !mayPublish(identity, client._will.topic))
      return cb(
        Object.assign(new Error(`not authorised: Last Will on ${client._will.topic}`), { returnCode: 5 }),
        null,
      );
    // The client id is its identity's own (issue 26: a meter's credential took ingestion's id and knocked it off).
    if (!ownsClientId(identity, client.id))
      return cb(Object.assign(new Error(`identifier rejected: ${clientIdRule(identity)}`), { returnCode: 2 }), null);
    const open = sessions.get(username!) ?? new Set<AedesClient>();
    const max =
      identity.kind === 'device'
        ? EMBEDDED_BROKER_LIMITS.maxSessionsPerDevice
        : EMBEDDED_BROKER_LIMITS.maxSessionsPerService;
    // A client id taking over its own session does not count twice.
    const others = [...open].filter((c) => c.id !== client.id);
    if (others.length >= max)
      return cb(
        Object.assign(new Error(`server unavailable: ${username} already holds ${others.length} sessions`), {
          returnCode: 3,
        }),
        null,
      );
    client.ilotIdentity = identity;
    open.add(client);
    sessions.set(username!, open);
    cb(null, true);
  };
  broker.authorizePublish = (client, packet, cb) => {
    // A Last Will published after its client is gone (client null) was checked when the client connected with it.
    const identity = client?.ilotIdentity;
    if (client === null || (identity && mayPublish(identity, packet.topic))) return cb(null);
    cb(new Error(`not authorised to publish on ${packet.topic}`));
  };
  broker.authorizeSubscribe = (client, sub, cb) => {
    const identity = client.ilotIdentity;
    cb(null, identity && maySubscribe(identity, sub.topic) ? sub : null);
  };
  broker.authorizeForward = (client, packet) => {
    const identity = client.ilotIdentity;
    return identity && mayReceive(identity, packet.topic) ? packet : null;
  };
}
