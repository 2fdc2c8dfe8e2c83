// HashValue in both encodings against a Map model: the listpack encoding must hold exactly the
// pairs in insertion order (as Redis's listpack hash does), as Redis's listpack bytes.
import { describe, expect, it } from 'vitest';
import { lpFromArray, lpValidate } from '../../src/store/encodings/listpack.js';
import { HashValue } from '../../src/store/types/hash.js';
import { prng } from '../helpers/random.js';

function pairsOf(hash: HashValue): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  hash.forEachPair((field, value) => out.push([field, value]));
  return out;
}

const FIELDS = ['a', 'b', 'field:1', '1', '-7', '007', '', 'x'.repeat(70), '\x00\xff', '9223372036854775807', '12345678901234567890'];
const VALUES = ['', 'v', '0', '-1', '3.5', 'y'.repeat(100), 'long value of thirty characters', '18446744073709551616'];

describe('HashValue', () => {
  it('matches a Map model in insertion order while listpack-encoded, with Redis bytes', () => {
    for (let seed = 1; seed <= 30; seed++) {
      const rand = prng(seed);
      const hash = new HashValue();
      // The model keeps insertion order and in-place updates, like a listpack hash.
      const model = new Map<string, string>();
      for (let step = 0; step < 200; step++) {
        const field = FIELDS[Math.floor(rand() * FIELDS.length)];
        const value = VALUES[Math.floor(rand() * VALUES.length)];
        if (rand() < 0.6) {
          expect(hash.set(field, value), `seed ${seed} step ${step}`).toBe(!model.has(field));
          model.set(field, value);
        } else {
          expect(hash.delete(field)).toBe(model.has(field));
          model.delete(field);
        }
        expect(hash.size).toBe(model.size);
        expect(hash.get(field)).toBe(model.get(field));
        expect(hash.has(field)).toBe(model.has(field));
      }
      expect(hash.encoding()).toBe('listpack');
      expect(pairsOf(hash)).toEqual([...model]);
      const listpack = hash.listpack as string;
      expect(listpack).toBe(lpFromArray([...model].flat()));
      expect(lpValidate(listpack)).toBe(true);
      if (model.size > 0) expect(model.has(hash.randomField())).toBe(true);

      const copy = hash.clone();
      copy.set('only-in-copy', '1');
      expect(hash.has('only-in-copy')).toBe(false);

      hash.convertToHashtable();
      expect(hash.encoding()).toBe('hashtable');
      expect(hash.listpack).toBe(null);
      expect(new Map(pairsOf(hash))).toEqual(model);
      for (const field of FIELDS) expect(hash.get(field)).toBe(model.get(field));
    }
  });

  it('keeps matching the model after conversion, random picks and scans included', () => {
    const rand = prng(99);
    const hash = new HashValue();
    hash.convertToHashtable();
    const model = new Map<string, string>();
    for (let step = 0; step < 2000; step++) {
      const field = `f${Math.floor(rand() * 300)}`;
      if (rand() < 0.6) {
        expect(hash.set(field, String(step))).toBe(!model.has(field));
        model.set(field, String(step));
      } else {
        expect(hash.delete(field)).toBe(model.has(field));
        model.delete(field);
      }
      if (step % 50 === 0 && model.size > 0) expect(model.has(hash.randomField())).toBe(true);
    }
    expect(new Map(pairsOf(hash))).toEqual(model);
    const seen = new Set<string>();
    let cursor = '0';
    do {
      cursor = hash.scan(cursor, 17, (field) => {
        seen.add(field);
        return true;
      });
    } while (cursor !== '0');
    expect(seen).toEqual(new Set(model.keys()));
  });

  it('takes the encoding a loader chooses, and reads as a Map in either', () => {
    const hash = new HashValue();
    hash.set('f', '1');
    hash.set('g', 'two');
    expect(hash.map).toEqual(new Map([['f', '1'], ['g', 'two']]));
    hash.compact = false;
    expect(hash.encoding()).toBe('hashtable');
    expect(hash.map).toEqual(new Map([['f', '1'], ['g', 'two']]));
    hash.compact = true;
    expect(hash.encoding()).toBe('listpack');
    expect(hash.listpack).toBe(lpFromArray(['f', '1', 'g', 'two']));
  });

  it('is rebuilt from a listpack of pairs (RESTORE) as it was', () => {
    const listpack = lpFromArray(['f', '1', 'g', 'text']);
    const hash = HashValue.fromListpack(listpack);
    expect(hash.encoding()).toBe('listpack');
    expect(hash.size).toBe(2);
    expect(hash.get('g')).toBe('text');
    expect(pairsOf(hash)).toEqual([['f', '1'], ['g', 'text']]);
  });
});
