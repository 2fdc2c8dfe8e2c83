// The memory guard samples on every cron tick that saw activity and only every tenth tick of an
// idle node (reading /proc and V8's statistics was most of an idle node's CPU).

import { afterEach, describe, expect, it, vi } from 'vitest';
import { MemoryGuard } from '../../src/server/memory-guard.js';

class CountingGuard extends MemoryGuard {
  samples = 0;
  override sample(readRss?: boolean): void {
    this.samples++;
    super.sample(readRss);
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

  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('re-reads the RSS of an active node once a second, or every tick near the threshold', () => {
    const rss = vi.spyOn(process.memoryUsage, 'rss');
    let nowMs = 1_000_000;
    vi.spyOn(Date, 'now').mockImplementation(() => nowMs);
    const roomy = new MemoryGuard(1024 ** 4);
    rss.mockClear();
    // Ten ticks within the second of the constructor's read, then the first a second after it.
    for (let i = 0; i < 10; i++) {
      roomy.tick(true);
      nowMs += 100;
    }
    expect(rss).toHaveBeenCalledTimes(0);
    roomy.tick(true);
    expect(rss).toHaveBeenCalledTimes(1);
    // Bytes or a collection asking for a sample read it at once.
    roomy.sample();
    expect(rss).toHaveBeenCalledTimes(2);
    // A process already using most of what it may: every tick reads it.
    const tight = new MemoryGuard(Math.ceil(process.memoryUsage.rss() * 1.2));
    rss.mockClear();
    for (let i = 0; i < 5; i++) tight.tick(true);
    expect(rss).toHaveBeenCalledTimes(5);
  });
});
