// Keeps the node alive near its memory limits: the V8 heap (whose exhaustion aborts the process
// and loses every key) and the machine's memory (or the cgroup's). Past either threshold the
// engine's OOM check refuses commands that may grow memory, with an error, as Redis does past
// maxmemory; reads, deletes and everything else keep working, and writes resume once memory is
// back under the threshold.

import { readFileSync } from 'node:fs';
import os from 'node:os';
import v8 from 'node:v8';
import type { MemoryGate } from '../engine/checks.js';
import { bytesToHuman } from '../util/memory.js';

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
/** Request bytes received since the last sample that trigger an early one. */
const RESAMPLE_AFTER_BYTES = 8 * 1024 * 1024;

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

export class MemoryGuard implements MemoryGate {
  refusal: string | null = null;
  private bytesSinceSample = 0;

  constructor(private readonly systemLimitBytes = systemMemoryLimitBytes()) {}

  /** Re-reads memory use (the cron calls this every tick). */
  sample(): void {
    this.bytesSinceSample = 0;
    const oldLimitBytes = Math.max(0, v8.getHeapStatistics().heap_size_limit - YOUNG_GENERATION_RESERVE_BYTES);
    let oldUsedBytes = 0;
    for (const space of v8.getHeapSpaceStatistics()) {
      if (!YOUNG_SPACES.has(space.space_name)) oldUsedBytes += space.space_used_size;
    }
    if (oldUsedBytes > oldLimitBytes * HEAP_REFUSE_RATIO) {
      this.refusal = `OOM command not allowed when used memory is near the V8 heap limit (${bytesToHuman(oldUsedBytes)} of ${bytesToHuman(oldLimitBytes)}).`;
      return;
    }
    const rss = process.memoryUsage.rss();
    if (rss > this.systemLimitBytes * SYSTEM_REFUSE_RATIO) {
      this.refusal = `OOM command not allowed when used memory is near the system's (${bytesToHuman(rss)} of ${bytesToHuman(this.systemLimitBytes)}).`;
      return;
    }
    this.refusal = null;
  }

  /** Requests arrived: memory may grow faster than the cron samples it. */
  noteIncomingBytes(sizeBytes: number): void {
    this.bytesSinceSample += sizeBytes;
    if (this.bytesSinceSample >= RESAMPLE_AFTER_BYTES) this.sample();
  }
}
