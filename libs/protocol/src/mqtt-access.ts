import { TOPIC_PREFIX } from './topics';

/**
 * Who may do what on the broker (issue 15): one table, enforced by the embedded broker (aedes hooks) and rendered as
 * Mosquitto's ACL file (`ilot devices provision`), so both brokers give the same rights.
 *
 * A device's MQTT user name is `{siteId}/{deviceId}`: ids are `[a-z0-9-]+`, so the name is unique across îlots (two
 * îlots each with a `bat-1` never share rights) and, put in place of Mosquitto's `%u`, it is exactly the topic levels
 * that are the device's own. Services have names of their own, with no `/`.
 */
export const SERVICE_USERS = ['ilot-ingestion', 'ilot-optimiser', 'ilot-aggregator', 'ilot-forecast'] as const;
export type ServiceUser = (typeof SERVICE_USERS)[number];

export type MqttIdentity =
  { kind: 'device'; siteId: string; deviceId: string } | { kind: 'service'; name: ServiceUser };

export type MqttAccess = 'read' | 'write';
export interface AccessRule {
  access: MqttAccess;
  /** A topic filter (`+` one level, `#` the rest); `%u` stands for the device's user name. */
  filter: string;
}

const ID = /^[a-z0-9-]+$/;

export function deviceUsername(siteId: string, deviceId: string): string {
  return `${siteId}/${deviceId}`;
}

/** The identity a user name stands for; undefined for a name that is neither a service nor `site/device`. */
export function identityOf(username: string): MqttIdentity | undefined {
  if ((SERVICE_USERS as readonly string[]).includes(username))
    return { kind: 'service', name: username as ServiceUser };
  const parts = username.split('/');
  if (parts.length === 2 && ID.test(parts[0]) && ID.test(parts[1]))
    return { kind: 'device', siteId: parts[0], deviceId: parts[1] };
  return undefined;
}

/**
 * The services that run inside the deployment and reach the broker on its services' listener; the others
 * (`ilot-aggregator`, `ilot-forecast`) are outside parties that connect like devices, over TLS.
 */
export const INTERNAL_SERVICES: readonly ServiceUser[] = ['ilot-ingestion', 'ilot-optimiser'];

/**
 * Whether a client id is this identity's own (issue 26: a device's credential took a service's client id and knocked it
 * off the broker). A device's id is its user name, or that name and `/` and more (a second connection); a service's
 * is its name, or its name and `.` and more. User names are `{site}/{device}` (`[a-z0-9-]`, one `/`) or a service's
 * name, so no client id is two identities' own.
 */
export function ownsClientId(identity: MqttIdentity, clientId: string): boolean {
  const name = usernameOf(identity);
  return clientId === name || (clientId.startsWith(name + separatorOf(identity)) && clientId.length > name.length + 1);
}

/** A client id of the identity's own: its user name, then its separator and `suffix`. */
export function ownedClientId(identity: MqttIdentity, suffix: string): string {
  return `${usernameOf(identity)}${separatorOf(identity)}${suffix}`;
}

/** The rule `ownsClientId` holds a client to, said to whoever broke it. */
export function clientIdRule(identity: MqttIdentity): string {
  const name = usernameOf(identity);
  return `the client id of "${name}" is "${name}" or starts with "${name}${separatorOf(identity)}"`;
}

/** The user name an identity connects with. */
export function usernameOf(identity: MqttIdentity): string {
  return identity.kind === 'device' ? deviceUsername(identity.siteId, identity.deviceId) : identity.name;
}

const separatorOf = (identity: MqttIdentity) => (identity.kind === 'device' ? '/' : '.');

/** A device: its own telemetry, status and acks out, its own commands in, its îlot's schedule in. */
export const DEVICE_RULES: readonly AccessRule[] = [
  { access: 'write', filter: `${TOPIC_PREFIX}/%u/telemetry` },
  { access: 'write', filter: `${TOPIC_PREFIX}/%u/status` },
  { access: 'write', filter: `${TOPIC_PREFIX}/%u/command/ack` },
  { access: 'read', filter: `${TOPIC_PREFIX}/%u/command` },
];

/** Services serve every îlot of the deployment: only the topics their job needs. */
export const SERVICE_RULES: Readonly<Record<ServiceUser, readonly AccessRule[]>> = {
  'ilot-ingestion': [
    { access: 'read', filter: `${TOPIC_PREFIX}/+/+/telemetry` },
    { access: 'read', filter: `${TOPIC_PREFIX}/+/+/status` },
    { access: 'read', filter: `${TOPIC_PREFIX}/+/signals` },
    { access: 'read', filter: `${TOPIC_PREFIX}/+/forecast` },
  ],
  'ilot-optimiser': [
    { access: 'write', filter: `${TOPIC_PREFIX}/+/+/command` },
    { access: 'read', filter: `${TOPIC_PREFIX}/+/+/command/ack` },
    { access: 'write', filter: `${TOPIC_PREFIX}/+/schedule` },
  ],
  // The grid operator's or aggregator's orders (effacement, EcoWatt, Tempo): never anyone else's.
  'ilot-aggregator': [{ access: 'write', filter: `${TOPIC_PREFIX}/+/signals` }],
  // The operator's PV forecast feed.
  'ilot-forecast': [{ access: 'write', filter: `${TOPIC_PREFIX}/+/forecast` }],
};

/** The rules of one identity, `%u` put in place, plus its îlot's schedule for a device. */
export function rulesOf(identity: MqttIdentity): AccessRule[] {
  if (identity.kind === 'service') return [...SERVICE_RULES[identity.name]];
  const username = usernameOf(identity);
  return [
    ...DEVICE_RULES.map((rule) => ({ ...rule, filter: rule.filter.replace('%u', username) })),
    { access: 'read', filter: `${TOPIC_PREFIX}/${identity.siteId}/schedule` },
  ];
}

/** Whether a topic name (no wildcard) matches a filter. */
export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length || (f[i] !== '+' && f[i] !== t[i])) return false;
  }
  return f.length === t.length;
}

/** Whether every topic the filter `inner` can match is matched by `outer`. */
export function filterCovers(outer: string, inner: string): boolean {
  const o = outer.split('/');
  const n = inner.split('/');
  for (let i = 0; i < o.length; i++) {
    if (o[i] === '#') return true;
    if (i >= n.length || n[i] === '#') return false;
    if (o[i] !== '+' && (n[i] === '+' || o[i] !== n[i])) return false;
  }
  return o.length === n.length;
}

const NAME_SAFE = (topic: string) => topic.length > 0 && !topic.includes('+') && !topic.includes('#');

export function mayPublish(identity: MqttIdentity, topic: string): boolean {
  return (
    NAME_SAFE(topic) && rulesOf(identity).some((rule) => rule.access === 'write' && topicMatches(rule.filter, topic))
  );
}

/** A message on `topic` may reach this identity. */
export function mayReceive(identity: MqttIdentity, topic: string): boolean {
  return rulesOf(identity).some((rule) => rule.access === 'read' && topicMatches(rule.filter, topic));
}

/** A subscription is granted when one read rule covers all it could match (a shared subscription: its filter). */
export function maySubscribe(identity: MqttIdentity, filter: string): boolean {
  const shared = /^\$share\/[^/#+]+\/(.+)$/.exec(filter);
  const topicFilter = shared ? shared[1] : filter;
  if (topicFilter.startsWith('$')) return false;
  return rulesOf(identity).some((rule) => rule.access === 'read' && filterCovers(rule.filter, topicFilter));
}

/**
 * Mosquitto's ACL file for the deployment: the device patterns (`%u`), each service's topics, and each device's
 * schedule (a pattern cannot name a device's îlot alone). `devices`: every device user name the password file holds.
 */
export function renderMosquittoAcl(devices: readonly { siteId: string; deviceId: string }[]): string {
  const lines = [
    '# Îlot ACL (Mosquitto acl_file), made by `ilot devices provision` from libs/protocol/src/mqtt-access.ts: edit there.',
    '# A device is user `{siteId}/{deviceId}`: its own telemetry, status and acks out, its own commands in.',
    ...DEVICE_RULES.map((rule) => `pattern ${rule.access} ${rule.filter}`),
  ];
  for (const name of SERVICE_USERS)
    lines.push('', `user ${name}`, ...SERVICE_RULES[name].map((rule) => `topic ${rule.access} ${rule.filter}`));
  for (const device of devices)
    lines.push(
      '',
      `user ${deviceUsername(device.siteId, device.deviceId)}`,
      `topic read ${TOPIC_PREFIX}/${device.siteId}/schedule`,
    );
  return `${lines.join('\n')}\n`;
}
