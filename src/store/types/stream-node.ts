// One node of a stream: a run of consecutive entries packed into bytes, keyed by the ID of the
// entry that opened it (Redis's rax key over a listpack with a "master entry").
//
// The entries live in one latin1 string per node (one byte per char: V8's most compact byte
// container, 16 bytes of header, compacted by the GC). An append concatenates the new entry's
// bytes; V8 keeps that as a rope until the next read flattens it. Entry layout (our own compact
// format, no per-entry objects):
//   flags        1 byte: bit 0 deleted (a tombstone), bit 1 same fields as the master entry
//   ms delta     varint, the entry's ms minus the node's master ms (unsigned 64-bit)
//   seq          varint, the seq minus the master seq when the ms delta is 0, else the seq itself
//   field count  varint            } only without the same-fields flag
//   fields       varint len + bytes }
//   values       varint len + bytes, one per field
// Varints are little-endian base-128 of up to 64 bits. There is no per-entry back pointer:
// walking backwards collects the entry offsets of a node first.
//
// Node boundaries must fall where Redis's do (radix-tree-keys, approximate trimming), and Redis
// decides them on its listpack's byte size, so each node also keeps the size the same entries
// would take as a Redis listpack (`lpEntriesBytes`, computed with listpack's encoding rules).

import { u64Text, type StreamId } from './stream-id.js';

export const FLAG_DELETED = 1;
export const FLAG_SAME_FIELDS = 2;

const TWO_32 = 4294967296;

/** Listpack header (total bytes + element count) and end marker. */
const LP_HEADER_AND_END_BYTES = 7;

/** Bytes of a listpack integer element (encoding + payload + back-length) holding `v`. */
export function lpIntBytes(v: number): number {
  if (v >= 0 && v <= 127) return 2;
  if (v >= -4096 && v <= 4095) return 3;
  if (v >= -32768 && v <= 32767) return 4;
  if (v >= -8388608 && v <= 8388607) return 5;
  if (v >= -2147483648 && v <= 2147483647) return 6;
  return 10;
}

/** lpIntBytes of the unsigned 64-bit hi * 2^32 + lo cast to int64 (as lpAppendInteger sees it). */
export function lpU64AsIntBytes(hi: number, lo: number): number {
  if (hi === 0) return lpIntBytes(lo);
  if (hi === 0xffffffff && lo !== 0) return lpIntBytes(lo - TWO_32);
  return 10;
}

/** Listpack's back-length bytes for an element of `len` bytes (encoding + payload). */
function backlenBytes(len: number): number {
  if (len <= 127) return 1;
  if (len < 16383) return 2;
  if (len < 2097151) return 3;
  if (len < 268435455) return 4;
  return 5;
}

/**
 * Bytes of a listpack string element for `text`: listpack stores a string that reads as a
 * canonical int64 (lpStringToInt64) as an integer.
 */
export function lpStringBytes(text: string): number {
  const len = text.length;
  if (len > 0 && len < 21) {
    const asInt = lpStringInt(text);
    if (asInt !== null) return asInt;
  }
  const encoded = len < 64 ? 1 + len : len < 4096 ? 2 + len : 5 + len;
  return encoded + backlenBytes(encoded);
}

/** lpIntBytes of `text` when lpStringToInt64 accepts it, else null. */
function lpStringInt(text: string): number | null {
  const len = text.length;
  let i = 0;
  if (text.charCodeAt(0) === 45) {
    if (len === 1) return null;
    i = 1;
  }
  const first = text.charCodeAt(i);
  if (first === 48) return len === 1 ? 2 : null;
  if (first < 49 || first > 57) return null;
  for (let j = i + 1; j < len; j++) {
    const c = text.charCodeAt(j);
    if (c < 48 || c > 57) return null;
  }
  const digits = len - i;
  // Up to 15 digits is exact as a double; more digits are at least 10^15, a 64-bit element.
  if (digits <= 15) return lpIntBytes(Number(text));
  if (digits < 19) return 10;
  if (digits > 19) return null;
  const big = BigInt(text);
  return big > 9223372036854775807n || big < -9223372036854775808n ? null : 10;
}


// ------------------------------------------------------------------------------------ varints

/** Decoded 64-bit varint (shared scratch: read right after the call). */
export const varint = { hi: 0, lo: 0, next: 0 };

/** Writes the varint of hi * 2^32 + lo at `at`; returns the offset after it. */
function writeVarint(buf: Buffer, at: number, hi: number, lo: number): number {
  if (hi === 0) {
    while (lo >= 0x80) {
      buf[at++] = (lo & 0x7f) | 0x80;
      lo = lo >>> 7;
    }
    buf[at++] = lo;
    return at;
  }
  while (hi !== 0 || lo >= 0x80) {
    buf[at++] = (lo & 0x7f) | 0x80;
    lo = ((lo >>> 7) | ((hi & 0x7f) << 25)) >>> 0;
    hi = hi >>> 7;
  }
  buf[at++] = lo;
  return at;
}

/** Reads the varint of `data` at `at` into `varint` (hi, lo, next). */
function readVarint(data: string, at: number): void {
  let b = data.charCodeAt(at++);
  if (b < 0x80) {
    varint.hi = 0;
    varint.lo = b;
    varint.next = at;
    return;
  }
  let lo = b & 0x7f;
  let shift = 7;
  // The low 28 bits fit a small integer.
  while (shift < 28) {
    b = data.charCodeAt(at++);
    lo |= (b & 0x7f) << shift;
    shift += 7;
    if (b < 0x80) {
      varint.hi = 0;
      varint.lo = lo >>> 0;
      varint.next = at;
      return;
    }
  }
  // The fifth byte straddles the halves: 4 bits into lo, 3 into hi.
  b = data.charCodeAt(at++);
  lo = (lo | ((b & 0x0f) << 28)) >>> 0;
  let hi = (b & 0x7f) >>> 4;
  shift = 3;
  while (b >= 0x80) {
    b = data.charCodeAt(at++);
    hi = (hi | ((b & 0x7f) << shift)) >>> 0;
    shift += 7;
  }
  varint.hi = hi;
  varint.lo = lo;
  varint.next = at;
}

/** Reads a varint known to be a length (below 2^32); returns it and sets varint.next. */
export function readLength(data: string, at: number): number {
  let b = data.charCodeAt(at++);
  if (b < 0x80) {
    varint.next = at;
    return b;
  }
  let value = b & 0x7f;
  let scale = 128;
  do {
    b = data.charCodeAt(at++);
    value += (b & 0x7f) * scale;
    scale *= 128;
  } while (b >= 0x80);
  varint.next = at;
  return value;
}

// --------------------------------------------------------------------------------------- node

/** Scratch space where an entry is encoded before joining its node's string. */
let scratch: Buffer = Buffer.allocUnsafeSlow(4096);

function scratchFor(bytes: number): Buffer {
  if (bytes > scratch.length) {
    let size = scratch.length * 2;
    while (size < bytes) size *= 2;
    return Buffer.allocUnsafeSlow(size);
  }
  return scratch;
}

/** Scratch buffers at least this big are not kept for the next entry. */
const KEEP_SCRATCH_MAX_BYTES = 64 * 1024;

export class StreamNode {
  /** Live entries (Redis's master-entry "count"). */
  live = 0;
  /** Entries flagged deleted but still present (Redis's master-entry "deleted"). */
  deleted = 0;
  /** Listpack bytes of everything but the header, end marker, count and deleted elements. */
  lpEntriesBytes: number;
  /** The encoded entries (latin1, one byte per char). */
  data = '';

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
    // The ms delta and Redis's seq delta, unsigned 64-bit differences.
    let dMsHi = id.msHi - this.msHi;
    let dMsLo = id.msLo - this.msLo;
    if (dMsLo < 0) {
      dMsLo += TWO_32;
      dMsHi--;
    }
    let dSeqHi = id.seqHi - this.seqHi;
    let dSeqLo = id.seqLo - this.seqLo;
    if (dSeqLo < 0) {
      dSeqLo += TWO_32;
      dSeqHi--;
    }
    if (dSeqHi < 0) dSeqHi += TWO_32;
    const sameMs = dMsHi === 0 && dMsLo === 0;
    // Our format stores the seq itself under a new ms (usually 0), the delta under the same ms.
    const seqHi = sameMs ? dSeqHi : id.seqHi;
    const seqLo = sameMs ? dSeqLo : id.seqLo;
    let lp = 2 + lpU64AsIntBytes(dMsHi, dMsLo) + lpU64AsIntBytes(dSeqHi, dSeqLo);
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
    // Header at most 21 bytes, and at most 5 length bytes per string.
    const buf = scratchFor(21 + textBytes + pairs * 10 + 5);
    buf[0] = same ? FLAG_SAME_FIELDS : 0;
    let at = writeVarint(buf, 1, dMsHi, dMsLo);
    at = writeVarint(buf, at, seqHi, seqLo);
    if (!same) at = writeVarint(buf, at, 0, pairs);
    for (let i = 0; i < pairs; i++) {
      if (!same) at = writeText(buf, at, argv[from + i * 2]);
      at = writeText(buf, at, argv[from + i * 2 + 1]);
    }
    this.data += buf.latin1Slice(0, at);
    if (buf !== scratch && buf.length <= KEEP_SCRATCH_MAX_BYTES) scratch = buf;
    this.lpEntriesBytes += lp;
    this.live++;
  }

  /** Rewrites the flags byte at `at` (tombstoning); the caller fixes the counters. */
  setFlags(at: number, flags: number): void {
    const data = this.data;
    const next = data.slice(0, at) + String.fromCharCode(flags) + data.slice(at + 1);
    // Flatten now rather than keep the old string alive through the slices.
    next.charCodeAt(0);
    this.data = next;
  }

  /** A deep copy (COPY); the string is immutable, so it is shared. */
  clone(): StreamNode {
    const copy = new StreamNode(this.msHi, this.msLo, this.seqHi, this.seqLo, this.fields);
    copy.data = this.data;
    copy.live = this.live;
    copy.deleted = this.deleted;
    copy.lpEntriesBytes = this.lpEntriesBytes;
    return copy;
  }
}

/** Writes a length-prefixed latin1 string; returns the offset after it. */
function writeText(buf: Buffer, at: number, text: string): number {
  const len = text.length;
  at = writeVarint(buf, at, 0, len);
  if (len <= 16) {
    for (let i = 0; i < len; i++) buf[at + i] = text.charCodeAt(i);
    return at + len;
  }
  return at + buf.latin1Write(text, at, len);
}

// ----------------------------------------------------------------------------- entry decoding

/**
 * A decoded entry header: where an entry sits in its node and what it is. One reader serves a
 * whole walk; decode() refills it.
 */
export class EntryReader {
  node: StreamNode | null = null;
  /** Offset of the entry's flags byte. */
  start = 0;
  /** Offset of the first field (or first value, for a same-fields entry). */
  dataStart = 0;
  /** Offset just past the entry. */
  end = 0;
  flags = 0;
  fieldCount = 0;
  msHi = 0;
  msLo = 0;
  seqHi = 0;
  seqLo = 0;

  /** Decodes the entry of `node` at `at`: flags, ID, field count, and where it ends. */
  decode(node: StreamNode, at: number): void {
    const data = node.data;
    this.node = node;
    this.start = at;
    const flags = data.charCodeAt(at);
    this.flags = flags;
    readVarint(data, at + 1);
    const dMsHi = varint.hi;
    const dMsLo = varint.lo;
    readVarint(data, varint.next);
    let sHi = varint.hi;
    let sLo = varint.lo;
    at = varint.next;
    let msLo = node.msLo + dMsLo;
    let msHi = node.msHi + dMsHi;
    if (msLo >= TWO_32) {
      msLo -= TWO_32;
      msHi++;
    }
    this.msHi = msHi;
    this.msLo = msLo;
    if (dMsHi === 0 && dMsLo === 0) {
      sLo += node.seqLo;
      sHi += node.seqHi;
      if (sLo >= TWO_32) {
        sLo -= TWO_32;
        sHi++;
      }
    }
    this.seqHi = sHi;
    this.seqLo = sLo;
    let strings: number;
    if ((flags & FLAG_SAME_FIELDS) !== 0) {
      this.fieldCount = node.fields.length;
      strings = this.fieldCount;
    } else {
      this.fieldCount = readLength(data, at);
      at = varint.next;
      strings = this.fieldCount * 2;
    }
    this.dataStart = at;
    for (; strings > 0; strings--) {
      const len = readLength(data, at);
      at = varint.next + len;
    }
    this.end = at;
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

  /** Writes the current entry's field/value pairs, in order, as strings. */
  writePairs(sink: PairSink): void {
    const node = this.node as StreamNode;
    const data = node.data;
    const fields = node.fields;
    const same = (this.flags & FLAG_SAME_FIELDS) !== 0;
    let at = this.dataStart;
    for (let i = 0; i < this.fieldCount; i++) {
      if (same) {
        sink.bulk(fields[i]);
      } else {
        const fieldLength = readLength(data, at);
        at = varint.next;
        sink.bulk(data.slice(at, at + fieldLength));
        at += fieldLength;
      }
      const valueLength = readLength(data, at);
      at = varint.next;
      sink.bulk(data.slice(at, at + valueLength));
      at += valueLength;
    }
  }
}

/** Where an entry's field/value strings go (a reply writer). */
export interface PairSink {
  bulk(value: string): void;
}
