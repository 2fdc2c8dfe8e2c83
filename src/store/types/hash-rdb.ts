// RDB codec of hashes. Written as Redis 7.0 does: a compact hash as RDB_TYPE_HASH_LISTPACK (the
// listpack bytes Redis would hold for it), a hashtable one as RDB_TYPE_HASH (count, then field
// and value strings). Read from every encoding Redis ever wrote (hash, zipmap, ziplist, listpack),
// choosing compact or hashtable by hash-max-listpack-entries/value as rdbLoadObject does;
// duplicate fields and odd pair counts are corrupt data.

import type { RdbLoadContext, RdbTypeCodec } from '../rdb/codec.js';
import {
  RDB_TYPE_HASH, RDB_TYPE_HASH_LISTPACK, RDB_TYPE_HASH_ZIPLIST, RDB_TYPE_HASH_ZIPMAP,
} from '../rdb/constants.js';
import { corrupt } from '../rdb/errors.js';
import type { RdbReader } from '../rdb/reader.js';
import { ziplistEntries } from '../rdb/ziplist.js';
import { zipmapPairs } from '../rdb/zipmap.js';
import { Digest } from '../rdb/digest.js';
import { lpEntryBytes, lpFirst, lpFromArray, lpGet, lpLength, lpNext, lpValidate } from '../encodings/listpack.js';
import { HashValue } from './hash.js';

/** Redis's LISTPACK_MAX_SAFETY_SIZE: a listpack never grows past 1 GB. */
const LISTPACK_MAX_SAFETY_BYTES = 1 << 30;
/** A listpack's header and end byte. */
const LISTPACK_OVERHEAD_BYTES = 7;

/** RDB_TYPE_HASH: pairs one by one, compact until a limit is passed (then hashtable for good). */
function readPlainHash(input: RdbReader, ctx: RdbLoadContext): HashValue | null {
  const count = input.count(2);
  if (count === 0) return null;
  const maxEntries = ctx.settings.num('hash-max-listpack-entries');
  const maxValueBytes = ctx.settings.num('hash-max-listpack-value');
  const hash = new HashValue();
  hash.compact = count <= maxEntries;
  let listpackBytes = LISTPACK_OVERHEAD_BYTES;
  for (let i = 0; i < count; i++) {
    const field = input.string();
    const value = input.string();
    if (hash.compact) {
      listpackBytes += lpEntryBytes(field) + lpEntryBytes(value);
      if (field.length > maxValueBytes || value.length > maxValueBytes || listpackBytes > LISTPACK_MAX_SAFETY_BYTES) {
        hash.compact = false;
      }
    }
    if (!hash.set(field, value)) corrupt('Duplicate hash fields detected');
  }
  return hash;
}

/**
 * A flat [field, value, ...] list with an odd count or a repeated field is corrupt. `dupReason`
 * names a repeated field apart (else it is an integrity failure like the rest).
 */
function checkPairs(pairs: readonly string[], what: string, dupReason: string | null = null): void {
  if ((pairs.length & 1) !== 0) corrupt(`${what} integrity check failed.`);
  const fields = new Set<string>();
  for (let i = 0; i < pairs.length; i += 2) fields.add(pairs[i]);
  if (fields.size * 2 !== pairs.length) corrupt(dupReason ?? `${what} integrity check failed.`);
}

/** A hashtable-encoded hash of checked pairs (never grown as a listpack pair by pair). */
function hashtableFromPairs(pairs: readonly string[]): HashValue {
  const hash = new HashValue();
  hash.convertToHashtable();
  for (let i = 0; i < pairs.length; i += 2) hash.set(pairs[i], pairs[i + 1]);
  return hash;
}

function readListpackHash(input: RdbReader, ctx: RdbLoadContext): HashValue | null {
  const lp = input.string();
  if (!lpValidate(lp)) corrupt('Hash listpack integrity check failed.');
  const pairs = new Array<string>(lpLength(lp));
  let i = 0;
  for (let off = lpFirst(lp); off !== -1; off = lpNext(lp, off)) pairs[i++] = lpGet(lp, off);
  // Only the entry count decides here (Redis does not scan lengths of an encoded hash on load);
  // a listpack that stays one keeps the bytes it was loaded as.
  const compact = pairs.length / 2 <= ctx.settings.num('hash-max-listpack-entries');
  // A repeated field found while converting to a hashtable is what Redis's hashTypeConvertListpack
  // reports (it panics there without sanitize-dump-payload; here the payload is refused).
  checkPairs(pairs, 'Hash listpack', compact ? null : 'listpack with dup elements');
  if (pairs.length === 0) return null;
  return compact ? HashValue.fromListpack(lp) : hashtableFromPairs(pairs);
}

function readZiplistHash(input: RdbReader, ctx: RdbLoadContext): HashValue | null {
  const pairs = ziplistEntries(input.stringBytes(), 'Hash ziplist');
  checkPairs(pairs, 'Hash ziplist');
  if (pairs.length === 0) return null;
  return pairs.length / 2 <= ctx.settings.num('hash-max-listpack-entries') ? HashValue.fromListpack(lpFromArray(pairs)) : hashtableFromPairs(pairs);
}

function readZipmapHash(input: RdbReader, ctx: RdbLoadContext): HashValue {
  const pairs = zipmapPairs(input.stringBytes());
  const hash = new HashValue();
  let maxLength = 0;
  let listpackBytes = LISTPACK_OVERHEAD_BYTES;
  for (let i = 0; i < pairs.length; i += 2) {
    const field = pairs[i];
    const value = pairs[i + 1];
    if (field.length > maxLength) maxLength = field.length;
    if (value.length > maxLength) maxLength = value.length;
    listpackBytes += field.length + value.length;
    if (!hash.set(field, value) || listpackBytes > LISTPACK_MAX_SAFETY_BYTES) {
      corrupt('Hash zipmap with dup elements, or big length');
    }
  }
  hash.compact = hash.size <= ctx.settings.num('hash-max-listpack-entries') &&
    maxLength <= ctx.settings.num('hash-max-listpack-value');
  return hash;
}

export const hashCodec: RdbTypeCodec<HashValue> = {
  kind: 'hash',
  objectType: 4,
  rdbTypes: [RDB_TYPE_HASH, RDB_TYPE_HASH_ZIPMAP, RDB_TYPE_HASH_ZIPLIST, RDB_TYPE_HASH_LISTPACK],
  rdbTypeOf(hash) {
    return hash.compact ? RDB_TYPE_HASH_LISTPACK : RDB_TYPE_HASH;
  },
  write(hash, out) {
    const listpack = hash.listpack;
    if (listpack !== null) {
      out.string(listpack);
      return;
    }
    out.len(hash.size);
    hash.forEachPair((field, value) => {
      out.string(field);
      out.string(value);
    });
  },
  read(rdbType, input, ctx) {
    switch (rdbType) {
      case RDB_TYPE_HASH: return readPlainHash(input, ctx);
      case RDB_TYPE_HASH_LISTPACK: return readListpackHash(input, ctx);
      case RDB_TYPE_HASH_ZIPLIST: return readZiplistHash(input, ctx);
      default: return readZipmapHash(input, ctx);
    }
  },
  digest(hash, digest) {
    const element = new Digest();
    hash.forEachPair((field, value) => {
      element.reset();
      element.mix(field);
      element.mix(value);
      digest.xorDigest(element);
    });
  },
};
