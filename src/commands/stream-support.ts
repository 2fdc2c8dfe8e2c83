// What the stream commands (streams.ts, stream-groups.ts) share: lookups, ID arguments with
// Redis's errors, replies whose length is known only at the end, the entry-range reply with its
// consumer-group side effects (t_stream.c streamReplyWithRange) and the commands a consumer
// group change propagates as.

import type { CommandContext } from './context.js';
import { ReplyWriter } from '../protocol/writer.js';
import type { RedisValue } from '../store/values.js';
import {
  counterPlus, ENTRIES_READ_UNKNOWN, PendingEntry, type Consumer, type ConsumerGroup, type Counter,
} from '../store/types/stream-groups.js';
import { ERR_INVALID_STREAM_ID, parseIntervalId, parseStreamId, StreamId } from '../store/types/stream-id.js';
import { IdCursor } from '../store/types/stream-sorted.js';
import { StreamValue, StreamWalker } from '../store/types/stream.js';
import { cStringPrefix } from '../util/repr.js';
import { lookupKind } from './typed-lookup.js';

export { ERR_INVALID_STREAM_ID };

export function isStream(value: RedisValue): value is StreamValue {
  return typeof value !== 'string' && value.kind === 'stream';
}

/** The stream at `key` for reading; undefined when missing, null after a WRONGTYPE reply. */
export function streamForRead(ctx: CommandContext, key: string): StreamValue | undefined | null {
  return lookupKind(ctx, key, 'stream', false);
}

/** The stream at `key` for a write; undefined when missing, null after a WRONGTYPE reply. */
export function streamForWrite(ctx: CommandContext, key: string): StreamValue | undefined | null {
  return lookupKind(ctx, key, 'stream', true);
}

/** What C's "%s" prints of a key or name in an error (nothing from a NUL byte on). */
export function cText(text: string): string {
  return cStringPrefix(text, text.length);
}

/** A strict stream ID argument ("-" and "+" refused); null after the error reply. */
export function strictIdArg(ctx: CommandContext, text: string): StreamId | null {
  const parsed = parseStreamId(text, true, false, false);
  if (parsed === null) {
    ctx.reply.error(ERR_INVALID_STREAM_ID);
    return null;
  }
  return parsed.id;
}

/**
 * A range bound (XRANGE, XPENDING, XAUTOCLAIM): "(" makes it exclusive, which moves it one ID
 * inwards; an incomplete ID takes seq 0 for a start, 2^64-1 for an end. Null after the reply.
 */
export function rangeBoundArg(ctx: CommandContext, text: string, isEnd: boolean): StreamId | null {
  const parsed = parseIntervalId(text, isEnd);
  if (parsed === null) {
    ctx.reply.error(ERR_INVALID_STREAM_ID);
    return null;
  }
  if (parsed.exclusive) {
    const moved = isEnd ? parsed.id.decrement() : parsed.id.increment();
    if (!moved) {
      ctx.reply.error(isEnd ? 'ERR invalid end ID for the interval' : 'ERR invalid start ID for the interval');
      return null;
    }
  }
  return parsed.id;
}

// ------------------------------------------------------------------------- deferred lengths

/**
 * Replies whose element count is known only once they are written (Redis's deferred lengths)
 * are written to a scratch writer first, then copied behind their header. Nested uses (a map
 * of streams, each an array of entries) take one scratch writer per depth.
 */
const scratchWriters: ReplyWriter[] = [];
let scratchDepth = 0;

export function beginDeferred(target: ReplyWriter): ReplyWriter {
  let writer = scratchWriters[scratchDepth];
  if (writer === undefined) {
    writer = new ReplyWriter();
    scratchWriters[scratchDepth] = writer;
  }
  scratchDepth++;
  writer.resp = target.resp;
  return writer;
}

/** Copies what was written to `scratch` into `target` (after its header) and releases it. */
export function endDeferred(target: ReplyWriter, scratch: ReplyWriter): void {
  scratchDepth--;
  const out = scratch.take();
  if (out === null) return;
  if (Array.isArray(out)) for (const chunk of out) target.raw(chunk);
  else target.raw(out);
}

/** Drops what was written to `scratch` and releases it. */
export function discardDeferred(scratch: ReplyWriter): void {
  scratchDepth--;
  scratch.take();
}

// ----------------------------------------------------------------------------- entry replies

/** Writes one entry: [id, [field, value, ...]] for the walker's current entry. */
export function writeEntry(w: ReplyWriter, walker: StreamWalker): void {
  const entry = walker.entry;
  w.arrayLength(2);
  w.bulk(entry.idText());
  w.arrayLength(entry.fieldCount * 2);
  walker.writePairs(w);
}

/** Writes the entry with this ID as [id, pairs]; false (nothing written) when it is missing. */
export function writeEntryById(w: ReplyWriter, stream: StreamValue, id: StreamId): boolean {
  const walker = new StreamWalker(stream);
  walker.forward(id, id, false);
  if (!walker.next()) return false;
  writeEntry(w, walker);
  return true;
}

/** Writes the entries between start and end (at most `count`, 0 = all) as an array. */
export function replyRange(w: ReplyWriter, stream: StreamValue, start: StreamId, end: StreamId | null, count: number, reverse: boolean): number {
  const total = stream.countRange(start, end, count);
  w.arrayLength(total);
  if (total === 0) return 0;
  const walker = new StreamWalker(stream);
  if (reverse) walker.backward(start, end, false);
  else walker.forward(start, end, false);
  for (let emitted = 0; emitted < total && walker.next(); emitted++) writeEntry(w, walker);
  return total;
}

/** What a group read needs beyond the range: who reads, and how it propagates. */
export interface GroupRead {
  key: string;
  groupName: string;
  group: ConsumerGroup;
  consumer: Consumer;
  noAck: boolean;
  nowMs: number;
}

/**
 * A consumer group's read of new entries (XREADGROUP with ">"): the entries after `start`, at
 * most `count`, advancing the group's last ID and read counter, recording each delivery in
 * the PELs (unless NOACK) and propagating it as XCLAIM (or the new last ID as XGROUP SETID).
 */
export function replyGroupRange(ctx: CommandContext, w: ReplyWriter, stream: StreamValue, start: StreamId, count: number, read: GroupRead): number {
  const total = stream.countRange(start, null, count);
  w.arrayLength(total);
  const walker = new StreamWalker(stream);
  walker.forward(start, null, false);
  const group = read.group;
  const id = StreamId.zero();
  let propagateLastId = false;
  for (let emitted = 0; emitted < total && walker.next(); emitted++) {
    walker.entry.idInto(id);
    if (id.compare(group.lastId) > 0) {
      if (group.entriesRead !== ENTRIES_READ_UNKNOWN && !stream.rangeHasTombstones(id, null)) {
        group.entriesRead = counterPlus(group.entriesRead, 1);
      } else if (stream.entriesAdded !== 0) {
        group.entriesRead = stream.entriesUpTo(id);
      }
      group.lastId.copyFrom(id);
      if (read.noAck) propagateLastId = true;
    }
    writeEntry(w, walker);
    if (!read.noAck) {
      const pending = recordDelivery(group, read.consumer, id, read.nowMs);
      propagateClaim(ctx, read.key, read.groupName, group, walker.entry.idText(), pending);
    }
  }
  if (propagateLastId) propagateGroupLastId(ctx, read.key, read.groupName, group);
  return total;
}

/**
 * Records that `id` went to `consumer`: a new pending entry, or an existing one (the group's
 * last ID was moved back by XGROUP SETID) handed over with its count reset.
 */
function recordDelivery(group: ConsumerGroup, consumer: Consumer, id: StreamId, nowMs: number): PendingEntry {
  let pending = group.pending.get(id);
  if (pending === undefined) {
    pending = PendingEntry.at(id, nowMs, consumer);
    group.pending.insert(pending, id);
    consumer.pending.insert(pending, id);
    return pending;
  }
  if (pending.consumer !== null) pending.consumer.pending.remove(id);
  pending.consumer = consumer;
  pending.deliveryTimeMs = nowMs;
  pending.deliveryCount = 1;
  consumer.pending.insert(pending, id);
  return pending;
}

/**
 * A consumer's history (XREADGROUP with an ID): its own pending entries from `start`, at most
 * `count`; an entry deleted from the stream meanwhile comes as [id, nil]. Each delivery bumps
 * the entry's count and time (streamReplyWithRangeFromConsumerPEL).
 */
export function replyConsumerHistory(w: ReplyWriter, stream: StreamValue, start: StreamId, count: number, consumer: Consumer, nowMs: number): number {
  const pel = consumer.pending;
  const cursor = new IdCursor();
  let total = 0;
  for (let p = pel.seekCeil(start, cursor); p !== undefined && (count === 0 || total < count); p = pel.next(cursor)) total++;
  w.arrayLength(total);
  let pending = pel.seekCeil(start, cursor);
  for (let emitted = 0; emitted < total && pending !== undefined; emitted++) {
    const id = pending.id();
    if (writeEntryById(w, stream, id)) {
      pending.deliveryTimeMs = nowMs;
      pending.deliveryCount = counterPlus(pending.deliveryCount, 1);
    } else {
      w.arrayLength(2);
      w.bulk(id.toString());
      w.nullArray();
    }
    pending = pel.next(cursor);
  }
  return total;
}

// ------------------------------------------------------------------------------ propagation

/** The commands a PEL change propagates as (streamPropagateXCLAIM): idempotent on a replica. */
export function propagateClaim(ctx: CommandContext, key: string, groupName: string, group: ConsumerGroup, idArg: string, pending: PendingEntry): void {
  const consumer = pending.consumer;
  ctx.alsoPropagate(ctx.db.id, [
    'XCLAIM', key, groupName, consumer === null ? '' : consumer.name, '0', idArg,
    'TIME', String(pending.deliveryTimeMs), 'RETRYCOUNT', counterText(pending.deliveryCount),
    'FORCE', 'JUSTID', 'LASTID', group.lastId.toString(),
  ]);
}

/** XGROUP SETID with ENTRIESREAD (streamPropagateGroupID): the group's position after a NOACK read. */
export function propagateGroupLastId(ctx: CommandContext, key: string, groupName: string, group: ConsumerGroup): void {
  ctx.alsoPropagate(ctx.db.id, ['XGROUP', 'SETID', key, groupName, group.lastId.toString(), 'ENTRIESREAD', counterText(group.entriesRead)]);
}

/** XGROUP CREATECONSUMER (streamPropagateConsumerCreation): a consumer NOACK reads created. */
export function propagateConsumerCreation(ctx: CommandContext, key: string, groupName: string, consumerName: string): void {
  ctx.alsoPropagate(ctx.db.id, ['XGROUP', 'CREATECONSUMER', key, groupName, consumerName]);
}

/** A counter as Redis prints it with %lld (a signed 64-bit value). */
export function counterText(value: Counter): string {
  if (typeof value === 'number') return String(value);
  return BigInt.asIntN(64, value).toString();
}

/** A counter as a RESP integer (signed 64-bit). */
export function counterReply(w: ReplyWriter, value: Counter): void {
  w.integer(typeof value === 'number' ? value : BigInt.asIntN(64, value));
}
