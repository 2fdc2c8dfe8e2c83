// The partial quicksort Redis's SORT uses when it has BY weights and a LIMIT window (pqsort.c:
// Bentley and McIlroy's "Engineering a Sort Function" quicksort, recursing only into the
// parts that overlap the window). Elements that compare equal come out in the order this
// algorithm's swaps leave them, which is part of SORT's reply, so the same steps are taken
// here: pivot by median of three (of three medians past 40 elements), three-way partitioning
// with equal elements parked at both ends and swapped back to the middle, insertion sort under
// 7 elements. Only [first, last] (indexes) is guaranteed sorted afterwards.

export type Compare<T> = (a: T, b: T) => number;

/** Sorts items in place as far as positions first..last need it. */
export function partialQuicksort<T>(items: T[], compare: Compare<T>, first: number, last: number): void {
  sortPart(items, 0, items.length, compare, first, last);
}

function swap<T>(items: T[], i: number, j: number): void {
  const t = items[i];
  items[i] = items[j];
  items[j] = t;
}

/** Swaps the `count` items from i with the `count` items from j, pairwise in order. */
function swapBlocks<T>(items: T[], i: number, j: number, count: number): void {
  for (let k = 0; k < count; k++) swap(items, i + k, j + k);
}

/** The index of the median of the items at i, j and k (med3's choice among equal ones). */
function medianOfThree<T>(items: T[], i: number, j: number, k: number, compare: Compare<T>): number {
  if (compare(items[i], items[j]) < 0) {
    if (compare(items[j], items[k]) < 0) return j;
    return compare(items[i], items[k]) < 0 ? k : i;
  }
  if (compare(items[j], items[k]) > 0) return j;
  return compare(items[i], items[k]) < 0 ? i : k;
}

/** Whether the part [start, start + count) reaches the window [first, last] (pqsort's test). */
function reachesWindow(start: number, count: number, first: number, last: number): boolean {
  const end = start + count;
  return !((first < start && last < start) || (first >= end && last >= end));
}

function sortPart<T>(items: T[], start: number, count: number, compare: Compare<T>, first: number, last: number): void {
  for (;;) {
    if (count < 7) {
      for (let m = start + 1; m < start + count; m++) {
        for (let l = m; l > start && compare(items[l - 1], items[l]) > 0; l--) swap(items, l, l - 1);
      }
      return;
    }
    let pivot = start + Math.floor(count / 2);
    if (count > 7) {
      let low = start;
      let high = start + count - 1;
      if (count > 40) {
        const step = Math.floor(count / 8);
        low = medianOfThree(items, low, low + step, low + 2 * step, compare);
        pivot = medianOfThree(items, pivot - step, pivot, pivot + step, compare);
        high = medianOfThree(items, high - 2 * step, high - step, high, compare);
      }
      pivot = medianOfThree(items, low, pivot, high, compare);
    }
    swap(items, start, pivot);
    // [start+1, a): equal to the pivot; [a, b): less; (c, d]: greater; (d, end): equal.
    let a = start + 1;
    let b = a;
    let c = start + count - 1;
    let d = c;
    for (;;) {
      let order = 0;
      while (b <= c && (order = compare(items[b], items[start])) <= 0) {
        if (order === 0) swap(items, a++, b);
        b++;
      }
      while (b <= c && (order = compare(items[c], items[start])) >= 0) {
        if (order === 0) swap(items, c, d--);
        c--;
      }
      if (b > c) break;
      swap(items, b++, c--);
    }
    const end = start + count;
    let moved = Math.min(a - start, b - a);
    swapBlocks(items, start, b - moved, moved);
    moved = Math.min(d - c, end - d - 1);
    swapBlocks(items, b, end - moved, moved);
    const lesser = b - a;
    if (lesser > 1 && reachesWindow(start, lesser, first, last)) sortPart(items, start, lesser, compare, first, last);
    const greater = d - c;
    if (greater <= 1) return;
    // The greater part is sorted by the next round instead of a call.
    start = end - greater;
    count = greater;
    if (!reachesWindow(start, count, first, last)) return;
  }
}
