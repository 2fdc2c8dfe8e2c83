// Bytes received on the link to the primary before the replication stream starts: the replies
// of the handshake are read line by line (Redis's connSyncReadLine), then the RDB payload's
// header line, then raw bytes. Bounded: a line longer than MAX_LINE_BYTES is a protocol error.

/** Longest handshake reply or payload header accepted (Redis reads them into 256-1024 byte buffers). */
export const MAX_LINE_BYTES = 4096;

export class LineTooLongError extends Error {
  constructor() {
    super(`Reply line from the master longer than ${MAX_LINE_BYTES} bytes`);
    this.name = 'LineTooLongError';
  }
}

export class LinkBuffer {
  private pending: Buffer = Buffer.alloc(0);

  get lengthBytes(): number {
    return this.pending.length;
  }

  push(chunk: Buffer): void {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
  }

  /**
   * The next line without its terminator (CRLF or a bare LF), or null until one is complete.
   * A bare "\n" gives "" (the primary's keepalive while it prepares the snapshot).
   */
  readLine(): string | null {
    const lf = this.pending.indexOf(10);
    if (lf < 0) {
      if (this.pending.length > MAX_LINE_BYTES) throw new LineTooLongError();
      return null;
    }
    if (lf > MAX_LINE_BYTES) throw new LineTooLongError();
    const end = lf > 0 && this.pending[lf - 1] === 13 ? lf - 1 : lf;
    const line = this.pending.latin1Slice(0, end);
    this.pending = this.pending.subarray(lf + 1);
    return line;
  }

  /** Everything buffered, emptying the buffer (the payload or stream that follows a header). */
  takeAll(): Buffer {
    const rest = this.pending;
    this.pending = Buffer.alloc(0);
    return rest;
  }
}
