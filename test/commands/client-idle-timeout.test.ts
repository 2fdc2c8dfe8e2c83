// The `timeout` directive closes clients idle for longer than it; activity is stamped with the
// cached command clock (as Redis stamps it with server.unixtime), so a client that keeps talking
// must never be taken for idle, and one that stops must be closed within a cron tick or two.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServerInternal } from '../../src/server/start.js';
import { startCinnabar } from '../helpers/cinnabar.js';
import { RawConnection } from '../helpers/resp.js';

describe('client idle timeout', () => {
  let running: RunningServerInternal;

  beforeAll(async () => {
    running = await startCinnabar({ timeout: 1 });
  });

  afterAll(async () => {
    await running.close();
  });

  it('closes a silent client and keeps a talking one', async () => {
    const silent = await RawConnection.connect(running.port);
    const talking = await RawConnection.connect(running.port);
    expect(await silent.call('PING')).toBe('+PONG\r\n');
    const startedMs = Date.now();
    let closedAfterMs = -1;
    const closed = silent.waitClosed(6000).then(() => { closedAfterMs = Date.now() - startedMs; });
    // Talk every 250 ms for 2.5 s: well past the 1 s limit in total, never idle for 1 s.
    for (let i = 0; i < 10; i++) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      expect(await talking.call('PING')).toBe('+PONG\r\n');
    }
    await closed;
    // Redis closes a client idle for more than `timeout` seconds, checked by its cron; the read
    // was stamped with the cached clock, which may be up to one cron tick (100 ms) behind.
    expect(closedAfterMs).toBeGreaterThanOrEqual(850);
    expect(closedAfterMs).toBeLessThan(4000);
    expect(await talking.call('PING')).toBe('+PONG\r\n');
    talking.close();
  });
});
