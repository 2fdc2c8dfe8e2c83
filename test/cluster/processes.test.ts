// A real cluster of cinnabar-server processes: created and checked with redis-cli --cluster,
// written through ioredis Cluster, and a primary killed with SIGKILL whose replica takes over.
import { Cluster } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/wait.js';
import { ClusterTopology } from './topology.js';

let topology: ClusterTopology | null = null;

afterEach(async () => {
  await topology?.cleanup();
  topology = null;
});

describe('cluster of cinnabar processes', () => {
  it('is created and checked by redis-cli --cluster, serves ioredis Cluster, and fails over on kill -9', async () => {
    topology = new ClusterTopology(2000);
    await topology.create(3, 1);
    const first = topology.nodes[0]!;

    const check = await topology.redisCli(['check', `127.0.0.1:${first.port}`]);
    expect(check.output).toContain('[OK] All nodes agree about slots configuration.');
    expect(check.output).toContain('[OK] All 16384 slots covered.');
    expect(check.code).toBe(0);

    const cluster = new Cluster([{ host: '127.0.0.1', port: first.port }], { scaleReads: 'master', clusterRetryStrategy: () => 200 });
    cluster.on('error', () => undefined);
    try {
      for (let i = 0; i < 300; i++) await cluster.set(`key:${i}`, `value:${i}`);
      for (let i = 0; i < 300; i += 7) expect(await cluster.get(`key:${i}`)).toBe(`value:${i}`);

      // The primary serving key:0's slot dies; its replica must take its slots over.
      const slot = Number(await first.client.call('CLUSTER', 'KEYSLOT', 'key:0'));
      const view = await topology.clusterNodes(first);
      const ownerName = [...view.entries()].find(([, n]) => n.flags.includes('master') && n.slots.some((range) => {
        const [a, b] = range.split('-').map(Number);
        return slot >= a! && slot <= (b ?? a)!;
      }))![0];
      const owner = (await Promise.all(topology.nodes.map(async (n) => [n, await topology!.myId(n)] as const))).find(([, id]) => id === ownerName)![0];
      const replicaName = [...view.entries()].find(([, n]) => n.primary === ownerName)![0];
      const survivor = topology.nodes.find((n) => n !== owner)!;
      const killedAt = Date.now();
      await owner.proc.kill();
      const replicaNode = (await Promise.all(topology.nodes.map(async (n) => [n, n === owner ? '' : await topology!.myId(n)] as const))).find(([, id]) => id === replicaName)![0];
      try {
        await waitFor(async () => {
          const now = await topology!.clusterNodes(survivor);
          return now.get(replicaName)?.flags.includes('master') === true && now.get(ownerName)?.flags.includes('fail') === true;
        }, 30_000, 'the replica promoted and the old primary FAIL');
      } catch (err) {
        throw new Error(`${(err as Error).message}\nreplica log:\n${replicaNode.proc.output.slice(0, 5000)}\nnodes:\n${await survivor.client.call('CLUSTER', 'NODES') as string}`);
      }
      const failoverMs = Date.now() - killedAt;
      expect(failoverMs).toBeLessThan(30_000);
      await waitFor(async () => {
        try {
          await cluster.set('key:0', 'after-failover');
          return true;
        } catch {
          return false;
        }
      }, 20_000, 'writes to the failed-over slot');
      expect(await cluster.get('key:0')).toBe('after-failover');
      // What was written before the failure survived on the replica (the cluster has no WAIT here,
      // so only keys written well before the kill are checked).
      expect(await cluster.get('key:7')).toBe('value:7');
    } finally {
      cluster.disconnect();
    }
  }, 240_000);
});
