// The WATCH registry (Redis's multi.c watched_keys): which clients watch which keys, and the
// rules that make a later EXEC fail. A watch remembers whether its key was already logically
// expired when WATCH ran, because Redis 7.0 treats the later deletion of such a stale key as
// "no change" (the client saw no value and still sees none).

import type { ClientState, WatchApi } from '../commands/context.js';
import type { Db } from '../store/db.js';

/** One client's watch on one key; `expired` is Redis's watchedKey.expired bit. */
interface WatchEntry {
  expired: boolean;
}

/** The id a watched key is known by, in the registry and in ClientState.watchedKeys. */
export function watchId(dbIndex: number, key: string): string {
  return dbIndex + '\0' + key;
}

export class WatchRegistry implements WatchApi {
  /** "db\0key" -> the clients watching it, in WATCH order (Redis keeps a list per key). */
  private readonly byKey = new Map<string, Map<ClientState, WatchEntry>>();

  constructor(private readonly dbs: readonly Db[]) {}

  get size(): number {
    return this.byKey.size;
  }

  watch(client: ClientState, db: Db, key: string): void {
    const id = watchId(db.id, key);
    if (client.watchedKeys.has(id)) return;
    client.watchedKeys.add(id);
    let watchers = this.byKey.get(id);
    if (watchers === undefined) {
      watchers = new Map();
      this.byKey.set(id, watchers);
    }
    watchers.set(client, { expired: db.isExpired(key) });
  }

  watchKey(client: ClientState, db: Db, key: string): void {
    this.watch(client, db, key);
  }

  /** UNWATCH: drops every watch of the client and clears its WATCH dirty flag. */
  unwatchAll(client: ClientState): void {
    this.dropWatches(client);
    client.watchDirty = false;
  }

  watchedKeyExpired(client: ClientState): boolean {
    return client.watchedKeys.size > 0 && this.anyWatchedKeyExpired(client);
  }

  /** Drops every watch of the client; the dirty flag is left to the caller, as in Redis. */
  dropWatches(client: ClientState): void {
    for (const id of client.watchedKeys) {
      const watchers = this.byKey.get(id);
      if (watchers === undefined) continue;
      watchers.delete(client);
      if (watchers.size === 0) this.byKey.delete(id);
    }
    client.watchedKeys.clear();
  }

  /**
   * EXEC's isWatchedKeyExpired: a watched key that has passed its deadline but was not yet
   * removed counts as touched, unless it was already stale when it was watched.
   */
  anyWatchedKeyExpired(client: ClientState): boolean {
    for (const id of client.watchedKeys) {
      const entry = this.byKey.get(id)?.get(client);
      if (entry === undefined || entry.expired) continue;
      const sep = id.indexOf('\0');
      const db = this.dbs[Number(id.slice(0, sep))];
      if (db !== undefined && db.isExpired(id.slice(sep + 1))) return true;
    }
    return false;
  }

  /** touchWatchedKey: the key's value changed; its watchers' next EXEC fails. */
  touch(db: Db, key: string): void {
    const watchers = this.byKey.get(watchId(db.id, key));
    if (watchers === undefined) return;
    for (const [client, entry] of watchers) {
      if (entry.expired) {
        // A stale key that is now gone was deleted, not changed: the watcher saw nothing and
        // still sees nothing. Redis stops walking the list when the stale key is still there.
        if (db.peek(key) === undefined) {
          entry.expired = false;
          continue;
        }
        break;
      }
      client.watchDirty = true;
      // A dirty client gains nothing from its other watches; free them now (Redis does too).
      this.dropWatches(client);
    }
  }

  /**
   * touchAllWatchedKeysInDb: `emptied` is about to lose all its keys (FLUSHDB/FLUSHALL) or to
   * take `replacedWith`'s keys (SWAPDB). Call before the data changes.
   */
  touchAllInDb(emptied: Db, replacedWith: Db | null): void {
    if (this.byKey.size === 0) return;
    const prefix = emptied.id + '\0';
    for (const [id, watchers] of this.byKey) {
      if (!id.startsWith(prefix)) continue;
      const key = id.slice(prefix.length);
      const existsInEmptied = emptied.peek(key) !== undefined;
      const existsInReplacement = replacedWith !== null && replacedWith.peek(key) !== undefined;
      if (!existsInEmptied && !existsInReplacement) continue;
      for (const [client, entry] of watchers) {
        if (entry.expired) {
          if (!existsInReplacement) {
            // The stale key is deleted: no logical change.
            entry.expired = false;
            continue;
          }
          if (replacedWith !== null && replacedWith.isExpired(key)) continue; // stale stays stale
        } else if (!existsInEmptied && replacedWith !== null && replacedWith.isExpired(key)) {
          // Nothing replaced by a stale key: still nothing, but now a stale one.
          entry.expired = true;
          continue;
        }
        client.watchDirty = true;
      }
    }
  }
}
