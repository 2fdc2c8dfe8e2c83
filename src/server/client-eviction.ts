// maxmemory-clients: when the clients' buffers together reach the limit, the clients using the
// most memory are closed until they are back under it (Redis's evictClients), before keys are
// evicted for maxmemory. Clients with CLIENT NO-EVICT on are never chosen. It runs after each
// client's read, before each command and from the cron (Redis: beforeNextClient, processCommand
// and beforeSleep), on the client memory UsedMemory samples (at most every 10 ms) plus what the
// reading client or the clients pushed to since hold now (Redis updates a client's usage as it
// reads and as it is sent tracking messages), so a client flooding its buffers is caught at once
// without an O(clients) walk per command.

import type { Client } from '../engine/client.js';
import type { LiveSettings } from '../config/live.js';
import type { UsedMemory } from './used-memory.js';

/** Redis never lets the limit go below 128 KB, so a bad setting cannot cut every client off. */
const MIN_LIMIT_BYTES = 128 * 1024;

export interface ClientEvictionHost {
  clients(): Iterable<Client>;
  /** Logs and closes an evicted client. */
  evict(client: Client): void;
  logWarning(message: string): void;
}

/** Redis's getClientEvictionLimit: bytes, or 0 when client eviction is off. */
export function clientEvictionLimitBytes(maxmemoryClients: number, maxmemoryBytes: number): number {
  let limit: number;
  if (maxmemoryClients < 0 && maxmemoryBytes > 0) limit = Math.floor(maxmemoryBytes * -maxmemoryClients / 100);
  else if (maxmemoryClients > 0) limit = maxmemoryClients;
  else return 0;
  return Math.max(limit, MIN_LIMIT_BYTES);
}

export class ClientEviction {
  /** INFO evicted_clients. */
  evictedClients = 0;

  constructor(
    private readonly live: Pick<LiveSettings, 'maxmemoryBytes' | 'maxmemoryClients'>,
    private readonly usedMemory: UsedMemory,
    private readonly host: ClientEvictionHost,
  ) {}

  /** `client` was sent output (tracking invalidations, pub/sub): the next run() sees its size. */
  noteGrowth(client: Client): void {
    this.usedMemory.clientChanged(client);
  }

  /** After `client`'s read: its size now goes into the figure judged. O(1) unless over the limit. */
  afterRead(client: Client): void {
    const limit = clientEvictionLimitBytes(this.live.maxmemoryClients, this.live.maxmemoryBytes);
    if (limit === 0 || client.isReplica) return;
    this.usedMemory.clientChanged(client);
    if (this.usedMemory.normalClientsBytes < limit) return;
    this.evictOver(limit);
  }

  /** Closes the biggest evictable clients while the clients' memory is at or over the limit. */
  run(): void {
    const limit = clientEvictionLimitBytes(this.live.maxmemoryClients, this.live.maxmemoryBytes);
    if (limit === 0) return;
    this.usedMemory.totalBytes();
    if (this.usedMemory.normalClientsBytes < limit) return;
    this.evictOver(limit);
  }

  private evictOver(limit: number): void {
    // The sample may be up to its interval old and still count clients that have gone since
    // (a burst of closes): the total is counted again now, as Redis keeps it exact, so no
    // client is closed for memory that is no longer there. Replicas are neither counted nor
    // evicted (Redis counts normal and pub/sub clients only).
    let total = 0;
    const candidates: Array<{ client: Client; bytes: number }> = [];
    for (const client of this.host.clients()) {
      if (client.closed || client.isReplica) continue;
      const bytes = client.memoryBytes(null);
      total += bytes;
      if (!client.noEvict) candidates.push({ client, bytes });
    }
    if (total < limit) return;
    candidates.sort((a, b) => b.bytes - a.bytes);
    for (const { client, bytes } of candidates) {
      if (total < limit) break;
      this.host.evict(client);
      this.evictedClients++;
      total -= bytes;
    }
    if (total >= limit) this.host.logWarning('Over client maxmemory after evicting all evictable clients');
    this.usedMemory.sample();
  }
}
