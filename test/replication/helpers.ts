// Helpers for replication tests: INFO replication as a map, waiting for a link to come up or
// offsets to meet, a write load, and the dataset digest on both sides.

import type { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import type { RunningServerInternal } from '../../src/server/start.js';
import { startCinnabar } from '../helpers/cinnabar.js';
import { RawConnection } from '../helpers/resp.js';
import { waitFor } from '../helpers/wait.js';

/** Two in-process servers for a file's tests (filled in by beforeAll) and a raw connection to each. */
export interface ServerPair {
  primary: RunningServerInternal;
  replica: RunningServerInternal;
  toPrimary: RawConnection;
  toReplica: RawConnection;
}

/**
 * Registers the file's hooks: a primary with no diskless-sync delay and a server the tests make
 * its replica, started before the file's tests and closed after them.
 */
export function serverPair(): ServerPair {
  const pair = {} as ServerPair;
  beforeAll(async () => {
    pair.primary = await startCinnabar({ 'repl-diskless-sync-delay': 0 });
    pair.replica = await startCinnabar();
    pair.toPrimary = await RawConnection.connect(pair.primary.port);
    pair.toReplica = await RawConnection.connect(pair.replica.port);
  });
  afterAll(async () => {
    pair.toPrimary.close();
    pair.toReplica.close();
    await pair.replica.close();
    await pair.primary.close();
  });
  return pair;
}

export async function replicationInfo(client: Redis): Promise<Map<string, string>> {
  const text = await client.info('replication');
  const fields = new Map<string, string>();
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) fields.set(line.slice(0, colon), line.slice(colon + 1));
  }
  return fields;
}

export async function waitForLinkUp(replica: Redis, timeoutMs = 20_000): Promise<void> {
  await waitFor(async () => (await replicationInfo(replica)).get('master_link_status') === 'up', timeoutMs, 'the replica link to come up');
}

/** The replica has applied everything the primary produced so far. */
export async function waitForSameOffset(primary: Redis, replica: Redis, timeoutMs = 20_000): Promise<void> {
  const target = Number((await replicationInfo(primary)).get('master_repl_offset'));
  await waitFor(async () => Number((await replicationInfo(replica)).get('slave_repl_offset')) >= target, timeoutMs, `the replica to reach offset ${target}`);
}

/**
 * The digests (DEBUG DIGEST) of both sides at one point of the stream: taken while both
 * offsets are equal and the primary's did not move in between (keys expiring on the primary
 * keep adding DELs to the stream after the writes stopped).
 */
export async function expectSameDataset(primary: Redis, replica: Redis, timeoutMs = 20_000): Promise<{ primaryDigest: string; replicaDigest: string }> {
  let digests = { primaryDigest: '', replicaDigest: '' };
  await waitFor(async () => {
    const before = (await replicationInfo(primary)).get('master_repl_offset');
    if ((await replicationInfo(replica)).get('slave_repl_offset') !== before) return false;
    const primaryDigest = String(await primary.call('DEBUG', 'DIGEST'));
    const replicaDigest = String(await replica.call('DEBUG', 'DIGEST'));
    if ((await replicationInfo(primary)).get('master_repl_offset') !== before) return false;
    if ((await replicationInfo(replica)).get('slave_repl_offset') !== before) return false;
    digests = { primaryDigest, replicaDigest };
    return true;
  }, timeoutMs, 'both sides at the same offset');
  return digests;
}

/**
 * Writes of every kind against `client` until `stop()` is called: strings, counters, lists,
 * hashes, sets, sorted sets, expiries, transactions, deletions, across two dbs. Resolves with
 * the number of commands sent once stopped.
 */
export function writeLoad(client: Redis, seed: number): { stop(): Promise<number> } {
  let running = true;
  let sent = 0;
  const loop = (async (): Promise<void> => {
    let n = seed;
    while (running) {
      n++;
      const k = `k${n % 500}`;
      const p = client.pipeline();
      p.set(`s:${k}`, `v${n}`);
      p.incr(`c:${n % 50}`);
      p.rpush(`l:${n % 40}`, String(n));
      p.hset(`h:${n % 30}`, `f${n % 7}`, String(n));
      p.sadd(`set:${n % 20}`, String(n % 100));
      p.zadd(`z:${n % 20}`, n % 13, `m${n % 50}`);
      p.set(`e:${k}`, 'x', 'PX', 50 + (n % 200));
      p.expire(`s:${k}`, 1000);
      p.select(1);
      p.set(`db1:${n % 100}`, String(n));
      p.select(0);
      p.call('MULTI');
      p.incrby(`c:${n % 50}`, 3);
      p.lpop(`l:${(n + 1) % 40}`);
      p.call('EXEC');
      if (n % 17 === 0) p.del(`h:${n % 30}`);
      await p.exec();
      sent += 14;
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return sent;
    },
  };
}
