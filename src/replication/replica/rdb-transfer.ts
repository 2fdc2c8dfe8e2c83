// The RDB payload of a full sync as it arrives after the "$..." header line (Redis's
// readSyncBulkPayload): either `$<len>` and exactly len bytes, or `$EOF:<40 chars>` and the
// stream of bytes up to the same 40 characters (a diskless primary does not know the size in
// advance). The payload goes to a sink (a temporary file, or the parser of a diskless load); what
// follows its end on the socket is the start of the replication stream.

/** The length of the EOF mark (CONFIG_RUN_ID_SIZE). */
export const EOF_MARK_BYTES = 40;

export interface PayloadSink {
  /** Takes payload bytes in order; throws when they cannot be kept (disk error, bound reached). */
  write(chunk: Buffer): void;
}

/** The payload header: `$EOF:<mark>` or `$<len>`; null when the line is neither. */
export function parsePayloadHeader(line: string): { mark: string } | { sizeBytes: number } | null {
  if (!line.startsWith('$')) return null;
  if (line.startsWith('$EOF:') && line.length - 5 >= EOF_MARK_BYTES) return { mark: line.slice(5, 5 + EOF_MARK_BYTES) };
  // strtol: leading digits, anything after them ignored, nothing usable gives 0.
  const digits = /^[+-]?\d+/.exec(line.slice(1));
  const size = digits === null ? 0 : Number(digits[0]);
  return { sizeBytes: Number.isSafeInteger(size) && size > 0 ? size : 0 };
}

export class RdbTransfer {
  /** Bytes received so far (Redis's repl_transfer_read; with a mark, the mark included). */
  readBytes = 0;
  private readonly mark: Buffer | null;
  /** With a mark: the last bytes received, held back until it is known they are not the mark. */
  private held: Buffer = Buffer.alloc(0);
  private finished = false;

  constructor(header: { mark: string } | { sizeBytes: number }, private readonly sink: PayloadSink) {
    this.mark = 'mark' in header ? Buffer.from(header.mark, 'latin1') : null;
    this.sizeBytes = 'sizeBytes' in header ? header.sizeBytes : 0;
  }

  /** The announced size (0 with an EOF mark, as Redis's repl_transfer_size then is). */
  readonly sizeBytes: number;

  get usesMark(): boolean {
    return this.mark !== null;
  }

  get done(): boolean {
    return this.finished;
  }

  /**
   * Takes bytes from the socket. Returns null while the payload goes on, else what followed its
   * end in this chunk (possibly empty): the first bytes of the replication stream.
   */
  push(chunk: Buffer): Buffer | null {
    if (this.finished) return chunk;
    const mark = this.mark;
    if (mark === null) {
      const take = Math.min(chunk.length, this.sizeBytes - this.readBytes);
      if (take > 0) this.sink.write(chunk.subarray(0, take));
      this.readBytes += take;
      if (this.readBytes < this.sizeBytes) return null;
      this.finished = true;
      return chunk.subarray(take);
    }
    if (chunk.length < EOF_MARK_BYTES) return this.pushJoined(Buffer.concat([this.held, chunk]), chunk.length);
    // The mark may straddle the held tail and this chunk: only that seam is joined (a copy of
    // the whole chunk per socket read cost more than the rest of the transfer).
    const held = this.held;
    if (held.length > 0) {
      const seam = Buffer.concat([held, chunk.subarray(0, EOF_MARK_BYTES - 1)]);
      const at = seam.indexOf(mark);
      if (at >= 0) {
        if (at > 0) this.sink.write(seam.subarray(0, at));
        return this.finish(at + EOF_MARK_BYTES - held.length, chunk);
      }
    }
    const at = chunk.indexOf(mark);
    if (held.length > 0) this.sink.write(held);
    if (at >= 0) {
      if (at > 0) this.sink.write(chunk.subarray(0, at));
      return this.finish(at + EOF_MARK_BYTES, chunk);
    }
    this.readBytes += chunk.length;
    const keep = EOF_MARK_BYTES - 1;
    this.sink.write(chunk.subarray(0, chunk.length - keep));
    // A copy: the socket's chunk must not be pinned by a small tail.
    this.held = Buffer.from(chunk.subarray(chunk.length - keep));
    return null;
  }

  /** The mark ended `end` bytes into `chunk`: what follows is the stream's start. */
  private finish(end: number, chunk: Buffer): Buffer {
    this.readBytes += end;
    this.held = Buffer.alloc(0);
    this.finished = true;
    return chunk.subarray(end);
  }

  /** A short chunk joined with the held tail (`added` bytes of it are new). */
  private pushJoined(joined: Buffer, added: number): Buffer | null {
    const mark = this.mark as Buffer;
    const at = joined.indexOf(mark);
    if (at >= 0) {
      if (at > 0) this.sink.write(joined.subarray(0, at));
      const end = at + EOF_MARK_BYTES;
      this.readBytes += end - (joined.length - added);
      this.held = Buffer.alloc(0);
      this.finished = true;
      return joined.subarray(end);
    }
    this.readBytes += added;
    const keep = Math.min(joined.length, EOF_MARK_BYTES - 1);
    if (joined.length > keep) this.sink.write(joined.subarray(0, joined.length - keep));
    this.held = Buffer.from(joined.subarray(joined.length - keep));
    return null;
  }
}
