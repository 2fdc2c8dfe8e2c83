import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnCinnabar, type CinnabarProcess } from '../helpers/cinnabar.js';

// A script that keeps allocating must not take the process down at the V8 heap limit: near it,
// the script ends with an error and the server goes on. The server runs with a small heap.

describe('a script that exhausts memory', () => {
  let server: CinnabarProcess;
  let r: Redis;

  beforeAll(async () => {
    server = await spawnCinnabar([], ['--max-old-space-size=96']);
    r = new Redis({ port: server.port, lazyConnect: true, enableReadyCheck: false, maxRetriesPerRequest: 0 });
    await r.connect();
  });

  afterAll(async () => {
    r.disconnect();
    await server.stop();
  });

  it('ends with "not enough memory" and the server keeps serving', async () => {
    await r.set('before', 'kept');
    const script = "local t = {} for i = 1, 1e9 do t[i] = 'value number ' .. i end return #t";
    await expect(r.eval(script, 0)).rejects.toThrow(/^ERR not enough memory script: \w{40}, on @user_script:1\.$/);
    expect(await r.ping()).toBe('PONG');
    expect(await r.get('before')).toBe('kept');
  }, 60_000);
});
