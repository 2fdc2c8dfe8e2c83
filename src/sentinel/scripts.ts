// notification-script and client-reconfig-script runs, with Redis's rules: a bounded queue
// (256 jobs, the oldest waiting one dropped past it), at most 16 running at once, a run ended
// by a signal or with exit status 1 retried up to 10 times with a doubling delay (30 s, 60 s,
// ...), a run past 60 s killed, and -script-error / -script-timeout events.

import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:os';
import type { Sentinel } from './sentinel.js';

const MAX_QUEUE = 256;
const MAX_RUNNING = 16;
const MAX_RETRY = 10;
/** Arguments after the path (Redis's SENTINEL_SCRIPT_MAX_ARGS, the path included). */
const MAX_ARGS = 16;

export interface ScriptJob {
  readonly argv: string[];
  running: boolean;
  retryNum: number;
  /** Running: when it started. Waiting: not before this time (0: at once). */
  startTimeMs: number;
  pid: number;
  child: ChildProcess | null;
}

export class ScriptQueue {
  readonly jobs: ScriptJob[] = [];
  runningCount = 0;

  constructor(private readonly s: Sentinel) {}

  schedule(path: string, args: readonly string[]): void {
    this.jobs.push({ argv: [path, ...args.slice(0, MAX_ARGS - 1)], running: false, retryNum: 0, startTimeMs: 0, pid: 0, child: null });
    if (this.jobs.length > MAX_QUEUE) {
      const oldest = this.jobs.findIndex((j) => !j.running);
      if (oldest >= 0) this.jobs.splice(oldest, 1);
    }
  }

  /** Starts waiting jobs, oldest first, up to the running limit. */
  runPending(): void {
    const now = Date.now();
    for (const job of this.jobs) {
      if (this.runningCount >= MAX_RUNNING) break;
      if (job.running) continue;
      if (job.startTimeMs !== 0 && job.startTimeMs > now) continue;
      job.running = true;
      job.startTimeMs = Date.now();
      job.retryNum++;
      this.start(job);
    }
  }

  private start(job: ScriptJob): void {
    let child: ChildProcess;
    try {
      child = spawn(job.argv[0], job.argv.slice(1), { stdio: 'ignore' });
    } catch (err) {
      // Could not even try (Redis's failed fork): reported as signal 99.
      this.s.event('warning', '-script-error', null, `${job.argv[0]} 99 0`);
      this.s.host.log.verbose(`Script start failed: ${(err as Error).message}`);
      job.running = false;
      job.pid = 0;
      return;
    }
    this.runningCount++;
    job.child = child;
    job.pid = child.pid ?? 0;
    this.s.event('debug', '+script-child', null, `${job.pid}`);
    let ended = false;
    const finish = (exitCode: number, bySignal: number): void => {
      if (ended) return;
      ended = true;
      this.terminated(job, exitCode, bySignal);
    };
    // A program that cannot be executed ends as Redis's child does after a failed execve: status 2.
    child.on('error', () => finish(2, 0));
    child.on('exit', (code, signal) => finish(code ?? 0, signal === null ? 0 : (constants.signals[signal] ?? 0)));
  }

  private terminated(job: ScriptJob, exitCode: number, bySignal: number): void {
    this.s.event('debug', '-script-child', null, `${job.pid} ${exitCode} ${bySignal}`);
    this.runningCount--;
    job.child = null;
    const index = this.jobs.indexOf(job);
    if ((bySignal !== 0 || exitCode === 1) && job.retryNum !== MAX_RETRY) {
      job.running = false;
      job.pid = 0;
      job.startTimeMs = Date.now() + this.retryDelay(job.retryNum);
      return;
    }
    if (bySignal !== 0 || exitCode !== 0) this.s.event('warning', '-script-error', null, `${job.argv[0]} ${bySignal} ${exitCode}`);
    if (index >= 0) this.jobs.splice(index, 1);
  }

  private retryDelay(retryNum: number): number {
    let delay = this.s.timings.scriptRetryDelay;
    for (let n = retryNum; n > 1; n--) delay *= 2;
    return delay;
  }

  killTimedOut(): void {
    const now = Date.now();
    for (const job of this.jobs) {
      if (job.running && job.child !== null && now - job.startTimeMs > this.s.timings.scriptMaxRuntime) {
        this.s.event('warning', '-script-timeout', null, `${job.argv[0]} ${job.pid}`);
        job.child.kill('SIGKILL');
      }
    }
  }

  /** Kills running scripts (shutdown). */
  stop(): void {
    for (const job of this.jobs) job.child?.kill('SIGKILL');
  }
}
