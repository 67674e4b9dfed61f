import { parsePasswordFile, verifyMosquittoPassword } from '@ilot/mqtt';
import { identityOf, mayPublish, mayReceive, maySubscribe, MqttIdentity } from '@ilot/protocol';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer, Server } from 'node:net';
import { importEsm } from './esm-import';
import { assertPortFree } from './port-check';

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
  const { Aedes } = (await importEsm('aedes')) as { Aedes: { createBroker(): Promise<AedesBroker> } };
  const broker = await Aedes.createBroker();
  guard(broker, parsePasswordFile(readFileSync(join(credentialsDir, 'passwd'), 'utf8')));
  const server: Server = createServer(broker.handle as never);
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

/** aedes' hooks, the rights of libs/protocol/src/mqtt-access.ts. */
function guard(broker: AedesBroker, passwords: ReadonlyMap<string, string>): void {
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
    client.ilotIdentity = identity;
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
