// Client memory as maxmemory and maxmemory-clients judge it. maxmemory-clients counts the
// clients there are now: the sampled client memory can still count clients that closed a moment
// ago, and eviction must not close the rest for them (the Redis suite's unit/maxmemory lost its
// own connection that way right after the many big subscribers of the test before had gone).
// Replicas' output is part of used_memory but neither normal client memory nor judged against
// maxmemory (mem_not_counted_for_evict).

import { describe, expect, it } from 'vitest';
import type { Client } from '../../src/engine/client.js';
import { ClientEviction } from '../../src/server/client-eviction.js';
import { UsedMemory } from '../../src/server/used-memory.js';
import { Keyspace } from '../../src/store/keyspace.js';

interface FakeClient {
  name: string;
  closed: boolean;
  isReplica: boolean;
  noEvict: boolean;
  /** Its output waiting to be written: the whole of its memory here. */
  outputBytes: number;
  memoryBytes(runningArgv: null): number;
}

function fakeClient(name: string, outputBytes: number, flags: Partial<Pick<FakeClient, 'isReplica' | 'noEvict'>> = {}): FakeClient {
  return {
    name, closed: false, isReplica: flags.isReplica ?? false, noEvict: flags.noEvict ?? false, outputBytes,
    memoryBytes() {
      return this.outputBytes;
    },
  };
}

function setup(clients: FakeClient[], limitBytes: number): { eviction: ClientEviction; usedMemory: UsedMemory; evicted: string[] } {
  const list = (): Client[] => clients.filter((c) => !c.closed) as unknown as Client[];
  const usedMemory = new UsedMemory(new Keyspace(1, { keyExpired: () => undefined }), list, () => list().length, { cachedScriptBytes: 0 });
  const evicted: string[] = [];
  const eviction = new ClientEviction({ maxmemoryBytes: 0, maxmemoryClients: limitBytes }, usedMemory, {
    clients: list,
    evict: (client) => {
      const fake = client as unknown as FakeClient;
      evicted.push(fake.name);
      fake.closed = true;
    },
    logWarning: () => undefined,
  });
  return { eviction, usedMemory, evicted };
}

describe('maxmemory-clients', () => {
  it('closes nobody for clients that left since the last sample', () => {
    const big = [1, 2, 3].map((i) => fakeClient(`subscriber-${i}`, 2_000_000));
    const small = fakeClient('test-client', 10_000);
    const { eviction, usedMemory, evicted } = setup([...big, small], 3_000_000);
    usedMemory.sample();
    for (const client of big) client.closed = true;
    // Within the sampling interval: the sample still holds the subscribers' 6 MB.
    expect(usedMemory.normalClientsBytes).toBeGreaterThan(3_000_000);
    eviction.run();
    expect(evicted).toEqual([]);
    expect(eviction.evictedClients).toBe(0);
  });

  it('closes the biggest evictable clients until under the limit; NO-EVICT clients count but stay', () => {
    const clients = [
      fakeClient('a', 1_500_000), fakeClient('b', 2_500_000), fakeClient('keep', 2_000_000, { noEvict: true }),
      fakeClient('replica', 50_000_000, { isReplica: true }), fakeClient('c', 100_000),
    ];
    const { eviction, usedMemory, evicted } = setup(clients, 3_000_000);
    usedMemory.sample();
    eviction.run();
    // 6.1 MB of normal clients: b (2.5 MB) leaves 3.6, a (1.5 MB) leaves 2.1 MB; the replica
    // counts for neither.
    expect(evicted).toEqual(['b', 'a']);
    expect(eviction.evictedClients).toBe(2);
  });
});

describe('replicas in used_memory', () => {
  it('count in used_memory, apart from normal clients, as the memory not counted for eviction', () => {
    const clients = [fakeClient('normal', 300_000), fakeClient('replica', 5_000_000, { isReplica: true })];
    const { usedMemory } = setup(clients, 0);
    usedMemory.sample();
    const base = usedMemory.totalBytes() - usedMemory.normalClientsBytes - usedMemory.replicaClientsBytes;
    expect(usedMemory.replicaClientsBytes).toBeGreaterThanOrEqual(5_000_000);
    expect(usedMemory.normalClientsBytes).toBeGreaterThanOrEqual(300_000);
    expect(usedMemory.normalClientsBytes).toBeLessThan(5_000_000);
    clients[1].closed = true;
    usedMemory.sample();
    expect(usedMemory.replicaClientsBytes).toBe(0);
    expect(usedMemory.totalBytes() - usedMemory.normalClientsBytes).toBe(base);
  });
});
