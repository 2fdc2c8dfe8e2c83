// All databases of a node, the keyspace statistics, and the active expiry cycle.

import { Db, type AccessPolicy, type KeyspaceHooks, type KeyspaceStats } from './db.js';
import { FunctionLibraries } from './functions.js';

/** Keys sampled per database per loop of the active cycle (Redis: ACTIVE_EXPIRE_CYCLE_KEYS_PER_LOOP). */
const KEYS_PER_LOOP = 20;
/** Keep looping on a database while more than this share of sampled keys had expired. */
const ACCEPTABLE_STALE_PERCENT = 10;
/** Share of each cycle period the active expiry may use (Redis: 25%). */
const CYCLE_TIME_PERCENT = 25;

/** The db the stream last selected, the replication ID and the offset the dataset corresponds to. */
export interface ReplicationPosition {
  streamDb: number;
  replid: string;
  offset: number;
}

export class Keyspace {
  readonly dbs: Db[];
  /** Function libraries are part of the dataset (FUNCTION FLUSH, RDB), not of any one db. */
  readonly functions = new FunctionLibraries();
  readonly stats: KeyspaceStats = {
    keyspaceHits: 0,
    keyspaceMisses: 0,
    expiredKeys: 0,
    expiredStalePercent: 0,
    expiredTimeCapReachedCount: 0,
  };
  /** How every db records accesses (the server keeps it in step with maxmemory-policy). */
  readonly access: AccessPolicy = { lfu: false, lfuLogFactor: 10, lfuDecayTimeMin: 1 };
  /**
   * Where the dataset stands in a replication stream, for the repl-* AUX fields of an RDB file
   * (Redis's rdbPopulateSaveInfo); null when it stands in none. Set by the replication room.
   */
  replicationPosition: () => ReplicationPosition | null = () => null;
  /** Disabled by DEBUG SET-ACTIVE-EXPIRE 0. */
  activeExpireEnabled = true;
  private nextDbInCycle = 0;

  constructor(databases: number, hooks: KeyspaceHooks) {
    this.dbs = [];
    for (let i = 0; i < databases; i++) this.dbs.push(new Db(i, hooks, this.stats, this.access));
  }

  resetStats(): void {
    this.stats.keyspaceHits = 0;
    this.stats.keyspaceMisses = 0;
    this.stats.expiredKeys = 0;
    this.stats.expiredStalePercent = 0;
    this.stats.expiredTimeCapReachedCount = 0;
  }

  totalKeys(): number {
    let n = 0;
    for (const db of this.dbs) n += db.size;
    return n;
  }

  /** One run of the active expiry cycle, bounded to a share of the cron period at `hz`. */
  activeExpireCycle(hz: number): void {
    if (!this.activeExpireEnabled) return;
    const start = Date.now();
    const budgetMs = Math.max(1, (1000 / hz) * CYCLE_TIME_PERCENT / 100);
    let sampledTotal = 0;
    let expiredTotal = 0;
    for (let n = 0; n < this.dbs.length; n++) {
      const db = this.dbs[this.nextDbInCycle];
      this.nextDbInCycle = (this.nextDbInCycle + 1) % this.dbs.length;
      if (db.expiresCount === 0) {
        db.releaseWalks();
        continue;
      }
      for (;;) {
        const [checked, expired] = db.expireSample(KEYS_PER_LOOP, Date.now());
        sampledTotal += checked;
        expiredTotal += expired;
        if (checked === 0 || expired * 100 <= checked * ACCEPTABLE_STALE_PERCENT) break;
        if (Date.now() - start > budgetMs) {
          this.stats.expiredTimeCapReachedCount++;
          return;
        }
      }
    }
    if (sampledTotal > 0) {
      const current = (expiredTotal / sampledTotal) * 100;
      this.stats.expiredStalePercent = current * 0.05 + this.stats.expiredStalePercent * 0.95;
    }
  }
}
