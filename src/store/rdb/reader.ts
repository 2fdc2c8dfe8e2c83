// RdbReader: reads RDB encodings from a Buffer without ever reading past its end. Every length
// is checked against the bytes that remain before anything is allocated, so a corrupt or hostile
// input costs at most its own size; every failure is an RdbFormatError.

import {
  RDB_14BITLEN, RDB_32BITLEN, RDB_64BITLEN, RDB_6BITLEN, RDB_ENC_INT16, RDB_ENC_INT32, RDB_ENC_INT8, RDB_ENC_LZF,
  RDB_ENCVAL,
} from './constants.js';
import { corrupt, RdbShortInput } from './errors.js';
import { lzfDecompress } from './lzf.js';

/** One compressed byte expands to at most this many (a 3-byte back reference of 264 bytes). */
const LZF_MAX_EXPANSION = 88;
/** A string value may not exceed Redis's proto-max-bulk-len ceiling (512 MB). */
const MAX_STRING_BYTES = 512 * 1024 * 1024;

export class RdbReader {
  pos: number;
  readonly end: number;
  /**
   * The input goes on past `end` (an image still arriving): running out of bytes is then not
   * corrupt data but RdbShortInput, and the caller retries the record with more bytes.
   */
  partial = false;

  constructor(readonly buf: Buffer, start = 0, end = buf.length) {
    this.pos = start;
    this.end = end;
  }

  private ranOut(what: string): never {
    if (this.partial) throw new RdbShortInput();
    return corrupt(`Unexpected end of data${what}`);
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  get atEnd(): boolean {
    return this.pos >= this.end;
  }

  private need(bytes: number, what: string): void {
    if (bytes > this.end - this.pos) this.ranOut(` reading ${what}`);
  }

  u8(): number {
    if (this.pos >= this.end) this.ranOut('');
    return this.buf[this.pos++];
  }

  /** `count` raw bytes, as a view into the input (no copy). */
  bytes(count: number): Buffer {
    this.need(count, 'bytes');
    const view = this.buf.subarray(this.pos, this.pos + count);
    this.pos += count;
    return view;
  }

  /**
   * rdbLoadLenByRef: a length, or (encoded === true) the special string encoding number that
   * follows an RDB_ENCVAL byte. 64-bit lengths past 2^53 are corrupt for our purposes (no
   * collection or string can be that long).
   */
  private lengthOrEncoding(): { value: number; encoded: boolean } {
    const first = this.u8();
    const kind = (first & 0xc0) >> 6;
    if (kind === RDB_ENCVAL) return { value: first & 0x3f, encoded: true };
    if (kind === RDB_6BITLEN) return { value: first & 0x3f, encoded: false };
    if (kind === RDB_14BITLEN) return { value: ((first & 0x3f) << 8) | this.u8(), encoded: false };
    if (first === RDB_32BITLEN) {
      this.need(4, 'a length');
      const v = this.buf.readUInt32BE(this.pos);
      this.pos += 4;
      return { value: v, encoded: false };
    }
    if (first === RDB_64BITLEN) {
      this.need(8, 'a length');
      const v = this.buf.readBigUInt64BE(this.pos);
      this.pos += 8;
      if (v > BigInt(Number.MAX_SAFE_INTEGER)) corrupt('Length out of range');
      return { value: Number(v), encoded: false };
    }
    return corrupt(`Unknown length encoding ${kind} in rdbLoadLen()`);
  }

  /** rdbLoadLen: a plain length (an encoding marker here is corrupt data). */
  len(): number {
    const first = this.buf[this.pos];
    // Fast path for the common one-byte length.
    if (this.pos < this.end && first < 0x40) {
      this.pos++;
      return first;
    }
    const { value, encoded } = this.lengthOrEncoding();
    if (encoded) corrupt('Unexpected encoded length');
    return value;
  }

  /** A full 64-bit length, as a bigint (stream IDs and counters). */
  lenBig(): bigint {
    const first = this.buf[this.pos];
    if (this.pos < this.end && first === RDB_64BITLEN) {
      this.pos++;
      this.need(8, 'a length');
      const v = this.buf.readBigUInt64BE(this.pos);
      this.pos += 8;
      return v;
    }
    return BigInt(this.len());
  }

  /** A count of things that take at least `minBytesEach` bytes each: bounded by what remains. */
  count(minBytesEach = 1): number {
    const n = this.len();
    if (n * minBytesEach > this.end - this.pos) {
      if (this.partial) throw new RdbShortInput();
      corrupt('Count larger than the data');
    }
    return n;
  }

  /**
   * rdbGenericLoadStringObject: a string in any of its forms (integer, LZF, plain), as a latin1
   * string; integers come back as their decimal text, as Redis loads them.
   */
  string(): string {
    const first = this.buf[this.pos];
    if (this.pos < this.end && first < 0x40) {
      this.pos++;
      this.need(first, 'a string');
      const s = this.buf.latin1Slice(this.pos, this.pos + first);
      this.pos += first;
      return s;
    }
    const { value, encoded } = this.lengthOrEncoding();
    if (!encoded) {
      if (value > MAX_STRING_BYTES) corrupt('String too long');
      this.need(value, 'a string');
      const s = this.buf.latin1Slice(this.pos, this.pos + value);
      this.pos += value;
      return s;
    }
    if (value === RDB_ENC_LZF) {
      const bytes = this.lzfString();
      return bytes.latin1Slice(0, bytes.length);
    }
    return String(this.encodedInteger(value));
  }

  /** Like string(), as bytes: a view of the input when stored plain, a fresh Buffer otherwise. */
  stringBytes(): Buffer {
    const { value, encoded } = this.lengthOrEncoding();
    if (!encoded) {
      if (value > MAX_STRING_BYTES) corrupt('String too long');
      return this.bytes(value);
    }
    if (value === RDB_ENC_LZF) return this.lzfString();
    return Buffer.from(String(this.encodedInteger(value)), 'latin1');
  }

  private encodedInteger(encoding: number): number {
    if (encoding === RDB_ENC_INT8) {
      this.need(1, 'an integer');
      return this.buf.readInt8(this.pos++);
    }
    if (encoding === RDB_ENC_INT16) {
      this.need(2, 'an integer');
      const v = this.buf.readInt16LE(this.pos);
      this.pos += 2;
      return v;
    }
    if (encoding === RDB_ENC_INT32) {
      this.need(4, 'an integer');
      const v = this.buf.readInt32LE(this.pos);
      this.pos += 4;
      return v;
    }
    return corrupt(`Unknown RDB string encoding type ${encoding}`);
  }

  private lzfString(): Buffer {
    const packedLength = this.len();
    const length = this.len();
    this.need(packedLength, 'a compressed string');
    if (length > MAX_STRING_BYTES || length > packedLength * LZF_MAX_EXPANSION) corrupt('Invalid LZF compressed string');
    const out = lzfDecompress(this.buf, this.pos, this.pos + packedLength, length);
    this.pos += packedLength;
    return out;
  }

  /** rdbLoadMillisecondTime (RDB 9+ little endian; earlier versions wrote host order, i.e. LE too). */
  millis(): number {
    this.need(8, 'a time');
    const v = this.buf.readBigInt64LE(this.pos);
    this.pos += 8;
    return Number(v);
  }

  /** rdbLoadTime: the old 32-bit seconds form. */
  seconds32(): number {
    this.need(4, 'a time');
    const v = this.buf.readInt32LE(this.pos);
    this.pos += 4;
    return v;
  }

  binaryDouble(): number {
    this.need(8, 'a double');
    const v = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return v;
  }

  /**
   * rdbLoadDoubleValue: the old text form, a length byte (253 nan, 254 +inf, 255 -inf) then
   * the number as "%.17g" text, read with sscanf's "%lg" (leading numeric prefix).
   */
  textDouble(): number {
    const len = this.u8();
    if (len === 255) return -Infinity;
    if (len === 254) return Infinity;
    if (len === 253) return NaN;
    this.need(len, 'a double');
    const text = this.buf.latin1Slice(this.pos, this.pos + len);
    this.pos += len;
    const value = scanDouble(text);
    if (value === null) corrupt('Invalid double value');
    return value;
  }

  /** A stream ID stored as 128 bits big endian. */
  streamId(): { ms: bigint; seq: bigint } {
    this.need(16, 'a stream ID');
    const ms = this.buf.readBigUInt64BE(this.pos);
    const seq = this.buf.readBigUInt64BE(this.pos + 8);
    this.pos += 16;
    return { ms, seq };
  }
}

/** sscanf("%lg"): the longest prefix that is a number (after spaces), null when there is none. */
function scanDouble(text: string): number | null {
  const m = /^\s*([+-]?)(inf(inity)?|nan|(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?)/i.exec(text);
  if (m === null) return null;
  const body = m[2].toLowerCase();
  const sign = m[1] === '-' ? -1 : 1;
  if (body.startsWith('inf')) return sign * Infinity;
  if (body === 'nan') return NaN;
  return sign * Number(m[4] + (m[5] ?? ''));
}
