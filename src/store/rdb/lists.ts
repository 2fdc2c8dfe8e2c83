// RDB layouts of lists, for the list codec (store/types/list-rdb.ts) to stay thin: every list
// encoding Redis 7.0 and 6.x write decoded to plain data, and the quicklist writer pieces.
//   RDB_TYPE_LIST             count, then each element as a string (Redis 3.0 and older)
//   RDB_TYPE_LIST_ZIPLIST     one ziplist (Redis 2.6 - 3.0)
//   RDB_TYPE_LIST_QUICKLIST   node count, then each node's ziplist (Redis 3.2 - 6.2)
//   RDB_TYPE_LIST_QUICKLIST_2 node count, then per node its container (1 PLAIN: the element
//                             itself; 2 PACKED: a listpack) and its bytes (Redis 7.0)

import {
  QUICKLIST_NODE_CONTAINER_PACKED, QUICKLIST_NODE_CONTAINER_PLAIN, RDB_TYPE_LIST, RDB_TYPE_LIST_QUICKLIST,
  RDB_TYPE_LIST_QUICKLIST_2, RDB_TYPE_LIST_ZIPLIST,
} from './constants.js';
import { corrupt } from './errors.js';
import { lzfCompress } from './lzf.js';
import type { RdbReader } from './reader.js';
import type { RdbWriter } from './writer.js';
import { ziplistEntries } from './ziplist.js';
import { lpFromArray, lpLength, lpValidate } from '../encodings/listpack.js';

export const LIST_RDB_TYPES = [RDB_TYPE_LIST, RDB_TYPE_LIST_ZIPLIST, RDB_TYPE_LIST_QUICKLIST, RDB_TYPE_LIST_QUICKLIST_2] as const;

/** A quicklist node as stored: one big element (PLAIN) or a validated, non-empty listpack. */
export type ListNode = { plain: true; value: string } | { plain: false; listpack: string };

/**
 * A loaded list. 'elements': Redis pushes them one by one (quicklistPushTail), so nodes are
 * filled by list-max-listpack-size; 'nodes': Redis appends each stored node as it is
 * (quicklistAppendListpack / quicklistAppendPlainNode), whatever their sizes.
 */
export type ListPayload = { kind: 'elements'; elements: string[] } | { kind: 'nodes'; nodes: ListNode[] };

/** Reads a list of any RDB list type; null when it holds no element (an empty key). */
export function readListPayload(rdbType: number, input: RdbReader): ListPayload | null {
  if (rdbType === RDB_TYPE_LIST) {
    const count = input.count();
    if (count === 0) return null;
    const elements = new Array<string>(count);
    for (let i = 0; i < count; i++) elements[i] = input.string();
    return { kind: 'elements', elements };
  }
  if (rdbType === RDB_TYPE_LIST_ZIPLIST) {
    const elements = ziplistEntries(input.stringBytes(), 'List ziplist');
    return elements.length === 0 ? null : { kind: 'elements', elements };
  }
  if (rdbType !== RDB_TYPE_LIST_QUICKLIST && rdbType !== RDB_TYPE_LIST_QUICKLIST_2) {
    return corrupt(`Not a list type: ${rdbType}`);
  }
  const count = input.count();
  if (count === 0) return null;
  const nodes: ListNode[] = [];
  for (let i = 0; i < count; i++) {
    let container = QUICKLIST_NODE_CONTAINER_PACKED;
    if (rdbType === RDB_TYPE_LIST_QUICKLIST_2) {
      container = input.len();
      if (container !== QUICKLIST_NODE_CONTAINER_PACKED && container !== QUICKLIST_NODE_CONTAINER_PLAIN) {
        corrupt('Quicklist integrity check failed.');
      }
    }
    const data = input.string();
    if (data.length === 0) corrupt('Empty quicklist node');
    if (container === QUICKLIST_NODE_CONTAINER_PLAIN) {
      nodes.push({ plain: true, value: data });
      continue;
    }
    let listpack: string;
    if (rdbType === RDB_TYPE_LIST_QUICKLIST_2) {
      if (!lpValidate(data)) corrupt('Listpack integrity check failed.');
      listpack = data;
    } else {
      listpack = lpFromArray(ziplistEntries(Buffer.from(data, 'latin1'), 'Ziplist'));
    }
    // Empty nodes are skipped (an empty list as a whole is an empty key).
    if (lpLength(listpack) > 0) nodes.push({ plain: false, listpack });
  }
  return nodes.length === 0 ? null : { kind: 'nodes', nodes };
}

/** Below this size a quicklist node is never compressed (MIN_COMPRESS_BYTES). */
const NODE_COMPRESS_MIN_BYTES = 48;
/** Compression must save at least this much to be kept (MIN_COMPRESS_IMPROVE). */
const NODE_COMPRESS_MIN_GAIN = 8;

/**
 * __quicklistCompressNode's rule: the LZF form of a node's bytes when list-compress-depth
 * compresses that node, or null when Redis would keep it uncompressed (too small, or not
 * shrinking by at least 8 bytes). A compressed node is saved as that blob.
 */
export function quicklistNodeLzf(bytes: Uint8Array): Buffer | null {
  if (bytes.length < NODE_COMPRESS_MIN_BYTES) return null;
  const packed = lzfCompress(bytes, 0, bytes.length, bytes.length);
  if (packed === null || packed.length + NODE_COMPRESS_MIN_GAIN >= bytes.length) return null;
  return packed;
}

/**
 * One node of RDB_TYPE_LIST_QUICKLIST_2 (after the caller wrote the node count): its container
 * and its bytes, as the node's LZF blob when it is held compressed (`lzf`, from
 * quicklistNodeLzf), else as a string (which the writer may LZF-compress on its own terms).
 */
export function writeQuicklistNode(out: RdbWriter, plain: boolean, bytes: string, lzf: Buffer | null = null): void {
  out.len(plain ? QUICKLIST_NODE_CONTAINER_PLAIN : QUICKLIST_NODE_CONTAINER_PACKED);
  if (lzf !== null) out.lzfBlob(lzf, bytes.length);
  else out.string(bytes);
}
