// `cinnabar chaos --nodes ...`: a topology started by someone else (here the project's fixtures,
// in this test process) is found by address, written to and faulted: kill -9 finds the node's
// process from its port and restarts it with its own command line and directory, SIGSTOP and
// SIGCONT reach it; the run ends with `acknowledged writes lost: 0` and leaves the topology
// whole and running. Only loopback targets are accepted, and partitions are refused there.

import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { startCluster } from '../../src/topology/cluster.js';
import { NodeClient, parseInfo } from '../../src/topology/node-client.js';
import { listeningPid } from '../../src/topology/proc-net.js';
import { startSentinels } from '../../src/topology/sentinels.js';
import type { RunningTopology, TopologyNode } from '../../src/topology/types.js';
import { UMBRELLA_CLI, processRunning, run, type Proc } from '../helpers/process.js';
import { waitFor } from '../helpers/wait.js';

const started: Proc[] = [];
const topologies: RunningTopology[] = [];
/** Nodes chaos restarted: their processes are no longer the fixture's children. */
const restarted: number[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((p) => p.kill()));
  for (const pid of restarted.splice(0)) {
    if (processRunning(pid)) process.kill(pid, 'SIGKILL');
  }
  await Promise.all(topologies.splice(0).map((t) => t.close()));
});

function chaos(args: string[]): Proc {
  const proc = run(process.execPath, [UMBRELLA_CLI, 'chaos', ...args]);
  started.push(proc);
  return proc;
}

/** Each node's process now, by its port; the ones that are not the fixture's are chaos's restarts. */
function collectRestarted(nodes: readonly TopologyNode[], originalPids: ReadonlyMap<string, number>): string[] {
  const moved: string[] = [];
  for (const n of nodes) {
    const pid = listeningPid(n.host, n.port);
    if (pid !== null && pid !== originalPids.get(n.address)) {
      restarted.push(pid);
      moved.push(n.address);
      // Started again as it was started: the same command line.
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      expect(argv).toContain(`--port\0${n.port}\0`);
    }
  }
  return moved;
}

function pidsOf(nodes: readonly TopologyNode[]): Map<string, number> {
  return new Map(nodes.flatMap((n) => (n.pid === null ? [] : [[n.address, n.pid] as [string, number]])));
}

describe('cinnabar chaos --nodes (a topology given by address)', () => {
  it('a cluster from one seed: kill -9 and restart by command line, no acknowledged write lost, the cluster whole after', async () => {
    const cluster = await startCluster({ primaries: 3, replicasPerPrimary: 1, nodeTimeoutMs: 2000 });
    topologies.push(cluster);
    const original = pidsOf(cluster.nodes);
    const seed = cluster.nodes[0];
    const proc = chaos(['--topology', 'cluster', '--nodes', `localhost:${seed.port}`, '--duration', '20', '--faults', 'kill', '--seed', '3']);
    const exit = await proc.waitExit(180_000);
    expect(proc.stdout).toMatch(/^a cluster topology given by address \(seed 3\): 6 servers$/m);
    expect(proc.stdout).toMatch(/^fault 1: kill -9 (primary|replica) 127\.0\.0\.1:\d+$/m);
    const kills = Number(/^faults injected: (\d+) \(\1 kill\)$/m.exec(proc.stdout)?.[1] ?? 0);
    expect(kills, proc.output).toBeGreaterThan(0);
    expect(proc.stdout).toMatch(/^writes attempted: \d+, acknowledged: [1-9]\d*, keys checked: [1-9]\d*$/m);
    expect(proc.stdout.trim().split('\n').at(-1), proc.output).toBe('acknowledged writes lost: 0');
    expect(exit.code).toBe(0);
    // Every killed node runs again (a node killed twice counts once), as its owner started it.
    const moved = collectRestarted(cluster.nodes, original);
    expect(moved.length).toBeGreaterThan(0);
    expect(moved.length).toBeLessThanOrEqual(kills);
    for (const n of cluster.nodes) {
      const client = new NodeClient(n.host, n.port);
      try {
        expect(parseInfo(await client.text('CLUSTER', 'INFO')).get('cluster_state')).toBe('ok');
      } finally {
        client.close();
      }
    }
  }, 300_000);

  it('sentinels by address: pause and kill faults on the servers they watch, no acknowledged write lost', async () => {
    const s = await startSentinels({ replicas: 2, sentinels: 3, downAfterMs: 2000, failoverTimeoutMs: 10_000 });
    topologies.push(s);
    const original = pidsOf(s.nodes);
    // One sentinel is enough: the others are found through it.
    const proc = chaos(['--topology', 'sentinel', '--nodes', `127.0.0.1:${s.sentinels[0].port}`, '--master-name', s.masterName,
      '--duration', '20', '--faults', 'kill,pause', '--seed', '8']);
    const exit = await proc.waitExit(180_000);
    expect(proc.stdout).toMatch(/^a sentinel topology given by address \(seed 8\): 3 servers, 3 sentinels$/m);
    expect(proc.stdout).toMatch(/^faults injected: [1-9]\d* \((\d+ (kill|pause)(, )?)+\)$/m);
    expect(proc.stdout.trim().split('\n').at(-1), proc.output).toBe('acknowledged writes lost: 0');
    expect(exit.code).toBe(0);
    collectRestarted(s.nodes, original);
    // Whole after the run: every server answers and the sentinels agree on a primary that says so.
    await waitFor(async () => {
      const client = new NodeClient(s.sentinels[0].host, s.sentinels[0].port);
      try {
        const reply = await client.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', s.masterName);
        return reply.type === 'array' && reply.items.length === 2;
      } finally {
        client.close();
      }
    }, 10_000, 'the sentinels to name a primary');
  }, 300_000);

  it('refuses targets that are not loopback, partitions, and options that start a topology', async () => {
    const remote = chaos(['--nodes', '10.1.2.3:7000']);
    expect((await remote.waitExit(30_000)).code).toBe(1);
    expect(remote.stderr).toContain('chaos only targets loopback addresses, and 10.1.2.3:7000 is not one');
    const partition = chaos(['--nodes', '127.0.0.1:7000', '--faults', 'kill,partition']);
    expect((await partition.waitExit(30_000)).code).toBe(1);
    expect(partition.stderr).toContain('--faults partition is not possible against a topology given by --nodes');
    const compare = chaos(['--nodes', '127.0.0.1:7000', '--compare']);
    expect((await compare.waitExit(30_000)).code).toBe(1);
    expect(compare.stderr).toContain('--compare starts a topology: it does not go with --nodes');
    const nobody = chaos(['--nodes', '127.0.0.1:1', '--faults', 'kill']);
    expect((await nobody.waitExit(30_000)).code).toBe(1);
    expect(nobody.stderr).toMatch(/^no given node answered CLUSTER NODES \(127\.0\.0\.1:1: .+\)$/m);
    for (const p of [remote, partition, compare, nobody]) expect(p.stdout).toBe('');
  });
});
