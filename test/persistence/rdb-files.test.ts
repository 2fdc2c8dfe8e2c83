// RDB files: SAVE, BGSAVE and LASTSAVE over TCP, redis-check-rdb accepting every file written
// (every type, expiries, function libraries, with and without compression and checksum), and
// round trips with redis-server 7.0 in both directions (equal DEBUG DIGEST, equal libraries).

import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServerInternal } from '../../src/server/start.js';
import { startCinnabar } from '../helpers/cinnabar.js';
import { redisServerPath, startReferenceServer } from '../helpers/reference.js';
import { RawConnection } from '../helpers/resp.js';
import { waitFor } from '../helpers/wait.js';

const LIBRARY = "#!lua name=mylib\nredis.register_function('myfunc', function(keys, args) return args[1] end)";

async function info(c: RawConnection, field: string): Promise<string> {
  const m = new RegExp(`${field}:([^\\r\\n]*)`).exec(await c.call('INFO', 'persistence'));
  if (m === null) throw new Error(`no ${field} in INFO`);
  return m[1];
}

/** Keys of every type and encoding, some with deadlines, and a function library. */
async function populateAllTypes(c: RawConnection): Promise<void> {
  await c.call('SET', 'int', '12345');
  await c.call('SET', 'str', 'hello world');
  await c.call('SET', 'long', 'x'.repeat(5000));
  await c.call('APPEND', 'mutable', 'abc');
  await c.call('SET', 'expiring', 'v', 'PX', '900000000');
  await c.call('HSET', 'hash-small', 'a', '1', 'b', '2');
  await c.call('HSET', 'hash-big', ...Array.from({ length: 600 }, (_, i) => [`field${i}`, `value${i}`]).flat());
  await c.call('RPUSH', 'list-small', 'a', 'b', '1', '2');
  await c.call('RPUSH', 'list-big', ...Array.from({ length: 3000 }, (_, i) => `element-${i}`));
  await c.call('SADD', 'set-int', '1', '2', '3');
  await c.call('SADD', 'set-small', 'a', 'b', 'c');
  await c.call('SADD', 'set-big', ...Array.from({ length: 600 }, (_, i) => `member${i}`));
  await c.call('ZADD', 'zset-small', '1', 'a', '2.5', 'b');
  await c.call('ZADD', 'zset-big', ...Array.from({ length: 600 }, (_, i) => [String(i / 3), `m${i}`]).flat());
  await c.call('PEXPIRE', 'zset-big', '900000000');
  for (let i = 0; i < 50; i++) await c.call('XADD', 'stream', '*', 'field', String(i));
  await c.call('XGROUP', 'CREATE', 'stream', 'group', '0');
  await c.call('XREADGROUP', 'GROUP', 'group', 'alice', 'COUNT', '5', 'STREAMS', 'stream', '>');
  await c.call('PFADD', 'hll', 'a', 'b', 'c');
  await c.call('SELECT', '3');
  await c.call('SET', 'in-db-3', 'x');
  await c.call('SELECT', '0');
  await c.call('FUNCTION', 'LOAD', LIBRARY);
}

function checkRdb(path: string): { ok: boolean; output: string } {
  const run = spawnSync('redis-check-rdb', [path], { encoding: 'utf8', timeout: 30_000 });
  return { ok: run.status === 0, output: run.stdout + run.stderr };
}

describe('SAVE, BGSAVE, LASTSAVE', () => {
  let server: RunningServerInternal;
  let c: RawConnection;
  beforeAll(async () => {
    server = await startCinnabar({ 'enable-debug-command': 'yes', save: '' });
    c = await RawConnection.connect(server.port);
  });
  afterAll(async () => {
    c.close();
    await server.close();
  });

  it('SAVE writes the file, resets the change count and moves LASTSAVE', async () => {
    await c.call('SET', 'a', '1');
    expect(Number(await info(c, 'rdb_changes_since_last_save'))).toBeGreaterThan(0);
    const before = Number((await c.call('LASTSAVE')).slice(1));
    expect(await c.call('SAVE')).toBe('+OK\r\n');
    const after = Number((await c.call('LASTSAVE')).slice(1));
    expect(after).toBeGreaterThanOrEqual(before);
    expect(await info(c, 'rdb_changes_since_last_save')).toBe('0');
    expect(await info(c, 'rdb_last_bgsave_status')).toBe('ok');
    expect(Number(await info(c, 'rdb_saves'))).toBeGreaterThan(0);
    expect(existsSync(join(server.server.config.str('dir'), 'dump.rdb'))).toBe(true);
    // No temporary file is left behind.
    expect(existsSync(join(server.server.config.str('dir'), `temp-${process.pid}.rdb`))).toBe(false);
  });

  it('BGSAVE argument errors and SCHEDULE; MULTI only schedules it', async () => {
    expect(await c.call('BGSAVE', 'NOW')).toBe('-ERR syntax error\r\n');
    expect(await c.call('BGSAVE', 'SCHEDULE', 'x')).toBe('-ERR syntax error\r\n');
    expect(await c.call('BGSAVE', 'SCHEDULE')).toBe('+Background saving started\r\n');
    await waitFor(async () => (await info(c, 'rdb_bgsave_in_progress')) === '0', 10_000, 'the end of BGSAVE');
    expect(await c.call('MULTI')).toBe('+OK\r\n');
    expect(await c.call('BGSAVE')).toBe('+QUEUED\r\n');
    expect(await c.call('EXEC')).toBe('*1\r\n+Background saving scheduled\r\n');
    // The cron starts a scheduled BGSAVE.
    // Both fields from one INFO: read apart, the cron could start the BGSAVE in between.
    await waitFor(async () => {
      const text = await c.call('INFO', 'persistence');
      return /rdb_bgsave_in_progress:0\r\n/.test(text) && Number(/rdb_saves:(\d+)/.exec(text)?.[1]) >= 3;
    }, 10_000, 'the scheduled BGSAVE');
    expect(await c.call('MULTI')).toBe('+OK\r\n');
    expect(await c.call('SAVE')).toBe('-ERR Command not allowed inside a transaction\r\n');
    expect(await c.call('DISCARD')).toBe('+OK\r\n');
  });

  it('a failed BGSAVE sets MISCONF for writes and writing scripts, until a save succeeds', async () => {
    const dir = server.server.config.str('dir');
    await c.call('CONFIG', 'SET', 'save', '3600 1');
    // A dump.rdb that is a directory cannot be replaced: the rename fails.
    rmSync(join(dir, 'dump.rdb'), { force: true });
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(dir, 'dump.rdb'));
    expect(await c.call('BGSAVE')).toBe('+Background saving started\r\n');
    await waitFor(async () => (await info(c, 'rdb_bgsave_in_progress')) === '0', 10_000, 'the end of BGSAVE');
    expect(await info(c, 'rdb_last_bgsave_status')).toBe('err');
    expect(await c.call('SET', 'x', 'y')).toMatch(/^-MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk\./);
    expect(await c.call('PING')).toMatch(/^-MISCONF /);
    expect(await c.call('GET', 'a')).toBe('$1\r\n1\r\n');
    expect(await c.call('EVAL', "return redis.call('set','x','1')", '0')).toMatch(/^-MISCONF /);
    // A script declaring flags without no-writes makes EVAL a write: refused before it runs, with
    // the same reply as SET (what redis-server 7.0.15 answers).
    expect(await c.call('EVAL', "#!lua\nreturn redis.call('set','x','1')", '0')).toMatch(/^-MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk\. Commands that may modify/);
    expect(await c.call('EVAL', "#!lua flags=no-writes\nreturn redis.call('get','a')", '0')).toBe('$1\r\n1\r\n');
    // Without save points (or with stop-writes-on-bgsave-error off) writes go through.
    await c.call('CONFIG', 'SET', 'stop-writes-on-bgsave-error', 'no');
    expect(await c.call('SET', 'x', 'y')).toBe('+OK\r\n');
    await c.call('CONFIG', 'SET', 'stop-writes-on-bgsave-error', 'yes');
    rmSync(join(dir, 'dump.rdb'), { recursive: true });
    expect(await c.call('BGSAVE')).toBe('+Background saving started\r\n');
    await waitFor(async () => (await info(c, 'rdb_bgsave_in_progress')) === '0', 10_000, 'the end of BGSAVE');
    expect(await c.call('SET', 'x', 'z')).toBe('+OK\r\n');
    await c.call('CONFIG', 'SET', 'save', '');
  });
});

describe('redis-check-rdb accepts every file written', () => {
  for (const [compression, checksum] of [['yes', 'yes'], ['no', 'no'], ['yes', 'no']] as const) {
    it(`every type, expiries and functions (rdbcompression ${compression}, rdbchecksum ${checksum})`, async () => {
      const server = await startCinnabar({ save: '', rdbcompression: compression, rdbchecksum: checksum });
      try {
        const c = await RawConnection.connect(server.port);
        await populateAllTypes(c);
        expect(await c.call('SAVE')).toBe('+OK\r\n');
        const path = join(server.server.config.str('dir'), 'dump.rdb');
        const saved = checkRdb(path);
        expect(saved.output).toContain('RDB looks OK');
        expect(saved.ok).toBe(true);
        expect(await c.call('BGSAVE')).toBe('+Background saving started\r\n');
        await waitFor(async () => (await info(c, 'rdb_bgsave_in_progress')) === '0', 10_000, 'the end of BGSAVE');
        const background = checkRdb(path);
        expect(background.output).toContain('RDB looks OK');
        expect(background.output).toMatch(/\[info\] 17 keys read/);
        c.close();
      } finally {
        await server.close();
      }
    });
  }
});

describe.skipIf(redisServerPath() === null)('round trips with redis-server 7.0', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cinnabar-roundtrip-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("redis-server loads cinnabar's dump.rdb with the same contents", async () => {
    const server = await startCinnabar({ save: '', 'enable-debug-command': 'yes' });
    let digest: string;
    let functions: string;
    try {
      const c = await RawConnection.connect(server.port);
      await populateAllTypes(c);
      digest = await c.call('DEBUG', 'DIGEST');
      functions = await c.call('FUNCTION', 'LIST', 'WITHCODE');
      expect(await c.call('SAVE')).toBe('+OK\r\n');
      copyFileSync(join(server.server.config.str('dir'), 'dump.rdb'), join(dir, 'dump.rdb'));
      c.close();
    } finally {
      await server.close();
    }
    const reference = await startReferenceServer(['--dir', dir]);
    try {
      const r = await RawConnection.connect(reference.port);
      expect(await r.call('DEBUG', 'DIGEST')).toBe(digest);
      expect(await r.call('FUNCTION', 'LIST', 'WITHCODE')).toBe(functions);
      expect(await r.call('TTL', 'expiring')).toMatch(/^:(900000|8999\d\d)\r\n$/);
      r.close();
    } finally {
      await reference.stop();
    }
  });

  it("cinnabar loads redis-server's dump.rdb with the same contents", async () => {
    const refDir = mkdtempSync(join(tmpdir(), 'cinnabar-refdump-'));
    const reference = await startReferenceServer(['--dir', refDir]);
    let digest: string;
    let functions: string;
    try {
      const r = await RawConnection.connect(reference.port);
      await populateAllTypes(r);
      digest = await r.call('DEBUG', 'DIGEST');
      functions = await r.call('FUNCTION', 'LIST', 'WITHCODE');
      expect(await r.call('SAVE')).toBe('+OK\r\n');
      r.close();
    } finally {
      await reference.stop();
    }
    const loadDir = mkdtempSync(join(tmpdir(), 'cinnabar-refload-'));
    copyFileSync(join(refDir, 'dump.rdb'), join(loadDir, 'dump.rdb'));
    rmSync(refDir, { recursive: true, force: true });
    const server = await startCinnabar({ save: '', 'enable-debug-command': 'yes', dir: loadDir });
    try {
      const c = await RawConnection.connect(server.port);
      expect(await c.call('DEBUG', 'DIGEST')).toBe(digest);
      expect(await c.call('FUNCTION', 'LIST', 'WITHCODE')).toBe(functions);
      expect(await c.call('FCALL', 'myfunc', '0', 'hi')).toBe('$2\r\nhi\r\n');
      c.close();
    } finally {
      await server.close();
      rmSync(loadDir, { recursive: true, force: true });
    }
  });
});
