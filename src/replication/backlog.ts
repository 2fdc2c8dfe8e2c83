// The replication backlog: the most recent bytes of the replication stream, kept so that a
// replica whose link dropped can continue from its offset (PSYNC +CONTINUE) instead of taking a
// whole new snapshot.
//
// Redis 7.0 keeps the backlog as a list of blocks (at least 16 KB, at most a sixteenth of
// repl-backlog-size unless that is smaller) and drops the first block only while the history
// would still hold repl-backlog-size bytes without it. The figures INFO shows
// (repl_backlog_histlen, repl_backlog_first_byte_offset) follow from that rule, so it is the rule
// kept here: units are copied into the tail block, and the history exceeds the configured size
// by less than one block. Memory grows with the
// stream, never to the configured size up front (a `repl-backlog-size 1gb` costs nothing until
// the bytes arrive).

import type { EncodeTarget } from '../engine/propagation.js';

/** Redis's PROTO_REPLY_CHUNK_BYTES: the size of a block the stream is copied into. */
export const BACKLOG_BLOCK_BYTES = 16 * 1024;

/**
 * Trimmed blocks kept for reuse, at most this many and at most repl-backlog-size bytes in all: a
 * steady stream trims about as many bytes as it adds, so one big unit (a 1 MB value spans sixteen
 * blocks of a 1 MB backlog) needs that many spares to allocate nothing.
 */
const SPARE_BLOCKS_MAX = 64;

interface Block {
  /** The block's capacity as Redis sizes it (a view of `memory` when reused memory is larger). */
  readonly bytes: Buffer;
  /** The allocation behind `bytes`, reused once the block is trimmed. */
  readonly memory: Buffer;
  usedBytes: number;
  /**
   * Slices of it were handed to a socket (a replica's stream, a partial resync's history): a
   * write the kernel has not taken yet may still read it, so once trimmed its memory is left to
   * the garbage collector instead of being reused.
   */
  lent: boolean;
}

export class Backlog implements EncodeTarget {
  private readonly blocks: Block[] = [];
  /** Memory of trimmed blocks kept for the next ones, oldest first (see keepSpare for the bounds). */
  private readonly spareMemory: Buffer[] = [];
  private spareBytes = 0;
  /** Index of the first live block in `blocks` (trimmed blocks are dropped in batches). */
  private head = 0;
  /** Bytes of history held (repl_backlog_histlen). */
  histlenBytes = 0;
  /** Replication offset of the first byte held (repl_backlog_first_byte_offset). */
  firstByteOffset: number;
  /**
   * The oldest offset a replica still has to be sent (Infinity: none). In Redis 7.0 the backlog
   * and the replicas' output share one buffer, so a block a slow replica still needs stays, and
   * the history may outgrow repl-backlog-size (a later PSYNC can then use it).
   */
  retainFrom: () => number = () => Number.POSITIVE_INFINITY;

  /**
   * @param sizeBytes repl-backlog-size.
   * @param streamOffset the replication offset already reached: the next byte appended has
   *   offset streamOffset + 1, as in Redis.
   */
  constructor(public sizeBytes: number, streamOffset: number) {
    this.firstByteOffset = streamOffset + 1;
  }

  /** The offset of the last byte held (master_repl_offset when the backlog follows the stream). */
  get lastByteOffset(): number {
    return this.firstByteOffset + this.histlenBytes - 1;
  }

  /** Bytes allocated for the history (INFO mem_replication_backlog). */
  get allocatedBytes(): number {
    let total = 0;
    for (let i = this.head; i < this.blocks.length; i++) total += this.blocks[i].bytes.length;
    return total;
  }

  /** Appends bytes[start, end) (the whole buffer by default); the bytes are copied. */
  append(bytes: Buffer, start = 0, end = bytes.length): void {
    let at = start;
    const tail = this.tail;
    if (tail !== undefined && tail.usedBytes < tail.bytes.length) {
      const copied = copyBytes(bytes, at, end, tail.bytes, tail.usedBytes);
      tail.usedBytes += copied;
      at += copied;
    }
    const limitBytes = Math.max(Math.floor(this.sizeBytes / 16), BACKLOG_BLOCK_BYTES);
    while (at < end) {
      const rest = end - at;
      const sizeBytes = Math.min(Math.max(rest, BACKLOG_BLOCK_BYTES), limitBytes);
      const block = this.newBlock(sizeBytes);
      block.usedBytes = copyBytes(bytes, at, end, block.bytes, 0);
      at += block.usedBytes;
      this.blocks.push(block);
    }
    this.histlenBytes += end - start;
    this.trim();
  }

  /**
   * The tail block's memory when it has room for `sizeBytes` more bytes (at freeAt), else
   * null. A small unit is encoded there in place and then committed (commitTail), sparing the
   * copy append() makes; a unit that does not fit goes through append(), which splits it across
   * blocks as Redis does.
   */
  room(sizeBytes: number): Buffer | null {
    const tail = this.tail;
    if (tail === undefined || tail.bytes.length - tail.usedBytes < sizeBytes) return null;
    return tail.bytes;
  }

  /** Where the tail block's free room starts (see room). */
  get freeAt(): number {
    return this.tail?.usedBytes ?? 0;
  }

  /** The last live block, if any. */
  private get tail(): Block | undefined {
    return this.blocks.length > this.head ? this.blocks[this.blocks.length - 1] : undefined;
  }

  /** The `sizeBytes` written in place at freeAt (after room said they fit) join the history. */
  commitTail(sizeBytes: number): void {
    this.blocks[this.blocks.length - 1].usedBytes += sizeBytes;
    this.histlenBytes += sizeBytes;
    this.trim();
  }

  /** Blocks no replica needs any more go (a slow replica left or caught up). */
  release(): void {
    this.trim();
  }

  /** CONFIG SET repl-backlog-size: the history is trimmed to the new size at once. */
  resize(sizeBytes: number): void {
    this.sizeBytes = sizeBytes;
    while (this.spareBytes > sizeBytes) this.spareBytes -= (this.spareMemory.pop() as Buffer).length;
    this.trim();
  }

  /**
   * Whether a replica asking for the stream from `offset` (the first byte it lacks, as PSYNC
   * sends it) can be served from here.
   */
  holds(offset: number): boolean {
    return offset >= this.firstByteOffset && offset <= this.firstByteOffset + this.histlenBytes;
  }

  /**
   * The history from `offset` to the end, as slices of the blocks (no copy); [] when up to date.
   * The slices are lent (see Block.lent): they may go to a socket as they are.
   */
  bytesFrom(offset: number): Buffer[] {
    if (!this.holds(offset)) throw new RangeError(`offset ${offset} is outside the backlog`);
    let skip = offset - this.firstByteOffset;
    const out: Buffer[] = [];
    for (let i = this.head; i < this.blocks.length; i++) {
      const block = this.blocks[i];
      if (skip >= block.usedBytes) {
        skip -= block.usedBytes;
        continue;
      }
      out.push(block.bytes.subarray(skip, block.usedBytes));
      block.lent = true;
      skip = 0;
    }
    return out;
  }

  /**
   * A block of Redis's size for it (its capacity decides where later units split, hence the INFO
   * figures), in the memory of a trimmed block when one is large enough: a stream of big writes
   * would otherwise allocate (and leave to the garbage collector) its whole volume again.
   */
  private newBlock(sizeBytes: number): Block {
    const spares = this.spareMemory;
    // The most recently trimmed spare that fits: memory touched last is the likeliest still cached.
    for (let i = spares.length - 1; i >= 0; i--) {
      const memory = spares[i];
      if (memory.length < sizeBytes) continue;
      spares.splice(i, 1);
      this.spareBytes -= memory.length;
      return { bytes: memory.length === sizeBytes ? memory : memory.subarray(0, sizeBytes), memory, usedBytes: 0, lent: false };
    }
    const memory = Buffer.allocUnsafe(sizeBytes);
    return { bytes: memory, memory, usedBytes: 0, lent: false };
  }

  /**
   * Keeps a trimmed block's memory for reuse. Over the bounds the smallest spares go first:
   * small spares that fit no request would otherwise fill the list for good, and a stream of big
   * units would allocate every block afresh.
   */
  private keepSpare(memory: Buffer): void {
    const spares = this.spareMemory;
    spares.push(memory);
    this.spareBytes += memory.length;
    while (spares.length > SPARE_BLOCKS_MAX || this.spareBytes > this.sizeBytes) {
      let smallest = 0;
      for (let i = 1; i < spares.length; i++) if (spares[i].length < spares[smallest].length) smallest = i;
      this.spareBytes -= spares[smallest].length;
      spares.splice(smallest, 1);
    }
  }

  private trim(): void {
    while (this.histlenBytes > this.sizeBytes && this.blocks.length - this.head > 1) {
      const first = this.blocks[this.head];
      if (this.histlenBytes - first.usedBytes <= this.sizeBytes) break;
      if (this.firstByteOffset + first.usedBytes > this.retainFrom()) break;
      this.histlenBytes -= first.usedBytes;
      this.firstByteOffset += first.usedBytes;
      this.head++;
      // A block never lent can take new bytes: a backlog at its size with no replica streaming
      // from it reuses its blocks instead of faulting in fresh memory.
      if (!first.lent) this.keepSpare(first.memory);
    }
    // Dropping from the front of an array is O(n): compact once the dead prefix is large.
    if (this.head > 64 && this.head * 2 > this.blocks.length) {
      this.blocks.splice(0, this.head);
      this.head = 0;
    }
  }
}

/** Copies below this many bytes run as a JS loop: Buffer#copy of part of a buffer allocates a view. */
const SMALL_COPY_BYTES = 128;

/** Copies source[start, end) into target at `targetAt` as far as it fits; returns the bytes copied. */
function copyBytes(source: Buffer, start: number, end: number, target: Buffer, targetAt: number): number {
  const n = Math.min(end - start, target.length - targetAt);
  if (n <= SMALL_COPY_BYTES) {
    for (let i = 0; i < n; i++) target[targetAt + i] = source[start + i];
    return n;
  }
  return source.copy(target, targetAt, start, start + n);
}
