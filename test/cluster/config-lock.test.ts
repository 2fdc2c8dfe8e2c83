// nodes.conf belongs to one node (Redis's clusterLockConfig): a second cinnabar-server given
// the same file exits with Redis's line, and the file is free again once its holder died,
// even by kill -9. Also the role letter of the log lines: M for a primary, S while the node
// follows a primary (Redis's serverLogRaw), on a cluster replica as on a plain one.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/net.js';
import { runCli, type Proc } from '../helpers/process.js';
import { waitFor } from '../helpers/wait.js';
import { ClusterTopology } from './topology.js';

const procs: Proc[] = [];
const dirs: string[] = [];
let topology: ClusterTopology | null = null;
afterEach(async () => {
  await Promise.all(procs.splice(0).map((p) => p.kill()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  await topology?.cleanup();
  topology = null;
});

async function clusterNode(dir: string): Promise<{ proc: Proc; port: number }> {
  const port = await freePort();
  const proc = runCli(['--port', String(port), '--bind', '127.0.0.1', '--cluster-enabled', 'yes', '--cluster-port', String(await freePort()),
    '--save', '', '--appendonly', 'no', '--dir', dir], { cwd: dir });
  procs.push(proc);
  return { proc, port };
}

const LOCKED = 'Sorry, the cluster configuration file nodes.conf is already used by a different Redis Cluster node. ' +
  'Please make sure that different nodes use different cluster configuration files.';

describe('nodes.conf lock', () => {
  it('refuses a second node on the same file until the first one is gone', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cinnabar-cluster-lock-'));
    dirs.push(dir);
    const first = await clusterNode(dir);
    await first.proc.waitFor(/Ready to accept connections/, 20_000);
    const second = await clusterNode(dir);
    const exit = await second.proc.waitExit(20_000);
    expect(exit.code).toBe(1);
    expect(second.proc.output).toMatch(new RegExp(`^\\d+:M .* # ${LOCKED.replace(/[.]/g, '\\.')}$`, 'm'));
    expect(second.proc.output).not.toContain('Ready to accept connections');
    // The holder's death frees the file, whatever the way it died.
    await first.proc.kill();
    const third = await clusterNode(dir);
    await third.proc.waitFor(/Ready to accept connections/, 20_000);
    expect(third.proc.output).toContain('Node configuration loaded');
    expect(third.proc.output).not.toContain('Sorry');
  }, 60_000);

  it('lets nodes with different files run side by side', async () => {
    const a = mkdtempSync(join(tmpdir(), 'cinnabar-cluster-lock-'));
    const b = mkdtempSync(join(tmpdir(), 'cinnabar-cluster-lock-'));
    dirs.push(a, b);
    const [first, second] = [await clusterNode(a), await clusterNode(b)];
    await Promise.all([first.proc.waitFor(/Ready to accept connections/, 20_000), second.proc.waitFor(/Ready to accept connections/, 20_000)]);
    expect(first.proc.exit).toBeNull();
    expect(second.proc.exit).toBeNull();
  }, 60_000);
});

describe('log role letter', () => {
  it('is M on a primary and S on a replica, switching with the role', async () => {
    const t = new ClusterTopology(2000);
    topology = t;
    const primary = await t.node();
    const replica = await t.node();
    await primary.client.call('CLUSTER', 'ADDSLOTSRANGE', '0', '16383');
    await replica.client.call('CLUSTER', 'MEET', '127.0.0.1', String(primary.port), String(primary.busPort));
    const primaryId = await t.myId(primary);
    await waitFor(async () => (await t.clusterNodes(replica)).has(primaryId), 20_000, 'the nodes to know each other');
    await replica.client.call('CLUSTER', 'REPLICATE', primaryId);
    const lineOf = (proc: Proc, text: string): string | undefined => proc.output.split('\n').find((l) => l.includes(text));
    await waitFor(() => lineOf(replica.proc, 'MASTER <-> REPLICA sync: Finished with success') !== undefined, 20_000, 'the replica synced');
    expect(lineOf(replica.proc, 'Connecting to MASTER')).toMatch(new RegExp(`^${replica.proc.pid}:S `));
    expect(lineOf(replica.proc, 'MASTER <-> REPLICA sync: Finished with success')).toMatch(new RegExp(`^${replica.proc.pid}:S `));
    expect(lineOf(primary.proc, 'Synchronization with replica')).toMatch(new RegExp(`^${primary.proc.pid}:M `));
    // A manual failover: the replica turns primary (its lines M from then on), the primary replica.
    expect(await replica.client.call('CLUSTER', 'FAILOVER')).toBe('OK');
    await waitFor(() => lineOf(primary.proc, 'Connecting to MASTER') !== undefined, 20_000, 'the old primary to follow');
    expect(lineOf(primary.proc, 'Connecting to MASTER')).toMatch(new RegExp(`^${primary.proc.pid}:S `));
    // Redis logs the election's result while still a replica, and the new replication ID as primary.
    await waitFor(() => lineOf(replica.proc, 'Setting secondary replication ID') !== undefined, 20_000, 'the replica promoted');
    expect(lineOf(replica.proc, 'Failover election won')).toMatch(new RegExp(`^${replica.proc.pid}:S `));
    expect(lineOf(replica.proc, 'Setting secondary replication ID')).toMatch(new RegExp(`^${replica.proc.pid}:M `));
  }, 120_000);
});
