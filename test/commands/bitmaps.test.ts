import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MutableString } from '../../src/store/values.js';
import { EventCollector } from '../helpers/events.js';
import { prng } from '../helpers/random.js';
import { withServer } from '../helpers/server.js';

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
  // Not "A": the config keeps the class string, and Redis's canonical form of "A" has no "n".
  const server = withServer({ 'notify-keyspace-events': 'KEg$n' });
  let keyEvents: EventCollector;

  beforeAll(async () => {
    keyEvents = await EventCollector.start(server.port);
  });

  afterAll(() => {
    keyEvents.close();
  });

  it('SETBIT counts dirty and fires setbit only when a bit or the length changes', async () => {
    const dirty0 = server.running.server.dirty;
    expect(await keyEvents.during(() => server.r2.setbit('sb:a', 0, 0))).toEqual(['new sb:a', 'setbit sb:a']);
    expect(server.running.server.dirty - dirty0).toBe(1);
    expect(await keyEvents.during(() => server.r2.setbit('sb:a', 0, 0))).toEqual([]);
    expect(server.running.server.dirty - dirty0).toBe(1);
    expect(await server.r2.setbit('sb:a', 0, 1)).toBe(0);
    expect(await server.r2.setbit('sb:a', 0, 1)).toBe(1);
    expect(server.running.server.dirty - dirty0).toBe(2);
    expect(await server.r2.setbit('sb:a', 40, 0)).toBe(0); // only the length changes
    expect(server.running.server.dirty - dirty0).toBe(3);
    expect(await server.r2.strlen('sb:a')).toBe(6);
    expect(server.db().peek('sb:a')).toBeInstanceOf(MutableString);
  });

  it('a SETBIT that changes nothing does not break a WATCH', async () => {
    await server.r2.setbit('sb:w', 3, 1);
    await server.r3.watch('sb:w');
    await server.r2.setbit('sb:w', 3, 1);
    expect(await server.r3.multi().getbit('sb:w', 3).exec()).toEqual([[null, 1]]);
    await server.r3.watch('sb:w');
    await server.r2.setbit('sb:w', 3, 0);
    expect(await server.r3.multi().getbit('sb:w', 3).exec()).toBeNull();
  });

  it('SETBIT keeps the TTL and converts an int-encoded value in place', async () => {
    await server.r2.set('sb:int', '1', 'EX', 1000);
    expect(await server.r2.setbit('sb:int', 6, 1)).toBe(0);
    expect(await server.r2.get('sb:int')).toBe('3');
    expect(server.db().getExpire('sb:int')).toBeGreaterThan(Date.now());
  });

  it('BITFIELD counts one change per effective write and fires one setbit', async () => {
    const dirty0 = server.running.server.dirty;
    const seen = await keyEvents.during(() => server.r2.call('BITFIELD', 'bf:a', 'SET', 'i5', 0, 0, 'SET', 'u3', 5, 1, 'INCRBY', 'u3', 5, 0));
    expect(seen).toEqual(['new bf:a', 'setbit bf:a']);
    expect(server.running.server.dirty - dirty0).toBe(3); // the key was created: every op counts
    expect(await server.r2.call('BITFIELD', 'bf:a', 'SET', 'i5', 0, 0, 'INCRBY', 'u3', 5, 1)).toEqual([0, 2]);
    expect(server.running.server.dirty - dirty0).toBe(4);
    expect(await server.r2.bitfield('bf:a', 'OVERFLOW', 'FAIL', 'INCRBY', 'u3', 5, 10)).toEqual([null]);
    expect(server.running.server.dirty - dirty0).toBe(4);
    expect(await server.raw.call('BITFIELD', 'bf:a', 'OVERFLOW', 'FAIL', 'INCRBY', 'u3', '5', '10')).toBe('*1\r\n$-1\r\n');
  });

  it('BITFIELD handles 64-bit fields exactly', async () => {
    expect(await server.raw.call('BITFIELD', 'bf:64', 'SET', 'i64', '3', '-9223372036854775807', 'GET', 'i64', '3', 'GET', 'u63', '3'))
      .toBe('*3\r\n:0\r\n:-9223372036854775807\r\n:4611686018427387904\r\n');
    expect(await server.raw.call('BITFIELD', 'bf:64', 'INCRBY', 'i64', '3', '-2')).toBe('*1\r\n:9223372036854775807\r\n');
    // Bits 0..62 are now 0000 then 59 ones: 2^59 - 1, minus one.
    expect(await server.raw.call('BITFIELD', 'bf:64', 'OVERFLOW', 'SAT', 'INCRBY', 'i64', '3', '1', 'INCRBY', 'u63', '#0', '-1'))
      .toBe('*2\r\n:9223372036854775807\r\n:576460752303423486\r\n');
  });

  it('BITFIELD_RO and GET-only BITFIELD never create the key', async () => {
    expect(await server.r2.call('BITFIELD_RO', 'bf:none', 'GET', 'u8', '0')).toEqual([0]);
    expect(await server.r2.bitfield('bf:none', 'GET', 'i8', 100)).toEqual([0]);
    expect(await server.r2.exists('bf:none')).toBe(0);
  });

  it('BITOP stores a raw result with a set event, and deletes the target for an empty result', async () => {
    await server.r2.set('op:a', 'ab');
    await server.r2.set('op:t', 'old', 'EX', 1000);
    expect(await keyEvents.during(() => server.r2.bitop('NOT', 'op:t', 'op:a'))).toEqual(['set op:t']);
    expect(server.db().getExpire('op:t')).toBeUndefined();
    expect(await server.r2.getBuffer('op:t')).toEqual(Buffer.from([~0x61 & 0xff, ~0x62 & 0xff]));
    expect(server.db().peek('op:t')).toBeInstanceOf(MutableString);
    expect(await keyEvents.during(() => server.r2.bitop('OR', 'op:t', 'op:none1', 'op:none2'))).toEqual(['del op:t']);
    expect(await server.r2.exists('op:t')).toBe(0);
  });

  it('BITOP agrees with byte-wise JS on long random inputs of different lengths', async () => {
    const rand = prng(7);
    const inputs = [3000, 2048, 17].map((n) => Buffer.from(Array.from({ length: n }, () => Math.floor(rand() * 256))));
    await server.r2.set('op:x', inputs[0]);
    await server.r2.set('op:y', inputs[1]);
    await server.r2.set('op:z', inputs[2]);
    const at = (b: Buffer, i: number): number => (i < b.length ? b[i] : 0);
    const expected = (f: (a: number, b: number) => number): Buffer =>
      Buffer.from(Array.from({ length: 3000 }, (_, i) => f(f(at(inputs[0], i), at(inputs[1], i)), at(inputs[2], i)) & 0xff));
    for (const [op, f] of [['AND', (a: number, b: number) => a & b], ['OR', (a: number, b: number) => a | b], ['XOR', (a: number, b: number) => a ^ b]] as const) {
      expect(await server.r2.call('BITOP', op, 'op:res', 'op:x', 'op:y', 'op:z')).toBe(3000);
      expect(await server.r2.getBuffer('op:res')).toEqual(expected(f));
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
      await server.r2.set('scan:k', bytes);
      for (let q = 0; q < 60; q++) {
        const unitBits = rand() < 0.5;
        const span = unitBits ? length * 8 : length;
        const start = Math.floor(rand() * span * 2.4) - Math.floor(span * 1.2);
        const end = Math.floor(rand() * span * 2.4) - Math.floor(span * 1.2);
        const unit = unitBits ? 'BIT' : 'BYTE';
        const range = bitRange(length, start, end, unitBits);
        const emptyByNegatives = start < 0 && end < 0 && start > end;
        const count = await server.r2.call('BITCOUNT', 'scan:k', String(start), String(end), unit);
        expect(count, `BITCOUNT ${start} ${end} ${unit}`).toBe(emptyByNegatives ? 0 : naiveBitcount(bytes, range));
        for (const bit of [0, 1]) {
          const pos = await server.r2.call('BITPOS', 'scan:k', String(bit), String(start), String(end), unit);
          expect(pos, `BITPOS ${bit} ${start} ${end} ${unit}`).toBe(naiveBitpos(bytes, bit, range, true));
        }
        const byteStart = Math.floor(rand() * length * 2) - length;
        for (const bit of [0, 1]) {
          const pos = await server.r2.call('BITPOS', 'scan:k', String(bit), String(byteStart));
          expect(pos, `BITPOS ${bit} ${byteStart}`).toBe(naiveBitpos(bytes, bit, bitRange(length, byteStart, -1, false), false));
        }
      }
    }
  });

  it('bit offsets stop at proto-max-bulk-len and a far SETBIT zero-fills', async () => {
    await expect(server.r2.setbit('far', 4294967296, 1)).rejects.toThrow('ERR bit offset is not an integer or out of range');
    await expect(server.r2.setbit('far', 0, 2)).rejects.toThrow('ERR bit is not an integer or out of range');
    expect(await server.r2.exists('far')).toBe(0);
    expect(await server.r2.setbit('far', 8_000_007, 1)).toBe(0);
    expect(await server.r2.strlen('far')).toBe(1_000_001);
    expect(await server.r2.bitcount('far')).toBe(1);
    expect(await server.r2.bitpos('far', 1)).toBe(8_000_007);
    expect(await server.r3.bitpos('far', 0, -1)).toBe(8_000_000);
    expect(await server.r3.getbit('far', 8_000_007)).toBe(1);
  });
});
