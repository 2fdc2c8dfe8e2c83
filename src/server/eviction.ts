// maxmemory: past the limit, keys are evicted by maxmemory-policy before a command runs, and
// commands that may grow memory are refused when nothing more can be evicted (Redis's evict.c
// performEvictions and processCommand's OOM check).
//
// The approximated LRU/LFU/TTL policies keep Redis's eviction pool: each pick samples
// maxmemory-samples keys from every database (all keys, or the keys with a deadline for the
// volatile-* policies), scores them (idle time, 255 - LFU counter, or how soon the deadline
// comes) and merges them into a pool of the 16 best candidates kept across picks; the best
// candidate still present is evicted. The random policies visit the databases round-robin.
//
// One cycle runs until enough bytes were freed (judged on the store's running sums, so a freed
// key counts at once, not after a garbage collection) or its time limit passed (from
// maxmemory-eviction-tenacity, checked every 16 keys); then it goes on in the background, one
// cycle per event-loop turn, until memory is under the limit or nothing is left to evict.

import { performance } from 'node:perf_hooks';
import { clockAge, lfuCounterOf, type AccessPolicy, type Db } from '../store/db.js';
import type { LiveSettings } from '../config/live.js';

/** Redis's shared.oomerr. */
export const OOM_ERROR = "OOM command not allowed when used memory > 'maxmemory'.";

/** Memory is under the limit, or evicting is not possible right now. */
export const EVICT_OK = 0;
/** Over the limit, evicting goes on in the background. */
export const EVICT_RUNNING = 1;
/** Over the limit and nothing can be evicted: commands that grow memory are refused. */
export const EVICT_FAIL = 2;
export type EvictResult = typeof EVICT_OK | typeof EVICT_RUNNING | typeof EVICT_FAIL;

/** Candidates kept across picks (EVPOOL_SIZE). */
const POOL_SIZE = 16;
/** Keys evicted between two checks of the time limit. */
const KEYS_PER_TIME_CHECK = 16;

export interface EvictionHost {
  readonly dbs: readonly Db[];
  readonly access: AccessPolicy;
  readonly live: Pick<LiveSettings, 'maxmemoryBytes' | 'maxmemoryPolicy' | 'maxmemorySamples' | 'maxmemoryEvictionTenacity'>;
  /** used_memory now. */
  usedBytes(): number;
  /** Memory not judged against maxmemory (replication and AOF buffers, Redis's freeMemoryGetNotCountedMemory). */
  notCountedBytes(): number;
  /** False while evicting must wait: a busy script yielding, loading, a client pause. */
  safeToEvict(): boolean;
  /** A key is about to be evicted (its value is still there: lazyfree accounting). */
  keyEvicting(db: Db, key: string): void;
  /** A key was evicted: signal it, notify "evicted", propagate its deletion. */
  keyEvicted(db: Db, key: string): void;
  /**
   * A background cycle ended: what it made (invalidations of the keys it evicted) must leave
   * before the next command is read, as Redis's beforeSleep writes it, or that command would
   * judge memory with it still queued.
   */
  backgroundCycleDone(): void;
}

interface PoolEntry {
  key: string | null;
  score: number;
  dbIndex: number;
}

export interface EvictionStats {
  evictedKeys: number;
  /** Total time spent over the limit (INFO total_eviction_exceeded_time, ms). */
  exceededTotalMs: number;
  /** Since when memory has been over the limit (0: it is not). */
  exceededSinceMs: number;
}

/** The time one eviction cycle may take, in microseconds (Redis's evictionTimeLimitUs). */
export function evictionTimeLimitMicros(tenacity: number): number {
  if (tenacity <= 10) return 50 * tenacity;
  if (tenacity < 100) return Math.floor(500 * Math.pow(1.15, tenacity - 10));
  return Number.POSITIVE_INFINITY;
}

export class Evictor {
  readonly stats: EvictionStats = { evictedKeys: 0, exceededTotalMs: 0, exceededSinceMs: 0 };
  private readonly pool: PoolEntry[] = [];
  /** Round-robin start of the random policies. */
  private nextDb = 0;
  private backgroundScheduled = false;
  private backgroundRunning = false;

  constructor(private readonly host: EvictionHost) {
    for (let i = 0; i < POOL_SIZE; i++) this.pool.push({ key: null, score: 0, dbIndex: 0 });
  }

  /** Whether eviction continues in the background (Redis's isEvictionProcRunning). */
  get running(): boolean {
    return this.backgroundRunning;
  }

  /** Bytes over maxmemory (0 when under it or when there is no limit). */
  bytesToFree(): number {
    const limit = this.host.live.maxmemoryBytes;
    if (limit === 0) return 0;
    const reported = this.host.usedBytes();
    if (reported <= limit) return 0;
    const used = Math.max(0, reported - this.host.notCountedBytes());
    return used <= limit ? 0 : used - limit;
  }

  /** Redis's performEvictions: frees memory until under the limit or out of time. */
  performEvictions(): EvictResult {
    // Under the limit (the usual case, once per command): nothing else is looked at.
    const toFree = this.bytesToFree();
    if (toFree === 0) {
      if (this.stats.exceededSinceMs !== 0) this.updateMetrics(EVICT_OK);
      return EVICT_OK;
    }
    // Evicting now would be unsafe: a fake OK, metrics untouched (as Redis's early return).
    if (!this.host.safeToEvict()) return EVICT_OK;
    const result = this.host.live.maxmemoryPolicy === 'noeviction' ? EVICT_FAIL : this.evictCycle(toFree);
    this.updateMetrics(result);
    return result;
  }

  /** Starts the background continuation unless it runs already (startEvictionTimeProc). */
  startBackground(): void {
    if (this.backgroundRunning) return;
    this.backgroundRunning = true;
    this.scheduleBackground();
  }

  private scheduleBackground(): void {
    if (this.backgroundScheduled) return;
    this.backgroundScheduled = true;
    setImmediate(() => {
      this.backgroundScheduled = false;
      // One cycle per event-loop turn, clients served in between, until done or stuck.
      const result = this.performEvictions();
      this.host.backgroundCycleDone();
      if (result === EVICT_RUNNING) {
        this.scheduleBackground();
      } else {
        this.backgroundRunning = false;
      }
    });
  }

  private evictCycle(toFree: number): EvictResult {
    const limitMicros = evictionTimeLimitMicros(this.host.live.maxmemoryEvictionTenacity);
    const startMs = performance.now();
    let freed = 0;
    let keysFreed = 0;
    while (freed < toFree) {
      const picked = this.pick();
      if (picked === null) return EVICT_FAIL;
      const [db, key] = picked;
      this.host.keyEvicting(db, key);
      freed += db.evict(key);
      this.stats.evictedKeys++;
      this.host.keyEvicted(db, key);
      keysFreed++;
      if (keysFreed % KEYS_PER_TIME_CHECK === 0 && (performance.now() - startMs) * 1000 > limitMicros) {
        this.startBackground();
        break;
      }
    }
    return this.backgroundRunning ? EVICT_RUNNING : EVICT_OK;
  }

  /** The next key to evict by the policy, or null when none is left. */
  private pick(): [Db, string] | null {
    const policy = this.host.live.maxmemoryPolicy;
    const volatile = policy.startsWith('volatile-');
    if (policy === 'allkeys-random' || policy === 'volatile-random') return this.pickRandom(volatile);
    const dbs = this.host.dbs;
    const pool = this.pool;
    for (;;) {
      let totalKeys = 0;
      for (const db of dbs) {
        const keys = volatile ? db.expiresCount : db.size;
        if (keys === 0) continue;
        totalKeys += keys;
        this.populate(db, volatile, policy);
      }
      if (totalKeys === 0) return null;
      // From the best candidate down; a candidate whose key went meanwhile is a ghost.
      let found: [Db, string] | null = null;
      for (let k = POOL_SIZE - 1; k >= 0; k--) {
        const entry = pool[k];
        if (entry.key === null) continue;
        const db = dbs[entry.dbIndex];
        const key = entry.key;
        entry.key = null;
        entry.score = 0;
        if (db !== undefined && db.holds(key, volatile)) {
          found = [db, key];
          break;
        }
      }
      if (found !== null) return found;
    }
  }

  private pickRandom(volatile: boolean): [Db, string] | null {
    const dbs = this.host.dbs;
    for (let i = 0; i < dbs.length; i++) {
      this.nextDb = (this.nextDb + 1) % dbs.length;
      const db = dbs[this.nextDb];
      const key = db.randomKeyForEviction(volatile);
      if (key !== undefined) return [db, key];
    }
    return null;
  }

  /** Redis's evictionPoolPopulate: sampled keys join the pool if better than its worst. */
  private populate(db: Db, volatile: boolean, policy: string): void {
    const pool = this.pool;
    const lfu = policy.endsWith('-lfu');
    const ttl = policy === 'volatile-ttl';
    const access = this.host.access;
    db.evictionSample(this.host.live.maxmemorySamples, volatile, (key, field, deadlineMs) => {
      // A higher score is a better candidate.
      const score = ttl ? Number.MAX_SAFE_INTEGER - deadlineMs : lfu ? 255 - lfuCounterOf(field, access) : clockAge(field) * 1000;
      let k = 0;
      while (k < POOL_SIZE && pool[k].key !== null && pool[k].score < score) k++;
      if (k === 0 && pool[POOL_SIZE - 1].key !== null) return;
      if (k < POOL_SIZE && pool[k].key === null) {
        // An empty slot: take it.
      } else if (pool[POOL_SIZE - 1].key === null) {
        // Room on the right: shift k.. one place right.
        const spare = pool[POOL_SIZE - 1];
        pool.copyWithin(k + 1, k, POOL_SIZE - 1);
        pool[k] = spare;
      } else {
        // Full: drop the worst (leftmost), shifting 1..k-1 left, insert at k-1.
        k--;
        const spare = pool[0];
        pool.copyWithin(0, 1, k + 1);
        pool[k] = spare;
      }
      const entry = pool[k];
      entry.key = key;
      entry.score = score;
      entry.dbIndex = db.id;
    });
  }

  private updateMetrics(result: EvictResult): void {
    const stats = this.stats;
    if (result !== EVICT_OK) {
      if (stats.exceededSinceMs === 0) stats.exceededSinceMs = performance.now();
    } else if (stats.exceededSinceMs !== 0) {
      stats.exceededTotalMs += performance.now() - stats.exceededSinceMs;
      stats.exceededSinceMs = 0;
    }
  }

  /** INFO current_eviction_exceeded_time (ms). */
  currentExceededMs(): number {
    return this.stats.exceededSinceMs === 0 ? 0 : performance.now() - this.stats.exceededSinceMs;
  }

  resetStats(): void {
    this.stats.evictedKeys = 0;
    this.stats.exceededTotalMs = 0;
    if (this.stats.exceededSinceMs !== 0) this.stats.exceededSinceMs = performance.now();
  }
}
