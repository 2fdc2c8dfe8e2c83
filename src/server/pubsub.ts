// The pub/sub hub: channel, pattern and shard-channel subscriptions and message fan-out. A
// message is encoded once per protocol its audience speaks (a RESP2 array, a RESP3 push); each
// subscriber then gets a memcpy of those bytes (ClientState.push), so publishing to a thousand
// subscribers costs a thousand copies, not a thousand encodings.

import type { ClientState, PubSubApi } from '../commands/context.js';
import { encodeCommand, encodePush } from '../protocol/command-encoder.js';
import { globMatch } from '../util/glob.js';

type Client = ClientState;

/** A frame encoded on first use for each protocol, so RESP2-only audiences pay one encoding. */
class LazyFrame {
  private resp2: Buffer | null = null;
  private resp3: Buffer | null = null;

  constructor(private readonly parts: readonly string[]) {}

  for(client: Client): Buffer {
    if (client.reply.resp !== 3) return this.resp2 ??= encodeCommand(this.parts);
    return this.resp3 ??= encodePush(this.parts);
  }
}

export class PubSubHub implements PubSubApi {
  readonly channels = new Map<string, Set<Client>>();
  readonly shardChannels = new Map<string, Set<Client>>();
  readonly patterns = new Map<string, Set<Client>>();

  channelNames(): Iterable<string> {
    return this.channels.keys();
  }

  shardChannelNames(): Iterable<string> {
    return this.shardChannels.keys();
  }

  channelSubscriberCount(channel: string): number {
    return this.channels.get(channel)?.size ?? 0;
  }

  shardChannelSubscriberCount(channel: string): number {
    return this.shardChannels.get(channel)?.size ?? 0;
  }

  patternCount(): number {
    return this.patterns.size;
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
        client.push(frame.for(client));
        receivers++;
      }
    }
    if (this.patterns.size === 0) return receivers;
    for (const [pattern, clients] of this.patterns) {
      if (!globMatch(pattern, channel)) continue;
      const frame = new LazyFrame(['pmessage', pattern, channel, message]);
      for (const client of clients) {
        client.push(frame.for(client));
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
      client.push(frame.for(client));
      receivers++;
    }
    return receivers;
  }

  /**
   * Unsubscribes every client from the shard channels `selected` picks, each told with a
   * sunsubscribe frame (Redis's removeChannelsInSlot, when this shard loses a slot).
   */
  sunsubscribeAll(selected: (channel: string) => boolean): void {
    for (const [channel, clients] of [...this.shardChannels]) {
      if (!selected(channel)) continue;
      for (const client of [...clients]) {
        this.sunsubscribe(client, channel);
        client.push(unsubscribeFrame(client.reply.resp === 3, channel, client.shardChannels.size));
      }
    }
  }
}

/** [sunsubscribe, channel, count] as a RESP2 array or a RESP3 push. */
function unsubscribeFrame(resp3: boolean, channel: string, count: number): Buffer {
  const kind = 'sunsubscribe';
  return Buffer.from(`${resp3 ? '>' : '*'}3\r\n$${kind.length}\r\n${kind}\r\n$${channel.length}\r\n${channel}\r\n:${count}\r\n`, 'latin1');
}
