// The time the keyspace judges expiry by. Like Redis (call() caching server.mstime), a command
// — or a whole EXEC — sees one "now", taken when it starts: a key cannot expire half-way through
// a command. Reading the cached value also keeps clock reads off the per-key hot path.

let commandTimeMs = Date.now();

/** Now, as the running command sees it (ms since the epoch). */
export function nowMs(): number {
  return commandTimeMs;
}

/** Sets the time for the command about to run (or the cron cycle about to start). */
export function setNowMs(timeMs: number): void {
  commandTimeMs = timeMs;
}
