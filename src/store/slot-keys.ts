/**
 * Keys by hash slot, kept beside db 0 in cluster mode only (Redis's slots_to_keys): a count
 * per slot and each slot's keys, so CLUSTER COUNTKEYSINSLOT is O(1), GETKEYSINSLOT reads a
 * slot's keys without a scan, and losing a slot deletes exactly its keys. The slot function is
 * given by the cluster (the store knows nothing of hashing).
 */

const SLOTS = 16384;

export class SlotKeyIndex {
  private readonly counts = new Uint32Array(SLOTS);
  /** Keys of each slot in the order they were added; a slot's set exists while it has keys. */
  private readonly keysBySlot: Array<Set<string> | undefined> = new Array<Set<string> | undefined>(SLOTS).fill(undefined);

  constructor(readonly slotOf: (key: string) => number) {}

  add(key: string): void {
    const slot = this.slotOf(key);
    let keys = this.keysBySlot[slot];
    if (keys === undefined) {
      keys = new Set();
      this.keysBySlot[slot] = keys;
    }
    const sizeBefore = keys.size;
    keys.add(key);
    if (keys.size !== sizeBefore) this.counts[slot]++;
  }

  remove(key: string): void {
    const slot = this.slotOf(key);
    const keys = this.keysBySlot[slot];
    if (keys === undefined || !keys.delete(key)) return;
    this.counts[slot]--;
    if (keys.size === 0) this.keysBySlot[slot] = undefined;
  }

  clear(): void {
    this.counts.fill(0);
    this.keysBySlot.fill(undefined);
  }

  countInSlot(slot: number): number {
    return this.counts[slot];
  }

  /**
   * Up to `count` keys of a slot, the most recently added first (Redis adds a slot's keys at the
   * head of its list, and GETKEYSINSLOT reads from the head).
   */
  keysInSlot(slot: number, count: number): string[] {
    const keys = this.keysBySlot[slot];
    if (keys === undefined || count <= 0) return [];
    const all = [...keys];
    const result: string[] = [];
    for (let i = all.length - 1; i >= 0 && result.length < count; i--) result.push(all[i]);
    return result;
  }

  /** Slots holding at least one key, ascending. */
  populatedSlots(): number[] {
    const slots: number[] = [];
    for (let slot = 0; slot < SLOTS; slot++) if (this.keysBySlot[slot] !== undefined) slots.push(slot);
    return slots;
  }
}
