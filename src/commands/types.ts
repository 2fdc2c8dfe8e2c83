// The declarative command table's shapes. Each command family file exports CommandSpec objects;
// the dispatcher, COMMAND INFO/DOCS/GETKEYS, and (later) cluster routing and ACL checks read
// them, so arity, flags and key positions are declared exactly once.

import type { CommandContext, ServerApi } from './context.js';

/** Command flags, spelled as COMMAND INFO reports them. */
export type CommandFlag =
  | 'write' | 'readonly' | 'denyoom' | 'module' | 'admin' | 'pubsub' | 'noscript' | 'blocking'
  | 'loading' | 'stale' | 'skip_monitor' | 'skip_slowlog' | 'asking' | 'fast' | 'no_auth'
  | 'may_replicate' | 'sentinel' | 'only_sentinel' | 'no_mandatory_keys' | 'protected'
  | 'no_async_loading' | 'no_multi' | 'movablekeys' | 'allow_busy';

/** Key-spec flags, as COMMAND INFO reports them. */
export type KeySpecFlag =
  | 'RO' | 'RW' | 'OW' | 'RM' | 'access' | 'update' | 'insert' | 'delete' | 'not_key'
  | 'incomplete' | 'variable_flags';

export type BeginSearch =
  | { type: 'index'; index: number }
  | { type: 'keyword'; keyword: string; startFrom: number }
  | { type: 'unknown' };

export type FindKeys =
  | { type: 'range'; lastKey: number; keyStep: number; limit: number }
  | { type: 'keynum'; keyNumIndex: number; firstKey: number; keyStep: number }
  | { type: 'unknown' };

export interface KeySpec {
  flags: readonly KeySpecFlag[];
  begin: BeginSearch;
  find: FindKeys;
  notes?: string;
}

export type CommandHandler = (ctx: CommandContext, argv: string[]) => void;

/**
 * The Pub/Sub channels a command names, for ACL channel permissions (Redis's ChannelSpecs):
 * arguments from `start`, `count` of them (-1: all the rest). `pattern`: they are patterns
 * (PSUBSCRIBE), matched literally against the user's channel rules.
 */
export interface ChannelSpec {
  access: 'publish' | 'subscribe' | 'unsubscribe';
  pattern: boolean;
  start: number;
  count: number;
}

export interface CommandSpec {
  /** Lower-case name; for a subcommand, the subcommand alone (e.g. "list" under "client"). */
  name: string;
  /** Redis arity: positive = exact argc, negative = at least -arity. Includes the name. */
  arity: number;
  flags: readonly CommandFlag[];
  /** ACL categories without the '@'. */
  acl: readonly string[];
  keySpecs?: readonly KeySpec[];
  /** The channels it names (PUBLISH, SUBSCRIBE and co). */
  channels?: ChannelSpec;
  /** Command tips (COMMAND INFO), e.g. "nondeterministic_output". */
  tips?: readonly string[];
  /** Our own one-line description, for COMMAND DOCS. */
  summary: string;
  /** Redis version that introduced it, for COMMAND DOCS. */
  since: string;
  /** Command group for COMMAND DOCS (string, hash, generic, server, connection, pubsub...). */
  group: string;
  complexity?: string;
  /** Argument names for COMMAND DOCS (a flat, simplified list). */
  arguments?: readonly ArgumentDoc[];
  /** Absent only on container commands, which dispatch to subcommands. */
  handler?: CommandHandler;
  subcommands?: readonly CommandSpec[];
  /**
   * The handler reads big arguments as Buffers through ctx.bigArgument() and stores them as
   * they are (SET): the engine then skips making their strings when nothing else needs them.
   */
  takesBigArgs?: boolean;
  /**
   * Redis's hidden CMD_TOUCHES_ARBITRARY_KEYS (SCAN, RANDOMKEY): run directly, the keys it
   * lazily expires are propagated as separate DELs, not wrapped in MULTI/EXEC (like active
   * expiry). Not shown by COMMAND.
   */
  touchesArbitraryKeys?: boolean;
  /** For commands whose keys cannot be found from keySpecs alone (movablekeys). */
  getKeys?: (argv: readonly string[]) => number[];
  /**
   * Flags that depend on the arguments (Redis's getCommandFlags: a script's shebang flags
   * decide whether EVAL or FCALL may write); null keeps the declared ones.
   */
  runtimeFlags?: (server: ServerApi, argv: readonly string[]) => RuntimeFlags | null;
}

export interface ArgumentDoc {
  name: string;
  type: 'string' | 'integer' | 'double' | 'key' | 'pattern' | 'unix-time' | 'pure-token' | 'oneof' | 'block';
  token?: string;
  optional?: boolean;
  multiple?: boolean;
  arguments?: readonly ArgumentDoc[];
}

/** What a command's arguments may change about its flags. */
export interface RuntimeFlags {
  mayReplicate: boolean;
  /** Counts as a write (read-only replica, MISCONF, min-replicas checks): a script without no-writes. */
  write: boolean;
  /** Runs on a stale replica (a script declaring allow-stale). */
  allowStale: boolean;
  /** Refused when out of memory (a script declaring flags without allow-oom or no-writes). */
  denyOom: boolean;
}

/** A resolved command (a top-level command or a subcommand) as the dispatcher uses it. */
export interface Command {
  /** Dense number given when the table is built: the engine keeps per-command data by it. */
  id: number;
  spec: CommandSpec;
  /** "get", or "client|list" for a subcommand. */
  fullName: string;
  parent: Command | null;
  subcommands: Map<string, Command> | null;
  handler: CommandHandler | null;
  arity: number;
  /** ACL categories, declared and implied, as bits (commands/acl-categories.ts). */
  aclCategories: number;
  /** Whether it may name keys (Redis's doesCommandHaveKeys): ACL key checks apply. */
  hasKeys: boolean;
  /**
   * The argv index of its only key when its key specs name exactly one key at a fixed place (GET,
   * SET, INCR...), else 0: ACL checks that key without extracting keys.
   */
  singleKeyIndex: number;
  /** The channels it names, for ACL channel checks. */
  channels: ChannelSpec | null;
  /** Bit set of flags for fast checks on the hot path. */
  isWrite: boolean;
  isReadonly: boolean;
  isAdmin: boolean;
  noAuth: boolean;
  noMulti: boolean;
  /** Refused inside scripts (redis.call). */
  noScript: boolean;
  /** Runs while a script is busy past busy-reply-threshold (SCRIPT KILL, SHUTDOWN...). */
  allowBusy: boolean;
  /** Runs while the dataset is being loaded at start-up (Redis's CMD_LOADING). */
  allowLoading: boolean;
  /** Refused during a replica's async load too (no_async_loading). */
  noAsyncLoading: boolean;
  /** Runs on a replica whose link is down with replica-serve-stale-data no (Redis's CMD_STALE). */
  allowStale: boolean;
  allowedInPubSub: boolean;
  skipMonitor: boolean;
  skipSlowlog: boolean;
  isFast: boolean;
  /** Protected commands (DEBUG, MODULE) run only where enable-debug-command allows. */
  isProtected: boolean;
  /** Writes or may replicate: what CLIENT PAUSE WRITE holds back. */
  mayReplicate: boolean;
  /**
   * Roles the engine acts on, computed once when the table is built so the hot path compares
   * booleans, not names. `runsInMulti`: executed at once inside MULTI instead of being queued
   * (EXEC, DISCARD, MULTI, WATCH, QUIT, RESET).
   */
  runsInMulti: boolean;
  /** EXEC: its queued commands propagate themselves; a refused EXEC ends the transaction. */
  isExec: boolean;
  /** TOUCH: updates access times even for a CLIENT NO-TOUCH client. */
  isTouch: boolean;
  /** May grow memory: refused while the node is near its memory limit (Redis's denyoom). */
  denyOom: boolean;
  /** See CommandSpec.takesBigArgs. */
  takesBigArgs: boolean;
  /** See CommandSpec.touchesArbitraryKeys. */
  touchesArbitraryKeys: boolean;
  /** See CommandSpec.runtimeFlags. */
  runtimeFlags: ((server: ServerApi, argv: readonly string[]) => RuntimeFlags | null) | null;
  /** Per-command statistics for INFO commandstats / latencystats. */
  stats: CommandStats;
}

export interface CommandStats {
  calls: number;
  microseconds: number;
  rejectedCalls: number;
  failedCalls: number;
  /** Call durations for LATENCY HISTOGRAM / INFO latencystats (server/latency.ts layout). */
  latencyHistogram: Float64Array | null;
}

/** Single key at `index` (the most common spec). */
export function keyAt(index: number, ...flags: KeySpecFlag[]): KeySpec {
  return { flags, begin: { type: 'index', index }, find: { type: 'range', lastKey: 0, keyStep: 1, limit: 0 } };
}

/** Keys from `index` to the end (lastKey -1) with a step, e.g. DEL, MSET. */
export function keysFrom(index: number, step: number, flags: KeySpecFlag[], lastKey = -1, limit = 0): KeySpec {
  return { flags, begin: { type: 'index', index }, find: { type: 'range', lastKey, keyStep: step, limit } };
}
