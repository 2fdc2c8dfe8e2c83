import { afterEach, describe, expect, it, vi } from 'vitest';
import { SetValue } from '../../src/store/types/set.js';
import { PropagationLog } from '../helpers/propagation.js';
import { withServer } from '../helpers/server.js';

describe('set commands', () => {
  // A small intset limit so conversions happen with a handful of members.
  const server = withServer({ 'set-max-intset-entries': 8 });

  afterEach(() => {
    vi.restoreAllMocks();
  });

  /** The stored value of a key in db 0, without touching it. */
  function stored(key: string): SetValue {
    const value = server.db().peek(key);
    if (!(value instanceof SetValue)) throw new Error(`${key} holds no set`);
    return value;
  }

  function hasKey(key: string): boolean {
    return server.db().peek(key) !== undefined;
  }

  function sorted(values: string[]): string[] {
    return [...values].sort();
  }

  it('adds, checks, counts and lists members in RESP2 and RESP3', async () => {
    expect(await server.r2.sadd('basic', 'a', 'b', 'c', 'a')).toBe(3);
    expect(await server.r2.sadd('basic', 'c', 'd')).toBe(1);
    expect(await server.r2.scard('basic')).toBe(4);
    expect(await server.r2.scard('nokey')).toBe(0);
    expect(await server.r2.sismember('basic', 'a')).toBe(1);
    expect(await server.r2.sismember('basic', 'z')).toBe(0);
    expect(await server.r2.sismember('nokey', 'z')).toBe(0);
    expect(await server.r2.smismember('basic', 'a', 'z', 'd')).toEqual([1, 0, 1]);
    expect(await server.r2.smismember('nokey', 'a', 'b')).toEqual([0, 0]);
    expect(sorted(await server.r2.smembers('basic'))).toEqual(['a', 'b', 'c', 'd']);
    expect(sorted(await server.r3.smembers('basic'))).toEqual(['a', 'b', 'c', 'd']);
    expect(await server.r2.srem('basic', 'a', 'z', 'a')).toBe(1);
    expect(await server.r2.srem('nokey', 'a')).toBe(0);
    expect(await server.r2.srem('basic', 'b', 'c', 'd', 'e')).toBe(3);
    expect(hasKey('basic')).toBe(false);
  });

  it('replies sets as RESP3 sets and SRANDMEMBER as an array', async () => {
    await server.r2.sadd('wire', '3', '1', '2');
    expect(await server.raw.call('SMEMBERS', 'wire')).toBe('*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n');
    const c3 = await server.connect(3);
    expect(await c3.call('SMEMBERS', 'wire')).toBe('~3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n');
    expect(await c3.call('SMEMBERS', 'wire:none')).toBe('~0\r\n');
    expect(await c3.call('SUNION', 'wire', 'wire:none')).toBe('~3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n');
    expect(await c3.call('SRANDMEMBER', 'wire', '5')).toBe('*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n');
    expect(await c3.call('SRANDMEMBER', 'wire:none', '5')).toBe('*0\r\n');
    expect(await c3.call('SPOP', 'wire:none')).toBe('_\r\n');
    expect(await c3.call('SPOP', 'wire:none', '2')).toBe('~0\r\n');
    expect(await server.raw.call('SPOP', 'wire:none')).toBe('$-1\r\n');
  });

  it('keeps binary members intact', async () => {
    const member = Buffer.from([0, 255, 13, 10, 128]);
    await server.r2.sadd('bin', member);
    expect(await server.r2.smembersBuffer('bin')).toEqual([member]);
    expect(await server.r2.sismember('bin', member)).toBe(1);
  });

  it('uses intset while members are integers within the limit, and never goes back', async () => {
    await server.r2.sadd('enc', '1', '2', '-3');
    expect(stored('enc').encoding()).toBe('intset');
    await server.r2.sadd('enc', '70000', '9223372036854775807');
    expect(stored('enc').encoding()).toBe('intset');
    expect(await server.r2.smembers('enc')).toEqual(['-3', '1', '2', '70000', '9223372036854775807']);
    await server.r2.sadd('enc', 'x');
    expect(stored('enc').encoding()).toBe('hashtable');
    await server.r2.srem('enc', 'x');
    expect(stored('enc').encoding()).toBe('hashtable');

    // Not canonical int64 text: a hashtable from the start.
    for (const member of ['01', '-0', '+1', '9223372036854775808', '1.0', ' 1']) {
      await server.r2.sadd(`nonint:${member}`, member);
      expect(stored(`nonint:${member}`).encoding(), member).toBe('hashtable');
    }
    // Past set-max-intset-entries (8 here).
    await server.r2.sadd('many', '1', '2', '3', '4', '5', '6', '7', '8');
    expect(stored('many').encoding()).toBe('intset');
    await server.r2.sadd('many', '9');
    expect(stored('many').encoding()).toBe('hashtable');
    // The first member decides the created encoding (setTypeCreate), later ones convert.
    await server.r2.sadd('mixed', 'a', '1');
    expect(stored('mixed').encoding()).toBe('hashtable');
    expect(await server.r2.object('ENCODING', 'enc')).toBe('hashtable');
  });

  it('follows CONFIG changes of set-max-intset-entries for later writes', async () => {
    await server.r2.config('SET', 'set-max-intset-entries', '2');
    try {
      await server.r2.sadd('cfg', '1', '2');
      expect(stored('cfg').encoding()).toBe('intset');
      await server.r2.sadd('cfg', '3');
      expect(stored('cfg').encoding()).toBe('hashtable');
    } finally {
      await server.r2.config('SET', 'set-max-intset-entries', '8');
    }
  });

  it('refuses wrong types and bad arguments, leaving data intact', async () => {
    await server.r2.set('str', 'v');
    await server.r2.sadd('ok', 'a');
    for (const call of [
      () => server.r2.sadd('str', 'a'), () => server.r2.srem('str', 'a'), () => server.r2.smembers('str'),
      () => server.r2.sismember('str', 'a'), () => server.r2.scard('str'), () => server.r2.spop('str'),
      () => server.r2.srandmember('str'), () => server.r2.sinter('ok', 'str'), () => server.r2.sunion('str'),
      () => server.r2.sdiff('ok', 'str'), () => server.r2.smove('str', 'ok', 'a'), () => server.r2.smove('ok', 'str', 'a'),
      () => server.r2.sscan('str', '0'),
    ]) {
      await expect(call()).rejects.toThrow(/^WRONGTYPE/);
    }
    expect(await server.r2.get('str')).toBe('v');
    expect(await server.r2.smembers('ok')).toEqual(['a']);
    expect(await server.raw.call('SPOP', 'ok', '-1')).toBe('-ERR value is out of range, must be positive\r\n');
    expect(await server.raw.call('SPOP', 'ok', 'x')).toBe('-ERR value is out of range, must be positive\r\n');
    expect(await server.raw.call('SPOP', 'ok', '1', '2')).toBe('-ERR syntax error\r\n');
    expect(await server.raw.call('SRANDMEMBER', 'ok', 'x')).toBe('-ERR value is not an integer or out of range\r\n');
    expect(await server.raw.call('SRANDMEMBER', 'ok', '-9223372036854775808'))
      .toBe('-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807\r\n');
    expect(await server.raw.call('SINTERCARD', '0', 'ok')).toBe('-ERR numkeys should be greater than 0\r\n');
    expect(await server.raw.call('SINTERCARD', '2', 'ok')).toBe("-ERR Number of keys can't be greater than number of args\r\n");
    expect(await server.raw.call('SINTERCARD', '1', 'ok', 'LIMIT', '-1')).toBe("-ERR LIMIT can't be negative\r\n");
    expect(await server.raw.call('SINTERCARD', '1', 'ok', 'LIMIT')).toBe('-ERR syntax error\r\n');
    expect(await server.r2.smembers('ok')).toEqual(['a']);
  });

  it('moves members between sets with SMOVE', async () => {
    await server.r2.sadd('src', 'a', 'b');
    await server.r2.sadd('dst', '1');
    expect(await server.r2.smove('src', 'dst', 'a')).toBe(1);
    expect(stored('dst').encoding()).toBe('hashtable');
    expect(await server.r2.smove('src', 'dst', 'zz')).toBe(0);
    expect(await server.r2.smove('nokey', 'dst', 'a')).toBe(0);
    expect(await server.r2.smove('src', 'src', 'b')).toBe(1);
    expect(await server.r2.smove('src', 'src', 'zz')).toBe(0);
    expect(await server.r2.smove('src', 'fresh', 'b')).toBe(1);
    expect(hasKey('src')).toBe(false);
    expect(await server.r2.smembers('fresh')).toEqual(['b']);
    // The destination is created for the moved member's kind.
    await server.r2.sadd('ints', '5', '6');
    await server.r2.smove('ints', 'fresh2', '5');
    expect(stored('fresh2').encoding()).toBe('intset');
  });

  it('SPOP removes members and propagates SREM, or DEL when the whole set goes', async () => {
    const log = new PropagationLog(server.running);
    await server.r2.sadd('pop', 'a', 'b', 'c');
    log.clear();
    const one = await server.r2.spop('pop');
    expect(['a', 'b', 'c']).toContain(one);
    expect(log.lines()).toEqual([`SREM pop ${one}`]);
    log.clear();
    const rest = await server.r2.spop('pop', 5);
    expect(sorted(rest).concat(one as string).sort()).toEqual(['a', 'b', 'c']);
    expect(log.lines()).toEqual(['DEL pop']);
    expect(hasKey('pop')).toBe(false);

    // Few members popped from many: one SREM each, wrapped as one unit.
    await server.r2.sadd('pop2', ...Array.from({ length: 20 }, (_, i) => `m${i}`));
    log.clear();
    const some = await server.r2.spop('pop2', 3);
    expect(new Set(some).size).toBe(3);
    expect(log.lines()).toEqual(['MULTI', ...some.map((m) => `SREM pop2 ${m}`), 'EXEC']);
    expect(await server.r2.scard('pop2')).toBe(17);
    // Most of the set popped (the remaining members are moved to a new set).
    log.clear();
    const most = await server.r2.spop('pop2', 16);
    expect(new Set(most).size).toBe(16);
    expect(log.lines()).toEqual(['MULTI', ...most.map((m) => `SREM pop2 ${m}`), 'EXEC']);
    const left = await server.r2.smembers('pop2');
    expect(left.length).toBe(1);
    expect(most).not.toContain(left[0]);
    log.clear();
    expect(await server.r2.spop('pop2', 0)).toEqual([]);
    expect(log.lines()).toEqual([]);
  });

  it('SPOP with a count may turn a hashtable of integers back into an intset (a new set)', async () => {
    await server.r2.sadd('back', ...Array.from({ length: 12 }, (_, i) => String(i)));
    expect(stored('back').encoding()).toBe('hashtable');
    await server.r2.spop('back', 10);
    expect(stored('back').encoding()).toBe('intset');
  });

  it('SRANDMEMBER returns distinct members for a positive count, repeats for a negative one', async () => {
    const members = Array.from({ length: 50 }, (_, i) => `m${i}`);
    await server.r2.sadd('rnd', ...members);
    for (const count of [1, 5, 20, 40, 49, 50, 60]) {
      const got = await server.r2.srandmember('rnd', count);
      expect(got.length).toBe(Math.min(count, 50));
      expect(new Set(got).size).toBe(got.length);
      for (const m of got) expect(members).toContain(m);
    }
    const repeated = await server.r2.srandmember('rnd', -500);
    expect(repeated.length).toBe(500);
    expect(new Set(repeated).size).toBeLessThan(51);
    expect(members).toContain(await server.r2.srandmember('rnd'));
    expect(await server.r2.srandmember('rnd', 0)).toEqual([]);
    expect(await server.r2.srandmember('nokey')).toBe(null);
    expect(await server.r2.scard('rnd')).toBe(50);
  });

  it('SRANDMEMBER picks are uniform (chi-square) for every strategy', async () => {
    await server.r2.sadd('uni', ...Array.from({ length: 10 }, (_, i) => `u${i}`));
    await server.r2.sadd('unint', ...Array.from({ length: 8 }, (_, i) => String(i)));
    for (const [key, size] of [['uni', 10], ['unint', 8]] as const) {
      for (const count of [-1000, 2, 7]) {
        const counts = new Map<string, number>();
        let total = 0;
        const rounds = count < 0 ? 1 : Math.ceil(1000 / count);
        for (let i = 0; i < rounds; i++) {
          for (const m of await server.r2.srandmember(key, count)) {
            counts.set(m, (counts.get(m) ?? 0) + 1);
            total++;
          }
        }
        let chi = 0;
        for (const c of counts.values()) chi += (c - total / size) ** 2 / (total / size);
        expect(counts.size).toBe(size);
        // Fewer than 1 in 100,000 fair runs go past 40 for 7-9 degrees of freedom.
        expect(chi, `${key} count ${count}`).toBeLessThan(40);
      }
    }
  });

  it('computes intersections, unions and differences, storing them with Redis encodings', async () => {
    await server.r2.sadd('s1', '1', '2', '3', '4', 'a');
    await server.r2.sadd('s2', '2', '3', '4', '5');
    await server.r2.sadd('s3', '3', '4', '6');
    expect(await server.r2.sinter('s1', 's2', 's3')).toEqual(['3', '4']);
    expect(await server.r2.sinter('s1', 'nokey')).toEqual([]);
    expect(await server.r2.sintercard(3, 's1', 's2', 's3')).toBe(2);
    expect(await server.raw.call('SINTERCARD', '2', 's1', 's2', 'LIMIT', '2')).toBe(':2\r\n');
    expect(await server.raw.call('SINTERCARD', '2', 's1', 's2', 'LIMIT', '0')).toBe(':3\r\n');
    expect(await server.r2.sinterstore('inter', 's1', 's2')).toBe(3);
    expect(stored('inter').encoding()).toBe('intset');
    expect(await server.r2.smembers('inter')).toEqual(['2', '3', '4']);
    expect(await server.r2.sunion('s2', 's3')).toEqual(['2', '3', '4', '5', '6']);
    expect(await server.r2.sunionstore('union', 's1', 's3')).toBe(6);
    expect(stored('union').encoding()).toBe('hashtable');
    expect(await server.r2.sdiff('s2', 's1', 's3')).toEqual(['5']);
    expect(await server.r2.sdiff('s2', 's2')).toEqual([]);
    expect(await server.r2.sdiff('nokey', 's2')).toEqual([]);
    expect(await server.r2.sdiffstore('diff', 's1', 's2')).toBe(2);
    expect(sorted(await server.r2.smembers('diff'))).toEqual(['1', 'a']);
    // An empty result deletes the destination.
    expect(await server.r2.sinterstore('diff', 's1', 'nokey')).toBe(0);
    expect(hasKey('diff')).toBe(false);
    await server.r2.set('dst', 'string');
    expect(await server.r2.sunionstore('dst', 's3')).toBe(3);
    expect(await server.r2.type('dst')).toBe('set');
    // STORE replaces the TTL along with the value.
    await server.r2.expire('dst', 100);
    await server.r2.sinterstore('dst', 's1', 's2');
    expect(await server.r2.ttl('dst')).toBe(-1);
  });

  it('SSCAN returns an intset whole and walks a hashtable with cursors', async () => {
    await server.r2.sadd('scan:int', '3', '1', '2');
    expect(await server.r2.sscan('scan:int', '0')).toEqual(['0', ['1', '2', '3']]);
    expect(await server.r2.sscan('scan:int', '77', 'MATCH', '[12]')).toEqual(['0', ['1', '2']]);
    const members = Array.from({ length: 100 }, (_, i) => `k${i}`);
    await server.r2.sadd('scan:ht', ...members);
    const seen = new Set<string>();
    let cursor = '0';
    let calls = 0;
    do {
      const [next, batch] = await server.r2.sscan('scan:ht', cursor, 'COUNT', 7);
      for (const m of batch) seen.add(m);
      cursor = next;
      calls++;
    } while (cursor !== '0');
    expect(calls).toBeGreaterThan(5);
    expect(seen).toEqual(new Set(members));
    const [, matched] = await server.r2.sscan('scan:ht', '0', 'MATCH', 'k1?', 'COUNT', 1000);
    expect(sorted(matched)).toEqual(Array.from({ length: 10 }, (_, i) => `k1${i}`));
    expect(await server.raw.call('SSCAN', 'scan:ht', '0', 'TYPE', 'set')).toBe('-ERR syntax error\r\n');
    expect(await server.raw.call('SSCAN', 'scan:ht', 'x')).toBe('-ERR invalid cursor\r\n');
    expect(await server.raw.call('SSCAN', 'nokey', '0')).toBe('*2\r\n$1\r\n0\r\n*0\r\n');
  });

  it('raises Redis keyspace events in order', async () => {
    const events: string[] = [];
    vi.spyOn(server.running.server.events, 'notify').mockImplementation((_cls, event, key) => {
      events.push(`${event}:${key}`);
    });
    await server.r2.sadd('ev', 'a', 'b');
    await server.r2.sadd('ev', 'a');
    await server.r2.srem('ev', 'zz');
    await server.r2.srem('ev', 'a');
    await server.r2.smove('ev', 'ev2', 'b');
    await server.r2.sadd('ev3', '1', '2', '3');
    await server.r2.spop('ev3');
    await server.r2.spop('ev3', 5);
    await server.r2.sadd('ev4', 'x');
    await server.r2.sunionstore('ev5', 'ev4');
    await server.r2.sinterstore('ev5', 'ev4', 'nokey');
    await server.r2.sdiffstore('ev6', 'ev4');
    expect(events).toEqual([
      'new:ev', 'sadd:ev', 'srem:ev', 'srem:ev', 'del:ev', 'new:ev2', 'sadd:ev2',
      'new:ev3', 'sadd:ev3', 'spop:ev3', 'spop:ev3', 'del:ev3',
      'new:ev4', 'sadd:ev4', 'new:ev5', 'sunionstore:ev5', 'keymiss:nokey', 'del:ev5', 'new:ev6', 'sdiffstore:ev6',
    ]);
  });

  it('SMOVE propagates as itself and COPY keeps the encoding', async () => {
    const log = new PropagationLog(server.running);
    await server.r2.sadd('mv', 'a');
    await server.r2.smove('mv', 'mv2', 'a');
    expect(log.lines()).toEqual(['sadd mv a', 'smove mv mv2 a']);
    await server.r2.sadd('cp', '1', '2');
    await server.r2.copy('cp', 'cp2');
    expect(stored('cp2').encoding()).toBe('intset');
    await server.r2.sadd('cp2', '3');
    expect(await server.r2.smembers('cp')).toEqual(['1', '2']);
  });
});
