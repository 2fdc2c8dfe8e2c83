// A chaos run: start a topology (cluster or sentinels), write to it with WAIT-acknowledged
// writes while injecting one fault at a time (kill -9 then restart, SIGSTOP then SIGCONT, a
// network partition then its heal), heal everything, wait for the topology to settle, and check
// every acknowledged write against the final state. Bounded in time: the run's duration, plus
// bounded heal and check phases. With partitions every node runs in a network namespace of its
// own (topology/netns.ts), or where namespaces cannot be made behind loopback relays this
// process owns (topology/relay.ts); the writers reach the nodes through the lab's bridge or
// relays, so a cut node is cut off from its peers and from the writers alike.

import { startCluster, type ClusterTopology } from '../topology/cluster.js';
import { chooseLab, cutHost, healHost, type PartitionMode } from '../topology/network.js';
import { startSentinels, type SentinelTopology } from '../topology/sentinels.js';
import type { TopologyNode } from '../topology/types.js';
import { waitUntil } from '../topology/wait.js';
import { abortableSleep } from './abortable-sleep.js';
import { SeededRandom } from './random.js';
import { RoleMonitor, type FailoverTime } from './roles.js';
import { ClusterRouter, SentinelRouter, type Router } from './router.js';
import { clusterState, type GivenTopology } from './given.js';
import { settle, type SettleTarget } from './settle.js';
import { Timeline } from './timeline.js';

export type FaultKind = 'kill' | 'pause' | 'partition';
export const FAULT_KINDS: readonly FaultKind[] = ['kill', 'pause', 'partition'];

export interface ChaosOptions {
  topology: 'cluster' | 'sentinel';
  durationMs: number;
  faults: FaultKind[];
  seed: number;
  /** Writers running at once, each on keys of its own. */
  writers?: number;
  /** Keys per writer. */
  keysPerWriter?: number;
  /** A redis-server compatible binary instead of cinnabar-server. */
  serverBinary?: string;
  /** A redis-sentinel compatible binary instead of cinnabar-sentinel. */
  sentinelBinary?: string;
  /** What runs, for the summary and the report ("cinnabar", "redis-server 7.0.15"). */
  label?: string;
  /** Consecutive ports from here instead of free ones (the cluster's bus ports and the sentinels' follow at +100). */
  basePort?: number;
  /** Partitions through network namespaces, loopback relays, or ('auto', the default) namespaces where they can be made. */
  partitionMode?: PartitionMode | 'auto';
  /** A topology someone else started, found by address (nothing is started, nothing stopped at the end). */
  given?: GivenTopology;
  /** Aborting ends the run early: everything it started is stopped, and the run rejects. */
  signal?: AbortSignal;
  out: (line: string) => void;
}

export interface ChaosResult {
  timeline: Timeline;
  topology: string;
  label: string;
  seed: number;
  /** The servers' addresses (a lane each in the report). */
  servers: string[];
  /** Where the nodes ran: their own network namespaces, behind loopback relays, or plain loopback (no partitions). */
  network: PartitionMode | 'loopback';
  faultsInjected: number;
  faultsByKind: Record<FaultKind, number>;
  failoversSeen: number;
  failoverTimes: FailoverTime[];
  writesAttempted: number;
  writesAcknowledged: number;
  keysChecked: number;
  lost: Array<{ key: string; acknowledged: number; found: string | null }>;
  settled: boolean;
}

/** cluster-node-timeout and sentinel down-after: how long a node may be silent before it is failed over. */
const NODE_TIMEOUT_MS = 2000;
const SETTLE_TIMEOUT_MS = 60_000;
/** How long the run waits for the failover of a killed primary before it restarts it anyway. */
const KILL_FAILOVER_WAIT_MS = 20_000;
/** Ports of the cluster bus and of the sentinels above a base port (keeps a run in 200 ports). */
const BASE_PORT_STRIDE = 100;

export async function runChaos(options: ChaosOptions): Promise<ChaosResult> {
  const random = new SeededRandom(options.seed);
  const timeline = new Timeline();
  const out = options.out;
  const label = options.label ?? 'cinnabar';
  const sleep = abortableSleep(options.signal);
  const aborted = (): boolean => options.signal?.aborted === true;
  if (options.given !== undefined && options.faults.includes('partition')) {
    throw new Error('partitions need nodes chaos started (in its namespaces or behind its relays): not possible against a topology given by address');
  }
  const lab = options.faults.includes('partition') ? chooseLab(options.partitionMode ?? 'auto') : null;
  if (options.given === undefined) {
    out(`starting a ${options.topology} topology of ${label} (seed ${options.seed}${lab === null ? '' : `, ${lab.description}`})`);
  } else {
    out(`a ${options.topology} topology given by address (seed ${options.seed}): ${options.given.servers.length} servers${options.given.sentinels.length === 0 ? '' : `, ${options.given.sentinels.length} sentinels`}`);
  }
  const common = {
    network: lab ?? undefined, serverBinary: options.serverBinary, sentinelBinary: options.sentinelBinary,
    basePort: options.basePort, signal: options.signal,
  };
  /** Nodes cut off right now: not asked for the slot map. */
  const cut = new Set<string>();
  let topology: ClusterTopology | SentinelTopology | null = null;
  let router: Router | null = null;
  let monitor: RoleMonitor | null = null;
  let writing = true;
  let writers: Array<Promise<void>> = [];
  try {
    let servers: TopologyNode[];
    let nodes: readonly TopologyNode[];
    let whole: SettleTarget;
    const given = options.given;
    if (given !== undefined) {
      servers = [...given.servers];
      nodes = [...given.servers, ...given.sentinels];
      if (given.kind === 'cluster') {
        router = new ClusterRouter(() => given.servers.filter((n) => n.running));
        whole = { kind: 'cluster', primaries: given.primaries, state: () => clusterState(given.servers) };
      } else {
        router = new SentinelRouter(() => given.sentinels, given.masterName);
        whole = { kind: 'sentinel', sentinels: given.sentinels, masterName: given.masterName };
      }
      // Someone else's topology may be mid-failover: the run starts from a whole one.
      await settle(whole, servers, SETTLE_TIMEOUT_MS, options.signal).catch((err: Error) => {
        throw new Error(`the given topology is not whole: ${err.message}`);
      });
    } else if (options.topology === 'cluster') {
      const cluster = await startCluster({ ...common, primaries: 3, replicasPerPrimary: 1, nodeTimeoutMs: NODE_TIMEOUT_MS, busPortOffset: BASE_PORT_STRIDE });
      topology = cluster;
      servers = [...cluster.nodes];
      nodes = cluster.nodes;
      router = new ClusterRouter(() => cluster.nodes.filter((n) => n.running && !cut.has(n.address)));
      whole = { kind: 'cluster', primaries: 3, state: () => cluster.state() };
    } else {
      const s = await startSentinels({
        ...common, replicas: 2, sentinels: 3, downAfterMs: NODE_TIMEOUT_MS, failoverTimeoutMs: 10_000, sentinelPortOffset: BASE_PORT_STRIDE,
      });
      topology = s;
      servers = [s.primaryNode, ...s.replicaNodes];
      nodes = s.nodes;
      router = new SentinelRouter(() => s.sentinelNodes.filter((n) => n.running), s.masterName);
      whole = { kind: 'sentinel', sentinels: s.sentinelNodes, masterName: s.masterName };
    }
    const activeRouter = router;
    await activeRouter.refresh();
    timeline.add('note', '-', `${options.topology} of ${label} ready: ${nodes.map((n) => `${n.role} ${n.address}`).join(', ')}`);
    out(`ready; running ${options.durationMs / 1000} s of writes with faults: ${options.faults.join(',') || 'none'}`);

    const roles = new RoleMonitor(servers, timeline, sleep);
    monitor = roles;
    roles.start();

    // Writers: SET then WAIT 1 on the same connection; acknowledged = a replica has it.
    const acknowledged = new Map<string, number>();
    let attempted = 0;
    // Keys of this run only: a value left by an earlier run on the same topology would hide a loss.
    const runId = `${Date.now().toString(36)}${options.seed.toString(36)}`;
    const writerCount = options.writers ?? 4;
    const keysPerWriter = options.keysPerWriter ?? 200;
    writers = Array.from({ length: writerCount }, async (_, w) => {
      for (let seq = 1; writing; seq++) {
        const key = `chaos:${runId}:${w}:${seq % keysPerWriter}`;
        const client = activeRouter.primaryFor(key);
        if (client === null) {
          await activeRouter.refresh();
          await sleep(50);
          continue;
        }
        attempted++;
        const node = `${client.host}:${client.port}`;
        try {
          const set = await client.call('SET', key, String(seq));
          if (set.type === 'error') {
            timeline.write(node, 'failed');
            await activeRouter.refresh();
            await sleep(50);
            continue;
          }
          const wait = await client.call('WAIT', '1', '500');
          if (wait.type === 'integer' && wait.value >= 1) {
            acknowledged.set(key, seq);
            timeline.write(node, 'acked');
          } else {
            timeline.write(node, 'unacked');
          }
        } catch (err) {
          if (!(err instanceof Error)) throw err;
          timeline.write(node, 'failed');
          await activeRouter.refresh();
          await sleep(100);
        }
      }
    });

    // Faults, one at a time, until the duration is over. Every random draw happens whatever the
    // servers do, so the same seed gives the same sequence of kinds, targets and holds (against
    // cinnabar and against redis alike).
    const faultsByKind: Record<FaultKind, number> = { kill: 0, pause: 0, partition: 0 };
    let faultsInjected = 0;
    const deadline = Date.now() + options.durationMs;
    await sleep(Math.min(2000, options.durationMs / 4));
    while (options.faults.length > 0 && Date.now() + 3000 < deadline && !aborted()) {
      const kind = random.pick(options.faults);
      const target = servers[random.int(0, servers.length - 1)];
      const holdMs = kind === 'partition' ? random.int(1000, 8000) : kind === 'pause' ? random.int(500, 4000) : random.int(500, 2000);
      const afterMs = random.int(500, 2000);
      const what = roles.role(target) === 'master' ? 'primary' : 'replica';
      faultsInjected++;
      faultsByKind[kind]++;
      if (kind === 'kill') {
        const text = `kill -9 (${what})`;
        timeline.add('fault', target.address, text);
        roles.faultStarted(text);
        out(`fault ${faultsInjected}: kill -9 ${what} ${target.address}`);
        const seen = roles.failoversSeen;
        await target.kill('SIGKILL');
        // A killed primary comes back only after its replica took over (else it would return
        // empty, without persistence, and be the primary of nothing yet keep its slots).
        if (what === 'primary') {
          await waitUntil(async () => roles.failoversSeen > seen || aborted(), KILL_FAILOVER_WAIT_MS, 'a failover')
            .catch((err: Error) => timeline.add('note', target.address, err.message));
        } else {
          await sleep(holdMs);
        }
        if (aborted()) break;
        await target.restart();
        timeline.add('heal', target.address, 'restarted');
      } else if (kind === 'pause') {
        const text = `SIGSTOP (${what}) for ${holdMs} ms`;
        timeline.add('fault', target.address, text);
        roles.faultStarted(text);
        out(`fault ${faultsInjected}: SIGSTOP ${what} ${target.address} for ${holdMs} ms`);
        target.signal('SIGSTOP');
        await sleep(holdMs);
        target.signal('SIGCONT');
        timeline.add('heal', target.address, 'SIGCONT');
      } else {
        const host = target.labHost;
        if (lab === null || host === null) throw new Error(`${target.address} is not in a network lab: partitions need one`);
        const text = `partition (${what}) for ${holdMs} ms`;
        timeline.add('fault', target.address, text);
        roles.faultStarted(text);
        out(`fault ${faultsInjected}: partition ${what} ${target.address} for ${holdMs} ms`);
        cut.add(target.address);
        cutHost(lab, host);
        await sleep(holdMs);
        healHost(lab, host);
        cut.delete(target.address);
        timeline.add('heal', target.address, 'partition healed');
      }
      if (aborted()) break;
      await settle(whole, servers, Math.max(5000, Math.min(SETTLE_TIMEOUT_MS, deadline - Date.now())), options.signal)
        .catch((err: Error) => timeline.add('note', '-', `not settled after the fault: ${err.message}`));
      await sleep(afterMs);
    }
    const rest = deadline - Date.now();
    if (rest > 0) await sleep(rest);
    writing = false;
    await Promise.all(writers);
    if (aborted()) throw new Error('the chaos run was interrupted');

    // Heal everything and let the topology settle before the check.
    for (const n of servers) {
      if (n.labHost !== null && lab !== null) healHost(lab, n.labHost);
      if (!n.running) await n.restart();
      n.signal('SIGCONT');
    }
    cut.clear();
    let settled = true;
    await settle(whole, servers, SETTLE_TIMEOUT_MS).catch((err: Error) => {
      settled = false;
      timeline.add('note', '-', `not settled before the check: ${err.message}`);
    });
    await roles.stop();
    await activeRouter.refresh();

    // Every acknowledged write must be there with its value or a later one of the same writer.
    const lost: ChaosResult['lost'] = [];
    for (const [key, seq] of acknowledged) {
      let found: string | null = null;
      for (let attempt = 0; attempt < 5; attempt++) {
        const client = activeRouter.primaryFor(key);
        try {
          const reply = client === null ? null : await client.call('GET', key);
          if (reply !== null && reply.type === 'bulk') found = reply.text;
          if (reply !== null && reply.type !== 'error') break;
        } catch (err) {
          if (!(err instanceof Error)) throw err;
        }
        await activeRouter.refresh();
        await sleep(200);
      }
      if (found === null || Number(found) < seq) lost.push({ key, acknowledged: seq, found });
    }
    timeline.add('check', '-', `${acknowledged.size} keys checked, ${lost.length} acknowledged writes lost`);
    const writesAcknowledged = [...timeline.writes.values()].reduce((sum, perNode) => sum + [...perNode.values()].reduce((s, b) => s + b.acked, 0), 0);
    return {
      timeline, topology: options.topology, label, seed: options.seed, servers: servers.map((n) => n.address), network: lab === null ? 'loopback' : lab.mode,
      faultsInjected, faultsByKind, failoversSeen: roles.failoversSeen, failoverTimes: roles.failoverTimes,
      writesAttempted: attempted, writesAcknowledged, keysChecked: acknowledged.size, lost, settled,
    };
  } finally {
    writing = false;
    await Promise.all(writers);
    await monitor?.stop();
    router?.close();
    await topology?.close();
    // After the nodes: a namespace stays while a process runs in it.
    lab?.remove();
  }
}
