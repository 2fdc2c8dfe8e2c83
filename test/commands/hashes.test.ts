import { afterEach, describe, expect, it, vi } from 'vitest';
import { HashValue } from '../../src/store/types/hash.js';
import { encodingName } from '../../src/store/values.js';
import { withServer } from '../helpers/server.js';
import { PROPAGATE_REPL } from '../../src/engine/propagation.js';

describe('hash commands', () => {
  // Small listpack limits so conversions happen with a handful of fields.
  const server = withServer({ 'hash-max-listpack-entries': 4, 'hash-max-listpack-value': 8 });

  afterEach(() => {
    vi.restoreAllMocks();
  });

  /** The stored value of a key in db 0, without touching it. */
  function stored(key: string): HashValue {
    const value = server.db().peek(key);
    if (!(value instanceof HashValue)) throw new Error(`${key} holds no hash`);
    return value;
  }

  function hasKey(key: string): boolean {
    return server.db().peek(key) !== undefined;
  }

  it('stores, reads and counts fields in RESP2 and RESP3', async () => {
    expect(await server.r2.hset('basic', 'a', '1', 'b', '2')).toBe(2);
    expect(await server.r2.hset('basic', 'a', 'x', 'c', '3')).toBe(1);
    expect(await server.r2.hmset('basic', 'd', '4')).toBe('OK');
    expect(await server.r2.hget('basic', 'a')).toBe('x');
    expect(await server.r2.hmget('basic', 'a', 'zz', 'c')).toEqual(['x', null, '3']);
    expect(await server.r3.hmget('nokey', 'a', 'b')).toEqual([null, null]);
    expect(await server.r2.hlen('basic')).toBe(4);
    expect(await server.r2.hstrlen('basic', 'd')).toBe(1);
    expect(await server.r2.hexists('basic', 'zz')).toBe(0);
    expect(await server.r2.hkeys('basic')).toEqual(['a', 'b', 'c', 'd']);
    expect(await server.r2.hvals('basic')).toEqual(['x', '2', '3', '4']);
    expect(await server.r2.hgetall('basic')).toEqual({ a: 'x', b: '2', c: '3', d: '4' });
    expect(await server.r3.hgetall('basic')).toEqual({ a: 'x', b: '2', c: '3', d: '4' });
    expect(await server.r2.hsetnx('basic', 'a', 'no')).toBe(0);
    expect(await server.r2.hsetnx('basic', 'e', 'yes')).toBe(1);
    expect(await server.r2.hget('basic', 'e')).toBe('yes');
  });

  it('replies HGETALL as a RESP3 map and a flat RESP2 array', async () => {
    await server.r2.hset('wire', 'f', 'v');
    expect(await server.raw.call('HGETALL', 'wire')).toBe('*2\r\n$1\r\nf\r\n$1\r\nv\r\n');
    expect(await server.raw.call('HGETALL', 'wire:none')).toBe('*0\r\n');
    await server.raw.call('HELLO', '3');
    expect(await server.raw.call('HGETALL', 'wire')).toBe('%1\r\n$1\r\nf\r\n$1\r\nv\r\n');
    expect(await server.raw.call('HGETALL', 'wire:none')).toBe('%0\r\n');
    expect(await server.raw.call('HRANDFIELD', 'wire', '-2', 'WITHVALUES'))
      .toBe('*2\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n');
    expect(await server.raw.call('HGET', 'wire', 'nope')).toBe('_\r\n');
    await server.raw.call('HELLO', '2');
    expect(await server.raw.call('HRANDFIELD', 'wire', '-2', 'WITHVALUES')).toBe('*4\r\n$1\r\nf\r\n$1\r\nv\r\n$1\r\nf\r\n$1\r\nv\r\n');
  });

  it('keeps binary fields and values intact', async () => {
    const field = Buffer.from([0, 255, 13, 10, 128]);
    const value = Buffer.from([1, 2, 0, 254]);
    await server.r2.hset('bin', field, value);
    expect(await server.r2.hgetBuffer('bin', field)).toEqual(value);
    expect(await server.r2.hstrlen('bin', field)).toBe(4);
  });

  it('refuses odd argument counts and wrong types, leaving data intact', async () => {
    await server.r2.set('str', 'v');
    await expect(server.r2.hset('str', 'a', '1')).rejects.toThrow(/^WRONGTYPE/);
    await expect(server.r2.hget('str', 'a')).rejects.toThrow(/^WRONGTYPE/);
    await expect(server.r2.hincrby('str', 'a', 1)).rejects.toThrow(/^WRONGTYPE/);
    expect(await server.r2.get('str')).toBe('v');
    expect(await server.raw.call('HSET', 'odd', 'a', '1', 'b')).toBe("-ERR wrong number of arguments for 'hset' command\r\n");
    expect(await server.raw.call('HMSET', 'odd', 'a', '1', 'b')).toBe("-ERR wrong number of arguments for 'hmset' command\r\n");
    expect(hasKey('odd')).toBe(false);
  });

  it('deletes fields and removes the key with its last field', async () => {
    await server.r2.hset('del', 'a', '1', 'b', '2', 'c', '3');
    expect(await server.r2.hdel('del', 'a', 'a', 'zz')).toBe(1);
    expect(await server.r2.hdel('del', 'b', 'c', 'x')).toBe(2);
    expect(hasKey('del')).toBe(false);
    expect(await server.r2.hdel('del', 'b')).toBe(0);
    expect(await server.r2.hlen('del')).toBe(0);
  });

  it('increments integers with overflow and type checks', async () => {
    expect(await server.r2.hincrby('inc', 'n', 5)).toBe(5);
    expect(await server.r2.hincrby('inc', 'n', -8)).toBe(-3);
    await server.r2.hset('inc', 'max', '9223372036854775806', 'text', 'abc', 'sp', ' 1');
    expect(await server.raw.call('HINCRBY', 'inc', 'max', '1')).toBe(':9223372036854775807\r\n');
    expect(await server.raw.call('HINCRBY', 'inc', 'max', '1')).toBe('-ERR increment or decrement would overflow\r\n');
    expect(await server.raw.call('HINCRBY', 'inc', 'text', '1')).toBe('-ERR hash value is not an integer\r\n');
    expect(await server.raw.call('HINCRBY', 'inc', 'sp', '1')).toBe('-ERR hash value is not an integer\r\n');
    expect(await server.raw.call('HINCRBY', 'inc', 'n', 'x')).toBe('-ERR value is not an integer or out of range\r\n');
    expect(await server.r2.hget('inc', 'max')).toBe('9223372036854775807');
    expect(await server.r2.hget('inc', 'n')).toBe('-3');
  });

  it('increments floats, formats like Redis and refuses NaN and infinity', async () => {
    expect(await server.r2.hincrbyfloat('flt', 'x', '10.5')).toBe('10.5');
    expect(await server.r2.hincrbyfloat('flt', 'x', '0.1')).toBe('10.6');
    expect(await server.r2.hincrbyfloat('flt', 'y', '1.23')).toBe('1.23');
    expect(await server.r2.hincrbyfloat('flt', 'y', '0.77')).toBe('2');
    expect(await server.r2.hincrbyfloat('flt', 'z', '5.0e3')).toBe('5000');
    expect(await server.raw.call('HINCRBYFLOAT', 'flt', 'x', 'inf')).toBe('-ERR value is NaN or Infinity\r\n');
    expect(await server.raw.call('HINCRBYFLOAT', 'flt', 'x', 'abc')).toBe('-ERR value is not a valid float\r\n');
    await server.r2.hset('flt', 'bad', '1\x002');
    expect(await server.raw.call('HINCRBYFLOAT', 'flt', 'bad', '1')).toBe('-ERR hash value is not a float\r\n');
    expect(await server.raw.call('HINCRBYFLOAT', 'flt:none', 'x', '+inf')).toBe('-ERR value is NaN or Infinity\r\n');
    expect(hasKey('flt:none')).toBe(false);
  });

  it('propagates HINCRBYFLOAT as HSET with the final value', async () => {
    const chunks: string[] = [];
    server.running.server.propagator.subscribe((unit) => chunks.push(unit.owned().toString('latin1')), PROPAGATE_REPL);
    await server.r2.hincrbyfloat('prop', 'f', '1.5');
    await server.r2.hincrby('prop', 'g', 2);
    const stream = chunks.join('');
    expect(stream).toContain('*4\r\n$4\r\nHSET\r\n$4\r\nprop\r\n$1\r\nf\r\n$3\r\n1.5\r\n');
    expect(stream).toContain('*4\r\n$7\r\nhincrby\r\n$4\r\nprop\r\n$1\r\ng\r\n$1\r\n2\r\n');
    expect(stream).not.toContain('hincrbyfloat');
  });

  it('raises Redis keyspace events in order', async () => {
    const events: string[] = [];
    vi.spyOn(server.running.server.events, 'notify').mockImplementation((_cls, event, key) => {
      events.push(`${event}:${key}`);
    });
    await server.r2.hset('ev', 'a', '1');
    await server.r2.hset('ev', 'a', '2');
    await server.r2.hsetnx('ev', 'a', '3');
    await server.r2.hincrby('ev', 'n', 1);
    await server.r2.hincrbyfloat('ev', 'n', '1.5');
    await server.r2.hdel('ev', 'zz');
    await server.r2.hdel('ev', 'a', 'n');
    expect(events).toEqual(['new:ev', 'hset:ev', 'hset:ev', 'hincrby:ev', 'hincrbyfloat:ev', 'hdel:ev', 'del:ev']);
  });

  it('converts to hashtable past the entry or value limit and never back', async () => {
    await server.r2.hset('enc', 'a', '1', 'b', '2', 'c', '3', 'd', '4');
    expect(encodingName(stored('enc'))).toBe('listpack');
    await server.r2.hset('enc', 'e', '5');
    expect(encodingName(stored('enc'))).toBe('hashtable');
    await server.r2.hdel('enc', 'a', 'b', 'c', 'd');
    expect(encodingName(stored('enc'))).toBe('hashtable');

    await server.r2.hset('encv', 'f', '12345678');
    expect(encodingName(stored('encv'))).toBe('listpack');
    await server.r2.hset('encv', 'f', '123456789');
    expect(encodingName(stored('encv'))).toBe('hashtable');

    await server.r2.hsetnx('encf', 'abcdefghi', '1');
    expect(encodingName(stored('encf'))).toBe('hashtable');

    // HINCRBYFLOAT checks its computed value: "0.000005" fits 8 bytes, "0.0000005" does not.
    await server.r2.hincrbyfloat('encs', 'tmp', '0.000005');
    await server.r2.hincrbyfloat('encb', 'tmp', '0.0000005');
    expect(encodingName(stored('encs'))).toBe('listpack');
    expect(encodingName(stored('encb'))).toBe('hashtable');
  });

  it('follows CONFIG changes of the listpack limits for later writes', async () => {
    expect(server.running.server.config.setFromArgs('hash-max-listpack-entries', ['1'])).toBeNull();
    try {
      await server.r2.hset('cfg', 'a', '1');
      expect(encodingName(stored('cfg'))).toBe('listpack');
      await server.r2.hset('cfg', 'b', '2');
      expect(encodingName(stored('cfg'))).toBe('hashtable');
    } finally {
      server.running.server.config.setFromArgs('hash-max-listpack-entries', ['4']);
    }
  });

  it('HRANDFIELD without count and with positive counts returns distinct existing fields', async () => {
    await server.r2.hset('rnd', 'a', '1', 'b', '2', 'c', '3');
    const seen = new Set<string>();
    for (let i = 0; i < 60; i++) seen.add(String(await server.r2.hrandfield('rnd')));
    expect([...seen].sort()).toEqual(['a', 'b', 'c']);
    expect(await server.r2.hrandfield('rnd:none')).toBeNull();

    // A big (hashtable) hash exercises the removal and the picking strategies.
    const fields: string[] = [];
    for (let i = 0; i < 30; i++) fields.push(`f${i}`, `v${i}`);
    await server.r2.hset('rndbig', ...fields);
    expect(encodingName(stored('rndbig'))).toBe('hashtable');
    for (const count of [2, 5, 12, 25, 30, 40]) {
      const picked = (await server.r2.call('HRANDFIELD', 'rndbig', String(count))) as string[];
      expect(picked.length).toBe(Math.min(count, 30));
      expect(new Set(picked).size).toBe(picked.length);
      for (const f of picked) expect(f).toMatch(/^f\d+$/);
      const pairs = (await server.r2.call('HRANDFIELD', 'rndbig', String(count), 'WITHVALUES')) as string[];
      expect(pairs.length).toBe(Math.min(count, 30) * 2);
      for (let i = 0; i < pairs.length; i += 2) expect(pairs[i + 1]).toBe(`v${pairs[i].slice(1)}`);
    }
    // The listpack selection sampling keeps the hash's order.
    await server.r2.hset('rndsmall', 'a', '1', 'b', '2', 'c', '3', 'd', '4');
    const one = (await server.r2.call('HRANDFIELD', 'rndsmall', '1')) as string[];
    expect(one.length).toBe(1);
  });

  it('HRANDFIELD with a negative count repeats and covers the hash roughly uniformly', async () => {
    await server.r2.hset('neg', 'a', '1', 'b', '2', 'c', '3');
    const picked = (await server.r2.call('HRANDFIELD', 'neg', '-3000')) as string[];
    expect(picked.length).toBe(3000);
    const counts = new Map<string, number>();
    for (const f of picked) counts.set(f, (counts.get(f) ?? 0) + 1);
    expect([...counts.keys()].sort()).toEqual(['a', 'b', 'c']);
    for (const n of counts.values()) expect(n).toBeGreaterThan(800);
  });

  it('HRANDFIELD sees fields added and removed since its last pick', async () => {
    await server.r2.hset('live', 'first', '1');
    expect(await server.r2.call('HRANDFIELD', 'live', '-5')).toEqual(['first', 'first', 'first', 'first', 'first']);
    await server.r2.hset('live', 'second', '2');
    await server.r2.hdel('live', 'first');
    expect(await server.r2.call('HRANDFIELD', 'live', '-4')).toEqual(['second', 'second', 'second', 'second']);
    await server.r2.hset('live', 'third', '3');
    await server.r2.hdel('live', 'second');
    expect(await server.r2.hrandfield('live')).toBe('third');
  });

  it('HRANDFIELD count errors come before the key lookup', async () => {
    expect(await server.raw.call('HRANDFIELD', 'none', '-9223372036854775808'))
      .toBe('-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807\r\n');
    expect(await server.raw.call('HRANDFIELD', 'none', '-9223372036854770000', 'WITHVALUES')).toBe('-ERR value is out of range\r\n');
    expect(await server.raw.call('HRANDFIELD', 'none', '1', 'WITHVALUES', 'x')).toBe('-ERR syntax error\r\n');
    expect(await server.raw.call('HRANDFIELD', 'none', '5')).toBe('*0\r\n');
  });

  it('HSCAN returns a small hash whole and walks a big one with cursors', async () => {
    await server.r2.hset('scs', 'a', '1', 'b', '2');
    expect(await server.r2.hscan('scs', '0')).toEqual(['0', ['a', '1', 'b', '2']]);
    expect(await server.r2.hscan('scs', '77', 'MATCH', 'b')).toEqual(['0', ['b', '2']]);

    const args: string[] = [];
    for (let i = 0; i < 200; i++) args.push(`k${i}`, `v${i}`);
    await server.r2.hset('scb', ...args);
    const seen = new Map<string, string>();
    let cursor = '0';
    let calls = 0;
    do {
      const [next, items] = await server.r2.hscan('scb', cursor, 'COUNT', '25');
      for (let i = 0; i < items.length; i += 2) seen.set(items[i], items[i + 1]);
      cursor = next;
      calls++;
      // Fields deleted and added mid-walk must not break the walk.
      if (calls === 2) await server.r2.hset('scb', 'late', 'x');
    } while (cursor !== '0' && calls < 100);
    expect(cursor).toBe('0');
    expect(calls).toBeGreaterThan(5);
    for (let i = 0; i < 200; i++) expect(seen.get(`k${i}`)).toBe(`v${i}`);

    const [, matched] = await server.r2.hscan('scb', '0', 'MATCH', 'k1?', 'COUNT', '1000');
    expect(matched.filter((_, i) => i % 2 === 0).sort()).toEqual(['k10', 'k11', 'k12', 'k13', 'k14', 'k15', 'k16', 'k17', 'k18', 'k19']);
    expect(await server.raw.call('HSCAN', 'scb', 'abc')).toBe('-ERR invalid cursor\r\n');
    expect(await server.raw.call('HSCAN', 'scb', '0', 'COUNT', '0')).toBe('-ERR syntax error\r\n');
    expect(await server.raw.call('HSCAN', 'scb:none', '0')).toBe('*2\r\n$1\r\n0\r\n*0\r\n');
  });
});
