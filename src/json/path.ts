// Paths: the legacy dot path (".a.b[0]", answered with single values) turned into JSONPath as
// RedisJSON turns it, and the JSONPath language of RedisJSON 2.x: "$", ".key", "['key']", "..",
// "*", indexes (negative ones count from the end), slices, unions and filters with comparison,
// "=~" (regex), "&&", "||" and parentheses. Space characters may separate tokens, as in the
// module's grammar. Compilation errors carry the module's "Error occurred on position N, ..." form.

import { grammarError } from './path-grammar.js';

export type Term =
  | { t: 'current'; steps: Step[] }
  | { t: 'root'; steps: Step[] }
  | { t: 'int'; value: bigint }
  | { t: 'float'; value: number }
  | { t: 'string'; value: string }
  | { t: 'bool'; value: boolean }
  | { t: 'null' };

export type CompareOp = '==' | '!=' | '<' | '<=' | '>' | '>=' | '=~';

/** A filter: OR of ANDs of operands (AND binds tighter, as the module evaluates). */
export type Filter = { t: 'or'; any: Filter[] } | { t: 'and'; all: Filter[] } | { t: 'single'; left: Term; op: CompareOp | null; right: Term | null };

export type Step =
  | { t: 'key'; name: string }
  | { t: 'keys'; names: string[] }
  | { t: 'all' }
  | { t: 'scan' }
  | { t: 'indexes'; indexes: number[] }
  | { t: 'range'; start: number | null; end: number | null; step: number }
  | { t: 'filter'; filter: Filter };

export interface CompiledPath {
  readonly steps: Step[];
  /** At most one match by construction (keys and single indexes only). */
  readonly isStatic: boolean;
}

export class PathError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PathError';
  }
}

/** The path as given and the JSONPath it means (RedisJSON's Path::new). */
export interface UserPath {
  readonly original: string;
  readonly path: string;
  readonly legacy: boolean;
}

export function userPath(original: string): UserPath {
  const c1 = original.charCodeAt(1);
  if (original.startsWith('$') && (original.length < 2 || c1 === 0x2e || c1 === 0x5b)) return { original, path: original, legacy: false };
  let path: string;
  if (original === '.') path = '$';
  else if (original.startsWith('.')) path = '$' + original;
  else path = '$.' + original;
  return { original, path, legacy: true };
}

// Characters of a dot-notation key (the grammar's "literal").
function isLiteralChar(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) ||
    c === 0x2d || c === 0x5f || c === 0x60 || c === 0x7e || c === 0x2b || c === 0x23 || c === 0x25 ||
    c === 0x24 || c === 0x5e || c === 0x2f || c === 0x3a;
}

const cache = new Map<string, CompiledPath>();
/** Compiled paths kept for reuse; the cache is emptied when full. */
const CACHE_MAX_ENTRIES = 1024;
/** Paths longer than this are compiled every time (not cached). */
const CACHE_MAX_PATH_BYTES = 256;

/** Compiles a JSONPath (throws PathError with the module's message). */
export function compilePath(path: string): CompiledPath {
  const hit = cache.get(path);
  if (hit !== undefined) return hit;
  let compiled: CompiledPath;
  try {
    compiled = new PathParser(path).parseQuery();
  } catch (err) {
    // The module words a syntax error from its grammar's bookkeeping: replayed only on failure.
    if (err instanceof PathError) throw new PathError(grammarError(path) ?? err.message);
    throw err;
  }
  if (path.length <= CACHE_MAX_PATH_BYTES) {
    if (cache.size >= CACHE_MAX_ENTRIES) cache.clear();
    cache.set(path, compiled);
  }
  return compiled;
}

class PathParser {
  pos = 0;
  constructor(readonly text: string) {}

  fail(expected: string, at = this.pos): never {
    const text = this.text;
    const where = at >= text.length ? `"${text} <<<<----"` : `"${text.slice(0, at)} ---->>>> ${text.slice(at)}"`;
    throw new PathError(`Error occurred on position ${at}, ${where}, ${expected}.`);
  }

  peek(): number {
    return this.pos < this.text.length ? this.text.charCodeAt(this.pos) : -1;
  }

  spaces(): void {
    while (this.peek() === 0x20) this.pos++;
  }

  /** Consumes `s` after optional spaces; false (nothing consumed) when absent. */
  eat(s: string): boolean {
    const save = this.pos;
    this.spaces();
    if (this.text.startsWith(s, this.pos)) {
      this.pos += s.length;
      return true;
    }
    this.pos = save;
    return false;
  }

  parseQuery(): CompiledPath {
    if (this.peek() !== 0x24) this.fail('expected one of the following: $', 0);
    this.pos++;
    const steps = this.parseSteps(true);
    this.spaces();
    if (this.pos < this.text.length) this.fail('expected one of the following: EOI');
    let isStatic = true;
    for (const s of steps) {
      if (s.t === 'key') continue;
      if ((s.t === 'keys' && s.names.length === 1) || (s.t === 'indexes' && s.indexes.length === 1)) continue;
      isStatic = false;
    }
    return { steps, isStatic };
  }

  /** `root`: an optional first element (a bare literal or "*"), then elements. */
  parseSteps(allowBare: boolean): Step[] {
    const steps: Step[] = [];
    if (allowBare) {
      const save = this.pos;
      this.spaces();
      const literal = this.literal();
      if (literal !== null) steps.push({ t: 'key', name: literal });
      else if (this.peek() === 0x2a) {
        this.pos++;
        steps.push({ t: 'all' });
      } else this.pos = save;
    }
    for (;;) {
      const save = this.pos;
      const step = this.element(steps);
      if (!step) {
        this.pos = save;
        return steps;
      }
    }
  }

  literal(): string | null {
    const start = this.pos;
    while (this.pos < this.text.length && isLiteralChar(this.text.charCodeAt(this.pos))) this.pos++;
    return this.pos > start ? this.text.slice(start, this.pos) : null;
  }

  /** One element appended to `steps`; false when none follows. */
  element(steps: Step[]): boolean {
    this.spaces();
    const c = this.peek();
    if (c === 0x2e) {
      if (this.text.charCodeAt(this.pos + 1) === 0x2e) {
        this.pos += 2;
        steps.push({ t: 'scan' });
        this.spaces();
        const literal = this.literal();
        if (literal !== null) {
          steps.push({ t: 'key', name: literal });
          return true;
        }
        if (this.peek() === 0x2a) {
          this.pos++;
          steps.push({ t: 'all' });
          return true;
        }
        if (this.peek() === 0x5b) {
          this.pos++;
          steps.push(this.bracket());
          return true;
        }
        return this.fail("expected one of the following: <string>, '*'");
      }
      this.pos++;
      this.spaces();
      const literal = this.literal();
      if (literal !== null) {
        steps.push({ t: 'key', name: literal });
        return true;
      }
      if (this.peek() === 0x2a) {
        this.pos++;
        steps.push({ t: 'all' });
        return true;
      }
      if (this.eat('[')) {
        steps.push(this.bracket());
        return true;
      }
      return this.fail("expected one of the following: <string>, '*'");
    }
    if (c === 0x5b) {
      this.pos++;
      steps.push(this.bracket());
      return true;
    }
    return false;
  }

  /** After "[": a range, index list, key list, "*" or filter, then "]". */
  bracket(): Step {
    this.spaces();
    const step = this.range() ?? this.numbers() ?? this.strings() ?? this.allOrFilter();
    if (step === null) this.fail("expected one of the following: ['start:end:steps'], '<number>[,<number>,...]', '<string>[,<string>,...]', '*', '[?(filter_expression)]'");
    if (!this.eat(']')) this.fail('expected one of the following: ]');
    return step;
  }

  allOrFilter(): Step | null {
    if (this.eat('*')) return { t: 'all' };
    if (this.eat('?')) return { t: 'filter', filter: this.filter() };
    return null;
  }

  number(): bigint | null {
    const save = this.pos;
    this.spaces();
    const start = this.pos;
    if (this.peek() === 0x2d) this.pos++;
    const d = this.peek();
    if (d === 0x30) this.pos++;
    else if (d >= 0x31 && d <= 0x39) {
      while (this.peek() >= 0x30 && this.peek() <= 0x39) this.pos++;
    } else {
      this.pos = save;
      return null;
    }
    return BigInt(this.text.slice(start, this.pos));
  }

  posNumber(): number | null {
    const save = this.pos;
    this.spaces();
    const start = this.pos;
    const d = this.peek();
    if (!(d >= 0x31 && d <= 0x39)) {
      this.pos = save;
      return null;
    }
    while (this.peek() >= 0x30 && this.peek() <= 0x39) this.pos++;
    return Number(this.text.slice(start, this.pos));
  }

  /** An index as the evaluator uses it (clamped to a safe range; arrays are far shorter). */
  static index(n: bigint): number {
    const bound = BigInt(Number.MAX_SAFE_INTEGER);
    return Number(n > bound ? bound : n < -bound ? -bound : n);
  }

  /** The optional ":step" or ":" tail of a range; null when a step is malformed. */
  rangeStep(): number | null {
    const save = this.pos;
    if (this.eat(':')) {
      const step = this.posNumber();
      if (step !== null) return step;
      // A bare ":" is accepted as "step 1"; "0" or junk after it fails the whole range.
      const after = this.pos;
      this.spaces();
      if (this.peek() === 0x5d) {
        this.pos = after;
        return 1;
      }
      this.pos = save;
      return null;
    }
    return 1;
  }

  range(): Step | null {
    const save = this.pos;
    const start = this.number();
    if (!this.eat(':')) {
      this.pos = save;
      return null;
    }
    const end = this.number();
    const step = this.rangeStep();
    if (step === null) {
      this.pos = save;
      return null;
    }
    return { t: 'range', start: start === null ? null : PathParser.index(start), end: end === null ? null : PathParser.index(end), step };
  }

  numbers(): Step | null {
    const first = this.number();
    if (first === null) return null;
    const indexes = [PathParser.index(first)];
    for (;;) {
      const save = this.pos;
      if (!this.eat(',')) break;
      const next = this.number();
      if (next === null) {
        this.pos = save;
        break;
      }
      indexes.push(PathParser.index(next));
    }
    return { t: 'indexes', indexes };
  }

  /** A quoted string: '...' or "...", where \\ and an escaped quote of the same kind are unescaped. */
  quoted(): string | null {
    const save = this.pos;
    this.spaces();
    const quote = this.peek();
    if (quote !== 0x22 && quote !== 0x27) {
      this.pos = save;
      return null;
    }
    this.pos++;
    let out = '';
    for (;;) {
      const c = this.peek();
      if (c < 0) {
        this.pos = save;
        return null;
      }
      if (c === quote) {
        this.pos++;
        return out;
      }
      if (c === 0x5c) {
        const next = this.text.charCodeAt(this.pos + 1);
        if (next === quote || next === 0x5c) {
          out += String.fromCharCode(next);
          this.pos += 2;
          continue;
        }
        this.pos = save;
        return null;
      }
      out += this.text[this.pos];
      this.pos++;
    }
  }

  strings(): Step | null {
    const first = this.quoted();
    if (first === null) return null;
    const names = [first];
    for (;;) {
      const save = this.pos;
      if (!this.eat(',')) break;
      const next = this.quoted();
      if (next === null) {
        this.pos = save;
        break;
      }
      names.push(next);
    }
    return names.length === 1 ? { t: 'key', name: first } : { t: 'keys', names };
  }

  filter(): Filter {
    const ors: Filter[] = [];
    let ands: Filter[] = [this.innerFilter()];
    for (;;) {
      if (this.eat('&&')) ands.push(this.innerFilter());
      else if (this.eat('||')) {
        ors.push(ands.length === 1 ? ands[0] : { t: 'and', all: ands });
        ands = [this.innerFilter()];
      } else break;
    }
    ors.push(ands.length === 1 ? ands[0] : { t: 'and', all: ands });
    return ors.length === 1 ? ors[0] : { t: 'or', any: ors };
  }

  innerFilter(): Filter {
    const save = this.pos;
    const left = this.term();
    if (left !== null) {
      const op = this.op();
      if (op === null) return { t: 'single', left, op: null, right: null };
      const right = this.term();
      if (right === null) this.fail("expected one of the following: '$', '@', <number>, <string>, true, false, null");
      return { t: 'single', left, op, right };
    }
    this.pos = save;
    if (this.eat('(')) {
      const inner = this.filter();
      if (!this.eat(')')) this.fail('expected one of the following: )');
      return inner;
    }
    return this.fail("expected one of the following: '[?(filter_expression)]'");
  }

  op(): CompareOp | null {
    for (const op of ['>=', '>', '<=', '<', '==', '!=', '=~'] as const) if (this.eat(op)) return op;
    return null;
  }

  term(): Term | null {
    this.spaces();
    const c = this.peek();
    if (c === 0x40 || c === 0x24) {
      this.pos++;
      const steps = this.parseSteps(true);
      return c === 0x40 ? { t: 'current', steps } : { t: 'root', steps };
    }
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      const save = this.pos;
      const n = this.number();
      if (n === null) {
        this.pos = save;
        return null;
      }
      if (this.peek() === 0x2e && this.text.charCodeAt(this.pos + 1) >= 0x30 && this.text.charCodeAt(this.pos + 1) <= 0x39) {
        this.pos++;
        while (this.peek() >= 0x30 && this.peek() <= 0x39) this.pos++;
        const literal = this.text.slice(save, this.pos).trim();
        return { t: 'float', value: Number(literal) };
      }
      const i64Min = -(1n << 63n);
      const i64Max = (1n << 63n) - 1n;
      return n >= i64Min && n <= i64Max ? { t: 'int', value: n } : { t: 'float', value: Number(n) };
    }
    if (c === 0x22 || c === 0x27) {
      const s = this.quoted();
      return s === null ? null : { t: 'string', value: s };
    }
    if (this.text.startsWith('true', this.pos)) { this.pos += 4; return { t: 'bool', value: true }; }
    if (this.text.startsWith('false', this.pos)) { this.pos += 5; return { t: 'bool', value: false }; }
    if (this.text.startsWith('null', this.pos)) { this.pos += 4; return { t: 'null' }; }
    return null;
  }
}
