// HyperLogLog, byte for byte as Redis 7.0 keeps it inside a string value (hyperloglog.c):
//
//   "HYLL" | encoding (0 dense, 1 sparse) | 3 unused bytes | cached cardinality, 8 bytes LE
//
// The top bit of the cardinality's last byte marks the cache stale. Dense: 16384 registers of
// 6 bits packed from the least significant bit of each byte (12288 bytes). Sparse: a run-length
// code of ZERO (00xxxxxx, 1-64 zero registers), XZERO (01xxxxxx yyyyyyyy, 1-16384 zero
// registers) and VAL (1vvvvvxx, 1-4 registers of value 1-32) opcodes. Elements are hashed with
// MurmurHash64A (seed 0xadc83b19); the low 14 bits pick the register, the run of zero bits
// above them (plus one) is the candidate value. The estimate is Ertl's improved estimator
// ("New cardinality estimation algorithms for HyperLogLog sketches", arXiv:1702.01284).
//
// A live HLL is a MutableString (OBJECT ENCODING "raw", as Redis's createHLLObject makes it):
// commands change its Buffer in place, so GET, SETRANGE and APPEND keep working on the same
// bytes. Redis reads one byte past the end of its strings in places (the sds terminator); reads
// here check the length and use that byte's value instead (see terminatorOf).
//
// The reference is redis-server 7.0.15 as the test machines ship it, with the CVE-2025-32023 fix:
// a sparse HLL whose opcodes run past register 16383 is corrupt wherever it is decoded.

import { MutableString } from './string.js';

export const HLL_REGISTERS = 16384;
export const HLL_HEADER_BYTES = 16;
/** Header plus 16384 registers of 6 bits. */
export const HLL_DENSE_BYTES = HLL_HEADER_BYTES + (HLL_REGISTERS * 6) / 8;
export const HLL_ENCODING_DENSE = 0;
export const HLL_ENCODING_SPARSE = 1;
/** The largest value a sparse VAL opcode holds; a bigger register forces the dense encoding. */
const SPARSE_VAL_MAX_VALUE = 32;
const SPARSE_VAL_MAX_LEN = 4;
const SPARSE_ZERO_MAX_LEN = 64;
/** Byte offset of the cached cardinality in the header. */
const CARD_OFFSET = 8;
/** Bit 7 of the cardinality's last byte: set when the cached value is stale. */
const CARD_STALE_BIT = 0x80;
/** Bits of the hash above the register index: the zero run is at most Q + 1 = 51. */
const HLL_Q = 50;
const REGISTER_MASK = HLL_REGISTERS - 1;
/** 0.5 / ln(2): the estimator's constant at m -> infinity. */
const ALPHA_INF = 0.72134752044448170368;
/** What Redis's llroundl yields (as a uint64) when the estimate does not fit an int64: 2^63. */
export const CARDINALITY_OVERFLOW = 9223372036854775808;
const TWO_POW_32 = 4294967296;

// ---------------------------------------------------------------------------- MurmurHash64A

/** The 64-bit multiplier of MurmurHash64A, split in 32-bit halves. */
const M_HI = 0xc6a4a793;
const M_LO = 0x5bd1e995;
const HASH_SEED = 0xadc83b19;

// 64-bit values are pairs of uint32 halves held in locals: no object or BigInt per step, since
// PFADD hashes every element and PFSELFTEST hashes ten million.

/** The high 32 bits of the 64-bit product of two uint32. */
function mulHigh(a: number, b: number): number {
  const a0 = a & 0xffff;
  const a1 = a >>> 16;
  const b0 = b & 0xffff;
  const b1 = b >>> 16;
  const p00 = a0 * b0;
  const p01 = a0 * b1;
  const p10 = a1 * b0;
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  return (a1 * b1 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16)) >>> 0;
}

/** High half of (hi:lo * M) mod 2^64; the low half is Math.imul(lo, M_LO) >>> 0. */
function mulMHigh(hi: number, lo: number): number {
  return (mulHigh(lo, M_LO) + Math.imul(hi, M_LO) + Math.imul(lo, M_HI)) >>> 0;
}

/** Where the hash of the last element went (high, low): read right after hashing. */
const hashOut = new Uint32Array(2);

/**
 * MurmurHash64A (Redis's endian-neutral variant) of `len` bytes: the latin1 string `s`, or when
 * `s` is null the 8-byte little-endian integer wordHi:wordLo. Result in hashOut.
 */
function murmur64(s: string | null, len: number, wordHi: number, wordLo: number): void {
  // h = seed ^ (len * m)
  let hHi = mulMHigh(0, len);
  let hLo = ((Math.imul(len, M_LO) >>> 0) ^ HASH_SEED) >>> 0;
  const blocksEnd = len - (len & 7);
  for (let i = 0; i < blocksEnd; i += 8) {
    let kLo: number;
    let kHi: number;
    if (s === null) {
      kLo = wordLo;
      kHi = wordHi;
    } else {
      kLo = (s.charCodeAt(i) | (s.charCodeAt(i + 1) << 8) | (s.charCodeAt(i + 2) << 16) | (s.charCodeAt(i + 3) << 24)) >>> 0;
      kHi = (s.charCodeAt(i + 4) | (s.charCodeAt(i + 5) << 8) | (s.charCodeAt(i + 6) << 16) | (s.charCodeAt(i + 7) << 24)) >>> 0;
    }
    // k *= m; k ^= k >> 47; k *= m
    let t = mulMHigh(kHi, kLo);
    kLo = Math.imul(kLo, M_LO) >>> 0;
    kHi = t;
    kLo = (kLo ^ (kHi >>> 15)) >>> 0;
    t = mulMHigh(kHi, kLo);
    kLo = Math.imul(kLo, M_LO) >>> 0;
    kHi = t;
    // h ^= k; h *= m
    hHi = (hHi ^ kHi) >>> 0;
    hLo = (hLo ^ kLo) >>> 0;
    t = mulMHigh(hHi, hLo);
    hLo = Math.imul(hLo, M_LO) >>> 0;
    hHi = t;
  }
  const tail = len & 7;
  if (tail > 0 && s !== null) {
    for (let t = tail - 1; t >= 0; t--) {
      const c = s.charCodeAt(blocksEnd + t);
      if (t >= 4) hHi = (hHi ^ (c << ((t - 4) * 8))) >>> 0;
      else hLo = (hLo ^ (c << (t * 8))) >>> 0;
    }
    const t = mulMHigh(hHi, hLo);
    hLo = Math.imul(hLo, M_LO) >>> 0;
    hHi = t;
  }
  // h ^= h >> 47; h *= m; h ^= h >> 47
  hLo = (hLo ^ (hHi >>> 15)) >>> 0;
  const t = mulMHigh(hHi, hLo);
  hLo = Math.imul(hLo, M_LO) >>> 0;
  hHi = t;
  hashOut[0] = hHi;
  hashOut[1] = (hLo ^ (hHi >>> 15)) >>> 0;
}

/** The hash in hashOut as a register index and zero-run length, packed as count << 14 | index. */
function patternOfHash(): number {
  const hHi = hashOut[0];
  const hLo = hashOut[1];
  const index = hLo & REGISTER_MASK;
  // The 50 bits above the index, with bit 50 set so the run ends by Q + 1.
  const low = ((hLo >>> 14) | (hHi << 18)) >>> 0;
  const high = (hHi >>> 14) | (1 << 18);
  const count = low !== 0 ? 32 - Math.clz32(low & -low) : 64 - Math.clz32(high & -high);
  return (count << 14) | index;
}

/** hllPatLen of an element: register index in the low 14 bits, the value above them. */
export function elementPattern(element: string): number {
  murmur64(element, element.length, 0, 0);
  return patternOfHash();
}

/** hllPatLen of an 8-byte little-endian integer (PFSELFTEST's elements). */
function uint64Pattern(hi: number, lo: number): number {
  murmur64(null, 8, hi, lo);
  return patternOfHash();
}

/** MurmurHash64A (Redis's variant and seed) as [high, low] uint32 halves, for tests. */
export function murmurHash64A(element: string): [number, number] {
  murmur64(element, element.length, 0, 0);
  return [hashOut[0], hashOut[1]];
}

// ------------------------------------------------------------------------- header and checks

/** The bytes of a string value, for read-only work (a copy only for a plain string). */
export function hllBytes(value: string | MutableString): Buffer {
  return typeof value === 'string' ? Buffer.from(value, 'latin1') : value.bytes();
}

/**
 * isHLLObjectOrReply's checks on a string value: long enough for the header, the magic, a known
 * encoding, and the exact length for a dense one. Nothing in the registers is checked here.
 */
export function isHllString(value: string | MutableString): boolean {
  if (value.length < HLL_HEADER_BYTES) return false;
  let encoding: number;
  if (typeof value === 'string') {
    if (value.charCodeAt(0) !== 72 || value.charCodeAt(1) !== 89 || value.charCodeAt(2) !== 76 || value.charCodeAt(3) !== 76) return false;
    encoding = value.charCodeAt(4);
  } else {
    const buf = value.buf;
    if (buf[0] !== 72 || buf[1] !== 89 || buf[2] !== 76 || buf[3] !== 76) return false;
    encoding = buf[4];
  }
  if (encoding > HLL_ENCODING_SPARSE) return false;
  return encoding !== HLL_ENCODING_DENSE || value.length === HLL_DENSE_BYTES;
}

export function hllEncoding(bytes: Buffer): number {
  return bytes[4];
}

/** createHLLObject: an empty sparse HLL (one XZERO of 16384), cache valid at 0. */
export function createHll(): MutableString {
  const buf = Buffer.alloc(HLL_HEADER_BYTES + 2);
  buf.latin1Write('HYLL', 0);
  buf[4] = HLL_ENCODING_SPARSE;
  setXzero(buf, HLL_HEADER_BYTES, HLL_REGISTERS);
  return MutableString.over(buf);
}

export function invalidateCache(hll: MutableString): void {
  hll.buf[CARD_OFFSET + 7] |= CARD_STALE_BIT;
}

export function cacheIsValid(hll: MutableString): boolean {
  return (hll.buf[CARD_OFFSET + 7] & CARD_STALE_BIT) === 0;
}

/** The cached cardinality (valid cache: below 2^63), a bigint past 2^53. */
export function cachedCardinality(hll: MutableString): number | bigint {
  const lo = hll.buf.readUInt32LE(CARD_OFFSET);
  const hi = hll.buf.readUInt32LE(CARD_OFFSET + 4);
  if (hi < 0x200000) return hi * TWO_POW_32 + lo;
  return (BigInt(hi) << 32n) | BigInt(lo);
}

/** Stores a computed cardinality (an integer below 2^64) little endian into the header. */
export function storeCardinality(hll: MutableString, card: number): void {
  const lo = card % TWO_POW_32;
  hll.buf.writeUInt32LE(lo, CARD_OFFSET);
  hll.buf.writeUInt32LE((card - lo) / TWO_POW_32, CARD_OFFSET + 4);
}

/** The reply for a cardinality: Redis sends the uint64 as a signed 64-bit integer. */
export function cardinalityReply(card: number): number | bigint {
  return card >= CARDINALITY_OVERFLOW ? BigInt(card) - (1n << 64n) : card;
}

// ----------------------------------------------------------------------------------- dense

export function denseRegister(bytes: Buffer, index: number): number {
  const bit = index * 6;
  const at = HLL_HEADER_BYTES + (bit >>> 3);
  const shift = bit & 7;
  const b0 = bytes[at];
  // Past the last byte Redis reads the sds terminator: zero.
  const b1 = at + 1 < bytes.length ? bytes[at + 1] : 0;
  return ((b0 >>> shift) | (b1 << (8 - shift))) & 63;
}

function setDenseRegister(bytes: Buffer, index: number, value: number): void {
  const bit = index * 6;
  const at = HLL_HEADER_BYTES + (bit >>> 3);
  const shift = bit & 7;
  bytes[at] = (bytes[at] & ~(63 << shift)) | (value << shift);
  if (shift > 2) bytes[at + 1] = (bytes[at + 1] & ~(63 >>> (8 - shift))) | (value >>> (8 - shift));
}

/** hllDenseSet: raises the register to `count` if lower. True when it changed. */
function denseSet(bytes: Buffer, index: number, count: number): boolean {
  if (count <= denseRegister(bytes, index)) return false;
  setDenseRegister(bytes, index, count);
  return true;
}

/** Adds the counts of every dense register value to `histogram` (64 slots). */
function denseHistogram(bytes: Buffer, histogram: Int32Array): void {
  // Sixteen registers fill twelve bytes exactly: no register straddles a group.
  let r = HLL_HEADER_BYTES;
  for (let group = 0; group < HLL_REGISTERS / 16; group++, r += 12) {
    for (let k = 0; k < 12; k += 3) {
      const b0 = bytes[r + k];
      const b1 = bytes[r + k + 1];
      const b2 = bytes[r + k + 2];
      histogram[b0 & 63]++;
      histogram[((b0 >>> 6) | (b1 << 2)) & 63]++;
      histogram[((b1 >>> 4) | (b2 << 4)) & 63]++;
      histogram[b2 >>> 2]++;
    }
  }
}

// ---------------------------------------------------------------------------------- sparse

function setXzero(bytes: Buffer, at: number, length: number): void {
  const l = length - 1;
  bytes[at] = (l >>> 8) | 0x40;
  bytes[at + 1] = l & 0xff;
}

function valOpcode(value: number, length: number): number {
  return 0x80 | ((value - 1) << 2) | (length - 1);
}

/**
 * An XZERO's run length. Cut short by the end of the string, its second byte is the byte after
 * the end, which Redis reads from its string's terminator: `terminator` (see terminatorOf).
 */
function xzeroLength(bytes: Buffer, at: number, end: number, terminator: number): number {
  return (((bytes[at] & 0x3f) << 8) | (at + 1 < end ? bytes[at + 1] : terminator)) + 1;
}

/**
 * Redis's strings end with a terminator byte that is zero, except after one corrupt case: a
 * sparse XZERO cut short by the end of the string, split by PFADD, leaves the last byte of its
 * split past the new end, in the terminator, where the next read of a cut XZERO finds it (until
 * the length changes again). Such a byte is kept in the Buffer just past the length, and this
 * records for which HLL (Buffer and length) it is meaningful.
 */
const terminators = new WeakMap<MutableString, { buf: Buffer; length: number }>();

/** The byte Redis would find after the end of this string value. */
export function terminatorOf(value: string | MutableString): number {
  if (typeof value === 'string') return 0;
  const kept = terminators.get(value);
  return kept !== undefined && kept.buf === value.buf && kept.length === value.length ? value.buf[value.length] : 0;
}

/**
 * hllSparseToDense: rewrites a sparse HLL as dense in place (header copied, encoding changed).
 * False, leaving it untouched, when the opcodes do not cover exactly 16384 registers. (A VAL
 * past the last register is corrupt even when the registers before it added up: the rule of
 * redis-server 7.0.15 as shipped with the CVE-2025-32023 fix, which plain 7.0.15 accepted.)
 */
export function sparseToDense(hll: MutableString): boolean {
  const sparse = hll.buf;
  if (sparse[4] === HLL_ENCODING_DENSE) return true;
  const dense = Buffer.alloc(HLL_DENSE_BYTES);
  sparse.copy(dense, 0, 0, HLL_HEADER_BYTES);
  dense[4] = HLL_ENCODING_DENSE;
  const end = hll.length;
  const terminator = terminatorOf(hll);
  let index = 0;
  let p = HLL_HEADER_BYTES;
  while (p < end) {
    const op = sparse[p];
    if ((op & 0xc0) === 0) {
      index += (op & 0x3f) + 1;
      p++;
    } else if ((op & 0xc0) === 0x40) {
      index += xzeroLength(sparse, p, end, terminator);
      p += 2;
    } else {
      let run = (op & 3) + 1;
      const value = ((op >>> 2) & 0x1f) + 1;
      if (run + index > HLL_REGISTERS) return false;
      while (run-- > 0) setDenseRegister(dense, index++, value);
      p++;
    }
  }
  if (index !== HLL_REGISTERS) return false;
  hll.buf = dense;
  hll.length = HLL_DENSE_BYTES;
  return true;
}

/** Makes room for `extraBytes` more without changing the length (sdsMakeRoomFor). */
function reserve(hll: MutableString, extraBytes: number): void {
  const needed = hll.length + extraBytes;
  if (hll.buf.length >= needed) return;
  const grown = Buffer.allocUnsafe(needed < 1024 * 1024 ? needed * 2 : needed + 1024 * 1024);
  // The terminator moves along (sdsMakeRoomFor copies it).
  const terminator = terminatorOf(hll);
  hll.buf.copy(grown, 0, 0, hll.length);
  if (terminator !== 0) {
    grown[hll.length] = terminator;
    terminators.set(hll, { buf: grown, length: hll.length });
  }
  hll.buf = grown;
}

/** Registers covered by each one-byte opcode (ZERO, VAL); 0 for the first byte of an XZERO. */
const ONE_BYTE_SPAN = new Uint8Array(256);
for (let op = 0; op < 256; op++) ONE_BYTE_SPAN[op] = (op & 0xc0) === 0 ? (op & 0x3f) + 1 : (op & 0x80) !== 0 ? (op & 3) + 1 : 0;

/** The split of one opcode, built here before it replaces the original (at most 5 bytes). */
const splitSequence = Buffer.alloc(5);

/** Writes a zero run of `length` as ZERO or XZERO at `at` of splitSequence; returns the bytes used. */
function putZeroRun(at: number, length: number): number {
  if (length > SPARSE_ZERO_MAX_LEN) {
    setXzero(splitSequence, at, length);
    return 2;
  }
  splitSequence[at] = length - 1;
  return 1;
}

/**
 * hllSparseSet: raises register `index` to `count` in a sparse HLL. Returns 1 when it changed,
 * 0 when the register was already as high, -1 when the opcodes are corrupt. Converts to dense
 * when the value does not fit a VAL opcode or the string would pass `sparseMaxBytes`.
 */
function sparseSet(hll: MutableString, index: number, count: number, sparseMaxBytes: number): number {
  if (count > SPARSE_VAL_MAX_VALUE) return promote(hll, index, count);
  // Three bytes at most (an XZERO split in three), and one for a split spilling past the end.
  reserve(hll, 4);
  const buf = hll.buf;
  let end = hll.length;
  const terminator = terminatorOf(hll);

  // Find the opcode covering `index`.
  let p = HLL_HEADER_BYTES;
  let first = 0;
  let prev = -1;
  let span = 0;
  // The hot loop of a sparse PFADD: one table read per one-byte opcode.
  const spans = ONE_BYTE_SPAN;
  while (p < end) {
    span = spans[buf[p]];
    let opLength = 1;
    if (span === 0) {
      span = xzeroLength(buf, p, end, terminator);
      opLength = 2;
    }
    if (index < first + span) break;
    prev = p;
    p += opLength;
    first += span;
  }
  if (span === 0 || p >= end) return -1;

  const op = buf[p];
  const isXzero = (op & 0xc0) === 0x40;
  const isZero = (op & 0xc0) === 0;
  let next = isXzero ? p + 2 : p + 1;
  if (next >= end) next = -1;
  const runLength = isZero ? (op & 0x3f) + 1 : isXzero ? xzeroLength(buf, p, end, terminator) : (op & 3) + 1;

  if (!isZero && !isXzero) {
    const current = ((op >>> 2) & 0x1f) + 1;
    if (current >= count) return 0;
    if (runLength === 1) {
      buf[p] = valOpcode(count, 1);
      return mergeAdjacent(hll, prev, end);
    }
  }
  if (isZero && runLength === 1) {
    buf[p] = valOpcode(count, 1);
    return mergeAdjacent(hll, prev, end);
  }

  // Split the opcode around `index`: [run before] VAL(count) [run after].
  const last = first + span - 1;
  let seqLength = 0;
  if (isZero || isXzero) {
    if (index !== first) seqLength += putZeroRun(seqLength, index - first);
    splitSequence[seqLength++] = valOpcode(count, 1);
    if (index !== last) seqLength += putZeroRun(seqLength, last - index);
  } else {
    const current = ((op >>> 2) & 0x1f) + 1;
    if (index !== first) splitSequence[seqLength++] = valOpcode(current, index - first);
    splitSequence[seqLength++] = valOpcode(count, 1);
    if (index !== last) splitSequence[seqLength++] = valOpcode(current, last - index);
  }
  const delta = seqLength - (isXzero ? 2 : 1);
  if (delta > 0 && hll.length + delta > sparseMaxBytes) return promote(hll, index, count);
  if (delta !== 0 && next >= 0) buf.copyWithin(next + delta, next, end);
  hll.length += delta;
  for (let k = 0; k < seqLength; k++) buf[p + k] = splitSequence[k];
  // Redis zeroes its terminator on the length change; a split of a cut XZERO then overwrites it.
  if (p + seqLength > hll.length) terminators.set(hll, { buf, length: hll.length });
  else terminators.delete(hll);
  end += delta;
  return mergeAdjacent(hll, prev, end);
}

/**
 * Step 4 of hllSparseSet: merges adjacent VAL opcodes of equal value (up to length 4), looking at
 * five opcodes from the one before the change; then marks the cache stale. Returns 1.
 */
function mergeAdjacent(hll: MutableString, prev: number, endBefore: number): number {
  const buf = hll.buf;
  let end = endBefore;
  let p = prev >= 0 ? prev : HLL_HEADER_BYTES;
  let scan = 5;
  while (p < end && scan-- > 0) {
    const op = buf[p];
    if ((op & 0xc0) === 0x40) {
      p += 2;
      continue;
    }
    if ((op & 0xc0) === 0) {
      p++;
      continue;
    }
    if (p + 1 < end && (buf[p + 1] & 0x80) !== 0) {
      const value = ((op >>> 2) & 0x1f) + 1;
      const nextOp = buf[p + 1];
      if (value === ((nextOp >>> 2) & 0x1f) + 1) {
        const length = (op & 3) + 1 + (nextOp & 3) + 1;
        if (length <= SPARSE_VAL_MAX_LEN) {
          buf[p + 1] = valOpcode(value, length);
          buf.copyWithin(p, p + 1, end);
          hll.length--;
          terminators.delete(hll);
          end--;
          // Stay on the merged opcode: it may merge with the one after it too.
          continue;
        }
      }
    }
    p++;
  }
  invalidateCache(hll);
  return 1;
}

/** hllSparseSet's promotion: to dense, then the register set there (it always changes). */
function promote(hll: MutableString, index: number, count: number): number {
  if (!sparseToDense(hll)) return -1;
  denseSet(hll.buf, index, count);
  return 1;
}

/**
 * Adds the counts of the sparse registers to `histogram`. False when the opcodes do not cover
 * exactly 16384 registers.
 */
function sparseHistogram(bytes: Buffer, end: number, histogram: Int32Array, terminator: number): boolean {
  let index = 0;
  let p = HLL_HEADER_BYTES;
  while (p < end) {
    const op = bytes[p];
    if ((op & 0xc0) === 0) {
      const run = (op & 0x3f) + 1;
      index += run;
      histogram[0] += run;
      p++;
    } else if ((op & 0xc0) === 0x40) {
      const run = xzeroLength(bytes, p, end, terminator);
      index += run;
      histogram[0] += run;
      p += 2;
    } else {
      const run = (op & 3) + 1;
      index += run;
      histogram[((op >>> 2) & 0x1f) + 1] += run;
      p++;
    }
  }
  return index === HLL_REGISTERS;
}

/** PFDEBUG DECODE: the opcodes as "z:N", "Z:N" and "v:VALUE,N", space separated. */
export function decodeSparse(bytes: Buffer, terminator: number): string {
  const end = bytes.length;
  const parts: string[] = [];
  let p = HLL_HEADER_BYTES;
  while (p < end) {
    const op = bytes[p];
    if ((op & 0xc0) === 0) {
      parts.push(`z:${(op & 0x3f) + 1}`);
      p++;
    } else if ((op & 0xc0) === 0x40) {
      parts.push(`Z:${xzeroLength(bytes, p, end, terminator)}`);
      p += 2;
    } else {
      parts.push(`v:${((op >>> 2) & 0x1f) + 1},${(op & 3) + 1}`);
      p++;
    }
  }
  return parts.join(' ');
}

// ------------------------------------------------------------------------ adding and merging

/**
 * hllAdd: adds one element to a live HLL (already checked with isHllString). Returns 1 when a
 * register changed, 0 when none did, -1 when a sparse HLL turns out corrupt.
 */
export function hllAdd(hll: MutableString, element: string, sparseMaxBytes: number): number {
  const pattern = elementPattern(element);
  return hllSetRegister(hll, pattern & REGISTER_MASK, pattern >>> 14, sparseMaxBytes);
}

/** Raises one register of a live HLL to `count` if lower, in whichever encoding it has. */
export function hllSetRegister(hll: MutableString, index: number, count: number, sparseMaxBytes: number): number {
  if (hll.buf[4] === HLL_ENCODING_DENSE) return denseSet(hll.buf, index, count) ? 1 : 0;
  return sparseSet(hll, index, count, sparseMaxBytes);
}

/**
 * hllMerge: max[i] = MAX(max[i], register i) over a checked HLL's bytes. False when a sparse
 * one is corrupt.
 */
export function mergeRegisters(max: Uint8Array, bytes: Buffer, terminator: number): boolean {
  if (bytes[4] === HLL_ENCODING_DENSE) {
    // Four registers per three bytes, as in denseHistogram.
    let r = HLL_HEADER_BYTES;
    for (let i = 0; i < HLL_REGISTERS; i += 4, r += 3) {
      const b0 = bytes[r];
      const b1 = bytes[r + 1];
      const b2 = bytes[r + 2];
      const v0 = b0 & 63;
      const v1 = ((b0 >>> 6) | (b1 << 2)) & 63;
      const v2 = ((b1 >>> 4) | (b2 << 4)) & 63;
      const v3 = b2 >>> 2;
      if (v0 > max[i]) max[i] = v0;
      if (v1 > max[i + 1]) max[i + 1] = v1;
      if (v2 > max[i + 2]) max[i + 2] = v2;
      if (v3 > max[i + 3]) max[i + 3] = v3;
    }
    return true;
  }
  const end = bytes.length;
  let i = 0;
  let p = HLL_HEADER_BYTES;
  while (p < end) {
    const op = bytes[p];
    if ((op & 0xc0) === 0) {
      i += (op & 0x3f) + 1;
      p++;
    } else if ((op & 0xc0) === 0x40) {
      i += xzeroLength(bytes, p, end, terminator);
      p += 2;
    } else {
      let run = (op & 3) + 1;
      const value = ((op >>> 2) & 0x1f) + 1;
      if (run + i > HLL_REGISTERS) return false;
      while (run-- > 0) {
        if (value > max[i]) max[i] = value;
        i++;
      }
      p++;
    }
  }
  return i === HLL_REGISTERS;
}

// ---------------------------------------------------------------------------------- counting

/** Ertl's sigma(x) (0 <= x <= 1). */
function sigma(x: number): number {
  if (x === 1) return Infinity;
  let y = 1;
  let z = x;
  let zPrev: number;
  do {
    x *= x;
    zPrev = z;
    z += x * y;
    y += y;
  } while (zPrev !== z);
  return z;
}

/** Ertl's tau(x) (0 <= x <= 1). */
function tau(x: number): number {
  if (x === 0 || x === 1) return 0;
  let y = 1;
  let z = 1 - x;
  let zPrev: number;
  do {
    x = Math.sqrt(x);
    zPrev = z;
    y *= 0.5;
    const d = 1 - x;
    z -= d * d * y;
  } while (zPrev !== z);
  return z / 3;
}

/**
 * The estimate from a register histogram: an integer below 2^63, or CARDINALITY_OVERFLOW where
 * Redis's llroundl overflows (registers that no real hash produces). Values above 51 are in no
 * term of the estimator, as in Redis.
 */
function estimate(histogram: Int32Array): number {
  const m = HLL_REGISTERS;
  let z = m * tau((m - histogram[HLL_Q + 1]) / m);
  for (let j = HLL_Q; j >= 1; j--) {
    z += histogram[j];
    z *= 0.5;
  }
  z += m * sigma(histogram[0] / m);
  const e = (ALPHA_INF * m * m) / z;
  // Math.round ties upward, which for the non-negative estimate is llroundl's "away from zero".
  return e < CARDINALITY_OVERFLOW ? Math.round(e) : CARDINALITY_OVERFLOW;
}

/** One histogram, reused: counting allocates nothing. */
const histogramScratch = new Int32Array(64);

/**
 * hllCount over a checked HLL's bytes (dense or sparse): the estimate, or -1 when a sparse one
 * is corrupt.
 */
export function countHll(bytes: Buffer, terminator: number): number {
  const histogram = histogramScratch;
  histogram.fill(0);
  if (bytes[4] === HLL_ENCODING_DENSE) denseHistogram(bytes, histogram);
  else if (!sparseHistogram(bytes, bytes.length, histogram, terminator)) return -1;
  return estimate(histogram);
}

/** hllCount of plain registers, one byte each (PFCOUNT over several keys). */
export function countRegisters(registers: Uint8Array): number {
  const histogram = histogramScratch;
  histogram.fill(0);
  for (let i = 0; i < HLL_REGISTERS; i++) histogram[registers[i]]++;
  return estimate(histogram);
}

// --------------------------------------------------------------------------------- self test

/** Rounds of PFSELFTEST's register access test. */
const SELFTEST_REGISTER_ROUNDS = 1000;
/** Elements PFSELFTEST adds while checking the estimate at every power of ten. */
const SELFTEST_ELEMENTS = 10_000_000;

function random31(): number {
  return Math.floor(Math.random() * 0x80000000);
}

/**
 * PFSELFTEST: dense registers keep what is written without disturbing neighbours, and a dense
 * and a sparse HLL fed the same elements agree and stay within six standard errors at every
 * power of ten up to 10^7 (sparse while small). Null when all passes, else the failure text.
 */
export function hllSelfTest(sparseMaxBytes: number): string | null {
  const dense = Buffer.alloc(HLL_DENSE_BYTES);
  dense.latin1Write('HYLL', 0);
  const expected = new Uint8Array(HLL_REGISTERS);
  for (let round = 0; round < SELFTEST_REGISTER_ROUNDS; round++) {
    for (let i = 0; i < HLL_REGISTERS; i++) {
      const r = (Math.random() * 64) | 0;
      expected[i] = r;
      setDenseRegister(dense, i, r);
    }
    for (let i = 0; i < HLL_REGISTERS; i++) {
      const value = denseRegister(dense, i);
      if (value !== expected[i]) return `ERR TESTFAILED Register ${i} should be ${expected[i]} but is ${value}`;
    }
  }

  dense.fill(0, HLL_HEADER_BYTES);
  const hll = createHll();
  const relativeError = 1.04 / Math.sqrt(HLL_REGISTERS);
  let checkpoint = 1;
  const seedLo = random31();
  const seedHi = random31();
  for (let j = 1; j <= SELFTEST_ELEMENTS; j++) {
    const pattern = uint64Pattern(seedHi, (j ^ seedLo) >>> 0);
    denseSet(dense, pattern & REGISTER_MASK, pattern >>> 14);
    hllSetRegister(hll, pattern & REGISTER_MASK, pattern >>> 14, sparseMaxBytes);
    if (j !== checkpoint) continue;
    if (j < Math.floor(sparseMaxBytes / 2) && hll.buf[4] !== HLL_ENCODING_SPARSE) return 'ERR TESTFAILED sparse encoding not used';
    const denseCount = countHll(dense, 0);
    if (denseCount !== countHll(hll.bytes(), terminatorOf(hll))) return 'ERR TESTFAILED dense/sparse disagree';
    // Cardinality 10 is allowed only one off: collisions make a bigger error likely there.
    const maxError = j === 10 ? 1 : Math.ceil(relativeError * 6 * checkpoint);
    const absError = Math.abs(checkpoint - denseCount);
    if (absError > maxError) return `ERR TESTFAILED Too big error. card:${checkpoint} abserr:${absError}`;
    checkpoint *= 10;
  }
  return null;
}
