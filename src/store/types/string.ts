// String values mutated in place: a Buffer with spare room, like Redis's sds ("raw" encoding).

import { isHeld, releaseWhenUnheld, wholeAllocationOf } from '../../util/buffer-recycler.js';

export class MutableString {
  readonly kind = 'string' as const;
  /** Access clock (see store/db.ts), kept on the object like Redis's robj lru field. */
  lru = 0;
  /** Bytes the store last counted for this value (store/memory-estimate.ts). */
  memBytes = 0;
  /**
   * Written whole rather than changed in place: INCRBYFLOAT stores its result with Redis's
   * createStringObject, which never int-encodes, so an integer-looking result ("3") is still an
   * embstr there. A plain JS string would report "int"; this flag keeps OBJECT ENCODING true
   * until the value is changed in place (dbUnshareStringValue makes it raw).
   */
  embstr = false;
  /**
   * Set once the bytes went out to a reply by reference (bytesShared): they may still sit in a
   * socket's queue, so the next in-place change must work on a copy (see unshared()).
   */
  sharedWithOutput = false;
  constructor(public buf: Buffer, public length: number) {}

  /** The bytes for a reply that may keep a reference to them: later changes copy first. */
  bytesShared(): Buffer {
    this.sharedWithOutput = true;
    return this.buf.subarray(0, this.length);
  }

  /**
   * The whole allocation behind this value, when it may be reused for other bytes: the value is
   * being dropped, nothing else views its memory (no reply by reference), and it owns its
   * ArrayBuffer (see wholeAllocationOf). Null otherwise, and null while the replication backlog
   * references it (the backlog recycles it once free).
   */
  releasableAllocation(): Buffer | null {
    if (this.sharedWithOutput) return null;
    const allocation = wholeAllocationOf(this.buf);
    if (allocation === null || releaseWhenUnheld(allocation)) return null;
    return allocation;
  }

  /**
   * This value, or a private copy of it when its bytes may still be queued for a client or are
   * kept by reference in the replication backlog.
   */
  unshared(): MutableString {
    if (!this.sharedWithOutput && !isHeld(this.buf)) return this;
    const copy = MutableString.from(this.bytes());
    copy.embstr = this.embstr;
    copy.lru = this.lru;
    return copy;
  }

  /** OBJECT ENCODING's name for this value. */
  encoding(): string {
    return this.embstr && this.length <= 44 ? 'embstr' : 'raw';
  }

  /** A deep copy (COPY); dupStringObject keeps an embstr an embstr. */
  clone(): MutableString {
    const copy = MutableString.from(this.bytes());
    copy.embstr = this.embstr;
    return copy;
  }

  /** A value Redis would hold as an embstr (or raw past 44 bytes) without int-encoding it. */
  static unencoded(value: string): MutableString {
    const s = MutableString.from(value);
    s.embstr = true;
    return s;
  }

  /** A value over `buf` itself, without a copy: the caller hands the Buffer over for good. */
  static over(buf: Buffer): MutableString {
    return new MutableString(buf, buf.length);
  }

  static from(value: string | Buffer, extraBytes = 0): MutableString {
    const len = value.length;
    const buf = Buffer.allocUnsafe(Math.max(16, len + extraBytes));
    if (typeof value === 'string') buf.latin1Write(value, 0);
    else value.copy(buf, 0);
    return new MutableString(buf, len);
  }

  /** Grows the backing buffer to hold at least `lengthBytes`, zero-filling new bytes. */
  ensureLength(lengthBytes: number): void {
    if (lengthBytes <= this.length) return;
    if (lengthBytes > this.buf.length) {
      // Double like sds does below 1MB, then grow by 1MB steps, so appends stay amortized O(1).
      const grown = lengthBytes < 1024 * 1024 ? lengthBytes * 2 : lengthBytes + 1024 * 1024;
      const next = Buffer.allocUnsafe(grown);
      this.buf.copy(next, 0, 0, this.length);
      this.buf = next;
    }
    this.buf.fill(0, this.length, lengthBytes);
    this.length = lengthBytes;
  }

  append(value: string | Buffer): void {
    const start = this.length;
    this.ensureLength(start + value.length);
    if (typeof value === 'string') this.buf.latin1Write(value, start);
    else value.copy(this.buf, start);
  }

  bytes(): Buffer {
    return this.buf.subarray(0, this.length);
  }

  toString(): string {
    return this.buf.latin1Slice(0, this.length);
  }
}
