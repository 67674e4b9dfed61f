/** Every MQTT topic of the product, built and parsed here and nowhere else (docs/design.md, "MQTT topics"). */
export const TOPIC_PREFIX = 'ilot/v1';

export const topics = {
  telemetry: (siteId: string, deviceId: string) => `${TOPIC_PREFIX}/${siteId}/${deviceId}/telemetry`,
  status: (siteId: string, deviceId: string) => `${TOPIC_PREFIX}/${siteId}/${deviceId}/status`,
  command: (siteId: string, deviceId: string) => `${TOPIC_PREFIX}/${siteId}/${deviceId}/command`,
  commandAck: (siteId: string, deviceId: string) => `${TOPIC_PREFIX}/${siteId}/${deviceId}/command/ack`,
  schedule: (siteId: string) => `${TOPIC_PREFIX}/${siteId}/schedule`,
  signals: (siteId: string) => `${TOPIC_PREFIX}/${siteId}/signals`,
  /** An external PV forecast for the site (operator or forecast provider -> service). */
  forecast: (siteId: string) => `${TOPIC_PREFIX}/${siteId}/forecast`,
  /** Subscription filters. */
  allTelemetry: (siteId: string) => `${TOPIC_PREFIX}/${siteId}/+/telemetry`,
  allStatus: (siteId: string) => `${TOPIC_PREFIX}/${siteId}/+/status`,
  allCommandAcks: (siteId: string) => `${TOPIC_PREFIX}/${siteId}/+/command/ack`,
} as const;

export type ParsedTopic =
  | { kind: 'telemetry' | 'status' | 'command' | 'commandAck'; siteId: string; deviceId: string }
  | { kind: 'schedule' | 'signals' | 'forecast'; siteId: string };

/** Parses a topic of the product; undefined for anything else. */
export function parseTopic(topic: string): ParsedTopic | undefined {
  const parts = topic.split('/');
  if (parts.length < 3 || `${parts[0]}/${parts[1]}` !== TOPIC_PREFIX) return undefined;
  const [siteId, ...rest] = parts.slice(2);
  if (!siteId) return undefined;
  if (rest.length === 1 && (rest[0] === 'schedule' || rest[0] === 'signals' || rest[0] === 'forecast'))
    return { kind: rest[0], siteId };
  if (rest.length === 2 && rest[0]) {
    const kind = ({ telemetry: 'telemetry', status: 'status', command: 'command' } as const)[rest[1]];
    if (kind) return { kind, siteId, deviceId: rest[0] };
  }
  if (rest.length === 3 && rest[0] && rest[1] === 'command' && rest[2] === 'ack')
    return { kind: 'commandAck', siteId, deviceId: rest[0] };
  return undefined;
}
