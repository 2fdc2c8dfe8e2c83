// The AOF across processes: redis-check-aof accepts what cinnabar writes; an appendonlydir
// written by redis-server 7.0 loads in cinnabar with the same contents and the reverse (DEBUG
// DIGEST, every type, expiries, both base forms); kill -9 under write load loses no
// acknowledged write (appendfsync always and everysec: the write(2) precedes every reply, and a
// killed process leaves the page cache behind), and a kill during a rewrite leaves loadable
// files.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connectIoredis } from '../helpers/server.js';
import { freePort, waitForPort } from '../helpers/net.js';
import { CLI, haveProgram } from '../helpers/process.js';
import { redisServerPath } from '../helpers/reference.js';
import { waitFor } from '../helpers/wait.js';

let dir: string;
const children: ChildProcess[] = [];
const clients: Redis[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cinnabar-aofp-'));
});

afterEach(async () => {
  for (const c of clients.splice(0)) c.disconnect();
  await Promise.all(children.splice(0).map(kill9));
  rmSync(dir, { recursive: true, force: true });
});

function kill9(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGKILL');
  return exited;
}

interface Node {
  child: ChildProcess;
  client: Redis;
  output(): string;
}

async function launch(kind: 'cinnabar' | 'redis', args: string[]): Promise<Node> {
  const port = await freePort();
  const common = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--save', '', '--enable-debug-command', 'yes', ...args];
  const child = kind === 'cinnabar'
    ? spawn(process.execPath, [CLI, ...common.filter((_a, i) => !(common[i] === '--save' || common[i - 1] === '--save'))], { stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(redisServerPath() as string, common, { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let output = '';
  child.stdout?.on('data', (d: Buffer) => { output += d.toString(); });
  child.stderr?.on('data', (d: Buffer) => { output += d.toString(); });
  await waitForPort(port, 10_000);
  const client = await connectIoredis(port, 2);
  clients.push(client);
  await waitFor(async () => !(await client.info('persistence')).includes('loading:1'), 10_000, 'loading');
  return { child, client, output: () => output };
}

async function stopNode(node: Node): Promise<void> {
  node.client.disconnect();
  clients.splice(clients.indexOf(node.client), 1);
  await kill9(node.child);
  children.splice(children.indexOf(node.child), 1);
}

/** Every type, both encodings where there are two, keys with deadlines, a function library. */
async function writeDataset(r: Redis): Promise<void> {
  await r.set('str', 'hello');
  await r.set('int', '12345');
  await r.set('big', 'x'.repeat(100_000));
  await r.set('ttl', 'v', 'PX', 600_000);
  await r.rpush('list', 'a', 'b', '1', '2');
  await r.rpush('biglist', ...Array.from({ length: 300 }, (_v, i) => `item-${i}`));
  await r.sadd('intset', '1', '2', '3');
  await r.sadd('set', ...Array.from({ length: 200 }, (_v, i) => `m${i}`));
  await r.hset('hash', 'f1', 'v1', 'f2', 'v2');
  await r.hset('bighash', ...Array.from({ length: 300 }, (_v, i) => [`f${i}`, `v${i}`]).flat());
  await r.zadd('zset', 1, 'a', 2.5, 'b', -3, 'c');
  await r.zadd('bigzset', ...Array.from({ length: 300 }, (_v, i) => [String(i / 7), `z${i}`]).flat());
  await r.expire('bigzset', 10_000);
  await r.xadd('stream', '1-1', 'f', 'v');
  await r.xadd('stream', '2-1', 'g', 'w');
  await r.xgroup('CREATE', 'stream', 'grp', '0');
  await r.xreadgroup('GROUP', 'grp', 'alice', 'COUNT', '1', 'STREAMS', 'stream', '>');
  await r.call('XGROUP', 'CREATECONSUMER', 'stream', 'grp', 'bob');
  await r.select(5);
  await r.set('in5', 'five');
  await r.multi().incr('counter').incr('counter').exec();
  await r.select(0);
  await r.call('FUNCTION', 'LOAD', "#!lua name=lib\nredis.register_function('f', function() return 1 end)");
}

const haveReference = redisServerPath() !== null && haveProgram('redis-check-aof');

describe.runIf(haveReference)('AOF files across processes', () => {
  // Each side is stopped with kill -9 right after its last write. Under everysec redis-server may
  // postpone the write(2) of its AOF buffer while a background fsync is slow (a loaded machine),
  // and the killed process then loses what it acknowledged last; always writes before replying.
  const fsyncAlways = ['--appendfsync', 'always'];
  for (const preamble of ['yes', 'no']) {
    it(`cinnabar's directory (aof-use-rdb-preamble ${preamble}) passes redis-check-aof and loads in redis-server with the same contents`, async () => {
      const ours = await launch('cinnabar', ['--aof-use-rdb-preamble', preamble, ...fsyncAlways]);
      await writeDataset(ours.client);
      expect(await ours.client.bgrewriteaof()).toBe('Background append only file rewriting started');
      await waitFor(async () => (await ours.client.info('persistence')).includes('aof_rewrite_in_progress:0'), 10_000, 'the rewrite');
      await ours.client.set('after-rewrite', '1');
      await ours.client.lpush('list', 'z');
      const digest = await ours.client.call('DEBUG', 'DIGEST');
      const check = spawnSync('redis-check-aof', [join(dir, 'appendonlydir', 'appendonly.aof.manifest')], { encoding: 'utf8' });
      expect(check.stdout).toContain('All AOF files and manifest are valid');
      expect(check.status).toBe(0);
      await stopNode(ours);
      const theirs = await launch('redis', ['--aof-use-rdb-preamble', preamble, ...fsyncAlways]);
      expect(await theirs.client.call('DEBUG', 'DIGEST')).toBe(digest);
      expect(await theirs.client.call('FCALL', 'f', '0')).toBe(1);
    });

    it(`redis-server's directory (aof-use-rdb-preamble ${preamble}) loads in cinnabar with the same contents`, async () => {
      const theirs = await launch('redis', ['--aof-use-rdb-preamble', preamble, ...fsyncAlways]);
      await writeDataset(theirs.client);
      await theirs.client.bgrewriteaof();
      await waitFor(async () => (await theirs.client.info('persistence')).includes('aof_rewrite_in_progress:0'), 10_000, 'the rewrite');
      await theirs.client.set('after-rewrite', '1');
      await theirs.client.pexpire('str', 900_000);
      const digest = await theirs.client.call('DEBUG', 'DIGEST');
      await theirs.client.call('DEBUG', 'SLEEP', '0');
      await stopNode(theirs);
      const ours = await launch('cinnabar', ['--aof-use-rdb-preamble', preamble, ...fsyncAlways]);
      expect(await ours.client.call('DEBUG', 'DIGEST')).toBe(digest);
      expect(await ours.client.xpending('stream', 'grp')).toEqual([1, '1-1', '1-1', [['alice', '1']]]);
    });
  }
});

/** Sends SETs one at a time until told to stop; returns the keys whose reply arrived. */
async function writeUntilKilled(client: Redis, node: Node, acknowledged: string[]): Promise<void> {
  for (let i = 0; ; i++) {
    try {
      await client.set(`key:${i}`, String(i));
      acknowledged.push(`key:${i}`);
    } catch {
      // The connection went down with the process: what was acknowledged is the record.
      return;
    }
    if (node.child.exitCode !== null || node.child.signalCode !== null) return;
  }
}

describe('AOF crash safety (kill -9)', () => {
  for (const policy of ['always', 'everysec']) {
    it(`appendfsync ${policy}: no acknowledged write is lost`, async () => {
      const first = await launch('cinnabar', ['--appendfsync', policy]);
      const writers: Redis[] = [];
      for (let i = 0; i < 3; i++) {
        // No reconnection and no offline queue: a command in flight when the process dies fails.
        const w = new Redis({ port: Number(first.client.options.port), lazyConnect: true, enableReadyCheck: false, retryStrategy: () => null, maxRetriesPerRequest: 0, enableOfflineQueue: false });
        w.on('error', () => undefined);
        await w.connect();
        writers.push(w);
        clients.push(w);
      }
      const acknowledged: string[][] = [[], [], []];
      const loads = writers.map((w, i) => writeUntilKilled(w, first, acknowledged[i]));
      await waitFor(() => acknowledged.every((a) => a.length > 200), 20_000, 'write load');
      first.child.kill('SIGKILL');
      await Promise.all(loads);
      await stopNode(first);
      const second = await launch('cinnabar', []);
      const all = acknowledged.flat();
      const values = await second.client.mget(...all);
      const lost = all.filter((_k, i) => values[i] === null);
      expect(lost).toEqual([]);
    });
  }

  it('a kill during a rewrite leaves files that load', async () => {
    const first = await launch('cinnabar', ['--aof-use-rdb-preamble', 'no']);
    const pipeline = first.client.pipeline();
    for (let i = 0; i < 20_000; i++) pipeline.set(`k${i}`, 'v'.repeat(50));
    await pipeline.exec();
    await first.client.bgrewriteaof();
    await first.client.set('last', 'one');
    await stopNode(first);
    const second = await launch('cinnabar', []);
    expect(await second.client.dbsize()).toBe(20_001);
    expect(await second.client.get('last')).toBe('one');
  });
});

// Redis loads its files whole at start-up, whatever the settings of the moment: the loader runs
// the commands with no checks (maxmemory is judged once loading has ended, and a replica whose
// primary is unreachable still has its own data). Each case runs on redis-server too when it is
// installed, so the expectation is Redis's behaviour, not ours.
describe('a restart loads the whole AOF', () => {
  const kinds: Array<'cinnabar' | 'redis'> = haveReference ? ['cinnabar', 'redis'] : ['cinnabar'];

  async function writeKeys(kind: 'cinnabar' | 'redis', count: number): Promise<string> {
    const first = await launch(kind, ['--appendfsync', 'always']);
    const pipeline = first.client.pipeline();
    for (let i = 0; i < count; i++) pipeline.set(`key:${i}`, 'v'.repeat(200));
    await pipeline.exec();
    const digest = String(await first.client.call('DEBUG', 'DIGEST'));
    await stopNode(first);
    return digest;
  }

  for (const kind of kinds) {
    it(`${kind}: maxmemory below the dataset (noeviction) loads every key, then refuses writes`, async () => {
      const digest = await writeKeys(kind, 10_000);
      const second = await launch(kind, ['--maxmemory', '1mb', '--maxmemory-policy', 'noeviction']);
      expect(await second.client.dbsize()).toBe(10_000);
      expect(String(await second.client.call('DEBUG', 'DIGEST'))).toBe(digest);
      expect((await second.client.info('stats')).match(/evicted_keys:(\d+)/)?.[1]).toBe('0');
      await expect(second.client.set('one-more', 'x')).rejects.toThrow("OOM command not allowed when used memory > 'maxmemory'.");
    });

    it(`${kind}: a replica that may not serve stale data still loads its own AOF while its primary is unreachable`, async () => {
      await writeKeys(kind, 2_000);
      const unreachable = await freePort();
      const second = await launch(kind, ['--replicaof', '127.0.0.1', String(unreachable), '--replica-serve-stale-data', 'no']);
      expect(await second.client.info('keyspace')).toContain('db0:keys=2000,');
      await expect(second.client.get('key:1')).rejects.toThrow('MASTERDOWN');
    });
  }
});
