// Gives memory back to the numbers users read. V8 frees the values of deleted or expired keys
// only when it next collects, which an idle server may not do for a long time: INFO used_memory
// would keep reporting a million expired keys. When the keyspace has shrunk by a large share
// since the last collection, the cron asks V8 for one full collection, as Redis's memory
// figures drop the moment keys are freed.

import v8 from 'node:v8';
import vm from 'node:vm';

/** The keyspace must have lost this share of its peak since the last collection... */
const SHRINK_RATIO = 0.25;
/** ...and at least this many keys. */
const MIN_KEYS_FREED = 50_000;
/** At most one forced collection this often. */
const MIN_INTERVAL_MS = 5_000;

let collect: (() => void) | null = null;

/** V8's gc(), exposed once per process (the flag only lets new contexts see it). */
export function garbageCollector(): () => void {
  if (collect === null) {
    v8.setFlagsFromString('--expose-gc');
    collect = vm.runInNewContext('gc') as () => void;
  }
  return collect;
}

export class HeapReclaim {
  private peakKeys = 0;
  private lastKeys = 0;
  private lastCollectMs = 0;
  /** Forced collections so far (INFO-free evidence for tests and the log). */
  collections = 0;

  /** Called by the cron with the current key count; collects when enough was freed. */
  check(totalKeys: number, nowMs: number): void {
    if (totalKeys > this.peakKeys) this.peakKeys = totalKeys;
    // While keys are still going (a mass expiry spans many cron ticks), wait for it to end: one
    // collection then frees it all.
    const stillShrinking = totalKeys < this.lastKeys;
    this.lastKeys = totalKeys;
    if (stillShrinking) return;
    const freed = this.peakKeys - totalKeys;
    if (freed < MIN_KEYS_FREED || freed < this.peakKeys * SHRINK_RATIO) return;
    if (nowMs - this.lastCollectMs < MIN_INTERVAL_MS) return;
    this.lastCollectMs = nowMs;
    this.peakKeys = totalKeys;
    this.collections++;
    garbageCollector()();
  }
}
