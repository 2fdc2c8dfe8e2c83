// startSentinels: a replica set watched by cinnabar-sentinel processes, resolved once every
// sentinel names the primary, knows every replica and every other sentinel (so a failover can
// reach its quorum from the first second).

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { replyFields } from './node-client.js';
import { formReplicaSet } from './replica-set.js';
import { TopologyBase } from './topology.js';
import type { Address, RunningTopology, TopologyNode, TopologyOptions } from './types.js';
import { waitUntil } from './wait.js';

/** Sentinel ports sit this far above the servers' with a base port (6380 -> 26380), as Redis's 6379/26379. */
export const SENTINEL_PORT_OFFSET = 20_000;

export interface SentinelsOptions extends TopologyOptions {
  /** Replicas of the primary (default 1). */
  replicas?: number;
  /** Sentinels (default 3). */
  sentinels?: number;
  /** The monitored master's name (default mymaster). */
  masterName?: string;
  /** Sentinels that must agree the primary is down (default a majority). */
  quorum?: number;
  /** `sentinel down-after-milliseconds` (default 5000: faster than Redis's 30 s, for tests). */
  downAfterMs?: number;
  /** `sentinel failover-timeout` (default 30000). */
  failoverTimeoutMs?: number;
  /** With a base port: sentinel ports start this far above it (default 20000, as 6379/26379). */
  sentinelPortOffset?: number;
}

export interface SentinelTopology extends RunningTopology {
  readonly masterName: string;
  readonly primary: Address;
  /** A fresh array per topology: clients may take it as their (mutable) node list. */
  readonly replicas: Address[];
  readonly sentinels: Address[];
  readonly primaryNode: TopologyNode;
  readonly replicaNodes: readonly TopologyNode[];
  readonly sentinelNodes: readonly TopologyNode[];
}

export async function startSentinels(options: SentinelsOptions = {}): Promise<SentinelTopology> {
  const sentinelCount = options.sentinels ?? 3;
  if (!Number.isInteger(sentinelCount) || sentinelCount < 1) throw new Error(`sentinels must be a whole number >= 1, not ${sentinelCount}`);
  const masterName = options.masterName ?? 'mymaster';
  const quorum = options.quorum ?? Math.floor(sentinelCount / 2) + 1;
  const topology = new TopologyBase(options);
  const sentinelOffset = options.sentinelPortOffset ?? SENTINEL_PORT_OFFSET;
  return topology.forming(async () => {
    const replicaCount = options.replicas ?? 1;
    // Every port is checked before the first process starts.
    if (options.basePort !== undefined) {
      await topology.refuseBusy(Array.from({ length: sentinelCount }, (_, i) => options.basePort! + sentinelOffset + i));
    }
    const { primary, replicas } = await formReplicaSet(topology, replicaCount, 0);
    const ports = await topology.ports(sentinelCount, sentinelOffset);
    const sentinels = await topology.startAll(ports.map((port) => ({
      role: 'sentinel' as const, kind: 'sentinel' as const, port,
      args: (dir: string, host: string) => {
        // A sentinel rewrites its config file, so each gets its own in its directory.
        const file = join(dir, 'sentinel.conf');
        writeFileSync(file, [
          `port ${port}`,
          `bind ${host}`,
          // Lab addresses are not loopback: protected mode would refuse the other sentinels.
          ...(options.network === undefined ? [] : ['protected-mode no']),
          `dir ${dir}`,
          `sentinel monitor ${masterName} ${primary.host} ${primary.port} ${quorum}`,
          `sentinel down-after-milliseconds ${masterName} ${options.downAfterMs ?? 5000}`,
          `sentinel failover-timeout ${masterName} ${options.failoverTimeoutMs ?? 30_000}`,
          '',
        ].join('\n'));
        return [file];
      },
    })));
    topology.progress(`waiting for ${sentinelCount} sentinel(s) to agree on ${masterName} at ${primary.address}`);
    await waitUntil(async () => {
      for (const s of sentinels) {
        const m = replyFields(await s.process.client.call('SENTINEL', 'MASTER', masterName));
        if (m.ip !== primary.host || m.port !== String(primary.port)) return false;
        if (m['num-slaves'] !== String(replicaCount) || m['num-other-sentinels'] !== String(sentinelCount - 1)) return false;
      }
      return true;
    }, topology.readyTimeoutMs, `the sentinels to agree on ${masterName} and discover each other`);
    const address = (n: { host: string; port: number }): Address => ({ host: n.host, port: n.port });
    return {
      masterName,
      primary: address(primary),
      replicas: replicas.map(address),
      sentinels: sentinels.map(address),
      primaryNode: primary,
      replicaNodes: replicas,
      sentinelNodes: sentinels,
      nodes: topology.members,
      close: (closeOptions) => topology.close(closeOptions),
    };
  });
}
