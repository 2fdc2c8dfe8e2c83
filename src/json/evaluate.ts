// Evaluating compiled JSONPath against a document, as RedisJSON's evaluator does: the order of
// results (".." visits a node, then each child's subtree in document order), clamped indexes,
// filters over the members of arrays and objects, comparisons between kinds (integers and floats
// compare as numbers; other mixes never match), "=~" over strings. Each result carries its
// concrete path (keys and indexes) when the caller wants to change the document there.

import { JsonFloat, JsonObject, kindOf, nodesEqual, type JsonNode } from './model.js';
import type { CompareOp, Filter, Step, Term } from './path.js';

export type PathToken = string | number;

export interface Match {
  node: JsonNode;
  /** Keys and indexes from the root; null when paths were not asked for. */
  path: PathToken[] | null;
}

/** The matches of `steps` on `root`, in RedisJSON's order. */
export function evaluate(steps: readonly Step[], root: JsonNode, withPaths: boolean): Match[] {
  const out: Match[] = [];
  run(steps, 0, root, withPaths ? [] : null, root, out);
  return out;
}

/** Only the values. */
export function evaluateValues(steps: readonly Step[], root: JsonNode): JsonNode[] {
  return evaluate(steps, root, false).map((m) => m.node);
}

function child(path: PathToken[] | null, token: PathToken): PathToken[] | null {
  return path === null ? null : [...path, token];
}

function isContainer(node: JsonNode): node is JsonNode[] | JsonObject {
  return node !== null && typeof node === 'object' && !(node instanceof JsonFloat);
}

function absIndex(i: number, n: number): number {
  return i >= 0 ? Math.min(i, n) : Math.max(i + n, 0);
}

function run(steps: readonly Step[], at: number, node: JsonNode, path: PathToken[] | null, root: JsonNode, out: Match[]): void {
  if (at === steps.length) {
    out.push({ node, path });
    return;
  }
  const step = steps[at];
  const next = at + 1;
  switch (step.t) {
    case 'scan':
      run(steps, next, node, path, root, out);
      scan(steps, next, node, path, root, out);
      return;
    case 'all':
      if (Array.isArray(node)) {
        for (let i = 0; i < node.length; i++) run(steps, next, node[i], child(path, i), root, out);
      } else if (node instanceof JsonObject) {
        for (let i = 0; i < node.keys.length; i++) run(steps, next, node.values[i], child(path, node.keys[i]), root, out);
      }
      return;
    case 'key':
      if (node instanceof JsonObject) {
        const value = node.get(step.name);
        if (value !== undefined) run(steps, next, value, child(path, step.name), root, out);
      }
      return;
    case 'keys':
      if (node instanceof JsonObject) {
        for (const name of step.names) {
          const value = node.get(name);
          if (value !== undefined) run(steps, next, value, child(path, name), root, out);
        }
      }
      return;
    case 'indexes':
      if (Array.isArray(node)) {
        for (const raw of step.indexes) {
          const i = absIndex(raw, node.length);
          if (i < node.length) run(steps, next, node[i], child(path, i), root, out);
        }
      }
      return;
    case 'range': {
      if (!Array.isArray(node)) return;
      const n = node.length;
      const start = step.start === null ? 0 : absIndex(step.start, n);
      const end = step.end === null ? n : absIndex(step.end, n);
      for (let i = start; i < end; i += step.step) run(steps, next, node[i], child(path, i), root, out);
      return;
    }
    case 'filter':
      if (Array.isArray(node)) {
        for (let i = 0; i < node.length; i++) {
          if (filterMatches(step.filter, node[i], root)) run(steps, next, node[i], child(path, i), root, out);
        }
      } else if (node instanceof JsonObject) {
        for (let i = 0; i < node.keys.length; i++) {
          if (filterMatches(step.filter, node.values[i], root)) run(steps, next, node.values[i], child(path, node.keys[i]), root, out);
        }
      }
      return;
  }
}

function scan(steps: readonly Step[], at: number, node: JsonNode, path: PathToken[] | null, root: JsonNode, out: Match[]): void {
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) {
      const p = child(path, i);
      run(steps, at, node[i], p, root, out);
      scan(steps, at, node[i], p, root, out);
    }
  } else if (node instanceof JsonObject) {
    for (let i = 0; i < node.keys.length; i++) {
      const p = child(path, node.keys[i]);
      run(steps, at, node.values[i], p, root, out);
      scan(steps, at, node.values[i], p, root, out);
    }
  }
}

// ------------------------------------------------------------------------------------ filters

/** A term's value: a literal, one node, several nodes (any may satisfy), or nothing. */
type TermValue =
  | { t: 'int'; value: bigint }
  | { t: 'float'; value: number }
  | { t: 'string'; value: string }
  | { t: 'bool'; value: boolean }
  | { t: 'null' }
  | { t: 'node'; node: JsonNode }
  | { t: 'nodes'; nodes: JsonNode[] }
  | { t: 'invalid' };

function termValue(term: Term, current: JsonNode, root: JsonNode): TermValue {
  switch (term.t) {
    case 'current':
    case 'root': {
      const base = term.t === 'current' ? current : root;
      if (term.steps.length === 0) return { t: 'node', node: base };
      const found = evaluateValues(term.steps, base);
      if (found.length === 0) return { t: 'invalid' };
      return found.length === 1 ? { t: 'node', node: found[0] } : { t: 'nodes', nodes: found };
    }
    case 'int': return { t: 'int', value: term.value };
    case 'float': return { t: 'float', value: term.value };
    case 'string': return { t: 'string', value: term.value };
    case 'bool': return { t: 'bool', value: term.value };
    case 'null': return { t: 'null' };
  }
}

/** A node as a comparable scalar; null for containers (not comparable). */
function scalarOf(node: JsonNode): TermValue | null {
  switch (kindOf(node)) {
    case 'integer': return { t: 'int', value: BigInt(node as number | bigint) };
    case 'number': return { t: 'float', value: (node as JsonFloat).value };
    case 'string': return { t: 'string', value: node as string };
    case 'boolean': return { t: 'bool', value: node as boolean };
    case 'null': return { t: 'null' };
    default: return null;
  }
}

/** -1, 0, 1, or null when the two cannot be compared. */
function compare(a: TermValue, b: TermValue): number | null {
  if (a.t === 'node') {
    const s = scalarOf(a.node);
    return s === null ? null : compare(s, b);
  }
  if (b.t === 'node') {
    const s = scalarOf(b.node);
    return s === null ? null : compare(a, s);
  }
  if (a.t === 'int' && b.t === 'int') return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
  if ((a.t === 'int' || a.t === 'float') && (b.t === 'int' || b.t === 'float')) {
    const x = Number(a.value);
    const y = Number(b.value);
    return x > y ? 1 : x < y ? -1 : 0;
  }
  if (a.t === 'string' && b.t === 'string') return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
  if (a.t === 'bool' && b.t === 'bool') return Number(a.value) - Number(b.value);
  if (a.t === 'null' && b.t === 'null') return 0;
  return null;
}

function equals(a: TermValue, b: TermValue): boolean {
  if (a.t === 'nodes') return a.nodes.some((n) => equals({ t: 'node', node: n }, b));
  if (b.t === 'nodes') return b.nodes.some((n) => equals(a, { t: 'node', node: n }));
  if (a.t === 'node' && b.t === 'node') return nodesEqual(a.node, b.node);
  return compare(a, b) === 0;
}

function ordered(a: TermValue, b: TermValue, accept: (c: number) => boolean): boolean {
  if (a.t === 'nodes') return a.nodes.some((n) => ordered({ t: 'node', node: n }, b, accept));
  if (b.t === 'nodes') return b.nodes.some((n) => ordered(a, { t: 'node', node: n }, accept));
  const c = compare(a, b);
  return c !== null && accept(c);
}

const regexCache = new Map<string, RegExp | null>();
/** Compiled regexes kept; emptied when full. */
const REGEX_CACHE_MAX_ENTRIES = 256;

/** UTF-8 bytes (latin1) as a JS string, for the regex engine. */
function decodeUtf8(bytes: string): string {
  // eslint-disable-next-line no-control-regex
  return /^[\u0000-\u007f]*$/.test(bytes) ? bytes : Buffer.from(bytes, 'latin1').toString('utf8');
}

function regexOf(pattern: string): RegExp | null {
  let re = regexCache.get(pattern);
  if (re === undefined) {
    try {
      re = new RegExp(decodeUtf8(pattern), 'u');
    } catch (err) {
      // An invalid pattern matches nothing, as in the module (its regex failing to compile).
      if (!(err instanceof SyntaxError)) throw err;
      re = null;
    }
    if (regexCache.size >= REGEX_CACHE_MAX_ENTRIES) regexCache.clear();
    regexCache.set(pattern, re);
  }
  return re;
}

function regexMatch(a: TermValue, b: TermValue): boolean {
  if (a.t === 'nodes') return a.nodes.some((n) => regexMatch({ t: 'node', node: n }, b));
  if (b.t === 'nodes') return b.nodes.some((n) => regexMatch(a, { t: 'node', node: n }));
  if (a.t !== 'node' || typeof a.node !== 'string') return false;
  let pattern: string;
  if (b.t === 'string') pattern = b.value;
  else if (b.t === 'node' && typeof b.node === 'string') pattern = b.node;
  else return false;
  const re = regexOf(pattern);
  return re !== null && re.test(decodeUtf8(a.node));
}

function applyOp(op: CompareOp, a: TermValue, b: TermValue): boolean {
  switch (op) {
    case '==': return equals(a, b);
    case '!=': return !equals(a, b);
    case '<': return ordered(a, b, (c) => c < 0);
    case '<=': return ordered(a, b, (c) => c <= 0);
    case '>': return ordered(a, b, (c) => c > 0);
    case '>=': return ordered(a, b, (c) => c >= 0);
    case '=~': return regexMatch(a, b);
  }
}

function filterMatches(filter: Filter, current: JsonNode, root: JsonNode): boolean {
  switch (filter.t) {
    case 'or': return filter.any.some((f) => filterMatches(f, current, root));
    case 'and': return filter.all.every((f) => filterMatches(f, current, root));
    case 'single': {
      const left = termValue(filter.left, current, root);
      if (filter.op === null || filter.right === null) return left.t !== 'invalid';
      return applyOp(filter.op, left, termValue(filter.right, current, root));
    }
  }
}
