// RDB codec of lists. Written as Redis 7.0 does: RDB_TYPE_LIST_QUICKLIST_2, the quicklist's
// nodes in order (a listpack per packed node, the element itself per plain node), the nodes list
// compression leaves compressed saved as their LZF blobs. The layout is the one ListValue.nodes()
// rebuilds, so the bytes are redis-server's wherever the node boundaries are (one-node lists,
// lists grown by tail pushes). Read from every list encoding Redis 7.0 and 6.x write (see
// store/rdb/lists.ts): stored nodes are kept as they are, loose elements are pushed one by one,
// as rdbLoadObject does.

import type { RdbTypeCodec } from '../rdb/codec.js';
import { RDB_TYPE_LIST_QUICKLIST_2 } from '../rdb/constants.js';
import { LIST_RDB_TYPES, quicklistNodeLzf, readListPayload, writeQuicklistNode } from '../rdb/lists.js';
import { lpLength } from '../encodings/listpack.js';
import { ListValue, type QuicklistNode } from './list.js';

/**
 * Whether node `index` of `count` is held compressed under `depth`: Redis leaves `depth` nodes
 * at each end uncompressed, and compresses nothing unless more than 2 * depth nodes exist
 * (__quicklistCompress); the nodes between get compressed as the list grows past them.
 */
function compressedNode(index: number, count: number, depth: number): boolean {
  return depth > 0 && count > depth * 2 && index >= depth && index < count - depth;
}

/**
 * printf's "%.2f" of a positive double: toFixed rounds an exact tie up where C rounds it to even
 * (the average node fill is a ratio of integers, so 1.125 and the like do occur). A double
 * of at least 1 has at most 52 fractional decimal digits, so toFixed(60) is its exact value.
 */
function fixed2(value: number): string {
  const exact = value.toFixed(60);
  const point = exact.indexOf('.');
  if (!/^50*$/.test(exact.slice(point + 3))) return value.toFixed(2);
  const down = exact.slice(0, point + 3);
  const lastDigit = down.charCodeAt(down.length - 1) - 48;
  return lastDigit % 2 === 0 ? down : value.toFixed(2);
}

export const listCodec: RdbTypeCodec<ListValue> = {
  kind: 'list',
  objectType: 1,
  rdbTypes: LIST_RDB_TYPES,
  rdbTypeOf() {
    return RDB_TYPE_LIST_QUICKLIST_2;
  },
  write(list, out) {
    const nodes = list.nodes();
    const depth = list.compressDepth;
    out.len(nodes.length);
    for (let i = 0; i < nodes.length; i++) {
      const node = nodes[i];
      const lzf = compressedNode(i, nodes.length, depth) ? quicklistNodeLzf(Buffer.from(node.bytes, 'latin1')) : null;
      writeQuicklistNode(out, node.plain, node.bytes, lzf);
    }
  },
  read(rdbType, input, ctx) {
    const payload = readListPayload(rdbType, input);
    if (payload === null) return null;
    const fill = ctx.settings.num('list-max-listpack-size');
    const depth = ctx.settings.num('list-compress-depth');
    if (payload.kind === 'elements') return ListValue.fromElements(payload.elements, fill, depth);
    const nodes: QuicklistNode[] = new Array(payload.nodes.length);
    for (let i = 0; i < payload.nodes.length; i++) {
      const node = payload.nodes[i];
      nodes[i] = node.plain
        ? { plain: true, bytes: node.value, count: 1 }
        : { plain: false, bytes: node.listpack, count: lpLength(node.listpack) };
    }
    return ListValue.fromNodes(nodes, fill, depth);
  },
  digest(list, digest) {
    if (list.length === 0) return;
    const cursor = list.cursor(0, true);
    for (let element = cursor.next(); element !== null; element = cursor.next()) digest.mix(element);
  },
  debugObjectSuffix(list) {
    const nodes = list.nodes();
    let uncompressedBytes = 0;
    for (let i = 0; i < nodes.length; i++) uncompressedBytes += nodes[i].bytes.length;
    return ` ql_nodes:${nodes.length} ql_avg_node:${fixed2(list.length / nodes.length)}` +
      ` ql_listpack_max:${list.fill} ql_compressed:${list.compressed ? 1 : 0} ql_uncompressed_size:${uncompressedBytes}`;
  },
};
