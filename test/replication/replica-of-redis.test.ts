// A cinnabar replica (a real process) following a real redis-server 7.0 primary: full sync
// with both RDB framings, the stream applied under write load, INFO's replica fields, the
// read-only refusal, and a replica that does not expire keys itself.

import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { spawnCinnabar, type CinnabarProcess } from '../helpers/cinnabar.js';
import { connectIoredis } from '../helpers/server.js';
import { referenceAvailable } from '../helpers/differential.js';
import { startReferenceServer, type ReferenceServer } from '../helpers/reference.js';
import { waitFor } from '../helpers/wait.js';
import { expectSameDataset, replicationInfo, waitForLinkUp, writeLoad } from './helpers.js';

const started: Array<{ stop(): Promise<void> }> = [];
const clients: Redis[] = [];

async function primary(args: string[] = []): Promise<{ server: ReferenceServer; client: Redis }> {
  const server = await startReferenceServer(args);
  started.push(server);
  const client = await connectIoredis(server.port, 2);
  clients.push(client);
  return { server, client };
}

async function replica(args: string[] = []): Promise<{ proc: CinnabarProcess; client: Redis }> {
  const proc = await spawnCinnabar(['--enable-debug-command', 'yes', '--save', '', ...args]);
  started.push(proc);
  const client = await connectIoredis(proc.port, 2);
  clients.push(client);
  return { proc, client };
}

afterEach(async () => {
  for (const c of clients.splice(0)) c.disconnect();
  for (const s of started.splice(0)) await s.stop();
});

afterAll(async () => {
  for (const c of clients.splice(0)) c.disconnect();
  for (const s of started.splice(0)) await s.stop();
});

describe.skipIf(!referenceAvailable)('cinnabar replica of redis-server 7.0', () => {
  for (const diskless of ['yes', 'no']) {
    it(`follows the primary under write load (repl-diskless-sync ${diskless})`, async () => {
      const p = await primary(['--repl-diskless-sync', diskless, '--repl-diskless-sync-delay', '0']);
      // A dataset before the sync, so the RDB image carries it.
      await p.client.call('DEBUG', 'POPULATE', '2000', 'pre', '20');
      await p.client.hset('h:big', 'a', '1', 'b', '2');
      const r = await replica();
      const load = writeLoad(p.client, 0);
      expect(await r.client.call('REPLICAOF', '127.0.0.1', String(p.server.port))).toBe('OK');
      await waitForLinkUp(r.client);
      const info = await replicationInfo(r.client);
      expect(info.get('role')).toBe('slave');
      expect(info.get('master_port')).toBe(String(p.server.port));
      expect(info.get('master_sync_in_progress')).toBe('0');
      const sent = await load.stop();
      expect(sent).toBeGreaterThan(0);
      const { primaryDigest, replicaDigest } = await expectSameDataset(p.client, r.client);
      expect(replicaDigest).toBe(primaryDigest);
      // The replica's offsets are the primary's.
      const pInfo = await replicationInfo(p.client);
      const rInfo = await replicationInfo(r.client);
      expect(rInfo.get('master_replid')).toBe(pInfo.get('master_replid'));
      expect(r.proc.output()).toContain('MASTER <-> REPLICA sync: Finished with success');
      expect(r.proc.output()).toContain(diskless === 'yes' ? 'receiving streamed RDB from master with EOF to disk' : 'bytes from master to disk');
    });
  }

  it('loads a diskless image in memory with repl-diskless-load swapdb', async () => {
    const p = await primary(['--repl-diskless-sync-delay', '0']);
    await p.client.call('DEBUG', 'POPULATE', '1000', 'k', '10');
    const r = await replica(['--repl-diskless-load', 'swapdb']);
    await r.client.set('old', 'data');
    await r.client.call('REPLICAOF', '127.0.0.1', String(p.server.port));
    await waitForLinkUp(r.client);
    const { primaryDigest, replicaDigest } = await expectSameDataset(p.client, r.client);
    expect(replicaDigest).toBe(primaryDigest);
    expect(await r.client.exists('old')).toBe(0);
    expect(r.proc.output()).toContain('receiving streamed RDB from master with EOF to parser');
    expect(r.proc.output()).toContain('Swapping active DB with loaded DB');
  });

  it('refuses writes as a read-only replica, and reports keys past their deadline missing without deleting them', async () => {
    const p = await primary(['--repl-diskless-sync-delay', '0']);
    const r = await replica();
    await r.client.call('REPLICAOF', '127.0.0.1', String(p.server.port));
    await waitForLinkUp(r.client);
    await expect(r.client.set('x', '1')).rejects.toThrow("READONLY You can't write against a read only replica.");
    // Keep the primary from expiring the key itself, so only the replica's view is tested.
    await p.client.call('DEBUG', 'SET-ACTIVE-EXPIRE', '0');
    await p.client.set('ttl', 'v', 'PX', 100);
    await waitFor(async () => (await r.client.call('DEBUG', 'OBJECT', 'ttl').then(() => true, () => false)), 5000, 'the key on the replica');
    await waitFor(async () => (await r.client.get('ttl')) === null, 5000, 'the key to read as expired');
    // Still there (DEBUG OBJECT finds it), and still counted by DBSIZE, until the primary's DEL.
    expect(await r.client.dbsize()).toBe(1);
    await p.client.get('ttl');
    await waitFor(async () => (await r.client.dbsize()) === 0, 5000, "the primary's DEL");
  });

  it('shows the link down and serves or refuses stale data', async () => {
    const r = await replica(['--replica-serve-stale-data', 'no']);
    // Nothing listens on port 1: the link stays down.
    await r.client.call('REPLICAOF', '127.0.0.1', '1');
    const info = await replicationInfo(r.client);
    expect(info.get('master_link_status')).toBe('down');
    expect(info.get('master_link_down_since_seconds')).toBeDefined();
    await expect(r.client.get('x')).rejects.toThrow("MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.");
    expect(await r.client.call('REPLICAOF', '127.0.0.1', '1')).toBe('OK Already connected to specified master');
    await expect(r.client.call('REPLICAOF', '127.0.0.1', '70000')).rejects.toThrow('ERR Invalid master port');
    expect(await r.client.call('REPLICAOF', 'NO', 'ONE')).toBe('OK');
    expect((await replicationInfo(r.client)).get('role')).toBe('master');
    expect(await r.client.get('x')).toBeNull();
  });
});

describe.skipIf(!referenceAvailable)('cinnabar replica of redis-server 7.0: acknowledgements and partial resyncs', () => {
  async function linked(replicaArgs: string[] = []): Promise<{ p: { server: ReferenceServer; client: Redis }; r: { proc: CinnabarProcess; client: Redis } }> {
    const p = await primary(['--repl-diskless-sync-delay', '0']);
    const r = await replica(replicaArgs);
    await r.client.call('REPLICAOF', '127.0.0.1', String(p.server.port));
    await waitForLinkUp(r.client);
    return { p, r };
  }

  function syncStats(info: string): { full: number; partialOk: number } {
    const field = (name: string): number => Number(new RegExp(`${name}:(\\d+)`).exec(info)?.[1] ?? 'NaN');
    return { full: field('sync_full'), partialOk: field('sync_partial_ok') };
  }

  it('is counted by WAIT on the primary (REPLCONF GETACK answered with the applied offset)', async () => {
    const { p, r } = await linked();
    for (let i = 0; i < 100; i++) await p.client.set(`w${i}`, String(i));
    expect(await p.client.call('WAIT', '1', '5000')).toBe(1);
    const pInfo = await p.client.info('replication');
    const offset = Number(/master_repl_offset:(\d+)/.exec(pInfo)?.[1]);
    // The primary's view of the replica's acknowledged offset reaches its own offset.
    await waitFor(async () => {
      const text = await p.client.info('replication');
      return Number(/slave0:.*offset=(\d+)/.exec(text)?.[1]) >= offset;
    }, 5000, 'the ACK of the replica');
    expect((await replicationInfo(r.client)).get('master_link_status')).toBe('up');
  });

  for (const side of ['replica', 'primary']) {
    it(`resumes with a partial resync after the link is killed on the ${side}, under write load`, async () => {
      const { p, r } = await linked();
      const load = writeLoad(p.client, 7);
      await waitFor(async () => Number((await replicationInfo(r.client)).get('slave_repl_offset')) > 5000, 10_000, 'some stream applied');
      if (side === 'replica') {
        expect(await r.client.call('CLIENT', 'KILL', 'TYPE', 'master')).toBe(1);
      } else {
        expect(await p.client.call('CLIENT', 'KILL', 'TYPE', 'replica')).toBe(1);
      }
      await waitFor(() => r.proc.output().includes('Successful partial resynchronization with master.'), 10_000, 'the partial resync');
      await waitForLinkUp(r.client);
      await load.stop();
      const { primaryDigest, replicaDigest } = await expectSameDataset(p.client, r.client);
      expect(replicaDigest).toBe(primaryDigest);
      const stats = syncStats(await p.client.info('stats'));
      expect(stats.full).toBe(1);
      expect(stats.partialOk).toBe(1);
      expect(r.proc.output()).toContain('Caching the disconnected master state.');
    });
  }

  it('drops a silent primary after repl-timeout and syncs again', async () => {
    const { p, r } = await linked(['--repl-timeout', '2']);
    await p.client.set('before', '1');
    // A paused primary sends nothing (no PINGs either): the replica times the link out.
    await p.client.call('CLIENT', 'PAUSE', '4000', 'ALL');
    await waitFor(() => r.proc.output().includes('MASTER timeout: no data nor PING received...'), 10_000, 'the timeout');
    await p.client.call('CLIENT', 'UNPAUSE');
    await waitForLinkUp(r.client);
    await p.client.set('after', '2');
    const { primaryDigest, replicaDigest } = await expectSameDataset(p.client, r.client);
    expect(replicaDigest).toBe(primaryDigest);
  });
});
