// `supervised` (upstart, systemd, auto) as Redis's redisIsSupervised() does it.
//
// systemd: Redis calls sd_notify(), a datagram to the AF_UNIX socket named by $NOTIFY_SOCKET.
// Node has no AF_UNIX datagram sockets, and the npm packages for it are native addons that need
// a compiler and Node's headers at install time; so messages go through systemd's own
// `systemd-notify` program. It sends on behalf of its parent (this process) and, unless told
// otherwise, waits until the service manager has processed the message, so ordering holds. Run
// without root, a unit must allow it with NotifyAccess=all (the sender is then systemd-notify's
// own pid). When $NOTIFY_SOCKET is set but systemd-notify is missing, start-up is refused: under
// Type=notify the unit would otherwise hang until its start timeout.

import { spawnSync } from 'node:child_process';
import type { ServerLog } from './log.js';

export type SupervisedMode = 'upstart' | 'systemd' | 'auto' | 'no';

/** How long one notification may take (systemd-notify's own barrier wait is 5 s). */
const NOTIFY_TIMEOUT_MS = 10_000;

/** Thrown when supervision is asked for but cannot work at all. */
export class SupervisionError extends Error {}

/** Sends sd_notify messages for a process supervised by systemd; a no-op otherwise. */
export class Supervisor {
  constructor(
    readonly mode: 'systemd' | 'upstart' | null,
    private readonly log: ServerLog,
    private readonly program = 'systemd-notify',
  ) {}

  get supervised(): boolean {
    return this.mode !== null;
  }

  /** One sd_notify() message ("READY=1", "STATUS=...", "STOPPING=1"); only under systemd. */
  notify(message: string): void {
    if (this.mode !== 'systemd') return;
    const problem = sendNotify(this.program, message);
    // Redis logs sd_notify() failures and carries on; so does this.
    if (problem !== null) this.log.warning(`systemd supervision error: sd_notify: ${problem}`);
  }
}

/** Runs systemd-notify with one message; null on success, else why it failed. */
function sendNotify(program: string, message: string): string | null {
  const result = spawnSync(program, [message], {
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
    timeout: NOTIFY_TIMEOUT_MS,
  });
  if (result.error) return result.error.message;
  if (result.status === 0) return null;
  const text = result.stderr.trim().split('\n').pop() ?? '';
  return text === '' ? `systemd-notify exited with status ${String(result.status ?? result.signal)}` : text;
}

/** Whether `program` can be run (ENOENT otherwise). */
function programExists(program: string): boolean {
  const probe = spawnSync(program, ['--version'], { stdio: 'ignore', timeout: NOTIFY_TIMEOUT_MS });
  return probe.error === undefined;
}

export interface SupervisionOptions {
  env?: NodeJS.ProcessEnv;
  /** The sd_notify program (tests point it elsewhere). */
  program?: string;
  /** Stops the process for upstart (tests replace it). */
  stopSelf?: () => void;
}

/**
 * Redis's redisIsSupervised(): resolves `auto`, checks the environment, and sends the first
 * systemd status. Logs what Redis logs; returns the Supervisor (unsupervised when it failed).
 */
export function setUpSupervision(mode: SupervisedMode, log: ServerLog, options: SupervisionOptions = {}): Supervisor {
  const env = options.env ?? process.env;
  const program = options.program ?? 'systemd-notify';
  let chosen: SupervisedMode = mode;
  if (mode === 'auto') {
    if (env.UPSTART_JOB !== undefined) {
      log.verbose('Upstart supervision detected.');
      chosen = 'upstart';
    } else if (env.NOTIFY_SOCKET !== undefined) {
      log.verbose('Systemd supervision detected.');
      chosen = 'systemd';
    }
  }
  if (chosen === 'upstart') {
    if (env.UPSTART_JOB === undefined) {
      log.warning('upstart supervision requested, but UPSTART_JOB not found!');
      return new Supervisor(null, log, program);
    }
    log.notice('supervised by upstart, will stop to signal readiness.');
    // Upstart's "expect stop": the job is ready when the process stops itself; it resumes it.
    (options.stopSelf ?? (() => process.kill(process.pid, 'SIGSTOP')))();
    delete env.UPSTART_JOB;
    return new Supervisor('upstart', log, program);
  }
  if (chosen === 'systemd') {
    if (env.NOTIFY_SOCKET === undefined || env.NOTIFY_SOCKET === '') {
      log.warning('systemd supervision error: NOTIFY_SOCKET not found!');
      return new Supervisor(null, log, program);
    }
    if (!programExists(program)) {
      throw new SupervisionError(`systemd supervision requested, but the ${program} program was not found: install systemd's ${program}, or start with supervised no`);
    }
    const problem = sendNotify(program, 'STATUS=Redis is loading...');
    if (problem !== null) {
      log.warning(`systemd supervision error: sd_notify: ${problem}`);
      return new Supervisor(null, log, program);
    }
    log.notice('Supervised by systemd. Please make sure you set appropriate values for TimeoutStartSec and TimeoutStopSec in your service unit.');
    return new Supervisor('systemd', log, program);
  }
  return new Supervisor(null, log, program);
}
