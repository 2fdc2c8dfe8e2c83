// Large values: they arrive as Buffers of their own and are stored as those Buffers, outside the
// V8 heap, yet behave exactly like any string (GET, STRLEN, APPEND, SETRANGE, GETRANGE, OBJECT
// ENCODING, options, MULTI, propagation, slowlog).

import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServerInternal } from '../../src/server/start.js';
import { PROPAGATE_REPL, type PropagatedUnit } from '../../src/engine/propagation.js';
import { startCinnabar } from '../helpers/cinnabar.js';
import { connectIoredis } from '../helpers/server.js';

const MiB = 1024 * 1024;

/** Compares bytes natively: a deep toEqual walks a Buffer index by index (seconds per MB). */
function expectSameBytes(actual: Buffer | null, expected: Buffer): void {
  expect(actual).not.toBeNull();
  expect(actual?.length).toBe(expected.length);
  expect(actual?.equals(expected)).toBe(true);
}

/** A command as RESP bytes, arguments as given (strings as latin1). */
function commandBytes(argv: (string | Buffer)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${argv.length}\r\n`, 'latin1')];
  for (const arg of argv) {
    const bytes = typeof arg === 'string' ? Buffer.from(arg, 'latin1') : arg;
    parts.push(Buffer.from(`$${bytes.length}\r\n`, 'latin1'), bytes, Buffer.from('\r\n', 'latin1'));
  }
  return Buffer.concat(parts);
}

function bigValue(sizeBytes: number, seed: number): Buffer {
  const buf = Buffer.allocUnsafe(sizeBytes);
  for (let i = 0; i < sizeBytes; i++) buf[i] = (i * 31 + seed) & 255;
  return buf;
}

describe('large values', () => {
  let running: RunningServerInternal;
  let r: Redis;

  beforeAll(async () => {
    running = await startCinnabar();
    r = await connectIoredis(running.port, 2);
  });

  afterAll(async () => {
    r.disconnect();
    await running.close();
  });

  it('round-trips through SET and GET byte for byte, and behaves as a raw string', async () => {
    const value = bigValue(MiB + 7, 1);
    expect(await r.set('big', value)).toBe('OK');
    expectSameBytes(await r.getBuffer('big'), value);
    expect(await r.strlen('big')).toBe(value.length);
    expect(await r.object('ENCODING', 'big')).toBe('raw');
    expectSameBytes(await r.getrangeBuffer('big', 1000, 1009), value.subarray(1000, 1010));
    expect(await r.append('big', 'tail')).toBe(value.length + 4);
    expect(await r.setrange('big', 0, 'head')).toBe(value.length + 4);
    const expected = Buffer.concat([Buffer.from('head'), value.subarray(4), Buffer.from('tail')]);
    expectSameBytes(await r.getBuffer('big'), expected);
  });

  it('sends the bytes a GET saw even when the value changes while the reply is still queued', async () => {
    const value = bigValue(MiB, 6);
    await r.set('big:cow', value);
    // Several megabytes of replies outrun the socket buffers, so the later GETs' replies wait in
    // the server's queue while SETRANGE and APPEND change the value in place.
    const pipeline = r.pipeline();
    for (let i = 0; i < 8; i++) pipeline.getBuffer('big:cow');
    pipeline.setrange('big:cow', 0, 'CHANGED');
    pipeline.append('big:cow', 'more');
    pipeline.getBuffer('big:cow');
    const results = (await pipeline.exec()) ?? [];
    for (let i = 0; i < 8; i++) expectSameBytes(results[i][1] as Buffer, value);
    const changed = Buffer.concat([Buffer.from('CHANGED'), value.subarray(7), Buffer.from('more')]);
    expectSameBytes(results[10][1] as Buffer, changed);
  });

  it('reuses an overwritten big value\'s memory without touching any live value', async () => {
    const size = 200_000;
    const first = bigValue(size, 7);
    const second = bigValue(size, 8);
    const third = bigValue(size, 9);
    await r.set('big:reuse:a', first);
    const sent = r.getBuffer('big:reuse:a'); // a reply by reference: this one must not be reused
    await r.set('big:reuse:a', second);
    expectSameBytes(await sent, first);
    await r.set('big:reuse:a', third); // second's memory goes back for reuse...
    await r.set('big:reuse:b', first); // ...and is filled with the next big argument
    expectSameBytes(await r.getBuffer('big:reuse:a'), third);
    expectSameBytes(await r.getBuffer('big:reuse:b'), first);
  });

  it('keeps values read whole into a client\'s big read buffer intact across reuse of that memory', async () => {
    // After one big request a connection reads each next request whole and the value keeps the
    // read's memory; overwritten, that memory serves later reads. Mixed sizes, in-place changes
    // and a request that shares its read with the next one must all keep every value exact.
    const sizes = [100_000, 100_000, 60_000, 100_000, 150_000, 100_000];
    const expected = new Map<string, Buffer>();
    for (let round = 0; round < 4; round++) {
      for (let i = 0; i < sizes.length; i++) {
        const key = `big:read:${i % 3}`;
        const value = bigValue(sizes[i], round * 10 + i);
        expect(await r.set(key, value)).toBe('OK');
        expected.set(key, value);
      }
      const pipeline = r.pipeline();
      const paired = bigValue(100_000, 99 + round);
      pipeline.set('big:read:paired', paired);
      pipeline.strlen('big:read:paired');
      const [[, setReply], [, length]] = (await pipeline.exec()) ?? [];
      expect([setReply, length]).toEqual(['OK', paired.length]);
      expected.set('big:read:paired', paired);
      await r.setrange('big:read:0', 10, 'changed');
      const changed = Buffer.from(expected.get('big:read:0') as Buffer);
      changed.write('changed', 10, 'latin1');
      expected.set('big:read:0', changed);
      for (const [key, value] of expected) expectSameBytes(await r.getBuffer(key), value);
    }
  });

  it('keeps values exact around the sizes where arguments become Buffers of their own', async () => {
    // From 16 KB (the read buffer's size: such an argument always spans reads) a value is
    // assembled as a Buffer; below it, a string. Sizes on both sides, in one pipeline so
    // requests share reads and split anywhere.
    const sizes = [16_000, 16_383, 16_384, 16_385, 20_000, 24_000, 32_767, 32_768, 40_000];
    const pipeline = r.pipeline();
    sizes.forEach((size, i) => pipeline.set(`edge:${size}`, bigValue(size, i)));
    sizes.forEach((size) => pipeline.append(`edge:${size}`, 'z'));
    const replies = (await pipeline.exec()) ?? [];
    expect(replies.map(([err]) => err)).toEqual(replies.map(() => null));
    for (let i = 0; i < sizes.length; i++) {
      const expected = Buffer.concat([bigValue(sizes[i], i), Buffer.from('z')]);
      expectSameBytes(await r.getBuffer(`edge:${sizes[i]}`), expected);
      expect(await r.object('ENCODING', `edge:${sizes[i]}`)).toBe('raw');
    }
  });

  it('keeps SET options, MULTI queueing and other commands exact', async () => {
    const value = bigValue(300_000, 2);
    expect(await r.set('big:ex', value, 'EX', 100, 'GET')).toBe(null);
    expect(await r.ttl('big:ex')).toBeGreaterThan(90);
    expectSameBytes(await r.getBuffer('big:ex'), value);
    const other = bigValue(200_000, 3);
    const result = await r.multi().set('big:multi', other).strlen('big:multi').exec();
    expect(result).toEqual([[null, 'OK'], [null, other.length]]);
    expectSameBytes(await r.echoBuffer(value), value);
    expect(await r.hset('big:hash', 'f', value)).toBe(1);
    expectSameBytes(await r.hgetBuffer('big:hash', 'f'), value);
    expect(await r.setnx('big:nx', value)).toBe(1);
    expectSameBytes(await r.getBuffer('big:nx'), value);
  });

  it('propagates the value itself when replicas or the AOF listen, rewrites included', async () => {
    const chunks: Buffer[] = [];
    const listener = (unit: PropagatedUnit): void => { chunks.push(unit.owned()); };
    running.server.propagator.subscribe(listener, PROPAGATE_REPL);
    try {
      const value = bigValue(100_000, 4);
      await r.set('big:prop', value);
      expect(Buffer.concat(chunks).equals(Buffer.concat([commandBytes(['SELECT', '0']), commandBytes(['set', 'big:prop', value])]))).toBe(true);
      chunks.length = 0;
      const other = bigValue(70_000, 6);
      await r.set('big:prop', other, 'GET');
      expect(Buffer.concat(chunks).equals(commandBytes(['set', 'big:prop', other]))).toBe(true);
      chunks.length = 0;
      await r.set('big:prop', value, 'PX', 100_000);
      const stream = Buffer.concat(chunks);
      // Everything but the deadline's digits: *5, SET, the key, the value, PXAT.
      const withDeadline = commandBytes(['SET', 'big:prop', value, 'PXAT', 'x']);
      const head = withDeadline.subarray(0, withDeadline.length - '$1\r\nx\r\n'.length);
      expect(stream.subarray(0, head.length).equals(head)).toBe(true);
      expectSameBytes(await r.getBuffer('big:prop'), value);
    } finally {
      running.server.propagator.unsubscribe(listener);
    }
  });

  it('keeps the values out of the V8 heap while the stream is listened to (a replication backlog)', async () => {
    // As the backlog does: copies the lent bytes and keeps nothing of the unit.
    let streamBytes = 0;
    const listener = (unit: PropagatedUnit): void => { streamBytes += unit.lengthBytes; };
    running.server.propagator.subscribe(listener, PROPAGATE_REPL);
    try {
      const before = process.memoryUsage().heapUsed;
      // Under 1 MB, where a value turned into a string would live on the heap.
      const value = bigValue(512 * 1024, 7);
      const count = 200;
      const pipeline = r.pipeline();
      for (let i = 0; i < count; i++) pipeline.set(`big:streamed:${i}`, value);
      await pipeline.exec();
      expect(streamBytes).toBeGreaterThan(count * value.length);
      // 100 MB of values; the heap grows by a small fraction of that at most.
      expect(process.memoryUsage().heapUsed - before).toBeLessThan(30 * MiB);
      expectSameBytes(await r.getBuffer(`big:streamed:${count - 1}`), value);
      await r.del(...Array.from({ length: count }, (_, i) => `big:streamed:${i}`));
    } finally {
      running.server.propagator.unsubscribe(listener);
    }
  });

  it('keeps the values out of the V8 heap', async () => {
    const before = process.memoryUsage().heapUsed;
    const value = bigValue(2 * MiB, 5);
    const count = 100;
    const pipeline = r.pipeline();
    for (let i = 0; i < count; i++) pipeline.set(`big:heap:${i}`, value);
    await pipeline.exec();
    const grownBytes = process.memoryUsage().heapUsed - before;
    // 200 MB of values; the heap (which this in-process server shares with the test) grows by a
    // small fraction of that at most.
    expect(grownBytes).toBeLessThan(40 * MiB);
    expectSameBytes(await r.getBuffer('big:heap:99'), value);
    await r.del(...Array.from({ length: count }, (_, i) => `big:heap:${i}`));
  });
});
