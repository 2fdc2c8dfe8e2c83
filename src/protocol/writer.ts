// Reply encoder for RESP2 and RESP3 into a reusable growable buffer. One writer per connection;
// the connection flushes it once per event-loop turn.
//
// The buffer kept between flushes has the size of Redis's per-client reply buffer (CLIENT LIST
// rbs), which the server's cron resizes by how much of it the client's batches fill (see
// server/reply-buffer-resizing.ts); a batch that outgrows it grows a bigger buffer for that
// batch only, as Redis's replies past its buffer go to a list.

import { formatDouble17g } from '../util/numbers.js';

/** Redis's PROTO_REPLY_CHUNK_BYTES: a client's reply buffer starts at this size. */
export const REPLY_BUFFER_BYTES = 16 * 1024;
/** Batches at least this big are handed over without a copy (the writer starts a fresh buffer). */
const HAND_OVER_BYTES = 16 * 1024;
/** Shared bulk values at least this big go out by reference (bulkShared), not copied. */
const SHARED_BULK_MIN_BYTES = 16 * 1024;

/** Pre-encoded "$<n>\r\n" and ":<n>\r\n" headers for small n, the most common replies. */
const SMALL_CACHE_SIZE = 1024;
/** Up to this many chars of a string are written by a JS loop instead of a native call. */
const SMALL_COPY_BYTES = 64;
/** Up to this many bytes of a Buffer are copied by a JS loop instead of Buffer.copy. */
const SMALL_BUFFER_COPY_BYTES = 16;
const bulkHeaders: Buffer[] = [];
const intReplies: Buffer[] = [];
const arrayHeaders: Buffer[] = [];
for (let i = 0; i < SMALL_CACHE_SIZE; i++) {
  bulkHeaders.push(Buffer.from(`$${i}\r\n`, 'latin1'));
  intReplies.push(Buffer.from(`:${i}\r\n`, 'latin1'));
  arrayHeaders.push(Buffer.from(`*${i}\r\n`, 'latin1'));
}

export const REPLY_OK = Buffer.from('+OK\r\n');
const NULL_RESP3 = Buffer.from('_\r\n');
const NULL_BULK_RESP2 = Buffer.from('$-1\r\n');
const NULL_ARRAY_RESP2 = Buffer.from('*-1\r\n');
export const REPLY_PONG = Buffer.from('+PONG\r\n');
export const REPLY_QUEUED = Buffer.from('+QUEUED\r\n');

export type ProtocolVersion = 2 | 3;

export class ReplyWriter {
  /** Protocol of the connection, changed by HELLO. */
  resp: ProtocolVersion = 2;
  private buf: Buffer = EMPTY;
  private used = 0;
  /**
   * Output already closed off ahead of `buf` (big shared values go out by reference between
   * pieces of `buf`); null in the usual case of one contiguous buffer.
   */
  private chunks: Buffer[] | null = null;
  private chunkedBytes = 0;
  /** Set while a reply must not be written (CLIENT REPLY OFF/SKIP). */
  muted = false;
  /** Called for every error reply (error statistics), muted or not. */
  onError: ((text: string) => void) | null = null;
  /** Size of the buffer kept between flushes (Redis's buf_usable_size, CLIENT LIST rbs). */
  private keptBytes = REPLY_BUFFER_BYTES;
  /**
   * Most of the kept buffer a batch filled since the peak was last reset (Redis's buf_peak). It
   * starts full, as Redis's does, so a new client's buffer is not shrunk before the first reset.
   */
  private peakBytes = REPLY_BUFFER_BYTES;

  get lengthBytes(): number {
    return this.chunkedBytes + this.used;
  }

  /** The reply buffer's size (CLIENT LIST rbs). */
  get bufferBytes(): number {
    return this.keptBytes;
  }

  /** What the reply buffer takes now: its size, or more while a batch outgrew it. */
  get capacityBytes(): number {
    return this.buf.length > this.keptBytes ? this.buf.length : this.keptBytes;
  }

  /** Most of the buffer a batch filled since the last reset, the batch in progress included (rbp). */
  get bufferPeakBytes(): number {
    const filled = this.lengthBytes < this.keptBytes ? this.lengthBytes : this.keptBytes;
    return filled > this.peakBytes ? filled : this.peakBytes;
  }

  /**
   * When the peak was last reset (ms). Redis stamps a new client's reset time in seconds and
   * compares it with milliseconds, so a client's first visit by the cron resets its peak: 0 here
   * does the same.
   */
  peakResetAtMs = 0;

  /** Starts a new peak from what the buffer holds now (Redis: buf_peak = bufpos). */
  resetPeak(nowMs: number): void {
    this.peakBytes = this.used < this.keptBytes ? this.used : this.keptBytes;
    this.peakResetAtMs = nowMs;
  }

  /**
   * The buffer kept between flushes becomes `sizeBytes`: allocated at the next reply when the
   * writer is empty; otherwise the batch in progress keeps its buffer until it is taken.
   */
  resizeBuffer(sizeBytes: number): void {
    this.keptBytes = sizeBytes;
    if (this.used === 0 && this.chunks === null) this.buf = EMPTY;
  }

  /** A batch of `sizeBytes` leaves: the peak notes how much of the kept buffer it filled. */
  private notePeak(sizeBytes: number): void {
    const filled = sizeBytes < this.keptBytes ? sizeBytes : this.keptBytes;
    if (filled > this.peakBytes) this.peakBytes = filled;
  }

  private ensure(extra: number): void {
    const need = this.used + extra;
    if (need <= this.buf.length) return;
    let size = this.buf.length === 0 ? this.keptBytes : this.buf.length * 2;
    while (size < need) size *= 2;
    const next = Buffer.allocUnsafe(size);
    if (this.used > 0) this.buf.copy(next, 0, 0, this.used);
    this.buf = next;
  }

  /**
   * Takes what was written so far and empties the writer: one standalone Buffer, or a list of
   * them when big shared values went out by reference (to be written with one writev).
   */
  take(): Buffer | Buffer[] | null {
    if (this.chunks !== null) return this.takeChunks();
    if (this.used === 0) return null;
    this.notePeak(this.used);
    return this.takeBuffered();
  }

  /**
   * The bytes written to the buffer since the last take, as a Buffer of their own (the buffer is
   * reused for the next replies, while the bytes may wait in libuv's queue): a copy, or the
   * buffer itself when they are many.
   */
  private takeBuffered(): Buffer {
    const used = this.used;
    this.used = 0;
    if (used >= HAND_OVER_BYTES) {
      // A big batch leaves with the buffer itself: no copy; the next reply starts a new one.
      const out = this.buf.subarray(0, used);
      this.buf = EMPTY;
      return out;
    }
    const out = Buffer.allocUnsafe(used);
    if (used <= SMALL_COPY_BYTES) {
      // Most batches are one short reply: a JS loop beats Buffer.copy's native call (about 2% of
      // a non-pipelined SET's CPU in profiles).
      const buf = this.buf;
      for (let i = 0; i < used; i++) out[i] = buf[i];
    } else {
      this.buf.copy(out, 0, 0, used);
    }
    // A buffer the batch grew (or one resized meanwhile) is not kept: the next reply gets one
    // of the kept size.
    if (this.buf.length !== this.keptBytes) this.buf = EMPTY;
    return out;
  }

  /**
   * When what was written so far is exactly one integer reply of a safe integer (INCR's and
   * most write commands'), takes it and returns the number; otherwise leaves the output and
   * returns null. A script reads the commonest reply this way without making any string.
   */
  takeSafeInteger(): number | null {
    const used = this.used;
    if (this.chunks !== null || used < 4) return null;
    const buf = this.buf;
    if (buf[0] !== 58 || buf[used - 2] !== 13) return null;
    let at = 1;
    const negative = buf[1] === 45;
    if (negative) at = 2;
    // Up to 15 digits the decimal accumulation below is exact.
    if (used - 2 - at > 15) return null;
    let value = 0;
    for (; at < used - 2; at++) {
      const digit = buf[at] - 48;
      if (digit < 0 || digit > 9) return null;
      value = value * 10 + digit;
    }
    this.used = 0;
    return negative ? -value : value;
  }

  /**
   * Takes what was written so far as latin1 text (a script reads its commands' replies back
   * this way) without copying it into a Buffer of its own first.
   */
  takeLatin1(): string {
    if (this.chunks !== null) {
      const whole = Buffer.concat(this.takeChunks());
      return whole.latin1Slice(0, whole.length);
    }
    const used = this.used;
    if (used === 0) return '';
    this.used = 0;
    const text = this.buf.latin1Slice(0, used);
    if (this.buf.length !== this.keptBytes) this.buf = EMPTY;
    return text;
  }

  private takeChunks(): Buffer[] {
    const chunks = this.chunks as Buffer[];
    this.notePeak(this.lengthBytes);
    if (this.used > 0) chunks.push(this.takeBuffered());
    this.chunks = null;
    this.chunkedBytes = 0;
    return chunks;
  }

  /** Discards bytes written after `mark` (used to drop a reply, e.g. under CLIENT REPLY SKIP). */
  truncate(mark: number): void {
    if (this.chunks === null || mark >= this.chunkedBytes) {
      const local = mark - this.chunkedBytes;
      if (local < this.used) this.used = local;
      return;
    }
    // Rare (a failing command after a big shared value): rebuild as one contiguous buffer.
    const kept = Buffer.concat(this.takeChunks()).subarray(0, mark);
    this.ensure(kept.length);
    kept.copy(this.buf, 0);
    this.used = kept.length;
  }

  raw(bytes: Buffer): void {
    if (this.muted) return;
    this.ensure(bytes.length);
    this.copyBytes(bytes);
  }

  /** Writes bytes even while muted: out-of-band pushes bypass CLIENT REPLY OFF/SKIP. */
  rawUnmuted(bytes: Buffer): void {
    this.ensure(bytes.length);
    this.copyBytes(bytes);
  }

  /**
   * Copies bytes in. For the few bytes of a header or a cached reply, a JS loop beats
   * Buffer.copy's call into C++ (measured: about 90 ns saved per GET).
   */
  private copyBytes(bytes: Buffer): void {
    const n = bytes.length;
    if (n <= SMALL_BUFFER_COPY_BYTES) {
      const buf = this.buf;
      let at = this.used;
      for (let i = 0; i < n; i++) buf[at++] = bytes[i];
      this.used = at;
    } else {
      bytes.copy(this.buf, this.used);
      this.used += n;
    }
  }

  /** Writes a latin1 string (room already ensured); short ones by a JS loop, like copyBytes. */
  private writeLatin1(text: string): void {
    const n = text.length;
    if (n <= SMALL_COPY_BYTES) {
      const buf = this.buf;
      let at = this.used;
      for (let i = 0; i < n; i++) buf[at++] = text.charCodeAt(i);
      this.used = at;
    } else {
      this.used += this.buf.latin1Write(text, this.used);
    }
  }

  private ascii(text: string): void {
    this.ensure(text.length);
    this.writeLatin1(text);
  }

  ok(): void {
    this.raw(REPLY_OK);
  }

  simple(text: string): void {
    if (this.muted) return;
    this.ascii('+' + text + '\r\n');
  }

  /** `text` is the whole error line without the leading '-', e.g. "ERR syntax error". */
  error(text: string): void {
    if (this.onError !== null) this.onError(text);
    this.errorWithoutStats(text);
  }

  /**
   * An error reply left out of the error statistics: the error a script returns from a failed
   * redis.call() was already counted when the command replied it.
   */
  errorWithoutStats(text: string): void {
    if (this.muted) return;
    // Newlines would break the protocol; Redis replaces them the same way.
    const safe = text.indexOf('\n') >= 0 || text.indexOf('\r') >= 0 ? text.replace(/[\r\n]/g, ' ') : text;
    this.ascii('-' + safe + '\r\n');
  }

  integer(value: number | bigint): void {
    if (this.muted) return;
    if (typeof value === 'number' && value >= 0 && value < SMALL_CACHE_SIZE && Number.isInteger(value)) {
      this.raw(intReplies[value]);
      return;
    }
    if (typeof value === 'number' && Number.isSafeInteger(value)) {
      this.integerDigits(value);
      return;
    }
    this.ascii(':' + String(value) + '\r\n');
  }

  /** ":<n>\r\n" written digit by digit: no intermediate string (INCR's reply path). */
  private integerDigits(value: number): void {
    this.ensure(24);
    const buf = this.buf;
    let at = this.used;
    buf[at++] = 58; // ':'
    let n = value;
    if (n < 0) {
      buf[at++] = 45; // '-'
      n = -n;
    }
    const start = at;
    do {
      buf[at++] = 48 + (n % 10);
      n = Math.floor(n / 10);
    } while (n > 0);
    // Digits came out least significant first.
    for (let i = start, j = at - 1; i < j; i++, j--) {
      const t = buf[i];
      buf[i] = buf[j];
      buf[j] = t;
    }
    buf[at++] = 13;
    buf[at++] = 10;
    this.used = at;
  }

  bulk(value: string | Buffer): void {
    if (this.muted) return;
    const len = value.length;
    if (len < SMALL_CACHE_SIZE) {
      const header = bulkHeaders[len];
      this.ensure(header.length + len + 2);
      this.copyBytes(header);
    } else {
      this.ascii('$' + len + '\r\n');
      this.ensure(len + 2);
    }
    if (typeof value === 'string') this.writeLatin1(value);
    else this.copyBytes(value);
    this.buf[this.used++] = 13;
    this.buf[this.used++] = 10;
  }

  /**
   * A bulk string whose bytes the caller promises not to change in place until they are written
   * (a MutableString marked copy-on-write): big ones go out by reference, with no copy.
   */
  bulkShared(value: Buffer): void {
    if (this.muted) return;
    const len = value.length;
    if (len < SHARED_BULK_MIN_BYTES) {
      this.bulk(value);
      return;
    }
    this.ascii('$' + len + '\r\n');
    this.chunkedBytes += this.used + len;
    (this.chunks ??= []).push(this.takeBuffered(), value);
    this.ensure(2);
    this.buf[this.used++] = 13;
    this.buf[this.used++] = 10;
  }

  /** A bulk string of `text` from char `start` on, without making the substring. */
  bulkFrom(text: string, start: number): void {
    if (this.muted) return;
    const len = text.length - start;
    if (len >= SMALL_CACHE_SIZE || len > SMALL_COPY_BYTES) {
      this.bulk(text.slice(start));
      return;
    }
    const header = bulkHeaders[len];
    this.ensure(header.length + len + 2);
    this.copyBytes(header);
    const buf = this.buf;
    let at = this.used;
    for (let i = start; i < text.length; i++) buf[at++] = text.charCodeAt(i);
    buf[at++] = 13;
    buf[at++] = 10;
    this.used = at;
  }

  /**
   * A bulk string of the chars `start` to `end` (exclusive) of `text`, without making the
   * substring (an element inside a listpack, LRANGE's path).
   */
  bulkSlice(text: string, start: number, end: number): void {
    if (this.muted) return;
    const len = end - start;
    if (len > SMALL_COPY_BYTES) {
      this.bulk(text.slice(start, end));
      return;
    }
    const header = bulkHeaders[len];
    this.ensure(header.length + len + 2);
    this.copyBytes(header);
    const buf = this.buf;
    let at = this.used;
    for (let i = start; i < end; i++) buf[at++] = text.charCodeAt(i);
    buf[at++] = 13;
    buf[at++] = 10;
    this.used = at;
  }

  /** A bulk string holding the decimal form of an integer (e.g. INCRBYFLOAT-like replies). */
  bulkNumber(value: number | bigint): void {
    this.bulk(String(value));
  }

  /** A null bulk ("$-1" in RESP2, "_" in RESP3). */
  nullBulk(): void {
    if (this.muted) return;
    this.raw(this.resp === 3 ? NULL_RESP3 : NULL_BULK_RESP2);
  }

  /** A null array ("*-1" in RESP2, "_" in RESP3). */
  nullArray(): void {
    if (this.muted) return;
    this.raw(this.resp === 3 ? NULL_RESP3 : NULL_ARRAY_RESP2);
  }

  arrayLength(count: number): void {
    if (this.muted) return;
    if (count < SMALL_CACHE_SIZE) this.raw(arrayHeaders[count]);
    else this.ascii('*' + count + '\r\n');
  }

  /** A map of `count` pairs: "%" in RESP3, a flat array of 2*count in RESP2. */
  mapLength(count: number): void {
    if (this.muted) return;
    if (this.resp === 3) this.ascii('%' + count + '\r\n');
    else this.arrayLength(count * 2);
  }

  /** A set: "~" in RESP3, an array in RESP2. */
  setLength(count: number): void {
    if (this.muted) return;
    if (this.resp === 3) this.ascii('~' + count + '\r\n');
    else this.arrayLength(count);
  }

  /** An out-of-band push (">" in RESP3, an array in RESP2, as pub/sub messages are). */
  pushLength(count: number): void {
    if (this.muted) return;
    if (this.resp === 3) this.ascii('>' + count + '\r\n');
    else this.arrayLength(count);
  }

  /** A double: "," in RESP3, a bulk string in RESP2, both in Redis's "%.17g" form. */
  double(value: number): void {
    if (this.muted) return;
    const text = formatDouble17g(value);
    if (this.resp === 3) this.ascii(',' + text + '\r\n');
    else this.bulk(text);
  }

  /** A big number ("(" in RESP3, a bulk string in RESP2). */
  bigNumber(digits: string): void {
    if (this.muted) return;
    if (this.resp === 3) this.ascii('(' + digits + '\r\n');
    else this.bulk(digits);
  }

  boolean(value: boolean): void {
    if (this.muted) return;
    if (this.resp === 3) this.ascii(value ? '#t\r\n' : '#f\r\n');
    else this.raw(value ? intReplies[1] : intReplies[0]);
  }

  /** A verbatim string ("=" with a 3-letter format in RESP3, a bulk string in RESP2). */
  verbatim(text: string, format = 'txt'): void {
    if (this.muted) return;
    if (this.resp !== 3) {
      this.bulk(text);
      return;
    }
    this.ascii('=' + (text.length + 4) + '\r\n' + format + ':');
    this.ensure(text.length + 2);
    this.used += this.buf.latin1Write(text, this.used);
    this.buf[this.used++] = 13;
    this.buf[this.used++] = 10;
  }

  /** An array of bulk strings (the most common multi-value reply). */
  bulkArray(values: readonly (string | Buffer)[]): void {
    if (this.muted) return;
    this.arrayLength(values.length);
    for (let i = 0; i < values.length; i++) this.bulk(values[i]);
  }

  /** Bulk strings, with null bulks where a value is null (MGET, HMGET). */
  bulkOrNullArray(values: readonly (string | Buffer | null)[]): void {
    if (this.muted) return;
    this.arrayLength(values.length);
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (v === null) this.nullBulk();
      else this.bulk(v);
    }
  }
}

const EMPTY = Buffer.alloc(0);
