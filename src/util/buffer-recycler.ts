// Big Buffers handed back for reuse. A big value overwritten by SET leaves its Buffer to the
// next big argument of the same size: no new allocation, and no growth of the external memory
// that makes V8 run full collections (a 100 KB SET loop otherwise triggered one every few hundred
// requests). Bounded in count per size and in total bytes; only exact sizes are reused, so a
// stored value never carries spare room.

/** Buffers smaller than this are not worth keeping (and may share Node's allocation pool). */
export const RECYCLE_MIN_BYTES = 16 * 1024;

export class BufferRecycler {
  private readonly bySize = new Map<number, Buffer[]>();
  private keptBytes = 0;

  constructor(
    private readonly maxKeptBytes: number,
    private readonly maxPerSize: number,
  ) {}

  /** A kept Buffer of exactly `sizeBytes` (contents undefined), or null. */
  take(sizeBytes: number): Buffer | null {
    const list = this.bySize.get(sizeBytes);
    const buf = list?.pop();
    if (buf === undefined) return null;
    this.keptBytes -= sizeBytes;
    if (list !== undefined && list.length === 0) this.bySize.delete(sizeBytes);
    return buf;
  }

  /**
   * Keeps `buf` for reuse. The caller guarantees nothing else references its memory (no other
   * view, no pending write) and that it owns the whole allocation (offset 0, full length).
   */
  give(buf: Buffer): void {
    const size = buf.length;
    if (size < RECYCLE_MIN_BYTES || buf.byteOffset !== 0 || buf.buffer.byteLength !== size) return;
    if (this.keptBytes + size > this.maxKeptBytes) return;
    let list = this.bySize.get(size);
    if (list === undefined) {
      list = [];
      this.bySize.set(size, list);
    }
    if (list.length >= this.maxPerSize) return;
    list.push(buf);
    this.keptBytes += size;
  }

  /** Drops every kept Buffer (memory pressure). */
  clear(): void {
    this.bySize.clear();
    this.keptBytes = 0;
  }
}

/**
 * Allocations behind exactly one view: a big argument cut out of a read buffer that was handed
 * over with it (see RespParser.feed's `handedOver`). The value using that view owns the whole
 * allocation, so it can be recycled whole once the value goes, though the view starts past 0.
 */
const soleViewAllocations = new WeakSet<ArrayBufferLike>();

/** `view` is the only user of its allocation from now on. */
export function markSoleView(view: Buffer): void {
  soleViewAllocations.add(view.buffer);
}

/** The bytes of memory `buf` holds: its whole allocation when it is a marked sole view. */
export function heldBytesOf(buf: Buffer): number {
  return buf.length >= RECYCLE_MIN_BYTES && soleViewAllocations.has(buf.buffer) ? buf.buffer.byteLength : buf.length;
}

/**
 * The whole allocation behind `buf` when `buf` is its only user (it starts at offset 0, or was
 * marked by markSoleView), else null.
 */
export function wholeAllocationOf(buf: Buffer): Buffer | null {
  const whole = buf.buffer;
  if (buf.byteOffset !== 0 && !soleViewAllocations.has(whole)) return null;
  return Buffer.from(whole, 0, whole.byteLength);
}

/** The process's recycler for big argument Buffers (parser) and overwritten values (SET). */
export const bigBuffers = new BufferRecycler(64 * 1024 * 1024, 16);

// ---- allocations the replication backlog keeps by reference ----
//
// A big value argument (a 100 KB SET) enters the replication backlog as a reference to its own
// Buffer instead of a copy: the copy, and the cache it flushed, made such a SET cost about half as
// much again as redis-server's. The same Buffer usually becomes the stored value, so while the
// backlog holds it, its two other writers wait: an in-place change of the value (APPEND,
// SETRANGE...) works on a copy (MutableString.unshared), and an overwritten value's memory goes to
// the recycler only once the backlog let go of it, unless the backlog lent it to a socket.

interface Hold {
  /** Backlog pieces referencing the allocation (a value split across two blocks is two). */
  count: number;
  /** A piece was handed to a socket, whose write may still read it: never recycled. */
  lent: boolean;
  /** The allocation its value released while held, recycled when the last piece goes. */
  released: Buffer | null;
}

/** Keyed by the allocation; weak, so a backlog dropped without letting go leaks nothing. */
const holds = new WeakMap<ArrayBufferLike, Hold>();

/**
 * Whether `buf` is the only user of its allocation (see markSoleView), which is allocated for it
 * alone, its CRLF room aside: an argument the parser, a script or a file reader built as a view
 * of a buffer it reuses is not, and is copied instead of referenced.
 */
export function ownsAllocation(buf: Buffer): boolean {
  if (soleViewAllocations.has(buf.buffer)) return true;
  return buf.byteOffset === 0 && buf.buffer.byteLength - buf.length <= 2;
}

/** The backlog references a piece of `view`'s allocation (see dropHold). */
export function holdAllocation(view: Buffer): void {
  const hold = holds.get(view.buffer);
  if (hold === undefined) holds.set(view.buffer, { count: 1, lent: false, released: null });
  else hold.count++;
}

/**
 * Whether the backlog references `buf`'s memory. Asked only before an in-place change, so by
 * allocation whatever the value's size: no threshold to keep in step with what the propagator lends.
 */
export function isHeld(buf: Buffer): boolean {
  return holds.has(buf.buffer);
}

/**
 * A value that owned `allocation` let it go: true when the backlog holds it, which then recycles
 * it itself once free (the caller must not), false when the caller may recycle it now.
 */
export function releaseWhenUnheld(allocation: Buffer): boolean {
  const hold = holds.get(allocation.buffer);
  if (hold === undefined) return false;
  hold.released = allocation;
  return true;
}

/**
 * The backlog dropped a piece of `view`'s allocation; `lent`: the piece went to a socket. The
 * last piece gone, a released allocation none of whose pieces was lent goes to the recycler.
 */
export function dropHold(view: Buffer, lent: boolean): void {
  const hold = holds.get(view.buffer);
  if (hold === undefined) return;
  if (lent) hold.lent = true;
  if (--hold.count > 0) return;
  // A socket may still be writing it: the allocation stays held for good, so the value copies
  // before any change and its memory is never reused.
  if (hold.lent) return;
  holds.delete(view.buffer);
  if (hold.released !== null) bigBuffers.give(hold.released);
}
