// After a fault, and before the final check: the topology is whole again when every server
// runs, exactly one primary per shard answers as one (3 in the 3x1 cluster, 1 for sentinels),
// every replica's link is up, and the cluster's nodes all say ok with no FAIL flags, or every
// sentinel names the primary that answers as one. The same for a topology given by address.

import { NodeClient, parseInfo } from '../topology/node-client.js';
import type { ClusterNodeState } from '../topology/cluster.js';
import type { Address, TopologyNode } from '../topology/types.js';
import { waitUntil } from '../topology/wait.js';

/** What settling looks at beyond the servers: the cluster's view, or the sentinels. */
export type SettleTarget =
  | { kind: 'cluster'; primaries: number; state(): Promise<ClusterNodeState[]> }
  | { kind: 'sentinel'; sentinels: readonly Address[]; masterName: string };

/** Waits until the topology is whole again: every node up, roles agreed, replicas linked. */
export async function settle(target: SettleTarget, servers: readonly TopologyNode[], timeoutMs: number, signal?: AbortSignal): Promise<void> {
  const kind = target.kind;
  const clients = servers.map((n) => new NodeClient(n.host, n.port, 1000));
  try {
    await waitUntil(async () => {
      // An interrupted run stops waiting at once; its caller notices the abort.
      if (signal?.aborted === true) return true;
      if (servers.some((n) => !n.running)) return false;
      let primaries = 0;
      let primaryAddress = '';
      for (const c of clients) {
        const repl = parseInfo(await c.text('INFO', 'replication'));
        if (repl.get('role') === 'master') {
          primaries++;
          primaryAddress = `${c.host}:${c.port}`;
        }
        else if (repl.get('master_link_status') !== 'up') return false;
        if (kind === 'cluster') {
          const info = parseInfo(await c.text('CLUSTER', 'INFO'));
          if (info.get('cluster_state') !== 'ok') return false;
        }
      }
      if (target.kind === 'cluster') {
        const state = await target.state();
        if (state.some((n) => n.flags.includes('fail') || n.flags.includes('fail?'))) return false;
        return primaries === target.primaries;
      }
      const named = new Set<string>();
      for (const sentinel of target.sentinels) {
        const client = new NodeClient(sentinel.host, sentinel.port, 1000);
        try {
          const reply = await client.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', target.masterName);
          if (reply.type !== 'array' || reply.items.length !== 2) return false;
          const [host, port] = reply.items;
          if (host.type !== 'bulk' || port.type !== 'bulk') return false;
          named.add(`${host.text}:${port.text}`);
        } finally {
          client.close();
        }
      }
      return primaries === 1 && named.size === 1 && named.has(primaryAddress);
    }, timeoutMs, 'the topology to settle');
  } finally {
    for (const c of clients) c.close();
  }
}
