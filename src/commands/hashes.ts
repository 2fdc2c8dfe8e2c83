// Hash commands: HSET, HSETNX, HMSET, HGET, HMGET, HDEL, HLEN, HSTRLEN, HEXISTS, HKEYS, HVALS,
// HGETALL, HINCRBY, HINCRBYFLOAT, HRANDFIELD, HSCAN. Semantics follow Redis 7.0's t_hash.c,
// including when a listpack-encoded hash converts to a hashtable (see store/types/hash.ts).

import type { CommandContext } from './context.js';
import { ERR_NOT_FLOAT, ERR_NOT_INTEGER, ERR_OVERFLOW, errWrongArity } from './errors.js';
import { randomCountWithPairsArgs } from './random-count.js';
import { keyScan } from './scan-options.js';
import { isKind, lookupKind, refuseValue } from './typed-lookup.js';
import { keyAt, type CommandSpec, type KeySpec, type KeySpecFlag } from './types.js';
import { NOTIFY_GENERIC, NOTIFY_HASH } from '../config/keyspace-events.js';
import { HashValue } from '../store/types/hash.js';
import {
  addLongDouble, formatLongDoubleHuman, INT64_MAX, INT64_MIN, LD_ZERO, parseInt64, parseLongDouble, type LongDouble,
} from '../util/numbers.js';

const ERR_HASH_NOT_INTEGER = 'ERR hash value is not an integer';
const ERR_HASH_NOT_FLOAT = 'ERR hash value is not a float';

/** C's LONG_MAX / 2 (integer division): the WITHVALUES bound on HRANDFIELD's count. */
/** HRANDFIELD's sub-strategy factor (t_hash.c HRANDFIELD_SUB_STRATEGY_MUL). */
const SUB_STRATEGY_MUL = 3;
/**
 * A single reply may not grow past this: Redis would stop a runaway HRANDFIELD -<huge> when the
 * client hits its output limit; we must stop before a Buffer allocation fails and throws.
 */
const MAX_REPLY_BYTES = 512 * 1024 * 1024;
/** How often (in elements) a long HRANDFIELD reply checks MAX_REPLY_BYTES. */
const REPLY_CHECK_EVERY = 1024;

// ------------------------------------------------------------------------------------ helpers

/** The hash at `key` for reading; undefined when missing, null after a WRONGTYPE reply. */
function hashForRead(ctx: CommandContext, key: string): HashValue | undefined | null {
  return lookupKind(ctx, key, 'hash', false);
}

/**
 * The hash at `key` for a write, created and stored when missing (Redis's
 * hashTypeLookupWriteOrCreate, including dbAdd's "new" event); null after a WRONGTYPE reply.
 * Callers only create when they are sure to add a field, so no empty hash is ever left behind.
 */
function hashForWrite(ctx: CommandContext, key: string): HashValue | null {
  const value = ctx.db.lookup(key);
  if (value === undefined) {
    const hash = new HashValue();
    // Db.set fires dbAdd's "new" keyspace event for a key it creates.
    ctx.db.set(key, hash);
    return hash;
  }
  if (!isKind(value, 'hash')) {
    refuseValue(ctx, key, value, 'hash');
    return null;
  }
  return value;
}

/** listpack.c LISTPACK_MAX_SAFETY_SIZE: a listpack is never let grow past 1 GB. */
const LISTPACK_MAX_SAFETY_BYTES = 1 << 30;

/**
 * hashTypeTryConversion: an argument longer than hash-max-listpack-value forces a hashtable, and
 * so do arguments that would take the listpack past its safety size.
 */
function convertForLongArgs(ctx: CommandContext, hash: HashValue, argv: string[], from: number, to: number): void {
  const maxValueBytes = ctx.server.config.live.hashMaxListpackValueBytes;
  let sumBytes = 0;
  for (let i = from; i <= to; i++) {
    const length = argv[i].length;
    if (length > maxValueBytes) {
      hash.convertToHashtable();
      return;
    }
    sumBytes += length;
  }
  if (hash.listpackBytes + sumBytes > LISTPACK_MAX_SAFETY_BYTES) hash.convertToHashtable();
}

/** hashTypeSet's check for one field/value pair (the HINCRBY* path). */
function convertForLongPair(ctx: CommandContext, hash: HashValue, field: string, value: string): void {
  const maxValueBytes = ctx.server.config.live.hashMaxListpackValueBytes;
  if (field.length > maxValueBytes || value.length > maxValueBytes) hash.convertToHashtable();
}

/** After an insert: more entries than hash-max-listpack-entries converts, and never back. */
function convertForSize(ctx: CommandContext, hash: HashValue): void {
  if (hash.size > ctx.server.config.live.hashMaxListpackEntries) hash.convertToHashtable();
}

function afterWrite(ctx: CommandContext, key: string, event: string, changes: number): void {
  ctx.server.events.signalModifiedKey(ctx.db, key);
  ctx.server.events.notify(NOTIFY_HASH, event, key, ctx.db.id);
  ctx.markDirty(changes);
}

/** Stores a value computed by HINCRBY/HINCRBYFLOAT with hashTypeSet's encoding checks. */
function storeComputed(ctx: CommandContext, hash: HashValue, field: string, value: string): void {
  if (hash.compact) convertForLongPair(ctx, hash, field, value);
  hash.set(field, value);
  if (hash.compact) convertForSize(ctx, hash);
}

// ------------------------------------------------------------------------------------ writes

/** HSET and HMSET (same code; only the reply differs, as in Redis). */
function hset(ctx: CommandContext, argv: string[]): void {
  const argc = argv.length;
  if ((argc & 1) === 1) {
    ctx.reply.error(errWrongArity(ctx.command.fullName));
    return;
  }
  const key = argv[1];
  const hash = hashForWrite(ctx, key);
  if (hash === null) return;
  if (hash.compact) convertForLongArgs(ctx, hash, argv, 2, argc - 1);
  const maxEntries = ctx.server.config.live.hashMaxListpackEntries;
  let created = 0;
  for (let i = 2; i < argc; i += 2) {
    if (hash.set(argv[i], argv[i + 1])) created++;
    // Redis checks the size after every set, updates included (the limit may have been
    // lowered); converting at once also keeps a long HSET from growing a listpack pair by pair.
    if (hash.compact && hash.size > maxEntries) hash.convertToHashtable();
  }
  // HSET answers the number of new fields, the deprecated HMSET a plain OK.
  if (ctx.command.spec.name === 'hset') ctx.reply.integer(created);
  else ctx.reply.ok();
  afterWrite(ctx, key, 'hset', (argc - 2) / 2);
}

function hsetnx(ctx: CommandContext, argv: string[]): void {
  const key = argv[1];
  const hash = hashForWrite(ctx, key);
  if (hash === null) return;
  if (hash.has(argv[2])) {
    ctx.reply.integer(0);
    return;
  }
  if (hash.compact) convertForLongArgs(ctx, hash, argv, 2, 3);
  hash.set(argv[2], argv[3]);
  if (hash.compact) convertForSize(ctx, hash);
  ctx.reply.integer(1);
  afterWrite(ctx, key, 'hset', 1);
}

function hdel(ctx: CommandContext, argv: string[]): void {
  const key = argv[1];
  const value = lookupKind(ctx, key, 'hash', true);
  if (value === null) return;
  if (value === undefined) {
    ctx.reply.integer(0);
    return;
  }
  let deleted = 0;
  let keyRemoved = false;
  for (let i = 2; i < argv.length; i++) {
    if (!value.delete(argv[i])) continue;
    deleted++;
    if (value.size === 0) {
      ctx.db.delete(key);
      keyRemoved = true;
      break;
    }
  }
  if (deleted > 0) {
    afterWrite(ctx, key, 'hdel', deleted);
    if (keyRemoved) ctx.server.events.notify(NOTIFY_GENERIC, 'del', key, ctx.db.id);
  }
  ctx.reply.integer(deleted);
}

/** int64 addition with Redis's overflow rule; null when the sum leaves int64. */
function addInt64(a: number | bigint, b: number | bigint): number | bigint | null {
  if (typeof a === 'number' && typeof b === 'number') {
    const sum = a + b;
    if (Number.isSafeInteger(sum)) return sum;
  }
  const sum = BigInt(a) + BigInt(b);
  if (sum > INT64_MAX || sum < INT64_MIN) return null;
  const asNumber = Number(sum);
  return Number.isSafeInteger(asNumber) ? asNumber : sum;
}

function hincrby(ctx: CommandContext, argv: string[]): void {
  const increment = parseInt64(argv[3]);
  if (increment === null) {
    ctx.reply.error(ERR_NOT_INTEGER);
    return;
  }
  const key = argv[1];
  const field = argv[2];
  const hash = hashForWrite(ctx, key);
  if (hash === null) return;
  const current = hash.get(field);
  let base: number | bigint = 0;
  if (current !== undefined) {
    const parsed = parseInt64(current);
    if (parsed === null) {
      ctx.reply.error(ERR_HASH_NOT_INTEGER);
      return;
    }
    base = parsed;
  }
  const result = addInt64(base, increment);
  if (result === null) {
    ctx.reply.error(ERR_OVERFLOW);
    return;
  }
  storeComputed(ctx, hash, field, String(result));
  ctx.reply.integer(result);
  afterWrite(ctx, key, 'hincrby', 1);
}

function hincrbyfloat(ctx: CommandContext, argv: string[]): void {
  // Redis computes in x87 long double (strtold, +, "%.17Lf"); the emulation gives its digits.
  const increment = parseLongDouble(argv[3]);
  if (increment === null) {
    ctx.reply.error(ERR_NOT_FLOAT);
    return;
  }
  if (increment.inf) {
    ctx.reply.error('ERR value is NaN or Infinity');
    return;
  }
  const key = argv[1];
  const field = argv[2];
  const hash = hashForWrite(ctx, key);
  if (hash === null) return;
  const current = hash.get(field);
  let base: LongDouble = LD_ZERO;
  if (current !== undefined) {
    const parsed = parseLongDouble(current);
    if (parsed === null) {
      ctx.reply.error(ERR_HASH_NOT_FLOAT);
      return;
    }
    base = parsed;
  }
  const result = addLongDouble(base, increment);
  if (result === null || result.inf) {
    ctx.reply.error('ERR increment would produce NaN or Infinity');
    return;
  }
  const text = formatLongDoubleHuman(result);
  storeComputed(ctx, hash, field, text);
  ctx.reply.bulk(text);
  afterWrite(ctx, key, 'hincrbyfloat', 1);
  // Replicas and the AOF get the final value, so float formatting can never make them diverge.
  ctx.rewritePropagation(['HSET', key, field, text]);
}

// ------------------------------------------------------------------------------------- reads

function hget(ctx: CommandContext, argv: string[]): void {
  const value = hashForRead(ctx, argv[1]);
  if (value === null) return;
  if (value === undefined) {
    ctx.reply.nullBulk();
    return;
  }
  const found = value.get(argv[2]);
  if (found === undefined) ctx.reply.nullBulk();
  else ctx.reply.bulk(found);
}

function hmget(ctx: CommandContext, argv: string[]): void {
  // A missing key is an empty hash here: one null per field rather than an error.
  const hash = hashForRead(ctx, argv[1]);
  if (hash === null) return;
  const r = ctx.reply;
  r.arrayLength(argv.length - 2);
  for (let i = 2; i < argv.length; i++) {
    const found = hash?.get(argv[i]);
    if (found === undefined) r.nullBulk();
    else r.bulk(found);
  }
}

function hlen(ctx: CommandContext, argv: string[]): void {
  const hash = hashForRead(ctx, argv[1]);
  if (hash === null) return;
  ctx.reply.integer(hash === undefined ? 0 : hash.size);
}

function hstrlen(ctx: CommandContext, argv: string[]): void {
  const hash = hashForRead(ctx, argv[1]);
  if (hash === null) return;
  ctx.reply.integer(hash?.get(argv[2])?.length ?? 0);
}

function hexists(ctx: CommandContext, argv: string[]): void {
  const hash = hashForRead(ctx, argv[1]);
  if (hash === null) return;
  ctx.reply.integer(hash !== undefined && hash.has(argv[2]) ? 1 : 0);
}

/**
 * genericHgetallCommand: HKEYS, HVALS and HGETALL walk the hash once, writing fields, values or
 * both; only the pairs of HGETALL form a map (in RESP3), the other two are plain arrays.
 */
function replyHashContents(ctx: CommandContext, key: string, withFields: boolean, withValues: boolean): void {
  const hash = hashForRead(ctx, key);
  if (hash === null) return;
  const r = ctx.reply;
  const size = hash === undefined ? 0 : hash.size;
  if (withFields && withValues) r.mapLength(size);
  else r.arrayLength(size);
  if (hash === undefined) return;
  hash.forEachPair((field, value) => {
    if (withFields) r.bulk(field);
    if (withValues) r.bulk(value);
  });
}

function hkeys(ctx: CommandContext, argv: string[]): void {
  replyHashContents(ctx, argv[1], true, false);
}

function hvals(ctx: CommandContext, argv: string[]): void {
  replyHashContents(ctx, argv[1], false, true);
}

function hgetall(ctx: CommandContext, argv: string[]): void {
  replyHashContents(ctx, argv[1], true, true);
}

// ---------------------------------------------------------------------------------- HRANDFIELD

/** Writes one HRANDFIELD element: a field, or with values a pair (nested in RESP3). */
function replyRandomEntry(ctx: CommandContext, field: string, value: string, withValues: boolean): void {
  const r = ctx.reply;
  if (!withValues) {
    r.bulk(field);
    return;
  }
  if (r.resp === 3) r.arrayLength(2);
  r.bulk(field);
  r.bulk(value);
}

/** The array header for `count` elements: flat pairs in RESP2, nested pairs in RESP3. */
function randomReplyHeader(ctx: CommandContext, count: number, withValues: boolean): void {
  ctx.reply.arrayLength(withValues && ctx.reply.resp === 2 ? count * 2 : count);
}

/** CASE 1 (negative count, or 1): independent uniform picks, repeats allowed, random order. */
function randomWithRepeats(ctx: CommandContext, hash: HashValue, count: number, withValues: boolean): void {
  randomReplyHeader(ctx, count, withValues);
  // A listpack is read once into arrays, so that each pick is O(1) rather than a walk.
  const fields: string[] = [];
  const values: string[] = [];
  if (hash.compact) hash.collectPairs(fields, values);
  for (let i = 0; i < count; i++) {
    if (i % REPLY_CHECK_EVERY === 0 && ctx.reply.lengthBytes > MAX_REPLY_BYTES) {
      ctx.client.close('reply too large (HRANDFIELD)');
      return;
    }
    if (fields.length > 0) {
      const index = Math.floor(Math.random() * fields.length);
      replyRandomEntry(ctx, fields[index], values[index], withValues);
    } else {
      const field = hash.randomField();
      replyRandomEntry(ctx, field, hash.get(field) ?? '', withValues);
    }
  }
}

/** CASE 3 (count close to the size): start from every pair and drop random ones. */
function randomByRemoval(ctx: CommandContext, hash: HashValue, count: number, withValues: boolean): void {
  const fields: string[] = [];
  const values: string[] = [];
  hash.collectPairs(fields, values);
  while (fields.length > count) {
    const victim = Math.floor(Math.random() * fields.length);
    const last = fields.length - 1;
    fields[victim] = fields[last];
    values[victim] = values[last];
    fields.pop();
    values.pop();
  }
  for (let i = 0; i < fields.length; i++) replyRandomEntry(ctx, fields[i], values[i], withValues);
}

/**
 * CASE 4 for a listpack: one pass of selection sampling (lpRandomPairsUnique), so the fields
 * come out in the hash's own order.
 */
function randomBySelection(ctx: CommandContext, hash: HashValue, count: number, withValues: boolean): void {
  let remainingToPick = count;
  let unseen = hash.size;
  hash.forEachPair((field, value) => {
    if (remainingToPick > 0 && Math.random() * unseen < remainingToPick) {
      replyRandomEntry(ctx, field, value, withValues);
      remainingToPick--;
    }
    unseen--;
  });
}

/** CASE 4 for a hashtable: random picks until enough distinct fields, in pick order. */
function randomByPicking(ctx: CommandContext, hash: HashValue, count: number, withValues: boolean): void {
  const picked = new Set<string>();
  while (picked.size < count) {
    const field = hash.randomField();
    if (picked.has(field)) continue;
    picked.add(field);
    replyRandomEntry(ctx, field, hash.get(field) ?? '', withValues);
  }
}

function hrandfieldWithCount(ctx: CommandContext, key: string, requested: number, withValues: boolean): void {
  const hash = hashForRead(ctx, key);
  if (hash === null) return;
  if (hash === undefined || requested === 0) {
    ctx.reply.arrayLength(0);
    return;
  }
  const size = hash.size;
  const count = Math.abs(requested);
  if (requested < 0 || count === 1) {
    randomWithRepeats(ctx, hash, count, withValues);
    return;
  }
  randomReplyHeader(ctx, Math.min(count, size), withValues);
  if (count >= size) {
    // CASE 2: everything, in the hash's order.
    hash.forEachPair((field, value) => replyRandomEntry(ctx, field, value, withValues));
  } else if (count * SUB_STRATEGY_MUL > size) {
    randomByRemoval(ctx, hash, count, withValues);
  } else if (hash.compact) {
    randomBySelection(ctx, hash, count, withValues);
  } else {
    randomByPicking(ctx, hash, count, withValues);
  }
}

function hrandfield(ctx: CommandContext, argv: string[]): void {
  if (argv.length >= 3) {
    const args = randomCountWithPairsArgs(ctx, argv, 'WITHVALUES');
    if (args !== null) hrandfieldWithCount(ctx, argv[1], args.count, args.pairs);
    return;
  }
  const hash = hashForRead(ctx, argv[1]);
  if (hash === null) return;
  if (hash === undefined) ctx.reply.nullBulk();
  else ctx.reply.bulk(hash.randomField());
}

// -------------------------------------------------------------------------------------- HSCAN

function hscan(ctx: CommandContext, argv: string[]): void {
  keyScan(ctx, argv, hashForRead, (hash, cursor, count, matches, found) => {
    if (hash.compact) {
      // A listpack is small: it is returned whole in one call, whatever the cursor says.
      hash.forEachPair((field, value) => {
        if (matches(field)) found.push(field, value);
      });
      return '0';
    }
    return hash.scan(cursor, count, (field) => {
      const value = hash.get(field);
      if (value !== undefined && matches(field)) found.push(field, value);
      return true;
    });
  });
}

// -------------------------------------------------------------------------------------- table

const KEY_RO_ACCESS = keyAt(1, 'RO', 'access');
const KEY_RO = keyAt(1, 'RO');

function writeKey(...flags: KeySpecFlag[]): KeySpec {
  return keyAt(1, 'RW', ...flags);
}

export const hashCommands: CommandSpec[] = [
  {
    name: 'hset', arity: -4, flags: ['write', 'denyoom', 'fast'], acl: ['write', 'hash', 'fast'],
    keySpecs: [writeKey('update')],
    summary: 'Stores one or more field/value pairs in a hash, creating it when missing.',
    since: '2.0.0', group: 'hash', complexity: 'O(1) per pair',
    arguments: [
      { name: 'key', type: 'key' },
      { name: 'field_value', type: 'block', multiple: true, arguments: [{ name: 'field', type: 'string' }, { name: 'value', type: 'string' }] },
    ],
    handler: hset,
  },
  {
    name: 'hsetnx', arity: 4, flags: ['write', 'denyoom', 'fast'], acl: ['write', 'hash', 'fast'],
    keySpecs: [writeKey('insert')],
    summary: 'Stores a hash field only when that field is not present yet.',
    since: '2.0.0', group: 'hash', complexity: 'O(1)',
    arguments: [{ name: 'key', type: 'key' }, { name: 'field', type: 'string' }, { name: 'value', type: 'string' }],
    handler: hsetnx,
  },
  {
    name: 'hmset', arity: -4, flags: ['write', 'denyoom', 'fast'], acl: ['write', 'hash', 'fast'],
    keySpecs: [writeKey('update')],
    summary: 'Older form of HSET that replies OK instead of a count (deprecated).',
    since: '2.0.0', group: 'hash', complexity: 'O(N) in the number of pairs',
    arguments: [
      { name: 'key', type: 'key' },
      { name: 'field_value', type: 'block', multiple: true, arguments: [{ name: 'field', type: 'string' }, { name: 'value', type: 'string' }] },
    ],
    handler: hset,
  },
  {
    name: 'hget', arity: 3, flags: ['readonly', 'fast'], acl: ['read', 'hash', 'fast'],
    keySpecs: [KEY_RO_ACCESS],
    summary: 'Reads the value stored under one field of a hash.',
    since: '2.0.0', group: 'hash', complexity: 'O(1)',
    arguments: [{ name: 'key', type: 'key' }, { name: 'field', type: 'string' }],
    handler: hget,
  },
  {
    name: 'hmget', arity: -3, flags: ['readonly', 'fast'], acl: ['read', 'hash', 'fast'],
    keySpecs: [KEY_RO_ACCESS],
    summary: 'Reads several hash fields at once, with nulls for absent ones.',
    since: '2.0.0', group: 'hash', complexity: 'O(N) in the number of fields asked for',
    arguments: [{ name: 'key', type: 'key' }, { name: 'field', type: 'string', multiple: true }],
    handler: hmget,
  },
  {
    name: 'hdel', arity: -3, flags: ['write', 'fast'], acl: ['write', 'hash', 'fast'],
    keySpecs: [writeKey('delete')],
    summary: 'Removes fields from a hash; the key goes away with its last field.',
    since: '2.0.0', group: 'hash', complexity: 'O(N) in the number of fields removed',
    arguments: [{ name: 'key', type: 'key' }, { name: 'field', type: 'string', multiple: true }],
    handler: hdel,
  },
  {
    name: 'hlen', arity: 2, flags: ['readonly', 'fast'], acl: ['read', 'hash', 'fast'],
    keySpecs: [KEY_RO],
    summary: 'Counts the fields of a hash.',
    since: '2.0.0', group: 'hash', complexity: 'O(1)',
    arguments: [{ name: 'key', type: 'key' }],
    handler: hlen,
  },
  {
    name: 'hstrlen', arity: 3, flags: ['readonly', 'fast'], acl: ['read', 'hash', 'fast'],
    keySpecs: [KEY_RO],
    summary: 'Gives the byte length of the value of one hash field.',
    since: '3.2.0', group: 'hash', complexity: 'O(1)',
    arguments: [{ name: 'key', type: 'key' }, { name: 'field', type: 'string' }],
    handler: hstrlen,
  },
  {
    name: 'hexists', arity: 3, flags: ['readonly', 'fast'], acl: ['read', 'hash', 'fast'],
    keySpecs: [KEY_RO],
    summary: 'Tells whether a hash has the given field.',
    since: '2.0.0', group: 'hash', complexity: 'O(1)',
    arguments: [{ name: 'key', type: 'key' }, { name: 'field', type: 'string' }],
    handler: hexists,
  },
  {
    name: 'hkeys', arity: 2, flags: ['readonly'], acl: ['read', 'hash', 'slow'],
    keySpecs: [KEY_RO_ACCESS], tips: ['nondeterministic_output_order'],
    summary: 'Lists the field names of a hash.',
    since: '2.0.0', group: 'hash', complexity: 'O(N) in the size of the hash',
    arguments: [{ name: 'key', type: 'key' }],
    handler: hkeys,
  },
  {
    name: 'hvals', arity: 2, flags: ['readonly'], acl: ['read', 'hash', 'slow'],
    keySpecs: [KEY_RO_ACCESS], tips: ['nondeterministic_output_order'],
    summary: 'Lists the values of a hash.',
    since: '2.0.0', group: 'hash', complexity: 'O(N) in the size of the hash',
    arguments: [{ name: 'key', type: 'key' }],
    handler: hvals,
  },
  {
    name: 'hgetall', arity: 2, flags: ['readonly'], acl: ['read', 'hash', 'slow'],
    keySpecs: [KEY_RO_ACCESS], tips: ['nondeterministic_output_order'],
    summary: 'Returns every field with its value (a map in RESP3).',
    since: '2.0.0', group: 'hash', complexity: 'O(N) in the size of the hash',
    arguments: [{ name: 'key', type: 'key' }],
    handler: hgetall,
  },
  {
    name: 'hincrby', arity: 4, flags: ['write', 'denyoom', 'fast'], acl: ['write', 'hash', 'fast'],
    keySpecs: [writeKey('access', 'update')],
    summary: 'Adds an integer to the integer held by a hash field (0 when absent).',
    since: '2.0.0', group: 'hash', complexity: 'O(1)',
    arguments: [{ name: 'key', type: 'key' }, { name: 'field', type: 'string' }, { name: 'increment', type: 'integer' }],
    handler: hincrby,
  },
  {
    name: 'hincrbyfloat', arity: 4, flags: ['write', 'denyoom', 'fast'], acl: ['write', 'hash', 'fast'],
    keySpecs: [writeKey('access', 'update')],
    summary: 'Adds a floating point amount to the number held by a hash field (0 when absent).',
    since: '2.6.0', group: 'hash', complexity: 'O(1)',
    arguments: [{ name: 'key', type: 'key' }, { name: 'field', type: 'string' }, { name: 'increment', type: 'double' }],
    handler: hincrbyfloat,
  },
  {
    name: 'hrandfield', arity: -2, flags: ['readonly'], acl: ['read', 'hash', 'slow'],
    keySpecs: [KEY_RO_ACCESS], tips: ['nondeterministic_output'],
    summary: 'Picks random fields of a hash: distinct for a positive count, possibly repeated for a negative one.',
    since: '6.2.0', group: 'hash', complexity: 'O(N) in the number of fields returned',
    arguments: [
      { name: 'key', type: 'key' },
      { name: 'options', type: 'block', optional: true, arguments: [{ name: 'count', type: 'integer' }, { name: 'withvalues', type: 'pure-token', token: 'WITHVALUES', optional: true }] },
    ],
    handler: hrandfield,
  },
  {
    name: 'hscan', arity: -3, flags: ['readonly'], acl: ['read', 'hash', 'slow'],
    keySpecs: [KEY_RO_ACCESS], tips: ['nondeterministic_output'],
    summary: 'Walks the fields and values of a hash a few at a time with a cursor.',
    since: '2.8.0', group: 'hash', complexity: 'O(1) per call, O(N) for a whole walk',
    arguments: [
      { name: 'key', type: 'key' },
      { name: 'cursor', type: 'integer' },
      { name: 'pattern', type: 'pattern', token: 'MATCH', optional: true },
      { name: 'count', type: 'integer', token: 'COUNT', optional: true },
    ],
    handler: hscan,
  },
];
