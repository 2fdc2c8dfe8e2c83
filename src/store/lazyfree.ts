// Redis frees a deleted value in a background thread when freeing it would take long
// (lazyfree.c): UNLINK, FLUSHALL/FLUSHDB ASYNC and the lazyfree-lazy-* options. Here memory is
// reclaimed by the garbage collector whatever the command, so nothing waits; what remains of
// Redis's behaviour is its accounting, INFO's lazyfreed_objects, which counts the values it
// would have handed to the thread: those whose free effort passes the threshold.

import { HashValue, ListValue, SetValue, StreamValue, ZSetValue, type RedisValue } from './values.js';

/** Values whose free effort is above this are freed in the background (LAZYFREE_THRESHOLD). */
export const LAZYFREE_THRESHOLD = 64;

/** Redis's lazyfreeGetFreeEffort: roughly the allocations freeing the value takes. */
export function lazyFreeEffort(value: RedisValue): number {
  if (value instanceof ListValue) return value.isCompact ? 1 : value.nodes().length;
  if (value instanceof SetValue) return value.isIntset ? 1 : value.size;
  if (value instanceof ZSetValue) return value.isListpack ? 1 : value.length;
  if (value instanceof HashValue) return value.listpack !== null ? 1 : value.size;
  if (value instanceof StreamValue) {
    // Every node is an allocation; the groups and their PELs are estimated from the first.
    let effort = value.radixTreeNodes();
    const groups = value.groups;
    if (groups !== null && groups.size > 0) {
      const first = groups.values().next().value;
      if (first !== undefined) effort += groups.size * (1 + first.pending.size);
    }
    return effort;
  }
  // Strings, and values kept undecoded (one Buffer).
  return 1;
}

/** Whether deleting `value` lazily counts as a background free. */
export function freedInBackground(value: RedisValue): boolean {
  return lazyFreeEffort(value) > LAZYFREE_THRESHOLD;
}
