// String commands (Redis's t_string.c): GET, SET, SETNX, SETEX, PSETEX, GETEX, GETDEL, GETSET,
// MGET, MSET, MSETNX, APPEND, STRLEN, SETRANGE, GETRANGE, SUBSTR, INCR, DECR, INCRBY, DECRBY,
// INCRBYFLOAT and LCS. Values are latin1 JS strings, or MutableString once changed in place (APPEND,
// SETRANGE), which is what OBJECT ENCODING reports as "raw".

import type { CommandContext } from './context.js';
import { ERR_NOT_FLOAT, ERR_NOT_INTEGER, ERR_OVERFLOW, ERR_SYNTAX, ERR_WRONGTYPE, errWrongArity, isKeyword, safeIntArg } from './errors.js';
import { keyAt, keysFrom, type CommandSpec } from './types.js';
import { NOTIFY_GENERIC, NOTIFY_STRING } from '../config/keyspace-events.js';
import { NO_TOUCH } from '../store/db.js';
import { MutableString, isStringValue, type RedisValue, type StringValue } from '../store/values.js';
import type { StreamArg } from '../protocol/command-encoder.js';
import {
  INT64_MAX, INT64_MIN, LD_ZERO, addLongDouble, formatLongDoubleHuman, isInt64Text, parseInt64, parseLongDouble,
  type LongDouble,
} from '../util/numbers.js';
import { bigBuffers } from '../util/buffer-recycler.js';
import { rangeEnd, rangeStart } from '../util/ranges.js';

const ERR_STRING_TOO_LONG = 'ERR string exceeds maximum allowed size (proto-max-bulk-len)';

// ------------------------------------------------------------------------------ shared helpers

/**
 * Redis's setKey(): store (Db.set fires "new" for a created key), clear the TTL unless kept,
 * and signal WATCH. Callers look the key up first (lookupKeyWrite), which expires a stale key.
 */
export function storeString(ctx: CommandContext, key: string, value: RedisValue, keepTtl: boolean): void {
  ctx.db.set(key, value, keepTtl);
  ctx.server.events.signalModifiedKey(ctx.db, key);
}

/** The value as a latin1 string (copying only a MutableString). */
function textOf(value: StringValue): string {
  return typeof value === 'string' ? value : value.toString();
}

function replyValue(ctx: CommandContext, value: StringValue): void {
  if (typeof value === 'string') ctx.reply.bulk(value);
  else ctx.reply.bulkShared(value.bytesShared());
}

/**
 * Redis's checkStringLength: a string may not grow past proto-max-bulk-len. Replies the error
 * and returns false when it would.
 */
function checkStringLength(ctx: CommandContext, sizeBytes: number, appendBytes: number): boolean {
  if (sizeBytes + appendBytes > ctx.server.config.live.protoMaxBulkLenBytes) {
    ctx.reply.error(ERR_STRING_TOO_LONG);
    return false;
  }
  return true;
}

/**
 * dbUnshareStringValue: the key's value as a MutableString, converting a plain string in place
 * (the TTL and access time stay), so it can be changed byte by byte.
 */
export function unshareString(ctx: CommandContext, key: string, value: StringValue, extraBytes = 0): MutableString {
  if (typeof value !== 'string') {
    // Redis copies a non-raw object to a raw one before changing it.
    value.embstr = false;
    const own = value.unshared();
    if (own !== value) ctx.db.replaceValue(key, own);
    return own;
  }
  const mutable = MutableString.from(value, extraBytes);
  ctx.db.replaceValue(key, mutable);
  return mutable;
}

/**
 * The value SET is about to replace, when it is a big MutableString nothing else can see any
 * more: its memory goes back to the big-buffer recycler.
 */
function recycleOverwritten(ctx: CommandContext, key: string): void {
  const old = ctx.db.peek(key);
  if (old === undefined || typeof old === 'string' || old.kind !== 'string') return;
  const allocation = old.releasableAllocation();
  if (allocation !== null) bigBuffers.give(allocation);
}

/** The string at `key` for reading; undefined when missing, null after a WRONGTYPE reply. */
export function stringForRead(ctx: CommandContext, key: string): StringValue | undefined | null {
  const value = ctx.db.lookupRead(key);
  if (value === undefined || isStringValue(value)) return value;
  ctx.reply.error(ERR_WRONGTYPE);
  return null;
}

/** getGenericCommand: replies the value (or null); returns false after a WRONGTYPE error. */
function replyGet(ctx: CommandContext, key: string): boolean {
  const value = ctx.db.readPlainString(key, ctx.reply);
  if (value === true) return true;
  if (value === undefined) {
    ctx.reply.nullBulk();
    return true;
  }
  if (!isStringValue(value)) {
    ctx.reply.error(ERR_WRONGTYPE);
    return false;
  }
  replyValue(ctx, value);
  return true;
}

// ------------------------------------------------------------------------ SET and its options

const FLAG_NX = 1 << 0;
const FLAG_XX = 1 << 1;
const FLAG_EX = 1 << 2;
const FLAG_PX = 1 << 3;
const FLAG_KEEPTTL = 1 << 4;
const FLAG_GET = 1 << 5;
const FLAG_EXAT = 1 << 6;
const FLAG_PXAT = 1 << 7;
const FLAG_PERSIST = 1 << 8;
const ANY_EXPIRE = FLAG_EX | FLAG_PX | FLAG_EXAT | FLAG_PXAT;

interface ExtendedArgs {
  flags: number;
  /** The expire argument's text, or null. */
  expire: string | null;
  unitSeconds: boolean;
}

/**
 * parseExtendedStringArgumentsOrReply: SET's NX/XX/GET/KEEPTTL and GETEX's PERSIST, with the
 * EX/PX/EXAT/PXAT shared by both. Incompatible combinations are syntax errors.
 */
function parseExtendedArgs(ctx: CommandContext, argv: string[], forSet: boolean): ExtendedArgs | null {
  const out: ExtendedArgs = { flags: 0, expire: null, unitSeconds: true };
  for (let j = forSet ? 3 : 2; j < argv.length; j++) {
    const opt = argv[j];
    const hasNext = j < argv.length - 1;
    const f = out.flags;
    if (forSet && isKeyword(opt, 'NX') && !(f & FLAG_XX)) {
      out.flags |= FLAG_NX;
    } else if (forSet && isKeyword(opt, 'XX') && !(f & FLAG_NX)) {
      out.flags |= FLAG_XX;
    } else if (forSet && isKeyword(opt, 'GET')) {
      out.flags |= FLAG_GET;
    } else if (forSet && isKeyword(opt, 'KEEPTTL') && !(f & (FLAG_PERSIST | ANY_EXPIRE))) {
      out.flags |= FLAG_KEEPTTL;
    } else if (!forSet && isKeyword(opt, 'PERSIST') && !(f & (ANY_EXPIRE | FLAG_KEEPTTL))) {
      out.flags |= FLAG_PERSIST;
    } else if (hasNext && isKeyword(opt, 'EX') && !(f & (FLAG_KEEPTTL | FLAG_PERSIST | FLAG_EXAT | FLAG_PX | FLAG_PXAT))) {
      out.flags |= FLAG_EX;
      out.expire = argv[++j];
    } else if (hasNext && isKeyword(opt, 'PX') && !(f & (FLAG_KEEPTTL | FLAG_PERSIST | FLAG_EX | FLAG_EXAT | FLAG_PXAT))) {
      out.flags |= FLAG_PX;
      out.unitSeconds = false;
      out.expire = argv[++j];
    } else if (hasNext && isKeyword(opt, 'EXAT') && !(f & (FLAG_KEEPTTL | FLAG_PERSIST | FLAG_EX | FLAG_PX | FLAG_PXAT))) {
      out.flags |= FLAG_EXAT;
      out.expire = argv[++j];
    } else if (hasNext && isKeyword(opt, 'PXAT') && !(f & (FLAG_KEEPTTL | FLAG_PERSIST | FLAG_EX | FLAG_EXAT | FLAG_PX))) {
      out.flags |= FLAG_PXAT;
      out.unitSeconds = false;
      out.expire = argv[++j];
    } else {
      ctx.reply.error(ERR_SYNTAX);
      return null;
    }
  }
  return out;
}

const MAX_SECONDS = INT64_MAX / 1000n;

/**
 * getExpireMillisecondsOrReply: the absolute deadline in ms (a bigint beyond 2^53), or null
 * after replying the error. Relative forms (EX/PX) add the current time.
 */
function expireDeadline(ctx: CommandContext, text: string, unitSeconds: boolean, relative: boolean): bigint | null {
  const parsed = parseInt64(text);
  if (parsed === null) {
    ctx.reply.error(ERR_NOT_INTEGER);
    return null;
  }
  let ms = BigInt(parsed);
  if (ms <= 0n || (unitSeconds && ms > MAX_SECONDS)) {
    replyInvalidExpire(ctx);
    return null;
  }
  if (unitSeconds) ms *= 1000n;
  if (relative) ms += BigInt(Date.now());
  // Redis detects the signed overflow of the addition as a non-positive result.
  if (ms > INT64_MAX) {
    replyInvalidExpire(ctx);
    return null;
  }
  return ms;
}

function replyInvalidExpire(ctx: CommandContext): void {
  ctx.reply.error(`ERR invalid expire time in '${ctx.command.fullName}' command`);
}

type SetReplies = 'ok-null' | 'one-zero';

/**
 * setGenericCommand: SET, SETNX, SETEX, PSETEX. `expire` is the option text; replies
 * OK/null or 1/0 when the NX/XX condition stops it.
 */
function setGeneric(
  ctx: CommandContext, argv: string[], flags: number, key: string, value: string,
  expire: string | null, unitSeconds: boolean, replies: SetReplies, stored: StringValue = value,
): void {
  let deadline: bigint | null = null;
  if (expire !== null) {
    deadline = expireDeadline(ctx, expire, unitSeconds, (flags & (FLAG_EX | FLAG_PX)) !== 0);
    if (deadline === null) return;
  }
  const withGet = (flags & FLAG_GET) !== 0;
  if (withGet && !replyGet(ctx, key)) return;
  const found = ctx.db.has(key);
  if (((flags & FLAG_NX) && found) || ((flags & FLAG_XX) && !found)) {
    if (!withGet) {
      if (replies === 'one-zero') ctx.reply.integer(0);
      else ctx.reply.nullBulk();
    }
    return;
  }
  storeString(ctx, key, stored, (flags & FLAG_KEEPTTL) !== 0);
  ctx.markDirty();
  ctx.server.events.notify(NOTIFY_STRING, 'set', key, ctx.db.id);
  // A rewrite carries the value as it arrived: SET's value (argv[2]) may be a big argument kept
  // as a Buffer, its argv slot then holding "" (the other forms never take big arguments).
  const propagatedValue = ctx.bigArgument(2) ?? value;
  if (deadline !== null) {
    ctx.db.setExpire(key, Number(deadline));
    // Replicas and the AOF get an absolute deadline, so a late replay expires at the same time.
    ctx.rewritePropagation(['SET', key, propagatedValue, 'PXAT', deadline.toString()]);
    ctx.server.events.notify(NOTIFY_GENERIC, 'expire', key, ctx.db.id);
  }
  if (!withGet) {
    if (replies === 'one-zero') ctx.reply.integer(1);
    else ctx.reply.ok();
  } else if (deadline === null) {
    // GET only shapes the reply: propagate the SET without it.
    const withoutGet: StreamArg[] = argv.filter((arg, i) => i < 3 || !isKeyword(arg, 'GET'));
    withoutGet[2] = propagatedValue;
    ctx.rewritePropagation(withoutGet);
  }
}

function set(ctx: CommandContext, argv: string[]): void {
  if (argv.length === 3) {
    // The common case, without option parsing.
    const key = argv[1];
    ctx.db.expireForWrite(key);
    const big = ctx.bigArgument(2);
    // A big value that arrived as a Buffer is stored as that Buffer: no copy, off the V8 heap;
    // the big value it replaces leaves its Buffer to the next big argument.
    if (big !== null) recycleOverwritten(ctx, key);
    storeString(ctx, key, big === null ? argv[2] : MutableString.over(big), false);
    ctx.markDirty();
    ctx.server.events.notify(NOTIFY_STRING, 'set', key, ctx.db.id);
    ctx.reply.ok();
    return;
  }
  const args = parseExtendedArgs(ctx, argv, true);
  if (args === null) return;
  const big = ctx.bigArgument(2);
  setGeneric(ctx, argv, args.flags, argv[1], argv[2], args.expire, args.unitSeconds, 'ok-null', big === null ? argv[2] : MutableString.over(big));
}

function setnx(ctx: CommandContext, argv: string[]): void {
  setGeneric(ctx, argv, FLAG_NX, argv[1], argv[2], null, true, 'one-zero');
}

function setex(ctx: CommandContext, argv: string[]): void {
  setGeneric(ctx, argv, FLAG_EX, argv[1], argv[3], argv[2], true, 'ok-null');
}

function psetex(ctx: CommandContext, argv: string[]): void {
  setGeneric(ctx, argv, FLAG_PX, argv[1], argv[3], argv[2], false, 'ok-null');
}

// ------------------------------------------------------------------------------------ GET family

function get(ctx: CommandContext, argv: string[]): void {
  replyGet(ctx, argv[1]);
}

function getex(ctx: CommandContext, argv: string[]): void {
  const args = parseExtendedArgs(ctx, argv, false);
  if (args === null) return;
  const key = argv[1];
  const value = ctx.db.lookupRead(key);
  if (value === undefined) {
    ctx.reply.nullBulk();
    return;
  }
  if (!isStringValue(value)) {
    ctx.reply.error(ERR_WRONGTYPE);
    return;
  }
  let deadline: bigint | null = null;
  if (args.expire !== null) {
    deadline = expireDeadline(ctx, args.expire, args.unitSeconds, (args.flags & (FLAG_EX | FLAG_PX)) !== 0);
    if (deadline === null) return;
  }
  replyValue(ctx, value);
  const absolute = (args.flags & (FLAG_EXAT | FLAG_PXAT)) !== 0;
  if (deadline !== null && absolute && deadline <= BigInt(Date.now())) {
    // A deadline already past deletes the key now, and replicas are told so directly.
    ctx.db.delete(key);
    const lazy = ctx.server.config.bool('lazyfree-lazy-expire');
    ctx.rewritePropagation([lazy ? 'UNLINK' : 'DEL', key]);
    ctx.server.events.signalModifiedKey(ctx.db, key);
    ctx.server.events.notify(NOTIFY_GENERIC, 'del', key, ctx.db.id);
    ctx.markDirty();
  } else if (deadline !== null) {
    ctx.db.setExpire(key, Number(deadline));
    ctx.rewritePropagation(['PEXPIREAT', key, deadline.toString()]);
    ctx.server.events.signalModifiedKey(ctx.db, key);
    ctx.server.events.notify(NOTIFY_GENERIC, 'expire', key, ctx.db.id);
    ctx.markDirty();
  } else if ((args.flags & FLAG_PERSIST) !== 0 && ctx.db.removeExpire(key)) {
    ctx.server.events.signalModifiedKey(ctx.db, key);
    ctx.rewritePropagation(['PERSIST', key]);
    ctx.server.events.notify(NOTIFY_GENERIC, 'persist', key, ctx.db.id);
    ctx.markDirty();
  }
}

function getdel(ctx: CommandContext, argv: string[]): void {
  const key = argv[1];
  if (!replyGet(ctx, key)) return;
  if (!ctx.db.delete(key)) return;
  const lazy = ctx.server.config.bool('lazyfree-lazy-user-del');
  ctx.rewritePropagation([lazy ? 'UNLINK' : 'DEL', key]);
  ctx.server.events.signalModifiedKey(ctx.db, key);
  ctx.server.events.notify(NOTIFY_GENERIC, 'del', key, ctx.db.id);
  ctx.markDirty();
}

function getset(ctx: CommandContext, argv: string[]): void {
  const key = argv[1];
  if (!replyGet(ctx, key)) return;
  ctx.db.expireForWrite(key);
  storeString(ctx, key, argv[2], false);
  ctx.server.events.notify(NOTIFY_STRING, 'set', key, ctx.db.id);
  ctx.markDirty();
  ctx.rewritePropagation(['SET', key, argv[2]]);
}

function mget(ctx: CommandContext, argv: string[]): void {
  const reply = ctx.reply;
  reply.arrayLength(argv.length - 1);
  for (let j = 1; j < argv.length; j++) {
    const value = ctx.db.lookupRead(argv[j]);
    if (value === undefined || !isStringValue(value)) reply.nullBulk();
    else replyValue(ctx, value);
  }
}

function msetGeneric(ctx: CommandContext, argv: string[], nx: boolean): void {
  if (argv.length % 2 === 0) {
    ctx.reply.error(errWrongArity(ctx.command.fullName));
    return;
  }
  if (nx) {
    for (let j = 1; j < argv.length; j += 2) {
      if (ctx.db.has(argv[j])) {
        ctx.reply.integer(0);
        return;
      }
    }
  }
  for (let j = 1; j < argv.length; j += 2) {
    if (!nx) ctx.db.expireForWrite(argv[j]);
    storeString(ctx, argv[j], argv[j + 1], false);
    ctx.server.events.notify(NOTIFY_STRING, 'set', argv[j], ctx.db.id);
  }
  ctx.markDirty((argv.length - 1) / 2);
  if (nx) ctx.reply.integer(1);
  else ctx.reply.ok();
}

function mset(ctx: CommandContext, argv: string[]): void {
  msetGeneric(ctx, argv, false);
}

function msetnx(ctx: CommandContext, argv: string[]): void {
  msetGeneric(ctx, argv, true);
}

// ------------------------------------------------------------------------- in-place changes

function append(ctx: CommandContext, argv: string[]): void {
  const key = argv[1];
  const suffix = argv[2];
  const value = ctx.db.lookup(key);
  let totalBytes: number;
  if (value === undefined) {
    ctx.db.set(key, suffix);
    totalBytes = suffix.length;
  } else {
    if (!isStringValue(value)) {
      ctx.reply.error(ERR_WRONGTYPE);
      return;
    }
    if (!checkStringLength(ctx, value.length, suffix.length)) return;
    // Room to spare, so a run of APPENDs stays amortized O(1) per byte.
    const mutable = unshareString(ctx, key, value, suffix.length);
    mutable.append(suffix);
    totalBytes = mutable.length;
  }
  ctx.server.events.signalModifiedKey(ctx.db, key);
  ctx.server.events.notify(NOTIFY_STRING, 'append', key, ctx.db.id);
  ctx.markDirty();
  ctx.reply.integer(totalBytes);
}

function strlen(ctx: CommandContext, argv: string[]): void {
  const value = stringForRead(ctx, argv[1]);
  if (value === null) return;
  ctx.reply.integer(value === undefined ? 0 : value.length);
}

function setrange(ctx: CommandContext, argv: string[]): void {
  const key = argv[1];
  const patch = argv[3];
  const offset = safeIntArg(ctx.reply, argv[2]);
  if (offset === null) return;
  if (offset < 0) {
    ctx.reply.error('ERR offset is out of range');
    return;
  }
  const value = ctx.db.lookup(key);
  let target: MutableString;
  if (value === undefined) {
    // Setting nothing on a missing key creates nothing.
    if (patch.length === 0) {
      ctx.reply.integer(0);
      return;
    }
    if (!checkStringLength(ctx, offset, patch.length)) return;
    const size = offset + patch.length;
    target = new MutableString(Buffer.alloc(size), size);
    ctx.db.set(key, target);
  } else {
    if (!isStringValue(value)) {
      ctx.reply.error(ERR_WRONGTYPE);
      return;
    }
    if (patch.length === 0) {
      ctx.reply.integer(value.length);
      return;
    }
    if (!checkStringLength(ctx, offset, patch.length)) return;
    target = unshareString(ctx, key, value);
    target.ensureLength(offset + patch.length);
  }
  target.buf.latin1Write(patch, offset);
  ctx.server.events.signalModifiedKey(ctx.db, key);
  ctx.server.events.notify(NOTIFY_STRING, 'setrange', key, ctx.db.id);
  ctx.markDirty();
  ctx.reply.integer(target.length);
}

function getrange(ctx: CommandContext, argv: string[]): void {
  let start = safeIntArg(ctx.reply, argv[2]);
  if (start === null) return;
  let end = safeIntArg(ctx.reply, argv[3]);
  if (end === null) return;
  const value = stringForRead(ctx, argv[1]);
  if (value === null) return;
  if (value === undefined || (start < 0 && end < 0 && start > end)) {
    ctx.reply.bulk('');
    return;
  }
  start = rangeStart(start, value.length);
  end = rangeEnd(end, value.length);
  if (start > end) {
    ctx.reply.bulk('');
    return;
  }
  if (typeof value === 'string') ctx.reply.bulk(value.slice(start, end + 1));
  else ctx.reply.bulk(value.buf.subarray(start, end + 1));
}

// -------------------------------------------------------------------------------- counters

/** incrDecrCommand: adds `increment` to the integer held at the key (0 when missing). */
function incrDecr(ctx: CommandContext, key: string, increment: number | bigint): void {
  // No touch here: the store below refreshes the access time anyway.
  const value = ctx.db.lookup(key, NO_TOUCH);
  let current: number | bigint = 0;
  if (value !== undefined) {
    if (!isStringValue(value)) {
      ctx.reply.error(ERR_WRONGTYPE);
      return;
    }
    const parsed = parseInt64(typeof value === 'string' ? value : value.toString());
    if (parsed === null) {
      ctx.reply.error(ERR_NOT_INTEGER);
      return;
    }
    current = parsed;
  }
  let next: number | bigint;
  if (typeof current === 'number' && typeof increment === 'number' && Number.isSafeInteger(current + increment)) {
    next = current + increment;
  } else {
    // Outside the exact range of doubles: int64 arithmetic with Redis's overflow check.
    const big = BigInt(current) + BigInt(increment);
    if (big > INT64_MAX || big < INT64_MIN) {
      ctx.reply.error(ERR_OVERFLOW);
      return;
    }
    next = Number.isSafeInteger(Number(big)) ? Number(big) : big;
  }
  // An existing key keeps its TTL (dbOverwrite); a new one is added.
  ctx.db.set(key, String(next), true);
  ctx.server.events.signalModifiedKey(ctx.db, key);
  ctx.server.events.notify(NOTIFY_STRING, 'incrby', key, ctx.db.id);
  ctx.markDirty();
  ctx.reply.integer(next);
}

function incr(ctx: CommandContext, argv: string[]): void {
  incrDecr(ctx, argv[1], 1);
}

function decr(ctx: CommandContext, argv: string[]): void {
  incrDecr(ctx, argv[1], -1);
}

function incrby(ctx: CommandContext, argv: string[]): void {
  const increment = parseInt64(argv[2]);
  if (increment === null) {
    ctx.reply.error(ERR_NOT_INTEGER);
    return;
  }
  incrDecr(ctx, argv[1], increment);
}

function decrby(ctx: CommandContext, argv: string[]): void {
  const decrement = parseInt64(argv[2]);
  if (decrement === null) {
    ctx.reply.error(ERR_NOT_INTEGER);
    return;
  }
  // -INT64_MIN does not exist.
  if (decrement === INT64_MIN) {
    ctx.reply.error('ERR decrement would overflow');
    return;
  }
  incrDecr(ctx, argv[1], -decrement);
}

function incrbyfloat(ctx: CommandContext, argv: string[]): void {
  const key = argv[1];
  const value = ctx.db.lookup(key, NO_TOUCH);
  if (value !== undefined && !isStringValue(value)) {
    ctx.reply.error(ERR_WRONGTYPE);
    return;
  }
  const current: LongDouble | null = value === undefined ? LD_ZERO : parseLongDouble(textOf(value));
  const increment = current === null ? null : parseLongDouble(argv[2]);
  if (current === null || increment === null) {
    ctx.reply.error(ERR_NOT_FLOAT);
    return;
  }
  const sum = addLongDouble(current, increment);
  if (sum === null || sum.inf) {
    ctx.reply.error('ERR increment would produce NaN or Infinity');
    return;
  }
  const text = formatLongDoubleHuman(sum);
  // createStringObjectFromLongDouble never int-encodes: "3" stays an embstr in Redis.
  ctx.db.set(key, isInt64Text(text) ? MutableString.unencoded(text) : text, true);
  ctx.server.events.signalModifiedKey(ctx.db, key);
  ctx.server.events.notify(NOTIFY_STRING, 'incrbyfloat', key, ctx.db.id);
  ctx.markDirty();
  ctx.reply.bulk(text);
  // Replicas get the result, so float formatting can never make them diverge.
  ctx.rewritePropagation(['SET', key, text, 'KEEPTTL']);
}

// ------------------------------------------------------------------------------------------ LCS

interface LcsOptions {
  getLen: boolean;
  getIdx: boolean;
  withMatchLen: boolean;
  minMatchLen: number;
}

function parseLcsOptions(ctx: CommandContext, argv: string[]): LcsOptions | null {
  const out: LcsOptions = { getLen: false, getIdx: false, withMatchLen: false, minMatchLen: 0 };
  for (let j = 3; j < argv.length; j++) {
    const opt = argv[j];
    if (isKeyword(opt, 'IDX')) {
      out.getIdx = true;
    } else if (isKeyword(opt, 'LEN')) {
      out.getLen = true;
    } else if (isKeyword(opt, 'WITHMATCHLEN')) {
      out.withMatchLen = true;
    } else if (isKeyword(opt, 'MINMATCHLEN') && j < argv.length - 1) {
      const v = safeIntArg(ctx.reply, argv[++j]);
      if (v === null) return null;
      out.minMatchLen = Math.max(0, v);
    } else {
      ctx.reply.error(ERR_SYNTAX);
      return null;
    }
  }
  return out;
}

/** A matched range: [aStart, aEnd, bStart, bEnd], inclusive. */
type LcsRange = [number, number, number, number];

function lcs(ctx: CommandContext, argv: string[]): void {
  const va = ctx.db.lookupRead(argv[1]);
  const vb = ctx.db.lookupRead(argv[2]);
  if ((va !== undefined && !isStringValue(va)) || (vb !== undefined && !isStringValue(vb))) {
    ctx.reply.error('ERR The specified keys must contain string values');
    return;
  }
  const a = va === undefined ? '' : textOf(va);
  const b = vb === undefined ? '' : textOf(vb);
  const opts = parseLcsOptions(ctx, argv);
  if (opts === null) return;
  if (opts.getLen && opts.getIdx) {
    ctx.reply.error('ERR If you want both the length and indexes, please just use IDX.');
    return;
  }
  // The table is (alen+1)*(blen+1) uint32 cells, bounded like any other transient string.
  const tableBytes = (a.length + 1) * (b.length + 1) * 4;
  if (tableBytes > ctx.server.config.live.protoMaxBulkLenBytes) {
    ctx.reply.error('ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len');
    return;
  }
  const table = lcsTable(a, b);
  const width = b.length + 1;
  const total = table[a.length * width + b.length];
  if (opts.getLen) {
    ctx.reply.integer(total);
    return;
  }
  const { text, ranges } = lcsWalk(a, b, table, total, opts.minMatchLen);
  if (!opts.getIdx) {
    ctx.reply.bulk(text);
    return;
  }
  const r = ctx.reply;
  r.mapLength(2);
  r.bulk('matches');
  r.arrayLength(ranges.length);
  for (const [as, ae, bs, be] of ranges) {
    r.arrayLength(opts.withMatchLen ? 3 : 2);
    r.arrayLength(2);
    r.integer(as);
    r.integer(ae);
    r.arrayLength(2);
    r.integer(bs);
    r.integer(be);
    if (opts.withMatchLen) r.integer(ae - as + 1);
  }
  r.bulk('len');
  r.integer(total);
}

/** The classic dynamic-programming table: cell (i, j) holds LCS(a[0..i), b[0..j)). */
function lcsTable(a: string, b: string): Uint32Array {
  const width = b.length + 1;
  const table = new Uint32Array((a.length + 1) * width);
  for (let i = 1; i <= a.length; i++) {
    const ca = a.charCodeAt(i - 1);
    const row = i * width;
    const prev = row - width;
    for (let j = 1; j <= b.length; j++) {
      if (ca === b.charCodeAt(j - 1)) {
        table[row + j] = table[prev + j - 1] + 1;
      } else {
        const up = table[prev + j];
        const left = table[row + j - 1];
        table[row + j] = up > left ? up : left;
      }
    }
  }
  return table;
}

/**
 * Walks the table back from the end, building the LCS string and the contiguous matched
 * ranges (in the order Redis emits them: from the end of the strings backwards).
 */
function lcsWalk(a: string, b: string, table: Uint32Array, total: number, minMatchLen: number): { text: string; ranges: LcsRange[] } {
  const width = b.length + 1;
  const chars: number[] = new Array<number>(total);
  const ranges: LcsRange[] = [];
  const alen = a.length;
  let idx = total;
  let aStart = alen;
  let aEnd = 0;
  let bStart = 0;
  let bEnd = 0;
  let i = a.length;
  let j = b.length;
  while (i > 0 && j > 0) {
    let emit = false;
    if (a.charCodeAt(i - 1) === b.charCodeAt(j - 1)) {
      chars[idx - 1] = a.charCodeAt(i - 1);
      if (aStart === alen) {
        aStart = i - 1;
        aEnd = i - 1;
        bStart = j - 1;
        bEnd = j - 1;
      } else if (aStart === i && bStart === j) {
        aStart--;
        bStart--;
      } else {
        emit = true;
      }
      if (aStart === 0 || bStart === 0) emit = true;
      idx--;
      i--;
      j--;
    } else {
      if (table[(i - 1) * width + j] > table[i * width + j - 1]) i--;
      else j--;
      if (aStart !== alen) emit = true;
    }
    if (emit) {
      const matchLen = aEnd - aStart + 1;
      if (minMatchLen === 0 || matchLen >= minMatchLen) ranges.push([aStart, aEnd, bStart, bEnd]);
      aStart = alen;
    }
  }
  return { text: latin1FromCodes(chars), ranges };
}

function latin1FromCodes(codes: number[]): string {
  return Buffer.from(codes).latin1Slice(0, codes.length);
}

// ------------------------------------------------------------------------------ command table

const STRING_READ = ['read', 'string'] as const;
const STRING_WRITE = ['write', 'string'] as const;

export const stringCommands: CommandSpec[] = [
  {
    name: 'get', arity: 2, flags: ['readonly', 'fast'], acl: [...STRING_READ, 'fast'],
    keySpecs: [keyAt(1, 'RO', 'access')],
    summary: 'Returns the string value of a key.', since: '1.0.0', group: 'string', complexity: 'O(1)', handler: get,
  },
  {
    name: 'set', arity: -3, flags: ['write', 'denyoom'], takesBigArgs: true, acl: [...STRING_WRITE, 'slow'],
    keySpecs: [{ ...keyAt(1, 'RW', 'access', 'update', 'variable_flags'), notes: 'RW and ACCESS due to the optional `GET` argument' }],
    summary: 'Sets the string value of a key, with optional conditions, expiry and old-value reply.',
    since: '1.0.0', group: 'string', complexity: 'O(1)', handler: set,
  },
  {
    name: 'setnx', arity: 3, flags: ['write', 'denyoom', 'fast'], acl: [...STRING_WRITE, 'fast'],
    keySpecs: [keyAt(1, 'OW', 'insert')],
    summary: 'Sets a key only when it does not exist yet.', since: '1.0.0', group: 'string', complexity: 'O(1)', handler: setnx,
  },
  {
    name: 'setex', arity: 4, flags: ['write', 'denyoom'], acl: [...STRING_WRITE, 'slow'],
    keySpecs: [keyAt(1, 'OW', 'update')],
    summary: 'Sets a key and a time to live in seconds.', since: '2.0.0', group: 'string', complexity: 'O(1)', handler: setex,
  },
  {
    name: 'psetex', arity: 4, flags: ['write', 'denyoom'], acl: [...STRING_WRITE, 'slow'],
    keySpecs: [keyAt(1, 'OW', 'update')],
    summary: 'Sets a key and a time to live in milliseconds.', since: '2.6.0', group: 'string', complexity: 'O(1)', handler: psetex,
  },
  {
    name: 'getex', arity: -2, flags: ['write', 'fast'], acl: [...STRING_WRITE, 'fast'],
    keySpecs: [{ ...keyAt(1, 'RW', 'access', 'update'), notes: 'RW and UPDATE because it changes the TTL' }],
    summary: 'Returns a string value and optionally changes or removes its expiry.', since: '6.2.0', group: 'string',
    complexity: 'O(1)', handler: getex,
  },
  {
    name: 'getdel', arity: 2, flags: ['write', 'fast'], acl: [...STRING_WRITE, 'fast'],
    keySpecs: [keyAt(1, 'RW', 'access', 'delete')],
    summary: 'Returns a string value and removes the key.', since: '6.2.0', group: 'string', complexity: 'O(1)', handler: getdel,
  },
  {
    name: 'getset', arity: 3, flags: ['write', 'denyoom', 'fast'], acl: [...STRING_WRITE, 'fast'],
    keySpecs: [keyAt(1, 'RW', 'access', 'update')],
    summary: 'Replaces a string value and returns the previous one (superseded by SET GET).', since: '1.0.0',
    group: 'string', complexity: 'O(1)', handler: getset,
  },
  {
    name: 'mget', arity: -2, flags: ['readonly', 'fast'], acl: [...STRING_READ, 'fast'],
    keySpecs: [keysFrom(1, 1, ['RO', 'access'])], tips: ['request_policy:multi_shard'],
    summary: 'Returns the values of several keys.', since: '1.0.0', group: 'string',
    complexity: 'O(N), N = keys', handler: mget,
  },
  {
    name: 'mset', arity: -3, flags: ['write', 'denyoom'], acl: [...STRING_WRITE, 'slow'],
    keySpecs: [keysFrom(1, 2, ['OW', 'update'])], tips: ['request_policy:multi_shard', 'response_policy:all_succeeded'],
    summary: 'Sets several keys at once.', since: '1.0.1', group: 'string',
    complexity: 'O(N), N = keys', handler: mset,
  },
  {
    name: 'msetnx', arity: -3, flags: ['write', 'denyoom'], acl: [...STRING_WRITE, 'slow'],
    keySpecs: [keysFrom(1, 2, ['OW', 'insert'])], tips: ['request_policy:multi_shard', 'response_policy:agg_min'],
    summary: 'Sets several keys at once, only when none of them exists.', since: '1.0.1', group: 'string',
    complexity: 'O(N), N = keys', handler: msetnx,
  },
  {
    name: 'append', arity: 3, flags: ['write', 'denyoom', 'fast'], acl: [...STRING_WRITE, 'fast'],
    keySpecs: [keyAt(1, 'RW', 'insert')],
    summary: 'Adds bytes at the end of a string value, creating it when missing.', since: '2.0.0', group: 'string',
    complexity: 'O(1)', handler: append,
  },
  {
    name: 'strlen', arity: 2, flags: ['readonly', 'fast'], acl: [...STRING_READ, 'fast'],
    keySpecs: [keyAt(1, 'RO')],
    summary: 'Returns the length of a string value in bytes.', since: '2.2.0', group: 'string', complexity: 'O(1)', handler: strlen,
  },
  {
    name: 'setrange', arity: 4, flags: ['write', 'denyoom'], acl: [...STRING_WRITE, 'slow'],
    keySpecs: [keyAt(1, 'RW', 'update')],
    summary: 'Overwrites part of a string value at an offset, zero-padding as needed.', since: '2.2.0', group: 'string',
    complexity: 'O(1) plus copying the written bytes', handler: setrange,
  },
  {
    name: 'getrange', arity: 4, flags: ['readonly'], acl: [...STRING_READ, 'slow'],
    keySpecs: [keyAt(1, 'RO', 'access')],
    summary: 'Returns a substring of a string value.', since: '2.4.0', group: 'string',
    complexity: 'O(N), N = length of the reply', handler: getrange,
  },
  {
    name: 'substr', arity: 4, flags: ['readonly'], acl: [...STRING_READ, 'slow'],
    keySpecs: [keyAt(1, 'RO', 'access')],
    summary: 'Returns a substring of a string value (the old name of GETRANGE).', since: '1.0.0', group: 'string',
    complexity: 'O(N), N = length of the reply', handler: getrange,
  },
  {
    name: 'incr', arity: 2, flags: ['write', 'denyoom', 'fast'], acl: [...STRING_WRITE, 'fast'],
    keySpecs: [keyAt(1, 'RW', 'access', 'update')],
    summary: 'Adds one to the integer held at a key.', since: '1.0.0', group: 'string', complexity: 'O(1)', handler: incr,
  },
  {
    name: 'decr', arity: 2, flags: ['write', 'denyoom', 'fast'], acl: [...STRING_WRITE, 'fast'],
    keySpecs: [keyAt(1, 'RW', 'access', 'update')],
    summary: 'Subtracts one from the integer held at a key.', since: '1.0.0', group: 'string', complexity: 'O(1)', handler: decr,
  },
  {
    name: 'incrby', arity: 3, flags: ['write', 'denyoom', 'fast'], acl: [...STRING_WRITE, 'fast'],
    keySpecs: [keyAt(1, 'RW', 'access', 'update')],
    summary: 'Adds an integer to the integer held at a key.', since: '1.0.0', group: 'string', complexity: 'O(1)', handler: incrby,
  },
  {
    name: 'decrby', arity: 3, flags: ['write', 'denyoom', 'fast'], acl: [...STRING_WRITE, 'fast'],
    keySpecs: [keyAt(1, 'RW', 'access', 'update')],
    summary: 'Subtracts an integer from the integer held at a key.', since: '1.0.0', group: 'string', complexity: 'O(1)', handler: decrby,
  },
  {
    name: 'incrbyfloat', arity: 3, flags: ['write', 'denyoom', 'fast'], acl: [...STRING_WRITE, 'fast'],
    keySpecs: [keyAt(1, 'RW', 'access', 'update')],
    summary: 'Adds a floating point number to the number held at a key.', since: '2.6.0', group: 'string',
    complexity: 'O(1)', handler: incrbyfloat,
  },
  {
    name: 'lcs', arity: -3, flags: ['readonly'], acl: [...STRING_READ, 'slow'],
    keySpecs: [keysFrom(1, 1, ['RO', 'access'], 1)],
    summary: 'Finds the longest common subsequence of two string values.', since: '7.0.0', group: 'string',
    complexity: 'O(N*M), N and M = lengths of the two strings', handler: lcs,
  },
];
