import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MutableString } from '../../src/store/types/string.js';
import { encodingName } from '../../src/store/values.js';
import { EventCollector } from '../helpers/events.js';
import { PropagationLog } from '../helpers/propagation.js';
import { withServer } from '../helpers/server.js';

describe('HyperLogLog commands', () => {
  const server = withServer({ 'notify-keyspace-events': 'KE$gnm' });
  let keyEvents: EventCollector;
  let log: PropagationLog;

  beforeAll(async () => {
    keyEvents = await EventCollector.start(server.port, { pattern: '__keyevent@0__:*' });
    log = new PropagationLog(server.running);
  });

  afterAll(() => {
    keyEvents.close();
  });

  beforeEach(async () => {
    await server.r2.flushall();
    await server.r2.config('SET', 'hll-sparse-max-bytes', '3000');
    await keyEvents.drain();
    keyEvents.clear();
    log.clear();
  });

  /** The stored bytes of a key in db 0, without touching it. */
  function storedBytes(key: string): Buffer {
    const value = server.db().peek(key);
    if (value === undefined || (typeof value !== 'string' && value.kind !== 'string')) throw new Error(`${key} holds no string`);
    return typeof value === 'string' ? Buffer.from(value, 'latin1') : value.bytes();
  }

  it('keeps an HLL as a raw string value that GET, SETRANGE and APPEND see', async () => {
    expect(await server.r2.pfadd('h', 'a', 'b', 'c')).toBe(1);
    const stored = server.db().peek('h');
    expect(stored).toBeInstanceOf(MutableString);
    expect(encodingName(stored as MutableString)).toBe('raw');
    expect(await server.r2.type('h')).toBe('string');
    expect(await server.r2.object('ENCODING', 'h')).toBe('raw');
    const bytes = await server.r2.getBuffer('h');
    expect(bytes?.subarray(0, 5).toString('latin1')).toBe('HYLL\x01');
    expect(bytes).toEqual(storedBytes('h'));
    // The cache byte: stale after a change, valid after PFCOUNT stored the estimate.
    expect(bytes?.[15]).toBe(0x80);
    expect(await server.r2.pfcount('h')).toBe(3);
    expect(storedBytes('h')[15]).toBe(0);
    expect(storedBytes('h').readUInt32LE(8)).toBe(3);
    expect(await server.r2.strlen('h')).toBe(storedBytes('h').length);
    // SETRANGE within the HLL changes the cached answer; APPEND makes it corrupt.
    await server.r2.setrange('h', 8, '\x09');
    expect(await server.r2.pfcount('h')).toBe(9);
    await server.r2.append('h', 'tail');
    await server.r2.setrange('h', 15, '\x80');
    await expect(server.r2.pfcount('h')).rejects.toThrow('INVALIDOBJ Corrupted HLL object detected');
  });

  it('turns an embstr holding HLL bytes raw when PFCOUNT or PFADD unshares it', async () => {
    await server.r2.pfadd('src', 'x');
    const bytes = await server.r2.getBuffer('src');
    if (bytes === null) throw new Error('no HLL');
    await server.r2.set('copy', bytes);
    expect(await server.r2.object('ENCODING', 'copy')).toBe('embstr');
    expect(await server.r2.pfcount('copy', 'src')).toBe(1);
    expect(await server.r2.object('ENCODING', 'copy')).toBe('embstr');
    expect(await server.r2.pfcount('copy')).toBe(1);
    expect(await server.r2.object('ENCODING', 'copy')).toBe('raw');
  });

  it('raises keyspace events as Redis: new and pfadd, keymiss on reads, none for a cache update', async () => {
    const events = await keyEvents.during(async () => {
      await server.r2.pfadd('a', 'x');
      await server.r2.pfadd('a', 'x');
      await server.r2.pfadd('a');
      await server.r2.pfcount('a');
      await server.r2.pfcount('nope');
      await server.r2.pfcount('nope', 'a', 'nope2');
      await server.r2.pfmerge('d', 'nope', 'a');
      await server.r2.pfmerge('d');
      await server.r2.call('PFDEBUG', 'TODENSE', 'a');
      await expect(server.r2.call('PFDEBUG', 'GETREG', 'nope')).rejects.toThrow('ERR The specified key does not exist');
    });
    expect(events).toEqual([
      'new a', 'pfadd a', 'keymiss nope', 'keymiss nope', 'keymiss nope2',
      'keymiss d', 'keymiss nope', 'new d', 'pfadd d', 'pfadd d',
    ]);
  });

  it('propagates PFADD and PFMERGE as sent, PFCOUNT only when it stored the cache, PFDEBUG on conversion', async () => {
    await server.r2.pfadd('h', 'a', 'b');
    await server.r2.pfadd('h', 'a');
    await server.r2.pfcount('h');
    await server.r2.pfcount('h');
    await server.r2.pfcount('h', 'other');
    await server.r2.pfmerge('m', 'h');
    await server.r2.call('PFDEBUG', 'ENCODING', 'm');
    await server.r2.call('PFDEBUG', 'TODENSE', 'm');
    await server.r2.call('PFDEBUG', 'TODENSE', 'm');
    await server.r2.call('PFDEBUG', 'GETREG', 'h');
    await server.r2.call('PFDEBUG', 'GETREG', 'h');
    expect(log.lines()).toEqual([
      'pfadd h a b', 'pfcount h', 'pfmerge m h', 'PFDEBUG TODENSE m', 'PFDEBUG GETREG h',
    ]);
  });

  it('makes EXEC fail for a watcher when PFCOUNT stores the cache, not when it reads it', async () => {
    await server.r2.pfadd('w', 'a');
    const watcher = await server.connect();
    expect(await watcher.call('WATCH', 'w')).toBe('+OK\r\n');
    await server.r2.pfcount('w');
    await watcher.call('MULTI');
    await watcher.call('PING');
    expect(await watcher.call('EXEC')).toBe('*-1\r\n');
    expect(await watcher.call('WATCH', 'w')).toBe('+OK\r\n');
    await server.r2.pfcount('w');
    await watcher.call('MULTI');
    await watcher.call('PING');
    expect(await watcher.call('EXEC')).toBe('*1\r\n+PONG\r\n');
  });

  it('counts keyspace hits and misses like lookupKeyRead for PFCOUNT and PFMERGE sources', async () => {
    await server.r2.pfadd('k', 'a');
    await server.r2.config('RESETSTAT');
    await server.r2.pfcount('k');
    await server.r2.pfcount('k', 'missing');
    await server.r2.pfmerge('k', 'missing');
    const info = await server.r2.info('stats');
    expect(info).toMatch(/keyspace_hits:3\r\n/);
    expect(info).toMatch(/keyspace_misses:2\r\n/);
  });

  it('converts to dense past hll-sparse-max-bytes, and PFMERGE of sparse inputs stays sparse', async () => {
    await server.r2.config('SET', 'hll-sparse-max-bytes', '100');
    const elements = Array.from({ length: 200 }, (_, i) => `e${i}`);
    await server.r2.pfadd('grow', ...elements.slice(0, 10));
    expect(await server.r2.call('PFDEBUG', 'ENCODING', 'grow')).toBe('sparse');
    await server.r2.pfadd('grow', ...elements);
    expect(await server.r2.call('PFDEBUG', 'ENCODING', 'grow')).toBe('dense');
    expect(storedBytes('grow').length).toBe(16 + 12288);
    expect(await server.r2.pfcount('grow')).toBeGreaterThan(190);

    await server.r2.config('SET', 'hll-sparse-max-bytes', '3000');
    await server.r2.pfadd('s1', 'a', 'b');
    await server.r2.pfadd('s2', 'c');
    expect(await server.r2.pfmerge('u', 's1', 's2')).toBe('OK');
    expect(await server.r2.call('PFDEBUG', 'ENCODING', 'u')).toBe('sparse');
    expect(await server.r2.pfcount('u')).toBe(3);
    expect(await server.r2.pfmerge('u', 'grow')).toBe('OK');
    expect(await server.r2.call('PFDEBUG', 'ENCODING', 'u')).toBe('dense');
    expect(await server.r2.call('PFDEBUG', 'DECODE', 's1')).toMatch(/^(Z:\d+|z:\d+|v:\d+,\d+)( (Z:\d+|z:\d+|v:\d+,\d+))*$/);
    await expect(server.r2.call('PFDEBUG', 'DECODE', 'u')).rejects.toThrow('ERR HLL encoding is not sparse');
    const registers = (await server.r2.call('PFDEBUG', 'GETREG', 's1')) as number[];
    expect(registers).toHaveLength(16384);
    expect(registers.filter((r) => r > 0).length).toBe(2);
  });

  it('replies the RESP3 and RESP2 shapes Redis uses', async () => {
    const raw3 = await server.connect(3);
    expect(await raw3.call('PFADD', 'r', 'a')).toBe(':1\r\n');
    expect(await raw3.call('PFDEBUG', 'ENCODING', 'r')).toBe('+sparse\r\n');
    expect(await raw3.call('PFMERGE', 'r')).toBe('+OK\r\n');
    expect(await raw3.call('PFCOUNT', 'r')).toBe(':1\r\n');
    expect(await server.raw.call('PFDEBUG', 'TODENSE', 'r')).toBe(':1\r\n');
    expect(await server.raw.call('PFDEBUG', 'WHAT', 'r')).toBe("-ERR Unknown PFDEBUG subcommand 'WHAT'\r\n");
    await server.r2.set('s', 'plain');
    expect(await server.raw.call('PFADD', 's', 'x')).toBe('-WRONGTYPE Key is not a valid HyperLogLog string value.\r\n');
    await server.r2.hset('hash', 'f', 'v');
    expect(await server.raw.call('PFCOUNT', 'hash')).toBe('-WRONGTYPE Operation against a key holding the wrong kind of value\r\n');
  });

  it('passes PFSELFTEST', async () => {
    expect(await server.r2.call('PFSELFTEST')).toBe('OK');
  }, 60_000);
});
