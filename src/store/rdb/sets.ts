// RDB layouts of sets, for the set codec (store/types/set-rdb.ts) to stay thin.
//   RDB_TYPE_SET         count, then each member as a string
//   RDB_TYPE_SET_INTSET  one intset blob (sorted 16/32/64-bit integers)
// Redis 7.0 writes an intset-encoded set as RDB_TYPE_SET_INTSET (the blob as it is) and a
// hashtable one as RDB_TYPE_SET.

import { RDB_TYPE_SET, RDB_TYPE_SET_INTSET } from './constants.js';
import { corrupt } from './errors.js';
import { intsetMembers } from './intset.js';
import type { RdbReader } from './reader.js';

export const SET_RDB_TYPES = [RDB_TYPE_SET, RDB_TYPE_SET_INTSET] as const;

/**
 * A loaded set. 'intset': a validated intset blob (latin1) and its members as decimal text,
 * ascending. 'members': distinct members in stored order; Redis builds an intset while they
 * are integers and there are at most set-max-intset-entries of them, else a hashtable.
 */
export type SetPayload = { kind: 'intset'; intset: string; members: string[] } | { kind: 'members'; members: string[] };

/** Reads a set of either RDB set type; null when empty; duplicates are corrupt. */
export function readSetPayload(rdbType: number, input: RdbReader): SetPayload | null {
  if (rdbType === RDB_TYPE_SET_INTSET) {
    const blob = input.stringBytes();
    // An empty intset is invalid (not an empty key), as intsetValidateIntegrity says.
    const members = intsetMembers(blob);
    return { kind: 'intset', intset: blob.latin1Slice(0, blob.length), members };
  }
  if (rdbType !== RDB_TYPE_SET) return corrupt(`Not a set type: ${rdbType}`);
  const count = input.count();
  if (count === 0) return null;
  const members = new Array<string>(count);
  const seen = new Set<string>();
  for (let i = 0; i < count; i++) {
    const member = input.string();
    if (seen.has(member)) corrupt('Duplicate set members detected');
    seen.add(member);
    members[i] = member;
  }
  return { kind: 'members', members };
}
