// The latency monitor: per-event samples above latency-monitor-threshold, one per second at
// most (the max of that second), in a ring of the last 160 seconds, like Redis's latency.c.

import type { LatencyApi, LatencyEvent } from '../commands/context.js';

/** Samples kept per event (Redis: LATENCY_TS_LEN). */
const HISTORY_LENGTH = 160;

export class LatencyMonitor implements LatencyApi {
  private readonly table = new Map<string, LatencyEvent>();

  constructor(private readonly thresholdMs: () => number) {}

  addSampleIfNeeded(event: string, latencyMs: number): void {
    const threshold = this.thresholdMs();
    if (threshold <= 0 || latencyMs < threshold) return;
    this.addSample(event, latencyMs);
  }

  addSample(event: string, latencyMs: number): void {
    const now = Math.floor(Date.now() / 1000);
    let entry = this.table.get(event);
    if (entry === undefined) {
      entry = { name: event, samples: [], maxLatencyMs: 0 };
      this.table.set(event, entry);
    }
    if (latencyMs > entry.maxLatencyMs) entry.maxLatencyMs = latencyMs;
    const last = entry.samples[entry.samples.length - 1];
    if (last !== undefined && last.timestampSec === now) {
      if (latencyMs > last.latencyMs) last.latencyMs = latencyMs;
      return;
    }
    entry.samples.push({ timestampSec: now, latencyMs });
    if (entry.samples.length > HISTORY_LENGTH) entry.samples.shift();
  }

  events(): ReadonlyMap<string, LatencyEvent> {
    return this.table;
  }

  /** Resets the named events (all when none named); returns how many were reset. */
  reset(events: readonly string[]): number {
    if (events.length === 0) {
      const n = this.table.size;
      this.table.clear();
      return n;
    }
    let n = 0;
    for (const e of events) if (this.table.delete(e)) n++;
    return n;
  }
}
