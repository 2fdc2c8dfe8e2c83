// client-output-buffer-limit for normal clients: a client that pipelines requests without
// reading the replies is cut at the hard limit (Redis's "scheduled to be closed ASAP for
// overcoming of output buffer limits"), the server's queued output stays bounded meanwhile, and
// other clients keep being served.

import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServerInternal } from '../../src/server/start.js';
import { startCinnabar } from '../helpers/cinnabar.js';
import { RawConnection } from '../helpers/resp.js';
import { waitFor } from '../helpers/wait.js';

const LIMIT_BYTES = 4 * 1024 * 1024;
const VALUE = 'v'.repeat(10 * 1024);
const GET_REQUEST = '*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n';
/** Requests per write of the flood (about 1 MB of replies each). */
const BATCH = 100;
/** Spacing of the used_memory polls after the cut: longer than the server's 1 s idle threshold. */
const IDLE_POLL_MS = 1_500;
/** Replies the flood may ask for at most before the test gives up. */
const MAX_REPLY_BYTES = 2 * 1024 * 1024 * 1024;

describe('normal client output buffer limit', () => {
  let running: RunningServerInternal;

  beforeAll(async () => {
    running = await startCinnabar({ 'client-output-buffer-limit': `normal ${LIMIT_BYTES} 0 0` });
  });

  afterAll(async () => {
    await running.close();
  });

  it('cuts a pipelining client that does not read, with its output bounded near the limit', async () => {
    const other = await RawConnection.connect(running.port);
    expect(await other.call('SET', 'big', VALUE)).toBe('+OK\r\n');
    const stats = running.server.stats;
    const before = stats.clientOutputBufferLimitDisconnections;

    const flooder = net.connect(running.port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => {
      flooder.once('connect', resolve);
      flooder.once('error', reject);
    });
    flooder.pause(); // never reads a reply
    let closed = false;
    flooder.on('close', () => { closed = true; });
    flooder.on('error', () => { closed = true; });

    const batch = GET_REQUEST.repeat(BATCH);
    let askedBytes = 0;
    let maxQueuedBytes = 0;
    const pingMs: number[] = [];
    while (!closed && askedBytes < MAX_REPLY_BYTES) {
      if (flooder.write(batch) === false) await new Promise((resolve) => setTimeout(resolve, 1));
      askedBytes += BATCH * VALUE.length;
      for (const c of running.server.clients.all()) maxQueuedBytes = Math.max(maxQueuedBytes, c.outputBufferBytes);
      if (askedBytes % (50 * BATCH * VALUE.length) === 0) {
        const start = performance.now();
        expect(await other.call('PING')).toBe('+PONG\r\n');
        pingMs.push(performance.now() - start);
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
    await waitFor(() => stats.clientOutputBufferLimitDisconnections > before, 10_000, 'the flooding client to be cut');
    expect(stats.clientOutputBufferLimitDisconnections).toBe(before + 1);
    // Cut within one reply slice of the limit (replies are handed over 256 KB at a time).
    expect(maxQueuedBytes).toBeLessThan(LIMIT_BYTES + 2 * 1024 * 1024);
    expect(await other.call('PING')).toBe('+PONG\r\n');
    for (const ms of pingMs) expect(ms).toBeLessThan(1000);
    other.close();
    flooder.destroy();
  });
});

describe('memory after a client cut at its output limit', () => {
  it('is given back once the server is idle', async () => {
    const { spawnCinnabar } = await import('../helpers/cinnabar.js');
    const limitBytes = 64 * 1024 * 1024;
    const server = await spawnCinnabar(['--client-output-buffer-limit', `normal ${limitBytes} 0 0`]);
    // used_memory (the V8 heap plus the Buffers outside it), not RSS: what the allocator keeps
    // for reuse after a free is its own business.
    const usedMemory = async (connection: RawConnection): Promise<number> => {
      const info = await connection.call('INFO', 'memory');
      return Number(/used_memory:(\d+)/.exec(info)?.[1]);
    };
    try {
      const other = await RawConnection.connect(server.port);
      expect(await other.call('SET', 'big', VALUE)).toBe('+OK\r\n');
      const startBytes = await usedMemory(other);
      const flooder = net.connect(server.port, '127.0.0.1');
      await new Promise<void>((resolve, reject) => {
        flooder.once('connect', resolve);
        flooder.once('error', reject);
      });
      flooder.pause();
      let closed = false;
      flooder.on('close', () => { closed = true; });
      flooder.on('error', () => { closed = true; });
      const batch = GET_REQUEST.repeat(BATCH);
      // Sampled every 2 MB of replies asked for: a coarser sampling missed the peak when the
      // server cut the client quickly on a quiet machine.
      let peakBytes = startBytes;
      for (let asked = 0; !closed && asked < MAX_REPLY_BYTES; asked += BATCH * VALUE.length) {
        if (flooder.write(batch) === false) await new Promise((resolve) => setTimeout(resolve, 1));
        if (asked % (2 * BATCH * VALUE.length) === 0) peakBytes = Math.max(peakBytes, await usedMemory(other));
        await new Promise((resolve) => setImmediate(resolve));
      }
      await waitFor(() => closed, 10_000, 'the flooding client to be cut');
      expect(peakBytes - startBytes).toBeGreaterThan(limitBytes / 2);
      // Once idle for a second, the server collects the replies it dropped. The condition is polled
      // every 1.5 s, since polling it is itself a command that ends the idleness.
      const deadline = Date.now() + 20_000;
      let freed = false;
      while (!freed && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, IDLE_POLL_MS));
        const nowBytes = await usedMemory(other);
        freed = nowBytes < startBytes + limitBytes / 2;
      }
      expect(freed).toBe(true);
      other.close();
      flooder.destroy();
    } finally {
      await server.stop();
    }
  }, 40_000);
});

describe('a single reply past the hard limit', () => {
  it('closes the client with nothing written, however fast it reads (Redis checks as replies are added)', async () => {
    const server = await startCinnabar({ 'client-output-buffer-limit': 'normal 100000 0 0' });
    try {
      const other = await RawConnection.connect(server.port);
      for (let i = 0; i < 150; i++) await other.call('LPUSH', 'biglist', 'x'.repeat(1000));
      const reader = await RawConnection.connect(server.port);
      expect(await reader.call('CLIENT', 'SETNAME', 'bigreader')).toBe('+OK\r\n');
      // Within the limit: served as usual.
      expect(await reader.call('LRANGE', 'biglist', '0', '49')).toMatch(/^\*50\r\n/);
      reader.send('LRANGE', 'biglist', '0', '-1');
      await reader.waitClosed();
      expect(reader.pending).toBe('');
      expect(await other.call('CLIENT', 'LIST')).not.toContain('name=bigreader');
      expect(server.server.stats.clientOutputBufferLimitDisconnections).toBe(1);
      other.close();
    } finally {
      await server.close();
    }
  });
});
