// startReplicaSet: a primary and its replicas as cinnabar-server processes, resolved once every
// replica's link is up and it has applied everything the primary produced.

import type { NodeClient } from './node-client.js';
import { TopologyBase, type TopologyMember } from './topology.js';
import type { Address, RunningTopology, TopologyNode, TopologyOptions } from './types.js';
import { waitUntil } from './wait.js';

export interface ReplicaSetOptions extends TopologyOptions {
  /** Replicas of the primary (default 1). */
  replicas?: number;
}

export interface ReplicaSet extends RunningTopology {
  readonly primary: Address;
  /** A fresh array per topology: clients may take it as their (mutable) node list. */
  readonly replicas: Address[];
  readonly primaryNode: TopologyNode;
  readonly replicaNodes: readonly TopologyNode[];
}

export async function startReplicaSet(options: ReplicaSetOptions = {}): Promise<ReplicaSet> {
  const topology = new TopologyBase(options);
  return topology.forming(async () => {
    const { primary, replicas } = await formReplicaSet(topology, options.replicas ?? 1, 0);
    return replicaSetHandle(topology, primary, replicas);
  });
}

export function replicaSetHandle(topology: TopologyBase, primary: TopologyMember, replicas: TopologyMember[]): ReplicaSet {
  return {
    primary: { host: primary.host, port: primary.port },
    replicas: replicas.map((r) => ({ host: r.host, port: r.port })),
    primaryNode: primary,
    replicaNodes: replicas,
    nodes: topology.members,
    close: (closeOptions) => topology.close(closeOptions),
  };
}

/** Starts the primary, then the replicas pointed at it, and waits for them to be in sync. */
export async function formReplicaSet(topology: TopologyBase, replicaCount: number, portOffset: number): Promise<{ primary: TopologyMember; replicas: TopologyMember[] }> {
  if (!Number.isInteger(replicaCount) || replicaCount < 0) throw new Error(`replicas must be a whole number >= 0, not ${replicaCount}`);
  const ports = await topology.ports(1 + replicaCount, portOffset);
  const [primary] = await topology.startAll([{
    role: 'primary', kind: 'server', port: ports[0], args: (dir, host) => topology.serverArgs(host, ports[0], dir),
  }]);
  const replicas = await topology.startAll(ports.slice(1).map((port) => ({
    role: 'replica' as const, kind: 'server' as const, port,
    args: (dir: string, host: string) => [...topology.serverArgs(host, port, dir), '--replicaof', primary.host, String(ports[0])],
  })));
  topology.progress(`waiting for ${replicaCount} replica(s) to sync with ${primary.address}`);
  await waitUntil(async () => {
    for (const r of replicas) {
      if (!(await inSync(primary.process.client, r.process.client))) return false;
    }
    return true;
  }, topology.readyTimeoutMs, `the replicas of ${primary.address} to be in sync`);
  return { primary, replicas };
}

/** The replica's link is up, no sync runs, and it applied the primary's whole stream so far. */
export async function inSync(primary: NodeClient, replica: NodeClient): Promise<boolean> {
  const r = await replica.info('replication');
  if (r.get('master_link_status') !== 'up' || r.get('master_sync_in_progress') !== '0') return false;
  const p = await primary.info('replication');
  return Number(r.get('slave_repl_offset')) >= Number(p.get('master_repl_offset'));
}
