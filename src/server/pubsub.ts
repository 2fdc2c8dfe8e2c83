// The pub/sub hub: channel and pattern subscriptions and message fan-out. A message is encoded
// once per protocol and copied as raw bytes into each subscriber's output, so publishing to a
// thousand subscribers costs a thousand memcpys, not a thousand encodings.

import { globMatch } from '../util/glob.js';
import type { Client } from './client.js';

function bulk(text: string): string {
  return '$' + text.length + '\r\n' + text + '\r\n';
}

/** Encodes a pub/sub message frame for both protocols (RESP2 array, RESP3 push). */
export function encodePubSubFrame(parts: readonly string[]): [resp2: Buffer, resp3: Buffer] {
  let body = '';
  for (const p of parts) body += bulk(p);
  return [
    Buffer.from('*' + parts.length + '\r\n' + body, 'latin1'),
    Buffer.from('>' + parts.length + '\r\n' + body, 'latin1'),
  ];
}

export class PubSubHub {
  readonly channels = new Map<string, Set<Client>>();
  readonly shardChannels = new Map<string, Set<Client>>();
  readonly patterns = new Map<string, Set<Client>>();

  constructor(private readonly deliver: (client: Client, frame: Buffer) => void) {}

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

  /** Drops every subscription of a closing client. */
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
    if (subscribers !== undefined && subscribers.size > 0) {
      const [r2, r3] = encodePubSubFrame(['message', channel, message]);
      for (const client of subscribers) {
        this.deliver(client, client.reply.resp === 3 ? r3 : r2);
        receivers++;
      }
    }
    if (this.patterns.size > 0) {
      for (const [pattern, clients] of this.patterns) {
        if (!globMatch(pattern, channel)) continue;
        const [r2, r3] = encodePubSubFrame(['pmessage', pattern, channel, message]);
        for (const client of clients) {
          this.deliver(client, client.reply.resp === 3 ? r3 : r2);
          receivers++;
        }
      }
    }
    return receivers;
  }

  publishShard(channel: string, message: string): number {
    const subscribers = this.shardChannels.get(channel);
    if (subscribers === undefined) return 0;
    const [r2, r3] = encodePubSubFrame(['smessage', channel, message]);
    for (const client of subscribers) this.deliver(client, client.reply.resp === 3 ? r3 : r2);
    return subscribers.size;
  }
}
