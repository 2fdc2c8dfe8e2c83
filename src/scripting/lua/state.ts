// A Lua 5.1 interpreter instance: globals, the string metatable, loading (compiling) chunks,
// running them as resumable tasks, and the VM's slow paths (metamethods and the error texts of
// ldebug.c). See runtime.ts for the execution design.

import {
  type LuaRuntime,
  type LuaValue,
  LuaError,
  LuaFunction,
  LuaTable,
  LuaThread,
  LuaUserdata,
  NativeFunction,
  TableKeyError,
  numberToString,
  stringToNumber,
  toNumber,
  typeName,
} from './value.js';
import {
  ARITH_EVENTS,
  ArithOp,
  GenNativeFunction,
  type DebugHook,
  type LuaGen,
  MAX_C_CALLS,
  MAX_LUA_CALLS,
  LuaClosure,
  NATIVE_FRAME,
  type Site,
  SUSPEND,
  TableIterator,
  TailCall,
  ThreadFrames,
  YieldRequest,
} from './runtime.js';
import { compileChunk } from './codegen.js';
import { LuaSyntaxError, MAX_SOURCE_ID_SYNTAX, chunkId } from './lexer.js';

export { MAX_C_CALLS, MAX_LUA_CALLS };
/** MAXTAGLOOP: __index/__newindex chains longer than this are reported as loops. */
const MAX_TAG_LOOP = 100;
/** Redis's count hook fires every 100000 VM instructions; our ticks are loop iterations and calls. */
export const DEFAULT_HOOK_INTERVAL_TICKS = 100000;

export type HookResult = 'continue' | 'suspend';

export interface LuaTask {
  /**
   * Runs until the function returns (its results) or the hook asks to suspend (null: call again
   * later). An uncaught Lua error is thrown as a LuaError; whatever else the hook throws (the
   * host's kill signal) propagates as it is. Either ends the task.
   */
  resume(): LuaValue[] | null;
  readonly done: boolean;
}

type CoroutineStatus = 'suspended' | 'running' | 'normal' | 'dead';

export class LuaCoroutine extends LuaThread {
  status: CoroutineStatus = 'suspended';
  readonly frames = new ThreadFrames();
  gen: LuaGen | null = null;
  constructor(readonly fn: LuaValue) {
    super();
  }
}

/** A started function: its generator chain and the thread registers to restore on resume. */
class Task implements LuaTask {
  done = false;
  /** The frames of the task's main thread (recycled when it ends). */
  readonly mainFrames: ThreadFrames;
  /** The frames of the thread that was running when the task suspended. */
  frames: ThreadFrames;
  coroutine: LuaCoroutine | null = null;
  /** The C-call nesting (pcall, resume) in effect where the task suspended; 1 is the host's call. */
  cCalls = 1;
  gen: Generator<unknown, LuaValue[] | TailCall, unknown>;

  constructor(
    private readonly state: LuaState,
    fn: LuaValue,
    args: LuaValue[],
  ) {
    this.mainFrames = state.takeFrames();
    this.frames = this.mainFrames;
    // A Lua function runs directly at depth 1 (depth 0 stands for the host, which has no position).
    this.gen = fn instanceof LuaClosure ? fn.g(args) : state.callG(fn, args);
  }

  resume(): LuaValue[] | null {
    if (this.done) throw new Error('resume of a finished Lua task');
    return this.state.runTask(this);
  }
}

/** The current line of the Lua function at depth `index` (0 before it made any call). */
function lineAt(T: ThreadFrames, index: number): number {
  return T.sites[index]?.line ?? 0;
}

function rawEqual(a: LuaValue, b: LuaValue): boolean {
  return a === b;
}

export class LuaState implements LuaRuntime {
  readonly globals = new LuaTable();
  private stringMeta: LuaTable | null = null;
  /**
   * Called every hookIntervalTicks ticks (a tick is a loop iteration or a Lua function entry).
   * 'suspend' makes the running task's resume() return null, at once or, inside a native's
   * synchronous callback, at the first tick point after it. Whatever it throws propagates out of
   * resume() (or call()) untouched; pcall cannot catch it.
   */
  hook: (() => HookResult) | null = null;
  /** The script debugger's line hook while a debugging session runs (debug-built code calls it). */
  debugHook: DebugHook | null = null;
  private intervalTicks = DEFAULT_HOOK_INTERVAL_TICKS;
  /** Decremented by compiled code at loop back-edges and function entries; the hook runs at 0. */
  ticks = DEFAULT_HOOK_INTERVAL_TICKS;

  get hookIntervalTicks(): number {
    return this.intervalTicks;
  }

  set hookIntervalTicks(ticks: number) {
    if (!Number.isInteger(ticks) || ticks < 1) throw new RangeError('hookIntervalTicks must be a positive integer');
    this.intervalTicks = ticks;
    this.ticks = ticks;
  }
  /** The frames of the running thread. */
  cur: ThreadFrames = new ThreadFrames();
  /** The running coroutine, null on a main thread. */
  curCoroutine: LuaCoroutine | null = null;
  /** Synchronous JS frames (natives calling back into Lua) on the stack: no suspension then. */
  private syncDepth = 0;
  /** C-level nesting as LUAI_MAXCCALLS counts it (1: the host's call into Lua, as lua_pcall). */
  cCalls = 1;
  private pendingSuspend = false;
  /** A native is running as a metamethod (no call-site name for its argument errors). */
  private inMetamethod = false;
  /** The base library's `next` and ipairs iterator, recognised by generic for loops. */
  nextFunction: LuaFunction | null = null;
  pairsNext: LuaFunction | null = null;
  ipairsIterator: LuaFunction | null = null;
  /** The thread's global table (setfenv(0, t)): what getfenv(0) returns and loadstring uses. */
  threadGlobals: LuaTable = this.globals;
  private readonly objectIds = new WeakMap<object, number>();
  private spareFrames: ThreadFrames | null = null;
  private nextObjectId = 1;

  // ---- public API ----

  setStringMetatable(mt: LuaTable | null): void {
    this.stringMeta = mt;
  }

  /**
   * luaL_loadbuffer: compiles `source` (a chunk named `chunkName`, e.g. "@user_script") into a
   * function whose globals are `env` (default: the globals table). Throws LuaError with the
   * syntax message. A binary chunk is not special: Redis's Lua parses every chunk as text, so
   * precompiled code fails with "unexpected symbol near 'char(27)'".
   */
  load(source: string, chunkName: string, env?: LuaTable): LuaFunction {
    return this.compile(source, chunkName, env ?? this.globals, 0);
  }

  /** load() with a line event before every statement, for the script debugger (debugHook). */
  loadForDebugging(source: string, chunkName: string): LuaFunction {
    return this.compile(source, chunkName, this.globals, 0, true);
  }

  /** load() for natives (loadstring): the parser's nesting starts at the current C depth. */
  compile(source: string, chunkName: string, env: LuaTable, level: number, debug = false): LuaClosure {
    let body;
    let proto;
    try {
      ({ body, proto } = compileChunk(this, source, chunkName, level, debug));
    } catch (e) {
      if (e instanceof LuaSyntaxError) throw new LuaError(e.message);
      // Pathological nesting the 5.1 limits let through (a.b.c... or f()()... thousands deep)
      // can exhaust the compiler's stack or V8's parser: refused like too deep syntax.
      if (e instanceof RangeError) throw new LuaError(`${chunkId(chunkName, MAX_SOURCE_ID_SYNTAX)}:1: chunk has too many syntax levels`);
      throw e;
    }
    return new LuaClosure(proto, env, body);
  }

  start(fn: LuaValue, args: LuaValue[]): LuaTask {
    // A suspension the hook asked for in an earlier (killed) run is not this task's.
    this.pendingSuspend = false;
    return new Task(this, fn, args);
  }

  /** Runs one step of a task (see Task.resume); the state's registers are saved around it. */
  runTask(task: Task): LuaValue[] | null {
    const savedCur = this.cur;
    const savedCoroutine = this.curCoroutine;
    const savedSync = this.syncDepth;
    const savedCCalls = this.cCalls;
    this.cur = task.frames;
    this.curCoroutine = task.coroutine;
    this.cCalls = task.cCalls;
    this.syncDepth = 0;
    this.ticks = this.intervalTicks;
    try {
      let r = task.gen.next();
      while (r.done === true && r.value instanceof TailCall) {
        task.gen = this.tail(r.value);
        r = task.gen.next();
      }
      if (r.done === true) {
        task.done = true;
        this.recycleFrames(task.mainFrames);
        return r.value as LuaValue[];
      }
      if (r.value === SUSPEND) {
        task.frames = this.cur;
        task.coroutine = this.curCoroutine;
        task.cCalls = this.cCalls;
        return null;
      }
      throw new LuaError('attempt to yield across metamethod/C-call boundary');
    } catch (e) {
      task.done = true;
      const error = this.positioned(e);
      this.recycleFrames(task.mainFrames);
      throw error;
    } finally {
      this.cur = savedCur;
      this.curCoroutine = savedCoroutine;
      this.syncDepth = savedSync;
      this.cCalls = savedCCalls;
    }
  }

  /** Frame records for a new task: one of an ended task's when there is one (saves allocations). */
  takeFrames(): ThreadFrames {
    const frames = this.spareFrames;
    if (frames === null) return new ThreadFrames();
    this.spareFrames = null;
    return frames;
  }

  private recycleFrames(frames: ThreadFrames): void {
    frames.depth = 0;
    frames.nny = 0;
    frames.tails.length = 0;
    if (frames.localValues.length !== 0) {
      frames.lines.length = 0;
      frames.localNames.length = 0;
      frames.localValues.length = 0;
    }
    this.spareFrames = frames;
  }

  /** Whether the running code may suspend now (no native's synchronous callback in between). */
  canSuspend(): boolean {
    return this.syncDepth === 0;
  }

  /** A synchronous call (natives, the host): the hook may fire, suspension is deferred. */
  call(fn: LuaValue, args: LuaValue[]): LuaValue[] {
    const T = this.cur;
    const savedDepth = T.depth;
    const d = ++T.depth;
    T.frames[d] = NATIVE_FRAME;
    try {
      return this.callSync(fn, args, null);
    } catch (e) {
      throw this.positioned(e);
    } finally {
      T.depth = savedDepth;
    }
  }

  /**
   * An error leaving the interpreter, as a LuaError where it is one, carrying the innermost Lua
   * position (the frames are not unwound yet) when whoever raised it did not record one.
   */
  private positioned(e: unknown): unknown {
    const error = this.toLuaError(e);
    if (error === null) return e;
    if (error.luaSource === undefined) {
      const probe = this.newError(undefined);
      error.luaSource = probe.luaSource;
      error.luaLine = probe.luaLine;
    }
    return error;
  }

  // ---- LuaRuntime ----

  error(message: string, level = 1): never {
    throw this.newError(this.where(level) + message);
  }

  raise(value: LuaValue): never {
    throw this.newError(value);
  }

  tostring(value: LuaValue): string {
    const mt = this.getMetatable(value);
    if (mt !== null) {
      const tm = mt.getString('__tostring');
      if (tm !== undefined) {
        const r = this.call(tm, [value])[0];
        if (typeof r === 'string') return r;
        if (typeof r === 'number') return numberToString(r);
        this.error("'__tostring' must return a string", 0);
      }
    }
    return this.rawToString(value);
  }

  getMetatable(value: LuaValue): LuaTable | null {
    if (value instanceof LuaTable) return value.metatable;
    if (typeof value === 'string') return this.stringMeta;
    if (value instanceof LuaUserdata) return value.metatable;
    return null;
  }

  index(object: LuaValue, key: LuaValue): LuaValue {
    if (object instanceof LuaTable) {
      const v = object.get(key);
      if (v !== undefined || object.metatable === null) return v;
    }
    return this.indexSlow(object, key, null);
  }

  setIndex(object: LuaValue, key: LuaValue, value: LuaValue): void {
    this.setIndexSlow(object, key, value, null);
  }

  // ---- helpers for libraries ----

  /** tostring without __tostring: "table: 0x...", numbers as "%.14g". */
  rawToString(value: LuaValue): string {
    switch (typeof value) {
      case 'undefined':
        return 'nil';
      case 'boolean':
        return value ? 'true' : 'false';
      case 'number':
        return numberToString(value);
      case 'string':
        return value;
      default:
        if (value instanceof LuaUserdata && value.label !== '') return `userdata: ${value.label}`;
        return `${typeName(value)}: ${this.address(value)}`;
    }
  }

  /** A stable fake address per object, shaped like the pointers glibc hands out. */
  address(object: object): string {
    let id = this.objectIds.get(object);
    if (id === undefined) {
      id = this.nextObjectId++;
      this.objectIds.set(object, id);
    }
    return `0x${(0x55d0c8a00000 + id * 0x40).toString(16)}`;
  }

  /** luaL_where: "chunk:line: " of the function at `level`, or "" for a native or none. */
  where(level: number): string {
    if (level <= 0) return '';
    const T = this.cur;
    const index = this.frameIndex(level);
    if (index === undefined || index === 'tail') return '';
    const frame = T.frames[index];
    if (frame === NATIVE_FRAME || frame === undefined) return '';
    return `${frame.proto.chunkId}:${lineAt(T, index)}: `;
  }

  /**
   * lua_getstack from the running native: the frame index at `level` (1 = its caller), 'tail'
   * for a level lost to a tail call (5.1 shows no position there), undefined past the bottom.
   */
  private frameIndex(level: number): number | 'tail' | undefined {
    const T = this.cur;
    let index = T.depth + 1;
    while (level > 0 && index > 0) {
      level--;
      if (index <= T.depth && T.frames[index] !== NATIVE_FRAME) level -= T.tails[index] ?? 0;
      index--;
    }
    if (level === 0 && index > 0) return index;
    return level < 0 ? 'tail' : undefined;
  }

  /** The function running at `level` (1 = the caller of the running native), if any. */
  frameAt(level: number): LuaClosure | typeof NATIVE_FRAME | 'tail' | undefined {
    const index = this.frameIndex(level);
    return index === undefined || index === 'tail' ? index : this.cur.frames[index];
  }

  /** The number of frames on the running thread (for getfenv/setfenv level checks). */
  get depth(): number {
    return this.cur.depth;
  }

  /** A LuaError carrying the innermost Lua frame's position (for Redis's "on @user_script:N"). */
  newError(value: LuaValue): LuaError {
    const e = new LuaError(value);
    const T = this.cur;
    for (let i = T.depth; i >= 1; i--) {
      const frame = T.frames[i];
      if (frame !== NATIVE_FRAME && frame !== undefined) {
        e.luaSource = frame.proto.source;
        e.luaLine = lineAt(T, i);
        break;
      }
    }
    return e;
  }

  /** An error raised at a compiled-code site: positioned there. */
  siteError(site: Site, message: string): never {
    const e = new LuaError(`${site.proto.chunkId}:${site.line}: ${message}`);
    e.luaSource = site.proto.source;
    e.luaLine = site.line;
    throw e;
  }

  /**
   * What pcall and the task driver catch: LuaErrors as they are, JS stack exhaustion as Lua's
   * "stack overflow", allocation failures as "not enough memory"; null for anything else (the
   * host's kill signal, or a bug), which must propagate untouched.
   */
  toLuaError(e: unknown): LuaError | null {
    if (e instanceof LuaError) return e;
    if (e instanceof RangeError) {
      if (/call stack/i.test(e.message)) {
        const T = this.cur;
        let position = '';
        for (let i = T.depth; i >= 1; i--) {
          const frame = T.frames[i];
          if (frame !== NATIVE_FRAME && frame !== undefined) {
            position = `${frame.proto.chunkId}:${lineAt(T, i)}: `;
            break;
          }
        }
        return this.newError(`${position}stack overflow`);
      }
      if (/Invalid (string|array|typed array) length|Array buffer allocation failed/i.test(e.message)) {
        return this.newError('not enough memory');
      }
      return null;
    }
    if (e instanceof TableKeyError) return this.newError(this.where(1) + e.message);
    return null;
  }

  // ---- calls ----

  /** Runs a Lua function to its results, making the tail calls it ends with. */
  *runClosure(fn: LuaClosure, args: LuaValue[]): LuaGen {
    const r = yield* fn.g(args);
    return r instanceof TailCall ? yield* this.tail(r) : r;
  }

  /**
   * Makes a tail call, and the tail calls that one ends with, in constant stack. The frame they
   * run in counts them (ci->tailcalls), so error levels past it find no position, as in 5.1.
   */
  *tail(call: TailCall): LuaGen {
    const T = this.cur;
    const depth = T.depth + 1;
    let r: LuaValue[] | TailCall = call;
    let count = 0;
    try {
      while (r instanceof TailCall) {
        T.tails[depth] = ++count;
        r = yield* r.fn.g(r.args);
      }
    } finally {
      T.tails[depth] = 0;
    }
    return r;
  }

  /** A call from compiled code of anything but a Lua closure or a plain native. */
  *callOther(f: LuaValue, args: LuaValue[], site: Site): LuaGen {
    if (f instanceof GenNativeFunction) return yield* f.impl(this, args);
    if (f instanceof LuaClosure) return yield* this.runClosure(f, args);
    if (f instanceof NativeFunction) return f.impl(this, args);
    const tm = this.metamethod(f, '__call');
    if (!(tm instanceof LuaFunction)) return this.typeError(site, f, 'call', site.a);
    const withSelf = [f, ...args];
    if (tm instanceof LuaClosure) return yield* this.runClosure(tm, withSelf);
    if (tm instanceof NativeFunction) return tm.impl(this, withSelf);
    return yield* (tm as GenNativeFunction).impl(this, withSelf);
  }

  /**
   * A call made by a generator native (pcall, coroutine bodies): recorded as a native frame so
   * error levels skip it, suspendable.
   */
  *callG(fn: LuaValue, args: LuaValue[]): LuaGen {
    const T = this.cur;
    const d = ++T.depth;
    T.frames[d] = NATIVE_FRAME;
    let results: LuaValue[];
    if (fn instanceof LuaClosure) results = yield* this.runClosure(fn, args);
    else if (fn instanceof NativeFunction) results = fn.impl(this, args);
    else if (fn instanceof GenNativeFunction) results = yield* fn.impl(this, args);
    else {
      const tm = this.metamethod(fn, '__call');
      if (!(tm instanceof LuaFunction)) throw this.newError(`attempt to call a ${typeName(fn)} value`);
      results = yield* this.callG(tm, [fn, ...args]);
    }
    T.depth = d - 1;
    return results;
  }

  /** Runs `fn` to completion on the JS stack (callbacks, metamethods). */
  private callSync(fn: LuaValue, args: LuaValue[], site: Site | null): LuaValue[] {
    if (fn instanceof NativeFunction) return fn.impl(this, args);
    if (this.cCalls + 1 >= MAX_C_CALLS) this.cStackOverflow(site);
    this.cCalls++;
    this.syncDepth++;
    this.cur.nny++;
    const T = this.cur;
    const savedMeta = this.inMetamethod;
    this.inMetamethod = false;
    try {
      let gen: Generator<unknown, LuaValue[] | TailCall, unknown>;
      if (fn instanceof LuaClosure) gen = fn.g(args);
      else if (fn instanceof GenNativeFunction) gen = fn.impl(this, args);
      else {
        const tm = this.metamethod(fn, '__call');
        if (!(tm instanceof LuaFunction)) {
          const message = `attempt to call a ${typeName(fn)} value`;
          if (site !== null) this.siteError(site, message);
          throw this.newError(message);
        }
        return this.callSync(tm, [fn, ...args], site);
      }
      for (;;) {
        const r = gen.next();
        if (r.done === true) {
          if (!(r.value instanceof TailCall)) return r.value;
          gen = this.tail(r.value);
          continue;
        }
        // Suspension is refused while a JS frame is in between (tick() defers it), and
        // coroutine.yield refuses itself under nny; anything else reaching here is a bug.
        if (r.value instanceof YieldRequest || r.value === SUSPEND) {
          throw new Error('Lua suspension reached a synchronous call');
        }
      }
    } finally {
      this.inMetamethod = savedMeta;
      T.nny--;
      this.cCalls--;
      if (--this.syncDepth === 0 && this.pendingSuspend) this.ticks = 0;
    }
  }

  /** A metamethod call made by the VM (no native frame in between). */
  callMeta(fn: LuaValue, args: LuaValue[], site: Site | null): LuaValue[] {
    if (site !== null) this.cur.sites[this.cur.depth] = site;
    if (!(fn instanceof NativeFunction)) return this.callSync(fn, args, site);
    // A native run as a metamethod has no call-site name ("bad argument #1 to '?'").
    const saved = this.inMetamethod;
    this.inMetamethod = true;
    try {
      return fn.impl(this, args);
    } finally {
      this.inMetamethod = saved;
    }
  }

  /**
   * How the running native was called, as luaL_argerror needs it: the name at the call site
   * (null when there is none: a call from a native, a metamethod, an anonymous value) and whether
   * it was a method call (then `self` is not counted among the arguments).
   */
  callSite(): { name: string | null; method: boolean } {
    const T = this.cur;
    const frame = T.frames[T.depth];
    if (this.inMetamethod || frame === NATIVE_FRAME || frame === undefined) return { name: null, method: false };
    const described = T.sites[T.depth]?.a ?? null;
    if (described === null) return { name: null, method: false };
    const quote = described.indexOf("'");
    return { name: described.slice(quote + 1, -1), method: described.startsWith('method') };
  }

  private cStackOverflow(site: Site | null): never {
    if (site !== null) this.siteError(site, 'C stack overflow');
    throw this.newError('C stack overflow');
  }

  /** Called by a function prologue past MAX_LUA_CALLS. */
  stackOverflow(): never {
    const T = this.cur;
    T.depth--;
    throw this.newError(`${this.where(1)}stack overflow`);
  }

  /** The hook point: compiled code calls it when `ticks` runs out. */
  *tick(): Generator<unknown, void, unknown> {
    this.ticks = this.intervalTicks;
    if (this.pendingSuspend && this.syncDepth === 0) {
      this.pendingSuspend = false;
      yield SUSPEND;
      return;
    }
    const hook = this.hook;
    if (hook === null) return;
    if (hook() === 'suspend') {
      if (this.syncDepth === 0) yield SUSPEND;
      else this.pendingSuspend = true;
    }
  }

  // ---- metatables ----

  metamethod(value: LuaValue, event: string): LuaValue {
    const mt = this.getMetatable(value);
    return mt === null ? undefined : mt.getString(event);
  }

  // ---- slow paths and their error texts (ldebug.c) ----

  typeError(site: Site | null, value: LuaValue, op: string, name: string | null): never {
    const message = name !== null ? `attempt to ${op} ${name} (a ${typeName(value)} value)` : `attempt to ${op} a ${typeName(value)} value`;
    if (site !== null) this.siteError(site, message);
    throw this.newError(this.where(1) + message);
  }

  keyError(key: LuaValue, site: Site | null): never {
    const message = key === undefined ? 'table index is nil' : 'table index is NaN';
    if (site !== null) this.siteError(site, message);
    throw this.newError(this.where(1) + message);
  }

  private runError(site: Site | null, message: string): never {
    if (site !== null) this.siteError(site, message);
    throw this.newError(this.where(1) + message);
  }

  indexSlow(object: LuaValue, key: LuaValue, site: Site | null): LuaValue {
    let t = object;
    for (let loop = 0; loop < MAX_TAG_LOOP; loop++) {
      let tm: LuaValue;
      if (t instanceof LuaTable) {
        const v = t.get(key);
        if (v !== undefined) return v;
        const mt = t.metatable;
        if (mt === null) return undefined;
        tm = mt.getString('__index');
        if (tm === undefined) return undefined;
      } else {
        tm = this.metamethod(t, '__index');
        if (tm === undefined) return this.typeError(site, t, 'index', loop === 0 && site !== null ? site.a : null);
      }
      if (tm instanceof LuaFunction) return this.callMeta(tm, [t, key], site)[0];
      t = tm;
    }
    return this.runError(site, 'loop in gettable');
  }

  setIndexSlow(object: LuaValue, key: LuaValue, value: LuaValue, site: Site | null): void {
    let t = object;
    for (let loop = 0; loop < MAX_TAG_LOOP; loop++) {
      let tm: LuaValue;
      if (t instanceof LuaTable) {
        if (t.readonly) this.runError(site, 'Attempt to modify a readonly table');
        const mt = t.metatable;
        if (mt === null || t.get(key) !== undefined || (tm = mt.getString('__newindex')) === undefined) {
          if (key === undefined || key !== key) this.keyError(key, site);
          t.set(key, value);
          return;
        }
      } else {
        tm = this.metamethod(t, '__newindex');
        if (tm === undefined) this.typeError(site, t, 'index', loop === 0 && site !== null ? site.a : null);
      }
      if (tm instanceof LuaFunction) {
        this.callMeta(tm, [t, key, value], site);
        return;
      }
      t = tm;
    }
    this.runError(site, 'loop in settable');
  }

  arith(a: LuaValue, b: LuaValue, op: ArithOp, site: Site): number {
    const x = toNumber(a);
    const y = toNumber(b);
    if (x !== undefined && y !== undefined) {
      switch (op) {
        case ArithOp.Add:
          return x + y;
        case ArithOp.Sub:
          return x - y;
        case ArithOp.Mul:
          return x * y;
        case ArithOp.Div:
          return x / y;
        case ArithOp.Mod:
          return x - Math.floor(x / y) * y;
        case ArithOp.Pow:
          return Math.pow(x, y);
        default:
          return -x;
      }
    }
    const event = ARITH_EVENTS[op];
    let tm = this.metamethod(a, event);
    if (tm === undefined) tm = this.metamethod(b, event);
    if (tm === undefined) {
      // luaG_aritherror blames the first operand that is not convertible.
      if (x === undefined) return this.typeError(site, a, 'perform arithmetic on', site.a);
      return this.typeError(site, b, 'perform arithmetic on', op === ArithOp.Unm ? site.a : site.b);
    }
    return this.callMeta(tm, [a, b], site)[0] as number;
  }

  lenSlow(a: LuaValue, site: Site): number {
    if (a instanceof LuaUserdata) {
      const tm = this.metamethod(a, '__len');
      if (tm !== undefined) return this.callMeta(tm, [a], site)[0] as number;
    }
    return this.typeError(site, a, 'get length of', site.a);
  }

  concatSlow(a: LuaValue, b: LuaValue, site: Site): LuaValue {
    let tm = this.metamethod(a, '__concat');
    if (tm === undefined) tm = this.metamethod(b, '__concat');
    if (tm === undefined) {
      if (typeof a === 'string' || typeof a === 'number') return this.typeError(site, b, 'concatenate', site.b);
      return this.typeError(site, a, 'concatenate', site.a);
    }
    return this.callMeta(tm, [a, b], site)[0];
  }

  /** get_compTM: the __eq (or order) handler both operands share, if any. */
  private compareHandler(mt1: LuaTable | null, mt2: LuaTable | null, event: string): LuaValue {
    if (mt1 === null) return undefined;
    const tm1 = mt1.getString(event);
    if (tm1 === undefined) return undefined;
    if (mt1 === mt2) return tm1;
    if (mt2 === null) return undefined;
    const tm2 = mt2.getString(event);
    if (tm2 === undefined) return undefined;
    return rawEqual(tm1, tm2) ? tm1 : undefined;
  }

  eqSlow(a: LuaValue, b: LuaValue, site: Site | null): boolean {
    let tm: LuaValue;
    if (a instanceof LuaTable && b instanceof LuaTable) tm = this.compareHandler(a.metatable, b.metatable, '__eq');
    else if (a instanceof LuaUserdata && b instanceof LuaUserdata) tm = this.compareHandler(a.metatable, b.metatable, '__eq');
    else return false;
    if (tm === undefined) return false;
    const r = this.callMeta(tm, [a, b], site)[0];
    return r !== undefined && r !== false;
  }

  /** Lua equality (lua_equal) for libraries. */
  equals(a: LuaValue, b: LuaValue): boolean {
    if (a === b) return true;
    if (typeof a !== 'object' || typeof b !== 'object') return false;
    return this.eqSlow(a, b, null);
  }

  private orderError(a: LuaValue, b: LuaValue, site: Site | null): never {
    const t1 = typeName(a);
    const t2 = typeName(b);
    const message = t1[2] === t2[2] ? `attempt to compare two ${t1} values` : `attempt to compare ${t1} with ${t2}`;
    return this.runError(site, message);
  }

  /** call_orderTM: 1 true, 0 false, -1 no handler. */
  private orderHandler(a: LuaValue, b: LuaValue, event: string, site: Site | null): number {
    const tm1 = this.metamethod(a, event);
    if (tm1 === undefined) return -1;
    const tm2 = this.metamethod(b, event);
    if (!rawEqual(tm1, tm2)) return -1;
    const r = this.callMeta(tm1, [a, b], site)[0];
    return r !== undefined && r !== false ? 1 : 0;
  }

  lessThan(a: LuaValue, b: LuaValue, site: Site | null): boolean {
    if (typeName(a) !== typeName(b)) return this.orderError(a, b, site);
    if (typeof a === 'number') return a < (b as number);
    if (typeof a === 'string') return a < (b as string);
    const r = this.orderHandler(a, b, '__lt', site);
    if (r !== -1) return r === 1;
    return this.orderError(a, b, site);
  }

  lessEqual(a: LuaValue, b: LuaValue, site: Site | null): boolean {
    if (typeName(a) !== typeName(b)) return this.orderError(a, b, site);
    if (typeof a === 'number') return a <= (b as number);
    if (typeof a === 'string') return a <= (b as string);
    let r = this.orderHandler(a, b, '__le', site);
    if (r !== -1) return r === 1;
    r = this.orderHandler(b, a, '__lt', site);
    if (r !== -1) return r === 0;
    return this.orderError(a, b, site);
  }

  /** A generic for over next or ipairs on a table iterates without calls (same visiting order). */
  forIterator(f: LuaValue, s: LuaValue, control: LuaValue): TableIterator | null {
    if (s instanceof LuaTable) {
      if ((f === this.pairsNext || f === this.nextFunction) && control === undefined) return new TableIterator(s, false);
      if (f === this.ipairsIterator && control === 0) return new TableIterator(s, true);
    }
    return null;
  }

  /** A for loop's control value: numbers and numeric strings. */
  forNumber(value: LuaValue, what: string, site: Site): number {
    if (typeof value === 'number') return value;
    const n = typeof value === 'string' ? stringToNumber(value) : undefined;
    if (n === undefined) this.siteError(site, `'for' ${what} must be a number`);
    return n;
  }
}
