// One client of the engine: per-client state, its reply writer and the Connection its replies
// travel over (a socket, or none for scripts, the AOF loader, a replica's primary link). A
// Client is also the CommandContext its commands run with, so running a command allocates
// nothing.

import type { ClientReplyMode, ClientState, CommandContext, QueuedCommand, ScriptDebugMode, ServerApi, ServerStats, TrackingState } from '../commands/context.js';
import type { DebuggerClientSide } from '../scripting/engine.js';
import type { Command } from '../commands/types.js';
import { ReplyWriter } from '../protocol/writer.js';
import type { StreamArg } from '../protocol/command-encoder.js';
import type { Db } from '../store/db.js';
import type { AclUser } from '../acl/user.js';
import type { Connection } from './connection.js';
import { PROPAGATE_ALL } from './propagation.js';

/** What a client needs from the node it belongs to. */
export interface ClientHost {
  /** What commands see as ctx.server. */
  readonly api: ServerApi;
  readonly stats: ServerStats;
  /** Redis's authRequired() part that does not depend on the client: the default user needs AUTH. */
  authRequired(): boolean;
  /** The ACL user new and RESET connections start as. */
  readonly defaultUser: AclUser;
  countErrorReply(text: string): void;
  /** Runs a command for the client with the engine's call() bookkeeping (EXEC, scripts). */
  call(client: Client, command: Command, argv: string[]): void;
  /** Effects beyond the running command's own (ctx.alsoPropagate). */
  propagate(dbIndex: number, argv: string[]): void;
  /** The client left: forget it everywhere (subscriptions, WATCH, MONITOR, pause). */
  clientClosed(client: Client, reason: string): void;
  /** RESET: leave pub/sub and MONITOR (the transaction and WATCH go with discardTransaction). */
  resetClient(client: Client): void;
  /** Out-of-band output was queued for the client: flush it this turn and check its limits. */
  pushed(client: Client): void;
  /** The client was released from a block: write its reply, then run its pending input. */
  resumeAfterBlock(client: Client): void;
}

/** What the engine knows of a client that became a replica of this node (src/replication/primary/). */
export interface ReplicaLinkState {
  /**
   * Output counted against client-output-buffer-limit replica: the stream kept for the replica or
   * not yet written out, never the snapshot bytes of its full sync.
   */
  readonly outputBytes: number;
}

export class Client implements ClientState, CommandContext {
  readonly reply = new ReplyWriter();
  name = '';
  libName = '';
  libVersion = '';
  dbIndex = 0;
  db: Db;
  authenticated: boolean;
  /** The ACL user (src/acl/): the default user until AUTH. */
  user: AclUser;
  readonly createdAtMs = Date.now();
  lastInteractionMs = Date.now();
  lastCommandName = 'NULL';
  inMulti = false;
  /** Commands queued by MULTI (queue with queueCommand, take with takeMultiQueue). */
  multiQueue: QueuedCommand[] = [];
  /** Redis's mstate.argv_len_sums: the queued commands' argument bytes plus a pointer each. */
  multiArgvBytes = 0;
  multiDirty = false;
  readonly watchedKeys = new Set<string>();
  watchDirty = false;
  readonly channels = new Set<string>();
  readonly patterns = new Set<string>();
  readonly shardChannels = new Set<string>();
  asking = false;
  askingFresh = false;
  clusterReadOnly = false;
  isMonitor = false;
  /** CLIENT TRACKING's mode (src/tracking/), null when off. */
  tracking: TrackingState | null = null;
  /** Set once the client's SYNC/PSYNC made it a replica of this node (Redis's CLIENT_SLAVE). */
  replicaLink: ReplicaLinkState | null = null;
  /** The replication offset right after this client's last command that fed the stream (WAIT). */
  woff = 0;
  replyMode: ClientReplyMode = 'on';
  /** Set after CLIENT REPLY SKIP: the next command's reply is dropped. */
  skipNextReply = false;
  noEvict = false;
  noTouch = false;
  closeAfterReply = false;
  scriptDebugMode: ScriptDebugMode = 'no';
  /** While this client debugs a script (SCRIPT DEBUG), where its input goes instead of commands. */
  debugger: DebuggerClientSide | null = null;
  blockedOnKeys = false;
  /** The blocking command's argv while blocked on keys (CLIENT LIST argv-mem). */
  blockedArgv: readonly string[] | null = null;
  denyBlocking = false;
  /** The AOF loader's client: it replays the dataset, so the loading and disk-error refusals are not for it. */
  replaysData = false;
  /** The client applying this replica's primary's stream (Redis's CLIENT_MASTER: CLIENT LIST flag M). */
  isPrimaryLink = false;
  isScript = false;
  /**
   * Set while this client's command goes on after its handler returned (a busy script yielding
   * to the event loop): its further input waits, as for a blocked client.
   */
  commandInProgress = false;
  closed = false;
  /** Queued in the host's end-of-turn writes (PendingWrites). */
  flushPending = false;
  /** Set while this client's read loop is suspended (CLIENT PAUSE); holds the pending request. */
  pausedArgv: string[] | null = null;
  totalBytesIn = 0;
  totalBytesOut = 0;
  /** When the output buffer first went over the soft limit (0 = not over). */
  softLimitSinceMs = 0;
  /** Set by the dispatcher around each command. */
  command!: Command;
  /** Propagation state of the running command (see markDirty & co). */
  propagationOverride: StreamArg[] | null = null;
  propagationPrevented = false;
  /**
   * Where the client's commands propagate (PROPAGATE_* bits): narrowed while a script's
   * redis.set_repl() keeps its commands out of the AOF, the replication stream or both.
   */
  propagateTargets = PROPAGATE_ALL;
  /** This client's share of UsedMemory's client figure (see UsedMemory.clientChanged). */
  sampledMemoryBytes = 0;
  readonly server: ServerApi;

  constructor(
    readonly id: number,
    readonly connection: Connection,
    private readonly host: ClientHost,
  ) {
    this.server = host.api;
    this.db = host.api.keyspace.dbs[0];
    this.user = host.defaultUser;
    this.authenticated = !host.authRequired();
    connection.setAuthenticated(this.authenticated);
    this.reply.onError = (text: string) => host.countErrorReply(text);
  }

  get remoteAddress(): string {
    return this.connection.remoteAddress;
  }

  get localAddress(): string {
    return this.connection.localAddress;
  }

  /** Redis's islocalClient(), fixed for the connection's life. */
  get isLocal(): boolean {
    return this.connection.isLocal;
  }

  get client(): ClientState {
    return this;
  }

  get isPubSub(): boolean {
    return this.channels.size + this.patterns.size + this.shardChannels.size > 0;
  }

  get isReplica(): boolean {
    return this.replicaLink !== null;
  }

  get outputBufferBytes(): number {
    if (this.replicaLink !== null) return this.replicaLink.outputBytes;
    return this.reply.lengthBytes + this.connection.pendingOutputBytes;
  }

  get queryBufferBytes(): number {
    return this.connection.queryBufferBytes;
  }

  get queryBufferCapacityBytes(): number {
    return this.connection.queryBufferCapacityBytes;
  }

  markDirty(n = 1): void {
    this.host.api.dirty += n;
  }

  rewritePropagation(argv: StreamArg[]): void {
    this.propagationOverride = argv;
  }

  preventPropagation(): void {
    this.propagationPrevented = true;
  }

  alsoPropagate(dbIndex: number, argv: string[]): void {
    this.host.propagate(dbIndex, argv);
  }

  call(command: Command, argv: string[]): void {
    this.host.call(this, command, argv);
  }

  setProtocol(resp: 2 | 3): void {
    this.reply.resp = resp;
  }

  push(frame: Buffer): void {
    if (this.closed) return;
    // Pushed output bypasses CLIENT REPLY OFF/SKIP (Redis's CLIENT_PUSHING flag).
    this.reply.rawUnmuted(frame);
    this.host.pushed(this);
  }

  resumeAfterBlock(): void {
    this.host.resumeAfterBlock(this);
  }

  selectDb(index: number): boolean {
    const db = this.server.keyspace.dbs[index];
    if (db === undefined) return false;
    this.dbIndex = index;
    this.db = db;
    return true;
  }

  /** Big arguments of the running command kept as Buffers (see CommandContext.bigArgument). */
  bigArgs: ReadonlyArray<Buffer | undefined> | null = null;

  bigArgument(index: number): Buffer | null {
    const big = this.bigArgs;
    return big === null ? null : big[index] ?? null;
  }

  /** Argument indexes of the running command to show as "(redacted)". */
  redacted: number[] | null = null;

  redactArgument(index: number): void {
    if (this.redacted === null) this.redacted = [];
    this.redacted.push(index);
  }

  onAuthenticated(): void {
    this.connection.setAuthenticated(true);
  }

  /** Queues a command inside MULTI (queueMultiCommand). */
  queueCommand(entry: QueuedCommand): void {
    this.multiQueue.push(entry);
    this.multiArgvBytes += argvBytes(entry.argv) + POINTER_BYTES * entry.argv.length;
  }

  /** The queued commands, for EXEC; the queue is empty afterwards. */
  takeMultiQueue(): QueuedCommand[] {
    const queue = this.multiQueue;
    this.multiQueue = [];
    this.multiArgvBytes = 0;
    return queue;
  }

  /**
   * What the client's transaction, watches and subscriptions cost, counted as Redis's
   * getClientMemoryUsage counts them (multiStateMemOverhead, pubsubMemOverhead): per-client
   * structures only, at the sizes of Redis's own (a list node and a watchedKey per watched key, a
   * list node per pattern, a dict entry per channel plus the dict's slots, a rax node per
   * tracking prefix). O(1).
   */
  get stateMemoryBytes(): number {
    let bytes = this.multiArgvBytes + WATCHED_KEY_BYTES * this.watchedKeys.size + LIST_NODE_BYTES * this.patterns.size;
    const queued = this.multiQueue.length;
    if (queued > 0) bytes += MULTI_CMD_BYTES * Math.max(2, 2 ** Math.ceil(Math.log2(queued)));
    bytes += dictOverheadBytes(this.channels.size) + dictOverheadBytes(this.shardChannels.size);
    // Redis counts its prefix rax's nodes (at least one per prefix) at sizeof(raxNode) * sizeof(raxNode *).
    if (this.tracking !== null) bytes += RAX_NODE_ESTIMATE_BYTES * this.tracking.prefixes.length;
    return bytes;
  }

  discardTransaction(): void {
    this.inMulti = false;
    this.takeMultiQueue();
    this.multiDirty = false;
    this.server.watches.unwatchAll(this);
  }

  resetConnectionState(): void {
    this.discardTransaction();
    this.host.resetClient(this);
    this.selectDb(0);
    this.setProtocol(2);
    this.name = '';
    this.replyMode = 'on';
    this.skipNextReply = false;
    this.reply.muted = false;
    this.noEvict = false;
    this.noTouch = false;
    this.asking = false;
    this.clusterReadOnly = false;
    this.user = this.host.defaultUser;
    this.authenticated = !this.host.authRequired();
    this.connection.setAuthenticated(this.authenticated);
  }

  close(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.host.clientClosed(this, reason);
    this.connection.destroy();
  }

  /** The connection went away on its own (peer closed, socket error). */
  connectionLost(): void {
    if (this.closed) return;
    this.closed = true;
    this.host.clientClosed(this, 'connection closed');
  }

  /** Hands what the command(s) produced to the connection in one write. */
  flush(): void {
    const sizeBytes = this.reply.lengthBytes;
    const out = this.reply.take();
    if (out !== null && !this.closed) {
      this.totalBytesOut += sizeBytes;
      const stats = this.host.stats;
      stats.totalNetOutputBytes += sizeBytes;
      stats.totalWritesProcessed++;
      this.connection.write(out);
    }
    if (this.closeAfterReply && !this.closed) {
      this.closed = true;
      this.host.clientClosed(this, 'close after reply');
      this.connection.end();
    }
  }

  /** The arguments of a request this client holds between events: postponed or blocked. */
  private get heldArgv(): readonly string[] | null {
    return this.pausedArgv ?? (this.blockedOnKeys ? this.blockedArgv : null);
  }

  /**
   * What this client's buffers and objects cost: CLIENT LIST tot-mem and the figure
   * maxmemory-clients judges, one number as in Redis (getClientMemoryUsage). `runningArgv`: the
   * command it is running, when it is the one asking.
   */
  memoryBytes(runningArgv: readonly string[] | null): number {
    const connection = this.connection;
    return CLIENT_OBJECT_BYTES + connection.queryBufferCapacityBytes + connection.partialRequestBytes +
      argvBytes(runningArgv ?? this.heldArgv) + this.reply.capacityBytes + connection.pendingOutputBytes + this.stateMemoryBytes;
  }

  /** Redis's CLIENT LIST flag letters, in catClientInfoString's order. */
  flagsText(): string {
    let flags = '';
    if (this.isMonitor) flags += 'O';
    else if (this.replicaLink !== null) flags += 'S';
    if (this.isPrimaryLink) flags += 'M';
    if (this.isPubSub) flags += 'P';
    if (this.inMulti) flags += 'x';
    // A client held by CLIENT PAUSE is a blocked client in Redis too (BLOCKED_POSTPONE).
    if (this.blockedOnKeys || this.pausedArgv !== null) flags += 'b';
    const tracking = this.tracking;
    if (tracking !== null) {
      flags += 't';
      if (tracking.brokenRedirect) flags += 'R';
      if (tracking.bcast) flags += 'B';
    }
    if (this.watchDirty) flags += 'd';
    if (this.closeAfterReply) flags += 'c';
    if (this.clusterReadOnly) flags += 'r';
    if (this.noEvict) flags += 'e';
    if (this.noTouch) flags += 'T';
    return flags === '' ? 'N' : flags;
  }

  get fd(): number {
    return this.connection.fd;
  }

  /**
   * One CLIENT LIST / CLIENT INFO line (no newline), Redis 7.0's fields in its order.
   * `currentArgv` is the running command's arguments when this client is the one asking.
   */
  infoLine(currentArgv: readonly string[] | null): string {
    const nowSec = Math.floor(Date.now() / 1000);
    const running = currentArgv !== null;
    // Redis trims the query buffer only after a batch of commands, so the asking client still
    // sees the bytes of its own request (qbuf=26 for CLIENT LIST).
    const connection = this.connection;
    const qbuf = running ? connection.queryBufferUsedBytes : connection.queryBufferBytes;
    const qbufFree = Math.max(0, connection.queryBufferCapacityBytes - qbuf);
    const argvMem = argvBytes(running ? currentArgv : this.heldArgv);
    const multiMem = this.inMulti ? this.multiArgvBytes : 0;
    const rbs = this.reply.bufferBytes;
    const rbp = this.reply.bufferPeakBytes;
    const socketPending = connection.pendingOutputBytes;
    const oll = socketPending === 0 ? 0 : Math.ceil(socketPending / REPLY_CHUNK_BYTES);
    const totMem = this.memoryBytes(currentArgv);
    const events = (this.closed ? '' : 'r') + (socketPending > 0 ? 'w' : '');
    const cmd = running ? this.command.fullName : this.lastCommandName;
    return `id=${this.id} addr=${this.remoteAddress} laddr=${this.localAddress} fd=${this.fd} name=${this.name}` +
      ` age=${nowSec - Math.floor(this.createdAtMs / 1000)} idle=${nowSec - Math.floor(this.lastInteractionMs / 1000)}` +
      ` flags=${this.flagsText()} db=${this.dbIndex} sub=${this.channels.size} psub=${this.patterns.size}` +
      ` ssub=${this.shardChannels.size} multi=${this.inMulti ? this.multiQueue.length : -1}` +
      ` qbuf=${qbuf} qbuf-free=${qbufFree} argv-mem=${argvMem} multi-mem=${multiMem} rbs=${rbs} rbp=${rbp}` +
      ` obl=${this.reply.lengthBytes} oll=${oll} omem=${socketPending} tot-mem=${totMem} events=${events}` +
      ` cmd=${cmd} user=${this.user.name} redir=${this.tracking === null ? -1 : this.tracking.redirect} resp=${this.reply.resp}`;
  }
}

/** A client's objects besides its buffers: Client, socket, handle, parser, reply writer. */
const CLIENT_OBJECT_BYTES = 2_000;
/** Size of a pointer in Redis's argv arrays, which multi-mem counts. */
const POINTER_BYTES = 8;
/** Redis's listNode (3 pointers). */
const LIST_NODE_BYTES = 24;
/** A watched key: its listNode and watchedKey (key, db, client, flags). */
const WATCHED_KEY_BYTES = LIST_NODE_BYTES + 32;
/** Redis's multiCmd (argv, argv_len, argc, cmd); the array grows 2, 4, 8... */
const MULTI_CMD_BYTES = 24;
/** What Redis's getClientMemoryUsage charges per rax node of BCAST tracking prefixes (4 * 8). */
const RAX_NODE_ESTIMATE_BYTES = 32;
/** Redis's dictEntry (key, value, next). */
const DICT_ENTRY_BYTES = 24;

/** A dict of `size` entries: its entries and its table (a power of two, at least 4, one pointer per slot). */
function dictOverheadBytes(size: number): number {
  if (size === 0) return 0;
  return DICT_ENTRY_BYTES * size + POINTER_BYTES * Math.max(4, 2 ** Math.ceil(Math.log2(size)));
}
/** Redis's reply list node size, to express pending socket bytes as a node count (oll). */
const REPLY_CHUNK_BYTES = 16 * 1024;

function argvBytes(argv: readonly string[] | null): number {
  if (argv === null) return 0;
  let total = 0;
  for (const a of argv) total += a.length;
  return total;
}
