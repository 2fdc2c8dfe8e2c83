// A topology given by address (`cinnabar chaos --nodes ...`): someone else started it, chaos
// only finds it. For a cluster, one reachable seed's CLUSTER NODES lists every node; for
// sentinels, the given sentinels name the primary (SENTINEL MASTER), its replicas (SENTINEL
// REPLICAS) and the other sentinels (SENTINEL SENTINELS). Every address, given or found, must be
// loopback. Each server's process is found from its port, for kill and pause faults; partitions
// are refused for such a topology (its nodes were not started in chaos's namespaces or behind
// its relays, and re-pointing someone else's topology at relays would change it).

import { parseClusterNodes, type ClusterNodeState } from '../topology/cluster.js';
import { ExternalNode, isLoopback, parseLoopbackAddress } from '../topology/external-node.js';
import { NodeClient, replyFields } from '../topology/node-client.js';
import type { Address, TopologyNode } from '../topology/types.js';

const DISCOVERY_TIMEOUT_MS = 3000;

export interface GivenTopology {
  kind: 'cluster' | 'sentinel';
  servers: ExternalNode[];
  sentinels: ExternalNode[];
  /** Primaries when it was found: the settled state has as many. */
  primaries: number;
  masterName: string;
}

/** "a:1,b:2" -> loopback addresses (refusing any other). */
export function parseNodeList(text: string): Address[] {
  const addresses = text.split(',').filter((a) => a.trim() !== '').map(parseLoopbackAddress);
  if (addresses.length === 0) throw new Error('--nodes takes host:port addresses, comma-separated');
  return addresses;
}

async function ask<T>(addresses: readonly Address[], what: string, question: (client: NodeClient) => Promise<T>): Promise<T> {
  const errors: string[] = [];
  for (const a of addresses) {
    const client = new NodeClient(a.host, a.port, DISCOVERY_TIMEOUT_MS);
    try {
      return await question(client);
    } catch (err) {
      if (!(err instanceof Error)) throw err;
      errors.push(`${a.host}:${a.port}: ${err.message}`);
    } finally {
      client.close();
    }
  }
  throw new Error(`no given node answered ${what} (${errors.join('; ')})`);
}

function loopbackOnly(address: string, source: string): Address {
  const colon = address.lastIndexOf(':');
  const host = address.slice(0, colon);
  if (!isLoopback(host)) throw new Error(`${source} lists ${address}, which is not a loopback address: chaos only targets loopback`);
  return { host, port: Number(address.slice(colon + 1)) };
}

export async function discoverTopology(kind: 'cluster' | 'sentinel', given: readonly Address[], masterName: string): Promise<GivenTopology> {
  if (kind === 'cluster') {
    const nodes: ClusterNodeState[] = await ask(given, 'CLUSTER NODES', async (c) => parseClusterNodes(await c.text('CLUSTER', 'NODES')));
    const servers = nodes.map((n) => {
      const a = loopbackOnly(n.address, 'CLUSTER NODES');
      return new ExternalNode(n.role, a.host, a.port);
    });
    const primaries = nodes.filter((n) => n.role === 'primary' && n.slots.length > 0).length;
    if (primaries === 0) throw new Error('the given cluster has no primary with slots');
    return { kind, servers, sentinels: [], primaries, masterName };
  }
  const master = await ask(given, `SENTINEL MASTER ${masterName}`, async (c) => {
    const reply = await c.call('SENTINEL', 'MASTER', masterName);
    if (reply.type === 'error') throw new Error(reply.text);
    return replyFields(reply);
  });
  const primary = loopbackOnly(`${master.ip}:${master.port}`, `SENTINEL MASTER ${masterName}`);
  const listed = async (sub: string): Promise<Address[]> => ask(given, `SENTINEL ${sub} ${masterName}`, async (c) => {
    const reply = await c.call('SENTINEL', sub, masterName);
    if (reply.type !== 'array') throw new Error(reply.type === 'error' ? reply.text : `unexpected ${reply.type} reply`);
    return reply.items.map((item) => {
      const f = replyFields(item);
      return loopbackOnly(`${f.ip}:${f.port}`, `SENTINEL ${sub} ${masterName}`);
    });
  });
  const replicas = await listed('REPLICAS');
  const others = await listed('SENTINELS');
  const sentinelAddresses = [...given];
  for (const s of others) {
    if (!sentinelAddresses.some((a) => a.host === s.host && a.port === s.port)) sentinelAddresses.push(s);
  }
  return {
    kind,
    servers: [new ExternalNode('primary', primary.host, primary.port), ...replicas.map((r) => new ExternalNode('replica', r.host, r.port))],
    sentinels: sentinelAddresses.map((s) => new ExternalNode('sentinel', s.host, s.port)),
    primaries: 1,
    masterName,
  };
}

/** The servers whose process cannot be found (no kill or pause for them), with the reason. */
export function unreachable(servers: readonly TopologyNode[]): string[] {
  return servers.flatMap((s) => (s instanceof ExternalNode && s.unreachableReason !== null ? [s.unreachableReason] : []));
}

/** CLUSTER NODES of the first server that answers, parsed. */
export async function clusterState(servers: readonly TopologyNode[]): Promise<ClusterNodeState[]> {
  return ask(servers.filter((s) => s.running), 'CLUSTER NODES', async (c) => parseClusterNodes(await c.text('CLUSTER', 'NODES')));
}
