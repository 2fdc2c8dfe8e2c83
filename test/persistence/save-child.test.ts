// Background saves written by a real child process, against real server processes: the writer
// is a child of the server (what `pgrep -P` finds), it writes temp-<its pid>.rdb or
// temp-rewriteaof-bg-<its pid>.aof, killing it fails the save with Redis's lines and removes its
// file, SHUTDOWN kills it, and it never outlives the server.

import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
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

function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cinnabar-savechild-'));
  dirs.push(dir);
  return dir;
}

interface Started { p: Proc; c: RawConnection; dir: string }

async function start(extra: string[] = []): Promise<Started> {
  const dir = scratch();
  const port = await freePort();
  const p = runCli(['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--enable-debug-command', 'yes', ...extra]);
  running.push(p);
  await waitForPort(port, 10_000);
  await p.waitFor(/Ready to accept connections/);
  const c = await RawConnection.connect(port);
  connections.push(c);
  return { p, c, dir };
}

function messages(text: string): string[] {
  return text.split('\n').filter((l) => l !== '').map((l) => l.replace(/^\d+:[A-Z] \d+ \w+ \d+ [\d:.]+ [#*.-] /, ''));
}

async function info(c: RawConnection, field: string): Promise<string> {
  const text = await c.call('INFO', 'everything');
  const m = new RegExp(`\\r\\n${field}:([^\\r]*)\\r\\n`).exec(text);
  if (m === null) throw new Error(`no INFO field ${field}`);
  return m[1];
}

/** The writer's pid from the log line the nth time it appears (1-based). */
async function writerPid(p: Proc, pattern: string, nth = 1): Promise<number> {
  const re = new RegExp(`${pattern} (\\d+)`, 'g');
  await waitFor(() => [...p.stdout.matchAll(re)].length >= nth, 10_000, `"${pattern}" #${nth}`);
  return Number([...p.stdout.matchAll(re)][nth - 1][1]);
}

/** Whether the process has `path` open (its /proc fd links). */
function holdsFile(pid: number, path: string): boolean {
  try {
    return readdirSync(`/proc/${pid}/fd`).some((fd) => {
      try {
        return readlinkSync(`/proc/${pid}/fd/${fd}`) === path;
      } catch (err) {
        // The descriptor closed while listing.
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
        throw err;
      }
    });
  } catch (err) {
    // The process is gone.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

/** A slow save: 20 keys at 1 s each keeps the child alive long after even a slow start (tests stop it or lift the delay). */
async function slowDataset(c: RawConnection): Promise<void> {
  for (let i = 0; i < 20; i++) await c.call('SET', `k:${i}`, `v:${i}`);
  expect(await c.call('CONFIG', 'SET', 'rdb-key-save-delay', '1000000')).toBe('+OK\r\n');
}

describe('BGSAVE through a writer child', () => {
  it('the writer is a child of the server, writes temp-<its pid>.rdb, and the file loads in redis-server', async () => {
    const { p, c, dir } = await start();
    // Started with the server, before any save (so a save never has to start a process).
    const standby = childPids(p.pid);
    expect(standby).toHaveLength(1);
    expect(await c.call('DEBUG', 'POPULATE', '2000')).toBe('+OK\r\n');
    await c.call('HSET', 'h', 'f1', 'v1', 'f2', 'v2');
    await c.call('SET', 'ttl', 'x', 'PX', '600000');
    const forksBefore = Number(await info(c, 'total_forks'));
    await slowDataset(c);
    expect(await c.call('BGSAVE')).toBe('+Background saving started\r\n');
    const pid = await writerPid(p, 'Background saving started by pid');
    expect(pid).toBe(standby[0]);
    expect(childPids(p.pid)).toEqual([pid]);
    expect(existsSync(join(dir, `temp-${pid}.rdb`))).toBe(true);
    expect(await info(c, 'rdb_bgsave_in_progress')).toBe('1');
    expect(Number(await info(c, 'total_forks'))).toBe(forksBefore + 1);
    expect(await c.call('CONFIG', 'SET', 'rdb-key-save-delay', '0')).toBe('+OK\r\n');
    await waitFor(async () => (await info(c, 'rdb_bgsave_in_progress')) === '0', 20_000, 'the end of the save');
    expect(await info(c, 'rdb_last_bgsave_status')).toBe('ok');
    const lines = messages(p.stdout);
    const at = lines.indexOf(`Background saving started by pid ${pid}`);
    expect(lines.slice(at + 1, at + 3)).toEqual(['DB saved on disk', 'Background saving terminated with success']);
    expect(existsSync(join(dir, `temp-${pid}.rdb`))).toBe(false);
    // The writer stays, idle, and writes the next save too: no process started for it.
    expect(childPids(p.pid)).toEqual([pid]);
    expect(await c.call('BGSAVE')).toBe('+Background saving started\r\n');
    expect(await writerPid(p, 'Background saving started by pid', 2)).toBe(pid);
    await waitFor(async () => (await info(c, 'rdb_bgsave_in_progress')) === '0', 20_000, 'the end of the second save');
    expect(await info(c, 'rdb_last_bgsave_status')).toBe('ok');
    expect(Number(await info(c, 'total_forks'))).toBe(forksBefore + 2);

    const digest = await c.call('DEBUG', 'DIGEST');
    if (redisServerPath() === null) return;
    // The file the child wrote loads in redis-server 7.0 with the same contents.
    const refDir = scratch();
    mkdirSync(refDir, { recursive: true });
    cpSync(join(dir, 'dump.rdb'), join(refDir, 'dump.rdb'));
    const ref = await startReferenceServer(['--dir', refDir, '--dbfilename', 'dump.rdb']);
    try {
      const r = await RawConnection.connect(ref.port);
      await waitFor(async () => !(await r.call('PING')).startsWith('-LOADING'), 10_000, 'redis-server to load');
      expect(await r.call('DEBUG', 'DIGEST')).toBe(digest);
      r.close();
    } finally {
      await ref.stop();
    }
  });

  it('kill -9 of the child: Redis\'s lines, temp file removed, status err and MISCONF; the next save clears it', async () => {
    // MISCONF needs save points (writeCommandsDeniedByDiskError), none due during the test.
    const { p, c, dir } = await start(['--save', '3600 1']);
    await slowDataset(c);
    expect(await c.call('BGSAVE')).toBe('+Background saving started\r\n');
    const pid = await writerPid(p, 'Background saving started by pid');
    const temp = join(dir, `temp-${pid}.rdb`);
    expect(existsSync(temp)).toBe(true);
    process.kill(pid, 'SIGKILL');
    await p.waitFor(/Background saving terminated by signal 9/);
    await waitFor(async () => (await info(c, 'rdb_bgsave_in_progress')) === '0', 5000, 'the save to end');
    expect(existsSync(temp)).toBe(false);
    expect(await info(c, 'rdb_last_bgsave_status')).toBe('err');
    expect(await c.call('SET', 'x', '1')).toMatch(/^-MISCONF /);
    expect(existsSync(join(dir, 'dump.rdb'))).toBe(false);

    expect(await c.call('CONFIG', 'SET', 'rdb-key-save-delay', '0')).toBe('+OK\r\n');
    expect(await c.call('BGSAVE')).toBe('+Background saving started\r\n');
    await waitFor(async () => (await info(c, 'rdb_bgsave_in_progress')) === '0', 10_000, 'the second save');
    expect(await info(c, 'rdb_last_bgsave_status')).toBe('ok');
    expect(await c.call('SET', 'x', '1')).toBe('+OK\r\n');
  });

  it('SIGUSR1 to the child stops it without an error condition (signal 10)', async () => {
    const { p, c, dir } = await start();
    await slowDataset(c);
    expect(await c.call('BGSAVE')).toBe('+Background saving started\r\n');
    const pid = await writerPid(p, 'Background saving started by pid');
    // Once the child has opened its file its handlers are in place (before, Node 20 would take
    // SIGUSR1 as the signal to open its inspector).
    await waitFor(() => holdsFile(pid, join(dir, `temp-${pid}.rdb`)), 5000, 'the child to open its file');
    process.kill(pid, 'SIGUSR1');
    await p.waitFor(/Background saving terminated by signal 10/);
    expect(existsSync(join(dir, `temp-${pid}.rdb`))).toBe(false);
    expect(await info(c, 'rdb_last_bgsave_status')).toBe('ok');
  });

  it('a temporary file that cannot be created fails the save as Redis\'s child does', async () => {
    const { p, c } = await start(['--enable-protected-configs', 'yes']);
    const gone = scratch();
    expect(await c.call('CONFIG', 'SET', 'dir', gone)).toBe('+OK\r\n');
    rmSync(gone, { recursive: true });
    expect(await c.call('BGSAVE')).toBe('+Background saving started\r\n');
    const pid = await writerPid(p, 'Background saving started by pid');
    await p.waitFor(/Background saving error/);
    const lines = messages(p.stdout);
    expect(lines).toContain(`Failed opening the temp RDB file temp-${pid}.rdb (in server root dir ${gone}) for saving: No such file or directory`);
    expect(await info(c, 'rdb_last_bgsave_status')).toBe('err');
    await until(() => !processRunning(pid), 5000, 'the writer to exit');
  });

  it('SHUTDOWN NOSAVE kills the child and removes its file', async () => {
    const { p, c, dir } = await start();
    await slowDataset(c);
    expect(await c.call('BGSAVE')).toBe('+Background saving started\r\n');
    const pid = await writerPid(p, 'Background saving started by pid');
    const temp = join(dir, `temp-${pid}.rdb`);
    expect(existsSync(temp)).toBe(true);
    c.send('SHUTDOWN', 'NOSAVE');
    await c.waitClosed();
    expect((await p.waitExit()).code).toBe(0);
    expect(messages(p.stdout)).toEqual(expect.arrayContaining(['There is a child saving an .rdb. Killing it!', 'Background saving terminated by signal 10']));
    await until(() => !processRunning(pid), 5000, 'the writer to be killed');
    expect(existsSync(temp)).toBe(false);
    expect(existsSync(join(dir, 'dump.rdb'))).toBe(false);
  });

  it('FLUSHALL kills the running child (Redis\'s killRDBChild)', async () => {
    const { p, c, dir } = await start();
    await slowDataset(c);
    expect(await c.call('BGSAVE')).toBe('+Background saving started\r\n');
    const pid = await writerPid(p, 'Background saving started by pid');
    expect(await c.call('FLUSHALL')).toBe('+OK\r\n');
    await until(() => !processRunning(pid), 5000, 'the writer to be killed');
    expect(existsSync(join(dir, `temp-${pid}.rdb`))).toBe(false);
    expect(await info(c, 'rdb_bgsave_in_progress')).toBe('0');
    expect(await info(c, 'rdb_last_bgsave_status')).toBe('ok');
  });
});

describe('AOF rewrite through a writer child', () => {
  it('the base is written by a child as temp-rewriteaof-bg-<pid>.aof; kill -9 fails the rewrite, the next one succeeds', async () => {
    const { p, c, dir } = await start(['--appendonly', 'yes']);
    await slowDataset(c);
    expect(await c.call('BGREWRITEAOF')).toBe('+Background append only file rewriting started\r\n');
    const pid = await writerPid(p, 'Background append only file rewriting started by pid');
    expect(childPids(p.pid)).toContain(pid);
    const temp = join(dir, `temp-rewriteaof-bg-${pid}.aof`);
    expect(existsSync(temp)).toBe(true);
    expect(await info(c, 'aof_rewrite_in_progress')).toBe('1');
    process.kill(pid, 'SIGKILL');
    await p.waitFor(/Background AOF rewrite terminated by signal 9/);
    await waitFor(async () => (await info(c, 'aof_rewrite_in_progress')) === '0', 5000, 'the rewrite to end');
    expect(existsSync(temp)).toBe(false);
    expect(await info(c, 'aof_last_bgrewrite_status')).toBe('err');
    expect(await info(c, 'aof_rewrites_consecutive_failures')).toBe('1');

    expect(await c.call('CONFIG', 'SET', 'rdb-key-save-delay', '0')).toBe('+OK\r\n');
    expect(await c.call('BGREWRITEAOF')).toBe('+Background append only file rewriting started\r\n');
    const second = await writerPid(p, 'Background append only file rewriting started by pid', 2);
    await p.waitFor(/Background AOF rewrite finished successfully/);
    const lines = messages(p.stdout);
    expect(lines).toContain(`Successfully created the temporary AOF base file temp-rewriteaof-bg-${second}.aof`);
    expect(lines).toContain(`Successfully renamed the temporary AOF base file temp-rewriteaof-bg-${second}.aof into appendonly.aof.2.base.rdb`);
    expect(await info(c, 'aof_last_bgrewrite_status')).toBe('ok');
    // The rewritten directory loads back to the same dataset.
    const digest = await c.call('DEBUG', 'DIGEST');
    expect(await c.call('DEBUG', 'LOADAOF')).toBe('+OK\r\n');
    expect(await c.call('DEBUG', 'DIGEST')).toBe(digest);
  });

  it('the command form (aof-use-rdb-preamble no) goes through the child too', async () => {
    const { p, c } = await start(['--appendonly', 'yes', '--aof-use-rdb-preamble', 'no']);
    for (let i = 0; i < 100; i++) await c.call('RPUSH', `l:${i % 7}`, `e:${i}`);
    expect(await c.call('BGREWRITEAOF')).toBe('+Background append only file rewriting started\r\n');
    await p.waitFor(/Background AOF rewrite finished successfully/);
    expect(messages(p.stdout)).toContain('Successfully renamed the temporary AOF base file ' +
      `temp-rewriteaof-bg-${await writerPid(p, 'Background append only file rewriting started by pid')}.aof into appendonly.aof.2.base.aof`);
    const digest = await c.call('DEBUG', 'DIGEST');
    expect(await c.call('DEBUG', 'LOADAOF')).toBe('+OK\r\n');
    expect(await c.call('DEBUG', 'DIGEST')).toBe(digest);
  });
});

describe('the writer never outlives the server', () => {
  it('a server killed with SIGKILL mid-save leaves no child and no temporary file', async () => {
    const { p, c, dir } = await start();
    await slowDataset(c);
    expect(await c.call('BGSAVE')).toBe('+Background saving started\r\n');
    const pid = await writerPid(p, 'Background saving started by pid');
    p.child.kill('SIGKILL');
    await p.waitExit();
    await until(() => !processRunning(pid), 5000, 'the orphaned writer to exit');
    expect(existsSync(join(dir, `temp-${pid}.rdb`))).toBe(false);
  });
});
