// What command handlers can reach. The server room implements these interfaces; command code
// depends only on them (the seam that keeps the arrow commands <- server one-way).

import type { Config } from '../config/config.js';
import type { ReplyWriter } from '../protocol/writer.js';
import type { StreamArg } from '../protocol/command-encoder.js';
import type { Db } from '../store/db.js';
import type { Keyspace } from '../store/keyspace.js';
import type { BlockingApi } from './blocking.js';
import type { Command, RuntimeFlags } from './types.js';

export type ClientReplyMode = 'on' | 'off' | 'skip';

/** Per-connection state visible to commands. */
export type ScriptDebugMode = 'no' | 'yes' | 'sync';

export interface ClientState {
  readonly id: number;
  name: string;
  libName: string;
  libVersion: string;
  readonly reply: ReplyWriter;
  dbIndex: number;
  authenticated: boolean;
  /** The ACL user the connection is authenticated as (the default user until AUTH). */
  user: UserRef;
  readonly remoteAddress: string;
  readonly localAddress: string;
  /** Connected from 127.0.0.1 or ::1 (Redis's islocalClient). */
  readonly isLocal: boolean;
  readonly createdAtMs: number;
  lastInteractionMs: number;
  /** Full name of the last command run ("client|list"), for CLIENT LIST cmd=. */
  lastCommandName: string;
  /** Transaction state. */
  inMulti: boolean;
  readonly multiQueue: readonly QueuedCommand[];
  /** The queued commands, for EXEC; the queue is empty afterwards. */
  takeMultiQueue(): QueuedCommand[];
  multiDirty: boolean;
  /** Keys watched by this client, as "dbIndex\0key". */
  readonly watchedKeys: Set<string>;
  /** Set when a watched key was touched; EXEC then fails. */
  watchDirty: boolean;
  readonly channels: Set<string>;
  readonly patterns: Set<string>;
  readonly shardChannels: Set<string>;
  isMonitor: boolean;
  /** Cluster: ASKING was sent (Redis's CLIENT_ASKING): the next command (or transaction) may use an importing slot. */
  asking: boolean;
  /** Cluster: ASKING was the last command; the flag survives the next command's start. */
  askingFresh: boolean;
  /** Cluster: READONLY (Redis's CLIENT_READONLY): reads served by a replica of the slot's primary. */
  clusterReadOnly: boolean;
  /** Client-side caching state (CLIENT TRACKING), null when tracking is off. */
  tracking: TrackingState | null;
  /** A replica attached to this node (its SYNC/PSYNC was accepted). */
  readonly isReplica: boolean;
  /** The replication offset right after this client's last command that fed the stream (WAIT). */
  readonly woff: number;
  replyMode: ClientReplyMode;
  noEvict: boolean;
  noTouch: boolean;
  /** Closes after the pending replies are written (QUIT, protocol errors, CLIENT KILL). */
  closeAfterReply: boolean;
  /** Blocked on keys (BLPOP & co); kept by the blocking framework (engine/blocking.ts). */
  blockedOnKeys: boolean;
  /** Blocking commands may not block (Redis's CLIENT_DENY_BLOCKING: script and AOF clients). */
  /** The client scripts run their commands through (Redis's CLIENT_SCRIPT). */
  readonly isScript: boolean;
  /** The client applying this replica's primary's stream (CLIENT KILL TYPE master). */
  readonly isPrimaryLink: boolean;
  /** The AOF loader or the primary's link: obeyed without the limits clients get (Redis's mustObeyClient). */
  readonly replaysData: boolean;
  denyBlocking: boolean;
  /** SCRIPT DEBUG: how this client's next EVAL runs ('no': normally; 'yes'/'sync': debugged). */
  scriptDebugMode: ScriptDebugMode;
  /**
   * The blocking framework released the client: write its reply and run what it sent while
   * blocked, after the current command (Redis's processUnblockedClients).
   */
  resumeAfterBlock(): void;
  readonly isPubSub: boolean;
  /** Output bytes queued but not yet accepted by the socket. */
  readonly outputBufferBytes: number;
  readonly queryBufferBytes: number;
  readonly queryBufferCapacityBytes: number;
  /** Total bytes read from / written to this connection's socket. */
  readonly totalBytesIn: number;
  readonly totalBytesOut: number;
  /** Close the connection now (CLIENT KILL). */
  close(reason: string): void;
  /**
   * Queues an out-of-band frame (pub/sub message, MONITOR line) for this client: written even
   * under CLIENT REPLY OFF, flushed at the end of the event-loop turn, subject to the output
   * buffer limits.
   */
  push(frame: Buffer): void;
  /** The protocol the client speaks (HELLO switches it). */
  setProtocol(resp: 2 | 3): void;
  /** Flags string for CLIENT LIST/INFO ("N", "P", "x"...). */
  flagsText(): string;
  /** One CLIENT LIST/INFO line; `currentArgv` is the running command's argv when it is this client asking. */
  infoLine(currentArgv: readonly string[] | null): string;
}

/** A pending-shutdown request from SHUTDOWN. */
export interface ShutdownOptions {
  save: boolean | null;
  now: boolean;
  force: boolean;
}

/**
 * Server-wide services reachable from commands: a few shared facts, then one small interface per
 * service, so a new capability adds one property here rather than a dozen forwarding methods.
 */
export interface ServerApi {
  readonly keyspace: Keyspace;
  readonly config: Config;
  readonly startTimeMs: number;
  readonly runId: string;
  readonly commands: ReadonlyMap<string, Command>;
  /** Number of changes since the last save, as Redis's server.dirty. */
  dirty: number;
  readonly stats: ServerStats;

  lookupCommand(argv: readonly string[]): Command | undefined;

  readonly events: KeyspaceSignals;
  readonly pubsub: PubSubApi;
  readonly watches: WatchApi;
  readonly clients: ClientsApi;
  readonly admin: AdminApi;
  readonly slowlog: SlowLogApi;
  readonly latency: LatencyApi;
  /** Clients blocked on keys (BLPOP, BZPOPMIN, XREAD BLOCK...): see commands/blocking.ts. */
  readonly blocking: BlockingApi;
  /** Lua scripts and functions (src/scripting/). */
  readonly scripting: ScriptingApi;
  /** RDB files and snapshots (src/persistence/). */
  readonly persistence: PersistenceApi;
  /** The append-only file (src/persistence/aof/). */
  readonly aof: AofApi;
  /** MIGRATE's connections to target instances (src/server/migrate/). */
  readonly migrate: MigrateApi;
  /** Replication (src/replication/): this node's role, its replicas, its primary. */
  readonly replication: ReplicationApi;
  /** ACL users, permissions and the ACL LOG (src/acl/). */
  readonly acl: AclApi;
  /** Client-side caching: tracked keys and their invalidation (src/tracking/). */
  readonly tracking: TrackingApi;
  /** Cluster mode (src/cluster/); null when cluster-enabled is no. */
  readonly cluster: ClusterApi | null;
}

/** One node of a CLUSTER SLOTS range: preferred endpoint (null: unknown), port, id, other addresses. */
export interface ClusterEndpointView {
  endpoint: string | null;
  port: number;
  name: string;
  extra: Array<[string, string]>;
}

export interface ClusterSlotRangeView {
  start: number;
  end: number;
  /** The primary, then its available replicas. */
  nodes: ClusterEndpointView[];
}

export interface ClusterShardNodeView {
  id: string;
  port: number;
  ip: string;
  endpoint: string;
  hostname: string;
  role: 'master' | 'replica';
  replicationOffset: number;
  health: 'online' | 'loading' | 'fail';
}

export interface ClusterShardView {
  /** Range bounds, flattened: start, end, start, end... */
  slots: number[];
  nodes: ClusterShardNodeView[];
}

/**
 * The cluster as the CLUSTER subcommands use it. Methods that change something return null on
 * success or Redis's error text.
 */
export interface ClusterApi {
  readonly myId: string;
  /** This node replicates a primary of the cluster. */
  readonly isReplica: boolean;
  keySlot(key: string): number;
  countKeysInSlot(slot: number): number;
  keysInSlot(slot: number, count: number): string[];
  infoText(): string;
  nodesText(): string;
  slotsView(): ClusterSlotRangeView[];
  shardsView(): ClusterShardView[];
  updateSlots(ranges: ReadonlyArray<readonly [number, number]>, del: boolean): string | null;
  flushSlots(): string | null;
  setSlot(slot: number, action: 'migrating' | 'importing' | 'stable' | 'node', nodeId: string): string | null;
  bumpEpoch(): { bumped: boolean; epoch: bigint };
  saveConfig(): string | null;
  countFailureReports(nodeId: string): number | string;
  replicate(nodeId: string): string | null;
  replicaLines(nodeId: string): string[] | string;
  setConfigEpoch(epoch: bigint): string | null;
  reset(hard: boolean, currentDbSize: number): string | null;
  /** MEET, FORGET, LINKS, FAILOVER through the bus: false when there is none. */
  busCommand(subcommand: 'meet' | 'forget' | 'links' | 'failover', ctx: CommandContext, argv: string[]): boolean;
  /** PUBLISH's spread to every node, SPUBLISH's to this shard (instead of the replication stream). */
  propagatePublish(channel: string, message: string, sharded: boolean): void;
  /** DEBUG CLUSTERLINK KILL: drops the links to, from or both with a node; null or Redis's error. */
  killLinks(nodeId: string, direction: 'to' | 'from' | 'all'): string | null;
  /** DEBUG DROP-CLUSTER-PACKET-FILTER: bus messages of that type number are dropped (-1: none). */
  setDropPacketFilter(type: number): void;
}

/** A client's CLIENT TRACKING mode. */
export interface TrackingState {
  /** The client id invalidations go to, 0 for the client itself. */
  redirect: number;
  bcast: boolean;
  optin: boolean;
  optout: boolean;
  noloop: boolean;
  /** CLIENT CACHING YES (OPTIN) / NO (OPTOUT) was given for the next command. */
  caching: boolean;
  /** The redirect client went away. */
  brokenRedirect: boolean;
  /** BCAST prefixes, in byte order. */
  prefixes: string[];
}

export interface TrackingOptions {
  bcast: boolean;
  optin: boolean;
  optout: boolean;
  noloop: boolean;
}

/** Client-side caching as CLIENT TRACKING uses it. */
export interface TrackingApi {
  /** Turns tracking on (or changes its mode); the options were validated by the command. */
  enable(client: ClientState, redirect: number, options: TrackingOptions, prefixes: readonly string[]): void;
  disable(client: ClientState): void;
}

/** An ACL user as clients hold it (src/acl/user.ts). */
export interface UserRef {
  readonly name: string;
  /** Every command, key and channel is allowed: the permission check is skipped. */
  readonly fullAccess: boolean;
  /** ACL flag skip-sanitize-payload: under sanitize-dump-payload clients, its RESTOREs are shallow. */
  readonly skipsPayloadSanitizing: boolean;
}

/** One selector of ACL GETUSER: its rules as text. */
export interface AclSelectorInfo {
  commands: string;
  keys: string;
  channels: string;
}

/** ACL GETUSER's facts. */
export interface AclUserInfo {
  flags: string[];
  passwords: string[];
  root: AclSelectorInfo;
  selectors: AclSelectorInfo[];
}

/** One ACL LOG entry as the command shows it. */
export interface AclLogView {
  count: number;
  reason: string;
  context: string;
  object: string;
  username: string;
  ageSeconds: number;
  clientInfo: string;
}

/** ACL as AUTH, HELLO, the ACL command family, EXEC and CLIENT KILL use it. */
export interface AclApi {
  getUser(name: string): UserRef | undefined;
  /** The default user needs no password (AUTH <password> is then an error). */
  readonly defaultUserNoPass: boolean;
  /**
   * AUTH / HELLO AUTH: on success the client is authenticated as the user; a failure is logged
   * in ACL LOG under `commandName` (argv[0] as sent).
   */
  authenticate(client: ClientState, username: string, password: string, commandName: string): boolean;
  /** ACL SETUSER: null, or the error text (without "ERR "). */
  setUser(name: string, rules: readonly string[]): string | null;
  /** ACL DELUSER: how many existed; their clients are closed (`current` after its reply). */
  deleteUsers(names: readonly string[], current: ClientState): number;
  userInfo(name: string): AclUserInfo | null;
  /** ACL LIST's lines, users in name order. */
  listLines(): string[];
  userNames(): string[];
  /** ACL CAT <category>: command names, or null for an unknown category. */
  commandsInCategory(category: string): string[] | null;
  logEntries(count: number): AclLogView[];
  resetLog(): void;
  /**
   * ACL DRYRUN: null when allowed; `denied` with the reason text; `error` for an unknown user or
   * command, or a wrong number of arguments.
   */
  dryRun(username: string, argv: readonly string[]): { error: string } | { denied: string } | null;
  /** aclfile ('' when none). */
  readonly aclFile: string;
  /** ACL SAVE: null, or the error reply text. */
  save(): string | null;
  /** ACL LOAD: null, or the error reply text; clients of replaced users close (`current` after its reply). */
  load(current: ClientState): string | null;
  /**
   * Whether one selector of the client's user allows the command line and reading every key
   * (Redis's ACLUserCheckCmdWithUnrestrictedKeyAccess): SORT's BY and GET need it.
   */
  readsAnyKey(client: ClientState, command: Command, argv: readonly string[]): boolean;
  /** EXEC's check of each queued command, with Redis's NOPERM text when permissions changed. */
  execRefusal(client: ClientState, command: Command, argv: readonly string[]): string | null;
}

/**
 * MIGRATE's cached connections, one per "host:port" as written (Redis's migrate socket cache):
 * reused by the next MIGRATE to the same target, closed after 10 s unused. Their I/O blocks the
 * whole node, as Redis's syncio does: nothing else runs until it has finished or timed out.
 */
export interface MigrateApi {
  /** The connection to host:port, cached or made now within `timeoutMs`; null when it cannot be made. */
  getSocket(host: string, port: string, timeoutMs: number): MigrateSocket | null;
  /** Forgets and closes the connection to host:port, if one is cached (after an I/O error). */
  closeSocket(host: string, port: string): void;
}

export interface MigrateSocket {
  /** The db this connection last SELECTed on the target; -1 when not known. */
  lastDbid: bigint;
  /**
   * Writes `request` (handed over: not to be used afterwards) and reads `lineCount` reply lines
   * as Redis's syncReadLine does (at most 1023 bytes each, without the CRLF); every write slice
   * and every wait for input may take `timeoutMs`.
   */
  exchange(request: Uint8Array, lineCount: number, timeoutMs: number): MigrateExchange;
}

export interface MigrateExchange {
  /** The lines read, in order; fewer than asked when `failure` is set. */
  lines: string[];
  /** Why the exchange stopped early: a write or a read, on a timeout or on an error / EOF. */
  failure: { writing: boolean; timedOut: boolean } | null;
}

/**
 * Replication as commands see it. The primary side (SYNC, PSYNC, REPLCONF, WAIT) and the replica
 * side (REPLICAOF, ROLE) each add their members here.
 */
export interface ReplicationApi {
  /** master_replid. */
  readonly replid: string;
  /** master_repl_offset. */
  readonly masterReplOffset: number;
  /** Replicas attached to this node: SYNC, PSYNC, REPLCONF, WAIT. */
  readonly primary: PrimaryApi;
  /** ROLE: the primary form on a primary, the replica form on a replica. */
  roleReply(reply: ReplyWriter): void;
  /** DEBUG REPLICATE: the command goes into the stream as is, not run here (tests data divergence). */
  debugReplicate(argv: readonly string[]): void;
  /** REPLICAOF host port (the port checked): 'already' when that primary is already followed. */
  replicaOf(host: string, port: number, requestedBy: string): 'ok' | 'already';
  /** REPLICAOF NO ONE: a replica becomes a primary (nothing on a primary). */
  replicaOfNoOne(requestedBy: string): void;
  /** INFO's master_failover_state (REPLICAOF is refused while a failover runs). */
  readonly failoverState: string;
  /** FAILOVER [TO host port [FORCE]] [ABORT] [TIMEOUT ms]: null (OK) or the error reply text. */
  failoverCommand(argv: readonly string[]): string | null;
}

/** The primary side of replication as its commands use it (src/replication/primary/). */
export interface PrimaryApi {
  /** SYNC, or PSYNC replid offset: a partial or full resync; the client becomes a replica. */
  sync(ctx: CommandContext, argv: readonly string[]): void;
  /** REPLCONF option value ...: handshake options, ACK and GETACK. */
  replconf(ctx: CommandContext, argv: readonly string[]): void;
  /** WAIT's refusal on a replica, else null (checked before its arguments, as Redis). */
  readonly waitRefusal: string | null;
  /** WAIT numreplicas with its deadline (0: forever): replies now or blocks the client. */
  wait(ctx: CommandContext, numReplicas: number, deadlineMs: number): void;
}

/** The AOF as BGREWRITEAOF and DEBUG use it. */
export interface AofApi {
  /** BGREWRITEAOF: a status reply, or an error reply text. */
  bgrewriteaof(): { status: string } | { error: string };
  /**
   * DEBUG LOADAOF: empties the dataset and loads it from the AOF (Redis exits on a bad file).
   * 'loaded' when done at once; with `mayWait`, a promise when the load goes on in turns of the
   * event loop (a script in the file past busy-reply-threshold; false: a shutdown stopped it);
   * an error reply text when a load is already under way.
   */
  debugLoadAof(mayWait: boolean): 'loaded' | string | Promise<boolean>;
  /** DEBUG AOF-FLUSH-SLEEP: microseconds slept before each AOF write. */
  setFlushSleep(micros: number): void;
}

/** RDB persistence as SAVE, BGSAVE, LASTSAVE and FLUSHALL use it. */
export interface PersistenceApi {
  /** LASTSAVE: Unix time of the last successful save. */
  readonly lastSaveTimeSec: number;
  /** SAVE: null once the file is written, else the error reply (reasons are logged). */
  save(): string | null;
  /** rdbSave: the file written now (DEBUG RELOAD); false when it failed (reasons are logged). */
  saveNow(): boolean;
  /** BGSAVE [SCHEDULE]; `inTransaction` when run by EXEC (Redis then only schedules it). */
  bgsave(schedule: boolean, inTransaction: boolean): { status: string } | { error: string };
  /** FLUSHALL: a running snapshot ends; with save points the empty dataset is saved (true). */
  afterFlushAll(): boolean;
  /** A dataset is being loaded, async or not (CONFIG SET refuses some directives meanwhile). */
  readonly loadingDataset: boolean;
}

/** A command queued in MULTI, with whether it may replicate as queued (EXEC and CLIENT PAUSE). */
export interface QueuedCommand {
  command: Command;
  argv: string[];
  mayReplicate: boolean;
}

/** The scripting engine as the EVAL, SCRIPT and FUNCTION commands use it. */
export interface ScriptingApi {
  /** EVAL / EVALSHA / EVAL_RO / EVALSHA_RO: runs the script and replies. */
  eval(ctx: CommandContext, argv: string[], bySha: boolean, readOnly: boolean): void;
  /** SCRIPT LOAD: compiles and caches the body, replies its SHA1 (or the compile error). */
  scriptLoad(ctx: CommandContext, body: string): void;
  scriptExists(shas: readonly string[]): boolean[];
  scriptFlush(): void;
  /** SCRIPT KILL (isEval) / FUNCTION KILL: the refusal text, or null when the kill was accepted. */
  kill(isEval: boolean): string | null;
  /** The BUSY error while a script runs past busy-reply-threshold, else null. */
  busyRefusal(): string | null;
  /**
   * The flags EVAL (kind 'eval'), EVALSHA ('evalsha') or FCALL ('fcall') has for these
   * arguments, from the script's shebang or the function's flags; null for an EVAL script
   * without a shebang or one that is not known (its declared flags apply).
   */
  commandFlags(argv: readonly string[], kind: 'eval' | 'evalsha' | 'fcall'): RuntimeFlags | null;
  /** DEBUG SET-DISABLE-DENY-SCRIPTS: lets scripts run commands flagged noscript. */
  setDisableDenyScripts(disable: boolean): void;
  /** FUNCTION and FCALL. */
  readonly functions: FunctionsApi;
}

/** Function libraries as the FUNCTION and FCALL commands (and DEBUG RELOAD) use them. */
export interface FunctionsApi {
  /** FUNCTION LOAD [REPLACE] code: replies the library name or the error. */
  load(ctx: CommandContext, argv: string[]): void;
  delete(ctx: CommandContext, name: string): void;
  dump(ctx: CommandContext): void;
  restore(ctx: CommandContext, payload: string, policy: 'APPEND' | 'REPLACE' | 'FLUSH', skipChecksum: boolean): void;
  stats(ctx: CommandContext): void;
  /** A library from an RDB image (FUNCTION2 record): null, or why it could not be created. */
  restoreLibrary(code: string, replace: boolean): string | null;
  /** FCALL / FCALL_RO: runs the function and replies. */
  fcall(ctx: CommandContext, argv: string[], readOnly: boolean): void;
}

/** What a change to the keyspace must tell the rest of the node (WATCH, keyspace events). */
export interface KeyspaceSignals {
  /** WATCH invalidation and (later) client-side caching: a key's value changed. */
  signalModifiedKey(db: Db, key: string): void;
  /**
   * All keys of a database (or of all, with -1) are about to go (FLUSHDB, FLUSHALL). Call it
   * BEFORE emptying: WATCH needs to see which watched keys existed.
   */
  signalFlushedDb(dbIndex: number): void;
  /** SWAPDB: watchers of keys in either database see a change. Call it BEFORE swapping. */
  signalSwappedDb(index1: number, index2: number): void;
  /** Publishes a keyspace event if notify-keyspace-events enables its class. */
  notify(classFlag: number, event: string, key: string, dbIndex: number): void;
}

export interface PubSubApi {
  /** Returns the number of clients that received the message. */
  publish(channel: string, message: string): number;
  publishShard(channel: string, message: string): number;
  subscribe(client: ClientState, channel: string): boolean;
  unsubscribe(client: ClientState, channel: string): boolean;
  psubscribe(client: ClientState, pattern: string): boolean;
  punsubscribe(client: ClientState, pattern: string): boolean;
  ssubscribe(client: ClientState, channel: string): boolean;
  sunsubscribe(client: ClientState, channel: string): boolean;
  channelNames(): Iterable<string>;
  shardChannelNames(): Iterable<string>;
  channelSubscriberCount(channel: string): number;
  shardChannelSubscriberCount(channel: string): number;
  patternCount(): number;
}

export interface WatchApi {
  /** Watches a key for the client (WATCH). */
  watchKey(client: ClientState, db: Db, key: string): void;
  /** Forgets the client's watched keys and clears its WATCH dirty flag (UNWATCH, DISCARD). */
  unwatchAll(client: ClientState): void;
  /** EXEC's check: a watched key (not already stale when watched) is past its deadline. */
  watchedKeyExpired(client: ClientState): boolean;
}

export interface ClientsApi {
  all(): Iterable<ClientState>;
  byId(id: number): ClientState | undefined;
  /** MONITOR. */
  addMonitor(client: ClientState): void;
  removeMonitor(client: ClientState): void;
  /** CLIENT PAUSE / UNPAUSE. */
  pause(untilMs: number, writesOnly: boolean): void;
  unpause(): void;
}

/** The cron's resizing of client reply buffers (server/reply-buffer-resizing.ts). */
export interface ReplyBufferSettings {
  enabled: boolean;
  /** -1: a peak is never reset. */
  peakResetTimeMs: number;
  readonly defaultPeakResetTimeMs: number;
}

/** Whole-server administration (SHUTDOWN, INFO, CONFIG RESETSTAT, MEMORY, DEBUG LOG). */
export interface AdminApi {
  /**
   * SHUTDOWN: returns an error text when refused; null when the server is going down, or when
   * `caller` was made to wait for lagging replicas (it gets its reply if the shutdown fails).
   */
  shutdown(options: ShutdownOptions, caller?: CommandContext): string | null;
  /** SHUTDOWN ABORT: cancels a shutdown a signal asked for; false when none is pending. */
  abortShutdown(): boolean;
  /** DEBUG PAUSE-CRON: the cron's periodic work stops (true) or resumes. */
  cronPaused: boolean;
  /** DEBUG REPLYBUFFER: how the cron resizes client reply buffers. */
  readonly replyBufferResizing: ReplyBufferSettings;
  /** The text of INFO for the given sections (lower-case names, or "all"/"everything"/"default"). */
  infoText(sections: readonly string[]): string;
  /** DEBUG SEGFAULT: the bug report is logged and the process dies by SIGSEGV, sent by `crashing`'s command. */
  crashBySignal(signal: 'SIGSEGV', crashing: { client: ClientState; argv: readonly string[] }): void;
  /** CONFIG RESETSTAT: server, command and error statistics back to zero. */
  resetStats(): void;
  /** Memory in use once the server started (MEMORY STATS startup.allocated). */
  readonly startupMemoryBytes: number;
  /** Records a memory reading and returns the peak seen so far. */
  notePeakMemory(usedBytes: number): number;
  /** used_memory and its parts as the node counts them (server/used-memory.ts). */
  memoryFigures(): MemoryFigures;
  /** While CONFIG SET port/bind moves the listeners: settles once the new ones listen. */
  listenersMoving(): Promise<void> | null;
  /** Whether the running command may go on after its handler returns (see continueLater). */
  canContinueLater(ctx: CommandContext): boolean;
  /**
   * The running command goes on after its handler returns (DEBUG LOADAOF waiting for a slow
   * script in the AOF): its client reads nothing more, and its call() bookkeeping (stats,
   * slowlog, propagation unit) waits until the returned function is called, with whether its
   * reply was an error. Only when canContinueLater(ctx).
   */
  continueLater(ctx: CommandContext): (failed: boolean) => void;
  /** Writes a warning line to the server log (DEBUG LOG). */
  logWarning(message: string): void;
  /** Writes a verbose line to the server log (a corrupt RESTORE payload's reason). */
  logVerbose(message: string): void;
}

export interface MemoryFigures {
  usedBytes: number;
  /** Client buffers (mem_clients_normal). */
  clientsBytes: number;
  /** The EVAL cache and function libraries. */
  scriptsBytes: number;
}

export interface ServerStats {
  totalConnectionsReceived: number;
  totalCommandsProcessed: number;
  rejectedConnections: number;
  expiredKeys: number;
  totalNetInputBytes: number;
  totalNetOutputBytes: number;
  /** Bytes written to replicas: snapshots, the stream, keepalives (INFO total_net_repl_output_bytes). */
  totalNetReplOutputBytes: number;
  /** Bytes read from this replica's primary: the snapshot and the stream (INFO total_net_repl_input_bytes). */
  totalNetReplInputBytes: number;
  totalErrorReplies: number;
  unexpectedErrorReplies: number;
  /** Error code ("ERR", "WRONGTYPE") to count, for INFO errorstats. */
  errorCounts: Map<string, number>;
  clientQueryBufferLimitDisconnections: number;
  clientOutputBufferLimitDisconnections: number;
  pubsubChannelsPublished: number;
  /** Socket reads handled and reply writes made (INFO total_reads/writes_processed). */
  totalReadsProcessed: number;
  totalWritesProcessed: number;
  /** Values Redis would have freed in its lazyfree thread (store/lazyfree.ts). */
  lazyfreedObjects: number;
}

export interface SlowLogEntry {
  id: number;
  timestampSec: number;
  durationMicros: number;
  argv: string[];
  peer: string;
  clientName: string;
}

export interface SlowLogApi {
  entries(): readonly SlowLogEntry[];
  reset(): void;
}

export interface LatencySample {
  timestampSec: number;
  latencyMs: number;
}

export interface LatencyEvent {
  name: string;
  samples: LatencySample[];
  maxLatencyMs: number;
}

export interface LatencyApi {
  /** Records a latency sample if above latency-monitor-threshold. */
  addSampleIfNeeded(event: string, latencyMs: number): void;
  events(): ReadonlyMap<string, LatencyEvent>;
  reset(events: readonly string[]): number;
}

/** What a running command sees: the client, its database, the server, and propagation hooks. */
export interface CommandContext {
  readonly client: ClientState;
  readonly reply: ReplyWriter;
  /** The client's selected database. */
  readonly db: Db;
  readonly server: ServerApi;
  /** The command being run. */
  readonly command: Command;

  /** Counts one change (or `n`) and schedules this command's propagation. */
  markDirty(n?: number): void;
  /** Propagate these arguments instead of the original argv (e.g. SET EX -> SET PXAT). */
  rewritePropagation(argv: StreamArg[]): void;
  /** Propagate nothing for this command, whatever it changed. */
  preventPropagation(): void;
  /** Propagate an extra effect in the given db, after this command's own. */
  alsoPropagate(dbIndex: number, argv: string[]): void;
  /** Switches the client's database (SELECT). */
  selectDb(index: number): boolean;
  /**
   * A big argument of the running command as the Buffer it arrived in, when the engine kept it
   * that way (only for commands declaring takesBigArgs; argv then holds "" in its slot); null
   * otherwise, and argv holds the string.
   */
  bigArgument(index: number): Buffer | null;
  /** Hides an argument from SLOWLOG and MONITOR (passwords). */
  redactArgument(index: number): void;
  /** Called after a successful AUTH/HELLO AUTH (lifts the unauthenticated request limits). */
  onAuthenticated(): void;
  /** RESET: leaves MULTI, WATCH, pub/sub, MONITOR, name, db, protocol and reply mode. */
  resetConnectionState(): void;
  /** Leaves MULTI: drops the queue and the error flag, forgets every WATCH (DISCARD, EXEC, RESET). */
  discardTransaction(): void;
  /**
   * Runs a command for this client through the engine's call(), with all its bookkeeping
   * (EXEC runs its queue this way).
   */
  call(command: Command, argv: string[]): void;
}
