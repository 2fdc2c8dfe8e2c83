// A JSON key's memory figure is kept by the document's edits (json/document.ts), not by a walk
// per write: after every writing command it must equal the figure of a fresh copy of the same
// document (RESTORE prices a new value by walking it), or used_memory would drift.

import { describe, expect, it } from 'vitest';
import { withServer } from '../helpers/server.js';

describe('JSON memory accounting over writes', () => {
  const server = withServer();
  const call = (...args: (string | number)[]): Promise<unknown> => server.r2.call(args[0] as string, ...args.slice(1).map(String));

  /** MEMORY USAGE of `doc` next to that of a restored copy under a key of the same length. */
  async function usageAndFresh(): Promise<[number, number]> {
    const payload = await server.r2.dumpBuffer('doc');
    await server.r2.del('cpy');
    await server.r2.restore('cpy', 0, payload);
    return [Number(await call('MEMORY', 'USAGE', 'doc')), Number(await call('MEMORY', 'USAGE', 'cpy'))];
  }

  it('matches a fresh pricing after every kind of write', async () => {
    const fields = Array.from({ length: 20 }, (_, i) => `"f${i}":{"name":"n${i}","tags":[1,2,3],"n":${i}}`).join(',');
    await call('JSON.SET', 'doc', '$', `{${fields},"list":[1,"two",3.0,{"x":null}],"flag":true,"s":"abc"}`);
    const writes: (string | number)[][] = [
      ['JSON.SET', 'doc', '$.f3.name', '"a longer name than it was"'],
      ['JSON.SET', 'doc', '$.newkey', '{"deep":[1,2,{"k":"v"}]}'],
      ['JSON.SET', 'doc', '$..name', '"same"'],
      ['JSON.MERGE', 'doc', '$', '{"f1":null,"f2":{"tags":null,"extra":[true]},"added":"x"}'],
      ['JSON.MERGE', 'doc', '$.f4', '{"n":12345678901}'],
      ['JSON.MSET', 'doc', '$.f5.n', '1.5', 'doc', '$.f6', '[]'],
      ['JSON.DEL', 'doc', '$.f7'],
      ['JSON.DEL', 'doc', '$..tags[0]'],
      ['JSON.FORGET', 'doc', '$.list[1]'],
      ['JSON.NUMINCRBY', 'doc', '$..n', 1e9],
      ['JSON.NUMMULTBY', 'doc', '$.f8.n', 2.5],
      ['JSON.TOGGLE', 'doc', '$.flag'],
      ['JSON.STRAPPEND', 'doc', '$.s', '"defghijklmnopqrstuvwxyz"'],
      ['JSON.ARRAPPEND', 'doc', '$.list', '"appended"', '{"o":[1]}'],
      ['JSON.ARRINSERT', 'doc', '$.list', 1, '"inserted"', 'null'],
      ['JSON.ARRPOP', 'doc', '$.list'],
      ['JSON.ARRPOP', 'doc', '$.list', 0],
      ['JSON.ARRTRIM', 'doc', '$.list', 1, 2],
      ['JSON.CLEAR', 'doc', '$.f9'],
      ['JSON.CLEAR', 'doc', '$.f10.n'],
      ['JSON.SET', 'doc', '$', '{"small":1}'],
    ];
    let previous = 0;
    let moved = 0;
    for (const write of writes) {
      await call(...write);
      const [usage, fresh] = await usageAndFresh();
      expect(usage, write.join(' ')).toBe(fresh);
      if (usage !== previous) moved++;
      previous = usage;
    }
    // The writes did change the document's size (the comparison above was not vacuous).
    expect(moved).toBeGreaterThan(writes.length / 2);
  });
});
