// Changing a document at the concrete paths the evaluator found: navigation by keys and
// indexes, RedisJSON's order for applying several changes (deepest first, higher indexes first,
// nested matches dropped where the ancestor is changed), and JSON.MERGE's merge (RFC 7396).

import type { PathToken } from './evaluate.js';
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

/**
 * Replaces the node at `path` (not the root) with `make(current)`; returns false when nothing
 * is there.
 */
export function replaceAt(root: JsonNode, path: readonly PathToken[], value: JsonNode): boolean {
  const parent = nodeAt(root, path.slice(0, -1));
  const last = path[path.length - 1];
  if (parent instanceof JsonObject && typeof last === 'string') {
    if (!parent.has(last)) return false;
    parent.set(last, value);
    return true;
  }
  if (Array.isArray(parent) && typeof last === 'number' && last < parent.length) {
    parent[last] = value;
    return true;
  }
  return false;
}

/** Removes the node at `path` (not the root); false when nothing is there. */
export function removeAt(root: JsonNode, path: readonly PathToken[]): boolean {
  const parent = nodeAt(root, path.slice(0, -1));
  const last = path[path.length - 1];
  if (parent instanceof JsonObject && typeof last === 'string') return parent.remove(last);
  if (Array.isArray(parent) && typeof last === 'number' && last < parent.length) {
    parent.splice(last, 1);
    return true;
  }
  return false;
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

/** JSON.MERGE: objects merge key by key, null removes, anything else replaces. */
export function mergeNode(target: JsonNode, patch: JsonNode): JsonNode {
  if (!(patch instanceof JsonObject)) return patch;
  const out = target instanceof JsonObject ? target : new JsonObject();
  for (let i = 0; i < patch.keys.length; i++) {
    const key = patch.keys[i];
    const value = patch.values[i];
    if (value === null) out.remove(key);
    else out.set(key, mergeNode(out.get(key) ?? null, value));
  }
  return out;
}
