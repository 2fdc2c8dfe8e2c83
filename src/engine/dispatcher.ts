// The engine's one command path, for every kind of client (socket or not): look the command up,
// check arity, pass the ordered checks (engine/checks.ts), then call() it with all the
// bookkeeping Redis's call() does (the command clock, stats, slowlog, latency, MONITOR,
// propagation). EXEC, and later scripts, the AOF loader and a replica's stream, run commands
// through the same call().

// globalThis.performance is a lazy getter in Node 20: a module binding skips it on the hot path.
import { performance } from 'node:perf_hooks';
import type { ServerApi } from '../commands/context.js';
import type { Command } from '../commands/types.js';
import type { StreamArg } from '../protocol/command-encoder.js';
import { setNowMs } from '../store/clock.js';
import { KeyspaceFullError, type Db, type KeyspaceHooks } from '../store/db.js';
import { cStringPrefix } from '../util/repr.js';
import type { CommandCheck } from './checks.js';
import { isPlainClient, POSTPONE } from './checks.js';
import type { Client } from './client.js';
import type { CommandTable } from './command-table.js';
import type { NodeAlerts } from './node-alerts.js';
import type { Propagator } from './propagation.js';

export type DispatchOutcome = 'done' | 'postponed';

/** The checks that apply to one command, and what a plain client on a quiet node runs of them. */
interface CommandChecks {
  readonly list: readonly CommandCheck[];
  /** Every check in `list` declares passesPlainClients, nodeActive or runsWhenQuiet. */
  readonly skippable: boolean;
  /** The checks of `list` that run even when the rest is skipped (runsWhenQuiet), in order. */
  readonly whenQuiet: readonly CommandCheck[];
  /** The checks of `list` a replaying client runs (those without passesReplayingClients), in order. */
  readonly forReplay: readonly CommandCheck[];
}

interface InProgressCall {
  command: Command;
  argv: string[];
  /** performance.now() when the command started. */
  start: number;
  dirtyBefore: number;
  db: Db;
}

/** What the dispatcher needs from the node. */
export interface DispatcherHost {
  readonly api: ServerApi;
  readonly propagator: Propagator;
  readonly keyspaceHooks: KeyspaceHooks;
  /** master_repl_offset: a client whose command fed the stream remembers it (WAIT's woff). */
  readonly replicationOffset: number;
  logWarning(message: string): void;
  /** Slowlog, latency monitor, latency histogram and MONITOR after a command ran. */
  afterCall(client: Client, command: Command, argv: string[], durationMicros: number): void;
}

const MAX_ERROR_ARG_CHARS = 128;

export class Dispatcher {
  /** The checks before a command runs, in order; capabilities insert theirs (insertCheck). */
  private readonly checkList: CommandCheck[];
  /** The checks that apply to each command (by Command.id), derived from checkList on first use. */
  private checksByCommand: Array<CommandChecks | undefined> = [];
  /** performance.now() at the end of the last command of the current batch (see beginBatch). */
  private tickMs = 0;
  private tickValid = false;
  /** Date.now() - performance.now(), refreshed by the cron so the command clock follows wall time. */
  wallOffsetMs = Date.now() - performance.now();
  /** Error replies counted when the running call() started (failed_calls accounting). */
  private errorMark = 0;
  /** Nesting of call() (EXEC runs its commands inside): the command clock is set by the outermost. */
  private callDepth = 0;
  /** Commands whose handler returned before they finished (busy scripts), by client. */
  private readonly inProgress = new Map<Client, InProgressCall>();

  constructor(
    readonly table: CommandTable,
    private readonly host: DispatcherHost,
    checks: readonly CommandCheck[],
    /** Raised by whatever may turn a node-wide condition on; re-read by refreshQuiet(). */
    private readonly alerts: NodeAlerts,
  ) {
    this.checkList = [...checks];
  }

  get checks(): readonly CommandCheck[] {
    return this.checkList;
  }

  /** Adds a check before the one named `before` (at the end when absent or not found). */
  insertCheck(check: CommandCheck, before?: string): void {
    const at = before === undefined ? -1 : this.checkList.findIndex((c) => c.name === before);
    if (at < 0) this.checkList.push(check);
    else this.checkList.splice(at, 0, check);
    this.checksByCommand = [];
    this.alerts.raise();
  }

  private checksFor(command: Command): CommandChecks {
    const list = this.checkList.filter((check) => check.appliesTo === undefined || check.appliesTo(command));
    const skippable = list.every((check) => check.passesPlainClients === true || check.nodeActive !== undefined || check.runsWhenQuiet === true);
    const whenQuiet = list.filter((check) => check.runsWhenQuiet === true);
    const forReplay = list.filter((check) => check.passesReplayingClients !== true);
    const entry = { list, skippable, whenQuiet, forReplay };
    this.checksByCommand[command.id] = entry;
    return entry;
  }

  /**
   * Re-reads every node-wide condition (the cron calls this each tick): the node is quiet when
   * none can act. A condition found on while the node was still quiet was turned on without
   * raise(): that is a bug in its source, logged so tests see it.
   */
  refreshQuiet(): void {
    const wasQuiet = this.alerts.quiet;
    let quiet = true;
    for (const check of this.checkList) {
      // Checks without nodeActive read no node state (per-command ones like DEBUG's are never skipped).
      if (check.nodeActive === undefined || !check.nodeActive()) continue;
      if (wasQuiet) this.host.logWarning(`The '${check.name}' check turned active without raising the node alert`);
      quiet = false;
    }
    this.alerts.quiet = quiet;
  }

  /**
   * Commands run back to back (one read's worth) share clock reads: each command's end time is
   * the next one's start. endBatch() must follow.
   */
  beginBatch(): void {
    this.tickMs = performance.now();
    this.tickValid = true;
  }

  endBatch(): void {
    this.tickValid = false;
  }

  /** Wall-clock now in microseconds, from the monotonic clock (MONITOR timestamps). */
  wallNowMicros(): number {
    return Math.floor((performance.now() + this.wallOffsetMs) * 1000);
  }

  /** Redis's processCommand: everything between a parsed request and the command's call(). */
  execute(client: Client, argv: string[]): DispatchOutcome {
    // Cluster ASKING holds for the one command after it, or for the transaction it opens
    // (Redis's resetClient keeps CLIENT_ASKING only in MULTI or right after ASKING).
    if (client.asking) {
      if (client.askingFresh) client.askingFresh = false;
      else if (!client.inMulti) client.asking = false;
    }
    const command = this.table.lookup(argv);
    if (command === undefined) {
      const name = argv[0].toLowerCase();
      if (name === 'host:' || name === 'post') {
        this.host.logWarning('Possible SECURITY ATTACK detected. It looks like somebody is sending POST or Host: commands to Redis. This is likely due to an attacker attempting to use Cross Protocol Scripting to compromise your Redis instance. Connection aborted.');
        client.close('security warning');
        return 'done';
      }
      // Redis's processCommand records the looked-up command (NULL here) before any check: CLIENT LIST cmd=.
      client.lastCommandName = 'NULL';
      this.reject(client, undefined, this.unknownCommandError(argv));
      return 'done';
    }
    client.lastCommandName = command.fullName;
    const arity = command.arity;
    if ((arity > 0 && arity !== argv.length) || argv.length < -arity) {
      this.reject(client, command, `ERR wrong number of arguments for '${command.fullName}' command`);
      return 'done';
    }
    const entry = this.checksByCommand[command.id] ?? this.checksFor(command);
    // A quiet node and a plain client: every check would pass (see NodeAlerts), except those
    // that act whatever the node's state (whenQuiet: empty unless in cluster mode). A replica is
    // never quiet, and its primary's link runs only the checks that may act on what it replays.
    let checks = entry.list;
    if (client.replaysData) {
      if (isPlainClient(client)) checks = entry.forReplay;
    } else if (this.alerts.quiet && entry.skippable && isPlainClient(client)) {
      checks = entry.whenQuiet;
    }
    for (let i = 0; i < checks.length; i++) {
      const outcome = checks[i].run(client, command, argv);
      if (outcome === null) continue;
      if (typeof outcome === 'string') {
        this.reject(client, command, outcome);
        return 'done';
      }
      return outcome === POSTPONE ? 'postponed' : 'done';
    }
    const propagator = this.host.propagator;
    const unitsBefore = propagator.unitsEmitted;
    propagator.begin(command.touchesArbitraryKeys);
    this.call(client, command, argv);
    propagator.end();
    if (propagator.unitsEmitted !== unitsBefore) client.woff = this.host.replicationOffset;
    return 'done';
  }

  private unknownCommandError(argv: readonly string[]): string {
    const container = this.table.top(argv[0]);
    if (container?.subcommands && argv.length > 1) {
      return `ERR unknown subcommand '${cStringPrefix(argv[1], MAX_ERROR_ARG_CHARS)}'. Try ${argv[0].toUpperCase()} HELP.`;
    }
    let args = '';
    for (let i = 1; i < argv.length && args.length < MAX_ERROR_ARG_CHARS; i++) {
      args += `'${cStringPrefix(argv[i], MAX_ERROR_ARG_CHARS - args.length)}' `;
    }
    return `ERR unknown command '${cStringPrefix(argv[0], MAX_ERROR_ARG_CHARS)}', with args beginning with: ${args}`;
  }

  /** Refuses a command before running it; inside MULTI this also dooms the transaction. */
  private reject(client: Client, command: Command | undefined, error: string): void {
    if (client.inMulti) client.multiDirty = true;
    if (command === undefined) {
      client.reply.error(error);
      return;
    }
    command.stats.rejectedCalls++;
    // Redis records the command as the client's last one once it is looked up, run or not.
    client.lastCommandName = command.fullName;
    if (command.isExec) {
      // A refused EXEC ends the transaction (Redis's execCommandAbort), so the client knows it
      // left MULTI; the reason follows, without the generic "ERR " prefix.
      client.discardTransaction();
      const reason = error.startsWith('ERR ') ? error.slice(4) : error;
      client.reply.error('EXECABORT Transaction discarded because of: ' + reason);
      return;
    }
    client.reply.error(error);
  }

  /** The nesting of call() now: 1 inside a command a client sent, more inside EXEC or a script. */
  get depth(): number {
    return this.callDepth;
  }

  /** Runs one command with all the bookkeeping Redis's call() does. */
  call(client: Client, command: Command, argv: string[]): void {
    const handler = command.handler;
    if (handler === null) return; // container commands always resolve to a subcommand or arity error
    const host = this.host;
    const api = host.api;
    const serverStats = api.stats;
    const dirtyBefore = api.dirty;
    // Like Redis's incrCommandStatsOnError: errors are charged to the command that replied them,
    // so errors of the commands inside an EXEC do not count as EXEC failing.
    this.errorMark = serverStats.totalErrorReplies;
    client.command = command;
    client.propagationOverride = null;
    client.propagationPrevented = false;
    const db = client.db;
    const replyMark = client.reply.lengthBytes;
    const start = this.tickValid ? this.tickMs : performance.now();
    // Redis fixes "now" for a whole command (and a whole EXEC): expiry is judged at its start.
    if (this.callDepth++ === 0) setNowMs(start + this.wallOffsetMs);
    const hooks = host.keyspaceHooks;
    try {
      // CLIENT NO-TOUCH: reads leave access times alone, except for TOUCH itself (Redis 7.2).
      if (client.noTouch) hooks.touchSuppressed = !command.isTouch;
      handler(client, argv);
    } catch (err) {
      client.reply.truncate(replyMark);
      if (err instanceof KeyspaceFullError) {
        client.reply.error(err.message);
      } else {
        // A bug in one command must not take the server down with every other client's data:
        // drop the partial reply, answer an error, and log the stack for a fix.
        client.reply.error(`ERR internal error running '${command.fullName}'`);
        host.logWarning(`Internal error running '${command.fullName}': ${(err as Error).stack ?? String(err)}`);
      }
    } finally {
      if (client.noTouch) hooks.touchSuppressed = false;
      this.callDepth--;
    }
    if (client.commandInProgress) {
      // A busy script yields to the event loop: its call() ends when the script does.
      this.inProgress.set(client, { command, argv, start, dirtyBefore, db });
      return;
    }
    const failed = serverStats.totalErrorReplies > this.errorMark;
    this.errorMark = serverStats.totalErrorReplies;
    this.afterHandler(client, command, argv, start, dirtyBefore, db, failed);
  }

  /**
   * The error replies counted so far are charged (Redis's incrCommandStatsOnError moving its
   * prev_err_count): a command a script was refused counts as rejected, and the EVAL or FCALL
   * around it does not fail for that error too.
   */
  errorsCharged(): void {
    this.errorMark = this.host.api.stats.totalErrorReplies;
  }

  /**
   * A command that went on past its handler (client.commandInProgress) has finished, `failed`
   * when its reply was an error: its call() bookkeeping, with the whole duration. The caller
   * clears commandInProgress first.
   */
  completeInProgress(client: Client, failed: boolean): void {
    const pending = this.inProgress.get(client);
    if (pending === undefined) return;
    this.inProgress.delete(client);
    this.tickValid = false;
    this.afterHandler(client, pending.command, pending.argv, pending.start, pending.dirtyBefore, pending.db, failed);
  }

  /** Redis's call() epilogue: stats, after-call hooks (slowlog, MONITOR...), propagation. */
  private afterHandler(client: Client, command: Command, argv: string[], start: number, dirtyBefore: number, db: Db, failed: boolean): void {
    const host = this.host;
    const api = host.api;
    const serverStats = api.stats;
    const end = performance.now();
    this.tickMs = end;
    const durationMicros = Math.round((end - start) * 1000);
    const stats = command.stats;
    stats.calls++;
    stats.microseconds += durationMicros;
    if (failed) stats.failedCalls++;
    client.lastCommandName = command.fullName;
    serverStats.totalCommandsProcessed++;
    host.afterCall(client, command, argv, durationMicros);
    if (api.dirty > dirtyBefore && !client.propagationPrevented && client.propagateTargets !== 0 && !command.isExec) {
      const bigArgs = client.bigArgs;
      host.propagator.add(db.id, client.propagationOverride ?? (bigArgs === null ? argv : withBigArgs(argv, bigArgs)), client.propagateTargets);
    }
  }
}

/** argv with the big arguments a command took as Buffers back in their slots (they hold ""). */
function withBigArgs(argv: readonly string[], bigArgs: ReadonlyArray<Buffer | undefined>): StreamArg[] {
  const out: StreamArg[] = argv.slice();
  for (let i = 0; i < bigArgs.length; i++) {
    const big = bigArgs[i];
    if (big !== undefined) out[i] = big;
  }
  return out;
}
