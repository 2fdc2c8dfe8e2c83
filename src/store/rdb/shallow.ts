// Redis's shallow integrity checks (sanitize-dump-payload no): the walk of a record's outer
// structure that rdbLoadObject does without deep validation, with the header checks of each
// blob it keeps (listpack, intset). Used when this engine's full decoding of a record failed, to
// decide whether Redis would have accepted it anyway; the record is then kept verbatim as an
// UnsanitizedValue. Every length is checked against the input before use (RdbReader), so a
// fuzzed record gives RdbFormatError, never a read past its end.

import {
  RDB_TYPE_HASH_LISTPACK, RDB_TYPE_LIST_QUICKLIST_2, RDB_TYPE_SET_INTSET, RDB_TYPE_STREAM_LISTPACKS_2,
  RDB_TYPE_ZSET_LISTPACK,
} from './constants.js';
import type { RdbLoadContext } from './codec.js';
import { readValue } from './codecs.js';
import { corrupt, RdbFormatError } from './errors.js';
import type { RdbReader } from './reader.js';
import type { RedisValue } from '../values.js';
import { keepsUnsanitized, UnsanitizedValue } from '../types/unsanitized.js';

const LP_HEADER_BYTES = 6;
const LP_EOF = 0xff;
/** lpLength's "count unknown, walk to learn it" marker in the header. */
const LP_COUNT_UNKNOWN = 0xffff;
const INTSET_HEADER_BYTES = 8;
const QUICKLIST_NODE_PLAIN = 1;
const QUICKLIST_NODE_PACKED = 2;
const STREAM_ID_BYTES = 16;

/**
 * rdbLoadObject as Redis runs it: the type's codec decodes the record; when it refuses it and
 * `keepUnsanitized` (sanitize-dump-payload no for a client, or any load but under `yes`), the
 * record is read again with only Redis's shallow checks and kept verbatim if they pass. The
 * codec's own error is the one thrown when they do not.
 */
export function readValueOrShallow(rdbType: number, input: RdbReader, ctx: RdbLoadContext, keepUnsanitized: boolean): RedisValue | null {
  const start = input.pos;
  try {
    return readValue(rdbType, input, ctx);
  } catch (err) {
    if (!(err instanceof RdbFormatError) || !keepUnsanitized || !keepsUnsanitized(rdbType)) throw err;
    input.pos = start;
    try {
      return readShallow(rdbType, input);
    } catch (shallowErr) {
      if (!(shallowErr instanceof RdbFormatError)) throw shallowErr;
      throw err;
    }
  }
}

/**
 * The record at `input` (after its type byte) as an unsanitized value when Redis's shallow
 * checks pass; null when it holds no elements (Redis's empty key); throws RdbFormatError
 * otherwise. Consumes exactly the record's bytes.
 */
export function readShallow(rdbType: number, input: RdbReader): UnsanitizedValue | null {
  if (!keepsUnsanitized(rdbType)) corrupt(`RDB type ${rdbType} has no shallow form`);
  const start = input.pos;
  let empty: boolean;
  switch (rdbType) {
    case RDB_TYPE_SET_INTSET:
      empty = intsetCount(input.stringBytes()) === 0;
      break;
    case RDB_TYPE_HASH_LISTPACK:
    case RDB_TYPE_ZSET_LISTPACK:
      empty = listpackIsEmpty(input.stringBytes());
      break;
    case RDB_TYPE_LIST_QUICKLIST_2:
      empty = quicklistIsEmpty(input);
      break;
    default:
      empty = streamIsEmpty(rdbType, input);
  }
  if (empty) return null;
  return new UnsanitizedValue(rdbType, Buffer.from(input.buf.subarray(start, input.pos)));
}

/** lpValidateIntegrity without deep: the header's size and the terminator. Returns emptiness. */
function listpackIsEmpty(lp: Buffer): boolean {
  if (lp.length < LP_HEADER_BYTES + 1) corrupt('Listpack integrity check failed.');
  if (lp.readUInt32LE(0) !== lp.length || lp[lp.length - 1] !== LP_EOF) corrupt('Listpack integrity check failed.');
  const count = lp.readUInt16LE(4);
  return count === 0 || (count === LP_COUNT_UNKNOWN && lp[LP_HEADER_BYTES] === LP_EOF);
}

/** intsetValidateIntegrity without deep: the encoding and the size the count implies. */
function intsetCount(is: Buffer): number {
  if (is.length < INTSET_HEADER_BYTES) corrupt('Intset integrity check failed.');
  const width = is.readUInt32LE(0);
  if (width !== 2 && width !== 4 && width !== 8) corrupt('Intset integrity check failed.');
  const count = is.readUInt32LE(4);
  if (INTSET_HEADER_BYTES + count * width !== is.length) corrupt('Intset integrity check failed.');
  return count;
}

/** QUICKLIST_2: node count, then per node its container and blob. Empty nodes are skipped. */
function quicklistIsEmpty(input: RdbReader): boolean {
  const nodes = input.count(2);
  if (nodes === 0) return true;
  let empty = true;
  for (let i = 0; i < nodes; i++) {
    const container = input.len();
    if (container !== QUICKLIST_NODE_PLAIN && container !== QUICKLIST_NODE_PACKED) corrupt('Quicklist integrity check failed.');
    const blob = input.stringBytes();
    if (blob.length === 0) corrupt('Quicklist node is empty');
    if (container === QUICKLIST_NODE_PLAIN || !listpackIsEmpty(blob)) empty = false;
  }
  return empty;
}

/**
 * A stream: its nodes (master ID, listpack), length, IDs, then its consumer groups with their
 * PELs and consumers, with the structural checks Redis makes whatever the sanitize mode.
 */
function streamIsEmpty(rdbType: number, input: RdbReader): boolean {
  const nodes = input.count(2);
  const masters = new Set<string>();
  for (let i = 0; i < nodes; i++) {
    const master = input.stringBytes();
    if (master.length !== STREAM_ID_BYTES) corrupt('Stream node key entry is not the size of a stream ID');
    const lp = input.stringBytes();
    if (listpackIsEmpty(lp)) corrupt('Empty listpack inside stream');
    const masterKey = master.latin1Slice(0, master.length);
    if (masters.has(masterKey)) corrupt('Listpack re-added with existing key');
    masters.add(masterKey);
  }
  const length = input.lenBig();
  input.lenBig();
  input.lenBig();
  if (rdbType === RDB_TYPE_STREAM_LISTPACKS_2) {
    for (let i = 0; i < 5; i++) input.lenBig();
  }
  if (length !== 0n && nodes === 0) corrupt('Stream length inconsistent with rax entries');
  const groups = input.count(4);
  const groupNames = new Set<string>();
  for (let g = 0; g < groups; g++) {
    const name = input.string();
    if (groupNames.has(name)) corrupt(`Duplicated consumer group name ${name}`);
    groupNames.add(name);
    input.lenBig();
    input.lenBig();
    if (rdbType === RDB_TYPE_STREAM_LISTPACKS_2) input.lenBig();
    const pending = new Set<string>();
    const pendingCount = input.count(STREAM_ID_BYTES + 9);
    for (let p = 0; p < pendingCount; p++) {
      const id = input.bytes(STREAM_ID_BYTES).latin1Slice(0, STREAM_ID_BYTES);
      input.millis();
      input.lenBig();
      if (pending.has(id)) corrupt('Duplicated global PEL entry loading stream consumer group');
      pending.add(id);
    }
    const consumers = input.count(10);
    const consumerNames = new Set<string>();
    const owned = new Set<string>();
    for (let c = 0; c < consumers; c++) {
      const consumer = input.string();
      if (consumerNames.has(consumer)) corrupt('Duplicate stream consumer detected.');
      consumerNames.add(consumer);
      input.millis();
      const ownedCount = input.count(STREAM_ID_BYTES);
      for (let p = 0; p < ownedCount; p++) {
        const id = input.bytes(STREAM_ID_BYTES).latin1Slice(0, STREAM_ID_BYTES);
        if (!pending.has(id)) corrupt('Consumer entry not found in group global PEL');
        if (owned.has(id)) corrupt('Duplicated consumer PEL entry  loading a stream consumer group');
        owned.add(id);
      }
    }
  }
  // A stream with no entries is still a key (XGROUP CREATE MKSTREAM makes one).
  return false;
}
