// The JSON document model: the parser (numbers kept as RedisJSON keeps them, serde_json's error
// texts), the serializer (ryu's float layout, escapes, the formatter's rules), the legacy path
// conversion, and JSONPath results checked against a small reference evaluator on random
// documents and random paths.

import { describe, expect, it } from 'vitest';
import { evaluate } from '../../src/json/evaluate.js';
import { JsonFloat, JsonObject, type JsonNode } from '../../src/json/model.js';
import { pathsForUpdate } from '../../src/json/mutate.js';
import { parseJson } from '../../src/json/parse.js';
import { compilePath, userPath } from '../../src/json/path.js';
import { grammarError } from '../../src/json/path-grammar.js';
import { formatFloat, serialize, serializeCompact } from '../../src/json/serialize.js';
import { prng } from '../helpers/random.js';

const utf8 = (s: string): string => Buffer.from(s, 'utf8').toString('latin1');

describe('JSON parser and serializer', () => {
  it('keeps integers, floats and big integers apart', () => {
    const doc = parseJson('[1, 1.0, 1e2, -0, 9007199254740993, 18446744073709551615, 18446744073709551616, -9223372036854775809]') as JsonNode[];
    expect(doc[0]).toBe(1);
    expect(doc[1]).toBeInstanceOf(JsonFloat);
    expect(doc[2]).toEqual(new JsonFloat(100));
    expect(doc[4]).toBe(9007199254740993n);
    expect(doc[5]).toBe(18446744073709551615n);
    // Past u64 (or below i64) an integer becomes a float, as serde_json parses it.
    expect(doc[6]).toEqual(new JsonFloat(18446744073709551616));
    expect(doc[7]).toBeInstanceOf(JsonFloat);
    expect(serializeCompact(parseJson('[1,1.0,1e2,-0,9007199254740993,18446744073709551615]'))).toBe('[1,1.0,100.0,0,9007199254740993,18446744073709551615]');
  });

  it('writes floats as ryu lays them out', () => {
    const cases: [number, string][] = [
      [1, '1.0'], [0, '0.0'], [-0, '-0.0'], [1.5, '1.5'], [1e15, '1000000000000000.0'], [1e16, '1e16'],
      [1.5e16, '1.5e16'], [0.0001, '0.0001'], [0.00001, '0.00001'], [0.000001, '1e-6'], [1.5e-7, '1.5e-7'], [123.456, '123.456'],
      [1.2345678901234568e20, '1.2345678901234568e20'], [-2.5e-300, '-2.5e-300'], [5e-324, '5e-324'],
      [1.7976931348623157e308, '1.7976931348623157e308'], [0.1 + 0.2, '0.30000000000000004'],
    ];
    for (const [value, text] of cases) expect(formatFloat(value)).toBe(text);
  });

  it('escapes as serde_json and keeps UTF-8 as is', () => {
    const doc = parseJson(utf8('"\\u0000\\u001f\\"\\\\\\/\\b\\f\\n\\r\\t\u007f é \\u00e9 \\ud83d\\ude00"'));
    expect(serializeCompact(doc)).toBe(utf8('"\\u0000\\u001f\\"\\\\/\\b\\f\\n\\r\\t\u007f é é 😀"'));
  });

  it("reports serde_json's errors with line and column", () => {
    const cases: [string, string][] = [
      ['', 'EOF while parsing a value at line 1 column 0'],
      ['x', 'expected value at line 1 column 1'],
      ['{"a":1', 'EOF while parsing an object at line 1 column 6'],
      ['[1,]', 'trailing comma at line 1 column 4'],
      ['[1 2]', 'expected `,` or `]` at line 1 column 4'],
      ['{"a" 1}', 'expected `:` at line 1 column 6'],
      ['{1:2}', 'key must be a string at line 1 column 2'],
      ['01', 'invalid number at line 1 column 2'],
      ['1.', 'EOF while parsing a value at line 1 column 2'],
      ['1e400', 'number out of range at line 1 column 5'],
      ['tru', 'EOF while parsing a value at line 1 column 3'],
      ['trux', 'expected ident at line 1 column 4'],
      ['"a\nb"', 'control character (\\u0000-\\u001F) found while parsing a string at line 2 column 0'],
      ['"\\x"', 'invalid escape at line 1 column 3'],
      ['"\\udc00"', 'lone leading surrogate in hex escape at line 1 column 7'],
      ['1 2', 'trailing characters at line 1 column 3'],
      ['[\n1,\n]', 'trailing comma at line 3 column 1'],
    ];
    for (const [text, message] of cases) expect(() => parseJson(text), text).toThrow(message);
  });

  it("formats as RedisJSON's formatter, empty containers included", () => {
    const doc = parseJson('{"a":[],"b":[1,[2]],"c":{}}');
    expect(serialize(doc, { indent: '  ', newline: '\n', space: ' ' })).toBe('{\n  "a": [],\n  "b": [\n    1,\n    [\n      2\n    ]\n  ],\n  "c": {}\n}');
    expect(serialize(doc, { indent: null, newline: null, space: ' ' })).toBe('{"a": [],"b": [1,[2]],"c": {}}');
  });

  it('moves the last member into a removed member (RedisJSON object order)', () => {
    const obj = parseJson('{"a":1,"b":2,"c":3,"d":4}') as JsonObject;
    obj.remove('b');
    expect(serializeCompact(obj)).toBe('{"a":1,"d":4,"c":3}');
    // Past the indexed size too.
    const big = new JsonObject();
    for (let i = 0; i < 20; i++) big.set(`k${i}`, i);
    big.remove('k0');
    expect(big.keys[0]).toBe('k19');
    expect(big.get('k19')).toBe(19);
    expect(big.get('k0')).toBeUndefined();
  });
});

describe('paths', () => {
  it('turns legacy paths into JSONPath as RedisJSON does', () => {
    expect(userPath('.')).toEqual({ original: '.', path: '$', legacy: true });
    expect(userPath('.a.b')).toMatchObject({ path: '$.a.b', legacy: true });
    expect(userPath('a[0]')).toMatchObject({ path: '$.a[0]', legacy: true });
    expect(userPath('$')).toMatchObject({ path: '$', legacy: false });
    expect(userPath('$.a')).toMatchObject({ legacy: false });
    expect(userPath('$a')).toMatchObject({ path: '$.$a', legacy: true });
  });

  it('refuses malformed JSONPath with the position', () => {
    expect(() => compilePath('$.a[')).toThrow('Error occurred on position 4, "$.a[ <<<<----"');
    expect(() => compilePath('$.a[0:3:0]')).toThrow('Error occurred on position');
    expect(() => compilePath('$..')).toThrow('Error occurred on position 3');
    // pest's list: the rules tried at the farthest failure, in the grammar's order (EOI first).
    expect(() => compilePath('$.a[$]')).toThrow(`Error occurred on position 4, "$.a[ ---->>>> $]", expected one of the following: '<string>[,<string>,...]', '<number>', ['start:end:steps'], '*'.`);
    expect(() => compilePath('$.gar\x00\x00bage')).toThrow(`Error occurred on position 5, "$.gar ---->>>> \x00\x00bage", expected one of the following: EOI, '..'.`);
    expect(() => compilePath('$.a.')).toThrow(`Error occurred on position 4, "$.a. <<<<----", expected one of the following: <string>, '*'.`);
    expect(() => compilePath('$.a[0:3:0]')).toThrow('Error occurred on position 8, "$.a[0:3: ---->>>> 0]", expected one of the following: pos_number.');
    expect(() => compilePath('$[?(@.a == 1')).toThrow('Error occurred on position 12, "$[?(@.a == 1 <<<<----", expected one of the following: and, or.');
    expect(compilePath('$.a[ 1 , 2 ]').steps).toEqual([{ t: 'key', name: 'a' }, { t: 'indexes', indexes: [1, 2] }]);
    expect(compilePath('$.a.b[0]').isStatic).toBe(true);
    expect(compilePath('$.a[*]').isStatic).toBe(false);
  });

  it('accepts exactly what the grammar accepts (the compiler against the pest-style recognizer)', () => {
    const tokens = ['.', '..', 'a', 'b1', '*', '[', ']', '0', '1', '-1', ':', ',', "'x'", '"y"', '?', '(', ')', '@', '$', '==', '<', '>=', '=~', '&&', '||', ' ', 'true', 'null', '1.5', '"a\\"b"', "'c\\'d'", '!='];
    const rand = prng(948);
    let accepted = 0;
    for (let round = 0; round < 20_000; round++) {
      let path = '$';
      const n = 1 + Math.floor(rand() * 8);
      for (let k = 0; k < n; k++) path += tokens[Math.floor(rand() * tokens.length)];
      let compiled = true;
      try {
        compilePath(path);
      } catch {
        compiled = false;
      }
      expect(compiled, path).toBe(grammarError(path) === null);
      if (compiled) accepted++;
    }
    expect(accepted).toBeGreaterThan(500);
  });

  it('orders paths for mutation: deeper first, higher indexes first, nested matches dropped', () => {
    expect(pathsForUpdate([['a'], ['a', 0], ['b', 1], ['b', 3]])).toEqual([['a'], ['b', 3], ['b', 1]]);
  });
});

// ------------------------------------------------------------------------------------ property test

/** A plain JS view of a document for the reference evaluator (objects as entry lists). */
type Plain = null | boolean | number | string | Plain[] | { entries: [string, Plain][] };

function toPlain(node: JsonNode): Plain {
  if (node instanceof JsonFloat) return node.value;
  if (typeof node === 'bigint') return Number(node);
  if (Array.isArray(node)) return node.map(toPlain);
  if (node instanceof JsonObject) return { entries: node.keys.map((k, i) => [k, toPlain(node.values[i])]) };
  return node;
}

type RefStep = { t: 'key'; k: string } | { t: 'all' } | { t: 'scan' } | { t: 'index'; i: number } | { t: 'slice'; s: number; e: number; step: number };

/** The reference: a direct reading of the JSONPath rules, kept independent of src/json. */
function reference(steps: RefStep[], node: Plain): Plain[] {
  if (steps.length === 0) return [node];
  const [step, ...rest] = steps;
  const children = (n: Plain): Plain[] => (Array.isArray(n) ? n : n !== null && typeof n === 'object' ? n.entries.map((e) => e[1]) : []);
  switch (step.t) {
    case 'key': {
      if (node === null || typeof node !== 'object' || Array.isArray(node)) return [];
      const entry = node.entries.find((e) => e[0] === step.k);
      return entry === undefined ? [] : reference(rest, entry[1]);
    }
    case 'all': return children(node).flatMap((c) => reference(rest, c));
    case 'scan': {
      const out = reference(rest, node);
      for (const c of children(node)) out.push(...reference(steps, c).filter(() => true).slice(0));
      return out;
    }
    case 'index': {
      if (!Array.isArray(node)) return [];
      const i = step.i >= 0 ? Math.min(step.i, node.length) : Math.max(step.i + node.length, 0);
      return i < node.length ? reference(rest, node[i]) : [];
    }
    case 'slice': {
      if (!Array.isArray(node)) return [];
      const abs = (i: number): number => (i >= 0 ? Math.min(i, node.length) : Math.max(i + node.length, 0));
      const out: Plain[] = [];
      for (let i = abs(step.s); i < abs(step.e); i += step.step) out.push(...reference(rest, node[i]));
      return out;
    }
  }
}

function randomDoc(rand: () => number, depth: number): string {
  const r = rand();
  if (depth > 3 || r < 0.3) {
    const s = rand();
    if (s < 0.3) return String(Math.floor(rand() * 200) - 100);
    if (s < 0.5) return String(Math.round(rand() * 10000) / 100 + 0.005);
    if (s < 0.7) return JSON.stringify(['a', 'b', 'x', 'é'][Math.floor(rand() * 4)]);
    if (s < 0.85) return rand() < 0.5 ? 'true' : 'false';
    return 'null';
  }
  const n = Math.floor(rand() * 4);
  if (r < 0.65) return `[${Array.from({ length: n }, () => randomDoc(rand, depth + 1)).join(',')}]`;
  const keys = ['a', 'b', 'c', 'd'].slice(0, n);
  return `{${keys.map((k) => `"${k}":${randomDoc(rand, depth + 1)}`).join(',')}}`;
}

function randomPath(rand: () => number): { text: string; steps: RefStep[] } {
  let text = '$';
  const steps: RefStep[] = [];
  const n = 1 + Math.floor(rand() * 3);
  for (let i = 0; i < n; i++) {
    const r = rand();
    if (r < 0.25) {
      const k = ['a', 'b', 'c', 'd'][Math.floor(rand() * 4)];
      text += rand() < 0.5 ? `.${k}` : `['${k}']`;
      steps.push({ t: 'key', k });
    } else if (r < 0.4) {
      text += rand() < 0.5 ? '.*' : '[*]';
      steps.push({ t: 'all' });
    } else if (r < 0.55 && steps.at(-1)?.t !== 'scan') {
      const k = ['a', 'b'][Math.floor(rand() * 2)];
      text += `..${k}`;
      steps.push({ t: 'scan' }, { t: 'key', k });
    } else if (r < 0.8) {
      const idx = Math.floor(rand() * 7) - 3;
      text += `[${idx}]`;
      steps.push({ t: 'index', i: idx });
    } else {
      const s = Math.floor(rand() * 5) - 2;
      const e = Math.floor(rand() * 5) - 1;
      const step = 1 + Math.floor(rand() * 2);
      text += `[${s}:${e}:${step}]`;
      steps.push({ t: 'slice', s, e, step });
    }
  }
  return { text, steps };
}

describe('JSONPath against a reference evaluator', () => {
  it('gives the same matches in the same order on random documents and paths', () => {
    const rand = prng(21);
    for (let round = 0; round < 3000; round++) {
      const text = randomDoc(rand, 0);
      const doc = parseJson(utf8(text));
      const path = randomPath(rand);
      const ours = evaluate(compilePath(path.text).steps, doc, true);
      const expected = reference(path.steps, toPlain(doc));
      expect(ours.map((m) => toPlain(m.node)), `${path.text} on ${text}`).toEqual(expected);
      // Each match's path leads back to the match.
      for (const m of ours) {
        let node: JsonNode | undefined = doc;
        for (const token of m.path ?? []) node = typeof token === 'number' ? (node as JsonNode[])[token] : (node as JsonObject).get(token);
        expect(node).toBe(m.node);
      }
    }
  });

  it('round-trips random documents through the parser and the compact serializer', () => {
    const rand = prng(7);
    for (let round = 0; round < 2000; round++) {
      const text = utf8(randomDoc(rand, 0));
      expect(serializeCompact(parseJson(serializeCompact(parseJson(text))))).toBe(serializeCompact(parseJson(text)));
      expect(serializeCompact(parseJson(text))).toBe(text);
    }
  });
});
