// Topologies around a cinnabar replica, as real processes: chains (a redis-server replica of a
// cinnabar replica gets the same stream and offsets), promotion with REPLICAOF NO ONE (its own
// replica continues through replid2), a restarted replica resuming from its RDB's repl-* fields,
// cinnabar on both sides, and masterauth.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { spawnCinnabar, type CinnabarProcess } from '../helpers/cinnabar.js';
import { referenceAvailable } from '../helpers/differential.js';
import { startReferenceServer } from '../helpers/reference.js';
import { connectIoredis } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';
import { expectSameDataset, replicationInfo, waitForLinkUp, writeLoad } from './helpers.js';

const cleanups: Array<() => Promise<void> | void> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function redisNode(args: string[] = []): Promise<{ port: number; client: Redis }> {
  const server = await startReferenceServer(['--repl-diskless-sync-delay', '0', ...args]);
  cleanups.push(() => server.stop());
  const client = await connectIoredis(server.port, 2);
  cleanups.push(() => client.disconnect());
  return { port: server.port, client };
}

async function cinnabarNode(args: string[] = []): Promise<{ port: number; client: Redis; proc: CinnabarProcess }> {
  const proc = await spawnCinnabar(['--enable-debug-command', 'yes', '--save', '', '--repl-diskless-sync-delay', '0', ...args]);
  cleanups.push(() => proc.stop());
  const client = await connectIoredis(proc.port, 2);
  cleanups.push(() => client.disconnect());
  return { port: proc.port, client, proc };
}

function statsField(info: string, name: string): number {
  return Number(new RegExp(`${name}:(\\d+)`).exec(info)?.[1] ?? 'NaN');
}

describe.skipIf(!referenceAvailable)('topologies with a cinnabar replica', () => {
  it('passes the stream on verbatim: redis-server -> cinnabar -> redis-server under write load', async () => {
    const top = await redisNode();
    const middle = await cinnabarNode();
    const bottom = await redisNode();
    await top.client.call('DEBUG', 'POPULATE', '500', 'pre', '10');
    const load = writeLoad(top.client, 3);
    await middle.client.call('REPLICAOF', '127.0.0.1', String(top.port));
    await waitForLinkUp(middle.client);
    await bottom.client.call('REPLICAOF', '127.0.0.1', String(middle.port));
    await waitForLinkUp(bottom.client);
    await load.stop();
    const a = await expectSameDataset(top.client, middle.client);
    expect(a.replicaDigest).toBe(a.primaryDigest);
    const b = await expectSameDataset(middle.client, bottom.client);
    expect(b.replicaDigest).toBe(b.primaryDigest);
    // The chain shares one history: the same ID at every level (expectSameDataset compared offsets).
    const [ti, mi, bi] = await Promise.all([replicationInfo(top.client), replicationInfo(middle.client), replicationInfo(bottom.client)]);
    expect(mi.get('master_replid')).toBe(ti.get('master_replid'));
    expect(bi.get('master_replid')).toBe(ti.get('master_replid'));
  });

  it('REPLICAOF NO ONE keeps the old history as replid2, and its replica continues with a partial resync', async () => {
    const top = await redisNode();
    const middle = await cinnabarNode();
    const bottom = await redisNode();
    await middle.client.call('REPLICAOF', '127.0.0.1', String(top.port));
    await waitForLinkUp(middle.client);
    await bottom.client.call('REPLICAOF', '127.0.0.1', String(middle.port));
    await waitForLinkUp(bottom.client);
    for (let i = 0; i < 200; i++) await top.client.set(`k${i}`, String(i));
    await expectSameDataset(top.client, bottom.client);
    const before = await replicationInfo(middle.client);
    expect(await middle.client.call('REPLICAOF', 'NO', 'ONE')).toBe('OK');
    const after = await replicationInfo(middle.client);
    expect(after.get('role')).toBe('master');
    expect(after.get('master_replid2')).toBe(before.get('master_replid'));
    expect(after.get('second_repl_offset')).toBe(String(Number(before.get('master_repl_offset')) + 1));
    expect(after.get('master_replid')).not.toBe(before.get('master_replid'));
    expect(middle.proc.output()).toContain('MASTER MODE enabled (user request from');
    // The promoted node takes writes, and its replica gets them after a partial resync.
    await middle.client.set('after-promotion', 'yes');
    await waitFor(async () => (await bottom.client.get('after-promotion')) === 'yes', 10_000, 'the write on the sub-replica');
    expect(statsField(await middle.client.info('stats'), 'sync_partial_ok')).toBeGreaterThanOrEqual(1);
    const d = await expectSameDataset(middle.client, bottom.client);
    expect(d.replicaDigest).toBe(d.primaryDigest);
  });

  it('a restarted replica resumes from the repl-* fields of its RDB file with a partial resync', async () => {
    const top = await redisNode();
    const dir = mkdtempSync(join(tmpdir(), 'cinnabar-restart-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const args = ['--dir', dir, '--replicaof', '127.0.0.1', String(top.port)];
    const first = await cinnabarNode(args);
    await waitForLinkUp(first.client);
    for (let i = 0; i < 300; i++) await top.client.set(`a${i}`, String(i));
    await expectSameDataset(top.client, first.client);
    expect(await first.client.call('SAVE')).toBe('OK');
    first.client.disconnect();
    await first.proc.stop();
    for (let i = 0; i < 50; i++) await top.client.set(`b${i}`, String(i));
    const second = await cinnabarNode(args);
    await waitForLinkUp(second.client);
    expect(second.proc.output()).toContain('Successful partial resynchronization with master.');
    const stats = await top.client.info('stats');
    expect(statsField(stats, 'sync_full')).toBe(1);
    expect(statsField(stats, 'sync_partial_ok')).toBe(1);
    const d = await expectSameDataset(top.client, second.client);
    expect(d.replicaDigest).toBe(d.primaryDigest);
  });

  it('restarts its AOF from the synced dataset (the file then reloads to the primary\'s data)', async () => {
    const top = await redisNode();
    await top.client.call('DEBUG', 'POPULATE', '300', 'pre', '10');
    const r = await cinnabarNode(['--appendonly', 'yes']);
    await r.client.set('local', 'gone after the sync');
    await r.client.call('REPLICAOF', '127.0.0.1', String(top.port));
    await waitForLinkUp(r.client);
    const aofIdle = async (): Promise<boolean> => {
      const info = await r.client.info('persistence');
      return /aof_enabled:1/.test(info) && /aof_rewrite_in_progress:0/.test(info) && /aof_rewrite_scheduled:0/.test(info);
    };
    await waitFor(aofIdle, 20_000, 'the AOF rewrite after the sync');
    for (let i = 0; i < 100; i++) await top.client.set(`after${i}`, String(i));
    await expectSameDataset(top.client, r.client);
    expect(await r.client.call('DEBUG', 'LOADAOF')).toBe('OK');
    const d = await expectSameDataset(top.client, r.client);
    expect(d.replicaDigest).toBe(d.primaryDigest);
    expect(await r.client.exists('local')).toBe(0);
  });

  it('authenticates with masterauth / masteruser, and logs a refused AUTH', async () => {
    const top = await redisNode(['--requirepass', 'secret']);
    await top.client.call('AUTH', 'secret');
    const good = await cinnabarNode(['--masterauth', 'secret', '--masteruser', 'default']);
    await good.client.call('REPLICAOF', '127.0.0.1', String(top.port));
    await waitForLinkUp(good.client);
    const bad = await cinnabarNode(['--masterauth', 'wrong']);
    await bad.client.call('REPLICAOF', '127.0.0.1', String(top.port));
    await waitFor(() => bad.proc.output().includes('Unable to AUTH to MASTER: -WRONGPASS'), 10_000, 'the AUTH refusal');
    expect((await replicationInfo(bad.client)).get('master_link_status')).toBe('down');
  });
});

describe('cinnabar replica of a cinnabar primary', () => {
  it('follows it under write load, across a killed link, with equal datasets', async () => {
    const top = await cinnabarNode();
    const bottom = await cinnabarNode();
    await top.client.call('DEBUG', 'POPULATE', '1000', 'pre', '10');
    const load = writeLoad(top.client, 11);
    await bottom.client.call('REPLICAOF', '127.0.0.1', String(top.port));
    await waitForLinkUp(bottom.client);
    expect(await bottom.client.call('CONFIG', 'GET', 'replicaof')).toEqual(['replicaof', `127.0.0.1 ${top.port}`]);
    expect(await bottom.client.call('CLIENT', 'KILL', 'TYPE', 'master')).toBe(1);
    await waitFor(() => bottom.proc.output().includes('Successful partial resynchronization with master.'), 10_000, 'the partial resync');
    await waitForLinkUp(bottom.client);
    await load.stop();
    const d = await expectSameDataset(top.client, bottom.client);
    expect(d.replicaDigest).toBe(d.primaryDigest);
    const role = await bottom.client.call('ROLE') as unknown[];
    expect(role.slice(0, 4)).toEqual(['slave', '127.0.0.1', top.port, 'connected']);
  });
});
