// The node: wires the keyspace, clients, pub/sub, WATCH and the helpers around them (listeners,
// client pause, output limits, rates), runs the request loop and the cron (active expiry, idle
// timeouts, output limits, rate samples), and offers the services commands reach through
// ServerApi.

import { NodeAlerts } from '../engine/node-alerts.js';
import { performance } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import type { AdminApi, ClientState, CommandContext, MemoryFigures, ServerApi, ServerStats, ShutdownOptions } from '../commands/context.js';
import type { Command } from '../commands/types.js';
import { allCommands } from '../commands/registry.js';
import { COMMAND_FAMILIES } from '../commands/index.js';
import type { Config } from '../config/config.js';
import { configDebugText, rewriteConfigText } from '../config/rewrite.js';
import { DebugForks, type DebugChildSetup } from './debug-fork.js';
import { describeSystemError } from '../util/errno.js';
import { NOTIFY_EVICTED, NOTIFY_EXPIRED, NOTIFY_GENERIC, NOTIFY_KEY_MISS, NOTIFY_NEW } from '../config/keyspace-events.js';
import { encodeStatus } from '../protocol/command-encoder.js';
import { materializeBigArgs, ProtocolError } from '../protocol/parser.js';
import { Db, refreshAccessClock, type KeyspaceHooks } from '../store/db.js';
import { nowMs, setNowMs } from '../store/clock.js';
import { Keyspace } from '../store/keyspace.js';
import { isLocalPeer } from '../util/net-address.js';
import { quoteRepr } from '../util/repr.js';
import { BlockingRegistry, type BlockedClient, type BlockingHost } from '../engine/blocking.js';
import { aclCheck, authCheck, busyScriptCheck, diskErrorCheck, loadingCheck, memoryCheck, minReplicasCheck, multiQueueCheck, noMultiCheck, pauseCheck, protectedCommandCheck, pubsubContextCheck, readOnlyReplicaCheck, replicaKeyspaceCheck, staleDataCheck } from '../engine/checks.js';
import { Client, type ClientHost } from '../engine/client.js';
import { CommandTable } from '../engine/command-table.js';
import { DiscardingConnection, type Connection } from '../engine/connection.js';
import { ScriptingEngine, type DebuggerClientSide } from '../scripting/engine.js';
import type { DebuggerOutput } from '../scripting/debugger/session.js';
import { Dispatcher, type DispatcherHost } from '../engine/dispatcher.js';
import { KeyspaceEvents } from '../engine/keyspace-events.js';
import { Propagator } from '../engine/propagation.js';
import { WatchRegistry } from '../engine/watch.js';
import { ClientPause } from './client-pause.js';
import { ClientRegistry } from './client-registry.js';
import { OomScore } from './oom-score.js';
import { setBackgroundChildHook } from '../persistence/save-child.js';
import { crashBySignal, type CrashReportSource, type ReportedSignal } from './crash-report.js';
import { buildInfo } from './info.js';
import { LatencyMonitor } from './latency.js';
import { HeapReclaim } from './heap-reclaim.js';
import { MemoryGuard } from './memory-guard.js';
import { Evictor } from './eviction.js';
import { MemoryLimit } from './memory-limit.js';
import { ClientEviction } from './client-eviction.js';
import { freedInBackground } from '../store/lazyfree.js';
import { STARTUP_BYTES, UsedMemory } from './used-memory.js';
import { newLatencyHistogram, recordLatency } from '../util/latency-histogram.js';
import { Listeners } from './listeners.js';
import type { ServerLog } from './log.js';
import { OutputLimits } from './output-limits.js';
import { PubSubHub } from './pubsub.js';
import { Persistence } from '../persistence/persistence.js';
import { InstantaneousRates, type NetworkRates } from './rates.js';
import { SlowLog } from './slowlog.js';
import { SocketConnection } from './socket-connection.js';
import { AofService } from '../persistence/aof/aof.js';
import { Replication } from '../replication/replication.js';
import { ReplicaSide } from '../replication/replica/replica-side.js';
import { loadImage } from '../store/rdb/image.js';
import { accessTrackingOf } from '../persistence/aof/base-source.js';
import { Acl } from '../acl/acl.js';
import { commandSetOf } from '../acl/selector.js';
import type { AclUser } from '../acl/user.js';
import { Tracking } from '../tracking/tracking.js';
import { categoryBit } from '../commands/acl-categories.js';
import { MigrateSocketCache } from './migrate/socket-cache.js';
import { ClusterService } from '../cluster/service.js';
import type { ClusterConfigLock } from '../cluster/config-lock.js';
import { blockedClientRedirect, clusterRoutingCheck, type RoutingContext } from '../cluster/routing.js';
import { scriptClusterRefusal } from '../cluster/script-check.js';
import { createClusterBus } from '../cluster/bus/attach.js';
import { keyHashSlot } from '../cluster/key-slot.js';
import { PendingWrites } from './pending-writes.js';
import { ReplyBufferResizing } from './reply-buffer-resizing.js';

export { REDIS_VERSION } from '../util/version.js';

const SCRIPTING_CATEGORY = categoryBit('scripting');

/** Replies gathered for one client before they are handed to its connection mid-batch. */
const MAX_REPLY_BATCH_BYTES = 256 * 1024;

/** Redis calls clusterCron from serverCron every this many ms (run_with_period(100)). */
const CLUSTER_CRON_PERIOD_MS = 100;

/** redis.log() levels (LOG_DEBUG..LOG_WARNING) as the log's level names. */
const SCRIPT_LOG_LEVELS = ['debug', 'verbose', 'notice', 'warning'] as const;

export class Server implements ServerApi, AdminApi, ClientHost, DispatcherHost, BlockingHost {
  readonly keyspace: Keyspace;
  /** The store's callbacks; `touchSuppressed` is switched around commands of NO-TOUCH clients. */
  readonly keyspaceHooks: KeyspaceHooks;
  readonly propagator = new Propagator();
  readonly pubsub = new PubSubHub();
  readonly watches: WatchRegistry;
  readonly events: KeyspaceEvents;
  /** Clients blocked on keys (BLPOP & co). */
  readonly blocking: BlockingRegistry;
  readonly clients: ClientRegistry;
  readonly admin: AdminApi = this;
  readonly api: ServerApi = this;
  readonly commandTable: CommandTable;
  readonly commands: ReadonlyMap<string, Command>;
  readonly dispatcher: Dispatcher;
  readonly startTimeMs = Date.now();
  readonly runId = randomBytes(20).toString('hex');
  /** used_memory's baseline, and the highest used_memory seen (INFO used_memory_startup / _peak). */
  readonly startupMemoryBytes = STARTUP_BYTES;
  private peakMemoryBytes = 0;
  /** Time spent in the active expiry cycle (INFO expire_cycle_cpu_milliseconds). */
  expireCycleMicros = 0;
  readonly slowlog: SlowLog;
  readonly latency: LatencyMonitor;
  dirty = 0;
  /** RDB files and snapshots: SAVE, BGSAVE, save points, the final save of a shutdown. */
  readonly persistence: Persistence;
  /** Replication IDs, offset and backlog (src/replication/). */
  readonly replication: Replication;
  /** ACL users and permissions (src/acl/). */
  readonly acl: Acl;
  /** Client-side caching (src/tracking/). */
  readonly tracking: Tracking;
  /** Cluster mode (src/cluster/): built by startCluster() once the port is known; null otherwise. */
  cluster: ClusterService | null = null;
  /** What routing reads, set with `cluster`. */
  private clusterRouting: RoutingContext | null = null;
  /** This node following a primary: REPLICAOF, the link, the stream applied (src/replication/replica/). */
  readonly replicaSide: ReplicaSide;
  /** oom-score-adj: the OOM killer's bias for this process and its background children. */
  readonly oomScore: OomScore;
  readonly stats: ServerStats = {
    totalConnectionsReceived: 0,
    totalCommandsProcessed: 0,
    rejectedConnections: 0,
    expiredKeys: 0,
    totalNetInputBytes: 0,
    totalNetOutputBytes: 0,
    totalNetReplOutputBytes: 0,
    totalNetReplInputBytes: 0,
    totalErrorReplies: 0,
    unexpectedErrorReplies: 0,
    errorCounts: new Map(),
    clientQueryBufferLimitDisconnections: 0,
    clientOutputBufferLimitDisconnections: 0,
    pubsubChannelsPublished: 0,
    totalReadsProcessed: 0,
    totalWritesProcessed: 0,
    lazyfreedObjects: 0,
  };
  /** DEBUG REPLYBUFFER's settings; the cron resizes reply buffers through it. */
  readonly replyBufferResizing = new ReplyBufferResizing();
  /** Clients with replies or pushed output to write at the end of this event-loop turn. */
  private readonly pendingWrites = new PendingWrites((clients) => this.writePending(clients));
  /** Clients released from a block, to resume after the current event (Redis's unblocked_clients). */
  private unblocked: Client[] = [];
  private unblockedScheduled = false;
  /** Sum of the activity counters at the previous cron tick (see activeSinceLastTick). */
  private lastTickActivityMark = -1;
  private nextClientId = 1;
  private readonly listeners: Listeners;
  private cronTimer: NodeJS.Timeout | null = null;
  /** Clients pending for end-of-turn writes when this turn's replication stream started. */
  private clientsBeforeStream = 0;
  /** Cron ticks run so far (Redis's cronloops, for run_with_period). */
  private cronLoops = 0;
  /** CLIENT PAUSE state; the pause check reads `clientPause.untilMs` on every command. */
  readonly clientPause: ClientPause;
  /** Forked debugging sessions still running (SCRIPT DEBUG YES). */
  private readonly debugForks = new DebugForks();
  /** Set in a forked debugging session's process, which serves that one client. */
  private debugChild = false;
  private readonly outputLimits: OutputLimits;
  /** Raised when a node-wide condition of the check list may have turned on (see NodeAlerts). */
  readonly nodeAlerts = new NodeAlerts();
  /** Refuses writes near the heap's or the machine's memory limit (the engine's OOM check). */
  readonly memoryGuard = new MemoryGuard();
  /** used_memory: the dataset's running sums, client buffers and script caches. */
  readonly usedMemory: UsedMemory;
  /** maxmemory's evictions (maxmemory-policy). */
  readonly evictor: Evictor;
  /** The OOM step before each command: evictions, then maxmemory's or the guard's refusals. */
  readonly memoryLimit: MemoryLimit;
  /** maxmemory-clients: the biggest clients closed when clients' memory passes the limit. */
  readonly clientEviction: ClientEviction;
  /** Lua scripts: the interpreter, the EVAL cache and the running script. */
  readonly scripting: ScriptingEngine;
  /** Collects once the keyspace shrank a lot, so INFO memory shows what the dataset holds. */
  readonly heapReclaim = new HeapReclaim();
  private readonly rates: InstantaneousRates;
  /** Settings read on the hot path, kept current by CONFIG SET. */
  private readonly live: Config['live'];
  /** The append-only file. */
  readonly aof: AofService;
  /** MIGRATE's cached connections to target instances (blocking I/O on a worker thread). */
  readonly migrate: MigrateSocketCache;
  /** Resolves when the server has stopped (SHUTDOWN or close()). */
  readonly closed: Promise<void>;
  private resolveClosed!: () => void;
  /** Hook for the process entry point to exit after SHUTDOWN. */
  onShutdown: (() => void) | null = null;
  /**
   * Hook for the process entry point between "User requested shutdown..." and the last line
   * (systemd's STOPPING=1 and the pid file's removal come there in Redis's order).
   */
  onShutdownRequested: (() => void) | null = null;

  /**
   * `commandTable` defaults to every command family; another process kind (the sentinel) passes
   * its own.
   */
  constructor(readonly config: Config, readonly log: ServerLog, commandTable?: CommandTable) {
    this.keyspace = new Keyspace(config.num('databases'), this.keyspaceHooks = {
      keyExpired: (db, key) => this.onKeyExpired(db, key),
      expiryPaused: () => this.clientPause.inEffect(),
      keyMiss: (db, key) => this.events.notify(NOTIFY_KEY_MISS, 'keymiss', key, db.id),
      keyAdded: (db, key) => this.events.notify(NOTIFY_NEW, 'new', key, db.id),
    });
    this.watches = new WatchRegistry(this.keyspace.dbs);
    this.blocking = new BlockingRegistry(this.keyspace.dbs, this);
    this.events = new KeyspaceEvents(this.keyspace.dbs, this.watches, config.live, (channel, message) => this.pubsub.publish(channel, message), this.blocking);
    this.commandTable = commandTable ?? new CommandTable(COMMAND_FAMILIES, config.renamedCommands);
    this.commands = this.commandTable.commands;
    const table = this.commandTable;
    this.acl = new Acl(commandSetOf(table.original, (argv) => table.lookup(argv), () => config.str('acl-pubsub-default') === 'allchannels', (message) => log.warning(message)), {
      config,
      warning: (message) => log.warning(message),
      notice: (message) => log.notice(message),
      clients: () => this.clients.all(),
    });
    config.userLines = () => this.acl.configUserLines();
    this.memoryGuard.onRefusing = () => this.nodeAlerts.raise();
    config.onAnyChange(() => this.nodeAlerts.raise());
    this.clientPause = new ClientPause((client) => this.resumePaused(client), this.nodeAlerts);
    this.clients = new ClientRegistry(this.clientPause);
    this.tracking = new Tracking({
      clientById: (id) => this.clients.byIdMap.get(id),
      clients: () => this.clients.all(),
      maxKeys: () => config.num('tracking-table-max-keys'),
      inCommand: () => this.dispatcher.depth > 0,
    });
    this.events.invalidation = this.tracking;
    // The scripting engine is built below; its EVAL cache is read only when memory is sampled.
    const scripting = (): ScriptingEngine => this.scripting;
    this.evictor = new Evictor({
      dbs: this.keyspace.dbs,
      access: this.keyspace.access,
      live: config.live,
      usedBytes: () => this.usedMemory.totalBytes(),
      // Replicas' output is not judged against maxmemory (the AOF's buffer is not in used_memory).
      notCountedBytes: () => this.usedMemory.replicaClientsBytes,
      // A replica with replica-ignore-maxmemory leaves memory to its primary's evictions (DELs).
      // A dataset being loaded (start-up, a replica's sync) is loaded whole, over the limit too:
      // evicting or refusing its commands would lose acknowledged writes (Redis's
      // isSafeToPerformEvictions).
      safeToEvict: () => this.scripting.timedOutRun === null && !this.clientPause.inEffect() &&
        !this.persistence.loadingDataset &&
        !(this.replication.primaryAddress !== null && this.live.replicaIgnoreMaxmemory),
      keyEvicting: (db, key) => {
        // lazyfree-lazy-eviction: a big value counts as freed in the background (lazyfreed_objects).
        if (!this.live.lazyfreeLazyEviction) return;
        const value = db.peek(key);
        if (value !== undefined && freedInBackground(value)) this.stats.lazyfreedObjects++;
      },
      keyEvicted: (db, key) => this.onKeyEvicted(db, key),
      backgroundCycleDone: () => this.pendingWrites.flush(),
    });
    const mayReplicate = (command: Command, argv: readonly string[]): boolean =>
      command.runtimeFlags === null ? command.mayReplicate : (command.runtimeFlags(this, argv)?.mayReplicate ?? command.mayReplicate);
    const deniesOom = (command: Command, argv: readonly string[]): boolean =>
      command.runtimeFlags === null ? command.denyOom : (command.runtimeFlags(this, argv)?.denyOom ?? command.denyOom);
    const writes = (command: Command, argv: readonly string[]): boolean =>
      command.runtimeFlags === null ? command.isWrite : (command.runtimeFlags(this, argv)?.write ?? command.isWrite);
    const allowsStale = (command: Command, argv: readonly string[]): boolean =>
      command.runtimeFlags === null ? command.allowStale : (command.runtimeFlags(this, argv)?.allowStale ?? command.allowStale);
    this.usedMemory = new UsedMemory(this.keyspace, () => this.clients.all(), () => this.clients.size, { get cachedScriptBytes() { return scripting().cachedScriptBytes; } });
    this.clientEviction = new ClientEviction(config.live, this.usedMemory, {
      clients: () => this.clients.all(),
      evict: (client) => {
        this.log.notice(`Evicting client: ${client.infoLine(null)}`);
        client.close('client eviction');
      },
      logWarning: (message) => this.log.warning(message),
    });
    this.memoryLimit = new MemoryLimit(config.live, this.evictor, this.memoryGuard, deniesOom, this.clientEviction);
    this.persistence = new Persistence(this);
    this.replication = new Replication(this);
    this.oomScore = new OomScore(config, this.log, () => this.replicaSide.following);
    const oomScoreFailure = (): string | null => (this.oomScore.apply() ? null : 'Failed to set current oom_score_adj. Check server logs.');
    config.setApplier('oom-score-adj', oomScoreFailure);
    config.setApplier('oom-score-adj-values', oomScoreFailure);
    setBackgroundChildHook((pid) => this.oomScore.applyToChild(pid));
    this.replicaSide = this.createReplicaSide();
    this.replication.replicaSide = this.replicaSide;
    this.keyspace.replicationPosition = () => this.replicaSide.savePosition();
    this.keyspaceHooks.replicaKeyWithExpire = (db, key) => this.replicaSide.ownKeys.remember(db, key);
    config.onChange('replica-read-only', () => {
      this.keyspaceHooks.replicaWritable = this.keyspaceHooks.followsPrimary === true && !config.bool('replica-read-only');
    });
    this.dispatcher = new Dispatcher(this.commandTable, this, [
      protectedCommandCheck((client) => this.debugAllowed(client)),
      authCheck(this.acl),
      aclCheck(this.acl),
      memoryCheck(this.memoryLimit),
      diskErrorCheck(this.diskErrors(), writes),
      minReplicasCheck(this.replication.primary, writes),
      readOnlyReplicaCheck(this.replicaSide, writes),
      loadingCheck(this.persistence),
      noMultiCheck,
      pubsubContextCheck,
      staleDataCheck(this.replicaSide, allowsStale),
      busyScriptCheck(() => this.scripting.busyRefusal()),
      replicaKeyspaceCheck,
      pauseCheck(this.clientPause, mayReplicate),
      multiQueueCheck(mayReplicate),
    ], this.nodeAlerts);
    this.live = config.live;
    this.scripting = new ScriptingEngine({
      busyStarted: () => this.nodeAlerts.raise(),
      createScriptClient: () => this.createClient(new DiscardingConnection()),
      lookupCommand: (argv) => this.commandTable.lookup(argv),
      aclRefusal: (caller, command, argv) => this.acl.scriptRefusal(caller.client, command, argv),
      aclAllows: (caller, command, argv) => this.acl.allows(caller.client, command, argv),
      actAsCaller: (scriptClient, caller) => { scriptClient.user = this.acl.userOf(caller.client); },
      countErrorReply: (text) => {
        this.countErrorReply(text);
        this.dispatcher.errorsCharged();
      },
      clusterRefusal: (run, command, argv) => (this.cluster === null ? null : scriptClusterRefusal(this.clusterRouting as RoutingContext, run, command, argv, (line) => this.commandTable.lookup(line))),
      clusterEnabled: () => this.cluster !== null,
      oomRefusal: () => this.memoryLimit.scriptRefusal(),
      diskErrorRefusal: () => this.persistence.diskErrorRefusal,
      noReplicasRefusal: () => this.replication.primary.writeRefusal,
      replicaGate: () => this.replicaSide,
      memoryExhausted: () => {
        this.memoryGuard.sample();
        return this.memoryGuard.refusal !== null;
      },
      busyReplyThresholdMs: () => config.num('busy-reply-threshold'),
      canYield: (ctx) => this.canContinueLater(ctx),
      beginYielding: (ctx) => this.continueLater(ctx),
      log: (level, message) => log[SCRIPT_LOG_LEVELS[level]](message),
      logWarning: (message) => log.warning(message),
      functions: this.keyspace.functions,
      rdbCompression: () => config.bool('rdbcompression'),
      // EVAL and FCALL skip the monitor feed after the call: they show before their commands.
      feedMonitors: (ctx, argv) => {
        if (this.clients.monitors.size > 0) this.feedMonitors(ctx.client, argv);
      },
      startDebugging: (ctx, side) => this.startDebugging(ctx, side),
      endDebugging: (ctx) => this.endDebugging(ctx),
      forkDebugSession: (ctx, argv) => this.forkDebugSession(ctx, argv),
    });
    config.onChange('maxmemory', (v) => this.maxmemoryChanged(Number(v)));
    config.onApplyFailure = (name) => {
      log.warning(`Failed applying new configuration. Possibly related to new ${name} setting. Restoring previous settings.`);
    };
    this.listeners = new Listeners(config, log, (socket, unixSocketPath) => this.accept(socket, unixSocketPath));
    this.rates = new InstantaneousRates(this.stats);
    this.slowlog = new SlowLog(() => config.num('slowlog-max-len'));
    this.latency = new LatencyMonitor(() => config.num('latency-monitor-threshold'));
    this.outputLimits = new OutputLimits(config);
    config.onChange('proto-max-bulk-len', (v) => {
      for (const c of this.clients.all()) {
        if (c.connection instanceof SocketConnection) c.connection.parserLimits.maxBulkLenBytes = Number(v);
      }
    });
    config.onChange('hz', () => this.startCron());
    config.onChange('slowlog-max-len', () => this.slowlog.trim());
    config.onChange('loglevel', (v) => log.setLevel(v as 'debug' | 'verbose' | 'notice' | 'warning'));
    // The eviction policy's family decides how accesses are recorded: LRU clock or LFU counter.
    const syncAccessPolicy = (): void => {
      const access = this.keyspace.access;
      access.lfu = config.str('maxmemory-policy').endsWith('-lfu');
      access.lfuLogFactor = config.num('lfu-log-factor');
      access.lfuDecayTimeMin = config.num('lfu-decay-time');
    };
    syncAccessPolicy();
    for (const name of ['maxmemory-policy', 'lfu-log-factor', 'lfu-decay-time'] as const) config.onChange(name, syncAccessPolicy);
    this.aof = this.createAof();
    this.migrate = new MigrateSocketCache((message) => log.warning(message));
    this.closed = new Promise((resolve) => { this.resolveClosed = resolve; });
  }

  /** writeCommandsDeniedByDiskError: a failed RDB save first, then a failing AOF. */
  private diskErrors(): { readonly diskErrorRefusal: string | null } {
    const server = this as Server;
    return {
      get diskErrorRefusal(): string | null {
        return server.persistence.diskErrorRefusal ?? server.aof.diskErrorRefusal;
      },
    };
  }

  /** The replica side's view of the node: the primary's client, the dataset a full sync replaces. */
  private createReplicaSide(): ReplicaSide {
    const server = this as Server;
    const hooks = this.keyspaceHooks;
    const emptyData = (): void => {
      this.events.signalFlushedDb(-1);
      for (const db of this.keyspace.dbs) db.flush();
      this.keyspace.functions.clear();
    };
    return new ReplicaSide({
      config: this.config,
      nodeAlerts: this.nodeAlerts,
      log: this.log,
      replication: this.replication,
      resetSelectedDb: () => this.propagator.resetSelectedDb(),
      listeningPort: () => this.port,
      createPrimaryClient: (connection) => {
        const client = this.createClient(connection);
        // Redis's master client: authenticated by construction, obeyed (no loading, disk-error
        // or read-only refusals), listed among the clients.
        client.authenticated = true;
        client.user = this.acl.superuser;
        client.replaysData = true;
        client.isPrimaryLink = true;
        this.clients.add(client);
        return client;
      },
      applyBatch: (client, apply) => {
        const before = hooks.loading;
        hooks.loading = true;
        this.dispatcher.beginBatch();
        try {
          apply();
        } finally {
          this.dispatcher.endBatch();
          hooks.loading = before;
        }
        this.flushClient(client);
      },
      runRequest: (client, argv, bigArgs) => { this.runParsedRequest(client, argv, bigArgs); },
      setLoading: (state) => { this.persistence.loading = state; },
      get bgsaveInProgress() { return server.persistence.bgsaveInProgress; },
      get loadingDataset() { return server.persistence.loading !== null; },
      noteReplicationInput: (byteCount) => { this.stats.totalNetReplInputBytes += byteCount; },
      abortBackgroundSave: () => this.persistence.abortBackgroundSave(),
      emptyData,
      newTempDbs: () => this.keyspace.dbs.map((db) => new Db(db.id, hooks, this.keyspace.stats, this.keyspace.access)),
      datasetReplaced: () => this.events.signalFlushedDb(-1),
      dbs: this.keyspace.dbs,
      restoreLibrary: (code) => this.scripting.functions.restoreLibrary(code, false),
      clearFunctions: () => this.keyspace.functions.clear(),
      noteLoaded: (keysLoaded, keysExpired) => this.persistence.noteLoaded(keysLoaded, keysExpired),
      markDirty: () => { this.dirty++; },
      disconnectBlockedClients: () => {
        for (const client of [...this.clients.all()]) {
          if (!client.blockedOnKeys) continue;
          this.blocking.unblockClient(client, true, 'UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)');
          client.closeAfterReply = true;
        }
      },
      countUnexpectedErrorReply: () => { this.stats.unexpectedErrorReplies++; },
      followsPrimary: (follows) => {
        hooks.followsPrimary = follows;
        hooks.replicaWritable = follows && !this.config.bool('replica-read-only');
        // The role's class of oom-score-adj-values (Redis's replicationSetMaster/UnsetMaster).
        this.oomScore.apply();
      },
      selectedStreamDb: () => this.propagator.selectedDb,
      scriptBusy: () => this.scripting.timedOutRun !== null,
      stopAof: () => this.aof.stopForSync(),
      restartAof: () => this.aof.restartAfterSync(),
      exitProcess: (code) => process.exit(code),
    });
  }

  /** The AOF's view of the node: replay through a socket-free client, RDB bases, the dataset. */
  private createAof(): AofService {
    return new AofService({
      config: this.config,
      log: this.log,
      propagator: this.propagator,
      keyspace: this.keyspace,
      latencySample: (event, ms) => this.latency.addSampleIfNeeded(event, ms),
      nodeAlerts: this.nodeAlerts,
      newReplayClient: (mayWait) => {
        const client = this.createClient(new DiscardingConnection());
        // Redis's AOF client: authenticated by construction, never blocked.
        client.authenticated = true;
        client.user = this.acl.superuser;
        client.denyBlocking = true;
        client.replaysData = true;
        return {
          knows: (argv) => this.commandTable.lookup(argv) !== undefined,
          run: (argv) => {
            // A script it runs may go on in turns when it is the replayed command itself.
            if (mayWait) this.waitingReplay = { client, depth: this.dispatcher.depth + 1, ended: null };
            this.runCommand(client, argv);
            const replay = this.waitingReplay;
            if (replay === null || replay.client !== client || !client.commandInProgress) return null;
            return new Promise<void>((resolve) => { replay.ended = resolve; });
          },
          get inMulti() { return client.inMulti; },
          close: () => {
            if (this.waitingReplay?.client === client) this.waitingReplay = null;
            client.close('AOF loaded');
          },
        };
      },
      loadRdb: (image) => {
        const loaded = loadImage(image, {
          dbs: this.keyspace.dbs, settings: this.config, dropExpired: false, replaceExisting: false,
          verifyChecksum: this.config.bool('rdbchecksum'), keepUnsanitized: this.config.str('sanitize-dump-payload') !== 'yes', tracking: accessTrackingOf(this.config), nowMs: Date.now(),
        });
        for (const code of loaded.functionCodes) {
          const error = this.scripting.functions.restoreLibrary(code, false);
          if (error !== null) throw new Error(`Failed creating function, ${error}`);
        }
        return loaded.endOffset;
      },
      setLoading: (loading) => {
        this.keyspaceHooks.loading = loading;
        this.propagator.suspended = loading;
      },
      setLoadingState: (state) => { this.persistence.loading = state; },
      emptyData: () => {
        this.events.signalFlushedDb(-1);
        for (const db of this.keyspace.dbs) db.flush();
        this.keyspace.functions.clear();
      },
      forkStats: this.persistence.forkStats,
      otherBackgroundJobActive: () => this.persistence.bgsaveInProgress,
      inTransaction: () => this.dispatcher.depth > 1,
      exit: (code) => process.exit(code),
    });
  }

  authRequired(): boolean {
    return this.acl.defaultRequiresAuth;
  }

  get defaultUser(): AclUser {
    return this.acl.defaultUser;
  }

  debugAllowed(client: Client): boolean {
    const mode = this.live.enableDebugCommand;
    if (mode === 'yes') return true;
    if (mode === 'local') return client.isLocal;
    return false;
  }

  lookupCommand(argv: readonly string[]): Command | undefined {
    return this.commandTable.lookup(argv);
  }

  // ---------------------------------------------------------------- listening

  /** Listens on the configured addresses and starts the cron; resolves to the bound port. */
  async listen(): Promise<number> {
    const port = await this.listeners.listen();
    this.startCron();
    return port;
  }

  /** The TCP port listened on (INFO tcp_port). */
  get port(): number {
    return this.listeners.port;
  }

  /** A new connection becomes a Client; null when refused over maxclients or by protected mode (with Redis's error). */
  accept(socket: Socket, unixSocketPath: string | null = null): Client | null {
    if (this.clients.size >= this.live.maxclients) {
      socket.end('-ERR max number of clients reached\r\n');
      this.stats.rejectedConnections++;
      return null;
    }
    // A forked debugging session's client was accepted by the server it comes from.
    if (!this.debugChild && this.live.protectedMode && this.acl.defaultUser.nopass && unixSocketPath === null && !isLocalPeer(socket.remoteAddress)) {
      socket.end(PROTECTED_MODE_ERROR);
      this.stats.rejectedConnections++;
      return null;
    }
    const connection = new SocketConnection(socket, this.live.protoMaxBulkLenBytes, this.aof.replyGate, unixSocketPath);
    const keepAliveSec = this.live.tcpKeepaliveSec;
    if (keepAliveSec > 0) connection.setKeepAlive(keepAliveSec * 1000);
    const client = this.createClient(connection);
    this.clients.add(client);
    this.stats.totalConnectionsReceived++;
    connection.start({
      onRequestBytes: (byteCount) => this.onRequestBytes(client, connection, byteCount),
      onError: (err) => this.log.verbose(`Error reading from client: ${err.message}`),
      onClosed: () => client.connectionLost(),
    });
    return client;
  }

  /**
   * A client of this node over `connection`: a socket (accept() lists it among the clients), or
   * a socket-free connection for commands that come from no network peer (scripts, the AOF
   * loader, a replica's primary link, tests), which like Redis's fake clients is not listed.
   */
  createClient(connection: Connection): Client {
    return new Client(this.nextClientId++, connection, this);
  }

  // ------------------------------------------------------------ request loop

  private onRequestBytes(client: Client, connection: SocketConnection, byteCount: number): void {
    if (client.closed) return;
    client.totalBytesIn += byteCount;
    this.stats.totalNetInputBytes += byteCount;
    this.stats.totalReadsProcessed++;
    this.memoryGuard.noteIncomingBytes(byteCount);
    // Redis stamps a read with its cached clock (server.unixtime, refreshed by each command and
    // the cron): a clock read per read costs ~160 ns on virtual machines without a vDSO clock.
    client.lastInteractionMs = nowMs();
    const parser = connection.parser;
    if (parser.pendingBytes > this.live.clientQueryBufferLimitBytes) {
      this.log.warning(`Closing client that reached max query buffer length: ${this.clientDescription(client)} (qbuf initial bytes: ${quoteRepr(parser.peekPending(64))})`);
      this.stats.clientQueryBufferLimitDisconnections++;
      parser.reset();
      client.close('query buffer limit');
      return;
    }
    if (client.debugger !== null) {
      // A debugging session reads this client's bytes as debugger commands (ldbRepl).
      client.debugger.feed(parser.takePendingLatin1());
      return;
    }
    try {
      this.processInput(client, connection);
    } catch (err) {
      // Command errors are contained in call(); reaching here means a fault in request handling
      // itself. Drop this connection, keep serving everyone else, and log it loudly.
      this.log.warning(`Closing client after an internal error: ${this.clientDescription(client)}: ${(err as Error).stack ?? String(err)}`);
      client.close('internal error');
    }
    // Redis judges maxmemory-clients after each client's read (beforeNextClient): a client
    // filling its query buffer with an incomplete request is evicted then, not at the next cron.
    if (this.live.maxmemoryClients !== 0 && !client.closed) this.clientEviction.afterRead(client);
  }

  /**
   * Runs every complete request buffered for the client; the replies leave at the end of the
   * turn with every other client's (PendingWrites).
   */
  private processInput(client: Client, connection: SocketConnection): void {
    if (client.pausedArgv !== null || client.blockedOnKeys || client.commandInProgress) return;
    const dispatcher = this.dispatcher;
    dispatcher.beginBatch();
    try {
      const parser = connection.parser;
      for (;;) {
        if (client.closed || client.closeAfterReply) break;
        const argv = parser.next();
        if (argv === null) break;
        if (argv instanceof ProtocolError) {
          this.protocolError(client, connection, argv);
          break;
        }
        const outcome = this.runParsedRequest(client, argv, parser.takeBigArgs());
        // A blocked client reads nothing more until released (its input waits in the parser).
        if (outcome === 'postponed' || client.blockedOnKeys || client.commandInProgress) break;
        // A long pipeline of big replies goes out in slices, so the reply buffer stays bounded
        // and the output limit is judged while the batch runs, not after it.
        if (client.reply.lengthBytes >= MAX_REPLY_BATCH_BYTES) this.flushClient(client);
      }
    } finally {
      dispatcher.endBatch();
    }
    this.pendingWrites.add(client);
  }

  /** A request as the parser gave it: its big arguments (takeBigArgs) admitted, then run. */
  runParsedRequest(client: Client, argv: string[], bigArgs: Array<Buffer | undefined> | null): 'done' | 'postponed' {
    if (bigArgs === null) return this.runRequest(client, argv);
    this.admitBigArgs(client, argv, bigArgs);
    try {
      return this.runRequest(client, argv);
    } finally {
      client.bigArgs = null;
    }
  }

  /**
   * A request's big arguments stay Buffers only when its command stores them as they are and it
   * runs right now (no MULTI queue or pause, which keep the request) with no MONITOR, which needs
   * the strings; otherwise their strings are made here. The replication and AOF stream take the
   * Buffers as they are (the dispatcher puts them back in the propagated argv).
   */
  private admitBigArgs(client: Client, argv: string[], bigArgs: Array<Buffer | undefined>): void {
    if (bigArgs[0] === undefined && !client.inMulti && this.clientPause.untilMs === 0 &&
        this.clients.monitors.size === 0) {
      const command = this.commandTable.lookup(argv);
      if (command !== undefined && command.takesBigArgs) {
        client.bigArgs = bigArgs;
        return;
      }
    }
    materializeBigArgs(argv, bigArgs);
  }

  /**
   * Runs one request for a client, with CLIENT REPLY's muting around it. A socket-free client
   * runs its commands through here too (see runCommand).
   */
  runRequest(client: Client, argv: string[]): 'done' | 'postponed' {
    // CLIENT REPLY: OFF mutes every reply, SKIP mutes the reply of the command after it. The
    // usual case (replies on, nothing to skip, unchanged by the command) touches no flag.
    const repliesOn = client.replyMode === 'on' && !client.skipNextReply;
    if (!repliesOn) client.reply.muted = client.replyMode === 'off' || client.skipNextReply;
    const tracking = this.tracking;
    const previousClient = tracking.current;
    tracking.current = client;
    if (tracking.clientCount !== 0) tracking.enforceLimit();
    const outcome = this.dispatcher.execute(client, argv);
    if (tracking.used) tracking.afterCommand(client);
    tracking.current = previousClient;
    // Keys the command made ready serve their blocked clients once it has ended (after EXEC,
    // not inside it), as Redis's processCommand calls handleClientsBlockedOnKeys.
    // While a busy script yields, the keys it touched wait for it to end (handleReadyKeys knows).
    if (this.blocking.hasReadyKeys) this.blocking.handleReadyKeys();
    if (repliesOn && client.replyMode === 'on' && outcome === 'done') return 'done';
    if (outcome === 'postponed') {
      client.pausedArgv = argv;
      this.clientPause.hold(client);
      client.connection.pauseReading();
      return 'postponed';
    }
    client.skipNextReply = false;
    if (client.replyMode === 'skip') {
      client.skipNextReply = true;
      client.replyMode = 'on';
    }
    client.reply.muted = client.replyMode === 'off';
    return 'done';
  }

  /**
   * Runs one command for a socket-free client and hands its reply to the client's connection:
   * the same path as a network request (checks, MULTI queueing, call(), propagation).
   */
  runCommand(client: Client, argv: string[]): void {
    this.runAlone(client, argv);
    this.flushClient(client);
  }

  /** One request outside a read batch (its own clock reads). */
  private runAlone(client: Client, argv: string[]): 'done' | 'postponed' {
    this.dispatcher.beginBatch();
    try {
      return this.runRequest(client, argv);
    } finally {
      this.dispatcher.endBatch();
    }
  }

  /**
   * PrimaryHost: the turn's stream starts. The end-of-turn writes run this turn, with or without
   * client output; the clients pending by now, and the client whose command started the stream
   * (added next), get their replies after it (see writePending).
   */
  streamStarted(): void {
    this.clientsBeforeStream = this.pendingWrites.size;
    this.pendingWrites.requestFlush();
  }

  /** Writes the client's replies; a normal client over its output limit is closed (as Redis). */
  private flushClient(client: Client, beforeStream = false): void {
    if (client.replicaLink !== null && client.reply.lengthBytes > 0) {
      // A reply would land in the middle of the replica's stream.
      this.replication.primary.replicaReplied(client, client.reply.take());
      return;
    }
    const streamFlush = this.replication.primary.streamFlush;
    if (!beforeStream && streamFlush.pending && client.connection instanceof SocketConnection) {
      // A reply flushed while the turn's stream waits joins the end-of-turn writes, which order
      // it around the stream as Redis does (see writePending). A big reply does not wait in the
      // client's buffer: the stream leaves now instead.
      if (client.reply.lengthBytes < MAX_REPLY_BATCH_BYTES) {
        this.pendingWrites.add(client);
        return;
      }
      streamFlush.flush();
    }
    // Redis checks the limits as replies are added, before any is written: a reply that alone
    // passes the hard limit closes the client with nothing sent, however fast it reads.
    if (client.reply.lengthBytes >= this.outputLimits.smallestLimitBytes && this.enforceOutputLimit(client)) return;
    client.flush();
    if (!client.closed && client.connection.pendingOutputBytes >= this.outputLimits.smallestLimitBytes) {
      this.enforceOutputLimit(client);
    }
  }

  private protocolError(client: Client, connection: SocketConnection, err: ProtocolError): void {
    client.reply.error('ERR ' + err.message);
    if (this.log.isEnabled('verbose')) {
      this.log.verbose(`Protocol error (${err.logReason}) from client: ${this.clientDescription(client)}`);
    }
    connection.parser.reset();
    client.closeAfterReply = true;
  }

  /** ClientHost: out-of-band output was queued for `client` (pub/sub, MONITOR). */
  pushed(client: Client): void {
    this.pendingWrites.add(client);
    this.enforceOutputLimit(client);
    // Redis updates the receiver's memory usage as it sends (tracking redirection, pub/sub):
    // the next command's client-eviction check must see it.
    if (this.live.maxmemoryClients !== 0 && !client.closed) this.clientEviction.noteGrowth(client);
  }

  /** Closes a client whose output passed the hard limit, or the soft limit for too long. */
  enforceOutputLimit(client: Client): boolean {
    if (!this.outputLimits.exceeded(client)) return false;
    this.log.warning(`Client ${this.clientDescription(client)} scheduled to be closed ASAP for overcoming of output buffer limits.`);
    this.stats.clientOutputBufferLimitDisconnections++;
    client.reply.take();
    client.close('output buffer limit');
    return true;
  }

  clientDescription(client: Client): string {
    return `id=${client.id} addr=${client.remoteAddress} laddr=${client.localAddress} name=${client.name} db=${client.dbIndex}`;
  }

  /**
   * ScriptingHost: a SCRIPT DEBUG session starts for the caller's EVAL. Its replies so far go out
   * first, so the session's writes, which bypass the reply buffer as Redis's do, follow them.
   */
  private startDebugging(ctx: CommandContext, side: DebuggerClientSide): DebuggerOutput {
    const client = this.clients.byIdMap.get(ctx.client.id);
    if (client === undefined) throw new Error('a debugging session for a client without a connection');
    if (!this.debugChild) this.log.warning('Redis synchronous debugging eval session started');
    this.flushClient(client);
    client.debugger = side;
    // As Redis serves nobody while it waits on the debugging client, every other command waits.
    this.clientPause.pause(Number.MAX_SAFE_INTEGER, false, 'debugger');
    return {
      write: (latin1) => {
        if (client.closed) return;
        const bytes = Buffer.from(latin1, 'latin1');
        client.totalBytesOut += bytes.length;
        this.stats.totalNetOutputBytes += bytes.length;
        client.connection.write(bytes);
      },
    };
  }

  /** ScriptingHost: the session ended; its client is closed once the EVAL's reply is out. */
  private endDebugging(ctx: CommandContext): void {
    if (!this.debugChild) this.log.warning('Redis synchronous debugging eval session ended');
    ctx.client.scriptDebugMode = 'no';
    ctx.client.closeAfterReply = true;
    const client = this.clients.byIdMap.get(ctx.client.id);
    if (client !== undefined) client.debugger = null;
    this.clientPause.unpause('debugger');
  }

  /**
   * ScriptingHost: SCRIPT DEBUG YES. Redis forks; here a child process (debug-fork.ts) gets the
   * configuration, the dataset as it is now, and, once it has loaded them, the client's socket.
   * The EVAL waits for that (its client reads nothing meanwhile), then the client is gone from
   * this server, as Redis's parent frees it. Inside MULTI/EXEC it cannot wait: refused there.
   */
  private forkDebugSession(ctx: CommandContext, argv: readonly string[]): void {
    const refuse = (reason: string): void => ctx.reply.error(`ERR Fork() failed: can't run EVAL in debugging mode: ${reason}`);
    const client = this.clients.byIdMap.get(ctx.client.id);
    const connection = client?.connection;
    if (client === undefined || !(connection instanceof SocketConnection) || !this.canContinueLater(ctx)) {
      refuse('Operation not supported');
      return;
    }
    const setup: DebugChildSetup = {
      kind: 'setup',
      // What CONFIG REWRITE would write, but not the primary to follow: the child follows nobody.
      configText: rewriteConfigText(this.config, '/dev/null', true).split('\n').filter((line) => !/^(replicaof|slaveof) /.test(line)).join('\n'),
      argv,
      dbIndex: ctx.client.dbIndex,
      resp: ctx.client.reply.resp,
      userName: ctx.client.user.name,
      clientName: ctx.client.name,
    };
    const forkStats = this.persistence.forkStats;
    const startedAtMs = performance.now();
    let started: ReturnType<DebugForks['start']>;
    try {
      started = this.debugForks.start(setup, this.persistence.imageNow());
    } catch (err) {
      refuse(describeSystemError(err));
      return;
    }
    forkStats.totalForks++;
    forkStats.latestForkMicros = Math.round((performance.now() - startedAtMs) * 1000);
    const finish = this.continueLater(ctx);
    let input = '';
    client.debugger = { feed: (bytes) => { input += bytes; }, clientClosed: () => started.child.kill('SIGKILL') };
    connection.pauseReading();
    started.ready.then(() => {
      client.debugger = null;
      if (client.closed) {
        started.child.kill('SIGKILL');
      } else {
        this.debugForks.handOver(started.child, connection.socketForHandOver(), input + connection.parser.takePendingLatin1());
        // The socket went with it: closing the client here sends nothing to the peer.
        client.close('handed over to a forked debugging session');
      }
      finish(false);
    }, (err: unknown) => {
      client.debugger = null;
      refuse(describeSystemError(err));
      connection.resumeReading();
      finish(true);
    });
  }

  /**
   * In a forked debugging session's process (debug-child.ts): the client's socket arrived; it
   * becomes this server's client with its state in the server it left, and its EVAL runs
   * debugged (SYNC mode here, as in Redis's child). `input` is what it sent after the EVAL.
   */
  adoptForkedDebugClient(socket: Socket, setup: DebugChildSetup, input: string): SocketConnection {
    this.debugChild = true;
    const client = this.accept(socket);
    if (client === null || !(client.connection instanceof SocketConnection)) throw new Error('the debugging client was refused');
    client.selectDb(setup.dbIndex);
    client.setProtocol(setup.resp);
    client.name = setup.clientName;
    client.user = this.acl.getUser(setup.userName) ?? client.user;
    client.authenticated = true;
    client.connection.setAuthenticated(true);
    client.scriptDebugMode = 'sync';
    this.runParsedRequest(client, [...setup.argv], null);
    if (input !== '') client.debugger?.feed(input);
    this.flushClient(client);
    return client.connection;
  }

  /** ClientHost: the client left; forget it everywhere. */
  clientClosed(client: Client, _reason: string): void {
    const debuggerSide = client.debugger;
    // The debugged script goes on without stops; not from inside whatever closed the client.
    if (debuggerSide !== null) setImmediate(() => debuggerSide.clientClosed());
    this.clients.remove(client);
    if (client.tracking !== null) this.tracking.disable(client);
    this.pubsub.removeClient(client);
    this.watches.unwatchAll(client);
    this.clientPause.forget(client);
    this.blocking.forget(client);
    this.replication.primary.clientClosed(client);
    this.usedMemory.clientGone(client);
  }

  /** The engine's client of a command's context (replication's commands reach the socket). */
  clientById(id: number): Client | undefined {
    return this.clients.byIdMap.get(id);
  }

  /** ReplicationHost: writes wait while a FAILOVER runs (PAUSE_DURING_FAILOVER). */
  pauseWritesForFailover(paused: boolean): void {
    if (paused) this.clientPause.pause(Number.MAX_SAFE_INTEGER, true, 'failover');
    else this.clientPause.unpause('failover');
  }

  /** DispatcherHost: master_repl_offset (a client's WAIT offset). */
  get replicationOffset(): number {
    return this.replication.masterReplOffset;
  }

  /** ClientHost: RESET leaves pub/sub and MONITOR (WATCH is dropped with the transaction). */
  resetClient(client: Client): void {
    if (client.tracking !== null) this.tracking.disable(client);
    this.pubsub.removeClient(client);
    if (client.isMonitor) this.clients.removeMonitor(client);
  }

  /** ClientHost: EXEC's queued commands, and later scripts, run through the engine's call(). */
  call(client: Client, command: Command, argv: string[]): void {
    this.dispatcher.call(client, command, argv);
  }

  propagate(dbIndex: number, argv: string[]): void {
    this.propagator.add(dbIndex, argv);
  }

  // ----------------------------------------------------- per-command hooks

  /** DispatcherHost: slowlog, latency and MONITOR after a command ran (Redis's call() epilogue). */
  afterCall(client: Client, command: Command, originalArgv: string[], durationMicros: number): void {
    if (command.isReadonly && this.tracking.clientCount !== 0) this.rememberTrackedKeys(client, command, originalArgv);
    let argv = originalArgv;
    if (client.redacted !== null) {
      argv = argv.slice();
      for (const i of client.redacted) if (i < argv.length) argv[i] = '(redacted)';
      client.redacted = null;
    }
    if (durationMicros >= 1000) {
      this.latency.addSampleIfNeeded(command.isFast ? 'fast-command' : 'command', Math.floor(durationMicros / 1000));
    }
    if (client.blockedOnKeys) {
      // Redis settles the latency histogram and the slowlog when the client is released.
      this.blocking.noteBlockingCall(client, argv, durationMicros);
      client.blockedArgv = argv;
    } else if (this.live.latencyTracking) {
      const stats = command.stats;
      stats.latencyHistogram ??= newLatencyHistogram();
      // Redis records whole microseconds, in nanoseconds.
      recordLatency(stats.latencyHistogram, durationMicros * 1000);
    }
    const slower = this.live.slowlogLogSlowerThanMicros;
    if (slower >= 0 && durationMicros >= slower && !command.skipSlowlog && !client.blockedOnKeys) {
      if (client.bigArgs !== null) {
        argv = argv.slice();
        materializeBigArgs(argv, client.bigArgs);
      }
      this.slowlog.push(argv, durationMicros, client.remoteAddress, client.name);
    }
    if (this.clients.monitors.size > 0 && !command.skipMonitor && !command.isAdmin) this.feedMonitors(client, argv);
  }

  /**
   * Client-side caching: a read-only command's keys are remembered for its client; a script's
   * reads count for its caller, with the keys of the caller's command (as Redis's call() does).
   * EVAL_RO and co are not reads themselves: the commands they run are.
   */
  private rememberTrackedKeys(client: Client, command: Command, argv: readonly string[]): void {
    if ((command.aclCategories & SCRIPTING_CATEGORY) !== 0) return;
    if (!client.isScript) {
      this.tracking.rememberKeys(client, command, argv);
      return;
    }
    const run = this.scripting.runningScript;
    const caller = run === null ? undefined : this.clients.byIdMap.get(run.caller.client.id);
    if (run !== null && caller !== undefined) this.tracking.rememberKeys(caller, run.caller.command, run.callerArgv);
  }

  private feedMonitors(client: ClientState, argv: readonly string[]): void {
    // Microsecond timestamp, as Redis prints it (wall clock via the cron-synced offset).
    const nowMicros = this.dispatcher.wallNowMicros();
    const seconds = Math.floor(nowMicros / 1e6);
    const origin = client.isScript ? 'lua' : client.remoteAddress;
    let line = `${seconds}.${String(nowMicros - seconds * 1e6).padStart(6, '0')} [${client.dbIndex} ${origin}]`;
    for (const a of argv) line += ' ' + quoteRepr(a);
    const frame = encodeStatus(line);
    for (const m of this.clients.monitors) m.push(frame);
  }

  countErrorReply(text: string): void {
    this.stats.totalErrorReplies++;
    const space = text.indexOf(' ');
    const code = space < 0 ? text : text.slice(0, space);
    const counts = this.stats.errorCounts;
    // Redis caps distinct error codes tracked (128) to bound memory; beyond, it stops tracking.
    if (!counts.has(code) && counts.size >= 128) return;
    counts.set(code, (counts.get(code) ?? 0) + 1);
  }

  logWarning(message: string): void {
    this.log.warning(message);
  }

  logVerbose(message: string): void {
    this.log.verbose(message);
  }

  // ------------------------------------------------------- keyspace events

  private onKeyExpired(db: Db, key: string): void {
    this.stats.expiredKeys++;
    this.propagator.add(db.id, ['DEL', key]);
    this.events.notify(NOTIFY_EXPIRED, 'expired', key, db.id);
    this.events.signalModifiedKey(db, key);
  }

  /** Redis's order: signal, "evicted" event, then the deletion propagated on its own. */
  private onKeyEvicted(db: Db, key: string): void {
    this.events.signalModifiedKey(db, key);
    this.events.notify(NOTIFY_EVICTED, 'evicted', key, db.id);
    this.propagator.add(db.id, [this.live.lazyfreeLazyEviction ? 'UNLINK' : 'DEL', key]);
  }

  /** CONFIG SET maxmemory (Redis's updateMaxmemory): warn when already over it, start evicting. */
  private maxmemoryChanged(limitBytes: number): void {
    if (limitBytes === 0) return;
    const used = this.usedMemory.totalBytes();
    if (limitBytes < used) {
      this.log.warning(`WARNING: the new maxmemory value set via CONFIG SET (${limitBytes}) is smaller than the current memory usage (${used}). This will result in key eviction and/or the inability to accept new write commands depending on the maxmemory-policy.`);
    }
    this.evictor.startBackground();
  }

  get monitorCount(): number {
    return this.clients.monitors.size;
  }

  get watchedKeyCount(): number {
    return this.watches.size;
  }

  // ---------------------------------------------------------- client pause

  /** Clients blocked on keys and clients held by CLIENT PAUSE (INFO blocked_clients). */
  get blockedClientCount(): number {
    return this.blocking.blockedCount + this.clientPause.heldCount;
  }

  // ------------------------------------------------------ blocked clients

  /** BlockingHost: a timed-out script yields to the event loop (blocked clients wait for its end). */
  scriptRunning(): boolean {
    return this.scripting.timedOutRun !== null;
  }

  /** BlockingHost: INFO total_error_replies so far. */
  errorReplyCount(): number {
    return this.stats.totalErrorReplies;
  }

  /** BlockingHost: Redis's updateStatsOnUnblock for a released client's command. */
  completedAfterBlock(ctx: CommandContext, blocked: BlockedClient, replyMicros: number, failed: boolean): void {
    const command = ctx.command;
    const stats = command.stats;
    const totalMicros = blocked.callMicros + replyMicros;
    stats.microseconds += totalMicros;
    if (failed) stats.failedCalls++;
    if (this.live.latencyTracking) {
      stats.latencyHistogram ??= newLatencyHistogram();
      recordLatency(stats.latencyHistogram, totalMicros * 1000);
    }
    const slower = this.live.slowlogLogSlowerThanMicros;
    if (slower >= 0 && totalMicros >= slower && !command.skipSlowlog) {
      this.slowlog.push(blocked.argv, totalMicros, ctx.client.remoteAddress, ctx.client.name);
    }
    this.latency.addSampleIfNeeded('command-unblocking', Math.floor(replyMicros / 1000));
  }

  /** BlockingHost: the served client is the current one for client-side caching. */
  serving(client: ClientState, ended: boolean): void {
    if (this.tracking.used) this.tracking.serve(client, ended);
  }

  /**
   * The AOF loader's client while its load runs in turns: a script it replays may go on past
   * busy-reply-threshold when called at `depth` (the replayed command itself, not inside its
   * EXEC); `ended` resolves the loader's wait for it.
   */
  private waitingReplay: { readonly client: Client; readonly depth: number; ended: (() => void) | null } | null = null;

  /**
   * AdminApi: only a command a network client sent as its own request (or the command the AOF
   * loader replays in turns) may go on after its handler: inside EXEC, a script, or for another
   * socket-free client, the commands around it cannot wait.
   */
  canContinueLater(ctx: CommandContext): boolean {
    const replay = this.waitingReplay;
    if (replay !== null && ctx.client === replay.client) return this.dispatcher.depth === replay.depth;
    return this.dispatcher.depth === 1 && this.clients.byIdMap.get(ctx.client.id) !== undefined;
  }

  /** AdminApi. */
  listenersMoving(): Promise<void> | null {
    return this.listeners.movingTo;
  }

  /** AdminApi: see CommandContext's continueLater in commands/context.ts. */
  continueLater(ctx: CommandContext): (failed: boolean) => void {
    const replay = this.waitingReplay;
    const client = replay !== null && ctx.client === replay.client ? replay.client : this.clients.byIdMap.get(ctx.client.id);
    if (client === undefined) throw new Error('continueLater for a client that cannot wait');
    client.commandInProgress = true;
    // The command's effects so far and to come leave as one unit when it ends.
    this.propagator.begin();
    return (failed) => {
      client.commandInProgress = false;
      this.dispatcher.completeInProgress(client, failed);
      this.propagator.end();
      if (this.blocking.hasReadyKeys) this.blocking.handleReadyKeys();
      if (!client.closed) client.resumeAfterBlock();
      if (replay !== null && replay.client === client && replay.ended !== null) {
        const ended = replay.ended;
        replay.ended = null;
        ended();
      }
    };
  }

  /** ClientHost: a client released from a block resumes after the current event. */
  resumeAfterBlock(client: Client): void {
    this.unblocked.push(client);
    if (this.unblockedScheduled) return;
    this.unblockedScheduled = true;
    setImmediate(() => {
      this.unblockedScheduled = false;
      const clients = this.unblocked;
      this.unblocked = [];
      for (const c of clients) {
        if (c.closed || c.blockedOnKeys || c.commandInProgress) continue;
        const connection = c.connection;
        if (connection instanceof SocketConnection) this.processInput(c, connection);
        else this.flushClient(c);
      }
      // Their replies leave now: added from this callback, they would wait for the next turn.
      this.pendingWrites.flush();
    });
  }

  /** Runs a held client's postponed request, then whatever it sent meanwhile. */
  private resumePaused(client: Client): void {
    const argv = client.pausedArgv;
    client.pausedArgv = null;
    if (client.closed || argv === null) return;
    client.connection.resumeReading();
    if (this.runAlone(client, argv) === 'postponed') return;
    const connection = client.connection;
    if (connection instanceof SocketConnection) this.processInput(client, connection);
    else this.flushClient(client);
  }

  // ------------------------------------------------------------------ cron

  private startCron(): void {
    if (this.cronTimer !== null) clearTimeout(this.cronTimer);
    this.cronTimer = null;
    this.scheduleCron();
  }

  /**
   * The next tick, 1000/hz ms after this one ended: Redis's serverCron is a time event
   * rescheduled from when it returns, so its period is the interval plus its own run (the
   * cluster's cron, called from it, depends on that drift: see ClusterService.cron). The tick
   * runs after the event loop's I/O phase, as Redis's time events run after its file events: a
   * node that got no CPU for a while first reads what waits in its sockets, then judges timeouts.
   */
  private scheduleCron(): void {
    const hz = this.cronHz();
    const timer = setTimeout(() => setImmediate(() => {
      // Stopped (shutdown) or restarted (CONFIG SET hz) meanwhile.
      if (this.cronTimer !== timer) return;
      this.cron(hz);
      if (this.cronTimer === timer) this.scheduleCron();
    }), Math.floor(1000 / hz));
    timer.unref();
    this.cronTimer = timer;
  }

  private cronHz(): number {
    return Math.min(500, Math.max(1, this.config.num('hz')));
  }

  /**
   * One cron tick now, once the data is loaded and before clients are served: Redis's serverCron
   * first runs as its event loop starts, so the once-a-second jobs count from then (the
   * replication cron's first loop, which pings replicas, passes before any replica can attach).
   */
  runFirstCron(): void {
    this.cron(this.cronHz());
  }

  private cron(hz: number): void {
    if (this.cronPaused || this.signalShutdownRunning) return;
    if (this.pendingShutdownSignal !== null) {
      this.shutdownForSignal(this.pendingShutdownSignal);
      if (this.cronTimer === null) return;
    }
    // While the dataset loads only signals are acted upon (Redis's whileBlockedCron).
    if (this.persistence.loading !== null) return;
    if (this.shutdownWait !== null) {
      this.checkShutdownWait(Date.now());
      if (this.cronTimer === null) return;
    }
    refreshAccessClock();
    this.dispatcher.wallOffsetMs = Date.now() - performance.now();
    setNowMs(Date.now());
    const expiredBefore = this.stats.expiredKeys;
    const cycleStart = performance.now();
    // Active expiry would propagate DELs: Redis skips it while clients are paused, and while a
    // busy script yields to the event loop (the script sees the dataset as it was).
    // A replica never expires keys itself: the primary's DELs do (Redis's databasesCron).
    if (!this.clientPause.inEffect() && this.scripting.timedOutRun === null) {
      if (this.replication.primaryAddress === null) this.keyspace.activeExpireCycle(hz);
      else this.replicaSide.ownKeys.run();
    }
    const cycleMs = performance.now() - cycleStart;
    this.expireCycleMicros += Math.round(cycleMs * 1000);
    this.latency.addSampleIfNeeded('expire-cycle', Math.floor(cycleMs));
    if (this.stats.expiredKeys !== expiredBefore) this.pendingWrites.flush();
    const now = Date.now();
    const timeoutSec = this.live.timeoutSec;
    for (const client of this.clients.all()) {
      if (timeoutSec > 0 && !client.isPubSub && !client.isMonitor && !client.isReplica && client.pausedArgv === null && !client.blockedOnKeys && !client.commandInProgress &&
          client.connection instanceof SocketConnection && now - client.lastInteractionMs > timeoutSec * 1000) {
        this.log.verbose('Closing idle client');
        client.close('idle timeout');
        continue;
      }
      if (client.softLimitSinceMs !== 0) this.enforceOutputLimit(client);
    }
    this.replyBufferResizing.tick(this.clients.all(), this.clients.size, hz, now);
    this.persistence.cron();
    this.migrate.closeIdle();
    this.replication.primary.cron(now);
    // run_with_period(100): the cluster's cron, from this one as Redis calls clusterCron, so an
    // idle node wakes once per tick, not once for each.
    const tickMs = Math.floor(1000 / hz);
    if (this.cluster !== null && (CLUSTER_CRON_PERIOD_MS <= tickMs || this.cronLoops % Math.floor(CLUSTER_CRON_PERIOD_MS / tickMs) === 0)) {
      this.cluster.cron();
    }
    this.rates.sample(now);
    if (this.tracking.clientCount !== 0) this.tracking.enforceLimit();
    this.memoryGuard.tick(this.activeSinceLastTick());
    const collectionsBefore = this.heapReclaim.collections;
    this.heapReclaim.check(this.keyspace.totalKeys(), this.stats.totalCommandsProcessed, now, this.memoryGuard.heapStatistics);
    // A collection just gave memory back: INFO's figures show it now, not a second later.
    if (this.heapReclaim.collections !== collectionsBefore) this.memoryGuard.sample();
    this.usedMemory.sample(now);
    if (this.live.maxmemoryClients !== 0) this.clientEviction.run();
    this.aof.cron();
    // Last: the jobs above may have turned conditions on or off.
    this.dispatcher.refreshQuiet();
    this.cronLoops++;
  }

  /** Commands ran or bytes moved (clients or replication) since the previous cron tick. */
  private activeSinceLastTick(): boolean {
    const st = this.stats;
    const mark = st.totalCommandsProcessed + st.totalNetInputBytes + st.totalNetOutputBytes + st.totalNetReplInputBytes + st.totalNetReplOutputBytes;
    if (mark === this.lastTickActivityMark) return false;
    this.lastTickActivityMark = mark;
    return true;
  }

  /**
   * PendingWrites: the turn's replies and pushed output leave, in Redis's order around the
   * replicas' stream. Redis's pending-write list takes each newcomer at its head, and a replica
   * joins it when the turn's first write is propagated: the clients that came after that write
   * are written first, then the replicas, then the writer and the clients before it. So the
   * client whose write started the stream gets its reply after the stream left, as in Redis.
   * Writing every reply after the stream cost a primary with one replica 0.5 us more CPU per
   * SET (-c 17, alternated runs): the woken replica takes the CPU while replies still wait.
   */
  private writePending(clients: readonly Client[]): void {
    const streamFlush = this.replication.primary.streamFlush;
    const afterStream = streamFlush.pending ? Math.min(this.clientsBeforeStream + 1, clients.length) : 0;
    let bigOutputLeft = false;
    for (let i = afterStream; i < clients.length; i++) {
      if (this.writePendingClient(clients[i], true)) bigOutputLeft = true;
    }
    if (streamFlush.pending) streamFlush.flush();
    for (let i = 0; i < afterStream; i++) {
      if (this.writePendingClient(clients[i], false)) bigOutputLeft = true;
    }
    // A memory sample taken this turn counted that output (invalidations of evicted keys to
    // tracking clients, say): judged by it, the next commands would evict again for memory
    // that is already free (Redis reads used_memory live).
    if (bigOutputLeft) this.usedMemory.clientsChanged();
  }

  /** One client's end-of-turn write; true when it held more than its reply buffer. */
  private writePendingClient(client: Client, beforeStream: boolean): boolean {
    if (client.closed) return false;
    // Output within the client's reply buffer moves no memory figure when it leaves.
    const big = client.reply.lengthBytes > client.reply.bufferBytes;
    this.flushClient(client, beforeStream);
    return big;
  }

  // -------------------------------------------------------------- INFO etc.

  /** Mean of the recent ops/sec samples (INFO instantaneous_ops_per_sec). */
  get instantaneousOpsPerSec(): number {
    return this.rates.opsPerSec;
  }

  /** Average bytes/s over the recent samples (INFO instantaneous_*_kbps). */
  instantaneousRates(): NetworkRates {
    return this.rates.bytesPerSec();
  }

  /** Updates and returns the peak memory seen (Redis also samples it in its cron). */
  notePeakMemory(usedBytes: number): number {
    if (usedBytes > this.peakMemoryBytes) this.peakMemoryBytes = usedBytes;
    return this.peakMemoryBytes;
  }

  memoryFigures(): MemoryFigures {
    const usedBytes = this.usedMemory.totalBytes();
    return { usedBytes, clientsBytes: this.usedMemory.normalClientsBytes, scriptsBytes: this.usedMemory.scriptCachesBytes };
  }

  /** CONFIG RESETSTAT: Redis's resetServerStats + command table + error table resets. */
  resetStats(): void {
    const st = this.stats;
    st.totalConnectionsReceived = 0;
    st.totalCommandsProcessed = 0;
    st.rejectedConnections = 0;
    st.expiredKeys = 0;
    st.totalNetInputBytes = 0;
    st.totalNetOutputBytes = 0;
    st.totalNetReplOutputBytes = 0;
    st.totalNetReplInputBytes = 0;
    st.totalReadsProcessed = 0;
    st.totalWritesProcessed = 0;
    st.lazyfreedObjects = 0;
    st.totalErrorReplies = 0;
    st.unexpectedErrorReplies = 0;
    st.errorCounts.clear();
    this.keyspace.resetStats();
    this.evictor.resetStats();
    this.replication.primary.resetStats();
    this.persistence.resetStats();
    this.clientEviction.evictedClients = 0;
    this.expireCycleMicros = 0;
    this.rates.reset(Date.now());
    for (const command of allCommands(this.commands)) {
      const cs = command.stats;
      cs.calls = 0;
      cs.microseconds = 0;
      cs.rejectedCalls = 0;
      cs.failedCalls = 0;
      cs.latencyHistogram = null;
    }
  }

  infoText(sections: readonly string[]): string {
    return buildInfo(this, sections);
  }

  /**
   * The process dies by `signal` after logging Redis's bug report (server/crash-report.ts):
   * SIGABRT from outside, or DEBUG SEGFAULT from `crashing` (which then also sent it).
   */
  crashBySignal(signal: ReportedSignal, crashing: { client: ClientState; argv: readonly string[] } | null = null): void {
    const source: CrashReportSource = {
      log: this.log,
      crashLogEnabled: () => this.config.bool('crash-log-enabled'),
      infoText: () => this.infoText(['all']),
      clientListText: () => {
        let text = '';
        for (const client of this.clients.all()) text += client.infoLine(crashing !== null && client === crashing.client ? crashing.argv : null) + '\n';
        return text;
      },
      configDebugText: () => configDebugText(this.config),
    };
    const sender = crashing === null ? null : { pid: process.pid, uid: process.getuid?.() ?? 0 };
    crashBySignal(source, signal, sender, crashing === null ? null : { infoLine: crashing.client.infoLine(crashing.argv), argv: crashing.argv });
  }

  /** A shutdown signal the cron has still to act on (Redis's shutdown_asap), or null. */
  private pendingShutdownSignal: 'SIGTERM' | 'SIGINT' | null = null;
  /** A signal's shutdown is writing its final save (the cron does nothing meanwhile). */
  private signalShutdownRunning = false;
  /** DEBUG PAUSE-CRON: the cron skips its work (a signal's shutdown waits too). */
  cronPaused = false;
  /** Hook for the process entry point: exit now with this status (a second SIGINT). */
  onForcedExit: ((status: number) => void) | null = null;

  /**
   * SIGTERM / SIGINT (Redis's sigShutdownHandler): the shutdown is left to the cron; a second
   * SIGINT while one is pending exits at once, removing a save's temporary file.
   */
  shutdownSignal(signal: 'SIGTERM' | 'SIGINT'): void {
    if (this.pendingShutdownSignal !== null && signal === 'SIGINT') {
      this.log.warning('You insist... exiting now.');
      this.persistence.removeTempFile();
      this.onForcedExit?.(1);
      return;
    }
    this.log.warning(this.persistence.loading !== null ? 'Received shutdown signal during loading, scheduling shutdown.' : `Received ${signal} scheduling shutdown...`);
    this.pendingShutdownSignal = signal;
  }

  /** SHUTDOWN ABORT: forgets a pending signal's shutdown; false when none was pending. */
  abortShutdown(): boolean {
    if (this.shutdownWait !== null) {
      this.cancelShutdownWait();
    } else if (this.pendingShutdownSignal !== null) {
      this.pendingShutdownSignal = null;
    } else {
      return false;
    }
    this.log.notice('Shutdown manually aborted.');
    return true;
  }

  /**
   * A shutdown waiting for lagging replicas (shutdown-timeout; Redis's shutdown_mstime): writes
   * are paused meanwhile, the SHUTDOWN callers wait for its outcome.
   */
  /** Time left before a shutdown waiting for lagging replicas goes ahead; null when none waits. */
  get shutdownRemainingMs(): number | null {
    return this.shutdownWait === null ? null : Math.max(0, this.shutdownWait.deadlineMs - Date.now());
  }

  private shutdownWait: { options: ShutdownOptions; deadlineMs: number; waiters: CommandContext[]; bySignal: boolean } | null = null;

  /** A SHUTDOWN caller waits for the outcome; released with an error if the shutdown fails or is aborted. */
  private waitForShutdown(caller: CommandContext): void {
    this.shutdownWait?.waiters.push(caller);
    this.blocking.block(caller, [], 0, {
      serve: () => false,
      timedOut: (ctx) => ctx.reply.error('ERR Errors trying to SHUTDOWN. Check logs.'),
    });
  }

  /** The cron's check: the replicas caught up, or shutdown-timeout passed. */
  private checkShutdownWait(nowMs: number): void {
    const wait = this.shutdownWait;
    if (wait === null || (nowMs < wait.deadlineMs && !this.replication.primary.readyToShutdown())) return;
    if (wait.bySignal) {
      // A signal's shutdown: its final save runs in turns and holds every client itself.
      this.shutdownWait = null;
      this.clientPause.unpause('shutdown');
      this.shutdownProper(wait.options);
      return;
    }
    this.replication.primary.logReplicasAtShutdown();
    if (this.shutdownNow(wait.options) !== null) this.cancelShutdownWait();
  }

  /** cancelShutdown: writes resume, the SHUTDOWN callers get the error. */
  private cancelShutdownWait(): void {
    const wait = this.shutdownWait;
    if (wait === null) return;
    this.shutdownWait = null;
    this.clientPause.unpause('shutdown');
    for (const caller of wait.waiters) {
      const client = this.clients.byIdMap.get(caller.client.id);
      if (client !== undefined && !client.closed) this.blocking.unblockClient(client, false);
    }
  }

  /** The cron's part of a signal: shutdown-on-sigterm / shutdown-on-sigint give the flags. */
  private shutdownForSignal(signal: 'SIGTERM' | 'SIGINT'): void {
    const words = this.config.str(signal === 'SIGINT' ? 'shutdown-on-sigint' : 'shutdown-on-sigterm').split(' ');
    // Never a save over the file while it is still being loaded.
    const save = this.persistence.loading !== null ? false : words.includes('save') ? true : words.includes('nosave') ? false : null;
    const options = { save, now: words.includes('now'), force: words.includes('force') };
    this.log.warning('User requested shutdown...');
    if (this.waitForReplicas(options)) {
      // The cron finishes it once the replicas caught up.
      this.pendingShutdownSignal = null;
      return;
    }
    this.shutdownProper(options);
  }

  /** The shutdown after any wait for replicas: the final save in turns when there is one. */
  private shutdownProper(options: ShutdownOptions): string | null {
    this.replication.primary.logReplicasAtShutdown();
    if (!this.persistence.finalSaveWanted(options.save)) {
      // The reasons are logged; the server goes on (a later signal may try again).
      const error = this.shutdownNow(options);
      if (error !== null) this.pendingShutdownSignal = null;
      return error;
    }
    // The final save runs in turns of the event loop so that a second SIGINT is still seen;
    // every command waits meanwhile, as while Redis's save blocks.
    this.signalShutdownRunning = true;
    this.clientPause.holdForShutdown();
    void this.shutdownInTurns(options).then((error) => {
      this.signalShutdownRunning = false;
      if (error === null) return;
      this.clientPause.releaseForShutdown();
      this.pendingShutdownSignal = null;
    });
    return null;
  }

  /**
   * prepareForShutdown. Unless NOW (or shutdown-timeout 0), lagging replicas are waited for:
   * writes pause, the replicas are asked for an ACK, and the cron finishes the shutdown once they
   * caught up or the timeout passed; `caller` (SHUTDOWN's client) waits meanwhile.
   */
  shutdown(options: ShutdownOptions, caller?: CommandContext): string | null {
    if (this.shutdownWait !== null) {
      if (caller !== undefined) this.waitForShutdown(caller);
      return null;
    }
    this.log.warning('User requested shutdown...');
    if (this.waitForReplicas(options, caller)) return null;
    this.replication.primary.logReplicasAtShutdown();
    return this.shutdownNow(options);
  }

  /** Starts waiting for lagging replicas when the shutdown should; false to go on now. */
  private waitForReplicas(options: ShutdownOptions, caller?: CommandContext): boolean {
    const timeoutSec = this.config.num('shutdown-timeout');
    if (options.now || timeoutSec === 0 || this.replication.primary.readyToShutdown()) return false;
    const alreadyPaused = this.clientPause.inEffect();
    this.shutdownWait = { options, deadlineMs: Date.now() + timeoutSec * 1000, waiters: [], bySignal: caller === undefined };
    if (caller !== undefined) this.waitForShutdown(caller);
    // No GETACK while a pause already holds the offset still (Redis's prepareForShutdown).
    if (!alreadyPaused) this.replication.primary.requestAcks();
    this.clientPause.pause(Number.MAX_SAFE_INTEGER, true, 'shutdown');
    this.log.notice('Waiting for replicas before shutting down.');
    return true;
  }

  /** finishShutdown without waiting: the AOF settled, the final save, then exit. */
  private shutdownNow(options: ShutdownOptions): string | null {
    const refusal = this.beginShutdown(options);
    if (refusal !== null) return refusal;
    if (!this.persistence.shutdownSave(options.save, options.force, this.log)) return this.shutdownFailed();
    return this.finishShutdown();
  }

  private async shutdownInTurns(options: ShutdownOptions): Promise<string | null> {
    const refusal = this.beginShutdown(options);
    if (refusal !== null) return refusal;
    if (!(await this.persistence.shutdownSaveInTurns(options.save, options.force, this.log))) return this.shutdownFailed();
    return this.finishShutdown();
  }

  private beginShutdown(options: ShutdownOptions): string | null {
    // The AOF is settled before the final RDB save, in prepareForShutdown's order.
    return this.aof.beforeShutdown(options.force) !== null ? this.shutdownFailed() : null;
  }

  private shutdownFailed(): string {
    this.log.warning('Errors trying to shut down the server. Check the logs for more information.');
    return 'ERR Errors trying to SHUTDOWN. Check logs.';
  }

  private finishShutdown(): null {
    this.onShutdownRequested?.();
    this.debugForks.killAll((message) => this.log.warning(message));
    this.log.warning(`${this.config.sentinelMode ? 'Sentinel' : 'Redis'} is now ready to exit, bye bye...`);
    void this.close();
    return null;
  }

  /**
   * The offset cluster mode reports for this node (bus headers, CLUSTER SLOTS and SHARDS, failover
   * rank): a replica's applied offset from its primary, a primary's master_repl_offset.
   */
  private clusterReplicationOffset(): number {
    const replica = this.cluster !== null && this.cluster.state.myself.isReplica;
    return replica ? this.replicaSide.processedOffset() : this.replication.masterReplOffset;
  }

  /**
   * cluster-enabled yes: loads or creates nodes.conf and puts the routing check after ACL's
   * (Redis's processCommand order). Throws ClusterStartupError with Redis's text. The service
   * holds nodes.conf's lock from then on and frees it when it closes.
   */
  startCluster(configLock: ClusterConfigLock): ClusterService {
    const db0 = this.keyspace.dbs[0];
    // What the cluster service and its bus both reach of the node.
    const node = {
      config: this.config,
      log: this.log,
      listeningPort: () => this.port,
      replicationOffset: () => this.clusterReplicationOffset(),
      replicate: (host: string, port: number) => this.replicaSide.setPrimary(host, port),
      stopReplicating: () => this.replicaSide.unsetPrimary(),
    };
    const service = ClusterService.start({
      ...node,
      db0,
      otherDbsHaveKeys: () => this.keyspace.dbs.some((db) => db.id !== 0 && db.size > 0),
      removeShardChannelsInSlot: (slot) => this.pubsub.sunsubscribeAll((channel) => keyHashSlot(channel) === slot),
      deleteKeysInSlot: (slot) => this.deleteKeysInSlot(db0, service, slot),
      flushAll: () => {
        this.events.signalFlushedDb(-1);
        for (const db of this.keyspace.dbs) db.flush();
      },
      unpauseForFailover: () => this.clientPause.unpause('failover'),
      redirectBlockedClients: () => this.redirectBlockedClients(),
    }, configLock);
    service.bus = createClusterBus(service, {
      ...node,
      primaryDataAgeMs: () => this.replicaSide.primaryDataAgeMs(),
      replicationConfigured: () => this.replication.primaryAddress !== null,
      publishLocal: (channel, message, sharded) => {
        if (sharded) this.pubsub.publishShard(channel, message);
        else this.pubsub.publish(channel, message);
      },
      hasSubscribers: (sharded) => (sharded ? this.pubsub.shardChannels.size > 0 : this.pubsub.channels.size + this.pubsub.patterns.size > 0),
      // A cluster manual failover's pause is Redis's PAUSE_DURING_FAILOVER, apart from CLIENT PAUSE.
      pauseWrites: (untilMs) => this.clientPause.pause(untilMs, true, 'failover'),
      unpause: () => this.clientPause.unpause('failover'),
      deleteKeysInSlot: (slot) => { this.deleteKeysInSlot(db0, service, slot); },
    });
    this.cluster = service;
    this.clusterRouting = { state: service.state, config: this.config, db0, server: this };
    this.dispatcher.insertCheck(clusterRoutingCheck(this.clusterRouting), 'oom');
    return service;
  }

  /** Blocked clients whose keys' slot went elsewhere get MOVED or CLUSTERDOWN (clusterRedirectBlockedClientIfNeeded). */
  private redirectBlockedClients(): void {
    const routing = this.clusterRouting;
    if (routing === null || this.blocking.blockedCount === 0) return;
    for (const blocked of [...this.blocking.blockedClients()]) {
      const client = blocked.client as Client;
      const command = this.commandTable.lookup(blocked.argv.length > 0 ? [...blocked.argv] : [client.lastCommandName]);
      const error = blockedClientRedirect(routing, client, blocked.keys, command?.isWrite ?? false);
      if (error !== null) this.blocking.unblockClient(client, true, error);
    }
  }

  /** Redis's delKeysInSlot: each key deleted, signalled, notified and propagated as a DEL. */
  private deleteKeysInSlot(db: Db, service: ClusterService, slot: number): number {
    const keys = service.slotIndex.keysInSlot(slot, service.slotIndex.countInSlot(slot));
    for (const key of keys) {
      db.delete(key);
      this.propagator.add(db.id, [this.config.bool('lazyfree-lazy-server-del') ? 'UNLINK' : 'DEL', key]);
      this.events.signalModifiedKey(db, key);
      this.events.notify(NOTIFY_GENERIC, 'del', key, db.id);
    }
    return keys.length;
  }

  /** Stops listening, closes every client, stops timers. */
  async close(): Promise<void> {
    this.debugForks.killAll(() => undefined);
    this.persistence.cancelLoading();
    this.replicaSide.close();
    this.replication.failover.close();
    if (this.cronTimer !== null) clearTimeout(this.cronTimer);
    this.cronTimer = null;
    this.clientPause.stopTimer();
    this.migrate.close();
    this.cluster?.close();
    // Listening stops first (Redis's closeListeningSockets, then exit): a client that sees its
    // connection close and reconnects must be refused, not accepted by a socket about to close.
    const listenersClosed = this.listeners.close();
    for (const client of [...this.clients.all()]) {
      client.flush();
      client.close('server shutdown');
    }
    await listenersClosed;
    this.resolveClosed();
    if (this.onShutdown) this.onShutdown();
  }
}

const PROTECTED_MODE_ERROR = '-DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. In this mode connections are only accepted from the loopback interface. If you want to connect from external computers to Redis you may adopt one of the following solutions: 1) Just disable protected mode sending the command \'CONFIG SET protected-mode no\' from the loopback interface by connecting to Redis from the same host the server is running, however MAKE SURE Redis is not publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable the protected mode by editing the Redis configuration file, and setting the protected mode option to \'no\', and then restarting the server. 3) If you started the server manually just for testing, restart it with the \'--protected-mode no\' option. 4) Setup a an authentication password for the default user. NOTE: You only need to do one of the above things in order for the server to start accepting connections from the outside.\r\n';
