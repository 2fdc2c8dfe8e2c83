// A chaos run: start a topology (cluster or sentinels), write to it with WAIT-acknowledged
// writes while injecting one fault at a time (kill -9 then restart, SIGSTOP then SIGCONT), heal
// everything, wait for the topology to settle, and check every acknowledged write against the
// final state. Bounded in time: the run's duration, plus bounded heal and check phases.

import { NodeClient, parseInfo } from '../topology/node-client.js';
import { startCluster, type ClusterTopology } from '../topology/cluster.js';
import { startSentinels, type SentinelTopology } from '../topology/sentinels.js';
import type { TopologyNode } from '../topology/types.js';
import { waitUntil } from '../topology/wait.js';
import { SeededRandom } from './random.js';
import { ClusterRouter, SentinelRouter, type Router } from './router.js';
import { Timeline } from './timeline.js';

export type FaultKind = 'kill' | 'pause';
export const FAULT_KINDS: readonly FaultKind[] = ['kill', 'pause'];

export interface ChaosOptions {
  topology: 'cluster' | 'sentinel';
  durationMs: number;
  faults: FaultKind[];
  seed: number;
  /** Writers running at once, each on keys of its own. */
  writers?: number;
  /** Keys per writer. */
  keysPerWriter?: number;
  out: (line: string) => void;
}

export interface ChaosResult {
  timeline: Timeline;
  topology: string;
  seed: number;
  faultsInjected: number;
  failoversSeen: number;
  writesAttempted: number;
  writesAcknowledged: number;
  keysChecked: number;
  lost: Array<{ key: string; acknowledged: number; found: string | null }>;
  settled: boolean;
}

/** How long a fault holds at most, and how long the topology gets to settle after each. */
const NODE_TIMEOUT_MS = 2000;
const SETTLE_TIMEOUT_MS = 60_000;
const ROLE_POLL_MS = 250;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function runChaos(options: ChaosOptions): Promise<ChaosResult> {
  const random = new SeededRandom(options.seed);
  const timeline = new Timeline();
  const out = options.out;
  out(`starting a ${options.topology} topology (seed ${options.seed})`);
  let topology: ClusterTopology | SentinelTopology;
  let router: Router;
  let servers: TopologyNode[];
  if (options.topology === 'cluster') {
    const cluster = await startCluster({ primaries: 3, replicasPerPrimary: 1, nodeTimeoutMs: NODE_TIMEOUT_MS });
    topology = cluster;
    servers = [...cluster.nodes];
    router = new ClusterRouter(() => cluster.nodes.filter((n) => n.running));
  } else {
    const s = await startSentinels({ replicas: 2, sentinels: 3, downAfterMs: NODE_TIMEOUT_MS, failoverTimeoutMs: 10_000 });
    topology = s;
    servers = [s.primaryNode, ...s.replicaNodes];
    router = new SentinelRouter(() => s.sentinelNodes.filter((n) => n.running), s.masterName);
  }
  const monitors = new Map(servers.map((n) => [n.address, new NodeClient(n.host, n.port, 1000)]));
  try {
    await router.refresh();
    timeline.add('note', '-', `${options.topology} ready: ${topology.nodes.map((n) => `${n.role} ${n.address}`).join(', ')}`);
    out(`ready; running ${options.durationMs / 1000} s of writes with faults: ${options.faults.join(',') || 'none'}`);

    // Roles as each server reports them (ROLE), recorded when they change.
    const roles = new Map<string, string>();
    let failoversSeen = 0;
    let monitoring = true;
    const monitor = (async () => {
      while (monitoring) {
        await Promise.all(servers.map(async (n) => {
          if (!n.running) return;
          try {
            const reply = await monitors.get(n.address)!.call('ROLE');
            if (reply.type !== 'array' || reply.items[0]?.type !== 'bulk') return;
            const role = reply.items[0].text;
            const before = roles.get(n.address);
            if (before !== role) {
              roles.set(n.address, role);
              if (before !== undefined) {
                timeline.add('role', n.address, `${before} -> ${role}`);
                if (role === 'master') failoversSeen++;
              }
            }
          } catch (err) {
            // Killed or paused: its role is unknown until it answers again.
            if (!(err instanceof Error)) throw err;
          }
        }));
        await sleep(ROLE_POLL_MS);
      }
    })();

    // Writers: SET then WAIT 1 on the same connection; acknowledged = a replica has it.
    const acknowledged = new Map<string, number>();
    let attempted = 0;
    let writing = true;
    const writerCount = options.writers ?? 4;
    const keysPerWriter = options.keysPerWriter ?? 200;
    const writers = Array.from({ length: writerCount }, async (_, w) => {
      for (let seq = 1; writing; seq++) {
        const key = `chaos:${w}:${seq % keysPerWriter}`;
        const client = router.primaryFor(key);
        if (client === null) {
          await router.refresh();
          await sleep(50);
          continue;
        }
        attempted++;
        const node = `${client.host}:${client.port}`;
        try {
          const set = await client.call('SET', key, String(seq));
          if (set.type === 'error') {
            timeline.write(node, 'failed');
            await router.refresh();
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
          await router.refresh();
          await sleep(100);
        }
      }
    });

    // Faults, one at a time, until the duration is over.
    let faultsInjected = 0;
    const deadline = Date.now() + options.durationMs;
    await sleep(Math.min(2000, options.durationMs / 4));
    while (options.faults.length > 0 && Date.now() + 3000 < deadline) {
      const kind = random.pick(options.faults);
      const target = random.pick(servers.filter((n) => n.running));
      faultsInjected++;
      if (kind === 'kill') {
        const wasPrimary = roles.get(target.address) === 'master';
        timeline.add('fault', target.address, `kill -9 (${wasPrimary ? 'primary' : 'replica'})`);
        out(`fault ${faultsInjected}: kill -9 ${target.address}`);
        await target.kill('SIGKILL');
        // A killed primary comes back only after its replica took over (else it would return
        // empty, without persistence, and be the primary of nothing yet keep its slots).
        if (wasPrimary) {
          const seen = failoversSeen;
          await waitUntil(async () => failoversSeen > seen, 20_000, 'a failover')
            .catch((err: Error) => timeline.add('note', target.address, err.message));
        } else {
          await sleep(random.int(500, 2000));
        }
        await target.restart();
        timeline.add('heal', target.address, 'restarted');
      } else {
        const holdMs = random.int(500, 4000);
        timeline.add('fault', target.address, `SIGSTOP for ${holdMs} ms`);
        out(`fault ${faultsInjected}: SIGSTOP ${target.address} for ${holdMs} ms`);
        target.signal('SIGSTOP');
        await sleep(holdMs);
        target.signal('SIGCONT');
        timeline.add('heal', target.address, 'SIGCONT');
      }
      await settle(topology, options.topology, servers, Math.max(5000, Math.min(SETTLE_TIMEOUT_MS, deadline - Date.now())))
        .catch((err: Error) => timeline.add('note', '-', `not settled after the fault: ${err.message}`));
      await sleep(random.int(500, 2000));
    }
    const rest = deadline - Date.now();
    if (rest > 0) await sleep(rest);
    writing = false;
    await Promise.all(writers);

    // Heal everything and let the topology settle before the check.
    for (const n of servers) {
      if (!n.running) await n.restart();
      n.signal('SIGCONT');
    }
    let settled = true;
    await settle(topology, options.topology, servers, SETTLE_TIMEOUT_MS).catch((err: Error) => {
      settled = false;
      timeline.add('note', '-', `not settled before the check: ${err.message}`);
    });
    monitoring = false;
    await monitor;
    await router.refresh();

    // Every acknowledged write must be there with its value or a later one of the same writer.
    const lost: ChaosResult['lost'] = [];
    for (const [key, seq] of acknowledged) {
      let found: string | null = null;
      for (let attempt = 0; attempt < 5; attempt++) {
        const client = router.primaryFor(key);
        try {
          const reply = client === null ? null : await client.call('GET', key);
          if (reply !== null && reply.type === 'bulk') found = reply.text;
          if (reply !== null && reply.type !== 'error') break;
        } catch (err) {
          if (!(err instanceof Error)) throw err;
        }
        await router.refresh();
        await sleep(200);
      }
      if (found === null || Number(found) < seq) lost.push({ key, acknowledged: seq, found });
    }
    timeline.add('check', '-', `${acknowledged.size} keys checked, ${lost.length} acknowledged writes lost`);
    const writesAcknowledged = [...timeline.writes.values()].reduce((sum, perNode) => sum + [...perNode.values()].reduce((s, b) => s + b.acked, 0), 0);
    return {
      timeline, topology: options.topology, seed: options.seed, faultsInjected, failoversSeen,
      writesAttempted: attempted, writesAcknowledged, keysChecked: acknowledged.size, lost, settled,
    };
  } finally {
    router.close();
    for (const m of monitors.values()) m.close();
    await topology.close();
  }
}

/** Waits until the topology is whole again: every node up, roles agreed, replicas linked. */
async function settle(topology: ClusterTopology | SentinelTopology, kind: 'cluster' | 'sentinel', servers: TopologyNode[], timeoutMs: number): Promise<void> {
  const clients = servers.map((n) => new NodeClient(n.host, n.port, 1000));
  try {
    await waitUntil(async () => {
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
      if (kind === 'cluster') {
        const cluster = topology as ClusterTopology;
        const state = await cluster.state();
        if (state.some((n) => n.flags.includes('fail') || n.flags.includes('fail?'))) return false;
        return primaries === 3;
      }
      const s = topology as SentinelTopology;
      const named = new Set<string>();
      for (const sentinel of s.sentinelNodes) {
        const client = new NodeClient(sentinel.host, sentinel.port, 1000);
        try {
          const reply = await client.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', s.masterName);
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
