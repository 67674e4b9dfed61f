import { EventEmitter } from 'node:events';
import { AckRouter } from './ack-router';

describe('AckRouter: the acks of every site on one connection', () => {
  // Regression (issue 25): each site's dispatcher listened to every message (20 sites: 20 listeners, every ack parsed
  // 20 times, and Node's MaxListenersExceededWarning past 10).
  it('reads the connection with one listener, whatever the number of sites, and hands each ack to its site alone', () => {
    const connection = new EventEmitter();
    const received: string[] = [];
    for (let k = 0; k < 20; k++)
      AckRouter.of(connection).register(`site-${k}`, (_topic, deviceId, payload) =>
        received.push(`site-${k} ${deviceId} ${payload.toString()}`),
      );
    expect(connection.listenerCount('message')).toBe(1);
    connection.emit('message', 'ilot/v1/site-7/bat-1/command/ack', Buffer.from('a'));
    connection.emit('message', 'ilot/v1/site-12/hp-a/command/ack', Buffer.from('b'));
    connection.emit('message', 'ilot/v1/site-7/bat-1/telemetry', Buffer.from('not an ack'));
    connection.emit('message', 'ilot/v1/unknown/bat-1/command/ack', Buffer.from('no dispatcher'));
    expect(received).toEqual(['site-7 bat-1 a', 'site-12 hp-a b']);
  });

  it('stops handing a site its acks once unregistered, and keeps a newer registration of the site', () => {
    const connection = new EventEmitter();
    const received: string[] = [];
    const first = () => received.push('first');
    const second = () => received.push('second');
    const router = AckRouter.of(connection);
    router.register('demo', first);
    router.register('demo', second); // the site handed back and planned again: a new dispatcher
    router.unregister('demo', first); // the old one closing late leaves the new one be
    connection.emit('message', 'ilot/v1/demo/bat-1/command/ack', Buffer.from('{}'));
    router.unregister('demo', second);
    connection.emit('message', 'ilot/v1/demo/bat-1/command/ack', Buffer.from('{}'));
    expect(received).toEqual(['second']);
    expect(AckRouter.of(connection)).toBe(router);
  });
});
