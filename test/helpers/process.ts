// Child processes for the process-level tests (daemonize, signals, supervision, limits): any
// command, its output collected, waits on conditions instead of sleeps, and cleanup that
// never leaves a process behind.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../../dist/bundle/cinnabar-server.js', import.meta.url));
/** The `cinnabar` umbrella command (not bundled: it only starts the bundled programs). */
export const UMBRELLA_CLI = fileURLToPath(new URL('../../dist/cli/cinnabar.js', import.meta.url));

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class Proc {
  private out = '';
  private err = '';
  private waiters: Array<() => void> = [];
  readonly exited: Promise<Exit>;
  exit: Exit | null = null;

  constructor(readonly child: ChildProcess) {
    child.stdout?.on('data', (d: Buffer) => { this.out += d.toString('latin1'); this.wake(); });
    child.stderr?.on('data', (d: Buffer) => { this.err += d.toString('latin1'); this.wake(); });
    this.exited = new Promise((resolve) => {
      child.once('close', (code, signal) => {
        this.exit = { code, signal };
        this.wake();
        resolve(this.exit);
      });
    });
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get stdout(): string {
    return this.out;
  }

  get stderr(): string {
    return this.err;
  }

  get output(): string {
    return this.out + this.err;
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /** Resolves once stdout+stderr match; fails on timeout or if the process ends first. */
  async waitFor(pattern: RegExp, timeoutMs = 10_000): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = this.output.match(pattern);
      if (m !== null) return m;
      if (this.exit !== null) throw new Error(`process ended (${JSON.stringify(this.exit)}) before ${pattern}; output:\n${this.output}`);
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error(`no ${pattern} within ${timeoutMs} ms; output:\n${this.output}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.waiters.push(() => { clearTimeout(timer); resolve(); });
      });
    }
  }

  /** Resolves with the exit status; fails after the timeout. */
  async waitExit(timeoutMs = 10_000): Promise<Exit> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`still running after ${timeoutMs} ms; output:\n${this.output}`)), timeoutMs);
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Kills the process if it still runs, and waits for it. */
  async kill(): Promise<void> {
    if (this.exit !== null) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  stdin?: string;
  cwd?: string;
}

/**
 * Starts a command with piped output (and the given stdin text, else stdin closed). It works in
 * a scratch directory unless told otherwise: with Redis's default save points a server's
 * shutdown writes dump.rdb into the working directory, which must never be the project.
 */
export function run(command: string, args: readonly string[], options: RunOptions = {}): Proc {
  const child = spawn(command, args, {
    stdio: [options.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    env: options.env ?? process.env,
    cwd: options.cwd ?? scratchDir(),
  });
  if (options.stdin !== undefined) child.stdin?.end(options.stdin);
  return new Proc(child);
}

/** Starts the built cinnabar-server with the given Node flags and arguments. */
export function runCli(args: readonly string[], options: RunOptions & { nodeArgs?: readonly string[] } = {}): Proc {
  return run(process.execPath, [...(options.nodeArgs ?? []), CLI, ...args], options);
}

let scratch: string | null = null;

/** One temporary directory per test process for servers started without a cwd of their own. */
export function scratchDir(): string {
  scratch ??= mkdtempSync(join(tmpdir(), 'cinnabar-cli-'));
  return scratch;
}

/** Whether a process with this pid exists (signal 0 probes without signalling). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // ESRCH: no such process; anything else (EPERM) means it exists.
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/** Polls a condition until true, within a deadline (for state with no event to wait on). */
export async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** TCP ports a process listens on, from its socket inodes and /proc/<pid>/net/tcp{,6}. */
export function listeningPorts(pid: number): number[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    let target: string;
    try {
      target = readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch (err) {
      // A descriptor closed while listing: nothing to look at.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw err;
    }
    const m = /^socket:\[(\d+)\]$/.exec(target);
    if (m !== null) inodes.add(m[1]);
  }
  const ports: number[] = [];
  for (const table of ['tcp', 'tcp6']) {
    let text: string;
    try {
      text = readFileSync(`/proc/${pid}/net/${table}`, 'utf8');
    } catch (err) {
      // No IPv6 in this kernel: no tcp6 table.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw err;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      // cols: sl local rem st tx:rx tr:when retrnsmt uid timeout inode
      if (cols.length < 10 || cols[3] !== '0A' || !inodes.has(cols[9])) continue;
      ports.push(parseInt(cols[1].split(':')[1], 16));
    }
  }
  return [...new Set(ports)].sort((a, b) => a - b);
}

/** Whether a program can be run from PATH. */
export function haveProgram(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

/** The pids of a process's children (what `pgrep -P <pid>` lists), from /proc/<n>/stat. */
export function childPids(parentPid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'latin1');
    } catch (err) {
      // The process ended while listing: not a child any more.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ESRCH') continue;
      throw err;
    }
    // pid (comm) state ppid ...: comm may hold spaces and parentheses, so read after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[1]) === parentPid) children.push(Number(entry));
  }
  return children.sort((a, b) => a - b);
}

/** Whether a process runs: it exists and is not a zombie waiting to be reaped. */
export function processRunning(pid: number): boolean {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw err;
  }
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
}
