// What a key and its value cost in this process's memory, estimated from the representation
// cheaply enough to run on every write (store/db.ts keeps a running sum per database; that sum
// is used_memory's dataset part and what maxmemory is judged against).
//
// The constants are V8's object layouts on 64-bit without pointer compression (Node's default
// build): 8-byte slots, a 16-byte header on one-byte strings, objects rounded to 8 bytes, and a
// Map entry of three slots plus its share of the bucket array and of the free capacity (tables
// double when full). They were calibrated against the measured growth of the heap plus external
// memory for each shape (test/unit/memory-calibration.test.ts holds the measured ratios).
//
// Small values (strings, listpacks, intsets) are measured exactly from their byte length. Big
// containers are counted as elements times a per-element cost sampled from a few elements; the
// sample is kept (a WeakMap note per big container) and taken again only when the element count
// moved by a quarter, so a write to a big container costs O(1) here.

import { HashValue, JsonValue, ListValue, MutableString, SetValue, StreamValue, UnsanitizedValue, ZSetValue, type RedisValue } from './values.js';
import { heldBytesOf } from '../util/buffer-recycler.js';

/** A one-byte V8 string: map, hash field and length, then the chars, rounded up to 8 bytes. */
export function stringBytes(length: number): number {
  return (23 + length) & ~7;
}

/**
 * One Map entry (key slot, value slot, chain link = 24 B) plus its half bucket (4 B), over the
 * average fill of a doubling table (3/4): 37 B. Calibrated: 1M keys measured 36-38 B an entry.
 */
export const MAP_ENTRY_BYTES = 37;
/** A number that is no small integer (an expiry deadline in ms) is a 16-byte HeapNumber. */
const HEAP_NUMBER_BYTES = 16;
/** A key's entry in the expires Map: the entry and its deadline. */
export const EXPIRE_ENTRY_BYTES = MAP_ENTRY_BYTES + HEAP_NUMBER_BYTES;
/** A JS object of `fields` in-object fields: map, properties, elements, then the fields. */
function objectBytes(fields: number): number {
  return 24 + 8 * fields;
}
// Value objects, as measured (fields, plus V8's in-object slack): a listpack hash or an intset
// set 64 B, a compact list 72 B, a listpack sorted set 80 B.
const HASH_OBJECT_BYTES = 64;
const SET_OBJECT_BYTES = 64;
const LIST_OBJECT_BYTES = 72;
const ZSET_OBJECT_BYTES = 80;
/** A Buffer: the Uint8Array object, its ArrayBuffer object and the backing store's record. */
const BUFFER_OVERHEAD_BYTES = 200;
/** An array slot (a deque chunk's, a member array's), with the growth slack of JS arrays. */
const ARRAY_SLOT_BYTES = 10;
/**
 * A big sorted set's member besides its string: the 32 B node record, its member slot and its
 * open-addressing index slot, with the growth slack of the three (measured 64 B).
 */
const ZSET_NODE_BYTES = 64;
/**
 * A stream node besides its entries' listpack bytes: the node object, its IDs, its field names
 * and the difference between our encoding and Redis's listpack (measured ~480 B).
 */
const STREAM_NODE_BYTES = 480;
/** A pending entry of a consumer group (its record, the consumer's copy, the sorted block slot). */
const STREAM_PEL_ENTRY_BYTES = 120;
/** A consumer object with its own pending index. */
const STREAM_CONSUMER_BYTES = 200;
/** A consumer group object with its maps. */
const STREAM_GROUP_BYTES = 300;

/** Elements sampled to price the elements of a big container. */
const SAMPLE_ELEMENTS = 64;
/** Up to this many elements, a container is priced from all of them. */
const EXACT_MAX_ELEMENTS = 4096;

/** The sample a big container was last priced with. */
interface SampleNote {
  count: number;
  perElementBytes: number;
}

const notes = new WeakMap<object, SampleNote>();

/** Per-element bytes of `value` with `count` elements, re-sampled when the count drifted. */
function perElement(value: object, count: number, sample: () => number): number {
  let note = notes.get(value);
  if (note === undefined) {
    note = { count, perElementBytes: sample() };
    notes.set(value, note);
  } else if (count > note.count + (note.count >>> 2) || count < note.count - (note.count >>> 2)) {
    note.count = count;
    note.perElementBytes = sample();
  }
  return note.perElementBytes;
}

/** Elements to look at for `count` elements: all of a modest container, else a sample. */
function sampleSize(count: number): number {
  return count <= EXACT_MAX_ELEMENTS ? count : SAMPLE_ELEMENTS;
}

/** Index of the i-th of `n` samples spread evenly over `count` elements. */
function spread(i: number, n: number, count: number): number {
  return Math.floor(((i + 0.5) * count) / n);
}

function hashBytes(value: HashValue): number {
  const lp = value.listpack;
  if (lp !== null) return HASH_OBJECT_BYTES + stringBytes(lp.length);
  const map = value.map;
  const size = map.size;
  const perPair = perElement(value, size, () => {
    // A Map cannot be indexed and its first entries are its oldest, no fair sample: all pairs
    // are read, which a re-sample after a quarter of the size changed makes O(1) per write.
    let total = 0;
    map.forEach((v, field) => { total += stringBytes(field.length) + stringBytes(v.length); });
    return size === 0 ? 0 : MAP_ENTRY_BYTES + total / size;
  });
  return HASH_OBJECT_BYTES + objectBytes(3) + Math.round(size * perPair);
}

function listBytes(value: ListValue): number {
  const count = value.length;
  const compact = value.compactBytes;
  if (compact >= 0) return LIST_OBJECT_BYTES + stringBytes(compact);
  const per = perElement(value, count, () => {
    let total = 0;
    const n = sampleSize(count);
    for (let i = 0; i < n; i++) total += stringBytes((value.at(spread(i, n, count)) ?? '').length);
    return n === 0 ? 0 : ARRAY_SLOT_BYTES + total / n;
  });
  return LIST_OBJECT_BYTES + objectBytes(8) + Math.round(count * per);
}

function setBytes(value: SetValue): number {
  const blob = value.intsetBlob;
  if (blob !== null) return SET_OBJECT_BYTES + stringBytes(blob.length);
  const count = value.size;
  const per = perElement(value, count, () => {
    let total = 0;
    const n = sampleSize(count);
    for (let i = 0; i < n; i++) total += stringBytes(value.memberAt(spread(i, n, count)).length);
    return n === 0 ? 0 : MAP_ENTRY_BYTES + ARRAY_SLOT_BYTES + total / n;
  });
  return SET_OBJECT_BYTES + objectBytes(3) + Math.round(count * per);
}

function zsetBytes(value: ZSetValue): number {
  const lp = value.listpack;
  if (lp !== null) return ZSET_OBJECT_BYTES + stringBytes(lp.length);
  const count = value.length;
  const per = perElement(value, count, () => {
    let total = 0;
    const n = sampleSize(count);
    for (let i = 0; i < n; i++) total += stringBytes(value.memberAt(value.atRank(spread(i, n, count))).length);
    return n === 0 ? 0 : ZSET_NODE_BYTES + total / n;
  });
  return ZSET_OBJECT_BYTES + objectBytes(8) + Math.round(count * per);
}

function streamBytes(value: StreamValue): number {
  const nodes = value.nodes;
  const nodeCount = nodes.size;
  let total = objectBytes(10);
  if (nodeCount > 0) {
    const perNode = perElement(value, nodeCount, () => {
      // The first and the last nodes: the others are full nodes like the first.
      const first = nodes.first();
      const last = nodes.last();
      let bytes = 0;
      if (first !== undefined) bytes += first.lpEntriesBytes;
      if (last !== undefined) bytes += last.lpEntriesBytes;
      return STREAM_NODE_BYTES + bytes / 2;
    });
    total += Math.round(nodeCount * perNode);
  }
  const groups = value.groups;
  if (groups !== null) {
    for (const group of groups.values()) {
      total += STREAM_GROUP_BYTES + group.pending.size * STREAM_PEL_ENTRY_BYTES + group.consumers.size * STREAM_CONSUMER_BYTES;
    }
  }
  return total;
}

function mutableStringBytes(value: MutableString): number {
  return objectBytes(6) + BUFFER_OVERHEAD_BYTES + heldBytesOf(value.buf);
}

/** Bytes an object value (anything but a plain string) costs now. */
export function objectValueBytes(value: Exclude<RedisValue, string>): number {
  if (value instanceof MutableString) return mutableStringBytes(value);
  if (value instanceof HashValue) return hashBytes(value);
  if (value instanceof ListValue) return listBytes(value);
  if (value instanceof SetValue) return setBytes(value);
  if (value instanceof ZSetValue) return zsetBytes(value);
  if (value instanceof StreamValue) return streamBytes(value);
  // Kept current by the document's edits: O(1) however big the document.
  if (value instanceof JsonValue) return objectBytes(4) + value.heapBytes;
  // A value kept undecoded is its serialization in one Buffer.
  if (value instanceof UnsanitizedValue) return objectBytes(6) + BUFFER_OVERHEAD_BYTES + value.body.length;
  return objectBytes(4);
}

/** A key in the main Map: its string and its entry. */
export function keyEntryBytes(key: string): number {
  return stringBytes(key.length) + MAP_ENTRY_BYTES;
}

/** A boxed long string (Db's BoxedString): the box and the string. */
export function boxedStringBytes(length: number): number {
  return objectBytes(2) + stringBytes(length);
}
