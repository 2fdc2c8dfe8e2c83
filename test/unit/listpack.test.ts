import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import {
  LP_EMPTY, canonicalInt64, lpAppend, lpBytes, lpDelete, lpDeleteRange, lpEntryBytes, lpEquals, lpFind, lpFirst,
  lpFromArray, lpGet, lpGetDetached, lpGetNumber, lpInsertAfter, lpInsertBefore, lpIsInteger, lpLast, lpLength,
  lpNext, lpPrepend, lpPrev, lpReplace, lpSeek, lpToArray, lpValidate,
} from '../../src/store/encodings/listpack.js';
import { prng } from '../helpers/random.js';
import { startReferenceServer, type ReferenceServer } from '../helpers/reference.js';

/** Elements that exercise every encoding: small/13/16/24/32/64-bit ints, 6/12/32-bit strings. */
function randomElement(rand: () => number): string {
  const pick = Math.floor(rand() * 12);
  const ints = [0, 127, 128, -1, 4095, -4096, 4096, 32767, -32768, 8388607, -8388608, 2147483647, -2147483648];
  switch (pick) {
    case 0: return String(ints[Math.floor(rand() * ints.length)]);
    case 1: return String(Math.floor(rand() * 2 ** 40) - 2 ** 39);
    case 2: return rand() < 0.5 ? '9223372036854775807' : '-9223372036854775808';
    case 3: return ['9223372036854775808', '007', '-0', '+1', ' 1', '1 ', '', '-'][Math.floor(rand() * 8)];
    case 4: return 'x'.repeat(60 + Math.floor(rand() * 10));
    case 5: return 'y'.repeat(4090 + Math.floor(rand() * 10));
    case 6: return String.fromCharCode(...Array.from({ length: Math.floor(rand() * 20) }, () => Math.floor(rand() * 256)));
    default: return `item:${Math.floor(rand() * 1000)}`;
  }
}

function walkForward(lp: string): string[] {
  const out: string[] = [];
  for (let off = lpFirst(lp); off !== -1; off = lpNext(lp, off)) out.push(lpGet(lp, off));
  return out;
}

function walkBackward(lp: string): string[] {
  const out: string[] = [];
  for (let off = lpLast(lp); off !== -1; off = lpPrev(lp, off)) out.unshift(lpGet(lp, off));
  return out;
}

describe('listpack against an array model', () => {
  it('keeps the same elements through random edits, readable from both ends', () => {
    const rand = prng(1234);
    for (let round = 0; round < 40; round++) {
      let lp = LP_EMPTY;
      const model: string[] = [];
      for (let step = 0; step < 120; step++) {
        const op = Math.floor(rand() * 7);
        const value = randomElement(rand);
        const index = model.length === 0 ? 0 : Math.floor(rand() * model.length);
        if (op === 0 || model.length === 0) {
          lp = lpAppend(lp, value);
          model.push(value);
        } else if (op === 1) {
          lp = lpPrepend(lp, value);
          model.unshift(value);
        } else if (op === 2) {
          lp = lpInsertBefore(lp, lpSeek(lp, index), value);
          model.splice(index, 0, value);
        } else if (op === 3) {
          lp = lpInsertAfter(lp, lpSeek(lp, index), value);
          model.splice(index + 1, 0, value);
        } else if (op === 4) {
          lp = lpReplace(lp, lpSeek(lp, index), value);
          model[index] = value;
        } else if (op === 5) {
          const count = 1 + Math.floor(rand() * 3);
          lp = lpDelete(lp, lpSeek(lp, index), count);
          model.splice(index, count);
        } else {
          const count = Math.floor(rand() * 3);
          lp = lpDeleteRange(lp, index, count);
          model.splice(index, count);
        }
        expect(lpLength(lp)).toBe(model.length);
        expect(lpBytes(lp)).toBe(lp.length);
      }
      expect(walkForward(lp)).toEqual(model);
      expect(walkBackward(lp)).toEqual(model);
      expect(lpToArray(lp)).toEqual(model);
      expect(lpValidate(lp)).toBe(true);
      for (let i = 0; i < model.length; i++) {
        expect(lpGet(lp, lpSeek(lp, i))).toBe(model[i]);
        expect(lpGet(lp, lpSeek(lp, i - model.length))).toBe(model[i]);
        expect(lpEquals(lp, lpSeek(lp, i), model[i])).toBe(true);
        expect(lpGetDetached(lp, lpSeek(lp, i))).toBe(model[i]);
      }
      expect(lpSeek(lp, model.length)).toBe(-1);
      expect(lpSeek(lp, -model.length - 1)).toBe(-1);
      expect(lpFromArray(model)).toBe(lp);
    }
  });

  it('sizes each entry as it is written', () => {
    const rand = prng(99);
    for (let i = 0; i < 500; i++) {
      const value = randomElement(rand);
      expect(lpBytes(lpAppend(LP_EMPTY, value)) - lpBytes(LP_EMPTY)).toBe(lpEntryBytes(value));
    }
  });

  it('stores canonical int64 texts as integers, and nothing else', () => {
    for (const text of ['0', '1', '-1', '127', '128', '-4096', '9223372036854775807', '-9223372036854775808']) {
      expect(canonicalInt64(text)).not.toBeNull();
      expect(lpIsInteger(lpFromArray([text]), lpFirst(lpFromArray([text])))).toBe(true);
    }
    for (const text of ['', '-', '-0', '01', '+1', ' 1', '1.0', '9223372036854775808', '-9223372036854775809', '123456789012345678901']) {
      expect(canonicalInt64(text)).toBeNull();
      expect(lpIsInteger(lpFromArray([text]), lpFirst(lpFromArray([text])))).toBe(false);
    }
    const lp = lpFromArray(['-3000', '70000', '-2000000000']);
    expect([lpGetNumber(lp, lpSeek(lp, 0)), lpGetNumber(lp, lpSeek(lp, 1)), lpGetNumber(lp, lpSeek(lp, 2))]).toEqual([-3000, 70000, -2000000000]);
  });

  it('finds field names among pairs', () => {
    const lp = lpFromArray(['a', 'b', 'b', 'c', '10', '20']);
    expect(lpFind(lp, lpFirst(lp), 'b', 1)).toBe(lpSeek(lp, 2));
    expect(lpFind(lp, lpFirst(lp), 'c', 1)).toBe(-1);
    expect(lpFind(lp, lpFirst(lp), '10', 1)).toBe(lpSeek(lp, 4));
    expect(lpFind(lp, lpFirst(lp), '010', 1)).toBe(-1);
  });

  it('rejects damaged listpacks without throwing', () => {
    const rand = prng(7);
    const good = lpFromArray(Array.from({ length: 30 }, () => randomElement(rand)));
    expect(lpValidate(good)).toBe(true);
    let rejected = 0;
    for (let i = 0; i < 3000; i++) {
      const chars = good.split('');
      const flips = 1 + Math.floor(rand() * 3);
      for (let f = 0; f < flips; f++) chars[Math.floor(rand() * chars.length)] = String.fromCharCode(Math.floor(rand() * 256));
      const bad = chars.join('').slice(0, rand() < 0.2 ? Math.floor(rand() * good.length) : good.length);
      if (!lpValidate(bad)) rejected++;
    }
    expect(rejected).toBeGreaterThan(0);
    expect(lpValidate('')).toBe(false);
    expect(lpValidate(LP_EMPTY)).toBe(true);
  });
});

describe('listpack bytes equal redis-server 7.0 (from its DUMP of a listpack hash)', () => {
  let ref: ReferenceServer;
  let redis: Redis;
  beforeAll(async () => {
    ref = await startReferenceServer(['--rdbcompression', 'no', '--hash-max-listpack-value', '10000', '--hash-max-listpack-entries', '1000']);
    redis = new Redis({ port: ref.port, lazyConnect: true });
    await redis.connect();
  });
  afterAll(async () => {
    redis.disconnect();
    await ref.stop();
  });

  it('encodes every kind of element byte for byte', async () => {
    const rand = prng(42);
    const elements: string[] = [];
    for (let i = 0; i < 200; i++) elements.push(`f${i}`, randomElement(rand));
    const args = elements.map((e) => Buffer.from(e, 'latin1'));
    await redis.hset('h', ...args);
    const payload = (await redis.dumpBuffer('h')).toString('latin1');
    // RDB_TYPE_HASH_LISTPACK (16), then the listpack as a length-prefixed string (32-bit length
    // form 0x80 for a listpack this large), then the RDB version and CRC64.
    expect(payload.charCodeAt(0)).toBe(16);
    expect(payload.charCodeAt(1)).toBe(0x80);
    const length = payload.charCodeAt(2) * 2 ** 24 + (payload.charCodeAt(3) << 16) + (payload.charCodeAt(4) << 8) + payload.charCodeAt(5);
    const theirs = payload.slice(6, 6 + length);
    expect(lpFromArray(elements)).toBe(theirs);
    expect(lpToArray(theirs)).toEqual(elements);
    expect(lpValidate(theirs)).toBe(true);
  });
});
