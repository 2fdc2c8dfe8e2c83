// A document whose size in this process is kept current edit by edit: each edit adds what it
// adds and subtracts what it removes (json/memory.ts's heapBytes of the changed part), so the
// store prices a write by the size of the change instead of walking the whole document. Every
// change to a document goes through these methods; `heapBytes` then always equals
// heapBytes(root) (test/unit/json-document.test.ts checks it on random edits).

import { arrayShellBytes, heapBytes, keyBytes, objectShellBytes } from './memory.js';
import { JsonObject, type JsonNode } from './model.js';
import { mergeNode, nodeAt, type ByteMeter } from './mutate.js';
import { internKey } from './parse.js';
import type { PathToken } from './evaluate.js';

export class JsonDocument {
  private rootNode: JsonNode;
  /** heapBytes(root), kept by the edits. */
  private sizeBytes: number;

  constructor(root: JsonNode) {
    this.rootNode = root;
    this.sizeBytes = heapBytes(root);
  }

  get root(): JsonNode {
    return this.rootNode;
  }

  /** Bytes of the document's nodes in this process. */
  get heapBytes(): number {
    return this.sizeBytes;
  }

  setRoot(node: JsonNode): void {
    this.rootNode = node;
    this.sizeBytes = heapBytes(node);
  }

  /** Replaces the node at `path` ([] is the root); false when nothing is there. */
  replace(path: readonly PathToken[], value: JsonNode): boolean {
    if (path.length === 0) {
      this.setRoot(value);
      return true;
    }
    const parent = nodeAt(this.rootNode, path.slice(0, -1));
    const last = path[path.length - 1];
    if (parent instanceof JsonObject && typeof last === 'string') {
      const slot = parent.slotOf(last);
      if (slot < 0) return false;
      this.sizeBytes += heapBytes(value) - heapBytes(parent.values[slot]);
      parent.values[slot] = value;
      return true;
    }
    if (Array.isArray(parent) && typeof last === 'number' && last < parent.length) {
      this.sizeBytes += heapBytes(value) - heapBytes(parent[last]);
      parent[last] = value;
      return true;
    }
    return false;
  }

  /** Adds `key` to `object` (a node of this document); false when it is there already. */
  addKey(object: JsonObject, key: string, value: JsonNode): boolean {
    if (object.has(key)) return false;
    const size = object.size;
    object.set(internKey(key), value);
    this.sizeBytes += objectShellBytes(size + 1) - objectShellBytes(size) + keyBytes(key) + heapBytes(value);
    return true;
  }

  /** Removes the node at `path` (not the root); false when nothing is there. */
  remove(path: readonly PathToken[]): boolean {
    const parent = nodeAt(this.rootNode, path.slice(0, -1));
    const last = path[path.length - 1];
    if (parent instanceof JsonObject && typeof last === 'string') {
      const slot = parent.slotOf(last);
      if (slot < 0) return false;
      const size = parent.size;
      this.sizeBytes -= objectShellBytes(size) - objectShellBytes(size - 1) + keyBytes(last) + heapBytes(parent.values[slot]);
      parent.remove(last);
      return true;
    }
    if (Array.isArray(parent) && typeof last === 'number' && last < parent.length) {
      this.removeItems(parent, last, 1);
      return true;
    }
    return false;
  }

  /** Merges `patch` into the node at `path` ([] is the root, RFC 7396); false when nothing is there. */
  merge(path: readonly PathToken[], patch: JsonNode): boolean {
    if (path.length === 0) {
      const meter: ByteMeter = { deltaBytes: 0 };
      this.rootNode = mergeNode(this.rootNode, patch, meter);
      this.sizeBytes += meter.deltaBytes;
      return true;
    }
    const current = nodeAt(this.rootNode, path);
    if (current === undefined) return false;
    // Merging null into a member removes it (RFC 7396, and RedisJSON's documented example).
    if (patch === null) return this.remove(path);
    const parent = nodeAt(this.rootNode, path.slice(0, -1));
    const last = path[path.length - 1];
    const meter: ByteMeter = { deltaBytes: 0 };
    const merged = mergeNode(current, patch, meter);
    this.sizeBytes += meter.deltaBytes;
    if (parent instanceof JsonObject && typeof last === 'string') parent.set(last, merged);
    else (parent as JsonNode[])[last as number] = merged;
    return true;
  }

  /** Inserts `items` into `array` (a node of this document) at `index` (0..length). */
  insertItems(array: JsonNode[], index: number, items: readonly JsonNode[]): void {
    let added = arrayShellBytes(array.length + items.length) - arrayShellBytes(array.length);
    for (const item of items) added += heapBytes(item);
    if (index === array.length) for (const item of items) array.push(item);
    else array.splice(index, 0, ...items);
    this.sizeBytes += added;
  }

  /** Removes `count` items of `array` (a node of this document) from `index`; returns them. */
  removeItems(array: JsonNode[], index: number, count: number): JsonNode[] {
    const removed = index + count === array.length && count === 1 ? [array.pop() as JsonNode] : array.splice(index, count);
    let bytes = arrayShellBytes(array.length + removed.length) - arrayShellBytes(array.length);
    for (const item of removed) bytes += heapBytes(item);
    this.sizeBytes -= bytes;
    return removed;
  }

  /** Empties `container` (a node of this document). */
  clearContainer(container: JsonNode[] | JsonObject): void {
    if (Array.isArray(container)) {
      this.sizeBytes -= heapBytes(container) - arrayShellBytes(0);
      container.length = 0;
    } else {
      this.sizeBytes -= heapBytes(container) - objectShellBytes(0);
      container.clear();
    }
  }
}
