import { identityOf, mayPublish, ownedClientId, mayReceive, maySubscribe, topicMatches, topics } from '@ilot/protocol';
import mqtt, { IClientOptions, MqttClient } from 'mqtt';
import { randomBytes } from 'node:crypto';

/**
 * The rights matrix of a broker, probed as an attacker would: each identity publishes to every topic of two îlots
 * and subscribes to each of them and to wildcards. Compared
 * with libs/protocol's table (mqtt-access.ts); witnesses, each within its own rights, see what got through. A leak is a message that got through where the table says no; a wrong
 * refusal, one refused where the table says yes.
 */
export interface MatrixBroker {
  url: string;
  /** Another listener for some users (a device by its client certificate). */
  urlFor?(username: string): string | undefined;
  protocolVersion: 4 | 5;
  /** Connection options for a user (its password, TLS material). */
  optionsFor(username: string): IClientOptions;
  /**
   * Users that, together, may read and write every probed topic (the services and the devices probed): they watch
   * what gets through and feed the subscribers, each only where the table lets it.
   */
  witnesses: string[];
}

export interface MatrixResult {
  allowed: number;
  denied: number;
  leaks: string[];
  wrongRefusals: string[];
}

export function probeTopics(siteA: string, siteB: string): string[] {
  const deviceTopics = (site: string, device: string) => [
    topics.telemetry(site, device),
    topics.status(site, device),
    topics.command(site, device),
    topics.commandAck(site, device),
  ];
  return [
    ...deviceTopics(siteA, 'bat-1'),
    ...deviceTopics(siteA, 'm-1'),
    ...deviceTopics(siteB, 'bat-1'),
    ...[siteA, siteB].flatMap((site) => [topics.schedule(site), topics.signals(site), topics.forecast(site)]),
  ];
}

export function probeFilters(siteA: string, siteB: string): string[] {
  return [
    ...probeTopics(siteA, siteB),
    '#',
    'ilot/v1/#',
    `ilot/v1/${siteA}/#`,
    'ilot/v1/+/+/telemetry',
    'ilot/v1/+/+/command',
    `ilot/v1/${siteA}/+/command`,
    '$SYS/#',
    '$share/g/ilot/v1/+/+/telemetry',
  ];
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 400));

/**
 * A connection of `username`, with a client id of its own (libs/protocol ownsClientId). A device holds one session at a
 * time (Mosquitto's device listener makes its client id its user name), so the matrix never opens two for one device.
 */
async function connect(broker: MatrixBroker, username: string): Promise<MqttClient> {
  return mqtt.connectAsync(broker.urlFor?.(username) ?? broker.url, {
    protocolVersion: broker.protocolVersion,
    clientId: ownedClientId(identityOf(username)!, randomBytes(4).toString('hex')),
    reconnectPeriod: 0,
    connectTimeout: 5000,
    ...broker.optionsFor(username),
  });
}

/** The witnesses but `prober`, each subscribed to the probed topics it may read: every message that got through, by payload. */
async function watch(broker: MatrixBroker, topicList: string[], prober: string) {
  const seen = new Set<string>();
  const clients: MqttClient[] = [];
  for (const username of broker.witnesses.filter((w) => w !== prober)) {
    const readable = topicList.filter((topic) => mayReceive(identityOf(username)!, topic));
    if (readable.length === 0) continue;
    const client = await connect(broker, username);
    client.on('message', (_topic, payload) => seen.add(payload.toString()));
    await client.subscribeAsync(readable, { qos: 1 });
    clients.push(client);
  }
  const readers = [...broker.witnesses, prober];
  const uncovered = topicList.filter((t) => !readers.some((u) => mayReceive(identityOf(u)!, t)));
  if (uncovered.length > 0) throw new Error(`no witness may read ${uncovered.join(', ')}`);
  return { clients, seen };
}

/**
 * `username`'s one connection, opened again when the broker closed it (aedes closes a client after a refused
 * publication), subscribed to the probed topics it may read itself: it is their only witness (a device's commands).
 */
function session(broker: MatrixBroker, username: string, topicList: string[], seen: Set<string>) {
  let client: MqttClient | undefined;
  const readable = topicList.filter((topic) => mayReceive(identityOf(username)!, topic));
  return {
    async get(): Promise<MqttClient> {
      if (client?.connected) return client;
      client = await connect(broker, username);
      client.on('error', () => undefined);
      client.on('message', (_topic, payload) => seen.add(payload.toString()));
      if (readable.length) await client.subscribeAsync(readable, { qos: 1 });
      return client;
    },
    /** Ends the session (after a refusal: the broker may be closing it); the next `get` opens another. */
    async drop(): Promise<void> {
      await client?.endAsync(true);
      client = undefined;
    },
  };
}

/**
 * Publishes `message` on `topic`: true when the broker acknowledged it, false when it refused it, closed the
 * connection (aedes, after a refused publication) or did not answer in time.
 */
async function publishOnce(client: MqttClient, topic: string, message: string): Promise<boolean> {
  const outcome = await Promise.race([
    client.publishAsync(topic, message, { qos: 1 }).then(
      () => 'acked',
      () => 'refused',
    ),
    new Promise<string>((resolve) => client.once('close', () => resolve('closed'))),
    settle().then(() => 'timeout'),
  ]);
  return outcome === 'acked';
}

/** Publishes `payload` on each topic, each time as a witness that may (`self`'s own connection where only it may). */
async function feed(
  broker: MatrixBroker,
  topicList: string[],
  payload: string,
  self: { username: string; client: MqttClient },
): Promise<void> {
  for (const topic of topicList) {
    const writer =
      broker.witnesses.find((u) => u !== self.username && mayPublish(identityOf(u)!, topic)) ??
      (mayPublish(identityOf(self.username)!, topic) ? self.username : undefined);
    if (!writer) throw new Error(`no witness may publish on ${topic}`);
    if (writer === self.username) {
      await self.client.publishAsync(topic, payload, { qos: 1 });
      continue;
    }
    const client = await connect(broker, writer);
    await client.publishAsync(topic, payload, { qos: 1 });
    await client.endAsync();
  }
}

/** Publishes from `username` to each topic, one after another on its one session. */
async function probePublishes(broker: MatrixBroker, username: string, topicList: string[], result: MatrixResult) {
  const identity = identityOf(username)!;
  const watched = await watch(broker, topicList, username);
  const own = session(broker, username, topicList, watched.seen);
  const marks = new Map<string, string>();
  for (const topic of topicList) {
    const mark = `${username} -> ${topic} ${randomBytes(4).toString('hex')}`;
    marks.set(topic, mark);
    if (!(await publishOnce(await own.get(), topic, mark))) await own.drop();
  }
  await settle();
  await own.drop();
  await Promise.all(watched.clients.map((client) => client.endAsync()));
  for (const [topic, mark] of marks)
    tally(result, `${username} publishes ${topic}`, watched.seen.has(mark), mayPublish(identity, topic));
}

/** Subscribes `username` to every filter, then the witnesses publish on every topic: what reaches it. */
async function probeSubscriptions(
  broker: MatrixBroker,
  username: string,
  filterList: string[],
  topicList: string[],
  result: MatrixResult,
) {
  const identity = identityOf(username)!;
  const client = await connect(broker, username);
  const received = new Set<string>();
  client.on('message', (topic) => received.add(topic));
  for (const filter of filterList) await client.subscribeAsync(filter, { qos: 1 }).catch(() => undefined);
  await feed(broker, topicList, 'probe', { username, client });
  await settle();
  await client.endAsync();
  for (const topic of topicList) {
    const expected =
      mayReceive(identity, topic) && filterList.some((f) => maySubscribe(identity, f) && matches(f, topic));
    tally(result, `${username} reads ${topic}`, received.has(topic), expected);
  }
}

/** A subscription's filter matches the topic (a shared one: its filter). */
function matches(filter: string, topic: string): boolean {
  return topicMatches(filter.replace(/^\$share\/[^/]+\//, ''), topic);
}

function tally(result: MatrixResult, what: string, observed: boolean, expected: boolean): void {
  if (expected) result.allowed++;
  else result.denied++;
  if (observed && !expected) result.leaks.push(what);
  if (!observed && expected) result.wrongRefusals.push(what);
}

export async function probeMatrix(broker: MatrixBroker, usernames: string[], siteA: string, siteB: string) {
  const result: MatrixResult = { allowed: 0, denied: 0, leaks: [], wrongRefusals: [] };
  const topicList = probeTopics(siteA, siteB);
  for (const username of usernames) {
    await probePublishes(broker, username, topicList, result);
    await probeSubscriptions(broker, username, probeFilters(siteA, siteB), topicList, result);
  }
  return result;
}
