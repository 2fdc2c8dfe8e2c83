// FUNCTION and FCALL (Redis's functions.c and function_lua.c): libraries built by running their
// code once in an interpreter of their own, where only the load API exists; their functions
// called by FCALL through the scripting engine's run machinery.

import type { ClientState, CommandContext, FunctionsApi } from '../commands/context.js';
import { isKeyword } from '../commands/errors.js';
import { FunctionLibraries, type FunctionInfo, type FunctionLibrary } from '../store/functions.js';
import { createLibrary, dumpLibraries, joinLibraries, LUA_ENGINE_NAME, readDumpedLibraries } from './function-libraries.js';
import { createFunctionState, type FunctionState, type LuaRegisteredFunction } from './lua-environment.js';
import { LuaTable, type LuaFunction, type LuaValue } from './lua/value.js';
import { flagsFromNames, type ScriptFlags } from './script-flags.js';
import { BUSY_EVAL, numKeysArg, type ScriptRun } from './script-run.js';
import type { RedisApiHost } from './redis-api.js';

/** FUNCTION LOAD gives up on library code that runs longer than this (Redis's LOAD_TIMEOUT_MS). */
const FUNCTION_LOAD_TIMEOUT_MS = 500;

/** Thrown through the interpreter when a library's code ran past FUNCTION_LOAD_TIMEOUT_MS. */
class FunctionLoadTimeout extends Error {}

/** What functions need from the node. */
export interface FunctionsHost {
  /** The function libraries of the dataset. */
  readonly functions: FunctionLibraries;
  /** rdbcompression, for FUNCTION DUMP. */
  rdbCompression(): boolean;
  /** Shows a command to MONITOR clients now (FCALL, before the commands it runs). */
  feedMonitors(caller: CommandContext, argv: readonly string[]): void;
}

/** What functions need from the scripting engine: its checks, its runs and its count hook. */
export interface ScriptRunner {
  refuseRun(caller: ClientState, flags: ScriptFlags, readOnly: boolean): string | null;
  runScript(ctx: CommandContext, argv: readonly string[], name: string, readOnly: boolean, flags: ScriptFlags, fn: LuaFunction, args: LuaValue[], lua: FunctionState): void;
  currentRun(): ScriptRun | null;
  runHook(): 'continue' | 'suspend';
}

export class FunctionsEngine implements FunctionsApi {
  /** Functions run in an interpreter of their own, made on first use and kept across SCRIPT FLUSH. */
  private state: FunctionState | null = null;
  /** The compiled callback of each registered function. */
  private readonly callbacks = new WeakMap<FunctionInfo, LuaFunction>();
  /** performance.now() when the running FUNCTION LOAD started, or -1. */
  private loadStartedMs = -1;

  constructor(
    private readonly host: FunctionsHost,
    private readonly runner: ScriptRunner,
    /** What the interpreter's `redis` table calls (the scripting engine). */
    private readonly api: RedisApiHost,
  ) {}

  private get registry(): FunctionLibraries {
    return this.host.functions;
  }

  private get lua(): FunctionState {
    return (this.state ??= createFunctionState(this.api, () => this.onFunctionHook()));
  }

  /** The declared flags of the function FCALL names (argv[1]), or null when there is none. */
  flagsOf(argv: readonly string[]): ScriptFlags | null {
    const fn = argv.length > 1 ? this.registry.functionNamed(argv[1]) : undefined;
    if (fn === undefined) return null;
    const named = flagsFromNames(fn.flags);
    return 'unknown' in named ? null : named;
  }

  load(ctx: CommandContext, argv: string[]): void {
    let replace = false;
    let at = 2;
    for (; at < argv.length - 1; at++) {
      if (isKeyword(argv[at], 'REPLACE')) replace = true;
      else {
        ctx.reply.error(`ERR Unknown option given: ${argv[at]}`);
        return;
      }
    }
    if (at >= argv.length) {
      ctx.reply.error('ERR Function code is missing');
      return;
    }
    const library = this.createLibrary(this.registry, argv[at], replace, FUNCTION_LOAD_TIMEOUT_MS);
    if ('error' in library) {
      ctx.reply.error(`ERR ${library.error}`);
      return;
    }
    ctx.markDirty();
    ctx.reply.bulk(library.name);
  }

  /** Builds a library into `registry`, compiling its functions in the functions interpreter. */
  private createLibrary(registry: FunctionLibraries, code: string, replace: boolean, timeoutMs: number): FunctionLibrary | { error: string } {
    let callbacks: Map<string, LuaRegisteredFunction> | null = null;
    const library = createLibrary(registry, code, replace, (_library, body) => {
      this.loadStartedMs = timeoutMs > 0 ? performance.now() : -1;
      try {
        const registered = this.lua.loadLibrary(body);
        if (!('error' in registered)) callbacks = registered;
        return registered;
      } catch (err) {
        if (!(err instanceof FunctionLoadTimeout)) throw err;
        return { error: 'Error registering functions: ERR FUNCTION LOAD timeout' };
      } finally {
        this.loadStartedMs = -1;
      }
    });
    if ('error' in library) return library;
    const compiled = callbacks as Map<string, LuaRegisteredFunction> | null;
    for (const fn of library.functions.values()) {
      const registered = compiled?.get(fn.name);
      if (registered !== undefined) this.callbacks.set(fn, registered.callback);
    }
    return library;
  }

  restoreLibrary(code: string, replace: boolean): string | null {
    const library = this.createLibrary(this.registry, code, replace, 0);
    return 'error' in library ? library.error : null;
  }

  delete(ctx: CommandContext, name: string): void {
    const registry = this.registry;
    const library = registry.libraries.get(name);
    if (library === undefined) {
      ctx.reply.error('ERR Library not found');
      return;
    }
    registry.unlink(library);
    ctx.markDirty();
    ctx.reply.ok();
  }

  dump(ctx: CommandContext): void {
    ctx.reply.bulk(dumpLibraries(this.registry.libraries.values(), this.host.rdbCompression()));
  }

  restore(ctx: CommandContext, payload: string, policy: 'APPEND' | 'REPLACE' | 'FLUSH', skipChecksum: boolean): void {
    const codes = readDumpedLibraries(Buffer.from(payload, 'latin1'), skipChecksum);
    if ('error' in codes) {
      ctx.reply.error(`ERR ${codes.error}`);
      return;
    }
    // The payload's libraries are built apart, then joined all or none.
    const restored = new FunctionLibraries();
    for (const code of codes) {
      const library = this.createLibrary(restored, code, false, 0);
      if ('error' in library) {
        ctx.reply.error(`ERR ${library.error}`);
        return;
      }
    }
    const registry = this.registry;
    if (policy === 'FLUSH') {
      registry.clear();
    }
    const error = joinLibraries(registry, [...restored.libraries.values()], policy === 'REPLACE');
    if (error !== null) {
      ctx.reply.error(`ERR ${error}`);
      return;
    }
    ctx.markDirty();
    ctx.reply.ok();
  }

  stats(ctx: CommandContext): void {
    const run = this.runner.currentRun();
    if (run !== null && run.isEval) {
      ctx.reply.error(BUSY_EVAL);
      return;
    }
    const r = ctx.reply;
    r.mapLength(2);
    r.bulk('running_script');
    if (run === null) r.nullBulk();
    else {
      r.mapLength(3);
      r.bulk('name');
      r.bulk(run.name);
      r.bulk('command');
      r.bulkArray(run.callerArgv);
      r.bulk('duration_ms');
      r.integer(Math.floor(run.elapsedMs()));
    }
    r.bulk('engines');
    r.mapLength(1);
    r.bulk(LUA_ENGINE_NAME);
    r.mapLength(2);
    r.bulk('libraries_count');
    r.integer(this.registry.libraries.size);
    r.bulk('functions_count');
    r.integer(this.registry.functionCount);
  }

  fcall(ctx: CommandContext, argv: string[], readOnly: boolean): void {
    this.host.feedMonitors(ctx, argv);
    const fn = this.registry.functionNamed(argv[1]);
    if (fn === undefined) {
      ctx.reply.error('ERR Function not found');
      return;
    }
    const numKeys = numKeysArg(ctx, argv, 'ERR Bad number of keys provided');
    if (numKeys === null) return;
    const flags = flagsFromNames(fn.flags);
    if ('unknown' in flags) throw new Error(`registered function ${fn.name} has an unknown flag ${flags.unknown}`);
    const refusal = this.runner.refuseRun(ctx.client, flags, readOnly);
    if (refusal !== null) {
      ctx.reply.error(refusal);
      return;
    }
    let callback = this.callbacks.get(fn);
    if (callback === undefined) {
      // A library restored from an RDB image: compile it now.
      const rebuilt = this.createLibrary(this.registry, fn.library.code, true, 0);
      if ('error' in rebuilt) {
        ctx.reply.error(`ERR ${rebuilt.error}`);
        return;
      }
      const again = rebuilt.functions.get(fn.name);
      callback = again === undefined ? undefined : this.callbacks.get(again);
      if (callback === undefined) {
        ctx.reply.error('ERR Function not found');
        return;
      }
    }
    const keys = new LuaTable();
    for (let i = 0; i < numKeys; i++) keys.arr.push(argv[3 + i]);
    const args = new LuaTable();
    for (let i = 3 + numKeys; i < argv.length; i++) args.arr.push(argv[i]);
    this.runner.runScript(ctx, argv, fn.name, readOnly, flags, callback, [keys, args], this.lua);
  }

  /** The count hook of the functions interpreter: FUNCTION LOAD's timeout, else a run's hook. */
  private onFunctionHook(): 'continue' | 'suspend' {
    if (this.loadStartedMs >= 0) {
      if (performance.now() - this.loadStartedMs > FUNCTION_LOAD_TIMEOUT_MS) throw new FunctionLoadTimeout();
      return 'continue';
    }
    return this.runner.runHook();
  }
}
