// Set commands: SADD, SREM, SMEMBERS, SISMEMBER, SMISMEMBER, SCARD, SPOP, SRANDMEMBER, SMOVE,
// SINTER, SINTERCARD, SINTERSTORE, SUNION, SUNIONSTORE, SDIFF, SDIFFSTORE, SSCAN. Semantics follow
// Redis 7.0's t_set.c, including where results are built in a temporary set that starts as an
// intset: that decides both the stored encoding and the reply order (ascending integers).

import type { CommandContext } from './context.js';
import { ERR_SYNTAX, isKeyword } from './errors.js';
import { randomCountArg } from './random-count.js';
import { keyScan } from './scan-options.js';
import { keyAt, keysFrom, type CommandSpec } from './types.js';
import { NOTIFY_GENERIC, NOTIFY_SET } from '../config/keyspace-events.js';
import { SetValue } from '../store/types/set.js';
import type { RedisValue } from '../store/values.js';
import { parseInt64 } from '../util/numbers.js';
import { lookupKind, refuseValue } from './typed-lookup.js';

const ERR_MUST_BE_POSITIVE = 'ERR value is out of range, must be positive';

/** t_set.c SPOP_MOVE_STRATEGY_MUL: when to rebuild the remaining set instead of popping. */
const SPOP_MOVE_STRATEGY_MUL = 5;
/** t_set.c SRANDMEMBER_SUB_STRATEGY_MUL: when to copy the set and drop members instead of picking. */
const SRANDMEMBER_SUB_STRATEGY_MUL = 3;
/**
 * A single reply may not grow past this: Redis stops a runaway SRANDMEMBER -<huge> when the
 * client hits its output limit; we must stop before a Buffer allocation fails and throws.
 */
const MAX_REPLY_BYTES = 512 * 1024 * 1024;
/** How often (in elements) a long SRANDMEMBER reply checks MAX_REPLY_BYTES. */
const REPLY_CHECK_EVERY = 1024;

// ------------------------------------------------------------------------------------ helpers

export function isSet(value: RedisValue): value is SetValue {
  return typeof value !== 'string' && value.kind === 'set';
}

/** The set at `key` for reading; undefined when missing, null after a WRONGTYPE reply. */
function setForRead(ctx: CommandContext, key: string): SetValue | undefined | null {
  return lookupKind(ctx, key, 'set', false);
}

/** The set at `key` for a write (lookupKeyWrite); undefined when missing, null after WRONGTYPE. */
function setForWrite(ctx: CommandContext, key: string): SetValue | undefined | null {
  return lookupKind(ctx, key, 'set', true);
}

function maxIntsetEntries(ctx: CommandContext): number {
  return ctx.server.config.live.setMaxIntsetEntries;
}

/** An empty set reply: "*0" in RESP2, "~0" in RESP3 (shared.emptyset). */
function replyEmptySet(ctx: CommandContext): void {
  ctx.reply.setLength(0);
}

/** Writes every member of `set` in its iteration order. */
function replyMembers(ctx: CommandContext, set: SetValue): void {
  const r = ctx.reply;
  const size = set.size;
  for (let i = 0; i < size; i++) r.bulk(set.memberAt(i));
}

/**
 * setKey for a computed result: an expired destination is removed first (with its events, as
 * lookupKeyWrite would), the TTL goes, WATCH and the like hear of it.
 */
function storeResult(ctx: CommandContext, key: string, value: SetValue): void {
  ctx.db.expireForWrite(key);
  ctx.db.set(key, value);
  ctx.server.events.signalModifiedKey(ctx.db, key);
}

/** An empty result deletes the destination (and tells so when there was one). */
function deleteDestination(ctx: CommandContext, key: string): void {
  if (!ctx.db.delete(key)) return;
  ctx.server.events.signalModifiedKey(ctx.db, key);
  ctx.server.events.notify(NOTIFY_GENERIC, 'del', key, ctx.db.id);
  ctx.markDirty();
}

// ------------------------------------------------------------------------------------ writes

function sadd(ctx: CommandContext, argv: string[]): void {
  const key = argv[1];
  let set = setForWrite(ctx, key);
  if (set === null) return;
  if (set === undefined) {
    set = SetValue.forMember(argv[2]);
    // Db.set fires dbAdd's "new" keyspace event for a key it creates.
    ctx.db.set(key, set);
  }
  const max = maxIntsetEntries(ctx);
  let added = 0;
  for (let i = 2; i < argv.length; i++) {
    if (set.add(argv[i], max)) added++;
  }
  if (added > 0) {
    ctx.server.events.signalModifiedKey(ctx.db, key);
    ctx.server.events.notify(NOTIFY_SET, 'sadd', key, ctx.db.id);
    ctx.markDirty(added);
  }
  ctx.reply.integer(added);
}

function srem(ctx: CommandContext, argv: string[]): void {
  const key = argv[1];
  const set = setForWrite(ctx, key);
  if (set === null) return;
  if (set === undefined) {
    ctx.reply.integer(0);
    return;
  }
  let deleted = 0;
  let keyRemoved = false;
  for (let i = 2; i < argv.length; i++) {
    if (!set.delete(argv[i])) continue;
    deleted++;
    if (set.size === 0) {
      ctx.db.delete(key);
      keyRemoved = true;
      break;
    }
  }
  if (deleted > 0) {
    ctx.server.events.signalModifiedKey(ctx.db, key);
    ctx.server.events.notify(NOTIFY_SET, 'srem', key, ctx.db.id);
    if (keyRemoved) ctx.server.events.notify(NOTIFY_GENERIC, 'del', key, ctx.db.id);
    ctx.markDirty(deleted);
  }
  ctx.reply.integer(deleted);
}

function smove(ctx: CommandContext, argv: string[]): void {
  const sourceKey = argv[1];
  const destinationKey = argv[2];
  const member = argv[3];
  const source = ctx.db.lookup(sourceKey);
  const destination = ctx.db.lookup(destinationKey);
  if (source === undefined) {
    ctx.reply.integer(0);
    return;
  }
  if (!isSet(source) || (destination !== undefined && !isSet(destination))) {
    if (!isSet(source)) refuseValue(ctx, sourceKey, source, 'set');
    else if (destination !== undefined) refuseValue(ctx, destinationKey, destination, 'set');
    return;
  }
  if (source === destination) {
    ctx.reply.integer(source.has(member) ? 1 : 0);
    return;
  }
  if (!source.delete(member)) {
    ctx.reply.integer(0);
    return;
  }
  const events = ctx.server.events;
  events.notify(NOTIFY_SET, 'srem', sourceKey, ctx.db.id);
  if (source.size === 0) {
    ctx.db.delete(sourceKey);
    events.notify(NOTIFY_GENERIC, 'del', sourceKey, ctx.db.id);
  }
  let target = destination;
  if (target === undefined) {
    target = SetValue.forMember(member);
    ctx.db.set(destinationKey, target);
  }
  events.signalModifiedKey(ctx.db, sourceKey);
  ctx.markDirty();
  // The destination counts as changed only when the member was not there already.
  if (target.add(member, maxIntsetEntries(ctx))) {
    ctx.markDirty();
    events.signalModifiedKey(ctx.db, destinationKey);
    events.notify(NOTIFY_SET, 'sadd', destinationKey, ctx.db.id);
  }
  ctx.reply.integer(1);
}

function spop(ctx: CommandContext, argv: string[]): void {
  if (argv.length === 3) {
    spopWithCount(ctx, argv);
    return;
  }
  if (argv.length > 3) {
    ctx.reply.error(ERR_SYNTAX);
    return;
  }
  const key = argv[1];
  const set = setForWrite(ctx, key);
  if (set === null) return;
  if (set === undefined) {
    ctx.reply.nullBulk();
    return;
  }
  const member = set.popRandom();
  ctx.server.events.notify(NOTIFY_SET, 'spop', key, ctx.db.id);
  // Replicas must remove the same member, not pick their own.
  ctx.rewritePropagation(['SREM', key, member]);
  ctx.reply.bulk(member);
  if (set.size === 0) {
    ctx.db.delete(key);
    ctx.server.events.notify(NOTIFY_GENERIC, 'del', key, ctx.db.id);
  }
  ctx.server.events.signalModifiedKey(ctx.db, key);
  ctx.markDirty();
}

function spopWithCount(ctx: CommandContext, argv: string[]): void {
  const parsed = parseInt64(argv[2]);
  if (parsed === null || parsed < 0) {
    ctx.reply.error(ERR_MUST_BE_POSITIVE);
    return;
  }
  const key = argv[1];
  const set = setForWrite(ctx, key);
  if (set === null) return;
  if (set === undefined || parsed === 0) {
    replyEmptySet(ctx);
    return;
  }
  // Beyond 2^53 the count loses precision, but it is then above any set's size anyway.
  const count = Number(parsed);
  const size = set.size;
  const events = ctx.server.events;
  events.notify(NOTIFY_SET, 'spop', key, ctx.db.id);
  ctx.markDirty(count >= size ? size : count);

  if (count >= size) {
    // CASE 1: the whole set, replied as SUNION of the key replies it, then the key goes.
    setUnionOrDiff(ctx, argv, 1, 2, null, false);
    ctx.db.delete(key);
    events.notify(NOTIFY_GENERIC, 'del', key, ctx.db.id);
    ctx.rewritePropagation(['DEL', key]);
    events.signalModifiedKey(ctx.db, key);
    return;
  }

  // Cases 2 and 3 propagate one SREM per popped member, and not the SPOP itself.
  const dbIndex = ctx.db.id;
  const r = ctx.reply;
  r.setLength(count);
  let remaining = size - count;
  if (remaining * SPOP_MOVE_STRATEGY_MUL > count) {
    // CASE 2: few members asked for: pop them one by one.
    for (let i = 0; i < count; i++) {
      const member = set.popRandom();
      r.bulk(member);
      ctx.alsoPropagate(dbIndex, ['SREM', key, member]);
    }
  } else {
    // CASE 3: most of the set goes: move the members that stay into a new set (created for the
    // first of them, so it may be an intset again), then reply and drop what is left.
    const max = maxIntsetEntries(ctx);
    let kept: SetValue | null = null;
    while (remaining-- > 0) {
      const member = set.popRandom();
      if (kept === null) kept = SetValue.forMember(member);
      kept.add(member, max);
    }
    const popped = set.size;
    for (let i = 0; i < popped; i++) {
      const member = set.memberAt(i);
      r.bulk(member);
      ctx.alsoPropagate(dbIndex, ['SREM', key, member]);
    }
    ctx.db.replaceValue(key, kept as SetValue);
  }
  ctx.preventPropagation();
  events.signalModifiedKey(ctx.db, key);
}

// ------------------------------------------------------------------------------------- reads

function sismember(ctx: CommandContext, argv: string[]): void {
  const set = setForRead(ctx, argv[1]);
  if (set === null) return;
  ctx.reply.integer(set !== undefined && set.has(argv[2]) ? 1 : 0);
}

function smismember(ctx: CommandContext, argv: string[]): void {
  // A missing key is an empty set: one zero per member rather than an error.
  const set = setForRead(ctx, argv[1]);
  if (set === null) return;
  const r = ctx.reply;
  r.arrayLength(argv.length - 2);
  for (let i = 2; i < argv.length; i++) r.integer(set !== undefined && set.has(argv[i]) ? 1 : 0);
}

function scard(ctx: CommandContext, argv: string[]): void {
  const set = setForRead(ctx, argv[1]);
  if (set === null) return;
  ctx.reply.integer(set === undefined ? 0 : set.size);
}

function srandmember(ctx: CommandContext, argv: string[]): void {
  if (argv.length === 3) {
    srandmemberWithCount(ctx, argv);
    return;
  }
  if (argv.length > 3) {
    ctx.reply.error(ERR_SYNTAX);
    return;
  }
  const set = setForRead(ctx, argv[1]);
  if (set === null) return;
  if (set === undefined) ctx.reply.nullBulk();
  else ctx.reply.bulk(set.randomMember());
}

function srandmemberWithCount(ctx: CommandContext, argv: string[]): void {
  const requested = randomCountArg(ctx, argv[2]);
  if (requested === null) return;
  const set = setForRead(ctx, argv[1]);
  if (set === null) return;
  const r = ctx.reply;
  if (set === undefined || requested === 0) {
    r.arrayLength(0);
    return;
  }
  const count = Math.abs(requested);
  const size = set.size;
  if (requested < 0 || count === 1) {
    // CASE 1: independent uniform picks, repeats allowed.
    r.arrayLength(count);
    for (let i = 0; i < count; i++) {
      if (i % REPLY_CHECK_EVERY === 0 && r.lengthBytes > MAX_REPLY_BYTES) {
        ctx.client.close('reply too large (SRANDMEMBER)');
        return;
      }
      r.bulk(set.randomMember());
    }
    return;
  }
  if (count >= size) {
    // CASE 2: the whole set.
    r.arrayLength(size);
    replyMembers(ctx, set);
    return;
  }
  r.arrayLength(count);
  if (count * SRANDMEMBER_SUB_STRATEGY_MUL > size) {
    // CASE 3: most of the set: copy it and drop random members until `count` are left.
    const kept: string[] = [];
    for (let i = 0; i < size; i++) kept.push(set.memberAt(i));
    while (kept.length > count) {
      const victim = Math.floor(Math.random() * kept.length);
      kept[victim] = kept[kept.length - 1];
      kept.pop();
    }
    for (let i = 0; i < count; i++) r.bulk(kept[i]);
    return;
  }
  // CASE 4: few members of a big set: random picks until enough distinct ones.
  const picked = new Set<string>();
  while (picked.size < count) {
    const member = set.randomMember();
    if (picked.has(member)) continue;
    picked.add(member);
    r.bulk(member);
  }
}

// --------------------------------------------------------------------------- set operations

/**
 * The sets at argv[from..to), in argument order, with null for missing keys; null after a
 * WRONGTYPE reply.
 */
function lookupSets(ctx: CommandContext, argv: string[], from: number, to: number): Array<SetValue | null> | null {
  const sets: Array<SetValue | null> = [];
  for (let i = from; i < to; i++) {
    const value = ctx.db.lookupRead(argv[i]);
    if (value === undefined) {
      sets.push(null);
      continue;
    }
    if (!isSet(value)) {
      refuseValue(ctx, argv[i], value, 'set');
      return null;
    }
    sets.push(value);
  }
  return sets;
}

function bySizeAscending(a: SetValue, b: SetValue): number {
  return a.size - b.size;
}

/** Missing sets count as empty; larger sets first. */
function bySizeDescending(a: SetValue | null, b: SetValue | null): number {
  return (b === null ? 0 : b.size) - (a === null ? 0 : a.size);
}

/** Whether `member` (at `index` of `first`) is in every other set. */
function inAllOthers(sets: SetValue[], first: SetValue, index: number, member: string): boolean {
  const firstIsIntset = first.isIntset;
  for (let j = 1; j < sets.length; j++) {
    const other = sets[j];
    if (other === first) continue;
    const found = firstIsIntset ? other.hasInteger(first.intAt(index)) : other.has(member);
    if (!found) return false;
  }
  return true;
}

/**
 * sinterGenericCommand: SINTER and SMEMBERS (reply), SINTERSTORE (`destination`), SINTERCARD
 * (`cardinalityOnly`, stopping at `limit` when it is not 0). Keys are argv[from..to).
 */
function setIntersection(
  ctx: CommandContext, argv: string[], from: number, to: number,
  destination: string | null, cardinalityOnly: boolean, limit: number,
): void {
  const looked = lookupSets(ctx, argv, from, to);
  if (looked === null) return;
  const sets: SetValue[] = [];
  for (const set of looked) if (set !== null) sets.push(set);
  const r = ctx.reply;
  if (sets.length < looked.length) {
    // An intersection with an empty set is empty.
    if (destination !== null) {
      deleteDestination(ctx, destination);
      r.integer(0);
    } else if (cardinalityOnly) {
      r.integer(0);
    } else {
      replyEmptySet(ctx);
    }
    return;
  }
  // Smallest first: every candidate comes from it.
  sets.sort(bySizeAscending);
  const first = sets[0];
  const size = first.size;
  let cardinality = 0;
  if (cardinalityOnly) {
    for (let i = 0; i < size; i++) {
      if (!inAllOthers(sets, first, i, first.memberAt(i))) continue;
      cardinality++;
      if (limit !== 0 && cardinality >= limit) break;
    }
    r.integer(cardinality);
    return;
  }
  if (destination === null) {
    if (sets.length === 1) {
      // SMEMBERS (or SINTER of one key): the set itself, without collecting it first.
      r.setLength(size);
      replyMembers(ctx, first);
      return;
    }
    const found: string[] = [];
    for (let i = 0; i < size; i++) {
      const member = first.memberAt(i);
      if (inAllOthers(sets, first, i, member)) found.push(member);
    }
    r.setLength(found.length);
    for (let i = 0; i < found.length; i++) r.bulk(found[i]);
    return;
  }
  const result = SetValue.intset();
  const max = maxIntsetEntries(ctx);
  for (let i = 0; i < size; i++) {
    const member = first.memberAt(i);
    if (inAllOthers(sets, first, i, member)) result.add(member, max);
  }
  storeOrDelete(ctx, destination, result, 'sinterstore');
}

/** The end of a STORE variant: a non-empty result replaces the destination, an empty one deletes it. */
function storeOrDelete(ctx: CommandContext, destination: string, result: SetValue, event: string): void {
  const size = result.size;
  if (size > 0) {
    storeResult(ctx, destination, result);
    ctx.reply.integer(size);
    ctx.server.events.notify(NOTIFY_SET, event, destination, ctx.db.id);
    ctx.markDirty();
  } else {
    ctx.reply.integer(0);
    deleteDestination(ctx, destination);
  }
}

/**
 * sunionDiffGenericCommand: SUNION / SDIFF (reply) and their STORE variants. The result is built
 * in a set that starts as an intset, as Redis's is: that gives its encoding and its order.
 */
function setUnionOrDiff(ctx: CommandContext, argv: string[], from: number, to: number, destination: string | null, diff: boolean): void {
  const sets = lookupSets(ctx, argv, from, to);
  if (sets === null) return;
  const first = sets[0];
  // The first set named again later: the difference is empty.
  let sameSet = false;
  for (let j = 1; j < sets.length; j++) if (first !== null && sets[j] === first) sameSet = true;

  // Pick the difference algorithm as Redis does (its choice shows in the result's encoding):
  // 1 checks each member of the first set against the others, 2 adds the first and removes
  // the others'.
  let subtractMembers = false;
  if (diff && first !== null && !sameSet) {
    let checkWork = 0;
    let subtractWork = 0;
    for (const set of sets) {
      if (set === null) continue;
      checkWork += first.size;
      subtractWork += set.size;
    }
    // Checking has better constants and stops early on common members: give it an edge.
    checkWork = Math.floor(checkWork / 2);
    subtractMembers = checkWork > subtractWork;
    // Checking against the larger sets first finds the common members sooner.
    if (!subtractMembers && sets.length > 1) {
      const others = sets.slice(1).sort(bySizeDescending);
      for (let j = 0; j < others.length; j++) sets[j + 1] = others[j];
    }
  }

  const max = maxIntsetEntries(ctx);
  const result = SetValue.intset();
  let cardinality = 0;
  if (!diff) {
    for (const set of sets) {
      if (set === null) continue;
      const size = set.size;
      for (let i = 0; i < size; i++) if (result.add(set.memberAt(i), max)) cardinality++;
    }
  } else if (first !== null && !sameSet && !subtractMembers) {
    const size = first.size;
    for (let i = 0; i < size; i++) {
      const member = first.memberAt(i);
      let elsewhere = false;
      for (let j = 1; j < sets.length; j++) {
        const other = sets[j];
        if (other === null) continue;
        if (other === first || other.has(member)) {
          elsewhere = true;
          break;
        }
      }
      if (!elsewhere) {
        result.add(member, max);
        cardinality++;
      }
    }
  } else if (first !== null && !sameSet) {
    for (let j = 0; j < sets.length; j++) {
      const set = sets[j];
      if (set === null) continue;
      const size = set.size;
      for (let i = 0; i < size; i++) {
        const member = set.memberAt(i);
        if (j === 0) {
          if (result.add(member, max)) cardinality++;
        } else if (result.delete(member)) {
          cardinality--;
        }
      }
      // Nothing left to remove from.
      if (cardinality === 0) break;
    }
  }

  if (destination === null) {
    ctx.reply.setLength(cardinality);
    replyMembers(ctx, result);
    return;
  }
  storeOrDelete(ctx, destination, result, diff ? 'sdiffstore' : 'sunionstore');
}

function sinter(ctx: CommandContext, argv: string[]): void {
  setIntersection(ctx, argv, 1, argv.length, null, false, 0);
}

function sinterstore(ctx: CommandContext, argv: string[]): void {
  setIntersection(ctx, argv, 2, argv.length, argv[1], false, 0);
}

function sintercard(ctx: CommandContext, argv: string[]): void {
  const numKeys = parseInt64(argv[1]);
  if (numKeys === null || numKeys < 1) {
    ctx.reply.error('ERR numkeys should be greater than 0');
    return;
  }
  if (numKeys > argv.length - 2) {
    ctx.reply.error("ERR Number of keys can't be greater than number of args");
    return;
  }
  const keysEnd = 2 + Number(numKeys);
  let limit = 0;
  for (let j = keysEnd; j < argv.length; j++) {
    const moreArgs = argv.length - 1 - j;
    if (isKeyword(argv[j], 'LIMIT') && moreArgs > 0) {
      j++;
      const parsed = parseInt64(argv[j]);
      if (parsed === null || parsed < 0) {
        ctx.reply.error("ERR LIMIT can't be negative");
        return;
      }
      // A limit beyond 2^53 is above any cardinality: precision does not matter.
      limit = Number(parsed);
    } else {
      ctx.reply.error(ERR_SYNTAX);
      return;
    }
  }
  setIntersection(ctx, argv, 2, keysEnd, null, true, limit);
}

function sunion(ctx: CommandContext, argv: string[]): void {
  setUnionOrDiff(ctx, argv, 1, argv.length, null, false);
}

function sunionstore(ctx: CommandContext, argv: string[]): void {
  setUnionOrDiff(ctx, argv, 2, argv.length, argv[1], false);
}

function sdiff(ctx: CommandContext, argv: string[]): void {
  setUnionOrDiff(ctx, argv, 1, argv.length, null, true);
}

function sdiffstore(ctx: CommandContext, argv: string[]): void {
  setUnionOrDiff(ctx, argv, 2, argv.length, argv[1], true);
}

// -------------------------------------------------------------------------------------- SSCAN

function sscan(ctx: CommandContext, argv: string[]): void {
  keyScan(ctx, argv, setForRead, (set, cursor, count, matches, found) => {
    if (set.isIntset) {
      // An intset is small: it is returned whole in one call, whatever the cursor says.
      const size = set.size;
      for (let i = 0; i < size; i++) {
        const member = set.memberAt(i);
        if (matches(member)) found.push(member);
      }
      return '0';
    }
    return set.scan(cursor, count, (member) => {
      if (matches(member)) found.push(member);
      return true;
    });
  });
}

// -------------------------------------------------------------------------------------- table

const KEY_RO = keyAt(1, 'RO');
const KEY_RO_ACCESS = keyAt(1, 'RO', 'access');
const ALL_KEYS_RO_ACCESS = keysFrom(1, 1, ['RO', 'access']);
const SOURCE_KEYS_RO_ACCESS = keysFrom(2, 1, ['RO', 'access']);

export const setCommands: CommandSpec[] = [
  {
    name: 'sadd', arity: -3, flags: ['write', 'denyoom', 'fast'], acl: ['write', 'set', 'fast'],
    keySpecs: [keyAt(1, 'RW', 'insert')],
    summary: 'Adds members to a set, creating it when missing.',
    since: '1.0.0', group: 'set', complexity: 'O(1) per member added',
    arguments: [{ name: 'key', type: 'key' }, { name: 'member', type: 'string', multiple: true }],
    handler: sadd,
  },
  {
    name: 'srem', arity: -3, flags: ['write', 'fast'], acl: ['write', 'set', 'fast'],
    keySpecs: [keyAt(1, 'RW', 'delete')],
    summary: 'Removes members from a set; the key goes away with its last member.',
    since: '1.0.0', group: 'set', complexity: 'O(N) in the number of members removed',
    arguments: [{ name: 'key', type: 'key' }, { name: 'member', type: 'string', multiple: true }],
    handler: srem,
  },
  {
    name: 'smembers', arity: 2, flags: ['readonly'], acl: ['read', 'set', 'slow'],
    keySpecs: [KEY_RO_ACCESS], tips: ['nondeterministic_output_order'],
    summary: 'Lists every member of a set.',
    since: '1.0.0', group: 'set', complexity: 'O(N) in the size of the set',
    arguments: [{ name: 'key', type: 'key' }],
    handler: sinter,
  },
  {
    name: 'sismember', arity: 3, flags: ['readonly', 'fast'], acl: ['read', 'set', 'fast'],
    keySpecs: [KEY_RO],
    summary: 'Tells whether a value is a member of a set.',
    since: '1.0.0', group: 'set', complexity: 'O(1)',
    arguments: [{ name: 'key', type: 'key' }, { name: 'member', type: 'string' }],
    handler: sismember,
  },
  {
    name: 'smismember', arity: -3, flags: ['readonly', 'fast'], acl: ['read', 'set', 'fast'],
    keySpecs: [KEY_RO_ACCESS],
    summary: 'Tells, for each of several values, whether it is a member of a set.',
    since: '6.2.0', group: 'set', complexity: 'O(N) in the number of values checked',
    arguments: [{ name: 'key', type: 'key' }, { name: 'member', type: 'string', multiple: true }],
    handler: smismember,
  },
  {
    name: 'scard', arity: 2, flags: ['readonly', 'fast'], acl: ['read', 'set', 'fast'],
    keySpecs: [KEY_RO],
    summary: 'Counts the members of a set.',
    since: '1.0.0', group: 'set', complexity: 'O(1)',
    arguments: [{ name: 'key', type: 'key' }],
    handler: scard,
  },
  {
    name: 'spop', arity: -2, flags: ['write', 'fast'], acl: ['write', 'set', 'fast'],
    keySpecs: [keyAt(1, 'RW', 'access', 'delete')], tips: ['nondeterministic_output'],
    summary: 'Removes and returns random members of a set.',
    since: '1.0.0', group: 'set', complexity: 'O(1), or O(N) in the count',
    arguments: [{ name: 'key', type: 'key' }, { name: 'count', type: 'integer', optional: true }],
    handler: spop,
  },
  {
    name: 'srandmember', arity: -2, flags: ['readonly'], acl: ['read', 'set', 'slow'],
    keySpecs: [KEY_RO_ACCESS], tips: ['nondeterministic_output'],
    summary: 'Picks random members of a set: distinct for a positive count, possibly repeated for a negative one.',
    since: '1.0.0', group: 'set', complexity: 'O(1), or O(N) in the absolute count',
    arguments: [{ name: 'key', type: 'key' }, { name: 'count', type: 'integer', optional: true }],
    handler: srandmember,
  },
  {
    name: 'smove', arity: 4, flags: ['write', 'fast'], acl: ['write', 'set', 'fast'],
    keySpecs: [keyAt(1, 'RW', 'access', 'delete'), keyAt(2, 'RW', 'insert')],
    summary: 'Moves a member from one set to another.',
    since: '1.0.0', group: 'set', complexity: 'O(1)',
    arguments: [{ name: 'source', type: 'key' }, { name: 'destination', type: 'key' }, { name: 'member', type: 'string' }],
    handler: smove,
  },
  {
    name: 'sinter', arity: -2, flags: ['readonly'], acl: ['read', 'set', 'slow'],
    keySpecs: [ALL_KEYS_RO_ACCESS], tips: ['nondeterministic_output_order'],
    summary: 'Lists the members common to all the given sets.',
    since: '1.0.0', group: 'set', complexity: 'O(N*M): N the smallest set, M the number of sets',
    arguments: [{ name: 'key', type: 'key', multiple: true }],
    handler: sinter,
  },
  {
    name: 'sintercard', arity: -3, flags: ['readonly'], acl: ['read', 'set', 'slow'],
    keySpecs: [{ flags: ['RO', 'access'], begin: { type: 'index', index: 1 }, find: { type: 'keynum', keyNumIndex: 0, firstKey: 1, keyStep: 1 } }],
    summary: 'Counts the members common to all the given sets, optionally stopping at a limit.',
    since: '7.0.0', group: 'set', complexity: 'O(N*M): N the smallest set, M the number of sets',
    arguments: [
      { name: 'numkeys', type: 'integer' },
      { name: 'key', type: 'key', multiple: true },
      { name: 'limit', type: 'integer', token: 'LIMIT', optional: true },
    ],
    handler: sintercard,
  },
  {
    name: 'sinterstore', arity: -3, flags: ['write', 'denyoom'], acl: ['write', 'set', 'slow'],
    keySpecs: [keyAt(1, 'RW', 'update'), SOURCE_KEYS_RO_ACCESS],
    summary: 'Stores the intersection of sets in a key.',
    since: '1.0.0', group: 'set', complexity: 'O(N*M): N the smallest set, M the number of sets',
    arguments: [{ name: 'destination', type: 'key' }, { name: 'key', type: 'key', multiple: true }],
    handler: sinterstore,
  },
  {
    name: 'sunion', arity: -2, flags: ['readonly'], acl: ['read', 'set', 'slow'],
    keySpecs: [ALL_KEYS_RO_ACCESS], tips: ['nondeterministic_output_order'],
    summary: 'Lists the members of any of the given sets.',
    since: '1.0.0', group: 'set', complexity: 'O(N) in the total number of members',
    arguments: [{ name: 'key', type: 'key', multiple: true }],
    handler: sunion,
  },
  {
    name: 'sunionstore', arity: -3, flags: ['write', 'denyoom'], acl: ['write', 'set', 'slow'],
    keySpecs: [keyAt(1, 'OW', 'update'), SOURCE_KEYS_RO_ACCESS],
    summary: 'Stores the union of sets in a key.',
    since: '1.0.0', group: 'set', complexity: 'O(N) in the total number of members',
    arguments: [{ name: 'destination', type: 'key' }, { name: 'key', type: 'key', multiple: true }],
    handler: sunionstore,
  },
  {
    name: 'sdiff', arity: -2, flags: ['readonly'], acl: ['read', 'set', 'slow'],
    keySpecs: [ALL_KEYS_RO_ACCESS], tips: ['nondeterministic_output_order'],
    summary: 'Lists the members of the first set that are in none of the others.',
    since: '1.0.0', group: 'set', complexity: 'O(N) in the total number of members',
    arguments: [{ name: 'key', type: 'key', multiple: true }],
    handler: sdiff,
  },
  {
    name: 'sdiffstore', arity: -3, flags: ['write', 'denyoom'], acl: ['write', 'set', 'slow'],
    keySpecs: [keyAt(1, 'OW', 'update'), SOURCE_KEYS_RO_ACCESS],
    summary: 'Stores the difference of sets in a key.',
    since: '1.0.0', group: 'set', complexity: 'O(N) in the total number of members',
    arguments: [{ name: 'destination', type: 'key' }, { name: 'key', type: 'key', multiple: true }],
    handler: sdiffstore,
  },
  {
    name: 'sscan', arity: -3, flags: ['readonly'], acl: ['read', 'set', 'slow'],
    keySpecs: [KEY_RO_ACCESS], tips: ['nondeterministic_output'],
    summary: 'Walks the members of a set a few at a time with a cursor.',
    since: '2.8.0', group: 'set', complexity: 'O(1) per call, O(N) for a whole walk',
    arguments: [
      { name: 'key', type: 'key' },
      { name: 'cursor', type: 'integer' },
      { name: 'pattern', type: 'pattern', token: 'MATCH', optional: true },
      { name: 'count', type: 'integer', token: 'COUNT', optional: true },
    ],
    handler: sscan,
  },
];
