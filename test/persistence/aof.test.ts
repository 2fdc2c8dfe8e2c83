// The append-only file over TCP: writes survive a restart of the node on the same directory,
// MULTI/EXEC and expiries are written as Redis writes them, BGREWRITEAOF replaces the base and
// the incremental files, the manifest has Redis's lines, a truncated tail and a corrupt file
// are handled per aof-load-truncated, and CONFIG SET appendonly switches the AOF at run time.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DirectiveValue } from '../../src/index.js';
import { StartupError, startServer, type RunningServerInternal } from '../../src/server/start.js';
import { PropagationLog } from '../helpers/propagation.js';
import { connectIoredis } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

let dir: string;
const open: Array<{ running: RunningServerInternal; client: Redis }> = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cinnabar-aof-'));
});

afterEach(async () => {
  for (const { running, client } of open.splice(0)) {
    client.disconnect();
    await running.close();
  }
  rmSync(dir, { recursive: true, force: true });
});

async function start(directives: Record<string, DirectiveValue> = {}): Promise<{ running: RunningServerInternal; client: Redis }> {
  const running = await startServer({
    port: 0,
    directives: { bind: '127.0.0.1', loglevel: 'warning', dir, appendonly: 'yes', 'enable-debug-command': 'yes', ...directives },
  });
  const client = await connectIoredis(running.port, 2);
  const entry = { running, client };
  open.push(entry);
  return entry;
}

async function stop(entry: { running: RunningServerInternal; client: Redis }): Promise<void> {
  open.splice(open.indexOf(entry), 1);
  entry.client.disconnect();
  await entry.running.close();
}

const aofDir = (): string => join(dir, 'appendonlydir');
const manifest = (): string => readFileSync(join(aofDir(), 'appendonly.aof.manifest'), 'latin1');

function incrText(seq = 1): string {
  return readFileSync(join(aofDir(), `appendonly.aof.${seq}.incr.aof`), 'latin1');
}

/** RESP of a command, as a file holds it. */
function resp(...args: string[]): string {
  return `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a, 'latin1')}\r\n${a}\r\n`).join('')}`;
}

describe('AOF writing and loading', () => {
  it('creates a base and an incr file with Redis manifest lines, and replays them after a restart', async () => {
    const first = await start();
    expect(manifest()).toBe('file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n');
    await first.client.set('foo', 'bar');
    await first.client.rpush('list', 'a', 'b', 'c');
    await first.client.hset('h', 'f', 'v');
    await first.client.select(3);
    await first.client.sadd('s', '1', '2');
    expect(incrText()).toBe(resp('SELECT', '0') + resp('set', 'foo', 'bar') + resp('rpush', 'list', 'a', 'b', 'c') +
      resp('hset', 'h', 'f', 'v') + resp('SELECT', '3') + resp('sadd', 's', '1', '2'));
    await stop(first);
    const second = await start();
    expect(await second.client.get('foo')).toBe('bar');
    expect(await second.client.lrange('list', 0, -1)).toEqual(['a', 'b', 'c']);
    await second.client.select(3);
    expect((await second.client.smembers('s')).sort()).toEqual(['1', '2']);
  });

  it('writes MULTI/EXEC as one block and expiries as absolute PEXPIREAT / PXAT', async () => {
    const first = await start();
    await first.client.multi().set('a', '1').incr('a').exec();
    await first.client.set('k', 'v', 'EX', 100);
    await first.client.expire('a', 1000);
    const text = incrText();
    expect(text).toContain(resp('MULTI') + resp('set', 'a', '1') + resp('incr', 'a') + resp('EXEC'));
    expect(text).toMatch(/\$4\r\nPXAT\r\n\$13\r\n\d{13}\r\n/);
    expect(text).toMatch(/PEXPIREAT\r\n\$1\r\na\r\n\$13\r\n\d{13}\r\n/);
    const ttlBefore = await first.client.pttl('k');
    await stop(first);
    const second = await start();
    expect(await second.client.get('a')).toBe('2');
    const ttlAfter = await second.client.pttl('k');
    expect(ttlAfter).toBeGreaterThan(0);
    expect(ttlAfter).toBeLessThanOrEqual(ttlBefore);
  });

  it('BGREWRITEAOF makes a new base and incr file, deletes the history and keeps the data', async () => {
    const first = await start({ 'aof-use-rdb-preamble': 'no' });
    await first.client.set('x', '1');
    await first.client.zadd('z', 1.5, 'm', 2, 'n');
    await first.client.xadd('st', '1-1', 'f', 'v');
    await first.client.xgroup('CREATE', 'st', 'g', '0');
    await first.client.xreadgroup('GROUP', 'g', 'c', 'STREAMS', 'st', '>');
    await first.client.pexpire('x', 500_000);
    expect(await first.client.bgrewriteaof()).toBe('Background append only file rewriting started');
    await waitFor(async () => (await first.client.info('persistence')).includes('aof_rewrite_in_progress:0'), 5000, 'the rewrite');
    expect(manifest()).toBe('file appendonly.aof.2.base.aof seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n');
    await waitFor(() => readdirSync(aofDir()).sort().join() === 'appendonly.aof.2.base.aof,appendonly.aof.2.incr.aof,appendonly.aof.manifest', 5000, 'history removal');
    const base = readFileSync(join(aofDir(), 'appendonly.aof.2.base.aof'), 'latin1');
    expect(base).toContain(resp('SET', 'x', '1'));
    expect(base).toContain(resp('ZADD', 'z', '1.5', 'm', '2', 'n'));
    expect(base).toContain(resp('XCLAIM', 'st', 'g', 'c', '0', '1-1').slice(4) + '$4\r\nTIME\r\n');
    expect(base).toContain(resp('XGROUP', 'CREATE', 'st', 'g', '1-1', 'ENTRIESREAD', '1'));
    expect(base).toMatch(/PEXPIREAT\r\n\$1\r\nx\r\n/);
    await first.client.set('after', 'rewrite');
    expect(incrText(2)).toBe(resp('SELECT', '0') + resp('set', 'after', 'rewrite'));
    const digest = await first.client.call('DEBUG', 'DIGEST');
    await first.client.call('DEBUG', 'LOADAOF');
    expect(await first.client.call('DEBUG', 'DIGEST')).toBe(digest);
    const info = await first.client.info('persistence');
    expect(info).toContain('aof_rewrites:1');
    expect(info).toContain('aof_last_bgrewrite_status:ok');
    await stop(first);
    const second = await start();
    expect(await second.client.call('DEBUG', 'DIGEST')).toBe(digest);
    expect(await second.client.xpending('st', 'g')).toEqual([1, '1-1', '1-1', [['c', '1']]]);
  });

  it('replays approximate stream trims (~ with LIMIT) to the length they reached, whatever the node size', async () => {
    const first = await start({ 'stream-node-max-entries': '10' });
    for (let i = 1; i <= 100; i++) await first.client.xadd('st', `${i}-0`, 'f', 'v');
    await first.client.xadd('st', 'MAXLEN', '~', '55', 'LIMIT', '30', '101-0', 'f', 'v');
    expect(await first.client.xlen('st')).toBe(71);
    for (let i = 1; i <= 100; i++) await first.client.xadd('mi', `${i}-0`, 'f', 'v');
    await first.client.xadd('mi', 'MINID', '~', '60', 'LIMIT', '30', '101-0', 'f', 'v');
    expect(await first.client.xlen('mi')).toBe(71);
    // The file holds the exact form with the client's LIMIT; the loader must not apply it.
    expect(incrText()).toContain(resp('xadd', 'st', 'MAXLEN', '=', '71', 'LIMIT', '30', '101-0', 'f', 'v'));
    expect(incrText()).toContain(resp('xadd', 'mi', 'MINID', '=', '31-0', 'LIMIT', '30', '101-0', 'f', 'v'));
    await first.client.config('SET', 'stream-node-max-entries', '1');
    expect(await first.client.call('DEBUG', 'LOADAOF')).toBe('OK');
    expect(await first.client.xlen('st')).toBe(71);
    expect(await first.client.xlen('mi')).toBe(71);
    // A client's "=" with LIMIT is still refused.
    await expect(first.client.xadd('st', 'MAXLEN', '=', '5', 'LIMIT', '30', '*', 'f', 'v')).rejects.toThrow('LIMIT cannot be used without the special ~ option');
  });

  it('#TS annotations with aof-timestamp-enabled, skipped when loading', async () => {
    const first = await start({ 'aof-timestamp-enabled': 'yes' });
    await first.client.set('t', '1');
    expect(incrText()).toMatch(/^#TS:\d+\r\n/);
    await stop(first);
    const second = await start();
    expect(await second.client.get('t')).toBe('1');
  });

  it('a truncated tail is cut at the last whole command when aof-load-truncated is yes', async () => {
    mkdirSync(aofDir());
    writeFileSync(join(aofDir(), 'appendonly.aof.manifest'), 'file appendonly.aof.1.incr.aof seq 1 type i\n');
    const whole = resp('set', 'foo', 'a') + resp('multi') + resp('set', 'foo', 'b');
    writeFileSync(join(aofDir(), 'appendonly.aof.1.incr.aof'), whole + resp('set', 'bar', 'c').slice(0, -3), 'latin1');
    const entry = await start({ 'aof-load-truncated': 'yes' });
    expect(await entry.client.get('foo')).toBe('a');
    expect(await entry.client.exists('bar')).toBe(0);
    // Cut after the last whole command (the unfinished MULTI stays, as in Redis, and is never run).
    expect(incrText()).toBe(whole);
  });

  it('refuses to start on a truncated file without aof-load-truncated and on a bad format', async () => {
    mkdirSync(aofDir());
    writeFileSync(join(aofDir(), 'appendonly.aof.manifest'), 'file appendonly.aof.1.incr.aof seq 1 type i\n');
    writeFileSync(join(aofDir(), 'appendonly.aof.1.incr.aof'), resp('set', 'foo', 'a').slice(0, -1), 'latin1');
    await expect(start({ 'aof-load-truncated': 'no' })).rejects.toBeInstanceOf(StartupError);
    writeFileSync(join(aofDir(), 'appendonly.aof.1.incr.aof'), resp('set', 'foo', 'a') + '!!!' + resp('set', 'foo', 'b'), 'latin1');
    await expect(start()).rejects.toBeInstanceOf(StartupError);
    writeFileSync(join(aofDir(), 'appendonly.aof.1.incr.aof'), resp('nosuchcommand', 'x'), 'latin1');
    await expect(start()).rejects.toBeInstanceOf(StartupError);
    // The files are left as they were.
    expect(readFileSync(join(aofDir(), 'appendonly.aof.1.incr.aof'), 'latin1')).toBe(resp('nosuchcommand', 'x'));
  });

  it('refuses a manifest Redis refuses', async () => {
    mkdirSync(aofDir());
    writeFileSync(join(aofDir(), 'appendonly.aof.1.incr.aof'), '');
    for (const bad of [
      'file appendonly.aof.1.incr.aof seq 1 type x\n',
      'file appendonly.aof.1.incr.aof seq 1\n',
      'file appendonly.aof.2.incr.aof seq 2 type i\nfile appendonly.aof.1.incr.aof seq 1 type i\n',
      '\n',
      '',
      'file ../x seq 1 type i\n',
    ]) {
      writeFileSync(join(aofDir(), 'appendonly.aof.manifest'), bad);
      await expect(start()).rejects.toBeInstanceOf(StartupError);
    }
  });

  it('moves an old single-file appendonly.aof into the directory as its base', async () => {
    writeFileSync(join(dir, 'appendonly.aof'), resp('set', 'old', 'style'), 'latin1');
    const entry = await start();
    expect(await entry.client.get('old')).toBe('style');
    expect(manifest()).toBe('file appendonly.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n');
  });

  it('CONFIG SET appendonly yes starts with a rewrite of the dataset; no stops appending', async () => {
    const entry = await start({ appendonly: 'no' });
    await entry.client.set('before', '1');
    expect(await entry.client.config('SET', 'appendonly', 'yes')).toBe('OK');
    await waitFor(async () => (await entry.client.info('persistence')).includes('aof_rewrite_in_progress:0\r\naof_rewrite_scheduled:0'), 5000, 'the first rewrite');
    await entry.client.set('after', '2');
    await waitFor(() => manifest().includes('type i'), 5000, 'the incr file');
    expect(manifest()).toBe('file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n');
    expect(await entry.client.config('SET', 'appendonly', 'no')).toBe('OK');
    await entry.client.set('ignored', '3');
    expect(incrText()).not.toContain('ignored');
    await stop(entry);
    const second = await start();
    expect(await second.client.mget('before', 'after', 'ignored')).toEqual(['1', '2', null]);
  });

  it('a failed first rewrite drops its temp incr file at once: the retry that follows keeps its own, and its writes', async () => {
    const entry = await start({ appendonly: 'no' });
    await entry.client.mset('before', '1', 'b', '2', 'c', '3');
    // Slow enough for the rewrite to be killed while it runs (a second a key).
    await entry.client.config('SET', 'rdb-key-save-delay', '1000000');
    expect(await entry.client.config('SET', 'appendonly', 'yes')).toBe('OK');
    const tempIncr = join(aofDir(), 'temp-appendonly.aof.incr');
    const childPids = (): number[] => {
      const found = spawnSync('pgrep', ['-P', String(process.pid)], { encoding: 'latin1' });
      return found.stdout.split('\n').filter((l) => l !== '').map(Number);
    };
    await waitFor(() => childPids().length === 1, 5000, 'the rewrite child');
    const first = childPids()[0];
    process.kill(first, 'SIGKILL');
    // The cron starts the retry; from then on the temp incr file is the retry's.
    await waitFor(() => childPids().length === 1 && childPids()[0] !== first, 5000, 'the retry');
    await entry.client.set('during', '2');
    expect(existsSync(tempIncr)).toBe(true);
    await entry.client.config('SET', 'rdb-key-save-delay', '0');
    await waitFor(async () => (await entry.client.info('persistence')).includes('aof_rewrite_in_progress:0\r\naof_rewrite_scheduled:0'), 10_000, 'the retry to end');
    expect(manifest()).toBe('file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n');
    await stop(entry);
    const second = await start();
    expect(await second.client.mget('before', 'during')).toEqual(['1', '2']);
  });

  it('appendfsync always: every acknowledged write is in the file when its reply arrives', async () => {
    const entry = await start({ appendfsync: 'always' });
    for (let i = 0; i < 50; i++) {
      await entry.client.set(`k${i}`, String(i));
      expect(incrText()).toContain(resp('set', `k${i}`, String(i)));
    }
    const pipeline = entry.client.pipeline();
    for (let i = 0; i < 200; i++) pipeline.incr('counter');
    await pipeline.exec();
    expect(incrText().split('$4\r\nincr\r\n').length - 1).toBe(200);
  });

  // A script in the file that runs for 800 ms by the server's clock (TIME), then sets x.
  const SLOW_SCRIPT = "local t0 = redis.call('time') repeat local t = redis.call('time') until (t[1] - t0[1]) * 1000000 + (t[2] - t0[2]) > 800000 redis.call('set', KEYS[1], 'y') return 'ok'";

  it('DEBUG LOADAOF with a script past busy-reply-threshold: other clients get LOADING while it runs, then the data is there', async () => {
    const entry = await start({ 'busy-reply-threshold': '10' });
    const other = await connectIoredis(entry.running.port, 2);
    try {
      writeFileSync(join(aofDir(), 'appendonly.aof.1.incr.aof'), resp('select', '9') + resp('eval', SLOW_SCRIPT, '1', 'x') + resp('set', 'after', 'script'), 'latin1');
      const loading = entry.client.call('debug', 'loadaof');
      let refusal = '';
      await waitFor(async () => {
        try {
          await other.ping();
          return false;
        } catch (err) {
          refusal = (err as Error).message;
          return true;
        }
      }, 5000, 'a LOADING refusal');
      expect(refusal).toBe('LOADING Redis is loading the dataset in memory');
      // Commands allowed while loading meet the busy script (Redis checks LOADING, then BUSY):
      // a second load is refused, not nested.
      await expect(other.call('debug', 'loadaof')).rejects.toThrow('BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.');
      expect(await loading).toBe('OK');
      expect(await other.info('persistence')).toContain('loading:0');
      await other.select(9);
      expect(await other.mget('x', 'after')).toEqual(['y', 'script']);
    } finally {
      other.disconnect();
    }
  });

  it('DEBUG LOADAOF propagates nothing it replays (replicas already have the data), scripts included', async () => {
    const entry = await start();
    const propagated = new PropagationLog(entry.running);
    writeFileSync(join(aofDir(), 'appendonly.aof.1.incr.aof'), resp('incr', 'n') + resp('eval', "redis.call('incr', KEYS[1])", '1', 'n') + resp('multi') + resp('incr', 'n') + resp('exec'), 'latin1');
    expect(await entry.client.call('debug', 'loadaof')).toBe('OK');
    expect(await entry.client.get('n')).toBe('3');
    await entry.client.incr('n');
    expect(propagated.commands).toEqual([['incr', 'n']]);
  });

  it('DEBUG LOADAOF inside MULTI runs such a script to its end before EXEC replies', async () => {
    const entry = await start({ 'busy-reply-threshold': '10' });
    writeFileSync(join(aofDir(), 'appendonly.aof.1.incr.aof'), resp('eval', SLOW_SCRIPT, '1', 'x'), 'latin1');
    const replies = await entry.client.multi().call('debug', 'loadaof').get('x').exec();
    expect(replies).toEqual([[null, 'OK'], [null, 'y']]);
  });

  it('INFO persistence has the aof_* fields of an enabled AOF', async () => {
    const entry = await start();
    await entry.client.set('a', 'b');
    const info = await entry.client.info('persistence');
    for (const field of ['aof_enabled:1', 'aof_rewrite_in_progress:0', 'aof_last_write_status:ok', 'aof_current_size:', 'aof_base_size:', 'aof_buffer_length:', 'aof_delayed_fsync:0']) {
      expect(info).toContain(field);
    }
  });
});
