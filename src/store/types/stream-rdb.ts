// RDB codec of streams. Written as Redis 7.0 does (RDB_TYPE_STREAM_LISTPACKS_2): each node
// re-encoded as the listpack Redis holds for the same entries (the master entry with its live and
// deleted counts and field names, then per entry its flags, ID deltas from the master ID, its
// fields unless it has the master's, its values and its lp-count, laid out as t_stream.c appends
// them), so the bytes are redis-server's for a stream built by the same commands; then the
// counters, the consumer groups in name order with their PELs and consumers. Read from both
// stream types: one node per stored listpack, its entries appended in order and the deleted ones
// tombstoned, so node boundaries stay where Redis put them. Beyond Redis's own checks (in
// store/rdb/streams.ts), a payload whose IDs are out of order, whose length disagrees with its
// entries, or whose last ID is below an entry is refused: stream nodes rely on those invariants.

import type { RdbTypeCodec } from '../rdb/codec.js';
import { RDB_TYPE_STREAM_LISTPACKS_2 } from '../rdb/constants.js';
import type { Digest } from '../rdb/digest.js';
import { corrupt } from '../rdb/errors.js';
import {
  forEachStreamEntry, readStreamPayload, STREAM_RDB_TYPES, writeStreamPayload,
  type StreamGroupData, type StreamId as PayloadId, type StreamNode as PayloadNode, type StreamPayload,
} from '../rdb/streams.js';
import { lpFirst, lpFromArray, lpGet, lpNext } from '../encodings/listpack.js';
import { Consumer, ConsumerGroup, entryKey, normalizeCounter, PendingEntry } from './stream-groups.js';
import { StreamId, u64Text } from './stream-id.js';
import { EntryReader, FLAG_DELETED, FLAG_SAME_FIELDS, StreamNode, type PairSink } from './stream-node.js';
import { StreamValue, StreamWalker } from './stream.js';

const TWO_32 = 4294967296;
/** Below this hi half, hi * 2^32 + lo is an exact double. */
const SAFE_HI_LIMIT = 2097152;
/** Entry flags in Redis's listpack (STREAM_ITEM_FLAG_DELETED, STREAM_ITEM_FLAG_SAMEFIELDS). */
const LP_FLAG_DELETED = 1;
const LP_FLAG_SAMEFIELDS = 2;

// ------------------------------------------------------------------------------- ID helpers

function u64(hi: number, lo: number): bigint {
  return hi === 0 ? BigInt(lo) : (BigInt(hi) << 32n) | BigInt(lo);
}

function toPayloadId(id: StreamId): PayloadId {
  return { ms: u64(id.msHi, id.msLo), seq: u64(id.seqHi, id.seqLo) };
}

function fromPayloadId(id: PayloadId): StreamId {
  return new StreamId(Number(id.ms >> 32n), Number(id.ms & 0xffffffffn), Number(id.seq >> 32n), Number(id.seq & 0xffffffffn));
}

/** (a - b) mod 2^64 as the int64 Redis's lpAppendInteger stores, in decimal. */
function deltaText(aHi: number, aLo: number, bHi: number, bLo: number): string {
  if (aHi < SAFE_HI_LIMIT && bHi < SAFE_HI_LIMIT) return String(aHi * TWO_32 + aLo - (bHi * TWO_32 + bLo));
  return BigInt.asIntN(64, u64(aHi, aLo) - u64(bHi, bLo)).toString();
}

// ------------------------------------------------------------------------------------ saving

/** Collects an entry's strings for its listpack; for a same-fields entry only the values. */
class ElementCollector implements PairSink {
  items: string[] = [];
  private valuesOnly = false;
  private index = 0;

  begin(valuesOnly: boolean): void {
    this.valuesOnly = valuesOnly;
    this.index = 0;
  }

  bulk(value: string): void {
    if (!this.valuesOnly || (this.index++ & 1) === 1) this.items.push(value);
  }
}

/** The listpack Redis holds for this node's entries (streamAppendItem's layout). */
function nodeListpack(node: StreamNode, entry: EntryReader, collector: ElementCollector): string {
  const fields = node.fields;
  const items: string[] = [String(node.live), String(node.deleted), String(fields.length)];
  for (let i = 0; i < fields.length; i++) items.push(fields[i]);
  items.push('0');
  collector.items = items;
  entry.begin(node);
  while (entry.next()) {
    const same = (entry.flags & FLAG_SAME_FIELDS) !== 0;
    const flags = ((entry.flags & FLAG_DELETED) !== 0 ? LP_FLAG_DELETED : 0) | (same ? LP_FLAG_SAMEFIELDS : 0);
    items.push(String(flags), deltaText(entry.msHi, entry.msLo, node.msHi, node.msLo),
      deltaText(entry.seqHi, entry.seqLo, node.seqHi, node.seqLo));
    const pairs = entry.fieldCount;
    if (!same) items.push(String(pairs));
    collector.begin(same);
    entry.writePairs(collector);
    items.push(String(same ? pairs + 3 : pairs * 2 + 4));
  }
  return lpFromArray(items);
}

function groupData(name: string, group: ConsumerGroup): StreamGroupData {
  const pending: StreamGroupData['pending'] = [];
  for (const entry of group.pending) {
    pending.push({
      id: { ms: u64(entry.msHi, entry.msLo), seq: u64(entry.seqHi, entry.seqLo) },
      deliveryTimeMs: entry.deliveryTimeMs,
      deliveryCount: entry.deliveryCount,
    });
  }
  const consumers: StreamGroupData['consumers'] = [];
  for (const consumer of group.sortedConsumers()) {
    const owned: PayloadId[] = [];
    for (const entry of consumer.pending) owned.push({ ms: u64(entry.msHi, entry.msLo), seq: u64(entry.seqHi, entry.seqLo) });
    consumers.push({ name: consumer.name, seenTimeMs: consumer.seenTimeMs, pending: owned });
  }
  return { name, lastId: toPayloadId(group.lastId), entriesRead: BigInt(group.entriesRead), pending, consumers };
}

function streamPayload(stream: StreamValue): StreamPayload {
  const nodes: PayloadNode[] = [];
  const entry = new EntryReader();
  const collector = new ElementCollector();
  for (const node of stream.nodes) {
    nodes.push({
      masterId: { ms: u64(node.msHi, node.msLo), seq: u64(node.seqHi, node.seqLo) },
      listpack: nodeListpack(node, entry, collector),
    });
  }
  const groups: StreamGroupData[] = [];
  for (const name of stream.sortedGroupNames()) groups.push(groupData(name, stream.group(name) as ConsumerGroup));
  return {
    nodes,
    length: BigInt(stream.length),
    lastId: toPayloadId(stream.lastId),
    firstId: toPayloadId(stream.firstId),
    maxDeletedEntryId: toPayloadId(stream.maxDeletedId),
    entriesAdded: BigInt(stream.entriesAdded),
    groups,
  };
}

// ----------------------------------------------------------------------------------- loading

/** The master entry's field names of a validated node listpack. */
function masterFields(lp: string): string[] {
  let off = lpNext(lp, lpNext(lp, lpFirst(lp)));
  const count = Number(lpGet(lp, off));
  const fields = new Array<string>(count);
  for (let i = 0; i < count; i++) {
    off = lpNext(lp, off);
    fields[i] = lpGet(lp, off);
  }
  return fields;
}

/** What a loading node appends into first (it grows as a node's append buffer does). */
const LOAD_BUFFER_BYTES = 8192;

/**
 * One stored listpack as a node: entries appended in order (each above the previous one, the
 * first at or above the master ID and above `after`, the previous node's last entry), deleted
 * ones tombstoned. The node appends into `buffer` (no string rewrite per entry) and is sealed
 * at the end, keeping only its string; seal() hands the buffer back for the next node.
 */
function loadNode(stored: PayloadNode, after: StreamId | null, buffer: Buffer): StreamNode {
  const master = fromPayloadId(stored.masterId);
  if (after !== null && master.compare(after) <= 0) corrupt('Stream node keys overlap their entries');
  const node = new StreamNode(master.msHi, master.msLo, master.seqHi, master.seqLo, masterFields(stored.listpack));
  node.adoptBuffer(buffer);
  const deletedAt: number[] = [];
  let previous: StreamId | null = null;
  forEachStreamEntry(stored, (e) => {
    const id = fromPayloadId(e.id);
    const order = previous === null ? id.compare(master) : id.compare(previous);
    if (order < 0 || (previous !== null && order === 0)) corrupt('Stream entries out of order');
    previous = id;
    const pairs = e.fields.length;
    const argv = new Array<string>(pairs * 2);
    for (let i = 0; i < pairs; i++) {
      argv[i * 2] = e.fields[i];
      argv[i * 2 + 1] = e.values[i];
    }
    const start = node.sizeBytes;
    node.append(id, argv, 0, pairs);
    if (e.deleted) deletedAt.push(start);
  });
  if (deletedAt.length > 0) node.markDeleted(deletedAt, deletedAt.length);
  return node;
}

function loadGroup(stream: StreamValue, data: StreamGroupData): void {
  const group = stream.createGroup(data.name, fromPayloadId(data.lastId), normalizeCounter(data.entriesRead));
  if (group === null) return corrupt(`Duplicated consumer group name ${data.name}`);
  for (const p of data.pending) {
    const id = fromPayloadId(p.id);
    group.pending.push(new PendingEntry(id.msHi, id.msLo, id.seqHi, id.seqLo, p.deliveryTimeMs, p.deliveryCount, null));
  }
  for (const c of data.consumers) {
    const consumer = group.createConsumer(c.name, c.seenTimeMs) as Consumer;
    for (const owned of c.pending) {
      const key = fromPayloadId(owned);
      const entry = group.pending.get(key) as PendingEntry;
      // A consumer listed later takes the entry over (Redis's shared NACK points at it).
      if (entry.consumer !== null) entry.consumer.pending.remove(entryKey(entry));
      entry.consumer = consumer;
      consumer.pending.insert(entry, key);
    }
  }
}

function loadStream(payload: StreamPayload): StreamValue {
  const stream = new StreamValue();
  let lastEntry: StreamId | null = null;
  let live = 0;
  let buffer: Buffer | null = null;
  for (let i = 0; i < payload.nodes.length; i++) {
    const node = loadNode(payload.nodes[i], lastEntry, buffer ?? Buffer.allocUnsafeSlow(LOAD_BUFFER_BYTES));
    buffer = node.seal();
    stream.nodes.push(node);
    live += node.live;
    lastEntry = new StreamId(node.lastMsHi, node.lastMsLo, node.lastSeqHi, node.lastSeqLo);
  }
  if (BigInt(live) !== payload.length) corrupt('Stream length inconsistent with its entries');
  stream.length = live;
  const lastId = fromPayloadId(payload.lastId);
  if (lastEntry !== null && lastId.compare(lastEntry) < 0) corrupt('Stream last ID below its entries');
  stream.lastId.copyFrom(lastId);
  stream.firstId.copyFrom(fromPayloadId(payload.firstId));
  stream.maxDeletedId.copyFrom(fromPayloadId(payload.maxDeletedEntryId));
  stream.entriesAdded = normalizeCounter(payload.entriesAdded);
  for (const group of payload.groups) loadGroup(stream, group);
  return stream;
}

// ------------------------------------------------------------------------------------ digest

/** Mixes each string of an entry into the digest, in order. */
class DigestSink implements PairSink {
  constructor(private readonly digest: Digest) {}

  bulk(value: string): void {
    this.digest.mix(value);
  }
}

export const streamCodec: RdbTypeCodec<StreamValue> = {
  kind: 'stream',
  objectType: 6,
  rdbTypes: STREAM_RDB_TYPES,
  rdbTypeOf() {
    return RDB_TYPE_STREAM_LISTPACKS_2;
  },
  write(stream, out) {
    writeStreamPayload(out, streamPayload(stream));
  },
  read(rdbType, input, ctx) {
    return loadStream(readStreamPayload(rdbType, input, ctx.shallowSanitize === true));
  },
  digest(stream, digest) {
    // Live entries only: each ID as "ms.seq", then its fields and values (consumer groups are
    // not part of a stream's digest).
    const walker = new StreamWalker(stream);
    const sink = new DigestSink(digest);
    walker.forward(null, null, false);
    while (walker.next()) {
      const e = walker.entry;
      digest.mix(`${u64Text(e.msHi, e.msLo)}.${u64Text(e.seqHi, e.seqLo)}`);
      walker.writePairs(sink);
    }
  },
};
