// node-redis's cluster client (createCluster) against a cluster of cinnabar processes: reads
// and writes across every primary, MOVED after `redis-cli --cluster reshard` moved slots under
// its cached slot map, and a kill -9 of a primary followed to the promoted replica.

import { createCluster } from 'redis';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/wait.js';
import { ClusterTopology, type ClusterNodeProc } from './topology.js';

let topology: ClusterTopology | null = null;
afterEach(async () => {
  await topology?.cleanup();
  topology = null;
});

const KEYS = 400;

/** Whether the node serves the key's slot and holds the key (a MOVED reply means it does not). */
async function holds(node: ClusterNodeProc, key: string): Promise<boolean> {
  try {
    return (await node.client.exists(key)) === 1;
  } catch (err) {
    if ((err as Error).message.startsWith('MOVED')) return false;
    throw err;
  }
}

describe('node-redis createCluster against cinnabar', () => {
  it('writes and reads across slots, follows MOVED after a reshard and a failover', async () => {
    const t = new ClusterTopology(2000);
    topology = t;
    await t.create(3, 1);
    const first = t.nodes[0]!;
    const cluster = createCluster({
      rootNodes: [{ socket: { host: '127.0.0.1', port: first.port } }],
      defaults: { socket: { reconnectStrategy: () => 100 } },
    });
    // Links to a killed node fail until the slot map is rediscovered: expected here.
    cluster.on('error', () => undefined);
    await cluster.connect();
    try {
      for (let i = 0; i < KEYS; i++) await cluster.set(`nr:${i}`, `v${i}`);
      const primaries = await t.primaries();
      // The keys landed on every primary, each in the slots it serves.
      for (const node of primaries) expect(Number(await node.client.dbsize())).toBeGreaterThan(KEYS / 6);
      const total = (await Promise.all(primaries.map((n) => n.client.dbsize()))).reduce((a, b) => a + b, 0);
      expect(total).toBe(KEYS);
      const values = await Promise.all(Array.from({ length: KEYS }, (_, i) => cluster.get(`nr:${i}`)));
      expect(values).toEqual(Array.from({ length: KEYS }, (_, i) => `v${i}`));

      // 300 slots of one primary move to another behind the client's back.
      const [from, to] = [primaries[0]!, primaries[1]!];
      const [fromId, toId] = [await t.myId(from), await t.myId(to)];
      const movedKeys: string[] = [];
      for (let i = 0; i < KEYS; i++) {
        if (await holds(from, `nr:${i}`)) movedKeys.push(`nr:${i}`);
      }
      const reshard = await t.redisCli(['reshard', `127.0.0.1:${first.port}`, '--cluster-from', fromId, '--cluster-to', toId,
        '--cluster-slots', '300', '--cluster-yes'], 120_000);
      expect(reshard.code, reshard.output).toBe(0);
      const moved: string[] = [];
      for (const key of movedKeys) {
        if (await holds(to, key)) moved.push(key);
      }
      expect(moved.length).toBeGreaterThan(0);
      const slot = Number(await first.client.call('CLUSTER', 'KEYSLOT', moved[0]!));
      // The client still maps the slot to the old owner: its GET gets MOVED and is followed.
      expect(cluster.getSlotMaster(slot).port).toBe(from.port);
      expect(await cluster.get(moved[0]!)).toBe(`v${moved[0]!.slice(3)}`);
      expect(cluster.getSlotMaster(slot).port).toBe(to.port);
      for (const key of moved) expect(await cluster.get(key)).toBe(`v${key.slice(3)}`);
      await cluster.set(moved[0]!, 'after-reshard');
      expect(await to.client.get(moved[0]!)).toBe('after-reshard');

      // The new owner dies; its replica takes over and the client follows it.
      const victimId = toId;
      const replica = await t.replicaOf(victimId);
      await to.proc.kill();
      await waitFor(async () => (await t.roleOf(replica)) === 'master', 30_000, 'the replica promoted');
      await waitFor(async () => {
        try {
          await cluster.set(moved[0]!, 'after-failover');
          return true;
        } catch {
          return false;
        }
      }, 30_000, 'a write to the failed-over slot through node-redis');
      expect(cluster.getSlotMaster(slot).port).toBe(replica.port);
      expect(await cluster.get(moved[0]!)).toBe('after-failover');
      expect(await replica.client.get(moved[0]!)).toBe('after-failover');
      // Keys of the other primaries were never affected.
      const other = primaries[2]!;
      for (let i = 0; i < KEYS; i++) {
        if (await holds(other, `nr:${i}`)) expect(await cluster.get(`nr:${i}`)).toBe(`v${i}`);
      }
    } finally {
      cluster.destroy();
    }
  }, 240_000);
});
