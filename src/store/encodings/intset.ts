// Redis's intset, kept as its exact bytes in one latin1 string (one char per byte): a 4-byte
// little-endian element width (2, 4 or 8), a 4-byte little-endian count, then the elements,
// signed little-endian integers of that width in ascending order without duplicates. A string is
// the cheapest byte container V8 has (16 B of header), the blob is what DUMP/RDB write, and a
// change builds a new sequential string (O(n), as Redis's realloc + memmove is).
//
// The width grows 2 -> 4 -> 8 bytes when a value needs it and never shrinks (as intset.c).
// Values are JS numbers when they are exactly representable, else bigints (|v| > 2^53).

/** Bytes before the first element. */
export const INTSET_HEADER_BYTES = 8;

const TWO_POW_32 = 4294967296;
/** An int64 whose high 32-bit half is in this range is a safe JS integer (|v| < 2^53). */
const SAFE_HIGH_MIN = -0x200000;
const SAFE_HIGH_MAX = 0x1fffff;

/** The empty intset (16-bit width, no elements), as intsetNew makes it. */
export const EMPTY_INTSET = '\x02\x00\x00\x00\x00\x00\x00\x00';

export type IntsetValue = number | bigint;

/** The element width in bytes (2, 4 or 8). */
export function intsetWidth(blob: string): number {
  return blob.charCodeAt(0);
}

export function intsetLength(blob: string): number {
  return (blob.length - INTSET_HEADER_BYTES) / blob.charCodeAt(0);
}

/** The width a value needs (_intsetValueEncoding). */
function widthFor(value: IntsetValue): number {
  if (typeof value === 'bigint') return 8;
  if (value >= -32768 && value <= 32767) return 2;
  if (value >= -2147483648 && value <= 2147483647) return 4;
  return 8;
}

function readInt32(blob: string, at: number): number {
  return blob.charCodeAt(at) | (blob.charCodeAt(at + 1) << 8) | (blob.charCodeAt(at + 2) << 16) | (blob.charCodeAt(at + 3) << 24);
}

/** The element at `index` (0-based, ascending order). */
export function intsetGet(blob: string, index: number): IntsetValue {
  const width = blob.charCodeAt(0);
  const at = INTSET_HEADER_BYTES + index * width;
  if (width === 2) return ((blob.charCodeAt(at) | (blob.charCodeAt(at + 1) << 8)) << 16) >> 16;
  if (width === 4) return readInt32(blob, at);
  const low = readInt32(blob, at) >>> 0;
  const high = readInt32(blob, at + 4);
  if (high >= SAFE_HIGH_MIN && high <= SAFE_HIGH_MAX) return high * TWO_POW_32 + low;
  return (BigInt(high) << 32n) | BigInt(low);
}

/** The element at `index` as decimal text (what replies and hashtable members hold). */
export function intsetText(blob: string, index: number): string {
  return String(intsetGet(blob, index));
}

/** A probe value split into the halves an 8-byte element is compared by. */
let probeHigh = 0;
let probeLow = 0;

function splitProbe(value: IntsetValue): void {
  if (typeof value === 'bigint') {
    probeHigh = Number(BigInt.asIntN(32, value >> 32n));
    probeLow = Number(BigInt.asUintN(32, value));
  } else {
    probeHigh = Math.floor(value / TWO_POW_32);
    probeLow = value - probeHigh * TWO_POW_32;
  }
}

/**
 * Binary search (intsetSearch): the index of `value`, or -(insertion index) - 1 when absent.
 * `value` must fit the blob's width.
 */
function search(blob: string, value: IntsetValue): number {
  const width = blob.charCodeAt(0);
  let low = 0;
  let high = (blob.length - INTSET_HEADER_BYTES) / width - 1;
  if (width === 8) {
    splitProbe(value);
    const ph = probeHigh;
    const pl = probeLow;
    while (low <= high) {
      const mid = (low + high) >>> 1;
      const at = INTSET_HEADER_BYTES + mid * 8;
      const eh = readInt32(blob, at + 4);
      let cmp = eh - ph;
      if (cmp === 0) cmp = (readInt32(blob, at) >>> 0) - pl;
      if (cmp < 0) low = mid + 1;
      else if (cmp > 0) high = mid - 1;
      else return mid;
    }
    return -low - 1;
  }
  // Widths 2 and 4 hold values that are plain numbers.
  const probe = value as number;
  while (low <= high) {
    const mid = (low + high) >>> 1;
    const at = INTSET_HEADER_BYTES + mid * width;
    const element = width === 2 ? ((blob.charCodeAt(at) | (blob.charCodeAt(at + 1) << 8)) << 16) >> 16 : readInt32(blob, at);
    if (element < probe) low = mid + 1;
    else if (element > probe) high = mid - 1;
    else return mid;
  }
  return -low - 1;
}

export function intsetFind(blob: string, value: IntsetValue): boolean {
  if (widthFor(value) > blob.charCodeAt(0)) return false;
  return search(blob, value) >= 0;
}

/** The little-endian bytes of `value` at `width`, as chars. */
function encodeValue(value: IntsetValue, width: number): string {
  if (width === 2 || width === 4) {
    const v = value as number;
    if (width === 2) return String.fromCharCode(v & 255, (v >> 8) & 255);
    return String.fromCharCode(v & 255, (v >>> 8) & 255, (v >>> 16) & 255, (v >>> 24) & 255);
  }
  splitProbe(value);
  const l = probeLow;
  const h = probeHigh;
  return String.fromCharCode(
    l & 255, (l >>> 8) & 255, (l >>> 16) & 255, (l >>> 24) & 255,
    h & 255, (h >>> 8) & 255, (h >>> 16) & 255, (h >>> 24) & 255,
  );
}

function header(width: number, count: number): string {
  return String.fromCharCode(width, 0, 0, 0, count & 255, (count >>> 8) & 255, (count >>> 16) & 255, (count >>> 24) & 255);
}

/** Scratch space where a changed blob is assembled before it becomes one string. */
const SCRATCH_BYTES = 64 * 1024;
const scratch = Buffer.allocUnsafe(SCRATCH_BYTES);

/**
 * The blob with `insert` put at byte `at` and `removeBytes` bytes dropped there, the header
 * rewritten for `count` elements of `width` bytes. Built in a buffer and read out as one
 * sequential string: a concatenation would stay a V8 cons string even once flattened (a 32-byte
 * cell in front of the bytes and an indirection on every read).
 */
function rebuild(blob: string, width: number, count: number, at: number, insert: string, removeBytes: number): string {
  const totalBytes = INTSET_HEADER_BYTES + count * width;
  const buf = totalBytes <= SCRATCH_BYTES ? scratch : Buffer.allocUnsafe(totalBytes);
  let end = buf.latin1Write(header(width, count), 0);
  if (at > INTSET_HEADER_BYTES) end += buf.latin1Write(blob.slice(INTSET_HEADER_BYTES, at), end);
  if (insert.length > 0) end += buf.latin1Write(insert, end);
  if (at + removeBytes < blob.length) end += buf.latin1Write(blob.slice(at + removeBytes), end);
  return buf.latin1Slice(0, end);
}

/**
 * Adds `value`; returns the new blob, or the same blob when the value was already there. A value
 * wider than the blob's elements rewrites them all at the wider width (intsetUpgradeAndAdd):
 * such a value is below or above every element, so it goes first or last.
 */
export function intsetAdd(blob: string, value: IntsetValue): string {
  const width = blob.charCodeAt(0);
  const count = (blob.length - INTSET_HEADER_BYTES) / width;
  const needed = widthFor(value);
  if (needed > width) return upgradeAndAdd(blob, width, count, needed, value);
  const found = search(blob, value);
  if (found >= 0) return blob;
  return rebuild(blob, width, count + 1, INTSET_HEADER_BYTES + (-found - 1) * width, encodeValue(value, width), 0);
}

function upgradeAndAdd(blob: string, width: number, count: number, newWidth: number, value: IntsetValue): string {
  const negative = typeof value === 'bigint' ? value < 0n : value < 0;
  const bytes = Buffer.allocUnsafe(INTSET_HEADER_BYTES + (count + 1) * newWidth);
  bytes.latin1Write(header(newWidth, count + 1), 0);
  let at = INTSET_HEADER_BYTES;
  if (negative) at = writeAt(bytes, at, value, newWidth);
  for (let i = 0; i < count; i++) at = writeAt(bytes, at, intsetGet(blob, i), newWidth);
  if (!negative) writeAt(bytes, at, value, newWidth);
  return bytes.latin1Slice(0, bytes.length);
}

function writeAt(bytes: Buffer, at: number, value: IntsetValue, width: number): number {
  if (width === 4) return bytes.writeInt32LE(value as number, at);
  return bytes.writeBigInt64LE(BigInt(value), at);
}

/** Removes `value`; returns the new blob, or the same blob when it was absent. */
export function intsetRemove(blob: string, value: IntsetValue): string {
  if (widthFor(value) > blob.charCodeAt(0)) return blob;
  const found = search(blob, value);
  return found < 0 ? blob : intsetRemoveAt(blob, found);
}

/** Removes the element at `index`. */
export function intsetRemoveAt(blob: string, index: number): string {
  const width = blob.charCodeAt(0);
  const count = (blob.length - INTSET_HEADER_BYTES) / width;
  return rebuild(blob, width, count - 1, INTSET_HEADER_BYTES + index * width, '', width);
}

/**
 * Checks a blob from outside (RESTORE, RDB): the header's width and count agree with its length,
 * and the elements are strictly ascending (intsetValidateIntegrity with deep checks).
 */
export function intsetIsValid(blob: string): boolean {
  if (blob.length < INTSET_HEADER_BYTES) return false;
  const width = readInt32(blob, 0);
  if (width !== 2 && width !== 4 && width !== 8) return false;
  const count = readInt32(blob, 4) >>> 0;
  if (blob.length !== INTSET_HEADER_BYTES + count * width) return false;
  for (let i = 1; i < count; i++) {
    const previous = intsetGet(blob, i - 1);
    const current = intsetGet(blob, i);
    if (!(previous < current)) return false;
  }
  return true;
}
