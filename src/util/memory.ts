// Memory figures for INFO, MEMORY STATS and MEMORY USAGE: what the process uses, Redis's human
// format, and an estimate of what one value takes in V8's representation.

/** The memory the process uses for data and code (V8 heap plus buffers outside it). */
export function usedMemoryBytes(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

/** Redis's bytesToHuman: B, then K, M, G, T, P with two decimals. */
export function bytesToHuman(bytes: number): string {
  if (bytes < 1024) return `${bytes}B`;
  const units = ['K', 'M', 'G', 'T', 'P'];
  let value = bytes / 1024;
  for (const unit of units) {
    if (value < 1024 || unit === 'P') return `${value.toFixed(2)}${unit}`;
    value /= 1024;
  }
  return `${bytes}B`;
}

/** V8 object sizes on 64-bit with pointer compression off (the conservative case). */
const STRING_HEADER_BYTES = 16;
const OBJECT_HEADER_BYTES = 24;
const SLOT_BYTES = 8;
/** Per entry of a V8 hash table (Map/Set): key, value, chain link, plus load-factor slack. */
const TABLE_ENTRY_BYTES = 32;
const MAX_DEPTH = 4;

function roundUp8(n: number): number {
  return Math.ceil(n / 8) * 8;
}

/**
 * Average size of up to `samples` items of an iterable collection, times its size: nested
 * values are sampled the way Redis's objectComputeSize samples them.
 */
function sampledBytes(items: Iterable<unknown>, size: number, samples: number, depth: number, perEntry: number): number {
  if (size === 0) return 0;
  let seen = 0;
  let total = 0;
  for (const item of items) {
    if (seen >= samples) break;
    total += estimate(item, samples, depth + 1) + perEntry;
    seen++;
  }
  return seen === 0 ? 0 : Math.round((total / seen) * size);
}

function estimate(value: unknown, samples: number, depth: number): number {
  if (typeof value === 'string') return roundUp8(STRING_HEADER_BYTES + value.length);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return SLOT_BYTES;
  if (value === null || value === undefined || typeof value !== 'object' || depth > MAX_DEPTH) return 0;
  if (ArrayBuffer.isView(value)) return OBJECT_HEADER_BYTES * 3 + value.byteLength;
  if (value instanceof Map) {
    return OBJECT_HEADER_BYTES + sampledBytes(value.entries(), value.size, samples, depth, TABLE_ENTRY_BYTES);
  }
  if (value instanceof Set) {
    return OBJECT_HEADER_BYTES + sampledBytes(value.values(), value.size, samples, depth, TABLE_ENTRY_BYTES);
  }
  if (Array.isArray(value)) {
    // A pair from Map.entries() is not stored as an array: count only its members.
    const own = depth > 0 && value.length === 2 ? 0 : OBJECT_HEADER_BYTES;
    return own + sampledBytes(value, value.length, samples, depth, SLOT_BYTES);
  }
  let total = OBJECT_HEADER_BYTES;
  for (const field of Object.values(value)) {
    if (typeof field === 'function') continue;
    total += SLOT_BYTES + estimate(field, samples, depth + 1);
  }
  return total;
}

/**
 * Bytes a stored value takes, estimated from its representation: strings by length, buffers by
 * capacity, collections from `samples` sampled elements (Number.MAX_SAFE_INTEGER for all).
 */
export function estimateValueBytes(value: unknown, samples: number): number {
  return estimate(value, Math.max(1, samples), 0);
}
