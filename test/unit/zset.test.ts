import { describe, expect, it } from 'vitest';
import { NONE, ZSetValue, scoreToListpackText, type LexRange, type ScoreRange } from '../../src/store/types/zset.js';
import { lexGteMin, lexLteMax, scoreGteMin, scoreLteMax } from '../../src/store/types/zset-tree.js';
import { prng } from '../helpers/random.js';

// The sorted structure (both encodings) against a model: an array of [member, score] kept sorted
// by (score, member). Random inserts, score changes, deletes (single, by rank range, by score
// and lex range) are applied to both, and every read (find, rank, element at rank, first/last in
// a range, walks both ways) must agree.

type Entry = [string, number];

function compare(a: Entry, b: Entry): number {
  if (a[1] !== b[1]) return a[1] < b[1] ? -1 : 1;
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}

class Model {
  entries: Entry[] = [];

  indexOf(member: string): number {
    return this.entries.findIndex((e) => e[0] === member);
  }

  insert(member: string, score: number): void {
    this.entries.push([member, score]);
    this.entries.sort(compare);
  }

  remove(member: string): void {
    this.entries.splice(this.indexOf(member), 1);
  }
}

function randomScore(rand: () => number): number {
  const pick = Math.floor(rand() * 8);
  if (pick === 0) return [Infinity, -Infinity, 0, -0][Math.floor(rand() * 4)];
  if (pick === 1) return Math.floor(rand() * 5);
  if (pick === 2) return (rand() - 0.5) * 1e20;
  if (pick === 3) return Math.floor(rand() * 2 ** 53);
  return Math.floor(rand() * 1000) / 7;
}

function randomMember(rand: () => number): string {
  const pick = Math.floor(rand() * 6);
  if (pick === 0) return String(Math.floor(rand() * 300) - 100);
  if (pick === 1) return String.fromCharCode(...Array.from({ length: Math.floor(rand() * 4) }, () => Math.floor(rand() * 256)));
  return `m:${Math.floor(rand() * 400)}`;
}

function randomScoreRange(rand: () => number): ScoreRange {
  const a = randomScore(rand);
  const b = rand() < 0.2 ? a : randomScore(rand);
  return { min: Math.min(a, b), max: Math.max(a, b), minExclusive: rand() < 0.3, maxExclusive: rand() < 0.3 };
}

function randomLexRange(rand: () => number): LexRange {
  const bound = (): [string, number] => {
    const r = rand();
    if (r < 0.1) return ['', -1];
    if (r < 0.2) return ['', 1];
    return [`m:${Math.floor(rand() * 400)}`, 0];
  };
  const [min, minInf] = bound();
  const [max, maxInf] = bound();
  return { min, max, minInf, maxInf, minExclusive: minInf !== 0 || rand() < 0.3, maxExclusive: maxInf !== 0 || rand() < 0.3 };
}

/** -0 and 0 are the same score (a listpack stores -0 as the integer 0, as Redis does). */
function normalized(entries: Entry[]): Entry[] {
  return entries.map(([m, s]) => [m, s === 0 ? 0 : s]);
}

/** Reads the whole value both ways and checks it against the model. */
function checkAll(z: ZSetValue, model: Model): void {
  z.verify();
  const expected = normalized(model.entries);
  expect(z.length).toBe(expected.length);
  const forward: Entry[] = [];
  for (let p = z.first(); p !== NONE; p = z.next(p)) forward.push([z.memberAt(p), z.scoreAt(p)]);
  expect(normalized(forward)).toEqual(expected);
  const backward: Entry[] = [];
  for (let p = z.last(); p !== NONE; p = z.prev(p)) backward.push([z.memberAt(p), z.scoreAt(p)]);
  expect(normalized(backward.reverse())).toEqual(expected);
}

function checkReads(z: ZSetValue, model: Model, rand: () => number): void {
  const expected = model.entries;
  for (let i = 0; i < 5 && expected.length > 0; i++) {
    const rank = Math.floor(rand() * expected.length);
    const p = z.atRank(rank);
    expect(z.memberAt(p)).toBe(expected[rank][0]);
    expect(z.rankOf(z.find(expected[rank][0]))).toBe(rank);
  }
  const member = randomMember(rand);
  const index = model.indexOf(member);
  const pos = z.find(member);
  if (index === -1) expect(pos).toBe(NONE);
  else expect(z.scoreAt(pos) === expected[index][1]).toBe(true);
  // Score ranges: first and last in range agree with a scan of the model.
  const range = randomScoreRange(rand);
  const inScore = expected.filter((e) => scoreGteMin(e[1], range) && scoreLteMax(e[1], range));
  const first = z.firstInScoreRange(range);
  const last = z.lastInScoreRange(range);
  expect(first === NONE ? null : z.memberAt(first)).toBe(inScore.length > 0 ? inScore[0][0] : null);
  expect(last === NONE ? null : z.memberAt(last)).toBe(inScore.length > 0 ? inScore[inScore.length - 1][0] : null);
}

/** Lex reads are only meaningful when every score is equal, as in Redis. */
function checkLex(z: ZSetValue, model: Model, rand: () => number): void {
  const range = randomLexRange(rand);
  const inLex = model.entries.filter((e) => lexGteMin(e[0], range) && lexLteMax(e[0], range));
  const first = z.firstInLexRange(range);
  const last = z.lastInLexRange(range);
  const emptyRange = (range.minInf !== 0 && range.minInf === range.maxInf) || range.minInf > 0 || range.maxInf < 0 ||
    (range.minInf === 0 && range.maxInf === 0 && (range.min > range.max || (range.min === range.max && (range.minExclusive || range.maxExclusive))));
  const want = emptyRange ? [] : inLex;
  expect(first === NONE ? null : z.memberAt(first)).toBe(want.length > 0 ? want[0][0] : null);
  expect(last === NONE ? null : z.memberAt(last)).toBe(want.length > 0 ? want[want.length - 1][0] : null);
}

function runOps(seed: number, big: boolean, steps: number, sameScore: boolean): void {
  const rand = prng(seed);
  const z = new ZSetValue(big);
  const model = new Model();
  for (let step = 0; step < steps; step++) {
    const op = rand();
    const member = randomMember(rand);
    const score = sameScore ? 0 : randomScore(rand);
    const pos = z.find(member);
    if (op < 0.45) {
      if (pos === NONE) {
        z.insert(member, score);
        model.insert(member, score);
      } else {
        z.setScore(pos, member, score);
        model.remove(member);
        model.insert(member, score);
      }
    } else if (op < 0.7) {
      expect(z.remove(member)).toBe(pos !== NONE);
      if (pos !== NONE) model.remove(member);
    } else if (op < 0.75 && model.entries.length > 0) {
      const start = Math.floor(rand() * model.entries.length);
      const end = Math.min(model.entries.length - 1, start + Math.floor(rand() * 5));
      z.removeRankRange(start, end);
      model.entries.splice(start, end - start + 1);
    } else if (op < 0.78) {
      const range = randomScoreRange(rand);
      const first = z.firstInScoreRange(range);
      const removed = first === NONE ? 0 : z.removeFrom(first, false, range);
      const kept = model.entries.filter((e) => !(scoreGteMin(e[1], range) && scoreLteMax(e[1], range)));
      expect(removed).toBe(model.entries.length - kept.length);
      model.entries = kept;
    } else if (op < 0.8 && sameScore) {
      const range = randomLexRange(rand);
      const first = z.firstInLexRange(range);
      const before = model.entries.length;
      const removed = first === NONE ? 0 : z.removeFrom(first, true, range);
      if (first !== NONE) model.entries = model.entries.filter((e) => !(lexGteMin(e[0], range) && lexLteMax(e[0], range)));
      expect(removed).toBe(before - model.entries.length);
    } else if (op < 0.82) {
      // Encoding changes keep the contents.
      if (z.isListpack) z.convertToTree();
      else z.convertToListpackIfFits(1000, 64);
    } else {
      checkReads(z, model, rand);
      if (sameScore) checkLex(z, model, rand);
    }
    if (step % 50 === 0) checkAll(z, model);
  }
  checkAll(z, model);
}

describe('sorted-set structure against a sorted-array model', () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    it(`skiplist encoding (seed ${seed})`, () => runOps(seed, true, 3000, false));
    it(`listpack encoding (seed ${seed})`, () => runOps(seed + 100, false, 1500, false));
    it(`lex ranges with equal scores (seed ${seed})`, () => runOps(seed + 200, seed % 2 === 0, 2000, true));
  }

  it('keeps ranks exact through 20000 inserts and deletes', () => {
    const rand = prng(42);
    const z = new ZSetValue(true);
    const scores: number[] = [];
    for (let i = 0; i < 20000; i++) {
      const s = Math.floor(rand() * 1e6);
      z.insert(`k${i}`, s);
      scores.push(s);
    }
    for (let i = 0; i < 20000; i += 3) z.remove(`k${i}`);
    z.verify();
    const kept = scores.map((s, i) => [`k${i}`, s] as Entry).filter((_, i) => i % 3 !== 0).sort(compare);
    for (let r = 0; r < kept.length; r += 97) {
      expect(z.memberAt(z.atRank(r))).toBe(kept[r][0]);
      expect(z.rankOf(z.find(kept[r][0]))).toBe(r);
    }
  });

  it('stores listpack scores as Redis does (integers when double2ll allows, else %.17g)', () => {
    expect(scoreToListpackText(1)).toBe('1');
    expect(scoreToListpackText(-0)).toBe('0');
    expect(scoreToListpackText(1.5)).toBe('1.5');
    expect(scoreToListpackText(0.1)).toBe('0.10000000000000001');
    expect(scoreToListpackText(2 ** 60)).toBe('1152921504606846976');
    expect(scoreToListpackText(2 ** 62)).toBe('4611686018427387904');
    expect(scoreToListpackText(2 ** 63)).toBe('9.2233720368547758e+18');
    expect(scoreToListpackText(Infinity)).toBe('inf');
    expect(scoreToListpackText(-Infinity)).toBe('-inf');
  });
});
