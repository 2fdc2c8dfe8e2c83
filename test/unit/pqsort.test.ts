import { describe, expect, it } from 'vitest';
import { partialQuicksort } from '../../src/util/pqsort.js';
import { prng } from '../helpers/random.js';

// pqsort against a full sort: under a total order the window holds exactly the full sort's
// elements there; under ties the multiset in the window matches, and the whole array stays a
// permutation. (The order of equal elements is checked against redis-server in
// test/compat/sort.test.ts.)

describe('partialQuicksort', () => {
  const rand = prng(42);
  const int = (n: number): number => Math.floor(rand() * n);

  it('sorts the window as a full sort would, for sizes across every branch (insertion, median of 3, of 9)', () => {
    for (let round = 0; round < 600; round++) {
      const size = [0, 1, 2, 6, 7, 8, 40, 41, 100, 300][round % 10];
      const values = Array.from({ length: size }, () => int(size > 50 ? 1000 : 20));
      const first = int(size + 1);
      const last = Math.min(size - 1, first + int(10));
      const sorted = [...values].sort((a, b) => a - b);
      const items = [...values];
      partialQuicksort(items, (a, b) => a - b, first, last);
      expect([...items].sort((a, b) => a - b)).toEqual(sorted);
      for (let i = first; i <= last; i++) expect(items[i], `size ${size} window ${first}..${last}`).toBe(sorted[i]);
    }
  });

  it('keeps ties within the window as a multiset of the full sort', () => {
    for (let round = 0; round < 200; round++) {
      const size = 1 + int(120);
      const items = Array.from({ length: size }, (_, i) => ({ weight: int(3), id: i }));
      const first = int(size);
      const last = Math.min(size - 1, first + int(8));
      const full = [...items].sort((a, b) => a.weight - b.weight);
      partialQuicksort(items, (a, b) => a.weight - b.weight, first, last);
      const window = items.slice(first, last + 1).map((x) => x.weight);
      expect(window).toEqual(full.slice(first, last + 1).map((x) => x.weight));
      expect(new Set(items.map((x) => x.id)).size).toBe(size);
    }
  });
});
