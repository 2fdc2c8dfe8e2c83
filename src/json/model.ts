// The JSON document model, kept as RedisJSON keeps documents: integers and floats are distinct
// kinds (1 and 1.0 stay what they were), integers cover the i64 and u64 ranges, and objects keep
// their insertion order with the swap-on-remove order change of RedisJSON's object type.
//
// Strings (values and object keys) are latin1 JS strings holding UTF-8 bytes, the form command
// arguments already have: serializing a document, STRLEN (a byte count) and comparisons (byte
// order = code point order) need no transcoding. The parser validates the UTF-8.

/** A float: wrapped so that 3.0 stays a float even though its value is integral. */
export class JsonFloat {
  constructor(readonly value: number) {}
}

/**
 * An integer: a plain number while it is a safe integer (the common case, no allocation), a
 * bigint beyond (up to u64 max, down to i64 min).
 */
export type JsonInteger = number | bigint;

export type JsonNode = null | boolean | JsonInteger | JsonFloat | string | JsonNode[] | JsonObject;

/** Objects of more entries than this keep a key -> slot index; smaller ones are scanned. */
const INDEX_MIN_ENTRIES = 12;

/**
 * An object: keys and values in parallel arrays in iteration order. Removal moves the last entry
 * into the removed slot (RedisJSON's object does the same, so the order after JSON.DEL matches).
 */
export class JsonObject {
  // Replaced only by fitCapacity(); everything else changes them in place.
  keys: string[] = [];
  values: JsonNode[] = [];
  private index: Map<string, number> | null = null;

  get size(): number {
    return this.keys.length;
  }

  /** The slot of `key`, or -1. */
  slotOf(key: string): number {
    if (this.index !== null) return this.index.get(key) ?? -1;
    const keys = this.keys;
    for (let i = 0; i < keys.length; i++) if (keys[i] === key) return i;
    return -1;
  }

  get(key: string): JsonNode | undefined {
    const slot = this.slotOf(key);
    return slot < 0 ? undefined : this.values[slot];
  }

  has(key: string): boolean {
    return this.slotOf(key) >= 0;
  }

  /** Sets `key`: in place when present (its position kept), appended when new. */
  set(key: string, value: JsonNode): void {
    const slot = this.slotOf(key);
    if (slot >= 0) {
      this.values[slot] = value;
      return;
    }
    this.keys.push(key);
    this.values.push(value);
    if (this.index !== null) this.index.set(key, this.keys.length - 1);
    else if (this.keys.length > INDEX_MIN_ENTRIES) this.buildIndex();
  }

  /** Removes `key`; the last entry takes its slot. Returns false when absent. */
  remove(key: string): boolean {
    const slot = this.slotOf(key);
    if (slot < 0) return false;
    const last = this.keys.length - 1;
    const lastKey = this.keys[last];
    const lastValue = this.values[last];
    this.keys.pop();
    this.values.pop();
    if (this.index !== null) this.index.delete(key);
    if (slot !== last) {
      this.keys[slot] = lastKey;
      this.values[slot] = lastValue;
      if (this.index !== null) this.index.set(lastKey, slot);
    }
    return true;
  }

  /**
   * Drops the spare slots the arrays grew while being filled (a push past the capacity adds half
   * as much again plus 16): for an object that is done growing, such as a parsed one.
   */
  fitCapacity(): void {
    this.keys = this.keys.slice();
    this.values = this.values.slice();
  }

  clear(): void {
    this.keys.length = 0;
    this.values.length = 0;
    this.index = null;
  }

  private buildIndex(): void {
    const index = new Map<string, number>();
    this.keys.forEach((k, i) => index.set(k, i));
    this.index = index;
  }
}

export type JsonKind = 'null' | 'boolean' | 'integer' | 'number' | 'string' | 'array' | 'object';

/** RedisJSON's type names (JSON.TYPE): floats are "number", integers "integer". */
export function kindOf(node: JsonNode): JsonKind {
  if (node === null) return 'null';
  switch (typeof node) {
    case 'boolean': return 'boolean';
    case 'number':
    case 'bigint': return 'integer';
    case 'string': return 'string';
    default:
      if (node instanceof JsonFloat) return 'number';
      return Array.isArray(node) ? 'array' : 'object';
  }
}

export function isInteger(node: JsonNode): node is JsonInteger {
  return typeof node === 'number' || typeof node === 'bigint';
}

export function isNumber(node: JsonNode): node is JsonInteger | JsonFloat {
  return typeof node === 'number' || typeof node === 'bigint' || node instanceof JsonFloat;
}

/** The numeric value as a double (a u64 or i64 beyond 2^53 rounds, as Rust's `as f64`). */
export function toDouble(node: JsonInteger | JsonFloat): number {
  if (typeof node === 'number') return node;
  if (typeof node === 'bigint') return Number(node);
  return node.value;
}

/** An integer in its canonical representation: a number when safe, else a bigint. */
export function normalizeInteger(value: bigint): JsonInteger {
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
}

/** A deep copy sharing nothing mutable. */
export function cloneNode(node: JsonNode): JsonNode {
  if (node === null || typeof node !== 'object' || node instanceof JsonFloat) return node;
  if (Array.isArray(node)) return node.map(cloneNode);
  const copy = new JsonObject();
  for (let i = 0; i < node.keys.length; i++) copy.set(node.keys[i], cloneNode(node.values[i]));
  copy.fitCapacity();
  return copy;
}

/**
 * Deep equality as RedisJSON judges it (ARRINDEX, filters): same kind, and integers equal
 * integers, floats equal floats; objects equal whatever their key order.
 */
export function nodesEqual(a: JsonNode, b: JsonNode): boolean {
  const ka = kindOf(a);
  if (ka !== kindOf(b)) return false;
  switch (ka) {
    case 'integer': return BigInt(a as JsonInteger) === BigInt(b as JsonInteger);
    case 'number': return (a as JsonFloat).value === (b as JsonFloat).value;
    case 'array': {
      const x = a as JsonNode[];
      const y = b as JsonNode[];
      if (x.length !== y.length) return false;
      for (let i = 0; i < x.length; i++) if (!nodesEqual(x[i], y[i])) return false;
      return true;
    }
    case 'object': {
      const x = a as JsonObject;
      const y = b as JsonObject;
      if (x.size !== y.size) return false;
      for (let i = 0; i < x.keys.length; i++) {
        const other = y.get(x.keys[i]);
        if (other === undefined || !nodesEqual(x.values[i], other)) return false;
      }
      return true;
    }
    default: return a === b;
  }
}
