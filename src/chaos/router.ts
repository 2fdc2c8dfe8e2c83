// Where a chaos writer sends a key: the primary that owns it now. For a cluster, the slot map
// from CLUSTER SLOTS (refreshed after MOVED or a failed write); for sentinels, the address
// GET-MASTER-ADDR-BY-NAME gives. Clients are kept per address, with short call deadlines so a
// paused node fails a write instead of holding the writer.

import { keyHashSlot } from '../cluster/key-slot.js';
import type { RespReply } from '../protocol/resp-link.js';
import { NodeClient } from '../topology/node-client.js';
import type { Address } from '../topology/types.js';

const CALL_TIMEOUT_MS = 1500;

export interface Router {
  /** The client of the primary for `key`, or null when none is known right now. */
  primaryFor(key: string): NodeClient | null;
  /** Re-reads the topology (after MOVED, READONLY, a timeout ...). */
  refresh(): Promise<void>;
  close(): void;
}

class Clients {
  private readonly byAddress = new Map<string, NodeClient>();

  get(host: string, port: number): NodeClient {
    const key = `${host}:${port}`;
    let client = this.byAddress.get(key);
    if (client === undefined) {
      client = new NodeClient(host, port, CALL_TIMEOUT_MS);
      this.byAddress.set(key, client);
    }
    return client;
  }

  close(): void {
    for (const c of this.byAddress.values()) c.close();
    this.byAddress.clear();
  }
}

export class ClusterRouter implements Router {
  private readonly clients = new Clients();
  private readonly slots: Array<NodeClient | null> = new Array<NodeClient | null>(16384).fill(null);

  constructor(private readonly seeds: () => Address[]) {}

  primaryFor(key: string): NodeClient | null {
    return this.slots[keyHashSlot(key)];
  }

  async refresh(): Promise<void> {
    for (const seed of this.seeds()) {
      let reply: RespReply;
      try {
        reply = await this.clients.get(seed.host, seed.port).call('CLUSTER', 'SLOTS');
      } catch (err) {
        // This seed is down or paused: the next one may answer.
        if (err instanceof Error) continue;
        throw err;
      }
      if (reply.type !== 'array') continue;
      for (const range of reply.items) {
        if (range.type !== 'array' || range.items.length < 3) continue;
        const [from, to, primary] = range.items;
        if (from.type !== 'integer' || to.type !== 'integer' || primary.type !== 'array') continue;
        const [host, port] = primary.items;
        if (host?.type !== 'bulk' || port?.type !== 'integer') continue;
        const client = this.clients.get(host.text, port.value);
        for (let s = from.value; s <= to.value; s++) this.slots[s] = client;
      }
      return;
    }
  }

  close(): void {
    this.clients.close();
  }
}

export class SentinelRouter implements Router {
  private readonly clients = new Clients();
  private primary: NodeClient | null = null;

  constructor(private readonly sentinels: () => Address[], private readonly masterName: string) {}

  primaryFor(): NodeClient | null {
    return this.primary;
  }

  async refresh(): Promise<void> {
    for (const s of this.sentinels()) {
      let reply: RespReply;
      try {
        reply = await this.clients.get(s.host, s.port).call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', this.masterName);
      } catch (err) {
        if (err instanceof Error) continue;
        throw err;
      }
      if (reply.type !== 'array' || reply.items.length !== 2) continue;
      const [host, port] = reply.items;
      if (host.type !== 'bulk' || port.type !== 'bulk') continue;
      this.primary = this.clients.get(host.text, Number(port.text));
      return;
    }
  }

  close(): void {
    this.clients.close();
  }
}
