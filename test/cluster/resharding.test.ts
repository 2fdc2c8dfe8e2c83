// Live resharding under load: 1,000 slots move from one primary to another with
// `redis-cli --cluster reshard` while ioredis Cluster clients write and read. Afterwards every
// acknowledged write is there with its last acknowledged value, no key is missing, and no key
// exists on two primaries (a migrated key left behind would be a duplicate). Run against
// cinnabar, and against redis-server as the check that the test itself is right.

import { Cluster } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { haveProgram } from '../helpers/process.js';
import { ClusterTopology } from './topology.js';

const WRITERS = 4;
const KEYS_PER_WRITER = 500;
const SLOTS_MOVED = 1000;

let topology: ClusterTopology | null = null;
afterEach(async () => {
  await topology?.cleanup();
  topology = null;
});

async function reshardUnderLoad(reference: boolean): Promise<void> {
  const t = new ClusterTopology(2000);
  topology = t;
  await t.create(3, 0, reference);
  const first = t.nodes[0];
  const ids = await Promise.all(t.nodes.map((n) => t.myId(n)));

  const slotsOf = async (id: string): Promise<number> => (await t.clusterNodes(first)).get(id)!.slots.reduce((sum, range) => {
    const [a, b] = range.split('-').map(Number);
    return sum + (b ?? a) - a + 1;
  }, 0);
  const targetSlotsBefore = await slotsOf(ids[1]);

  const cluster = new Cluster([{ host: '127.0.0.1', port: first.port }], { scaleReads: 'master', clusterRetryStrategy: () => 100 });
  cluster.on('error', () => undefined);
  try {
    // key -> last acknowledged value; each writer owns its keys, so its writes to a key are ordered.
    const acknowledged = new Map<string, string>();
    let stop = false;
    let reads = 0;
    const readErrors: string[] = [];
    const writers = Array.from({ length: WRITERS }, async (_, w) => {
      for (let n = 0; !stop || n < KEYS_PER_WRITER; n++) {
        const key = `w${w}:${n % KEYS_PER_WRITER}`;
        const value = `${n}`;
        await cluster.set(key, value);
        acknowledged.set(key, value);
      }
    });
    const reader = (async () => {
      while (!stop) {
        const keys = [...acknowledged.keys()];
        if (keys.length === 0) {
          await new Promise((r) => setImmediate(r));
          continue;
        }
        const key = keys[Math.floor(Math.random() * keys.length)];
        const value = await cluster.get(key);
        reads++;
        // A key acknowledged once never disappears (its value may have moved on since).
        if (value === null) readErrors.push(key);
      }
    })();

    const reshard = await t.redisCli(['reshard', `127.0.0.1:${first.port}`, '--cluster-from', ids[0], '--cluster-to', ids[1],
      '--cluster-slots', String(SLOTS_MOVED), '--cluster-yes'], 300_000);
    stop = true;
    await Promise.all([...writers, reader]);
    expect(reshard.code, reshard.output).toBe(0);

    const check = await t.redisCli(['check', `127.0.0.1:${first.port}`]);
    expect(check.output).toContain('[OK] All 16384 slots covered.');
    expect(check.output).not.toContain('[WARNING]');
    expect(await slotsOf(ids[1])).toBe(targetSlotsBefore + SLOTS_MOVED);

    expect(readErrors).toEqual([]);
    expect(reads).toBeGreaterThan(0);
    // Every key on exactly one primary, with its last acknowledged value.
    const holders = new Map<string, number>();
    for (const node of t.nodes) {
      const keys = await node.client.keys('*');
      for (const key of keys) holders.set(key, (holders.get(key) ?? 0) + 1);
    }
    expect([...holders.values()].every((count) => count === 1)).toBe(true);
    expect(holders.size).toBe(acknowledged.size);
    const keys = [...acknowledged.keys()];
    const values = await Promise.all(keys.map((k) => cluster.get(k)));
    expect(values).toEqual(keys.map((k) => acknowledged.get(k)));
  } finally {
    cluster.disconnect();
  }
}

describe('live resharding', () => {
  it('moves 1,000 slots under writes and reads: nothing lost, nothing duplicated (cinnabar)', async () => {
    await reshardUnderLoad(false);
  }, 360_000);

  it.skipIf(!haveProgram('redis-server'))('the same against redis-server', async () => {
    await reshardUnderLoad(true);
  }, 360_000);
});
