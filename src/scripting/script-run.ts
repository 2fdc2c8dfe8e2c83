// One running script or function (Redis's scriptRunCtx): who called it, what it may do, and
// what it has done so far. The checks each redis.call() passes before its command runs are
// Redis's scriptCall() list.

import type { CommandContext } from '../commands/context.js';
import { parseInt64 } from '../util/numbers.js';
import type { Command } from '../commands/types.js';
import type { Client } from '../engine/client.js';
import type { ScriptFlags } from './script-flags.js';
import type { DebugSession } from './debugger/session.js';
import { PROPAGATE_ALL, PROPAGATE_AOF, PROPAGATE_REPL } from '../engine/propagation.js';

export const BUSY_EVAL = 'BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.';
export const BUSY_FUNCTION = 'BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.';

/** redis.set_repl() targets: the propagator's PROPAGATE_AOF / PROPAGATE_REPL bits, as in Redis. */
export const REPL_AOF = PROPAGATE_AOF;
export const REPL_REPLICA = PROPAGATE_REPL;
export const REPL_ALL = PROPAGATE_ALL;

export class ScriptRun {
  /** Set once the run passed busy-reply-threshold: other clients get BUSY. */
  timedOut = false;
  /** SCRIPT KILL / FUNCTION KILL asked for it; the next hook ends the script. */
  killed = false;
  /** A write command ran: the script can no longer be killed. */
  writeDirty = false;
  replFlags = REPL_ALL;
  /** Whether the script may yield to the event loop once timed out (a network client's own command). */
  canYield = false;
  /** Set once the script yielded: ends the caller's command when the script ends. */
  finishYielding: ((failed: boolean) => void) | null = null;
  readonly startedAtMs = performance.now();
  /** Cluster mode: the slot this run's keys must share (-1: not yet known); null until first needed. */
  clusterSlot: number | null = null;
  /** The SCRIPT DEBUG session this run is debugged in, if any. */
  debugSession: DebugSession | null = null;

  constructor(
    readonly caller: CommandContext,
    /** The EVAL or FCALL command as sent (FUNCTION STATS shows it). */
    readonly callerArgv: readonly string[],
    readonly scriptClient: Client,
    /** The SHA of an EVAL script or the function's name, as error replies and logs show it. */
    readonly name: string,
    readonly isEval: boolean,
    readonly readOnly: boolean,
    readonly flags: ScriptFlags,
  ) {}

  get allowOom(): boolean {
    return !this.flags.compatMode && this.flags.allowOom;
  }

  elapsedMs(): number {
    return performance.now() - this.startedAtMs;
  }
}

/** What the pre-call checks read from the node. */
export interface ScriptCallGates {
  /** The error text while commands that grow memory are refused, else null. */
  oomRefusal(): string | null;
  /** The MISCONF text while writes are refused after a failed save, else null. */
  diskErrorRefusal(): string | null;
  /** The NOREPLICAS text while min-replicas-to-write is not met, else null. */
  noReplicasRefusal(): string | null;
  /** This node is a replica with replica-read-only (client writes get READONLY). */
  readOnlyReplica(): boolean;
  /** This replica's link is down and replica-serve-stale-data is no (MASTERDOWN applies). */
  staleReplica(): boolean;
  /** False when CONFIG's script-deny is lifted (DEBUG SET-DISABLE-DENY-SCRIPTS). */
  denyNoScriptCommands(): boolean;
  /** The caller's ACL permissions for the command line: null, or the refusal (logged in ACL LOG). */
  aclRefusal(run: ScriptRun, command: Command, argv: readonly string[]): string | null;
  /** Cluster mode: a key served elsewhere or in another slot, else null (null outside cluster mode). */
  clusterRefusal(run: ScriptRun, command: Command, argv: readonly string[]): string | null;
}

/**
 * Redis's scriptCall() checks: the error text refusing `command` (given "ERR " in front, unless
 * it starts with '-' and so carries its own code), or null to run it.
 */
export function refuseScriptCommand(run: ScriptRun, command: Command | undefined, argv: readonly string[], gates: ScriptCallGates): string | null {
  if (command === undefined) return 'Unknown Redis command called from script';
  const arity = command.arity;
  const argc = argv.length;
  if ((arity > 0 && arity !== argc) || argc < -arity) return 'Wrong number of args calling Redis command from script';
  if (command.noScript && gates.denyNoScriptCommands()) return 'This Redis command is not allowed from script';
  // A script allowed to run on a stale replica still may not read what may be stale.
  if (!command.allowStale && gates.staleReplica()) {
    return 'Can not execute the command on a stale replica';
  }
  if (!run.caller.client.user.fullAccess) {
    const refusal = gates.aclRefusal(run, command, argv);
    if (refusal !== null) return refusal;
  }
  if (run.readOnly && command.mayReplicate) return 'Write commands are not allowed from read-only scripts.';
  if (command.isWrite && !run.writeDirty) {
    // On a read-only replica only the primary's stream and the AOF may write (mustObeyClient).
    if (gates.readOnlyReplica() && !run.caller.client.replaysData) return "-READONLY You can't write against a read only replica.";
    // Redis passes its shared MISCONF error on with its own code (a leading '-' says so here).
    const refusal = gates.diskErrorRefusal() ?? gates.noReplicasRefusal();
    if (refusal !== null) return `-${refusal}`;
  }
  if (!run.allowOom && !run.writeDirty && command.denyOom) {
    // The OOM refusal carries its own code too (Redis's shared.oomerr).
    const refusal = gates.oomRefusal();
    if (refusal !== null) return `-${refusal}`;
  }
  return gates.clusterRefusal(run, command, argv);
}

/**
 * The numkeys of EVAL or FCALL (argv[2], read as Redis's getLongLongFromObject), checked against
 * the arguments that follow; null after replying the error (`notANumber` when it is no integer).
 */
export function numKeysArg(ctx: CommandContext, argv: readonly string[], notANumber: string): number | null {
  const parsed = parseInt64(argv[2]);
  if (parsed === null) {
    ctx.reply.error(notANumber);
    return null;
  }
  const numKeys = typeof parsed === 'bigint' ? (parsed > 0n ? Number.MAX_SAFE_INTEGER : Number.MIN_SAFE_INTEGER) : parsed;
  if (numKeys > argv.length - 3) {
    ctx.reply.error("ERR Number of keys can't be greater than number of args");
    return null;
  }
  if (numKeys < 0) {
    ctx.reply.error("ERR Number of keys can't be negative");
    return null;
  }
  return numKeys;
}
