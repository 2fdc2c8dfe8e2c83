// The document's byte count is kept by its edits (json/document.ts) instead of a walk per write:
// after any sequence of edits it must equal a fresh walk of the document (json/memory.ts's
// heapBytes), or the store's used_memory would drift.

import { describe, expect, it } from 'vitest';
import { JsonDocument } from '../../src/json/document.js';
import { evaluate, type PathToken } from '../../src/json/evaluate.js';
import { heapBytes } from '../../src/json/memory.js';
import { JsonObject, cloneNode, type JsonNode } from '../../src/json/model.js';
import { parseJson } from '../../src/json/parse.js';
import { compilePath } from '../../src/json/path.js';
import { prng } from '../helpers/random.js';

const KEYS = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'long key name'];

function randomValue(rand: () => number, depth: number): string {
  const r = rand();
  if (depth > 3 || r < 0.35) {
    const s = rand();
    if (s < 0.2) return String(Math.floor(rand() * 200) - 100);
    if (s < 0.3) return String(2 ** 40 + Math.floor(rand() * 100));
    if (s < 0.4) return '18446744073709551615';
    if (s < 0.5) return (rand() * 1000).toFixed(3);
    if (s < 0.7) return JSON.stringify('x'.repeat(Math.floor(rand() * 40)));
    if (s < 0.85) return rand() < 0.5 ? 'true' : 'false';
    return 'null';
  }
  const n = Math.floor(rand() * 16);
  if (r < 0.6) return `[${Array.from({ length: n }, () => randomValue(rand, depth + 1)).join(',')}]`;
  return `{${KEYS.slice(0, n).map((k) => `"${k}":${randomValue(rand, depth + 1)}`).join(',')}}`;
}

/** Every node's concrete path (the root's is []). */
function allPaths(root: JsonNode): { path: PathToken[]; node: JsonNode }[] {
  return evaluate(compilePath('$..*').steps, root, true).map((m) => ({ path: m.path ?? [], node: m.node }));
}

function pick<T>(rand: () => number, items: readonly T[]): T {
  return items[Math.floor(rand() * items.length)];
}

describe('JsonDocument keeps its byte count through edits', () => {
  it('equals a fresh walk after random edits of every kind', () => {
    const rand = prng(2121);
    let changes = 0;
    for (let round = 0; round < 120; round++) {
      const doc = new JsonDocument(parseJson(randomValue(rand, 0)));
      for (let step = 0; step < 20; step++) {
        const bytesBefore = doc.heapBytes;
        const targets = [{ path: [] as PathToken[], node: doc.root }, ...allPaths(doc.root)];
        const target = pick(rand, targets);
        const value = (): JsonNode => parseJson(randomValue(rand, 2));
        const op = Math.floor(rand() * 8);
        const node = target.node;
        if (op === 0) doc.replace(target.path, value());
        else if (op === 1 && target.path.length > 0) doc.remove(target.path);
        else if (op === 2) doc.merge(target.path, value());
        else if (op === 3 && node instanceof JsonObject) doc.addKey(node, pick(rand, KEYS), value());
        else if (op === 4 && Array.isArray(node)) doc.insertItems(node, Math.floor(rand() * (node.length + 1)), [value(), value()]);
        else if (op === 5 && Array.isArray(node) && node.length > 0) {
          const at = Math.floor(rand() * node.length);
          doc.removeItems(node, at, Math.floor(rand() * (node.length - at + 1)));
        } else if (op === 6 && (Array.isArray(node) || node instanceof JsonObject)) doc.clearContainer(node);
        else if (op === 7) doc.merge(target.path, parseJson(`{"${pick(rand, KEYS)}":null,"${pick(rand, KEYS)}":${randomValue(rand, 2)}}`));
        expect(doc.heapBytes, `round ${round} step ${step} op ${op}`).toBe(heapBytes(doc.root));
        if (doc.heapBytes !== bytesBefore) changes++;
      }
    }
    // Most edits change the size: the loop did exercise the accounting.
    expect(changes).toBeGreaterThan(1000);
  });

  it('prices a one-field change by the field, not by the document', () => {
    const members = Array.from({ length: 200 }, (_, i) => `"field${i}":{"name":"n${i}","tags":[1,2,3]}`).join(',');
    const doc = new JsonDocument(parseJson(`{${members}}`));
    const before = doc.heapBytes;
    const field = (doc.root as JsonObject).get('field7') as JsonObject;
    const oldName = heapBytes(field.get('name') ?? null);
    doc.replace(['field7', 'name'], parseJson('"a much longer name than before"'));
    expect(doc.heapBytes - before).toBe(heapBytes('a much longer name than before') - oldName);
    expect(doc.heapBytes).toBe(heapBytes(doc.root));
    const copy = new JsonDocument(cloneNode(doc.root));
    expect(copy.heapBytes).toBe(doc.heapBytes);
  });
});
