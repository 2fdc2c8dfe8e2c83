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
/** No command for this long counts as idle... */
const IDLE_BEFORE_COLLECT_MS = 1_000;
/** ...and an idle server collects once its memory grew this much since the last collection... */
const IDLE_COLLECT_GROWTH_BYTES = 32 * 1024 * 1024;
/**
 * ...while its V8 heap is small enough for a full collection to be a short pause (about 100 ms
 * at this size); a bigger heap is left to V8's own incremental collections.
 */
const IDLE_COLLECT_MAX_HEAP_BYTES = 512 * 1024 * 1024;

let collect: (() => void) | null = null;

/** V8's gc(), exposed once per process (the flag only lets new contexts see it). */
export function garbageCollector(): () => void {
  if (collect === null) {
    v8.setFlagsFromString('--expose-gc');
    collect = vm.runInNewContext('gc') as () => void;
  }
  return collect;
}

/**
 * Memory a collection can give back: the V8 heap and the Buffers it owns outside it (a client's
 * replies, big values), which are freed only when their JS objects are collected.
 */
function collectableBytes(): number {
  const heap = v8.getHeapStatistics();
  return heap.used_heap_size + heap.external_memory;
}

export class HeapReclaim {
  private peakKeys = 0;
  private lastKeys = 0;
  private lastCollectMs = 0;
  /** Forced collections so far (INFO-free evidence for tests and the log). */
  collections = 0;

  private afterCollectBytes = 0;
  private lastCommands = -1;
  private idleSinceMs = 0;

  /**
   * Called by the cron. Collects once when the keyspace shrank a lot (see above), or when the
   * server has gone idle after its memory grew a lot since the last collection: the garbage of a
   * burst of writes, or of a disconnected client's queued replies, is then returned while nobody
   * waits, rather than whenever V8 next needs room.
   */
  check(totalKeys: number, commandsProcessed: number, nowMs: number, heap: v8.HeapInfo): void {
    if (commandsProcessed !== this.lastCommands) {
      this.lastCommands = commandsProcessed;
      this.idleSinceMs = nowMs;
    } else if (nowMs - this.idleSinceMs >= IDLE_BEFORE_COLLECT_MS && nowMs - this.lastCollectMs >= MIN_INTERVAL_MS) {
      // Idle: collect when memory grew enough and the heap is small enough for a short pause.
      // V8's figures as the memory guard last sampled them (at most a second old when idle).
      if (heap.used_heap_size <= IDLE_COLLECT_MAX_HEAP_BYTES &&
          heap.used_heap_size + heap.external_memory > this.afterCollectBytes + IDLE_COLLECT_GROWTH_BYTES) {
        this.collect(nowMs, totalKeys);
        return;
      }
    }
    this.checkShrink(totalKeys, nowMs);
  }

  private collect(nowMs: number, totalKeys: number): void {
    this.lastCollectMs = nowMs;
    this.peakKeys = totalKeys;
    this.collections++;
    garbageCollector()();
    this.afterCollectBytes = collectableBytes();
  }

  private checkShrink(totalKeys: number, nowMs: number): void {
    if (totalKeys > this.peakKeys) this.peakKeys = totalKeys;
    // While keys are still going (a mass expiry spans many cron ticks), wait for it to end: one
    // collection then frees it all.
    const stillShrinking = totalKeys < this.lastKeys;
    this.lastKeys = totalKeys;
    if (stillShrinking) return;
    const freed = this.peakKeys - totalKeys;
    if (freed < MIN_KEYS_FREED || freed < this.peakKeys * SHRINK_RATIO) return;
    if (nowMs - this.lastCollectMs < MIN_INTERVAL_MS) return;
    this.collect(nowMs, totalKeys);
  }
}
