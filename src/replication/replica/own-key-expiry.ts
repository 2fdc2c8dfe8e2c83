// Keys a writable replica's own clients gave a deadline (Redis's slaveKeysWithExpire and
// expireSlaveKeys): the primary knows nothing of them, so no DEL will come, and the replica
// expires them itself. Bounded by the dataset: an entry stands for a key that had a deadline in
// at least one db, and goes once no db holds the key with a deadline.

import type { Db } from '../../store/db.js';

/** Time one cron run may take (Redis stops after about a millisecond, checked every 64 keys). */
const RUN_BUDGET_MS = 1;

export class OwnKeyExpiry {
  /** Key -> ids of the dbs where it was given a deadline. */
  private readonly keys = new Map<string, Set<number>>();

  constructor(private readonly dbs: readonly Db[]) {}

  get size(): number {
    return this.keys.size;
  }

  /** rememberSlaveKeyWithExpire. */
  remember(db: Db, key: string): void {
    let ids = this.keys.get(key);
    if (ids === undefined) this.keys.set(key, ids = new Set());
    ids.add(db.id);
  }

  /** flushSlaveKeysWithExpireList: a full sync or a promotion forgets them. */
  clear(): void {
    this.keys.clear();
  }

  /** expireSlaveKeys: removes the remembered keys past their deadline, within a time budget. */
  run(): void {
    if (this.keys.size === 0) return;
    const start = Date.now();
    let cycles = 0;
    for (const [key, ids] of this.keys) {
      for (const id of ids) {
        if (this.dbs[id].expireReplicaKey(key, start) === 'gone') ids.delete(id);
      }
      if (ids.size === 0) this.keys.delete(key);
      if (++cycles % 64 === 0 && Date.now() - start > RUN_BUDGET_MS) break;
    }
  }
}
