// The README's fixture examples, as written there (plus the waits a test needs), so they stay
// true: ioredis and node-redis against startCluster, startSentinels (through a kill -9 failover
// of the primary) and startReplicaSet.

import { Cluster, Redis } from 'ioredis';
import { createClient, createCluster, createSentinel } from 'redis';
import { afterEach, describe, expect, it } from 'vitest';
import { startCluster, startReplicaSet, startSentinels, type RunningTopology } from '../../src/index.js';
import { waitFor } from '../helpers/wait.js';

const open: RunningTopology[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((t) => t.close()));
});

describe('README examples', () => {
  it('a cluster with ioredis and node-redis', async () => {
    const cluster = await startCluster({ primaries: 3, replicasPerPrimary: 1 });
    open.push(cluster);
    const io = new Cluster(cluster.startupNodes);
    await io.set('user:1', 'ada');
    const nr = createCluster({ rootNodes: cluster.startupNodes.map(({ host, port }) => ({ socket: { host, port } })) });
    await nr.connect();
    expect(await nr.get('user:1')).toBe('ada');
    io.disconnect(); nr.destroy();
    await cluster.close();
  }, 90_000);

  it('sentinels: clients find the primary and follow a kill -9 failover', async () => {
    const s = await startSentinels({ replicas: 2, sentinels: 3, downAfterMs: 1000 });
    open.push(s);
    const viaSentinel = new Redis({ sentinels: s.sentinels, name: s.masterName });
    // Reconnections while the primary is down are expected here.
    viaSentinel.on('error', () => undefined);
    const nrSentinel = createSentinel({ name: s.masterName, sentinelRootNodes: s.sentinels });
    nrSentinel.on('error', () => undefined);
    await nrSentinel.connect();
    await viaSentinel.set('before', '1');
    expect(await nrSentinel.get('before')).toBe('1');
    await s.primaryNode.kill();
    // A replica is promoted: writes through the sentinels reach it.
    await waitFor(async () => (await viaSentinel.set('after', '2').then(() => true, () => false)), 60_000, 'a write after the failover');
    const promoted = s.replicaNodes.map((n) => n.port);
    const sentinel = new Redis(s.sentinels[0]);
    try {
      // This sentinel may not be the one that led the failover: it learns the new address from
      // the leader's hello messages a moment later.
      await waitFor(async () => {
        const addr = await sentinel.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', s.masterName) as [string, string];
        return promoted.includes(Number(addr[1]));
      }, 30_000, 'every sentinel to report a promoted replica');
    } finally {
      sentinel.disconnect();
    }
    await waitFor(async () => (await nrSentinel.get('after').then((v) => v === '2', () => false)), 60_000, 'node-redis to read from the new primary');
    viaSentinel.disconnect(); nrSentinel.destroy();
    await s.close();
  }, 120_000);

  it('a primary and a replica', async () => {
    const rs = await startReplicaSet({ replicas: 1 });
    open.push(rs);
    const primary = createClient({ socket: rs.primary });
    await primary.connect();
    await primary.set('k', 'v');
    expect(await primary.sendCommand(['WAIT', '1', '1000'])).toBe(1);
    primary.destroy();
    await rs.close();
  }, 60_000);
});
