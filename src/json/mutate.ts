// Changing a document at the concrete paths the evaluator found (the edits themselves are
// json/document.ts's): navigation by keys and indexes, RedisJSON's order for applying several
// changes (deepest first, higher indexes first, nested matches dropped where the ancestor is
// changed), and JSON.MERGE's merge (RFC 7396).

import type { PathToken } from './evaluate.js';
import { heapBytes, keyBytes, objectShellBytes } from './memory.js';
import { JsonObject, type JsonNode } from './model.js';

/** The node at `path`, or undefined. */
export function nodeAt(root: JsonNode, path: readonly PathToken[]): JsonNode | undefined {
  let node: JsonNode | undefined = root;
  for (const token of path) {
    if (node instanceof JsonObject && typeof token === 'string') node = node.get(token);
    else if (Array.isArray(node) && typeof token === 'number') node = node[token];
    else return undefined;
    if (node === undefined) return undefined;
  }
  return node;
}

/** Deeper paths first; within a parent, keys (by name) before indexes, higher indexes first. */
export function comparePathsForMutation(a: readonly PathToken[], b: readonly PathToken[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i];
    const y = b[i];
    const xi = typeof x === 'number';
    const yi = typeof y === 'number';
    if (!xi && !yi) {
      if (x < y) return -1;
      if (x > y) return 1;
    } else if (xi && !yi) return 1;
    else if (!xi && yi) return -1;
    else if (x !== y) return (y as number) - (x as number);
  }
  return b.length - a.length;
}

function isPrefix(prefix: readonly PathToken[], path: readonly PathToken[]): boolean {
  if (prefix.length > path.length) return false;
  for (let i = 0; i < prefix.length; i++) if (prefix[i] !== path[i]) return false;
  return true;
}

/** Sorted for mutation, without paths inside another matched path (only the ancestor stays). */
export function pathsForUpdate(paths: PathToken[][]): PathToken[][] {
  if (paths.length < 2) return paths;
  const sorted = [...paths].sort(comparePathsForMutation);
  return sorted.filter((p) => !sorted.some((q) => q.length < p.length && isPrefix(q, p)));
}

/** Collects the change in a document's bytes (json/memory.ts's heapBytes) over an edit. */
export interface ByteMeter {
  deltaBytes: number;
}

/**
 * JSON.MERGE: objects merge key by key, null removes, anything else replaces. `target` is
 * changed in place where it is an object; `meter` gets the bytes the result adds over `target`.
 */
export function mergeNode(target: JsonNode, patch: JsonNode, meter: ByteMeter): JsonNode {
  if (!(patch instanceof JsonObject)) {
    meter.deltaBytes += heapBytes(patch) - heapBytes(target);
    return patch;
  }
  let out: JsonObject;
  if (target instanceof JsonObject) out = target;
  else {
    meter.deltaBytes += objectShellBytes(0) - heapBytes(target);
    out = new JsonObject();
  }
  for (let i = 0; i < patch.keys.length; i++) {
    const key = patch.keys[i];
    const value = patch.values[i];
    const slot = out.slotOf(key);
    if (value === null) {
      if (slot < 0) continue;
      meter.deltaBytes -= keyBytes(key) + heapBytes(out.values[slot]) + objectShellBytes(out.size) - objectShellBytes(out.size - 1);
      out.remove(key);
    } else if (slot >= 0) {
      out.values[slot] = mergeNode(out.values[slot], value, meter);
    } else {
      const size = out.size;
      const merged = mergeNode(null, value, meter);
      out.set(key, merged);
      meter.deltaBytes += keyBytes(key) + objectShellBytes(size + 1) - objectShellBytes(size);
    }
  }
  return out;
}
