// One logical database: keys to values, absolute expiry deadlines, and the access clock behind
// OBJECT IDLETIME. This is the narrow interface command code uses to reach data; the in-memory
// representation behind it can change without touching commands.
//
// Representation: a plain string value is stored as one latin1 string whose first three chars
// hold the key's 24-bit access clock (Redis's robj lru field); for the small values that
// dominate, those bytes usually fit in V8's 8-byte rounding, so the clock costs no memory,
// where a second per-key map cost ~29 bytes a key. Object values carry an `lru` field.

import { nowMs } from './clock.js';
import { CursorTable } from './cursors.js';
import { boxedStringBytes, EXPIRE_ENTRY_BYTES, keyEntryBytes, objectValueBytes, stringBytes } from './memory-estimate.js';
import type { RedisValue } from './values.js';
import type { SlotKeyIndex } from './slot-keys.js';

/** Callbacks the server gives the store for events that must leave it (keyspace events, WATCH). */
export interface KeyspaceHooks {
  /** A key was found past its deadline and removed (lazily or by the active cycle). */
  keyExpired(db: Db, key: string): void;
  /** A read found no key (Redis's "keymiss" keyspace event). */
  keyMiss?(db: Db, key: string): void;
  /** set() created a key that did not exist (Redis's "new" keyspace event, fired by dbAdd). */
  keyAdded?(db: Db, key: string): void;
  /** True while clients are paused: expired keys then stay in place, only logically gone. */
  expiryPaused?(): boolean;
  /**
   * Set while the AOF is loaded: nothing expires (a deadline in the past is kept, as Redis's
   * keyIsExpired and checkAlreadyExpired do while loading), so the replay ends as the writes did.
   */
  loading?: boolean;
  /**
   * Set while this node follows a primary: a key past its deadline reads as missing but stays
   * until the primary's DEL arrives (Redis's expireIfNeeded on a replica), and a deadline set in
   * the past is kept rather than applied.
   */
  followsPrimary?: boolean;
  /**
   * A replica with replica-read-only no: its write lookups remove a key past its deadline (so a
   * write recreates it), and the keys its own clients give a deadline are reported through
   * replicaKeyWithExpire, for the replica to expire them itself (Redis's expireSlaveKeys).
   */
  replicaWritable?: boolean;
  replicaKeyWithExpire?(db: Db, key: string): void;
  /** Set while a CLIENT NO-TOUCH client's command runs (not TOUCH): lookups keep access times. */
  touchSuppressed?: boolean;
}

export interface LookupOptions {
  /** Do not update the access clock (OBJECT, TYPE, CLIENT NO-TOUCH...). */
  noTouch?: boolean;
  /** Do not fire the "keymiss" event on a miss (Redis's LOOKUP_NONOTIFY, used by OBJECT). */
  noNotify?: boolean;
}

/** Where readPlainString writes a value: a reply writer's bulk string from an offset. */
export interface StoredStringSink {
  bulkFrom(text: string, start: number): void;
}

/**
 * What a snapshot in progress (persistence/snapshot.ts) is told by the db holding maps it has
 * not finished serializing. Every path that changes a value, a deadline or a key's existence,
 * or hands a value to code that may change it in place, calls beforeChange first; when no
 * snapshot runs this costs one field check.
 */
export interface DbSnapshotHook {
  /**
   * `key` may be about to change (`write`), or a command reads it (a read may still lead to
   * an in-place change through the value it got): the snapshot serializes the old entry now,
   * or notes the key as absent, unless it already has.
   */
  beforeChange(key: string, write: boolean): void;
  /** The db drops its maps (FLUSHDB, FLUSHALL): the snapshot keeps them, unchanged from now on. */
  beforeFlush(): void;
}

/** A db's maps as a snapshot reads them (the stored form stays private to this module). */
export interface DbMaps {
  readonly data: ReadonlyMap<string, StoredValue>;
  readonly expires: ReadonlyMap<string, number>;
}

/** A value as the db stores it (with its access field); read it with storedValue/storedAccess. */
export type StoredValue = Stored;

/** The value behind a stored entry. */
export function storedValue(stored: StoredValue): RedisValue {
  return decode(stored);
}

/** The stored entry's access field: seconds idle (LRU) or the decayed counter (LFU). */
export function storedIdleSeconds(stored: StoredValue): number {
  return clockAge(clockOf(stored));
}

export function storedLfuCounter(stored: StoredValue, policy: AccessPolicy): number {
  return lfuCounterOf(clockOf(stored), policy);
}

/** Shared options for lookups that must not touch the access clock (no allocation per call). */
export const NO_TOUCH: LookupOptions = Object.freeze({ noTouch: true });

export interface KeyspaceStats {
  keyspaceHits: number;
  keyspaceMisses: number;
  expiredKeys: number;
  expiredStalePercent: number;
  expiredTimeCapReachedCount: number;
}

/** Seconds since the epoch at which the access clock counts. */
const CLOCK_EPOCH_MS = Date.UTC(2024, 0, 1);
/** The clock has 24 bits, like Redis's LRU clock (1 s resolution, wraps after ~194 days). */
const CLOCK_MAX = 0xffffff;
/** Chars in front of a stored plain string holding its access clock. */
const CLOCK_CHARS = 3;
/** Strings this long and more are built as V8 cons strings, which we flatten (see encode). */
const CONS_STRING_MIN_LENGTH = 13;

function readClock(): number {
  return Math.floor((Date.now() - CLOCK_EPOCH_MS) / 1000) & CLOCK_MAX;
}

/**
 * The access clock, cached so that a key lookup does not read the system time; the server cron
 * refreshes it every tick.
 */
let cachedClock = readClock();
let cachedPrefixClock = -1;
let cachedPrefix = '';

/** Minutes since the epoch, low 16 bits: the LFU "last decrement time" unit (evict.c). */
function readMinutes(): number {
  return Math.floor(Date.now() / 60_000) & 0xffff;
}
let cachedMinutes = readMinutes();

export function refreshAccessClock(): void {
  cachedClock = readClock();
  cachedMinutes = readMinutes();
}

export function accessClockNow(): number {
  return cachedClock;
}

function clockPrefix(clock: number): string {
  if (clock !== cachedPrefixClock) {
    cachedPrefixClock = clock;
    cachedPrefix = String.fromCharCode((clock >>> 16) & 255, (clock >>> 8) & 255, clock & 255);
  }
  return cachedPrefix;
}

/** A plain string as stored: clock prefix + value, as one flat string. */
function encodeString(value: string, clock: number): string {
  const stored = clockPrefix(clock) + value;
  // Reading a char flattens a cons string now, instead of keeping two strings and a cons cell.
  if (stored.length >= CONS_STRING_MIN_LENGTH) stored.charCodeAt(0);
  return stored;
}

function storedClock(stored: string): number {
  return (stored.charCodeAt(0) << 16) | (stored.charCodeAt(1) << 8) | stored.charCodeAt(2);
}

/** V8 Maps hold at most 2^24 entries; past that Map.set throws, so a db stops one short. */
export const MAX_KEYS_PER_DB = 16_777_215;

/** Thrown by a write that would add a key to a full database; the dispatcher replies with it. */
export class KeyspaceFullError extends Error {
  constructor() {
    super(`ERR max number of keys in a database reached (${MAX_KEYS_PER_DB})`);
  }
}

/**
 * Strings this long are kept in a box with their access clock instead of behind a clock prefix:
 * prefixing would copy the whole value into a new flat string, on the V8 heap, where Node keeps
 * a long argument (1 MB and more) outside the heap as an external string.
 */
const BOXED_STRING_MIN_CHARS = 4096;

/** A long string value with its access clock (the prefix trick's counterpart for big values). */
class BoxedString {
  constructor(readonly value: string, public lru: number) {}
}

type Stored = string | BoxedString | Exclude<RedisValue, string>;

function decode(stored: Stored): RedisValue {
  if (typeof stored === 'string') return stored.slice(CLOCK_CHARS);
  return stored instanceof BoxedString ? stored.value : stored;
}

function encode(value: RedisValue, clock: number): Stored {
  if (typeof value === 'string') {
    return value.length < BOXED_STRING_MIN_CHARS ? encodeString(value, clock) : new BoxedString(value, clock);
  }
  value.lru = clock;
  return value;
}

/**
 * Bytes a stored value costs. A plain string is priced from its length every time (exact and
 * cheap); an object value carries the figure it was last priced at (`memBytes`), which is what
 * the running sum holds for it, so removing it subtracts exactly what was added.
 */
function storedBytes(stored: Stored): number {
  if (typeof stored === 'string') return stringBytes(stored.length);
  if (stored instanceof BoxedString) return boxedStringBytes(stored.value.length);
  return stored.memBytes;
}

/** Prices a value about to be stored (objects keep their figure in `memBytes`). */
function priceStored(stored: Stored): number {
  if (typeof stored === 'string') return stringBytes(stored.length);
  if (stored instanceof BoxedString) return boxedStringBytes(stored.value.length);
  const bytes = objectValueBytes(stored);
  stored.memBytes = bytes;
  return bytes;
}

function clockOf(stored: Stored): number {
  return typeof stored === 'string' ? storedClock(stored) : stored.lru;
}

/**
 * How accesses are recorded in a value's 24-bit access field, by maxmemory-policy's family. LRU
 * (any policy but the LFU ones): the access clock. LFU: Redis's logarithmic frequency counter,
 * minutes << 8 | counter, incremented with probability 1/((counter - 5) * lfu-log-factor + 1)
 * and decremented by one per lfu-decay-time minutes without access (evict.c).
 */
export interface AccessPolicy {
  lfu: boolean;
  lfuLogFactor: number;
  lfuDecayTimeMin: number;
}

/** A new object's counter under LFU (LFU_INIT_VAL): new keys get a chance to be used. */
const LFU_INIT_COUNTER = 5;

/** LFUDecrAndReturn: the counter of an LFU field, decayed by the minutes since its last change. */
export function lfuCounterOf(field: number, policy: AccessPolicy): number {
  const since = field >>> 8;
  let counter = field & 255;
  const elapsed = cachedMinutes >= since ? cachedMinutes - since : 65535 - since + cachedMinutes;
  const periods = policy.lfuDecayTimeMin > 0 ? Math.floor(elapsed / policy.lfuDecayTimeMin) : 0;
  if (periods > 0) counter = periods > counter ? 0 : counter - periods;
  return counter;
}

/** An LFU field holding `counter` as of now. */
function lfuField(counter: number): number {
  return (cachedMinutes << 8) | counter;
}

/** updateLFU: the field after one access (decay, then a logarithmic increment). */
function lfuTouched(field: number, policy: AccessPolicy): number {
  let counter = lfuCounterOf(field, policy);
  if (counter < 255) {
    const base = counter > LFU_INIT_COUNTER ? counter - LFU_INIT_COUNTER : 0;
    if (Math.random() < 1 / (base * policy.lfuLogFactor + 1)) counter++;
  }
  return lfuField(counter);
}

/** Seconds between an access clock and now, allowing for the 24-bit wrap. */
export function clockAge(clock: number): number {
  const now = cachedClock;
  return now >= clock ? now - clock : now + (CLOCK_MAX - clock);
}

export class Db {
  private data = new Map<string, Stored>();
  private expires = new Map<string, number>();
  private readonly scanCursors = new CursorTable<string>();
  /** Round-robin walk over `expires` used by the active expiry cycle. */
  private expireWalk: Iterator<string> | null = null;
  /** Walk used to pick random keys in O(1) amortized time. */
  private randomWalk: Iterator<string> | null = null;
  /** Walks the eviction samples keys from (all keys, keys with a deadline). */
  private evictionWalk: Iterator<string> | null = null;
  private volatileEvictionWalk: Iterator<string> | null = null;
  /**
   * What the keys, values and deadlines of this db cost in memory (store/memory-estimate.ts),
   * kept current by every change made through this class and by noteModified() after in-place
   * changes of object values.
   */
  memoryBytes = 0;
  /** The key set() just stored a plain string under (noteModified skips its lookup). */
  private justStoredString: string | null = null;
  /** The snapshot still reading this db's maps, if any (see DbSnapshotHook). */
  snapshotHook: DbSnapshotHook | null = null;
  /** Keys by hash slot, in cluster mode (db 0 only); null otherwise, costing adds and removes one field check. */
  slotIndex: SlotKeyIndex | null = null;

  constructor(
    readonly id: number,
    private readonly hooks: KeyspaceHooks,
    private readonly stats: KeyspaceStats,
    private readonly access: AccessPolicy = { lfu: false, lfuLogFactor: 10, lfuDecayTimeMin: 1 },
  ) {}

  /** The access field a new value gets. */
  private freshClock(): number {
    return this.access.lfu ? lfuField(LFU_INIT_COUNTER) : cachedClock;
  }

  /** The access field after an access to a value whose field is `clock`. */
  private touchedClock(clock: number): number {
    return this.access.lfu ? lfuTouched(clock, this.access) : cachedClock;
  }

  get size(): number {
    return this.data.size;
  }

  get expiresCount(): number {
    return this.expires.size;
  }

  /** Removes the key if its deadline passed. Returns true when it did. */
  private expireIfNeeded(key: string, nowMs: number, write = false): boolean {
    const deadline = this.expires.get(key);
    if (deadline === undefined || deadline > nowMs) return false;
    if (this.hooks.loading === true) return false;
    if (this.hooks.followsPrimary === true && !(write && this.hooks.replicaWritable === true)) return true;
    // Deleting would propagate a DEL, which a client pause forbids (Redis's expireIfNeeded).
    if (this.hooks.expiryPaused !== undefined && this.hooks.expiryPaused()) return true;
    this.removeKey(key);
    this.stats.expiredKeys++;
    this.hooks.keyExpired(this, key);
    return true;
  }

  private removeKey(key: string): void {
    if (this.snapshotHook !== null) this.snapshotHook.beforeChange(key, true);
    const stored = this.data.get(key);
    if (stored === undefined) return;
    this.memoryBytes -= keyEntryBytes(key) + storedBytes(stored);
    this.data.delete(key);
    if (this.slotIndex !== null) this.slotIndex.remove(key);
    if (this.expires.size > 0 && this.expires.delete(key)) this.memoryBytes -= EXPIRE_ENTRY_BYTES;
  }

  /** Value for a read: lazily expires, counts hits/misses, updates the access clock. */
  lookupRead(key: string, options?: LookupOptions): RedisValue | undefined {
    const value = this.find(key, options, false);
    if (value === undefined) {
      this.stats.keyspaceMisses++;
      if (this.hooks.keyMiss !== undefined && options?.noNotify !== true) this.hooks.keyMiss(this, key);
    } else {
      this.stats.keyspaceHits++;
    }
    return value;
  }

  /**
   * GET's read: lookupRead, except that a plain string value is handed to `sink` straight from
   * its stored form (prefix skipped, no copy of the value made). Returns true when it was, the
   * value when it is of another kind (the caller replies), undefined when the key is missing.
   */
  readPlainString(key: string, sink: StoredStringSink): RedisValue | true | undefined {
    const stored = this.data.get(key);
    if (stored === undefined || typeof stored !== 'string' || this.hooks.touchSuppressed === true ||
        storedClock(stored) !== cachedClock || (this.expires.size > 0 && this.expires.has(key))) {
      // Anything but a plain, freshly stamped string without a deadline: the general path.
      return this.lookupRead(key);
    }
    this.stats.keyspaceHits++;
    sink.bulkFrom(stored, CLOCK_CHARS);
    return true;
  }

  /** Value for a write or a check: lazily expires and touches, no hit/miss accounting. */
  lookup(key: string, options?: LookupOptions): RedisValue | undefined {
    return this.find(key, options, true);
  }

  private find(key: string, options: LookupOptions | undefined, write: boolean): RedisValue | undefined {
    const stored = this.data.get(key);
    if (stored === undefined) return undefined;
    if (this.snapshotHook !== null) this.snapshotHook.beforeChange(key, write);
    if (this.expires.size > 0 && this.expireIfNeeded(key, nowMs(), write)) return undefined;
    if (typeof stored !== 'string') {
      if (options?.noTouch !== true && this.hooks.touchSuppressed !== true) stored.lru = this.touchedClock(stored.lru);
      return stored instanceof BoxedString ? stored.value : stored;
    }
    const value = stored.slice(CLOCK_CHARS);
    if (options?.noTouch !== true && this.hooks.touchSuppressed !== true) {
      // Re-stamping a string copies it: only when the field changes (once per clock second
      // per key under LRU; under LFU when the counter moves or a minute passes).
      const clock = storedClock(stored);
      const touched = this.touchedClock(clock);
      if (touched !== clock) this.data.set(key, encodeString(value, touched));
    }
    return value;
  }

  has(key: string): boolean {
    if (!this.data.has(key)) return false;
    return this.expires.size === 0 || !this.expireIfNeeded(key, nowMs());
  }

  /**
   * Removes the key now if it is past its deadline (Redis's lookupKeyWrite before an overwrite,
   * so the expiry is notified and propagated first). Reads nothing back.
   */
  expireForWrite(key: string): void {
    if (this.expires.size > 0 && this.data.has(key)) this.expireIfNeeded(key, nowMs(), true);
  }

  /**
   * A replica expiring a key its own clients gave a deadline (Redis's expireSlaveKeys): removed
   * when past it. 'live' while the deadline is ahead, 'gone' when the key or its deadline is not
   * there any more (or it was just removed).
   */
  expireReplicaKey(key: string, atMs: number): 'live' | 'gone' {
    const deadline = this.expires.get(key);
    if (deadline === undefined) return 'gone';
    if (deadline > atMs) return 'live';
    this.removeKey(key);
    this.stats.expiredKeys++;
    this.hooks.keyExpired(this, key);
    return 'gone';
  }

  /** Stores a value; the key's TTL is cleared unless `keepTtl`. */
  set(key: string, value: RedisValue, keepTtl = false): void {
    if (this.snapshotHook !== null) this.snapshotHook.beforeChange(key, true);
    const old = this.data.get(key);
    if (old === undefined && this.data.size >= MAX_KEYS_PER_DB) throw new KeyspaceFullError();
    let clock = cachedClock;
    // dbOverwrite keeps the frequency an overwritten key had earned.
    if (this.access.lfu) clock = old === undefined ? lfuField(LFU_INIT_COUNTER) : clockOf(old);
    const stored = encode(value, clock);
    // The old figure is read before pricing: the new value may be the same object.
    const oldBytes = old === undefined ? -keyEntryBytes(key) : storedBytes(old);
    this.memoryBytes += priceStored(stored) - oldBytes;
    this.data.set(key, stored);
    // A string cannot change in place: the signal that follows this write has nothing to price.
    this.justStoredString = typeof stored === 'string' ? key : null;
    if (old === undefined) {
      if (this.slotIndex !== null) this.slotIndex.add(key);
      if (this.hooks.keyAdded !== undefined) this.hooks.keyAdded(this, key);
    }
    if (!keepTtl && this.expires.size > 0 && this.expires.delete(key)) this.memoryBytes -= EXPIRE_ENTRY_BYTES;
  }

  /**
   * After an in-place change of a key's value (signalModifiedKey): an object value is priced
   * again and the sum moves by the difference. Plain strings are always priced when stored.
   */
  noteModified(key: string): void {
    if (key === this.justStoredString) {
      this.justStoredString = null;
      return;
    }
    const stored = this.data.get(key);
    if (stored === undefined || typeof stored === 'string' || stored instanceof BoxedString) return;
    const bytes = objectValueBytes(stored);
    this.memoryBytes += bytes - stored.memBytes;
    stored.memBytes = bytes;
  }

  /**
   * Stores a key read from an RDB image with its deadline, if any. Like Redis's dbAddRDBLoad it
   * fires no keyspace hook ("new" is not notified while loading). Returns false when the key
   * was already there, in which case it has been replaced (value and deadline).
   */
  addForLoad(key: string, value: RedisValue, deadlineMs: number | undefined): boolean {
    if (this.snapshotHook !== null) this.snapshotHook.beforeChange(key, true);
    const old = this.data.get(key);
    if (old === undefined && this.data.size >= MAX_KEYS_PER_DB) throw new KeyspaceFullError();
    const stored = encode(value, this.freshClock());
    const oldBytes = old === undefined ? -keyEntryBytes(key) : storedBytes(old);
    this.memoryBytes += priceStored(stored) - oldBytes;
    this.data.set(key, stored);
    const added = old === undefined;
    if (added && this.slotIndex !== null) this.slotIndex.add(key);
    const expiresBefore = this.expires.size;
    if (deadlineMs !== undefined) this.expires.set(key, deadlineMs);
    else if (!added && expiresBefore > 0) this.expires.delete(key);
    this.memoryBytes += (this.expires.size - expiresBefore) * EXPIRE_ENTRY_BYTES;
    return added;
  }

  /** Visits every key with its value, expired ones included (serialization, digests). */
  forEachEntry(visit: (key: string, value: RedisValue) => void): void {
    this.data.forEach((stored, key) => visit(key, decode(stored)));
  }

  /** The live maps, for a snapshot that reads them while commands change them (see DbSnapshotHook). */
  snapshotMaps(): DbMaps {
    return { data: this.data, expires: this.expires };
  }

  /** Swaps the representation of an existing value in place, keeping TTL and access time. */
  replaceValue(key: string, value: RedisValue): void {
    if (this.snapshotHook !== null) this.snapshotHook.beforeChange(key, true);
    const old = this.data.get(key);
    const stored = encode(value, old === undefined ? cachedClock : clockOf(old));
    const oldBytes = old === undefined ? -keyEntryBytes(key) : storedBytes(old);
    this.memoryBytes += priceStored(stored) - oldBytes;
    this.data.set(key, stored);
  }

  delete(key: string): boolean {
    if (!this.data.has(key)) return false;
    if (this.expires.size > 0 && this.expireIfNeeded(key, nowMs())) return false;
    this.removeKey(key);
    return true;
  }

  getExpire(key: string): number | undefined {
    return this.expires.get(key);
  }

  /** Sets an absolute deadline (ms since epoch) on an existing key. */
  setExpire(key: string, deadlineMs: number): void {
    if (this.snapshotHook !== null) this.snapshotHook.beforeChange(key, true);
    const sizeBefore = this.expires.size;
    this.expires.set(key, deadlineMs);
    if (this.expires.size !== sizeBefore) this.memoryBytes += EXPIRE_ENTRY_BYTES;
    // A writable replica's own deadline (not one from its primary, whose commands run as loading).
    if (this.hooks.replicaWritable === true && this.hooks.loading !== true) this.hooks.replicaKeyWithExpire?.(this, key);
  }

  removeExpire(key: string): boolean {
    if (this.snapshotHook !== null && this.expires.has(key)) this.snapshotHook.beforeChange(key, true);
    if (!this.expires.delete(key)) return false;
    this.memoryBytes -= EXPIRE_ENTRY_BYTES;
    return true;
  }

  /**
   * MEMORY USAGE: what the key costs as the running sum counts it (its string, its Map entry,
   * its value priced now); undefined when absent. Reads nothing else (no expiry, no touch).
   */
  memoryUsage(key: string): number | undefined {
    const stored = this.data.get(key);
    if (stored === undefined) return undefined;
    const valueBytes = typeof stored === 'string' || stored instanceof BoxedString ? storedBytes(stored) : objectValueBytes(stored);
    return keyEntryBytes(key) + valueBytes;
  }

  /** Seconds since the key was last accessed. */
  idleSeconds(key: string): number {
    const stored = this.data.get(key);
    return stored === undefined ? 0 : clockAge(clockOf(stored));
  }

  /** Moves a key's last access `seconds` into the past (lets tests age keys without sleeping). */
  backdateAccess(key: string, seconds: number): void {
    const stored = this.data.get(key);
    if (stored === undefined) return;
    const clock = (clockOf(stored) - seconds + CLOCK_MAX + 1) & CLOCK_MAX;
    this.data.set(key, encode(decode(stored), clock));
  }

  touchAccess(key: string): void {
    const stored = this.data.get(key);
    if (stored !== undefined) this.data.set(key, encode(decode(stored), this.touchedClock(clockOf(stored))));
  }

  /** OBJECT FREQ: the key's LFU counter, decayed to now (meaningful under an LFU policy). */
  lfuFrequency(key: string): number {
    const stored = this.data.get(key);
    return stored === undefined ? 0 : lfuCounterOf(clockOf(stored), this.access);
  }

  /** Sets the key's LFU counter as of now (RESTORE FREQ, an RDB FREQ record). */
  setLfuFrequency(key: string, counter: number): void {
    const stored = this.data.get(key);
    if (stored !== undefined) this.data.set(key, encode(decode(stored), lfuField(counter & 255)));
  }

  /** All keys, without expiring (callers filter with isExpired where it matters). */
  keys(): IterableIterator<string> {
    return this.data.keys();
  }

  isExpired(key: string, atMs = nowMs()): boolean {
    const deadline = this.expires.get(key);
    return deadline !== undefined && deadline <= atMs && this.hooks.loading !== true;
  }

  /**
   * The dataset is being loaded, or follows a primary (a past deadline is then set, not
   * applied: Redis's checkAlreadyExpired).
   */
  get loading(): boolean {
    return this.hooks.loading === true || this.hooks.followsPrimary === true;
  }

  /** Raw value without expiry or touching, for iteration that already filtered. */
  peek(key: string): RedisValue | undefined {
    const stored = this.data.get(key);
    if (stored === undefined) return undefined;
    // Callers may change what they got in place (a stream group served to a blocked client).
    if (this.snapshotHook !== null) this.snapshotHook.beforeChange(key, false);
    return decode(stored);
  }

  /** One SCAN step over the keys; see CursorTable for the guarantees. */
  scan(cursor: string, budget: number, visit: (key: string) => boolean): string {
    return this.scanCursors.step(cursor, () => this.data.keys(), budget, visit);
  }

  /** A random live key, or undefined when the db is empty. Expired keys met are removed. */
  randomKey(): string | undefined {
    const now = nowMs();
    const attempts = Math.min(this.data.size, 100);
    for (let tries = 0; tries < attempts + 1 && this.data.size > 0; tries++) {
      const skip = Math.floor(Math.random() * Math.min(this.data.size, 32));
      let key: string | undefined;
      for (let i = 0; i <= skip; i++) {
        if (this.randomWalk === null) this.randomWalk = this.data.keys();
        const next = this.randomWalk.next();
        if (next.done) {
          this.randomWalk = null;
          continue;
        }
        key = next.value;
      }
      if (key === undefined) continue;
      if (!this.data.has(key)) continue;
      if (this.isExpired(key, now)) {
        this.expireIfNeeded(key, now);
        continue;
      }
      return key;
    }
    for (const key of this.data.keys()) {
      if (!this.expireIfNeeded(key, now)) return key;
    }
    return undefined;
  }

  /** The next key of a walk over `map` (all keys or keys with a deadline), wrapping around. */
  private walkStep(volatile: boolean): string | undefined {
    for (let wrapped = 0; wrapped < 2; wrapped++) {
      let walk = volatile ? this.volatileEvictionWalk : this.evictionWalk;
      if (walk === null) {
        walk = volatile ? this.expires.keys() : this.data.keys();
        if (volatile) this.volatileEvictionWalk = walk;
        else this.evictionWalk = walk;
      }
      const next = walk.next();
      if (next.done !== true) return next.value;
      if (volatile) this.volatileEvictionWalk = null;
      else this.evictionWalk = null;
    }
    return undefined;
  }

  /**
   * Eviction's sample (Redis's dictGetSomeKeys): up to `count` keys of this db, or of its keys
   * with a deadline when `volatile`, each visited with its access field (LRU clock or LFU
   * counter) and its deadline (0 when none). The walk goes on where the last sample stopped,
   * skipping a random number of keys between picks, so repeated samples cover the whole db.
   */
  evictionSample(count: number, volatile: boolean, visit: (key: string, accessField: number, deadlineMs: number) => void): void {
    const size = volatile ? this.expires.size : this.data.size;
    const picks = Math.min(count, size);
    const maxSkip = Math.min(size, 16);
    for (let i = 0; i < picks; i++) {
      let key: string | undefined;
      for (let skip = Math.floor(Math.random() * maxSkip); skip >= 0; skip--) key = this.walkStep(volatile);
      if (key === undefined) return;
      const stored = this.data.get(key);
      if (stored === undefined) continue;
      visit(key, clockOf(stored), this.expires.get(key) ?? 0);
    }
  }

  /**
   * A random key for the random policies (dictGetRandomKey): of all keys, or of the keys with
   * a deadline when `volatile`, expired or not; undefined when there is none.
   */
  randomKeyForEviction(volatile: boolean): string | undefined {
    const size = volatile ? this.expires.size : this.data.size;
    if (size === 0) return undefined;
    let key: string | undefined;
    for (let skip = Math.floor(Math.random() * Math.min(size, 32)); skip >= 0; skip--) key = this.walkStep(volatile);
    return key;
  }

  /** Whether the key is present (expired or not) and, for `volatile`, has a deadline. */
  holds(key: string, volatile: boolean): boolean {
    return volatile ? this.expires.has(key) : this.data.has(key);
  }

  /** Removes a key chosen by eviction (present, expired or not). Returns the bytes freed. */
  evict(key: string): number {
    const before = this.memoryBytes;
    this.removeKey(key);
    return before - this.memoryBytes;
  }

  /**
   * Active expiry: checks up to `sampleSize` keys with a TTL, continuing a round-robin walk,
   * removing those past their deadline. Returns [checked, expired].
   */
  expireSample(sampleSize: number, nowMs: number): [number, number] {
    let checked = 0;
    let expired = 0;
    const limit = Math.min(sampleSize, this.expires.size);
    while (checked < limit) {
      // keys() rather than entries(): no [key, value] pair allocated per sampled key.
      if (this.expireWalk === null) this.expireWalk = this.expires.keys();
      const next = this.expireWalk.next();
      if (next.done === true) {
        this.expireWalk = null;
        if (this.expires.size === 0) break;
        continue;
      }
      checked++;
      const key = next.value;
      const deadline = this.expires.get(key);
      if (deadline !== undefined && deadline <= nowMs) {
        this.removeKey(key);
        this.stats.expiredKeys++;
        this.hooks.keyExpired(this, key);
        expired++;
      }
    }
    return [checked, expired];
  }

  /**
   * Moves a live key's value, deadline and access time to `targetKey` in `target` (RENAME when
   * target is this db, MOVE when it is another), replacing whatever was there. The caller has
   * checked that `key` exists and is not expired. The target key counts as added (the "new"
   * event) even over an existing one: Redis deletes the old target, then adds the key.
   */
  moveKey(key: string, target: Db, targetKey: string): void {
    // The stored form carries the access time along with the value.
    const stored = this.data.get(key);
    if (stored === undefined) return;
    if (target !== this && target.data.size >= MAX_KEYS_PER_DB && !target.data.has(targetKey)) throw new KeyspaceFullError();
    const deadline = this.expires.get(key);
    this.removeKey(key);
    target.removeKey(targetKey);
    target.data.set(targetKey, stored);
    if (target.slotIndex !== null) target.slotIndex.add(targetKey);
    target.memoryBytes += keyEntryBytes(targetKey) + storedBytes(stored);
    if (deadline !== undefined) {
      // Not setExpire(): the snapshot hook saw targetKey before its value changed, in removeKey.
      target.expires.set(targetKey, deadline);
      target.memoryBytes += EXPIRE_ENTRY_BYTES;
    }
    if (target.hooks.keyAdded !== undefined) target.hooks.keyAdded(target, targetKey);
  }

  /**
   * Drops the walks over the maps. A live Map iterator keeps the table it started on alive after
   * the Map shrinks or grows into a new one: an idle walk would pin the memory of keys long gone.
   */
  releaseWalks(): void {
    this.expireWalk = null;
    this.randomWalk = null;
    this.evictionWalk = null;
    this.volatileEvictionWalk = null;
  }

  /** Removes every key. Returns how many were removed. */
  flush(): number {
    const removed = this.data.size;
    if (this.snapshotHook !== null) {
      this.snapshotHook.beforeFlush();
      this.snapshotHook = null;
    }
    this.data = new Map();
    this.expires = new Map();
    this.memoryBytes = 0;
    if (this.slotIndex !== null) this.slotIndex.clear();
    this.releaseWalks();
    this.scanCursors.clear();
    return removed;
  }

  private rebuildSlotIndex(): void {
    const index = this.slotIndex;
    if (index === null) return;
    index.clear();
    for (const key of this.data.keys()) index.add(key);
  }

  /** Exchanges contents with another db (SWAPDB): ids stay, data moves. */
  swapContents(other: Db): void {
    [this.data, other.data] = [other.data, this.data];
    [this.expires, other.expires] = [other.expires, this.expires];
    [this.memoryBytes, other.memoryBytes] = [other.memoryBytes, this.memoryBytes];
    // A slot index belongs to its db (the cluster holds it): it is rebuilt for the keys now here.
    this.rebuildSlotIndex();
    other.rebuildSlotIndex();
    // A snapshot's hook follows the maps it protects.
    [this.snapshotHook, other.snapshotHook] = [other.snapshotHook, this.snapshotHook];
    this.releaseWalks();
    other.releaseWalks();
    this.scanCursors.clear();
    other.scanCursors.clear();
  }
}
