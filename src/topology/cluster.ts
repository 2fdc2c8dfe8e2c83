// startCluster: cinnabar-server processes in cluster mode joined the way `redis-cli --cluster
// create` joins them (distinct config epochs, CLUSTER MEET to the first node, ADDSLOTSRANGE with
// redis-cli's split of the 16384 slots, CLUSTER REPLICATE once every node knows every other),
// resolved when cluster_state is ok on every node, all slots are covered, every node sees the
// same roles, and every replica's link to its primary is up.

import type { NetworkHost } from './network.js';
import { NodeClient, parseInfo } from './node-client.js';
import { TopologyBase, type TopologyMember } from './topology.js';
import type { Address, NodeRole, RunningTopology, TopologyNode, TopologyOptions } from './types.js';
import { waitUntil } from './wait.js';

export const CLUSTER_SLOTS = 16384;
/** Redis's default distance between a node's port and its bus port. */
export const BUS_PORT_OFFSET = 10_000;

export interface ClusterOptions extends TopologyOptions {
  /** Primaries, which share the slots (default 3). */
  primaries?: number;
  /** Replicas of each primary (default 1). */
  replicasPerPrimary?: number;
  /** `cluster-node-timeout` (default 5000: faster failovers than Redis's 15 s, for tests). */
  nodeTimeoutMs?: number;
  /** With a base port: bus port = port + this (default Redis's 10000). */
  busPortOffset?: number;
}

/** One row of CLUSTER NODES as the first node sees it. */
export interface ClusterNodeState {
  id: string;
  role: 'primary' | 'replica';
  address: string;
  /** The primary's node id for a replica, else null. */
  primaryId: string | null;
  /** Slot ranges, inclusive, as [first, last]. */
  slots: Array<[number, number]>;
  flags: string[];
}

export interface ClusterNode extends TopologyNode {
  readonly busPort: number;
}

export interface ClusterTopology extends RunningTopology {
  readonly nodes: readonly ClusterNode[];
  /** Addresses of every node, for a cluster client's startup nodes. */
  readonly startupNodes: Address[];
  /** CLUSTER NODES of a running node, parsed (the current roles, after failovers too). */
  state(): Promise<ClusterNodeState[]>;
}

/** redis-cli's split of the slots among `primaries` (float arithmetic as its C code has it). */
export function slotRanges(primaries: number): Array<[number, number]> {
  const perNode = Math.fround(CLUSTER_SLOTS / primaries);
  const ranges: Array<[number, number]> = [];
  let first = 0;
  let cursor = 0;
  for (let i = 0; i < primaries; i++) {
    // C's lround: halves away from zero (the operand is never negative here).
    let last = Math.floor(Math.fround(cursor + perNode - 1) + 0.5);
    if (last > CLUSTER_SLOTS || i === primaries - 1) last = CLUSTER_SLOTS - 1;
    if (last < first) last = first;
    ranges.push([first, last]);
    first = last + 1;
    cursor = Math.fround(cursor + perNode);
  }
  return ranges;
}

/** CLUSTER NODES text, parsed. */
export function parseClusterNodes(text: string): ClusterNodeState[] {
  const out: ClusterNodeState[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const parts = line.trim().split(' ');
    const flags = parts[2].split(',');
    const slots: Array<[number, number]> = [];
    for (const s of parts.slice(8)) {
      // Importing/migrating markers ([slot->-id]) are not ownership.
      if (s.startsWith('[')) continue;
      const [a, b] = s.split('-');
      slots.push([Number(a), Number(b ?? a)]);
    }
    out.push({
      id: parts[0],
      address: parts[1].split('@')[0].split(',')[0],
      role: flags.includes('slave') ? 'replica' : 'primary',
      primaryId: parts[3] === '-' ? null : parts[3],
      slots,
      flags,
    });
  }
  return out;
}

class ClusterMember implements ClusterNode {
  constructor(private readonly member: TopologyMember, readonly busPort: number) {}
  get role(): NodeRole { return this.member.role; }
  get host(): string { return this.member.host; }
  get port(): number { return this.member.port; }
  get address(): string { return this.member.address; }
  get dir(): string { return this.member.dir; }
  get logFile(): string { return this.member.logFile; }
  get pid(): number | null { return this.member.pid; }
  get running(): boolean { return this.member.running; }
  signal(signal: NodeJS.Signals): void { this.member.signal(signal); }
  kill(signal?: NodeJS.Signals): Promise<void> { return this.member.kill(signal); }
  restart(): Promise<void> { return this.member.restart(); }
  get labHost(): NetworkHost | null { return this.member.labHost; }
  get client(): NodeClient { return this.member.process.client; }
}

export async function startCluster(options: ClusterOptions = {}): Promise<ClusterTopology> {
  const primaries = options.primaries ?? 3;
  const replicasEach = options.replicasPerPrimary ?? 1;
  if (!Number.isInteger(primaries) || primaries < 1 || primaries > CLUSTER_SLOTS) throw new Error(`primaries must be a whole number from 1 to ${CLUSTER_SLOTS}, not ${primaries}`);
  if (!Number.isInteger(replicasEach) || replicasEach < 0) throw new Error(`replicasPerPrimary must be a whole number >= 0, not ${replicasEach}`);
  const total = primaries * (1 + replicasEach);
  const topology = new TopologyBase(options);
  return topology.forming(async () => {
    const ports = await topology.ports(total);
    let busPorts: number[];
    if (options.basePort !== undefined) {
      busPorts = ports.map((p) => p + (options.busPortOffset ?? BUS_PORT_OFFSET));
      await topology.refuseBusy(busPorts);
    } else {
      busPorts = await topology.ports(total);
      // The kernel may hand a released port out again: a bus port must not be a node's port.
      while (busPorts.some((b) => ports.includes(b))) busPorts = await topology.ports(total);
    }
    const members = await topology.startAll(ports.map((port, i) => ({
      role: i < primaries ? 'primary' as const : 'replica' as const,
      kind: 'server' as const,
      port,
      busPort: busPorts[i],
      args: (dir: string, host: string) => [...topology.serverArgs(host, port, dir), '--cluster-enabled', 'yes', '--cluster-port', String(busPorts[i]),
        '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', String(options.nodeTimeoutMs ?? 5000)],
    })));
    const nodes = members.map((m, i) => new ClusterMember(m, busPorts[i]));
    if (await alreadyFormed(nodes, primaries, total)) {
      topology.progress('the nodes already form this cluster (from their nodes.conf)');
    } else {
      await form(topology, nodes, primaries, replicasEach);
    }
    topology.progress('waiting for cluster_state:ok on every node and the replicas in sync');
    await waitUntil(() => ready(nodes, total, primaries), topology.readyTimeoutMs, 'cluster_state:ok on every node, all slots covered, replicas in sync');
    return {
      nodes,
      startupNodes: nodes.map((n) => ({ host: n.host, port: n.port })),
      close: (closeOptions) => topology.close(closeOptions),
      state: async () => {
        for (const n of nodes) {
          if (!n.running) continue;
          try {
            return parseClusterNodes(await n.client.text('CLUSTER', 'NODES'));
          } catch (err) {
            // A paused or partitioned node: ask the next one.
            if (n === nodes[nodes.length - 1]) throw err;
          }
        }
        throw new Error('no node of the cluster is running');
      },
    };
  });
}

/**
 * With a kept directory the nodes may come back from their nodes.conf already joined: then
 * nothing is to be done. A directory holding some other cluster is refused rather than mixed.
 */
async function alreadyFormed(nodes: ClusterMember[], primaries: number, total: number): Promise<boolean> {
  let fresh = 0;
  for (const n of nodes) {
    const info = parseInfo(await n.client.text('CLUSTER', 'INFO'));
    const known = Number(info.get('cluster_known_nodes'));
    const assigned = Number(info.get('cluster_slots_assigned'));
    if (known === 1 && assigned === 0) fresh++;
    else if (known !== total || (assigned !== 0 && assigned !== CLUSTER_SLOTS)) {
      throw new Error(`${n.address} already belongs to another cluster (${known} nodes, ${assigned} slots in ${n.dir}/nodes.conf): use an empty directory`);
    }
  }
  if (fresh === nodes.length) return false;
  if (fresh !== 0) throw new Error('some nodes already belong to a cluster and others do not: use an empty directory');
  const formed = parseClusterNodes(await nodes[0].client.text('CLUSTER', 'NODES'));
  if (formed.filter((n) => n.role === 'primary' && n.slots.length > 0).length !== primaries) {
    throw new Error(`the nodes' cluster does not have ${primaries} primaries: use an empty directory`);
  }
  return true;
}

async function form(topology: TopologyBase, nodes: ClusterMember[], primaries: number, replicasEach: number): Promise<void> {
  const ranges = slotRanges(primaries);
  topology.progress(`assigning slots: ${ranges.map(([a, b], i) => `${nodes[i].address} ${a}-${b}`).join(', ')}`);
  for (let i = 0; i < primaries; i++) await nodes[i].client.text('CLUSTER', 'ADDSLOTSRANGE', String(ranges[i][0]), String(ranges[i][1]));
  // Distinct config epochs, so no epoch collision has to be resolved while the nodes meet.
  for (let i = 0; i < nodes.length; i++) await nodes[i].client.text('CLUSTER', 'SET-CONFIG-EPOCH', String(i + 1));
  topology.progress(`joining ${nodes.length} nodes (CLUSTER MEET ${nodes[0].address})`);
  const first = nodes[0];
  for (const n of nodes.slice(1)) await n.client.text('CLUSTER', 'MEET', first.host, String(first.port), String(first.busPort));
  const ids = await Promise.all(nodes.map((n) => n.client.text('CLUSTER', 'MYID')));
  await waitUntil(async () => {
    for (const n of nodes) {
      const seen = parseClusterNodes(await n.client.text('CLUSTER', 'NODES'));
      if (seen.length !== nodes.length || seen.some((s) => s.flags.includes('handshake') || s.flags.includes('noaddr'))) return false;
      if (!ids.every((id) => seen.some((s) => s.id === id))) return false;
    }
    return true;
  }, topology.readyTimeoutMs, 'every node to know every other node');
  if (replicasEach > 0) topology.progress('attaching replicas (CLUSTER REPLICATE)');
  for (let p = 0; p < primaries; p++) {
    for (let r = 0; r < replicasEach; r++) {
      const replica = nodes[primaries + p * replicasEach + r];
      await replica.client.text('CLUSTER', 'REPLICATE', ids[p]);
    }
  }
}

async function ready(nodes: ClusterMember[], total: number, primaries: number): Promise<boolean> {
  let reference: string | null = null;
  for (const n of nodes) {
    const info = parseInfo(await n.client.text('CLUSTER', 'INFO'));
    if (info.get('cluster_state') !== 'ok' || info.get('cluster_slots_assigned') !== String(CLUSTER_SLOTS)) return false;
    if (info.get('cluster_known_nodes') !== String(total)) return false;
    // Every node sees the same roles and primaries (the replicas are known everywhere).
    const parsed = parseClusterNodes(await n.client.text('CLUSTER', 'NODES'));
    if (parsed.filter((s) => s.role === 'replica').length !== total - primaries) return false;
    const view = parsed
      .map((s) => `${s.id}:${s.role}:${s.primaryId ?? '-'}:${s.flags.includes('fail') || s.flags.includes('fail?') ? 'fail' : 'ok'}`)
      .sort().join(' ');
    if (view.includes(':fail')) return false;
    if (reference === null) reference = view;
    else if (view !== reference) return false;
    const repl = await n.client.info('replication');
    if (repl.get('role') === 'slave' && (repl.get('master_link_status') !== 'up' || repl.get('master_sync_in_progress') !== '0')) return false;
  }
  return true;
}
