// A diskless full sync's child process, against real server processes: the transfer has one
// child (what `pgrep -P <server pid>` finds, logged as Redis logs its fork child), which
// checksums the image; killing it fails the sync and the server collects it
// (rdb_bgsave_in_progress back to 0, the replica dropped and served again later); it dies with
// the server; and the trailer it computes is the RDB's CRC64 (a redis-server replica, which
// verifies it, loads the image).

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { freePort, waitForPort } from '../helpers/net.js';
import { childPids, processRunning, runCli, until, type Proc } from '../helpers/process.js';
import { redisServerPath, startReferenceServer } from '../helpers/reference.js';
import { RawConnection } from '../helpers/resp.js';
import { waitFor } from '../helpers/wait.js';

const running: Proc[] = [];
const connections: RawConnection[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const c of connections.splice(0)) c.close();
  for (const p of running.splice(0)) await p.kill();
});
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

interface Started { p: Proc; c: RawConnection; port: number }

async function start(extra: string[] = []): Promise<Started> {
  const dir = mkdtempSync(join(tmpdir(), 'cinnabar-diskless-child-'));
  dirs.push(dir);
  const port = await freePort();
  const p = runCli(['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--enable-debug-command', 'yes',
    '--repl-diskless-sync', 'yes', '--repl-diskless-sync-delay', '0', ...extra]);
  running.push(p);
  // Generous: a loaded 2-core machine can take many seconds to start a Node process.
  await waitForPort(port, 60_000);
  await p.waitFor(/Ready to accept connections/, 60_000);
  const c = await RawConnection.connect(port);
  connections.push(c);
  return { p, c, port };
}

/** A command that may take long on a loaded machine (DEBUG POPULATE, DEBUG DIGEST). */
async function slowCall(c: RawConnection, ...args: string[]): Promise<string> {
  c.send(...args);
  return c.readReply(60_000);
}

async function info(c: RawConnection, field: string): Promise<string> {
  const text = await c.call('INFO', 'everything');
  const m = new RegExp(`\\r\\n${field}:([^\\r]*)\\r\\n`).exec(text);
  if (m === null) throw new Error(`no INFO field ${field}`);
  return m[1];
}

/** The pid in "Background RDB transfer started by pid N", the nth time it is logged. */
async function transferPid(p: Proc, nth = 1): Promise<number> {
  const re = /Background RDB transfer started by pid (\d+)/g;
  await waitFor(() => [...p.stdout.matchAll(re)].length >= nth, 20_000, `transfer #${nth}`);
  return Number([...p.stdout.matchAll(re)][nth - 1][1]);
}

describe('diskless full sync child', () => {
  it('is the server\'s child; killed, the sync fails, it is collected and the replica syncs again', async () => {
    const primary = await start(['--rdbcompression', 'no']);
    // Big enough that the image outlasts the sockets' buffers while the replica stalls.
    expect(await slowCall(primary.c, 'DEBUG', 'POPULATE', '4000', 'test', '10000')).toBe('+OK\r\n');
    const replica = await start(['--repl-diskless-load', 'swapdb', '--key-load-delay', '1000000', '--loading-process-events-interval-bytes', '1024']);
    expect(await replica.c.call('REPLICAOF', '127.0.0.1', String(primary.port))).toBe('+OK\r\n');
    const pid = await transferPid(primary.p);
    expect(childPids(primary.p.pid)).toEqual([pid]);
    expect(await info(primary.c, 'rdb_bgsave_in_progress')).toBe('1');
    await replica.p.waitFor(/Loading DB in memory/, 30_000);

    process.kill(pid, 'SIGKILL');
    // Seen once in a clean-clone CI run (not reproduced since): the flag stayed 1 for 30 s. The
    // primary's log then tells which part of the end never came.
    await waitFor(async () => await info(primary.c, 'rdb_bgsave_in_progress') === '0', 30_000, 'the transfer to end')
      .catch((err: Error) => {
        throw new Error(`${err.message}; child ${pid} running: ${processRunning(pid)}; primary's log:\n${primary.p.stdout.slice(-3000)}`);
      });
    await primary.p.waitFor(/Background transfer terminated by signal 9/, 30_000);
    await primary.p.waitFor(/SYNC failed\. BGSAVE child returned an error/, 30_000);
    await until(() => !processRunning(pid), 30_000, 'the child to be reaped');

    // The replica, let go, asks again and is served by a new transfer with a new child.
    expect(await replica.c.call('CONFIG', 'SET', 'key-load-delay', '0')).toBe('+OK\r\n');
    const second = await transferPid(primary.p, 2);
    expect(second).not.toBe(pid);
    await waitFor(async () => await info(replica.c, 'master_link_status') === 'up', 30_000, 'the replica to sync');
    expect(await slowCall(replica.c, 'DEBUG', 'DIGEST')).toBe(await slowCall(primary.c, 'DEBUG', 'DIGEST'));
    expect(await info(primary.c, 'rdb_bgsave_in_progress')).toBe('0');
    // The second transfer's writer stays, idle, for the next save or sync.
    expect(childPids(primary.p.pid)).toEqual([second]);
  }, 180_000);

  it('dies with the server', async () => {
    const primary = await start(['--rdb-key-save-delay', '1000']);
    expect(await slowCall(primary.c, 'DEBUG', 'POPULATE', '10000')).toBe('+OK\r\n');
    const replica = await start();
    expect(await replica.c.call('REPLICAOF', '127.0.0.1', String(primary.port))).toBe('+OK\r\n');
    const pid = await transferPid(primary.p);
    expect(processRunning(pid)).toBe(true);
    process.kill(primary.p.pid, 'SIGKILL');
    await until(() => !processRunning(pid), 30_000, 'the child to exit after its server');
  }, 150_000);

  it.runIf(redisServerPath() !== null)('computes the CRC64 a redis-server replica verifies', async () => {
    const primary = await start();
    expect(await slowCall(primary.c, 'DEBUG', 'POPULATE', '20000', 'k', '100')).toBe('+OK\r\n');
    const reference = await startReferenceServer(['--rdbchecksum', 'yes']);
    try {
      const replica = await RawConnection.connect(reference.port);
      connections.push(replica);
      expect(await replica.call('REPLICAOF', '127.0.0.1', String(primary.port))).toBe('+OK\r\n');
      await waitFor(async () => (await replica.call('INFO', 'replication')).includes('master_link_status:up'), 30_000, 'redis-server to sync');
      expect(await replica.call('DBSIZE')).toBe(':20000\r\n');
      // Same values, checked the way Redis checks datasets.
      expect(await slowCall(replica, 'DEBUG', 'DIGEST')).toBe(await slowCall(primary.c, 'DEBUG', 'DIGEST'));
      await primary.p.waitFor(/Background RDB transfer terminated with success/, 30_000);
    } finally {
      await reference.stop();
    }
  }, 150_000);
});
