// The pub/sub hub: channel, pattern and shard-channel subscriptions and message fan-out. A
// message is encoded once per protocol its audience speaks (a RESP2 array, a RESP3 push); each
// subscriber then gets a memcpy of those bytes (ClientState.push), so publishing to a thousand
// subscribers costs a thousand copies, not a thousand encodings. The frames are encoded into
// buffers reused from publish to publish: a publish allocates nothing.

import type { ClientState, PubSubApi } from '../commands/context.js';
import { ARRAY_TYPE, encodedCommandBytes, PUSH_TYPE, writeCommand } from '../protocol/command-encoder.js';
import { globMatch } from '../util/glob.js';

type Client = ClientState;

/** Frames up to this size are encoded into the reused buffers; a bigger one gets its own, once. */
const REUSED_FRAME_MAX_BYTES = 64 * 1024;

/**
 * One message frame, encoded on first use for each protocol (a RESP2-only audience pays one
 * encoding) into memory kept for the next message. Subscribers copy it at once (push), so
 * nothing refers to it after the publish.
 */
class MessageFrame {
  private readonly plainParts = ['', '', ''];
  private readonly patternParts = ['', '', '', ''];
  private parts: string[] = this.plainParts;
  private readonly encoded = [Buffer.allocUnsafe(256), Buffer.allocUnsafe(256)];
  /** Bytes of encoded[0] (RESP2) and encoded[1] (RESP3) for the current parts; -1 until encoded. */
  private readonly lengths = [-1, -1];

  /** The frame of a new message: [kind, channel, message], or [kind, pattern, channel, message]. */
  set(kind: string, pattern: string | null, channel: string, message: string): void {
    let parts: string[];
    if (pattern === null) {
      parts = this.plainParts;
      parts[1] = channel;
      parts[2] = message;
    } else {
      parts = this.patternParts;
      parts[1] = pattern;
      parts[2] = channel;
      parts[3] = message;
    }
    parts[0] = kind;
    this.parts = parts;
    this.lengths[0] = this.lengths[1] = -1;
  }

  pushTo(client: Client): void {
    const protocol = client.reply.resp === 3 ? 1 : 0;
    if (this.lengths[protocol] < 0) {
      const sizeBytes = encodedCommandBytes(this.parts);
      if (this.encoded[protocol].length < sizeBytes) this.encoded[protocol] = Buffer.allocUnsafe(sizeBytes);
      this.lengths[protocol] = writeCommand(this.encoded[protocol], 0, this.parts, protocol === 1 ? PUSH_TYPE : ARRAY_TYPE);
    }
    client.push(this.encoded[protocol], this.lengths[protocol]);
  }

  /** The message went out: a big one's memory and the strings are let go. */
  done(): void {
    for (let i = 0; i < this.encoded.length; i++) {
      if (this.encoded[i].length > REUSED_FRAME_MAX_BYTES) this.encoded[i] = Buffer.allocUnsafe(256);
    }
    this.plainParts.fill('');
    this.patternParts.fill('');
  }
}

export class PubSubHub implements PubSubApi {
  /** The frame publishes encode into; a publish made while it is in use gets one of its own. */
  private readonly frame = new MessageFrame();
  private frameInUse = false;
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
    if (subscribers !== undefined) receivers += this.fanOut(subscribers, 'message', null, channel, message);
    if (this.patterns.size === 0) return receivers;
    for (const [pattern, clients] of this.patterns) {
      if (globMatch(pattern, channel)) receivers += this.fanOut(clients, 'pmessage', pattern, channel, message);
    }
    return receivers;
  }

  /** Shard channels ignore patterns (Redis: "Shard pubsub ignores patterns"). */
  publishShard(channel: string, message: string): number {
    const subscribers = this.shardChannels.get(channel);
    if (subscribers === undefined) return 0;
    return this.fanOut(subscribers, 'smessage', null, channel, message);
  }

  /** Pushes [kind, (pattern,) channel, message] to every client of `clients`; returns how many. */
  private fanOut(clients: Set<Client>, kind: string, pattern: string | null, channel: string, message: string): number {
    const nested = this.frameInUse;
    const frame = nested ? new MessageFrame() : this.frame;
    this.frameInUse = true;
    frame.set(kind, pattern, channel, message);
    let receivers = 0;
    try {
      for (const client of clients) {
        frame.pushTo(client);
        receivers++;
      }
    } finally {
      frame.done();
      if (!nested) this.frameInUse = false;
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
