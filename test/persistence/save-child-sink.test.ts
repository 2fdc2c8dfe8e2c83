// The writer child as a snapshot sink, driven directly: the pipe is the bound (a stopped child
// makes the producer wait at PIPE_QUEUE_HIGH_BYTES), the RDB trailer is the CRC64 of what was
// sent, and a child that is killed leaves no file.

import { mkdtempSync, readFileSync, rmSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ForkStats, PIPE_QUEUE_HIGH_BYTES, SaveChild } from '../../src/persistence/save-child.js';
import { Crc64 } from '../../src/store/rdb/crc64.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cinnabar-sink-'));
  dirs.push(dir);
  return dir;
}

describe('SaveChild', () => {
  it('a stopped child makes the writer wait at the bound; resumed, it takes everything', async () => {
    const stats = new ForkStats();
    const child = new SaveChild({ dir: scratch(), namePrefix: 'temp-', nameSuffix: '.bin', format: 'raw', checksum: false, stats });
    expect(stats.totalForks).toBe(1);
    process.kill(child.pid, 'SIGSTOP');
    const chunk = Buffer.alloc(256 * 1024, 7);
    let written = 0;
    while (child.ready()) {
      child.write(chunk);
      written += chunk.length;
    }
    // The pipe holds what the kernel takes; the rest waits on our side, up to the bound.
    expect(child.queuedBytes).toBeGreaterThanOrEqual(PIPE_QUEUE_HIGH_BYTES);
    expect(child.queuedBytes).toBeLessThan(PIPE_QUEUE_HIGH_BYTES + chunk.length + 4);
    const resumed = new Promise<void>((resolve) => child.onReady(resolve));
    process.kill(child.pid, 'SIGCONT');
    await resumed;
    child.finish();
    expect(await child.ended).toEqual({ kind: 'ok' });
    expect(statSync(child.tempPath).size).toBe(written);
  });

  it('the RDB format gets the CRC64 of the bytes as its trailer (8 zero bytes without rdbchecksum)', async () => {
    const payload = Buffer.from('REDIS0010 pretend image bytes', 'latin1');
    for (const checksum of [true, false]) {
      const child = new SaveChild({ dir: scratch(), namePrefix: 'temp-', nameSuffix: '.rdb', format: 'rdb', checksum, stats: new ForkStats() });
      expect(child.appendsChecksum).toBe(true);
      child.write(payload.subarray(0, 10));
      child.write(payload.subarray(10));
      child.finish();
      expect(await child.ended).toEqual({ kind: 'ok' });
      const file = readFileSync(child.tempPath);
      expect(file.subarray(0, payload.length)).toEqual(payload);
      const trailer = Buffer.alloc(8);
      if (checksum) new Crc64().update(payload).writeLE(trailer, 0);
      expect(file.subarray(payload.length)).toEqual(trailer);
    }
  });

  it('killed, the child is reported by its signal and its file is gone', async () => {
    const child = new SaveChild({ dir: scratch(), namePrefix: 'temp-', nameSuffix: '.rdb', format: 'rdb', checksum: true, stats: new ForkStats() });
    child.write(Buffer.from('partial', 'latin1'));
    expect(existsSync(child.tempPath)).toBe(true);
    expect(child.kill()).toBeNull();
    expect(await child.ended).toEqual({ kind: 'signal', signalNumber: 9 });
    expect(existsSync(child.tempPath)).toBe(false);
  });
});
