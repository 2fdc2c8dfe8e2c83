// Near its memory limit the node refuses writes with an OOM error instead of dying ("JavaScript
// heap out of memory" would lose every key): a server with a deliberately small V8 heap is
// filled until it refuses, and must then still answer reads and deletes, and accept writes
// again once memory is freed.

import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnCinnabar, type CinnabarProcess } from '../helpers/cinnabar.js';
import { waitFor } from '../helpers/wait.js';

const HEAP_MB = 96;
const VALUE = 'v'.repeat(2000);
const BATCH = 500;
/** Far more than a 96 MB heap holds: the fill must be refused long before. */
const MAX_KEYS = 200_000;

describe('memory limit', () => {
  let server: CinnabarProcess;
  let r: Redis;

  beforeAll(async () => {
    server = await spawnCinnabar([], [`--max-old-space-size=${HEAP_MB}`]);
    r = new Redis({ port: server.port, lazyConnect: true, enableReadyCheck: false, maxRetriesPerRequest: 0 });
    await r.connect();
  });

  afterAll(async () => {
    r.disconnect();
    await server.stop();
  });

  it('refuses writes with OOM near the heap limit, keeps serving, and recovers after deletes', async () => {
    let stored = 0;
    let refusal: string | null = null;
    while (refusal === null && stored < MAX_KEYS) {
      const pipeline = r.pipeline();
      for (let i = 0; i < BATCH; i++) pipeline.set(`fill:${stored + i}`, VALUE);
      const results = (await pipeline.exec()) ?? [];
      for (const [err] of results) {
        if (err !== null && refusal === null) refusal = err.message;
        if (err === null) stored++;
      }
    }
    expect(refusal).toMatch(/^OOM command not allowed when used memory is near the V8 heap limit/);
    expect(server.child.exitCode).toBeNull();
    // Reads and deletes still work; the data written before the refusal is intact.
    expect(await r.get('fill:0')).toBe(VALUE);
    expect(await r.dbsize()).toBe(stored);
    await r.flushall();
    await waitFor(async () => {
      try {
        return (await r.set('after', 'ok')) === 'OK';
      } catch {
        return false; // still refused until the cron samples the freed heap
      }
    }, 20_000, 'writes to be accepted again');
    expect(await r.get('after')).toBe('ok');
  }, 60_000);
});
