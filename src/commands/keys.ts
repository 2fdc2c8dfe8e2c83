// Keyspace commands: DEL, UNLINK, EXISTS, TOUCH, TYPE, KEYS, SCAN, RANDOMKEY, RENAME, RENAMENX,
// COPY, MOVE, SWAPDB, FLUSHDB, FLUSHALL, DBSIZE and OBJECT. Semantics follow Redis's db.c and
// object.c: errors, keyspace events, WATCH signalling and propagation included.

import { freedInBackground } from '../store/lazyfree.js';
import type { CommandContext } from './context.js';
import { ERR_DB_INDEX, ERR_NO_SUCH_KEY, ERR_NOT_INTEGER, ERR_SYNTAX, isKeyword } from './errors.js';
import { replyHelp } from './help.js';
import { parseScanOptions, scanCursorArg, type ScanOptions } from './scan-options.js';
import { keyAt, keysFrom, type CommandSpec } from './types.js';
import { NOTIFY_GENERIC } from '../config/keyspace-events.js';
import { NO_TOUCH, type Db, type LookupOptions } from '../store/db.js';
import { cloneValue, encodingName, typeName, type RedisValue } from '../store/values.js';
import { globMatch, isLiteralPattern } from '../util/glob.js';
import { parseInt64 } from '../util/numbers.js';

const ERR_SAME_OBJECT = 'ERR source and destination objects are the same';
const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
/** OBJECT REFCOUNT of Redis's shared integer objects (OBJ_SHARED_REFCOUNT, i.e. INT_MAX). */
const SHARED_REFCOUNT = 2147483647;
/** Redis shares integer values 0..OBJ_SHARED_INTEGERS-1 between keys. */
const SHARED_INTEGERS = 10000;

/**
 * An argument parsed as Redis's getIntFromObjectOrReply does (int32): `error`, when given,
 * replaces both of its messages. Null after replying.
 */
function int32Arg(ctx: CommandContext, text: string, error?: string): number | null {
  const v = parseInt64(text);
  if (v === null) {
    ctx.reply.error(error ?? ERR_NOT_INTEGER);
    return null;
  }
  if (typeof v !== 'number' || v < INT32_MIN || v > INT32_MAX) {
    ctx.reply.error(error ?? `ERR value is out of range, value must between ${INT32_MIN} and ${INT32_MAX}`);
    return null;
  }
  return v;
}

/** The database with that index, or undefined (Redis's selectDb failing). */
function dbAt(ctx: CommandContext, index: number): Db | undefined {
  return index < 0 ? undefined : ctx.server.keyspace.dbs[index];
}

// ------------------------------------------------------------------ DEL, EXISTS...

function deleteKeys(ctx: CommandContext, argv: string[]): void {
  const db = ctx.db;
  // UNLINK, or DEL under lazyfree-lazy-user-del: big values count as freed in the background.
  const lazy = ctx.command.fullName === 'unlink' || ctx.server.config.bool('lazyfree-lazy-user-del');
  let removed = 0;
  for (let i = 1; i < argv.length; i++) {
    const key = argv[i];
    const value = lazy ? db.peek(key) : undefined;
    if (!db.delete(key)) continue;
    if (value !== undefined && freedInBackground(value)) ctx.server.stats.lazyfreedObjects++;
    ctx.server.events.signalModifiedKey(db, key);
    ctx.server.events.notify(NOTIFY_GENERIC, 'del', key, db.id);
    ctx.markDirty();
    removed++;
  }
  ctx.reply.integer(removed);
}

function exists(ctx: CommandContext, argv: string[]): void {
  let count = 0;
  for (let i = 1; i < argv.length; i++) {
    if (ctx.db.lookupRead(argv[i], NO_TOUCH) !== undefined) count++;
  }
  ctx.reply.integer(count);
}

function touch(ctx: CommandContext, argv: string[]): void {
  let count = 0;
  for (let i = 1; i < argv.length; i++) {
    if (ctx.db.lookupRead(argv[i]) !== undefined) count++;
  }
  ctx.reply.integer(count);
}

function type(ctx: CommandContext, argv: string[]): void {
  const value = ctx.db.lookupRead(argv[1], NO_TOUCH);
  ctx.reply.simple(value === undefined ? 'none' : typeName(value));
}

function dbsize(ctx: CommandContext): void {
  ctx.reply.integer(ctx.db.size);
}

function randomkey(ctx: CommandContext): void {
  const key = ctx.db.randomKey();
  if (key === undefined) ctx.reply.nullBulk();
  else ctx.reply.bulk(key);
}

// ------------------------------------------------------------------ KEYS, SCAN

function keys(ctx: CommandContext, argv: string[]): void {
  const db = ctx.db;
  const pattern = argv[1];
  const nowMs = Date.now();
  const found: string[] = [];
  if (isLiteralPattern(pattern)) {
    // Only the key itself can match: a lookup instead of a walk (same result, O(1)).
    if (db.peek(pattern) !== undefined && !db.isExpired(pattern, nowMs)) found.push(pattern);
  } else {
    const all = pattern === '*';
    for (const key of db.keys()) {
      // Expired keys are hidden but not deleted here, as Redis's keyIsExpired check.
      if ((all || globMatch(pattern, key)) && !db.isExpired(key, nowMs)) found.push(key);
    }
  }
  ctx.reply.arrayLength(found.length);
  for (let i = 0; i < found.length; i++) ctx.reply.bulk(found[i]);
}

/** Whether a key read by the walk is returned: still present, matching, of the type, alive. */
function scanKeeps(db: Db, key: string, options: ScanOptions): boolean {
  // The walk reads one key ahead; it may have been deleted since.
  if (db.peek(key) === undefined) return false;
  if (options.pattern !== null && !globMatch(options.pattern, key)) return false;
  if (options.type !== null) {
    const value = db.lookupRead(key, NO_TOUCH);
    if ((value === undefined ? 'none' : typeName(value)) !== options.type) return false;
  }
  // Like Redis's expireIfNeeded here: an expired key met by SCAN is deleted, not just hidden.
  return db.has(key);
}

function scan(ctx: CommandContext, argv: string[]): void {
  const cursor = scanCursorArg(ctx, argv[1]);
  if (cursor === null) return;
  const options = parseScanOptions(ctx, argv, 2, true);
  if (options === null) return;
  const db = ctx.db;
  const batch: string[] = [];
  const next = db.scan(cursor, options.count, (key) => {
    batch.push(key);
    return true;
  });
  let kept = 0;
  for (let i = 0; i < batch.length; i++) {
    if (scanKeeps(db, batch[i], options)) batch[kept++] = batch[i];
  }
  ctx.reply.arrayLength(2);
  ctx.reply.bulk(next);
  ctx.reply.arrayLength(kept);
  for (let i = 0; i < kept; i++) ctx.reply.bulk(batch[i]);
}

// ------------------------------------------------------------------ RENAME, MOVE, COPY

/** After RENAME or MOVE: WATCH sees both ends, each end gets its event, one change. */
function afterKeyMoved(
  ctx: CommandContext, fromDb: Db, fromKey: string, toDb: Db, toKey: string, fromEvent: string, toEvent: string,
): void {
  ctx.server.events.signalModifiedKey(fromDb, fromKey);
  ctx.server.events.signalModifiedKey(toDb, toKey);
  ctx.server.events.notify(NOTIFY_GENERIC, fromEvent, fromKey, fromDb.id);
  ctx.server.events.notify(NOTIFY_GENERIC, toEvent, toKey, toDb.id);
  ctx.markDirty();
}

function renameGeneric(ctx: CommandContext, argv: string[], nx: boolean): void {
  const db = ctx.db;
  const source = argv[1];
  const target = argv[2];
  if (db.lookup(source) === undefined) {
    ctx.reply.error(ERR_NO_SUCH_KEY);
    return;
  }
  if (source === target) {
    if (nx) ctx.reply.integer(0);
    else ctx.reply.ok();
    return;
  }
  // Looked up even without NX: an expired target is lazily deleted (and notified) first.
  if (db.lookup(target) !== undefined && nx) {
    ctx.reply.integer(0);
    return;
  }
  db.moveKey(source, db, target);
  afterKeyMoved(ctx, db, source, db, target, 'rename_from', 'rename_to');
  if (nx) ctx.reply.integer(1);
  else ctx.reply.ok();
}

function rename(ctx: CommandContext, argv: string[]): void {
  renameGeneric(ctx, argv, false);
}

function renamenx(ctx: CommandContext, argv: string[]): void {
  renameGeneric(ctx, argv, true);
}

function move(ctx: CommandContext, argv: string[]): void {
  if (ctx.server.cluster !== null) {
    ctx.reply.error('ERR MOVE is not allowed in cluster mode');
    return;
  }
  const source = ctx.db;
  const key = argv[1];
  const index = int32Arg(ctx, argv[2]);
  if (index === null) return;
  const target = dbAt(ctx, index);
  if (target === undefined) {
    ctx.reply.error(ERR_DB_INDEX);
    return;
  }
  if (target === source) {
    ctx.reply.error(ERR_SAME_OBJECT);
    return;
  }
  if (source.lookup(key) === undefined || target.lookup(key) !== undefined) {
    ctx.reply.integer(0);
    return;
  }
  source.moveKey(key, target, key);
  afterKeyMoved(ctx, source, key, target, key, 'move_from', 'move_to');
  ctx.reply.integer(1);
}

interface CopyOptions {
  target: Db;
  replace: boolean;
}

/** Parses DB/REPLACE from argv[3...]; null after replying with the error. */
function parseCopyOptions(ctx: CommandContext, argv: string[]): CopyOptions | null {
  const options: CopyOptions = { target: ctx.db, replace: false };
  for (let j = 3; j < argv.length; j++) {
    if (isKeyword(argv[j], 'REPLACE')) {
      options.replace = true;
    } else if (isKeyword(argv[j], 'DB') && j + 1 < argv.length) {
      const index = int32Arg(ctx, argv[j + 1]);
      if (index === null) return null;
      const target = dbAt(ctx, index);
      if (target === undefined) {
        ctx.reply.error(ERR_DB_INDEX);
        return null;
      }
      options.target = target;
      j++;
    } else {
      ctx.reply.error(ERR_SYNTAX);
      return null;
    }
  }
  return options;
}

function copy(ctx: CommandContext, argv: string[]): void {
  const options = parseCopyOptions(ctx, argv);
  if (options === null) return;
  const source = ctx.db;
  const { target, replace } = options;
  const key = argv[1];
  const newKey = argv[2];
  if (ctx.server.cluster !== null && (source.id !== 0 || target.id !== 0)) {
    ctx.reply.error('ERR Copying to another database is not allowed in cluster mode');
    return;
  }
  if (target === source && key === newKey) {
    ctx.reply.error(ERR_SAME_OBJECT);
    return;
  }
  const value: RedisValue | undefined = source.lookupRead(key);
  if (value === undefined) {
    ctx.reply.integer(0);
    return;
  }
  const deadline = source.getExpire(key);
  if (target.lookup(newKey) !== undefined && !replace) {
    ctx.reply.integer(0);
    return;
  }
  // Redis deletes a replaced target and adds the copy anew: a "new" key event either way.
  if (replace) target.delete(newKey);
  target.set(newKey, cloneValue(value));
  if (deadline !== undefined) target.setExpire(newKey, deadline);
  ctx.server.events.signalModifiedKey(target, newKey);
  ctx.server.events.notify(NOTIFY_GENERIC, 'copy_to', newKey, target.id);
  ctx.markDirty();
  ctx.reply.integer(1);
}

// ------------------------------------------------------------------ SWAPDB, FLUSH*

function swapdb(ctx: CommandContext, argv: string[]): void {
  if (ctx.server.cluster !== null) {
    ctx.reply.error('ERR SWAPDB is not allowed in cluster mode');
    return;
  }
  const first = int32Arg(ctx, argv[1], 'ERR invalid first DB index');
  if (first === null) return;
  const second = int32Arg(ctx, argv[2], 'ERR invalid second DB index');
  if (second === null) return;
  const a = dbAt(ctx, first);
  const b = dbAt(ctx, second);
  if (a === undefined || b === undefined) {
    ctx.reply.error(ERR_DB_INDEX);
    return;
  }
  if (a !== b) {
    // A watched key changes if it exists on either side (stale keys aside): signalled before
    // the exchange, while both sides can still be seen (Redis's touchAllWatchedKeysInDb).
    ctx.server.events.signalSwappedDb(a.id, b.id);
    a.swapContents(b);
  }
  ctx.markDirty();
  ctx.reply.ok();
}

/** FLUSHDB/FLUSHALL's optional SYNC|ASYNC; false after replying with a syntax error. */
function validFlushArguments(ctx: CommandContext, argv: string[]): boolean {
  if (argv.length === 1) return true;
  if (argv.length === 2 && (isKeyword(argv[1], 'SYNC') || isKeyword(argv[1], 'ASYNC'))) return true;
  ctx.reply.error(ERR_SYNTAX);
  return false;
}

/**
 * Counts the removed keys as changes; a flush that removed nothing is still propagated, as
 * Redis forces it (replicas must converge even if they held keys the master did not).
 */
function accountFlush(ctx: CommandContext, argv: string[], removed: number): void {
  if (removed > 0) ctx.markDirty(removed);
  else ctx.alsoPropagate(ctx.db.id, argv);
}

// ASYNC needs no background work: dropping the maps is O(1) and the GC reclaims them lazily.
function flushdb(ctx: CommandContext, argv: string[]): void {
  if (!validFlushArguments(ctx, argv)) return;
  ctx.server.events.signalFlushedDb(ctx.db.id);
  const removed = ctx.db.flush();
  if (flushesAsync(ctx, argv)) ctx.server.stats.lazyfreedObjects += removed;
  accountFlush(ctx, argv, removed);
  ctx.reply.ok();
}

/** ASYNC, or neither word under lazyfree-lazy-user-flush: Redis frees the old keys in the background. */
function flushesAsync(ctx: CommandContext, argv: string[]): boolean {
  if (argv.length === 2) return isKeyword(argv[1], 'ASYNC');
  return ctx.server.config.bool('lazyfree-lazy-user-flush');
}

function flushall(ctx: CommandContext, argv: string[]): void {
  if (!validFlushArguments(ctx, argv)) return;
  ctx.server.events.signalFlushedDb(-1);
  let removed = 0;
  for (const db of ctx.server.keyspace.dbs) removed += db.flush();
  if (flushesAsync(ctx, argv)) ctx.server.stats.lazyfreedObjects += removed;
  accountFlush(ctx, argv, removed);
  // With save points the emptied dataset is saved at once, which zeroes the change counter:
  // the flush is then propagated explicitly (Redis's forceCommandPropagation).
  if (ctx.server.persistence.afterFlushAll() && removed > 0) ctx.alsoPropagate(ctx.db.id, argv);
  ctx.reply.ok();
}

// ------------------------------------------------------------------ OBJECT

/** objectCommandLookup's flags: LOOKUP_NOTOUCH | LOOKUP_NONOTIFY (a miss raises no "keymiss"). */
const OBJECT_LOOKUP: LookupOptions = Object.freeze({ noTouch: true, noNotify: true });

/** The value for OBJECT: no access-time update, no keymiss event, null reply when missing. */
function objectLookup(ctx: CommandContext, key: string): RedisValue | undefined {
  const value = ctx.db.lookupRead(key, OBJECT_LOOKUP);
  if (value === undefined) ctx.reply.nullBulk();
  return value;
}

function objectEncoding(ctx: CommandContext, argv: string[]): void {
  const value = objectLookup(ctx, argv[2]);
  if (value !== undefined) ctx.reply.bulk(encodingName(value));
}

/**
 * Whether Redis would hand out its shared small-integer objects now: not while maxmemory is set
 * under an LRU or LFU policy (MAXMEMORY_FLAG_NO_SHARED_INTEGERS), since a shared object has one
 * access field for every key holding it. Redis decides when a value is created; values here
 * hold no such mark, so OBJECT REFCOUNT judges by the settings of the moment.
 */
export function integersShared(config: CommandContext['server']['config']): boolean {
  if (config.num('maxmemory') === 0) return true;
  const policy = config.str('maxmemory-policy');
  return !policy.endsWith('-lru') && !policy.endsWith('-lfu');
}

/**
 * Redis stores small non-negative integers as shared objects whose refcount is pinned at
 * INT_MAX when `sharedIntegers`; every other value has exactly one reference.
 */
export function refcountOf(value: RedisValue, sharedIntegers: boolean): number {
  if (!sharedIntegers || typeof value !== 'string' || encodingName(value) !== 'int') return 1;
  const n = parseInt64(value);
  return typeof n === 'number' && n >= 0 && n < SHARED_INTEGERS ? SHARED_REFCOUNT : 1;
}

function objectRefcount(ctx: CommandContext, argv: string[]): void {
  const value = objectLookup(ctx, argv[2]);
  if (value !== undefined) ctx.reply.integer(refcountOf(value, integersShared(ctx.server.config)));
}

function lfuPolicy(ctx: CommandContext): boolean {
  return ctx.server.config.str('maxmemory-policy').endsWith('-lfu');
}

function objectIdletime(ctx: CommandContext, argv: string[]): void {
  if (objectLookup(ctx, argv[2]) === undefined) return;
  if (lfuPolicy(ctx)) {
    ctx.reply.error('ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.');
    return;
  }
  ctx.reply.integer(ctx.db.idleSeconds(argv[2]));
}

/** The LFU counter, decayed to now; only tracked under an LFU maxmemory-policy. */
function objectFreq(ctx: CommandContext, argv: string[]): void {
  if (objectLookup(ctx, argv[2]) === undefined) return;
  if (!lfuPolicy(ctx)) {
    ctx.reply.error('ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.');
    return;
  }
  ctx.reply.integer(ctx.db.lfuFrequency(argv[2]));
}

const OBJECT_HELP = [
  'ENCODING <key>',
  '    Names the internal representation of the value at <key>.',
  'FREQ <key>',
  '    The logarithmic access counter of <key> (needs an LFU maxmemory-policy).',
  'IDLETIME <key>',
  '    Seconds since <key> was last read or written.',
  'REFCOUNT <key>',
  '    How many references the value at <key> has.',
];

function objectHelp(ctx: CommandContext, argv: string[]): void {
  replyHelp(ctx, argv[0], OBJECT_HELP);
}

// ------------------------------------------------------------------ table

const OBJECT_KEY = [keyAt(2, 'RO')];
const MULTI_SHARD_SUM = ['request_policy:multi_shard', 'response_policy:agg_sum'];
const ALL_SHARDS_OK = ['request_policy:all_shards', 'response_policy:all_succeeded'];

export const keyspaceCommands: CommandSpec[] = [
  {
    name: 'del', arity: -2, flags: ['write'], acl: ['keyspace', 'write', 'slow'],
    keySpecs: [keysFrom(1, 1, ['RM', 'delete'])], tips: MULTI_SHARD_SUM,
    summary: 'Removes keys, returning how many existed.', since: '1.0.0', group: 'generic', handler: deleteKeys,
  },
  {
    name: 'unlink', arity: -2, flags: ['write', 'fast'], acl: ['keyspace', 'write', 'fast'],
    keySpecs: [keysFrom(1, 1, ['RM', 'delete'])], tips: MULTI_SHARD_SUM,
    summary: 'Removes keys, reclaiming their memory in the background.', since: '4.0.0', group: 'generic',
    handler: deleteKeys,
  },
  {
    name: 'exists', arity: -2, flags: ['readonly', 'fast'], acl: ['keyspace', 'read', 'fast'],
    keySpecs: [keysFrom(1, 1, ['RO'])], tips: MULTI_SHARD_SUM,
    summary: 'Counts how many of the given keys exist.', since: '1.0.0', group: 'generic', handler: exists,
  },
  {
    name: 'touch', arity: -2, flags: ['readonly', 'fast'], acl: ['keyspace', 'read', 'fast'],
    keySpecs: [keysFrom(1, 1, ['RO'])], tips: MULTI_SHARD_SUM,
    summary: 'Marks keys as just accessed, returning how many exist.', since: '3.2.1', group: 'generic', handler: touch,
  },
  {
    name: 'type', arity: 2, flags: ['readonly', 'fast'], acl: ['keyspace', 'read', 'fast'],
    keySpecs: [keyAt(1, 'RO')],
    summary: 'Names the type of the value stored at a key.', since: '1.0.0', group: 'generic', handler: type,
  },
  {
    name: 'keys', arity: 2, flags: ['readonly'], acl: ['keyspace', 'read', 'slow', 'dangerous'],
    tips: ['request_policy:all_shards', 'nondeterministic_output_order'],
    summary: 'Lists every key matching a glob pattern.', since: '1.0.0', group: 'generic', handler: keys,
  },
  {
    name: 'scan', arity: -2, flags: ['readonly'], acl: ['keyspace', 'read', 'slow'], touchesArbitraryKeys: true,
    tips: ['nondeterministic_output', 'request_policy:special'],
    summary: 'Walks the keyspace incrementally with a cursor.', since: '2.8.0', group: 'generic', handler: scan,
  },
  {
    name: 'randomkey', arity: 1, flags: ['readonly'], acl: ['keyspace', 'read', 'slow'], touchesArbitraryKeys: true,
    tips: ['request_policy:all_shards', 'nondeterministic_output'],
    summary: 'Returns a key picked at random.', since: '1.0.0', group: 'generic', handler: randomkey,
  },
  {
    name: 'rename', arity: 3, flags: ['write'], acl: ['keyspace', 'write', 'slow'],
    keySpecs: [keyAt(1, 'RW', 'access', 'delete'), keyAt(2, 'OW', 'update')],
    summary: 'Gives a key a new name, replacing any key with that name.', since: '1.0.0', group: 'generic',
    handler: rename,
  },
  {
    name: 'renamenx', arity: 3, flags: ['write', 'fast'], acl: ['keyspace', 'write', 'fast'],
    keySpecs: [keyAt(1, 'RW', 'access', 'delete'), keyAt(2, 'OW', 'insert')],
    summary: 'Gives a key a new name only if that name is free.', since: '1.0.0', group: 'generic', handler: renamenx,
  },
  {
    name: 'copy', arity: -3, flags: ['write', 'denyoom'], acl: ['keyspace', 'write', 'slow'],
    keySpecs: [keyAt(1, 'RO', 'access'), keyAt(2, 'OW', 'update')],
    summary: 'Duplicates a value under another key, optionally in another database.', since: '6.2.0',
    group: 'generic', handler: copy,
  },
  {
    name: 'move', arity: 3, flags: ['write', 'fast'], acl: ['keyspace', 'write', 'fast'],
    keySpecs: [keyAt(1, 'RW', 'access', 'update')],
    summary: 'Transfers a key to another database.', since: '1.0.0', group: 'generic', handler: move,
  },
  {
    name: 'swapdb', arity: 3, flags: ['write', 'fast'], acl: ['keyspace', 'write', 'fast', 'dangerous'],
    summary: 'Exchanges the contents of two databases.', since: '4.0.0', group: 'server', handler: swapdb,
  },
  {
    name: 'flushdb', arity: -1, flags: ['write'], acl: ['keyspace', 'write', 'slow', 'dangerous'], tips: ALL_SHARDS_OK,
    summary: 'Removes every key of the selected database.', since: '1.0.0', group: 'server', handler: flushdb,
  },
  {
    name: 'flushall', arity: -1, flags: ['write'], acl: ['keyspace', 'write', 'slow', 'dangerous'], tips: ALL_SHARDS_OK,
    summary: 'Removes every key of every database.', since: '1.0.0', group: 'server', handler: flushall,
  },
  {
    name: 'dbsize', arity: 1, flags: ['readonly', 'fast'], acl: ['keyspace', 'read', 'fast'],
    tips: ['request_policy:all_shards', 'response_policy:agg_sum'],
    summary: 'Counts the keys of the selected database.', since: '1.0.0', group: 'server', handler: dbsize,
  },
  {
    name: 'object', arity: -2, flags: [], acl: [],
    summary: 'Inspects how a value is stored.', since: '2.2.3', group: 'generic',
    subcommands: [
      {
        name: 'encoding', arity: 3, flags: ['readonly'], acl: ['keyspace', 'read', 'slow'], keySpecs: OBJECT_KEY,
        tips: ['nondeterministic_output'],
        summary: 'Names the internal representation of a value.', since: '2.2.3', group: 'generic', handler: objectEncoding,
      },
      {
        name: 'freq', arity: 3, flags: ['readonly'], acl: ['keyspace', 'read', 'slow'], keySpecs: OBJECT_KEY,
        tips: ['nondeterministic_output'],
        summary: 'Reports the logarithmic access frequency of a key (LFU policies only).', since: '4.0.0',
        group: 'generic', handler: objectFreq,
      },
      {
        name: 'help', arity: 2, flags: ['loading', 'stale'], acl: ['keyspace', 'slow'],
        summary: 'Lists the OBJECT subcommands.', since: '6.2.0', group: 'generic', handler: objectHelp,
      },
      {
        name: 'idletime', arity: 3, flags: ['readonly'], acl: ['keyspace', 'read', 'slow'], keySpecs: OBJECT_KEY,
        tips: ['nondeterministic_output'],
        summary: 'Reports the seconds since a key was last accessed.', since: '2.2.3', group: 'generic',
        handler: objectIdletime,
      },
      {
        name: 'refcount', arity: 3, flags: ['readonly'], acl: ['keyspace', 'read', 'slow'], keySpecs: OBJECT_KEY,
        tips: ['nondeterministic_output'],
        summary: 'Reports how many references the value of a key has.', since: '2.2.3', group: 'generic',
        handler: objectRefcount,
      },
    ],
  },
];
