// The RDB file across real process lifetimes: the final save of a SIGTERM, loading at start-up
// with Redis's log lines, a corrupt or unreadable file refused with Redis's errors (the file left
// as it was), and a kill -9 in the middle of a BGSAVE leaving the previous file loadable.

import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { freePort, waitForPort } from '../helpers/net.js';
import { processRunning, runCli, until, type Proc } from '../helpers/process.js';
import { RawConnection } from '../helpers/resp.js';
import { waitFor } from '../helpers/wait.js';

const running: Proc[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const p of running.splice(0)) await p.kill();
});
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cinnabar-rdbproc-'));
  dirs.push(dir);
  return dir;
}

async function start(dir: string, extra: string[] = []): Promise<{ p: Proc; port: number }> {
  const port = await freePort();
  const p = runCli(['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '900 1', ...extra]);
  running.push(p);
  await waitForPort(port, 10_000);
  await p.waitFor(/Ready to accept connections/);
  return { p, port };
}

function messages(text: string): string[] {
  return text.split('\n').filter((l) => l !== '').map((l) => l.replace(/^\d+:[A-Z] \d+ \w+ \d+ [\d:.]+ [#*.-] /, ''));
}

describe('the RDB file across restarts', () => {
  it('SIGTERM saves; the next start loads the file with Redis\'s lines', async () => {
    const dir = scratch();
    const first = await start(dir);
    const c = await RawConnection.connect(first.port);
    for (let i = 0; i < 100; i++) await c.call('SET', `key:${i}`, `value:${i}`);
    await c.call('SET', 'gone', 'x', 'PX', '1');
    await c.call('HSET', 'h', 'f', 'v');
    c.close();
    // The expiring key is past its deadline before the save (still in the keyspace if not reached).
    await new Promise((resolve) => setTimeout(resolve, 5));
    first.p.child.kill('SIGTERM');
    expect(await first.p.waitExit()).toEqual({ code: 0, signal: null });
    expect(messages(first.p.stdout)).toEqual(expect.arrayContaining([
      'Received SIGTERM scheduling shutdown...', 'Saving the final RDB snapshot before exiting.', 'DB saved on disk',
    ]));
    const second = await start(dir);
    const lines = messages(second.p.stdout);
    expect(lines).toContain('Loading RDB produced by version 7.0.15');
    expect(lines.some((l) => /^Done loading RDB, keys loaded: 101, keys expired: [01]\.$/.test(l))).toBe(true);
    expect(lines.some((l) => /^DB loaded from disk: \d+\.\d{3} seconds$/.test(l))).toBe(true);
    const d = await RawConnection.connect(second.port);
    expect(await d.call('DBSIZE')).toBe(':101\r\n');
    expect(await d.call('GET', 'key:42')).toBe('$8\r\nvalue:42\r\n');
    expect(await d.call('HGET', 'h', 'f')).toBe('$1\r\nv\r\n');
    expect(await d.call('INFO', 'persistence')).toMatch(/rdb_last_load_keys_loaded:101\r\n/);
    d.close();
  });

  it('a file with a bad checksum stops start-up with Redis\'s error and stays as it was', async () => {
    const dir = scratch();
    const first = await start(dir);
    const c = await RawConnection.connect(first.port);
    await c.call('SET', 'a', '1');
    expect(await c.call('SAVE')).toBe('+OK\r\n');
    c.close();
    await first.p.kill();
    const path = join(dir, 'dump.rdb');
    const bytes = readFileSync(path);
    bytes.write('foobar00', bytes.length - 8, 'latin1');
    writeFileSync(path, bytes);
    const port = await freePort();
    const p = runCli(['--port', String(port), '--bind', '127.0.0.1', '--dir', dir]);
    running.push(p);
    expect((await p.waitExit()).code).toBe(1);
    expect(p.stdout).toContain('RDB CRC error');
    expect(messages(p.stdout).at(-1)).toBe('Terminating server after rdb file reading failure.');
    expect(readFileSync(path).equals(bytes)).toBe(true);
  });

  it('a dump.rdb that cannot be read stops start-up ("Fatal error loading the DB")', async () => {
    const dir = scratch();
    mkdirSync(join(dir, 'dump.rdb'));
    const port = await freePort();
    const p = runCli(['--port', String(port), '--bind', '127.0.0.1', '--dir', dir]);
    running.push(p);
    expect((await p.waitExit()).code).toBe(1);
    expect(messages(p.stdout).at(-1)).toBe('Fatal error loading the DB: Is a directory. Exiting.');
  });

  it('kill -9 during a BGSAVE leaves the previous file, which loads', async () => {
    const dir = scratch();
    const first = await start(dir);
    const c = await RawConnection.connect(first.port);
    for (let i = 0; i < 50; i++) await c.call('SET', `old:${i}`, 'v1');
    expect(await c.call('SAVE')).toBe('+OK\r\n');
    for (let i = 0; i < 50; i++) await c.call('SET', `new:${i}`, 'v2');
    await c.call('CONFIG', 'SET', 'rdb-key-save-delay', '100000');
    expect(await c.call('BGSAVE')).toBe('+Background saving started\r\n');
    const childPid = Number((await first.p.waitFor(/Background saving started by pid (\d+)/))[1]);
    const temp = join(dir, `temp-${childPid}.rdb`);
    expect(existsSync(temp)).toBe(true);
    c.close();
    first.p.child.kill('SIGKILL');
    await first.p.waitExit();
    // The writer child sees its input end without the end frame: it removes the file and exits.
    await until(() => !processRunning(childPid), 5000, 'the writer child to end with the server');
    expect(existsSync(temp)).toBe(false);
    const second = await start(dir);
    const d = await RawConnection.connect(second.port);
    expect(await d.call('DBSIZE')).toBe(':50\r\n');
    expect(await d.call('EXISTS', 'new:0')).toBe(':0\r\n');
    d.close();
  });

  it('SHUTDOWN ends a running BGSAVE, then saves (Redis\'s lines)', async () => {
    const dir = scratch();
    const first = await start(dir);
    const c = await RawConnection.connect(first.port);
    for (let i = 0; i < 20; i++) await c.call('SET', `k:${i}`, 'v');
    await c.call('CONFIG', 'SET', 'rdb-key-save-delay', '100000');
    expect(await c.call('BGSAVE')).toBe('+Background saving started\r\n');
    await c.call('CONFIG', 'SET', 'rdb-key-save-delay', '0');
    c.send('SHUTDOWN');
    await c.waitClosed();
    c.close();
    expect((await first.p.waitExit()).code).toBe(0);
    const lines = messages(first.p.stdout);
    const at = lines.indexOf('There is a child saving an .rdb. Killing it!');
    expect(at).toBeGreaterThan(0);
    expect(lines.slice(at + 1)).toEqual(expect.arrayContaining(['Saving the final RDB snapshot before exiting.', 'DB saved on disk']));
    expect(existsSync(join(dir, `temp-${first.p.pid}.rdb`))).toBe(false);
    const second = await start(dir);
    const d = await RawConnection.connect(second.port);
    expect(await d.call('DBSIZE')).toBe(':20\r\n');
    d.close();
  });

  it('a second SIGINT during a signal\'s final save exits at once and removes temp-<pid>.rdb', async () => {
    const dir = scratch();
    const first = await start(dir);
    const c = await RawConnection.connect(first.port);
    for (let i = 0; i < 20; i++) await c.call('SET', `k:${i}`, 'v');
    await c.call('CONFIG', 'SET', 'rdb-key-save-delay', '100000');
    c.close();
    const temp = join(dir, `temp-${first.p.pid}.rdb`);
    first.p.child.kill('SIGINT');
    await waitFor(() => existsSync(temp), 5000, 'the final save to start');
    first.p.child.kill('SIGINT');
    expect((await first.p.waitExit()).code).toBe(1);
    expect(messages(first.p.stdout)).toContain('You insist... exiting now.');
    expect(existsSync(temp)).toBe(false);
    expect(existsSync(join(dir, 'dump.rdb'))).toBe(false);
  });

  it('commands wait while a signal\'s final save runs; a failed save cancels the shutdown and they are served', async () => {
    const dir = scratch();
    const first = await start(dir);
    const c = await RawConnection.connect(first.port);
    for (let i = 0; i < 5; i++) await c.call('SET', `k:${i}`, 'v');
    await c.call('CONFIG', 'SET', 'rdb-key-save-delay', '100000');
    // The rename over a directory fails at the end of the save.
    mkdirSync(join(dir, 'dump.rdb'));
    const temp = join(dir, `temp-${first.p.pid}.rdb`);
    first.p.child.kill('SIGINT');
    await waitFor(() => existsSync(temp), 5000, 'the final save to start');
    c.send('PING');
    // The reply comes only once the save has ended (its temporary file gone), not while it runs:
    // a reply read before the file was seen still there arrived during the save.
    let repliedDuringSave = false;
    await waitFor(() => {
      const replied = c.pending !== '';
      const saving = existsSync(temp);
      if (replied && saving) repliedDuringSave = true;
      return repliedDuringSave || !saving;
    }, 10_000, 'a reply or the end of the save');
    expect(repliedDuringSave).toBe(false);
    await first.p.waitFor(/Error trying to save the DB, can't exit/);
    expect(await c.readReply()).toBe('+PONG\r\n');
    expect(await c.call('DBSIZE')).toBe(':5\r\n');
    c.close();
  });

  it('while the file loads, clients get LOADING and INFO loading:1; a SIGTERM then exits without saving', async () => {
    const dir = scratch();
    const first = await start(dir);
    const c = await RawConnection.connect(first.port);
    for (let i = 0; i < 2000; i++) c.send('SET', `key:${i}`, 'v');
    for (let i = 0; i < 2000; i++) await c.readReply();
    expect(await c.call('SAVE')).toBe('+OK\r\n');
    c.close();
    await first.p.kill();
    const before = readFileSync(join(dir, 'dump.rdb'));
    const port = await freePort();
    // 1 ms a key: two seconds of loading, served in steps of 1 KB.
    const p = runCli(['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '900 1',
      '--key-load-delay', '1000', '--loading-process-events-interval-bytes', '1024']);
    running.push(p);
    await p.waitFor(/Loading RDB produced by version/);
    await waitForPort(port, 10_000);
    const d = await RawConnection.connect(port);
    expect(await d.call('PING')).toBe('-LOADING Redis is loading the dataset in memory\r\n');
    const infoText = await d.call('INFO', 'persistence');
    expect(infoText).toMatch(/\r\nloading:1\r\n/);
    expect(infoText).toMatch(/\r\nloading_total_bytes:\d+\r\n/);
    d.close();
    p.child.kill('SIGTERM');
    expect((await p.waitExit()).code).toBe(0);
    expect(messages(p.stdout)).toContain('Received shutdown signal during loading, scheduling shutdown.');
    expect(messages(p.stdout)).not.toContain('Ready to accept connections');
    expect(messages(p.stdout)).not.toContain('Saving the final RDB snapshot before exiting.');
    expect(readFileSync(join(dir, 'dump.rdb')).equals(before)).toBe(true);
  });

  it('an AOF script past busy-reply-threshold at start-up: clients get LOADING while it runs, then its writes are there', async () => {
    const dir = scratch();
    mkdirSync(join(dir, 'appendonlydir'));
    writeFileSync(join(dir, 'appendonlydir', 'appendonly.aof.manifest'), 'file appendonly.aof.1.incr.aof seq 1 type i\n');
    // 1.5 s by the server's clock (TIME), then one write.
    const script = "local t0 = redis.call('time') repeat local t = redis.call('time') until (t[1] - t0[1]) * 1000000 + (t[2] - t0[2]) > 1500000 redis.call('set', KEYS[1], 'y') return 'ok'";
    const resp = (...args: string[]): string => `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;
    writeFileSync(join(dir, 'appendonlydir', 'appendonly.aof.1.incr.aof'), resp('eval', script, '1', 'x') + resp('set', 'after', 'script'));
    const port = await freePort();
    const p = runCli(['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--busy-reply-threshold', '10']);
    running.push(p);
    await p.waitFor(/Slow script detected/);
    await waitForPort(port, 10_000);
    const d = await RawConnection.connect(port);
    expect(await d.call('PING')).toBe('-LOADING Redis is loading the dataset in memory\r\n');
    await p.waitFor(/Ready to accept connections/);
    expect(await d.call('MGET', 'x', 'after')).toBe('*2\r\n$1\r\ny\r\n$6\r\nscript\r\n');
    d.close();
  });
});
