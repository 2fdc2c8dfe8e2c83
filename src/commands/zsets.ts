// Sorted-set commands, with Redis 7.0's t_zset.c semantics: ZADD, ZINCRBY, ZREM, ZCARD, ZSCORE,
// ZMSCORE, ZRANK, ZREVRANK, ZCOUNT, ZLEXCOUNT, ZRANGE and its legacy forms, ZRANGESTORE,
// ZREMRANGEBY*, ZUNION/ZINTER/ZDIFF (+STORE), ZINTERCARD, ZPOPMIN/ZPOPMAX, ZMPOP, ZRANDMEMBER,
// ZSCAN. Encodings (listpack / skiplist) convert at the same moments as Redis's
// (store/types/zset.ts holds both).

import { timeoutArg, type KeyWaiter } from './blocking.js';
import type { CommandContext } from './context.js';
import { ERR_NOT_INTEGER, ERR_SYNTAX, isKeyword } from './errors.js';
import { randomCountWithPairsArgs } from './random-count.js';
import { keyScan } from './scan-options.js';
import { keyAt, keysFrom, type CommandSpec, type KeySpec, type KeySpecFlag } from './types.js';
import { NOTIFY_GENERIC, NOTIFY_ZSET } from '../config/keyspace-events.js';
import {
  NONE, ZSetValue, type LexRange, type ScoreRange,
} from '../store/types/zset.js';
import type { SetValue } from '../store/types/set.js';
import { lexGteMin, lexLteMax, scoreGteMin, scoreLteMax } from '../store/types/zset-tree.js';
import type { RedisValue } from '../store/values.js';
import { parseInt64 } from '../util/numbers.js';
import { cStrtod, parseStrictDouble, strtodEnd } from '../util/strtod.js';
import { lookupKind, refuseValue } from './typed-lookup.js';

const ERR_NOT_FLOAT = 'ERR value is not a valid float';
const ERR_NAN = 'ERR resulting score is not a number (NaN)';
const ERR_MINMAX_FLOAT = 'ERR min or max is not a float';
const ERR_MINMAX_LEX = 'ERR min or max not valid string range item';
const ERR_MUST_BE_POSITIVE = 'ERR value is out of range, must be positive';

/** C's LONG_MAX / 2: the WITHSCORES bound on ZRANDMEMBER's count. */
/** ZRANDMEMBER_SUB_STRATEGY_MUL. */
const SUB_STRATEGY_MUL = 3;
/** A single reply may not grow past this (a runaway ZRANDMEMBER -<huge>): the client is cut. */
const MAX_REPLY_BYTES = 512 * 1024 * 1024;
const REPLY_CHECK_EVERY = 1024;

// ------------------------------------------------------------------------------------ helpers

export function isZset(value: RedisValue): value is ZSetValue {
  return typeof value !== 'string' && value.kind === 'zset';
}

/** The sorted set at `key` for reading; undefined when missing, null after a WRONGTYPE reply. */
export function zsetForRead(ctx: CommandContext, key: string): ZSetValue | undefined | null {
  return lookupKind(ctx, key, 'zset', false);
}

/** The same for a write (lookupKeyWrite: no hit/miss accounting). */
export function zsetForWrite(ctx: CommandContext, key: string): ZSetValue | undefined | null {
  return lookupKind(ctx, key, 'zset', true);
}

export function maxListpackEntries(ctx: CommandContext): number {
  return ctx.server.config.live.zsetMaxListpackEntries;
}

export function maxListpackValueBytes(ctx: CommandContext): number {
  return ctx.server.config.live.zsetMaxListpackValueBytes;
}

/** A new sorted set for a first member, in the encoding ZADD would create. */
export function newZsetFor(ctx: CommandContext, firstMember: string): ZSetValue {
  return new ZSetValue(maxListpackEntries(ctx) === 0 || maxListpackValueBytes(ctx) < firstMember.length);
}

/**
 * zsetAdd for a member known to be absent: converts a listpack that would outgrow its limits
 * first, as Redis does before zzlInsert.
 */
export function zsetInsertNew(ctx: CommandContext, zset: ZSetValue, member: string, score: number): void {
  if (zset.isListpack && !zset.fitsListpackWith(member, maxListpackEntries(ctx), maxListpackValueBytes(ctx))) zset.convertToTree();
  zset.insert(member, score);
}

function afterWrite(ctx: CommandContext, key: string, event: string, changes: number): void {
  ctx.server.events.signalModifiedKey(ctx.db, key);
  ctx.server.events.notify(NOTIFY_ZSET, event, key, ctx.db.id);
  if (changes > 0) ctx.markDirty(changes);
}

/** Deletes an emptied key with its "del" event. */
function deleteEmptied(ctx: CommandContext, key: string): void {
  ctx.db.delete(key);
  ctx.server.events.notify(NOTIFY_GENERIC, 'del', key, ctx.db.id);
}

/** A C long argument (getLongFromObjectOrReply); null after the error reply. */
function longArg(ctx: CommandContext, text: string, error = ERR_NOT_INTEGER): number | null {
  const v = parseInt64(text);
  if (v === null) {
    ctx.reply.error(error);
    return null;
  }
  return typeof v === 'bigint' ? Number(v) : v;
}

/** getRangeLongFromObjectOrReply with Redis's message for both failures. */
function rangedLongArg(ctx: CommandContext, text: string, min: number, max: number, error: string): number | null {
  const v = parseInt64(text);
  if (v === null) {
    ctx.reply.error(error);
    return null;
  }
  const n = typeof v === 'bigint' ? Number(v) : v;
  if (n < min || n > max) {
    ctx.reply.error(error);
    return null;
  }
  return n;
}

/** A score bound as zslParseRange reads it: strtod, '(' for exclusive, NaN refused. */
function parseScoreBound(text: string, range: ScoreRange, isMin: boolean): boolean {
  const exclusive = text.charCodeAt(0) === 40; // '('
  const start = exclusive ? 1 : 0;
  const value = cStrtod(text, start);
  // The C string ends at the first NUL byte.
  if ((strtodEnd !== text.length && text.charCodeAt(strtodEnd) !== 0) || Number.isNaN(value)) return false;
  if (isMin) {
    range.min = value;
    range.minExclusive = exclusive;
  } else {
    range.max = value;
    range.maxExclusive = exclusive;
  }
  return true;
}

export function parseScoreRange(minText: string, maxText: string): ScoreRange | null {
  const range: ScoreRange = { min: 0, max: 0, minExclusive: false, maxExclusive: false };
  return parseScoreBound(minText, range, true) && parseScoreBound(maxText, range, false) ? range : null;
}

/** zslParseLexRangeItem for one bound; false when invalid. */
function parseLexBound(text: string, range: LexRange, isMin: boolean): boolean {
  const c = text.charCodeAt(0);
  let value = '';
  let inf = 0;
  let exclusive: boolean;
  // A C string: "+" / "-" must end right there (a NUL byte ends it too).
  const alone = text.length === 1 || text.charCodeAt(1) === 0;
  if (c === 43) {
    if (!alone) return false;
    inf = 1;
    exclusive = true;
  } else if (c === 45) {
    if (!alone) return false;
    inf = -1;
    exclusive = true;
  } else if (c === 40 || c === 91) {
    value = text.slice(1);
    exclusive = c === 40;
  } else {
    return false;
  }
  if (isMin) {
    range.min = value;
    range.minInf = inf;
    range.minExclusive = exclusive;
  } else {
    range.max = value;
    range.maxInf = inf;
    range.maxExclusive = exclusive;
  }
  return true;
}

export function parseLexRange(minText: string, maxText: string): LexRange | null {
  const range: LexRange = { min: '', max: '', minInf: 0, maxInf: 0, minExclusive: false, maxExclusive: false };
  return parseLexBound(minText, range, true) && parseLexBound(maxText, range, false) ? range : null;
}

/** One element of a reply: [member, score] nested in RESP3 when with scores. */
function replyElement(ctx: CommandContext, member: string, score: number, withScores: boolean): void {
  const r = ctx.reply;
  if (withScores && r.resp === 3) r.arrayLength(2);
  r.bulk(member);
  if (withScores) r.double(score);
}

/** The header of a reply of `count` elements: pairs flattened in RESP2. */
function replyElementsHeader(ctx: CommandContext, count: number, withScores: boolean): void {
  ctx.reply.arrayLength(withScores && ctx.reply.resp === 2 ? count * 2 : count);
}

// ------------------------------------------------------------------------------- ZADD / ZINCRBY

const OUT_NOP = 0;
const OUT_PROCESSED = 1;
const OUT_UPDATED = 2;
const OUT_ADDED = 3;
const OUT_NAN = 4;

/** The score zsetAdd settled on (its *newscore), valid after a call that processed. */
let resultScore = 0;

/** zsetAdd; returns one of the OUT_ codes. */
function zsetAdd(
  ctx: CommandContext, zset: ZSetValue, inScore: number, member: string,
  incr: boolean, nx: boolean, xx: boolean, gt: boolean, lt: boolean,
): number {
  let score = inScore;
  const pos = zset.find(member);
  if (pos !== NONE) {
    if (nx) return OUT_NOP;
    const current = zset.scoreAt(pos);
    if (incr) {
      score += current;
      if (Number.isNaN(score)) return OUT_NAN;
    }
    if ((lt && score >= current) || (gt && score <= current)) return OUT_NOP;
    resultScore = score;
    if (score !== current) {
      zset.setScore(pos, member, score);
      return OUT_UPDATED;
    }
    return OUT_PROCESSED;
  }
  if (xx) return OUT_NOP;
  zsetInsertNew(ctx, zset, member, score);
  resultScore = score;
  return OUT_ADDED;
}

/** Where ZADD keeps parsed scores (grown as needed, never shrunk: one array for every call). */
let scoreScratch = new Float64Array(16);

/**
 * zaddGenericCommand. `knownScores` holds the pairs' scores when the caller computed them
 * (GEOADD), so the score arguments are not parsed again.
 */
function zaddGeneric(ctx: CommandContext, argv: string[], incrCommand: boolean, knownScores: Float64Array | null): void {
  let nx = false;
  let xx = false;
  let ch = false;
  let incr = incrCommand;
  let gt = false;
  let lt = false;
  let scoreIdx = 2;
  for (; scoreIdx < argv.length; scoreIdx++) {
    const opt = argv[scoreIdx];
    if (isKeyword(opt, 'NX')) nx = true;
    else if (isKeyword(opt, 'XX')) xx = true;
    else if (isKeyword(opt, 'CH')) ch = true;
    else if (isKeyword(opt, 'INCR')) incr = true;
    else if (isKeyword(opt, 'GT')) gt = true;
    else if (isKeyword(opt, 'LT')) lt = true;
    else break;
  }
  const elementArgs = argv.length - scoreIdx;
  if (elementArgs % 2 !== 0 || elementArgs === 0) {
    ctx.reply.error(ERR_SYNTAX);
    return;
  }
  const pairs = elementArgs / 2;
  if (nx && xx) {
    ctx.reply.error('ERR XX and NX options at the same time are not compatible');
    return;
  }
  if ((gt && nx) || (lt && nx) || (gt && lt)) {
    ctx.reply.error('ERR GT, LT, and/or NX options at the same time are not compatible');
    return;
  }
  if (incr && pairs > 1) {
    ctx.reply.error('ERR INCR option supports a single increment-element pair');
    return;
  }
  // Every score is checked before anything changes: the command applies fully or not at all.
  let scores = knownScores;
  if (scores === null) {
    if (scoreScratch.length < pairs) scoreScratch = new Float64Array(Math.max(pairs, scoreScratch.length * 2));
    scores = scoreScratch;
    for (let j = 0; j < pairs; j++) {
      const score = parseStrictDouble(argv[scoreIdx + j * 2]);
      if (score === null) {
        ctx.reply.error(ERR_NOT_FLOAT);
        return;
      }
      scores[j] = score;
    }
  }
  const key = argv[1];
  let zset = zsetForWrite(ctx, key);
  if (zset === null) return;
  let added = 0;
  let updated = 0;
  let processed = 0;
  let score = 0;
  if (zset === undefined && !xx) {
    zset = newZsetFor(ctx, argv[scoreIdx + 1]);
    ctx.db.set(key, zset);
  }
  if (zset !== undefined) {
    for (let j = 0; j < pairs; j++) {
      const out = zsetAdd(ctx, zset, scores[j], argv[scoreIdx + 1 + j * 2], incr, nx, xx, gt, lt);
      if (out === OUT_NAN) {
        ctx.reply.error(ERR_NAN);
        return;
      }
      if (out === OUT_ADDED) added++;
      else if (out === OUT_UPDATED) updated++;
      if (out !== OUT_NOP) {
        processed++;
        score = resultScore;
      }
    }
  }
  if (incr) {
    if (processed > 0) ctx.reply.double(score);
    else ctx.reply.nullBulk();
  } else {
    ctx.reply.integer(ch ? added + updated : added);
  }
  if (added + updated > 0) afterWrite(ctx, key, incr ? 'zincr' : 'zadd', added + updated);
}

function zadd(ctx: CommandContext, argv: string[]): void {
  zaddGeneric(ctx, argv, false, null);
}

/** ZADD on an argument vector built by another command (GEOADD), with the scores it holds. */
export function zaddWithScores(ctx: CommandContext, argv: string[], scores: Float64Array): void {
  zaddGeneric(ctx, argv, false, scores);
}

function zincrby(ctx: CommandContext, argv: string[]): void {
  zaddGeneric(ctx, argv, true, null);
}

// ------------------------------------------------------------------------------ removals

function zrem(ctx: CommandContext, argv: string[]): void {
  const key = argv[1];
  const zset = zsetForWrite(ctx, key);
  if (zset === null) return;
  if (zset === undefined) {
    ctx.reply.integer(0);
    return;
  }
  let deleted = 0;
  let keyRemoved = false;
  for (let j = 2; j < argv.length; j++) {
    if (zset.remove(argv[j])) deleted++;
    if (zset.length === 0) {
      ctx.db.delete(key);
      keyRemoved = true;
      break;
    }
  }
  if (deleted > 0) {
    ctx.server.events.notify(NOTIFY_ZSET, 'zrem', key, ctx.db.id);
    if (keyRemoved) ctx.server.events.notify(NOTIFY_GENERIC, 'del', key, ctx.db.id);
    ctx.server.events.signalModifiedKey(ctx.db, key);
    ctx.markDirty(deleted);
  }
  ctx.reply.integer(deleted);
}

const BY_RANK = 0;
const BY_SCORE = 1;
const BY_LEX = 2;

function zremrangeGeneric(ctx: CommandContext, argv: string[], rangeType: number): void {
  const key = argv[1];
  let start = 0;
  let end = 0;
  let scoreRange: ScoreRange | null = null;
  let lexRange: LexRange | null = null;
  let event: string;
  if (rangeType === BY_RANK) {
    event = 'zremrangebyrank';
    const s = longArg(ctx, argv[2]);
    if (s === null) return;
    const e = longArg(ctx, argv[3]);
    if (e === null) return;
    start = s;
    end = e;
  } else if (rangeType === BY_SCORE) {
    event = 'zremrangebyscore';
    scoreRange = parseScoreRange(argv[2], argv[3]);
    if (scoreRange === null) {
      ctx.reply.error(ERR_MINMAX_FLOAT);
      return;
    }
  } else {
    event = 'zremrangebylex';
    lexRange = parseLexRange(argv[2], argv[3]);
    if (lexRange === null) {
      ctx.reply.error(ERR_MINMAX_LEX);
      return;
    }
  }
  const zset = zsetForWrite(ctx, key);
  if (zset === null) return;
  if (zset === undefined) {
    ctx.reply.integer(0);
    return;
  }
  let deleted = 0;
  if (rangeType === BY_RANK) {
    const length = zset.length;
    if (start < 0) start += length;
    if (end < 0) end += length;
    if (start < 0) start = 0;
    if (start > end || start >= length) {
      ctx.reply.integer(0);
      return;
    }
    if (end >= length) end = length - 1;
    zset.removeRankRange(start, end);
    deleted = end - start + 1;
  } else if (scoreRange !== null) {
    const first = zset.firstInScoreRange(scoreRange);
    if (first !== NONE) deleted = zset.removeFrom(first, false, scoreRange);
  } else if (lexRange !== null) {
    const first = zset.firstInLexRange(lexRange);
    if (first !== NONE) deleted = zset.removeFrom(first, true, lexRange);
  }
  const keyRemoved = zset.length === 0;
  if (keyRemoved) ctx.db.delete(key);
  if (deleted > 0) {
    ctx.server.events.signalModifiedKey(ctx.db, key);
    ctx.server.events.notify(NOTIFY_ZSET, event, key, ctx.db.id);
    if (keyRemoved) ctx.server.events.notify(NOTIFY_GENERIC, 'del', key, ctx.db.id);
    ctx.markDirty(deleted);
  }
  ctx.reply.integer(deleted);
}

function zremrangebyrank(ctx: CommandContext, argv: string[]): void {
  zremrangeGeneric(ctx, argv, BY_RANK);
}

function zremrangebyscore(ctx: CommandContext, argv: string[]): void {
  zremrangeGeneric(ctx, argv, BY_SCORE);
}

function zremrangebylex(ctx: CommandContext, argv: string[]): void {
  zremrangeGeneric(ctx, argv, BY_LEX);
}

// ------------------------------------------------------------------------------- simple reads

function zcard(ctx: CommandContext, argv: string[]): void {
  const zset = zsetForRead(ctx, argv[1]);
  if (zset === null) return;
  ctx.reply.integer(zset === undefined ? 0 : zset.length);
}

function zscore(ctx: CommandContext, argv: string[]): void {
  const zset = zsetForRead(ctx, argv[1]);
  if (zset === null) return;
  const pos = zset === undefined ? NONE : zset.find(argv[2]);
  if (zset === undefined || pos === NONE) ctx.reply.nullBulk();
  else ctx.reply.double(zset.scoreAt(pos));
}

function zmscore(ctx: CommandContext, argv: string[]): void {
  const zset = zsetForRead(ctx, argv[1]);
  if (zset === null) return;
  ctx.reply.arrayLength(argv.length - 2);
  for (let j = 2; j < argv.length; j++) {
    const pos = zset === undefined ? NONE : zset.find(argv[j]);
    if (zset === undefined || pos === NONE) ctx.reply.nullBulk();
    else ctx.reply.double(zset.scoreAt(pos));
  }
}

function zrankGeneric(ctx: CommandContext, argv: string[], reverse: boolean): void {
  const zset = zsetForRead(ctx, argv[1]);
  if (zset === null) return;
  const pos = zset === undefined ? NONE : zset.find(argv[2]);
  if (zset === undefined || pos === NONE) {
    ctx.reply.nullBulk();
    return;
  }
  const rank = zset.rankOf(pos);
  ctx.reply.integer(reverse ? zset.length - 1 - rank : rank);
}

function zrank(ctx: CommandContext, argv: string[]): void {
  zrankGeneric(ctx, argv, false);
}

function zrevrank(ctx: CommandContext, argv: string[]): void {
  zrankGeneric(ctx, argv, true);
}

/** Elements from `first` to `last` (positions in range, or NONE), counted by rank. */
function countBetween(zset: ZSetValue, first: number, last: number): number {
  if (first === NONE || last === NONE) return 0;
  return zset.rankOf(last) - zset.rankOf(first) + 1;
}

function zcount(ctx: CommandContext, argv: string[]): void {
  const range = parseScoreRange(argv[2], argv[3]);
  if (range === null) {
    ctx.reply.error(ERR_MINMAX_FLOAT);
    return;
  }
  const zset = zsetForRead(ctx, argv[1]);
  if (zset === null) return;
  if (zset === undefined) {
    ctx.reply.integer(0);
    return;
  }
  const first = zset.firstInScoreRange(range);
  if (zset.isListpack) {
    let count = 0;
    for (let p = first; p !== NONE && scoreLteMax(zset.scoreAt(p), range); p = zset.next(p)) count++;
    ctx.reply.integer(count);
    return;
  }
  ctx.reply.integer(first === NONE ? 0 : countBetween(zset, first, zset.lastInScoreRange(range)));
}

function zlexcount(ctx: CommandContext, argv: string[]): void {
  const range = parseLexRange(argv[2], argv[3]);
  if (range === null) {
    ctx.reply.error(ERR_MINMAX_LEX);
    return;
  }
  const zset = zsetForRead(ctx, argv[1]);
  if (zset === null) return;
  if (zset === undefined) {
    ctx.reply.integer(0);
    return;
  }
  const first = zset.firstInLexRange(range);
  if (zset.isListpack) {
    let count = 0;
    for (let p = first; p !== NONE && lexLteMax(zset.memberAt(p), range); p = zset.next(p)) count++;
    ctx.reply.integer(count);
    return;
  }
  if (first === NONE) {
    ctx.reply.integer(0);
    return;
  }
  // zlexcountCommand: the count from the two ranks, the last one found on its own.
  const length = zset.length;
  let count = length - zset.rankOf(first);
  const last = zset.lastInLexRange(range);
  if (last !== NONE) count -= length - 1 - zset.rankOf(last);
  ctx.reply.integer(count);
}

// ------------------------------------------------------------------------------------ ZRANGE

/**
 * Where a range's elements go: the client (an array, pairs nested in RESP3 with scores) or a
 * new sorted set for ZRANGESTORE (zrange_result_handler's two implementations).
 */
class RangeSink {
  /** ZRANGESTORE's destination, created by begin(). */
  target: ZSetValue | null = null;

  constructor(
    private readonly ctx: CommandContext,
    readonly store: boolean,
    readonly withScores: boolean,
  ) {}

  /** `count` elements follow (-1: unknown, only for a store). */
  begin(count: number): void {
    if (this.store) {
      this.target = new ZSetValue(count > maxListpackEntries(this.ctx));
      return;
    }
    replyElementsHeader(this.ctx, count, this.withScores);
  }

  emit(member: string, score: number): void {
    if (this.target !== null) zsetInsertNew(this.ctx, this.target, member, score);
    else replyElement(this.ctx, member, score, this.withScores);
  }

  /** zrangeResultFinalizeStore: stores a non-empty result, else deletes the destination. */
  finishStore(dstKey: string, count: number): void {
    const ctx = this.ctx;
    if (count > 0 && this.target !== null) {
      storeResult(ctx, dstKey, this.target);
      ctx.reply.integer(count);
      ctx.server.events.notify(NOTIFY_ZSET, 'zrangestore', dstKey, ctx.db.id);
      ctx.markDirty();
      return;
    }
    ctx.reply.integer(0);
    deleteDestination(ctx, dstKey);
  }
}

/** setKey: the destination replaced (expired first, its TTL dropped), watchers told. */
function storeResult(ctx: CommandContext, dstKey: string, value: ZSetValue): void {
  ctx.db.expireForWrite(dstKey);
  ctx.db.set(dstKey, value);
  ctx.server.events.signalModifiedKey(ctx.db, dstKey);
}

/** An empty result removes the destination, with "del" when it existed. */
function deleteDestination(ctx: CommandContext, dstKey: string): void {
  if (ctx.db.delete(dstKey)) {
    ctx.server.events.signalModifiedKey(ctx.db, dstKey);
    ctx.server.events.notify(NOTIFY_GENERIC, 'del', dstKey, ctx.db.id);
    ctx.markDirty();
  }
}

function rangeByRank(sink: RangeSink, zset: ZSetValue, startArg: number, endArg: number, reverse: boolean): number {
  const length = zset.length;
  let start = startArg;
  let end = endArg;
  if (start < 0) start += length;
  if (end < 0) end += length;
  if (start < 0) start = 0;
  if (start > end || start >= length) {
    sink.begin(0);
    return 0;
  }
  if (end >= length) end = length - 1;
  const count = end - start + 1;
  sink.begin(count);
  let p = zset.atRank(reverse ? length - 1 - start : start);
  for (let i = 0; i < count && p !== NONE; i++) {
    sink.emit(zset.memberAt(p), zset.scoreAt(p));
    p = reverse ? zset.prev(p) : zset.next(p);
  }
  return count;
}

/** Still inside the range when walking in this direction (the far bound is the one checked). */
function stillInRange(zset: ZSetValue, p: number, lex: boolean, range: ScoreRange | LexRange, reverse: boolean): boolean {
  if (lex) {
    const member = zset.memberAt(p);
    return reverse ? lexGteMin(member, range as LexRange) : lexLteMax(member, range as LexRange);
  }
  const score = zset.scoreAt(p);
  return reverse ? scoreGteMin(score, range as ScoreRange) : scoreLteMax(score, range as ScoreRange);
}

/**
 * genericZrangebyscoreCommand / genericZrangebylexCommand: from the first (last, reversed)
 * element in range, skip `offset`, then up to `limit` (negative: all) while in range.
 */
function rangeByValue(
  sink: RangeSink, zset: ZSetValue, lex: boolean, range: ScoreRange | LexRange,
  offset: number, limit: number, reverse: boolean,
): number {
  let start: number;
  if (lex) start = reverse ? zset.lastInLexRange(range as LexRange) : zset.firstInLexRange(range as LexRange);
  else start = reverse ? zset.lastInScoreRange(range as ScoreRange) : zset.firstInScoreRange(range as ScoreRange);
  // Redis's `while (offset--)` with a negative offset walks off the end: nothing is returned.
  if (offset < 0) start = NONE;
  if (start !== NONE && offset > 0) {
    if (zset.isListpack) {
      for (let i = 0; i < offset && start !== NONE; i++) start = reverse ? zset.prev(start) : zset.next(start);
    } else {
      const rank = zset.rankOf(start) + (reverse ? -offset : offset);
      start = rank < 0 || rank >= zset.length ? NONE : zset.atRank(rank);
    }
  }
  // The reply's length comes first: count, then walk again emitting.
  let count = 0;
  if (sink.store) {
    sink.begin(-1);
  } else {
    for (let p = start; p !== NONE && (limit < 0 || count < limit) && stillInRange(zset, p, lex, range, reverse);) {
      count++;
      p = reverse ? zset.prev(p) : zset.next(p);
    }
    sink.begin(count);
  }
  let emitted = 0;
  for (let p = start; p !== NONE && (limit < 0 || emitted < limit);) {
    if (sink.store ? !stillInRange(zset, p, lex, range, reverse) : emitted === count) break;
    sink.emit(zset.memberAt(p), zset.scoreAt(p));
    emitted++;
    p = reverse ? zset.prev(p) : zset.next(p);
  }
  return emitted;
}

/**
 * zrangeGenericCommand: ZRANGE, ZRANGESTORE and the legacy forms. `srcIdx` is the source key's
 * argument; `rangeType`/`reverse` are fixed by the legacy commands, null when options decide.
 */
function zrangeGeneric(ctx: CommandContext, argv: string[], srcIdx: number, store: boolean, fixedType: number | null, fixedReverse: boolean | null): void {
  let rangeType = fixedType;
  let reverse = fixedReverse;
  let withScores = false;
  let offset = 0;
  let limit = -1;
  for (let j = srcIdx + 3; j < argv.length; j++) {
    const left = argv.length - j - 1;
    const opt = argv[j];
    if (!store && isKeyword(opt, 'WITHSCORES')) {
      withScores = true;
    } else if (isKeyword(opt, 'LIMIT') && left >= 2) {
      const o = longArg(ctx, argv[j + 1]);
      if (o === null) return;
      const l = longArg(ctx, argv[j + 2]);
      if (l === null) return;
      offset = o;
      limit = l;
      j += 2;
    } else if (reverse === null && isKeyword(opt, 'REV')) {
      reverse = true;
    } else if (rangeType === null && isKeyword(opt, 'BYLEX')) {
      rangeType = BY_LEX;
    } else if (rangeType === null && isKeyword(opt, 'BYSCORE')) {
      rangeType = BY_SCORE;
    } else {
      ctx.reply.error(ERR_SYNTAX);
      return;
    }
  }
  // Redis tells "no LIMIT" by the count -1, so "LIMIT 0 -1" passes with a rank range.
  const limitGiven = limit !== -1;
  const type = rangeType ?? BY_RANK;
  const rev = reverse ?? false;
  if (limitGiven && type === BY_RANK) {
    ctx.reply.error('ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX');
    return;
  }
  if (withScores && type === BY_LEX) {
    ctx.reply.error('ERR syntax error, WITHSCORES not supported in combination with BYLEX');
    return;
  }
  // Reversed score and lex ranges are given as max, min.
  let minIdx = srcIdx + 1;
  let maxIdx = srcIdx + 2;
  if (rev && type !== BY_RANK) {
    minIdx = srcIdx + 2;
    maxIdx = srcIdx + 1;
  }
  let start = 0;
  let end = 0;
  let scoreRange: ScoreRange | null = null;
  let lexRange: LexRange | null = null;
  if (type === BY_RANK) {
    const s = longArg(ctx, argv[minIdx]);
    if (s === null) return;
    const e = longArg(ctx, argv[maxIdx]);
    if (e === null) return;
    start = s;
    end = e;
  } else if (type === BY_SCORE) {
    scoreRange = parseScoreRange(argv[minIdx], argv[maxIdx]);
    if (scoreRange === null) {
      ctx.reply.error(ERR_MINMAX_FLOAT);
      return;
    }
  } else {
    lexRange = parseLexRange(argv[minIdx], argv[maxIdx]);
    if (lexRange === null) {
      ctx.reply.error(ERR_MINMAX_LEX);
      return;
    }
  }
  const sink = new RangeSink(ctx, store, withScores || store);
  const value = ctx.db.lookupRead(argv[srcIdx]);
  if (value === undefined) {
    if (store) sink.finishStore(argv[1], 0);
    else ctx.reply.arrayLength(0);
    return;
  }
  if (!isZset(value)) {
    refuseValue(ctx, argv[srcIdx], value, 'zset');
    return;
  }
  let count: number;
  if (type === BY_RANK) count = rangeByRank(sink, value, start, end, rev);
  else if (scoreRange !== null) count = rangeByValue(sink, value, false, scoreRange, offset, limit, rev);
  else count = rangeByValue(sink, value, true, lexRange as LexRange, offset, limit, rev);
  if (store) sink.finishStore(argv[1], count);
}

function zrange(ctx: CommandContext, argv: string[]): void {
  zrangeGeneric(ctx, argv, 1, false, null, null);
}

function zrangestore(ctx: CommandContext, argv: string[]): void {
  zrangeGeneric(ctx, argv, 2, true, null, null);
}

function zrevrange(ctx: CommandContext, argv: string[]): void {
  zrangeGeneric(ctx, argv, 1, false, BY_RANK, true);
}

function zrangebyscore(ctx: CommandContext, argv: string[]): void {
  zrangeGeneric(ctx, argv, 1, false, BY_SCORE, false);
}

function zrevrangebyscore(ctx: CommandContext, argv: string[]): void {
  zrangeGeneric(ctx, argv, 1, false, BY_SCORE, true);
}

function zrangebylex(ctx: CommandContext, argv: string[]): void {
  zrangeGeneric(ctx, argv, 1, false, BY_LEX, false);
}

function zrevrangebylex(ctx: CommandContext, argv: string[]): void {
  zrangeGeneric(ctx, argv, 1, false, BY_LEX, true);
}

// ----------------------------------------------------------------- ZUNION / ZINTER / ZDIFF

const OP_UNION = 0;
const OP_INTER = 1;
const OP_DIFF = 2;

const AGGR_SUM = 0;
const AGGR_MIN = 1;
const AGGR_MAX = 2;

/** What a set operation reads of an input (zuiNext/zuiFind): positions, members, scores. */
interface ScoredInput {
  readonly length: number;
  first(): number;
  next(pos: number): number;
  memberAt(pos: number): string;
  scoreAt(pos: number): number;
  find(member: string): number;
}

function isPlainSet(value: RedisValue): value is SetValue {
  return typeof value !== 'string' && value.kind === 'set';
}

/** A plain set as an input: every member scores 1, as zuiNext/zuiFind give it (positions 1..n). */
class SetInput implements ScoredInput {
  constructor(readonly set: SetValue) {}
  get length(): number {
    return this.set.size;
  }
  first(): number {
    return this.set.size > 0 ? 1 : NONE;
  }
  next(pos: number): number {
    return pos < this.set.size ? pos + 1 : NONE;
  }
  memberAt(pos: number): string {
    return this.set.memberAt(pos - 1);
  }
  scoreAt(): number {
    return 1;
  }
  find(member: string): number {
    return this.set.has(member) ? 1 : NONE;
  }
}

/** One input of a set operation (zsetopsrc): a sorted set or set (or nothing) and its weight. */
interface OpSource {
  value: ScoredInput | null;
  weight: number;
}

function sourceLength(src: OpSource): number {
  return src.value === null ? 0 : src.value.length;
}

function aggregate(target: number, value: number, how: number): number {
  if (how === AGGR_SUM) {
    const sum = target + value;
    // inf + -inf: Redis keeps 0 rather than NaN.
    return Number.isNaN(sum) ? 0 : sum;
  }
  if (how === AGGR_MIN) return value < target ? value : target;
  return value > target ? value : target;
}

/** The score of `member` in a source, or null when it is not there (zuiFind). */
function sourceScore(src: OpSource, member: string): number | null {
  const value = src.value;
  if (value === null) return null;
  const pos = value.find(member);
  return pos === NONE ? null : value.scoreAt(pos);
}

/**
 * zunionInterDiffGenericCommand. `numkeysIdx` is where numkeys is; `dstKey` is null for the
 * reply forms. `cardinalityOnly` is ZINTERCARD.
 */
function zsetOperation(ctx: CommandContext, argv: string[], dstKey: string | null, numkeysIdx: number, op: number, cardinalityOnly: boolean): void {
  const setCount = longArg(ctx, argv[numkeysIdx]);
  if (setCount === null) return;
  if (setCount < 1) {
    ctx.reply.error(`ERR at least 1 input key is needed for '${ctx.command.fullName}' command`);
    return;
  }
  if (setCount > argv.length - (numkeysIdx + 1)) {
    ctx.reply.error(ERR_SYNTAX);
    return;
  }
  const sources: OpSource[] = [];
  let j = numkeysIdx + 1;
  for (let i = 0; i < setCount; i++, j++) {
    const value = ctx.db.lookupRead(argv[j]);
    if (value === undefined) {
      sources.push({ value: null, weight: 1 });
    } else if (isZset(value)) {
      sources.push({ value, weight: 1 });
    } else if (isPlainSet(value)) {
      // Plain sets take part with score 1; the same key twice must be the same input, since
      // the algorithms compare inputs by identity (zsetChooseDiffAlgorithm).
      let input: ScoredInput | null = null;
      for (const earlier of sources) if (earlier.value instanceof SetInput && earlier.value.set === value) input = earlier.value;
      sources.push({ value: input ?? new SetInput(value), weight: 1 });
    } else {
      refuseValue(ctx, argv[j], value, ['set', 'zset']);
      return;
    }
  }
  let how = AGGR_SUM;
  let withScores = false;
  let limit = 0;
  while (j < argv.length) {
    const remaining = argv.length - j;
    const opt = argv[j];
    if (op !== OP_DIFF && !cardinalityOnly && remaining >= setCount + 1 && isKeyword(opt, 'WEIGHTS')) {
      j++;
      for (let i = 0; i < setCount; i++, j++) {
        const weight = parseStrictDouble(argv[j]);
        if (weight === null) {
          ctx.reply.error('ERR weight value is not a float');
          return;
        }
        sources[i].weight = weight;
      }
    } else if (op !== OP_DIFF && !cardinalityOnly && remaining >= 2 && isKeyword(opt, 'AGGREGATE')) {
      const name = argv[j + 1];
      if (isKeyword(name, 'SUM')) how = AGGR_SUM;
      else if (isKeyword(name, 'MIN')) how = AGGR_MIN;
      else if (isKeyword(name, 'MAX')) how = AGGR_MAX;
      else {
        ctx.reply.error(ERR_SYNTAX);
        return;
      }
      j += 2;
    } else if (dstKey === null && !cardinalityOnly && isKeyword(opt, 'WITHSCORES')) {
      j++;
      withScores = true;
    } else if (cardinalityOnly && remaining >= 2 && isKeyword(opt, 'LIMIT')) {
      const l = rangedLongArg(ctx, argv[j + 1], 0, Number.MAX_VALUE, "ERR LIMIT can't be negative");
      if (l === null) return;
      limit = l;
      j += 2;
    } else {
      ctx.reply.error(ERR_SYNTAX);
      return;
    }
  }
  // Smallest first (a stable sort, as glibc's qsort is for small arrays).
  if (op !== OP_DIFF) sources.sort((a, b) => sourceLength(a) - sourceLength(b));
  const result = new ZSetValue(true);
  let cardinality = 0;
  if (op === OP_INTER) {
    cardinality = intersect(sources, result, how, cardinalityOnly, limit);
  } else if (op === OP_UNION) {
    unite(sources, result, how);
  } else {
    difference(sources, result);
  }
  if (dstKey !== null) {
    if (result.length > 0) {
      result.convertToListpackIfFits(maxListpackEntries(ctx), maxListpackValueBytes(ctx));
      storeResult(ctx, dstKey, result);
      ctx.reply.integer(result.length);
      const event = op === OP_UNION ? 'zunionstore' : op === OP_INTER ? 'zinterstore' : 'zdiffstore';
      ctx.server.events.notify(NOTIFY_ZSET, event, dstKey, ctx.db.id);
      ctx.markDirty();
    } else {
      ctx.reply.integer(0);
      deleteDestination(ctx, dstKey);
    }
    return;
  }
  if (cardinalityOnly) {
    ctx.reply.integer(cardinality);
    return;
  }
  replyElementsHeader(ctx, result.length, withScores);
  for (let p = result.first(); p !== NONE; p = result.next(p)) replyElement(ctx, result.memberAt(p), result.scoreAt(p), withScores);
}

/** The weighted score (0 for NaN, such as 0 * inf). */
function weighted(score: number, weight: number): number {
  const v = score * weight;
  return Number.isNaN(v) ? 0 : v;
}

function intersect(sources: OpSource[], result: ZSetValue, how: number, cardinalityOnly: boolean, limit: number): number {
  const first = sources[0].value;
  if (first === null || first.length === 0) return 0;
  let cardinality = 0;
  for (let p = first.first(); p !== NONE; p = first.next(p)) {
    const member = first.memberAt(p);
    const ownScore = first.scoreAt(p);
    let score = weighted(ownScore, sources[0].weight);
    let j = 1;
    for (; j < sources.length; j++) {
      const src = sources[j];
      // The same set again: its score is the one at hand.
      const other = src.value === first ? ownScore : sourceScore(src, member);
      if (other === null) break;
      score = aggregate(score, other * src.weight, how);
    }
    if (j < sources.length) continue;
    if (cardinalityOnly) {
      cardinality++;
      if (limit > 0 && cardinality >= limit) break;
    } else {
      result.insert(member, score);
    }
  }
  return cardinality;
}

function unite(sources: OpSource[], result: ZSetValue, how: number): void {
  const accumulator = new Map<string, number>();
  for (const src of sources) {
    const value = src.value;
    if (value === null) continue;
    for (let p = value.first(); p !== NONE; p = value.next(p)) {
      const member = value.memberAt(p);
      const score = weighted(value.scoreAt(p), src.weight);
      const existing = accumulator.get(member);
      accumulator.set(member, existing === undefined ? score : aggregate(existing, score, how));
    }
  }
  for (const [member, score] of accumulator) result.insert(member, score);
}

function difference(sources: OpSource[], result: ZSetValue): void {
  const first = sources[0].value;
  if (first === null || first.length === 0) return;
  // zsetChooseDiffAlgorithm: the first set repeated leaves nothing.
  let workOne = 0;
  let workTwo = 0;
  for (let j = 0; j < sources.length; j++) {
    if (j > 0 && sources[j].value === first) return;
    workOne += first.length;
    workTwo += sourceLength(sources[j]);
  }
  if (Math.floor(workOne / 2) <= workTwo) {
    // Algorithm 1: each member of the first set, kept when no other set has it.
    const others = sources.slice(1).sort((a, b) => sourceLength(b) - sourceLength(a));
    for (let p = first.first(); p !== NONE; p = first.next(p)) {
      const member = first.memberAt(p);
      let found = false;
      for (const src of others) {
        if (sourceScore(src, member) !== null) {
          found = true;
          break;
        }
      }
      if (!found) result.insert(member, first.scoreAt(p));
    }
    return;
  }
  // Algorithm 2: copy the first set, then remove every member of the others.
  for (let p = first.first(); p !== NONE; p = first.next(p)) result.insert(first.memberAt(p), first.scoreAt(p));
  for (let j = 1; j < sources.length && result.length > 0; j++) {
    const value = sources[j].value;
    if (value === null) continue;
    for (let p = value.first(); p !== NONE && result.length > 0; p = value.next(p)) result.remove(value.memberAt(p));
  }
}

function zunionstore(ctx: CommandContext, argv: string[]): void {
  zsetOperation(ctx, argv, argv[1], 2, OP_UNION, false);
}

function zinterstore(ctx: CommandContext, argv: string[]): void {
  zsetOperation(ctx, argv, argv[1], 2, OP_INTER, false);
}

function zdiffstore(ctx: CommandContext, argv: string[]): void {
  zsetOperation(ctx, argv, argv[1], 2, OP_DIFF, false);
}

function zunion(ctx: CommandContext, argv: string[]): void {
  zsetOperation(ctx, argv, null, 1, OP_UNION, false);
}

function zinter(ctx: CommandContext, argv: string[]): void {
  zsetOperation(ctx, argv, null, 1, OP_INTER, false);
}

function zintercard(ctx: CommandContext, argv: string[]): void {
  zsetOperation(ctx, argv, null, 1, OP_INTER, true);
}

function zdiff(ctx: CommandContext, argv: string[]): void {
  zsetOperation(ctx, argv, null, 1, OP_DIFF, false);
}

// ------------------------------------------------------------------------------------- pops

const POP_MIN = 0;
const POP_MAX = 1;

/** The popped set's length before genericZpop popped (for the propagated count). */
export let poppedFromLength = 0;

/**
 * genericZpopCommand: pops up to `count` (-1: a plain single pop) from the first non-empty key
 * of keys[from..from+keyCount). `emitKey` adds the key name to the reply (BZPOP*, ZMPOP);
 * `nested` nests the pairs; `nullWhenEmpty` replies a null array when nothing was popped.
 * Returns the key popped from, or null.
 */
export function genericZpop(
  ctx: CommandContext, argv: string[], from: number, keyCount: number, where: number,
  emitKey: boolean, countArg: number, nested: boolean, nullWhenEmpty: boolean,
): string | null {
  let key: string | null = null;
  let zset: ZSetValue | undefined;
  for (let i = 0; i < keyCount; i++) {
    const found = zsetForWrite(ctx, argv[from + i]);
    if (found === null) return null;
    if (found !== undefined) {
      key = argv[from + i];
      zset = found;
      break;
    }
  }
  const r = ctx.reply;
  if (zset === undefined || key === null) {
    if (nullWhenEmpty) r.nullArray();
    else r.arrayLength(0);
    return null;
  }
  if (countArg === 0) {
    r.arrayLength(0);
    return null;
  }
  const count = countArg === -1 ? 1 : countArg;
  const length = zset.length;
  poppedFromLength = length;
  let remaining = count > length ? length : count;
  if (!nested && !emitKey) {
    r.arrayLength(remaining * 2);
  } else if (nested && !emitKey) {
    r.arrayLength(remaining);
  } else if (!nested && emitKey) {
    r.arrayLength(remaining * 2 + 1);
    r.bulk(key);
  } else {
    r.arrayLength(2);
    r.bulk(key);
    r.arrayLength(remaining);
  }
  let first = true;
  while (remaining-- > 0) {
    const pos = where === POP_MAX ? zset.last() : zset.first();
    const member = zset.memberAt(pos);
    const score = zset.scoreAt(pos);
    zset.removeAt(pos);
    ctx.markDirty();
    if (first) {
      ctx.server.events.notify(NOTIFY_ZSET, where === POP_MAX ? 'zpopmax' : 'zpopmin', key, ctx.db.id);
      ctx.server.events.signalModifiedKey(ctx.db, key);
      first = false;
    }
    if (nested) r.arrayLength(2);
    r.bulk(member);
    r.double(score);
  }
  if (zset.length === 0) deleteEmptied(ctx, key);
  return key;
}

function zpopMinMax(ctx: CommandContext, argv: string[], where: number): void {
  if (argv.length > 3) {
    ctx.reply.error(ERR_SYNTAX);
    return;
  }
  let count = -1;
  if (argv.length === 3) {
    const c = rangedLongArg(ctx, argv[2], 0, Number.MAX_VALUE, ERR_MUST_BE_POSITIVE);
    if (c === null) return;
    count = c;
  }
  // A flat array in RESP2 or for a plain pop; with a count, RESP3 nests the pairs.
  const nested = ctx.reply.resp === 3 && count !== -1;
  genericZpop(ctx, argv, 1, 1, where, false, count, nested, false);
}

function zpopmin(ctx: CommandContext, argv: string[]): void {
  zpopMinMax(ctx, argv, POP_MIN);
}

function zpopmax(ctx: CommandContext, argv: string[]): void {
  zpopMinMax(ctx, argv, POP_MAX);
}

/** ZMPOP / BZMPOP's arguments from numkeys on; null after an error reply. */
export interface MpopArgs {
  keysFrom: number;
  keyCount: number;
  where: number;
  count: number;
}

export function parseMpopArgs(ctx: CommandContext, argv: string[], numkeysIdx: number): MpopArgs | null {
  const keyCount = rangedLongArg(ctx, argv[numkeysIdx], 1, Number.MAX_VALUE, 'ERR numkeys should be greater than 0');
  if (keyCount === null) return null;
  const whereIdx = numkeysIdx + keyCount + 1;
  if (whereIdx >= argv.length) {
    ctx.reply.error(ERR_SYNTAX);
    return null;
  }
  let where: number;
  if (isKeyword(argv[whereIdx], 'MIN')) where = POP_MIN;
  else if (isKeyword(argv[whereIdx], 'MAX')) where = POP_MAX;
  else {
    ctx.reply.error(ERR_SYNTAX);
    return null;
  }
  let count = -1;
  for (let j = whereIdx + 1; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    if (count === -1 && isKeyword(argv[j], 'COUNT') && more > 0) {
      j++;
      const c = rangedLongArg(ctx, argv[j], 1, Number.MAX_VALUE, 'ERR count should be greater than 0');
      if (c === null) return null;
      count = c;
    } else {
      ctx.reply.error(ERR_SYNTAX);
      return null;
    }
  }
  return { keysFrom: numkeysIdx + 1, keyCount, where, count: count === -1 ? 1 : count };
}

/** ZMPOP and BZMPOP propagate as ZPOPMIN/ZPOPMAX key count (count capped at the set's size). */
export function rewriteAsZpop(ctx: CommandContext, key: string, where: number, count: number, lengthBefore: number): void {
  ctx.rewritePropagation([where === POP_MAX ? 'ZPOPMAX' : 'ZPOPMIN', key, String(count > lengthBefore ? lengthBefore : count)]);
}

function zmpop(ctx: CommandContext, argv: string[]): void {
  const args = parseMpopArgs(ctx, argv, 1);
  if (args === null) return;
  const key = genericZpop(ctx, argv, args.keysFrom, args.keyCount, args.where, true, args.count, true, true);
  if (key !== null) rewriteAsZpop(ctx, key, args.where, args.count, poppedFromLength);
}

// ------------------------------------------------------------------------- blocking pops

/**
 * A client blocked in BZPOPMIN / BZPOPMAX (`count` -1) or BZMPOP: Redis's
 * serveClientsBlockedOnSortedSetKey, served from a key once it holds a non-empty sorted set.
 */
class ZsetWaiter implements KeyWaiter {
  constructor(
    private readonly where: number,
    private readonly count: number,
    /** BZMPOP: nested pairs, a null array when empty. */
    private readonly nested: boolean,
  ) {}

  serve(ctx: CommandContext, key: string): boolean {
    const value = ctx.db.lookup(key);
    if (value === undefined || !isZset(value) || value.length === 0) return false;
    const length = value.length;
    genericZpop(ctx, [key], 0, 1, this.where, true, this.count, this.nested, this.nested);
    const name = this.where === POP_MAX ? 'ZPOPMAX' : 'ZPOPMIN';
    ctx.alsoPropagate(ctx.db.id, this.count === -1 ? [name, key] : [name, key, String(this.count > length ? length : this.count)]);
    return true;
  }

  timedOut(ctx: CommandContext): void {
    ctx.reply.nullArray();
  }
}

/** blockingGenericZpopCommand: pops at once from the first non-empty key, else blocks. */
function blockingZpop(
  ctx: CommandContext, argv: string[], keysFrom: number, keyCount: number, where: number,
  timeoutText: string, count: number, nested: boolean,
): void {
  const deadlineMs = timeoutArg(ctx, timeoutText, 'seconds');
  if (deadlineMs === null) return;
  for (let i = 0; i < keyCount; i++) {
    const key = argv[keysFrom + i];
    const zset = zsetForWrite(ctx, key);
    if (zset === null) return;
    if (zset === undefined || zset.length === 0) continue;
    const length = zset.length;
    genericZpop(ctx, argv, keysFrom + i, 1, where, true, count, nested, nested);
    const name = where === POP_MAX ? 'ZPOPMAX' : 'ZPOPMIN';
    ctx.rewritePropagation(count === -1 ? [name, key] : [name, key, String(count > length ? length : count)]);
    return;
  }
  const blocking = ctx.server.blocking;
  // Inside MULTI/EXEC or a script the only answer is a timeout, even for timeout 0.
  if (!blocking.canBlock(ctx.client)) {
    ctx.reply.nullArray();
    return;
  }
  blocking.block(ctx, argv.slice(keysFrom, keysFrom + keyCount), deadlineMs, new ZsetWaiter(where, count, nested));
}

function bzpopmin(ctx: CommandContext, argv: string[]): void {
  blockingZpop(ctx, argv, 1, argv.length - 2, POP_MIN, argv[argv.length - 1], -1, false);
}

function bzpopmax(ctx: CommandContext, argv: string[]): void {
  blockingZpop(ctx, argv, 1, argv.length - 2, POP_MAX, argv[argv.length - 1], -1, false);
}

function bzmpop(ctx: CommandContext, argv: string[]): void {
  const args = parseMpopArgs(ctx, argv, 2);
  if (args === null) return;
  blockingZpop(ctx, argv, args.keysFrom, args.keyCount, args.where, argv[1], args.count, true);
}

// ------------------------------------------------------------------------------ ZRANDMEMBER

/** Whether a long reply outgrew MAX_REPLY_BYTES (the client is then cut, as its limit would). */
function replyTooLarge(ctx: CommandContext, i: number): boolean {
  if (i % REPLY_CHECK_EVERY !== 0 || ctx.reply.lengthBytes <= MAX_REPLY_BYTES) return false;
  ctx.client.close('reply too large (ZRANDMEMBER)');
  return true;
}

function randomIndex(n: number): number {
  return Math.floor(Math.random() * n);
}

/** Every position, in order (the listpack cases that pick among all elements). */
function allPositions(zset: ZSetValue): number[] {
  const positions: number[] = [];
  for (let p = zset.first(); p !== NONE; p = zset.next(p)) positions.push(p);
  return positions;
}

function zrandmemberWithCount(ctx: CommandContext, key: string, requested: number, withScores: boolean): void {
  const zset = zsetForRead(ctx, key);
  if (zset === null) return;
  if (zset === undefined || requested === 0) {
    ctx.reply.arrayLength(0);
    return;
  }
  const size = zset.length;
  const count = Math.abs(requested);
  // CASE 1: a negative count (or 1): independent picks, repeats allowed, random order.
  if (requested < 0 || count === 1) {
    replyElementsHeader(ctx, count, withScores);
    const positions = zset.isListpack ? allPositions(zset) : null;
    for (let i = 0; i < count; i++) {
      if (replyTooLarge(ctx, i)) return;
      const p = positions !== null ? positions[randomIndex(size)] : zset.atRank(randomIndex(size));
      replyElement(ctx, zset.memberAt(p), zset.scoreAt(p), withScores);
    }
    return;
  }
  replyElementsHeader(ctx, Math.min(count, size), withScores);
  // CASE 2: everything, highest first (Redis's set-operation iterator walks from the tail).
  if (count >= size) {
    for (let p = zset.last(); p !== NONE; p = zset.prev(p)) replyElement(ctx, zset.memberAt(p), zset.scoreAt(p), withScores);
    return;
  }
  // CASE 3: close to the size: start from everything and drop random elements.
  if (count * SUB_STRATEGY_MUL > size) {
    const kept = allPositions(zset);
    while (kept.length > count) {
      const victim = randomIndex(kept.length);
      kept[victim] = kept[kept.length - 1];
      kept.pop();
    }
    for (const p of kept) replyElement(ctx, zset.memberAt(p), zset.scoreAt(p), withScores);
    return;
  }
  // CASE 4, listpack: one pass of selection sampling (lpRandomPairsUnique keeps the order).
  if (zset.isListpack) {
    let toPick = count;
    let unseen = size;
    for (let p = zset.first(); p !== NONE && toPick > 0; p = zset.next(p)) {
      if (Math.random() * unseen < toPick) {
        replyElement(ctx, zset.memberAt(p), zset.scoreAt(p), withScores);
        toPick--;
      }
      unseen--;
    }
    return;
  }
  // CASE 4, skiplist: random picks until enough distinct ones, in pick order.
  const picked = new Set<number>();
  while (picked.size < count) {
    const p = zset.atRank(randomIndex(size));
    if (picked.has(p)) continue;
    picked.add(p);
    replyElement(ctx, zset.memberAt(p), zset.scoreAt(p), withScores);
  }
}

function zrandmember(ctx: CommandContext, argv: string[]): void {
  if (argv.length >= 3) {
    const args = randomCountWithPairsArgs(ctx, argv, 'WITHSCORES');
    if (args !== null) zrandmemberWithCount(ctx, argv[1], args.count, args.pairs);
    return;
  }
  const zset = zsetForRead(ctx, argv[1]);
  if (zset === null) return;
  if (zset === undefined) {
    ctx.reply.nullBulk();
    return;
  }
  ctx.reply.bulk(zset.memberAt(zset.atRank(randomIndex(zset.length))));
}

// -------------------------------------------------------------------------------------- ZSCAN

function zscan(ctx: CommandContext, argv: string[]): void {
  keyScan(ctx, argv, zsetForRead, (zset, cursor, count, matches, found) => {
    if (zset.isListpack) {
      // A listpack is small: returned whole in one call, whatever the cursor says.
      for (let p = zset.first(); p !== NONE; p = zset.next(p)) {
        const member = zset.memberAt(p);
        if (matches(member)) found.push(member, zset.scoreTextAt(p));
      }
      return '0';
    }
    return zset.scan(cursor, count, (member) => {
      if (matches(member)) found.push(member, zset.scoreTextAt(zset.find(member)));
    });
  });
}

// -------------------------------------------------------------------------------------- table

const KEY_RO = keyAt(1, 'RO');
const KEY_RO_ACCESS = keyAt(1, 'RO', 'access');
const KEY_POP = keyAt(1, 'RW', 'access', 'delete');

function writeKey(...flags: KeySpecFlag[]): KeySpec {
  return keyAt(1, 'RW', ...flags);
}

/** numkeys at `index`, then that many keys. */
function keynumKeys(index: number, ...flags: KeySpecFlag[]): KeySpec {
  return { flags, begin: { type: 'index', index }, find: { type: 'keynum', keyNumIndex: 0, firstKey: 1, keyStep: 1 } };
}

const STORE_KEY = keyAt(1, 'OW', 'update');

const RANGE_ARGS = [
  { name: 'key', type: 'key' },
  { name: 'start', type: 'string' },
  { name: 'stop', type: 'string' },
] as const;

export const zsetCommands: CommandSpec[] = [
  {
    name: 'zadd', arity: -4, flags: ['write', 'denyoom', 'fast'], acl: ['sortedset'], keySpecs: [writeKey('update')],
    summary: 'Adds members with scores to a sorted set, or updates their scores (NX/XX/GT/LT/CH/INCR).',
    since: '1.2.0', group: 'sorted_set', complexity: 'O(log(N)) per element',
    arguments: [
      { name: 'key', type: 'key' },
      { name: 'condition', type: 'oneof', optional: true, arguments: [{ name: 'nx', type: 'pure-token', token: 'NX' }, { name: 'xx', type: 'pure-token', token: 'XX' }] },
      { name: 'comparison', type: 'oneof', optional: true, arguments: [{ name: 'gt', type: 'pure-token', token: 'GT' }, { name: 'lt', type: 'pure-token', token: 'LT' }] },
      { name: 'change', type: 'pure-token', token: 'CH', optional: true },
      { name: 'increment', type: 'pure-token', token: 'INCR', optional: true },
      { name: 'data', type: 'block', multiple: true, arguments: [{ name: 'score', type: 'double' }, { name: 'member', type: 'string' }] },
    ],
    handler: zadd,
  },
  {
    name: 'zincrby', arity: 4, flags: ['write', 'denyoom', 'fast'], acl: ['sortedset'], keySpecs: [writeKey('access', 'update')],
    summary: 'Adds to the score of a member (0 when absent).', since: '1.2.0', group: 'sorted_set', complexity: 'O(log(N))',
    arguments: [{ name: 'key', type: 'key' }, { name: 'increment', type: 'integer' }, { name: 'member', type: 'string' }],
    handler: zincrby,
  },
  {
    name: 'zrem', arity: -3, flags: ['write', 'fast'], acl: ['sortedset'], keySpecs: [writeKey('delete')],
    summary: 'Removes members from a sorted set; the key goes with its last member.', since: '1.2.0', group: 'sorted_set',
    complexity: 'O(M*log(N))', arguments: [{ name: 'key', type: 'key' }, { name: 'member', type: 'string', multiple: true }],
    handler: zrem,
  },
  {
    name: 'zcard', arity: 2, flags: ['readonly', 'fast'], acl: ['sortedset'], keySpecs: [KEY_RO],
    summary: 'Counts the members of a sorted set.', since: '1.2.0', group: 'sorted_set', complexity: 'O(1)',
    arguments: [{ name: 'key', type: 'key' }], handler: zcard,
  },
  {
    name: 'zscore', arity: 3, flags: ['readonly', 'fast'], acl: ['sortedset'], keySpecs: [KEY_RO_ACCESS],
    summary: 'Reads the score of a member.', since: '1.2.0', group: 'sorted_set', complexity: 'O(1)',
    arguments: [{ name: 'key', type: 'key' }, { name: 'member', type: 'string' }], handler: zscore,
  },
  {
    name: 'zmscore', arity: -3, flags: ['readonly', 'fast'], acl: ['sortedset'], keySpecs: [KEY_RO_ACCESS],
    summary: 'Reads the scores of several members, with nulls for absent ones.', since: '6.2.0', group: 'sorted_set',
    complexity: 'O(N)', arguments: [{ name: 'key', type: 'key' }, { name: 'member', type: 'string', multiple: true }],
    handler: zmscore,
  },
  {
    name: 'zrank', arity: 3, flags: ['readonly', 'fast'], acl: ['sortedset'], keySpecs: [KEY_RO_ACCESS],
    summary: 'The rank of a member, lowest score first.', since: '2.0.0', group: 'sorted_set', complexity: 'O(log(N))',
    arguments: [{ name: 'key', type: 'key' }, { name: 'member', type: 'string' }], handler: zrank,
  },
  {
    name: 'zrevrank', arity: 3, flags: ['readonly', 'fast'], acl: ['sortedset'], keySpecs: [KEY_RO_ACCESS],
    summary: 'The rank of a member, highest score first.', since: '2.0.0', group: 'sorted_set', complexity: 'O(log(N))',
    arguments: [{ name: 'key', type: 'key' }, { name: 'member', type: 'string' }], handler: zrevrank,
  },
  {
    name: 'zcount', arity: 4, flags: ['readonly', 'fast'], acl: ['sortedset'], keySpecs: [KEY_RO_ACCESS],
    summary: 'Counts the members with scores within a range.', since: '2.0.0', group: 'sorted_set', complexity: 'O(log(N))',
    arguments: [{ name: 'key', type: 'key' }, { name: 'min', type: 'double' }, { name: 'max', type: 'double' }], handler: zcount,
  },
  {
    name: 'zlexcount', arity: 4, flags: ['readonly', 'fast'], acl: ['sortedset'], keySpecs: [KEY_RO_ACCESS],
    summary: 'Counts the members within a lexicographical range.', since: '2.8.9', group: 'sorted_set', complexity: 'O(log(N))',
    arguments: [{ name: 'key', type: 'key' }, { name: 'min', type: 'string' }, { name: 'max', type: 'string' }], handler: zlexcount,
  },
  {
    name: 'zrange', arity: -4, flags: ['readonly'], acl: ['sortedset'], keySpecs: [KEY_RO_ACCESS],
    summary: 'Members by rank, score or lexicographical range, optionally reversed and limited.', since: '1.2.0',
    group: 'sorted_set', complexity: 'O(log(N)+M)',
    arguments: [
      ...RANGE_ARGS,
      { name: 'sortby', type: 'oneof', optional: true, arguments: [{ name: 'byscore', type: 'pure-token', token: 'BYSCORE' }, { name: 'bylex', type: 'pure-token', token: 'BYLEX' }] },
      { name: 'rev', type: 'pure-token', token: 'REV', optional: true },
      { name: 'limit', type: 'block', token: 'LIMIT', optional: true, arguments: [{ name: 'offset', type: 'integer' }, { name: 'count', type: 'integer' }] },
      { name: 'withscores', type: 'pure-token', token: 'WITHSCORES', optional: true },
    ],
    handler: zrange,
  },
  {
    name: 'zrangestore', arity: -5, flags: ['write', 'denyoom'], acl: ['sortedset'],
    keySpecs: [STORE_KEY, keyAt(2, 'RO', 'access')],
    summary: 'Stores a ZRANGE result in a key.', since: '6.2.0', group: 'sorted_set', complexity: 'O(log(N)+M)',
    arguments: [
      { name: 'dst', type: 'key' }, { name: 'src', type: 'key' }, { name: 'min', type: 'string' }, { name: 'max', type: 'string' },
      { name: 'sortby', type: 'oneof', optional: true, arguments: [{ name: 'byscore', type: 'pure-token', token: 'BYSCORE' }, { name: 'bylex', type: 'pure-token', token: 'BYLEX' }] },
      { name: 'rev', type: 'pure-token', token: 'REV', optional: true },
      { name: 'limit', type: 'block', token: 'LIMIT', optional: true, arguments: [{ name: 'offset', type: 'integer' }, { name: 'count', type: 'integer' }] },
    ],
    handler: zrangestore,
  },
  {
    name: 'zrangebyscore', arity: -4, flags: ['readonly'], acl: ['sortedset'], keySpecs: [KEY_RO_ACCESS],
    summary: 'Members within a score range (deprecated: ZRANGE BYSCORE).', since: '1.0.5', group: 'sorted_set',
    complexity: 'O(log(N)+M)',
    arguments: [{ name: 'key', type: 'key' }, { name: 'min', type: 'double' }, { name: 'max', type: 'double' },
      { name: 'withscores', type: 'pure-token', token: 'WITHSCORES', optional: true },
      { name: 'limit', type: 'block', token: 'LIMIT', optional: true, arguments: [{ name: 'offset', type: 'integer' }, { name: 'count', type: 'integer' }] }],
    handler: zrangebyscore,
  },
  {
    name: 'zrevrangebyscore', arity: -4, flags: ['readonly'], acl: ['sortedset'], keySpecs: [KEY_RO_ACCESS],
    summary: 'Members within a score range, highest first (deprecated: ZRANGE BYSCORE REV).', since: '2.2.0',
    group: 'sorted_set', complexity: 'O(log(N)+M)',
    arguments: [{ name: 'key', type: 'key' }, { name: 'max', type: 'double' }, { name: 'min', type: 'double' },
      { name: 'withscores', type: 'pure-token', token: 'WITHSCORES', optional: true },
      { name: 'limit', type: 'block', token: 'LIMIT', optional: true, arguments: [{ name: 'offset', type: 'integer' }, { name: 'count', type: 'integer' }] }],
    handler: zrevrangebyscore,
  },
  {
    name: 'zrangebylex', arity: -4, flags: ['readonly'], acl: ['sortedset'], keySpecs: [KEY_RO_ACCESS],
    summary: 'Members within a lexicographical range (deprecated: ZRANGE BYLEX).', since: '2.8.9', group: 'sorted_set',
    complexity: 'O(log(N)+M)',
    arguments: [{ name: 'key', type: 'key' }, { name: 'min', type: 'string' }, { name: 'max', type: 'string' },
      { name: 'limit', type: 'block', token: 'LIMIT', optional: true, arguments: [{ name: 'offset', type: 'integer' }, { name: 'count', type: 'integer' }] }],
    handler: zrangebylex,
  },
  {
    name: 'zrevrangebylex', arity: -4, flags: ['readonly'], acl: ['sortedset'], keySpecs: [KEY_RO_ACCESS],
    summary: 'Members within a lexicographical range, highest first (deprecated: ZRANGE BYLEX REV).', since: '2.8.9',
    group: 'sorted_set', complexity: 'O(log(N)+M)',
    arguments: [{ name: 'key', type: 'key' }, { name: 'max', type: 'string' }, { name: 'min', type: 'string' },
      { name: 'limit', type: 'block', token: 'LIMIT', optional: true, arguments: [{ name: 'offset', type: 'integer' }, { name: 'count', type: 'integer' }] }],
    handler: zrevrangebylex,
  },
  {
    name: 'zrevrange', arity: -4, flags: ['readonly'], acl: ['sortedset'], keySpecs: [KEY_RO_ACCESS],
    summary: 'Members by rank, highest first (deprecated: ZRANGE REV).', since: '1.2.0', group: 'sorted_set',
    complexity: 'O(log(N)+M)',
    arguments: [...RANGE_ARGS, { name: 'withscores', type: 'pure-token', token: 'WITHSCORES', optional: true }],
    handler: zrevrange,
  },
  {
    name: 'zremrangebyscore', arity: 4, flags: ['write'], acl: ['sortedset'], keySpecs: [writeKey('delete')],
    summary: 'Removes the members within a score range.', since: '1.2.0', group: 'sorted_set', complexity: 'O(log(N)+M)',
    arguments: [{ name: 'key', type: 'key' }, { name: 'min', type: 'double' }, { name: 'max', type: 'double' }],
    handler: zremrangebyscore,
  },
  {
    name: 'zremrangebyrank', arity: 4, flags: ['write'], acl: ['sortedset'], keySpecs: [writeKey('delete')],
    summary: 'Removes the members within a rank range.', since: '2.0.0', group: 'sorted_set', complexity: 'O(log(N)+M)',
    arguments: [{ name: 'key', type: 'key' }, { name: 'start', type: 'integer' }, { name: 'stop', type: 'integer' }],
    handler: zremrangebyrank,
  },
  {
    name: 'zremrangebylex', arity: 4, flags: ['write'], acl: ['sortedset'], keySpecs: [writeKey('delete')],
    summary: 'Removes the members within a lexicographical range.', since: '2.8.9', group: 'sorted_set', complexity: 'O(log(N)+M)',
    arguments: [{ name: 'key', type: 'key' }, { name: 'min', type: 'string' }, { name: 'max', type: 'string' }],
    handler: zremrangebylex,
  },
  ...(['zunion', 'zinter', 'zdiff'] as const).map((name): CommandSpec => ({
    name, arity: -3, flags: ['readonly'], acl: ['sortedset'], keySpecs: [keynumKeys(1, 'RO', 'access')],
    summary: `The ${name === 'zunion' ? 'union' : name === 'zinter' ? 'intersection' : 'difference'} of sorted sets.`,
    since: '6.2.0', group: 'sorted_set', complexity: 'O(N)+O(M*log(M))',
    arguments: [{ name: 'numkeys', type: 'integer' }, { name: 'key', type: 'key', multiple: true },
      { name: 'withscores', type: 'pure-token', token: 'WITHSCORES', optional: true }],
    handler: name === 'zunion' ? zunion : name === 'zinter' ? zinter : zdiff,
  })),
  ...(['zunionstore', 'zinterstore', 'zdiffstore'] as const).map((name): CommandSpec => ({
    name, arity: -4, flags: ['write', 'denyoom'], acl: ['sortedset'], keySpecs: [STORE_KEY, keynumKeys(2, 'RO', 'access')],
    summary: `Stores the ${name === 'zunionstore' ? 'union' : name === 'zinterstore' ? 'intersection' : 'difference'} of sorted sets in a key.`,
    since: name === 'zdiffstore' ? '6.2.0' : '2.0.0', group: 'sorted_set', complexity: 'O(N)+O(M*log(M))',
    arguments: [{ name: 'destination', type: 'key' }, { name: 'numkeys', type: 'integer' }, { name: 'key', type: 'key', multiple: true }],
    handler: name === 'zunionstore' ? zunionstore : name === 'zinterstore' ? zinterstore : zdiffstore,
  })),
  {
    name: 'zintercard', arity: -3, flags: ['readonly'], acl: ['sortedset'], keySpecs: [keynumKeys(1, 'RO', 'access')],
    summary: 'Counts the members of the intersection of sorted sets, up to a limit.', since: '7.0.0', group: 'sorted_set',
    complexity: 'O(N*K)',
    arguments: [{ name: 'numkeys', type: 'integer' }, { name: 'key', type: 'key', multiple: true },
      { name: 'limit', type: 'integer', token: 'LIMIT', optional: true }],
    handler: zintercard,
  },
  {
    name: 'zpopmin', arity: -2, flags: ['write', 'fast'], acl: ['sortedset'], keySpecs: [KEY_POP],
    summary: 'Removes and returns the members with the lowest scores.', since: '5.0.0', group: 'sorted_set',
    complexity: 'O(log(N)*M)', arguments: [{ name: 'key', type: 'key' }, { name: 'count', type: 'integer', optional: true }],
    handler: zpopmin,
  },
  {
    name: 'zpopmax', arity: -2, flags: ['write', 'fast'], acl: ['sortedset'], keySpecs: [KEY_POP],
    summary: 'Removes and returns the members with the highest scores.', since: '5.0.0', group: 'sorted_set',
    complexity: 'O(log(N)*M)', arguments: [{ name: 'key', type: 'key' }, { name: 'count', type: 'integer', optional: true }],
    handler: zpopmax,
  },
  {
    name: 'zmpop', arity: -4, flags: ['write'], acl: ['sortedset'], keySpecs: [keynumKeys(1, 'RW', 'access', 'delete')],
    summary: 'Pops members with the lowest or highest scores from the first non-empty of several sorted sets.',
    since: '7.0.0', group: 'sorted_set', complexity: 'O(K)+O(M*log(N))',
    arguments: [{ name: 'numkeys', type: 'integer' }, { name: 'key', type: 'key', multiple: true },
      { name: 'where', type: 'oneof', arguments: [{ name: 'min', type: 'pure-token', token: 'MIN' }, { name: 'max', type: 'pure-token', token: 'MAX' }] },
      { name: 'count', type: 'integer', token: 'COUNT', optional: true }],
    handler: zmpop,
  },
  {
    name: 'bzpopmin', arity: -3, flags: ['write', 'noscript', 'blocking', 'fast'], acl: ['sortedset'],
    keySpecs: [keysFrom(1, 1, ['RW', 'access', 'delete'], -2)],
    summary: 'ZPOPMIN of the first non-empty of several keys, waiting for one when all are empty.', since: '5.0.0',
    group: 'sorted_set', complexity: 'O(log(N))',
    arguments: [{ name: 'key', type: 'key', multiple: true }, { name: 'timeout', type: 'double' }],
    handler: bzpopmin,
  },
  {
    name: 'bzpopmax', arity: -3, flags: ['write', 'noscript', 'blocking', 'fast'], acl: ['sortedset'],
    keySpecs: [keysFrom(1, 1, ['RW', 'access', 'delete'], -2)],
    summary: 'ZPOPMAX of the first non-empty of several keys, waiting for one when all are empty.', since: '5.0.0',
    group: 'sorted_set', complexity: 'O(log(N))',
    arguments: [{ name: 'key', type: 'key', multiple: true }, { name: 'timeout', type: 'double' }],
    handler: bzpopmax,
  },
  {
    name: 'bzmpop', arity: -5, flags: ['write', 'blocking'], acl: ['sortedset'], keySpecs: [keynumKeys(2, 'RW', 'access', 'delete')],
    summary: 'ZMPOP, waiting for a non-empty sorted set when all keys are empty.', since: '7.0.0', group: 'sorted_set',
    complexity: 'O(K)+O(M*log(N))',
    arguments: [{ name: 'timeout', type: 'double' }, { name: 'numkeys', type: 'integer' }, { name: 'key', type: 'key', multiple: true },
      { name: 'where', type: 'oneof', arguments: [{ name: 'min', type: 'pure-token', token: 'MIN' }, { name: 'max', type: 'pure-token', token: 'MAX' }] },
      { name: 'count', type: 'integer', token: 'COUNT', optional: true }],
    handler: bzmpop,
  },
  {
    name: 'zrandmember', arity: -2, flags: ['readonly'], acl: ['sortedset'], keySpecs: [KEY_RO_ACCESS],
    tips: ['nondeterministic_output'],
    summary: 'Picks random members: distinct for a positive count, possibly repeated for a negative one.',
    since: '6.2.0', group: 'sorted_set', complexity: 'O(N) in the number of members returned',
    arguments: [{ name: 'key', type: 'key' }, { name: 'options', type: 'block', optional: true,
      arguments: [{ name: 'count', type: 'integer' }, { name: 'withscores', type: 'pure-token', token: 'WITHSCORES', optional: true }] }],
    handler: zrandmember,
  },
  {
    name: 'zscan', arity: -3, flags: ['readonly'], acl: ['sortedset'], keySpecs: [KEY_RO_ACCESS],
    tips: ['nondeterministic_output'],
    summary: 'Walks the members and scores of a sorted set a few at a time with a cursor.', since: '2.8.0',
    group: 'sorted_set', complexity: 'O(1) per call, O(N) for a whole walk',
    arguments: [{ name: 'key', type: 'key' }, { name: 'cursor', type: 'integer' },
      { name: 'pattern', type: 'pattern', token: 'MATCH', optional: true }, { name: 'count', type: 'integer', token: 'COUNT', optional: true }],
    handler: zscan,
  },
];
