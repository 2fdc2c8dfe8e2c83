// SCAN-family cursors. A JS Map iterator stays valid while the map changes (deleted entries are
// skipped, added ones are visited), which gives exactly SCAN's guarantee: every element present
// for the whole iteration is returned. The cursor a client sees names a live iterator in a
// bounded table; an unknown or evicted cursor restarts the walk, which may repeat elements
// (allowed by SCAN's contract) but never misses one.

/** Open iterations kept per collection before the oldest is dropped. */
export const MAX_OPEN_CURSORS = 4096;

export class CursorTable<T> {
  private readonly open = new Map<string, Iterator<T>>();
  private nextId = 1;

  /**
   * Continues (or starts, for cursor "0" or an unknown one) a walk over `source`, calling
   * `visit` until it returns false or `budget` steps are taken. Returns the cursor to hand
   * back: "0" when the walk is complete.
   */
  step(cursor: string, source: () => Iterator<T>, budget: number, visit: (item: T) => boolean): string {
    let iterator = cursor === '0' ? undefined : this.open.get(cursor);
    if (iterator) this.open.delete(cursor);
    else iterator = source();
    let steps = 0;
    while (steps < budget) {
      const next = iterator.next();
      if (next.done) return '0';
      steps++;
      if (!visit(next.value)) break;
    }
    const id = String(this.nextId++);
    this.open.set(id, iterator);
    if (this.open.size > MAX_OPEN_CURSORS) {
      const oldest = this.open.keys().next().value;
      if (oldest !== undefined) this.open.delete(oldest);
    }
    return id;
  }

  clear(): void {
    this.open.clear();
  }
}
