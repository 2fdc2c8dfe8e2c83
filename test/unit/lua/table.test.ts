// table library natives (ltablib.c). Expectations were checked against Lua 5.1; sort is also
// compared call for call with a real Lua 5.1 when one is installed.
import { describe, expect, it } from 'vitest';
import { lessEqual, lessThan, orderErrorMessage } from '../../../src/scripting/lua/lib/compare.js';
import { openTable } from '../../../src/scripting/lua/lib/table.js';
import { LuaError, LuaTable, NativeFunction, type LuaValue } from '../../../src/scripting/lua/value.js';
import { FakeRuntime, POSITION, errorOf, fn, hasLua51, invoke, list, runLua51 } from './fake-runtime.js';

const rt = new FakeRuntime();
const lib = openTable(rt);
const call = (name: string, ...args: LuaValue[]): LuaValue[] => invoke(rt, lib, name, ...args);

function range(table: LuaTable, from: number, to: number): LuaValue[] {
  const out: LuaValue[] = [];
  for (let i = from; i <= to; i++) out.push(table.get(i));
  return out;
}

describe('table library', () => {
  it('insert appends, inserts at a position and shifts up, growing past the end', () => {
    let t = list(1, 2, 3);
    expect(call('insert', t, 4)).toEqual([]);
    expect(range(t, 1, 4)).toEqual([1, 2, 3, 4]);
    t = list(1, 2, 3);
    call('insert', t, 1, 0);
    expect(range(t, 1, 4)).toEqual([0, 1, 2, 3]);
    t = list(1, 2, 3);
    call('insert', t, 5, 9);
    expect(range(t, 1, 5)).toEqual([1, 2, 3, undefined, 9]);
    t = list('a');
    call('insert', t, 'b');
    call('insert', t, 1, undefined);
    expect(range(t, 1, 3)).toEqual([undefined, 'a', 'b']);
    t = list(1, 2, 3);
    call('insert', t, '2', 'x');
    expect(range(t, 1, 4)).toEqual([1, 'x', 2, 3]);
  });

  it('insert below index 1 shifts through the hash part as the C loop does', () => {
    let t = list(1, 2, 3);
    call('insert', t, 0, 9);
    expect(range(t, -1, 4)).toEqual([undefined, 9, undefined, 1, 2, 3]);
    t = list(1, 2, 3);
    t.set(-1, 'm');
    call('insert', t, -2, 9);
    expect(range(t, -3, 4)).toEqual([undefined, 9, undefined, 'm', undefined, 1, 2, 3]);
    t = list(1);
    call('insert', t, -(2 ** 31), 'far');
    expect(t.get(-(2 ** 31))).toBe('far');
    expect(range(t, 1, 2)).toEqual([undefined, 1]);
  });

  it('insert checks its arguments', () => {
    expect(errorOf(() => call('insert', new LuaTable()))).toBe(`${POSITION}wrong number of arguments to 'insert'`);
    expect(errorOf(() => call('insert', new LuaTable(), 1, 2, 3))).toBe(`${POSITION}wrong number of arguments to 'insert'`);
    expect(errorOf(() => call('insert', new LuaTable(), 'x', 1))).toBe(`${POSITION}bad argument #2 to 'insert' (number expected, got string)`);
    expect(errorOf(() => call('insert', undefined, 1))).toBe(`${POSITION}bad argument #1 to 'insert' (table expected, got nil)`);
  });

  it('refuses to modify a readonly table, without position', () => {
    const t = list(1, 2);
    t.readonly = true;
    expect(errorOf(() => call('insert', t, 3))).toBe('Attempt to modify a readonly table');
    expect(errorOf(() => call('remove', t))).toBe('Attempt to modify a readonly table');
    const unsorted = list(2, 1);
    unsorted.readonly = true;
    expect(errorOf(() => call('sort', unsorted))).toBe('Attempt to modify a readonly table');
  });

  it('remove takes the last or a given element and shifts down', () => {
    let t = list(1, 2, 3);
    expect(call('remove', t)).toEqual([3]);
    expect(range(t, 1, 3)).toEqual([1, 2, undefined]);
    t = list(1, 2, 3);
    expect(call('remove', t, 1)).toEqual([1]);
    expect(range(t, 1, 3)).toEqual([2, 3, undefined]);
    t = list(1, 2, 3);
    expect(call('remove', t, 5)).toEqual([]);
    expect(call('remove', t, 0)).toEqual([]);
    expect(call('remove', new LuaTable())).toEqual([]);
    expect(range(t, 1, 3)).toEqual([1, 2, 3]);
  });

  it('concat joins strings and numbers over a range', () => {
    expect(call('concat', list(1, 2, 3), ', ', 2)).toEqual(['2, 3']);
    expect(call('concat', new LuaTable(), ',')).toEqual(['']);
    expect(call('concat', list(1, 2, 3), ',', 3, 2)).toEqual(['']);
    expect(call('concat', list(1.5, 'a'), '-')).toEqual(['1.5-a']);
    expect(call('concat', list(1, 2, 3), undefined, 2, 3)).toEqual(['23']);
    expect(call('concat', list('a', 'b'), 0)).toEqual(['a0b']);
  });

  it('concat reports the first bad value and its index', () => {
    expect(errorOf(() => call('concat', list(1, new LuaTable(), 3)))).toBe(`${POSITION}invalid value (table) at index 2 in table for 'concat'`);
    expect(errorOf(() => call('concat', list(1, 2, 3), ',', 1, 5))).toBe(`${POSITION}invalid value (nil) at index 4 in table for 'concat'`);
    expect(errorOf(() => call('concat', list(1, true)))).toBe(`${POSITION}invalid value (boolean) at index 2 in table for 'concat'`);
    expect(errorOf(() => call('concat', list(1, 2), new LuaTable()))).toBe(`${POSITION}bad argument #2 to 'concat' (string expected, got table)`);
    // The separator is checked before the table, as lauxlib's calls are ordered.
    expect(errorOf(() => call('concat', 5, new LuaTable()))).toBe(`${POSITION}bad argument #2 to 'concat' (string expected, got table)`);
  });

  it('getn, maxn, setn', () => {
    expect(call('getn', list(1, 2, 3))).toEqual([3]);
    expect(errorOf(() => call('getn', 5))).toBe(`${POSITION}bad argument #1 to 'getn' (table expected, got number)`);
    const sparse = list(1);
    sparse.set(2.5, 'x');
    sparse.set(-5, 'y');
    sparse.set('k', 'z');
    expect(call('maxn', sparse)).toEqual([2.5]);
    expect(call('maxn', new LuaTable())).toEqual([0]);
    expect(errorOf(() => call('setn', new LuaTable(), 1))).toBe(`${POSITION}'setn' is obsolete`);
    expect(errorOf(() => call('setn', 1))).toBe(`${POSITION}bad argument #1 to 'setn' (table expected, got number)`);
  });

  it('foreach and foreachi stop at the first non-nil result', () => {
    expect(call('foreachi', list(10, 20, 30), fn((i, v) => (v === 20 ? (i as number) * 100 : undefined)))).toEqual([200]);
    expect(call('foreachi', list(10, 20), fn(() => undefined))).toEqual([]);
    const t = list('a', 'b');
    t.set('x', 'y');
    const seen: LuaValue[] = [];
    expect(call('foreach', t, fn((k, v) => {
      seen.push(k, v);
      return undefined;
    }))).toEqual([]);
    expect(seen).toEqual([1, 'a', 2, 'b', 'x', 'y']);
    expect(call('foreach', t, fn((k) => (k === 2 ? false : undefined)))).toEqual([false]);
    expect(errorOf(() => call('foreach', new LuaTable(), new LuaTable()))).toBe(`${POSITION}bad argument #2 to 'foreach' (function expected, got table)`);
  });

  it('sort orders numbers and strings with <, and with a comparator', () => {
    const numbers = list(5, 3, 9, 1, 7, 2, 8, 6, 4, 0);
    call('sort', numbers);
    expect(range(numbers, 1, 10)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const strings = list('b', 'a\0b', 'a', '\xff', 'B', 'a\0');
    call('sort', strings);
    expect(range(strings, 1, 6)).toEqual(['B', 'a', 'a\0', 'a\0b', 'b', '\xff']);
    const descending = list(1, 3, 2);
    call('sort', descending, fn((a, b) => (a as number) > (b as number)));
    expect(range(descending, 1, 3)).toEqual([3, 2, 1]);
    call('sort', new LuaTable());
  });

  it('sort errors: mixed types without position, bad comparators with it', () => {
    expect(errorOf(() => call('sort', list(3, 1, 'x')))).toBe('attempt to compare string with number');
    expect(errorOf(() => call('sort', list(new LuaTable(), new LuaTable())))).toBe('attempt to compare two table values');
    expect(errorOf(() => call('sort', list(3, 1, 2), 5))).toBe(`${POSITION}bad argument #2 to 'sort' (function expected, got number)`);
    const values: number[] = [];
    for (let i = 0; i < 20; i++) values.push((i * 7) % 20);
    expect(errorOf(() => call('sort', list(...values), fn(() => true)))).toBe(`${POSITION}invalid order function for sorting`);
  });

  it('sort uses __lt shared by both operands', () => {
    const meta = new LuaTable();
    meta.set('__lt', fn((a, b) => ((a as LuaTable).get('v') as number) < ((b as LuaTable).get('v') as number)));
    const item = (v: number): LuaTable => {
      const t = new LuaTable();
      t.set('v', v);
      t.metatable = meta;
      return t;
    };
    const t = list(item(3), item(1), item(2));
    call('sort', t);
    expect(range(t, 1, 3).map((x) => (x as LuaTable).get('v'))).toEqual([1, 2, 3]);
    const other = new LuaTable();
    other.set('__lt', fn(() => true));
    const stranger = item(0);
    stranger.metatable = other;
    expect(errorOf(() => call('sort', list(item(1), stranger)))).toBe('attempt to compare two table values');
  });

  it.skipIf(!hasLua51)('sort makes the same comparator calls and leaves equal keys in the same order as Lua 5.1', () => {
    let state = 4242;
    const random = (): number => {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      return (state >>> 0) / 4294967296;
    };
    const arrays: number[][] = [];
    for (let n = 0; n < 40; n++) arrays.push(Array.from({ length: n }, () => Math.floor(random() * (n / 3 + 1))));
    for (let k = 0; k < 20; k++) arrays.push(Array.from({ length: 100 + k * 13 }, () => Math.floor(random() * 10)));
    arrays.push(Array.from({ length: 50 }, (_, i) => i), Array.from({ length: 50 }, (_, i) => 50 - i));
    // A comparator that is not a strict order (<=) and one that is inconsistent.
    const comparators = ['a.k < b.k', 'a.k <= b.k', '(a.k * 7 + b.k) % 3 == 0'];
    let source = '';
    const expected: string[] = [];
    for (const cmp of comparators) {
      for (const keys of arrays) {
        source += `do local t = {${keys.map((k, i) => `{k=${k}, id=${i + 1}}`).join(',')}}
  local log = {}
  local ok, err = pcall(table.sort, t, function(a, b) log[#log + 1] = a.id .. ":" .. b.id return ${cmp} end)
  local ids = {} for i = 1, #t do ids[i] = t[i].id end
  print(table.concat(log, " ") .. "|" .. table.concat(ids, ",") .. "|" .. (ok and "ok" or err)) end\n`;
        const items = list(...keys.map((k, i) => {
          const item = new LuaTable();
          item.set('k', k);
          item.set('id', i + 1);
          return item;
        }));
        const log: string[] = [];
        const compare = new NativeFunction('cmp', (_rt, args) => {
          // Lua's comparator indexes a and b first; a nil one (read past the range) raises there.
          if (args[0] === undefined) throw new LuaError("stdin:1: attempt to index local 'a' (a nil value)");
          if (args[1] === undefined) throw new LuaError("stdin:1: attempt to index local 'b' (a nil value)");
          const a = args[0] as LuaTable;
          const b = args[1] as LuaTable;
          log.push(`${String(a.get('id'))}:${String(b.get('id'))}`);
          const ak = a.get('k') as number;
          const bk = b.get('k') as number;
          const result = cmp === 'a.k < b.k' ? ak < bk : cmp === 'a.k <= b.k' ? ak <= bk : (ak * 7 + bk) % 3 === 0;
          return [result];
        });
        let outcome = 'ok';
        try {
          call('sort', items, compare);
        } catch (error) {
          outcome = errorOf(() => {
            throw error;
          }).replace(POSITION, '').replace('stdin:1: ', '');
        }
        const ids = range(items, 1, items.length()).map((x) => String((x as LuaTable).get('id')));
        expected.push(`${log.join(' ')}|${ids.join(',')}|${outcome}`);
      }
    }
    const lines = runLua51(source).map((line) => line.replace(/stdin:\d+: /, ''));
    expected.forEach((line, i) => expect(line, `sort case ${i}`).toBe(lines[i]));
  });
});

describe('table.sort without comparator, NaN and -0 included', () => {
  it.skipIf(!hasLua51)('leaves the same order as Lua 5.1', () => {
    let state = 777;
    const random = (): number => {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      return (state >>> 0) / 4294967296;
    };
    const pool = [NaN, -0, 0, 1, -1, 2, 0.5];
    let source = 'local nan, negzero = 0/0, -1/(1/0)\n';
    const results: string[] = [];
    for (let k = 0; k < 200; k++) {
      const values = Array.from({ length: 2 + Math.floor(random() * 30) }, () => pool[Math.floor(random() * pool.length)]);
      const literal = values.map((v) => (Number.isNaN(v) ? 'nan' : Object.is(v, -0) ? 'negzero' : String(v))).join(',');
      source += `do local t = {${literal}} table.sort(t) local o = {} for i = 1, #t do local v = t[i]
  o[i] = v ~= v and "nan" or (v == 0 and 1/v < 0) and "-0" or tostring(v) end print(table.concat(o, ",")) end\n`;
      const table = list(...values);
      call('sort', table);
      results.push(range(table, 1, values.length).map((v) => (Number.isNaN(v) ? 'nan' : Object.is(v, -0) ? '-0' : String(v))).join(','));
    }
    const lines = runLua51(source);
    results.forEach((line, i) => expect(line, `case ${i}`).toBe(lines[i]));
  });
});

describe('lessThan', () => {
  it('compares numbers, strings by bytes, and reports mixed types', () => {
    expect(lessThan(rt, 1, 2)).toBe(true);
    expect(lessThan(rt, NaN, 1)).toBe(false);
    expect(lessThan(rt, 'a', 'b')).toBe(true);
    expect(lessThan(rt, 'a', 'a\0')).toBe(true);
    expect(lessThan(rt, 'Z', 'a')).toBe(true);
    expect(lessThan(rt, '\x7f', '\x80')).toBe(true);
    expect(errorOf(() => lessThan(rt, 1, 'x'))).toBe('attempt to compare number with string');
    expect(errorOf(() => lessThan(rt, 1, 'x', 1))).toBe(`${POSITION}attempt to compare number with string`);
    expect(errorOf(() => lessThan(rt, true, false))).toBe('attempt to compare two boolean values');
    expect(errorOf(() => lessThan(rt, undefined, undefined))).toBe('attempt to compare two nil values');
  });

  it('lessEqual uses __le, else the negated __lt with operands swapped', () => {
    expect(lessEqual(rt, 2, 2)).toBe(true);
    expect(lessEqual(rt, NaN, NaN)).toBe(false);
    expect(lessEqual(rt, 'b', 'a')).toBe(false);
    expect(errorOf(() => lessEqual(rt, 'a', 1))).toBe('attempt to compare string with number');
    const calls: string[] = [];
    const ltOnly = new LuaTable();
    ltOnly.set('__lt', fn((a, b) => {
      calls.push(`lt ${String((a as LuaTable).get('v'))} ${String((b as LuaTable).get('v'))}`);
      return ((a as LuaTable).get('v') as number) < ((b as LuaTable).get('v') as number);
    }));
    const item = (v: number, meta: LuaTable): LuaTable => {
      const t = new LuaTable();
      t.set('v', v);
      t.metatable = meta;
      return t;
    };
    expect(lessEqual(rt, item(1, ltOnly), item(2, ltOnly))).toBe(true);
    expect(lessEqual(rt, item(3, ltOnly), item(2, ltOnly))).toBe(false);
    expect(calls).toEqual(['lt 2 1', 'lt 2 3']);
    const withLe = new LuaTable();
    withLe.set('__le', fn(() => 'yes'));
    withLe.set('__lt', fn(() => false));
    expect(lessEqual(rt, item(3, withLe), item(2, withLe))).toBe(true);
    expect(errorOf(() => lessEqual(rt, item(1, withLe), item(1, ltOnly)))).toBe('attempt to compare two table values');
  });

  it('names two values of types sharing a third letter as 5.1 does', () => {
    expect(orderErrorMessage('s', 1)).toBe('attempt to compare string with number');
    expect(orderErrorMessage(new LuaTable(), fn(() => 1))).toBe('attempt to compare table with function');
  });
});
