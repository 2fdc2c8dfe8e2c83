// SORT and SORT_RO (Redis 7.0's sort.c): the elements of a set, list or sorted set, sorted as
// numbers or (ALPHA) as strings, by themselves or by keys derived from them (BY pattern, hash
// fields with "->"), with LIMIT, ASC/DESC, GET patterns and STORE (into a list).
//
// A value type takes part through a SortSource: its element count, whether it has an order of
// its own (kept by BY <constant>), and a range read.

import type { CommandContext } from './context.js';
import { ERR_NOT_INTEGER, ERR_SYNTAX, isKeyword } from './errors.js';
import { keyAt, type ArgumentDoc, type CommandSpec } from './types.js';
import { refuseValue } from './typed-lookup.js';
import { NOTIFY_GENERIC, NOTIFY_LIST } from '../config/keyspace-events.js';
import type { HashValue } from '../store/types/hash.js';
import { ListValue } from '../store/types/list.js';
import type { SetValue } from '../store/types/set.js';
import { NONE, type ZSetValue } from '../store/types/zset.js';
import { isStringValue, stringOf, type RedisValue } from '../store/values.js';
import { parseInt64 } from '../util/numbers.js';
import { partialQuicksort } from '../util/pqsort.js';
import { cStrtod, strtodEnd, strtodRange } from '../util/strtod.js';

// The list SORT ... STORE writes is a bare quicklistCreate(): fill -2 and no compression,
// whatever list-max-listpack-size and list-compress-depth say, and it keeps them (later pushes
// fill its nodes to 8 KB; DEBUG OBJECT shows ql_listpack_max:-2).
const STORED_LIST_FILL = -2;
const STORED_LIST_COMPRESS_DEPTH = 0;

const ERR_SCORE_CONVERSION = "ERR One or more scores can't be converted into double";

/** The elements of a value as SORT reads them. */
interface SortSource {
  readonly length: number;
  /** The type keeps an order of its own (lists, sorted sets): BY <constant> returns it. */
  readonly ordered: boolean;
  /**
   * Appends `count` elements from position `start` to `out`, in the type's order, or, when
   * `fromEnd`, from position `start` counted from the last element backwards.
   */
  read(start: number, count: number, fromEnd: boolean, out: string[]): void;
}

class SetSource implements SortSource {
  readonly ordered = false;
  constructor(private readonly set: SetValue) {}
  get length(): number {
    return this.set.size;
  }
  read(start: number, count: number, _fromEnd: boolean, out: string[]): void {
    for (let i = start; i < start + count; i++) out.push(this.set.memberAt(i));
  }
}

class ListSource implements SortSource {
  readonly ordered = true;
  constructor(private readonly list: ListValue) {}
  get length(): number {
    return this.list.length;
  }
  read(start: number, count: number, fromEnd: boolean, out: string[]): void {
    if (count === 0) return;
    const list = this.list;
    const first = fromEnd ? list.length - 1 - start : start;
    const cursor = list.cursor(first, !fromEnd);
    for (let i = 0; i < count; i++) {
      const element = cursor.next();
      if (element === null) break;
      out.push(element);
    }
  }
}

class ZSetSource implements SortSource {
  readonly ordered = true;
  constructor(private readonly zset: ZSetValue) {}
  get length(): number {
    return this.zset.length;
  }
  read(start: number, count: number, fromEnd: boolean, out: string[]): void {
    if (count === 0) return;
    const zset = this.zset;
    let pos = zset.atRank(fromEnd ? zset.length - 1 - start : start);
    for (let i = 0; i < count && pos !== NONE; i++) {
      out.push(zset.memberAt(pos));
      pos = fromEnd ? zset.prev(pos) : zset.next(pos);
    }
  }
}

/** The types SORT reads. */
const SORTABLE_KINDS = ['list', 'set', 'zset'] as const;

/** A missing key sorts as an empty list. */
const EMPTY_SOURCE: SortSource = { length: 0, ordered: true, read: () => undefined };

/** The value's SortSource, or null for a type SORT refuses (WRONGTYPE). */
function sortSourceOf(value: RedisValue): SortSource | null {
  if (typeof value === 'string') return null;
  switch (value.kind) {
    case 'set': return new SetSource(value);
    case 'list': return new ListSource(value);
    case 'zset':
      // Redis converts a listpack sorted set for SORT, for good (zsetConvert to skiplist).
      value.convertToTree();
      return new ZSetSource(value);
    default: return null;
  }
}

function isHash(value: RedisValue): value is HashValue {
  return typeof value !== 'string' && value.kind === 'hash';
}

/** C's strchr/strstr on an sds: the search stops at the first NUL byte. */
function cIndexOf(text: string, needle: string, from: number): number {
  const at = text.indexOf(needle, from);
  if (at === -1) return -1;
  const nul = text.indexOf('\0', from);
  return nul !== -1 && nul < at + needle.length ? -1 : at;
}

/**
 * lookupKeyByPattern: "#" is the element itself; otherwise the first '*' is replaced by the
 * element to name a key, whose string value is the answer, or, with "->field" after the '*',
 * that field of the hash at the key. Null when there is no '*', no such key, or the key holds
 * another type.
 */
function lookupByPattern(ctx: CommandContext, pattern: string, element: string): string | null {
  if (pattern.charCodeAt(0) === 35 && (pattern.length === 1 || pattern.charCodeAt(1) === 0)) return element;
  const star = cIndexOf(pattern, '*', 0);
  if (star === -1) return null;
  const arrow = cIndexOf(pattern, '->', star + 1);
  const hasField = arrow !== -1 && arrow + 2 < pattern.length && pattern.charCodeAt(arrow + 2) !== 0;
  const keyEnd = hasField ? arrow : pattern.length;
  const key = pattern.slice(0, star) + element + pattern.slice(star + 1, keyEnd);
  const value = ctx.db.lookupRead(key);
  if (value === undefined) return null;
  if (hasField) {
    if (!isHash(value)) return null;
    return value.get(pattern.slice(arrow + 2)) ?? null;
  }
  return isStringValue(value) ? stringOf(value) : null;
}

/** memcmp, then length (compareStringObjects on binary strings). */
function compareBinary(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * strcoll in the "C" locale (strcmp): bytes compared up to the first NUL of either string, as
 * Redis does for ALPHA without STORE.
 */
function compareCStrings(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(i);
    if (ca !== cb) return ca - cb;
    if (ca === 0) return 0;
  }
  // The shorter string's terminating NUL against the other's next byte.
  if (a.length === b.length) return 0;
  return a.length < b.length ? (b.charCodeAt(n) === 0 ? 0 : -1) : (a.charCodeAt(n) === 0 ? 0 : 1);
}

/** The numeric weight of an element (strtod on its text); null when it is not a number. */
function scoreOf(text: string): number | null {
  const value = cStrtod(text, 0);
  // strtod stops at a NUL as at the end of the string.
  const end = strtodEnd;
  if ((end < text.length && text.charCodeAt(end) !== 0) || strtodRange || Number.isNaN(value)) return null;
  return value;
}

interface SortOptions {
  desc: boolean;
  alpha: boolean;
  limitStart: number;
  limitCount: number;
  byPattern: string | null;
  dontSort: boolean;
  getPatterns: string[];
  storeKey: string | null;
}

/** The options of argv[2...]; null after an error reply. */
function parseSortOptions(ctx: CommandContext, argv: string[], readonly: boolean): SortOptions | null {
  const options: SortOptions = {
    desc: false, alpha: false, limitStart: 0, limitCount: -1, byPattern: null, dontSort: false, getPatterns: [], storeKey: null,
  };
  const clusterEnabled = ctx.server.config.bool('cluster-enabled');
  // BY and GET read keys the command line does not name: only for a user who may read any key.
  const fullKeyAccess = ctx.client.user.fullAccess || ctx.server.acl.readsAnyKey(ctx.client, ctx.command, argv);
  for (let j = 2; j < argv.length; j++) {
    const arg = argv[j];
    const leftArgs = argv.length - j - 1;
    if (isKeyword(arg, 'ASC')) {
      options.desc = false;
    } else if (isKeyword(arg, 'DESC')) {
      options.desc = true;
    } else if (isKeyword(arg, 'ALPHA')) {
      options.alpha = true;
    } else if (isKeyword(arg, 'LIMIT') && leftArgs >= 2) {
      const start = parseInt64(argv[j + 1]);
      const count = start === null ? null : parseInt64(argv[j + 2]);
      if (start === null || count === null) {
        ctx.reply.error(ERR_NOT_INTEGER);
        return null;
      }
      // Both are clamped to the element count, so precision beyond 2^53 does not matter.
      options.limitStart = Number(start);
      options.limitCount = Number(count);
      j += 2;
    } else if (!readonly && isKeyword(arg, 'STORE') && leftArgs >= 1) {
      options.storeKey = argv[j + 1];
      j++;
    } else if (isKeyword(arg, 'BY') && leftArgs >= 1) {
      const pattern = argv[j + 1];
      options.byPattern = pattern;
      // A pattern without '*' names no per-element key: nothing to sort by.
      if (cIndexOf(pattern, '*', 0) === -1) {
        options.dontSort = true;
      } else if (clusterEnabled) {
        ctx.reply.error('ERR BY option of SORT denied in Cluster mode.');
        return null;
      } else if (!fullKeyAccess) {
        ctx.reply.error('ERR BY option of SORT denied due to insufficient ACL permissions.');
        return null;
      }
      j++;
    } else if (isKeyword(arg, 'GET') && leftArgs >= 1) {
      if (clusterEnabled) {
        ctx.reply.error('ERR GET option of SORT denied in Cluster mode.');
        return null;
      }
      if (!fullKeyAccess) {
        ctx.reply.error('ERR GET option of SORT denied due to insufficient ACL permissions.');
        return null;
      }
      options.getPatterns.push(argv[j + 1]);
      j++;
    } else {
      ctx.reply.error(ERR_SYNTAX);
      return null;
    }
  }
  return options;
}

/** One element being sorted, with what it sorts by. */
interface SortItem {
  element: string;
  score: number;
  /** The BY value for ALPHA sorting by pattern; null when the key was missing. */
  weight: string | null;
}

function sortGeneric(ctx: CommandContext, argv: string[], readonly: boolean): void {
  const options = parseSortOptions(ctx, argv, readonly);
  if (options === null) return;
  const value = ctx.db.lookupRead(argv[1]);
  let source = EMPTY_SOURCE;
  if (value !== undefined) {
    const found = sortSourceOf(value);
    if (found === null) {
      refuseValue(ctx, argv[1], value, SORTABLE_KINDS);
      return;
    }
    source = found;
  }
  let { dontSort, alpha, byPattern } = options;
  const { desc, storeKey } = options;
  // A set has no order of its own: what is stored (and so replicated), or handed to a script
  // (whose effects must not depend on it), must not depend on the server's iteration order, so
  // it is sorted as strings.
  if (dontSort && !source.ordered && (storeKey !== null || ctx.client.isScript)) {
    dontSort = false;
    alpha = true;
    byPattern = null;
  }

  const length = source.length;
  let start = Math.min(Math.max(options.limitStart, 0), length);
  const limitCount = Math.min(Math.max(options.limitCount, -1), length);
  let end = limitCount < 0 ? length - 1 : start + limitCount - 1;
  if (start >= length) {
    start = length - 1;
    end = length - 2;
  }
  if (end >= length) end = length - 1;

  const elements: string[] = [];
  if (source.ordered && dontSort) {
    // Only the LIMIT range is read, in the type's order (or backwards for DESC).
    if (end >= start) source.read(start, end - start + 1, desc, elements);
    end -= start;
    start = 0;
  } else {
    source.read(0, length, false, elements);
  }

  const items: SortItem[] = [];
  for (let i = 0; i < elements.length; i++) items.push({ element: elements[i], score: 0, weight: null });
  let conversionError = false;
  if (!dontSort) {
    for (const item of items) {
      let by: string | null = item.element;
      if (byPattern !== null) {
        by = lookupByPattern(ctx, byPattern, item.element);
        if (by === null) continue;
      }
      if (alpha) {
        if (byPattern !== null) item.weight = by;
      } else {
        const score = scoreOf(by);
        if (score === null) conversionError = true;
        else item.score = score;
      }
    }
    const compare = comparator(alpha, byPattern !== null, storeKey !== null, desc);
    // Redis sorts by weights with a window through pqsort (its order of equal weights is the
    // algorithm's), anything else with glibc's qsort, a merge sort: stable, as Array.sort is.
    if (byPattern !== null && (start !== 0 || end !== items.length - 1)) partialQuicksort(items, compare, start, end);
    else items.sort(compare);
  }

  const getPatterns = options.getPatterns;
  const getCount = getPatterns.length;
  const selected = end - start + 1;
  const outputLength = getCount > 0 ? getCount * selected : selected;
  const r = ctx.reply;
  if (conversionError) {
    r.error(ERR_SCORE_CONVERSION);
    return;
  }
  if (storeKey === null) {
    r.arrayLength(outputLength);
    for (let i = start; i <= end; i++) {
      const element = items[i].element;
      if (getCount === 0) r.bulk(element);
      for (let g = 0; g < getCount; g++) {
        const found = lookupByPattern(ctx, getPatterns[g], element);
        if (found === null) r.nullBulk();
        else r.bulk(found);
      }
    }
    return;
  }
  // STORE: the result becomes a list (a missing GET value as an empty string).
  const stored: string[] = [];
  for (let i = start; i <= end; i++) {
    const element = items[i].element;
    if (getCount === 0) stored.push(element);
    for (let g = 0; g < getCount; g++) stored.push(lookupByPattern(ctx, getPatterns[g], element) ?? '');
  }
  const events = ctx.server.events;
  if (outputLength > 0) {
    const list = ListValue.fromElements(stored, STORED_LIST_FILL, STORED_LIST_COMPRESS_DEPTH);
    // setKey: an expired destination goes first (with its events), the TTL goes with the value.
    ctx.db.expireForWrite(storeKey);
    ctx.db.set(storeKey, list);
    events.signalModifiedKey(ctx.db, storeKey);
    events.notify(NOTIFY_LIST, 'sortstore', storeKey, ctx.db.id);
    ctx.markDirty(outputLength);
  } else if (ctx.db.delete(storeKey)) {
    events.signalModifiedKey(ctx.db, storeKey);
    events.notify(NOTIFY_GENERIC, 'del', storeKey, ctx.db.id);
    ctx.markDirty();
  }
  r.integer(outputLength);
}

/** sortCompare for the given mode. */
function comparator(alpha: boolean, byPattern: boolean, store: boolean, desc: boolean): (a: SortItem, b: SortItem) => number {
  const sign = desc ? -1 : 1;
  if (!alpha) {
    // Equal scores fall back to the elements themselves, so the order is always defined.
    return (a, b) => sign * (a.score > b.score ? 1 : a.score < b.score ? -1 : compareBinary(a.element, b.element));
  }
  const compare = store ? compareBinary : compareCStrings;
  if (!byPattern) return (a, b) => sign * compare(a.element, b.element);
  return (a, b) => {
    if (a.weight === null || b.weight === null) {
      // A missing BY value sorts first.
      return sign * (a.weight === b.weight ? 0 : a.weight === null ? -1 : 1);
    }
    return sign * compare(a.weight, b.weight);
  };
}

function sort(ctx: CommandContext, argv: string[]): void {
  sortGeneric(ctx, argv, false);
}

function sortRo(ctx: CommandContext, argv: string[]): void {
  sortGeneric(ctx, argv, true);
}

/**
 * sortGetKeys: the sorted key, and the key after the last STORE, options being skipped by their
 * argument counts as Redis skips them (a STORE key itself is then read as an option name).
 */
function sortKeys(argv: readonly string[]): number[] {
  const keys = [1];
  let storeAt = -1;
  for (let i = 2; i < argv.length; i++) {
    if (isKeyword(argv[i], 'LIMIT')) i += 2;
    else if (isKeyword(argv[i], 'GET') || isKeyword(argv[i], 'BY')) i += 1;
    else if (isKeyword(argv[i], 'STORE') && i + 1 < argv.length) storeAt = i + 1;
  }
  if (storeAt !== -1) keys.push(storeAt);
  return keys;
}

const UNKNOWN_BY_GET_KEYS = {
  notes: "For the optional BY/GET keyword. It is marked 'unknown' because the key names derive from the content of the key we sort",
  flags: ['RO', 'access'], begin: { type: 'unknown' }, find: { type: 'unknown' },
} as const;

const SORT_ARGUMENTS: readonly ArgumentDoc[] = [
  { name: 'key', type: 'key' },
  { name: 'pattern', type: 'pattern', token: 'BY', optional: true },
  { name: 'offset_count', type: 'block', token: 'LIMIT', optional: true, arguments: [{ name: 'offset', type: 'integer' }, { name: 'count', type: 'integer' }] },
  { name: 'pattern', type: 'pattern', token: 'GET', optional: true, multiple: true },
  { name: 'order', type: 'oneof', optional: true, arguments: [{ name: 'asc', type: 'pure-token', token: 'ASC' }, { name: 'desc', type: 'pure-token', token: 'DESC' }] },
  { name: 'sorting', type: 'pure-token', token: 'ALPHA', optional: true },
];

export const sortCommands: CommandSpec[] = [
  {
    name: 'sort', arity: -2, flags: ['write', 'denyoom'], acl: ['write', 'set', 'sortedset', 'list', 'slow', 'dangerous'],
    keySpecs: [
      keyAt(1, 'RO', 'access'),
      UNKNOWN_BY_GET_KEYS,
      {
        notes: "For the optional STORE keyword. It is marked 'unknown' because the keyword can appear anywhere in the argument array",
        flags: ['OW', 'update'], begin: { type: 'unknown' }, find: { type: 'unknown' },
      },
    ],
    summary: 'Sorts the elements of a list, set or sorted set, optionally by other keys, and returns or stores them.',
    since: '1.0.0', group: 'generic', complexity: 'O(N+M*log(M)): N elements, M returned',
    arguments: [...SORT_ARGUMENTS, { name: 'destination', type: 'key', token: 'STORE', optional: true }],
    getKeys: sortKeys,
    handler: sort,
  },
  {
    name: 'sort_ro', arity: -2, flags: ['readonly'], acl: ['read', 'set', 'sortedset', 'list', 'slow', 'dangerous'],
    keySpecs: [keyAt(1, 'RO', 'access'), UNKNOWN_BY_GET_KEYS],
    summary: 'SORT without STORE, for read-only contexts.',
    since: '7.0.0', group: 'generic', complexity: 'O(N+M*log(M)): N elements, M returned',
    arguments: SORT_ARGUMENTS,
    getKeys: () => [1],
    handler: sortRo,
  },
];
