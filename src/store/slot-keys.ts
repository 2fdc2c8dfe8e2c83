/**
 * Keys by hash slot, kept beside db 0 in cluster mode only (Redis's slots_to_keys): a count
 * per slot, so CLUSTER COUNTKEYSINSLOT is O(1), and each slot's keys, so GETKEYSINSLOT reads a
 * slot's keys without a scan and losing a slot deletes exactly its keys. The slot function is
 * given by the cluster (the store knows nothing of hashing).
 *
 * The keys of each slot are only needed once keys move between nodes (resharding, a lost slot):
 * until then only the counts are kept, and the first reader builds the per-slot sets with one
 * walk of the keyspace (its insertion order is the order the sets would have had). A node that
 * never reshards pays a counter per new key, not a Set entry (its memory, its hashing, its share
 * of garbage collection).
 */

const SLOTS = 16384;

export class SlotKeyIndex {
  private readonly counts = new Uint32Array(SLOTS);
  /**
   * Keys of each slot in the order they were added (a slot's set exists while it has keys), or
   * null until a reader needs them.
   */
  private keysBySlot: Array<Set<string> | undefined> | null = null;

  /**
   * `slotOf` hashes a key; `keys` walks the indexed keyspace in insertion order (read when the
   * per-slot sets are first built).
   */
  constructor(readonly slotOf: (key: string) => number, private readonly keys: () => Iterable<string>) {}

  /** A key the keyspace did not hold was added (callers add each key once). */
  add(key: string): void {
    const slot = this.slotOf(key);
    this.counts[slot]++;
    const bySlot = this.keysBySlot;
    if (bySlot === null) return;
    const keys = bySlot[slot];
    if (keys === undefined) bySlot[slot] = new Set([key]);
    else keys.add(key);
  }

  /** A key the keyspace held was removed. */
  remove(key: string): void {
    const slot = this.slotOf(key);
    if (this.counts[slot] === 0) return;
    this.counts[slot]--;
    const bySlot = this.keysBySlot;
    if (bySlot === null) return;
    const keys = bySlot[slot];
    if (keys === undefined) return;
    keys.delete(key);
    if (keys.size === 0) bySlot[slot] = undefined;
  }

  /** The keyspace was emptied; the per-slot sets are built again when next needed. */
  clear(): void {
    this.counts.fill(0);
    this.keysBySlot = null;
  }

  countInSlot(slot: number): number {
    return this.counts[slot];
  }

  /**
   * Up to `count` keys of a slot, the most recently added first (Redis adds a slot's keys at the
   * head of its list, and GETKEYSINSLOT reads from the head).
   */
  keysInSlot(slot: number, count: number): string[] {
    if (this.counts[slot] === 0 || count <= 0) return [];
    const keys = this.bySlot()[slot];
    if (keys === undefined) return [];
    const all = [...keys];
    const result: string[] = [];
    for (let i = all.length - 1; i >= 0 && result.length < count; i--) result.push(all[i]);
    return result;
  }

  /** Slots holding at least one key, ascending. */
  populatedSlots(): number[] {
    const slots: number[] = [];
    for (let slot = 0; slot < SLOTS; slot++) if (this.counts[slot] !== 0) slots.push(slot);
    return slots;
  }

  private bySlot(): Array<Set<string> | undefined> {
    if (this.keysBySlot !== null) return this.keysBySlot;
    const bySlot = new Array<Set<string> | undefined>(SLOTS).fill(undefined);
    for (const key of this.keys()) {
      const slot = this.slotOf(key);
      const keys = bySlot[slot];
      if (keys === undefined) bySlot[slot] = new Set([key]);
      else keys.add(key);
    }
    this.keysBySlot = bySlot;
    return bySlot;
  }
}
