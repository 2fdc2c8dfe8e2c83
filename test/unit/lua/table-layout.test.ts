// LuaTable's ltable.c layout against a plain model: whatever the sequence of assignments (array
// keys, holes, string/number/boolean keys, nils, rehashes), lookups and traversals see exactly
// the model's entries. The order itself is checked against redis-server in
// test/compat/scripting.test.ts.
import { describe, expect, it } from 'vitest';
import { luaStringHash } from '../../../src/scripting/lua/table-hash.js';
import { LuaTable, type LuaValue } from '../../../src/scripting/lua/value.js';
import { prng } from '../../helpers/random.js';

function randomKey(random: () => number): LuaValue {
  const pick = random();
  if (pick < 0.35) return Math.floor(random() * 40) + 1;
  if (pick < 0.45) return Math.floor(random() * 2000) - 1000;
  if (pick < 0.5) return random() * 10;
  if (pick < 0.53) return random() < 0.5;
  return `k${Math.floor(random() * 300)}`;
}

function traverse(table: LuaTable): Map<LuaValue, LuaValue> {
  const seen = new Map<LuaValue, LuaValue>();
  let key: LuaValue = undefined;
  for (;;) {
    const entry = table.next(key);
    if (entry === undefined) return seen;
    expect(seen.has(entry[0]), `key ${String(entry[0])} visited twice`).toBe(false);
    seen.set(entry[0], entry[1]);
    key = entry[0];
  }
}

describe('LuaTable layout', () => {
  it('keeps every entry through assignments, deletions and rehashes', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const random = prng(seed);
      const table = new LuaTable(Math.floor(random() * 4), Math.floor(random() * 4));
      const model = new Map<LuaValue, LuaValue>();
      for (let step = 0; step < 600; step++) {
        const key = randomKey(random);
        const value = random() < 0.25 ? undefined : step;
        table.set(key, value);
        if (value === undefined) model.delete(key);
        else model.set(key, value);
        if (step % 50 === 0) {
          for (const [k, v] of model) expect(table.get(k), `seed ${seed} key ${String(k)}`).toBe(v);
        }
      }
      const seen = traverse(table);
      expect(seen.size, `seed ${seed}`).toBe(model.size);
      for (const [k, v] of model) expect(seen.get(k)).toBe(v);
      // A border: t[n] non-nil (or n = 0) and t[n + 1] nil.
      const n = table.length();
      if (n > 0) expect(table.get(n)).not.toBeUndefined();
      expect(table.get(n + 1)).toBeUndefined();
    }
  });

  it('lets a traversal clear the entry it is on, as 5.1 allows', () => {
    const table = new LuaTable();
    for (let i = 0; i < 50; i++) table.set(`f${i}`, i);
    for (let i = 1; i <= 10; i++) table.set(i, i);
    let key: LuaValue = undefined;
    let visited = 0;
    for (;;) {
      const entry = table.next(key);
      if (entry === undefined) break;
      table.set(entry[0], undefined);
      key = entry[0];
      visited++;
    }
    expect(visited).toBe(60);
    expect(table.next(undefined)).toBeUndefined();
  });

  it("refuses next() from a key the table never had", () => {
    const table = new LuaTable();
    table.set('a', 1);
    expect(() => table.next('b')).toThrow("invalid key to 'next'");
  });

  it('hashes strings over every byte, seeded with the length (Redis lstring.c)', () => {
    expect(luaStringHash('')).toBe(0);
    // h = 1 ^ ((1 << 5) + (1 >> 2) + 97) = 1 ^ 129
    expect(luaStringHash('a')).toBe(128);
  });
});
