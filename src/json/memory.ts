// What a document costs: in this process (the store's memory accounting) and as RedisJSON's
// JSON.DEBUG MEMORY reports it (its formula over its own representation: 8-byte value slots,
// small integers inline, strings by length, containers by capacity; a container's capacity is
// taken as its length here).

import { JsonFloat, JsonObject, type JsonNode } from './model.js';

/** A one-byte V8 string with its header, rounded to 8 bytes. */
function stringBytes(length: number): number {
  return (23 + length) & ~7;
}

/** An array's own bytes: the JSArray and its backing store of 8-byte slots. */
export function arrayShellBytes(length: number): number {
  return 32 + 8 * length;
}

/** Objects past this many entries carry the key -> slot Map (model.ts's INDEX_MIN_ENTRIES). */
const INDEXED_OBJECT_MIN_SIZE = 13;

/** A JsonObject's own bytes: the object, its two arrays and their slots, the index Map if any. */
export function objectShellBytes(size: number): number {
  return 40 + 64 + 16 * size + (size >= INDEXED_OBJECT_MIN_SIZE ? 37 * size : 0);
}

/** An object key's string. */
export function keyBytes(key: string): number {
  return stringBytes(key.length);
}

/** Bytes of `node` in this process: V8 objects and arrays of 8-byte slots, strings with headers. */
export function heapBytes(node: JsonNode): number {
  if (node === null || typeof node === 'boolean') return 0;
  switch (typeof node) {
    case 'number': return Number.isInteger(node) && Math.abs(node) < 2 ** 30 ? 0 : 16;
    case 'bigint': return 24;
    case 'string': return stringBytes(node.length);
    default: break;
  }
  if (node instanceof JsonFloat) return 24;
  if (Array.isArray(node)) {
    let total = arrayShellBytes(node.length);
    for (const item of node) total += heapBytes(item);
    return total;
  }
  const obj = node as JsonObject;
  let total = objectShellBytes(obj.size);
  for (let i = 0; i < obj.keys.length; i++) total += keyBytes(obj.keys[i]) + heapBytes(obj.values[i]);
  return total;
}

const WORD_BYTES = 8;

/** RedisJSON's get_memory for one value, its own slot included. */
export function moduleMemoryBytes(node: JsonNode): number {
  return moduleInner(node) + WORD_BYTES;
}

function moduleInner(node: JsonNode): number {
  if (node === null || typeof node === 'boolean') return 0;
  if (node instanceof JsonFloat) return 16;
  switch (typeof node) {
    case 'number':
    case 'bigint': {
      // ijson: -128..383 inline, 24-bit integers in 4 bytes, the rest 16.
      if (node >= -128 && node < 384) return 0;
      if (node >= -(2 ** 23) && node < 2 ** 23) return 4;
      return 16;
    }
    case 'string': return node.length;
    default: break;
  }
  if (Array.isArray(node)) {
    if (node.length === 0) return 0;
    let total = (node.length + 2) * WORD_BYTES;
    for (const item of node) total += moduleInner(item);
    return total;
  }
  const obj = node as JsonObject;
  if (obj.size === 0) return 0;
  let total = (obj.size * 3 + 2) * WORD_BYTES;
  for (let i = 0; i < obj.keys.length; i++) total += obj.keys[i].length + moduleInner(obj.values[i]);
  return total;
}
