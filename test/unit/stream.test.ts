import { describe, expect, it } from 'vitest';
import { parseStreamId, StreamId } from '../../src/store/types/stream-id.js';
import { IdCursor, SortedIds } from '../../src/store/types/stream-sorted.js';
import { StreamValue, StreamWalker, TRIM_MAXLEN, TRIM_MINID, type TrimSpec } from '../../src/store/types/stream.js';
import { prng } from '../helpers/random.js';

// The stream structure against a plain sorted array of entries: appends, deletes, trims and
// range walks in both directions, with IDs over the whole unsigned 64-bit range and node sizes
// from one entry to unbounded.

interface ModelEntry {
  id: bigint; // ms * 2^64 + seq: one number orders IDs
  pairs: string[];
}

const TWO_64 = 1n << 64n;

function toId(key: bigint): StreamId {
  const parsed = parseStreamId(`${key / TWO_64}-${key % TWO_64}`, true, false, false);
  if (parsed === null) throw new Error(`bad id ${key}`);
  return parsed.id;
}

function keyOf(id: StreamId): bigint {
  const [ms, seq] = id.toString().split('-');
  return BigInt(ms) * TWO_64 + BigInt(seq);
}

/** Every entry of a walk, as [id key, pairs]. */
function walk(stream: StreamValue, start: StreamId | null, end: StreamId | null, reverse: boolean): ModelEntry[] {
  const walker = new StreamWalker(stream);
  if (reverse) walker.backward(start, end);
  else walker.forward(start, end);
  const out: ModelEntry[] = [];
  while (walker.next()) {
    const id = StreamId.zero();
    walker.entry.idInto(id);
    const pairs: string[] = [];
    walker.writePairs({ bulk: (v) => { pairs.push(v); } });
    out.push({ id: keyOf(id), pairs });
  }
  return out;
}

function randomText(rand: () => number): string {
  const kinds = [
    () => '', () => 'v', () => 'field', () => String(Math.floor(rand() * 1e6)), () => `-${Math.floor(rand() * 1e6)}`,
    () => '0', () => '-0', () => '007', () => '9223372036854775807', () => '1125899906842623', () => '1125899906842624',
    () => '-1125899906842623', () => 'x'.repeat(Math.floor(rand() * 300)),
    () => String.fromCharCode(...Array.from({ length: Math.floor(rand() * 20) }, () => Math.floor(rand() * 256))),
  ];
  return kinds[Math.floor(rand() * kinds.length)]();
}

describe('StreamValue against an array model', () => {
  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
    it(`keeps entries, ranges, deletes and trims consistent (seed ${seed})`, () => {
      const rand = prng(seed);
      const int = (n: number): number => Math.floor(rand() * n);
      const pick = <T>(items: readonly T[]): T => items[int(items.length)];
      const maxEntries = pick([0, 1, 2, 5, 100]);
      const maxBytes = maxEntries === 0 ? pick([30, 500, 4096]) : pick([0, 1, 100, 4096]);
      const stream = new StreamValue();
      let model: ModelEntry[] = [];
      let last = BigInt(pick(['0', '1', '1641544570597', '4294967296', '9007199254740993', '18446744073709551000'])) * TWO_64;
      const randomKey = (): bigint => {
        const key = model.length > 0 && rand() < 0.7
          ? model[int(model.length)].id + BigInt(int(3) - 1)
          : last - BigInt(int(1000)) * TWO_64 + BigInt(int(5));
        return key < 0n ? 0n : key >= TWO_64 * TWO_64 ? TWO_64 * TWO_64 - 1n : key;
      };
      for (let op = 0; op < 600; op++) {
        const r = rand();
        if (r < 0.45) {
          const step = pick([1n, 2n, TWO_64, 5n * TWO_64 + 3n, 1n << 40n, (1n << 33n) * TWO_64]);
          const next = last + step;
          if (next >= TWO_64 * TWO_64) continue;
          last = next;
          const count = 1 + int(3);
          const argv = ['XADD', 'k', 'id'];
          for (let i = 0; i < count; i++) argv.push(rand() < 0.7 ? `f${i}` : randomText(rand), randomText(rand));
          let bytes = 0;
          for (let i = 3; i < argv.length; i++) bytes += argv[i].length;
          stream.append(toId(next), argv, 3, count, bytes, maxBytes, maxEntries);
          model.push({ id: next, pairs: argv.slice(3) });
        } else if (r < 0.6) {
          const key = randomKey();
          const removed = stream.delete(toId(key));
          const index = model.findIndex((e) => e.id === key);
          expect(removed).toBe(index >= 0);
          if (index >= 0) model.splice(index, 1);
        } else if (r < 0.7) {
          const approximate = rand() < 0.5;
          const byLength = rand() < 0.5;
          const spec: TrimSpec = {
            strategy: byLength ? TRIM_MAXLEN : TRIM_MINID,
            maxLength: int(model.length + 2),
            minId: toId(randomKey()),
            approximate,
            limit: approximate && rand() < 0.5 ? int(50) : 0,
          };
          const removed = stream.trim(spec);
          const kept = model.slice(removed);
          if (!approximate && spec.limit === 0) {
            const expected = byLength
              ? model.slice(Math.max(0, model.length - spec.maxLength))
              : model.filter((e) => e.id >= keyOf(spec.minId));
            expect(kept).toEqual(expected);
          } else {
            // "~" only removes from the head, never past the target.
            if (byLength) expect(kept.length).toBeGreaterThanOrEqual(Math.min(model.length, spec.maxLength));
            else for (const e of model.slice(0, removed)) expect(e.id < keyOf(spec.minId)).toBe(true);
            if (spec.limit > 0) expect(removed).toBeLessThanOrEqual(spec.limit);
          }
          model = kept;
        } else {
          const start = rand() < 0.1 ? null : toId(randomKey());
          const end = rand() < 0.1 ? null : toId(randomKey());
          const inRange = model.filter((e) => (start === null || e.id >= keyOf(start)) && (end === null || e.id <= keyOf(end)));
          expect(walk(stream, start, end, false)).toEqual(inRange);
          expect(walk(stream, start, end, true)).toEqual(inRange.slice().reverse());
        }
        expect(stream.length).toBe(model.length);
        if (op % 50 === 0) {
          expect(walk(stream, null, null, false)).toEqual(model);
          expect(walk(stream, null, null, true)).toEqual(model.slice().reverse());
          const first = stream.edgeId(true, false);
          const lastLive = stream.edgeId(false, false);
          expect(first === null ? null : keyOf(first)).toBe(model.length === 0 ? null : model[0].id);
          expect(lastLive === null ? null : keyOf(lastLive)).toBe(model.length === 0 ? null : model[model.length - 1].id);
          for (const e of model.slice(0, 5)) expect(stream.has(toId(e.id))).toBe(true);
          let entries = 0;
          for (const node of stream.nodes) {
            entries += node.live;
            if (maxEntries > 0) expect(node.live + node.deleted).toBeLessThanOrEqual(maxEntries);
          }
          expect(entries).toBe(model.length);
        }
      }
    });
  }

  it('copies deeply (COPY)', () => {
    const stream = new StreamValue();
    stream.append(StreamId.of(1, 0), ['a', 'b'], 0, 1, 2, 4096, 100);
    const copy = stream.clone();
    stream.append(StreamId.of(2, 0), ['a', 'c'], 0, 1, 2, 4096, 100);
    stream.delete(StreamId.of(1, 0));
    expect(walk(copy, null, null, false)).toEqual([{ id: 1n * TWO_64, pairs: ['a', 'b'] }]);
    expect(copy.length).toBe(1);
  });
});

describe('SortedIds against a sorted array', () => {
  it('inserts, finds, removes and seeks like a sorted array', () => {
    const rand = prng(42);
    const ids = new SortedIds<StreamId>();
    let model: bigint[] = [];
    for (let op = 0; op < 5000; op++) {
      const key = BigInt(Math.floor(rand() * 3000)) * TWO_64 + BigInt(Math.floor(rand() * 3));
      const id = toId(key);
      const r = rand();
      if (r < 0.5) {
        if (ids.get(id) === undefined) {
          ids.insert(id, id);
          model.push(key);
          model.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
        }
      } else if (r < 0.8) {
        const removed = ids.remove(id);
        expect(removed !== undefined).toBe(model.includes(key));
        model = model.filter((k) => k !== key);
      } else {
        const cursor = new IdCursor();
        const ceil = ids.seekCeil(id, cursor);
        const expectedCeil = model.find((k) => k >= key);
        expect(ceil === undefined ? undefined : keyOf(ceil)).toBe(expectedCeil);
        const floor = ids.seekFloor(id, cursor);
        const expectedFloor = [...model].reverse().find((k) => k <= key);
        expect(floor === undefined ? undefined : keyOf(floor)).toBe(expectedFloor);
      }
      expect(ids.size).toBe(model.length);
    }
    const cursor = new IdCursor();
    const forward: bigint[] = [];
    for (let item = ids.seekFirst(cursor); item !== undefined; item = ids.next(cursor)) forward.push(keyOf(item));
    expect(forward).toEqual(model);
    const backward: bigint[] = [];
    for (let item = ids.seekLast(cursor); item !== undefined; item = ids.prev(cursor)) backward.push(keyOf(item));
    expect(backward).toEqual(model.slice().reverse());
  });
});

describe('stream ID parsing (Redis string2ull / strtoull rules)', () => {
  const parse = (text: string, strict = true): string | null => parseStreamId(text, strict, false, false)?.id.toString() ?? null;
  it('accepts what Redis accepts, exactly', () => {
    expect(parse('5')).toBe('5-0');
    expect(parse('5-3')).toBe('5-3');
    expect(parse(' 5')).toBe('5-0');
    expect(parse('+5')).toBe('5-0');
    expect(parse('5-+1')).toBe('5-1');
    expect(parse('5--01')).toBe('5-18446744073709551615');
    expect(parse('5--0')).toBe('5-0');
    expect(parse('18446744073709551615-18446744073709551615')).toBe('18446744073709551615-18446744073709551615');
    expect(parse('9007199254740993-9007199254740993')).toBe('9007199254740993-9007199254740993');
    expect(parse('-', false)).toBe('0-0');
    expect(parse('+', false)).toBe('18446744073709551615-18446744073709551615');
  });
  it('refuses what Redis refuses', () => {
    for (const bad of ['', '-', '+', 'x', '5-', '-5', '5-x', '5-1 ', '5--1', '18446744073709551616', '5-18446744073709551616', '0x10', '1.5', 'x'.repeat(128)]) {
      expect(parse(bad), bad).toBeNull();
    }
  });
  it('steps across the 64-bit halves', () => {
    const id = parseStreamId('4294967295-18446744073709551615', true, false, false)?.id as StreamId;
    expect(id.increment()).toBe(true);
    expect(id.toString()).toBe('4294967296-0');
    expect(id.decrement()).toBe(true);
    expect(id.toString()).toBe('4294967295-18446744073709551615');
    const max = StreamId.max();
    expect(max.increment()).toBe(false);
    expect(max.toString()).toBe('0-0');
    expect(StreamId.zero().decrement()).toBe(false);
  });
});
