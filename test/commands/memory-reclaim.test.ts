// INFO memory reports what the dataset holds: after a large share of the keys expire, used_memory
// comes back down instead of counting values V8 has not collected yet.

import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnCinnabar, type CinnabarProcess } from '../helpers/cinnabar.js';
import { waitFor } from '../helpers/wait.js';

const KEYS = 200_000;
const BATCH = 2_000;
const TTL_MS = 4_000;
const MiB = 1024 * 1024;

describe('memory after mass expiry', () => {
  let server: CinnabarProcess;
  let r: Redis;

  beforeAll(async () => {
    server = await spawnCinnabar();
    r = new Redis({ port: server.port, lazyConnect: true, enableReadyCheck: false });
    await r.connect();
  });

  afterAll(async () => {
    r.disconnect();
    await server.stop();
  });

  async function usedMemory(): Promise<number> {
    return Number(/used_memory:(\d+)/.exec(await r.info('memory'))?.[1]);
  }

  it('drops used_memory back near its baseline once the keys expired', async () => {
    const baseline = await usedMemory();
    // The keys get their TTLs only once all are written and measured: on a loaded machine the
    // writes alone can take longer than any short TTL.
    for (let b = 0; b < KEYS; b += BATCH) {
      const pipeline = r.pipeline();
      for (let i = b; i < b + BATCH; i++) pipeline.set(`exp:${i}`, 'value-of-some-bytes');
      await pipeline.exec();
    }
    const loaded = await usedMemory();
    expect(loaded - baseline).toBeGreaterThan(10 * MiB);
    for (let b = 0; b < KEYS; b += BATCH) {
      const pipeline = r.pipeline();
      for (let i = b; i < b + BATCH; i++) pipeline.pexpire(`exp:${i}`, TTL_MS);
      await pipeline.exec();
    }
    await waitFor(async () => (await r.dbsize()) === 0, 30_000, 'every key to expire');
    await waitFor(async () => (await usedMemory()) < baseline + 5 * MiB, 25_000, 'used_memory to come back down');
  }, 90_000);
});
