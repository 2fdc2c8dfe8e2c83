// A node that loads its dataset at start-up serves the event loop between steps of the load. A
// replica must not start syncing from its primary meanwhile: the full sync would replace the
// dataset under the loader, which would go on loading its file on top of the primary's data.
// The link comes up once the load is over (Redis's replicationCron never runs during a load).

import { afterAll, describe, expect, it } from 'vitest';
import { digest, startCinnabarNode, stopAll, waitInSync } from './topology.js';

afterAll(stopAll);

describe('a replica loading its dataset at start-up', () => {
  it('connects to its primary only after the load, then holds exactly the primary\'s data', async () => {
    const primary = await startCinnabarNode();
    expect(await primary.conn.call('SET', 'from-primary', 'yes')).toBe('+OK\r\n');
    // A dataset of its own on disk, which the replica takes ~3 s to load (1 ms a key).
    const seed = await startCinnabarNode();
    expect(await seed.conn.call('DEBUG', 'POPULATE', '3000', 'stale')).toBe('+OK\r\n');
    expect(await seed.conn.call('SAVE')).toBe('+OK\r\n');
    await seed.proc.kill();
    const replica = await startCinnabarNode(['--dir', seed.dir, '--replicaof', '127.0.0.1', String(primary.port),
      '--key-load-delay', '1000', '--loading-process-events-interval-bytes', '1024']);
    await waitInSync(primary, replica, 60_000);
    const log = replica.proc.output;
    const loaded = log.indexOf('DB loaded from disk');
    expect(loaded).toBeGreaterThan(0);
    expect(log.indexOf('MASTER <-> REPLICA sync started')).toBeGreaterThan(loaded);
    expect(await digest(replica)).toBe(await digest(primary));
    expect(await replica.conn.call('DBSIZE')).toBe(':1\r\n');
  }, 90_000);
});
