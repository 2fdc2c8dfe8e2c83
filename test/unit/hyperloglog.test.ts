// Property tests of the HyperLogLog representation (store/types/hyperloglog.ts) against simple
// reference models: MurmurHash64A written with BigInt straight from its definition, and plain
// registers (one byte each) updated with MAX. The sparse and dense encodings must hold the same
// registers as the model, and the estimate must stay within HyperLogLog's expected error.

import { describe, expect, it } from 'vitest';
import {
  HLL_DENSE_BYTES, HLL_ENCODING_DENSE, HLL_ENCODING_SPARSE, HLL_REGISTERS, countHll, countRegisters, createHll,
  decodeSparse, denseRegister, elementPattern, hllAdd, hllSelfTest, isHllString, mergeRegisters, murmurHash64A,
  sparseToDense, terminatorOf,
} from '../../src/store/types/hyperloglog.js';
import type { MutableString } from '../../src/store/types/string.js';
import { prng } from '../helpers/random.js';

const MASK64 = (1n << 64n) - 1n;
const M = 0xc6a4a7935bd1e995n;

/** MurmurHash64A over bytes, with Redis's seed, in BigInt arithmetic. */
function referenceMurmur(bytes: Buffer): bigint {
  const len = BigInt(bytes.length);
  let h = (0xadc83b19n ^ ((len * M) & MASK64)) & MASK64;
  const blocks = bytes.length - (bytes.length % 8);
  for (let i = 0; i < blocks; i += 8) {
    let k = bytes.readBigUInt64LE(i);
    k = (k * M) & MASK64;
    k ^= k >> 47n;
    k = (k * M) & MASK64;
    h ^= k;
    h = (h * M) & MASK64;
  }
  const tail = bytes.length % 8;
  if (tail > 0) {
    for (let t = tail - 1; t >= 0; t--) h ^= BigInt(bytes[blocks + t]) << BigInt(8 * t);
    h = (h * M) & MASK64;
  }
  h ^= h >> 47n;
  h = (h * M) & MASK64;
  h ^= h >> 47n;
  return h;
}

/** hllPatLen in the reference model: [register, run of zeros above the index, plus one]. */
function referencePattern(bytes: Buffer): [number, number] {
  const hash = referenceMurmur(bytes);
  const index = Number(hash & 0x3fffn);
  let rest = (hash >> 14n) | (1n << 50n);
  let count = 1;
  while ((rest & 1n) === 0n) {
    count++;
    rest >>= 1n;
  }
  return [index, count];
}

function randomElement(random: () => number, maxLength: number): string {
  const length = Math.floor(random() * (maxLength + 1));
  let s = '';
  for (let i = 0; i < length; i++) s += String.fromCharCode(Math.floor(random() * 256));
  return s;
}

/** The registers an HLL's bytes hold, whatever the encoding. */
function registersOf(hll: MutableString): Uint8Array {
  const registers = new Uint8Array(HLL_REGISTERS);
  expect(mergeRegisters(registers, hll.bytes(), terminatorOf(hll))).toBe(true);
  return registers;
}

describe('HyperLogLog representation', () => {
  it('hashes like MurmurHash64A with Redis seed, for every tail length', () => {
    const random = prng(1);
    for (let n = 0; n < 2000; n++) {
      const element = randomElement(random, 40);
      const expected = referenceMurmur(Buffer.from(element, 'latin1'));
      const [hi, lo] = murmurHash64A(element);
      expect((BigInt(hi) << 32n) | BigInt(lo)).toBe(expected);
      const [index, count] = referencePattern(Buffer.from(element, 'latin1'));
      const pattern = elementPattern(element);
      expect([pattern & 0x3fff, pattern >>> 14]).toEqual([index, count]);
    }
  });

  it('keeps sparse and dense registers equal to a plain register model', { timeout: 60_000 }, () => {
    const random = prng(2);
    for (let round = 0; round < 8; round++) {
      const model = new Uint8Array(HLL_REGISTERS);
      // A huge sparse limit keeps one copy sparse throughout; the default one converts.
      const sparse = createHll();
      const dense = createHll();
      expect(sparseToDense(dense)).toBe(true);
      const limited = createHll();
      const size = Math.floor(random() * (round % 4 === 0 ? 4000 : 1500));
      for (let i = 0; i < size; i++) {
        const element = randomElement(random, 24);
        const [index, count] = referencePattern(Buffer.from(element, 'latin1'));
        const changed = count > model[index];
        if (changed) model[index] = count;
        const sparseResult = hllAdd(sparse, element, Number.MAX_SAFE_INTEGER);
        // Past value 32 a VAL opcode cannot hold the register: the HLL goes dense.
        if (sparse.buf[4] === HLL_ENCODING_SPARSE) expect(sparseResult).toBe(changed ? 1 : 0);
        expect(hllAdd(dense, element, 3000)).toBe(changed ? 1 : 0);
        hllAdd(limited, element, 3000);
      }
      expect(registersOf(sparse)).toEqual(model);
      expect(registersOf(dense)).toEqual(model);
      expect(registersOf(limited)).toEqual(model);
      if (limited.buf[4] === HLL_ENCODING_SPARSE) expect(limited.length).toBeLessThanOrEqual(3000);
      for (let j = 0; j < HLL_REGISTERS; j += 97) expect(denseRegister(dense.bytes(), j)).toBe(model[j]);
      const estimate = countRegisters(model);
      expect(countHll(dense.bytes(), 0)).toBe(estimate);
      expect(countHll(sparse.bytes(), terminatorOf(sparse))).toBe(estimate);
      expect(countHll(limited.bytes(), terminatorOf(limited))).toBe(estimate);
    }
  });

  it('writes canonical sparse opcodes: runs merged, VALs of at most 4, totals of 16384', () => {
    const random = prng(3);
    const hll = createHll();
    for (let i = 0; i < 800; i++) hllAdd(hll, randomElement(random, 16), 3000);
    expect(hll.buf[4]).toBe(HLL_ENCODING_SPARSE);
    const ops = decodeSparse(hll.bytes(), 0).split(' ');
    let total = 0;
    let previous = '';
    for (const op of ops) {
      const [kind, body] = op.split(':');
      if (kind === 'v') {
        const [value, run] = body.split(',').map(Number);
        expect(run).toBeGreaterThanOrEqual(1);
        expect(run).toBeLessThanOrEqual(4);
        expect(value).toBeLessThanOrEqual(32);
        // Two adjacent VALs of one value would have been merged while they fit in one.
        if (previous.startsWith('v:')) {
          const [prevValue, prevRun] = previous.slice(2).split(',').map(Number);
          if (prevValue === value) expect(prevRun + run).toBeGreaterThan(4);
        }
        total += run;
      } else {
        total += Number(body);
      }
      previous = op;
    }
    expect(total).toBe(HLL_REGISTERS);
  });

  it('estimates within the expected error of the true count', () => {
    const random = prng(4);
    // 1.04 / sqrt(16384) is one standard error; allow four, plus one for tiny sets.
    const standardError = 1.04 / Math.sqrt(HLL_REGISTERS);
    for (const size of [0, 1, 10, 100, 1000, 5000, 20000, 100000]) {
      const hll = createHll();
      const seen = new Set<string>();
      while (seen.size < size) {
        const element = `${seen.size}:${randomElement(random, 8)}`;
        seen.add(element);
        hllAdd(hll, element, 3000);
      }
      const estimate = countHll(hll.bytes(), terminatorOf(hll));
      expect(Math.abs(estimate - size)).toBeLessThanOrEqual(Math.ceil(4 * standardError * size) + 1);
    }
  });

  it('builds empty and dense HLLs of Redis sizes, recognised as HLL strings', () => {
    const hll = createHll();
    expect(hll.toString()).toBe('HYLL\x01\0\0\0\0\0\0\0\0\0\0\0\x7f\xff');
    expect(isHllString(hll)).toBe(true);
    expect(isHllString(hll.toString())).toBe(true);
    expect(countHll(hll.bytes(), 0)).toBe(0);
    expect(sparseToDense(hll)).toBe(true);
    expect(hll.length).toBe(HLL_DENSE_BYTES);
    expect(hll.buf[4]).toBe(HLL_ENCODING_DENSE);
    expect(isHllString(hll)).toBe(true);
    expect(isHllString(hll.toString().slice(0, -1))).toBe(false);
    expect(isHllString('HYLL\x02' + '\0'.repeat(13))).toBe(false);
    expect(isHllString('HYLX\x01' + '\0'.repeat(13))).toBe(false);
    expect(isHllString('HYLL\x01' + '\0'.repeat(10))).toBe(false);
  });

  it('never throws or loops on random bytes after a valid header', () => {
    const random = prng(5);
    for (let n = 0; n < 3000; n++) {
      const body = Buffer.alloc(Math.floor(random() * 64));
      for (let i = 0; i < body.length; i++) body[i] = Math.floor(random() * 256);
      const bytes = Buffer.concat([Buffer.from('HYLL\x01\0\0\0\0\0\0\0\0\0\0\x80', 'latin1'), body]);
      const hll = createHll();
      hll.buf = Buffer.concat([bytes, Buffer.alloc(8)]);
      hll.length = bytes.length;
      const count = countHll(hll.bytes(), terminatorOf(hll));
      const registers = new Uint8Array(HLL_REGISTERS);
      expect(mergeRegisters(registers, hll.bytes(), 0)).toBe(count >= 0);
      for (let i = 0; i < 3; i++) {
        const result = hllAdd(hll, randomElement(random, 8), 3000);
        expect([-1, 0, 1]).toContain(result);
      }
      decodeSparse(hll.bytes(), terminatorOf(hll));
    }
  });

  it('passes its own self test (PFSELFTEST)', () => {
    expect(hllSelfTest(3000)).toBeNull();
  }, 60_000);
});
