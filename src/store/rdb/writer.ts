// RdbWriter: appends RDB encodings (lengths, strings with Redis's integer and LZF forms,
// doubles, millisecond times) to a growable Buffer. One writer builds a DUMP payload or a whole
// RDB image; DEBUG OBJECT's serializedlength is the length a writer reaches.

import {
  RDB_14BITLEN, RDB_32BITLEN, RDB_64BITLEN, RDB_6BITLEN, RDB_ENC_INT16, RDB_ENC_INT32, RDB_ENC_INT8, RDB_ENC_LZF,
  RDB_ENCVAL,
} from './constants.js';
import { Crc64 } from './crc64.js';
import { lzfCompress } from './lzf.js';
import { parseInt64 } from '../../util/numbers.js';

const INITIAL_BYTES = 256;
/** Redis does not try LZF on strings of 20 bytes or less (they never shrink). */
const LZF_MIN_LENGTH = 21;
/** Only strings this short are tried as integers (rdbSaveRawString). */
const INT_CANDIDATE_MAX_LENGTH = 11;
const UINT32_LIMIT = 0x1_0000_0000;

export interface RdbWriterOptions {
  /** rdbcompression: LZF-compress strings longer than 20 bytes when that saves 4+ bytes. */
  compress: boolean;
}

export class RdbWriter {
  private buf: Buffer;
  private pos = 0;
  /** Bytes before this offset are already in `crc` (see checksum()). */
  private crcDone = 0;
  private crc: Crc64 | null = null;
  readonly compress: boolean;

  constructor(options: RdbWriterOptions, initialBytes = INITIAL_BYTES) {
    this.compress = options.compress;
    this.buf = Buffer.allocUnsafe(initialBytes);
  }

  get length(): number {
    return this.pos;
  }

  private reserve(bytes: number): void {
    const need = this.pos + bytes;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  u8(value: number): void {
    this.reserve(1);
    this.buf[this.pos++] = value;
  }

  bytes(data: Uint8Array): void {
    this.reserve(data.length);
    this.buf.set(data, this.pos);
    this.pos += data.length;
  }

  /** Bytes of a latin1 string, as they are (no length). */
  latin1(text: string): void {
    this.reserve(text.length);
    this.pos += this.buf.latin1Write(text, this.pos);
  }

  /** rdbSaveLen: 6-, 14-, 32- or 64-bit length (big endian past one byte). */
  length64(value: number | bigint): void {
    if (typeof value === 'bigint') {
      if (value < BigInt(UINT32_LIMIT)) {
        this.len(Number(value));
        return;
      }
      this.reserve(9);
      this.buf[this.pos++] = RDB_64BITLEN;
      this.buf.writeBigUInt64BE(value, this.pos);
      this.pos += 8;
      return;
    }
    this.len(value);
  }

  /** rdbSaveLen for a non-negative safe integer. */
  len(value: number): void {
    this.reserve(9);
    const b = this.buf;
    if (value < 1 << 6) {
      b[this.pos++] = (RDB_6BITLEN << 6) | value;
    } else if (value < 1 << 14) {
      b[this.pos++] = (RDB_14BITLEN << 6) | (value >>> 8);
      b[this.pos++] = value & 0xff;
    } else if (value < UINT32_LIMIT) {
      b[this.pos++] = RDB_32BITLEN;
      b.writeUInt32BE(value, this.pos);
      this.pos += 4;
    } else {
      b[this.pos++] = RDB_64BITLEN;
      b.writeBigUInt64BE(BigInt(value), this.pos);
      this.pos += 8;
    }
  }

  /** rdbEncodeInteger: the 8/16/32-bit integer string forms; false when out of their range. */
  private encodedInteger(value: number): boolean {
    this.reserve(5);
    const b = this.buf;
    if (value >= -128 && value <= 127) {
      b[this.pos++] = (RDB_ENCVAL << 6) | RDB_ENC_INT8;
      b[this.pos++] = value & 0xff;
    } else if (value >= -32768 && value <= 32767) {
      b[this.pos++] = (RDB_ENCVAL << 6) | RDB_ENC_INT16;
      b.writeInt16LE(value, this.pos);
      this.pos += 2;
    } else if (value >= -2147483648 && value <= 2147483647) {
      b[this.pos++] = (RDB_ENCVAL << 6) | RDB_ENC_INT32;
      b.writeInt32LE(value, this.pos);
      this.pos += 4;
    } else {
      return false;
    }
    return true;
  }

  /**
   * rdbSaveRawString for a latin1 string: an integer form when the text is a canonical integer
   * that fits 32 bits, else LZF when enabled and worth it, else length + bytes.
   */
  string(text: string): void {
    const len = text.length;
    if (len <= INT_CANDIDATE_MAX_LENGTH && len > 0) {
      const n = parseInt64(text);
      if (typeof n === 'number' && this.encodedInteger(n)) return;
    }
    if (this.compress && len >= LZF_MIN_LENGTH) {
      const bytes = Buffer.from(text, 'latin1');
      if (this.compressed(bytes, 0, len)) return;
      this.len(len);
      this.bytes(bytes);
      return;
    }
    this.len(len);
    this.latin1(text);
  }

  /** rdbSaveRawString for bytes held in a Buffer (a MutableString's). */
  stringBytes(data: Uint8Array): void {
    const len = data.length;
    if (len <= INT_CANDIDATE_MAX_LENGTH && len > 0) {
      const n = parseInt64(Buffer.from(data.buffer, data.byteOffset, len).latin1Slice(0, len));
      if (typeof n === 'number' && this.encodedInteger(n)) return;
    }
    if (this.compress && len >= LZF_MIN_LENGTH && this.compressed(data, 0, len)) return;
    this.len(len);
    this.bytes(data);
  }

  /** rdbSaveLzfStringObject: true when the compressed form was written. */
  private compressed(data: Uint8Array, start: number, end: number): boolean {
    const len = end - start;
    // At least four bytes must be saved for compression to be worth it.
    const packed = lzfCompress(data, start, end, len - 4);
    if (packed === null) return false;
    this.lzfBlob(packed, len);
    return true;
  }

  /** rdbSaveLzfBlob: an already compressed string with its original length. */
  lzfBlob(packed: Uint8Array, originalLength: number): void {
    this.u8((RDB_ENCVAL << 6) | RDB_ENC_LZF);
    this.len(packed.length);
    this.len(originalLength);
    this.bytes(packed);
  }

  /** rdbSaveMillisecondTime: int64 little endian. */
  millis(ms: number): void {
    this.reserve(8);
    this.buf.writeBigInt64LE(BigInt(Math.trunc(ms)), this.pos);
    this.pos += 8;
  }

  /** rdbSaveBinaryDoubleValue: IEEE 754 binary64 little endian. */
  binaryDouble(value: number): void {
    this.reserve(8);
    this.buf.writeDoubleLE(value, this.pos);
    this.pos += 8;
  }

  /** A stream ID as 128 bits big endian (PEL keys, stream node keys). */
  streamId(ms: bigint, seq: bigint): void {
    this.reserve(16);
    this.buf.writeBigUInt64BE(ms, this.pos);
    this.buf.writeBigUInt64BE(seq, this.pos + 8);
    this.pos += 16;
  }

  /** The CRC64 of everything written so far (incremental: each byte is hashed once). */
  checksum(): Crc64 {
    if (this.crc === null) this.crc = new Crc64();
    this.crc.update(this.buf, this.crcDone, this.pos);
    this.crcDone = this.pos;
    return this.crc;
  }

  /** The bytes written, as a view of the writer's buffer (valid until the next write). */
  view(): Buffer {
    return this.buf.subarray(0, this.pos);
  }

  /** Empties the writer, keeping its buffer (a snapshot writes its bytes out slice by slice). */
  reset(): void {
    this.pos = 0;
    this.crcDone = 0;
    this.crc = null;
  }

  /** The bytes written, in a Buffer of their own exact size. */
  finish(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.pos));
  }
}
