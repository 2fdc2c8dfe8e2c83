// List commands: LPUSH, RPUSH, LPUSHX, RPUSHX, LPOP, RPOP, LLEN, LINDEX, LSET, LINSERT, LRANGE,
// LTRIM, LPOS, LREM, LMOVE, RPOPLPUSH, LMPOP and the blocking BLPOP, BRPOP, BLMOVE, BRPOPLPUSH,
// BLMPOP. Semantics follow Redis 7.0's t_list.c: argument checks in its order, replies and
// errors, keyspace events, WATCH signalling, propagation (the blocking forms propagate as their
// non-blocking ones) and empty-key deletion. Blocking goes through the framework of
// engine/blocking.ts with one KeyWaiter (ListWaiter below).

import { timeoutArg, type KeyWaiter } from './blocking.js';
import type { CommandContext } from './context.js';
import type { DebugSubcommand } from './debug.js';
import { ERR_NO_SUCH_KEY, ERR_NOT_INTEGER, ERR_OUT_OF_RANGE, ERR_SYNTAX, errWrongArity, isKeyword } from './errors.js';
import type { CommandSpec, KeySpec, KeySpecFlag } from './types.js';
import { keyAt, keysFrom } from './types.js';
import { NOTIFY_GENERIC, NOTIFY_LIST } from '../config/keyspace-events.js';
import { HEAD, ListValue, setPackedThreshold, TAIL, type ListEnd } from '../store/types/list.js';
import type { RedisValue } from '../store/values.js';
import { parseInt64 } from '../util/numbers.js';
import { lookupKind, refuseValue } from './typed-lookup.js';

const ERR_MUST_BE_POSITIVE = 'ERR value is out of range, must be positive';
const ERR_RANK_ZERO = "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list";
const ERR_COUNT_NEGATIVE = "ERR COUNT can't be negative";
const ERR_MAXLEN_NEGATIVE = "ERR MAXLEN can't be negative";
const ERR_NUMKEYS = 'ERR numkeys should be greater than 0';
const ERR_COUNT_POSITIVE = 'ERR count should be greater than 0';
const LONG_MIN = -9223372036854775808;

// ------------------------------------------------------------------------------------ helpers

function isList(value: RedisValue): value is ListValue {
  return typeof value !== 'string' && value.kind === 'list';
}

/** The list at `key` for reading: undefined when missing, null after a WRONGTYPE reply. */
function listForRead(ctx: CommandContext, key: string): ListValue | undefined | null {
  return lookupKind(ctx, key, 'list', false);
}

/** The list at `key` for a write (no hit/miss statistics): undefined when missing, null after WRONGTYPE. */
function listForWrite(ctx: CommandContext, key: string): ListValue | undefined | null {
  return lookupKind(ctx, key, 'list', true);
}

/** A long argument (Redis's getLongFromObjectOrReply); null after replying `error`. */
function longArg(ctx: CommandContext, text: string, error = ERR_NOT_INTEGER): number | null {
  const v = parseInt64(text);
  if (v === null) {
    ctx.reply.error(error);
    return null;
  }
  // Beyond 2^53 precision is lost but ordering is kept, which indexes and counts need.
  return typeof v === 'bigint' ? Number(v) : v;
}

/**
 * getRangeLongFromObjectOrReply: a long within [min, max] (max is LONG_MAX for every caller
 * here); `error` replaces both of Redis's messages, as when it is given a message.
 */
function rangeLongArg(ctx: CommandContext, text: string, min: number, error: string): number | null {
  const v = longArg(ctx, text, error);
  if (v === null) return null;
  if (v < min) {
    ctx.reply.error(error);
    return null;
  }
  return v;
}

/** LEFT or RIGHT (getListPositionFromObjectOrReply); null after a syntax error. */
function endArg(ctx: CommandContext, text: string): ListEnd | null {
  if (isKeyword(text, 'LEFT')) return HEAD;
  if (isKeyword(text, 'RIGHT')) return TAIL;
  ctx.reply.error(ERR_SYNTAX);
  return null;
}

function popEvent(where: ListEnd): string {
  return where === HEAD ? 'lpop' : 'rpop';
}

function pushEvent(where: ListEnd): string {
  return where === HEAD ? 'lpush' : 'rpush';
}

/** A new empty list with the per-list options Redis takes from the configuration at creation. */
function newList(ctx: CommandContext): ListValue {
  const live = ctx.server.config.live;
  return new ListValue(live.listMaxListpackSize, live.listCompressDepth);
}

/** Redis's listElementsRemoved: the pop event, the key's deletion when emptied, WATCH, dirty. */
function elementsRemoved(ctx: CommandContext, key: string, where: ListEnd, list: ListValue, count: number): void {
  const events = ctx.server.events;
  const db = ctx.db;
  events.notify(NOTIFY_LIST, popEvent(where), key, db.id);
  if (list.length === 0) {
    db.delete(key);
    events.notify(NOTIFY_GENERIC, 'del', key, db.id);
  }
  events.signalModifiedKey(db, key);
  ctx.markDirty(count);
}

/**
 * Pops up to `count` elements from one end and replies [key, [elements]] (LMPOP's nested form),
 * with Redis's listPopRangeAndReplyWithKey bookkeeping. Returns how many were popped.
 */
function popRangeWithKey(ctx: CommandContext, key: string, list: ListValue, where: ListEnd, count: number): number {
  const popped = Math.min(count, list.length);
  const reply = ctx.reply;
  reply.arrayLength(2);
  reply.bulk(key);
  reply.arrayLength(popped);
  list.popInto(where, popped, reply);
  elementsRemoved(ctx, key, where, list, popped);
  return popped;
}

/** LMOVE's push side (lmoveHandlePush): creates the destination if needed, replies the element. */
function pushMoved(ctx: CommandContext, dstKey: string, dst: ListValue | undefined, element: string, where: ListEnd): void {
  const db = ctx.db;
  let list = dst;
  if (list === undefined) {
    list = newList(ctx);
    // Db.set fires dbAdd's "new" keyspace event for a key it creates.
    db.set(dstKey, list);
  }
  ctx.server.events.signalModifiedKey(db, dstKey);
  list.push(element, where);
  ctx.server.events.notify(NOTIFY_LIST, pushEvent(where), dstKey, db.id);
  ctx.reply.bulk(element);
}

/**
 * The move itself, once the source is known to be a non-empty list and the destination (if
 * any) a list: pop, push, events, deletion of an emptied source.
 */
function moveElement(ctx: CommandContext, srcKey: string, src: ListValue, dstKey: string, dst: ListValue | undefined, from: ListEnd, to: ListEnd): void {
  const element = src.popDetached(from);
  pushMoved(ctx, dstKey, dst, element, to);
  const db = ctx.db;
  ctx.server.events.notify(NOTIFY_LIST, popEvent(from), srcKey, db.id);
  if (src.length === 0) {
    db.delete(srcKey);
    ctx.server.events.notify(NOTIFY_GENERIC, 'del', srcKey, db.id);
  }
}

// ------------------------------------------------------------------------------------ pushes

function pushGeneric(ctx: CommandContext, argv: string[], where: ListEnd, onlyIfExists: boolean): void {
  const key = argv[1];
  let list = listForWrite(ctx, key);
  if (list === null) return;
  if (list === undefined) {
    if (onlyIfExists) {
      ctx.reply.integer(0);
      return;
    }
    list = newList(ctx);
    ctx.db.set(key, list);
  }
  for (let i = 2; i < argv.length; i++) list.push(argv[i], where);
  ctx.reply.integer(list.length);
  ctx.server.events.signalModifiedKey(ctx.db, key);
  ctx.server.events.notify(NOTIFY_LIST, pushEvent(where), key, ctx.db.id);
  ctx.markDirty(argv.length - 2);
}

function lpush(ctx: CommandContext, argv: string[]): void {
  pushGeneric(ctx, argv, HEAD, false);
}

function rpush(ctx: CommandContext, argv: string[]): void {
  pushGeneric(ctx, argv, TAIL, false);
}

function lpushx(ctx: CommandContext, argv: string[]): void {
  pushGeneric(ctx, argv, HEAD, true);
}

function rpushx(ctx: CommandContext, argv: string[]): void {
  pushGeneric(ctx, argv, TAIL, true);
}

function linsert(ctx: CommandContext, argv: string[]): void {
  let after: boolean;
  if (isKeyword(argv[2], 'AFTER')) after = true;
  else if (isKeyword(argv[2], 'BEFORE')) after = false;
  else {
    ctx.reply.error(ERR_SYNTAX);
    return;
  }
  const key = argv[1];
  const list = listForWrite(ctx, key);
  if (list === null) return;
  if (list === undefined) {
    ctx.reply.integer(0);
    return;
  }
  if (!list.insertAtPivot(argv[3], argv[4], after)) {
    ctx.reply.integer(-1);
    return;
  }
  ctx.server.events.signalModifiedKey(ctx.db, key);
  ctx.server.events.notify(NOTIFY_LIST, 'linsert', key, ctx.db.id);
  ctx.markDirty();
  ctx.reply.integer(list.length);
}

// ------------------------------------------------------------------------------------ reads

function llen(ctx: CommandContext, argv: string[]): void {
  const list = listForRead(ctx, argv[1]);
  if (list === null) return;
  ctx.reply.integer(list === undefined ? 0 : list.length);
}

function lindex(ctx: CommandContext, argv: string[]): void {
  const list = listForRead(ctx, argv[1]);
  if (list === null) return;
  if (list === undefined) {
    ctx.reply.nullBulk();
    return;
  }
  const index = longArg(ctx, argv[2]);
  if (index === null) return;
  const element = list.at(index);
  if (element === undefined) ctx.reply.nullBulk();
  else ctx.reply.bulk(element);
}

/** LRANGE's reply for indexes normalised as Redis's addListRangeReply does. */
function replyRange(ctx: CommandContext, list: ListValue, startArg: number, endArg: number): void {
  const length = list.length;
  let start = startArg < 0 ? length + startArg : startArg;
  let end = endArg < 0 ? length + endArg : endArg;
  if (start < 0) start = 0;
  if (start > end || start >= length) {
    ctx.reply.arrayLength(0);
    return;
  }
  if (end >= length) end = length - 1;
  const count = end - start + 1;
  ctx.reply.arrayLength(count);
  list.writeRange(start, count, ctx.reply);
}

function lrange(ctx: CommandContext, argv: string[]): void {
  const start = longArg(ctx, argv[2]);
  if (start === null) return;
  const end = longArg(ctx, argv[3]);
  if (end === null) return;
  const list = listForRead(ctx, argv[1]);
  if (list === null) return;
  if (list === undefined) {
    ctx.reply.arrayLength(0);
    return;
  }
  replyRange(ctx, list, start, end);
}

function lpos(ctx: CommandContext, argv: string[]): void {
  const element = argv[2];
  let rank = 1;
  let count = -1;
  let maxlen = 0;
  for (let j = 3; j < argv.length; j++) {
    const moreArgs = argv.length - 1 - j;
    if (isKeyword(argv[j], 'RANK') && moreArgs > 0) {
      const v = longArg(ctx, argv[++j]);
      if (v === null) return;
      if (v === 0) {
        ctx.reply.error(ERR_RANK_ZERO);
        return;
      }
      rank = v;
    } else if (isKeyword(argv[j], 'COUNT') && moreArgs > 0) {
      const v = rangeLongArg(ctx, argv[++j], 0, ERR_COUNT_NEGATIVE);
      if (v === null) return;
      count = v;
    } else if (isKeyword(argv[j], 'MAXLEN') && moreArgs > 0) {
      const v = rangeLongArg(ctx, argv[++j], 0, ERR_MAXLEN_NEGATIVE);
      if (v === null) return;
      maxlen = v;
    } else {
      ctx.reply.error(ERR_SYNTAX);
      return;
    }
  }
  const fromTail = rank < 0;
  // Redis negates LONG_MIN into itself: every match then passes "matches >= rank" and the
  // COUNT test "matches - rank + 1 >= count" overflows and never passes.
  const rankOverflow = rank === LONG_MIN;
  if (fromTail) rank = rankOverflow ? 1 : -rank;
  const list = listForRead(ctx, argv[1]);
  if (list === null) return;
  const reply = ctx.reply;
  if (list === undefined) {
    if (count !== -1) reply.arrayLength(0);
    else reply.nullBulk();
    return;
  }
  const length = list.length;
  const cursor = list.cursor(fromTail ? length - 1 : 0, !fromTail);
  // With COUNT the matches are collected first: the array length comes before them.
  const found: number[] = [];
  let matches = 0;
  let matchIndex = -1;
  for (let index = 0; maxlen === 0 || index < maxlen; index++) {
    const current = cursor.next();
    if (current === null) break;
    if (current !== element) continue;
    matches++;
    if (matches < rank) continue;
    const position = fromTail ? length - index - 1 : index;
    if (count === -1) {
      matchIndex = position;
      break;
    }
    found.push(position);
    if (count !== 0 && !rankOverflow && matches - rank + 1 >= count) break;
  }
  if (count !== -1) {
    reply.arrayLength(found.length);
    for (let i = 0; i < found.length; i++) reply.integer(found[i]);
  } else if (matchIndex !== -1) {
    reply.integer(matchIndex);
  } else {
    reply.nullBulk();
  }
}

// ------------------------------------------------------------------------------------ writes

function lset(ctx: CommandContext, argv: string[]): void {
  const key = argv[1];
  const list = listForWrite(ctx, key);
  if (list === null) return;
  if (list === undefined) {
    ctx.reply.error(ERR_NO_SUCH_KEY);
    return;
  }
  const index = longArg(ctx, argv[2]);
  if (index === null) return;
  if (!list.setAt(index, argv[3])) {
    ctx.reply.error(ERR_OUT_OF_RANGE);
    return;
  }
  ctx.reply.ok();
  ctx.server.events.signalModifiedKey(ctx.db, key);
  ctx.server.events.notify(NOTIFY_LIST, 'lset', key, ctx.db.id);
  ctx.markDirty();
}

function popGeneric(ctx: CommandContext, argv: string[], where: ListEnd): void {
  if (argv.length > 3) {
    ctx.reply.error(errWrongArity(ctx.command.fullName));
    return;
  }
  const hasCount = argv.length === 3;
  let count = 0;
  if (hasCount) {
    const v = rangeLongArg(ctx, argv[2], 0, ERR_MUST_BE_POSITIVE);
    if (v === null) return;
    count = v;
  }
  const key = argv[1];
  const list = listForWrite(ctx, key);
  if (list === null) return;
  const reply = ctx.reply;
  if (list === undefined) {
    if (hasCount) reply.nullArray();
    else reply.nullBulk();
    return;
  }
  if (hasCount && count === 0) {
    reply.arrayLength(0);
    return;
  }
  if (!hasCount) {
    reply.bulk(list.pop(where));
    elementsRemoved(ctx, key, where, list, 1);
    return;
  }
  const popped = Math.min(count, list.length);
  reply.arrayLength(popped);
  list.popInto(where, popped, reply);
  elementsRemoved(ctx, key, where, list, popped);
}

function lpop(ctx: CommandContext, argv: string[]): void {
  popGeneric(ctx, argv, HEAD);
}

function rpop(ctx: CommandContext, argv: string[]): void {
  popGeneric(ctx, argv, TAIL);
}

function ltrim(ctx: CommandContext, argv: string[]): void {
  const startArg = longArg(ctx, argv[2]);
  if (startArg === null) return;
  const endArg = longArg(ctx, argv[3]);
  if (endArg === null) return;
  const key = argv[1];
  const list = listForWrite(ctx, key);
  if (list === null) return;
  if (list === undefined) {
    ctx.reply.ok();
    return;
  }
  const length = list.length;
  let start = startArg < 0 ? length + startArg : startArg;
  let end = endArg < 0 ? length + endArg : endArg;
  if (start < 0) start = 0;
  let fromHead: number;
  let fromTail: number;
  if (start > end || start >= length) {
    fromHead = length;
    fromTail = 0;
  } else {
    if (end >= length) end = length - 1;
    fromHead = start;
    fromTail = length - end - 1;
  }
  list.trim(fromHead, fromTail);
  const db = ctx.db;
  const events = ctx.server.events;
  events.notify(NOTIFY_LIST, 'ltrim', key, db.id);
  if (list.length === 0) {
    db.delete(key);
    events.notify(NOTIFY_GENERIC, 'del', key, db.id);
  }
  events.signalModifiedKey(db, key);
  ctx.markDirty(fromHead + fromTail);
  ctx.reply.ok();
}

function lrem(ctx: CommandContext, argv: string[]): void {
  const count = longArg(ctx, argv[2]);
  if (count === null) return;
  const key = argv[1];
  const list = listForWrite(ctx, key);
  if (list === null) return;
  if (list === undefined) {
    ctx.reply.integer(0);
    return;
  }
  const removed = list.removeEqual(argv[3], count);
  const db = ctx.db;
  const events = ctx.server.events;
  if (removed > 0) {
    events.signalModifiedKey(db, key);
    events.notify(NOTIFY_LIST, 'lrem', key, db.id);
    ctx.markDirty(removed);
  }
  if (list.length === 0) {
    db.delete(key);
    events.notify(NOTIFY_GENERIC, 'del', key, db.id);
  }
  ctx.reply.integer(removed);
}

/** LMOVE / RPOPLPUSH (lmoveGenericCommand); `rewrite` is the non-blocking form a blocking caller propagates. */
function moveGeneric(ctx: CommandContext, argv: string[], from: ListEnd, to: ListEnd, rewrite: string[] | null): void {
  const srcKey = argv[1];
  const src = listForWrite(ctx, srcKey);
  if (src === null) return;
  if (src === undefined) {
    ctx.reply.nullBulk();
    return;
  }
  const dstKey = argv[2];
  const dst = listForWrite(ctx, dstKey);
  if (dst === null) return;
  moveElement(ctx, srcKey, src, dstKey, dst, from, to);
  ctx.server.events.signalModifiedKey(ctx.db, srcKey);
  ctx.markDirty();
  if (rewrite !== null) ctx.rewritePropagation(rewrite);
}

function lmove(ctx: CommandContext, argv: string[]): void {
  const from = endArg(ctx, argv[3]);
  if (from === null) return;
  const to = endArg(ctx, argv[4]);
  if (to === null) return;
  moveGeneric(ctx, argv, from, to, null);
}

function rpoplpush(ctx: CommandContext, argv: string[]): void {
  moveGeneric(ctx, argv, TAIL, HEAD, null);
}

/** The parsed form of LMPOP / BLMPOP after numkeys. */
interface MpopArgs {
  keys: string[];
  where: ListEnd;
  count: number;
}

/** lmpopGenericCommand's parsing, with numkeys at `numkeysIndex`; null after replying. */
function parseMpop(ctx: CommandContext, argv: string[], numkeysIndex: number): MpopArgs | null {
  const numkeys = rangeLongArg(ctx, argv[numkeysIndex], 1, ERR_NUMKEYS);
  if (numkeys === null) return null;
  const whereIndex = numkeysIndex + numkeys + 1;
  if (whereIndex >= argv.length) {
    ctx.reply.error(ERR_SYNTAX);
    return null;
  }
  const where = endArg(ctx, argv[whereIndex]);
  if (where === null) return null;
  let count = -1;
  for (let j = whereIndex + 1; j < argv.length; j++) {
    const moreArgs = argv.length - 1 - j;
    if (count === -1 && isKeyword(argv[j], 'COUNT') && moreArgs > 0) {
      const v = rangeLongArg(ctx, argv[++j], 1, ERR_COUNT_POSITIVE);
      if (v === null) return null;
      count = v;
    } else {
      ctx.reply.error(ERR_SYNTAX);
      return null;
    }
  }
  return { keys: argv.slice(numkeysIndex + 1, whereIndex), where, count: count === -1 ? 1 : count };
}

/**
 * The first non-empty list of `keys`, popped as LMPOP does and propagated as [LR]POP key count;
 * false when every key is missing (a WRONGTYPE key replies and returns true).
 */
function mpopFirst(ctx: CommandContext, keys: readonly string[], where: ListEnd, count: number): boolean {
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    const list = listForWrite(ctx, key);
    if (list === null) return true;
    if (list === undefined || list.length === 0) continue;
    const popped = popRangeWithKey(ctx, key, list, where, count);
    ctx.rewritePropagation([where === HEAD ? 'LPOP' : 'RPOP', key, String(popped)]);
    return true;
  }
  return false;
}

function lmpop(ctx: CommandContext, argv: string[]): void {
  const args = parseMpop(ctx, argv, 1);
  if (args === null) return;
  if (!mpopFirst(ctx, args.keys, args.where, args.count)) ctx.reply.nullArray();
}

// ------------------------------------------------------------------------------------ blocking

/**
 * A client blocked in BLPOP / BRPOP / BLMPOP (`dstKey` null) or BLMOVE / BRPOPLPUSH: Redis's
 * serveClientBlockedOnList, served from the first of its keys that holds a non-empty list.
 */
class ListWaiter implements KeyWaiter {
  constructor(
    private readonly from: ListEnd,
    /** BLMPOP's count, -1 for the single-element pops. */
    private readonly count: number,
    private readonly dstKey: string | null,
    private readonly to: ListEnd,
    private readonly isRpoplpush: boolean,
  ) {}

  serve(ctx: CommandContext, key: string): boolean {
    const db = ctx.db;
    const value = db.lookup(key);
    if (value === undefined || !isList(value) || value.length === 0) return false;
    const from = this.from;
    const events = ctx.server.events;
    if (this.dstKey === null) {
      if (this.count !== -1) {
        const popped = Math.min(this.count, value.length);
        ctx.alsoPropagate(db.id, [from === HEAD ? 'LPOP' : 'RPOP', key, String(popped)]);
        popRangeWithKey(ctx, key, value, from, this.count);
        return true;
      }
      ctx.alsoPropagate(db.id, [from === HEAD ? 'LPOP' : 'RPOP', key]);
      const element = value.pop(from);
      const reply = ctx.reply;
      reply.arrayLength(2);
      reply.bulk(key);
      reply.bulk(element);
      events.notify(NOTIFY_LIST, popEvent(from), key, db.id);
    } else {
      const dstKey = this.dstKey;
      const dst = db.lookup(dstKey);
      if (dst !== undefined && !isList(dst)) {
        refuseValue(ctx, dstKey, dst, 'list');
        return true;
      }
      const element = value.popDetached(from);
      pushMoved(ctx, dstKey, dst, element, this.to);
      ctx.alsoPropagate(db.id, this.isRpoplpush
        ? ['RPOPLPUSH', key, dstKey]
        : ['LMOVE', key, dstKey, from === HEAD ? 'left' : 'right', this.to === HEAD ? 'left' : 'right']);
      events.notify(NOTIFY_LIST, popEvent(from), key, db.id);
    }
    // No signalModifiedKey for the source: the push that made it ready already signalled it.
    if (value.length === 0) {
      db.delete(key);
      events.notify(NOTIFY_GENERIC, 'del', key, db.id);
    }
    return true;
  }

  timedOut(ctx: CommandContext): void {
    ctx.reply.nullArray();
  }
}

/** BLPOP / BRPOP / BLMPOP once the timeout is parsed (blockingPopGenericCommand). */
function blockingPop(ctx: CommandContext, keys: readonly string[], where: ListEnd, timeoutText: string, count: number): void {
  const deadlineMs = timeoutArg(ctx, timeoutText, 'seconds');
  if (deadlineMs === null) return;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    const list = listForWrite(ctx, key);
    if (list === null) return;
    if (list === undefined || list.length === 0) continue;
    if (count !== -1) {
      const popped = popRangeWithKey(ctx, key, list, where, count);
      ctx.rewritePropagation([where === HEAD ? 'LPOP' : 'RPOP', key, String(popped)]);
      return;
    }
    const reply = ctx.reply;
    reply.arrayLength(2);
    reply.bulk(key);
    reply.bulk(list.pop(where));
    elementsRemoved(ctx, key, where, list, 1);
    ctx.rewritePropagation([where === HEAD ? 'LPOP' : 'RPOP', key]);
    return;
  }
  const blocking = ctx.server.blocking;
  // Inside MULTI/EXEC or a script the only answer is a timeout, even for timeout 0.
  if (!blocking.canBlock(ctx.client)) {
    ctx.reply.nullArray();
    return;
  }
  blocking.block(ctx, keys, deadlineMs, new ListWaiter(where, count, null, TAIL, false));
}

function blpop(ctx: CommandContext, argv: string[]): void {
  blockingPop(ctx, argv.slice(1, argv.length - 1), HEAD, argv[argv.length - 1], -1);
}

function brpop(ctx: CommandContext, argv: string[]): void {
  blockingPop(ctx, argv.slice(1, argv.length - 1), TAIL, argv[argv.length - 1], -1);
}

function blmpop(ctx: CommandContext, argv: string[]): void {
  const args = parseMpop(ctx, argv, 2);
  if (args === null) return;
  blockingPop(ctx, args.keys, args.where, argv[1], args.count);
}

/** BLMOVE / BRPOPLPUSH once their arguments are parsed (blmoveGenericCommand). */
function blockingMove(ctx: CommandContext, argv: string[], from: ListEnd, to: ListEnd, deadlineMs: number, isRpoplpush: boolean): void {
  const src = listForWrite(ctx, argv[1]);
  if (src === null) return;
  if (src !== undefined) {
    moveGeneric(ctx, argv, from, to, isRpoplpush ? ['RPOPLPUSH', argv[1], argv[2]] : ['LMOVE', argv[1], argv[2], argv[3], argv[4]]);
    return;
  }
  const blocking = ctx.server.blocking;
  if (!blocking.canBlock(ctx.client)) {
    ctx.reply.nullBulk();
    return;
  }
  blocking.block(ctx, [argv[1]], deadlineMs, new ListWaiter(from, -1, argv[2], to, isRpoplpush));
}

function blmove(ctx: CommandContext, argv: string[]): void {
  const from = endArg(ctx, argv[3]);
  if (from === null) return;
  const to = endArg(ctx, argv[4]);
  if (to === null) return;
  const deadlineMs = timeoutArg(ctx, argv[5], 'seconds');
  if (deadlineMs === null) return;
  blockingMove(ctx, argv, from, to, deadlineMs, false);
}

function brpoplpush(ctx: CommandContext, argv: string[]): void {
  const deadlineMs = timeoutArg(ctx, argv[3], 'seconds');
  if (deadlineMs === null) return;
  blockingMove(ctx, argv, TAIL, HEAD, deadlineMs, true);
}

// ------------------------------------------------------------------------------------ DEBUG

const MEMORY_UNIT_BYTES: Readonly<Record<string, bigint>> = {
  '': 1n, b: 1n, k: 1000n, kb: 1024n, m: 1000n * 1000n, mb: 1024n * 1024n, g: 1000n * 1000n * 1000n, gb: 1024n * 1024n * 1024n,
};
const MAX_MEMORY_DIGITS = 127;
const UINT64_MASK = 2n ** 64n - 1n;

/** Redis's memtoull: digits and an optional unit (b, k, kb, m, mb, g, gb); null when invalid. */
function memtoull(text: string): bigint | null {
  if (text.startsWith('-')) return null;
  let digitsEnd = 0;
  while (digitsEnd < text.length && text.charCodeAt(digitsEnd) >= 48 && text.charCodeAt(digitsEnd) <= 57) digitsEnd++;
  const unit = MEMORY_UNIT_BYTES[text.slice(digitsEnd).toLowerCase()];
  if (unit === undefined || digitsEnd > MAX_MEMORY_DIGITS) return null;
  let value = digitsEnd === 0 ? 0n : BigInt(text.slice(0, digitsEnd));
  // strtoull saturates, and the product wraps in 64 bits.
  if (value > UINT64_MASK) value = UINT64_MASK;
  return (value * unit) & UINT64_MASK;
}

/** The DEBUG helpers Redis's list tests use. */
export const listDebugSubcommands: readonly DebugSubcommand[] = [
  {
    name: 'QUICKLIST-PACKED-THRESHOLD', minArgs: 3, maxArgs: 3,
    help: [
      'QUICKLIST-PACKED-THRESHOLD <size>',
      '    List elements of <size> bytes and more get a quicklist node of their own (plain).',
      '    1gb by default, at most 4gb; 0 restores the default.',
    ],
    run(ctx, argv) {
      const size = memtoull(argv[2]);
      if (size === null || !setPackedThreshold(Number(size))) {
        ctx.reply.error('ERR argument must be a memory value bigger than 1 and smaller than 4gb');
        return;
      }
      ctx.reply.ok();
    },
  },
];

// ------------------------------------------------------------------------------------ table

const LIST_WRITE_FAST = ['write', 'list', 'fast'] as const;
const LIST_WRITE_SLOW = ['write', 'list', 'slow'] as const;
const LIST_READ_SLOW = ['read', 'list', 'slow'] as const;
const LIST_BLOCKING = ['write', 'list', 'slow', 'blocking'] as const;

function key1(...flags: KeySpecFlag[]): KeySpec {
  return keyAt(1, ...flags);
}

const POP_SPEC = key1('RW', 'access', 'delete');
const PUSH_SPEC = key1('RW', 'insert');
const MOVE_SPECS: readonly KeySpec[] = [key1('RW', 'access', 'delete'), keyAt(2, 'RW', 'insert')];

function keynumSpec(index: number): KeySpec {
  return { flags: ['RW', 'access', 'delete'], begin: { type: 'index', index }, find: { type: 'keynum', keyNumIndex: 0, firstKey: 1, keyStep: 1 } };
}

const PUSH_ARGS = [{ name: 'key', type: 'key' }, { name: 'element', type: 'string', multiple: true }] as const;
const WHERE_ARG = { name: 'where', type: 'oneof', arguments: [{ name: 'left', type: 'pure-token', token: 'LEFT' }, { name: 'right', type: 'pure-token', token: 'RIGHT' }] } as const;
const MOVE_ARGS = [
  { name: 'source', type: 'key' }, { name: 'destination', type: 'key' },
  { name: 'wherefrom', type: 'oneof', arguments: WHERE_ARG.arguments },
  { name: 'whereto', type: 'oneof', arguments: WHERE_ARG.arguments },
] as const;

export const listCommands: CommandSpec[] = [
  {
    name: 'lpush', arity: -3, flags: ['write', 'denyoom', 'fast'], acl: LIST_WRITE_FAST, keySpecs: [PUSH_SPEC],
    summary: 'Adds elements at the head of a list, creating it when missing; replies the new length.',
    since: '1.0.0', group: 'list', complexity: 'O(1) per element', arguments: PUSH_ARGS, handler: lpush,
  },
  {
    name: 'rpush', arity: -3, flags: ['write', 'denyoom', 'fast'], acl: LIST_WRITE_FAST, keySpecs: [PUSH_SPEC],
    summary: 'Adds elements at the tail of a list, creating it when missing; replies the new length.',
    since: '1.0.0', group: 'list', complexity: 'O(1) per element', arguments: PUSH_ARGS, handler: rpush,
  },
  {
    name: 'lpushx', arity: -3, flags: ['write', 'denyoom', 'fast'], acl: LIST_WRITE_FAST, keySpecs: [PUSH_SPEC],
    summary: 'Adds elements at the head of a list only if the list exists.',
    since: '2.2.0', group: 'list', complexity: 'O(1) per element', arguments: PUSH_ARGS, handler: lpushx,
  },
  {
    name: 'rpushx', arity: -3, flags: ['write', 'denyoom', 'fast'], acl: LIST_WRITE_FAST, keySpecs: [PUSH_SPEC],
    summary: 'Adds elements at the tail of a list only if the list exists.',
    since: '2.2.0', group: 'list', complexity: 'O(1) per element', arguments: PUSH_ARGS, handler: rpushx,
  },
  {
    name: 'lpop', arity: -2, flags: ['write', 'fast'], acl: LIST_WRITE_FAST, keySpecs: [POP_SPEC],
    summary: 'Removes and returns the first element of a list, or the first <count> elements.',
    since: '1.0.0', group: 'list', complexity: 'O(N), N = elements returned',
    arguments: [{ name: 'key', type: 'key' }, { name: 'count', type: 'integer', optional: true }], handler: lpop,
  },
  {
    name: 'rpop', arity: -2, flags: ['write', 'fast'], acl: LIST_WRITE_FAST, keySpecs: [POP_SPEC],
    summary: 'Removes and returns the last element of a list, or the last <count> elements.',
    since: '1.0.0', group: 'list', complexity: 'O(N), N = elements returned',
    arguments: [{ name: 'key', type: 'key' }, { name: 'count', type: 'integer', optional: true }], handler: rpop,
  },
  {
    name: 'llen', arity: 2, flags: ['readonly', 'fast'], acl: ['read', 'list', 'fast'], keySpecs: [key1('RO')],
    summary: 'Returns the number of elements of a list.',
    since: '1.0.0', group: 'list', complexity: 'O(1)', arguments: [{ name: 'key', type: 'key' }], handler: llen,
  },
  {
    name: 'lindex', arity: 3, flags: ['readonly'], acl: LIST_READ_SLOW, keySpecs: [key1('RO', 'access')],
    summary: 'Returns the element at an index (negative from the tail).',
    since: '1.0.0', group: 'list', complexity: 'O(1)',
    arguments: [{ name: 'key', type: 'key' }, { name: 'index', type: 'integer' }], handler: lindex,
  },
  {
    name: 'lset', arity: 4, flags: ['write', 'denyoom'], acl: LIST_WRITE_SLOW, keySpecs: [key1('RW', 'update')],
    summary: 'Replaces the element at an index.',
    since: '1.0.0', group: 'list', complexity: 'O(1)',
    arguments: [{ name: 'key', type: 'key' }, { name: 'index', type: 'integer' }, { name: 'element', type: 'string' }], handler: lset,
  },
  {
    name: 'linsert', arity: 5, flags: ['write', 'denyoom'], acl: LIST_WRITE_SLOW, keySpecs: [key1('RW', 'insert')],
    summary: 'Inserts an element before or after the first occurrence of a pivot element.',
    since: '2.2.0', group: 'list', complexity: 'O(N), N = elements before the pivot',
    arguments: [
      { name: 'key', type: 'key' },
      { name: 'where', type: 'oneof', arguments: [{ name: 'before', type: 'pure-token', token: 'BEFORE' }, { name: 'after', type: 'pure-token', token: 'AFTER' }] },
      { name: 'pivot', type: 'string' }, { name: 'element', type: 'string' },
    ],
    handler: linsert,
  },
  {
    name: 'lrange', arity: 4, flags: ['readonly'], acl: LIST_READ_SLOW, keySpecs: [key1('RO', 'access')],
    summary: 'Returns the elements between two indexes (inclusive, negative from the tail).',
    since: '1.0.0', group: 'list', complexity: 'O(S+N): S = offset of start, N = elements returned',
    arguments: [{ name: 'key', type: 'key' }, { name: 'start', type: 'integer' }, { name: 'stop', type: 'integer' }], handler: lrange,
  },
  {
    name: 'ltrim', arity: 4, flags: ['write'], acl: LIST_WRITE_SLOW, keySpecs: [key1('RW', 'delete')],
    summary: 'Keeps only the elements between two indexes.',
    since: '1.0.0', group: 'list', complexity: 'O(N), N = elements removed',
    arguments: [{ name: 'key', type: 'key' }, { name: 'start', type: 'integer' }, { name: 'stop', type: 'integer' }], handler: ltrim,
  },
  {
    name: 'lpos', arity: -3, flags: ['readonly'], acl: LIST_READ_SLOW, keySpecs: [key1('RO', 'access')],
    summary: 'Returns the index of matching elements (RANK: which match, COUNT: how many, MAXLEN: how far to look).',
    since: '6.0.6', group: 'list', complexity: 'O(N)',
    arguments: [
      { name: 'key', type: 'key' }, { name: 'element', type: 'string' },
      { name: 'rank', type: 'integer', token: 'RANK', optional: true },
      { name: 'num-matches', type: 'integer', token: 'COUNT', optional: true },
      { name: 'len', type: 'integer', token: 'MAXLEN', optional: true },
    ],
    handler: lpos,
  },
  {
    name: 'lrem', arity: 4, flags: ['write'], acl: LIST_WRITE_SLOW, keySpecs: [key1('RW', 'delete')],
    summary: 'Removes elements equal to a value: the first <count>, the last -<count>, or all with 0.',
    since: '1.0.0', group: 'list', complexity: 'O(N+M)',
    arguments: [{ name: 'key', type: 'key' }, { name: 'count', type: 'integer' }, { name: 'element', type: 'string' }], handler: lrem,
  },
  {
    name: 'lmove', arity: 5, flags: ['write', 'denyoom'], acl: LIST_WRITE_SLOW, keySpecs: MOVE_SPECS,
    summary: 'Pops an element from one end of a list and pushes it at one end of another.',
    since: '6.2.0', group: 'list', complexity: 'O(1)', arguments: MOVE_ARGS, handler: lmove,
  },
  {
    name: 'rpoplpush', arity: 3, flags: ['write', 'denyoom'], acl: LIST_WRITE_SLOW, keySpecs: MOVE_SPECS,
    summary: 'Pops the last element of a list and pushes it at the head of another (superseded by LMOVE).',
    since: '1.2.0', group: 'list', complexity: 'O(1)',
    arguments: [{ name: 'source', type: 'key' }, { name: 'destination', type: 'key' }], handler: rpoplpush,
  },
  {
    name: 'lmpop', arity: -4, flags: ['write'], acl: LIST_WRITE_SLOW, keySpecs: [keynumSpec(1)],
    summary: 'Pops up to <count> elements from the first non-empty list among several keys.',
    since: '7.0.0', group: 'list', complexity: 'O(N+M)',
    arguments: [
      { name: 'numkeys', type: 'integer' }, { name: 'key', type: 'key', multiple: true }, WHERE_ARG,
      { name: 'count', type: 'integer', token: 'COUNT', optional: true },
    ],
    handler: lmpop,
  },
  {
    name: 'blpop', arity: -3, flags: ['write', 'noscript', 'blocking'], acl: LIST_BLOCKING,
    keySpecs: [keysFrom(1, 1, ['RW', 'access', 'delete'], -2)],
    summary: 'LPOP of the first non-empty list among several keys, waiting for one up to a timeout.',
    since: '2.0.0', group: 'list', complexity: 'O(N), N = keys',
    arguments: [{ name: 'key', type: 'key', multiple: true }, { name: 'timeout', type: 'double' }], handler: blpop,
  },
  {
    name: 'brpop', arity: -3, flags: ['write', 'noscript', 'blocking'], acl: LIST_BLOCKING,
    keySpecs: [keysFrom(1, 1, ['RW', 'access', 'delete'], -2)],
    summary: 'RPOP of the first non-empty list among several keys, waiting for one up to a timeout.',
    since: '2.0.0', group: 'list', complexity: 'O(N), N = keys',
    arguments: [{ name: 'key', type: 'key', multiple: true }, { name: 'timeout', type: 'double' }], handler: brpop,
  },
  {
    name: 'blmove', arity: 6, flags: ['write', 'denyoom', 'noscript', 'blocking'], acl: LIST_BLOCKING, keySpecs: MOVE_SPECS,
    summary: 'LMOVE that waits for the source list up to a timeout.',
    since: '6.2.0', group: 'list', complexity: 'O(1)',
    arguments: [...MOVE_ARGS, { name: 'timeout', type: 'double' }], handler: blmove,
  },
  {
    name: 'brpoplpush', arity: 4, flags: ['write', 'denyoom', 'noscript', 'blocking'], acl: LIST_BLOCKING, keySpecs: MOVE_SPECS,
    summary: 'RPOPLPUSH that waits for the source list up to a timeout (superseded by BLMOVE).',
    since: '2.2.0', group: 'list', complexity: 'O(1)',
    arguments: [{ name: 'source', type: 'key' }, { name: 'destination', type: 'key' }, { name: 'timeout', type: 'double' }], handler: brpoplpush,
  },
  {
    name: 'blmpop', arity: -5, flags: ['write', 'blocking'], acl: LIST_BLOCKING, keySpecs: [keynumSpec(2)],
    summary: 'LMPOP that waits for one of the lists up to a timeout.',
    since: '7.0.0', group: 'list', complexity: 'O(N+M)',
    arguments: [
      { name: 'timeout', type: 'double' }, { name: 'numkeys', type: 'integer' }, { name: 'key', type: 'key', multiple: true }, WHERE_ARG,
      { name: 'count', type: 'integer', token: 'COUNT', optional: true },
    ],
    handler: blmpop,
  },
];
