// RDB layout of streams (rdb.c, t_stream.c), for the stream codec (store/types/stream-rdb.ts)
// to stay thin: the whole value as plain data, validated, and written back.
//
//   node count; per node: its key (the master ID, 16 bytes big endian) and its listpack
//   length, last ID (ms, seq)
//   [v2: first ID, max deleted entry ID, entries added]
//   group count; per group: name, last ID, [v2: entries read], PEL count, per PEL entry the ID
//   (16 bytes), delivery time (ms, 8 bytes LE) and delivery count; consumer count; per consumer
//   name, seen time (ms), PEL count and the IDs it owns (each must be in the group's PEL)
//
// A node's listpack: the master entry (count, deleted, field count, fields, 0), then per entry
// flags, ms and seq deltas from the master ID, [field count and field/value pairs | values of the
// master fields when flag SAMEFIELDS], and the entry's own entry count ("lp-count").

import { RDB_TYPE_STREAM_LISTPACKS, RDB_TYPE_STREAM_LISTPACKS_2 } from './constants.js';
import type { Digest } from './digest.js';
import { corrupt } from './errors.js';
import type { RdbReader } from './reader.js';
import type { RdbWriter } from './writer.js';
import { lpFirst, lpGet, lpIsInteger, lpNext, lpValidate } from '../encodings/listpack.js';
import { parseInt64 } from '../../util/numbers.js';

export const STREAM_RDB_TYPES = [RDB_TYPE_STREAM_LISTPACKS, RDB_TYPE_STREAM_LISTPACKS_2] as const;

const UINT64_MASK = (1n << 64n) - 1n;
const FLAG_DELETED = 1;
const FLAG_SAMEFIELDS = 2;
const NODE_KEY_BYTES = 16;

export interface StreamId {
  ms: bigint;
  seq: bigint;
}

export interface StreamNode {
  /** The rax key: IDs inside the listpack are deltas from it. */
  masterId: StreamId;
  /** The node's listpack (latin1), validated as a stream node. */
  listpack: string;
}

export interface StreamPendingEntry {
  id: StreamId;
  deliveryTimeMs: number;
  /** A 64-bit counter (XCLAIM RETRYCOUNT sets any int64): a number while exact, else a bigint. */
  deliveryCount: number | bigint;
}

export interface StreamConsumerData {
  name: string;
  seenTimeMs: number;
  /** IDs of the group's pending entries this consumer owns. */
  pending: StreamId[];
}

export interface StreamGroupData {
  name: string;
  lastId: StreamId;
  /** The group's entries-read counter; -1 when unknown (SCG_INVALID_ENTRIES_READ). */
  entriesRead: bigint;
  /** The group PEL, ascending by ID; every entry is owned by one consumer (checked). */
  pending: StreamPendingEntry[];
  consumers: StreamConsumerData[];
}

export interface StreamPayload {
  /** Nodes ascending by master ID, none empty. */
  nodes: StreamNode[];
  length: bigint;
  lastId: StreamId;
  firstId: StreamId;
  maxDeletedEntryId: StreamId;
  entriesAdded: bigint;
  groups: StreamGroupData[];
}

export function compareStreamIds(a: StreamId, b: StreamId): number {
  if (a.ms !== b.ms) return a.ms > b.ms ? 1 : -1;
  if (a.seq !== b.seq) return a.seq > b.seq ? 1 : -1;
  return 0;
}

function idKey(id: StreamId): string {
  return `${id.ms}-${id.seq}`;
}

/** lpGetIntegerIfValid: an integer entry, or a string entry that is the text of an int64. */
function integerAt(lp: string, off: number): bigint | null {
  const text = lpGet(lp, off);
  if (lpIsInteger(lp, off)) return BigInt(text);
  const v = parseInt64(text);
  return v === null ? null : BigInt(v);
}

/**
 * streamValidateListpackIntegrity (deep): the listpack is well formed and lays out a master
 * entry and exactly count + deleted entries, each with consistent field counts and lp-count.
 * `anyLpCount` accepts an lp-count that disagrees (only backward iteration reads it, and this
 * engine walks entries forwards), as Redis accepts it without deep sanitization.
 */
export function validateStreamListpack(lp: string, anyLpCount = false): boolean {
  if (!lpValidate(lp)) return false;
  let off = lpFirst(lp);
  const next = (): boolean => {
    if (off === -1) return false;
    off = lpNext(lp, off);
    return true;
  };
  const int = (): bigint | null => (off === -1 ? null : integerAt(lp, off));
  const count = int();
  if (count === null || !next()) return false;
  const deleted = int();
  if (deleted === null || !next()) return false;
  const masterFields = int();
  if (masterFields === null || !next()) return false;
  for (let j = 0n; j < masterFields; j++) if (!next()) return false;
  if (int() !== 0n || !next()) return false;
  let entries = count + deleted;
  if (entries < 0n) return false;
  for (; entries > 0n; entries--) {
    const flags = int();
    if (flags === null || !next()) return false;
    if (int() === null || !next()) return false;
    if (int() === null || !next()) return false;
    let fields = masterFields;
    let extra = 3n;
    if ((flags & BigInt(FLAG_SAMEFIELDS)) === 0n) {
      const own = int();
      if (own === null || own < 0n || !next()) return false;
      fields = own;
      // The entry's field names, then its values (interleaved in fact; only counts matter).
      for (let j = 0n; j < fields; j++) if (!next()) return false;
      extra += fields + 1n;
    }
    for (let j = 0n; j < fields; j++) if (!next()) return false;
    const lpCount = int();
    if (lpCount === null || (!anyLpCount && lpCount !== fields + extra)) return false;
    off = lpNext(lp, off);
  }
  return off === -1;
}

/** One entry of a node, as stream iteration sees it. */
export interface StreamEntryView {
  id: StreamId;
  deleted: boolean;
  /** Field names and values, in order. */
  fields: string[];
  values: string[];
}

/** Every entry of a validated node, tombstones included, in ID order. */
export function forEachStreamEntry(node: StreamNode, visit: (entry: StreamEntryView) => void): void {
  const lp = node.listpack;
  let off = lpFirst(lp);
  const take = (): string => {
    const text = lpGet(lp, off);
    off = lpNext(lp, off);
    return text;
  };
  const count = BigInt(take());
  const deleted = BigInt(take());
  const masterCount = Number(take());
  const masterFields: string[] = [];
  for (let j = 0; j < masterCount; j++) masterFields.push(take());
  take();
  for (let n = count + deleted; n > 0n; n--) {
    const flags = Number(take());
    const ms = (node.masterId.ms + BigInt.asUintN(64, BigInt(take()))) & UINT64_MASK;
    const seq = (node.masterId.seq + BigInt.asUintN(64, BigInt(take()))) & UINT64_MASK;
    let fields: string[];
    const values: string[] = [];
    if ((flags & FLAG_SAMEFIELDS) !== 0) {
      fields = masterFields;
      for (let j = 0; j < masterCount; j++) values.push(take());
    } else {
      const own = Number(take());
      fields = [];
      for (let j = 0; j < own; j++) {
        fields.push(take());
        values.push(take());
      }
    }
    take();
    visit({ id: { ms, seq }, deleted: (flags & FLAG_DELETED) !== 0, fields, values });
  }
}

/** xorObjectDigest for streams: each live entry's "ms.seq", then its fields and values, mixed in order. */
export function digestStreamNodes(nodes: readonly StreamNode[], digest: Digest): void {
  for (const node of nodes) {
    forEachStreamEntry(node, (entry) => {
      if (entry.deleted) return;
      digest.mix(`${entry.id.ms}.${entry.id.seq}`);
      for (let i = 0; i < entry.fields.length; i++) {
        digest.mix(entry.fields[i]);
        digest.mix(entry.values[i]);
      }
    });
  }
}

function readId(input: RdbReader): StreamId {
  const ms = input.lenBig();
  return { ms, seq: input.lenBig() };
}

/** streamGetEdgeID(first, skipping tombstones): UINT64_MAX-UINT64_MAX for a stream without entries. */
function firstLiveId(nodes: readonly StreamNode[]): StreamId {
  for (const node of nodes) {
    let found: StreamId | null = null;
    forEachStreamEntry(node, (entry) => {
      if (found === null && !entry.deleted) found = entry.id;
    });
    if (found !== null) return found;
  }
  return { ms: UINT64_MASK, seq: UINT64_MASK };
}

/** streamEstimateDistanceFromFirstEverEntry: a v1 group's entries-read, estimated on load. */
function estimatedEntriesRead(s: StreamPayload, id: StreamId): bigint {
  if (s.entriesAdded === 0n) return 0n;
  if (s.length === 0n && compareStreamIds(id, s.lastId) < 1) return s.entriesAdded;
  const cmpLast = compareStreamIds(id, s.lastId);
  if (cmpLast === 0) return s.entriesAdded;
  if (cmpLast > 0) return -1n;
  const cmpFirst = compareStreamIds(id, s.firstId);
  const noTombstoneAhead = (s.maxDeletedEntryId.ms === 0n && s.maxDeletedEntryId.seq === 0n) ||
    compareStreamIds(s.maxDeletedEntryId, s.firstId) < 0;
  if (noTombstoneAhead) {
    if (cmpFirst < 0) return s.entriesAdded - s.length;
    if (cmpFirst === 0) return s.entriesAdded - s.length + 1n;
  }
  return -1n;
}

/** Reads a stream of either RDB stream type (v1 gets 7.0's extra fields derived as Redis does). */
export function readStreamPayload(rdbType: number, input: RdbReader, anyLpCount = false): StreamPayload {
  if (rdbType !== RDB_TYPE_STREAM_LISTPACKS && rdbType !== RDB_TYPE_STREAM_LISTPACKS_2) {
    return corrupt(`Not a stream type: ${rdbType}`);
  }
  const nodeCount = input.count(2);
  const nodes: StreamNode[] = [];
  let previous: StreamId | null = null;
  for (let i = 0; i < nodeCount; i++) {
    const key = input.stringBytes();
    if (key.length !== NODE_KEY_BYTES) corrupt('Stream node key entry is not the size of a stream ID');
    const masterId = { ms: key.readBigUInt64BE(0), seq: key.readBigUInt64BE(8) };
    const listpack = input.string();
    if (!validateStreamListpack(listpack, anyLpCount)) corrupt('Stream listpack integrity check failed.');
    if (lpFirst(listpack) === -1) corrupt('Empty listpack inside stream');
    // The rax is ordered by key: a repeated key is corrupt; an unordered one is re-sorted below.
    if (previous !== null && compareStreamIds(previous, masterId) === 0) corrupt('Listpack re-added with existing key');
    previous = masterId;
    nodes.push({ masterId, listpack });
  }
  nodes.sort((a, b) => compareStreamIds(a.masterId, b.masterId));
  for (let i = 1; i < nodes.length; i++) {
    if (compareStreamIds(nodes[i - 1].masterId, nodes[i].masterId) === 0) corrupt('Listpack re-added with existing key');
  }
  const length = input.lenBig();
  const lastId = readId(input);
  const payload: StreamPayload = {
    nodes, length, lastId,
    firstId: { ms: 0n, seq: 0n }, maxDeletedEntryId: { ms: 0n, seq: 0n }, entriesAdded: length, groups: [],
  };
  if (rdbType === RDB_TYPE_STREAM_LISTPACKS_2) {
    payload.firstId = readId(input);
    payload.maxDeletedEntryId = readId(input);
    payload.entriesAdded = input.lenBig();
  } else {
    payload.firstId = firstLiveId(nodes);
  }
  if (length > 0n && nodes.length === 0) corrupt('Stream length inconsistent with rax entries');
  const groupCount = input.count(4);
  const groupNames = new Set<string>();
  for (let g = 0; g < groupCount; g++) {
    const name = input.string();
    const groupLastId = readId(input);
    const entriesRead = rdbType === RDB_TYPE_STREAM_LISTPACKS_2
      ? BigInt.asIntN(64, input.lenBig())
      : estimatedEntriesRead(payload, groupLastId);
    if (groupNames.has(name)) corrupt(`Duplicated consumer group name ${name}`);
    groupNames.add(name);
    const pendingCount = input.count(25);
    const pending: StreamPendingEntry[] = [];
    const owners = new Map<string, boolean>();
    for (let i = 0; i < pendingCount; i++) {
      const id = input.streamId();
      const deliveryTimeMs = input.millis();
      const count = input.lenBig();
      const deliveryCount = count <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(count) : count;
      const k = idKey(id);
      if (owners.has(k)) corrupt('Duplicated global PEL entry loading stream consumer group');
      owners.set(k, false);
      pending.push({ id, deliveryTimeMs, deliveryCount });
    }
    const consumerCount = input.count(10);
    const consumers: StreamConsumerData[] = [];
    const consumerNames = new Set<string>();
    for (let c = 0; c < consumerCount; c++) {
      const consumerName = input.string();
      if (consumerNames.has(consumerName)) corrupt('Duplicate stream consumer detected.');
      consumerNames.add(consumerName);
      const seenTimeMs = input.millis();
      const ownedCount = input.count(16);
      const owned: StreamId[] = [];
      const mine = new Set<string>();
      for (let i = 0; i < ownedCount; i++) {
        const id = input.streamId();
        const k = idKey(id);
        if (!owners.has(k)) corrupt('Consumer entry not found in group global PEL');
        if (mine.has(k)) corrupt('Duplicated consumer PEL entry loading a stream consumer group');
        mine.add(k);
        // A later consumer claiming the same entry takes it over, as the shared NACK's owner
        // pointer does in Redis.
        owners.set(k, true);
        owned.push(id);
      }
      consumers.push({ name: consumerName, seenTimeMs, pending: owned });
    }
    for (const owned of owners.values()) if (!owned) corrupt('Stream CG PEL entry without consumer');
    pending.sort((a, b) => compareStreamIds(a.id, b.id));
    payload.groups.push({ name, lastId: groupLastId, entriesRead, pending, consumers });
  }
  return payload;
}

function writeIdLengths(out: RdbWriter, id: StreamId): void {
  out.length64(id.ms);
  out.length64(id.seq);
}

/**
 * Writes a stream as RDB_TYPE_STREAM_LISTPACKS_2 (rdbSaveObject): nodes in ID order, groups
 * and consumers in the order given (Redis iterates its raxes, i.e. by name bytes, and PELs by ID).
 */
export function writeStreamPayload(out: RdbWriter, s: StreamPayload): void {
  out.len(s.nodes.length);
  for (const node of s.nodes) {
    const key = Buffer.allocUnsafe(NODE_KEY_BYTES);
    key.writeBigUInt64BE(node.masterId.ms, 0);
    key.writeBigUInt64BE(node.masterId.seq, 8);
    out.stringBytes(key);
    out.string(node.listpack);
  }
  out.length64(s.length);
  writeIdLengths(out, s.lastId);
  writeIdLengths(out, s.firstId);
  writeIdLengths(out, s.maxDeletedEntryId);
  out.length64(s.entriesAdded);
  out.len(s.groups.length);
  for (const group of s.groups) {
    out.string(group.name);
    writeIdLengths(out, group.lastId);
    out.length64(BigInt.asUintN(64, group.entriesRead));
    out.len(group.pending.length);
    for (const entry of group.pending) {
      out.streamId(entry.id.ms, entry.id.seq);
      out.millis(entry.deliveryTimeMs);
      out.length64(entry.deliveryCount);
    }
    out.len(group.consumers.length);
    for (const consumer of group.consumers) {
      out.string(consumer.name);
      out.millis(consumer.seenTimeMs);
      out.len(consumer.pending.length);
      for (const id of consumer.pending) out.streamId(id.ms, id.seq);
    }
  }
}
