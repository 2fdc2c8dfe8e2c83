// SetValue and the intset blob against simple models: a JS Set of member texts for the set, a
// sorted array of BigInts for the intset. Seeded, so a failure replays from its seed.
import { describe, expect, it } from 'vitest';
import {
  EMPTY_INTSET, intsetAdd, intsetFind, intsetGet, intsetIsValid, intsetLength, intsetRemove, intsetWidth,
} from '../../src/store/encodings/intset.js';
import { SetValue } from '../../src/store/types/set.js';
import { prng } from '../helpers/random.js';

const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;

/** The blob's elements as BigInts, read through the public accessor. */
function elements(blob: string): bigint[] {
  const out: bigint[] = [];
  for (let i = 0; i < intsetLength(blob); i++) out.push(BigInt(intsetGet(blob, i)));
  return out;
}

/** A value of a random magnitude class: 16-bit, 32-bit or 64-bit, edges included. */
function randomInt(rand: () => number): bigint {
  const pick = rand();
  if (pick < 0.05) return [INT64_MAX, INT64_MIN, 32767n, -32768n, 32768n, -32769n, 2147483647n, -2147483648n, 2147483648n, -2147483649n,
    9007199254740992n, -9007199254740992n, 9007199254740993n, -9007199254740993n][Math.floor(rand() * 14)];
  if (pick < 0.5) return BigInt(Math.floor(rand() * 200) - 100);
  if (pick < 0.75) return BigInt(Math.floor(rand() * 2 ** 32) - 2 ** 31);
  // A full 64-bit value from two 32-bit halves.
  const high = BigInt(Math.floor(rand() * 2 ** 32));
  const low = BigInt(Math.floor(rand() * 2 ** 32));
  return BigInt.asIntN(64, (high << 32n) | low);
}

/** parseInt64's form of a bigint: a number when exactly representable. */
function jsValue(v: bigint): number | bigint {
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : v;
}

describe('intset blob', () => {
  it('lays out bytes as Redis does: width, count, little-endian elements in order', () => {
    let blob = EMPTY_INTSET;
    for (const v of [3, 1, 2, 2]) blob = intsetAdd(blob, v);
    expect(Buffer.from(blob, 'latin1').toString('hex')).toBe('02000000' + '03000000' + '0100' + '0200' + '0300');
    blob = intsetAdd(blob, -70000);
    expect(intsetWidth(blob)).toBe(4);
    expect(Buffer.from(blob, 'latin1').toString('hex')).toBe('04000000' + '04000000' + '90eefeff' + '01000000' + '02000000' + '03000000');
    blob = intsetAdd(blob, 9223372036854775807n);
    expect(intsetWidth(blob)).toBe(8);
    expect(Buffer.from(blob, 'latin1').toString('hex').slice(-16)).toBe('ffffffffffffff7f');
    expect(elements(blob)).toEqual([-70000n, 1n, 2n, 3n, INT64_MAX]);
    // The width never shrinks back.
    blob = intsetRemove(blob, 9223372036854775807n);
    blob = intsetRemove(blob, -70000);
    expect(intsetWidth(blob)).toBe(8);
    expect(elements(blob)).toEqual([1n, 2n, 3n]);
    expect(intsetIsValid(blob)).toBe(true);
  });

  it('matches a sorted model through random adds and removes', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const rand = prng(seed);
      let blob = EMPTY_INTSET;
      const model = new Set<bigint>();
      for (let step = 0; step < 400; step++) {
        const v = rand() < 0.7 || model.size === 0 ? randomInt(rand) : [...model][Math.floor(rand() * model.size)];
        if (rand() < 0.65) {
          const before = blob;
          blob = intsetAdd(blob, jsValue(v));
          expect(blob === before, `seed ${seed} step ${step} add ${v}`).toBe(model.has(v));
          model.add(v);
        } else {
          const before = blob;
          blob = intsetRemove(blob, jsValue(v));
          expect(blob !== before, `seed ${seed} step ${step} remove ${v}`).toBe(model.has(v));
          model.delete(v);
        }
        expect(intsetFind(blob, jsValue(v))).toBe(model.has(v));
      }
      const sorted = [...model].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      expect(elements(blob), `seed ${seed}`).toEqual(sorted);
      expect(intsetIsValid(blob)).toBe(true);
      const needsWidth = sorted.some((v) => v > 2147483647n || v < -2147483648n) ? 8 : sorted.some((v) => v > 32767n || v < -32768n) ? 4 : 2;
      // The width is at least what the members need (it may stay wider after removals).
      expect(intsetWidth(blob)).toBeGreaterThanOrEqual(needsWidth);
    }
  });

  it('rejects malformed blobs', () => {
    expect(intsetIsValid('')).toBe(false);
    expect(intsetIsValid('\x03\x00\x00\x00\x00\x00\x00\x00')).toBe(false);
    expect(intsetIsValid('\x02\x00\x00\x00\x02\x00\x00\x00\x01\x00')).toBe(false);
    expect(intsetIsValid('\x02\x00\x00\x00\x02\x00\x00\x00\x02\x00\x01\x00')).toBe(false);
    expect(intsetIsValid('\x02\x00\x00\x00\x02\x00\x00\x00\x01\x00\x01\x00')).toBe(false);
    expect(intsetIsValid('\x02\x00\x00\x00\x02\x00\x00\x00\x01\x00\x02\x00')).toBe(true);
  });
});

/** Redis's string2ll test: canonical decimal within int64. */
function isInt64(text: string): boolean {
  return /^(0|-?[1-9][0-9]*)$/.test(text) && BigInt(text) <= INT64_MAX && BigInt(text) >= INT64_MIN;
}

/** Every member of a SetValue through the index accessor. */
function membersOf(set: SetValue): string[] {
  const out: string[] = [];
  for (let i = 0; i < set.size; i++) out.push(set.memberAt(i));
  return out;
}

describe('SetValue', () => {
  it('matches a Set model in both encodings, converting as t_set.c does', () => {
    for (let seed = 1; seed <= 30; seed++) {
      const rand = prng(seed * 7919);
      const maxIntset = 1 + Math.floor(rand() * 40);
      const set = SetValue.intset();
      const model = new Set<string>();
      let everNonInteger = false;
      let everTooMany = false;
      for (let step = 0; step < 300; step++) {
        const kind = rand();
        let member: string;
        if (kind < 0.6) member = String(randomInt(rand) % 60n);
        else if (kind < 0.7) member = String(randomInt(rand));
        else if (kind < 0.75) member = ['-0', '01', '+1', ' 1', '1 ', '9223372036854775808', '', 'a'][Math.floor(rand() * 8)];
        else if (kind < 0.8) member = `m${Math.floor(rand() * 30)}`;
        else member = model.size > 0 ? [...model][Math.floor(rand() * model.size)] : '1';
        const op = rand();
        if (op < 0.55) {
          const wasIntset = set.isIntset;
          expect(set.add(member, maxIntset), `seed ${seed} step ${step} add ${JSON.stringify(member)}`).toBe(!model.has(member));
          model.add(member);
          if (wasIntset && !isInt64(member)) everNonInteger = true;
          if (wasIntset && model.size > maxIntset) everTooMany = true;
        } else if (op < 0.85) {
          expect(set.delete(member), `seed ${seed} step ${step} delete ${JSON.stringify(member)}`).toBe(model.has(member));
          model.delete(member);
        } else if (op < 0.95 && model.size > 0) {
          const popped = set.popRandom();
          expect(model.has(popped), `seed ${seed} step ${step} popped ${popped}`).toBe(true);
          model.delete(popped);
        } else if (model.size > 0) {
          expect(model.has(set.randomMember())).toBe(true);
        }
        expect(set.size).toBe(model.size);
        expect(set.has(member)).toBe(model.has(member));
        // Conversion is one-way and happens exactly when Redis's would.
        expect(set.encoding(), `seed ${seed} step ${step}`).toBe(everNonInteger || everTooMany ? 'hashtable' : 'intset');
      }
      const members = membersOf(set);
      expect(new Set(members)).toEqual(model);
      expect(members.length).toBe(model.size);
      if (set.isIntset) {
        // An intset iterates in ascending numeric order.
        const numbers = members.map((m) => BigInt(m));
        for (let i = 1; i < numbers.length; i++) expect(numbers[i - 1] < numbers[i]).toBe(true);
      }
      const copy = set.clone();
      expect(copy.encoding()).toBe(set.encoding());
      expect(new Set(membersOf(copy))).toEqual(model);
      copy.add('only-in-copy', maxIntset);
      expect(set.has('only-in-copy')).toBe(false);
    }
  });

  it('is created for its first member as setTypeCreate does', () => {
    expect(SetValue.forMember('12').encoding()).toBe('intset');
    expect(SetValue.forMember('-9223372036854775808').encoding()).toBe('intset');
    expect(SetValue.forMember('9223372036854775808').encoding()).toBe('hashtable');
    expect(SetValue.forMember('1.0').encoding()).toBe('hashtable');
    expect(SetValue.hashtable().encoding()).toBe('hashtable');
  });

  it('picks members uniformly in both encodings', () => {
    for (const base of ['', 'm']) {
      const set = SetValue.intset();
      for (let i = 0; i < 10; i++) set.add(base + String(i), 512);
      const counts = new Map<string, number>();
      const draws = 20000;
      for (let i = 0; i < draws; i++) {
        const m = set.randomMember();
        counts.set(m, (counts.get(m) ?? 0) + 1);
      }
      // Chi-square with 9 degrees of freedom; 40 is a 0.001% chance for a fair pick.
      let chi = 0;
      for (const c of counts.values()) chi += (c - draws / 10) ** 2 / (draws / 10);
      expect(counts.size).toBe(10);
      expect(chi).toBeLessThan(40);
    }
  });

  it('walks a hashtable with SSCAN cursors, returning every member present throughout', () => {
    const set = SetValue.hashtable();
    for (let i = 0; i < 200; i++) set.add(`m${i}`, 512);
    const seen = new Set<string>();
    let cursor = '0';
    let calls = 0;
    do {
      cursor = set.scan(cursor, 10, (m) => {
        seen.add(m);
        return true;
      });
      // Changes during the walk: members removed and added must not make others go missing.
      set.delete(`m${199 - calls}`);
      set.add(`new${calls}`, 512);
      calls++;
    } while (cursor !== '0' && calls < 1000);
    for (let i = 0; i < 200 - calls; i++) expect(seen.has(`m${i}`), `m${i}`).toBe(true);
  });
});
