// The topology fixtures the package exports, used as a user would: ioredis and node-redis in
// their standalone, sentinel and cluster modes against what startReplicaSet, startSentinels and
// startCluster hand back; redis-cli --cluster check on the cluster; and no process left behind
// by close(), by a failed start, or by a parent that dies without closing.

import { existsSync } from 'node:fs';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { Cluster, Redis } from 'ioredis';
import { createClient, createCluster, createSentinel } from 'redis';
import { afterEach, describe, expect, it } from 'vitest';
import { startCluster, startReplicaSet, startSentinels, type RunningTopology } from '../../src/index.js';
import { freeBase } from '../helpers/net.js';
import { haveProgram, processRunning, run } from '../helpers/process.js';
import { waitFor } from '../helpers/wait.js';

const open: RunningTopology[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((t) => t.close()));
});

function track<T extends RunningTopology>(topology: T): T {
  open.push(topology);
  return topology;
}

/** Closes the topology and checks that none of its processes runs and its directory is gone. */
async function closeAndCheck(topology: RunningTopology): Promise<void> {
  const pids = topology.nodes.map((n) => n.pid);
  expect(pids.every((p) => p !== null)).toBe(true);
  const dirs = topology.nodes.map((n) => n.dir);
  await topology.close();
  for (const pid of pids) expect(processRunning(pid!)).toBe(false);
  for (const dir of dirs) expect(existsSync(dir)).toBe(false);
}

describe('startReplicaSet', () => {
  it('resolves with replicas in sync that clients read from', async () => {
    const rs = track(await startReplicaSet({ replicas: 2 }));
    expect(rs.replicas).toHaveLength(2);
    const primary = new Redis({ host: rs.primary.host, port: rs.primary.port, lazyConnect: true });
    await primary.connect();
    try {
      await primary.set('k', 'v');
      // Both replicas were attached when the fixture resolved: WAIT sees them at once.
      expect(await primary.call('WAIT', '2', '0')).toBe(2);
      expect(await primary.call('ROLE').then((r) => (r as unknown[])[0])).toBe('master');
    } finally {
      primary.disconnect();
    }
    for (const replica of rs.replicas) {
      const client = createClient({ socket: { host: replica.host, port: replica.port } });
      await client.connect();
      try {
        expect(await client.get('k')).toBe('v');
        expect((await client.info('replication')).includes('master_link_status:up')).toBe(true);
      } finally {
        client.destroy();
      }
    }
    await closeAndCheck(rs);
  }, 60_000);

  it('refuses a busy base port, naming it, and leaves nothing running', async () => {
    // Both ports below the ephemeral range: no other process's connection can take the base meanwhile.
    const base = await freeBase(2);
    const busy = base + 1;
    const blocker = net.createServer();
    await new Promise<void>((resolve, reject) => blocker.once('error', reject).listen(busy, '127.0.0.1', resolve));
    try {
      // The replica's port (base + 1) is the busy one: the primary must not have been started.
      await expect(startReplicaSet({ replicas: 1, basePort: busy - 1 })).rejects.toThrow(`port ${busy} on 127.0.0.1 is busy`);
    } finally {
      blocker.close();
    }
  });
});

describe('startSentinels', () => {
  it('resolves once the sentinels agree; ioredis and node-redis find the primary through them', async () => {
    const topology = track(await startSentinels({ replicas: 1, sentinels: 3 }));
    expect(topology.masterName).toBe('mymaster');
    const sentinel = new Redis({ host: topology.sentinels[0].host, port: topology.sentinels[0].port, lazyConnect: true });
    await sentinel.connect();
    try {
      expect(await sentinel.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', 'mymaster')).toEqual(['127.0.0.1', String(topology.primary.port)]);
    } finally {
      sentinel.disconnect();
    }
    const ioredis = new Redis({ sentinels: topology.sentinels.map((s) => ({ host: s.host, port: s.port })), name: 'mymaster', lazyConnect: true });
    await ioredis.connect();
    try {
      await ioredis.set('through-sentinel', '1');
    } finally {
      ioredis.disconnect();
    }
    const nodeRedis = createSentinel({ name: 'mymaster', sentinelRootNodes: topology.sentinels.map((s) => ({ host: s.host, port: s.port })) });
    const errors: Error[] = [];
    nodeRedis.on('error', (err: Error) => { errors.push(err); });
    await nodeRedis.connect();
    try {
      expect(await nodeRedis.get('through-sentinel')).toBe('1');
    } finally {
      nodeRedis.destroy();
    }
    expect(errors).toEqual([]);
    await closeAndCheck(topology);
  }, 90_000);
});

describe('startCluster', () => {
  it('forms a 3x1 cluster that redis-cli --cluster check passes and cluster clients use', async () => {
    const cluster = track(await startCluster({ primaries: 3, replicasPerPrimary: 1 }));
    const state = await cluster.state();
    const primaries = state.filter((s) => s.role === 'primary');
    expect(primaries.map((p) => p.slots).sort((a, b) => a[0][0] - b[0][0])).toEqual([[[0, 5460]], [[5461, 10922]], [[10923, 16383]]]);
    const replicas = state.filter((s) => s.role === 'replica');
    expect(replicas.map((r) => r.primaryId).sort()).toEqual(primaries.map((p) => p.id).sort());

    if (haveProgram('redis-cli')) {
      const check = run('redis-cli', ['--cluster', 'check', `127.0.0.1:${cluster.startupNodes[0].port}`]);
      const exit = await check.waitExit(30_000);
      expect(check.output).toContain('[OK] All 16384 slots covered.');
      expect(exit.code).toBe(0);
    }

    const ioredis = new Cluster(cluster.startupNodes.map((n) => ({ host: n.host, port: n.port })), { lazyConnect: true });
    await ioredis.connect();
    try {
      for (let i = 0; i < 50; i++) await ioredis.set(`key:${i}`, String(i));
    } finally {
      ioredis.disconnect();
    }
    const nodeRedis = createCluster({ rootNodes: cluster.startupNodes.map((n) => ({ socket: { host: n.host, port: n.port } })) });
    await nodeRedis.connect();
    try {
      for (let i = 0; i < 50; i++) expect(await nodeRedis.get(`key:${i}`)).toBe(String(i));
    } finally {
      nodeRedis.destroy();
    }
    await closeAndCheck(cluster);
  }, 120_000);

  it('forms a cluster without replicas', async () => {
    const cluster = track(await startCluster({ primaries: 2, replicasPerPrimary: 0 }));
    const state = await cluster.state();
    expect(state.map((s) => s.role)).toEqual(['primary', 'primary']);
    await closeAndCheck(cluster);
  }, 60_000);
});

describe('processes die with their parent', () => {
  it('kills the nodes when the process that started them is killed with SIGKILL', async () => {
    const entry = fileURLToPath(new URL('../../dist/index.js', import.meta.url));
    const script = `const { startReplicaSet } = await import(${JSON.stringify(entry)});
      const rs = await startReplicaSet({ replicas: 1 });
      process.stdout.write('PIDS ' + JSON.stringify(rs.nodes.map((n) => n.pid)) + '\\n');
      setInterval(() => {}, 1000);`;
    const parent = run(process.execPath, ['--input-type=module', '-e', script]);
    try {
      const match = await parent.waitFor(/PIDS (\[.*\])/, 60_000);
      const pids = JSON.parse(match[1]!) as number[];
      expect(pids).toHaveLength(2);
      for (const pid of pids) expect(processRunning(pid)).toBe(true);
      parent.child.kill('SIGKILL');
      await parent.exited;
      await waitFor(() => pids.every((pid) => !processRunning(pid)), 10_000, 'the orphaned nodes to be killed');
    } finally {
      await parent.kill();
    }
  }, 90_000);
});
