import { parseTopic } from '@ilot/protocol';

/** What the router needs of a connection: its incoming messages (an mqtt.js client). */
export interface MessageSource {
  on(event: 'message', listener: (topic: string, payload: Buffer) => void): unknown;
}

type AckHandler = (topic: string, deviceId: string, payload: Buffer) => void;

/**
 * The acks of every site planned on one MQTT connection, read by one listener: each message's topic is parsed once
 * and the ack handed to its site's dispatcher alone (issue 25: each site's dispatcher listened to every message, so
 * N sites parsed every ack N times, and past 10 sites Node warned of a listener leak).
 */
export class AckRouter {
  private static readonly byConnection = new WeakMap<MessageSource, AckRouter>();
  private readonly handlers = new Map<string, AckHandler>();

  private constructor(connection: MessageSource) {
    connection.on('message', (topic: string, payload: Buffer) => {
      const parsed = parseTopic(topic);
      if (parsed?.kind === 'commandAck') this.handlers.get(parsed.siteId)?.(topic, parsed.deviceId, payload);
    });
  }

  /** The router of a connection, made with its one listener the first time. */
  static of(connection: MessageSource): AckRouter {
    let router = AckRouter.byConnection.get(connection);
    if (!router) {
      router = new AckRouter(connection);
      AckRouter.byConnection.set(connection, router);
    }
    return router;
  }

  /** A site's acks go to `handler` from now on (one handler per site: the latest registered). */
  register(siteId: string, handler: AckHandler): void {
    this.handlers.set(siteId, handler);
  }

  /** The site's acks go nowhere any more, if `handler` is still the one registered for it. */
  unregister(siteId: string, handler: AckHandler): void {
    if (this.handlers.get(siteId) === handler) this.handlers.delete(siteId);
  }
}
