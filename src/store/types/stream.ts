// Stream values: entries ordered by ID in nodes of packed entries (store/types/stream-node.ts)
// kept in an ordered collection (stream-sorted.ts), plus the stream's counters and its
// consumer groups. Semantics follow Redis 7.0's t_stream.c: node boundaries, tombstones,
// trimming whole nodes for "~", the first/last/max-deleted IDs and the entries-added counter.

import { ConsumerGroup, counterMinus, counterPlus, ENTRIES_READ_UNKNOWN, type Counter } from './stream-groups.js';
import { compareParts, StreamId } from './stream-id.js';
import { EntryReader, FLAG_DELETED, StreamNode, type PairSink } from './stream-node.js';
import { IdCursor, SortedIds } from './stream-sorted.js';

/** Largest listpack Redis lets a node grow to, whatever stream-node-max-bytes says. */
const NODE_MAX_BYTES_CAP = 1 << 30;

export const TRIM_MAXLEN = 1;
export const TRIM_MINID = 2;

export interface TrimSpec {
  strategy: typeof TRIM_MAXLEN | typeof TRIM_MINID;
  /** MAXLEN's length (a non-negative int64: a number, or a bigint beyond 2^53). */
  maxLength: number;
  minId: StreamId;
  /** "~": only whole nodes are removed. */
  approximate: boolean;
  /** At most this many entries removed; 0 means no limit. */
  limit: number;
}

export class StreamValue {
  readonly kind = 'stream' as const;
  lru = 0;
  /** Bytes the store last counted for this value (store/memory-estimate.ts). */
  memBytes = 0;
  readonly nodes = new SortedIds<StreamNode>();
  /** Live entries. */
  length = 0;
  /** The last ID ever generated (or set by XSETID); 0-0 while none. */
  readonly lastId = StreamId.zero();
  /** The first live entry's ID; 0-0 when empty. */
  readonly firstId = StreamId.zero();
  /** The largest ID ever removed by XDEL (or set by XSETID). */
  readonly maxDeletedId = StreamId.zero();
  /** Every entry ever added (or as set by XSETID). */
  entriesAdded: Counter = 0;
  /**
   * Counts the changes Redis wakes blocked readers for (an added entry, a destroyed group), so a
   * reader offered the key after any other change can tell there is nothing for it.
   */
  wakeups = 0;
  /** Consumer groups by name (created on first use, as Redis's cgroups rax). */
  groups: Map<string, ConsumerGroup> | null = null;

  encoding(): string {
    return 'stream';
  }

  clone(): StreamValue {
    const copy = new StreamValue();
    for (const node of this.nodes) copy.nodes.push(node.clone());
    copy.length = this.length;
    copy.lastId.copyFrom(this.lastId);
    copy.firstId.copyFrom(this.firstId);
    copy.maxDeletedId.copyFrom(this.maxDeletedId);
    copy.entriesAdded = this.entriesAdded;
    if (this.groups !== null) {
      copy.groups = new Map();
      for (const [name, group] of this.groups) copy.groups.set(name, group.clone());
    }
    return copy;
  }

  // ----------------------------------------------------------------------------- appending

  /**
   * Appends an entry with `id` (greater than lastId) and the field/value pairs argv[from..],
   * opening a new node when the last one is full by Redis's rules (streamAppendItem).
   * `totalTextBytes` is the sum of the pairs' lengths.
   */
  append(id: StreamId, argv: readonly string[], from: number, pairs: number, totalTextBytes: number,
    nodeMaxBytes: number, nodeMaxEntries: number): void {
    let node = this.nodes.last();
    let spare: Buffer | null = null;
    if (node !== undefined) {
      const maxBytes = nodeMaxBytes === 0 || nodeMaxBytes > NODE_MAX_BYTES_CAP ? NODE_MAX_BYTES_CAP : nodeMaxBytes;
      if (node.lpBytes + totalTextBytes >= maxBytes || (nodeMaxEntries !== 0 && node.entryCount >= nodeMaxEntries)) {
        // The full node is done growing: it keeps only its string from now on, and the new node
        // writes into its buffer.
        spare = node.seal();
        node = undefined;
      }
    }
    if (node === undefined) {
      const fields: string[] = new Array(pairs);
      for (let i = 0; i < pairs; i++) fields[i] = argv[from + i * 2];
      node = new StreamNode(id.msHi, id.msLo, id.seqHi, id.seqLo, fields);
      if (spare !== null) node.adoptBuffer(spare);
      this.nodes.push(node);
    }
    node.append(id, argv, from, pairs);
    this.length++;
    this.entriesAdded = counterPlus(this.entriesAdded, 1);
    this.lastId.copyFrom(id);
    if (this.length === 1) this.firstId.copyFrom(id);
  }

  // ------------------------------------------------------------------------------- queries

  /** The first entry's ID (tombstones included or not); null when there is none. */
  edgeId(first: boolean, includeTombstones: boolean): StreamId | null {
    const walker = new StreamWalker(this);
    if (first) walker.forward(null, null, includeTombstones);
    else walker.backward(null, null, includeTombstones);
    if (!walker.next()) return null;
    const id = StreamId.zero();
    walker.entry.idInto(id);
    return id;
  }

  /**
   * Live entries between start and end (inclusive; null: unbounded), at most `limit` (0: no
   * limit). Nodes wholly inside the range count without being decoded.
   */
  countRange(start: StreamId | null, end: StreamId | null, limit: number): number {
    const nodes = this.nodes;
    const cursor = new IdCursor();
    let node = start === null || start.isZero() ? nodes.seekFirst(cursor) : nodes.seekFloor(start, cursor) ?? nodes.seekFirst(cursor);
    const entry = new EntryReader();
    let total = 0;
    for (; node !== undefined; node = nodes.next(cursor)) {
      if (end !== null && compareParts(node.msHi, node.msLo, node.seqHi, node.seqLo, end.msHi, end.msLo, end.seqHi, end.seqLo) > 0) break;
      const fromStart = start === null || compareParts(node.msHi, node.msLo, node.seqHi, node.seqLo, start.msHi, start.msLo, start.seqHi, start.seqLo) >= 0;
      const toEnd = end === null || compareParts(node.lastMsHi, node.lastMsLo, node.lastSeqHi, node.lastSeqLo, end.msHi, end.msLo, end.seqHi, end.seqLo) <= 0;
      if (fromStart && toEnd) {
        total += node.live;
      } else {
        entry.begin(node);
        while (entry.next()) {
          if ((entry.flags & FLAG_DELETED) !== 0) continue;
          if (start !== null && entry.compareTo(start) < 0) continue;
          if (end !== null && entry.compareTo(end) > 0) break;
          total++;
        }
      }
      if (limit !== 0 && total >= limit) return limit;
    }
    return total;
  }

  /** True when a live entry has this ID (streamEntryExists). */
  has(id: StreamId): boolean {
    const walker = new StreamWalker(this);
    walker.forward(id, id, false);
    return walker.next();
  }

  /**
   * True when [start, end] (null: unbounded) may hold a tombstone: the largest deleted ID falls
   * inside it, and after the first entry (streamRangeHasTombstones).
   */
  rangeHasTombstones(start: StreamId | null, end: StreamId | null): boolean {
    const maxDeleted = this.maxDeletedId;
    if (this.length === 0 || maxDeleted.isZero()) return false;
    if (this.firstId.compare(maxDeleted) > 0) return false;
    if (start !== null && start.compare(maxDeleted) > 0) return false;
    if (end !== null && maxDeleted.compare(end) > 0) return false;
    return true;
  }

  /**
   * How many entries were ever added up to and including `id`, when that can be known from the
   * counters alone; ENTRIES_READ_UNKNOWN otherwise (streamEstimateDistanceFromFirstEverEntry).
   */
  entriesUpTo(id: StreamId): Counter {
    if (this.entriesAdded === 0) return 0;
    const vsLast = id.compare(this.lastId);
    if (this.length === 0 && vsLast <= 0) return this.entriesAdded;
    if (vsLast === 0) return this.entriesAdded;
    if (vsLast > 0) return ENTRIES_READ_UNKNOWN;
    const maxDeleted = this.maxDeletedId;
    if (maxDeleted.isZero() || maxDeleted.compare(this.firstId) < 0) {
      // No tombstone after the first entry: the entries before it were all added and removed.
      const vsFirst = id.compare(this.firstId);
      if (vsFirst < 0) return counterMinus(this.entriesAdded, this.length);
      if (vsFirst === 0) return counterPlus(counterMinus(this.entriesAdded, this.length), 1);
    }
    return ENTRIES_READ_UNKNOWN;
  }

  /** A consumer group by name. */
  group(name: string): ConsumerGroup | undefined {
    return this.groups === null ? undefined : this.groups.get(name);
  }

  /** Creates a consumer group; null when the name is taken (streamCreateCG). */
  createGroup(name: string, lastId: StreamId, entriesRead: Counter): ConsumerGroup | null {
    if (this.groups === null) this.groups = new Map();
    if (this.groups.has(name)) return null;
    const group = new ConsumerGroup(lastId, entriesRead);
    this.groups.set(name, group);
    return group;
  }

  /** The group names in byte order (Redis lists its rax of groups in that order). */
  sortedGroupNames(): string[] {
    if (this.groups === null) return [];
    const names = Array.from(this.groups.keys());
    names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return names;
  }

  /** The number of rax nodes Redis's radix tree of these node keys would have (XINFO). */
  radixTreeNodes(): number {
    return raxNodeCount(this.nodes);
  }

  // ------------------------------------------------------------------------------- removal

  /** Deletes the live entry with this ID (streamDeleteItem); false when there is none. */
  delete(id: StreamId): boolean {
    const walker = new StreamWalker(this);
    walker.forward(id, id, false);
    if (!walker.next()) return false;
    const entry = walker.entry;
    const node = entry.node as StreamNode;
    if (node.live === 1) {
      // The last live entry takes its node with it, tombstones and all.
      this.nodes.remove(new StreamId(node.msHi, node.msLo, node.seqHi, node.seqLo));
    } else {
      node.markDeleted([entry.start], 1);
    }
    this.length--;
    return true;
  }

  /**
   * Redis's streamTrim: removes entries from the head by MAXLEN or MINID; "~" removes whole
   * nodes only. Returns the number of entries removed.
   */
  trim(spec: TrimSpec): number {
    const byLength = spec.strategy === TRIM_MAXLEN;
    const nodes = this.nodes;
    const limit = spec.limit;
    let removed = 0;
    for (;;) {
      const node = nodes.first();
      if (node === undefined) break;
      if (byLength && this.length <= spec.maxLength) break;
      const entries = node.live;
      if (limit !== 0 && removed + entries > limit) break;
      let wholeNode: boolean;
      if (byLength) {
        wholeNode = this.length - entries >= spec.maxLength;
      } else {
        wholeNode = compareParts(node.lastMsHi, node.lastMsLo, node.lastSeqHi, node.lastSeqLo,
          spec.minId.msHi, spec.minId.msLo, spec.minId.seqHi, spec.minId.seqLo) < 0;
      }
      if (wholeNode) {
        nodes.remove(new StreamId(node.msHi, node.msLo, node.seqHi, node.seqLo));
        this.length -= entries;
        removed += entries;
        continue;
      }
      if (spec.approximate) break;
      removed += this.trimWithinNode(node, spec);
      break;
    }
    if (this.length === 0) this.firstId.set(0, 0, 0, 0);
    else if (removed > 0) this.firstId.copyFrom(this.edgeId(true, false) as StreamId);
    return removed;
  }

  /** Tombstones the head entries of `node` the trim asks for; returns how many. */
  private trimWithinNode(node: StreamNode, spec: TrimSpec): number {
    const byLength = spec.strategy === TRIM_MAXLEN;
    const entry = new EntryReader();
    const offsets: number[] = [];
    let length = this.length;
    entry.begin(node);
    while (entry.next()) {
      const stop = byLength ? length <= spec.maxLength : entry.compareTo(spec.minId) >= 0;
      if (stop) break;
      if (!entry.deleted) {
        offsets.push(entry.start);
        length--;
      }
    }
    if (offsets.length === 0) return 0;
    node.markDeleted(offsets, offsets.length);
    this.length -= offsets.length;
    return offsets.length;
  }
}

// ------------------------------------------------------------------------------------ walking

/**
 * Walks a stream's entries between two IDs (inclusive), forward or backward, skipping
 * tombstones unless asked (Redis's streamIterator). After next() returns true, `entry` holds
 * the current entry. The stream must not change during a walk.
 */
export class StreamWalker {
  readonly entry = new EntryReader();
  private readonly cursor = new IdCursor();
  private node: StreamNode | undefined = undefined;
  private reverse = false;
  private tombstones = false;
  private start: StreamId | null = null;
  private end: StreamId | null = null;
  /**
   * Backward walks: per entry of the current node, its offset and the ID before it (five
   * numbers each), and how many entries are left to visit.
   */
  private spots: number[] | null = null;
  private spotsLeft = 0;

  constructor(private readonly stream: StreamValue) {}

  /** Starts a forward walk over [start, end] (null: unbounded). */
  forward(start: StreamId | null, end: StreamId | null, includeTombstones = false): void {
    this.reverse = false;
    this.tombstones = includeTombstones;
    this.start = start;
    this.end = end;
    const nodes = this.stream.nodes;
    let node: StreamNode | undefined;
    if (start === null || start.isZero()) node = nodes.seekFirst(this.cursor);
    else {
      node = nodes.seekFloor(start, this.cursor);
      if (node === undefined) node = nodes.seekFirst(this.cursor);
    }
    this.node = node;
    if (node !== undefined) this.entry.begin(node);
  }

  /** Starts a backward walk over [start, end] (null: unbounded), from `end` down. */
  backward(start: StreamId | null, end: StreamId | null, includeTombstones = false): void {
    this.reverse = true;
    this.tombstones = includeTombstones;
    this.start = start;
    this.end = end;
    const nodes = this.stream.nodes;
    // No node at or below `end` means every entry is above it: nothing to walk.
    this.node = end === null || end.isMax() ? nodes.seekLast(this.cursor) : nodes.seekFloor(end, this.cursor);
    this.loadSpots();
  }

  /** Moves to the next entry in range; false at the end of the walk. */
  next(): boolean {
    return this.reverse ? this.nextBackward() : this.nextForward();
  }

  private nextForward(): boolean {
    const entry = this.entry;
    const start = this.start;
    const end = this.end;
    while (this.node !== undefined) {
      if (entry.next()) {
        if (!this.tombstones && (entry.flags & FLAG_DELETED) !== 0) continue;
        if (start !== null && entry.compareTo(start) < 0) continue;
        if (end !== null && entry.compareTo(end) > 0) {
          this.node = undefined;
          return false;
        }
        return true;
      }
      this.node = this.stream.nodes.next(this.cursor);
      if (this.node !== undefined) entry.begin(this.node);
    }
    return false;
  }

  private nextBackward(): boolean {
    const entry = this.entry;
    const start = this.start;
    const end = this.end;
    while (this.node !== undefined) {
      if (this.spotsLeft > 0) {
        const spots = this.spots as number[];
        const i = --this.spotsLeft * 5;
        entry.seek(this.node, spots[i], spots[i + 1], spots[i + 2], spots[i + 3], spots[i + 4]);
        entry.next();
        if (!this.tombstones && (entry.flags & FLAG_DELETED) !== 0) continue;
        if (end !== null && entry.compareTo(end) > 0) continue;
        if (start !== null && entry.compareTo(start) < 0) {
          this.node = undefined;
          return false;
        }
        return true;
      }
      this.node = this.stream.nodes.prev(this.cursor);
      this.loadSpots();
    }
    return false;
  }

  /** Records where each entry of the current node starts (backward walks). */
  private loadSpots(): void {
    const node = this.node;
    if (node === undefined) return;
    const spots = this.spots ?? (this.spots = []);
    spots.length = 0;
    const entry = this.entry;
    entry.begin(node);
    for (;;) {
      const at = entry.end;
      const msHi = entry.msHi;
      const msLo = entry.msLo;
      const seqHi = entry.seqHi;
      const seqLo = entry.seqLo;
      if (!entry.next()) break;
      spots.push(at, msHi, msLo, seqHi, seqLo);
    }
    this.spotsLeft = spots.length / 5;
  }

  /** Writes the current entry's field/value pairs as bulk strings. */
  writePairs(sink: PairSink): void {
    this.entry.writePairs(sink);
  }
}

// ---------------------------------------------------------------------------- rax node count

/**
 * The number of nodes of Redis's radix tree holding these 16-byte big-endian node keys, in its
 * compressed form: the root, one node per key, one per branching prefix, and one compressed
 * node for each edge that skips bytes. Computed from the LCPs of neighbouring keys with a
 * stack of the depths on the rightmost path (the root sits at depth -1).
 */
function raxNodeCount(nodes: SortedIds<StreamNode>): number {
  const keyBytes = 16;
  if (nodes.size === 0) return 1;
  const depths: number[] = [-1];
  let branches = 0;
  let chains = 0;
  let prev: StreamNode | null = null;
  for (const node of nodes) {
    if (prev !== null) {
      const shared = commonPrefixBytes(prev, node);
      let child = depths.pop() as number;
      while (depths[depths.length - 1] > shared) {
        const parent = depths.pop() as number;
        if (child > parent + 1) chains++;
        child = parent;
      }
      if (child > shared + 1) chains++;
      if (depths[depths.length - 1] !== shared) {
        depths.push(shared);
        branches++;
      }
    }
    depths.push(keyBytes);
    prev = node;
  }
  let child = depths.pop() as number;
  while (depths.length > 0) {
    const parent = depths.pop() as number;
    if (child > parent + 1) chains++;
    child = parent;
  }
  return branches + nodes.size + chains;
}

/** Leading bytes two distinct node keys share (0..15). */
function commonPrefixBytes(a: StreamNode, b: StreamNode): number {
  if (a.msHi !== b.msHi) return sharedBytes(a.msHi, b.msHi);
  if (a.msLo !== b.msLo) return 4 + sharedBytes(a.msLo, b.msLo);
  if (a.seqHi !== b.seqHi) return 8 + sharedBytes(a.seqHi, b.seqHi);
  return 12 + sharedBytes(a.seqLo, b.seqLo);
}

/** Leading big-endian bytes two different 32-bit values share. */
function sharedBytes(a: number, b: number): number {
  return Math.clz32((a ^ b) >>> 0) >> 3;
}
