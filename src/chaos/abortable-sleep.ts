// The chaos run's sleep: every wait of the run (between faults, between polls of the roles, a
// writer's back-off) ends early once the run is interrupted, so SIGINT stops it promptly.

/**
 * A sleep that ends early once `signal` aborts (one listener for all sleeps, not one each).
 * Once aborted it still waits for one turn of the event loop: the loops that sleep between
 * polls would otherwise go round in microtasks alone (a sleep resolved at once, a node no longer
 * running skipped) and starve the I/O and timers that end the rest of the run. A chaos run
 * interrupted in a clean-clone CI run hung that way for good, at full CPU.
 */
export function abortableSleep(signal: AbortSignal | undefined): (ms: number) => Promise<void> {
  const aborted = signal === undefined ? null : new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
  return async (ms) => {
    if (signal?.aborted === true) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    const elapsed = new Promise<void>((resolve) => { timer = setTimeout(resolve, ms); });
    await (aborted === null ? elapsed : Promise.race([elapsed, aborted]));
    clearTimeout(timer);
  };
}
