// A network partition of a cluster primary, not a crash: every node runs in a network namespace
// of its own (src/topology/netns.ts) and the primary's link is cut while it keeps running. On
// its side (the minority) it stops accepting writes once cluster-node-timeout passed; the
// majority marks it FAIL and promotes its replica; after the heal the old primary turns into a
// replica of the new one and every node converges. Skipped where namespaces cannot be made.

import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort, reachable } from '../helpers/net.js';
import { NetnsLab, type LabHost } from '../../src/topology/netns.js';
import { NetnsSession } from '../helpers/netns-session.js';
import { CLI, run, type Proc } from '../helpers/process.js';
import { waitFor } from '../helpers/wait.js';

const NODE_TIMEOUT_MS = 2000;

interface LabNode {
  host: LabHost;
  port: number;
  proc: Proc;
  client: Redis;
  dir: string;
  id: string;
}

interface NodeView { flags: string[]; primary: string; slots: string[] }

function parseNodes(text: string): Map<string, NodeView> {
  const out = new Map<string, NodeView>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const parts = line.split(' ');
    out.set(parts[0]!, { flags: parts[2]!.split(','), primary: parts[3]!, slots: parts.slice(8) });
  }
  return out;
}

describe.skipIf(!NetnsLab.available())('cluster primary cut off by a network partition (ip netns)', () => {
  const session = new NetnsSession();
  const spawnIn = session.spawnIn.bind(session);
  const nodes: LabNode[] = [];
  afterEach(async () => {
    for (const node of nodes) node.client.disconnect();
    await session.end();
    for (const node of nodes.splice(0)) rmSync(node.dir, { recursive: true, force: true });
  });

  async function start(l: NetnsLab): Promise<LabNode> {
    const host = l.addHost();
    const port = await freePort();
    const busPort = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'cinnabar-cluster-netns-'));
    const proc = spawnIn(l, host, process.execPath, [CLI, '--port', String(port), '--bind', host.ip, '--protected-mode', 'no',
      '--cluster-enabled', 'yes', '--cluster-port', String(busPort), '--cluster-node-timeout', String(NODE_TIMEOUT_MS),
      '--save', '', '--appendonly', 'no', '--dir', dir], { cwd: dir });
    try {
      await waitFor(() => reachable(host.ip, port), 60_000, `cinnabar-server on ${host.ip}:${port}`);
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${proc.output}`);
    }
    const client = new Redis({ host: host.ip, port, maxRetriesPerRequest: 1, connectTimeout: 5000, retryStrategy: () => 100, lazyConnect: true });
    // The cut-off node's link fails until the heal: expected here.
    client.on('error', () => undefined);
    await client.connect();
    const node = { host, port, proc, client, dir, id: await client.call('CLUSTER', 'MYID') as string };
    nodes.push(node);
    return node;
  }

  /** A command run by redis-cli inside the node's own namespace (reachable while it is cut off). */
  async function cliInside(l: NetnsLab, node: LabNode, args: string[]): Promise<string> {
    const proc = spawnIn(l, node.host, 'redis-cli', ['-h', node.host.ip, '-p', String(node.port), ...args]);
    await proc.waitExit(10_000);
    return proc.output.trim();
  }

  it('the minority stops writes, the majority fails over, the heal converges', async () => {
    const l = session.open();
    const started = await Promise.all(Array.from({ length: 6 }, () => start(l)));
    const create = run('redis-cli', ['--cluster', 'create', ...started.map((n) => `${n.host.ip}:${n.port}`),
      '--cluster-replicas', '1', '--cluster-yes']);
    const created = await create.waitExit(120_000);
    expect(created.code, create.output).toBe(0);
    await waitFor(async () => {
      for (const node of started) {
        if (!((await node.client.call('CLUSTER', 'INFO')) as string).includes('cluster_state:ok')) return false;
        const info = await node.client.call('INFO', 'replication') as string;
        if (info.includes('role:slave') && !info.includes('master_link_status:up')) return false;
      }
      return true;
    }, 60_000, 'cluster_state:ok and every replica linked');

    const view = parseNodes(await started[0]!.client.call('CLUSTER', 'NODES') as string);
    const victim = started.find((n) => view.get(n.id)!.flags.includes('master'))!;
    const replica = started.find((n) => view.get(n.id)!.primary === victim.id)!;
    const majority = started.filter((n) => n !== victim);
    // Keys in the victim's slots, replicated before the cut.
    const keys: string[] = [];
    for (let i = 0; keys.length < 50; i++) {
      try {
        await victim.client.set(`part:${i}`, `v${i}`);
        keys.push(`part:${i}`);
      } catch (err) {
        if (!(err as Error).message.startsWith('MOVED')) throw err;
      }
    }
    await waitFor(async () => (await replica.client.dbsize()) === keys.length, 10_000, 'the replica to hold the writes');
    expect(await cliInside(l, victim, ['SET', keys[0]!, 'before-cut'])).toBe('OK');

    l.cut(victim.host);
    const cutAt = Date.now();
    // The minority side: once it has not heard from the other primaries for the node timeout it
    // declares the cluster down and refuses writes (and reads) to its own slots.
    await waitFor(async () => (await cliInside(l, victim, ['SET', keys[1]!, 'in-minority'])).startsWith('CLUSTERDOWN'),
      30_000, 'the cut-off primary to refuse writes');
    expect(Date.now() - cutAt).toBeGreaterThanOrEqual(NODE_TIMEOUT_MS);
    expect(await cliInside(l, victim, ['CLUSTER', 'INFO'])).toContain('cluster_state:fail');
    expect(await cliInside(l, victim, ['GET', keys[1]!])).toBe('CLUSTERDOWN The cluster is down');

    // The majority side: the victim FAIL, its replica promoted, its slots writable there.
    await waitFor(async () => {
      for (const node of majority) {
        const now = parseNodes(await node.client.call('CLUSTER', 'NODES') as string);
        if (!now.get(victim.id)!.flags.includes('fail') || !now.get(replica.id)!.flags.includes('master')) return false;
      }
      return true;
    }, 30_000, 'the majority to fail the victim over to its replica');
    await waitFor(async () => ((await replica.client.call('CLUSTER', 'INFO')) as string).includes('cluster_state:ok'),
      10_000, 'the promoted replica to serve');
    expect(await replica.client.get(keys[0]!)).toBe('before-cut');
    expect(await replica.client.get(keys[1]!)).toBe('v' + keys[1]!.slice(5));
    await replica.client.set(keys[2]!, 'after-failover');

    l.heal(victim.host);
    await waitFor(async () => {
      const text = await victim.client.call('CLUSTER', 'NODES').then((r) => r as string, () => '');
      const me = parseNodes(text).get(victim.id);
      return me?.flags.includes('slave') === true && me.primary === replica.id;
    }, 40_000, 'the healed old primary to turn replica of the promoted one');
    await waitFor(async () => {
      const role = (await victim.client.call('ROLE')) as unknown[];
      return role[0] === 'slave' && role[3] === 'connected';
    }, 30_000, 'the old primary to replicate from the new one');
    await victim.client.call('READONLY');
    await waitFor(async () => (await victim.client.get(keys[2]!)) === 'after-failover', 10_000, 'the write of the majority on the old primary');
    await waitFor(async () => {
      for (const node of started) {
        const now = parseNodes(await node.client.call('CLUSTER', 'NODES') as string);
        if (now.get(victim.id)!.flags.includes('fail') || now.get(victim.id)!.primary !== replica.id) return false;
        if (!((await node.client.call('CLUSTER', 'INFO')) as string).includes('cluster_state:ok')) return false;
      }
      return true;
    }, 30_000, 'every node to agree after the heal');
    const check = run('redis-cli', ['--cluster', 'check', `${replica.host.ip}:${replica.port}`]);
    await check.waitExit(30_000);
    expect(check.output).toContain('[OK] All nodes agree about slots configuration.');
    expect(check.output).toContain('[OK] All 16384 slots covered.');
  }, 240_000);
});
