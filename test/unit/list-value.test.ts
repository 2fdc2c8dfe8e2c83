import { afterEach, describe, expect, it } from 'vitest';
import { lpFromArray, lpToArray } from '../../src/store/encodings/listpack.js';
import { HEAD, ListValue, setPackedThreshold, TAIL, type ElementSink } from '../../src/store/types/list.js';
import { StringDeque } from '../../src/store/types/string-deque.js';
import { prng } from '../helpers/random.js';

function element(rand: () => number): string {
  const pick = Math.floor(rand() * 8);
  switch (pick) {
    case 0: return String(Math.floor(rand() * 1000));
    case 1: return String(Math.floor(rand() * 2 ** 40) - 2 ** 39);
    case 2: return 'x'.repeat(Math.floor(rand() * 300));
    case 3: return ['007', '-0', '', '9223372036854775808', 'a'][Math.floor(rand() * 5)];
    default: return `v${Math.floor(rand() * 20)}`;
  }
}

function contents(list: ListValue): string[] {
  const out: string[] = [];
  if (list.length === 0) return out;
  const cursor = list.cursor(0, true);
  for (let v = cursor.next(); v !== null; v = cursor.next()) out.push(v);
  return out;
}

function backward(list: ListValue): string[] {
  const out: string[] = [];
  if (list.length === 0) return out;
  const cursor = list.cursor(list.length - 1, false);
  for (let v = cursor.next(); v !== null; v = cursor.next()) out.unshift(v);
  return out;
}

class Collect implements ElementSink {
  readonly items: string[] = [];
  bulk(e: string): void {
    this.items.push(e);
  }
  bulkSlice(text: string, start: number, end: number): void {
    this.items.push(text.slice(start, end));
  }
}

/** Applies one random operation to the list and to the array model alike. */
function step(rand: () => number, list: ListValue, model: string[]): void {
  const op = Math.floor(rand() * 12);
  const value = element(rand);
  const n = model.length;
  const index = n === 0 ? 0 : Math.floor(rand() * n) - (rand() < 0.3 ? n : 0);
  switch (op) {
    case 0: list.push(value, TAIL); model.push(value); break;
    case 1: list.push(value, HEAD); model.unshift(value); break;
    case 2: if (n > 0) expect(list.pop(HEAD)).toBe(model.shift()); break;
    case 3: if (n > 0) expect(list.popDetached(TAIL)).toBe(model.pop()); break;
    case 4: {
      const ok = list.setAt(index, value);
      const i = index < 0 ? n + index : index;
      expect(ok).toBe(i >= 0 && i < n);
      if (ok) model[i] = value;
      break;
    }
    case 5: {
      const pivot = n > 0 && rand() < 0.8 ? model[Math.floor(rand() * n)] : 'no-such-pivot';
      const after = rand() < 0.5;
      const at = model.indexOf(pivot);
      expect(list.insertAtPivot(pivot, value, after)).toBe(at >= 0);
      if (at >= 0) model.splice(after ? at + 1 : at, 0, value);
      break;
    }
    case 6: {
      const target = n > 0 ? model[Math.floor(rand() * n)] : value;
      const count = Math.floor(rand() * 5) - 2;
      let removed = 0;
      if (count >= 0) {
        for (let i = 0; i < model.length && (count === 0 || removed < count);) {
          if (model[i] === target) { model.splice(i, 1); removed++; } else i++;
        }
      } else {
        for (let i = model.length - 1; i >= 0 && removed < -count; i--) {
          if (model[i] === target) { model.splice(i, 1); removed++; }
        }
      }
      expect(list.removeEqual(target, count)).toBe(removed);
      break;
    }
    case 7: {
      const fromHead = Math.floor(rand() * (n + 1) / 3);
      const fromTail = Math.floor(rand() * (n - fromHead + 1) / 3);
      list.trim(fromHead, fromTail);
      model.splice(0, fromHead);
      model.splice(model.length - fromTail, fromTail);
      break;
    }
    case 8: {
      const where = rand() < 0.5 ? HEAD : TAIL;
      const count = Math.floor(rand() * 4);
      const sink = new Collect();
      const expected = where === HEAD ? model.splice(0, count) : model.splice(Math.max(0, model.length - count)).reverse();
      expect(list.popInto(where, count, sink)).toBe(expected.length);
      expect(sink.items).toEqual(expected);
      break;
    }
    case 9: {
      const start = Math.floor(rand() * (n + 1));
      const count = Math.floor(rand() * (n - start + 1));
      const sink = new Collect();
      list.writeRange(start, count, sink);
      expect(sink.items).toEqual(model.slice(start, start + count));
      break;
    }
    default: {
      const i = n === 0 ? 0 : Math.floor(rand() * 2 * n) - n;
      const j = i < 0 ? n + i : i;
      expect(list.at(i)).toBe(j >= 0 && j < n ? model[j] : undefined);
    }
  }
}

describe('ListValue against an array model', () => {
  afterEach(() => {
    setPackedThreshold(0);
  });

  for (const fill of [-2, -1, 1, 5, 128, 0]) {
    it(`random edits keep the same elements in order (list-max-listpack-size ${fill})`, () => {
      const rand = prng(4242 + fill);
      for (let round = 0; round < 15; round++) {
        const list = new ListValue(fill, 0);
        const model: string[] = [];
        for (let s = 0; s < 300; s++) {
          step(rand, list, model);
          expect(list.length).toBe(model.length);
        }
        expect(contents(list)).toEqual(model);
        expect(backward(list)).toEqual(model);
        expect(contents(list.clone())).toEqual(model);
        // The node layout holds the same elements, each node within Redis's limits.
        const fromNodes = list.nodes().flatMap((node) => (node.plain ? [node.bytes] : lpToArray(node.bytes)));
        expect(fromNodes).toEqual(model);
      }
    });
  }

  it('stays one listpack while Redis would keep one node, and converts past it', () => {
    const bySize = new ListValue(-2, 0);
    for (let i = 0; i < 1000; i++) bySize.push(`item:${i}`, TAIL);
    // 8 KB (fill -2): 1000 entries of 8-10 bytes do not fit.
    expect(bySize.isCompact).toBe(false);
    const small = new ListValue(-2, 0);
    for (let i = 0; i < 10; i++) small.push(`item:${i}`, TAIL);
    expect(small.isCompact).toBe(true);
    expect(small.nodes()).toEqual([{ plain: false, bytes: lpFromArray(contents(small)), count: 10 }]);
    const byCount = new ListValue(5, 0);
    for (let i = 0; i < 5; i++) byCount.push(String(i), HEAD);
    expect(byCount.isCompact).toBe(true);
    byCount.push('5', HEAD);
    expect(byCount.isCompact).toBe(false);
    expect(byCount.nodes().map((n) => n.count)).toEqual([5, 1]);
    expect(byCount.encoding()).toBe('quicklist');
    expect(byCount.fill).toBe(5);
  });

  it('puts elements at the packed threshold in plain nodes of their own', () => {
    expect(setPackedThreshold(10)).toBe(true);
    const list = new ListValue(-2, 1);
    list.push('short', TAIL);
    expect(list.isCompact).toBe(true);
    list.push('x'.repeat(10), TAIL);
    list.push('tail', TAIL);
    expect(list.isCompact).toBe(false);
    expect(list.nodes().map((n) => [n.plain, n.count])).toEqual([[false, 1], [true, 1], [false, 1]]);
    expect(list.compressed).toBe(true);
    const single = new ListValue(-2, 0);
    single.push('y'.repeat(20), TAIL);
    expect(single.isCompact).toBe(false);
    expect(setPackedThreshold(2 ** 32)).toBe(false);
  });

  it('fromNodes keeps one packed node as it is and joins several into the deque', () => {
    const one = ListValue.fromNodes([{ plain: false, bytes: lpFromArray(['a', '1']), count: 2 }], -2, 0);
    expect(one.isCompact).toBe(true);
    expect(contents(one)).toEqual(['a', '1']);
    const many = ListValue.fromNodes([
      { plain: false, bytes: lpFromArray(['a', 'b']), count: 2 }, { plain: true, bytes: 'big', count: 1 },
      { plain: false, bytes: lpFromArray(['7']), count: 1 },
    ], 2, 0);
    expect(many.isCompact).toBe(false);
    expect(contents(many)).toEqual(['a', 'b', 'big', '7']);
  });

  it('fromElements rebuilds a list compact when it fits one node', () => {
    expect(ListValue.fromElements(['a', 'b', '3'], -2, 0).isCompact).toBe(true);
    expect(contents(ListValue.fromElements(['a', 'b', '3'], 1, 0))).toEqual(['a', 'b', '3']);
    expect(ListValue.fromElements(['a', 'b', '3'], 1, 0).isCompact).toBe(false);
  });
});

describe('StringDeque against an array model', () => {
  it('random pushes, pops, inserts and removals across many chunks', () => {
    const rand = prng(99);
    const deque = new StringDeque();
    const model: string[] = [];
    for (let s = 0; s < 8000; s++) {
      const op = Math.floor(rand() * 10);
      const v = `e${s}`;
      if (op < 3) { deque.pushTail(v); model.push(v); }
      else if (op < 6) { deque.pushHead(v); model.unshift(v); }
      else if (op === 6 && model.length > 0) expect(deque.popHead()).toBe(model.shift());
      else if (op === 7 && model.length > 0) expect(deque.popTail()).toBe(model.pop());
      else if (op === 8) {
        const i = Math.floor(rand() * (model.length + 1));
        deque.insertAt(i, v);
        model.splice(i, 0, v);
      } else if (model.length > 0) {
        const i = Math.floor(rand() * model.length);
        deque.removeAt(i);
        model.splice(i, 1);
      }
      expect(deque.length).toBe(model.length);
    }
    for (let i = 0; i < model.length; i++) expect(deque.get(i)).toBe(model[i]);
  });

  it('drains to empty and grows again from either end', () => {
    const deque = new StringDeque();
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 1000; i++) deque.pushHead(String(i));
      for (let i = 0; i < 1000; i++) expect(deque.popTail()).toBe(String(i));
      expect(deque.length).toBe(0);
      for (let i = 0; i < 1000; i++) deque.pushTail(String(i));
      for (let i = 0; i < 1000; i++) expect(deque.popHead()).toBe(String(i));
    }
    expect(StringDeque.from(['a', 'b']).get(1)).toBe('b');
  });
});
