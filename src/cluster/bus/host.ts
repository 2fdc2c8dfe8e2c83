// What the cluster bus needs from the node it runs in. The cluster service implements it over
// the state, the config, replication, pub/sub, the client pause and the keyspace; tests can
// implement it over a bare ClusterState.

import type { ClusterNode } from '../node.js';
import type { ClusterLog, ClusterState } from '../state.js';

/** The settings the bus reads, live (CONFIG SET applies at the next use). */
export interface BusSettings {
  /** The addresses to listen on (the node's `bind`) and the cluster bus port. */
  bind(): string;
  busPort(): number;
  nodeTimeoutMs(): number;
  /** cluster-announce-ip, '' when not set. */
  announceIp(): string;
  /** bind-source-addr: the local address outbound links connect from, '' for the system's choice. */
  sourceAddress(): string;
  announceHostname(): string;
  /** The client port, the plaintext port (TLS only, else 0) and the bus port to announce. */
  announcedPorts(): { port: number; pport: number; cport: number };
  /** cluster-link-sendbuf-limit, 0 for none. */
  linkSendBufferLimitBytes(): number;
  replicaValidityFactor(): number;
  replPingReplicaPeriodSeconds(): number;
  migrationBarrier(): number;
  allowReplicaMigration(): boolean;
  replicaNoFailover(): boolean;
}

export interface BusHost {
  readonly state: ClusterState;
  readonly settings: BusSettings;
  readonly log: ClusterLog;
  /** master_repl_offset on a primary; the offset applied from the primary on a replica. */
  replicationOffset(): number;
  /**
   * How long, in ms, a replica has been without news of its primary (since the last interaction
   * when the link is up, since the link went down otherwise).
   */
  primaryDataAgeMs(): number;
  /** Replication is following some primary (Redis's server.masterhost is set). */
  replicationConfigured(): boolean;
  /** Follows the primary at that address (Redis's replicationSetMaster). */
  replicateFrom(ip: string, port: number): void;
  /** Stops following a primary and becomes one (Redis's replicationUnsetMaster). */
  stopReplicating(): void;
  /** Delivers a message to this node's subscribers. */
  publishLocal(channel: string, message: string, sharded: boolean): void;
  /** Whether any client subscribes to a channel (sharded or not). */
  hasSubscribers(sharded: boolean): boolean;
  /** Holds writes until `untilMs` for a manual failover; `resumeWrites` ends it early. */
  pauseWritesForFailover(untilMs: number): void;
  resumeWrites(): void;
  countKeysInSlot(slot: number): number;
  deleteKeysInSlot(slot: number): void;
  /** Writes nodes.conf now (with fsync), exiting as Redis does when it cannot. */
  saveConfigNow(): void;
  /** Runs the work queued in `state.todoBeforeSleep` (update state, save config) at the end of the turn. */
  scheduleBeforeSleep(): void;
}

/** A node's slots or, for a replica, its primary's: what a node claims in its header. */
export function claimedSlotsOwner(node: ClusterNode): ClusterNode {
  return node.isReplica && node.replicaOf !== null ? node.replicaOf : node;
}
