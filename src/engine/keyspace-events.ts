// What a change to the keyspace tells the rest of the node: WATCH invalidation now (client-side
// caching later), and keyspace notifications published on __keyspace@<db>__ / __keyevent@<db>__
// channels for the classes notify-keyspace-events enables.

import type { KeyspaceSignals } from '../commands/context.js';
import { NOTIFY_KEYEVENT, NOTIFY_KEYSPACE } from '../config/keyspace-events.js';
import type { Db } from '../store/db.js';
import type { WatchRegistry } from './watch.js';

/** The live setting this reads: notify-keyspace-events as class bits, kept current by CONFIG SET. */
export interface NotifySettings {
  readonly notifyKeyspaceEvents: number;
}

/** Who else hears of changed keys: clients blocked on keys (engine/blocking.ts). */
export interface KeyReadiness {
  keyModified(db: Db, key: string): void;
  /** Every waited key of the db (all dbs with -1). */
  signalAllInDb(dbIndex: number): void;
}

/** Client-side caching's part (src/tracking/): `used` once a client ever turned tracking on. */
export interface KeyInvalidation {
  readonly used: boolean;
  invalidateKey(key: string): void;
  invalidateAll(): void;
}

export class KeyspaceEvents implements KeyspaceSignals {
  /** Set by the node once client-side caching exists. */
  invalidation: KeyInvalidation | null = null;

  constructor(
    private readonly dbs: readonly Db[],
    private readonly watches: WatchRegistry,
    private readonly settings: NotifySettings,
    private readonly publish: (channel: string, message: string) => number,
    private readonly readiness: KeyReadiness,
  ) {}

  signalModifiedKey(db: Db, key: string): void {
    // Every write ends here: an object value changed in place is priced again (used_memory).
    db.noteModified(key);
    this.readiness.keyModified(db, key);
    const invalidation = this.invalidation;
    if (invalidation !== null && invalidation.used) invalidation.invalidateKey(key);
    // Hot path (every write): no id string is built unless someone watches something.
    if (this.watches.size === 0) return;
    this.watches.touch(db, key);
  }

  signalFlushedDb(dbIndex: number): void {
    this.readiness.signalAllInDb(dbIndex);
    const invalidation = this.invalidation;
    if (invalidation !== null && invalidation.used) invalidation.invalidateAll();
    if (this.watches.size === 0) return;
    for (const db of this.dbs) {
      if (dbIndex < 0 || db.id === dbIndex) this.watches.touchAllInDb(db, null);
    }
  }

  signalSwappedDb(index1: number, index2: number): void {
    this.readiness.signalAllInDb(index1);
    this.readiness.signalAllInDb(index2);
    const db1 = this.dbs[index1];
    const db2 = this.dbs[index2];
    if (this.watches.size === 0 || db1 === undefined || db2 === undefined) return;
    this.watches.touchAllInDb(db1, db2);
    this.watches.touchAllInDb(db2, db1);
  }

  notify(classFlag: number, event: string, key: string, dbIndex: number): void {
    const flags = this.settings.notifyKeyspaceEvents;
    if ((flags & classFlag) === 0) return;
    if (flags & NOTIFY_KEYSPACE) this.publish(`__keyspace@${dbIndex}__:${key}`, event);
    if (flags & NOTIFY_KEYEVENT) this.publish(`__keyevent@${dbIndex}__:${event}`, key);
  }
}
