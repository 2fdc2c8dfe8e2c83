// RDB codec of sorted sets, over the layouts of store/rdb/zsets.ts. Written as Redis 7.0 does: a
// listpack-encoded set as RDB_TYPE_ZSET_LISTPACK (its listpack bytes as they are), a skiplist
// one as RDB_TYPE_ZSET_2 (count, then member and binary double from the greatest element down).
// Loaded as rdbLoadObject chooses: pairs build a skiplist that becomes a listpack when within
// zset-max-listpack-entries/value; a listpack (or a 6.x ziplist) stays one unless it has more
// than zset-max-listpack-entries members.

import type { RdbTypeCodec } from '../rdb/codec.js';
import { RDB_TYPE_ZSET_2, RDB_TYPE_ZSET_LISTPACK } from '../rdb/constants.js';
import { Digest } from '../rdb/digest.js';
import { digestZsetElement, readZsetPayload, ZSET_RDB_TYPES } from '../rdb/zsets.js';
import { NONE, ZSetValue } from './zset.js';

export const zsetCodec: RdbTypeCodec<ZSetValue> = {
  kind: 'zset',
  objectType: 3,
  rdbTypes: ZSET_RDB_TYPES,
  rdbTypeOf(zset) {
    return zset.isListpack ? RDB_TYPE_ZSET_LISTPACK : RDB_TYPE_ZSET_2;
  },
  write(zset, out) {
    const lp = zset.listpack;
    if (lp !== null) {
      out.string(lp);
      return;
    }
    out.len(zset.length);
    // Greatest first, as Redis writes a skiplist (a loader then inserts at the head each time).
    for (let p = zset.last(); p !== NONE; p = zset.prev(p)) {
      out.string(zset.memberAt(p));
      out.binaryDouble(zset.scoreAt(p));
    }
  },
  read(rdbType, input, ctx) {
    const payload = readZsetPayload(rdbType, input);
    if (payload === null) return null;
    const maxEntries = ctx.settings.num('zset-max-listpack-entries');
    if (payload.kind === 'listpack') {
      const zset = ZSetValue.fromListpack(payload.listpack);
      if (payload.size > maxEntries) zset.convertToTree();
      return zset;
    }
    // Loaded pairs come in any order: a skiplist first, converted after loading when it fits.
    const zset = new ZSetValue(true);
    const { members, scores } = payload;
    for (let i = 0; i < members.length; i++) zset.insert(members[i], scores[i]);
    zset.convertToListpackIfFits(maxEntries, ctx.settings.num('zset-max-listpack-value'));
    return zset;
  },
  digest(zset, digest) {
    const element = new Digest();
    for (let p = zset.first(); p !== NONE; p = zset.next(p)) digestZsetElement(digest, element, zset.memberAt(p), zset.scoreAt(p));
  },
};
