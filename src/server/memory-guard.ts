// Keeps the node alive near its memory limits: the V8 heap (whose exhaustion aborts the process
// and loses every key) and the machine's memory (or the cgroup's). Past either threshold the
// engine's OOM check refuses commands that may grow memory, with an error, as Redis does past
// maxmemory; reads, deletes and everything else keep working, and writes resume once memory is
// back under the threshold.

import { readFileSync } from 'node:fs';
import os from 'node:os';
import v8 from 'node:v8';
import { bigBuffers } from '../util/buffer-recycler.js';
import { bytesToHuman } from '../util/memory.js';
import { garbageCollector } from './heap-reclaim.js';

/** Share of the V8 old generation's limit in use at which writes are refused. */
const HEAP_REFUSE_RATIO = 0.85;
/**
 * V8's heap_size_limit adds the young generation (three 16 MB semi-spaces on 64-bit) to the old
 * generation's limit, which is the one whose exhaustion aborts the process.
 */
const YOUNG_GENERATION_RESERVE_BYTES = 48 * 1024 * 1024;
const YOUNG_SPACES = new Set(['new_space', 'new_large_object_space']);
/** Share of the machine's (or cgroup's) memory the process may use before writes are refused. */
const SYSTEM_REFUSE_RATIO = 0.9;
/**
 * Near the heap limit, part of what V8 reports in use may be garbage: collect (at most this
 * often) and measure again before refusing anything.
 */
const MIN_COLLECT_INTERVAL_MS = 1_000;
/** Request bytes received since the last sample that trigger an early one. */
const RESAMPLE_AFTER_BYTES = 8 * 1024 * 1024;
/**
 * While nothing happens (no command, no byte in or out) memory does not move: the cron then
 * samples only every this many ticks. Reading /proc and V8's statistics costs an idle node
 * about 0.3 ms a tick on a virtual machine, most of its idle CPU.
 */
const IDLE_TICKS_PER_SAMPLE = 10;
/**
 * An active node's cron samples every tick, but re-reads the RSS (a /proc read, 0.1-0.3 ms a
 * tick on a loaded virtual machine: a third of a cluster node's cron) at most this often, unless
 * it was near the system threshold; V8's figures, cheap, are read every time. Samples triggered
 * by incoming bytes or a collection read it always.
 */
const RSS_READ_INTERVAL_MS = 1_000;
/** Share of the refusal threshold past which the RSS is re-read at every sample. */
const RSS_WATCH_RATIO = 0.8;

/** The memory this process may use: the cgroup v2 limit when it is lower than the RAM. */
export function systemMemoryLimitBytes(): number {
  const total = os.totalmem();
  let text: string;
  try {
    text = readFileSync('/sys/fs/cgroup/memory.max', 'latin1').trim();
  } catch (err) {
    // No cgroup v2 limit on this system (or not Linux): the RAM is the limit.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return total;
    throw err;
  }
  const limit = Number(text);
  return Number.isFinite(limit) && limit > 0 && limit < total ? limit : total;
}

function oldGenerationUsedBytes(): number {
  let usedBytes = 0;
  for (const space of v8.getHeapSpaceStatistics()) {
    if (!YOUNG_SPACES.has(space.space_name)) usedBytes += space.space_used_size;
  }
  return usedBytes;
}

/** What the process holds, as of the guard's last sample. */
export interface ProcessMemoryFigures {
  rssBytes: number;
  heapUsedBytes: number;
  heapTotalBytes: number;
}

export class MemoryGuard {
  private refusalText: string | null = null;
  /** Read by INFO and MEMORY instead of /proc on every call (Redis's cron_malloc_stats). */
  readonly processFigures: ProcessMemoryFigures = { rssBytes: 0, heapUsedBytes: 0, heapTotalBytes: 0 };
  private bytesSinceSample = 0;
  private lastCollectMs = 0;
  private idleTicks = 0;
  private rssReadMs = 0;
  /** V8's figures as of the last sample (also read by the idle collector, heap-reclaim.ts). */
  heapStatistics: v8.HeapInfo;

  /** Told when the guard starts refusing (the dispatcher's check list must run again). */
  onRefusing: (() => void) | null = null;

  constructor(private readonly systemLimitBytes = systemMemoryLimitBytes()) {
    this.heapStatistics = this.readProcessFigures();
  }

  private readProcessFigures(readRss = true): v8.HeapInfo {
    const heap = v8.getHeapStatistics();
    this.heapStatistics = heap;
    if (readRss) {
      this.processFigures.rssBytes = process.memoryUsage.rss();
      this.rssReadMs = Date.now();
    }
    this.processFigures.heapUsedBytes = heap.used_heap_size;
    this.processFigures.heapTotalBytes = heap.total_heap_size;
    return heap;
  }

  /**
   * The cron's tick: samples when the node was `active` since the last tick (commands ran or
   * bytes moved), else once every IDLE_TICKS_PER_SAMPLE ticks.
   */
  tick(active: boolean): void {
    if (!active && ++this.idleTicks < IDLE_TICKS_PER_SAMPLE) return;
    const rssNearThreshold = this.processFigures.rssBytes > this.systemLimitBytes * SYSTEM_REFUSE_RATIO * RSS_WATCH_RATIO;
    this.sample(rssNearThreshold || Date.now() - this.rssReadMs >= RSS_READ_INTERVAL_MS);
  }

  /** Re-reads memory use now (the RSS too unless `readRss` is false, see RSS_READ_INTERVAL_MS). */
  sample(readRss = true): void {
    this.bytesSinceSample = 0;
    this.idleTicks = 0;
    const heap = this.readProcessFigures(readRss);
    const oldLimitBytes = Math.max(0, heap.heap_size_limit - YOUNG_GENERATION_RESERVE_BYTES);
    // The old generation is part of the whole heap: only a heap past the threshold needs the
    // per-space statistics (a dozen objects per call) to tell.
    let oldUsedBytes = heap.used_heap_size > oldLimitBytes * HEAP_REFUSE_RATIO ? oldGenerationUsedBytes() : 0;
    const nowMs = Date.now();
    if (oldUsedBytes > oldLimitBytes * HEAP_REFUSE_RATIO && nowMs - this.lastCollectMs >= MIN_COLLECT_INTERVAL_MS) {
      this.lastCollectMs = nowMs;
      garbageCollector()();
      oldUsedBytes = oldGenerationUsedBytes();
    }
    if (oldUsedBytes > oldLimitBytes * HEAP_REFUSE_RATIO) {
      this.refusal = `OOM command not allowed when used memory is near the V8 heap limit (${bytesToHuman(oldUsedBytes)} of ${bytesToHuman(oldLimitBytes)}).`;
      return;
    }
    const rss = this.processFigures.rssBytes;
    if (rss > this.systemLimitBytes * SYSTEM_REFUSE_RATIO) {
      this.refusal = `OOM command not allowed when used memory is near the system's (${bytesToHuman(rss)} of ${bytesToHuman(this.systemLimitBytes)}).`;
      return;
    }
    this.refusal = null;
  }

  /** Near a limit, memory kept for reuse is given back first. */
  private set refusal(text: string | null) {
    this.refusalText = text;
    if (text !== null) {
      bigBuffers.clear();
      this.onRefusing?.();
    }
  }

  get refusal(): string | null {
    return this.refusalText;
  }

  /** Requests arrived: memory may grow faster than the cron samples it. */
  noteIncomingBytes(sizeBytes: number): void {
    this.bytesSinceSample += sizeBytes;
    if (this.bytesSinceSample >= RESAMPLE_AFTER_BYTES) this.sample();
  }
}
