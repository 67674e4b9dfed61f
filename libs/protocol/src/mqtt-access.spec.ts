import {
  filterCovers,
  identityOf,
  mayPublish,
  mayReceive,
  maySubscribe,
  MqttIdentity,
  ownsClientId,
  renderMosquittoAcl,
} from './mqtt-access';

const device = (siteId: string, deviceId: string): MqttIdentity => ({ kind: 'device', siteId, deviceId });
const service = (name: 'ilot-ingestion' | 'ilot-optimiser' | 'ilot-aggregator' | 'ilot-forecast'): MqttIdentity => ({
  kind: 'service',
  name,
});

describe('identityOf', () => {
  it.each([
    ['demo/bat-1', device('demo', 'bat-1')],
    ['ilot-optimiser', service('ilot-optimiser')],
    ['demo', undefined],
    ['demo/bat-1/x', undefined],
    ['demo/+', undefined],
    ['demo/#', undefined],
    ['Demo/bat-1', undefined],
    ['ilot-admin', undefined],
  ])('%s', (username, expected) => expect(identityOf(username)).toEqual(expected));
});

describe('the broker rights table', () => {
  const bat = device('a', 'bat-1');
  it.each([
    // A device: its own telemetry, status and acks; nobody's commands, schedules, signals or forecasts.
    [bat, 'ilot/v1/a/bat-1/telemetry', true],
    [bat, 'ilot/v1/a/bat-1/status', true],
    [bat, 'ilot/v1/a/bat-1/command/ack', true],
    [bat, 'ilot/v1/a/bat-1/command', false],
    [bat, 'ilot/v1/a/m-1/telemetry', false],
    [bat, 'ilot/v1/b/bat-1/telemetry', false],
    [bat, 'ilot/v1/a/schedule', false],
    [bat, 'ilot/v1/a/signals', false],
    [bat, 'ilot/v1/a/forecast', false],
    [bat, 'ilot/v1/a/+/telemetry', false],
    [service('ilot-optimiser'), 'ilot/v1/a/bat-1/command', true],
    [service('ilot-optimiser'), 'ilot/v1/a/schedule', true],
    [service('ilot-optimiser'), 'ilot/v1/a/signals', false],
    [service('ilot-optimiser'), 'ilot/v1/a/bat-1/telemetry', false],
    [service('ilot-ingestion'), 'ilot/v1/a/bat-1/telemetry', false],
    [service('ilot-ingestion'), 'ilot/v1/a/bat-1/command', false],
    [service('ilot-aggregator'), 'ilot/v1/a/signals', true],
    [service('ilot-aggregator'), 'ilot/v1/a/bat-1/command', false],
    [service('ilot-forecast'), 'ilot/v1/a/forecast', true],
    [service('ilot-forecast'), 'ilot/v1/a/signals', false],
  ])('publish: %j on %s -> %s', (identity, topic, expected) => expect(mayPublish(identity, topic)).toBe(expected));

  it.each([
    [bat, 'ilot/v1/a/bat-1/command', true],
    [bat, 'ilot/v1/a/schedule', true],
    [bat, 'ilot/v1/b/schedule', false],
    [bat, 'ilot/v1/a/m-1/command', false],
    [bat, 'ilot/v1/b/bat-1/command', false],
    [bat, 'ilot/v1/a/+/command', false],
    [bat, 'ilot/v1/a/m-1/telemetry', false],
    [bat, '#', false],
    [service('ilot-ingestion'), 'ilot/v1/+/+/telemetry', true],
    [service('ilot-ingestion'), '$share/ingest/ilot/v1/+/+/telemetry', true],
    [service('ilot-ingestion'), 'ilot/v1/#', false],
    [service('ilot-ingestion'), 'ilot/v1/a/bat-1/command', false],
    [service('ilot-ingestion'), '$SYS/#', false],
    [service('ilot-optimiser'), 'ilot/v1/+/+/command/ack', true],
    [service('ilot-optimiser'), 'ilot/v1/a/+/telemetry', false],
    [service('ilot-aggregator'), 'ilot/v1/+/signals', false],
  ])('subscribe: %j to %s -> %s', (identity, filter, expected) =>
    expect(maySubscribe(identity, filter)).toBe(expected),
  );

  it('delivers to a device only its own commands and its îlot schedule', () => {
    expect(mayReceive(bat, 'ilot/v1/a/bat-1/command')).toBe(true);
    expect(mayReceive(bat, 'ilot/v1/b/bat-1/command')).toBe(false);
    expect(mayReceive(bat, 'ilot/v1/a/m-1/telemetry')).toBe(false);
  });

  it.each([
    ['ilot/v1/+/+/telemetry', 'ilot/v1/a/b/telemetry', true],
    ['ilot/v1/+/+/telemetry', 'ilot/v1/a/+/telemetry', true],
    ['ilot/v1/a/+/telemetry', 'ilot/v1/+/+/telemetry', false],
    ['ilot/v1/#', 'ilot/v1/a/#', true],
    ['ilot/v1/a/#', 'ilot/v1/#', false],
    ['ilot/v1/+/schedule', 'ilot/v1/a/schedule/x', false],
    ['ilot/v1/+/+/telemetry', '#', false],
  ])('filter %s covers %s: %s', (outer, inner, expected) => expect(filterCovers(outer, inner)).toBe(expected));

  it("renders Mosquitto's ACL: device patterns, each service, each device's own schedule", () => {
    const acl = renderMosquittoAcl([{ siteId: 'a', deviceId: 'bat-1' }]);
    expect(acl).toContain('pattern write ilot/v1/%u/telemetry\n');
    expect(acl).toContain('pattern read ilot/v1/%u/command\n');
    expect(acl).toContain('user ilot-aggregator\ntopic write ilot/v1/+/signals\n');
    expect(acl).toContain('user a/bat-1\ntopic read ilot/v1/a/schedule\n');
    expect(acl).not.toMatch(/topic (read|write|readwrite) #/);
  });
});

// Issue 26, client-id takeover: one flat's meter connected as `ilot-ingestion-demo` and knocked ingestion off the broker.
describe('ownsClientId: a client id is one identity\'s own', () => {
  it.each([
    [device('demo', 'm-b-101'), 'demo/m-b-101', true],
    [device('demo', 'm-b-101'), 'demo/m-b-101/second', true],
    [device('demo', 'm-b-101'), 'ilot-ingestion.demo', false],
    [device('demo', 'm-b-101'), 'ilot-ingestion-demo', false],
    [device('demo', 'm-b-101'), 'sim-demo-bat-1', false],
    [device('demo', 'm-b-101'), 'demo/bat-1', false],
    [device('demo', 'm-1'), 'demo/m-10', false],
    [device('demo', 'm-1'), 'demo/m-1-b', false],
    [device('demo', 'm-1'), 'demo/m-1/', false],
    [device('demo', 'm-1'), '', false],
    [service('ilot-ingestion'), 'ilot-ingestion', true],
    [service('ilot-ingestion'), 'ilot-ingestion.demo', true],
    [service('ilot-ingestion'), 'ilot-ingestion-demo', false],
    [service('ilot-ingestion'), 'ilot-optimiser.1', false],
    [service('ilot-aggregator'), 'ilot-ingestion.demo', false],
    [service('ilot-forecast'), 'demo/bat-1', false],
  ])('%j may use %s: %s', (identity, clientId, expected) => expect(ownsClientId(identity, clientId)).toBe(expected));
});
