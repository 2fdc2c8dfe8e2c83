// Failover as real processes: a redis-server primary with two replicas watched by three
// sentinels. The primary is killed (kill -9), paused (SIGSTOP) or the sentinels are told to fail
// over; a replica is promoted, the other follows it, clients in sentinel mode (ioredis,
// node-redis) find the new primary, and the old one rejoins as a replica. The same with a mixed
// quorum of cinnabar-sentinel and redis-sentinel processes.

import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { createSentinel } from 'redis';
import { haveProgram } from '../helpers/process.js';
import { waitFor } from '../helpers/wait.js';
import { Topology, fieldsOf, sentinelMaster, type Node, type SentinelNode } from './topology.js';

const haveReference = haveProgram('redis-sentinel') && haveProgram('redis-server');

interface Cluster {
  primary: Node;
  replicas: Node[];
  sentinels: SentinelNode[];
}

async function cluster(topology: Topology, kinds: boolean[], downAfterMs = 1000): Promise<Cluster> {
  const primary = await topology.redis();
  const replicas = [await topology.redis(primary.port), await topology.redis(primary.port)];
  const sentinels: SentinelNode[] = [];
  for (const reference of kinds) {
    sentinels.push(await topology.sentinel([
      `sentinel monitor mymaster 127.0.0.1 ${primary.port} 2`,
      `sentinel down-after-milliseconds mymaster ${downAfterMs}`,
      'sentinel failover-timeout mymaster 10000',
    ], reference));
  }
  // Every sentinel knows both replicas and the other sentinels before anything fails.
  for (const s of sentinels) {
    await waitFor(async () => {
      const m = await sentinelMaster(s.client);
      return m['num-slaves'] === '2' && m['num-other-sentinels'] === String(kinds.length - 1);
    }, 30_000, 'discovery of replicas and sentinels');
  }
  return { primary, replicas, sentinels };
}

/** The address every sentinel reports, once they all agree on a port other than `oldPort`. */
async function newPrimaryPort(sentinels: SentinelNode[], oldPort: number, timeoutMs = 30_000): Promise<number> {
  let port = 0;
  await waitFor(async () => {
    const ports = new Set<number>();
    for (const s of sentinels) {
      const addr = await s.client.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', 'mymaster') as [string, string];
      ports.add(Number(addr[1]));
    }
    if (ports.size !== 1) return false;
    port = [...ports][0];
    return port !== oldPort;
  }, timeoutMs, 'the sentinels to agree on a new primary');
  return port;
}

describe.skipIf(!haveReference)('sentinel failover', () => {
  const topology = new Topology();
  afterEach(() => topology.cleanup());

  it('kill -9 of the primary: a replica is promoted, ioredis and node-redis in sentinel mode follow it', async () => {
    const c = await cluster(topology, [false, false, false]);
    const sentinelAddrs = c.sentinels.map((s) => ({ host: '127.0.0.1', port: s.port }));
    const ioredis = topology.track(new Redis({ sentinels: sentinelAddrs, name: 'mymaster', sentinelRetryStrategy: () => 100 }));
    await ioredis.set('k', 'before');
    const events = topology.client(c.sentinels[0].port);
    const seen: string[] = [];
    events.on('pmessage', (_p: string, channel: string, message: string) => { seen.push(`${channel} ${message}`); });
    await events.psubscribe('*');

    c.primary.proc.child.kill('SIGKILL');
    const port = await newPrimaryPort(c.sentinels, c.primary.port);
    expect(c.replicas.map((r) => r.port)).toContain(port);

    // The promoted replica is a primary, the other replicates from it.
    const promoted = c.replicas.find((r) => r.port === port)!;
    const other = c.replicas.find((r) => r.port !== port)!;
    await waitFor(async () => (await promoted.client.call('ROLE').then((r) => (r as unknown[])[0], () => '')) === 'master', 10_000, 'the promoted replica to be a primary');
    await waitFor(async () => {
      const role = await other.client.call('ROLE').then((r) => r as unknown[], () => ['']);
      return role[0] === 'slave' && Number(role[2]) === port;
    }, 30_000, 'the other replica to follow the new primary');

    await waitFor(async () => (await ioredis.set('k', 'after').then(() => true, () => false)), 30_000, 'ioredis to write to the new primary');
    expect(await promoted.client.get('k')).toBe('after');

    const nodeRedis = createSentinel({ name: 'mymaster', sentinelRootNodes: sentinelAddrs });
    // The client reports link errors as 'error' events (its observer link can see a sentinel's
    // connection reset while the topology settles); unlistened, Node would throw them.
    const nodeRedisErrors: Error[] = [];
    nodeRedis.on('error', (err: Error) => { nodeRedisErrors.push(err); });
    await nodeRedis.connect();
    try {
      expect(await nodeRedis.get('k')).toBe('after');
    } finally {
      nodeRedis.destroy();
    }
    // The switch was announced on the sentinels' own pub/sub, in Redis's format.
    await waitFor(() => seen.some((e) => e.startsWith('+switch-master ')), 10_000, '+switch-master');
    expect(seen).toContain(`+switch-master mymaster 127.0.0.1 ${c.primary.port} 127.0.0.1 ${port}`);
    expect(seen.some((e) => e === `+sdown master mymaster 127.0.0.1 ${c.primary.port}`)).toBe(true);
    // The old primary is now listed as a replica of the new one.
    const replicas = await c.sentinels[0].client.call('SENTINEL', 'REPLICAS', 'mymaster') as unknown[];
    expect(replicas.map((r) => fieldsOf(r).port).sort()).toEqual([String(c.primary.port), String(other.port)].sort());
  }, 90_000);

  it('SIGSTOP of the primary: failover, and the old primary rejoins as a replica when resumed', async () => {
    const c = await cluster(topology, [false, false, false]);
    c.primary.proc.child.kill('SIGSTOP');
    let port: number;
    try {
      port = await newPrimaryPort(c.sentinels, c.primary.port);
    } finally {
      c.primary.proc.child.kill('SIGCONT');
    }
    const old = topology.client(c.primary.port);
    await waitFor(async () => {
      const role = await old.call('ROLE').then((r) => r as unknown[], () => ['']);
      return role[0] === 'slave' && Number(role[2]) === port;
    }, 30_000, 'the old primary to be converted into a replica');
  }, 90_000);

  it('SENTINEL FAILOVER promotes a replica without a quorum', async () => {
    const c = await cluster(topology, [false, false, false]);
    expect(await c.sentinels[1].client.call('SENTINEL', 'FAILOVER', 'mymaster')).toBe('OK');
    const port = await newPrimaryPort(c.sentinels, c.primary.port);
    expect(c.replicas.map((r) => r.port)).toContain(port);
    await waitFor(async () => {
      const role = await c.primary.client.call('ROLE').then((r) => r as unknown[], () => ['']);
      return role[0] === 'slave' && Number(role[2]) === port;
    }, 30_000, 'the old primary to replicate from the new one');
    const epoch = (await sentinelMaster(c.sentinels[1].client))['config-epoch'];
    expect(Number(epoch)).toBeGreaterThan(0);
  }, 90_000);

  it('a mixed quorum of cinnabar-sentinel and redis-sentinel fails over', async () => {
    const c = await cluster(topology, [false, true, false]);
    c.primary.proc.child.kill('SIGKILL');
    const port = await newPrimaryPort(c.sentinels, c.primary.port);
    expect(c.replicas.map((r) => r.port)).toContain(port);
    for (const s of c.sentinels) {
      await waitFor(async () => (await sentinelMaster(s.client))['num-slaves'] === '2', 10_000, 'replicas listed after the switch');
    }
  }, 90_000);

  it('runs the client-reconfig-script of the leader with the old and new addresses', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cinnabar-sentinel-reconf-'));
    const script = join(dir, 'reconf.sh');
    const out = join(dir, 'calls.txt');
    writeFileSync(script, `#!/bin/sh\necho "$@" >> ${out}\n`);
    chmodSync(script, 0o755);
    const primary = await topology.redis();
    const replica = await topology.redis(primary.port);
    const s = await topology.sentinel([
      `sentinel monitor mymaster 127.0.0.1 ${primary.port} 1`,
      `sentinel client-reconfig-script mymaster ${script}`,
    ]);
    await waitFor(async () => (await sentinelMaster(s.client))['num-slaves'] === '1', 15_000, 'the replica');
    await waitFor(async () => {
      const replicas = await s.client.call('SENTINEL', 'REPLICAS', 'mymaster') as unknown[];
      return fieldsOf(replicas[0])['master-link-status'] === 'ok';
    }, 15_000, 'the replica in sync');
    expect(await s.client.call('SENTINEL', 'FAILOVER', 'mymaster')).toBe('OK');
    await waitFor(() => existsSync(out) && readFileSync(out, 'latin1').includes('\n'), 30_000, 'the script');
    expect(readFileSync(out, 'latin1').trim()).toBe(`mymaster leader start 127.0.0.1 ${primary.port} 127.0.0.1 ${replica.port}`);
  }, 90_000);
});
