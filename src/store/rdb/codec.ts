// The per-type RDB codec interface. Each value type has one codec beside its class
// (store/types/<type>-rdb.ts) and is listed in store/rdb/codecs.ts; DUMP/RESTORE, DEBUG
// OBJECT/RELOAD/DIGEST and (later) RDB files reach values only through it.

import type { NumericDirectiveName } from '../../config/directives.js';
import type { MutableString, ObjectValues, TypeName } from '../values.js';
import type { Digest } from './digest.js';
import type { RdbReader } from './reader.js';
import type { RdbWriter } from './writer.js';

/** The value class(es) behind a TYPE name: the codec for `K` reads and writes these. */
export type ValueOfKind<K extends TypeName> = K extends 'string' ? string | MutableString : Extract<ObjectValues, { kind: K }>;

/** Configuration a loader consults: Redis picks a loaded value's encoding by the current limits. */
export interface RdbSettings {
  num(name: NumericDirectiveName): number;
}

export interface RdbLoadContext {
  readonly settings: RdbSettings;
  /**
   * Redis's sanitize-dump-payload no (RESTORE): only what this engine relies on is checked. It
   * tolerates what only Redis's own code reads, e.g. a stream entry's lp-count, which Redis
   * walks backwards by and this engine never does. Absent: every check (RDB files).
   */
  readonly shallowSanitize?: boolean;
}

/** What a writer may consult (list-compress-depth decides which quicklist nodes are LZF blobs). */
export interface RdbSaveContext {
  readonly settings: RdbSettings;
}

export interface RdbTypeCodec<V> {
  /** TYPE's name for the values this codec serializes. */
  readonly kind: TypeName;
  /** Redis's OBJ_* number for the type (OBJ_STRING 0, LIST 1, SET 2, ZSET 3, HASH 4, STREAM 6). */
  readonly objectType: number;
  /** Every RDB object type (RDB_TYPE_*) this codec loads, old encodings included. */
  readonly rdbTypes: readonly number[];
  /** The RDB type byte Redis 7.0 writes for this value (rdbSaveObjectType). */
  rdbTypeOf(value: V): number;
  /** Writes the value's serialization (rdbSaveObject), without the type byte. */
  write(value: V, out: RdbWriter, ctx: RdbSaveContext): void;
  /**
   * Reads a value serialized as `rdbType` (one of `rdbTypes`), choosing its in-memory encoding
   * by the current settings as Redis's rdbLoadObject does. Returns null for an empty collection
   * (Redis's RDB_LOAD_ERR_EMPTY_KEY: RESTORE refuses it, a file load skips the key); throws
   * RdbFormatError for anything invalid, duplicates included. Reads exactly the value's bytes.
   */
  read(rdbType: number, input: RdbReader, ctx: RdbLoadContext): V | null;
  /** Folds the value into `digest` as debug.c's xorObjectDigest does for the type. */
  digest(value: V, digest: Digest): void;
  /**
   * DEBUG OBJECT's type-specific tail, with its leading space (a quicklist's
   * " ql_nodes:... ql_avg_node:... ql_listpack_max:... ql_compressed:... ql_uncompressed_size:...");
   * absent when the type adds nothing.
   */
  debugObjectSuffix?(value: V, settings: RdbSettings): string;
}
