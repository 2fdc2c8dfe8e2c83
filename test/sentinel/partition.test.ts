// A network partition, not a crash: every cinnabar node and cinnabar-sentinel runs in a network
// namespace of its own (src/topology/netns.ts) and the primary's link is cut while it keeps
// running. The sentinels on the majority side fail over to a replica that has every write the
// old primary acknowledged with WAIT; once the link heals, the old primary (which still
// believes it is a primary) is turned into a replica of the new one and its data follows.
// Skipped where namespaces cannot be made (not root, no iproute2).

import { mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { freePort, reachable } from '../helpers/net.js';
import { NetnsLab, type LabHost } from '../../src/topology/netns.js';
import { NetnsSession } from '../helpers/netns-session.js';
import { CLI, type Proc } from '../helpers/process.js';
import { waitFor } from '../helpers/wait.js';
import { SENTINEL_CLI, fieldsOf } from './topology.js';

interface LabNode {
  host: LabHost;
  port: number;
  proc: Proc;
  client: Redis;
}

describe.skipIf(!NetnsLab.available())('sentinel failover across a network partition (ip netns)', () => {
  const session = new NetnsSession();
  const spawnIn = session.spawnIn.bind(session);
  const clients: Redis[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) c.disconnect();
    await session.end();
  });

  async function start(l: NetnsLab, program: string, args: string[], configLines?: string[]): Promise<LabNode> {
    const host = l.addHost();
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'cinnabar-netns-'));
    let argv: string[];
    if (configLines !== undefined) {
      const file = join(dir, 'sentinel.conf');
      writeFileSync(file, [`port ${port}`, `bind ${host.ip}`, 'protected-mode no', `dir ${dir}`, ...configLines, ''].join('\n'));
      argv = [program, file];
    } else {
      argv = [program, '--port', String(port), '--bind', host.ip, '--protected-mode', 'no', '--save', '', '--dir', dir, ...args];
    }
    const proc = spawnIn(l, host, process.execPath, argv, { cwd: dir });
    try {
      await waitFor(() => reachable(host.ip, port), 20_000, `${program} on ${host.ip}:${port}`);
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${proc.output}`);
    }
    const client = new Redis({ host: host.ip, port, maxRetriesPerRequest: 1, connectTimeout: 500, retryStrategy: () => 100, lazyConnect: true });
    // Links to a cut-off node fail until it heals: expected here, not an error of the test.
    client.on('error', () => undefined);
    clients.push(client);
    await client.connect();
    return { host, port, proc, client };
  }

  it('a cut host keeps running but is reached by nobody until healed', async () => {
    const l = session.open();
    const node = await start(l, CLI, []);
    l.cut(node.host);
    expect(await reachable(node.host.ip, node.port)).toBe(false);
    expect(node.proc.exit).toBeNull();
    l.heal(node.host);
    await waitFor(() => reachable(node.host.ip, node.port), 10_000, 'the healed host');
    expect(await node.client.ping()).toBe('PONG');
  }, 60_000);

  it('the majority promotes a replica holding every WAIT-acknowledged write; the healed old primary follows it', async () => {
    const l = session.open();
    const primary = await start(l, CLI, []);
    const replicas = [
      await start(l, CLI, ['--replicaof', primary.host.ip, String(primary.port)]),
      await start(l, CLI, ['--replicaof', primary.host.ip, String(primary.port)]),
    ];
    const sentinels: LabNode[] = [];
    for (let i = 0; i < 3; i++) {
      sentinels.push(await start(l, SENTINEL_CLI, [], [
        `sentinel monitor mymaster ${primary.host.ip} ${primary.port} 2`,
        'sentinel down-after-milliseconds mymaster 1000',
        'sentinel failover-timeout mymaster 10000',
      ]));
    }
    for (const s of sentinels) {
      await waitFor(async () => {
        const m = fieldsOf(await s.client.call('SENTINEL', 'MASTER', 'mymaster'));
        return m['num-slaves'] === '2' && m['num-other-sentinels'] === '2';
      }, 30_000, 'discovery of replicas and sentinels');
    }

    // Writes acknowledged by both replicas before the cut.
    const acknowledged: string[] = [];
    for (let i = 0; i < 200; i++) {
      await primary.client.set(`k${i}`, `v${i}`);
      acknowledged.push(`k${i}`);
    }
    expect(await primary.client.call('WAIT', '2', '5000')).toBe(2);

    l.cut(primary.host);
    let newPrimary: LabNode | undefined;
    await waitFor(async () => {
      const seen = new Set<string>();
      for (const s of sentinels) {
        const addr = await s.client.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', 'mymaster') as [string, string];
        seen.add(`${addr[0]}:${addr[1]}`);
      }
      if (seen.size !== 1) return false;
      const [address] = [...seen];
      newPrimary = replicas.find((r) => `${r.host.ip}:${r.port}` === address);
      return newPrimary !== undefined;
    }, 30_000, 'the sentinels to agree on a promoted replica');
    const promoted = newPrimary as LabNode;
    await waitFor(async () => ((await promoted.client.call('ROLE')) as unknown[])[0] === 'master', 10_000, 'the replica to be promoted');
    // The old primary never heard of it: it still acts as a primary on its side of the cut.
    expect(primary.proc.exit).toBeNull();
    const values = await promoted.client.mget(...acknowledged);
    expect(values).toEqual(acknowledged.map((_, i) => `v${i}`));

    await promoted.client.set('after-failover', 'yes');
    l.heal(primary.host);
    await waitFor(async () => {
      const role = await primary.client.call('ROLE').then((r) => r as unknown[], () => ['']);
      return role[0] === 'slave' && role[1] === promoted.host.ip && Number(role[2]) === promoted.port && role[3] === 'connected';
    }, 40_000, 'the healed old primary to replicate from the new one');
    await waitFor(async () => (await primary.client.get('after-failover')) === 'yes', 10_000, 'the old primary to receive new writes');
    const other = replicas.find((r) => r !== promoted) as LabNode;
    await waitFor(async () => {
      const role = await other.client.call('ROLE').then((r) => r as unknown[], () => ['']);
      return role[0] === 'slave' && Number(role[2]) === promoted.port;
    }, 30_000, 'the other replica to follow the new primary');
  }, 120_000);
});
