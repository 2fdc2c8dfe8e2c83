// One node of a stream: a run of consecutive entries packed into bytes, keyed by the ID of the
// entry that opened it (Redis's rax key over a listpack with a "master entry").
//
// A full node keeps its entries in one flat latin1 string (one byte per char: V8's most compact
// byte container, 16 bytes of header, compacted by the GC). The node being appended to writes
// into a Buffer in place and makes its string only when read (and once more when it is full):
// concatenating strings instead builds V8 ropes, which read several times slower. Entries are
// only ever decoded walking a node from its start, so each entry's ID is stored relative to the
// previous one.
// Entry layout (our own compact format, no per-entry objects):
//   head         varint of the ms delta from the previous entry (the master ID for the first),
//                whose first byte also carries two flags: 0x40 same fields as the master entry,
//                0x20 deleted (a tombstone); that byte holds the delta's low 5 bits, 0x80 says
//                more bytes follow (little-endian base 128)
//   seq          varint: the seq delta from the previous entry when the ms delta is 0, else the seq
//   field count  varint           } only without the same-fields flag
//   fields       text             }
//   values       text, one per field
// A text is a varint L then, for an even L, L / 2 latin1 bytes; an odd L stands for the decimal
// form of the integer zigzag((L - 1) / 2) (strings that read as canonical integers, which Redis
// also stores as integers). Walking backwards collects a node's offsets first.
//
// Node boundaries must fall where Redis's do (radix-tree-keys, approximate trimming), and Redis
// decides them on its listpack's byte size, so each node also keeps the size the same entries
// would take as a Redis listpack (`lpEntriesBytes`, see stream-lpsize.ts).

import { LP_HEADER_AND_END_BYTES, lpIntBytes, lpStringBytes, lpU64AsIntBytes } from './stream-lpsize.js';
import { u64Text, type StreamId } from './stream-id.js';

export const FLAG_SAME_FIELDS = 0x40;
export const FLAG_DELETED = 0x20;
const HEAD_DELTA_BITS = 0x1f;
const MORE = 0x80;

const TWO_32 = 4294967296;
/** Integers up to this magnitude are stored as integers (their zigzag form doubled stays exact). */
const MAX_INLINE_INT = 2 ** 50;

// ------------------------------------------------------------------------------------ varints

/** Where the last read ended (shared scratch: read right after the call). */
let readEnd = 0;
/** The 64-bit value of the last readU64 (hi, lo halves). */
let readHi = 0;
let readLo = 0;

/** Writes the base-128 varint of hi * 2^32 + lo; returns the offset after it. */
function writeU64(buf: Buffer, at: number, hi: number, lo: number): number {
  while (hi !== 0 || lo >= MORE) {
    buf[at++] = (lo & 0x7f) | MORE;
    lo = ((lo >>> 7) | ((hi & 0x7f) << 25)) >>> 0;
    hi = hi >>> 7;
  }
  buf[at++] = lo;
  return at;
}

/** Reads a base-128 varint of up to 64 bits into readHi/readLo; sets readEnd. */
function readU64(data: string, at: number): void {
  let b = data.charCodeAt(at++);
  if (b < MORE) {
    readHi = 0;
    readLo = b;
    readEnd = at;
    return;
  }
  let lo = b & 0x7f;
  let shift = 7;
  while (shift < 28) {
    b = data.charCodeAt(at++);
    lo |= (b & 0x7f) << shift;
    shift += 7;
    if (b < MORE) {
      readHi = 0;
      readLo = lo >>> 0;
      readEnd = at;
      return;
    }
  }
  // The fifth byte straddles the halves: 4 bits into lo, 3 into hi.
  b = data.charCodeAt(at++);
  lo = (lo | ((b & 0x0f) << 28)) >>> 0;
  let hi = (b & 0x7f) >>> 4;
  shift = 3;
  while (b >= MORE) {
    b = data.charCodeAt(at++);
    hi = (hi | ((b & 0x7f) << shift)) >>> 0;
    shift += 7;
  }
  readHi = hi;
  readLo = lo;
  readEnd = at;
}

/** Writes the varint of a non-negative safe integer; returns the offset after it. */
function writeNumber(buf: Buffer, at: number, value: number): number {
  while (value >= MORE) {
    buf[at++] = (value % MORE) | MORE;
    value = Math.floor(value / MORE);
  }
  buf[at++] = value;
  return at;
}

/** Reads the varint of a safe integer; sets readEnd. */
function readNumber(data: string, at: number): number {
  let b = data.charCodeAt(at++);
  if (b < MORE) {
    readEnd = at;
    return b;
  }
  let value = b & 0x7f;
  let scale = MORE;
  do {
    b = data.charCodeAt(at++);
    value += (b & 0x7f) * scale;
    scale *= MORE;
  } while (b >= MORE);
  readEnd = at;
  return value;
}

/** The integer a text stands for when it is stored as one, else NaN. */
function inlineInt(text: string): number {
  const len = text.length;
  if (len === 0 || len > 16) return NaN;
  let i = 0;
  const first = text.charCodeAt(0);
  if (first === 45) {
    if (len === 1) return NaN;
    i = 1;
  }
  const lead = text.charCodeAt(i);
  if (lead === 48) return len === 1 ? 0 : NaN; // "0" only: no leading zeros, no "-0"
  if (lead < 49 || lead > 57) return NaN;
  let value = 0;
  for (; i < len; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return NaN;
    value = value * 10 + c;
  }
  if (value >= MAX_INLINE_INT) return NaN;
  return first === 45 ? -value : value;
}

/** Writes a text (see the layout above); returns the offset after it. */
function writeText(buf: Buffer, at: number, text: string): number {
  const asInt = inlineInt(text);
  if (asInt === asInt) {
    const zigzag = asInt < 0 ? -asInt * 2 - 1 : asInt * 2;
    return writeNumber(buf, at, zigzag * 2 + 1);
  }
  const len = text.length;
  at = writeNumber(buf, at, len * 2);
  if (len <= 16) {
    for (let i = 0; i < len; i++) buf[at + i] = text.charCodeAt(i);
    return at + len;
  }
  return at + buf.latin1Write(text, at, len);
}

/** Reads a text at `at`; sets readEnd. */
function readText(data: string, at: number): string {
  const tag = readNumber(data, at);
  if (tag % 2 === 0) {
    const start = readEnd;
    readEnd = start + tag / 2;
    return data.slice(start, readEnd);
  }
  const zigzag = (tag - 1) / 2;
  return String(zigzag % 2 === 0 ? zigzag / 2 : -(zigzag + 1) / 2);
}

/** Skips a text at `at`; sets readEnd. */
function skipText(data: string, at: number): void {
  const tag = readNumber(data, at);
  if (tag % 2 === 0) readEnd += tag / 2;
}

// --------------------------------------------------------------------------------------- node

/** Scratch space where an entry is encoded, or a full node's bytes are rewritten. */
let scratch: Buffer = Buffer.allocUnsafeSlow(4096);
/** Scratch buffers at least this big are not kept for the next use. */
const KEEP_SCRATCH_MAX_BYTES = 64 * 1024;
/**
 * A node smaller than this is appended to by rewriting its string (a copy of at most this
 * much): small streams then hold no Buffer at all. Bigger nodes write into a Buffer in place.
 */
const STRING_APPEND_MAX_BYTES = 512;
/** Smallest buffer a node being appended to writes into. */
const MIN_APPEND_BUFFER_BYTES = 1024;

function scratchFor(bytes: number): Buffer {
  if (bytes <= scratch.length) return scratch;
  let size = scratch.length * 2;
  while (size < bytes) size *= 2;
  const grown = Buffer.allocUnsafeSlow(size);
  if (size <= KEEP_SCRATCH_MAX_BYTES) scratch = grown;
  return grown;
}

export class StreamNode {
  /** Live entries (Redis's master-entry "count"). */
  live = 0;
  /** Entries flagged deleted but still present (Redis's master-entry "deleted"). */
  deleted = 0;
  /** Listpack bytes of everything but the header, end marker, count and deleted elements. */
  lpEntriesBytes: number;
  /** The encoded entries as a flat latin1 string; stale while `pending` has newer bytes. */
  private data = '';
  /** While entries are appended: the bytes, written in place (null once the node is full). */
  private pending: Buffer | null = null;
  private pendingBytes = 0;
  private dataStale = false;
  /** The ID of the last entry, tombstones included (the base of the next append's deltas). */
  lastMsHi: number;
  lastMsLo: number;
  lastSeqHi: number;
  lastSeqLo: number;

  constructor(
    /** The master ID: the ID of the entry the node was opened with. */
    public msHi: number,
    public msLo: number,
    public seqHi: number,
    public seqLo: number,
    /** The master entry's field names (entries flagged same-fields reuse them). */
    public readonly fields: readonly string[],
  ) {
    let lp = lpIntBytes(fields.length) + 2; // the field count, and the zero terminator
    for (let i = 0; i < fields.length; i++) lp += lpStringBytes(fields[i]);
    this.lpEntriesBytes = lp;
    this.lastMsHi = msHi;
    this.lastMsLo = msLo;
    this.lastSeqHi = seqHi;
    this.lastSeqLo = seqLo;
  }

  /** The encoded entries as a flat string (made from the append buffer when it changed). */
  text(): string {
    if (this.dataStale) {
      this.data = (this.pending as Buffer).latin1Slice(0, this.pendingBytes);
      this.dataStale = false;
    }
    return this.data;
  }

  /** Bytes of the encoded entries. */
  get sizeBytes(): number {
    return this.pending === null ? this.data.length : this.pendingBytes;
  }

  /**
   * No more appends (the next entry opened a new node): keep only the string. Returns the append
   * buffer, free for the next node to write into.
   */
  seal(): Buffer | null {
    const buf = this.pending;
    if (buf === null) return null;
    this.text();
    this.pending = null;
    this.pendingBytes = 0;
    return buf;
  }

  /** Gives this (empty) node a buffer to append into: the previous node's, which is full. */
  adoptBuffer(buf: Buffer): void {
    if (this.pending !== null || this.data.length > 0) return;
    this.pending = buf;
    this.pendingBytes = 0;
  }

  /** The append buffer, with room for `extra` more bytes. */
  private appendBuffer(extra: number): Buffer {
    let buf = this.pending;
    const need = (buf === null ? this.data.length : this.pendingBytes) + extra;
    if (buf !== null && need <= buf.length) return buf;
    let size = buf === null ? MIN_APPEND_BUFFER_BYTES : buf.length * 2;
    while (size < need) size *= 2;
    const grown = Buffer.allocUnsafeSlow(size);
    if (buf === null) {
      this.pendingBytes = grown.latin1Write(this.data, 0);
    } else {
      buf.copy(grown, 0, 0, this.pendingBytes);
    }
    buf = grown;
    this.pending = buf;
    return buf;
  }

  /** The size this node would have as a Redis listpack (lpBytes). */
  get lpBytes(): number {
    return LP_HEADER_AND_END_BYTES + lpIntBytes(this.live) + lpIntBytes(this.deleted) + this.lpEntriesBytes;
  }

  /** Entries present, tombstones included. */
  get entryCount(): number {
    return this.live + this.deleted;
  }

  /** True when argv[from..] (field, value pairs) has exactly the master fields. */
  sameFields(argv: readonly string[], from: number, pairs: number): boolean {
    const fields = this.fields;
    if (pairs !== fields.length) return false;
    for (let i = 0; i < pairs; i++) {
      if (argv[from + i * 2] !== fields[i]) return false;
    }
    return true;
  }

  /**
   * Appends an entry with ID `id` and the pairs argv[from..]; `id` is greater than every ID in
   * the node. Updates the counters and the listpack size.
   */
  append(id: StreamId, argv: readonly string[], from: number, pairs: number): void {
    const same = this.sameFields(argv, from, pairs);
    // Redis's listpack holds the ms and seq deltas from the master ID (unsigned, as int64).
    let mMsHi = id.msHi - this.msHi;
    let mMsLo = id.msLo - this.msLo;
    if (mMsLo < 0) {
      mMsLo += TWO_32;
      mMsHi--;
    }
    let mSeqHi = id.seqHi - this.seqHi;
    let mSeqLo = id.seqLo - this.seqLo;
    if (mSeqLo < 0) {
      mSeqLo += TWO_32;
      mSeqHi--;
    }
    if (mSeqHi < 0) mSeqHi += TWO_32;
    let lp = 2 + lpU64AsIntBytes(mMsHi, mMsLo) + lpU64AsIntBytes(mSeqHi, mSeqLo);
    // Our deltas are from the previous entry.
    let dMsHi = id.msHi - this.lastMsHi;
    let dMsLo = id.msLo - this.lastMsLo;
    if (dMsLo < 0) {
      dMsLo += TWO_32;
      dMsHi--;
    }
    let seqHi = id.seqHi;
    let seqLo = id.seqLo;
    if (dMsHi === 0 && dMsLo === 0) {
      seqHi -= this.lastSeqHi;
      seqLo -= this.lastSeqLo;
      if (seqLo < 0) {
        seqLo += TWO_32;
        seqHi--;
      }
    }
    let textBytes = 0;
    if (!same) lp += lpIntBytes(pairs);
    for (let i = 0; i < pairs; i++) {
      const value = argv[from + i * 2 + 1];
      textBytes += value.length;
      lp += lpStringBytes(value);
      if (!same) {
        const field = argv[from + i * 2];
        textBytes += field.length;
        lp += lpStringBytes(field);
      }
    }
    lp += lpIntBytes(same ? pairs + 3 : pairs * 2 + 4);
    // Head and seq at most 20 bytes, the count 5, and at most 8 prefix bytes per text.
    const maxBytes = 25 + textBytes + pairs * 16;
    const inString = this.pending === null && this.data.length + maxBytes <= STRING_APPEND_MAX_BYTES;
    let buf: Buffer;
    let from0: number;
    if (inString) {
      buf = scratchFor(this.data.length + maxBytes);
      from0 = buf.latin1Write(this.data, 0);
    } else {
      buf = this.appendBuffer(maxBytes);
      from0 = this.pendingBytes;
    }
    const low = dMsLo & HEAD_DELTA_BITS;
    const restLo = ((dMsLo >>> 5) | ((dMsHi & HEAD_DELTA_BITS) << 27)) >>> 0;
    const restHi = dMsHi >>> 5;
    let at: number;
    const flags = same ? FLAG_SAME_FIELDS : 0;
    if (restHi === 0 && restLo === 0) {
      buf[from0] = flags | low;
      at = from0 + 1;
    } else {
      buf[from0] = MORE | flags | low;
      at = writeU64(buf, from0 + 1, restHi, restLo);
    }
    at = writeU64(buf, at, seqHi, seqLo);
    if (!same) at = writeNumber(buf, at, pairs);
    for (let i = 0; i < pairs; i++) {
      if (!same) at = writeText(buf, at, argv[from + i * 2]);
      at = writeText(buf, at, argv[from + i * 2 + 1]);
    }
    if (inString) {
      this.data = buf.latin1Slice(0, at);
    } else {
      this.pendingBytes = at;
      this.dataStale = true;
    }
    this.lpEntriesBytes += lp;
    this.live++;
    this.lastMsHi = id.msHi;
    this.lastMsLo = id.msLo;
    this.lastSeqHi = id.seqHi;
    this.lastSeqLo = id.seqLo;
  }

  /** Sets the deleted flag of the entries starting at these offsets. */
  markDeleted(offsets: readonly number[], count: number): void {
    let buf = this.pending;
    if (buf === null) {
      // A full node's string is rewritten whole (a flat copy, never a rope).
      buf = scratchFor(this.data.length);
      buf.latin1Write(this.data, 0);
      for (let i = 0; i < count; i++) buf[offsets[i]] |= FLAG_DELETED;
      this.data = buf.latin1Slice(0, this.data.length);
    } else {
      for (let i = 0; i < count; i++) buf[offsets[i]] |= FLAG_DELETED;
      this.dataStale = true;
    }
    this.live -= count;
    this.deleted += count;
  }

  /** A deep copy (COPY): strings are immutable, so the copy shares the entries' string. */
  clone(): StreamNode {
    const copy = new StreamNode(this.msHi, this.msLo, this.seqHi, this.seqLo, this.fields);
    copy.data = this.text();
    copy.live = this.live;
    copy.deleted = this.deleted;
    copy.lpEntriesBytes = this.lpEntriesBytes;
    copy.lastMsHi = this.lastMsHi;
    copy.lastMsLo = this.lastMsLo;
    copy.lastSeqHi = this.lastSeqHi;
    copy.lastSeqLo = this.lastSeqLo;
    return copy;
  }
}

// ----------------------------------------------------------------------------- entry decoding

/** Where an entry's field/value strings go (a reply writer). */
export interface PairSink {
  bulk(value: string): void;
}

/**
 * Decodes a node's entries in order. begin() positions it before the first entry; next()
 * decodes the following one (its ID from the previous one's). One reader serves a whole walk.
 */
export class EntryReader {
  node: StreamNode | null = null;
  /** The node's entries (its flat string, read once per node). */
  private data = '';
  /** Offset of the current entry's head byte. */
  start = 0;
  /** Offset of the first field (or first value, for a same-fields entry). */
  dataStart = 0;
  /** Offset just past the current entry. */
  end = 0;
  flags = 0;
  fieldCount = 0;
  /** The current entry's ID (before the first entry: the node's master ID). */
  msHi = 0;
  msLo = 0;
  seqHi = 0;
  seqLo = 0;

  /** Positions before the first entry of `node`. */
  begin(node: StreamNode): void {
    this.node = node;
    this.data = node.text();
    this.end = 0;
    this.msHi = node.msHi;
    this.msLo = node.msLo;
    this.seqHi = node.seqHi;
    this.seqLo = node.seqLo;
  }

  /** Positions at `at`, after an entry whose ID is given (a backward walk's recorded spot). */
  seek(node: StreamNode, at: number, msHi: number, msLo: number, seqHi: number, seqLo: number): void {
    if (this.node !== node) {
      this.node = node;
      this.data = node.text();
    }
    this.end = at;
    this.msHi = msHi;
    this.msLo = msLo;
    this.seqHi = seqHi;
    this.seqLo = seqLo;
  }

  /** Decodes the next entry; false past the node's last one. */
  next(): boolean {
    const node = this.node as StreamNode;
    const data = this.data;
    let at = this.end;
    if (at >= data.length) return false;
    this.start = at;
    const head = data.charCodeAt(at++);
    this.flags = head & (FLAG_DELETED | FLAG_SAME_FIELDS);
    let dHi = 0;
    let dLo = head & HEAD_DELTA_BITS;
    if (head >= MORE) {
      readU64(data, at);
      at = readEnd;
      dHi = ((readHi << 5) | (readLo >>> 27)) >>> 0;
      dLo = ((readLo << 5) | dLo) >>> 0;
    }
    readU64(data, at);
    at = readEnd;
    if (dHi === 0 && dLo === 0) {
      let sLo = this.seqLo + readLo;
      let sHi = this.seqHi + readHi;
      if (sLo >= TWO_32) {
        sLo -= TWO_32;
        sHi++;
      }
      this.seqHi = sHi;
      this.seqLo = sLo;
    } else {
      let mLo = this.msLo + dLo;
      let mHi = this.msHi + dHi;
      if (mLo >= TWO_32) {
        mLo -= TWO_32;
        mHi++;
      }
      this.msHi = mHi;
      this.msLo = mLo;
      this.seqHi = readHi;
      this.seqLo = readLo;
    }
    let texts: number;
    if ((head & FLAG_SAME_FIELDS) !== 0) {
      this.fieldCount = node.fields.length;
      texts = this.fieldCount;
    } else {
      this.fieldCount = readNumber(data, at);
      at = readEnd;
      texts = this.fieldCount * 2;
    }
    this.dataStart = at;
    for (; texts > 0; texts--) {
      skipText(data, at);
      at = readEnd;
    }
    this.end = at;
    return true;
  }

  get deleted(): boolean {
    return (this.flags & FLAG_DELETED) !== 0;
  }

  /** The current entry's ID compared with `id`. */
  compareTo(id: StreamId): number {
    if (this.msHi !== id.msHi) return this.msHi < id.msHi ? -1 : 1;
    if (this.msLo !== id.msLo) return this.msLo < id.msLo ? -1 : 1;
    if (this.seqHi !== id.seqHi) return this.seqHi < id.seqHi ? -1 : 1;
    if (this.seqLo !== id.seqLo) return this.seqLo < id.seqLo ? -1 : 1;
    return 0;
  }

  /** Copies the current entry's ID into `out`. */
  idInto(out: StreamId): void {
    out.set(this.msHi, this.msLo, this.seqHi, this.seqLo);
  }

  idText(): string {
    return u64Text(this.msHi, this.msLo) + '-' + u64Text(this.seqHi, this.seqLo);
  }

  /** Writes the current entry's field/value pairs, in order. */
  writePairs(sink: PairSink): void {
    const node = this.node as StreamNode;
    const data = this.data;
    const fields = node.fields;
    const same = (this.flags & FLAG_SAME_FIELDS) !== 0;
    let at = this.dataStart;
    for (let i = 0; i < this.fieldCount; i++) {
      if (same) {
        sink.bulk(fields[i]);
      } else {
        sink.bulk(readText(data, at));
        at = readEnd;
      }
      sink.bulk(readText(data, at));
      at = readEnd;
    }
  }
}
