// Builds the bus of a cluster node: the BusHost over the cluster service and the parts of the
// server the bus reaches (config, replication, pub/sub, the client pause).

import type { Config } from '../../config/config.js';
import type { ClusterLog, ClusterState } from '../state.js';
import { ClusterBus } from './bus.js';
import type { BusHost, BusSettings } from './host.js';

/** What the bus uses of the cluster service. */
export interface BusServiceView {
  readonly state: ClusterState;
  readonly busPort: number;
  countKeysInSlot(slot: number): number;
  saveConfigOrDie(): void;
  scheduleBeforeSleep(): void;
}

/** What the bus uses of the server. */
export interface BusServerParts {
  readonly config: Config;
  readonly log: ClusterLog;
  /** The client port listened on. */
  listeningPort(): number;
  replicationOffset(): number;
  primaryDataAgeMs(): number;
  replicationConfigured(): boolean;
  replicate(host: string, port: number): void;
  stopReplicating(): void;
  publishLocal(channel: string, message: string, sharded: boolean): void;
  hasSubscribers(sharded: boolean): boolean;
  pauseWrites(untilMs: number): void;
  unpause(): void;
  deleteKeysInSlot(slot: number): void;
}

export function settingsFrom(config: Config, busPort: () => number, listeningPort: () => number): BusSettings {
  return {
    bind: () => config.str('bind'),
    busPort,
    nodeTimeoutMs: () => config.num('cluster-node-timeout'),
    announceIp: () => config.str('cluster-announce-ip'),
    sourceAddress: () => config.str('bind-source-addr'),
    announceHostname: () => config.str('cluster-announce-hostname'),
    announcedPorts: () => {
      const port = config.num('cluster-announce-port');
      const cport = config.num('cluster-announce-bus-port');
      return { port: port !== 0 ? port : listeningPort(), pport: 0, cport: cport !== 0 ? cport : busPort() };
    },
    linkSendBufferLimitBytes: () => config.num('cluster-link-sendbuf-limit'),
    replicaValidityFactor: () => config.num('cluster-replica-validity-factor'),
    replPingReplicaPeriodSeconds: () => config.num('repl-ping-replica-period'),
    migrationBarrier: () => config.num('cluster-migration-barrier'),
    allowReplicaMigration: () => config.bool('cluster-allow-replica-migration'),
    replicaNoFailover: () => config.bool('cluster-replica-no-failover'),
  };
}

export function createClusterBus(service: BusServiceView, server: BusServerParts): ClusterBus {
  const host: BusHost = {
    state: service.state,
    log: server.log,
    settings: settingsFrom(server.config, () => service.busPort, () => server.listeningPort()),
    replicationOffset: () => server.replicationOffset(),
    primaryDataAgeMs: () => server.primaryDataAgeMs(),
    replicationConfigured: () => server.replicationConfigured(),
    replicateFrom: (ip, port) => server.replicate(ip, port),
    stopReplicating: () => server.stopReplicating(),
    publishLocal: (channel, message, sharded) => server.publishLocal(channel, message, sharded),
    hasSubscribers: (sharded) => server.hasSubscribers(sharded),
    pauseWritesForFailover: (untilMs) => server.pauseWrites(untilMs),
    resumeWrites: () => server.unpause(),
    countKeysInSlot: (slot) => service.countKeysInSlot(slot),
    deleteKeysInSlot: (slot) => server.deleteKeysInSlot(slot),
    saveConfigNow: () => service.saveConfigOrDie(),
    scheduleBeforeSleep: () => service.scheduleBeforeSleep(),
  };
  return new ClusterBus(host);
}

