import { Redis } from 'ioredis';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EventCollector } from '../helpers/events.js';
import { PropagationLog } from '../helpers/propagation.js';
import { withServer } from '../helpers/server.js';

describe('keyspace commands', () => {
  const server = withServer({ 'notify-keyspace-events': 'KEA' });
  let log: PropagationLog;

  beforeAll(() => {
    log = new PropagationLog(server.running);
  });

  beforeEach(async () => {
    await server.r2.flushall();
    log.clear();
  });

  it('DEL, UNLINK, EXISTS and TOUCH count keys, repeated keys included', async () => {
    await server.r2.mset('a', '1', 'b', '2', 'c', '3');
    expect(await server.r2.exists('a', 'a', 'nope', 'b')).toBe(3);
    expect(await server.r2.touch('a', 'nope', 'c')).toBe(2);
    expect(await server.r2.del('a', 'a', 'nope')).toBe(1);
    expect(await server.r2.unlink('b', 'c', 'b')).toBe(2);
    expect(await server.r2.dbsize()).toBe(0);
    expect(await server.raw.call('DEL')).toBe("-ERR wrong number of arguments for 'del' command\r\n");
  });

  it('TYPE names every stored type and "none"', async () => {
    await server.r2.set('s', 'v');
    await server.r2.hset('h', 'f', 'v');
    expect(await server.r2.type('s')).toBe('string');
    expect(await server.r2.type('h')).toBe('hash');
    expect(await server.r2.type('missing')).toBe('none');
    expect(await server.raw.call('TYPE', 's')).toBe('+string\r\n');
  });

  it('KEYS filters by pattern and hides expired keys', async () => {
    await server.r2.mset('user:1', 'a', 'user:2', 'b', 'item:1', 'c', 'x', 'd');
    await server.r2.set('user:3', 'gone', 'PX', 1);
    await new Promise((r) => setTimeout(r, 5));
    expect((await server.r2.keys('user:*')).sort()).toEqual(['user:1', 'user:2']);
    expect((await server.r2.keys('*')).sort()).toEqual(['item:1', 'user:1', 'user:2', 'x']);
    expect(await server.r2.keys('x')).toEqual(['x']);
    expect(await server.r2.keys('y')).toEqual([]);
    expect(await server.r2.keys('?ser:[12]')).toHaveLength(2);
  });

  it('SCAN returns everything, validates cursors and options', async () => {
    const pipeline = server.r2.pipeline();
    for (let i = 0; i < 500; i++) pipeline.set(`k:${i}`, 'v');
    await pipeline.exec();
    await server.r2.hset('hash:1', 'f', 'v');
    const seen = new Set<string>();
    let cursor = '0';
    do {
      const [next, batch] = await server.r2.scan(cursor, 'COUNT', 37);
      for (const k of batch) seen.add(k);
      cursor = next;
    } while (cursor !== '0');
    expect(seen.size).toBe(501);

    const [end, small] = await server.r2.scan('0', 'MATCH', 'k:1?', 'COUNT', 1000);
    expect(end).toBe('0');
    expect(small.sort()).toEqual(['k:10', 'k:11', 'k:12', 'k:13', 'k:14', 'k:15', 'k:16', 'k:17', 'k:18', 'k:19']);
    expect(await server.r2.scan('0', 'COUNT', 1000, 'TYPE', 'HASH')).toEqual(['0', ['hash:1']]);
    expect(await server.r2.scan('0', 'COUNT', 1000, 'TYPE', 'list')).toEqual(['0', []]);

    expect(await server.raw.call('SCAN', 'abc')).toBe('-ERR invalid cursor\r\n');
    expect(await server.raw.call('SCAN', ' 1')).toBe('-ERR invalid cursor\r\n');
    expect(await server.raw.call('SCAN', '18446744073709551616')).toBe('-ERR invalid cursor\r\n');
    expect(await server.raw.call('SCAN', '0', 'COUNT', '0')).toBe('-ERR syntax error\r\n');
    expect(await server.raw.call('SCAN', '0', 'COUNT', 'x')).toBe('-ERR value is not an integer or out of range\r\n');
    expect(await server.raw.call('SCAN', '0', 'MATCH')).toBe('-ERR syntax error\r\n');
    expect(await server.raw.call('SCAN', '0', 'BOGUS', '1')).toBe('-ERR syntax error\r\n');
    // Valid for strtoul: an unknown cursor restarts the walk instead of failing.
    expect((await server.raw.call('SCAN', '-1', 'COUNT', '5')).startsWith('*2\r\n')).toBe(true);
    expect((await server.raw.call('SCAN', '', 'COUNT', '5')).startsWith('*2\r\n')).toBe(true);
  });

  it('SCAN returns every key present throughout while keys are added and deleted', async () => {
    const stable: string[] = [];
    const pipeline = server.r2.pipeline();
    for (let i = 0; i < 2000; i++) {
      const key = i % 2 === 0 ? `stable:${i}` : `churn:${i}`;
      if (i % 2 === 0) stable.push(key);
      pipeline.set(key, 'v');
    }
    await pipeline.exec();
    const seen = new Set<string>();
    let cursor = '0';
    let round = 0;
    do {
      const [next, batch] = await server.r2.scan(cursor, 'COUNT', 25);
      for (const k of batch) seen.add(k);
      cursor = next;
      // Concurrent writers: delete churn keys, add new ones, rewrite stable ones.
      const writes = server.r3.pipeline();
      for (let j = 0; j < 20; j++) {
        writes.del(`churn:${(round * 40 + j * 2 + 1) % 2000}`);
        writes.set(`new:${round}:${j}`, 'v');
      }
      writes.set(stable[round % stable.length], 'rewritten');
      await writes.exec();
      round++;
    } while (cursor !== '0');
    const missing = stable.filter((k) => !seen.has(k));
    expect(missing).toEqual([]);
    expect(round).toBeGreaterThan(10);
  });

  it('SCAN deletes the expired keys it meets', async () => {
    server.running.server.keyspace.activeExpireEnabled = false;
    try {
      await server.r2.set('live', 'v');
      await server.r2.set('dead', 'v', 'PX', 1);
      await new Promise((r) => setTimeout(r, 5));
      expect(await server.r2.dbsize()).toBe(2);
      expect(await server.r2.scan('0', 'COUNT', 100)).toEqual(['0', ['live']]);
      expect(await server.r2.dbsize()).toBe(1);
    } finally {
      server.running.server.keyspace.activeExpireEnabled = true;
    }
  });

  it('RANDOMKEY returns keys of the db, or null when empty', async () => {
    expect(await server.r2.randomkey()).toBeNull();
    expect(await server.raw.call('RANDOMKEY')).toBe('$-1\r\n');
    await server.r2.mset('a', '1', 'b', '2');
    const seen = new Set<string>();
    for (let i = 0; i < 200 && seen.size < 2; i++) seen.add((await server.r2.randomkey()) ?? '');
    expect([...seen].sort()).toEqual(['a', 'b']);
  });

  it('RENAME and RENAMENX move value and TTL, with Redis errors', async () => {
    await server.r2.set('src', 'v', 'EX', 100);
    await server.r2.set('dst', 'old');
    expect(await server.r2.rename('src', 'dst')).toBe('OK');
    expect(await server.r2.get('dst')).toBe('v');
    expect(await server.r2.ttl('dst')).toBeGreaterThan(90);
    expect(await server.r2.exists('src')).toBe(0);
    await server.r2.set('plain', 'p');
    await server.r2.set('volatile', 'x', 'EX', 100);
    await server.r2.rename('plain', 'volatile');
    expect(await server.r2.ttl('volatile')).toBe(-1);
    expect(await server.raw.call('RENAME', 'nope', 'x')).toBe('-ERR no such key\r\n');
    expect(await server.raw.call('RENAMENX', 'nope', 'x')).toBe('-ERR no such key\r\n');
    expect(await server.raw.call('RENAME', 'dst', 'dst')).toBe('+OK\r\n');
    expect(await server.raw.call('RENAMENX', 'dst', 'dst')).toBe(':0\r\n');
    await server.r2.set('other', 'o');
    expect(await server.r2.renamenx('dst', 'other')).toBe(0);
    expect(await server.r2.renamenx('dst', 'fresh')).toBe(1);
    expect(await server.r2.get('fresh')).toBe('v');
  });

  it('COPY duplicates independently, across dbs, with REPLACE and TTL', async () => {
    await server.r2.hset('h', 'f1', 'v1');
    expect(await server.r2.copy('h', 'h2')).toBe(1);
    await server.r2.hset('h', 'f2', 'v2');
    expect(await server.r2.hgetall('h2')).toEqual({ f1: 'v1' });
    await server.r2.set('s', 'val', 'EX', 100);
    expect(await server.r2.copy('s', 'h2')).toBe(0);
    expect(await server.r2.copy('s', 'h2', 'REPLACE')).toBe(1);
    expect(await server.r2.get('h2')).toBe('val');
    expect(await server.r2.ttl('h2')).toBeGreaterThan(90);
    expect(await server.r2.copy('s', 's', 'DB', 3)).toBe(1);
    expect(await server.r2.copy('missing', 'x')).toBe(0);
    const other = new Redis({ port: server.running.port, db: 3, lazyConnect: true, enableReadyCheck: false });
    await other.connect();
    expect(await other.get('s')).toBe('val');
    other.disconnect();
    expect(await server.raw.call('COPY', 's', 's')).toBe('-ERR source and destination objects are the same\r\n');
    expect(await server.raw.call('COPY', 's', 'x', 'DB', '99')).toBe('-ERR DB index is out of range\r\n');
    expect(await server.raw.call('COPY', 's', 'x', 'DB', 'x')).toBe('-ERR value is not an integer or out of range\r\n');
    expect(await server.raw.call('COPY', 's', 'x', 'DB')).toBe('-ERR syntax error\r\n');
    expect(await server.raw.call('COPY', 's', 'x', 'FOO')).toBe('-ERR syntax error\r\n');
  });

  it('MOVE transfers a key and its TTL to another db', async () => {
    await server.r2.set('k', 'v', 'EX', 100);
    expect(await server.r2.move('k', 1)).toBe(1);
    expect(await server.r2.exists('k')).toBe(0);
    expect(await server.r2.move('k', 1)).toBe(0);
    await server.r2.select(1);
    expect(await server.r2.ttl('k')).toBeGreaterThan(90);
    await server.r2.set('k2', 'in1');
    await server.r2.select(0);
    await server.r2.set('k2', 'in0');
    expect(await server.r2.move('k2', 1)).toBe(0);
    expect(await server.raw.call('MOVE', 'k2', '0')).toBe('-ERR source and destination objects are the same\r\n');
    expect(await server.raw.call('MOVE', 'k2', '16')).toBe('-ERR DB index is out of range\r\n');
    expect(await server.raw.call('MOVE', 'k2', '4294967296')).toBe('-ERR value is out of range, value must between -2147483648 and 2147483647\r\n');
    expect(await server.raw.call('MOVE', 'k2', 'x')).toBe('-ERR value is not an integer or out of range\r\n');
  });

  it('SWAPDB exchanges contents; clients stay on their db index', async () => {
    await server.r2.set('zero', '0');
    const other = new Redis({ port: server.running.port, db: 1, lazyConnect: true, enableReadyCheck: false });
    await other.connect();
    await other.set('one', '1');
    expect(await server.r2.swapdb(0, 1)).toBe('OK');
    expect(await server.r2.get('one')).toBe('1');
    expect(await other.get('zero')).toBe('0');
    other.disconnect();
    expect(await server.raw.call('SWAPDB', 'a', '1')).toBe('-ERR invalid first DB index\r\n');
    expect(await server.raw.call('SWAPDB', '0', 'b')).toBe('-ERR invalid second DB index\r\n');
    expect(await server.raw.call('SWAPDB', '0', '16')).toBe('-ERR DB index is out of range\r\n');
    expect(await server.raw.call('SWAPDB', '3', '3')).toBe('+OK\r\n');
  });

  it('FLUSHDB and FLUSHALL accept SYNC/ASYNC and are always propagated', async () => {
    await server.r2.set('a', '1');
    expect(await server.raw.call('FLUSHDB', 'ASYNC')).toBe('+OK\r\n');
    expect(await server.r2.dbsize()).toBe(0);
    expect(await server.raw.call('FLUSHDB', 'LATER')).toBe('-ERR syntax error\r\n');
    expect(await server.raw.call('FLUSHALL', 'SYNC', 'x')).toBe('-ERR syntax error\r\n');
    log.clear();
    expect(await server.raw.call('FLUSHALL')).toBe('+OK\r\n');
    expect(log.commands).toContainEqual(['FLUSHALL']);
  });

  it('WATCH sees DEL, RENAME, MOVE, FLUSHDB and SWAPDB', async () => {
    const doomed = async (setup: () => Promise<unknown>): Promise<unknown> => {
      const watcher = new Redis({ port: server.running.port, lazyConnect: true, enableReadyCheck: false });
      await watcher.connect();
      await watcher.watch('w');
      await setup();
      const result = await watcher.multi().set('after', '1').exec();
      watcher.disconnect();
      return result;
    };
    await server.r2.set('w', '1');
    expect(await doomed(() => server.r2.del('w'))).toBeNull();
    await server.r2.set('x', '1');
    expect(await doomed(() => server.r2.rename('x', 'w'))).toBeNull();
    expect(await doomed(() => server.r2.move('w', 2))).toBeNull();
    await server.r2.set('w', '1');
    expect(await doomed(() => server.r2.flushdb())).toBeNull();
    await server.r2.select(1);
    await server.r2.set('w', 'from db1');
    await server.r2.select(0);
    expect(await doomed(() => server.r2.swapdb(0, 1))).toBeNull();
    expect(await doomed(() => server.r2.del('unrelated'))).toEqual([[null, 'OK']]);
  });

  it('publishes keyspace events with Redis names', async () => {
    const sub = await EventCollector.start(server.port, { pattern: '__key*__:*', fullChannel: true });
    try {
      await server.r2.set('a', '1');
      expect(await sub.take(2)).toEqual(['__keyspace@0__:a set', '__keyevent@0__:set a']);
      await server.r2.rename('a', 'b');
      expect(await sub.take(4)).toEqual([
        '__keyspace@0__:a rename_from', '__keyevent@0__:rename_from a',
        '__keyspace@0__:b rename_to', '__keyevent@0__:rename_to b',
      ]);
      await server.r2.move('b', 1);
      expect(await sub.take(4)).toEqual([
        '__keyspace@0__:b move_from', '__keyevent@0__:move_from b',
        '__keyspace@1__:b move_to', '__keyevent@1__:move_to b',
      ]);
      await server.r2.set('c', '1');
      await sub.take(2);
      await server.r2.copy('c', 'd');
      expect(await sub.take(2)).toEqual(['__keyspace@0__:d copy_to', '__keyevent@0__:copy_to d']);
      await server.r2.del('c', 'nope');
      expect(await sub.take(2)).toEqual(['__keyspace@0__:c del', '__keyevent@0__:del c']);
    } finally {
      sub.close();
    }
  });

  it('OBJECT reports encoding, refcount, idle time, and refuses FREQ', async () => {
    await server.r2.set('int', '123');
    await server.r2.set('bigint', '123456');
    await server.r2.set('str', 'hello');
    await server.r2.set('long', 'x'.repeat(50));
    await server.r2.hset('h', 'f', 'v');
    expect(await server.r2.object('ENCODING', 'int')).toBe('int');
    expect(await server.r2.object('ENCODING', 'str')).toBe('embstr');
    expect(await server.r2.object('ENCODING', 'long')).toBe('raw');
    expect(await server.r2.object('ENCODING', 'h')).toBe('listpack');
    expect(await server.r2.object('ENCODING', 'missing')).toBeNull();
    expect(await server.r2.object('REFCOUNT', 'int')).toBe(2147483647);
    expect(await server.r2.object('REFCOUNT', 'bigint')).toBe(1);
    expect(await server.r2.object('REFCOUNT', 'str')).toBe(1);
    // The access clock counts whole seconds: a second boundary may fall between SET and OBJECT.
    expect(await server.r2.object('IDLETIME', 'str')).toBeLessThanOrEqual(1);
    expect(await server.raw.call('OBJECT', 'FREQ', 'str')).toBe('-ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.\r\n');
    expect(await server.raw.call('OBJECT', 'FREQ', 'missing')).toBe('$-1\r\n');
    expect(await server.raw.call('OBJECT', 'ENCODING')).toBe("-ERR wrong number of arguments for 'object|encoding' command\r\n");
    expect(await server.raw.call('OBJECT', 'NOPE', 'x')).toBe("-ERR unknown subcommand 'NOPE'. Try OBJECT HELP.\r\n");
    const help = (await server.r3.object('HELP')) as string[];
    expect(help[0]).toBe('OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:');
    expect(help.at(-1)).toBe('    Prints this help.');
    expect(help).toHaveLength(11);
  });

  it('OBJECT IDLETIME grows without access and TOUCH resets it; TYPE/EXISTS/TTL do not', async () => {
    await server.r2.set('k', 'v');
    const db = server.running.server.keyspace.dbs[0];
    // Age the key by rewriting the clock instead of sleeping for seconds.
    db.backdateAccess('k', 10);
    await server.r2.type('k');
    await server.r2.exists('k');
    await server.r2.ttl('k');
    expect(await server.r2.object('IDLETIME', 'k')).toBeGreaterThanOrEqual(10);
    await server.r2.touch('k');
    expect(await server.r2.object('IDLETIME', 'k')).toBe(0);
  });

  it('counts keyspace hits and misses for EXISTS and TYPE', async () => {
    const stats = server.running.server.keyspace.stats;
    await server.r2.set('k', 'v');
    const hits = stats.keyspaceHits;
    const misses = stats.keyspaceMisses;
    await server.r2.exists('k', 'nope');
    await server.r2.type('k');
    expect(stats.keyspaceHits - hits).toBe(2);
    expect(stats.keyspaceMisses - misses).toBe(1);
  });
});
