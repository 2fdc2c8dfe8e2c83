// The chaos run's abortable sleep: it waits, it ends early on abort, and once aborted it still
// lets the event loop turn, so a polling loop cannot starve the I/O that would end it.
import { describe, expect, it } from 'vitest';
import { abortableSleep } from '../../src/chaos/abortable-sleep.js';

describe('abortableSleep', () => {
  it('waits the time given while the run goes on', async () => {
    const sleep = abortableSleep(new AbortController().signal);
    const started = performance.now();
    await sleep(30);
    expect(performance.now() - started).toBeGreaterThanOrEqual(25);
  });

  it('ends a sleep in progress when the run is interrupted', async () => {
    const stop = new AbortController();
    const sleep = abortableSleep(stop.signal);
    const started = performance.now();
    setTimeout(() => stop.abort(), 10);
    await sleep(60_000);
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('after the interruption, a loop of sleeps still lets timers and I/O run', async () => {
    const stop = new AbortController();
    const sleep = abortableSleep(stop.signal);
    stop.abort();
    // What a poll of a node that is no longer running does: nothing but sleep, until something
    // that needs the event loop (here a timer) says to stop. Bounded, so a sleep that resolves
    // in microtasks alone fails the test instead of hanging it.
    let timerFired = false;
    setTimeout(() => { timerFired = true; }, 0);
    let rounds = 0;
    while (!timerFired && rounds < 1_000_000) {
      await sleep(1000);
      rounds++;
    }
    expect(timerFired).toBe(true);
  });
});
