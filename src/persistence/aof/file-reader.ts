// Reads an AOF file the way Redis's loader does with stdio (fgets of at most 1023 bytes, fread
// of an exact length), from a file descriptor in bounded chunks, so a file larger than memory
// is never read whole.

import { readSync } from 'node:fs';

/** fgets' buffer in the loader (AOF_ANNOTATION_LINE_MAX_LEN): a line is read in parts past it. */
export const AOF_LINE_MAX_BYTES = 1024;

const CHUNK_BYTES = 64 * 1024;

export class AofFileReader {
  private buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  private start = 0;
  private end = 0;
  /** File offset of buffer[0]. */
  private bufferOffset = 0;
  private eof = false;

  /** `sizeBytes`: the file's length, so a damaged length field never makes a buffer past it. */
  constructor(private readonly fd: number, private readonly sizeBytes: number, initialOffset = 0) {
    this.bufferOffset = initialOffset;
  }

  /** Offset of the next unread byte (ftello). */
  get offset(): number {
    return this.bufferOffset + this.start;
  }

  /** Makes at least `count` bytes available if the file has them; false at end of file. */
  private fill(count: number): boolean {
    while (this.end - this.start < count) {
      if (this.eof) return false;
      if (this.start > 0) {
        this.buffer.copy(this.buffer, 0, this.start, this.end);
        this.bufferOffset += this.start;
        this.end -= this.start;
        this.start = 0;
      }
      if (this.end === this.buffer.length) {
        // One argument larger than the buffer: grow to what it needs (the caller bounds it).
        const bigger = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, count));
        this.buffer.copy(bigger, 0, 0, this.end);
        this.buffer = bigger;
      }
      const n = readSync(this.fd, this.buffer, this.end, this.buffer.length - this.end, this.bufferOffset + this.end);
      if (n === 0) this.eof = true;
      this.end += n;
    }
    return true;
  }

  /**
   * fgets: up to and including '\n', at most AOF_LINE_MAX_BYTES - 1 bytes; null when nothing is
   * left. The text is latin1.
   */
  line(): string | null {
    const max = AOF_LINE_MAX_BYTES - 1;
    this.fill(max);
    if (this.end === this.start) return null;
    const limit = Math.min(this.end, this.start + max);
    let at = this.buffer.indexOf(10, this.start);
    at = at < 0 || at >= limit ? limit : at + 1;
    const text = this.buffer.latin1Slice(this.start, at);
    this.start = at;
    return text;
  }

  /** fread of exactly `count` bytes as a latin1 string; null (nothing consumed) when short. */
  bytes(count: number): string | null {
    // Past the end of the file: a short read (the caller treats the file as truncated here).
    if (this.offset + count > this.sizeBytes || !this.fill(count)) {
      this.start = this.end;
      return null;
    }
    const text = this.buffer.latin1Slice(this.start, this.start + count);
    this.start += count;
    return text;
  }

  /** Shrinks a buffer grown for one big argument back to its usual size. */
  trim(): void {
    if (this.buffer.length > CHUNK_BYTES && this.end - this.start <= CHUNK_BYTES) {
      const small = Buffer.allocUnsafe(CHUNK_BYTES);
      this.buffer.copy(small, 0, this.start, this.end);
      this.bufferOffset += this.start;
      this.end -= this.start;
      this.start = 0;
      this.buffer = small;
    }
  }
}
