// Process-wide signal handling that must be in place before anything else loads.
//
// SIGUSR1: by default Node opens its inspector (a debugger accepting code to run) on
// 127.0.0.1:9229 when it receives SIGUSR1. For a long-running data server that is a local
// privilege hole, and nothing a Redis operator expects. Installing a listener replaces Node's
// default, so the inspector is never started; the signal is only logged.
// SIGHUP: Redis ignores it (a closed terminal or a reload-minded init script must not stop the
// server); Node's default would end the process.

import type { ServerLog } from '../server/log.js';

let log: ServerLog | null = null;
let installed = false;

export function installSignalGuards(): void {
  if (installed) return;
  installed = true;
  process.on('SIGUSR1', () => {
    log?.notice('Received SIGUSR1: ignored (the Node.js inspector stays closed).');
  });
  process.on('SIGHUP', () => {
    // Ignored on purpose, as Redis sets SIGHUP to SIG_IGN.
  });
}

/** Where the guards report the signals they swallow, once the server log exists. */
export function setSignalLog(serverLog: ServerLog): void {
  log = serverLog;
}
