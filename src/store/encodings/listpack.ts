// Redis's listpack format (listpack.c, 7.0) held in one latin1 JS string: the smallest byte
// container V8 has (a 16-byte header plus the bytes), where an array of strings costs 8 B a
// slot plus 24-32 B a string. Small lists, hashes and sorted sets keep their elements here, as
// Redis does, and the bytes are exactly Redis's, so DUMP and RDB copy them as they are.
//
// Layout: 4-byte total size (LE), 2-byte element count (LE, 65535 = "count by walking"), the
// entries, then 0xFF. An entry is an encoding byte (small unsigned int, 13/16/24/32/64-bit int,
// or a 6/12/32-bit string length) with its data, then a "backlen": the size of encoding+data in
// 1-5 bytes, written so it can be read from its last byte backwards (7 bits a byte, the high bit
// set on every byte but the first). An element that is the canonical text of an int64 is stored
// as an integer, as lpStringToInt64 decides; reading gives its decimal text back.
//
// Entries are addressed by offset (the index of their encoding byte in the string). Strings are
// immutable, so every change returns a new listpack; changes are O(size), as memmove is in Redis,
// and small encodings are bounded (list-max-listpack-size, *-max-listpack-entries/value).

const HEADER_BYTES = 6;
const EOF = 0xff;
const COUNT_UNKNOWN = 0xffff;
/** Redis's LONG_STR_SIZE: texts this long or longer are never integers. */
const INT_TEXT_MAX_CHARS = 20;

/** A listpack with no entries. */
export const LP_EMPTY = header(HEADER_BYTES + 1, 0) + '\xff';

function header(totalBytes: number, count: number): string {
  const c = count >= COUNT_UNKNOWN ? COUNT_UNKNOWN : count;
  return String.fromCharCode(
    totalBytes & 0xff, (totalBytes >>> 8) & 0xff, (totalBytes >>> 16) & 0xff, (totalBytes >>> 24) & 0xff,
    c & 0xff, c >>> 8,
  );
}

/** Scratch space where a changed listpack is assembled before it becomes one string. */
const SCRATCH_BYTES = 64 * 1024;
const scratch = Buffer.allocUnsafe(SCRATCH_BYTES);

/**
 * A fresh sequential string holding `s`'s bytes. A concatenation stays a V8 cons string even
 * once flattened (%DebugPrint: CONS_ONE_BYTE_STRING_TYPE): a 32-byte cons cell kept in front of
 * the flat bytes, and an indirection on every charCodeAt. A string made from bytes
 * (latin1Slice) is one sequential string.
 */
function flat(s: string): string {
  const n = s.length;
  const buf = n <= SCRATCH_BYTES ? scratch : Buffer.allocUnsafe(n);
  buf.latin1Write(s, 0, n);
  return buf.latin1Slice(0, n);
}

// ------------------------------------------------------------------------------- reading

/** Total bytes (equals the string's length for a listpack built here). */
export function lpBytes(lp: string): number {
  return lp.length;
}

/** The number of elements. */
export function lpLength(lp: string): number {
  const count = lp.charCodeAt(4) | (lp.charCodeAt(5) << 8);
  if (count !== COUNT_UNKNOWN) return count;
  let n = 0;
  for (let off = lpFirst(lp); off !== -1; off = lpNext(lp, off)) n++;
  return n;
}

/** Size of encoding byte(s) plus data of the entry at `off`. */
function encodedSize(lp: string, off: number): number {
  const b = lp.charCodeAt(off);
  if (b < 0x80) return 1;
  if (b < 0xc0) return 1 + (b & 0x3f);
  if (b < 0xe0) return 2;
  if (b < 0xf0) return 2 + (((b & 0x0f) << 8) | lp.charCodeAt(off + 1));
  switch (b) {
    case 0xf0: return 5 + readU32(lp, off + 1);
    case 0xf1: return 3;
    case 0xf2: return 4;
    case 0xf3: return 5;
    case 0xf4: return 9;
    default: return -1;
  }
}

function backlenSize(encodedBytes: number): number {
  if (encodedBytes <= 127) return 1;
  if (encodedBytes < 16383) return 2;
  if (encodedBytes < 2097151) return 3;
  if (encodedBytes < 268435455) return 4;
  return 5;
}

function readU32(lp: string, off: number): number {
  return (lp.charCodeAt(off) | (lp.charCodeAt(off + 1) << 8) | (lp.charCodeAt(off + 2) << 16)) + lp.charCodeAt(off + 3) * 0x1000000;
}

/** Offset of the first entry, -1 when empty. */
export function lpFirst(lp: string): number {
  return lp.charCodeAt(HEADER_BYTES) === EOF ? -1 : HEADER_BYTES;
}

/** Offset of the last entry, -1 when empty. */
export function lpLast(lp: string): number {
  const end = lp.length - 1;
  if (end === HEADER_BYTES) return -1;
  return entryStartBefore(lp, end);
}

/** The start of the entry whose backlen ends just before `end`. */
function entryStartBefore(lp: string, end: number): number {
  let p = end - 1;
  let value = 0;
  let shift = 0;
  for (;;) {
    const b = lp.charCodeAt(p);
    value += (b & 127) * 2 ** shift;
    if ((b & 128) === 0) break;
    shift += 7;
    p--;
  }
  return end - backlenSize(value) - value;
}

/** Offset of the entry after `off`, -1 after the last. */
export function lpNext(lp: string, off: number): number {
  const size = encodedSize(lp, off);
  const next = off + size + backlenSize(size);
  return lp.charCodeAt(next) === EOF ? -1 : next;
}

/** Offset of the entry before `off`, -1 before the first. */
export function lpPrev(lp: string, off: number): number {
  return off === HEADER_BYTES ? -1 : entryStartBefore(lp, off);
}

/** Offset just past the entry at `off` (its backlen included). */
function entryEnd(lp: string, off: number): number {
  const size = encodedSize(lp, off);
  return off + size + backlenSize(size);
}

/** Offset of element `index` (negative counts from the tail, -1 = last), -1 when out of range. */
export function lpSeek(lp: string, index: number): number {
  const count = lpLength(lp);
  if (index < 0) index += count;
  if (index < 0 || index >= count) return -1;
  if (index < count / 2) {
    let off = HEADER_BYTES;
    for (let i = 0; i < index; i++) off = entryEnd(lp, off);
    return off;
  }
  let off = lpLast(lp);
  for (let i = count - 1; i > index; i--) off = entryStartBefore(lp, off);
  return off;
}

/** True when the entry at `off` is stored as an integer. */
export function lpIsInteger(lp: string, off: number): boolean {
  const b = lp.charCodeAt(off);
  return b < 0x80 || (b >= 0xc0 && b < 0xe0) || (b >= 0xf1 && b <= 0xf4);
}

/**
 * The integer at `off` as a number (exact up to 2^53; a 64-bit entry beyond that is rounded:
 * use lpGet for its exact text). The entry must be an integer (lpIsInteger).
 */
export function lpGetNumber(lp: string, off: number): number {
  const b = lp.charCodeAt(off);
  if (b < 0x80) return b;
  if (b < 0xe0) {
    const v = ((b & 0x1f) << 8) | lp.charCodeAt(off + 1);
    return v >= 4096 ? v - 8192 : v;
  }
  switch (b) {
    case 0xf1: {
      const v = lp.charCodeAt(off + 1) | (lp.charCodeAt(off + 2) << 8);
      return v >= 0x8000 ? v - 0x10000 : v;
    }
    case 0xf2: {
      const v = lp.charCodeAt(off + 1) | (lp.charCodeAt(off + 2) << 8) | (lp.charCodeAt(off + 3) << 16);
      return v >= 0x800000 ? v - 0x1000000 : v;
    }
    case 0xf3:
      return readU32(lp, off + 1) | 0;
    default:
      // High word (signed) times 2^32 is exact; adding the low word rounds once, to nearest,
      // exactly as Number(readI64(...)) would, without a BigInt.
      return (readU32(lp, off + 5) | 0) * 0x100000000 + readU32(lp, off + 1);
  }
}

function readI64(lp: string, off: number): bigint {
  const low = BigInt(readU32(lp, off));
  const high = BigInt(readU32(lp, off + 4));
  return BigInt.asIntN(64, (high << 32n) | low);
}

/** The element at `off` as text (an integer entry as its decimal text). */
export function lpGet(lp: string, off: number): string {
  const b = lp.charCodeAt(off);
  if (b >= 0x80 && b < 0xc0) return lp.slice(off + 1, off + 1 + (b & 0x3f));
  if (b >= 0xe0 && b < 0xf0) {
    const start = off + 2;
    return lp.slice(start, start + (((b & 0x0f) << 8) | lp.charCodeAt(off + 1)));
  }
  if (b === 0xf0) return lp.slice(off + 5, off + 5 + readU32(lp, off + 1));
  if (b === 0xf4) return readI64(lp, off + 1).toString();
  return String(lpGetNumber(lp, off));
}

/** Where lpWriteElement puts an element (a ReplyWriter fits). */
export interface LpElementSink {
  bulk(text: string): void;
  /** The chars `start` to `end` (exclusive) of `text`, as one bulk string. */
  bulkSlice(text: string, start: number, end: number): void;
}

/**
 * Writes the element at `off` to `sink`: a string entry as a range of the listpack (no
 * substring made: LRANGE's path), an integer entry as its decimal text.
 */
export function lpWriteElement(lp: string, off: number, sink: LpElementSink): void {
  const b = lp.charCodeAt(off);
  if (b >= 0x80 && b < 0xc0) {
    sink.bulkSlice(lp, off + 1, off + 1 + (b & 0x3f));
  } else if (b >= 0xe0 && b < 0xf0) {
    const start = off + 2;
    sink.bulkSlice(lp, start, start + (((b & 0x0f) << 8) | lp.charCodeAt(off + 1)));
  } else if (b === 0xf0) {
    sink.bulkSlice(lp, off + 5, off + 5 + readU32(lp, off + 1));
  } else {
    sink.bulk(lpGet(lp, off));
  }
}

/**
 * lpGet for a value kept after the listpack is gone (a conversion to a big encoding): V8 makes a
 * slice of 13 chars or more a view that keeps the whole listpack alive, so this copies it.
 */
export function lpGetDetached(lp: string, off: number): string {
  const text = lpGet(lp, off);
  if (text.length < 13 || lpIsInteger(lp, off)) return text;
  // A concatenation flattened into a fresh string shares nothing with the listpack.
  return flat(text.charAt(0) + text.slice(1));
}

/** True when the element at `off` equals `text` (compared as Redis's lpCompare does). */
export function lpEquals(lp: string, off: number, text: string): boolean {
  const b = lp.charCodeAt(off);
  let start: number;
  let len: number;
  if (b >= 0x80 && b < 0xc0) {
    start = off + 1;
    len = b & 0x3f;
  } else if (b >= 0xe0 && b < 0xf0) {
    start = off + 2;
    len = ((b & 0x0f) << 8) | lp.charCodeAt(off + 1);
  } else if (b === 0xf0) {
    start = off + 5;
    len = readU32(lp, off + 1);
  } else {
    // An integer entry equals only the canonical text of the same integer.
    return lpGet(lp, off) === text;
  }
  return len === text.length && lp.startsWith(text, start);
}

/**
 * Offset of the first element equal to `text` from `off` on, looking at every (skip+1)-th entry
 * (skip 1 walks the fields of field/value pairs), -1 when there is none.
 */
export function lpFind(lp: string, off: number, text: string, skip = 0): number {
  while (off !== -1) {
    if (lpEquals(lp, off, text)) return off;
    for (let i = 0; i <= skip && off !== -1; i++) off = lpNext(lp, off);
  }
  return -1;
}

/** Every element as text, in order. */
export function lpToArray(lp: string): string[] {
  const out: string[] = [];
  for (let off = lpFirst(lp); off !== -1; off = lpNext(lp, off)) out.push(lpGet(lp, off));
  return out;
}

// ------------------------------------------------------------------------------- writing

/**
 * Redis's lpStringToInt64: the int64 `text` is the canonical decimal form of (no sign but '-',
 * no leading zeros, no "-0"), or null.
 */
export function canonicalInt64(text: string): bigint | number | null {
  const len = text.length;
  if (len === 0 || len > INT_TEXT_MAX_CHARS) return null;
  if (len === 1) {
    const c = text.charCodeAt(0) - 48;
    return c >= 0 && c <= 9 ? c : null;
  }
  let i = text.charCodeAt(0) === 45 ? 1 : 0;
  if (i === len) return null;
  const first = text.charCodeAt(i);
  if (first < 49 || first > 57) return null;
  let v = first - 48;
  for (i++; i < len; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return null;
    v = v * 10 + c;
  }
  const negative = text.charCodeAt(0) === 45;
  if (v <= Number.MAX_SAFE_INTEGER) return negative ? -v : v;
  const big = BigInt(text);
  return big >= -(2n ** 63n) && big < 2n ** 63n ? big : null;
}

function backlenChars(encodedBytes: number): string {
  const l = encodedBytes;
  if (l <= 127) return String.fromCharCode(l);
  if (l < 16383) return String.fromCharCode(l >>> 7, (l & 127) | 128);
  if (l < 2097151) return String.fromCharCode(l >>> 14, ((l >>> 7) & 127) | 128, (l & 127) | 128);
  if (l < 268435455) return String.fromCharCode(l >>> 21, ((l >>> 14) & 127) | 128, ((l >>> 7) & 127) | 128, (l & 127) | 128);
  return String.fromCharCode(
    Math.floor(l / 2 ** 28), ((l >>> 21) & 127) | 128, ((l >>> 14) & 127) | 128, ((l >>> 7) & 127) | 128, (l & 127) | 128,
  );
}

function encodeInteger(v: number | bigint): string {
  if (typeof v === 'number') {
    if (v >= 0 && v <= 127) return String.fromCharCode(v);
    if (v >= -4096 && v <= 4095) {
      const u = v < 0 ? 8192 + v : v;
      return String.fromCharCode((u >>> 8) | 0xc0, u & 0xff);
    }
    if (v >= -32768 && v <= 32767) {
      const u = v < 0 ? 0x10000 + v : v;
      return String.fromCharCode(0xf1, u & 0xff, u >>> 8);
    }
    if (v >= -8388608 && v <= 8388607) {
      const u = v < 0 ? 0x1000000 + v : v;
      return String.fromCharCode(0xf2, u & 0xff, (u >>> 8) & 0xff, u >>> 16);
    }
    if (v >= -2147483648 && v <= 2147483647) {
      const u = v >>> 0;
      return String.fromCharCode(0xf3, u & 0xff, (u >>> 8) & 0xff, (u >>> 16) & 0xff, u >>> 24);
    }
    v = BigInt(v);
  }
  let u = BigInt.asUintN(64, v);
  let out = '\xf4';
  for (let i = 0; i < 8; i++) {
    out += String.fromCharCode(Number(u & 0xffn));
    u >>= 8n;
  }
  return out;
}

/** An element's whole entry (encoding, data, backlen) as Redis would write it. */
export function lpEncodeEntry(text: string): string {
  const int = canonicalInt64(text);
  let encoded: string;
  if (int !== null) {
    encoded = encodeInteger(int);
  } else {
    const len = text.length;
    if (len < 64) encoded = String.fromCharCode(0x80 | len) + text;
    else if (len < 4096) encoded = String.fromCharCode(0xe0 | (len >>> 8), len & 0xff) + text;
    else encoded = String.fromCharCode(0xf0, len & 0xff, (len >>> 8) & 0xff, (len >>> 16) & 0xff, len >>> 24) + text;
  }
  return encoded + backlenChars(encoded.length);
}

/** The bytes an element's entry takes (what lpInsert would add). */
export function lpEntryBytes(text: string): number {
  const int = canonicalInt64(text);
  let size: number;
  if (int !== null) {
    const v = typeof int === 'number' ? int : Number(int);
    if (v >= 0 && v <= 127) size = 1;
    else if (v >= -4096 && v <= 4095) size = 2;
    else if (v >= -32768 && v <= 32767) size = 3;
    else if (v >= -8388608 && v <= 8388607) size = 4;
    else if (v >= -2147483648 && v <= 2147483647) size = 5;
    else size = 9;
  } else {
    const len = text.length;
    size = len < 64 ? 1 + len : len < 4096 ? 2 + len : 5 + len;
  }
  return size + backlenSize(size);
}

/**
 * Pieces up to this long are copied byte by byte: each Buffer#latin1Write is a call into C++
 * (~100 ns), which a small listpack's whole copy costs less than (a field update of a small hash
 * went from ~980 to ~450 ns).
 */
const BYTEWISE_COPY_MAX_CHARS = 48;

/** Copies `s[from, to)` into `buf` at `at`; returns the new end. */
function copyInto(buf: Buffer, at: number, s: string, from: number, to: number): number {
  if (to - from <= BYTEWISE_COPY_MAX_CHARS) {
    for (let i = from; i < to; i++) buf[at++] = s.charCodeAt(i);
    return at;
  }
  return at + buf.latin1Write(from === 0 && to === s.length ? s : s.slice(from, to), at);
}

/** `lp` with the bytes between `start` and `end` replaced by `entries` (countDelta elements). */
function splice(lp: string, start: number, end: number, entries: string, countDelta: number): string {
  const totalBytes = lp.length - (end - start) + entries.length;
  const before = lp.charCodeAt(4) | (lp.charCodeAt(5) << 8);
  const count = before === COUNT_UNKNOWN ? lpLength(lp) + countDelta : before + countDelta;
  const c = count >= COUNT_UNKNOWN ? COUNT_UNKNOWN : count;
  // The pieces go straight into the scratch buffer, then out as one sequential string.
  const buf = totalBytes <= SCRATCH_BYTES ? scratch : Buffer.allocUnsafe(totalBytes);
  buf[0] = totalBytes & 0xff;
  buf[1] = (totalBytes >>> 8) & 0xff;
  buf[2] = (totalBytes >>> 16) & 0xff;
  buf[3] = (totalBytes >>> 24) & 0xff;
  buf[4] = c & 0xff;
  buf[5] = c >>> 8;
  let at = copyInto(buf, HEADER_BYTES, lp, HEADER_BYTES, start);
  at = copyInto(buf, at, entries, 0, entries.length);
  at = copyInto(buf, at, lp, end, lp.length);
  return buf.latin1Slice(0, at);
}

/** A listpack of the given elements. */
export function lpFromArray(elements: readonly string[]): string {
  let body = '';
  for (let i = 0; i < elements.length; i++) body += lpEncodeEntry(elements[i]);
  return flat(header(HEADER_BYTES + body.length + 1, elements.length) + body + '\xff');
}

/** `elements` added at the tail. */
export function lpAppend(lp: string, ...elements: string[]): string {
  let body = '';
  for (let i = 0; i < elements.length; i++) body += lpEncodeEntry(elements[i]);
  return splice(lp, lp.length - 1, lp.length - 1, body, elements.length);
}

/** `element` added at the head. */
export function lpPrepend(lp: string, element: string): string {
  return splice(lp, HEADER_BYTES, HEADER_BYTES, lpEncodeEntry(element), 1);
}

/** `element` inserted before the entry at `off` (or at the tail when `off` is -1). */
export function lpInsertBefore(lp: string, off: number, element: string): string {
  const at = off === -1 ? lp.length - 1 : off;
  return splice(lp, at, at, lpEncodeEntry(element), 1);
}

/**
 * Two elements inserted, in order, before the entry at `off` (or at the tail when `off` is -1):
 * one copy of the listpack for a pair (a sorted set's member and score).
 */
export function lpInsertPairBefore(lp: string, off: number, first: string, second: string): string {
  const at = off === -1 ? lp.length - 1 : off;
  return splice(lp, at, at, lpEncodeEntry(first) + lpEncodeEntry(second), 2);
}

/** `element` inserted after the entry at `off`. */
export function lpInsertAfter(lp: string, off: number, element: string): string {
  const at = entryEnd(lp, off);
  return splice(lp, at, at, lpEncodeEntry(element), 1);
}

/** The entry at `off` replaced by `element`. */
export function lpReplace(lp: string, off: number, element: string): string {
  return splice(lp, off, entryEnd(lp, off), lpEncodeEntry(element), 0);
}

/** `count` entries removed starting with the one at `off` (fewer when the list ends first). */
export function lpDelete(lp: string, off: number, count = 1): string {
  let end = off;
  let removed = 0;
  while (removed < count && lp.charCodeAt(end) !== EOF) {
    end = entryEnd(lp, end);
    removed++;
  }
  return splice(lp, off, end, '', -removed);
}

/** Elements `start`..`start+count-1` removed (indexes from the head, clamped). */
export function lpDeleteRange(lp: string, start: number, count: number): string {
  const off = lpSeek(lp, start);
  return off === -1 || count <= 0 ? lp : lpDelete(lp, off, count);
}

// ------------------------------------------------------------------------------ validation

/**
 * Checks an untrusted listpack (RESTORE, RDB loading) the way lpValidateIntegrity does with
 * deep checking: sizes consistent with the header, every entry inside the bounds and its backlen
 * matching, the element count right unless unknown, EOF last. Calls `onEntry` for each entry's
 * offset (a type checks its own rules there, e.g. pairs or sorted scores); returning false
 * rejects the listpack.
 */
export function lpValidate(lp: string, onEntry?: (lp: string, off: number) => boolean): boolean {
  const len = lp.length;
  if (len < HEADER_BYTES + 1 || readU32(lp, 0) !== len || lp.charCodeAt(len - 1) !== EOF) return false;
  let off = HEADER_BYTES;
  let count = 0;
  while (off < len - 1) {
    const b = lp.charCodeAt(off);
    // Enough bytes for the length field of the encoding before reading it.
    const lengthBytes = b >= 0xe0 && b < 0xf0 ? 2 : b === 0xf0 ? 5 : 1;
    if (off + lengthBytes > len - 1) return false;
    const size = encodedSize(lp, off);
    if (size < 0) return false;
    const backlen = backlenSize(size);
    const end = off + size + backlen;
    if (end > len - 1) return false;
    if (entryStartBefore(lp, end) !== off) return false;
    if (onEntry !== undefined && !onEntry(lp, off)) return false;
    off = end;
    count++;
  }
  const declared = lp.charCodeAt(4) | (lp.charCodeAt(5) << 8);
  return declared === COUNT_UNKNOWN || declared === count;
}
