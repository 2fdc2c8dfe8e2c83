// RDB codec of sets. Written as Redis 7.0 does: an intset-encoded set as RDB_TYPE_SET_INTSET (the
// blob as it is), a hashtable one as RDB_TYPE_SET (count, then each member). Read choosing the
// encoding as rdbLoadObject does: a loaded intset longer than set-max-intset-entries becomes a
// hashtable; plain members build an intset while they are integers and few enough.

import type { RdbLoadContext, RdbTypeCodec } from '../rdb/codec.js';
import { RDB_TYPE_SET, RDB_TYPE_SET_INTSET } from '../rdb/constants.js';
import type { Digest } from '../rdb/digest.js';
import type { RdbReader } from '../rdb/reader.js';
import { readSetPayload, SET_RDB_TYPES } from '../rdb/sets.js';
import { SetValue } from './set.js';

/** intset.c's ceiling whatever set-max-intset-entries says (rdbLoadObject applies it too). */
const INTSET_MAX_ENTRIES_CAP = 1 << 30;

function hashtableOf(members: readonly string[], maxIntsetEntries: number): SetValue {
  const set = SetValue.hashtable();
  for (let i = 0; i < members.length; i++) set.add(members[i], maxIntsetEntries);
  return set;
}

function readSet(rdbType: number, input: RdbReader, ctx: RdbLoadContext): SetValue | null {
  const payload = readSetPayload(rdbType, input);
  if (payload === null) return null;
  const maxIntsetEntries = ctx.settings.num('set-max-intset-entries');
  const members = payload.members;
  if (payload.kind === 'intset') {
    // The blob is kept as loaded unless it is longer than the limit allows.
    return members.length > maxIntsetEntries ? hashtableOf(members, maxIntsetEntries) : SetValue.fromIntsetBlob(payload.intset);
  }
  if (members.length > Math.min(maxIntsetEntries, INTSET_MAX_ENTRIES_CAP)) return hashtableOf(members, maxIntsetEntries);
  // An intset while the members are integers; the first other member converts it (setTypeAdd).
  const set = SetValue.intset();
  for (let i = 0; i < members.length; i++) set.add(members[i], maxIntsetEntries);
  return set;
}

export const setCodec: RdbTypeCodec<SetValue> = {
  kind: 'set',
  objectType: 2,
  rdbTypes: SET_RDB_TYPES,
  rdbTypeOf(set) {
    return set.isIntset ? RDB_TYPE_SET_INTSET : RDB_TYPE_SET;
  },
  write(set, out) {
    const blob = set.intsetBlob;
    if (blob !== null) {
      out.string(blob);
      return;
    }
    const size = set.size;
    out.len(size);
    for (let i = 0; i < size; i++) out.string(set.memberAt(i));
  },
  read: readSet,
  digest(set, digest: Digest) {
    // Members are xored in one by one: the digest does not depend on their order.
    const size = set.size;
    for (let i = 0; i < size; i++) digest.xor(set.memberAt(i));
  },
};
