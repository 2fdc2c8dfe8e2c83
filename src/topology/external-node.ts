// A node of a topology someone else started, known by its address only. Its process is found
// from the listening port (proc-net.ts), and its command line, working directory and
// environment are read then, so that a kill -9 can be followed by a restart the way its owner
// started it. The restarted process is detached and not guarded by the reaper: the topology is
// its owner's, and stays running after chaos ends. Its output goes nowhere (a node logging to
// stdout instead of a logfile loses that output after a restart).

import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { NodeClient } from './node-client.js';
import { listeningPid, processAlive, processCommand, type ProcessCommand } from './proc-net.js';
import type { NodeRole, TopologyNode } from './types.js';
import { waitUntil } from './wait.js';

/** A restarted node answers PING within this. */
const RESTART_TIMEOUT_MS = 30_000;
/** A killed process is gone (reaped by its parent) within this. */
const EXIT_TIMEOUT_MS = 10_000;

/** Whether `host` is a loopback address (127.0.0.0/8, ::1): the only targets chaos accepts. */
export function isLoopback(host: string): boolean {
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host) || host === '::1';
}

/** "host:port" -> [host, port]; only loopback hosts ('localhost' is 127.0.0.1). */
export function parseLoopbackAddress(text: string): { host: string; port: number } {
  const m = /^(.*):(\d{1,5})$/.exec(text.trim());
  const port = m === null ? NaN : Number(m[2]);
  if (m === null || port < 1 || port > 65535) throw new Error(`'${text}' is not an address (host:port)`);
  const host = m[1] === 'localhost' ? '127.0.0.1' : m[1].replace(/^\[(.*)\]$/, '$1');
  if (!isLoopback(host)) throw new Error(`chaos only targets loopback addresses, and ${text} is not one`);
  return { host, port };
}

export class ExternalNode implements TopologyNode {
  readonly labHost = null;
  readonly logFile = '';
  private currentPid: number | null;
  private readonly command: ProcessCommand | null;
  private readonly env: NodeJS.ProcessEnv | null;

  constructor(readonly role: NodeRole, readonly host: string, readonly port: number) {
    this.currentPid = listeningPid(host, port);
    this.command = this.currentPid === null ? null : processCommand(this.currentPid);
    this.env = this.currentPid === null ? null : environment(this.currentPid);
  }

  get address(): string {
    return `${this.host}:${this.port}`;
  }

  get dir(): string {
    return this.command?.cwd ?? '';
  }

  /** The command line it was found running with. */
  get argv(): readonly string[] {
    return this.command?.argv ?? [];
  }

  /** Why faults cannot be injected here, or null when its process was found. */
  get unreachableReason(): string | null {
    if (this.currentPid !== null) return null;
    return `no process of ours listens on ${this.address} (another user's process is visible to root only)`;
  }

  get pid(): number | null {
    return this.running ? this.currentPid : null;
  }

  get running(): boolean {
    return this.currentPid !== null && processAlive(this.currentPid);
  }

  signal(signal: NodeJS.Signals): void {
    if (this.running && this.currentPid !== null) process.kill(this.currentPid, signal);
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (!this.running || this.currentPid === null) return;
    if (signal !== 'SIGKILL') process.kill(this.currentPid, 'SIGCONT');
    process.kill(this.currentPid, signal);
    await waitUntil(async () => !this.running, EXIT_TIMEOUT_MS, `${this.address} (pid ${this.currentPid}) to end`);
  }

  /** Starts its command line again in its directory, with its environment; resolves when it answers PING. */
  async restart(): Promise<void> {
    if (this.running) throw new Error(`${this.address} is already running`);
    if (this.command === null) throw new Error(this.unreachableReason ?? `${this.address} has no known command line`);
    const [program, ...args] = this.command.argv;
    const child = spawn(program, args, { cwd: this.command.cwd, env: this.env ?? process.env, stdio: 'ignore', detached: true });
    let spawnError: Error | null = null;
    child.once('error', (err) => { spawnError = err; });
    child.unref();
    const client = new NodeClient(this.host, this.port, 1000);
    try {
      await waitUntil(async () => {
        if (spawnError !== null) throw new Error(`cannot start ${program}: ${(spawnError as Error).message}`);
        const reply = await client.call('PING');
        return reply.type === 'status' && reply.text === 'PONG';
      }, RESTART_TIMEOUT_MS, `${this.address} to answer PING after its restart`);
    } finally {
      client.close();
    }
    // The listener's owner, not the child: a node that daemonizes runs on in a grandchild.
    this.currentPid = listeningPid(this.host, this.port) ?? child.pid ?? null;
  }
}

/** The environment a process was started with (/proc/PID/environ). */
function environment(pid: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const entry of readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0')) {
    const eq = entry.indexOf('=');
    if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return env;
}
