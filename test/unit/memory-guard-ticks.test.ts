// The memory guard samples on every cron tick that saw activity and only every tenth tick of an
// idle node (reading /proc and V8's statistics was most of an idle node's CPU).

import { describe, expect, it } from 'vitest';
import { MemoryGuard } from '../../src/server/memory-guard.js';

class CountingGuard extends MemoryGuard {
  samples = 0;
  override sample(): void {
    this.samples++;
    super.sample();
  }
}

describe('MemoryGuard ticks', () => {
  it('samples every active tick and every tenth idle one', () => {
    const guard = new CountingGuard();
    for (let i = 0; i < 5; i++) guard.tick(true);
    expect(guard.samples).toBe(5);
    for (let i = 0; i < 9; i++) guard.tick(false);
    expect(guard.samples).toBe(5);
    guard.tick(false);
    expect(guard.samples).toBe(6);
    // Activity resets the idle count: the next idle sample is ten ticks after it.
    for (let i = 0; i < 4; i++) guard.tick(false);
    guard.tick(true);
    expect(guard.samples).toBe(7);
    for (let i = 0; i < 9; i++) guard.tick(false);
    expect(guard.samples).toBe(7);
    guard.tick(false);
    expect(guard.samples).toBe(8);
  });

  it('keeps the figures of its last sample between samples', () => {
    const guard = new MemoryGuard();
    guard.tick(true);
    const rssBytes = guard.processFigures.rssBytes;
    expect(rssBytes).toBeGreaterThan(1024 * 1024);
    expect(guard.heapStatistics.used_heap_size).toBeGreaterThan(0);
    expect(guard.refusal).toBeNull();
  });
});
