// Consumer groups of a stream: per group its last delivered ID, its read counter, the pending
// entries list (PEL) and its consumers, each with its own PEL over the same pending records
// (Redis's streamCG, streamConsumer and streamNACK).

import { StreamId } from './stream-id.js';
import { SortedIds, type IdKeyed } from './stream-sorted.js';

/** Redis's SCG_INVALID_ENTRIES_READ: the group's read counter is unknown. */
export const ENTRIES_READ_UNKNOWN = -1;

/**
 * A 64-bit counter (entries added, entries read, delivery count): a number while it is exact,
 * a bigint beyond 2^53 (only reachable through XSETID, XGROUP ... ENTRIESREAD or RETRYCOUNT).
 */
export type Counter = number | bigint;

export function counterPlus(value: Counter, n: number): Counter {
  if (typeof value === 'number') {
    const sum = value + n;
    if (Number.isSafeInteger(sum)) return sum;
    return BigInt(value) + BigInt(n);
  }
  return normalizeCounter(value + BigInt(n));
}

/** a - b as a signed 64-bit value, the way Redis computes lag from two counters. */
export function counterMinus(a: Counter, b: Counter): Counter {
  if (typeof a === 'number' && typeof b === 'number') {
    const diff = a - b;
    if (Number.isSafeInteger(diff)) return diff;
  }
  return normalizeCounter(toInt64(BigInt(a) - BigInt(b)));
}

export function normalizeCounter(value: bigint): Counter {
  const asNumber = Number(value);
  return Number.isSafeInteger(asNumber) ? asNumber : value;
}

/** Wraps a value into the signed 64-bit range (a C cast of an unsigned 64-bit result). */
export function toInt64(value: bigint): bigint {
  return BigInt.asIntN(64, value);
}

/** A pending entry: delivered to a consumer of the group, not acknowledged yet. */
export class PendingEntry implements IdKeyed {
  constructor(
    public msHi: number,
    public msLo: number,
    public seqHi: number,
    public seqLo: number,
    /** Last delivery, ms since the epoch. */
    public deliveryTimeMs: number,
    public deliveryCount: Counter,
    /** The consumer it was last delivered to (null only while XCLAIM FORCE creates it). */
    public consumer: Consumer | null,
  ) {}

  static at(id: StreamId, deliveryTimeMs: number, consumer: Consumer | null): PendingEntry {
    return new PendingEntry(id.msHi, id.msLo, id.seqHi, id.seqLo, deliveryTimeMs, 1, consumer);
  }

  idText(): string {
    return new StreamId(this.msHi, this.msLo, this.seqHi, this.seqLo).toString();
  }

  id(): StreamId {
    return new StreamId(this.msHi, this.msLo, this.seqHi, this.seqLo);
  }
}

export class Consumer {
  /** Pending entries delivered to this consumer, shared with the group's PEL. */
  readonly pending = new SortedIds<PendingEntry>();

  constructor(
    readonly name: string,
    /** Last time the consumer was active (ms since the epoch). */
    public seenTimeMs: number,
  ) {}
}

export class ConsumerGroup {
  readonly pending = new SortedIds<PendingEntry>();
  /** Consumers by name (listed in byte order, as Redis's rax does, by sortedConsumers()). */
  readonly consumers = new Map<string, Consumer>();

  constructor(
    /** Last delivered ID: ">" reads serve entries after it. */
    public lastId: StreamId,
    /** Entries read by the group, or ENTRIES_READ_UNKNOWN. */
    public entriesRead: Counter,
  ) {}

  /** The consumers in byte order of their names. */
  sortedConsumers(): Consumer[] {
    const list = Array.from(this.consumers.values());
    list.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return list;
  }

  /** Creates a consumer; null when the name is taken. */
  createConsumer(name: string, nowMs: number): Consumer | null {
    if (this.consumers.has(name)) return null;
    const consumer = new Consumer(name, nowMs);
    this.consumers.set(name, consumer);
    return consumer;
  }

  /** Removes a consumer and its pending entries from the group's PEL (streamDelConsumer). */
  deleteConsumer(consumer: Consumer): void {
    for (const entry of consumer.pending) this.pending.remove(entryKey(entry));
    this.consumers.delete(consumer.name);
  }

  /** Removes a pending entry from the group and from its consumer. */
  acknowledge(entry: PendingEntry): void {
    const key = entryKey(entry);
    this.pending.remove(key);
    entry.consumer?.pending.remove(key);
  }

  clone(): ConsumerGroup {
    const copy = new ConsumerGroup(this.lastId.clone(), this.entriesRead);
    const consumerCopies = new Map<Consumer, Consumer>();
    for (const consumer of this.consumers.values()) {
      const c = new Consumer(consumer.name, consumer.seenTimeMs);
      consumerCopies.set(consumer, c);
      copy.consumers.set(c.name, c);
    }
    for (const entry of this.pending) {
      const owner = entry.consumer === null ? null : consumerCopies.get(entry.consumer) ?? null;
      const e = new PendingEntry(entry.msHi, entry.msLo, entry.seqHi, entry.seqLo, entry.deliveryTimeMs, entry.deliveryCount, owner);
      copy.pending.push(e);
      owner?.pending.push(e);
    }
    return copy;
  }
}

/** The ID of a pending entry as a lookup key. */
export function entryKey(entry: IdKeyed): StreamId {
  return new StreamId(entry.msHi, entry.msLo, entry.seqHi, entry.seqLo);
}
