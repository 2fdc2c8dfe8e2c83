// Compiles a parsed chunk to JavaScript: every Lua function becomes a generator function (see
// runtime.ts for why). Lua locals are JS `let` variables declared where Lua declares them, so
// closures capture them as Lua upvalues, a loop body's locals are fresh per iteration, and
// shadowing needs nothing (each LocalVar has its own JS name). Internal names start with `$`,
// which no Lua identifier can contain.
//
// Conventions of the generated code: arguments arrive as one array `$A`; results leave as one
// array; `$T`/`$D` are the thread's frame records and this function's depth in them; every call
// stores its Site in `$T.sites[$D]` first (natives' errors, error levels and argument-error names
// read it); `K[n]` is a Site (line and operand names for error texts), `P[n]` a Proto.

import type { Expr, FunctionNode, LocalVar, Stat } from './ast.js';
import { parseChunk } from './parser.js';
import { MAX_SOURCE_ID_RUNTIME, chunkId } from './lexer.js';
import {
  type CompiledBody,
  LuaClosure,
  MAX_LUA_CALLS,
  Proto,
  type Site,
  TailCall,
  add,
  argTable,
  cat,
  div,
  eq,
  ge,
  gt,
  idx,
  idxs,
  le,
  len,
  lt,
  mod,
  mul,
  ne,
  neg,
  pow,
  setidx,
  sub,
  tbl,
  tlist,
  tr,
  tset,
  varargs,
} from './runtime.js';
import { EMPTY, LuaTable, NativeFunction } from './value.js';
import { floatingByteSize } from './table-hash.js';
import type { LuaState } from './state.js';

const HELPERS = {
  add, sub, mul, div, mod, pow, neg, len, cat, eq, ne, lt, le, gt, ge, idx, idxs, setidx, tbl, tset, tlist,
  tr, argTable, varargs, EMPTY, LuaClosure, NativeFunction, LuaTable, MAX_LUA_CALLS, TailCall,
};

const HELPER_NAMES = Object.keys(HELPERS);

const ARITH: Record<string, string> = { '+': 'add', '-': 'sub', '*': 'mul', '/': 'div', '%': 'mod', '^': 'pow' };
const COMPARE: Record<string, string> = { '==': 'eq', '~=': 'ne', '<': 'lt', '<=': 'le', '>': 'gt', '>=': 'ge' };

function isMulti(e: Expr): boolean {
  return e.k === 'call' || e.k === 'method' || e.k === 'vararg';
}

/** A condition 5.1 folds away (luaK_goiftrue emits nothing for a true constant). */
function alwaysTrue(e: Expr): boolean {
  return e.k === 'true' || e.k === 'number' || e.k === 'string';
}

/** Chains at least this long compile flat (see leftChain). */
const LONG_CHAIN = 32;

function isLeftAssociative(e: Expr): boolean {
  return e.k === 'and' || e.k === 'or' || (e.k === 'binary' && e.op !== '..' && e.op !== '^');
}

function leftChainLength(e: Expr): number {
  let n = 0;
  while (isLeftAssociative(e) && n < LONG_CHAIN) {
    n++;
    e = (e as { a: Expr }).a;
  }
  return n;
}

function numberLiteral(value: number): string {
  if (Object.is(value, -0)) return '(-0)';
  if (value === Infinity) return 'Infinity';
  if (value === -Infinity) return '(-Infinity)';
  if (Number.isNaN(value)) return 'NaN';
  return value < 0 ? `(${value})` : String(value);
}

function stringLiteral(value: string): string {
  return JSON.stringify(value);
}

/** getobjname: how 5.1's debug info would name the value of `e` in an error text. */
function nameOf(e: Expr): string | null {
  switch (e.k) {
    case 'local':
      return `local '${e.v.name}'`;
    case 'upvalue':
      return `upvalue '${e.v.name}'`;
    case 'global':
      return `global '${e.name}'`;
    case 'index':
      return e.key.k === 'string' ? `field '${e.key.value}'` : "field '?'";
    case 'paren':
      return nameOf(e.e);
    default:
      return null;
  }
}

interface ChunkContext {
  readonly S: LuaState;
  readonly source: string;
  readonly chunkId: string;
  readonly sites: Site[];
  readonly protos: Proto[];
  unique: number;
  /** Compile for the script debugger: a line event before each statement (see lineEvent). */
  readonly debug: boolean;
  /** Debug builds: the local names in scope at each line event, by index (`N[n]`). */
  readonly localNames: string[][];
}

/** A local in scope for the debugger: its Lua name and the JS expression of its value. */
interface ScopeEntry {
  readonly name: string;
  readonly js: string;
}

class FunctionCompiler {
  private temps = 0;
  private maxTemps = 0;
  private readonly loops: string[] = [];
  private readonly out: string[] = [];
  private readonly proto: Proto;
  readonly protoIndex: number;
  /** The first zero literal of this function (see constant()). */
  private zero: number | null = null;
  /** Debug builds: the locals in scope where code is being emitted, in declaration order. */
  private readonly scope: ScopeEntry[] = [];

  constructor(
    private readonly ctx: ChunkContext,
    private readonly fn: FunctionNode,
  ) {
    this.proto = new Proto(ctx.source, ctx.chunkId, fn.line);
    this.protoIndex = ctx.protos.length;
    ctx.protos.push(this.proto);
  }

  /** The generator function expression of this Lua function. */
  compile(): string {
    const fn = this.fn;
    this.enterFunction();
    this.block(fn.body);
    const fixed = fn.params.length;
    const head: string[] = [];
    head.push('const $c = this, $T = S.cur, $D = ++$T.depth;');
    head.push('if ($D >= MAX_LUA_CALLS) S.stackOverflow();');
    head.push(`$T.frames[$D] = $c; $T.sites[$D] = ${this.site(fn.line === 0 ? 1 : fn.line, null)};`);
    head.push('if (--S.ticks <= 0) yield* S.tick();');
    fn.params.forEach((p, i) => head.push(`let ${p.jsName} = $A[${i}];`));
    if (fn.usesVararg) head.push(fixed === 0 ? 'const $VA = $A;' : `const $VA = varargs($A, ${fixed});`);
    if (fn.argVar !== null) {
      head.push(fn.usesVararg ? `let ${fn.argVar.jsName};` : `let ${fn.argVar.jsName} = argTable($A, ${fixed});`);
    }
    const temps: string[] = ['$r'];
    for (let i = 0; i < this.maxTemps; i++) temps.push(`$t${i}`);
    head.push(`let ${temps.join(', ')};`);
    // A function's first instruction is a line event whatever the line before it (5.1's npc == 0).
    if (this.ctx.debug) head.push('$T.lines[$D] = 0;');
    const end = this.ctx.debug ? this.lineEvent(fn.endLine, 'false') : '';
    return `function* ($A) {\n${head.join('\n')}\n${this.out.join('\n')}\n${end}$T.depth = $D - 1; return EMPTY;\n}`;
  }

  /** The locals a function starts with: its parameters, then 5.1's compatibility `arg`. */
  private enterFunction(): void {
    for (const p of this.fn.params) this.declare(p);
    if (this.fn.argVar !== null) this.declare(this.fn.argVar);
  }

  private declare(v: LocalVar, js: string = v.jsName): void {
    if (this.ctx.debug) this.scope.push({ name: v.name, js });
  }

  /**
   * Debug builds: the line event 5.1's hook would get before the code that follows runs (see
   * scripting/debugger). `force` is JS for "fire even on the same line" (a jump back to a loop's
   * start is an event in 5.1 whatever the line).
   */
  private lineEvent(line: number, force: string): string {
    if (!this.ctx.debug) return '';
    const names = this.ctx.localNames;
    names.push(this.scope.map((e) => e.name));
    const values = `() => [${this.scope.map((e) => e.js).join(', ')}]`;
    return `if (S.debugHook !== null) yield* S.debugHook.line(S, $D, ${line}, ${force}, N[${names.length - 1}], ${values});\n`;
  }

  private emitLineEvent(line: number, force: string): void {
    if (this.ctx.debug) this.out.push(this.lineEvent(line, force));
  }

  /**
   * A numeric literal as 5.1's constant table gives it back: 0 and -0 are one key there, so every
   * zero literal of a function takes the sign of the first one (`local a = -0 return 1/0` is -inf).
   */
  private constant(value: number): number {
    if (value !== 0) return value;
    if (this.zero === null) this.zero = value;
    return this.zero;
  }

  private emit(line: string): void {
    this.out.push(line);
  }

  private temp(): string {
    const name = `$t${this.temps++}`;
    if (this.temps > this.maxTemps) this.maxTemps = this.temps;
    return name;
  }

  private release(count: number): void {
    this.temps -= count;
  }

  private unique(prefix: string): string {
    return `${prefix}${++this.ctx.unique}`;
  }

  private site(line: number, a: string | null, b: string | null = null): string {
    const sites = this.ctx.sites;
    sites.push({ S: this.ctx.S, proto: this.proto, line, a, b });
    return `K[${sites.length - 1}]`;
  }

  // ---- expressions ----

  /** JS code for the single value of `e`. */
  private single(e: Expr): string {
    switch (e.k) {
      case 'nil':
        return 'undefined';
      case 'true':
        return 'true';
      case 'false':
        return 'false';
      case 'number':
        return numberLiteral(this.constant(e.value));
      case 'string':
        return stringLiteral(e.value);
      case 'vararg':
        return '$VA[0]';
      case 'function':
        return this.closure(e.fn);
      case 'local':
      case 'upvalue':
        return e.v.jsName;
      case 'global':
        return `idxs($c.env, ${stringLiteral(e.name)}, ${this.site(e.line, null)})`;
      case 'index': {
        const obj = this.single(e.obj);
        const site = this.site(e.line, nameOf(e.obj));
        if (e.key.k === 'string') return `idxs(${obj}, ${stringLiteral(e.key.value)}, ${site})`;
        return `idx(${obj}, ${this.single(e.key)}, ${site})`;
      }
      case 'call':
      case 'method':
        return `${this.call(e)}[0]`;
      case 'binary': {
        if (e.op !== '..' && e.op !== '^' && leftChainLength(e) >= LONG_CHAIN) return this.leftChain(e);
        const a = this.single(e.a);
        const b = this.single(e.b);
        const site = this.site(e.line, nameOf(e.a), nameOf(e.b));
        if (e.op === '..') return `cat(${a}, ${b}, ${site})`;
        const helper = ARITH[e.op] ?? COMPARE[e.op];
        return `${helper}(${a}, ${b}, ${site})`;
      }
      case 'and':
      case 'or': {
        if (leftChainLength(e) >= LONG_CHAIN) return this.leftChain(e);
        const t = this.temp();
        const a = this.single(e.a);
        const b = this.single(e.b);
        this.release(1);
        return e.k === 'and'
          ? `((${t} = ${a}) === undefined || ${t} === false ? ${t} : ${b})`
          : `((${t} = ${a}) === undefined || ${t} === false ? ${b} : ${t})`;
      }
      case 'not':
        return `!${this.cond(e.a)}`;
      case 'neg':
        return `neg(${this.single(e.a)}, ${this.site(e.line, nameOf(e.a))})`;
      case 'len':
        return `len(${this.single(e.a)}, ${this.site(e.line, nameOf(e.a))})`;
      case 'paren':
        return this.single(e.e);
      case 'table':
        return this.table(e);
    }
  }

  /**
   * A long left-associative chain (a + b + c + ..., a or b or ...) as one flat sequence on a
   * temporary: 5.1 compiles such chains iteratively, and nesting thousands of calls would exhaust
   * the stack of this compiler and of V8's parser.
   */
  private leftChain(e: Expr): string {
    const spine: Expr[] = [];
    let leaf = e;
    while (isLeftAssociative(leaf)) {
      spine.push(leaf);
      leaf = (leaf as { a: Expr }).a;
    }
    const t = this.temp();
    const steps = [`${t} = ${this.single(leaf)}`];
    for (let i = spine.length - 1; i >= 0; i--) {
      const node = spine[i];
      if (node.k === 'and') {
        steps.push(`${t} = (${t} === undefined || ${t} === false ? ${t} : ${this.single(node.b)})`);
      } else if (node.k === 'or') {
        steps.push(`${t} = (${t} === undefined || ${t} === false ? ${this.single(node.b)} : ${t})`);
      } else if (node.k === 'binary') {
        const b = this.single(node.b);
        const site = this.site(node.line, nameOf(node.a), nameOf(node.b));
        steps.push(`${t} = ${ARITH[node.op] ?? COMPARE[node.op]}(${t}, ${b}, ${site})`);
      }
    }
    this.release(1);
    return `(${steps.join(', ')})`;
  }

  /** JS code for a boolean: the truth of `e`. */
  private cond(e: Expr): string {
    switch (e.k) {
      case 'nil':
      case 'false':
        return 'false';
      case 'true':
      case 'number':
      case 'string':
      case 'function':
      case 'table':
        return e.k === 'true' || e.k === 'number' || e.k === 'string' ? 'true' : `(${this.single(e)}, true)`;
      case 'and':
        return `(${this.cond(e.a)} && ${this.cond(e.b)})`;
      case 'or':
        return `(${this.cond(e.a)} || ${this.cond(e.b)})`;
      case 'not':
        return `!${this.cond(e.a)}`;
      case 'binary':
        if (COMPARE[e.op] !== undefined) return this.single(e);
        return `tr(${this.single(e)})`;
      case 'paren':
        return this.cond(e.e);
      default:
        return `tr(${this.single(e)})`;
    }
  }

  /** JS code for an array of all the values of `e` (calls and `...` expand). */
  private multi(e: Expr): string {
    if (e.k === 'call' || e.k === 'method') return this.call(e);
    if (e.k === 'vararg') return '$VA';
    return `[${this.single(e)}]`;
  }

  /** A fresh array of the values of an expression list, the last one expanded. */
  private list(exprs: Expr[]): string {
    if (exprs.length === 0) return '[]';
    const last = exprs[exprs.length - 1];
    const parts = exprs.slice(0, -1).map((e) => this.single(e));
    if (isMulti(last)) parts.push(`...${this.multi(last)}`);
    else parts.push(this.single(last));
    return `[${parts.join(', ')}]`;
  }

  /** The call of `f` (already in temp `f`) with the argument array in temp `a`. */
  private dispatch(f: string, a: string, site: string, callerSite: string = site, tail = false): string {
    // A Lua callee may end with a tail call (TailCall), made here; the args temp holds the result.
    const lua = tail
      ? `new TailCall(${f}, ${a})`
      : `((${a} = yield* ${f}.g(${a})) instanceof TailCall ? (yield* S.tail(${a})) : ${a})`;
    return (
      `($T.sites[$D] = ${callerSite}, ${f} instanceof LuaClosure ? ${lua} : ` +
      `${f} instanceof NativeFunction ? ${f}.impl(S, ${a}) : (yield* S.callOther(${f}, ${a}, ${site})))`
    );
  }

  /**
   * JS code for the result array of a call expression; as a tail call (`return f(x)`), a Lua
   * callee is not called but handed back as a TailCall.
   */
  private call(e: Expr, tail = false): string {
    if (e.k === 'call') {
      const f = this.temp();
      const a = this.temp();
      const fnCode = this.single(e.fn);
      const args = this.list(e.args);
      this.release(2);
      const site = this.site(e.line, nameOf(e.fn));
      return `(${f} = ${fnCode}, ${a} = ${args}, ${this.dispatch(f, a, site, site, tail)})`;
    }
    if (e.k !== 'method') throw new Error('not a call');
    const o = this.temp();
    const f = this.temp();
    const a = this.temp();
    const obj = this.single(e.obj);
    const indexSite = this.site(e.line, nameOf(e.obj));
    const rest = e.args.length === 0 ? '' : `, ${this.list(e.args).slice(1, -1)}`;
    this.release(3);
    const callSite = this.site(e.line, `method '${e.name}'`);
    return (
      `(${o} = ${obj}, ${f} = idxs(${o}, ${stringLiteral(e.name)}, ${indexSite}), ` +
      `${a} = [${o}${rest}], ${this.dispatch(f, a, callSite, callSite, tail)})`
    );
  }

  private table(e: Extract<Expr, { k: 'table' }>): string {
    const positional = e.items.filter((item) => item.k === 'positional');
    // OP_NEWTABLE's size operands: the fixed positional items (a trailing multi-value one is
    // added by SETLIST) and the keyed ones, each rounded up as a "floating byte".
    const last = e.items[e.items.length - 1];
    const fixed = positional.length - (last !== undefined && last.k === 'positional' && isMulti(last.value) ? 1 : 0);
    const arraySize = floatingByteSize(fixed);
    if (positional.length === e.items.length) {
      return `tbl(${this.list(positional.map((item) => item.value))}, ${arraySize})`;
    }
    const hashSize = floatingByteSize(e.items.length - positional.length);
    const t = this.temp();
    const p = this.temp();
    const parts: string[] = [`${t} = new LuaTable(${arraySize}, ${hashSize})`, `${p} = []`];
    let n = 0;
    e.items.forEach((item, i) => {
      if (item.k === 'keyed') {
        const key = this.single(item.key);
        const value = this.single(item.value);
        parts.push(`tset(${t}, ${key}, ${value}, ${this.site(item.line, null)})`);
      } else if (i === e.items.length - 1 && isMulti(item.value)) {
        parts.push(`${p}.push(...${this.multi(item.value)})`);
      } else {
        parts.push(`${p}[${n++}] = ${this.single(item.value)}`);
      }
    });
    parts.push(`tlist(${t}, ${p})`);
    this.release(2);
    return `(${parts.join(', ')})`;
  }

  private closure(fn: FunctionNode): string {
    const inner = new FunctionCompiler(this.ctx, fn);
    const body = inner.compile();
    return `new LuaClosure(P[${inner.protoIndex}], $c.env, ${body})`;
  }

  // ---- statements ----

  /**
   * A block's statements. `forceFirst` (JS, debug builds) makes its first statement a line event
   * even on the line of the last one: it is where a loop jumps back to.
   */
  private block(stats: Stat[], forceFirst = 'false'): void {
    const scopeSize = this.scope.length;
    stats.forEach((stat, i) => this.statement(stat, i === 0 ? forceFirst : 'false'));
    this.scope.length = scopeSize;
  }

  private tick(): void {
    this.emit('if (--S.ticks <= 0) yield* S.tick();');
  }

  private statement(s: Stat, force: string): void {
    // A while loop's event is its condition's, at the top of every iteration (see below); a
    // constant true condition compiles to no instruction in 5.1, so it has no event.
    const eventless = s.k === 'while' || s.k === 'repeat' || (s.k === 'if' && alwaysTrue(s.clauses[0].cond));
    if (!eventless) this.emitLineEvent(s.at, force);
    switch (s.k) {
      case 'local':
        this.localStat(s.vars, s.exprs);
        for (const v of s.vars) this.declare(v);
        return;
      case 'localfunction':
        this.emit(`let ${s.v.jsName};`);
        this.declare(s.v);
        this.emit(`${s.v.jsName} = ${this.closure(s.fn)};`);
        return;
      case 'assign':
        this.assign(s.targets, s.exprs, s.line);
        return;
      case 'call':
        this.emit(`${this.call(s.call)};`);
        return;
      case 'do':
        this.emit('{');
        this.block(s.body, force);
        this.emit('}');
        return;
      case 'while': {
        const label = this.unique('$L');
        if (this.ctx.debug) {
          // The condition runs first on every iteration; from the second one on it is reached by
          // a jump back, a line event even on the same line.
          const again = this.unique('$w');
          this.emit(`let ${again} = ${force};`);
          this.emit(`${label}: for (;;) {`);
          if (alwaysTrue(s.cond)) {
            // No condition code: the jump back lands on the body's first statement.
            const first = this.unique('$f');
            this.emit(`const ${first} = ${again}; ${again} = true;`);
            this.tick();
            this.loops.push(label);
            this.block(s.body, first);
            this.loops.pop();
            this.emit('}');
            return;
          }
          this.emitLineEvent(s.at, again);
          this.emit(`${again} = true;`);
          this.emit(`if (!${this.cond(s.cond)}) break;`);
        } else {
          this.emit(`${label}: while (${this.cond(s.cond)}) {`);
        }
        this.tick();
        this.loops.push(label);
        this.block(s.body);
        this.loops.pop();
        this.emit('}');
        return;
      }
      case 'repeat': {
        const label = this.unique('$L');
        const again = this.ctx.debug ? this.unique('$w') : '';
        if (this.ctx.debug) this.emit(`let ${again} = ${force};`);
        this.emit(`${label}: for (;;) {`);
        this.tick();
        this.loops.push(label);
        if (this.ctx.debug) {
          const first = this.unique('$f');
          this.emit(`const ${first} = ${again}; ${again} = true;`);
          this.repeatBody(s.body, s.cond, s.untilLine, first);
          this.loops.pop();
          this.emit('}');
          return;
        }
        this.block(s.body);
        this.loops.pop();
        this.emit(`if (${this.cond(s.cond)}) break;`);
        this.emit('}');
        return;
      }
      case 'if': {
        s.clauses.forEach((clause, i) => {
          this.emit(`${i === 0 ? 'if' : '} else if'} (${this.cond(clause.cond)}) {`);
          this.block(clause.body);
        });
        if (s.orelse !== null) {
          this.emit('} else {');
          this.block(s.orelse);
        }
        this.emit('}');
        return;
      }
      case 'fornum':
        this.forNum(s);
        return;
      case 'forin':
        this.forIn(s);
        return;
      case 'return':
        this.returnStat(s.exprs);
        return;
      case 'break':
        this.emit(`break ${this.loops[this.loops.length - 1]};`);
        return;
    }
  }

  /** Debug builds: a repeat loop's body and condition, which sees the body's locals. */
  private repeatBody(body: Stat[], cond: Expr, untilLine: number, forceFirst: string): void {
    const scopeSize = this.scope.length;
    body.forEach((stat, i) => this.statement(stat, i === 0 ? forceFirst : 'false'));
    this.emitLineEvent(untilLine, 'false');
    this.emit(`if (${this.cond(cond)}) break;`);
    this.scope.length = scopeSize;
  }

  /** Debug builds: a loop's hidden control values and its variables come into scope for its body. */
  private declareLoop(hidden: Array<[string, string]>, vars: LocalVar[]): number {
    const scopeSize = this.scope.length;
    if (this.ctx.debug) for (const [name, js] of hidden) this.scope.push({ name, js });
    for (const v of vars) this.declare(v);
    return scopeSize;
  }

  private localStat(vars: LocalVar[], exprs: Expr[]): void {
    if (exprs.length === 0) {
      this.emit(`let ${vars.map((v) => v.jsName).join(', ')};`);
      return;
    }
    const last = exprs[exprs.length - 1];
    if (exprs.length > vars.length) {
      // Extra expressions are evaluated too, in order, after the kept ones.
      const names = exprs.map(() => this.unique('$v'));
      this.emit(`const ${exprs.map((e, i) => `${names[i]} = ${this.single(e)}`).join(', ')};`);
      this.emit(`let ${vars.map((v, i) => `${v.jsName} = ${names[i]}`).join(', ')};`);
      return;
    }
    if (!isMulti(last) || exprs.length === vars.length) {
      const decls = vars.map((v, i) => `${v.jsName} = ${i < exprs.length ? this.single(exprs[i]) : 'undefined'}`);
      this.emit(`let ${decls.join(', ')};`);
      return;
    }
    // Fewer expressions than variables and the last one is multi-valued.
    const decls: string[] = [];
    for (let i = 0; i < exprs.length - 1; i++) decls.push(`${vars[i].jsName} = ${this.single(exprs[i])}`);
    const m = this.unique('$m');
    decls.push(`${m} = ${this.multi(last)}`);
    for (let i = exprs.length - 1; i < vars.length; i++) decls.push(`${vars[i].jsName} = ${m}[${i - (exprs.length - 1)}]`);
    this.emit(`let ${decls.join(', ')};`);
  }

  private storeCode(target: Expr, value: string, objCode: string | null, keyCode: string | null, line: number): string {
    switch (target.k) {
      case 'local':
      case 'upvalue':
        return `${target.v.jsName} = ${value};`;
      case 'global':
        return `setidx($c.env, ${stringLiteral(target.name)}, ${value}, ${this.site(line, null)});`;
      case 'index':
        return `setidx(${objCode}, ${keyCode}, ${value}, ${this.site(line, nameOf(target.obj))});`;
      default:
        throw new Error('not assignable');
    }
  }

  private assign(targets: Expr[], exprs: Expr[], line: number): void {
    if (targets.length === 1 && exprs.length === 1) {
      const target = targets[0];
      if (target.k === 'index') {
        const obj = this.single(target.obj);
        const key = this.single(target.key);
        this.emit(this.storeCode(target, this.single(exprs[0]), obj, key, line));
      } else {
        this.emit(this.storeCode(target, this.single(exprs[0]), null, null, line));
      }
      return;
    }
    this.emit('{');
    // Table and key expressions of the targets first, left to right, then the values.
    const places = targets.map((target) => {
      if (target.k !== 'index') return { obj: null, key: null };
      const obj = this.unique('$o');
      const key = this.unique('$k');
      this.emit(`const ${obj} = ${this.single(target.obj)}, ${key} = ${this.single(target.key)};`);
      return { obj, key };
    });
    const values: string[] = [];
    const last = exprs[exprs.length - 1];
    exprs.forEach((e, i) => {
      const name = this.unique('$v');
      if (i === exprs.length - 1 && isMulti(last) && targets.length > exprs.length) {
        this.emit(`const ${name} = ${this.multi(e)};`);
        for (let j = i; j < targets.length; j++) values.push(`${name}[${j - i}]`);
      } else {
        this.emit(`const ${name} = ${this.single(e)};`);
        values.push(name);
      }
    });
    // 5.1 stores the last target first.
    for (let i = targets.length - 1; i >= 0; i--) {
      const value = i < values.length ? values[i] : 'undefined';
      this.emit(this.storeCode(targets[i], value, places[i].obj, places[i].key, line));
    }
    this.emit('}');
  }

  private forNum(s: Extract<Stat, { k: 'fornum' }>): void {
    const i = this.unique('$i');
    const limit = this.unique('$lim');
    const step = this.unique('$st');
    const label = this.unique('$L');
    const site = this.site(s.line, null);
    const stepKnown = s.step === null ? 1 : s.step.k === 'number' ? s.step.value : null;
    const toNum = (code: string, what: string, literal: boolean): string =>
      literal ? code : `(typeof ${code} === 'number' ? ${code} : S.forNumber(${code}, '${what}', ${site}))`;
    this.emit('{');
    this.emit(
      `let ${i} = ${this.single(s.start)}, ${limit} = ${this.single(s.limit)}, ${step} = ${s.step === null ? '1' : this.single(s.step)};`,
    );
    this.emit(`${i} = ${toNum(i, 'initial value', s.start.k === 'number')};`);
    this.emit(`${limit} = ${toNum(limit, 'limit', s.limit.k === 'number')};`);
    this.emit(`${step} = ${toNum(step, 'step', stepKnown !== null)};`);
    this.emit(`${i} -= ${step};`);
    let test: string;
    if (stepKnown !== null && stepKnown > 0) test = `${i} <= ${limit}`;
    else if (stepKnown !== null && stepKnown < 0) test = `${limit} <= ${i}`;
    else test = `${step} > 0 ? ${i} <= ${limit} : ${limit} <= ${i}`;
    this.emit(`${label}: for (;;) {`);
    // OP_FORLOOP, on the line of `for`, ends every iteration (after the first one's body here).
    this.emitLineEvent(s.at, 'false');
    this.emit(`${i} += ${step};`);
    this.emit(`if (!(${test})) break;`);
    this.emit(`let ${s.v.jsName} = ${i};`);
    this.tick();
    this.loops.push(label);
    const scopeSize = this.declareLoop([['(for index)', i], ['(for limit)', limit], ['(for step)', step]], [s.v]);
    this.block(s.body, 'true');
    this.scope.length = scopeSize;
    this.loops.pop();
    this.emit('}');
    this.emit('}');
  }

  private forIn(s: Extract<Stat, { k: 'forin' }>): void {
    const f = this.unique('$f');
    const st = this.unique('$s');
    const ctl = this.unique('$ctl');
    const it = this.unique('$it');
    const rs = this.unique('$rs');
    const label = this.unique('$L');
    const m = this.unique('$m');
    this.emit('{');
    const exprs = s.exprs;
    if (exprs.length === 1 && !isMulti(exprs[0])) {
      this.emit(`let ${f} = ${this.single(exprs[0])}, ${st}, ${ctl};`);
    } else {
      this.emit(`const ${m} = ${this.list(exprs)};`);
      this.emit(`let ${f} = ${m}[0], ${st} = ${m}[1], ${ctl} = ${m}[2];`);
    }
    this.emit(`const ${it} = S.forIterator(${f}, ${st}, ${ctl});`);
    this.emit(`${label}: for (;;) {`);
    // OP_TFORLOOP, on the line of `for`, starts every iteration (the first one's is the statement's).
    this.emitLineEvent(s.at, 'false');
    const names = s.vars.map((v) => v.jsName);
    this.emit(`let ${names.join(', ')};`);
    this.emit(`if (${it} !== null) {`);
    this.emit(`if (!${it}.step()) break;`);
    this.emit(`${names[0]} = ${it}.k;`);
    if (names.length > 1) this.emit(`${names[1]} = ${it}.v;`);
    // The debugger shows the control value; the fast iterator path needs none otherwise.
    if (this.ctx.debug) this.emit(`${ctl} = ${names[0]};`);
    this.emit('} else {');
    const ft = this.temp();
    const at = this.temp();
    // The generator's argument errors name it '(for generator)'; a call error names nothing.
    const site = this.site(s.line, null);
    const callerSite = this.site(s.line, "local '(for generator)'");
    this.emit(`${ft} = ${f}; ${at} = [${st}, ${ctl}];`);
    this.emit(`const ${rs} = ${this.dispatch(ft, at, site, callerSite)};`);
    this.release(2);
    this.emit(`${names[0]} = ${rs}[0];`);
    this.emit(`if (${names[0]} === undefined) break;`);
    for (let i = 1; i < names.length; i++) this.emit(`${names[i]} = ${rs}[${i}];`);
    this.emit(`${ctl} = ${names[0]};`);
    this.emit('}');
    this.tick();
    this.loops.push(label);
    const scopeSize = this.declareLoop([['(for generator)', f], ['(for state)', st], ['(for control)', ctl]], s.vars);
    this.block(s.body, 'true');
    this.scope.length = scopeSize;
    this.loops.pop();
    this.emit('}');
    this.emit('}');
  }

  private returnStat(exprs: Expr[]): void {
    if (exprs.length === 0) {
      this.emit('$T.depth = $D - 1; return EMPTY;');
      return;
    }
    let value: string;
    const only = exprs[0];
    if (exprs.length === 1 && (only.k === 'call' || only.k === 'method')) value = this.call(only, true);
    else if (exprs.length === 1) value = isMulti(only) ? this.multi(only) : `[${this.single(only)}]`;
    else value = this.list(exprs);
    this.emit(`$r = ${value};`);
    this.emit('$T.depth = $D - 1; return $r;');
  }
}

export interface CompiledChunk {
  readonly body: CompiledBody;
  readonly proto: Proto;
}

/** Parses and compiles `source`; throws LuaSyntaxError with 5.1's message. */
export function compileChunk(S: LuaState, source: string, chunkName: string, level: number, debug = false): CompiledChunk {
  const { main } = parseChunk(source, chunkName, level);
  const ctx = chunkContext(S, chunkName, debug);
  const compiler = new FunctionCompiler(ctx, main);
  const body = compiler.compile();
  const code = `'use strict';\nconst {${HELPER_NAMES.join(', ')}} = H;\nreturn ${body};`;
  const factory = new Function('S', 'K', 'P', 'H', 'N', code) as (
    S: LuaState,
    K: Site[],
    P: Proto[],
    H: typeof HELPERS,
    N: string[][],
  ) => CompiledBody;
  return { body: factory(S, ctx.sites, ctx.protos, HELPERS, ctx.localNames), proto: ctx.protos[0] };
}

function chunkContext(S: LuaState, chunkName: string, debug: boolean): ChunkContext {
  return { S, source: chunkName, chunkId: chunkId(chunkName, MAX_SOURCE_ID_RUNTIME), sites: [], protos: [], unique: 0, debug, localNames: [] };
}

/** For debugging the compiler: the JavaScript a chunk compiles to. */
export function compiledSource(S: LuaState, source: string, chunkName: string, debug = false): string {
  const { main } = parseChunk(source, chunkName, 0);
  return new FunctionCompiler(chunkContext(S, chunkName, debug), main).compile();
}
