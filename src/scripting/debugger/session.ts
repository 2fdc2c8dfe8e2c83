// One Lua debugging session (Redis's LDB, eval.c 7.0): an EVAL from a client that turned
// SCRIPT DEBUG on runs a debug build of its script (a line event before each statement, see
// lua/codegen.ts); at a step, a breakpoint, redis.breakpoint() or a timeout the script stops, the
// session sends its log to the client as an array of status lines, and the script waits,
// suspended, for the client's debugger commands (step, continue, list, print, break, eval,
// redis, trace, maxlen, abort). Where Redis blocks in a read on the client's socket, the Lua task
// here yields and the engine resumes it when the client's next bytes (or its disconnection)
// arrive.

import { errorTable } from '../reply-to-lua.js';
import { LuaClosure, NATIVE_FRAME, SUSPEND, type DebugHook } from '../lua/runtime.js';
import type { LuaState } from '../lua/state.js';
import { LuaFunction, LuaTable, type LuaValue } from '../lua/value.js';
import { MAX_DEBUGGER_INPUT_BYTES, atoi, commandWord, parseDebuggerCommand } from './command-buffer.js';
import { luaValueRepr, replyToHuman } from './repr.js';

/** LDB_BREAKPOINTS_MAX. */
const MAX_BREAKPOINTS = 64;
/** LDB_MAX_LEN_DEFAULT: replies and values logged are cut past this many bytes. */
const DEFAULT_MAX_LEN_BYTES = 256;
/** A maxlen below this (and not 0) is raised to it. */
const MIN_MAX_LEN_BYTES = 60;
/** Commands logged show this many words, then how many more there were. */
const LOGGED_COMMAND_WORDS = 10;
/** Without busy-reply-threshold, the time a script runs unstopped before the debugger stops it. */
const DEFAULT_TIMEOUT_MS = 5000;

const HELP = [
  'Redis Lua debugger help:',
  '[h]elp               Show this help.',
  '[s]tep               Run current line and stop again.',
  '[n]ext               Alias for step.',
  '[c]ontinue           Run till next breakpoint.',
  '[l]ist               List source code around current line.',
  '[l]ist [line]        List source code around [line].',
  '                     line = 0 means: current position.',
  '[l]ist [line] [ctx]  In this form [ctx] specifies how many lines',
  '                     to show before/after [line].',
  "[w]hole              List all source code. Alias for 'list 1 1000000'.",
  '[p]rint              Show all the local variables.',
  '[p]rint <var>        Show the value of the specified variable.',
  '                     Can also show global vars KEYS and ARGV.',
  '[b]reak              Show all breakpoints.',
  '[b]reak <line>       Add a breakpoint to the specified line.',
  '[b]reak -<line>      Remove breakpoint from the specified line.',
  '[b]reak 0            Remove all breakpoints.',
  '[t]race              Show a backtrace.',
  '[e]val <code>        Execute some Lua code (in a different callframe).',
  '[r]edis <cmd>        Execute a Redis command.',
  '[m]axlen [len]       Trim logged Redis replies and Lua var dumps to len.',
  '                     Specifying zero as <len> means unlimited.',
  '[a]bort              Stop the execution of the script. In sync',
  '                     mode dataset changes will be retained.',
  '',
  'Debugger functions you can call from Lua scripts:',
  'redis.debug()        Produce logs in the debugger console.',
  'redis.breakpoint()   Stop execution like if there was a breakpoint in the',
  '                     next line of code.',
];

/** Where the session's output goes: the debugging client's connection, written at once. */
export interface DebuggerOutput {
  write(latin1: string): void;
}

/** The source as the debugger lists it: trailing newlines dropped, split at each "\n". */
function sourceLines(body: string): string[] {
  let end = body.length;
  while (end > 0 && (body[end - 1] === '\n' || body[end - 1] === '\r')) end--;
  return end === 0 ? [] : body.slice(0, end).split('\n');
}

/** A frame of the script being debugged (Redis's "user_script" test), not a native or other chunk. */
function isScriptFrame(frame: unknown): frame is LuaClosure {
  return frame instanceof LuaClosure && frame.proto.source.includes('user_script');
}

/** string2l: the whole argument is a decimal integer without leading zeros or a plus sign. */
function strictInteger(text: string): number | null {
  return /^(0|-?[1-9]\d{0,18})$/.test(text) ? Number(text) : null;
}

export class DebugSession implements DebugHook {
  private readonly source: string[];
  private readonly breakpoints: number[] = [];
  /** Stop at the next line event whatever the breakpoints (ldb.step); set when a session starts. */
  private step = true;
  /** redis.breakpoint() was called: stop at the next line event. */
  private luaBreakpoint = false;
  private maxLenBytes = DEFAULT_MAX_LEN_BYTES;
  private maxLenHintSent = false;
  private currentLine = 0;
  private logs: string[] = [];
  /** What the client sent and no command used yet (one char per byte). */
  private input = '';
  private inputOverflowed = false;
  private clientGone = false;
  /** The count hook found the script running too long unstopped: stop at the next line event. */
  private timeoutPending = false;
  /** performance.now() of the session's start or its last stop (the timeout counts from it). */
  private runningSinceMs = performance.now();
  /** Set while the script is suspended waiting for the client's next command. */
  waiting = false;
  private ended = false;
  /** Called when the client's input or disconnection may let a waiting script go on. */
  onWake: (() => void) | null = null;

  constructor(
    body: string,
    private readonly output: DebuggerOutput,
    /** Whether the script can stop at all (it cannot be suspended inside a transaction). */
    private readonly canStop: boolean,
    /** The fake address the interpreter shows for a function, table... */
    private readonly address: (object: object) => string,
  ) {
    this.source = sourceLines(body);
  }

  // ------------------------------------------------------------------ the client's side

  /** Bytes from the debugging client (latin1). */
  feed(bytes: string): void {
    this.input += bytes;
    if (this.input.length > MAX_DEBUGGER_INPUT_BYTES) this.inputOverflowed = true;
    this.wake();
  }

  /** The debugging client's connection closed: the script runs on without stopping. */
  clientClosed(): void {
    this.clientGone = true;
    this.wake();
  }

  private wake(): void {
    if (this.waiting) this.onWake?.();
  }

  /** ldbEndSession: the last log lines and the <endsession> mark; false if it had ended already. */
  end(): boolean {
    if (this.ended) return false;
    this.ended = true;
    this.log('<endsession>');
    this.sendLogs();
    return true;
  }

  // ------------------------------------------------------------------ what scripts report

  /** ldbIsEnabled: redis.call's commands, replies and errors are logged while stepping. */
  get logsCalls(): boolean {
    return this.step;
  }

  logCommand(argv: readonly string[]): void {
    let line = '<redis>';
    for (let j = 0; j < argv.length; j++) {
      if (j === LOGGED_COMMAND_WORDS) {
        line += ` ... (${argv.length - j - 1} more)`;
        break;
      }
      line += ` ${argv[j]}`;
    }
    this.log(line);
  }

  /** A command's reply, as RESP (one char per byte). */
  logReply(reply: string): void {
    this.logWithMaxLen(`<reply> ${replyToHuman(reply).text}`);
  }

  logError(text: string): void {
    this.log(`<error> ${text}`);
  }

  /** redis.debug(): its arguments on one line, with the line the script is at. */
  debugLog(args: LuaValue[]): void {
    this.log(`<debug> line ${this.currentLine}: ${args.map((v) => luaValueRepr(v, this.address)).join(', ')}`);
  }

  /** redis.breakpoint(): stop at the next line. */
  breakpoint(): void {
    this.luaBreakpoint = true;
  }

  /**
   * The engine's count hook while the script runs unstopped: past the time limit (busy-reply-
   * threshold, 5 s when it is 0) the next line event stops it.
   */
  checkTimeout(thresholdMs: number): void {
    if (this.step || this.luaBreakpoint || this.breakpoints.includes(this.currentLine)) return;
    const limitMs = thresholdMs > 0 ? thresholdMs : DEFAULT_TIMEOUT_MS;
    if (performance.now() - this.runningSinceMs >= limitMs) this.timeoutPending = true;
  }

  // ------------------------------------------------------------------ the line hook

  *line(S: LuaState, depth: number, line: number, force: boolean, names: readonly string[], values: () => LuaValue[]): Generator<unknown, void, unknown> {
    const T = S.cur;
    T.localNames[depth] = names;
    T.localValues[depth] = values;
    if (!force && T.lines[depth] === line) return;
    T.lines[depth] = line;
    this.currentLine = line;
    const atBreakpoint = this.luaBreakpoint || this.breakpoints.includes(line);
    if (!this.step && !atBreakpoint && !this.timeoutPending) return;
    // Inside a native's callback (a sort comparator, gsub's function) the task cannot be
    // suspended: the stop waits for the first line after it.
    if (!this.canStop || !S.canSuspend()) return;
    const timeout = this.timeoutPending;
    let reason = 'step over';
    if (atBreakpoint) reason = this.luaBreakpoint ? 'redis.breakpoint() called' : 'break point';
    else if (timeout) reason = 'timeout reached, infinite loop?';
    this.step = false;
    this.luaBreakpoint = false;
    this.timeoutPending = false;
    this.log(`* Stopped at ${line}, stop reason = ${reason}`);
    this.logSourceLine(line);
    this.sendLogs();
    const clientStillThere = yield* this.repl(S, depth);
    if (!clientStillThere && timeout) {
      // Nobody can stop a script stuck in a loop any more: end it.
      this.raise(S, depth, 'timeout during Lua debugging with client closing connection');
    }
    this.runningSinceMs = performance.now();
  }

  /** ldbRepl: runs the client's commands until one lets the script go on; false if it left. */
  private *repl(S: LuaState, depth: number): Generator<unknown, boolean, unknown> {
    for (;;) {
      let argv: string[];
      for (;;) {
        if (this.inputOverflowed) {
          this.inputOverflowed = false;
          this.input = '';
          this.raise(S, depth, 'max client buffer reached');
        }
        const parsed = parseDebuggerCommand(this.input);
        if (parsed === 'protocol-error') this.raise(S, depth, 'protocol error');
        if (parsed !== 'incomplete') {
          argv = parsed;
          break;
        }
        if (this.clientGone) {
          this.step = false;
          this.breakpoints.length = 0;
          return false;
        }
        this.waiting = true;
        try {
          yield SUSPEND;
        } finally {
          this.waiting = false;
        }
      }
      // What followed the command in the same read is dropped, as Redis empties its buffer.
      this.input = '';
      const word = commandWord(argv[0]);
      switch (word) {
        case 'h':
        case 'help':
          for (const line of HELP) this.log(line);
          break;
        case 's':
        case 'step':
        case 'n':
        case 'next':
          this.step = true;
          return true;
        case 'c':
        case 'continue':
          return true;
        case 't':
        case 'trace':
          this.trace(S, depth);
          break;
        case 'm':
        case 'maxlen':
          this.maxLen(argv);
          break;
        case 'b':
        case 'break':
          this.breakCommand(argv);
          break;
        case 'e':
        case 'eval':
          yield* this.evalCommand(S, argv);
          break;
        case 'a':
        case 'abort':
          this.raise(S, depth, 'script aborted for user request');
          break;
        case 'p':
        case 'print':
          if (argv.length === 2) this.printVariable(S, depth, argv[1]);
          else this.printLocals(S, depth);
          break;
        case 'l':
        case 'list': {
          let around = this.currentLine;
          let context = 5;
          if (argv.length > 1) {
            const line = atoi(argv[1]);
            if (line > 0) around = line;
          }
          if (argv.length > 2) context = atoi(argv[2]);
          this.list(around, context);
          break;
        }
        case 'w':
        case 'whole':
          this.list(1, 1000000);
          break;
        default:
          if (argv.length > 1 && (word === 'r' || word === 'redis')) yield* this.redisCommand(S, argv);
          else this.log('<error> Unknown Redis Lua debugger command or wrong number of arguments.');
      }
      this.sendLogs();
    }
  }

  // ------------------------------------------------------------------ debugger commands

  private list(around: number, context: number): void {
    for (let line = 1; line <= this.source.length; line++) {
      if (around !== 0 && Math.abs(around - line) > context) continue;
      this.logSourceLine(line);
    }
  }

  private logSourceLine(line: number): void {
    const text = line >= 1 && line <= this.source.length ? this.source[line - 1] : '<out of range source code line>';
    const current = line === this.currentLine;
    const breakpoint = this.breakpoints.includes(line);
    const prefix = current && breakpoint ? '->#' : current ? '-> ' : breakpoint ? '  #' : '   ';
    this.log(`${prefix}${String(line).padEnd(3)} ${text}`);
  }

  private breakCommand(argv: string[]): void {
    if (argv.length === 1) {
      if (this.breakpoints.length === 0) {
        this.log("No breakpoints set. Use 'b <line>' to add one.");
        return;
      }
      this.log(`${this.breakpoints.length} breakpoints set:`);
      for (const line of this.breakpoints) this.logSourceLine(line);
      return;
    }
    for (const arg of argv.slice(1)) {
      const line = strictInteger(arg);
      if (line === null) {
        this.log(`Invalid argument:'${arg}'`);
      } else if (line === 0) {
        this.breakpoints.length = 0;
        this.log('All breakpoints removed.');
      } else if (line > 0) {
        if (this.breakpoints.length === MAX_BREAKPOINTS) {
          this.log('Too many breakpoints set.');
        } else if (line <= this.source.length) {
          if (!this.breakpoints.includes(line)) this.breakpoints.push(line);
          this.list(line, 1);
        } else {
          this.log('Wrong line number.');
        }
      } else {
        const at = this.breakpoints.indexOf(-line);
        if (at >= 0) {
          this.breakpoints.splice(at, 1);
          this.log('Breakpoint removed.');
        } else {
          this.log('No breakpoint in the specified line.');
        }
      }
    }
  }

  private maxLen(argv: string[]): void {
    if (argv.length === 2) {
      let bytes = atoi(argv[1]);
      this.maxLenHintSent = true;
      if (bytes !== 0 && bytes <= MIN_MAX_LEN_BYTES) bytes = MIN_MAX_LEN_BYTES;
      this.maxLenBytes = bytes;
    }
    this.log(this.maxLenBytes !== 0 ? `<value> replies are truncated at ${this.maxLenBytes} bytes.` : '<value> replies are unlimited.');
  }

  /** The Lua frames from the innermost (the stopped function) out, with their locals. */
  private *luaFrames(S: LuaState, depth: number): Generator<{ depth: number; names: readonly string[]; values: LuaValue[] }> {
    const T = S.cur;
    for (let d = depth; d >= 1; d--) {
      const names = T.localNames[d];
      const getValues = T.localValues[d];
      // A native frame, or a Lua function that is not a debug build, records no locals here.
      if (!isScriptFrame(T.frames[d]) || names === undefined || getValues === undefined || T.lines[d] === 0) continue;
      yield { depth: d, names, values: getValues() };
    }
  }

  private printVariable(S: LuaState, depth: number, name: string): void {
    for (const frame of this.luaFrames(S, depth)) {
      const at = frame.names.indexOf(name);
      if (at >= 0) {
        this.logValue('<value> ', frame.values[at]);
        return;
      }
    }
    if (name === 'ARGV' || name === 'KEYS') this.logValue('<value> ', S.globals.get(name));
    else this.log('No such variable.');
  }

  private printLocals(S: LuaState, depth: number): void {
    const innermost = this.luaFrames(S, depth).next();
    let shown = 0;
    if (innermost.done !== true) {
      const { names, values } = innermost.value;
      names.forEach((name, i) => {
        this.logValue(`<value> ${name} = `, values[i]);
        shown++;
      });
    }
    if (shown === 0) this.log('No local variables in the current context.');
  }

  /** ldbTrace: each Lua frame of the script from the stopped one out, named as its caller calls it. */
  private trace(S: LuaState, depth: number): void {
    const T = S.cur;
    for (let d = depth; d >= 1; d--) {
      const frame = T.frames[d];
      if (!isScriptFrame(frame)) continue;
      const callerSite = d > 1 && T.frames[d - 1] !== NATIVE_FRAME ? T.sites[d - 1] : undefined;
      const described = callerSite?.a ?? null;
      const name = described === null ? 'top level' : described.slice(described.indexOf("'") + 1, -1);
      this.log(`${d === depth ? 'In' : 'From'} ${name}:`);
      this.logSourceLine(d === depth ? this.currentLine : T.sites[d]?.line ?? T.lines[d]);
    }
  }

  /** ldbEval: the code as an expression ("return " prepended), else as statements, in a new chunk. */
  private *evalCommand(S: LuaState, argv: string[]): Generator<unknown, void, unknown> {
    const code = argv.slice(1).join(' ');
    let fn: LuaFunction;
    try {
      fn = S.load(`return ${code}`, '@ldb_eval');
    } catch {
      // Not an expression: compiled as statements, whose syntax error is the one shown.
      try {
        fn = S.load(code, '@ldb_eval');
      } catch (err) {
        this.log(`<error> ${this.errorText(S, err)}`);
        return;
      }
    }
    const result = yield* this.protectedCall(S, fn, []);
    if (result.ok) this.logValue('<retval> ', result.values[0]);
    else this.log(`<error> ${this.errorText(S, result.error)}`);
  }

  /** ldbRedis: redis.call() with the command, logged as a stepped script's calls are. */
  private *redisCommand(S: LuaState, argv: string[]): Generator<unknown, void, unknown> {
    const redis = S.globals.get('redis');
    const call = redis instanceof LuaTable ? redis.get('call') : undefined;
    this.step = true;
    try {
      // Its error, if any, was logged by the call itself.
      yield* this.protectedCall(S, call, argv.slice(1));
    } finally {
      this.step = false;
    }
  }

  /** lua_pcall: runs `fn`, catching Lua errors (a killed script's error still ends the run). */
  private *protectedCall(S: LuaState, fn: LuaValue, args: LuaValue[]): Generator<unknown, { ok: true; values: LuaValue[] } | { ok: false; error: unknown }, unknown> {
    const T = S.cur;
    const depth = T.depth;
    T.nny++;
    try {
      return { ok: true, values: yield* S.callG(fn, args) };
    } catch (e) {
      if (S.toLuaError(e) === null) throw e;
      T.depth = depth;
      return { ok: false, error: e };
    } finally {
      T.nny--;
    }
  }

  /** lua_tostring of an error value (a compile error's message, or what the code raised). */
  private errorText(S: LuaState, err: unknown): string {
    const error = S.toLuaError(err);
    if (error === null) return String(err);
    const value = error.value;
    if (value instanceof LuaTable) {
      const text = value.get('err');
      return typeof text === 'string' ? text : S.rawToString(value);
    }
    return typeof value === 'string' || typeof value === 'number' ? S.rawToString(value) : '(null)';
  }

  /** luaPushError + luaError at the stopped line: the script ends with {err="ERR <message>"}. */
  private raise(S: LuaState, depth: number, message: string): never {
    const T = S.cur;
    const frame = T.frames[depth];
    if (frame instanceof LuaClosure) T.sites[depth] = { S, proto: frame.proto, line: this.currentLine, a: null, b: null };
    return S.raise(errorTable(`ERR ${message}`));
  }

  // ------------------------------------------------------------------ the log

  private log(entry: string): void {
    this.logs.push(entry);
  }

  private logValue(prefix: string, value: LuaValue): void {
    this.logWithMaxLen(prefix + luaValueRepr(value, this.address));
  }

  /** ldbLogWithMaxLen: cut past maxlen, with a hint the first time. */
  private logWithMaxLen(entry: string): void {
    const max = this.maxLenBytes;
    const trimmed = max !== 0 && entry.length > max;
    this.log(trimmed ? `${entry.slice(0, max)} ...` : entry);
    if (trimmed && !this.maxLenHintSent) {
      this.maxLenHintSent = true;
      this.log("<hint> The above reply was trimmed. Use 'maxlen 0' to disable trimming.");
    }
  }

  /** ldbSendLogs: the log as an array of status replies (CR and LF shown as spaces), emptied. */
  private sendLogs(): void {
    let out = `*${this.logs.length}\r\n`;
    for (const entry of this.logs) out += `+${entry.replace(/[\r\n]/g, ' ')}\r\n`;
    this.logs = [];
    this.output.write(out);
  }
}
