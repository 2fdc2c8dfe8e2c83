// One node of a topology as a child process: cinnabar-server or cinnabar-sentinel on a given
// port, working in a directory of its own and logging to a file there. It is guarded by the
// reaper (it dies with this process), can be signalled (SIGSTOP, kill -9) and started again with
// the same arguments, and a failed start reports the node's own output.

import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { guardChild, releaseChild } from './reaper.js';
import { NodeClient } from './node-client.js';
import { waitUntil } from './wait.js';

/** The tail of a node's stdout/stderr kept for error messages (the log file has the rest). */
const OUTPUT_TAIL_BYTES = 16 * 1024;

export type NodeKind = 'server' | 'sentinel';

export interface NodeSpec {
  kind: NodeKind;
  /** The program: its command and the arguments before the node's own ([node, bundle.js] or [redis-server]). */
  program: readonly string[];
  /** Runs the command elsewhere (inside a network namespace): the command line that does it. */
  wrap?: (command: string, args: string[]) => { command: string; args: string[] };
  host: string;
  port: number;
  dir: string;
  /** Arguments after the program: a config file and/or --directive value pairs. */
  args: string[];
}

export class NodeProcess {
  readonly kind: NodeKind;
  readonly host: string;
  readonly port: number;
  readonly dir: string;
  readonly logFile: string;
  private child: ChildProcess | null = null;
  private exitPromise: Promise<void> = Promise.resolve();
  private outputTail = '';
  /** A client for the topology's own commands (forming, checks). */
  readonly client: NodeClient;

  constructor(private readonly spec: NodeSpec) {
    this.kind = spec.kind;
    this.host = spec.host;
    this.port = spec.port;
    this.dir = spec.dir;
    this.logFile = join(spec.dir, 'node.log');
    this.client = new NodeClient(spec.host, spec.port);
  }

  get address(): string {
    return `${this.host}:${this.port}`;
  }

  /** The process id while it runs, else null. */
  get pid(): number | null {
    return this.running ? this.child?.pid ?? null : null;
  }

  get running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Starts the process (again, after it ended); resolves once it answers PING. */
  async start(readyTimeoutMs: number): Promise<void> {
    if (this.running) throw new Error(`${this.address} is already running`);
    this.outputTail = '';
    // detached: its own process group, so a Ctrl-C in the terminal reaches only the parent,
    // which then stops the nodes in order.
    const [command, ...programArgs] = this.spec.program;
    const plain = { command, args: [...programArgs, ...this.spec.args, '--logfile', this.logFile] };
    const line = this.spec.wrap?.(plain.command, plain.args) ?? plain;
    const child = spawn(line.command, line.args, { cwd: this.dir, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    this.child = child;
    const keep = (chunk: Buffer): void => {
      this.outputTail = (this.outputTail + chunk.toString('utf8')).slice(-OUTPUT_TAIL_BYTES);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exitPromise = new Promise((resolve) => {
      child.once('exit', () => {
        if (child.pid !== undefined) releaseChild(child.pid);
        resolve();
      });
      child.once('error', (err) => {
        keep(Buffer.from(`spawn failed: ${err.message}\n`));
        resolve();
      });
    });
    if (child.pid !== undefined) guardChild(child.pid);
    try {
      await waitUntil(async () => {
        if (!this.running) throw new Error(`exited (${child.exitCode ?? child.signalCode ?? 'spawn failed'})`);
        // LOADING and the like are errors: the node is up only when it answers PONG.
        const reply = await this.client.call('PING');
        return reply.type === 'status' && reply.text === 'PONG';
      }, readyTimeoutMs, `${this.spec.kind} ${this.address} to answer PING`);
    } catch (err) {
      await this.kill('SIGKILL');
      const tail = this.outputTail.trim();
      throw new Error(`${(err as Error).message}${tail === '' ? '' : `\n${tail}`}\n(log: ${this.logFile})`);
    }
  }

  /** Sends a signal if the process runs. */
  signal(signal: NodeJS.Signals): void {
    if (this.running) this.child?.kill(signal);
  }

  /** Sends a signal and waits for the process to end (SIGKILL: immediate; SIGTERM: a clean shutdown). */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    this.client.close();
    if (!this.running) return;
    // A stopped process must run again to act on SIGTERM.
    if (signal !== 'SIGKILL') this.child?.kill('SIGCONT');
    this.child?.kill(signal);
    await this.exitPromise;
  }

  /**
   * Stops the process: SIGTERM and up to `graceMs` for its shutdown (final save, nodes.conf),
   * then SIGKILL. With graceMs 0 it is killed at once.
   */
  async stop(graceMs: number): Promise<void> {
    if (graceMs <= 0) return this.kill('SIGKILL');
    this.client.close();
    if (!this.running) return;
    this.child?.kill('SIGCONT');
    this.child?.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(true), graceMs); });
    const late = await Promise.race([this.exitPromise.then(() => false), timedOut]);
    clearTimeout(timer);
    if (late) await this.kill('SIGKILL');
  }
}
