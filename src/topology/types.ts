// What the topology fixtures hand out: addresses for clients, and node handles for tests that
// break things (kill -9, SIGSTOP, restart). Interfaces only, so the classes behind them can change.

import type { NetworkHost, NetworkLab } from './network.js';

export interface Address {
  host: string;
  port: number;
}

export type NodeRole = 'primary' | 'replica' | 'sentinel';

export interface TopologyNode extends Address {
  /** The role the node was started in (a failover may have changed it since). */
  readonly role: NodeRole;
  /** host:port */
  readonly address: string;
  readonly dir: string;
  readonly logFile: string;
  /** The process id while it runs, else null. */
  readonly pid: number | null;
  readonly running: boolean;
  /** Sends a signal (SIGSTOP, SIGCONT ...) if the process runs. */
  signal(signal: NodeJS.Signals): void;
  /** Ends the process with `signal` (default SIGKILL) and waits for it. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts the process again with the same arguments and directory; resolves when it answers PING. */
  restart(): Promise<void>;
  /** The node's host in the topology's network lab (to cut it off), or null on plain loopback. */
  readonly labHost: NetworkHost | null;
}

export interface TopologyOptions {
  /** The address every node binds and announces (default 127.0.0.1). */
  host?: string;
  /** Consecutive ports from this one instead of free ports picked by the kernel. */
  basePort?: number;
  /** Where the nodes' directories go (kept); by default a temporary one that close() removes. */
  dir?: string;
  /** Keep Redis's default persistence (save points); by default nodes never write snapshots. */
  persistence?: boolean;
  /** Extra `--directive value` arguments for every server. */
  serverArgs?: string[];
  /** How long the topology may take to become ready (default 60 s). */
  readyTimeoutMs?: number;
  /** Progress lines while the topology forms (for a CLI; tests leave it out). */
  onProgress?: (message: string) => void;
  /** Aborting stops every node started so far; a topology still forming then rejects. */
  signal?: AbortSignal;
  /**
   * A lab the nodes run in, so that chaos can cut them off: a NetnsLab runs each node in a
   * network namespace of its own, bound to its lab address (`host` is then unused); a RelayLab
   * puts each server behind loopback relays (it binds a private loopback address and announces
   * `host`). The caller owns the lab and removes it after close().
   */
  network?: NetworkLab;
  /** A redis-server compatible binary to run instead of cinnabar-server (comparisons with Redis). */
  serverBinary?: string;
  /** A redis-sentinel compatible binary to run instead of cinnabar-sentinel. */
  sentinelBinary?: string;
}

export interface CloseOptions {
  /** SIGTERM and up to this long for a clean shutdown before SIGKILL (default 0: SIGKILL at once). */
  graceMs?: number;
}

export interface RunningTopology {
  readonly nodes: readonly TopologyNode[];
  /** Stops every process it started (and removes its temporary directory); idempotent. */
  close(options?: CloseOptions): Promise<void>;
}
