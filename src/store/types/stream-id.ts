// Stream entry IDs: <ms>-<seq>, two unsigned 64-bit numbers. Each number is kept as two 32-bit
// halves (hi, lo) in plain JS numbers, so every value up to 2^64-1 is exact while the common
// case (a millisecond clock, small sequences) stays small-integer arithmetic. Parsing follows
// Redis 7.0's streamGenericParseIDOrReply, string2ull and strtoull to the byte.

const TWO_32 = 4294967296;
const U32_MAX = 0xffffffff;
/** Below this hi half, hi * 2^32 + lo is an exact double. */
const SAFE_HI_LIMIT = 2097152;

export class StreamId {
  constructor(
    public msHi: number,
    public msLo: number,
    public seqHi: number,
    public seqLo: number,
  ) {}

  static zero(): StreamId {
    return new StreamId(0, 0, 0, 0);
  }

  static max(): StreamId {
    return new StreamId(U32_MAX, U32_MAX, U32_MAX, U32_MAX);
  }

  /** An ID from exact non-negative safe integers (tests, clock readings). */
  static of(ms: number, seq: number): StreamId {
    return new StreamId(Math.floor(ms / TWO_32), ms % TWO_32, Math.floor(seq / TWO_32), seq % TWO_32);
  }

  clone(): StreamId {
    return new StreamId(this.msHi, this.msLo, this.seqHi, this.seqLo);
  }

  copyFrom(other: StreamId): void {
    this.msHi = other.msHi;
    this.msLo = other.msLo;
    this.seqHi = other.seqHi;
    this.seqLo = other.seqLo;
  }

  set(msHi: number, msLo: number, seqHi: number, seqLo: number): void {
    this.msHi = msHi;
    this.msLo = msLo;
    this.seqHi = seqHi;
    this.seqLo = seqLo;
  }

  isZero(): boolean {
    return this.msHi === 0 && this.msLo === 0 && this.seqHi === 0 && this.seqLo === 0;
  }

  isMax(): boolean {
    return this.msHi === U32_MAX && this.msLo === U32_MAX && this.seqHi === U32_MAX && this.seqLo === U32_MAX;
  }

  equals(other: StreamId): boolean {
    return this.msLo === other.msLo && this.seqLo === other.seqLo && this.msHi === other.msHi && this.seqHi === other.seqHi;
  }

  /** -1, 0 or 1 as this ID sorts before, equal to, or after `other`. */
  compare(other: StreamId): number {
    return compareParts(this.msHi, this.msLo, this.seqHi, this.seqLo, other.msHi, other.msLo, other.seqHi, other.seqLo);
  }

  /** Redis's streamIncrID: the next ID; false (and 0-0) when this was the last possible one. */
  increment(): boolean {
    if (this.seqLo < U32_MAX) {
      this.seqLo++;
      return true;
    }
    if (this.seqHi < U32_MAX) {
      this.seqHi++;
      this.seqLo = 0;
      return true;
    }
    this.seqHi = 0;
    this.seqLo = 0;
    if (this.msLo < U32_MAX) {
      this.msLo++;
      return true;
    }
    if (this.msHi < U32_MAX) {
      this.msHi++;
      this.msLo = 0;
      return true;
    }
    this.msHi = 0;
    this.msLo = 0;
    return false;
  }

  /** Redis's streamDecrID: the previous ID; false (and max-max) when this was 0-0. */
  decrement(): boolean {
    if (this.seqLo > 0) {
      this.seqLo--;
      return true;
    }
    if (this.seqHi > 0) {
      this.seqHi--;
      this.seqLo = U32_MAX;
      return true;
    }
    this.seqHi = U32_MAX;
    this.seqLo = U32_MAX;
    if (this.msLo > 0) {
      this.msLo--;
      return true;
    }
    if (this.msHi > 0) {
      this.msHi--;
      this.msLo = U32_MAX;
      return true;
    }
    this.msHi = U32_MAX;
    this.msLo = U32_MAX;
    return false;
  }

  /** "<ms>-<seq>" as Redis prints it. */
  toString(): string {
    return u64Text(this.msHi, this.msLo) + '-' + u64Text(this.seqHi, this.seqLo);
  }
}

export function compareParts(
  aMsHi: number, aMsLo: number, aSeqHi: number, aSeqLo: number,
  bMsHi: number, bMsLo: number, bSeqHi: number, bSeqLo: number,
): number {
  if (aMsHi !== bMsHi) return aMsHi < bMsHi ? -1 : 1;
  if (aMsLo !== bMsLo) return aMsLo < bMsLo ? -1 : 1;
  if (aSeqHi !== bSeqHi) return aSeqHi < bSeqHi ? -1 : 1;
  if (aSeqLo !== bSeqLo) return aSeqLo < bSeqLo ? -1 : 1;
  return 0;
}

/** Values below this are small integers to V8, whose decimal conversion is fast. */
const SMALL_INT_LIMIT = 1073741824;
const LOW_DIGITS = 10_000_000;
const ZEROS = ['', '0', '00', '000', '0000', '00000', '000000'];
/** The high digits of the last large value formatted (a millisecond clock changes them rarely). */
let cachedHigh = -1;
let cachedHighText = '';

/** Decimal text of the unsigned 64-bit number hi * 2^32 + lo. */
export function u64Text(hi: number, lo: number): string {
  if (hi === 0 && lo < SMALL_INT_LIMIT) return String(lo);
  if (hi >= SAFE_HI_LIMIT) return ((BigInt(hi) << 32n) | BigInt(lo)).toString();
  // A double beyond the small-integer range converts several times slower than two small
  // integers: split off the last 7 digits, and reuse the text of the rest.
  const value = hi * TWO_32 + lo;
  const high = Math.floor(value / LOW_DIGITS);
  const lowText = String(value - high * LOW_DIGITS);
  if (high !== cachedHigh) {
    cachedHigh = high;
    cachedHighText = String(high);
  }
  return cachedHighText + ZEROS[7 - lowText.length] + lowText;
}

// ------------------------------------------------------------------------------------ parsing

/** Outcome of parsing one unsigned 64-bit number (shared scratch: read it right away). */
const parsedU64 = { hi: 0, lo: 0 };

/** C's isspace() in the "C" locale. */
function isCSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/**
 * Redis's string2ull over the C string `text[start, end)`: a strict int64 (string2ll) that is
 * not negative, or else whatever strtoull(…, 10) accepts whole: leading spaces, a sign (a minus
 * negates modulo 2^64), at least one digit, no overflow. Writes parsedU64; false when invalid.
 */
function parseU64(text: string, start: number, end: number): boolean {
  if (end <= start) return false;
  let i = start;
  while (i < end && isCSpace(text.charCodeAt(i))) i++;
  let negative = false;
  const sign = i < end ? text.charCodeAt(i) : 0;
  if (sign === 43 || sign === 45) {
    negative = sign === 45;
    i++;
  }
  const digitsStart = i;
  while (i < end) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return false;
    i++;
  }
  if (i === digitsStart) return false;
  // string2ll would have accepted a canonical negative number and string2ull then refuses it;
  // only strtoull's odd forms ("-01", "-0", "- 5" is refused above) reach the negation below.
  if (negative && isCanonicalNegative(text, start, end)) return false;
  let hi: number;
  let lo: number;
  // Leading zeros do not count towards overflow.
  let first = digitsStart;
  while (first < end - 1 && text.charCodeAt(first) === 48) first++;
  if (end - first <= 15) {
    let value = 0;
    for (let j = first; j < end; j++) value = value * 10 + (text.charCodeAt(j) - 48);
    hi = Math.floor(value / TWO_32);
    lo = value % TWO_32;
  } else {
    if (end - first > 20) return false;
    const big = BigInt(text.slice(first, end));
    if (big > 0xffffffffffffffffn) return false;
    hi = Number(big >> 32n);
    lo = Number(big & 0xffffffffn);
  }
  if (negative && (hi !== 0 || lo !== 0)) {
    // Two's complement modulo 2^64.
    if (lo === 0) {
      hi = (TWO_32 - hi) % TWO_32;
    } else {
      lo = TWO_32 - lo;
      hi = U32_MAX - hi;
    }
  }
  parsedU64.hi = hi;
  parsedU64.lo = lo;
  return true;
}

/** True when text[start, end) is what string2ll accepts as a negative int64 ("-5", not "-05"). */
function isCanonicalNegative(text: string, start: number, end: number): boolean {
  if (text.charCodeAt(start) !== 45 || end - start < 2) return false;
  const first = text.charCodeAt(start + 1);
  if (first < 49 || first > 57) return false;
  for (let j = start + 2; j < end; j++) {
    const c = text.charCodeAt(j);
    if (c < 48 || c > 57) return false;
  }
  if (end - start - 1 < 19) return true;
  if (end - start - 1 > 19) return false;
  return BigInt(text.slice(start + 1, end)) <= 9223372036854775808n;
}

/** Longest ID text Redis copies into its parsing buffer (128 bytes with the terminator). */
const MAX_ID_TEXT = 127;

export const ERR_INVALID_STREAM_ID = 'ERR Invalid stream ID specified as stream command argument';

export interface ParsedStreamId {
  id: StreamId;
  /** False for the "<ms>-*" form (only accepted when allowSeqStar). */
  seqGiven: boolean;
}

/**
 * Redis's streamGenericParseIDOrReply: "-" and "+" (unless strict), "<ms>", "<ms>-<seq>" and,
 * with allowSeqStar, "<ms>-*". A missing sequence becomes 0, or 2^64-1 with missingSeqMax.
 * Null when the text is not a valid ID.
 */
export function parseStreamId(text: string, strict: boolean, missingSeqMax: boolean, allowSeqStar: boolean): ParsedStreamId | null {
  if (text.length > MAX_ID_TEXT) return null;
  // Redis parses a C string: an embedded NUL ends it.
  let end = text.indexOf('\0');
  if (end < 0) end = text.length;
  if (end === 1) {
    const c = text.charCodeAt(0);
    if (c === 45 || c === 43) {
      if (strict) return null;
      return { id: c === 45 ? StreamId.zero() : StreamId.max(), seqGiven: true };
    }
  }
  const dash = text.indexOf('-');
  const msEnd = dash >= 0 && dash < end ? dash : end;
  if (!parseU64(text, 0, msEnd)) return null;
  const msHi = parsedU64.hi;
  const msLo = parsedU64.lo;
  if (msEnd === end) {
    const seq = missingSeqMax ? U32_MAX : 0;
    return { id: new StreamId(msHi, msLo, seq, seq), seqGiven: true };
  }
  if (allowSeqStar && end - msEnd === 2 && text.charCodeAt(msEnd + 1) === 42) {
    return { id: new StreamId(msHi, msLo, 0, 0), seqGiven: false };
  }
  if (!parseU64(text, msEnd + 1, end)) return null;
  return { id: new StreamId(msHi, msLo, parsedU64.hi, parsedU64.lo), seqGiven: true };
}

/**
 * Redis's streamParseIntervalIDOrReply for range bounds: a leading "(" (on a longer text) makes
 * the bound exclusive and the rest is parsed strictly. Null when invalid.
 */
export function parseIntervalId(text: string, missingSeqMax: boolean): { id: StreamId; exclusive: boolean } | null {
  const exclusive = text.length > 1 && text.charCodeAt(0) === 40;
  const parsed = exclusive
    ? parseStreamId(text.slice(1), true, missingSeqMax, false)
    : parseStreamId(text, false, missingSeqMax, false);
  return parsed === null ? null : { id: parsed.id, exclusive };
}
