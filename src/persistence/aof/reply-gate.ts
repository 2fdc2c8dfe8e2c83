// Replies that must wait for the AOF. Redis writes the AOF buffer (and, with appendfsync always,
// fsyncs it) in beforeSleep, before any reply of that event-loop turn reaches a socket: a client
// never sees an acknowledgement, or a read of a change, that a crash could take back. Here the
// AOF is written at the end of the turn and fsynced on the thread pool, and the replies
// produced meanwhile wait at this gate, each behind the AOF offset that was current when it was
// made; the event loop keeps running commands while the disk works.
//
// When the AOF is off (or has nothing pending) `pending` is false and a reply costs one field
// check.

/** A connection's reply waiting for the AOF to reach `requiredOffset`. */
interface HeldReply {
  chunk: Buffer | readonly Buffer[];
  sizeBytes: number;
  requiredOffset: number;
}

/** What the gate needs of a connection: it writes released replies to its socket. */
export interface GatedOutput {
  held: HeldReply[] | null;
  heldBytes: number;
  writeNow(chunk: Buffer | readonly Buffer[]): void;
  /** A close asked for while replies were held happens once they are out. */
  releasedAll(): void;
}

export class ReplyGate {
  /** Bytes ever handed to the AOF (the offset a reply made now depends on). */
  private requiredOffset = 0;
  /** The offset the AOF has made durable as its policy demands (written, or fsynced for always). */
  private coveredOffset = 0;
  /** True while some reply made now would have to wait (required > covered). */
  pending = false;
  private readonly waiting = new Set<GatedOutput>();
  /**
   * Reply bytes held across all connections. Each connection's share counts in its own
   * pendingOutputBytes, so the client output-buffer limits bound it (a client past its limit is
   * closed and its held replies dropped).
   */
  private heldBytes = 0;

  /** The AOF took `bytes` more: replies made from now on wait for them. */
  advance(bytes: number): void {
    this.requiredOffset += bytes;
    this.pending = true;
  }

  /** The offset up to which the AOF now satisfies its policy; releases what waited for it. */
  cover(offset: number): void {
    if (offset > this.requiredOffset) offset = this.requiredOffset;
    this.coveredOffset = offset;
    this.pending = this.coveredOffset < this.requiredOffset;
    if (this.waiting.size === 0) return;
    for (const out of this.waiting) {
      const held = out.held;
      if (held === null) {
        this.waiting.delete(out);
        continue;
      }
      let n = 0;
      while (n < held.length && held[n].requiredOffset <= offset) {
        const r = held[n++];
        out.heldBytes -= r.sizeBytes;
        this.heldBytes -= r.sizeBytes;
        out.writeNow(r.chunk);
      }
      if (n === held.length) {
        out.held = null;
        this.waiting.delete(out);
        out.releasedAll();
      } else if (n > 0) {
        held.splice(0, n);
      }
    }
  }

  /** Everything is covered (the AOF was turned off): nothing waits any more. */
  releaseAll(): void {
    this.coveredOffset = this.requiredOffset;
    this.cover(this.requiredOffset);
  }

  /** Holds a reply behind the current offset (called when `pending` or the output holds some). */
  hold(out: GatedOutput, chunk: Buffer | readonly Buffer[]): void {
    let sizeBytes = 0;
    if (Buffer.isBuffer(chunk)) sizeBytes = chunk.length;
    else for (const part of chunk) sizeBytes += part.length;
    const reply: HeldReply = { chunk, sizeBytes, requiredOffset: this.requiredOffset };
    if (out.held === null) {
      out.held = [reply];
      this.waiting.add(out);
    } else {
      out.held.push(reply);
    }
    out.heldBytes += sizeBytes;
    this.heldBytes += sizeBytes;
  }

  /** A connection went away: its held replies are dropped. */
  forget(out: GatedOutput): void {
    if (out.held === null) return;
    this.heldBytes -= out.heldBytes;
    out.held = null;
    out.heldBytes = 0;
    this.waiting.delete(out);
  }

  get totalHeldBytes(): number {
    return this.heldBytes;
  }
}
