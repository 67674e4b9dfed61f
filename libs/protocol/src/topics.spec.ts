import { parseTopic, topics } from './topics';

describe('topics', () => {
  it.each([
    [topics.telemetry('demo', 'pv-a'), { kind: 'telemetry', siteId: 'demo', deviceId: 'pv-a' }],
    [topics.status('demo', 'bat-1'), { kind: 'status', siteId: 'demo', deviceId: 'bat-1' }],
    [topics.command('demo', 'bat-1'), { kind: 'command', siteId: 'demo', deviceId: 'bat-1' }],
    [topics.commandAck('demo', 'bat-1'), { kind: 'commandAck', siteId: 'demo', deviceId: 'bat-1' }],
    [topics.schedule('demo'), { kind: 'schedule', siteId: 'demo' }],
    [topics.signals('demo'), { kind: 'signals', siteId: 'demo' }],
  ])('parses what it builds: %s', (topic, expected) => {
    expect(parseTopic(topic)).toEqual(expected);
  });

  it.each([
    'ilot/v2/demo/pv/telemetry',
    'ilot/v1/demo/pv/other',
    'ilot/v1//pv/telemetry',
    'ilot/v1/demo/pv/telemetry/x',
    'foo',
  ])('refuses %s', (topic) => expect(parseTopic(topic)).toBeUndefined());
});
