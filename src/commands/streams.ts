// Stream commands: XADD, XRANGE, XREVRANGE, XLEN, XDEL, XTRIM, XREAD, XREADGROUP, XSETID,
// XINFO. Semantics, replies, error texts, keyspace events and propagation follow Redis 7.0's
// t_stream.c; the consumer-group management commands are in stream-groups.ts.

import { timeoutArg, type KeyWaiter } from './blocking.js';
import type { CommandContext } from './context.js';
import { ERR_NO_SUCH_KEY, ERR_NOT_INTEGER, ERR_SYNTAX, errWrongArity, isKeyword } from './errors.js';
import { refuseValue } from './typed-lookup.js';
import { replyHelp, replySubcommandSyntaxError } from './help.js';
import {
  beginDeferred, cText, counterReply, discardDeferred, endDeferred, ERR_INVALID_STREAM_ID, isStream,
  propagateConsumerCreation, rangeBoundArg, replyConsumerHistory, replyGroupRange, replyRange, strictIdArg,
  streamForRead, streamForWrite, writeEntry,
} from './stream-support.js';
import { keyAt, type CommandSpec, type KeySpec } from './types.js';
import { NOTIFY_STREAM } from '../config/keyspace-events.js';
import type { ReplyWriter } from '../protocol/writer.js';
import { ENTRIES_READ_UNKNOWN, normalizeCounter, type ConsumerGroup } from '../store/types/stream-groups.js';
import { parseStreamId, StreamId } from '../store/types/stream-id.js';
import { StreamValue, StreamWalker, TRIM_MAXLEN, TRIM_MINID, type TrimSpec } from '../store/types/stream.js';
import { parseInt64 } from '../util/numbers.js';

/** Sum of field and value bytes above which an entry is refused (STREAM_LISTPACK_MAX_SIZE). */
const MAX_ENTRY_TEXT_BYTES = 1 << 30;
/** XREAD ... BLOCK without COUNT serves at most this many entries per stream. */
const XREAD_BLOCKED_DEFAULT_COUNT = 1000;

const TWO_32 = 4294967296;
/** The MINID of a trim by length (never read, never changed). */
const NO_MIN_ID = StreamId.zero();

// --------------------------------------------------------------------------- XADD and XTRIM

/** The parsed options of XADD / XTRIM (Redis's streamAddTrimArgs). */
interface AddTrimArgs {
  /** XADD: the ID argument's index. */
  idIndex: number;
  id: StreamId | null;
  /** False for "<ms>-*". */
  seqGiven: boolean;
  noMakeStream: boolean;
  trim: TrimSpec | null;
  /** Index of the MAXLEN/MINID threshold argument (rewritten for propagation after "~"). */
  thresholdIndex: number;
}

/** True when `arg` is the one-char C string `ch` (Redis tests opt[0] == ch && opt[1] == '\0'). */
function isSingleChar(arg: string, ch: number): boolean {
  return arg.length >= 1 && arg.charCodeAt(0) === ch && (arg.length === 1 || arg.charCodeAt(1) === 0);
}

/** An int64 argument as a number (beyond 2^53 only its order matters here); null after the reply. */
function int64Arg(ctx: CommandContext, text: string): number | null {
  const v = parseInt64(text);
  if (v === null) {
    ctx.reply.error(ERR_NOT_INTEGER);
    return null;
  }
  return Number(v);
}

/** Redis's streamParseAddOrTrimArgsOrReply; null after an error reply. */
function parseAddTrimArgs(ctx: CommandContext, argv: string[], xadd: boolean): AddTrimArgs | null {
  const args: AddTrimArgs = { idIndex: argv.length, id: null, seqGiven: true, noMakeStream: false, trim: null, thresholdIndex: 0 };
  let strategy = 0;
  let approximate = false;
  let maxLength = 0;
  let minId = NO_MIN_ID;
  let limit = 0;
  let limitGiven = false;
  let i = 2;
  for (; i < argv.length; i++) {
    const moreArgs = argv.length - 1 - i;
    const opt = argv[i];
    if (xadd && isSingleChar(opt, 42)) break; // "*"
    const isMaxLen = isKeyword(opt, 'MAXLEN');
    if ((isMaxLen || isKeyword(opt, 'MINID')) && moreArgs > 0) {
      if (strategy !== 0) {
        ctx.reply.error('ERR syntax error, MAXLEN and MINID options at the same time are not compatible');
        return null;
      }
      // An optional "~" (approximate) or "=" (exact) before the threshold.
      approximate = false;
      const next = argv[i + 1];
      if (moreArgs >= 2 && isSingleChar(next, 126)) {
        approximate = true;
        i++;
      } else if (moreArgs >= 2 && isSingleChar(next, 61)) {
        i++;
      }
      if (isMaxLen) {
        const value = int64Arg(ctx, argv[i + 1]);
        if (value === null) return null;
        if (value < 0) {
          ctx.reply.error('ERR The MAXLEN argument must be >= 0.');
          return null;
        }
        maxLength = value;
        strategy = TRIM_MAXLEN;
      } else {
        const id = strictIdArg(ctx, argv[i + 1]);
        if (id === null) return null;
        minId = id;
        strategy = TRIM_MINID;
      }
      i++;
      args.thresholdIndex = i;
    } else if (isKeyword(opt, 'LIMIT') && moreArgs > 0) {
      const value = int64Arg(ctx, argv[i + 1]);
      if (value === null) return null;
      if (value < 0) {
        ctx.reply.error('ERR The LIMIT argument must be >= 0.');
        return null;
      }
      limit = value;
      limitGiven = true;
      i++;
    } else if (xadd && isKeyword(opt, 'NOMKSTREAM')) {
      args.noMakeStream = true;
    } else if (xadd) {
      // An ID, or a syntax error reported as an invalid ID.
      const parsed = parseStreamId(opt, true, false, true);
      if (parsed === null) {
        ctx.reply.error(ERR_INVALID_STREAM_ID);
        return null;
      }
      args.id = parsed.id;
      args.seqGiven = parsed.seqGiven;
      break;
    } else {
      ctx.reply.error(ERR_SYNTAX);
      return null;
    }
  }
  args.idIndex = i;
  if (limit !== 0 && strategy === 0) {
    ctx.reply.error('ERR syntax error, LIMIT cannot be used without specifying a trimming strategy');
    return null;
  }
  if (!xadd && strategy === 0) {
    ctx.reply.error('ERR syntax error, XTRIM must be called with a trimming strategy');
    return null;
  }
  if (ctx.client.replaysData) {
    // The primary's stream and the AOF carry the "=" threshold the trim reached, next to the
    // LIMIT the client gave: the trim must reach it whatever the limit (Redis's mustObeyClient).
    limit = 0;
  } else if (limitGiven) {
    if (!approximate) {
      ctx.reply.error('ERR syntax error, LIMIT cannot be used without the special ~ option');
      return null;
    }
  } else if (approximate) {
    // "~" without LIMIT: at most 100 nodes' worth of work, bounded on both sides.
    limit = 100 * ctx.server.config.live.streamNodeMaxEntries;
    if (limit <= 0) limit = 10000;
    if (limit > 1000000) limit = 1000000;
  } else {
    limit = 0;
  }
  if (strategy !== 0) {
    args.trim = { strategy: strategy === TRIM_MAXLEN ? TRIM_MAXLEN : TRIM_MINID, maxLength, minId, approximate, limit };
  }
  return args;
}

/**
 * After a "~" trim the replicas must trim exactly as we did: the threshold becomes "=" and the
 * resulting length, or the first ID left (tombstones included; the largest ID when empty).
 */
function exactTrimArgv(argv: string[], stream: StreamValue, trim: TrimSpec, thresholdIndex: number): string[] {
  const out = argv.slice();
  out[thresholdIndex - 1] = '=';
  if (trim.strategy === TRIM_MAXLEN) {
    out[thresholdIndex] = String(stream.length);
  } else {
    const first = stream.edgeId(true, true);
    out[thresholdIndex] = (first ?? StreamId.max()).toString();
  }
  return out;
}

/** The ID XADD gives the new entry; null when none is possible (the error is replied). */
function newEntryId(ctx: CommandContext, stream: StreamValue, given: StreamId | null, seqGiven: boolean): StreamId | null {
  const last = stream.lastId;
  let id: StreamId;
  if (given !== null) {
    if (seqGiven) {
      id = given;
    } else if (given.msHi === last.msHi && given.msLo === last.msLo) {
      // "<ms>-*" on the last ms: the next sequence, which must exist.
      if (last.seqHi === 0xffffffff && last.seqLo === 0xffffffff) {
        // Redis returns without setting errno here; the reply it then gives is this one.
        ctx.reply.error('ERR Elements are too large to be stored');
        return null;
      }
      id = last.clone();
      id.increment();
    } else {
      id = new StreamId(given.msHi, given.msLo, 0, 0);
    }
  } else {
    const nowMs = Date.now();
    const lastMs = last.msHi * TWO_32 + last.msLo;
    if (last.msHi < 0x200000 && nowMs > lastMs) {
      id = StreamId.of(nowMs, 0);
    } else {
      id = last.clone();
      id.increment();
    }
  }
  if (id.compare(last) <= 0) {
    ctx.reply.error('ERR The ID specified in XADD is equal or smaller than the target stream top item');
    return null;
  }
  return id;
}

function xadd(ctx: CommandContext, argv: string[]): void {
  const args = parseAddTrimArgs(ctx, argv, true);
  if (args === null) return;
  const fieldsAt = args.idIndex + 1;
  const pairArgs = argv.length - fieldsAt;
  if (pairArgs < 2 || pairArgs % 2 === 1) {
    ctx.reply.error(errWrongArity('xadd'));
    return;
  }
  const given = args.id;
  if (given !== null && args.seqGiven && given.isZero()) {
    ctx.reply.error('ERR The ID specified in XADD must be greater than 0-0');
    return;
  }
  const key = argv[1];
  let stream = streamForWrite(ctx, key);
  if (stream === null) return;
  if (stream === undefined) {
    if (args.noMakeStream) {
      ctx.reply.nullBulk();
      return;
    }
    stream = new StreamValue();
    ctx.db.set(key, stream);
  }
  if (stream.lastId.isMax()) {
    ctx.reply.error('ERR The stream has exhausted the last possible ID, unable to add more items');
    return;
  }
  const id = newEntryId(ctx, stream, given, args.seqGiven);
  if (id === null) return;
  const pairs = pairArgs / 2;
  let textBytes = 0;
  for (let i = fieldsAt; i < argv.length; i++) textBytes += argv[i].length;
  if (textBytes > MAX_ENTRY_TEXT_BYTES) {
    ctx.reply.error('ERR Elements are too large to be stored');
    return;
  }
  const live = ctx.server.config.live;
  stream.append(id, argv, fieldsAt, pairs, textBytes, live.streamNodeMaxBytes, live.streamNodeMaxEntries);
  stream.wakeups++;
  const idText = id.toString();
  ctx.reply.bulk(idText);
  const events = ctx.server.events;
  events.signalModifiedKey(ctx.db, key);
  events.notify(NOTIFY_STREAM, 'xadd', key, ctx.db.id);
  ctx.markDirty();
  let propagated: string[] | null = null;
  const trim = args.trim;
  if (trim !== null) {
    if (stream.trim(trim) > 0) events.notify(NOTIFY_STREAM, 'xtrim', key, ctx.db.id);
    if (trim.approximate) propagated = exactTrimArgv(argv, stream, trim, args.thresholdIndex);
  }
  if (given === null || !args.seqGiven) {
    // Replicas and the AOF get the ID this server chose.
    propagated ??= argv.slice();
    propagated[args.idIndex] = idText;
  }
  if (propagated !== null) ctx.rewritePropagation(propagated);
}

function xtrim(ctx: CommandContext, argv: string[]): void {
  const args = parseAddTrimArgs(ctx, argv, false);
  if (args === null) return;
  const key = argv[1];
  const stream = streamForWrite(ctx, key);
  if (stream === null) return;
  if (stream === undefined) {
    ctx.reply.integer(0);
    return;
  }
  const trim = args.trim as TrimSpec;
  const removed = stream.trim(trim);
  if (removed > 0) {
    ctx.server.events.notify(NOTIFY_STREAM, 'xtrim', key, ctx.db.id);
    if (trim.approximate) ctx.rewritePropagation(exactTrimArgv(argv, stream, trim, args.thresholdIndex));
    ctx.server.events.signalModifiedKey(ctx.db, key);
    ctx.markDirty(removed);
  }
  ctx.reply.integer(removed);
}

// ----------------------------------------------------------------------- XRANGE and friends

function xrangeGeneric(ctx: CommandContext, argv: string[], reverse: boolean): void {
  const start = rangeBoundArg(ctx, reverse ? argv[3] : argv[2], false);
  if (start === null) return;
  const end = rangeBoundArg(ctx, reverse ? argv[2] : argv[3], true);
  if (end === null) return;
  let count = -1;
  for (let j = 4; j < argv.length; j++) {
    if (isKeyword(argv[j], 'COUNT') && argv.length - j - 1 >= 1) {
      const value = int64Arg(ctx, argv[j + 1]);
      if (value === null) return;
      count = value < 0 ? 0 : value;
      j++;
    } else {
      ctx.reply.error(ERR_SYNTAX);
      return;
    }
  }
  const stream = streamForRead(ctx, argv[1]);
  if (stream === null) return;
  if (stream === undefined) {
    ctx.reply.arrayLength(0);
    return;
  }
  if (count === 0) {
    ctx.reply.nullArray();
    return;
  }
  replyRange(ctx.reply, stream, start, end, count === -1 ? 0 : count, reverse);
}

function xrange(ctx: CommandContext, argv: string[]): void {
  xrangeGeneric(ctx, argv, false);
}

function xrevrange(ctx: CommandContext, argv: string[]): void {
  xrangeGeneric(ctx, argv, true);
}

function xlen(ctx: CommandContext, argv: string[]): void {
  const stream = streamForRead(ctx, argv[1]);
  if (stream === null) return;
  ctx.reply.integer(stream === undefined ? 0 : stream.length);
}

function xdel(ctx: CommandContext, argv: string[]): void {
  const key = argv[1];
  const stream = streamForWrite(ctx, key);
  if (stream === null) return;
  if (stream === undefined) {
    ctx.reply.integer(0);
    return;
  }
  // Every ID is checked before any is deleted: no half-done XDEL.
  const ids: StreamId[] = [];
  for (let j = 2; j < argv.length; j++) {
    const id = strictIdArg(ctx, argv[j]);
    if (id === null) return;
    ids.push(id);
  }
  let deleted = 0;
  let firstDeleted = false;
  for (const id of ids) {
    if (!stream.delete(id)) continue;
    if (id.equals(stream.firstId)) firstDeleted = true;
    if (id.compare(stream.maxDeletedId) > 0) stream.maxDeletedId.copyFrom(id);
    deleted++;
  }
  if (deleted > 0) {
    if (stream.length === 0) stream.firstId.set(0, 0, 0, 0);
    else if (firstDeleted) stream.firstId.copyFrom(stream.edgeId(true, false) as StreamId);
    ctx.server.events.signalModifiedKey(ctx.db, key);
    ctx.server.events.notify(NOTIFY_STREAM, 'xdel', key, ctx.db.id);
    ctx.markDirty(deleted);
  }
  ctx.reply.integer(deleted);
}

// -------------------------------------------------------------------------------- XSETID

function xsetid(ctx: CommandContext, argv: string[]): void {
  const id = strictIdArg(ctx, argv[2]);
  if (id === null) return;
  let entriesAdded: number | bigint = -1;
  let maxDeleted = StreamId.zero();
  for (let i = 3; i < argv.length; i += 2) {
    const moreArgs = argv.length - 1 - i;
    const opt = argv[i];
    if (isKeyword(opt, 'ENTRIESADDED') && moreArgs > 0) {
      const value = parseInt64(argv[i + 1]);
      if (value === null) {
        ctx.reply.error(ERR_NOT_INTEGER);
        return;
      }
      if (value < 0) {
        ctx.reply.error('ERR entries_added must be positive');
        return;
      }
      entriesAdded = value;
    } else if (isKeyword(opt, 'MAXDELETEDID') && moreArgs > 0) {
      const parsed = strictIdArg(ctx, argv[i + 1]);
      if (parsed === null) return;
      if (id.compare(parsed) < 0) {
        ctx.reply.error('ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id');
        return;
      }
      maxDeleted = parsed;
    } else {
      ctx.reply.error(ERR_SYNTAX);
      return;
    }
  }
  const key = argv[1];
  const value = ctx.db.lookup(key);
  if (value === undefined) {
    ctx.reply.error(ERR_NO_SUCH_KEY);
    return;
  }
  if (!isStream(value)) {
    refuseValue(ctx, key, value, 'stream');
    return;
  }
  const stream = value;
  if (stream.length > 0) {
    const top = stream.edgeId(false, false) as StreamId;
    if (id.compare(top) < 0) {
      ctx.reply.error('ERR The ID specified in XSETID is smaller than the target stream top item');
      return;
    }
    if (entriesAdded !== -1 && stream.length > entriesAdded) {
      ctx.reply.error('ERR The entries_added specified in XSETID is smaller than the target stream length');
      return;
    }
  }
  stream.lastId.copyFrom(id);
  if (entriesAdded !== -1) stream.entriesAdded = normalizeCounter(BigInt(entriesAdded));
  if (!maxDeleted.isZero()) stream.maxDeletedId.copyFrom(maxDeleted);
  ctx.reply.ok();
  ctx.markDirty();
  ctx.server.events.notify(NOTIFY_STREAM, 'xsetid', key, ctx.db.id);
}

// ----------------------------------------------------------------------- XREAD / XREADGROUP

interface ReadArgs {
  /** BLOCK: -1 when absent, else the absolute deadline in ms (0: forever). */
  deadlineMs: number;
  count: number;
  streamsAt: number;
  streamCount: number;
  noAck: boolean;
  groupName: string | null;
  consumerName: string | null;
}

function parseReadArgs(ctx: CommandContext, argv: string[], isGroupRead: boolean): ReadArgs | null {
  const args: ReadArgs = { deadlineMs: -1, count: 0, streamsAt: 0, streamCount: 0, noAck: false, groupName: null, consumerName: null };
  for (let i = 1; i < argv.length; i++) {
    const moreArgs = argv.length - i - 1;
    const opt = argv[i];
    if (isKeyword(opt, 'BLOCK') && moreArgs > 0) {
      if (ctx.client.isScript) {
        // Redis refuses BLOCK from scripts outright (other blocking commands act non-blocking there).
        ctx.reply.error(`ERR ${argv[0]} command is not allowed with BLOCK option from scripts`);
        return null;
      }
      i++;
      const deadlineMs = timeoutArg(ctx, argv[i], 'milliseconds');
      if (deadlineMs === null) return null;
      args.deadlineMs = deadlineMs;
    } else if (isKeyword(opt, 'COUNT') && moreArgs > 0) {
      i++;
      const value = int64Arg(ctx, argv[i]);
      if (value === null) return null;
      args.count = value < 0 ? 0 : value;
    } else if (isKeyword(opt, 'STREAMS') && moreArgs > 0) {
      args.streamsAt = i + 1;
      const rest = argv.length - args.streamsAt;
      if (rest % 2 !== 0) {
        ctx.reply.error("ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.");
        return null;
      }
      args.streamCount = rest / 2;
      break;
    } else if (isKeyword(opt, 'GROUP') && moreArgs >= 2) {
      if (!isGroupRead) {
        ctx.reply.error('ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.');
        return null;
      }
      args.groupName = argv[i + 1];
      args.consumerName = argv[i + 2];
      i += 2;
    } else if (isKeyword(opt, 'NOACK')) {
      if (!isGroupRead) {
        ctx.reply.error('ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.');
        return null;
      }
      args.noAck = true;
    } else {
      ctx.reply.error(ERR_SYNTAX);
      return null;
    }
  }
  if (args.streamsAt === 0) {
    ctx.reply.error(ERR_SYNTAX);
    return null;
  }
  if (isGroupRead && args.groupName === null) {
    ctx.reply.error('ERR Missing GROUP option for XREADGROUP');
    return null;
  }
  return args;
}

/** XREAD and XREADGROUP (Redis's xreadCommand). */
function xreadGeneric(ctx: CommandContext, argv: string[], isGroupRead: boolean): void {
  // Whatever it changes, the command propagates only as the effects it lists itself.
  ctx.preventPropagation();
  const args = parseReadArgs(ctx, argv, isGroupRead);
  if (args === null) return;
  const { streamsAt, streamCount, groupName } = args;
  const ids: StreamId[] = new Array(streamCount);
  const groups: ConsumerGroup[] | null = groupName === null ? null : new Array(streamCount);
  for (let i = 0; i < streamCount; i++) {
    const key = argv[streamsAt + i];
    const idArg = argv[streamsAt + streamCount + i];
    const value = ctx.db.lookupRead(key);
    if (value !== undefined && !isStream(value)) {
      refuseValue(ctx, key, value, 'stream');
      return;
    }
    const stream = value;
    if (groups !== null) {
      const group = stream?.group(groupName as string);
      if (group === undefined) {
        ctx.reply.error(`NOGROUP No such key '${cText(key)}' or consumer group '${cText(groupName as string)}' in XREADGROUP with GROUP option`);
        return;
      }
      groups[i] = group;
    }
    if (idArg === '$') {
      if (isGroupRead) {
        ctx.reply.error('ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.');
        return;
      }
      ids[i] = stream === undefined ? StreamId.zero() : stream.lastId.clone();
      continue;
    }
    if (idArg === '>') {
      if (!isGroupRead) {
        ctx.reply.error('ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.');
        return;
      }
      // The largest ID stands for ">": the group's last ID is read when serving.
      ids[i] = StreamId.max();
      continue;
    }
    const id = strictIdArg(ctx, idArg);
    if (id === null) return;
    ids[i] = id;
  }
  const served = serveReads(ctx, argv, args, ids, groups);
  if (served) return;
  const blocking = ctx.server.blocking;
  if (args.deadlineMs === -1 || !blocking.canBlock(ctx.client)) {
    // Nothing to read and no BLOCK, or a client that may not block (inside MULTI): Redis
    // answers as if the timeout had passed.
    ctx.reply.nullArray();
    return;
  }
  const waiter = new StreamWaiter(args.count === 0 ? XREAD_BLOCKED_DEFAULT_COUNT : args.count, groupName, args.consumerName, args.noAck);
  const keys: string[] = [];
  for (let i = 0; i < streamCount; i++) {
    const key = argv[streamsAt + i];
    keys.push(key);
    const value = ctx.db.peek(key);
    waiter.watch(key, ids[i], value !== undefined && isStream(value) ? value : null);
  }
  blocking.block(ctx, keys, args.deadlineMs, waiter);
}

/** What a stream a client waits on looked like when it blocked (or was last offered). */
interface WaitedStream {
  /** Entries after this ID serve the client (XREAD; a group reader takes its group's last ID). */
  after: StreamId;
  stream: StreamValue | null;
  wakeups: number;
}

/**
 * A client blocked in XREAD or XREADGROUP (Redis's serveClientsBlockedOnStreamKey and
 * unblockDeletedStreamReadgroupClients). Redis wakes stream readers only when an entry is added,
 * a group destroyed, or the key created, replaced or deleted; the framework offers the key after
 * any change, so an offer for the same stream with no new wake-up (an XDEL, an XTRIM...) keeps
 * the client waiting, as Redis never looks.
 */
class StreamWaiter implements KeyWaiter {
  private readonly waited = new Map<string, WaitedStream>();

  constructor(
    private readonly count: number,
    private readonly groupName: string | null,
    private readonly consumerName: string | null,
    private readonly noAck: boolean,
  ) {}

  /** Records a key to wait on; a repeated key keeps its first ID, as Redis's blockForKeys. */
  watch(key: string, after: StreamId, stream: StreamValue | null): void {
    if (this.waited.has(key)) return;
    this.waited.set(key, { after, stream, wakeups: stream === null ? 0 : stream.wakeups });
  }

  serve(ctx: CommandContext, key: string): boolean {
    const waited = this.waited.get(key) as WaitedStream;
    const value = ctx.db.peek(key);
    if (value === undefined || !isStream(value)) {
      if (this.groupName === null) return false;
      ctx.reply.error('UNBLOCKED the stream key no longer exists');
      return true;
    }
    const stream = value;
    if (stream === waited.stream && stream.wakeups === waited.wakeups) return false;
    waited.stream = stream;
    waited.wakeups = stream.wakeups;
    let group: ConsumerGroup | undefined;
    if (this.groupName !== null) {
      group = stream.group(this.groupName);
      if (group === undefined) {
        ctx.reply.error('NOGROUP the consumer group this client was blocked on no longer exists');
        return true;
      }
      waited.after.copyFrom(group.lastId);
    }
    if (stream.lastId.compare(waited.after) <= 0) return false;
    const start = waited.after.clone();
    start.increment();
    const r = ctx.reply;
    if (group === undefined) {
      writeServedHeader(r, key);
      replyRange(r, stream, start, null, this.count, false);
      return true;
    }
    const groupName = this.groupName as string;
    const consumerName = this.consumerName as string;
    const nowMs = Date.now();
    let consumer = group.consumers.get(consumerName);
    if (consumer !== undefined) {
      consumer.seenTimeMs = nowMs;
    } else {
      consumer = group.createConsumer(consumerName, nowMs) as NonNullable<typeof consumer>;
      ctx.markDirty();
      ctx.server.events.notify(NOTIFY_STREAM, 'xgroup-createconsumer', key, ctx.db.id);
      if (this.noAck) propagateConsumerCreation(ctx, key, groupName, consumerName);
    }
    writeServedHeader(r, key);
    replyGroupRange(ctx, r, stream, start, this.count, { key, groupName, group, consumer, noAck: this.noAck, nowMs });
    return true;
  }

  timedOut(ctx: CommandContext): void {
    ctx.reply.nullArray();
  }
}

/** The reply of a served blocked reader: one stream, as an array of [key, entries] or a map. */
function writeServedHeader(r: ReplyWriter, key: string): void {
  if (r.resp === 2) {
    r.arrayLength(1);
    r.arrayLength(2);
  } else {
    r.mapLength(1);
  }
  r.bulk(key);
}

/** What serving one stream of a read takes: nothing, new entries, or the consumer's history. */
const SKIP = 0;
const NEW_ENTRIES = 1;
const HISTORY = 2;

/**
 * Whether stream `i` has something for the reader now (Redis looks each key up again here, so
 * hits and misses count twice); for a group read of ">", `ids[i]` becomes the group's last ID.
 */
function readDecision(ctx: CommandContext, key: string, i: number, ids: StreamId[], groups: ConsumerGroup[] | null): number {
  const value = ctx.db.lookupRead(key);
  if (value === undefined || !isStream(value)) return SKIP;
  const after = ids[i];
  if (groups !== null) {
    if (!after.isMax()) return HISTORY;
    if (value.length === 0) return SKIP;
    const top = value.edgeId(false, false) as StreamId;
    if (top.compare(groups[i].lastId) <= 0) return SKIP;
    after.copyFrom(groups[i].lastId);
    return NEW_ENTRIES;
  }
  if (value.length === 0) return SKIP;
  const top = value.edgeId(false, false) as StreamId;
  return top.compare(after) > 0 ? NEW_ENTRIES : SKIP;
}

/** Writes one served stream: [key, entries] (a map entry in RESP3), with a group's bookkeeping. */
function serveStream(ctx: CommandContext, w: ReplyWriter, args: ReadArgs, key: string, after: StreamId, group: ConsumerGroup | null, decision: number, nowMs: number): void {
  const stream = ctx.db.peek(key) as StreamValue;
  const start = after.clone();
  start.increment();
  if (w.resp === 2) w.arrayLength(2);
  w.bulk(key);
  if (group === null) {
    replyRange(w, stream, start, null, args.count, false);
    return;
  }
  const groupName = args.groupName as string;
  const consumerName = args.consumerName as string;
  let consumer = group.consumers.get(consumerName);
  if (consumer !== undefined) {
    consumer.seenTimeMs = nowMs;
  } else {
    consumer = group.createConsumer(consumerName, nowMs) as NonNullable<typeof consumer>;
    ctx.markDirty();
    ctx.server.events.notify(NOTIFY_STREAM, 'xgroup-createconsumer', key, ctx.db.id);
    if (args.noAck) propagateConsumerCreation(ctx, key, groupName, consumerName);
  }
  if (decision === HISTORY) replyConsumerHistory(w, stream, start, args.count, consumer, nowMs);
  else replyGroupRange(ctx, w, stream, start, args.count, { key, groupName, group, consumer, noAck: args.noAck, nowMs });
  ctx.markDirty();
}

/**
 * Serves every stream that has something for the reader; true when at least one was served
 * (the reply is then written), false when the caller must block or reply null.
 */
function serveReads(ctx: CommandContext, argv: string[], args: ReadArgs, ids: StreamId[], groups: ConsumerGroup[] | null): boolean {
  const { streamsAt, streamCount } = args;
  const r = ctx.reply;
  const nowMs = Date.now();
  if (groups === null || !hasRepeatedKey(argv, streamsAt, streamCount)) {
    // Serving a stream changes nothing another stream's decision reads: decide all, then write.
    const decisions: number[] = new Array(streamCount);
    let served = 0;
    for (let i = 0; i < streamCount; i++) {
      decisions[i] = readDecision(ctx, argv[streamsAt + i], i, ids, groups);
      if (decisions[i] !== SKIP) served++;
    }
    if (served === 0) return false;
    if (r.resp === 2) r.arrayLength(served);
    else r.mapLength(served);
    for (let i = 0; i < streamCount; i++) {
      if (decisions[i] === SKIP) continue;
      serveStream(ctx, r, args, argv[streamsAt + i], ids[i], groups === null ? null : groups[i], decisions[i], nowMs);
    }
    return true;
  }
  // A group read naming a stream twice: serving the first changes what the second sees, so
  // each is decided after the previous one was served, and the count is known at the end.
  const body = beginDeferred(r);
  let served = 0;
  try {
    for (let i = 0; i < streamCount; i++) {
      const decision = readDecision(ctx, argv[streamsAt + i], i, ids, groups);
      if (decision === SKIP) continue;
      served++;
      serveStream(ctx, body, args, argv[streamsAt + i], ids[i], groups[i], decision, nowMs);
    }
  } catch (err) {
    discardDeferred(body);
    throw err;
  }
  if (served === 0) {
    discardDeferred(body);
    return false;
  }
  if (r.resp === 2) r.arrayLength(served);
  else r.mapLength(served);
  endDeferred(r, body);
  return true;
}

function hasRepeatedKey(argv: string[], from: number, count: number): boolean {
  const seen = new Set<string>();
  for (let i = 0; i < count; i++) {
    const key = argv[from + i];
    if (seen.has(key)) return true;
    seen.add(key);
  }
  return false;
}

function xread(ctx: CommandContext, argv: string[]): void {
  xreadGeneric(ctx, argv, false);
}

function xreadgroup(ctx: CommandContext, argv: string[]): void {
  xreadGeneric(ctx, argv, true);
}

/**
 * XREAD's keys: the arguments after STREAMS, first half (streamGetKeys). The STREAMS found is
 * the first one that is not an option's value; an odd remainder has no keys.
 */
function readKeys(argv: readonly string[]): number[] {
  let streamsAt = 0;
  for (let i = 1; i < argv.length; i++) {
    const arg = argv[i];
    if (isKeyword(arg, 'BLOCK') || isKeyword(arg, 'COUNT')) {
      i++;
    } else if (isKeyword(arg, 'GROUP')) {
      i += 2;
    } else if (isKeyword(arg, 'NOACK')) {
      // no value
    } else if (isKeyword(arg, 'STREAMS')) {
      streamsAt = i;
      break;
    } else {
      break;
    }
  }
  const keys: number[] = [];
  if (streamsAt === 0) return keys;
  const rest = argv.length - streamsAt - 1;
  if (rest % 2 !== 0) return keys;
  for (let i = streamsAt + 1; i < streamsAt + 1 + rest / 2; i++) keys.push(i);
  return keys;
}

// --------------------------------------------------------------------------------- XINFO

function xinfoHelp(ctx: CommandContext, argv: string[]): void {
  replyHelp(ctx, argv[0], [
    'CONSUMERS <key> <groupname>',
    '    Show consumers of <groupname>.',
    'GROUPS <key>',
    '    Show the stream consumer groups.',
    'STREAM <key> [FULL [COUNT <count>]',
    '    Show information about the stream.',
  ]);
}

/** The stream for an XINFO subcommand: "no such key" when missing. */
function xinfoStream(ctx: CommandContext, key: string): StreamValue | null {
  const value = ctx.db.lookupRead(key);
  if (value === undefined) {
    ctx.reply.error(ERR_NO_SUCH_KEY);
    return null;
  }
  if (!isStream(value)) {
    refuseValue(ctx, key, value, 'stream');
    return null;
  }
  return value;
}

function xinfoConsumers(ctx: CommandContext, argv: string[]): void {
  const stream = xinfoStream(ctx, argv[2]);
  if (stream === null) return;
  const group = stream.group(argv[3]);
  if (group === undefined) {
    ctx.reply.error(`NOGROUP No such consumer group '${cText(argv[3])}' for key name '${cText(argv[2])}'`);
    return;
  }
  const r = ctx.reply;
  const consumers = group.sortedConsumers();
  const nowMs = Date.now();
  r.arrayLength(consumers.length);
  for (const consumer of consumers) {
    r.mapLength(3);
    r.bulk('name');
    r.bulk(consumer.name);
    r.bulk('pending');
    r.integer(consumer.pending.size);
    r.bulk('idle');
    r.integer(Math.max(0, nowMs - consumer.seenTimeMs));
  }
}

function xinfoGroups(ctx: CommandContext, argv: string[]): void {
  const stream = xinfoStream(ctx, argv[2]);
  if (stream === null) return;
  const r = ctx.reply;
  const names = stream.sortedGroupNames();
  r.arrayLength(names.length);
  for (const name of names) {
    const group = stream.group(name) as ConsumerGroup;
    r.mapLength(6);
    r.bulk('name');
    r.bulk(name);
    r.bulk('consumers');
    r.integer(group.consumers.size);
    r.bulk('pending');
    r.integer(group.pending.size);
    r.bulk('last-delivered-id');
    r.bulk(group.lastId.toString());
    r.bulk('entries-read');
    replyEntriesRead(r, group);
    r.bulk('lag');
    replyLag(r, stream, group);
  }
}

function replyEntriesRead(r: ReplyWriter, group: ConsumerGroup): void {
  if (group.entriesRead === ENTRIES_READ_UNKNOWN) r.nullBulk();
  else counterReply(r, group.entriesRead);
}

/** The group's lag: entries not yet delivered, or null when tombstones make it unknowable. */
function replyLag(r: ReplyWriter, stream: StreamValue, group: ConsumerGroup): void {
  if (stream.entriesAdded === 0) {
    r.integer(0);
    return;
  }
  if (group.entriesRead !== ENTRIES_READ_UNKNOWN && !stream.rangeHasTombstones(group.lastId, null)) {
    counterReply(r, counterDifference(stream.entriesAdded, group.entriesRead));
    return;
  }
  const read = stream.entriesUpTo(group.lastId);
  if (read === ENTRIES_READ_UNKNOWN) r.nullBulk();
  else counterReply(r, counterDifference(stream.entriesAdded, read));
}

function counterDifference(a: number | bigint, b: number | bigint): number | bigint {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return BigInt.asIntN(64, BigInt(a) - BigInt(b));
}

function xinfoStreamInfo(ctx: CommandContext, argv: string[]): void {
  const key = argv[2];
  const stream = xinfoStream(ctx, key);
  if (stream === null) return;
  const options = argv.length - 3;
  let full = false;
  let count = 10;
  if (options > 0) {
    if ((options !== 1 && options !== 3) || !isKeyword(argv[3], 'FULL')) {
      replySubcommandSyntaxError(ctx, argv);
      return;
    }
    if (options === 3) {
      if (!isKeyword(argv[4], 'COUNT')) {
        replySubcommandSyntaxError(ctx, argv);
        return;
      }
      const value = int64Arg(ctx, argv[5]);
      if (value === null) return;
      count = value < 0 ? 10 : value;
    }
    full = true;
  }
  const r = ctx.reply;
  r.mapLength(full ? 9 : 10);
  r.bulk('length');
  r.integer(stream.length);
  r.bulk('radix-tree-keys');
  r.integer(stream.nodes.size);
  r.bulk('radix-tree-nodes');
  r.integer(stream.radixTreeNodes());
  r.bulk('last-generated-id');
  r.bulk(stream.lastId.toString());
  r.bulk('max-deleted-entry-id');
  r.bulk(stream.maxDeletedId.toString());
  r.bulk('entries-added');
  counterReply(r, stream.entriesAdded);
  r.bulk('recorded-first-entry-id');
  r.bulk(stream.firstId.toString());
  if (!full) {
    r.bulk('groups');
    r.integer(stream.groups === null ? 0 : stream.groups.size);
    const walker = new StreamWalker(stream);
    r.bulk('first-entry');
    walker.forward(null, null);
    if (walker.next()) writeEntry(r, walker);
    else r.nullBulk();
    r.bulk('last-entry');
    walker.backward(null, null);
    if (walker.next()) writeEntry(r, walker);
    else r.nullBulk();
    return;
  }
  r.bulk('entries');
  replyRange(r, stream, StreamId.zero(), null, count, false);
  r.bulk('groups');
  const names = stream.sortedGroupNames();
  r.arrayLength(names.length);
  for (const name of names) replyFullGroup(r, stream, name, count);
}

/** One group of XINFO STREAM FULL, with its PEL and consumers (`count` bounds each list; 0: all). */
function replyFullGroup(r: ReplyWriter, stream: StreamValue, name: string, count: number): void {
  const group = stream.group(name) as ConsumerGroup;
  r.mapLength(7);
  r.bulk('name');
  r.bulk(name);
  r.bulk('last-delivered-id');
  r.bulk(group.lastId.toString());
  r.bulk('entries-read');
  replyEntriesRead(r, group);
  r.bulk('lag');
  replyLag(r, stream, group);
  r.bulk('pel-count');
  r.integer(group.pending.size);
  r.bulk('pending');
  const groupShown = count === 0 ? group.pending.size : Math.min(count, group.pending.size);
  r.arrayLength(groupShown);
  let shown = 0;
  for (const pending of group.pending) {
    if (shown === groupShown) break;
    r.arrayLength(4);
    r.bulk(pending.idText());
    r.bulk(pending.consumer === null ? '' : pending.consumer.name);
    r.integer(pending.deliveryTimeMs);
    counterReply(r, pending.deliveryCount);
    shown++;
  }
  r.bulk('consumers');
  const consumers = group.sortedConsumers();
  r.arrayLength(consumers.length);
  for (const consumer of consumers) {
    r.mapLength(4);
    r.bulk('name');
    r.bulk(consumer.name);
    r.bulk('seen-time');
    r.integer(consumer.seenTimeMs);
    r.bulk('pel-count');
    r.integer(consumer.pending.size);
    r.bulk('pending');
    const consumerShown = count === 0 ? consumer.pending.size : Math.min(count, consumer.pending.size);
    r.arrayLength(consumerShown);
    let n = 0;
    for (const pending of consumer.pending) {
      if (n === consumerShown) break;
      r.arrayLength(3);
      r.bulk(pending.idText());
      r.integer(pending.deliveryTimeMs);
      counterReply(r, pending.deliveryCount);
      n++;
    }
  }
}

// -------------------------------------------------------------------------------- table

const KEY_RW_UPDATE = keyAt(1, 'RW', 'update');
const KEY_RW_DELETE = keyAt(1, 'RW', 'delete');
const KEY_RO_ACCESS = keyAt(1, 'RO', 'access');
const KEY_RO = keyAt(1, 'RO');
const SUBKEY_RO_ACCESS = keyAt(2, 'RO', 'access');
/** XREAD / XREADGROUP: the first half of the arguments after STREAMS. */
function streamsKeySpec(startFrom: number): KeySpec {
  return { flags: ['RO', 'access'], begin: { type: 'keyword', keyword: 'STREAMS', startFrom }, find: { type: 'range', lastKey: -1, keyStep: 1, limit: 2 } };
}

export const streamCommands: CommandSpec[] = [
  {
    name: 'xadd', arity: -5, flags: ['write', 'denyoom', 'fast'], acl: ['write', 'stream', 'fast'],
    keySpecs: [{ ...KEY_RW_UPDATE, notes: 'UPDATE instead of INSERT because of the optional trimming feature' }],
    tips: ['nondeterministic_output'],
    summary: 'Appends an entry to a stream, creating the stream when missing, and optionally trims it.',
    since: '5.0.0', group: 'stream', complexity: 'O(1) to add, O(N) in the entries trimmed',
    arguments: [
      { name: 'key', type: 'key' },
      { name: 'nomkstream', type: 'pure-token', token: 'NOMKSTREAM', optional: true },
      { name: 'trim', type: 'block', optional: true, arguments: [
        { name: 'strategy', type: 'oneof', arguments: [{ name: 'maxlen', type: 'pure-token', token: 'MAXLEN' }, { name: 'minid', type: 'pure-token', token: 'MINID' }] },
        { name: 'operator', type: 'oneof', optional: true, arguments: [{ name: 'equal', type: 'pure-token', token: '=' }, { name: 'approximately', type: 'pure-token', token: '~' }] },
        { name: 'threshold', type: 'string' },
        { name: 'count', type: 'integer', token: 'LIMIT', optional: true },
      ] },
      { name: 'id_or_auto', type: 'oneof', arguments: [{ name: 'auto_id', type: 'pure-token', token: '*' }, { name: 'id', type: 'string' }] },
      { name: 'field_value', type: 'block', multiple: true, arguments: [{ name: 'field', type: 'string' }, { name: 'value', type: 'string' }] },
    ],
    handler: xadd,
  },
  {
    name: 'xtrim', arity: -4, flags: ['write'], acl: ['write', 'stream', 'slow'], keySpecs: [KEY_RW_DELETE],
    tips: ['nondeterministic_output'],
    summary: 'Removes the oldest entries of a stream down to a length or up to an ID.',
    since: '6.2.0', group: 'stream', complexity: 'O(N) in the entries removed',
    arguments: [
      { name: 'key', type: 'key' },
      { name: 'trim', type: 'block', arguments: [
        { name: 'strategy', type: 'oneof', arguments: [{ name: 'maxlen', type: 'pure-token', token: 'MAXLEN' }, { name: 'minid', type: 'pure-token', token: 'MINID' }] },
        { name: 'operator', type: 'oneof', optional: true, arguments: [{ name: 'equal', type: 'pure-token', token: '=' }, { name: 'approximately', type: 'pure-token', token: '~' }] },
        { name: 'threshold', type: 'string' },
        { name: 'count', type: 'integer', token: 'LIMIT', optional: true },
      ] },
    ],
    handler: xtrim,
  },
  {
    name: 'xrange', arity: -4, flags: ['readonly'], acl: ['read', 'stream', 'slow'], keySpecs: [KEY_RO_ACCESS],
    summary: 'Returns the entries of a stream between two IDs, oldest first.',
    since: '5.0.0', group: 'stream', complexity: 'O(log N + M) for M entries returned',
    arguments: [
      { name: 'key', type: 'key' }, { name: 'start', type: 'string' }, { name: 'end', type: 'string' },
      { name: 'count', type: 'integer', token: 'COUNT', optional: true },
    ],
    handler: xrange,
  },
  {
    name: 'xrevrange', arity: -4, flags: ['readonly'], acl: ['read', 'stream', 'slow'], keySpecs: [KEY_RO_ACCESS],
    summary: 'Returns the entries of a stream between two IDs, newest first.',
    since: '5.0.0', group: 'stream', complexity: 'O(log N + M) for M entries returned',
    arguments: [
      { name: 'key', type: 'key' }, { name: 'end', type: 'string' }, { name: 'start', type: 'string' },
      { name: 'count', type: 'integer', token: 'COUNT', optional: true },
    ],
    handler: xrevrange,
  },
  {
    name: 'xlen', arity: 2, flags: ['readonly', 'fast'], acl: ['read', 'stream', 'fast'], keySpecs: [KEY_RO],
    summary: 'Counts the entries of a stream.',
    since: '5.0.0', group: 'stream', complexity: 'O(1)',
    arguments: [{ name: 'key', type: 'key' }],
    handler: xlen,
  },
  {
    name: 'xdel', arity: -3, flags: ['write', 'fast'], acl: ['write', 'stream', 'fast'], keySpecs: [KEY_RW_DELETE],
    summary: 'Removes entries from a stream by ID.',
    since: '5.0.0', group: 'stream', complexity: 'O(log N) per entry',
    arguments: [{ name: 'key', type: 'key' }, { name: 'id', type: 'string', multiple: true }],
    handler: xdel,
  },
  {
    name: 'xsetid', arity: -3, flags: ['write', 'denyoom', 'fast'], acl: ['write', 'stream', 'fast'], keySpecs: [KEY_RW_UPDATE],
    summary: "Sets a stream's last generated ID, entries-added counter and largest deleted ID.",
    since: '5.0.0', group: 'stream', complexity: 'O(1)',
    arguments: [
      { name: 'key', type: 'key' }, { name: 'last-id', type: 'string' },
      { name: 'entries_added', type: 'integer', token: 'ENTRIESADDED', optional: true },
      { name: 'max_deleted_entry_id', type: 'string', token: 'MAXDELETEDID', optional: true },
    ],
    handler: xsetid,
  },
  {
    name: 'xread', arity: -4, flags: ['readonly', 'blocking'], acl: ['read', 'stream', 'slow', 'blocking'],
    keySpecs: [streamsKeySpec(1)],
    summary: 'Reads the entries after given IDs from one or more streams.',
    since: '5.0.0', group: 'stream', complexity: 'O(M) for M entries returned',
    arguments: [
      { name: 'count', type: 'integer', token: 'COUNT', optional: true },
      { name: 'milliseconds', type: 'integer', token: 'BLOCK', optional: true },
      { name: 'streams', type: 'block', token: 'STREAMS', arguments: [{ name: 'key', type: 'key', multiple: true }, { name: 'id', type: 'string', multiple: true }] },
    ],
    getKeys: readKeys,
    handler: xread,
  },
  {
    name: 'xreadgroup', arity: -7, flags: ['write', 'blocking'], acl: ['write', 'stream', 'slow', 'blocking'],
    keySpecs: [streamsKeySpec(4)],
    summary: 'Reads entries from streams as a consumer of a group, recording them as pending.',
    since: '5.0.0', group: 'stream', complexity: 'O(M) for M entries returned',
    arguments: [
      { name: 'group_consumer', type: 'block', token: 'GROUP', arguments: [{ name: 'group', type: 'string' }, { name: 'consumer', type: 'string' }] },
      { name: 'count', type: 'integer', token: 'COUNT', optional: true },
      { name: 'milliseconds', type: 'integer', token: 'BLOCK', optional: true },
      { name: 'noack', type: 'pure-token', token: 'NOACK', optional: true },
      { name: 'streams', type: 'block', token: 'STREAMS', arguments: [{ name: 'key', type: 'key', multiple: true }, { name: 'id', type: 'string', multiple: true }] },
    ],
    getKeys: readKeys,
    handler: xreadgroup,
  },
  {
    name: 'xinfo', arity: -2, flags: [], acl: ['slow'],
    summary: 'Describes streams, their consumer groups and consumers.', since: '5.0.0', group: 'stream',
    subcommands: [
      {
        name: 'help', arity: 2, flags: ['loading', 'stale'], acl: ['stream', 'slow'],
        summary: 'Lists the XINFO subcommands.', since: '5.0.0', group: 'stream', handler: xinfoHelp,
      },
      {
        name: 'consumers', arity: 4, flags: ['readonly'], acl: ['read', 'stream', 'slow'], keySpecs: [SUBKEY_RO_ACCESS],
        tips: ['nondeterministic_output'],
        summary: 'Lists the consumers of a group with their pending counts and idle times.', since: '5.0.0', group: 'stream',
        arguments: [{ name: 'key', type: 'key' }, { name: 'group', type: 'string' }],
        handler: xinfoConsumers,
      },
      {
        name: 'stream', arity: -3, flags: ['readonly'], acl: ['read', 'stream', 'slow'], keySpecs: [SUBKEY_RO_ACCESS],
        summary: 'Describes a stream: counters, edges, and with FULL its entries and groups.', since: '5.0.0', group: 'stream',
        arguments: [
          { name: 'key', type: 'key' },
          { name: 'full', type: 'block', token: 'FULL', optional: true, arguments: [{ name: 'count', type: 'integer', token: 'COUNT', optional: true }] },
        ],
        handler: xinfoStreamInfo,
      },
      {
        name: 'groups', arity: 3, flags: ['readonly'], acl: ['read', 'stream', 'slow'], keySpecs: [SUBKEY_RO_ACCESS],
        summary: 'Lists the consumer groups of a stream.', since: '5.0.0', group: 'stream',
        arguments: [{ name: 'key', type: 'key' }],
        handler: xinfoGroups,
      },
    ],
  },
];
