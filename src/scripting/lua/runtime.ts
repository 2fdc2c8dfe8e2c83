// The objects compiled Lua code runs with: closures, generator-based natives, per-thread frame
// records, error sites, and the small fast-path helpers the generated code calls (V8 inlines
// them; the slow paths live on LuaState).
//
// Design (see also codegen.ts). Each Lua function compiles to a JavaScript generator function.
// A Lua-to-Lua call is `yield* callee.g(args)`, a native call a direct JS call; loops and function
// entries count ticks and every `hookIntervalTicks` ticks call the hook, which may ask to suspend:
// the tick helper then `yield`s SUSPEND, which travels up every `yield*` to the task driver, and
// the next resume() continues exactly there. Measured on this machine's Node 20 (bench/lua-core.mjs,
// quiet machine): a cached one-native-call chunk started and run to completion in about 330 ns, a
// numeric loop iteration about 14 ns, a Lua-to-Lua call about 180 ns (a bare JS generator call
// costs about 80 ns against 6 ns for a plain function). The alternatives are an interpreter loop
// over bytecode (slower for the straight-line scripts Redis runs, and its own stack to manage) or
// plain functions, which cannot be suspended mid-script and so cannot answer BUSY; the generator
// design stays.
//
// Limits: the JS stack bounds Lua recursion to about 3500 frames with Node's default stack (Lua's
// LUAI_MAXCALLS is 20000, kept as an explicit bound for larger stacks); exhausting it raises Lua's
// "stack overflow", catchable by pcall. `return f(x)` to a Lua function is a proper tail call
// (TailCall), so tail recursion runs in constant stack as in 5.1.

import { type LuaValue, LuaFunction, LuaTable, numberToString } from './value.js';
import type { LuaState } from './state.js';

/** LUAI_MAXCALLS: nested Lua calls per thread. */
export const MAX_LUA_CALLS = 20000;
/** LUAI_MAXCCALLS: nested calls from natives back into Lua (and pcall nesting). */
export const MAX_C_CALLS = 200;

/** What a suspended chain yields to the task driver. */
export const SUSPEND: unique symbol = Symbol('lua-suspend');

/** What coroutine.yield yields to the coroutine.resume driving it. */
export class YieldRequest {
  constructor(readonly values: LuaValue[]) {}
}

export type LuaGen = Generator<unknown, LuaValue[], unknown>;

/**
 * What a compiled function returns for `return f(args)` when f is a Lua function: the call to
 * make in its place, after its frame is gone (a proper tail call, as 5.1 does: tail recursion
 * runs in constant stack). Whoever runs a compiled body finishes it with LuaState.tail().
 */
export class TailCall {
  constructor(
    readonly fn: LuaClosure,
    readonly args: LuaValue[],
  ) {}
}

/** The generator of a compiled function body: its results, or a tail call to make. */
export type BodyGen = Generator<unknown, LuaValue[] | TailCall, unknown>;

/** What a compiled function knows about itself. */
export class Proto {
  constructor(
    /** The chunk name as given to load ("@user_script"). */
    readonly source: string,
    /** luaO_chunkid of the source with LUA_IDSIZE, for runtime error positions. */
    readonly chunkId: string,
    readonly lineDefined: number,
  ) {}
}

export type CompiledBody = (this: LuaClosure, args: LuaValue[]) => BodyGen;

/** A Lua function: a compiled body, its prototype and its environment (getfenv/setfenv). */
export class LuaClosure extends LuaFunction {
  readonly name = 'function';
  constructor(
    readonly proto: Proto,
    public env: LuaTable,
    readonly g: CompiledBody,
  ) {
    super();
  }
}

/**
 * A native that must be able to pass a suspension or a coroutine yield through itself (pcall,
 * xpcall, coroutine.resume/wrap/yield): its body is a generator run with `yield*`.
 */
export class GenNativeFunction extends LuaFunction {
  constructor(
    readonly name: string,
    readonly impl: (rt: LuaState, args: LuaValue[]) => LuaGen,
  ) {
    super();
  }
}

/** The frame record of a native that called back into Lua (its level shows no position). */
export const NATIVE_FRAME = 0;

/**
 * One thread's stack of frames as seen by error levels: frames[d] is the Lua closure running at
 * depth d (or NATIVE_FRAME), sites[d] the site it is at (the call it is making: its line, and the
 * name the callee is called by, for "bad argument #1 to 'rep'"). The main thread of a task and
 * every coroutine have their own.
 */
export class ThreadFrames {
  depth = 0;
  frames: (LuaClosure | typeof NATIVE_FRAME)[] = [NATIVE_FRAME];
  sites: (Site | undefined)[] = [undefined];
  /** tails[d]: how many tail calls led to the function at depth d (5.1's ci->tailcalls). */
  tails: number[] = [];
  /** Non-yieldable nesting: a pcall or a native callback in between forbids coroutine.yield. */
  nny = 0;
  /** Debug builds: each Lua frame's line of its last line event (0: none yet). */
  lines: number[] = [];
  /** Debug builds: each Lua frame's locals in scope at its last line event, names and values. */
  localNames: (readonly string[] | undefined)[] = [];
  localValues: ((() => LuaValue[]) | undefined)[] = [];
}

/**
 * The script debugger's view of debug-built code (codegen.ts lineEvent): called before each
 * statement; it may suspend the task (yield SUSPEND) while the debugger waits for its client.
 */
export interface DebugHook {
  line(S: LuaState, depth: number, line: number, force: boolean, names: readonly string[], values: () => LuaValue[]): Generator<unknown, void, unknown>;
}

/** A point in compiled code that can fail: where, and the names 5.1's debug info would give. */
export interface Site {
  readonly S: LuaState;
  readonly proto: Proto;
  readonly line: number;
  /** "local 'x'", "global 'foo'", "field 'y'", "upvalue 'z'", "method 'm'" or null. */
  readonly a: string | null;
  readonly b: string | null;
}

export const enum ArithOp {
  Add,
  Sub,
  Mul,
  Div,
  Mod,
  Pow,
  Unm,
}

export const ARITH_EVENTS = ['__add', '__sub', '__mul', '__div', '__mod', '__pow', '__unm'];

// ---- fast paths called by generated code ----

export function tr(v: LuaValue): boolean {
  return v !== undefined && v !== false;
}

export function idx(o: LuaValue, k: LuaValue, site: Site): LuaValue {
  if (o instanceof LuaTable) {
    const v = o.get(k);
    if (v !== undefined || o.metatable === null) return v;
  }
  return site.S.indexSlow(o, k, site);
}

/** o[k] for a string constant k. */
export function idxs(o: LuaValue, k: string, site: Site): LuaValue {
  if (o instanceof LuaTable) {
    const v = o.getString(k);
    if (v !== undefined || o.metatable === null) return v;
  }
  return site.S.indexSlow(o, k, site);
}

export function setidx(o: LuaValue, k: LuaValue, v: LuaValue, site: Site): void {
  if (o instanceof LuaTable && o.metatable === null && !o.readonly && k !== undefined && k === k) {
    o.set(k, v);
    return;
  }
  site.S.setIndexSlow(o, k, v, site);
}

export function add(a: LuaValue, b: LuaValue, site: Site): number {
  return typeof a === 'number' && typeof b === 'number' ? a + b : site.S.arith(a, b, ArithOp.Add, site);
}

export function sub(a: LuaValue, b: LuaValue, site: Site): number {
  return typeof a === 'number' && typeof b === 'number' ? a - b : site.S.arith(a, b, ArithOp.Sub, site);
}

export function mul(a: LuaValue, b: LuaValue, site: Site): number {
  return typeof a === 'number' && typeof b === 'number' ? a * b : site.S.arith(a, b, ArithOp.Mul, site);
}

export function div(a: LuaValue, b: LuaValue, site: Site): number {
  return typeof a === 'number' && typeof b === 'number' ? a / b : site.S.arith(a, b, ArithOp.Div, site);
}

export function mod(a: LuaValue, b: LuaValue, site: Site): number {
  return typeof a === 'number' && typeof b === 'number' ? a - Math.floor(a / b) * b : site.S.arith(a, b, ArithOp.Mod, site);
}

export function pow(a: LuaValue, b: LuaValue, site: Site): number {
  return typeof a === 'number' && typeof b === 'number' ? Math.pow(a, b) : site.S.arith(a, b, ArithOp.Pow, site);
}

export function neg(a: LuaValue, site: Site): number {
  return typeof a === 'number' ? -a : site.S.arith(a, a, ArithOp.Unm, site);
}

export function len(a: LuaValue, site: Site): number {
  if (typeof a === 'string') return a.length;
  if (a instanceof LuaTable) return a.length();
  return site.S.lenSlow(a, site);
}

export function cat(a: LuaValue, b: LuaValue, site: Site): LuaValue {
  if (typeof a === 'string') {
    if (typeof b === 'string') return a + b;
    if (typeof b === 'number') return a + numberToString(b);
  } else if (typeof a === 'number') {
    if (typeof b === 'string') return numberToString(a) + b;
    if (typeof b === 'number') return numberToString(a) + numberToString(b);
  }
  return site.S.concatSlow(a, b, site);
}

export function eq(a: LuaValue, b: LuaValue, site: Site): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object') return false;
  return site.S.eqSlow(a, b, site);
}

export function ne(a: LuaValue, b: LuaValue, site: Site): boolean {
  return !eq(a, b, site);
}

export function lt(a: LuaValue, b: LuaValue, site: Site): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a < b;
  if (typeof a === 'string' && typeof b === 'string') return a < b;
  return site.S.lessThan(a, b, site);
}

export function le(a: LuaValue, b: LuaValue, site: Site): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a <= b;
  if (typeof a === 'string' && typeof b === 'string') return a <= b;
  return site.S.lessEqual(a, b, site);
}

export function gt(a: LuaValue, b: LuaValue, site: Site): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a > b;
  if (typeof a === 'string' && typeof b === 'string') return a > b;
  return site.S.lessThan(b, a, site);
}

export function ge(a: LuaValue, b: LuaValue, site: Site): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a >= b;
  if (typeof a === 'string' && typeof b === 'string') return a >= b;
  return site.S.lessEqual(b, a, site);
}

/**
 * A constructor of positional values only: OP_NEWTABLE presizes the array part for the
 * `arraySize` fixed items (rounded as 5.1's floating-byte operand rounds it), and SETLIST grows it
 * to fit what a trailing call or `...` added. Nil values keep their slots, as in 5.1.
 */
export function tbl(positional: LuaValue[], arraySize: number): LuaTable {
  const size = Math.max(arraySize, positional.length);
  for (let i = positional.length; i < size; i++) positional.push(undefined);
  const t = new LuaTable();
  t.arr = positional;
  return t;
}

/** A keyed field of a table constructor (raw set; nil and NaN keys are errors). */
export function tset(t: LuaTable, k: LuaValue, v: LuaValue, site: Site): void {
  if (k === undefined || k !== k) site.S.keyError(k, site);
  t.set(k, v);
}

/**
 * Positional values of a constructor that has keyed fields too (the table was created presized):
 * stored after them into the array part, grown first if a trailing call added values (SETLIST).
 */
export function tlist(t: LuaTable, positional: LuaValue[]): LuaTable {
  if (positional.length > t.arr.length) t.resizeArray(positional.length);
  const arr = t.arr;
  for (let i = 0; i < positional.length; i++) arr[i] = positional[i];
  return t;
}

/** The `arg` table of an old-style vararg function (LUA_COMPAT_VARARG), sized as ldo.c sizes it. */
export function argTable(args: LuaValue[], fixed: number): LuaTable {
  const count = Math.max(0, args.length - fixed);
  const t = new LuaTable(count, 1);
  for (let i = 0; i < count; i++) t.arr[i] = args[fixed + i];
  t.set('n', count);
  return t;
}

export function varargs(args: LuaValue[], fixed: number): LuaValue[] {
  return args.length > fixed ? args.slice(fixed) : [];
}

/** The iteration state of a generic for over next/ipairs on a plain table, without calls. */
export class TableIterator {
  k: LuaValue = undefined;
  v: LuaValue = undefined;
  /** ipairs: the last index; next: the next traversal slot. */
  private i = 0;

  constructor(
    private readonly t: LuaTable,
    /** true: ipairs (stop at the first nil), false: next. */
    private readonly ipairs: boolean,
  ) {}

  step(): boolean {
    const t = this.t;
    if (this.ipairs) {
      const v = t.get(++this.i);
      if (v === undefined) return false;
      this.k = this.i;
      this.v = v;
      return true;
    }
    const count = t.slotCount;
    while (this.i < count) {
      const slot = this.i++;
      const v = t.slotValue(slot);
      if (v !== undefined) {
        this.k = t.slotKey(slot);
        this.v = v;
        return true;
      }
    }
    return false;
  }
}

