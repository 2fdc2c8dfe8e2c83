// Keyspace notifications as a test sees them: a pattern subscriber (ioredis, RESP2) records
// every message as one line, and tests await a count or a marker instead of sleeping.

import type { Redis } from 'ioredis';
import { connectIoredis } from './server.js';

export interface EventCollectorOptions {
  /** The PSUBSCRIBE pattern; every keyevent channel by default. */
  pattern?: string;
  /**
   * Line format: false (default) gives "<channel after its first ':'> <message>", i.e.
   * "set k" for __keyevent@0__:set; true gives "<channel> <message>".
   */
  fullChannel?: boolean;
  /** Where drain() publishes its marker: a channel the pattern matches. */
  markerChannel?: string;
}

const WAIT_MS = 2000;
/** Marker messages are recognised by this prefix and never recorded as events. */
const MARKER_PREFIX = 'cinnabar-test-marker:';

export class EventCollector {
  /** Lines received and not yet taken, oldest first. */
  readonly events: string[] = [];
  private waiters: Array<() => void> = [];
  private readonly markersSeen = new Set<string>();
  private markerCount = 0;

  private constructor(
    private readonly subscriber: Redis,
    private readonly publisher: Redis,
    private readonly markerChannel: string,
  ) {}

  static async start(port: number, options: EventCollectorOptions = {}): Promise<EventCollector> {
    const pattern = options.pattern ?? '__keyevent@*';
    const [subscriber, publisher] = await Promise.all([connectIoredis(port, 2), connectIoredis(port, 2)]);
    const collector = new EventCollector(subscriber, publisher, options.markerChannel ?? '__keyevent@0__:marker');
    subscriber.on('pmessage', (_pattern: string, channel: string, message: string) => {
      if (message.startsWith(MARKER_PREFIX)) {
        collector.markersSeen.add(message);
        collector.wake();
        return;
      }
      const name = options.fullChannel === true ? channel : channel.slice(channel.indexOf(':') + 1);
      collector.events.push(`${name} ${message}`);
      collector.wake();
    });
    await subscriber.psubscribe(pattern);
    return collector;
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  /** Resolves once `done()` holds, re-checked at each arrival; throws after WAIT_MS. */
  private async until(done: () => boolean, what: string): Promise<void> {
    const deadline = Date.now() + WAIT_MS;
    while (!done()) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error(`timed out waiting for ${what}; have ${JSON.stringify(this.events)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.waiters.push(() => { clearTimeout(timer); resolve(); });
      });
    }
  }

  /** Waits until at least `count` lines are there and returns a copy of all of them. */
  async seen(count: number): Promise<string[]> {
    await this.until(() => this.events.length >= count, `${count} events`);
    return [...this.events];
  }

  /** Waits for `count` lines (already caused), then forgets every line. */
  async settle(count: number): Promise<void> {
    await this.seen(count);
    this.clear();
  }

  /** Waits for `count` lines, removes them and returns them. */
  async take(count: number): Promise<string[]> {
    await this.until(() => this.events.length >= count, `${count} events`);
    return this.events.splice(0, count);
  }

  /**
   * The lines caused by `action` alone: a marker published on a channel the pattern matches,
   * before and after, proves that everything earlier has arrived.
   */
  async during(action: () => Promise<unknown>): Promise<string[]> {
    await this.drain();
    this.clear();
    await action();
    await this.drain();
    return [...this.events];
  }

  /** Publishes a marker and waits for it: every event raised before has then been received. */
  async drain(): Promise<void> {
    const marker = `${MARKER_PREFIX}${++this.markerCount}`;
    await this.publisher.publish(this.markerChannel, marker);
    await this.until(() => this.markersSeen.has(marker), `the marker on ${this.markerChannel}`);
  }

  clear(): void {
    this.events.length = 0;
  }

  close(): void {
    this.subscriber.disconnect();
    this.publisher.disconnect();
  }
}
