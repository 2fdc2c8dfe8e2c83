// A primary that stops answering without dying (SIGSTOP): the cluster marks it FAIL and its
// replica takes its slots over; after SIGCONT the old primary learns it lost them and rejoins
// as a replica of the new primary, and every node agrees again.

import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/wait.js';
import { ClusterTopology } from './topology.js';

let topology: ClusterTopology | null = null;
afterEach(async () => {
  await topology?.cleanup();
  topology = null;
});

describe('SIGSTOP of a cluster primary', () => {
  it('fails over to the replica; after SIGCONT the old primary follows it', async () => {
    const t = new ClusterTopology(2000);
    topology = t;
    await t.create(3, 1);
    const [victim] = await t.primaries();
    const victimId = await t.myId(victim!);
    const replica = await t.replicaOf(victimId);
    const replicaId = await t.myId(replica);
    // Keys of the victim's slots, on the replica before the stop.
    const keys: string[] = [];
    for (let i = 0; keys.length < 50; i++) {
      const key = `stop:${i}`;
      try {
        await victim!.client.set(key, `v${i}`);
        keys.push(key);
      } catch (err) {
        if (!(err as Error).message.startsWith('MOVED')) throw err;
      }
    }
    await waitFor(async () => (await replica.client.dbsize()) === keys.length, 10_000, 'the replica to hold the writes');

    const observer = t.nodes.find((n) => n !== victim && n !== replica)!;
    victim!.proc.child.kill('SIGSTOP');
    await waitFor(async () => {
      const view = await t.clusterNodes(observer);
      return view.get(victimId)?.flags.includes('fail') === true && view.get(replicaId)?.flags.includes('master') === true;
    }, 30_000, 'the stopped primary FAIL and its replica promoted');
    expect(await t.roleOf(replica)).toBe('master');
    for (const [i, key] of keys.entries()) expect(await replica.client.get(key)).toBe(`v${keys[i]!.slice(5)}`);
    await replica.client.set(keys[0]!, 'after-failover');

    victim!.proc.child.kill('SIGCONT');
    // The old primary hears of the newer configuration and turns into the new primary's replica.
    await waitFor(async () => {
      const me = [...(await t.clusterNodes(victim!)).values()].find((n) => n.flags.includes('myself'));
      return me?.flags.includes('slave') === true && me.primary === replicaId;
    }, 30_000, 'the old primary to rejoin as a replica of the new one');
    await waitFor(async () => {
      const role = (await victim!.client.call('ROLE')) as unknown[];
      return role[0] === 'slave' && Number(role[2]) === replica.port && role[3] === 'connected';
    }, 30_000, 'the old primary to replicate from the new one');
    // Pings queued for the stopped node from before the failover are read after SIGCONT, after
    // newer ones on its other link: one saying the new primary is still a replica unbinds its
    // slots until its next ping claims them again (Redis processes such packets alike), so a
    // read may briefly get CLUSTERDOWN.
    await waitFor(async () => {
      try {
        return (await victim!.client.call('READONLY').then(() => victim!.client.get(keys[0]!))) === 'after-failover';
      } catch (err) {
        if ((err as Error).message.startsWith('CLUSTERDOWN')) return false;
        throw err;
      }
    }, 10_000, 'the write made after the failover on the old primary');
    // Every node sees the same thing: the FAIL flag cleared, one primary per shard, full coverage.
    await waitFor(async () => {
      for (const node of t.nodes) {
        const view = await t.clusterNodes(node);
        if (view.get(victimId)?.flags.includes('fail') === true) return false;
        if (view.get(victimId)?.primary !== replicaId) return false;
        if (!((await node.client.call('CLUSTER', 'INFO')) as string).includes('cluster_state:ok')) return false;
      }
      return true;
    }, 30_000, 'every node to agree on the new roles');
    const check = await t.redisCli(['check', `127.0.0.1:${observer.port}`]);
    expect(check.output).toContain('[OK] All nodes agree about slots configuration.');
    expect(check.code).toBe(0);
  }, 180_000);
});
