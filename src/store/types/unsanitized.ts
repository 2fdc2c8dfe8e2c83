// A value RESTORE (or an RDB load) accepted under sanitize-dump-payload no although this engine
// cannot decode it: its envelope and Redis's shallow checks passed, its inside is corrupt. Redis
// keeps such a value as it came and may crash later when a command walks it; here it is kept as
// its serialization, verbatim, and every command that would read or change its contents answers
// ERR_UNSANITIZED instead (commands/typed-lookup.ts). What needs only the key or the bytes works:
// TYPE, OBJECT ENCODING, DUMP, SAVE, COPY, RENAME, expiry, DEBUG DIGEST-VALUE.

import {
  RDB_TYPE_HASH_LISTPACK, RDB_TYPE_LIST_QUICKLIST_2, RDB_TYPE_SET_INTSET, RDB_TYPE_STREAM_LISTPACKS,
  RDB_TYPE_STREAM_LISTPACKS_2, RDB_TYPE_ZSET_LISTPACK,
} from '../rdb/constants.js';
import type { ObjectValue } from '../values.js';

/** The reply to a command that would read or change an unsanitized value's contents. */
export const ERR_UNSANITIZED = 'ERR The value at this key failed integrity checks (loaded with sanitize-dump-payload no) and cannot be read or changed';

/** The TYPE names an unsanitized value can have: the collections whose payloads are kept as blobs. */
export type UnsanitizedTypeName = 'list' | 'set' | 'zset' | 'hash' | 'stream';

/** The RDB types Redis 7.0 keeps as loaded (no conversion walks them) with TYPE and OBJECT ENCODING. */
const KEPT_TYPES: ReadonlyMap<number, { type: UnsanitizedTypeName; encoding: string }> = new Map([
  [RDB_TYPE_SET_INTSET, { type: 'set', encoding: 'intset' }],
  [RDB_TYPE_HASH_LISTPACK, { type: 'hash', encoding: 'listpack' }],
  [RDB_TYPE_ZSET_LISTPACK, { type: 'zset', encoding: 'listpack' }],
  [RDB_TYPE_LIST_QUICKLIST_2, { type: 'list', encoding: 'quicklist' }],
  [RDB_TYPE_STREAM_LISTPACKS, { type: 'stream', encoding: 'stream' }],
  [RDB_TYPE_STREAM_LISTPACKS_2, { type: 'stream', encoding: 'stream' }],
] as const);

/** True for an RDB type whose corrupt payload may be kept unsanitized (see KEPT_TYPES). */
export function keepsUnsanitized(rdbType: number): boolean {
  return KEPT_TYPES.has(rdbType);
}

export class UnsanitizedValue implements ObjectValue {
  readonly kind = 'unsanitized';
  /** Access clock (see store/db.ts). */
  lru = 0;
  memBytes = 0;
  /** TYPE's answer, from the RDB type. */
  readonly typeName: UnsanitizedTypeName;
  private readonly encodingText: string;

  /**
   * `rdbType` must be one keepsUnsanitized accepts; `body` is the serialization after the type
   * byte, owned by the value (callers pass a copy, never a view into a larger buffer).
   */
  constructor(readonly rdbType: number, readonly body: Buffer) {
    const kept = KEPT_TYPES.get(rdbType);
    if (kept === undefined) throw new Error(`RDB type ${rdbType} cannot be kept unsanitized`);
    this.typeName = kept.type;
    this.encodingText = kept.encoding;
  }

  encoding(): string {
    return this.encodingText;
  }

  clone(): UnsanitizedValue {
    return new UnsanitizedValue(this.rdbType, Buffer.from(this.body));
  }
}
