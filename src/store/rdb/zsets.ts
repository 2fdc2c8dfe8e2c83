// RDB layouts of sorted sets, for the zset codec (store/types/zset-rdb.ts) to stay thin.
//   RDB_TYPE_ZSET          count, then member + score as text ("%.17g", 253 nan, 254 inf, 255 -inf)
//   RDB_TYPE_ZSET_2        count, then member + score as a binary double (what 7.0 writes for a
//                          skiplist, from the greatest element to the smallest)
//   RDB_TYPE_ZSET_ZIPLIST  one ziplist of member, score pairs (Redis 2.6 - 6.2)
//   RDB_TYPE_ZSET_LISTPACK one listpack of member, score pairs (7.0, the listpack as it is)

import { RDB_TYPE_ZSET, RDB_TYPE_ZSET_2, RDB_TYPE_ZSET_LISTPACK, RDB_TYPE_ZSET_ZIPLIST } from './constants.js';
import { Digest } from './digest.js';
import { corrupt } from './errors.js';
import type { RdbReader } from './reader.js';
import { ziplistEntries } from './ziplist.js';
import { lpFromArray, lpGet, lpLength, lpValidate } from '../encodings/listpack.js';
import { formatDouble17g } from '../../util/numbers.js';

export const ZSET_RDB_TYPES = [RDB_TYPE_ZSET, RDB_TYPE_ZSET_2, RDB_TYPE_ZSET_ZIPLIST, RDB_TYPE_ZSET_LISTPACK] as const;

/**
 * A loaded sorted set. 'listpack': validated member/score pairs (ziplists are converted to
 * one), kept in stored order; Redis converts it to a skiplist when it has more than
 * zset-max-listpack-entries members. 'pairs': members and scores in stored order; Redis
 * builds a skiplist and converts it to a listpack when it is within both listpack limits.
 */
export type ZsetPayload =
  | { kind: 'listpack'; listpack: string; size: number }
  | { kind: 'pairs'; members: string[]; scores: number[] };

/** Reads a sorted set of any RDB zset type; null when empty; NaN scores, duplicates are corrupt. */
export function readZsetPayload(rdbType: number, input: RdbReader): ZsetPayload | null {
  if (rdbType === RDB_TYPE_ZSET || rdbType === RDB_TYPE_ZSET_2) {
    const count = input.count(rdbType === RDB_TYPE_ZSET_2 ? 9 : 2);
    if (count === 0) return null;
    const members = new Array<string>(count);
    const scores = new Array<number>(count);
    const seen = new Set<string>();
    for (let i = 0; i < count; i++) {
      const member = input.string();
      const score = rdbType === RDB_TYPE_ZSET_2 ? input.binaryDouble() : input.textDouble();
      if (Number.isNaN(score)) corrupt('Zset with NAN score detected');
      if (seen.has(member)) corrupt('Duplicate zset fields detected');
      seen.add(member);
      members[i] = member;
      scores[i] = score;
    }
    return { kind: 'pairs', members, scores };
  }
  let listpack: string;
  if (rdbType === RDB_TYPE_ZSET_ZIPLIST) {
    const entries = ziplistEntries(input.stringBytes(), 'Zset ziplist');
    checkPairs(entries, 'Zset ziplist');
    listpack = lpFromArray(entries);
  } else if (rdbType === RDB_TYPE_ZSET_LISTPACK) {
    listpack = input.string();
    const entries: string[] = [];
    if (!lpValidate(listpack, (lp, off) => { entries.push(lpGet(lp, off)); return true; })) {
      corrupt('Zset listpack integrity check failed.');
    }
    checkPairs(entries, 'Zset listpack');
  } else {
    return corrupt(`Not a zset type: ${rdbType}`);
  }
  const size = lpLength(listpack) / 2;
  return size === 0 ? null : { kind: 'listpack', listpack, size };
}

/** An even number of entries and no member twice. */
function checkPairs(entries: readonly string[], what: string): void {
  if ((entries.length & 1) !== 0) corrupt(`${what} integrity check failed.`);
  const seen = new Set<string>();
  for (let i = 0; i < entries.length; i += 2) {
    if (seen.has(entries[i])) corrupt(`${what} integrity check failed.`);
    seen.add(entries[i]);
  }
}

/**
 * xorObjectDigest's sorted-set element: mix(member), mix("%.17g" score) in a fresh digest,
 * xored into the value's digest (element order does not matter).
 */
export function digestZsetElement(digest: Digest, element: Digest, member: string, score: number): void {
  element.reset();
  element.mix(member);
  element.mix(formatDouble17g(score));
  digest.xorDigest(element);
}
