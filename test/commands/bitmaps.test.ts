import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/index.js';
import { MutableString } from '../../src/store/values.js';
import { startCinnabar } from '../helpers/cinnabar.js';
import { RawConnection } from '../helpers/resp.js';

/** A small deterministic PRNG (mulberry32), so a failing fuzz case can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Redis's start/end normalisation, as an inclusive range of bit positions (null when empty). */
function bitRange(lengthBytes: number, start: number, end: number, unitBits: boolean): [number, number] | null {
  const total = unitBits ? lengthBytes * 8 : lengthBytes;
  let s = start < 0 ? total + start : start;
  let e = end < 0 ? total + end : end;
  s = Math.max(0, s);
  e = Math.min(Math.max(0, e), total - 1);
  if (s > e) return null;
  return unitBits ? [s, e] : [s * 8, e * 8 + 7];
}

function bitAt(bytes: Buffer, pos: number): number {
  return (bytes[pos >> 3] >> (7 - (pos & 7))) & 1;
}

/** The naive answer for BITPOS: scan bit by bit. */
function naiveBitpos(bytes: Buffer, bit: number, range: [number, number] | null, endGiven: boolean): number {
  if (range === null) return -1;
  for (let p = range[0]; p <= range[1]; p++) if (bitAt(bytes, p) === bit) return p;
  return bit === 0 && !endGiven ? range[1] + 1 : -1;
}

function naiveBitcount(bytes: Buffer, range: [number, number] | null): number {
  if (range === null) return 0;
  let n = 0;
  for (let p = range[0]; p <= range[1]; p++) n += bitAt(bytes, p);
  return n;
}

describe('bitmap commands', () => {
  let running: RunningServer;
  let r2: Redis;
  let r3: Redis;
  let sub: Redis;
  let raw: RawConnection;
  const events: string[] = [];

  beforeAll(async () => {
    // Not "A": the config keeps the class string, and Redis's canonical form of "A" has no "n".
    running = await startCinnabar({ 'notify-keyspace-events': 'KEg$n' });
    r2 = new Redis({ port: running.port, protocol: 2, lazyConnect: true, enableReadyCheck: false });
    r3 = new Redis({ port: running.port, protocol: 3, lazyConnect: true, enableReadyCheck: false });
    sub = new Redis({ port: running.port, protocol: 2, lazyConnect: true, enableReadyCheck: false });
    await Promise.all([r2.connect(), r3.connect(), sub.connect()]);
    sub.on('pmessage', (_pattern: string, channel: string, message: string) => {
      events.push(`${channel.slice(channel.indexOf(':') + 1)} ${message}`);
    });
    await sub.psubscribe('__keyevent@*');
    raw = await RawConnection.connect(running.port);
  });

  afterAll(async () => {
    raw.close();
    r2.disconnect();
    r3.disconnect();
    sub.disconnect();
    await running.close();
  });

  const db = () => running.server.keyspace.dbs[0];

  /** Publishes a marker on the events' pattern and waits for it: everything before it arrived. */
  async function drain(): Promise<void> {
    const marker = `marker ${Math.random()}`;
    await r2.publish('__keyevent@0__:marker', marker);
    const deadline = Date.now() + 2000;
    while (!events.includes(`marker ${marker}`) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  }

  /** The keyspace events caused by `action` alone. */
  async function eventsAfter(action: () => Promise<unknown>): Promise<string[]> {
    await drain();
    events.length = 0;
    await action();
    await drain();
    return events.filter((e) => !e.startsWith('marker '));
  }

  it('SETBIT counts dirty and fires setbit only when a bit or the length changes', async () => {
    const dirty0 = running.server.dirty;
    expect(await eventsAfter(() => r2.setbit('sb:a', 0, 0))).toEqual(['new sb:a', 'setbit sb:a']);
    expect(running.server.dirty - dirty0).toBe(1);
    expect(await eventsAfter(() => r2.setbit('sb:a', 0, 0))).toEqual([]);
    expect(running.server.dirty - dirty0).toBe(1);
    expect(await r2.setbit('sb:a', 0, 1)).toBe(0);
    expect(await r2.setbit('sb:a', 0, 1)).toBe(1);
    expect(running.server.dirty - dirty0).toBe(2);
    expect(await r2.setbit('sb:a', 40, 0)).toBe(0); // only the length changes
    expect(running.server.dirty - dirty0).toBe(3);
    expect(await r2.strlen('sb:a')).toBe(6);
    expect(db().peek('sb:a')).toBeInstanceOf(MutableString);
  });

  it('a SETBIT that changes nothing does not break a WATCH', async () => {
    await r2.setbit('sb:w', 3, 1);
    await r3.watch('sb:w');
    await r2.setbit('sb:w', 3, 1);
    expect(await r3.multi().getbit('sb:w', 3).exec()).toEqual([[null, 1]]);
    await r3.watch('sb:w');
    await r2.setbit('sb:w', 3, 0);
    expect(await r3.multi().getbit('sb:w', 3).exec()).toBeNull();
  });

  it('SETBIT keeps the TTL and converts an int-encoded value in place', async () => {
    await r2.set('sb:int', '1', 'EX', 1000);
    expect(await r2.setbit('sb:int', 6, 1)).toBe(0);
    expect(await r2.get('sb:int')).toBe('3');
    expect(db().getExpire('sb:int')).toBeGreaterThan(Date.now());
  });

  it('BITFIELD counts one change per effective write and fires one setbit', async () => {
    const dirty0 = running.server.dirty;
    const seen = await eventsAfter(() => r2.bitfield('bf:a', 'SET', 'i5', 0, 0, 'SET', 'u3', 5, 1, 'INCRBY', 'u3', 5, 0));
    expect(seen).toEqual(['new bf:a', 'setbit bf:a']);
    expect(running.server.dirty - dirty0).toBe(3); // the key was created: every op counts
    expect(await r2.bitfield('bf:a', 'SET', 'i5', 0, 0, 'INCRBY', 'u3', 5, 1)).toEqual([0, 2]);
    expect(running.server.dirty - dirty0).toBe(4);
    expect(await r2.bitfield('bf:a', 'OVERFLOW', 'FAIL', 'INCRBY', 'u3', 5, 10)).toEqual([null]);
    expect(running.server.dirty - dirty0).toBe(4);
    expect(await raw.call('BITFIELD', 'bf:a', 'OVERFLOW', 'FAIL', 'INCRBY', 'u3', '5', '10')).toBe('*1\r\n$-1\r\n');
  });

  it('BITFIELD handles 64-bit fields exactly', async () => {
    expect(await raw.call('BITFIELD', 'bf:64', 'SET', 'i64', '3', '-9223372036854775807', 'GET', 'i64', '3', 'GET', 'u63', '3'))
      .toBe('*3\r\n:0\r\n:-9223372036854775807\r\n:4611686018427387904\r\n');
    expect(await raw.call('BITFIELD', 'bf:64', 'INCRBY', 'i64', '3', '-2')).toBe('*1\r\n:9223372036854775807\r\n');
    // Bits 0..62 are now 0000 then 59 ones: 2^59 - 1, minus one.
    expect(await raw.call('BITFIELD', 'bf:64', 'OVERFLOW', 'SAT', 'INCRBY', 'i64', '3', '1', 'INCRBY', 'u63', '#0', '-1'))
      .toBe('*2\r\n:9223372036854775807\r\n:576460752303423486\r\n');
  });

  it('BITFIELD_RO and GET-only BITFIELD never create the key', async () => {
    expect(await r2.call('BITFIELD_RO', 'bf:none', 'GET', 'u8', '0')).toEqual([0]);
    expect(await r2.bitfield('bf:none', 'GET', 'i8', 100)).toEqual([0]);
    expect(await r2.exists('bf:none')).toBe(0);
  });

  it('BITOP stores a raw result with a set event, and deletes the target for an empty result', async () => {
    await r2.set('op:a', 'ab');
    await r2.set('op:t', 'old', 'EX', 1000);
    expect(await eventsAfter(() => r2.bitop('NOT', 'op:t', 'op:a'))).toEqual(['set op:t']);
    expect(db().getExpire('op:t')).toBeUndefined();
    expect(await r2.getBuffer('op:t')).toEqual(Buffer.from([~0x61 & 0xff, ~0x62 & 0xff]));
    expect(db().peek('op:t')).toBeInstanceOf(MutableString);
    expect(await eventsAfter(() => r2.bitop('OR', 'op:t', 'op:none1', 'op:none2'))).toEqual(['del op:t']);
    expect(await r2.exists('op:t')).toBe(0);
  });

  it('BITOP agrees with byte-wise JS on long random inputs of different lengths', async () => {
    const rand = prng(7);
    const inputs = [3000, 2048, 17].map((n) => Buffer.from(Array.from({ length: n }, () => Math.floor(rand() * 256))));
    await r2.set('op:x', inputs[0]);
    await r2.set('op:y', inputs[1]);
    await r2.set('op:z', inputs[2]);
    const at = (b: Buffer, i: number): number => (i < b.length ? b[i] : 0);
    const expected = (f: (a: number, b: number) => number): Buffer =>
      Buffer.from(Array.from({ length: 3000 }, (_, i) => f(f(at(inputs[0], i), at(inputs[1], i)), at(inputs[2], i)) & 0xff));
    for (const [op, f] of [['AND', (a: number, b: number) => a & b], ['OR', (a: number, b: number) => a | b], ['XOR', (a: number, b: number) => a ^ b]] as const) {
      expect(await r2.bitop(op, 'op:res', 'op:x', 'op:y', 'op:z')).toBe(3000);
      expect(await r2.getBuffer('op:res')).toEqual(expected(f));
    }
  });

  it('BITCOUNT and BITPOS agree with a naive bit scan over random ranges', async () => {
    const rand = prng(42);
    for (let round = 0; round < 6; round++) {
      const length = 1 + Math.floor(rand() * 40);
      const bytes = Buffer.from(Array.from({ length }, () => {
        const r = rand();
        return r < 0.3 ? 0 : r < 0.6 ? 255 : Math.floor(rand() * 256);
      }));
      await r2.set('scan:k', bytes);
      for (let q = 0; q < 60; q++) {
        const unitBits = rand() < 0.5;
        const span = unitBits ? length * 8 : length;
        const start = Math.floor(rand() * span * 2.4) - Math.floor(span * 1.2);
        const end = Math.floor(rand() * span * 2.4) - Math.floor(span * 1.2);
        const unit = unitBits ? 'BIT' : 'BYTE';
        const range = bitRange(length, start, end, unitBits);
        const emptyByNegatives = start < 0 && end < 0 && start > end;
        const count = await r2.call('BITCOUNT', 'scan:k', String(start), String(end), unit);
        expect(count, `BITCOUNT ${start} ${end} ${unit}`).toBe(emptyByNegatives ? 0 : naiveBitcount(bytes, range));
        for (const bit of [0, 1]) {
          const pos = await r2.call('BITPOS', 'scan:k', String(bit), String(start), String(end), unit);
          expect(pos, `BITPOS ${bit} ${start} ${end} ${unit}`).toBe(naiveBitpos(bytes, bit, range, true));
        }
        const byteStart = Math.floor(rand() * length * 2) - length;
        for (const bit of [0, 1]) {
          const pos = await r2.call('BITPOS', 'scan:k', String(bit), String(byteStart));
          expect(pos, `BITPOS ${bit} ${byteStart}`).toBe(naiveBitpos(bytes, bit, bitRange(length, byteStart, -1, false), false));
        }
      }
    }
  });

  it('bit offsets stop at proto-max-bulk-len and a far SETBIT zero-fills', async () => {
    await expect(r2.setbit('far', 4294967296, 1)).rejects.toThrow('ERR bit offset is not an integer or out of range');
    await expect(r2.setbit('far', 0, 2)).rejects.toThrow('ERR bit is not an integer or out of range');
    expect(await r2.exists('far')).toBe(0);
    expect(await r2.setbit('far', 8_000_007, 1)).toBe(0);
    expect(await r2.strlen('far')).toBe(1_000_001);
    expect(await r2.bitcount('far')).toBe(1);
    expect(await r2.bitpos('far', 1)).toBe(8_000_007);
    expect(await r3.bitpos('far', 0, -1)).toBe(8_000_000);
    expect(await r3.getbit('far', 8_000_007)).toBe(1);
  });
});
