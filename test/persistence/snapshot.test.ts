// The background snapshot is point-in-time: whatever commands change while BGSAVE runs, the file
// holds the dataset as it was when BGSAVE started (checked with DEBUG DIGEST on a server that
// loads the file), every type, every db, expiries, in-place changes, flushes and swaps included.

import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServerInternal } from '../../src/server/start.js';
import { startCinnabar } from '../helpers/cinnabar.js';
import { RawConnection } from '../helpers/resp.js';
import { waitFor } from '../helpers/wait.js';

async function info(c: RawConnection, field: string): Promise<string> {
  const text = await c.call('INFO', 'persistence');
  const m = new RegExp(`${field}:([^\\r\\n]*)`).exec(text);
  if (m === null) throw new Error(`no ${field} in INFO`);
  return m[1];
}

async function populate(c: RawConnection): Promise<void> {
  for (let db = 0; db < 4; db++) {
    await c.call('SELECT', String(db));
    for (let i = 0; i < 150; i++) {
      await c.call('SET', `s:${i}`, `value-${db}-${i}`);
      await c.call('HSET', `h:${i}`, 'a', String(i), 'b', 'x'.repeat(i % 7));
      await c.call('RPUSH', `l:${i}`, 'one', 'two', String(i));
      await c.call('SADD', `set:${i}`, 'p', 'q', String(i));
      await c.call('ZADD', `z:${i}`, '1', 'a', String(i), 'b');
    }
    await c.call('XADD', 'stream', '1-1', 'f', 'v');
    await c.call('APPEND', 'mutable', 'abc');
    await c.call('PEXPIRE', 's:3', '500000');
    await c.call('HSET', 'bighash', ...Array.from({ length: 300 }, (_, i) => [`f${i}`, `v${i}`]).flat());
  }
  await c.call('SELECT', '0');
}

/** Changes of every kind, in every db, while the snapshot runs. */
async function mutate(c: RawConnection, round: number): Promise<void> {
  const i = (round * 7) % 150;
  for (let db = 0; db < 4; db++) {
    await c.call('SELECT', String(db));
    await c.call('SET', `s:${i}`, `changed-${round}`);
    await c.call('DEL', `h:${(i + 1) % 150}`);
    await c.call('HSET', `h:${(i + 2) % 150}`, 'a', 'in-place');
    await c.call('RPUSH', `l:${i}`, 'more');
    await c.call('LPOP', `l:${(i + 3) % 150}`);
    await c.call('SADD', `set:${i}`, 'new-member');
    await c.call('SPOP', `set:${(i + 4) % 150}`);
    await c.call('ZINCRBY', `z:${i}`, '5', 'a');
    await c.call('XADD', 'stream', '*', 'f', String(round));
    await c.call('APPEND', 'mutable', 'def');
    await c.call('SETRANGE', 'mutable', '0', 'Z');
    await c.call('EXPIRE', `s:${(i + 5) % 150}`, '1000');
    await c.call('PERSIST', 's:3');
    await c.call('SET', `new:${round}`, 'created during the snapshot');
    await c.call('RENAME', `l:${(i + 6) % 150}`, `renamed:${round}`);
    await c.call('HDEL', 'bighash', `f${round}`);
    // A key deleted and added again moves to the end of its Map, where the walk meets it again.
    await c.call('DEL', `s:${round}`);
    await c.call('SET', `s:${round}`, 'back again');
  }
  await c.call('SELECT', '0');
  await c.call('MOVE', `z:${(i + 8) % 150}`, '5');
}

describe('BGSAVE writes the dataset as it was when it started', () => {
  let server: RunningServerInternal;
  let c: RawConnection;
  const loadDir = mkdtempSync(join(tmpdir(), 'cinnabar-snapshot-load-'));
  beforeAll(async () => {
    server = await startCinnabar({ 'enable-debug-command': 'yes', save: '' });
    c = await RawConnection.connect(server.port);
  });
  afterAll(async () => {
    c.close();
    await server.close();
    rmSync(loadDir, { recursive: true, force: true });
  });

  it('writes, deletes, in-place changes, new keys, renames, moves, FLUSHDB and SWAPDB do not leak into the file', async () => {
    await populate(c);
    const digestBefore = await c.call('DEBUG', 'DIGEST');
    // 2 ms a key (the walk passes some keys while the changes below run, not all of them);
    // once they are done the delay goes and the snapshot finishes.
    await c.call('CONFIG', 'SET', 'rdb-key-save-delay', '2000');
    expect(await c.call('BGSAVE')).toBe('+Background saving started\r\n');
    expect(await c.call('BGSAVE')).toBe('-ERR Background save already in progress\r\n');
    expect(await c.call('SAVE')).toBe('-ERR Background save already in progress\r\n');
    for (let round = 0; round < 5; round++) await mutate(c, round);
    await c.call('SELECT', '1');
    await c.call('FLUSHDB');
    await c.call('SET', 'after-flush', 'x');
    await c.call('SWAPDB', '2', '3');
    await c.call('SELECT', '2');
    await c.call('SET', 's:0', 'written into the swapped maps');
    await c.call('SELECT', '0');
    // The changes all happened while the snapshot was still going.
    expect(await info(c, 'rdb_bgsave_in_progress')).toBe('1');
    expect(Number(await info(c, 'current_cow_size'))).toBeGreaterThan(0);
    expect(await c.call('DEBUG', 'DIGEST')).not.toBe(digestBefore);
    await c.call('CONFIG', 'SET', 'rdb-key-save-delay', '0');
    await waitFor(async () => (await info(c, 'rdb_bgsave_in_progress')) === '0', 20_000, 'the end of BGSAVE');
    expect(await info(c, 'rdb_last_bgsave_status')).toBe('ok');
    expect(Number(await info(c, 'rdb_last_cow_size'))).toBeGreaterThan(0);
    await c.call('CONFIG', 'SET', 'rdb-key-save-delay', '0');

    copyFileSync(join(server.server.config.str('dir'), 'dump.rdb'), join(loadDir, 'dump.rdb'));
    const loaded = await startCinnabar({ 'enable-debug-command': 'yes', save: '', dir: loadDir });
    try {
      const l = await RawConnection.connect(loaded.port);
      expect(await l.call('DEBUG', 'DIGEST')).toBe(digestBefore);
      l.close();
    } finally {
      await loaded.close();
    }
  });

  it('FLUSHALL ends a running BGSAVE, which leaves no file and keeps the change count', async () => {
    await c.call('CONFIG', 'SET', 'rdb-key-save-delay', '100000');
    await populate(c);
    const dirty = Number(await info(c, 'rdb_changes_since_last_save'));
    expect(await c.call('BGSAVE')).toBe('+Background saving started\r\n');
    expect(await info(c, 'rdb_bgsave_in_progress')).toBe('1');
    await c.call('FLUSHALL');
    expect(await info(c, 'rdb_bgsave_in_progress')).toBe('0');
    expect(Number(await info(c, 'rdb_changes_since_last_save'))).toBeGreaterThanOrEqual(dirty);
    expect(await info(c, 'rdb_last_bgsave_status')).toBe('ok');
    await c.call('CONFIG', 'SET', 'rdb-key-save-delay', '0');
    expect(await c.call('SET', 'x', 'y')).toBe('+OK\r\n');
  });
});
