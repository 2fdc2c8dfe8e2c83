// Consumer-group commands: XGROUP (CREATE, SETID, DESTROY, CREATECONSUMER, DELCONSUMER, HELP),
// XACK, XPENDING, XCLAIM, XAUTOCLAIM. Semantics, replies, error texts, keyspace events and
// propagation follow Redis 7.0's t_stream.c; reading (XREADGROUP) is in streams.ts.

import type { CommandContext } from './context.js';
import { ERR_NOT_INTEGER, ERR_SYNTAX, isKeyword } from './errors.js';
import { refuseValue } from './typed-lookup.js';
import { replyHelp, replySubcommandSyntaxError } from './help.js';
import {
  beginDeferred, counterReply, cText, discardDeferred, endDeferred, isStream, propagateClaim, propagateGroupLastId,
  rangeBoundArg, strictIdArg, streamForWrite, writeEntryById,
} from './stream-support.js';
import { keyAt, type CommandSpec } from './types.js';
import { NOTIFY_STREAM } from '../config/keyspace-events.js';
import type { ReplyWriter } from '../protocol/writer.js';
import {
  counterPlus, ENTRIES_READ_UNKNOWN, PendingEntry, type Consumer, type ConsumerGroup, type Counter,
} from '../store/types/stream-groups.js';
import { compareParts, ERR_INVALID_STREAM_ID, parseStreamId, StreamId } from '../store/types/stream-id.js';
import { IdCursor } from '../store/types/stream-sorted.js';
import { StreamValue } from '../store/types/stream.js';
import type { RedisValue } from '../store/values.js';
import { parseInt64 } from '../util/numbers.js';

/** XAUTOCLAIM scans at most this many PEL entries per entry it may return. */
const AUTOCLAIM_ATTEMPTS_FACTOR = 10;
/** LONG_MAX / max(sizeof(streamID), attempts factor): XAUTOCLAIM's COUNT bound. */
const AUTOCLAIM_MAX_COUNT = 576460752303423487n;
/** Bytes of one stream ID in Redis's transient array of deleted IDs. */
const ID_BYTES = 16;
/** An allocation this big fails on any machine we run on (Redis's ztrymalloc then refuses). */
const TRANSIENT_ALLOCATION_LIMIT_BYTES = 2 ** 40;

function noGroupError(key: string, groupName: string): string {
  return `NOGROUP No such key '${cText(key)}' or consumer group '${cText(groupName)}'`;
}

/** The group for a command that needs key and group (XCLAIM, XAUTOCLAIM); null after the reply. */
function groupForClaim(ctx: CommandContext, key: string, groupName: string): { stream: StreamValue; group: ConsumerGroup } | null {
  return claimGroupOf(ctx, ctx.db.lookupRead(key), key, groupName);
}

/** groupForClaim over a value already looked up (XAUTOCLAIM reads its key before parsing). */
function claimGroupOf(
  ctx: CommandContext, value: RedisValue | undefined, key: string, groupName: string,
): { stream: StreamValue; group: ConsumerGroup } | null {
  if (value !== undefined && !isStream(value)) {
    refuseValue(ctx, key, value, 'stream');
    return null;
  }
  const group = value?.group(groupName);
  if (value === undefined || group === undefined) {
    ctx.reply.error(noGroupError(key, groupName));
    return null;
  }
  return { stream: value, group };
}

// ----------------------------------------------------------------------------------- XGROUP

function xgroupHelp(ctx: CommandContext, argv: string[]): void {
  replyHelp(ctx, argv[0], [
    'CREATE <key> <groupname> <id|$> [option]',
    '    Create a new consumer group. Options are:',
    '    * MKSTREAM',
    '      Create the empty stream if it does not exist.',
    '    * ENTRIESREAD entries_read',
    "      Set the group's entries_read counter (internal use).",
    'CREATECONSUMER <key> <groupname> <consumer>',
    '    Create a new consumer in the specified group.',
    'DELCONSUMER <key> <groupname> <consumer>',
    '    Remove the specified consumer.',
    'DESTROY <key> <groupname>',
    '    Remove the specified group.',
    'SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]',
    '    Set the current group ID and entries_read counter.',
  ]);
}

/** XGROUP's subcommands other than HELP share Redis's single parser (xgroupCommand). */
function xgroup(ctx: CommandContext, argv: string[]): void {
  const sub = argv[1];
  const create = isKeyword(sub, 'CREATE');
  const setId = isKeyword(sub, 'SETID');
  let makeStream = false;
  let entriesRead: Counter = ENTRIES_READ_UNKNOWN;
  for (let i = 5; i < argv.length;) {
    if (create && isKeyword(argv[i], 'MKSTREAM')) {
      makeStream = true;
      i++;
    } else if ((create || setId) && isKeyword(argv[i], 'ENTRIESREAD') && i + 1 < argv.length) {
      const value = parseInt64(argv[i + 1]);
      if (value === null) {
        ctx.reply.error(ERR_NOT_INTEGER);
        return;
      }
      if (value < 0 && value !== ENTRIES_READ_UNKNOWN) {
        ctx.reply.error('ERR value for ENTRIESREAD must be positive or -1');
        return;
      }
      entriesRead = value;
      i += 2;
    } else {
      replySubcommandSyntaxError(ctx, argv);
      return;
    }
  }
  const key = argv[2];
  const groupName = argv[3];
  let stream = streamForWrite(ctx, key);
  if (stream === null) return;
  let group: ConsumerGroup | undefined;
  if (!makeStream) {
    if (stream === undefined) {
      ctx.reply.error('ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.');
      return;
    }
    group = stream.group(groupName);
    if (group === undefined && (setId || isKeyword(sub, 'CREATECONSUMER') || isKeyword(sub, 'DELCONSUMER'))) {
      ctx.reply.error(`NOGROUP No such consumer group '${cText(groupName)}' for key name '${cText(key)}'`);
      return;
    }
  }
  const events = ctx.server.events;
  const argc = argv.length;
  if (create && argc >= 5 && argc <= 8) {
    let id: StreamId;
    if (argv[4] === '$') {
      id = stream === undefined ? StreamId.zero() : stream.lastId.clone();
    } else {
      const parsed = strictIdArg(ctx, argv[4]);
      if (parsed === null) return;
      id = parsed;
    }
    if (stream === undefined) {
      stream = new StreamValue();
      ctx.db.set(key, stream);
      events.signalModifiedKey(ctx.db, key);
    }
    if (stream.createGroup(groupName, id, entriesRead) !== null) {
      ctx.reply.ok();
      ctx.markDirty();
      events.notify(NOTIFY_STREAM, 'xgroup-create', key, ctx.db.id);
    } else {
      ctx.reply.error('BUSYGROUP Consumer Group name already exists');
    }
  } else if (setId && (argc === 5 || argc === 7)) {
    const target = stream as StreamValue;
    let id: StreamId;
    if (argv[4] === '$') {
      id = target.lastId.clone();
    } else {
      const parsed = parseStreamId(argv[4], false, false, false);
      if (parsed === null) {
        ctx.reply.error(ERR_INVALID_STREAM_ID);
        return;
      }
      id = parsed.id;
    }
    const g = group as ConsumerGroup;
    g.lastId.copyFrom(id);
    g.entriesRead = entriesRead;
    ctx.reply.ok();
    ctx.markDirty();
    events.notify(NOTIFY_STREAM, 'xgroup-setid', key, ctx.db.id);
  } else if (isKeyword(sub, 'DESTROY') && argc === 4) {
    const target = stream as StreamValue;
    if (group !== undefined) {
      target.groups?.delete(groupName);
      ctx.reply.integer(1);
      ctx.markDirty();
      events.notify(NOTIFY_STREAM, 'xgroup-destroy', key, ctx.db.id);
      // Readers blocked in this group get NOGROUP.
      target.wakeups++;
      ctx.server.blocking.signalKeyAsReady(ctx.db, key);
    } else {
      ctx.reply.integer(0);
    }
  } else if (isKeyword(sub, 'CREATECONSUMER') && argc === 5) {
    const created = (group as ConsumerGroup).createConsumer(argv[4], Date.now());
    if (created !== null) {
      ctx.markDirty();
      events.notify(NOTIFY_STREAM, 'xgroup-createconsumer', key, ctx.db.id);
    }
    ctx.reply.integer(created !== null ? 1 : 0);
  } else if (isKeyword(sub, 'DELCONSUMER') && argc === 5) {
    const g = group as ConsumerGroup;
    const consumer = g.consumers.get(argv[4]);
    let pending = 0;
    if (consumer !== undefined) {
      pending = consumer.pending.size;
      g.deleteConsumer(consumer);
      ctx.markDirty();
      events.notify(NOTIFY_STREAM, 'xgroup-delconsumer', key, ctx.db.id);
    }
    ctx.reply.integer(pending);
  } else {
    replySubcommandSyntaxError(ctx, argv);
  }
}

// ------------------------------------------------------------------------------------- XACK

function xack(ctx: CommandContext, argv: string[]): void {
  const value = ctx.db.lookupRead(argv[1]);
  if (value !== undefined && !isStream(value)) {
    refuseValue(ctx, argv[1], value, 'stream');
    return;
  }
  const group = value?.group(argv[2]);
  if (group === undefined) {
    ctx.reply.integer(0);
    return;
  }
  // All IDs are checked first: an XACK either fails or acknowledges.
  const ids: StreamId[] = [];
  for (let j = 3; j < argv.length; j++) {
    const id = strictIdArg(ctx, argv[j]);
    if (id === null) return;
    ids.push(id);
  }
  let acknowledged = 0;
  for (const id of ids) {
    const pending = group.pending.get(id);
    if (pending === undefined) continue;
    group.acknowledge(pending);
    acknowledged++;
    ctx.markDirty();
  }
  ctx.reply.integer(acknowledged);
}

// --------------------------------------------------------------------------------- XPENDING

function xpending(ctx: CommandContext, argv: string[]): void {
  const argc = argv.length;
  if (argc !== 3 && (argc < 6 || argc > 9)) {
    ctx.reply.error(ERR_SYNTAX);
    return;
  }
  let minIdleMs = 0;
  let count = 0;
  let start = StreamId.zero();
  let end = StreamId.max();
  let consumerName: string | null = null;
  if (argc >= 6) {
    let at = 3;
    if (isKeyword(argv[3], 'IDLE')) {
      const idle = parseInt64(argv[4]);
      if (idle === null) {
        ctx.reply.error(ERR_NOT_INTEGER);
        return;
      }
      minIdleMs = Number(idle);
      if (argc < 8) {
        ctx.reply.error(ERR_SYNTAX);
        return;
      }
      at += 2;
    }
    const parsedCount = parseInt64(argv[at + 2]);
    if (parsedCount === null) {
      ctx.reply.error(ERR_NOT_INTEGER);
      return;
    }
    count = parsedCount < 0 ? 0 : Number(parsedCount);
    const first = rangeBoundArg(ctx, argv[at], false);
    if (first === null) return;
    const last = rangeBoundArg(ctx, argv[at + 1], true);
    if (last === null) return;
    start = first;
    end = last;
    if (at + 3 < argc) consumerName = argv[at + 3];
  }
  const key = argv[1];
  const value = ctx.db.lookupRead(key);
  if (value !== undefined && !isStream(value)) {
    refuseValue(ctx, key, value, 'stream');
    return;
  }
  const group = value?.group(argv[2]);
  if (group === undefined) {
    ctx.reply.error(noGroupError(key, argv[2]));
    return;
  }
  if (argc === 3) {
    replyPendingSummary(ctx.reply, group);
    return;
  }
  let consumer: Consumer | undefined;
  if (consumerName !== null) {
    consumer = group.consumers.get(consumerName);
    if (consumer === undefined) {
      ctx.reply.arrayLength(0);
      return;
    }
  }
  const pel = consumer === undefined ? group.pending : consumer.pending;
  const nowMs = Date.now();
  const r = ctx.reply;
  const body = beginDeferred(r);
  let emitted = 0;
  try {
    const cursor = new IdCursor();
    for (let pending = pel.seekCeil(start, cursor); count > 0 && pending !== undefined; pending = pel.next(cursor)) {
      if (compareToId(pending, end) > 0) break;
      if (minIdleMs !== 0 && nowMs - pending.deliveryTimeMs < minIdleMs) continue;
      emitted++;
      count--;
      body.arrayLength(4);
      body.bulk(pending.idText());
      body.bulk(pending.consumer === null ? '' : pending.consumer.name);
      body.integer(Math.max(0, nowMs - pending.deliveryTimeMs));
      counterReply(body, pending.deliveryCount);
    }
  } catch (err) {
    discardDeferred(body);
    throw err;
  }
  r.arrayLength(emitted);
  endDeferred(r, body);
}

function compareToId(pending: PendingEntry, id: StreamId): number {
  return compareParts(pending.msHi, pending.msLo, pending.seqHi, pending.seqLo, id.msHi, id.msLo, id.seqHi, id.seqLo);
}

/** XPENDING key group: the count, the smallest and largest IDs, and the count per consumer. */
function replyPendingSummary(r: ReplyWriter, group: ConsumerGroup): void {
  r.arrayLength(4);
  r.integer(group.pending.size);
  if (group.pending.size === 0) {
    r.nullBulk();
    r.nullBulk();
    r.nullArray();
    return;
  }
  r.bulk((group.pending.first() as PendingEntry).idText());
  r.bulk((group.pending.last() as PendingEntry).idText());
  const owners = group.sortedConsumers().filter((c) => c.pending.size > 0);
  r.arrayLength(owners.length);
  for (const consumer of owners) {
    r.arrayLength(2);
    r.bulk(consumer.name);
    r.bulk(String(consumer.pending.size));
  }
}

// ----------------------------------------------------------------------------------- XCLAIM

/** An XCLAIM option value as an int64 (number or bigint); null after the reply. */
function claimIntArg(ctx: CommandContext, text: string, error: string): number | bigint | null {
  const value = parseInt64(text);
  if (value === null) ctx.reply.error(error);
  return value;
}

function xclaim(ctx: CommandContext, argv: string[]): void {
  const key = argv[1];
  const groupName = argv[2];
  const found = groupForClaim(ctx, key, groupName);
  if (found === null) return;
  const { stream, group } = found;
  const minIdle = claimIntArg(ctx, argv[4], 'ERR Invalid min-idle-time argument for XCLAIM');
  if (minIdle === null) return;
  const minIdleMs = minIdle < 0 ? 0 : Number(minIdle);
  // The IDs come first; the first argument that is not an ID starts the options.
  const ids: StreamId[] = [];
  let j = 5;
  for (; j < argv.length; j++) {
    const parsed = parseStreamId(argv[j], true, false, false);
    if (parsed === null) break;
    ids.push(parsed.id);
  }
  const lastIdArg = j - 1;
  const nowMs = Date.now();
  let deliveryTimeMs: number | null = null;
  let retryCount: Counter | null = null;
  let force = false;
  let justId = false;
  let lastId = StreamId.zero();
  for (; j < argv.length; j++) {
    const moreArgs = argv.length - 1 - j;
    const opt = argv[j];
    if (isKeyword(opt, 'FORCE')) {
      force = true;
    } else if (isKeyword(opt, 'JUSTID')) {
      justId = true;
    } else if (isKeyword(opt, 'IDLE') && moreArgs > 0) {
      j++;
      const idle = claimIntArg(ctx, argv[j], 'ERR Invalid IDLE option argument for XCLAIM');
      if (idle === null) return;
      deliveryTimeMs = clampedDeliveryTime(BigInt(nowMs) - BigInt(idle), nowMs);
    } else if (isKeyword(opt, 'TIME') && moreArgs > 0) {
      j++;
      const time = claimIntArg(ctx, argv[j], 'ERR Invalid TIME option argument for XCLAIM');
      if (time === null) return;
      deliveryTimeMs = clampedDeliveryTime(BigInt(time), nowMs);
    } else if (isKeyword(opt, 'RETRYCOUNT') && moreArgs > 0) {
      j++;
      const retries = claimIntArg(ctx, argv[j], 'ERR Invalid RETRYCOUNT option argument for XCLAIM');
      if (retries === null) return;
      retryCount = retries;
    } else if (isKeyword(opt, 'LASTID') && moreArgs > 0) {
      j++;
      const id = strictIdArg(ctx, argv[j]);
      if (id === null) return;
      lastId = id;
    } else {
      ctx.reply.error(`ERR Unrecognized XCLAIM option '${cText(opt)}'`);
      return;
    }
  }
  let propagateLastId = false;
  if (lastId.compare(group.lastId) > 0) {
    group.lastId.copyFrom(lastId);
    propagateLastId = true;
  }
  const deliveredAt = deliveryTimeMs ?? nowMs;
  const consumerName = argv[3];
  let consumer: Consumer | null = null;
  const r = ctx.reply;
  const body = beginDeferred(r);
  let claimed = 0;
  try {
    for (let k = 5; k <= lastIdArg; k++) {
      const id = ids[k - 5];
      let pending = group.pending.get(id);
      if (!stream.has(id)) {
        // The entry is gone: drop its pending record, and tell the replicas so.
        if (pending !== undefined) {
          propagateClaim(ctx, key, groupName, group, argv[k], pending);
          propagateLastId = false;
          ctx.markDirty();
          group.acknowledge(pending);
        }
        continue;
      }
      if (force && pending === undefined) {
        pending = PendingEntry.at(id, nowMs, null);
        group.pending.insert(pending, id);
      }
      if (pending === undefined) continue;
      // A record FORCE just created has no owner and ignores the idle time.
      if (pending.consumer !== null && minIdleMs !== 0 && nowMs - pending.deliveryTimeMs < minIdleMs) continue;
      if (consumer === null) consumer = lookupOrCreateConsumer(ctx, group, consumerName, key, nowMs);
      if (pending.consumer !== consumer && pending.consumer !== null) pending.consumer.pending.remove(id);
      pending.deliveryTimeMs = deliveredAt;
      if (retryCount !== null && retryCount >= 0) pending.deliveryCount = retryCount;
      else if (!justId) pending.deliveryCount = counterPlus(pending.deliveryCount, 1);
      if (pending.consumer !== consumer) {
        consumer.pending.insert(pending, id);
        pending.consumer = consumer;
      }
      if (justId) body.bulk(id.toString());
      else writeEntryById(body, stream, id);
      claimed++;
      propagateClaim(ctx, key, groupName, group, argv[k], pending);
      propagateLastId = false;
      ctx.markDirty();
    }
  } catch (err) {
    discardDeferred(body);
    throw err;
  }
  if (propagateLastId) {
    propagateGroupLastId(ctx, key, groupName, group);
    ctx.markDirty();
  }
  r.arrayLength(claimed);
  endDeferred(r, body);
  ctx.preventPropagation();
}

/** XCLAIM's IDLE/TIME result: a time in the future or before the epoch becomes now. */
function clampedDeliveryTime(timeMs: bigint, nowMs: number): number {
  // C computes now - idle in a 64-bit signed integer.
  const wrapped = BigInt.asIntN(64, timeMs);
  return wrapped < 0n || wrapped > BigInt(nowMs) ? nowMs : Number(wrapped);
}

/** The named consumer, seen now, or a new one (streamLookupConsumer / streamCreateConsumer). */
function lookupOrCreateConsumer(ctx: CommandContext, group: ConsumerGroup, name: string, key: string, nowMs: number): Consumer {
  const existing = group.consumers.get(name);
  if (existing !== undefined) {
    existing.seenTimeMs = nowMs;
    return existing;
  }
  const created = group.createConsumer(name, nowMs) as Consumer;
  ctx.markDirty();
  ctx.server.events.notify(NOTIFY_STREAM, 'xgroup-createconsumer', key, ctx.db.id);
  return created;
}

// ------------------------------------------------------------------------------- XAUTOCLAIM

function xautoclaim(ctx: CommandContext, argv: string[]): void {
  // Redis looks the key up before it parses anything: a missing key raises "keymiss" even
  // when an argument is refused.
  const looked = ctx.db.lookupRead(argv[1]);
  const minIdle = claimIntArg(ctx, argv[4], 'ERR Invalid min-idle-time argument for XAUTOCLAIM');
  if (minIdle === null) return;
  const minIdleMs = minIdle < 0 ? 0 : Number(minIdle);
  const start = rangeBoundArg(ctx, argv[5], false);
  if (start === null) return;
  let count = 100;
  let justId = false;
  for (let j = 6; j < argv.length; j++) {
    const moreArgs = argv.length - 1 - j;
    const opt = argv[j];
    if (isKeyword(opt, 'COUNT') && moreArgs > 0) {
      const value = parseInt64(argv[j + 1]);
      if (value === null || value < 1 || BigInt(value) > AUTOCLAIM_MAX_COUNT) {
        ctx.reply.error('ERR COUNT must be > 0');
        return;
      }
      count = Number(value);
      j++;
    } else if (isKeyword(opt, 'JUSTID')) {
      justId = true;
    } else {
      ctx.reply.error(ERR_SYNTAX);
      return;
    }
  }
  const key = argv[1];
  const groupName = argv[2];
  const found = claimGroupOf(ctx, looked, key, groupName);
  if (found === null) return;
  const { stream, group } = found;
  if (count * ID_BYTES > TRANSIENT_ALLOCATION_LIMIT_BYTES) {
    // Redis allocates room for `count` deleted IDs up front, and such a request fails.
    ctx.reply.error('ERR Insufficient memory, failed allocating transient memory, COUNT too high.');
    return;
  }
  let attempts = count * AUTOCLAIM_ATTEMPTS_FACTOR;
  const deletedIds: StreamId[] = [];
  const nowMs = Date.now();
  const consumerName = argv[3];
  let consumer: Consumer | null = null;
  const r = ctx.reply;
  const body = beginDeferred(r);
  let claimed = 0;
  const cursor = new IdCursor();
  let pending = group.pending.seekCeil(start, cursor);
  try {
    while (attempts-- > 0 && count > 0 && pending !== undefined) {
      const id = pending.id();
      if (!stream.has(id)) {
        propagateClaim(ctx, key, groupName, group, id.toString(), pending);
        ctx.markDirty();
        group.acknowledge(pending);
        deletedIds.push(id);
        count--;
        pending = group.pending.seekCeil(id, cursor);
        continue;
      }
      if (minIdleMs !== 0 && nowMs - pending.deliveryTimeMs < minIdleMs) {
        pending = group.pending.next(cursor);
        continue;
      }
      if (consumer === null) consumer = lookupOrCreateConsumer(ctx, group, consumerName, key, nowMs);
      if (pending.consumer !== consumer && pending.consumer !== null) pending.consumer.pending.remove(id);
      pending.deliveryTimeMs = nowMs;
      if (!justId) pending.deliveryCount = counterPlus(pending.deliveryCount, 1);
      if (pending.consumer !== consumer) {
        consumer.pending.insert(pending, id);
        pending.consumer = consumer;
      }
      if (justId) body.bulk(id.toString());
      else writeEntryById(body, stream, id);
      claimed++;
      count--;
      propagateClaim(ctx, key, groupName, group, id.toString(), pending);
      ctx.markDirty();
      pending = group.pending.next(cursor);
    }
  } catch (err) {
    discardDeferred(body);
    throw err;
  }
  // The cursor for the next call: the first entry not looked at, or 0-0 at the end.
  r.arrayLength(3);
  r.bulk(pending === undefined ? '0-0' : pending.idText());
  r.arrayLength(claimed);
  endDeferred(r, body);
  r.arrayLength(deletedIds.length);
  for (const id of deletedIds) r.bulk(id.toString());
  ctx.preventPropagation();
}

// ------------------------------------------------------------------------------------ table

const GROUP_KEY_RW_INSERT = keyAt(2, 'RW', 'insert');

export const streamGroupCommands: CommandSpec[] = [
  {
    name: 'xgroup', arity: -2, flags: [], acl: ['slow'],
    summary: 'Manages the consumer groups of a stream and their consumers.', since: '5.0.0', group: 'stream',
    subcommands: [
      {
        name: 'destroy', arity: 4, flags: ['write'], acl: ['write', 'stream', 'slow'], keySpecs: [keyAt(2, 'RW', 'delete')],
        summary: 'Removes a consumer group.', since: '5.0.0', group: 'stream',
        arguments: [{ name: 'key', type: 'key' }, { name: 'groupname', type: 'string' }],
        handler: xgroup,
      },
      {
        name: 'delconsumer', arity: 5, flags: ['write'], acl: ['write', 'stream', 'slow'], keySpecs: [keyAt(2, 'RW', 'delete')],
        summary: 'Removes a consumer from a group, with its pending entries.', since: '5.0.0', group: 'stream',
        arguments: [{ name: 'key', type: 'key' }, { name: 'groupname', type: 'string' }, { name: 'consumername', type: 'string' }],
        handler: xgroup,
      },
      {
        name: 'createconsumer', arity: 5, flags: ['write', 'denyoom'], acl: ['write', 'stream', 'slow'], keySpecs: [GROUP_KEY_RW_INSERT],
        summary: 'Creates a consumer in a consumer group.', since: '6.2.0', group: 'stream',
        arguments: [{ name: 'key', type: 'key' }, { name: 'groupname', type: 'string' }, { name: 'consumername', type: 'string' }],
        handler: xgroup,
      },
      {
        name: 'create', arity: -5, flags: ['write', 'denyoom'], acl: ['write', 'stream', 'slow'], keySpecs: [GROUP_KEY_RW_INSERT],
        summary: 'Creates a consumer group at an ID of the stream.', since: '5.0.0', group: 'stream',
        arguments: [
          { name: 'key', type: 'key' }, { name: 'groupname', type: 'string' },
          { name: 'id', type: 'oneof', arguments: [{ name: 'id', type: 'string' }, { name: 'new_id', type: 'pure-token', token: '$' }] },
          { name: 'mkstream', type: 'pure-token', token: 'MKSTREAM', optional: true },
          { name: 'entries_read', type: 'integer', token: 'ENTRIESREAD', optional: true },
        ],
        handler: xgroup,
      },
      {
        name: 'help', arity: 2, flags: ['loading', 'stale'], acl: ['stream', 'slow'],
        summary: 'Lists the XGROUP subcommands.', since: '5.0.0', group: 'stream', handler: xgroupHelp,
      },
      {
        name: 'setid', arity: -5, flags: ['write'], acl: ['write', 'stream', 'slow'], keySpecs: [keyAt(2, 'RW', 'update')],
        summary: "Moves a consumer group's last delivered ID.", since: '5.0.0', group: 'stream',
        arguments: [
          { name: 'key', type: 'key' }, { name: 'groupname', type: 'string' },
          { name: 'id', type: 'oneof', arguments: [{ name: 'id', type: 'string' }, { name: 'new_id', type: 'pure-token', token: '$' }] },
          { name: 'entries_read', type: 'integer', token: 'ENTRIESREAD', optional: true },
        ],
        handler: xgroup,
      },
    ],
  },
  {
    name: 'xack', arity: -4, flags: ['write', 'fast'], acl: ['write', 'stream', 'fast'], keySpecs: [keyAt(1, 'RW', 'update')],
    summary: 'Acknowledges entries of a consumer group, removing them from its pending list.',
    since: '5.0.0', group: 'stream', complexity: 'O(log N) per ID',
    arguments: [{ name: 'key', type: 'key' }, { name: 'group', type: 'string' }, { name: 'id', type: 'string', multiple: true }],
    handler: xack,
  },
  {
    name: 'xpending', arity: -3, flags: ['readonly'], acl: ['read', 'stream', 'slow'], keySpecs: [keyAt(1, 'RO', 'access')],
    tips: ['nondeterministic_output'],
    summary: "Summarizes or lists a consumer group's pending entries.",
    since: '5.0.0', group: 'stream', complexity: 'O(log N + M) for M entries listed',
    arguments: [
      { name: 'key', type: 'key' }, { name: 'group', type: 'string' },
      { name: 'filters', type: 'block', optional: true, arguments: [
        { name: 'min-idle-time', type: 'integer', token: 'IDLE', optional: true },
        { name: 'start', type: 'string' }, { name: 'end', type: 'string' }, { name: 'count', type: 'integer' },
        { name: 'consumer', type: 'string', optional: true },
      ] },
    ],
    handler: xpending,
  },
  {
    name: 'xclaim', arity: -6, flags: ['write', 'fast'], acl: ['write', 'stream', 'fast'], keySpecs: [keyAt(1, 'RW', 'update')],
    tips: ['nondeterministic_output'],
    summary: 'Transfers pending entries to another consumer of the group.',
    since: '5.0.0', group: 'stream', complexity: 'O(log N) per ID',
    arguments: [
      { name: 'key', type: 'key' }, { name: 'group', type: 'string' }, { name: 'consumer', type: 'string' },
      { name: 'min-idle-time', type: 'string' }, { name: 'id', type: 'string', multiple: true },
      { name: 'ms', type: 'integer', token: 'IDLE', optional: true },
      { name: 'unix-time-milliseconds', type: 'unix-time', token: 'TIME', optional: true },
      { name: 'count', type: 'integer', token: 'RETRYCOUNT', optional: true },
      { name: 'force', type: 'pure-token', token: 'FORCE', optional: true },
      { name: 'justid', type: 'pure-token', token: 'JUSTID', optional: true },
      { name: 'lastid', type: 'string', token: 'LASTID', optional: true },
    ],
    handler: xclaim,
  },
  {
    name: 'xautoclaim', arity: -6, flags: ['write', 'fast'], acl: ['write', 'stream', 'fast'], keySpecs: [keyAt(1, 'RW', 'delete')],
    tips: ['nondeterministic_output'],
    summary: 'Transfers pending entries idle long enough to another consumer, scanning with a cursor.',
    since: '6.2.0', group: 'stream', complexity: 'O(1) per entry scanned',
    arguments: [
      { name: 'key', type: 'key' }, { name: 'group', type: 'string' }, { name: 'consumer', type: 'string' },
      { name: 'min-idle-time', type: 'string' }, { name: 'start', type: 'string' },
      { name: 'count', type: 'integer', token: 'COUNT', optional: true },
      { name: 'justid', type: 'pure-token', token: 'JUSTID', optional: true },
    ],
    handler: xautoclaim,
  },
];

