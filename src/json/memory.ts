// What a document costs: in this process (the store's memory accounting) and as RedisJSON's
// JSON.DEBUG MEMORY reports it (its formula over its own representation: 8-byte value slots,
// small integers inline, strings by length, containers by capacity; a container's capacity is
// taken as its length here).

import { JsonFloat, JsonObject, type JsonNode } from './model.js';
import { INTERN_MAX_KEY_CHARS } from './parse.js';

/** A one-byte V8 string with its header, rounded to 8 bytes. */
function stringBytes(length: number): number {
  return (23 + length) & ~7;
}

/**
 * An array's own bytes: the JSArray (32 B) and, unless empty (all empty arrays share one), its
 * backing store: a 16-byte header and 8-byte slots. Measured on Node 20 (64-bit, no pointer
 * compression) for arrays of exact capacity, as the parser makes them.
 */
export function arrayShellBytes(length: number): number {
  return length === 0 ? 32 : 48 + 8 * length;
}

/** Objects past this many entries carry the key -> slot Map (model.ts's INDEX_MIN_ENTRIES). */
const INDEXED_OBJECT_MIN_SIZE = 13;

/** A JsonObject's own bytes: the object (48 B), its two arrays, the index Map if any. */
export function objectShellBytes(size: number): number {
  return 48 + 2 * arrayShellBytes(size) + (size >= INDEXED_OBJECT_MIN_SIZE ? 37 * size : 0);
}

/**
 * An object key's string: nothing for a short key, which documents share (parse.ts interns
 * them; the shared table is bounded), its own string for a longer one.
 */
export function keyBytes(key: string): number {
  return key.length <= INTERN_MAX_KEY_CHARS ? 0 : stringBytes(key.length);
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
  // The wrapper object (32 B) and the HeapNumber holding its double (16 B).
  if (node instanceof JsonFloat) return 48;
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
