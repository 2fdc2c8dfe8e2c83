// What the three fixtures share: the nodes' directory (a temporary one, or the caller's), ports
// (free ones or a base port), starting nodes in parallel, and a close() that stops every process
// it started, once, also when forming the topology failed half-way.

import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { NetnsLab } from './netns.js';
import type { NetworkHost } from './network.js';
import { RelayLab } from './relay.js';
import { NodeProcess, type NodeKind } from './node-process.js';
import { SENTINEL_PROGRAM, SERVER_PROGRAM } from './programs.js';
import { firstBusyPort, freePorts } from './ports.js';
import type { CloseOptions, NodeRole, TopologyNode, TopologyOptions } from './types.js';

export const DEFAULT_READY_TIMEOUT_MS = 60_000;
/** A node answers PING within this after its start (a cold start of the bundle takes ~0.5 s). */
const NODE_START_TIMEOUT_MS = 20_000;

/** A started node with the role it was started in. */
export class TopologyMember implements TopologyNode {
  constructor(readonly role: NodeRole, readonly process: NodeProcess, readonly labHost: NetworkHost | null) {}
  get host(): string { return this.process.host; }
  get port(): number { return this.process.port; }
  get address(): string { return this.process.address; }
  get dir(): string { return this.process.dir; }
  get logFile(): string { return this.process.logFile; }
  get pid(): number | null { return this.process.pid; }
  get running(): boolean { return this.process.running; }
  signal(signal: NodeJS.Signals): void { this.process.signal(signal); }
  kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> { return this.process.kill(signal); }
  restart(): Promise<void> { return this.process.start(NODE_START_TIMEOUT_MS); }
}

export class TopologyBase {
  readonly host: string;
  readonly readyTimeoutMs: number;
  readonly members: TopologyMember[] = [];
  private readonly rootDir: string;
  private readonly ownsDir: boolean;
  private closing: Promise<void> | null = null;

  constructor(readonly options: TopologyOptions) {
    this.host = options.host ?? '127.0.0.1';
    this.readyTimeoutMs = options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
    if (options.dir !== undefined) {
      this.rootDir = resolve(options.dir);
      mkdirSync(this.rootDir, { recursive: true });
      this.ownsDir = false;
    } else {
      this.rootDir = mkdtempSync(join(tmpdir(), 'cinnabar-topology-'));
      this.ownsDir = true;
    }
    options.signal?.addEventListener('abort', () => { void this.close(); }, { once: true });
  }

  progress(message: string): void {
    this.options.onProgress?.(message);
  }

  /** `count` ports: consecutive from `basePort + offset`, or free ones; a busy given port is refused. */
  async ports(count: number, offset = 0): Promise<number[]> {
    if (this.options.basePort === undefined) return freePorts(count, this.host);
    const ports = Array.from({ length: count }, (_, i) => this.options.basePort! + offset + i);
    await this.refuseBusy(ports);
    return ports;
  }

  async refuseBusy(ports: readonly number[]): Promise<void> {
    const busy = await firstBusyPort(ports, this.host);
    if (busy !== null) throw new Error(`port ${busy} on ${this.host} is busy (or not a valid port): choose another --port`);
  }

  /** The common arguments of a server node bound to `host` (the rest is the topology's). */
  serverArgs(host: string, port: number, dir: string): string[] {
    const persistence = this.options.persistence === true ? [] : ['--save', '', '--appendonly', 'no'];
    // Lab addresses are not loopback: protected mode would refuse every client there.
    const open = this.options.network === undefined ? [] : ['--protected-mode', 'no'];
    // Behind relays a server binds a private loopback address and is reached at the relay's.
    const announce = this.options.network instanceof RelayLab ? ['--cluster-announce-ip', this.host, '--replica-announce-ip', this.host] : [];
    // Replicas start together: a primary waiting Redis's 5 s for more of them only slows the start.
    return ['--port', String(port), '--bind', host, '--dir', dir, ...persistence, ...open, ...announce, '--repl-diskless-sync-delay', '0',
      ...(this.options.serverArgs ?? [])];
  }

  /** The command that runs a node of this kind: the bundled program, or the binary the options name. */
  program(kind: NodeKind): string[] {
    const binary = kind === 'server' ? this.options.serverBinary : this.options.sentinelBinary;
    if (binary !== undefined) return [binary];
    return [process.execPath, kind === 'server' ? SERVER_PROGRAM : SENTINEL_PROGRAM];
  }

  nodeDir(port: number): string {
    const dir = join(this.rootDir, String(port));
    mkdirSync(dir, { recursive: true });
    return dir;
  }

  /**
   * Starts the nodes in parallel; each joins `members` as soon as it was spawned, so close()
   * reaches it. `busPort` is the cluster bus port (a relay lab relays it too).
   */
  async startAll(specs: Array<{ role: NodeRole; kind: NodeKind; port: number; busPort?: number; args: (dir: string, bindHost: string) => string[] }>): Promise<TopologyMember[]> {
    // close() may have run while the caller awaited ports: nothing new starts after it.
    if (this.closing !== null) throw new Error('the topology was closed while it was forming');
    const lab = this.options.network;
    const members: TopologyMember[] = [];
    for (const spec of specs) {
      const dir = this.nodeDir(spec.port);
      let member: TopologyMember | null = null;
      // In a namespace lab each node is a host of its own: its namespace, its address on the
      // lab's bridge. In a relay lab each server binds a private loopback address behind relays
      // at its ports on `host` (sentinels are never cut off: they bind `host` directly).
      let labHost: NetworkHost | null = null;
      if (lab instanceof NetnsLab) labHost = lab.addHost();
      else if (lab instanceof RelayLab && spec.kind === 'server') {
        labHost = await lab.addHost([spec.port, ...(spec.busPort === undefined ? [] : [spec.busPort])], () => member?.pid ?? null);
      }
      const bindHost = labHost?.ip ?? this.host;
      const host = labHost?.kind === 'relay' ? this.host : bindHost;
      const netnsHost = labHost?.kind === 'netns' && lab instanceof NetnsLab ? labHost : null;
      member = new TopologyMember(spec.role, new NodeProcess({
        kind: spec.kind, program: this.program(spec.kind), host, port: spec.port, dir, args: spec.args(dir, bindHost),
        wrap: netnsHost === null || !(lab instanceof NetnsLab) ? undefined : (command, args) => lab.commandLine(netnsHost, command, args),
      }), labHost);
      this.members.push(member);
      members.push(member);
    }
    await Promise.all(members.map(async (m) => {
      await m.process.start(NODE_START_TIMEOUT_MS);
      this.progress(`started ${m.role} ${m.address}`);
    }));
    return members;
  }

  close(options: CloseOptions = {}): Promise<void> {
    this.closing ??= (async () => {
      const graceMs = options.graceMs ?? 0;
      // Sentinels first, so they do not react to the servers going away.
      const sentinels = this.members.filter((m) => m.role === 'sentinel');
      const servers = this.members.filter((m) => m.role !== 'sentinel');
      await Promise.all(sentinels.map((m) => m.process.stop(graceMs)));
      await Promise.all(servers.map((m) => m.process.stop(graceMs)));
      if (this.ownsDir) rmSync(this.rootDir, { recursive: true, force: true });
    })();
    return this.closing;
  }

  /** Runs `form`; if it fails, everything already started is stopped before the error goes on. */
  async forming<T>(form: () => Promise<T>): Promise<T> {
    try {
      if (this.options.signal?.aborted === true) throw new Error('aborted before the topology started');
      return await form();
    } catch (err) {
      await this.close();
      if (this.options.signal?.aborted === true) throw new Error('aborted while the topology was forming', { cause: err });
      throw err;
    }
  }
}
