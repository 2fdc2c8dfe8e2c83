// A cinnabar replica parses its primary's RDB payload while it arrives (a real redis-server 7.0
// primary sends it): diskless loads from the socket, disk-based ones from the temporary file as it
// grows. Checked: the dataset (records far larger than one socket read and than the parser's
// read-ahead, many small keys, several dbs) arrives whole in every mode; the node is LOADING with
// a partly loaded dataset while a slow diskless payload is still arriving; a link cut in the
// middle is Redis's short read (logged, the partial dataset dropped, the sync tried again).

import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { spawnCinnabar, type CinnabarProcess } from '../helpers/cinnabar.js';
import { referenceAvailable } from '../helpers/differential.js';
import { startReferenceServer, type ReferenceServer } from '../helpers/reference.js';
import { connectIoredis } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';
import { expectSameDataset, replicationInfo, waitForLinkUp } from './helpers.js';

const started: Array<{ stop(): Promise<void> }> = [];
const clients: Redis[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.disconnect();
  for (const s of started.splice(0)) await s.stop();
});

async function primary(args: string[]): Promise<{ server: ReferenceServer; client: Redis }> {
  const server = await startReferenceServer(['--repl-diskless-sync-delay', '0', ...args]);
  started.push(server);
  const client = await connectIoredis(server.port, 2);
  clients.push(client);
  return { server, client };
}

async function cinnabar(args: string[]): Promise<{ proc: CinnabarProcess; client: Redis }> {
  const proc = await spawnCinnabar(['--enable-debug-command', 'yes', '--save', '', ...args]);
  started.push(proc);
  const client = await connectIoredis(proc.port, 2);
  clients.push(client);
  return { proc, client };
}

/** Values of every shape, some of them bigger than the parser's 4 MB read-ahead. */
async function fillDataset(client: Redis): Promise<void> {
  await client.call('DEBUG', 'POPULATE', '30000', 'small', '12');
  // Random bytes do not compress: the record stays as big on the wire as in memory.
  const big = Buffer.alloc(6 * 1024 * 1024);
  for (let i = 0; i < big.length; i += 4) big.writeUInt32LE((Math.imul(i, 2654435761) ^ (i >>> 7)) >>> 0, i);
  await client.set('big:string', big);
  const fields: string[] = [];
  for (let i = 0; i < 20000; i++) fields.push(`field:${i}`, `value:${i}:${'v'.repeat(i % 50)}`);
  await client.hset('big:hash', ...fields);
  await client.select(3);
  await client.rpush('db3:list', ...Array.from({ length: 5000 }, (_, i) => `element-${i}`));
  await client.set('db3:ttl', 'x', 'EX', 1000);
  await client.select(0);
}

describe.skipIf(!referenceAvailable)('full sync parsed while it arrives', () => {
  const modes: Array<{ name: string; primaryArgs: string[]; replicaArgs: string[]; oldKey: boolean; target: string }> = [
    { name: 'diskless on-empty-db', primaryArgs: ['--repl-diskless-sync', 'yes'], replicaArgs: ['--repl-diskless-load', 'on-empty-db'], oldKey: false, target: 'with EOF to parser' },
    { name: 'diskless swapdb, sized payload', primaryArgs: ['--repl-diskless-sync', 'no'], replicaArgs: ['--repl-diskless-load', 'swapdb'], oldKey: true, target: 'bytes from master to parser' },
    { name: 'disk into an empty dataset (read as the file grows)', primaryArgs: ['--repl-diskless-sync', 'yes'], replicaArgs: [], oldKey: false, target: 'with EOF to disk' },
    { name: 'disk into a dataset with keys (read after the transfer)', primaryArgs: ['--repl-diskless-sync', 'no'], replicaArgs: [], oldKey: true, target: 'bytes from master to disk' },
  ];
  for (const mode of modes) {
    it(`loads the whole dataset: ${mode.name}`, async () => {
      const p = await primary(mode.primaryArgs);
      await fillDataset(p.client);
      const r = await cinnabar(mode.replicaArgs);
      if (mode.oldKey) await r.client.set('old', 'data');
      expect(await r.client.call('REPLICAOF', '127.0.0.1', String(p.server.port))).toBe('OK');
      await waitForLinkUp(r.client, 60_000);
      const { primaryDigest, replicaDigest } = await expectSameDataset(p.client, r.client);
      expect(replicaDigest).toBe(primaryDigest);
      expect(await r.client.exists('old')).toBe(0);
      expect(await r.client.strlen('big:string')).toBe(6 * 1024 * 1024);
      expect(await r.client.hlen('big:hash')).toBe(20000);
      const output = r.proc.output();
      expect(output).toContain(mode.target);
      expect(output).toContain('Done loading RDB, keys loaded: 30004');
      expect(output).toContain('MASTER <-> REPLICA sync: Finished with success');
      // Writes after the sync reach the replica through the stream that followed the payload.
      await p.client.set('after', 'sync');
      await waitFor(async () => (await r.client.get('after')) === 'sync', 10_000, 'the write after the sync');
    }, 90_000);
  }

  it('is loading with part of the dataset while a slow diskless payload arrives; a cut link is a short read', async () => {
    // Each key the primary's child saves waits 200 us: 20000 keys take about 4 s to arrive.
    const p = await primary(['--repl-diskless-sync', 'yes', '--rdb-key-save-delay', '200']);
    await p.client.call('DEBUG', 'POPULATE', '20000', 'key', '10');
    const r = await cinnabar(['--repl-diskless-load', 'on-empty-db']);
    await r.client.call('REPLICAOF', '127.0.0.1', String(p.server.port));
    // Parsed from the socket: keys are in before the payload's end (the node is loading meanwhile).
    let loadedBytes = 0;
    await waitFor(async () => {
      const info = await r.client.info('persistence');
      const match = /loading_loaded_bytes:(\d+)/.exec(info);
      loadedBytes = match === null ? 0 : Number(match[1]);
      return /loading:1/.test(info) && loadedBytes > 10_000;
    }, 20_000, 'a partly loaded dataset');
    await expect(r.client.get('key:1')).rejects.toThrow(/LOADING/);
    // The primary drops the replica in the middle of the payload.
    expect(Number(await p.client.call('CLIENT', 'KILL', 'TYPE', 'replica'))).toBeGreaterThanOrEqual(1);
    await waitFor(() => r.proc.output().includes('Failed trying to load the MASTER synchronization DB from socket'), 10_000, 'the short read');
    expect(r.proc.output()).toContain('Unexpected EOF reading RDB file');
    // The partial dataset was dropped; the replica syncs again, this time at full speed.
    await p.client.config('SET', 'rdb-key-save-delay', '0');
    await waitForLinkUp(r.client, 60_000);
    const { primaryDigest, replicaDigest } = await expectSameDataset(p.client, r.client);
    expect(replicaDigest).toBe(primaryDigest);
    expect(await r.client.dbsize()).toBe(20000);
    const info = await replicationInfo(r.client);
    expect(info.get('master_sync_in_progress')).toBe('0');
  }, 90_000);
});
