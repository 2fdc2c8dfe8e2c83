// FAILOVER [TO host port [FORCE]] [ABORT] [TIMEOUT ms]: a primary hands its role to one of its
// replicas without losing a write (Redis 6.2's coordinated failover, replication.c):
//
//   waiting-for-sync: writes are paused; the cron (every 100 ms while a failover runs) and every
//     ACK look for the target (or any replica) having acknowledged the whole stream; past the
//     timeout the failover is given up, or, with FORCE, goes on with the target as it is;
//   failover-in-progress: this node becomes a replica of the target and asks it
//     PSYNC <replid> <offset> FAILOVER, which makes the target a primary that continues this
//     node's history; +CONTINUE (or +FULLRESYNC) ends the failover, any other answer aborts it
//     and this node is a primary again.
//
// Writes stay paused until the failover ends either way (then they meet a replica: READONLY).

import type { ServerLog } from '../server/log.js';

export type FailoverState = 'no-failover' | 'waiting-for-sync' | 'failover-in-progress';

/** How often the failover's state is looked at while one runs (Redis's cron runs every 100 ms then). */
const CHECK_PERIOD_MS = 100;

/** A replica as the failover sees it. */
export interface FailoverCandidate {
  /** The address it announced (ip-address) or its peer address. */
  readonly host: string;
  /** Its listening port. */
  readonly port: number;
  readonly online: boolean;
  /** The last offset it acknowledged. */
  readonly ackOffset: number;
}

export interface FailoverHost {
  readonly log: ServerLog;
  /** cluster-enabled: FAILOVER is refused there. */
  clusterEnabled(): boolean;
  /** The node follows a primary (FAILOVER is a primary's command). */
  isReplica(): boolean;
  /** The attached replicas, in the order they came. */
  candidates(): readonly FailoverCandidate[];
  /** master_repl_offset. */
  streamOffset(): number;
  /** Writes wait (PAUSE_DURING_FAILOVER), or go on again. */
  pauseWrites(paused: boolean): void;
  /** replicationSetMaster: this node becomes a replica of the target. */
  followTarget(host: string, port: number): void;
  /** replicationUnsetMaster: this node is a primary again. */
  stopFollowing(): void;
}

export type FailoverRequest =
  | { abort: true }
  | { abort: false; host: string | null; port: number; timeoutMs: number; force: boolean };

/** failoverCommand's argument parsing: the request, or the error reply text. */
export function parseFailoverArgs(argv: readonly string[], parseLong: (text: string) => number | null): FailoverRequest | string {
  if (argv.length === 2 && argv[1].toLowerCase() === 'abort') return { abort: true };
  let timeoutMs = 0;
  let force = false;
  let host: string | null = null;
  let port = 0;
  for (let j = 1; j < argv.length; j++) {
    const word = argv[j].toLowerCase();
    if (word === 'timeout' && j + 1 < argv.length && timeoutMs === 0) {
      const value = parseLong(argv[j + 1]);
      if (value === null) return 'ERR value is not an integer or out of range';
      if (value <= 0) return 'ERR FAILOVER timeout must be greater than 0';
      timeoutMs = value;
      j++;
    } else if (word === 'to' && j + 2 < argv.length && host === null) {
      const value = parseLong(argv[j + 2]);
      if (value === null) return 'ERR value is not an integer or out of range';
      host = argv[j + 1];
      port = value;
      j += 2;
    } else if (word === 'force' && !force) {
      force = true;
    } else {
      return 'ERR syntax error';
    }
  }
  return { abort: false, host, port, timeoutMs, force };
}

export class Failover {
  private current: FailoverState = 'no-failover';
  private targetHost: string | null = null;
  private targetPort = 0;
  /** failover_end_time (ms), 0 without a timeout. */
  private endMs = 0;
  private force = false;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly host: FailoverHost) {}

  /** INFO's master_failover_state. */
  get state(): FailoverState {
    return this.current;
  }

  /** PSYNC goes out with FAILOVER (this node is handing its role over). */
  get inProgress(): boolean {
    return this.current === 'failover-in-progress';
  }

  /**
   * The primary's periodic PING stays out of the stream while a failover with a timeout waits
   * (it would move the offset the replicas must reach), as Redis's replicationCron does.
   */
  get holdsPings(): boolean {
    return this.current !== 'no-failover' && this.endMs !== 0;
  }

  /** failoverCommand: null (OK) or the error reply text. */
  request(argv: readonly string[], parseLong: (text: string) => number | null): string | null {
    const host = this.host;
    if (host.clusterEnabled()) return 'ERR FAILOVER not allowed in cluster mode. Use CLUSTER FAILOVER command instead.';
    const request = parseFailoverArgs(argv, parseLong);
    if (typeof request === 'string') return request;
    if (request.abort) {
      if (this.current === 'no-failover') return 'ERR No failover in progress.';
      this.abort('Failover manually aborted');
      return null;
    }
    if (this.current !== 'no-failover') return 'ERR FAILOVER already in progress.';
    if (host.isReplica()) return 'ERR FAILOVER is not valid when server is a replica.';
    const candidates = host.candidates();
    if (candidates.length === 0) return 'ERR FAILOVER requires connected replicas.';
    if (request.force && (request.timeoutMs === 0 || request.host === null)) {
      return 'ERR FAILOVER with force option requires both a timeout and target HOST and IP.';
    }
    if (request.host !== null) {
      const target = findCandidate(candidates, request.host, request.port);
      if (target === undefined) return 'ERR FAILOVER target HOST and PORT is not a replica.';
      if (!target.online) return 'ERR FAILOVER target replica is not online.';
      this.targetHost = request.host;
      this.targetPort = request.port;
      host.log.notice(`FAILOVER requested to ${request.host}:${request.port}.`);
    } else {
      host.log.notice('FAILOVER requested to any replica.');
    }
    if (request.timeoutMs > 0) this.endMs = Date.now() + request.timeoutMs;
    this.force = request.force;
    this.current = 'waiting-for-sync';
    host.pauseWrites(true);
    this.timer = setInterval(() => this.check(), CHECK_PERIOD_MS);
    this.timer.unref();
    return null;
  }

  /**
   * updateFailoverStatus: the timeout, then whether the target (or any replica) acknowledged
   * the whole stream. Called by the timer and after each ACK.
   */
  check(): void {
    if (this.current !== 'waiting-for-sync') return;
    const host = this.host;
    if (this.endMs !== 0 && this.endMs <= Date.now()) {
      if (this.force) {
        host.log.notice(`FAILOVER to ${this.targetHost}:${this.targetPort} time out exceeded, failing over.`);
        this.startHandover();
      } else {
        this.abort('Replica never caught up before timeout');
      }
      return;
    }
    const offset = host.streamOffset();
    let target: FailoverCandidate | undefined;
    if (this.targetHost !== null) {
      target = findCandidate(host.candidates(), this.targetHost, this.targetPort);
    } else {
      target = host.candidates().find((c) => c.ackOffset === offset);
      if (target !== undefined) {
        this.targetHost = target.host;
        this.targetPort = target.port;
      }
    }
    if (target === undefined || target.ackOffset !== offset) return;
    host.log.notice(`Failover target ${this.targetHost}:${this.targetPort} is synced, failing over.`);
    this.startHandover();
  }

  private startHandover(): void {
    this.current = 'failover-in-progress';
    this.host.followTarget(this.targetHost as string, this.targetPort);
  }

  /** The target answered the PSYNC FAILOVER: accepted (+CONTINUE, +FULLRESYNC) or not. */
  psyncAnswered(accepted: boolean): void {
    if (this.current !== 'failover-in-progress') return;
    if (accepted) this.clear();
    else this.abort('Failover target rejected psync request');
  }

  /** abortFailover. */
  abort(reason: string): void {
    if (this.current === 'no-failover') return;
    if (this.targetHost !== null) {
      this.host.log.notice(`FAILOVER to ${this.targetHost}:${this.targetPort} aborted: ${reason}`);
    } else {
      this.host.log.notice(`FAILOVER to any replica aborted: ${reason}`);
    }
    if (this.current === 'failover-in-progress') this.host.stopFollowing();
    this.clear();
  }

  /** clearFailoverState: writes go on (on whatever role this node has now). */
  private clear(): void {
    this.endMs = 0;
    this.force = false;
    this.targetHost = null;
    this.targetPort = 0;
    this.current = 'no-failover';
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.host.pauseWrites(false);
  }

  /** The server is closing. */
  close(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }
}

/** findReplica: the attached replica with that address and listening port. */
function findCandidate(candidates: readonly FailoverCandidate[], host: string, port: number): FailoverCandidate | undefined {
  return candidates.find((c) => c.host.toLowerCase() === host.toLowerCase() && c.port === port);
}
