import { afterEach, describe, expect, it, vi } from 'vitest';
import { ZSetValue } from '../../src/store/types/zset.js';
import { PropagationLog } from '../helpers/propagation.js';
import { prng } from '../helpers/random.js';
import { withServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

function bulk(text: string): string {
  return `$${text.length}\r\n${text}\r\n`;
}

describe('sorted-set commands', () => {
  // Small listpack limits so conversions happen with a handful of members.
  const server = withServer({ 'zset-max-listpack-entries': 4, 'zset-max-listpack-value': 8 });
  const blocked = (): number => server.running.server.blocking.blockedCount;
  const waitBlocked = (n: number): Promise<void> => waitFor(() => blocked() === n, 5000, `${n} blocked clients`);

  afterEach(async () => {
    vi.restoreAllMocks();
    await waitBlocked(0);
  });

  function stored(key: string): ZSetValue {
    const value = server.db().peek(key);
    if (!(value instanceof ZSetValue)) throw new Error(`${key} holds no sorted set`);
    return value;
  }

  it('adds, scores, ranks and ranges through ioredis in RESP2 and RESP3', async () => {
    expect(await server.r2.zadd('basic', 1, 'a', 2, 'b', 3, 'c')).toBe(3);
    expect(await server.r2.zscore('basic', 'b')).toBe('2');
    expect(await server.r3.zscore('basic', 'b')).toBe('2');
    expect(await server.r2.zrank('basic', 'c')).toBe(2);
    expect(await server.r2.zrevrank('basic', 'c')).toBe(0);
    expect(await server.r2.zrange('basic', '0', '-1', 'WITHSCORES')).toEqual(['a', '1', 'b', '2', 'c', '3']);
    expect(await server.r2.zincrby('basic', '0.5', 'a')).toBe('1.5');
    expect(await server.r2.zrangebyscore('basic', '(1.5', '+inf')).toEqual(['b', 'c']);
    expect(await server.r2.zcard('basic')).toBe(3);
    expect(await server.r2.zpopmin('basic')).toEqual(['a', '1.5']);
  });

  it('replies scores as RESP3 doubles and nests pairs only where Redis does', async () => {
    const c = await server.connect(3);
    await c.call('ZADD', 'wire', '1.5', 'a', 'inf', 'b');
    expect(await c.call('ZSCORE', 'wire', 'a')).toBe(',1.5\r\n');
    expect(await c.call('ZSCORE', 'wire', 'b')).toBe(',inf\r\n');
    expect(await c.call('ZRANGE', 'wire', '0', '0', 'WITHSCORES')).toBe(`*1\r\n*2\r\n${bulk('a')},1.5\r\n`);
    expect(await c.call('ZPOPMIN', 'wire')).toBe(`*2\r\n${bulk('a')},1.5\r\n`);
    expect(await c.call('ZPOPMAX', 'wire', '1')).toBe(`*1\r\n*2\r\n${bulk('b')},inf\r\n`);
    const r2 = await server.connect(2);
    await r2.call('ZADD', 'wire2', '0.1', 'x');
    expect(await r2.call('ZSCORE', 'wire2', 'x')).toBe(bulk('0.10000000000000001'));
  });

  it('converts to skiplist past the entry or value limits, and set operations choose by result size', async () => {
    await server.r2.zadd('enc', 1, 'a', 2, 'b', 3, 'c', 4, 'd');
    expect(stored('enc').encoding()).toBe('listpack');
    await server.r2.zadd('enc', 5, 'e');
    expect(stored('enc').encoding()).toBe('skiplist');
    await server.r2.zrem('enc', 'a', 'b', 'c', 'd');
    expect(stored('enc').encoding()).toBe('skiplist');
    await server.r2.zadd('encv', 1, 'longmember');
    expect(stored('encv').encoding()).toBe('skiplist');
    await server.r2.zadd('encs', 1, 'a', 2, 'b', 3, 'c', 4, 'd', 5, 'e');
    await server.r2.zunionstore('encu', 1, 'enc');
    expect(stored('encu').encoding()).toBe('listpack');
    await server.r2.zrangestore('encr', 'encs', 0, 3);
    expect(stored('encr').encoding()).toBe('listpack');
    await server.r2.zrangestore('encr', 'encs', 0, 4);
    expect(stored('encr').encoding()).toBe('skiplist');
    await server.r2.zrangestore('encr', 'encs', 0, 10, 'BYSCORE');
    expect(stored('encr').encoding()).toBe('skiplist');
  });

  it('raises Redis keyspace events in order', async () => {
    const events: string[] = [];
    vi.spyOn(server.running.server.events, 'notify').mockImplementation((_cls, event, key) => {
      events.push(`${event}:${key}`);
    });
    await server.r2.zadd('ev', 1, 'a', 2, 'b');
    await server.r2.zadd('ev', 1, 'a');
    await server.r2.zincrby('ev', 1, 'a');
    await server.r2.zrem('ev', 'zz');
    await server.r2.zrem('ev', 'a');
    await server.r2.zpopmin('ev');
    await server.r2.zadd('ev2', 1, 'x');
    await server.r2.zunionstore('ev3', 1, 'ev2');
    await server.r2.zremrangebyscore('ev2', '-inf', '+inf');
    expect(events).toEqual([
      'new:ev', 'zadd:ev', 'zincr:ev', 'zrem:ev', 'zpopmin:ev', 'del:ev', 'new:ev2', 'zadd:ev2', 'new:ev3', 'zunionstore:ev3',
      'zremrangebyscore:ev2', 'del:ev2',
    ]);
  });

  it('propagates pops and GEOADD as Redis 7.0 does', async () => {
    const log = new PropagationLog(server.running);
    await server.r2.zadd('pr', 1, 'a', 2, 'b', 3, 'c');
    await server.r2.call('ZMPOP', '2', 'none', 'pr', 'MAX', 'COUNT', '10');
    await server.r2.zadd('pr', 1, 'a');
    await server.r2.call('BZPOPMIN', 'pr', '0');
    await server.r2.zadd('pr', 1, 'a', 2, 'b');
    await server.r2.call('BZMPOP', '0', '1', 'pr', 'MIN', 'COUNT', '5');
    await server.r2.call('GEOADD', 'geo', 'CH', '13.361389', '38.115556', 'Palermo');
    await server.r2.zadd('pr', 'XX', 1, 'missing');
    expect(log.lines()).toEqual([
      'zadd pr 1 a 2 b 3 c', 'ZPOPMAX pr 3', 'zadd pr 1 a', 'ZPOPMIN pr', 'zadd pr 1 a 2 b', 'ZPOPMIN pr 2',
      'zadd geo CH 3479099956230698 Palermo',
    ]);
  });

  it('BZPOPMIN blocks until a ZADD serves it and propagates the served pop as ZPOPMIN', async () => {
    const log = new PropagationLog(server.running);
    const c = await server.connect();
    const other = await server.connect();
    c.send('BZPOPMIN', 'bz1', 'bz2', '0');
    await waitBlocked(1);
    await other.call('ZADD', 'bz2', '5', 'five', '1', 'one');
    expect(await c.readReply()).toBe(`*3\r\n${bulk('bz2')}${bulk('one')}${bulk('1')}`);
    expect(await other.call('ZCARD', 'bz2')).toBe(':1\r\n');
    expect(log.lines()).toEqual(['ZADD bz2 5 five 1 one', 'ZPOPMIN bz2']);
  });

  it('BZMPOP and BZPOPMAX time out with a null array and answer at once inside MULTI', async () => {
    const c = await server.connect(3);
    expect(await c.call('BZPOPMAX', 'none', '0.01')).toBe('_\r\n');
    expect(await c.call('BZMPOP', '0.01', '1', 'none', 'MIN')).toBe('_\r\n');
    expect(await c.call('MULTI')).toBe('+OK\r\n');
    expect(await c.call('BZPOPMIN', 'none', '0')).toBe('+QUEUED\r\n');
    expect(await c.call('EXEC')).toBe('*1\r\n_\r\n');
    const waiter = await server.connect(3);
    waiter.send('BZMPOP', '0', '2', 'm1', 'm2', 'MAX', 'COUNT', '2');
    await waitBlocked(1);
    await c.call('ZADD', 'm2', '1', 'a', '2', 'b', '3', 'c');
    expect(await waiter.readReply()).toBe(`*2\r\n${bulk('m2')}*2\r\n*2\r\n${bulk('c')},3\r\n*2\r\n${bulk('b')},2\r\n`);
    expect(await c.call('BZPOPMIN', 'm2', 'x')).toBe('-ERR timeout is not a float or out of range\r\n');
    expect(await c.call('BZMPOP', '0', '0', 'm2', 'MIN')).toBe('-ERR numkeys should be greater than 0\r\n');
  });

  it('rejects other types with WRONGTYPE and leaves them intact', async () => {
    await server.r2.set('str', 'v');
    await expect(server.r2.zadd('str', 1, 'a')).rejects.toThrow('WRONGTYPE');
    await expect(server.r2.zrange('str', '0', '-1')).rejects.toThrow('WRONGTYPE');
    await expect(server.r2.zunionstore('dst', 1, 'str')).rejects.toThrow('WRONGTYPE');
    await expect(server.r2.call('GEOADD', 'str', '1', '1', 'a')).rejects.toThrow('WRONGTYPE');
    expect(await server.r2.get('str')).toBe('v');
  });

  it('keeps ranks, ranges and counts right on a big set (checked against a sorted array)', async () => {
    const rand = prng(7);
    const entries: Array<[string, number]> = [];
    const args: (string | number)[] = [];
    for (let i = 0; i < 3000; i++) {
      const score = Math.floor(rand() * 500);
      entries.push([`m${i}`, score]);
      args.push(score, `m${i}`);
    }
    await server.r2.zadd('bigset', ...args);
    entries.sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    expect(stored('bigset').encoding()).toBe('skiplist');
    for (let r = 0; r < 3000; r += 211) {
      expect(await server.r2.zrank('bigset', entries[r][0])).toBe(r);
      expect(await server.r2.zrange('bigset', String(r), String(r + 2))).toEqual(entries.slice(r, r + 3).map((e) => e[0]));
    }
    const inRange = entries.filter((e) => e[1] > 100 && e[1] <= 200);
    expect(await server.r2.zcount('bigset', '(100', 200)).toBe(inRange.length);
    expect(await server.r2.zrangebyscore('bigset', '(100', 200, 'LIMIT', 5, 10)).toEqual(inRange.slice(5, 15).map((e) => e[0]));
    expect(await server.r2.zremrangebyrank('bigset', 10, 19)).toBe(10);
    expect(await server.r2.zrange('bigset', '9', '10')).toEqual([entries[9][0], entries[20][0]]);
    stored('bigset').verify();
  });

  it('ZSCAN walks a skiplist-encoded set completely with cursors', async () => {
    const args: (string | number)[] = [];
    for (let i = 0; i < 200; i++) args.push(i, `s${i}`);
    await server.r2.zadd('scan', ...args);
    const seen = new Map<string, string>();
    let cursor = '0';
    do {
      const [next, items] = await server.r2.zscan('scan', cursor, 'COUNT', 17);
      for (let i = 0; i < items.length; i += 2) seen.set(items[i], items[i + 1]);
      cursor = next;
    } while (cursor !== '0');
    expect(seen.size).toBe(200);
    expect(seen.get('s42')).toBe('42');
  });

  it('ZRANDMEMBER picks distinct members for a positive count and repeats for a negative one', async () => {
    const args: (string | number)[] = [];
    for (let i = 0; i < 50; i++) args.push(i, `r${i}`);
    await server.r2.zadd('rand', ...args);
    const distinct = (await server.r2.zrandmember('rand', 10)) as string[];
    expect(new Set(distinct).size).toBe(10);
    const repeated = (await server.r2.zrandmember('rand', -200)) as string[];
    expect(repeated.length).toBe(200);
    expect(repeated.every((m) => /^r\d+$/.test(m))).toBe(true);
    expect(((await server.r2.zrandmember('rand', 40)) as string[]).length).toBe(40);
  });
});
