// Clients blocked on keys (Redis's blocked.c for BLOCKED_LIST / ZSET / STREAM): BLPOP and the
// other list pops, BZPOPMIN & co, XREAD / XREADGROUP with BLOCK.
//
// How a blocking family plugs in (lists, sorted sets and streams each write one KeyWaiter, see
// commands/blocking.ts):
//   1. The command first tries to serve itself like its non-blocking form. When it cannot and
//      ctx.server.blocking.canBlock(ctx.client) (false inside MULTI/EXEC or a script, where
//      Redis answers as if timed out at once), it parses its timeout with timeoutArg() and calls
//      ctx.server.blocking.block(ctx, keys, deadlineMs, waiter). It replies nothing; the client
//      then reads no further commands until it is released.
//   2. Writes signal keys as ready. Every signalModifiedKey (the call each write makes after
//      changing a key, including DEL, RENAME, MOVE, COPY, RESTORE, expiry) signals its key when
//      somebody waits on it; FLUSHDB/FLUSHALL and SWAPDB signal every waited key of their dbs.
//      A change that does not call signalModifiedKey (XGROUP DESTROY) calls signalKeyAsReady.
//      Redis signals only at key creation (dbAdd) and for streams; signalling on every change is
//      a superset whose extra signals find nothing to serve, because a waiter serves only from a
//      key that holds what it waits for (a non-empty list, a new stream entry...). The one place
//      the difference shows: a list written over an existing key of another type by a
//      setKey-style overwrite (SORT ... STORE onto a string) wakes list waiters here and not in
//      Redis 7.0.
//   3. Ready keys are handled when the top-level command ends (the server calls
//      handleReadyKeys() after each request, so pushes inside MULTI/EXEC or a script serve
//      only when it ends), in the order they were signalled; a key's waiters are offered it in
//      the order they blocked. Before each key the command clock is re-read and the key looked
//      up, so an expired key is deleted (its DEL propagated on its own) and serves nobody.
//      Each offer runs waiter.serve(ctx, key) with the blocked client as ctx, inside its own
//      propagation unit: the waiter propagates the non-blocking form (BLPOP -> LPOP key,
//      BLMOVE -> LMOVE, BLMPOP -> LPOP key count...) with ctx.alsoPropagate, as Redis 7.0's
//      serve functions do. Keys a serve signals (BLMOVE's destination) are handled after the
//      current round, as Redis's handleClientsBlockedOnKeys loops.
//   4. A served client is released: its deferred statistics are settled (calls were counted
//      when it blocked; the duration, failed call, latency histogram and slowlog entry now, as
//      updateStatsOnUnblock), and the client, told through resumeAfterBlock(), writes its
//      reply and runs what it sent meanwhile after the current event (Redis's
//      processUnblockedClients in beforeSleep).
//   5. Timeouts use one timer per blocked client with a deadline (no scan): when it fires the
//      waiter writes its timeout reply (waiter.timedOut: a null array for lists, sorted sets
//      and streams) and the client is released. CLIENT UNBLOCK does the same, or replies
//      "-UNBLOCKED client unblocked via CLIENT UNBLOCK" with ERROR. A client that disconnects
//      is simply forgotten.
// INFO counts blocked clients (with those held by CLIENT PAUSE) and clients_in_timeout_table;
// CLIENT LIST shows flag b.

import { performance } from 'node:perf_hooks';
import type { BlockingApi, KeyWaiter } from '../commands/blocking.js';
import type { ClientState, CommandContext } from '../commands/context.js';
import { setNowMs } from '../store/clock.js';
import { NO_TOUCH, type Db } from '../store/db.js';
import type { Propagator } from './propagation.js';

/** Longest delay setTimeout honours: longer waits are re-armed in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** What the framework needs from the node. */
export interface BlockingHost {
  readonly propagator: Propagator;
  /** Error replies so far (INFO total_error_replies): a serve that raised it failed. */
  errorReplyCount(): number;
  /**
   * The blocked command completed (served or CLIENT UNBLOCK): settle what Redis defers to
   * updateStatsOnUnblock (duration, failed call, latency histogram, slowlog).
   */
  completedAfterBlock(ctx: CommandContext, blocked: BlockedClient, replyMicros: number, failed: boolean): void;
  logWarning(message: string): void;
  /**
   * A blocked client's command is being served (it is the current client, as Redis makes it):
   * `ended` false before, true after, once its reply is written.
   */
  serving(client: ClientState, ended: boolean): void;
  /**
   * A script runs past its time limit and yields to the event loop: keys it made ready wait for
   * its end (the server serves them then), as Redis serves no blocked client meanwhile.
   */
  scriptRunning(): boolean;
}

/** A client blocked on keys. */
export class BlockedClient {
  timer: NodeJS.Timeout | null = null;
  /** The blocking call as it ran (recorded by the server after the call): for the slowlog. */
  argv: readonly string[] = [];
  callMicros = 0;

  constructor(
    readonly ctx: CommandContext,
    readonly db: Db,
    readonly keys: readonly string[],
    readonly deadlineMs: number,
    readonly waiter: KeyWaiter,
  ) {}

  get client(): ClientState {
    return this.ctx.client;
  }
}

interface ReadyKey {
  db: Db;
  key: string;
}

export class BlockingRegistry implements BlockingApi {
  /** Per db: key -> its waiters, in the order they blocked. */
  private readonly waiters: Array<Map<string, Set<BlockedClient>>> = [];
  /** Keys with at least one waiter, over every db: the cheap "nobody waits" test. */
  private waitedKeys = 0;
  private readonly byClient = new Map<ClientState, BlockedClient>();
  /** Blocked clients with a deadline (INFO clients_in_timeout_table). */
  timedCount = 0;
  private ready: ReadyKey[] = [];
  /** Per db: the keys in `ready`, so a key is queued once (Redis's db->ready_keys). */
  private readonly readyKeys: Array<Set<string>> = [];
  private handling = false;
  private drainScheduled = false;

  constructor(private readonly dbs: readonly Db[], private readonly host: BlockingHost) {
    for (let i = 0; i < dbs.length; i++) {
      this.waiters.push(new Map());
      this.readyKeys.push(new Set());
    }
  }

  /** Clients blocked on keys (INFO blocked_clients adds those held by CLIENT PAUSE). */
  get blockedCount(): number {
    return this.byClient.size;
  }

  /** Keys signalled and not yet handled: the server calls handleReadyKeys() when set. */
  get hasReadyKeys(): boolean {
    return this.ready.length > 0;
  }

  canBlock(client: ClientState): boolean {
    return !client.inMulti && !client.denyBlocking;
  }

  block(ctx: CommandContext, keys: readonly string[], deadlineMs: number, waiter: KeyWaiter): void {
    const client = ctx.client;
    if (this.byClient.has(client)) throw new Error('client blocked twice');
    const db = ctx.db;
    const distinct = [...new Set(keys)];
    const blocked = new BlockedClient(ctx, db, distinct, deadlineMs, waiter);
    const byKey = this.waiters[db.id];
    for (const key of distinct) {
      let set = byKey.get(key);
      if (set === undefined) {
        set = new Set();
        byKey.set(key, set);
        this.waitedKeys++;
      }
      set.add(blocked);
    }
    this.byClient.set(client, blocked);
    client.blockedOnKeys = true;
    if (deadlineMs > 0) {
      this.timedCount++;
      this.armTimer(blocked);
    }
  }

  /** Records the blocking call's own duration and argv (the server's after-call hook). */
  noteBlockingCall(client: ClientState, argv: readonly string[], durationMicros: number): void {
    const blocked = this.byClient.get(client);
    if (blocked === undefined) return;
    blocked.argv = argv;
    blocked.callMicros = durationMicros;
  }

  // ------------------------------------------------------------------ signals

  /** signalModifiedKey's hook (hot path: one comparison when nobody blocks). */
  keyModified(db: Db, key: string): void {
    if (this.waitedKeys === 0) return;
    this.signalKeyAsReady(db, key);
  }

  signalKeyAsReady(db: Db, key: string): void {
    if (this.waitedKeys === 0 || !this.waiters[db.id].has(key)) return;
    const queued = this.readyKeys[db.id];
    if (queued.has(key)) return;
    queued.add(key);
    this.ready.push({ db, key });
    // Signals from outside a request (expiry in the cron) are handled on the next turn; inside
    // a request the server handles them first, and this finds nothing left.
    if (!this.drainScheduled && !this.handling) {
      this.drainScheduled = true;
      setImmediate(() => {
        this.drainScheduled = false;
        this.handleReadyKeys();
      });
    }
  }

  /** Every waited key of a db (FLUSHDB/FLUSHALL with -1, SWAPDB): handled after the command. */
  signalAllInDb(dbIndex: number): void {
    if (this.waitedKeys === 0) return;
    for (let i = 0; i < this.waiters.length; i++) {
      if (dbIndex >= 0 && i !== dbIndex) continue;
      for (const key of this.waiters[i].keys()) this.signalKeyAsReady(this.dbs[i], key);
    }
  }

  // ------------------------------------------------------------------ serving

  /** Redis's handleClientsBlockedOnKeys: serves the waiters of every ready key. */
  handleReadyKeys(): void {
    // While a timed-out script yields, its keys wait: its end handles them (see scriptRunning).
    if (this.handling || this.host.scriptRunning()) return;
    this.handling = true;
    const propagator = this.host.propagator;
    try {
      while (this.ready.length > 0) {
        const round = this.ready;
        this.ready = [];
        for (let i = 0; i < round.length; i++) {
          const { db, key } = round[i];
          // Unqueued first, so serving may signal this key again for the next round.
          this.readyKeys[db.id].delete(key);
          const set = this.waiters[db.id].get(key);
          if (set === undefined) continue;
          setNowMs(Date.now());
          // A key past its deadline is deleted here, its DEL a propagation unit of its own.
          propagator.begin();
          db.lookup(key, NO_TOUCH);
          propagator.end();
          // A served waiter leaves the set while it is walked, which Set iteration allows.
          for (const blocked of set) {
            if (this.byClient.get(blocked.client) !== blocked) continue;
            this.serveOne(blocked, key);
          }
        }
      }
    } finally {
      this.handling = false;
    }
  }

  private serveOne(blocked: BlockedClient, key: string): void {
    const ctx = blocked.ctx;
    const errorsBefore = this.host.errorReplyCount();
    const start = performance.now();
    const propagator = this.host.propagator;
    let served: boolean;
    propagator.begin();
    this.host.serving(ctx.client, false);
    try {
      served = blocked.waiter.serve(ctx, key);
    } catch (err) {
      // A bug in one waiter must not take the server down: answer an error and release it.
      ctx.reply.error(`ERR internal error serving blocked '${ctx.command.fullName}'`);
      this.host.logWarning(`Internal error serving a blocked '${ctx.command.fullName}': ${(err as Error).stack ?? String(err)}`);
      served = true;
    } finally {
      propagator.end();
      this.host.serving(ctx.client, true);
    }
    if (!served) return;
    const replyMicros = Math.round((performance.now() - start) * 1000);
    this.release(blocked);
    this.host.completedAfterBlock(ctx, blocked, replyMicros, this.host.errorReplyCount() !== errorsBefore);
    blocked.client.resumeAfterBlock();
  }

  // ------------------------------------------------------------------ ending a block

  unblockClient(client: ClientState, withError: boolean, errorText = 'UNBLOCKED client unblocked via CLIENT UNBLOCK'): boolean {
    const blocked = this.byClient.get(client);
    if (blocked === undefined) return false;
    if (withError) blocked.ctx.reply.error(errorText);
    else blocked.waiter.timedOut(blocked.ctx);
    this.release(blocked);
    // Redis counts an unblocked command as failed whichever the reply (updateStatsOnUnblock(.., 1)).
    this.host.completedAfterBlock(blocked.ctx, blocked, 0, true);
    client.resumeAfterBlock();
    return true;
  }

  /** Every client blocked on keys now (cluster mode redirects those whose slot moved). */
  blockedClients(): IterableIterator<BlockedClient> {
    return this.byClient.values();
  }

  /** The client is gone: forget its block without a reply. */
  forget(client: ClientState): void {
    const blocked = this.byClient.get(client);
    if (blocked !== undefined) this.release(blocked);
  }

  private armTimer(blocked: BlockedClient): void {
    const delayMs = Math.min(MAX_TIMER_MS, Math.max(0, blocked.deadlineMs - Date.now()) + 1);
    const timer = setTimeout(() => this.onTimer(blocked), delayMs);
    timer.unref();
    blocked.timer = timer;
  }

  private onTimer(blocked: BlockedClient): void {
    blocked.timer = null;
    if (this.byClient.get(blocked.client) !== blocked) return;
    // Redis times a client out once now > deadline; timers may fire a little early.
    if (Date.now() <= blocked.deadlineMs) {
      this.armTimer(blocked);
      return;
    }
    blocked.waiter.timedOut(blocked.ctx);
    this.release(blocked);
    blocked.client.resumeAfterBlock();
  }

  /** Removes the client from every key it waits on and from the timeout bookkeeping. */
  private release(blocked: BlockedClient): void {
    const byKey = this.waiters[blocked.db.id];
    for (const key of blocked.keys) {
      const set = byKey.get(key);
      if (set === undefined) continue;
      set.delete(blocked);
      if (set.size === 0) {
        byKey.delete(key);
        this.waitedKeys--;
      }
    }
    this.byClient.delete(blocked.client);
    blocked.client.blockedOnKeys = false;
    if (blocked.deadlineMs > 0) this.timedCount--;
    if (blocked.timer !== null) {
      clearTimeout(blocked.timer);
      blocked.timer = null;
    }
  }
}
