// The replication backlog: the most recent bytes of the replication stream, kept so that a
// replica whose link dropped can continue from its offset (PSYNC +CONTINUE) instead of taking a
// whole new snapshot.
//
// Redis 7.0 keeps the backlog as a list of blocks (at least 16 KB, at most a sixteenth of
// repl-backlog-size unless that is smaller) and drops the first block only while the history
// would still hold repl-backlog-size bytes without it. The figures INFO shows
// (repl_backlog_histlen, repl_backlog_first_byte_offset) follow from that rule, so it is the rule
// kept here: units are copied into the tail block, and the history exceeds the configured size
// by less than one block. A big value argument is not copied: its place in the blocks holds a
// reference to its own Buffer (see holdAllocation), and the blocks keep Redis's sizes and split
// points all the same, so the figures do not change. Memory grows with the
// stream, never to the configured size up front (a `repl-backlog-size 1gb` costs nothing until
// the bytes arrive).

import type { EncodeTarget } from '../engine/propagation.js';
import { dropHold, holdAllocation, ownsAllocation } from '../util/buffer-recycler.js';

/** Redis's PROTO_REPLY_CHUNK_BYTES: the size of a block the stream is copied into. */
export const BACKLOG_BLOCK_BYTES = 16 * 1024;

/**
 * Trimmed blocks kept for reuse, at most this many and at most repl-backlog-size bytes in all: a
 * steady stream trims about as many bytes as it adds, so one big unit (a 1 MB value spans sixteen
 * blocks of a 1 MB backlog) needs that many spares to allocate nothing.
 */
const SPARE_BLOCKS_MAX = 64;

interface Block {
  /** The block's size as Redis allocates it: where units split, hence the INFO figures. */
  readonly capacityBytes: number;
  /** Bytes of the stream the block holds. */
  usedBytes: number;
  /**
   * Where copied bytes go. While `pieces` is null the block is this memory alone, its content
   * bytes[0, usedBytes) (small units are encoded there in place, see room). A block that starts
   * with a referenced value has none until a copy follows (then sized for the rest of the block).
   */
  bytes: Buffer | null;
  /** The allocation behind `bytes`, reused once the block is trimmed. */
  memory: Buffer | null;
  /** Bytes of `bytes` in use once the block has pieces. */
  copiedBytes: number;
  /**
   * The content in order once a referenced value entered the block: views of `bytes` and
   * references to value Buffers (null: the block is plain memory).
   */
  pieces: Buffer[] | null;
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
    for (let i = this.head; i < this.blocks.length; i++) total += this.blocks[i].capacityBytes;
    return total;
  }

  /**
   * Appends bytes[start, end) (the whole buffer by default). The bytes are copied, unless
   * `isValue` says they are a whole value argument that nothing changes while the backlog holds
   * it and the Buffer is the only user of its allocation: those are kept by reference.
   */
  append(bytes: Buffer, start = 0, end = bytes.length, isValue = false): void {
    const byReference = isValue && start === 0 && end === bytes.length && ownsAllocation(bytes);
    let at = start;
    const tail = this.tail;
    if (tail !== undefined && tail.usedBytes < tail.capacityBytes) {
      at += this.put(tail, bytes, at, Math.min(end, at + tail.capacityBytes - tail.usedBytes), byReference);
    }
    const limitBytes = Math.max(Math.floor(this.sizeBytes / 16), BACKLOG_BLOCK_BYTES);
    while (at < end) {
      const rest = end - at;
      const block = this.newBlock(Math.min(Math.max(rest, BACKLOG_BLOCK_BYTES), limitBytes), byReference);
      at += this.put(block, bytes, at, Math.min(end, at + block.capacityBytes), byReference);
      this.blocks.push(block);
    }
    this.histlenBytes += end - start;
    this.trim();
  }

  /** Adds source[start, end) (which fits) to `block`, by reference or copied; returns its length. */
  private put(block: Block, source: Buffer, start: number, end: number, byReference: boolean): number {
    const n = end - start;
    if (!byReference && block.pieces === null) {
      copyBytes(source, start, end, block.bytes as Buffer, block.usedBytes);
    } else {
      let pieces = block.pieces;
      if (pieces === null) {
        // From plain memory to pieces: what the memory holds so far is the first one.
        pieces = block.pieces = block.usedBytes > 0 ? [(block.bytes as Buffer).subarray(0, block.usedBytes)] : [];
        block.copiedBytes = block.usedBytes;
      }
      if (byReference) {
        pieces.push(source.subarray(start, end));
        holdAllocation(source);
      } else {
        this.copyIntoPieces(block, pieces, source, start, end);
      }
    }
    block.usedBytes += n;
    return n;
  }

  /** Copies source[start, end) to the block's memory (allocated for the rest of it if none). */
  private copyIntoPieces(block: Block, pieces: Buffer[], source: Buffer, start: number, end: number): void {
    if (block.bytes === null) {
      const memory = this.newMemory(block.capacityBytes - block.usedBytes);
      block.memory = memory.memory;
      block.bytes = memory.bytes;
      block.copiedBytes = 0;
    }
    const bytes = block.bytes;
    const from = block.copiedBytes;
    copyBytes(source, start, end, bytes, from);
    block.copiedBytes += end - start;
    const last = pieces[pieces.length - 1];
    // Bytes copied right after the previous copy extend its piece.
    if (last !== undefined && last.buffer === bytes.buffer && last.byteOffset + last.length === bytes.byteOffset + from) {
      pieces[pieces.length - 1] = bytes.subarray(from - last.length, block.copiedBytes);
    } else {
      pieces.push(bytes.subarray(from, block.copiedBytes));
    }
  }

  /**
   * The tail block's memory when it has room for `sizeBytes` more bytes (at freeAt), else
   * null. A small unit is encoded there in place and then committed (commitTail), sparing the
   * copy append() makes; a unit that does not fit goes through append(), which splits it across
   * blocks as Redis does.
   */
  room(sizeBytes: number): Buffer | null {
    const tail = this.tail;
    if (tail === undefined || tail.pieces !== null || tail.capacityBytes - tail.usedBytes < sizeBytes) return null;
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
      block.lent = true;
      if (block.pieces === null) {
        out.push((block.bytes as Buffer).subarray(skip, block.usedBytes));
      } else {
        for (const piece of block.pieces) {
          if (skip >= piece.length) {
            skip -= piece.length;
            continue;
          }
          out.push(skip === 0 ? piece : piece.subarray(skip));
          skip = 0;
        }
      }
      skip = 0;
    }
    return out;
  }

  /**
   * A block of Redis's size for it (its capacity decides where later units split, hence the INFO
   * figures): with memory for copies, in the memory of a trimmed block when one is large enough
   * (a stream of big writes would otherwise allocate, and leave to the garbage collector, its
   * whole volume again); without any when it starts with a referenced value.
   */
  private newBlock(capacityBytes: number, byReference: boolean): Block {
    if (byReference) return { capacityBytes, usedBytes: 0, bytes: null, memory: null, copiedBytes: 0, pieces: [], lent: false };
    const { bytes, memory } = this.newMemory(capacityBytes);
    return { capacityBytes, usedBytes: 0, bytes, memory, copiedBytes: 0, pieces: null, lent: false };
  }

  private newMemory(sizeBytes: number): { bytes: Buffer; memory: Buffer } {
    const spares = this.spareMemory;
    // The most recently trimmed spare that fits: memory touched last is the likeliest still cached.
    for (let i = spares.length - 1; i >= 0; i--) {
      const memory = spares[i];
      if (memory.length < sizeBytes) continue;
      spares.splice(i, 1);
      this.spareBytes -= memory.length;
      return { bytes: memory.length === sizeBytes ? memory : memory.subarray(0, sizeBytes), memory };
    }
    const memory = Buffer.allocUnsafe(sizeBytes);
    return { bytes: memory, memory };
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

  /**
   * A trimmed block: the values it referenced are let go, and its memory, never lent, can take
   * new bytes (a backlog at its size with no replica streaming from it reuses its blocks instead
   * of faulting in fresh memory).
   */
  private dropBlock(block: Block): void {
    const pieces = block.pieces;
    if (pieces !== null) {
      const own = block.bytes?.buffer;
      for (const piece of pieces) if (piece.buffer !== own) dropHold(piece, block.lent);
    }
    if (!block.lent && block.memory !== null) this.keepSpare(block.memory);
  }

  /** The backlog is freed: the values it referenced are let go. */
  dispose(): void {
    for (let i = this.head; i < this.blocks.length; i++) this.dropBlock(this.blocks[i]);
    this.blocks.length = 0;
    this.head = 0;
  }

  private trim(): void {
    while (this.histlenBytes > this.sizeBytes && this.blocks.length - this.head > 1) {
      const first = this.blocks[this.head];
      if (this.histlenBytes - first.usedBytes <= this.sizeBytes) break;
      if (this.firstByteOffset + first.usedBytes > this.retainFrom()) break;
      this.histlenBytes -= first.usedBytes;
      this.firstByteOffset += first.usedBytes;
      this.head++;
      this.dropBlock(first);
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
