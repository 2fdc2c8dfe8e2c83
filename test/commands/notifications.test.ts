import { afterEach, describe, expect, it } from 'vitest';
import type { RawConnection } from '../helpers/resp.js';
import { withServer } from '../helpers/server.js';

/** Parses a RESP2 pmessage frame into [channel, payload]. */
function parsePmessage(frame: string): [string, string] {
  const lines = frame.split('\r\n');
  // *4, $7, pmessage, $n, pattern, $n, channel, $n, payload
  return [lines[6], lines[8]];
}

describe('keyspace notifications', () => {
  const server = withServer();
  const connect = (): Promise<RawConnection> => server.connect();

  afterEach(() => {
    for (const db of server.running.server.keyspace.dbs) db.flush();
    server.running.server.keyspace.activeExpireEnabled = true;
    expect(server.running.server.config.setFromArgs('notify-keyspace-events', [''])).toBeNull();
  });

  function configure(classes: string): void {
    expect(server.running.server.config.setFromArgs('notify-keyspace-events', [classes])).toBeNull();
  }

  /**
   * Runs the commands with a pattern subscriber on every channel, then publishes an end marker
   * and returns every event seen before it, as "channel payload".
   */
  async function eventsOf(commands: string[][], before?: () => void): Promise<string[]> {
    const sub = await connect();
    const c = await connect();
    sub.send('PSUBSCRIBE', '*');
    await sub.readReply();
    before?.();
    for (const cmd of commands) await c.call(...cmd);
    await c.call('PUBLISH', 'end-of-events', 'x');
    const seen: string[] = [];
    for (;;) {
      const [channel, payload] = parsePmessage(await sub.readReply());
      if (channel === 'end-of-events') return seen;
      seen.push(`${channel} ${payload}`);
    }
  }

  it('publishes nothing by default', async () => {
    expect(await eventsOf([['SET', 'k', 'v'], ['GET', 'nope'], ['DEL', 'k']])).toEqual([]);
  });

  it('K publishes on __keyspace@<db>__:<key>, E on __keyevent@<db>__:<event>', async () => {
    configure('K$');
    expect(await eventsOf([['SET', 'k', 'v']])).toEqual(['__keyspace@0__:k set']);
    configure('E$');
    expect(await eventsOf([['SET', 'k', 'v']])).toEqual(['__keyevent@0__:set k']);
    configure('KE$');
    expect(await eventsOf([['SELECT', '3'], ['SET', 'k', 'v']])).toEqual(['__keyspace@3__:k set', '__keyevent@3__:set k']);
    // A class without K or E goes nowhere.
    configure('$');
    expect(await eventsOf([['SET', 'k', 'v']])).toEqual([]);
  });

  it('g, $ and h select generic, string and hash events; other classes are masked', async () => {
    configure('Eg');
    expect(await eventsOf([['SET', 'a', '1'], ['HSET', 'h', 'f', 'v'], ['DEL', 'a', 'h']])).toEqual(
      ['__keyevent@0__:del a', '__keyevent@0__:del h']);
    configure('E$');
    expect(await eventsOf([['SET', 'a', '1'], ['HSET', 'h', 'f', 'v'], ['DEL', 'a']])).toEqual(['__keyevent@0__:set a']);
    configure('Eh');
    expect(await eventsOf([['SET', 'a', '1'], ['HSET', 'h', 'f', 'v'], ['HDEL', 'h', 'f']])).toEqual(
      ['__keyevent@0__:hset h', '__keyevent@0__:hdel h']);
  });

  it('x publishes expired events, from lazy and from active expiry', async () => {
    configure('Ex');
    server.running.server.keyspace.activeExpireEnabled = false;
    const lazy = await eventsOf([['SET', 'lazy', 'v'], ['GET', 'lazy']],
      () => server.running.server.keyspace.dbs[0].set('lazy', 'v'));
    expect(lazy).toEqual([]);
    // Set a past deadline directly, then let a read find it.
    server.running.server.keyspace.dbs[0].setExpire('lazy', Date.now() - 1000);
    expect(await eventsOf([['GET', 'lazy']])).toEqual(['__keyevent@0__:expired lazy']);

    server.running.server.keyspace.activeExpireEnabled = true;
    const sub = await connect();
    sub.send('SUBSCRIBE', '__keyevent@0__:expired');
    await sub.readReply();
    server.running.server.keyspace.dbs[0].set('active', 'v');
    server.running.server.keyspace.dbs[0].setExpire('active', Date.now() + 10);
    expect(await sub.readReply()).toBe('*3\r\n$7\r\nmessage\r\n$22\r\n__keyevent@0__:expired\r\n$6\r\nactive\r\n');
  });

  it('A means every data class (g$lshzxetd) but neither keymiss nor new', async () => {
    configure('KA');
    expect(await eventsOf([['SET', 'a', '1'], ['GET', 'missing'], ['DEL', 'a']])).toEqual(
      ['__keyspace@0__:a set', '__keyspace@0__:a del']);
  });

  it('n publishes "new" when a key is created, not when it is overwritten', async () => {
    configure('En');
    expect(await eventsOf([['SET', 'foo', 'bar'], ['SET', 'foo', 'baz'], ['SET', 'bar', 'bar'], ['HSET', 'h', 'f', 'v'], ['HSET', 'h', 'g', 'v']])).toEqual(
      ['__keyevent@0__:new foo', '__keyevent@0__:new bar', '__keyevent@0__:new h']);
    // "new" comes before the command's own event, as dbAdd fires it first.
    configure('En$');
    expect(await eventsOf([['SET', 'fresh', '1']])).toEqual(['__keyevent@0__:new fresh', '__keyevent@0__:set fresh']);
  });

  it('m publishes keymiss on read misses only', async () => {
    configure('KEm');
    expect(await eventsOf([['GET', 'nokey'], ['SET', 'k', 'v'], ['GET', 'k'], ['HGET', 'nohash', 'f'], ['DEL', 'nokey']])).toEqual([
      '__keyspace@0__:nokey keymiss', '__keyevent@0__:keymiss nokey',
      '__keyspace@0__:nohash keymiss', '__keyevent@0__:keymiss nohash',
    ]);
  });

  it('notifications of a transaction are published as its commands run', async () => {
    configure('E$');
    expect(await eventsOf([['MULTI'], ['SET', 'a', '1'], ['SET', 'b', '2'], ['EXEC']])).toEqual(
      ['__keyevent@0__:set a', '__keyevent@0__:set b']);
  });
});
