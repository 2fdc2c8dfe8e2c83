// Expiry commands: EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT (with NX/XX/GT/LT), TTL, PTTL,
// EXPIRETIME, PEXPIRETIME, PERSIST. Semantics, errors and propagation follow Redis's expire.c.

import type { CommandContext } from './context.js';
import { intArg, isKeyword } from './errors.js';
import { keyAt, type CommandSpec } from './types.js';
import { NOTIFY_GENERIC } from '../config/keyspace-events.js';
import { NO_TOUCH } from '../store/db.js';
import { INT64_MAX, INT64_MIN } from '../util/numbers.js';

const EXPIRE_NX = 1;
const EXPIRE_XX = 2;
const EXPIRE_GT = 4;
const EXPIRE_LT = 8;

const INT64_MAX_SECONDS = INT64_MAX / 1000n;
const INT64_MIN_SECONDS = INT64_MIN / 1000n;
/**
 * Below this magnitude (seconds or ms) the deadline arithmetic stays far under 2^53 even after
 * adding the current time, so plain numbers are exact and no BigInt is needed.
 */
const SMALL_TIME_LIMIT = 4e12;

/** Parses NX/XX/GT/LT from argv[3...]; replies with Redis's error and returns -1 when invalid. */
function parseExpireFlags(ctx: CommandContext, argv: string[]): number {
  let flags = 0;
  for (let j = 3; j < argv.length; j++) {
    const opt = argv[j];
    if (isKeyword(opt, 'NX')) flags |= EXPIRE_NX;
    else if (isKeyword(opt, 'XX')) flags |= EXPIRE_XX;
    else if (isKeyword(opt, 'GT')) flags |= EXPIRE_GT;
    else if (isKeyword(opt, 'LT')) flags |= EXPIRE_LT;
    else {
      ctx.reply.error(`ERR Unsupported option ${opt}`);
      return -1;
    }
  }
  if ((flags & EXPIRE_NX) !== 0 && (flags & (EXPIRE_XX | EXPIRE_GT | EXPIRE_LT)) !== 0) {
    ctx.reply.error('ERR NX and XX, GT or LT options at the same time are not compatible');
    return -1;
  }
  if ((flags & EXPIRE_GT) !== 0 && (flags & EXPIRE_LT) !== 0) {
    ctx.reply.error('ERR GT and LT options at the same time are not compatible');
    return -1;
  }
  return flags;
}

/**
 * The absolute deadline in ms for `when` (seconds or ms) added to `basetimeMs`, with expire.c's
 * int64 overflow checks; null when they fail. A bigint only for deadlines beyond 2^53.
 */
function absoluteDeadlineMs(when: number | bigint, basetimeMs: number, inSeconds: boolean): number | bigint | null {
  if (typeof when === 'number' && Math.abs(when) < SMALL_TIME_LIMIT) {
    return (inSeconds ? when * 1000 : when) + basetimeMs;
  }
  let ms = BigInt(when);
  if (inSeconds) {
    if (ms > INT64_MAX_SECONDS || ms < INT64_MIN_SECONDS) return null;
    ms *= 1000n;
  }
  const base = BigInt(basetimeMs);
  if (ms > INT64_MAX - base) return null;
  ms += base;
  const asNumber = Number(ms);
  return Number.isSafeInteger(asNumber) ? asNumber : ms;
}

/** Whether the NX/XX/GT/LT conditions allow setting `deadline` over the current one. */
function conditionsHold(flags: number, deadline: number | bigint, current: number | undefined): boolean {
  if ((flags & EXPIRE_NX) !== 0 && current !== undefined) return false;
  if ((flags & EXPIRE_XX) !== 0 && current === undefined) return false;
  // No TTL counts as an infinite one: GT can never beat it, LT always does.
  if ((flags & EXPIRE_GT) !== 0 && (current === undefined || deadline <= current)) return false;
  if ((flags & EXPIRE_LT) !== 0 && current !== undefined && deadline >= current) return false;
  return true;
}

function expireGeneric(ctx: CommandContext, argv: string[], basetimeMs: number, inSeconds: boolean): void {
  const flags = parseExpireFlags(ctx, argv);
  if (flags < 0) return;
  const when = intArg(ctx.reply, argv[2]);
  if (when === null) return;
  const deadline = absoluteDeadlineMs(when, basetimeMs, inSeconds);
  if (deadline === null) {
    ctx.reply.error(`ERR invalid expire time in '${ctx.command.fullName}' command`);
    return;
  }
  const db = ctx.db;
  const key = argv[1];
  if (db.lookup(key) === undefined) {
    ctx.reply.integer(0);
    return;
  }
  if (flags !== 0 && !conditionsHold(flags, deadline, db.getExpire(key))) {
    ctx.reply.integer(0);
    return;
  }
  if (deadline <= Date.now() && !ctx.db.loading) {
    deleteExpiredNow(ctx, key);
    return;
  }
  db.setExpire(key, Number(deadline));
  ctx.reply.integer(1);
  // Replicas and the AOF get an absolute deadline, so replaying later gives the same instant.
  if (ctx.command.spec.name !== 'pexpireat') {
    const propagated = argv.slice();
    propagated[0] = 'PEXPIREAT';
    propagated[2] = String(deadline);
    ctx.rewritePropagation(propagated);
  }
  ctx.server.events.signalModifiedKey(db, key);
  ctx.server.events.notify(NOTIFY_GENERIC, 'expire', key, db.id);
  ctx.markDirty();
}

/** A deadline already in the past deletes the key, propagated as an explicit DEL (or UNLINK). */
function deleteExpiredNow(ctx: CommandContext, key: string): void {
  const db = ctx.db;
  db.delete(key);
  ctx.markDirty();
  const lazy = ctx.server.config.bool('lazyfree-lazy-expire');
  ctx.rewritePropagation([lazy ? 'UNLINK' : 'DEL', key]);
  ctx.server.events.signalModifiedKey(db, key);
  ctx.server.events.notify(NOTIFY_GENERIC, 'del', key, db.id);
  ctx.reply.integer(1);
}

function expire(ctx: CommandContext, argv: string[]): void {
  expireGeneric(ctx, argv, Date.now(), true);
}

function pexpire(ctx: CommandContext, argv: string[]): void {
  expireGeneric(ctx, argv, Date.now(), false);
}

function expireat(ctx: CommandContext, argv: string[]): void {
  expireGeneric(ctx, argv, 0, true);
}

function pexpireat(ctx: CommandContext, argv: string[]): void {
  expireGeneric(ctx, argv, 0, false);
}

/** TTL (relative) or EXPIRETIME (absolute), in seconds or ms: -2 no key, -1 no deadline. */
function ttlGeneric(ctx: CommandContext, key: string, inMs: boolean, absolute: boolean): void {
  const db = ctx.db;
  if (db.lookupRead(key, NO_TOUCH) === undefined) {
    ctx.reply.integer(-2);
    return;
  }
  const deadline = db.getExpire(key);
  if (deadline === undefined) {
    ctx.reply.integer(-1);
    return;
  }
  let remaining = absolute ? deadline : deadline - Date.now();
  if (remaining < 0) remaining = 0;
  // Seconds are rounded to the nearest, as Redis's (ttl+500)/1000.
  ctx.reply.integer(inMs ? remaining : Math.floor((remaining + 500) / 1000));
}

function ttl(ctx: CommandContext, argv: string[]): void {
  ttlGeneric(ctx, argv[1], false, false);
}

function pttl(ctx: CommandContext, argv: string[]): void {
  ttlGeneric(ctx, argv[1], true, false);
}

function expiretime(ctx: CommandContext, argv: string[]): void {
  ttlGeneric(ctx, argv[1], false, true);
}

function pexpiretime(ctx: CommandContext, argv: string[]): void {
  ttlGeneric(ctx, argv[1], true, true);
}

function persist(ctx: CommandContext, argv: string[]): void {
  const db = ctx.db;
  const key = argv[1];
  if (db.lookup(key) === undefined || !db.removeExpire(key)) {
    ctx.reply.integer(0);
    return;
  }
  ctx.server.events.signalModifiedKey(db, key);
  ctx.server.events.notify(NOTIFY_GENERIC, 'persist', key, db.id);
  ctx.reply.integer(1);
  ctx.markDirty();
}

const EXPIRE_ACL = ['keyspace', 'write', 'fast'] as const;
const TTL_ACL = ['keyspace', 'read', 'fast'] as const;

export const expireCommands: CommandSpec[] = [
  {
    name: 'expire', arity: -3, flags: ['write', 'fast'], acl: EXPIRE_ACL, keySpecs: [keyAt(1, 'RW', 'update')],
    summary: 'Gives a key a time to live in seconds.', since: '1.0.0', group: 'generic', handler: expire,
  },
  {
    name: 'pexpire', arity: -3, flags: ['write', 'fast'], acl: EXPIRE_ACL, keySpecs: [keyAt(1, 'RW', 'update')],
    summary: 'Gives a key a time to live in milliseconds.', since: '2.6.0', group: 'generic', handler: pexpire,
  },
  {
    name: 'expireat', arity: -3, flags: ['write', 'fast'], acl: EXPIRE_ACL, keySpecs: [keyAt(1, 'RW', 'update')],
    summary: 'Makes a key expire at a Unix time given in seconds.', since: '1.2.0', group: 'generic', handler: expireat,
  },
  {
    name: 'pexpireat', arity: -3, flags: ['write', 'fast'], acl: EXPIRE_ACL, keySpecs: [keyAt(1, 'RW', 'update')],
    summary: 'Makes a key expire at a Unix time given in milliseconds.', since: '2.6.0', group: 'generic', handler: pexpireat,
  },
  {
    name: 'ttl', arity: 2, flags: ['readonly', 'fast'], acl: TTL_ACL, keySpecs: [keyAt(1, 'RO', 'access')],
    tips: ['nondeterministic_output'],
    summary: 'Tells how many seconds a key has left to live.', since: '1.0.0', group: 'generic', handler: ttl,
  },
  {
    name: 'pttl', arity: 2, flags: ['readonly', 'fast'], acl: TTL_ACL, keySpecs: [keyAt(1, 'RO', 'access')],
    tips: ['nondeterministic_output'],
    summary: 'Tells how many milliseconds a key has left to live.', since: '2.6.0', group: 'generic', handler: pttl,
  },
  {
    name: 'expiretime', arity: 2, flags: ['readonly', 'fast'], acl: TTL_ACL, keySpecs: [keyAt(1, 'RO', 'access')],
    summary: 'Tells the Unix time, in seconds, at which a key will expire.', since: '7.0.0', group: 'generic', handler: expiretime,
  },
  {
    name: 'pexpiretime', arity: 2, flags: ['readonly', 'fast'], acl: TTL_ACL, keySpecs: [keyAt(1, 'RO', 'access')],
    summary: 'Tells the Unix time, in milliseconds, at which a key will expire.', since: '7.0.0', group: 'generic',
    handler: pexpiretime,
  },
  {
    name: 'persist', arity: 2, flags: ['write', 'fast'], acl: EXPIRE_ACL, keySpecs: [keyAt(1, 'RW', 'update')],
    summary: 'Removes the time to live of a key, making it permanent.', since: '2.2.0', group: 'generic', handler: persist,
  },
];
