// The scripting engine: one Lua interpreter for the node (Redis keeps one lua_State), the EVAL
// script cache by SHA1, the run of one script at a time, and redis.call() through a socket-free
// script client that goes through the engine's call() like any command.

import type { ClientState, CommandContext, ScriptingApi } from '../commands/context.js';
import type { Command, RuntimeFlags } from '../commands/types.js';
import type { Client } from '../engine/client.js';
import { errorInfoOf, writeErrorText, writeLuaReply } from './lua-to-reply.js';
import { LuaError, LuaTable, type LuaFunction, type LuaValue } from './lua/value.js';
import type { FunctionLibraries } from '../store/functions.js';
import { FunctionsEngine } from './functions-engine.js';
import { createScriptState, type EvalState, type LuaTask, type ScriptState } from './lua-environment.js';
import { errorTable, isErrorReply, replyToLua } from './reply-to-lua.js';
import type { RedisApiHost } from './redis-api.js';
import { parseShebang, sha1Hex, type ScriptFlags } from './script-flags.js';
import { BUSY_EVAL, BUSY_FUNCTION, numKeysArg, refuseScriptCommand, ScriptRun, type ScriptCallGates } from './script-run.js';
import { DebugSession, type DebuggerOutput } from './debugger/session.js';

/** What the engine needs from the node. */
export interface ScriptingHost {
  /** A script went past busy-reply-threshold: BUSY refusals start. */
  busyStarted(): void;
  /** The error text while commands that grow memory are refused, else null. */
  oomRefusal(): string | null;
  /** The MISCONF text while writes are refused after a failed save, else null. */
  diskErrorRefusal(): string | null;
  /** The NOREPLICAS text while min-replicas-to-write is not met, else null. */
  noReplicasRefusal(): string | null;
  /** A replica's refusals of client writes (READONLY) and of commands while its link is down (MASTERDOWN). */
  replicaGate(): { readonly readOnly: boolean; readonly staleDataRefused: boolean };
  /** Re-reads memory use: true when it is near the heap's or the machine's limit. */
  memoryExhausted(): boolean;
  /** A client with no socket for the commands scripts run (Redis's lua_client). */
  createScriptClient(): Client;
  lookupCommand(argv: readonly string[]): Command | undefined;
  /** The caller's ACL permissions for a redis.call(): null, or the refusal text (logged in ACL LOG). */
  aclRefusal(caller: CommandContext, command: Command, argv: readonly string[]): string | null;
  /** redis.acl_check_cmd(): whether the caller's user may run the command line. */
  aclAllows(caller: CommandContext, command: Command, argv: readonly string[]): boolean;
  /** Makes the script client act as the caller's user (Redis's scriptCall sets it per call). */
  actAsCaller(scriptClient: Client, caller: CommandContext): void;
  /**
   * Counts the error reply of a command a script was refused (INFO errorstats), charged to that
   * command's rejected_calls and not to the EVAL or FCALL around it as failed.
   */
  countErrorReply(text: string): void;
  /** Cluster mode's refusal of a command a script calls (scripting/script-run.ts ScriptCallGates). */
  clusterRefusal(run: ScriptRun, command: Command, argv: readonly string[]): string | null;
  /** Whether the node runs in cluster mode (scripts flagged no-cluster are refused). */
  clusterEnabled(): boolean;
  busyReplyThresholdMs(): number;
  /** Whether the caller's command may go on after its handler returns (see beginYielding). */
  canYield(caller: CommandContext): boolean;
  /**
   * The caller's command goes on after its handler returns: its input waits and its call()
   * bookkeeping and propagation unit stay open until the returned function is called.
   */
  beginYielding(caller: CommandContext): (failed: boolean) => void;
  log(level: number, message: string): void;
  logWarning(message: string): void;
  /** The function libraries of the dataset. */
  readonly functions: FunctionLibraries;
  /** rdbcompression, for FUNCTION DUMP. */
  rdbCompression(): boolean;
  /** Shows a command to MONITOR clients now (EVAL and FCALL, before the commands they run). */
  feedMonitors(caller: CommandContext, argv: readonly string[]): void;
  /**
   * SCRIPT DEBUG SYNC: the caller's pending replies go out, then its input and its disconnection
   * go to the session instead of running commands, and every other client's commands wait, as
   * the whole of Redis waits on the debugging client.
   */
  startDebugging(caller: CommandContext, session: DebuggerClientSide): DebuggerOutput;
  /** The session ended: the caller is closed once its reply is out, held clients go on. */
  endDebugging(caller: CommandContext): void;
  /**
   * SCRIPT DEBUG YES: the EVAL is debugged in a forked session (server/debug-fork.ts) that gets
   * the client; or it is answered Redis's "Fork() failed" error.
   */
  forkDebugSession(caller: CommandContext, argv: readonly string[]): void;
}

/** What a debugging session takes from its client's connection. */
export interface DebuggerClientSide {
  feed(latin1: string): void;
  clientClosed(): void;
}

/**
 * Interpreter ticks a redis.call counts for: a command costs as much as a hundred loop
 * iterations, so a loop around redis.call reaches the count hook about as often as in Redis.
 */
const TICKS_PER_COMMAND = 100;


interface CachedScript {
  readonly body: string;
  readonly flags: ScriptFlags;
  readonly fn: LuaFunction;
  /** Where the code starts in `body`: past the shebang line, before its newline. */
  readonly codeStart: number;
}

/** Thrown through the interpreter by the hook of a killed script: pcall cannot catch it. */
export class ScriptKilled extends Error {
  /** "@user_script:3": where the script was when killed, or null. */
  constructor(readonly position: string | null, readonly reason: 'killed' | 'memory' = 'killed') {
    super(reason === 'killed' ? 'script killed' : 'script out of memory');
  }
}

/**
 * How often a running script's hook looks at memory. A script that keeps allocating would take
 * the process down at the V8 heap limit; near it (the node's OOM refusal), the script is ended.
 */
const MEMORY_CHECK_INTERVAL_MS = 50;

const NOSCRIPT = 'NOSCRIPT No matching script. Please use EVAL.';


export class ScriptingEngine implements ScriptingApi, RedisApiHost {
  /** The EVAL interpreter, made on first use (a node that runs no script pays nothing for it). */
  private evalState: EvalState | null = null;
  private readonly scripts = new Map<string, CachedScript>();
  /** Bytes of cached script bodies and SHAs (INFO used_memory_scripts_eval). */
  private scriptsBytes = 0;
  private readonly scriptClient: Client;
  private current: ScriptRun | null = null;
  /** The interpreter the current run belongs to. */
  private currentLua: ScriptState | null = null;

  /** performance.now() of the hook's last look at memory. */
  private memoryCheckedAtMs = 0;
  /** DEBUG SET-DISABLE-DENY-SCRIPTS: noscript commands are allowed from scripts. */
  private disableDenyScripts = false;
  private readonly gates: ScriptCallGates = {
    oomRefusal: () => this.host.oomRefusal(),
    diskErrorRefusal: () => this.host.diskErrorRefusal(),
    noReplicasRefusal: () => this.host.noReplicasRefusal(),
    readOnlyReplica: () => this.host.replicaGate().readOnly,
    staleReplica: () => this.host.replicaGate().staleDataRefused,
    denyNoScriptCommands: () => !this.disableDenyScripts,
    aclRefusal: (run, command, argv) => this.host.aclRefusal(run.caller, command, argv),
    clusterRefusal: (run, command, argv) => this.host.clusterRefusal(run, command, argv),
  };

  /** FUNCTION and FCALL (src/scripting/functions-engine.ts). */
  readonly functions: FunctionsEngine;

  constructor(private readonly host: ScriptingHost) {
    this.scriptClient = host.createScriptClient();
    this.scriptClient.denyBlocking = true;
    this.scriptClient.isScript = true;
    this.functions = new FunctionsEngine(host, {
      refuseRun: (caller, flags, readOnly) => this.refuseRun(caller, flags, readOnly),
      runScript: (ctx, argv, name, readOnly, flags, fn, args, lua) => this.runScript(ctx, argv, name, false, readOnly, flags, fn, args, lua),
      currentRun: () => this.current,
      runHook: () => this.onHook(),
    }, this);
  }

  private get lua(): EvalState {
    return (this.evalState ??= createScriptState(this, () => this.onHook()));
  }


  get cachedScriptCount(): number {
    return this.scripts.size;
  }

  get cachedScriptBytes(): number {
    return this.scriptsBytes;
  }

  /** The script running now, if any (its caller, for client-side caching). */
  get runningScript(): ScriptRun | null {
    return this.current;
  }

  /** The running script once it passed busy-reply-threshold (other clients get BUSY). */
  get timedOutRun(): ScriptRun | null {
    return this.current !== null && this.current.timedOut ? this.current : null;
  }

  commandFlags(argv: readonly string[], kind: 'eval' | 'evalsha' | 'fcall'): RuntimeFlags | null {
    let flags: ScriptFlags | null = null;
    if (kind === 'fcall') {
      flags = this.functions.flagsOf(argv);
    } else if (argv.length > 1) {
      const body = argv[1];
      const cached = kind === 'evalsha' ? (body.length === 40 ? this.scripts.get(body.toLowerCase()) : undefined) : this.scripts.get(sha1Hex(body));
      if (cached !== undefined) flags = cached.flags;
      else if (kind === 'eval') {
        const parsed = parseShebang(body);
        flags = 'error' in parsed ? null : parsed.flags;
      }
    }
    // Redis's scriptFlagsToCmdFlags: a script that declares flags writes unless no-writes.
    if (flags === null || flags.compatMode) return null;
    return { mayReplicate: !flags.noWrites, write: !flags.noWrites, allowStale: flags.allowStale, denyOom: !flags.allowOom && !flags.noWrites };
  }

  setDisableDenyScripts(disable: boolean): void {
    this.disableDenyScripts = disable;
  }

  busyRefusal(): string | null {
    const run = this.current;
    if (run === null || !run.timedOut) return null;
    return run.isEval ? BUSY_EVAL : BUSY_FUNCTION;
  }

  // ------------------------------------------------------------------ EVAL family

  eval(ctx: CommandContext, argv: string[], bySha: boolean, readOnly: boolean): void {
    this.host.feedMonitors(ctx, argv);
    const debugMode = ctx.client.scriptDebugMode;
    if (debugMode === 'no') {
      this.evalScript(ctx, argv, bySha, readOnly, null);
    } else if (bySha) {
      ctx.reply.error(argv[1].length === 40 ? 'ERR Please use EVAL instead of EVALSHA for debugging' : NOSCRIPT);
    } else if (debugMode === 'yes') {
      // The session runs in another process on a copy of the dataset; here the client is done.
      ctx.client.scriptDebugMode = 'no';
      this.host.forkDebugSession(ctx, argv);
    } else {
      this.evalDebugging(ctx, argv, readOnly);
    }
  }

  /**
   * evalGenericCommandWithDebugging: the script runs as a debug build in a session that ends,
   * however the EVAL ends, with <endsession> before its reply; the client is closed after it.
   */
  private evalDebugging(ctx: CommandContext, argv: string[], readOnly: boolean): void {
    let session: DebugSession | null = null;
    const output = this.host.startDebugging(ctx, {
      feed: (bytes) => session?.feed(bytes),
      clientClosed: () => session?.clientClosed(),
    });
    session = new DebugSession(argv[1], output, this.host.canYield(ctx), (object) => this.lua.address(object));
    this.evalScript(ctx, argv, false, readOnly, session);
    // Refused before it ran, or ran to its end without stopping: the session ends now.
    if (this.current?.debugSession !== session) this.endDebugSession(session, ctx);
  }

  /** Once per session, however its EVAL ended (session.end() says whether it already had). */
  private endDebugSession(session: DebugSession, ctx: CommandContext): void {
    if (!session.end()) return;
    this.lua.setDebugHook(null);
    this.host.endDebugging(ctx);
  }

  private evalScript(ctx: CommandContext, argv: string[], bySha: boolean, readOnly: boolean, session: DebugSession | null): void {
    const numKeys = numKeysArg(ctx, argv, 'ERR value is not an integer or out of range');
    if (numKeys === null) return;
    let sha: string;
    let script: CachedScript | undefined;
    if (bySha) {
      sha = argv[1].toLowerCase();
      script = sha.length === 40 ? this.scripts.get(sha) : undefined;
      if (script === undefined) {
        ctx.reply.error(NOSCRIPT);
        return;
      }
    } else {
      sha = sha1Hex(argv[1]);
      script = this.scripts.get(sha) ?? this.createScript(ctx, sha, argv[1]) ?? undefined;
      if (script === undefined) return;
    }
    const refusal = this.refuseRun(ctx.client, script.flags, readOnly);
    if (refusal !== null) {
      ctx.reply.error(refusal);
      return;
    }
    this.lua.setKeysAndArgs(argv, 3, numKeys);
    let fn = script.fn;
    if (session !== null) {
      // The cached function has no line events; the session runs a debug build of the same body.
      fn = this.lua.loadForDebugging(script.body.slice(script.codeStart), '@user_script');
      this.lua.setDebugHook(session);
    }
    this.runScript(ctx, argv, sha, true, readOnly, script.flags, fn, [], this.lua, session);
  }

  /** Compiles and caches a script body; on failure replies the error and returns null. */
  private createScript(ctx: CommandContext | null, sha: string, body: string): CachedScript | null {
    const parsed = parseShebang(body);
    if ('error' in parsed) {
      ctx?.reply.error(`ERR ${parsed.error}`);
      return null;
    }
    let fn: LuaFunction;
    try {
      // The shebang line is skipped but its newline kept, so line numbers stay the user's.
      fn = this.lua.load(body.slice(parsed.shebangLength), '@user_script');
    } catch (err) {
      if (!(err instanceof LuaError)) throw err;
      ctx?.reply.error(`ERR Error compiling script (new function): ${err.message}`);
      return null;
    }
    const script: CachedScript = { body, flags: parsed.flags, fn, codeStart: parsed.shebangLength };
    this.scripts.set(sha, script);
    this.scriptsBytes += body.length + sha.length;
    return script;
  }

  /**
   * Redis's scriptPrepareForRun refusals, in its order. `caller` is the client running the script:
   * the primary's stream and the AOF (replaysData) are obeyed whatever this node's state.
   */
  private refuseRun(caller: ClientState, flags: ScriptFlags, readOnly: boolean): string | null {
    const obey = caller.replaysData;
    const staleRefused = !obey && this.host.replicaGate().staleDataRefused;
    // A script without a shebang runs as before flags existed: only the link's state stops it.
    if (flags.compatMode) return staleRefused ? "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'." : null;
    if (flags.noCluster && this.host.clusterEnabled()) return "ERR Can not run script on cluster, 'no-cluster' flag is set.";
    if (staleRefused && !flags.allowStale) {
      return "MASTERDOWN Link with MASTER is down, replica-serve-stale-data is set to 'no' and 'allow-stale' flag is not set on the script.";
    }
    if (!flags.noWrites) {
      if (!obey && this.host.replicaGate().readOnly) return 'READONLY Can not run script with write flag on readonly replica';
      if (!obey && this.host.diskErrorRefusal() !== null) {
        return "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Writable scripts are blocked. Use 'no-writes' flag for read only scripts.";
      }
      if (readOnly) return 'ERR Can not execute a script with write flag using *_ro command.';
      const refusal = this.host.noReplicasRefusal();
      if (refusal !== null) return refusal;
    }
    if (!flags.allowOom && !flags.noWrites && this.host.oomRefusal() !== null) {
      return "OOM allow-oom flag is not set on the script, can not run it when used memory > 'maxmemory'";
    }
    return null;
  }

  /** Starts a script or function; it ends now, or later when it yields past the time limit. */
  private runScript(
    ctx: CommandContext, argv: readonly string[], name: string, isEval: boolean, readOnly: boolean, flags: ScriptFlags,
    fn: LuaFunction, args: LuaValue[], lua: ScriptState, session: DebugSession | null = null,
  ): void {
    const scriptClient = this.scriptClient;
    scriptClient.selectDb(ctx.client.dbIndex);
    scriptClient.setProtocol(2);
    const noWrites = !flags.compatMode && flags.noWrites;
    const run = new ScriptRun(ctx, argv, scriptClient, name, isEval, readOnly || noWrites, flags);
    run.canYield = this.host.canYield(ctx);
    run.debugSession = session;
    this.current = run;
    this.currentLua = lua;
    // The script's own commands propagate their effects; EVAL or FCALL itself never does.
    ctx.preventPropagation();
    this.advance(run, lua.start(fn, args), lua);
  }

  /** Runs the script until it ends or yields; when it yields, again after this event loop turn. */
  private advance(run: ScriptRun, task: LuaTask, lua: ScriptState): void {
    const ctx = run.caller;
    let failed = false;
    try {
      const results = task.resume();
      if (results === null) {
        run.finishYielding ??= this.host.beginYielding(ctx);
        const session = run.debugSession;
        if (session !== null && session.waiting) {
          // Stopped in the debugger: the client's next command (or its leaving) goes on with it.
          session.onWake = () => {
            session.onWake = null;
            this.advance(run, task, lua);
          };
        } else {
          setImmediate(() => this.advance(run, task, lua));
        }
        return;
      }
      if (run.debugSession !== null) this.endDebugSession(run.debugSession, ctx);
      if (writeLuaReply(ctx.reply, results[0], run.scriptClient.reply.resp) > 0) failed = this.uncountedErrorReplied(run);
    } catch (err) {
      failed = true;
      if (run.debugSession !== null) this.endDebugSession(run.debugSession, ctx);
      if (this.replyScriptError(ctx, run, err, lua)) this.uncountedErrorReplied(run);
    }
    this.endRun(run, failed);
  }

  /**
   * The script replied an error the statistics leave out (a called command's, already counted):
   * its EVAL or FCALL still failed (Redis's afterErrorReply). A run that yielded has that counted
   * when it completes; returns whether the run counts as failed there.
   */
  private uncountedErrorReplied(run: ScriptRun): boolean {
    if (run.finishYielding === null) run.caller.command.stats.failedCalls++;
    return true;
  }

  private endRun(run: ScriptRun, failed: boolean): void {
    if (this.current === run) {
      this.current = null;
      this.currentLua = null;
    }
    const finishYielding = run.finishYielding;
    run.finishYielding = null;
    if (finishYielding !== null) finishYielding(failed);
  }

  /**
   * The error reply of a failed script: its message, then where it failed. True when the error
   * statistics leave it out (see writeErrorText).
   */
  private replyScriptError(ctx: CommandContext, run: ScriptRun, err: unknown, lua: ScriptState): boolean {
    let table: LuaTable;
    let position: string | null = null;
    if (err instanceof ScriptKilled) {
      if (err.reason === 'memory') {
        this.host.logWarning(`Lua script ${run.name} ended: used memory is near the limit.`);
        table = errorTable('ERR not enough memory');
      } else {
        this.host.logWarning('Lua script killed by user with SCRIPT KILL.');
        table = errorTable('ERR Script killed by user with SCRIPT KILL...');
      }
      position = err.position;
    } else if (err instanceof LuaError) {
      const value = err.value;
      // Redis's error handler: an error that is not a Redis error table becomes one.
      table = value instanceof LuaTable && typeof value.getString('err') === 'string' ? value : errorTable(`ERR ${lua.tostring(value)}`);
      if (err.luaSource !== undefined && err.luaLine !== undefined && err.luaLine >= 0) position = `${err.luaSource}:${err.luaLine}`;
    } else if (run.finishYielding !== null) {
      // A fault of ours after the script yielded: no call() is around to contain it any more.
      this.host.logWarning(`Internal error running script ${run.name}: ${(err as Error).stack ?? String(err)}`);
      table = errorTable('ERR internal error running script');
    } else {
      this.endRun(run, true);
      throw err;
    }
    const info = errorInfoOf(table);
    const text = position === null ? info.message : `${info.message} script: ${run.name}, on ${position}.`;
    return writeErrorText(ctx.reply, text, info.ignoreStats);
  }

  // ------------------------------------------------------------------ redis.* host

  running(): boolean {
    return this.current !== null;
  }

  /** Whether the last callCommand's reply was an error. */
  lastCallFailed = false;

  debugSession(): DebugSession | null {
    return this.current?.debugSession ?? null;
  }

  callCommand(argv: string[]): LuaValue {
    const run = this.current as ScriptRun;
    this.currentLua?.chargeTicks(TICKS_PER_COMMAND);
    const host = this.host;
    // A stepping debugger logs the command, then its refusal or its reply (Redis's ldbIsEnabled).
    const session = run.debugSession !== null && run.debugSession.logsCalls ? run.debugSession : null;
    session?.logCommand(argv);
    const command = host.lookupCommand(argv);
    const refusal = refuseScriptCommand(run, command, argv, this.gates);
    if (command === undefined || refusal !== null) {
      // Refusals Redis takes from its shared replies ("-OOM ...") keep their CRLF in the log.
      if (refusal !== null) session?.logError(refusal.startsWith('-') ? `${refusal}\r\n` : refusal);
      const text = refusal !== null && refusal.startsWith('-') ? refusal.slice(1) : `ERR ${refusal ?? ''}`;
      host.countErrorReply(text);
      if (command !== undefined) command.stats.rejectedCalls++;
      const table = errorTable(text);
      table.set('ignore_error_stats_update', true);
      this.lastCallFailed = true;
      return table;
    }
    if (command.isWrite) run.writeDirty = true;
    const client = run.scriptClient;
    // The command runs as the caller's user (Redis's scriptCall sets it per call): commands that
    // judge the user themselves (SORT's BY/GET, ACL WHOAMI) see who called the script.
    this.host.actAsCaller(client, run.caller);
    // redis.set_repl()'s flags are the propagation targets' bits.
    client.propagateTargets = run.replFlags;
    client.call(command, argv);
    const integer = client.reply.takeSafeInteger();
    if (integer !== null) {
      this.lastCallFailed = false;
      session?.logReply(`:${integer}\r\n`);
      return integer;
    }
    const text = client.reply.takeLatin1();
    if (session !== null) {
      // Turning an error reply into a Lua error logs it first (Redis's luaPushErrorBuff).
      if (isErrorReply(text)) session.logError(text.slice(0, text.indexOf('\r')));
      session.logReply(text);
    }
    if (text.length === 0) {
      this.lastCallFailed = false;
      return false;
    }
    this.lastCallFailed = isErrorReply(text);
    return replyToLua(text);
  }

  setResp(resp: 2 | 3): void {
    (this.current as ScriptRun).scriptClient.setProtocol(resp);
  }

  setRepl(flags: number): void {
    (this.current as ScriptRun).replFlags = flags;
  }

  log(level: number, message: string): void {
    this.host.log(level, message);
  }

  aclCheck(argv: string[]): boolean | null {
    const command = this.host.lookupCommand(argv);
    if (command === undefined) return null;
    return this.host.aclAllows((this.current as ScriptRun).caller, command, argv);
  }

  // ------------------------------------------------------------------ SCRIPT

  scriptLoad(ctx: CommandContext, body: string): void {
    const sha = sha1Hex(body);
    if (this.scripts.has(sha) || this.createScript(ctx, sha, body) !== null) ctx.reply.bulk(sha);
  }

  scriptExists(shas: readonly string[]): boolean[] {
    return shas.map((sha) => this.scripts.has(sha.toLowerCase()));
  }

  scriptFlush(): void {
    this.scripts.clear();
    this.scriptsBytes = 0;
    // A fresh interpreter: nothing scripts left in the old one survives (Redis's scriptingReset).
    this.evalState = null;
  }

  /** SCRIPT KILL (isEval) or FUNCTION KILL: an error text, or null when the kill was accepted. */
  kill(isEval: boolean): string | null {
    const run = this.current;
    if (run === null) return 'NOTBUSY No scripts in execution right now.';
    if (run.writeDirty) {
      return 'UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.';
    }
    if (isEval && !run.isEval) return BUSY_FUNCTION;
    if (!isEval && run.isEval) return BUSY_EVAL;
    run.killed = true;
    return null;
  }

  /**
   * The interpreter's count hook (every HOOK_INTERVAL_TICKS): past busy-reply-threshold the run
   * is timed out, other clients get BUSY, and the script yields to the event loop at each hook
   * so SCRIPT KILL can reach it; a killed script ends here.
   */
  private onHook(): 'continue' | 'suspend' {
    const run = this.current;
    if (run === null) return 'continue';
    const nowMs = performance.now();
    if (nowMs - this.memoryCheckedAtMs >= MEMORY_CHECK_INTERVAL_MS) {
      this.memoryCheckedAtMs = nowMs;
      if (this.host.memoryExhausted()) throw new ScriptKilled(this.currentLua?.currentPosition() ?? null, 'memory');
    }
    // A debugged script never turns busy (nobody else runs meanwhile): past the time limit the
    // debugger stops it instead (Redis's luaLdbLineHook count event).
    if (run.debugSession !== null) {
      run.debugSession.checkTimeout(this.host.busyReplyThresholdMs());
      return 'continue';
    }
    if (!run.timedOut) {
      const elapsedMs = run.elapsedMs();
      const thresholdMs = this.host.busyReplyThresholdMs();
      if (thresholdMs <= 0 || elapsedMs < thresholdMs) return 'continue';
      this.host.logWarning(
        `Slow script detected: still in execution after ${Math.floor(elapsedMs)} milliseconds. You can try killing the script using the ${run.isEval ? 'SCRIPT KILL' : 'FUNCTION KILL'} command. Script name is: ${run.name}.`,
      );
      run.timedOut = true;
      this.host.busyStarted();
    }
    if (run.killed) throw new ScriptKilled(this.currentLua?.currentPosition() ?? null);
    return run.canYield ? 'suspend' : 'continue';
  }
}
