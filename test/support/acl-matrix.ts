import { identityOf, mayPublish, mayReceive, maySubscribe, topicMatches, topics } from '@ilot/protocol';
import mqtt, { IClientOptions, MqttClient } from 'mqtt';
import { randomBytes } from 'node:crypto';

/**
 * The rights matrix of a broker, probed as an attacker would: each identity publishes to every topic of two îlots
 * and subscribes to each of them and to wildcards; an observer that reads everything says what got through. Compared
 * with libs/protocol's table (mqtt-access.ts): a leak is a message that got through where the table says no; a wrong
 * refusal, one refused where the table says yes.
 */
export interface MatrixBroker {
  url: string;
  /** Another listener for some users (a device by its client certificate). */
  urlFor?(username: string): string | undefined;
  protocolVersion: 4 | 5;
  /** Connection options for a user (its password, TLS material). */
  optionsFor(username: string): IClientOptions;
  /** A user that may read and write everything (the test's own, not a product identity). */
  observer: string;
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

async function connect(broker: MatrixBroker, username: string): Promise<MqttClient> {
  return mqtt.connectAsync(broker.urlFor?.(username) ?? broker.url, {
    protocolVersion: broker.protocolVersion,
    clientId: `matrix-${randomBytes(4).toString('hex')}`,
    reconnectPeriod: 0,
    connectTimeout: 5000,
    ...broker.optionsFor(username),
  });
}

async function observer(broker: MatrixBroker): Promise<{ client: MqttClient; seen: Set<string> }> {
  const client = await connect(broker, broker.observer);
  const seen = new Set<string>();
  client.on('message', (_topic, payload) => seen.add(payload.toString()));
  await client.subscribeAsync('ilot/v1/#', { qos: 1 });
  return { client, seen };
}

/** Publishes from `username` to each topic (a connection each: a broker may close one after a refusal). */
async function probePublishes(broker: MatrixBroker, username: string, topicList: string[], result: MatrixResult) {
  const identity = identityOf(username)!;
  const watch = await observer(broker);
  const marks = new Map<string, string>();
  await Promise.all(
    topicList.map(async (topic) => {
      const mark = `${username} -> ${topic} ${randomBytes(4).toString('hex')}`;
      marks.set(topic, mark);
      const client = await connect(broker, username);
      client.on('error', () => undefined);
      await Promise.race([client.publishAsync(topic, mark, { qos: 1 }).catch(() => undefined), settle()]);
      client.end(true);
    }),
  );
  await settle();
  await watch.client.endAsync();
  for (const [topic, mark] of marks)
    tally(result, `${username} publishes ${topic}`, watch.seen.has(mark), mayPublish(identity, topic));
}

/** Subscribes `username` to every filter, then the observer publishes on every topic: what reaches it. */
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
  const feeder = await connect(broker, broker.observer);
  for (const topic of topicList) await feeder.publishAsync(topic, 'probe', { qos: 1 });
  await settle();
  await Promise.all([client.endAsync(), feeder.endAsync()]);
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
