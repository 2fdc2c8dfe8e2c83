// The pub/sub hub: channel, pattern and shard-channel subscriptions and message fan-out. A
// message is encoded once (RESP2 array) and, only if some receiver speaks RESP3, copied once
// more with the push header; each subscriber then gets a memcpy of those bytes, so publishing
// to a thousand subscribers costs a thousand copies, not a thousand encodings.

import { globMatch } from '../util/glob.js';
import type { Client } from './client.js';

const PUSH_TYPE_BYTE = 0x3e; // '>'

/** Encodes a pub/sub frame as a RESP2 array of bulk strings. */
function encodeArrayFrame(parts: readonly string[]): Buffer {
  let text = '*' + parts.length + '\r\n';
  for (const p of parts) text += '$' + p.length + '\r\n' + p + '\r\n';
  return Buffer.from(text, 'latin1');
}

/** The same frame as a RESP3 push: identical bytes but the first ('*' becomes '>'). */
function toPushFrame(arrayFrame: Buffer): Buffer {
  const push = Buffer.allocUnsafe(arrayFrame.length);
  arrayFrame.copy(push);
  push[0] = PUSH_TYPE_BYTE;
  return push;
}

/** Encodes a pub/sub message frame for both protocols (RESP2 array, RESP3 push). */
export function encodePubSubFrame(parts: readonly string[]): [resp2: Buffer, resp3: Buffer] {
  const resp2 = encodeArrayFrame(parts);
  return [resp2, toPushFrame(resp2)];
}

/** A frame encoded on first use for each protocol, so RESP2-only audiences pay one encoding. */
class LazyFrame {
  private resp2: Buffer | null = null;
  private resp3: Buffer | null = null;

  constructor(private readonly parts: readonly string[]) {}

  for(client: Client): Buffer {
    if (this.resp2 === null) this.resp2 = encodeArrayFrame(this.parts);
    if (client.reply.resp !== 3) return this.resp2;
    if (this.resp3 === null) this.resp3 = toPushFrame(this.resp2);
    return this.resp3;
  }
}

export class PubSubHub {
  readonly channels = new Map<string, Set<Client>>();
  readonly shardChannels = new Map<string, Set<Client>>();
  readonly patterns = new Map<string, Set<Client>>();

  constructor(private readonly deliver: (client: Client, frame: Buffer) => void) {}

  /**
   * Pushed messages reach the client even under CLIENT REPLY OFF/SKIP (Redis's CLIENT_PUSHING
   * flag bypasses the reply mute), so the mute is lifted around the copy.
   */
  private push(client: Client, frame: Buffer): void {
    const reply = client.reply;
    if (!reply.muted) {
      this.deliver(client, frame);
      return;
    }
    reply.muted = false;
    try {
      this.deliver(client, frame);
    } finally {
      reply.muted = true;
    }
  }

  private add(table: Map<string, Set<Client>>, name: string, client: Client): void {
    let set = table.get(name);
    if (set === undefined) {
      set = new Set();
      table.set(name, set);
    }
    set.add(client);
  }

  private remove(table: Map<string, Set<Client>>, name: string, client: Client): void {
    const set = table.get(name);
    if (set === undefined) return;
    set.delete(client);
    // Empty entries are dropped so that PUBSUB CHANNELS and memory reflect live channels only.
    if (set.size === 0) table.delete(name);
  }

  subscribe(client: Client, channel: string): boolean {
    if (client.channels.has(channel)) return false;
    client.channels.add(channel);
    this.add(this.channels, channel, client);
    return true;
  }

  unsubscribe(client: Client, channel: string): boolean {
    if (!client.channels.delete(channel)) return false;
    this.remove(this.channels, channel, client);
    return true;
  }

  ssubscribe(client: Client, channel: string): boolean {
    if (client.shardChannels.has(channel)) return false;
    client.shardChannels.add(channel);
    this.add(this.shardChannels, channel, client);
    return true;
  }

  sunsubscribe(client: Client, channel: string): boolean {
    if (!client.shardChannels.delete(channel)) return false;
    this.remove(this.shardChannels, channel, client);
    return true;
  }

  psubscribe(client: Client, pattern: string): boolean {
    if (client.patterns.has(pattern)) return false;
    client.patterns.add(pattern);
    this.add(this.patterns, pattern, client);
    return true;
  }

  punsubscribe(client: Client, pattern: string): boolean {
    if (!client.patterns.delete(pattern)) return false;
    this.remove(this.patterns, pattern, client);
    return true;
  }

  /** Drops every subscription of a closing (or RESET) client, without notifying it. */
  removeClient(client: Client): void {
    for (const c of client.channels) this.remove(this.channels, c, client);
    for (const c of client.shardChannels) this.remove(this.shardChannels, c, client);
    for (const p of client.patterns) this.remove(this.patterns, p, client);
    client.channels.clear();
    client.shardChannels.clear();
    client.patterns.clear();
  }

  /** Delivers to channel subscribers and matching patterns; returns the receiver count. */
  publish(channel: string, message: string): number {
    let receivers = 0;
    const subscribers = this.channels.get(channel);
    if (subscribers !== undefined) {
      const frame = new LazyFrame(['message', channel, message]);
      for (const client of subscribers) {
        this.push(client, frame.for(client));
        receivers++;
      }
    }
    if (this.patterns.size === 0) return receivers;
    for (const [pattern, clients] of this.patterns) {
      if (!globMatch(pattern, channel)) continue;
      const frame = new LazyFrame(['pmessage', pattern, channel, message]);
      for (const client of clients) {
        this.push(client, frame.for(client));
        receivers++;
      }
    }
    return receivers;
  }

  /** Shard channels ignore patterns (Redis: "Shard pubsub ignores patterns"). */
  publishShard(channel: string, message: string): number {
    const subscribers = this.shardChannels.get(channel);
    if (subscribers === undefined) return 0;
    const frame = new LazyFrame(['smessage', channel, message]);
    let receivers = 0;
    for (const client of subscribers) {
      this.push(client, frame.for(client));
      receivers++;
    }
    return receivers;
  }
}
