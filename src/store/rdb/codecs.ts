// The table of value codecs, and the whole-value operations built on it: serialize a value
// (DUMP, DEBUG OBJECT, RDB images), load one, digest one. A type joins by adding its codec
// (store/types/<type>-rdb.ts) to CODECS; until it does, its values are refused by name
// (MissingCodecError), never serialized some other way.

import type { RdbLoadContext, RdbSaveContext, RdbSettings, RdbTypeCodec, ValueOfKind } from './codec.js';
import type { Digest } from './digest.js';
import { corrupt } from './errors.js';
import type { RdbReader } from './reader.js';
import type { RdbWriter } from './writer.js';
import { hashCodec } from '../types/hash-rdb.js';
import { jsonCodec } from '../types/json-rdb.js';
import { listCodec } from '../types/list-rdb.js';
import { setCodec } from '../types/set-rdb.js';
import { streamCodec } from '../types/stream-rdb.js';
import { stringCodec } from '../types/string-rdb.js';
import { unsanitizedCodec } from '../types/unsanitized-rdb.js';
import { zsetCodec } from '../types/zset-rdb.js';
import { typeName, type RedisValue, type TypeName } from '../values.js';

type CodecTable = { readonly [K in TypeName]?: RdbTypeCodec<ValueOfKind<K>> };

export const CODECS: CodecTable = {
  string: stringCodec,
  hash: hashCodec,
  list: listCodec,
  set: setCodec,
  stream: streamCodec,
  zset: zsetCodec,
  'ReJSON-RL': jsonCodec,
};

/** A value whose type has no codec yet: callers refuse the operation with this message. */
export class MissingCodecError extends Error {
  constructor(readonly kind: TypeName) {
    super(`the ${kind} type has no RDB serialization yet`);
    this.name = 'MissingCodecError';
  }
}

/**
 * The codec of a value's type, seen through the value union. The table's mapped type ties
 * each kind to its value class, which TypeScript cannot correlate through a lookup by a union
 * key; the kind is the value's own, so the codec does accept it.
 */
function codecOf(value: RedisValue): RdbTypeCodec<RedisValue> {
  // A value kept undecoded is written back as it came, whatever its TYPE.
  if (typeof value !== 'string' && value.kind === 'unsanitized') return unsanitizedCodec as RdbTypeCodec<RedisValue>;
  const kind = typeName(value);
  const codec = CODECS[kind];
  if (codec === undefined) throw new MissingCodecError(kind);
  return codec as RdbTypeCodec<RedisValue>;
}

/** Throws MissingCodecError unless every value of this type can be serialized. */
export function checkSerializable(value: RedisValue): void {
  codecOf(value);
}

const byRdbType = new Map<number, RdbTypeCodec<RedisValue>>();
for (const codec of Object.values(CODECS) as RdbTypeCodec<RedisValue>[]) {
  for (const t of codec.rdbTypes) {
    if (byRdbType.has(t)) throw new Error(`RDB type ${t} claimed by two codecs`);
    byRdbType.set(t, codec);
  }
}

/** rdbSaveObjectType: the type byte for the value. */
export function rdbTypeOf(value: RedisValue): number {
  return codecOf(value).rdbTypeOf(value);
}

/** rdbSaveObject: the value's serialization, without the type byte. */
export function writeValue(value: RedisValue, out: RdbWriter, ctx: RdbSaveContext): void {
  codecOf(value).write(value, out, ctx);
}

/** Type byte then value: what a DUMP payload holds before its footer. */
export function writeTypedValue(value: RedisValue, out: RdbWriter, ctx: RdbSaveContext): void {
  const codec = codecOf(value);
  out.u8(codec.rdbTypeOf(value));
  codec.write(value, out, ctx);
}

/** DEBUG OBJECT's type-specific tail ("" when the type has none). */
export function debugObjectSuffix(value: RedisValue, settings: RdbSettings): string {
  const codec = codecOf(value);
  return codec.debugObjectSuffix === undefined ? '' : codec.debugObjectSuffix(value, settings);
}

/**
 * rdbLoadObject: a value of RDB type `rdbType`; null for an empty collection. A type byte no
 * codec claims (a module value, a type still without codec, an unknown number) is corrupt data
 * from this server's point of view.
 */
export function readValue(rdbType: number, input: RdbReader, ctx: RdbLoadContext): RedisValue | null {
  const codec = byRdbType.get(rdbType);
  if (codec === undefined) return corrupt(`Unknown RDB encoding type ${rdbType}`);
  return codec.read(rdbType, input, ctx);
}

/**
 * xorObjectDigest: the value's type, its content, and whether it has a deadline, folded into
 * `digest` (a key's digest, which the caller starts from the key name or from zero).
 */
export function digestValue(value: RedisValue, hasExpire: boolean, digest: Digest): void {
  const codec = codecOf(value);
  digest.mixUint32BE(typeof value !== 'string' && value.kind === 'unsanitized' ? unsanitizedCodec.objectTypeOf(value) : codec.objectType);
  codec.digest(value, digest);
  if (hasExpire) digest.xor('!!expire!!');
}
