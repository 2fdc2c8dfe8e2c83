// The node: wires the keyspace, clients, pub/sub, WATCH and the helpers around them (listeners,
// client pause, output limits, rates), runs the request loop and the cron (active expiry, idle
// timeouts, output limits, rate samples), and offers the services commands reach through
// ServerApi.

import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import type { ClientState, ServerApi, ServerStats, ShutdownOptions } from '../commands/context.js';
import type { Command } from '../commands/types.js';
import { allCommands, buildCommandTable } from '../commands/registry.js';
import { COMMAND_FAMILIES } from '../commands/index.js';
import type { Config } from '../config/config.js';
import { keyspaceEventsFromString, NOTIFY_KEYEVENT, NOTIFY_KEYSPACE, NOTIFY_EXPIRED, NOTIFY_KEY_MISS, NOTIFY_NEW } from '../config/keyspace-events.js';
import { ProtocolError } from '../protocol/parser.js';
import { refreshAccessClock, type Db, type KeyspaceHooks } from '../store/db.js';
import { setNowMs } from '../store/clock.js';
import { Keyspace } from '../store/keyspace.js';
import { isLocalPeer } from '../util/net-address.js';
import { quoteRepr } from '../util/repr.js';
import { Client } from './client.js';
import { ClientPause } from './client-pause.js';
import { call, dispatch } from './dispatcher.js';
import { buildInfo } from './info.js';
import { LatencyMonitor } from './latency.js';
import { newLatencyHistogram, recordLatency } from '../util/latency-histogram.js';
import { Listeners } from './listeners.js';
import { usedMemoryBytes } from '../util/memory.js';
import type { ServerLog } from './log.js';
import { OutputLimits } from './output-limits.js';
import { Propagator } from './propagation.js';
import { PubSubHub } from './pubsub.js';
import { InstantaneousRates } from './rates.js';
import { SlowLog } from './slowlog.js';
import { WatchRegistry } from './watch.js';

export { REDIS_VERSION } from '../util/version.js';

/** Distinct command-name spellings remembered by lookupCommand. */
const MAX_COMMAND_SPELLINGS = 4096;

export class Server implements ServerApi {
  readonly keyspace: Keyspace;
  /** The store's callbacks; `touchSuppressed` is switched around commands of NO-TOUCH clients. */
  readonly keyspaceHooks: KeyspaceHooks;
  readonly propagator = new Propagator();
  readonly pubsub: PubSubHub;
  readonly watches: WatchRegistry;
  readonly commands: Map<string, Command>;
  readonly startTimeMs = Date.now();
  readonly runId = randomBytes(20).toString('hex');
  /** A master's replication ID (INFO master_replid), distinct from run_id as in Redis. */
  readonly replicationId = randomBytes(20).toString('hex');
  /** Memory in use once started, and the highest seen (INFO used_memory_startup / _peak). */
  readonly startupMemoryBytes = usedMemoryBytes();
  private peakMemoryBytes = 0;
  /** Time spent in the active expiry cycle (INFO expire_cycle_cpu_milliseconds). */
  expireCycleMicros = 0;
  /** latency-tracking, cached: read on every command. */
  private latencyTracking = true;
  readonly slowlog: SlowLog;
  readonly latency: LatencyMonitor;
  dirty = 0;
  lastSaveTimeSec = Math.floor(Date.now() / 1000);
  readonly stats: ServerStats = {
    totalConnectionsReceived: 0,
    totalCommandsProcessed: 0,
    rejectedConnections: 0,
    expiredKeys: 0,
    totalNetInputBytes: 0,
    totalNetOutputBytes: 0,
    totalErrorReplies: 0,
    unexpectedErrorReplies: 0,
    errorCounts: new Map(),
    clientQueryBufferLimitDisconnections: 0,
    clientOutputBufferLimitDisconnections: 0,
    pubsubChannelsPublished: 0,
    totalReadsProcessed: 0,
    totalWritesProcessed: 0,
  };
  readonly clientsById = new Map<number, Client>();
  private readonly monitors = new Set<Client>();
  /** Command names as clients spell them, to their command (bounded: spellings are few). */
  private readonly commandsBySpelling = new Map<string, Command>();
  /** Clients with pushed output to write at the end of this event-loop turn (flag: client.flushPending). */
  private pendingFlush: Client[] = [];
  private flushScheduled = false;
  private nextClientId = 1;
  private readonly listeners: Listeners;
  private cronTimer: NodeJS.Timeout | null = null;
  /** CLIENT PAUSE state; dispatch() reads `clientPause.untilMs` on every command. */
  readonly clientPause: ClientPause;
  private notifyFlags = 0;
  private readonly outputLimits: OutputLimits;
  private readonly rates: InstantaneousRates;
  /** performance.now() at the end of the last command of the current read batch. */
  tickMs = 0;
  /** True while tickMs is fresh (inside processInput): call() then skips a clock read. */
  tickValid = false;
  /** Date.now() - performance.now(), refreshed by the cron so the command clock follows wall time. */
  wallOffsetMs = Date.now() - performance.now();
  /** Error replies counted when the running call() started (failed_calls accounting). */
  errorMark = 0;
  /** Nesting of call() (EXEC runs its commands inside): the command clock is set by the outermost. */
  callDepth = 0;
  /** client-query-buffer-limit, cached: read on every read from a socket. */
  private queryBufferLimitBytes: number;
  /** slowlog-log-slower-than, cached: read on every command. */
  private slowlogThresholdMicros: number;
  /** Resolves when the server has stopped (SHUTDOWN or close()). */
  readonly closed: Promise<void>;
  private resolveClosed!: () => void;
  /** Hook for the process entry point to exit after SHUTDOWN. */
  onShutdown: (() => void) | null = null;

  constructor(readonly config: Config, readonly log: ServerLog) {
    this.keyspace = new Keyspace(config.num('databases'), this.keyspaceHooks = {
      keyExpired: (db, key) => this.onKeyExpired(db, key),
      expiryPaused: () => this.clientPause.inEffect(),
      keyMiss: (db, key) => this.notifyKeyspaceEvent(NOTIFY_KEY_MISS, 'keymiss', key, db.id),
      keyAdded: (db, key) => this.notifyKeyspaceEvent(NOTIFY_NEW, 'new', key, db.id),
    });
    this.pubsub = new PubSubHub((client, frame) => this.deliverPush(client, frame));
    this.watches = new WatchRegistry(this.keyspace.dbs);
    this.commands = buildCommandTable(COMMAND_FAMILIES);
    this.applyCommandRenames();
    this.latencyTracking = config.bool('latency-tracking');
    config.onChange('latency-tracking', (v) => { this.latencyTracking = v === true; });
    this.listeners = new Listeners(config, log, (socket) => this.accept(socket));
    this.clientPause = new ClientPause((client) => this.resumePaused(client));
    this.rates = new InstantaneousRates(this.stats);
    this.slowlog = new SlowLog(() => config.num('slowlog-max-len'));
    this.latency = new LatencyMonitor(() => config.num('latency-monitor-threshold'));
    this.notifyFlags = keyspaceEventsFromString(config.str('notify-keyspace-events'));
    config.onChange('notify-keyspace-events', (v) => { this.notifyFlags = keyspaceEventsFromString(String(v)); });
    this.outputLimits = new OutputLimits(config);
    config.onChange('proto-max-bulk-len', (v) => {
      for (const c of this.clientsById.values()) c.parserLimits.maxBulkLenBytes = Number(v);
    });
    config.onChange('hz', () => this.startCron());
    config.onChange('slowlog-max-len', () => this.slowlog.trim());
    this.slowlogThresholdMicros = config.num('slowlog-log-slower-than');
    this.queryBufferLimitBytes = config.num('client-query-buffer-limit');
    config.onChange('client-query-buffer-limit', (v) => { this.queryBufferLimitBytes = Number(v); });
    config.onChange('slowlog-log-slower-than', (v) => { this.slowlogThresholdMicros = Number(v); });
    config.onChange('loglevel', (v) => log.setLevel(v as 'debug' | 'verbose' | 'notice' | 'warning'));
    this.closed = new Promise((resolve) => { this.resolveClosed = resolve; });
  }

  authRequired(): boolean {
    return this.config.str('requirepass') !== '';
  }

  debugAllowed(client: Client): boolean {
    const mode = this.config.str('enable-debug-command');
    if (mode === 'yes') return true;
    if (mode === 'local') return client.isLocal;
    return false;
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

  /** A new connection: refused over maxclients or by protected mode, else a new Client. */
  accept(socket: Socket): void {
    if (this.clientsById.size >= this.config.num('maxclients')) {
      socket.end('-ERR max number of clients reached\r\n');
      this.stats.rejectedConnections++;
      return;
    }
    if (this.config.bool('protected-mode') && !this.authRequired() && !isLocalPeer(socket.remoteAddress)) {
      socket.end(PROTECTED_MODE_ERROR);
      this.stats.rejectedConnections++;
      return;
    }
    const keepAliveSec = this.config.num('tcp-keepalive');
    if (keepAliveSec > 0) socket.setKeepAlive(true, keepAliveSec * 1000);
    const client = new Client(this.nextClientId++, socket, this);
    this.clientsById.set(client.id, client);
    this.stats.totalConnectionsReceived++;
    socket.on('data', (chunk: Buffer) => this.onData(client, chunk));
    socket.on('error', (err) => this.log.verbose(`Error reading from client: ${err.message}`));
    socket.on('close', () => {
      if (!client.closed) {
        client.closed = true;
        this.onClientClosed(client, 'connection closed');
      }
    });
  }

  // ------------------------------------------------------------ request loop

  private onData(client: Client, chunk: Buffer): void {
    if (client.closed) return;
    client.totalBytesIn += chunk.length;
    this.stats.totalNetInputBytes += chunk.length;
    this.stats.totalReadsProcessed++;
    client.lastInteractionMs = Date.now();
    client.parser.feed(chunk);
    if (client.parser.pendingBytes > this.queryBufferLimitBytes) {
      this.log.warning(`Closing client that reached max query buffer length: ${this.clientDescription(client)} (qbuf initial bytes: ${quoteRepr(client.parser.peekPending(64))})`);
      this.stats.clientQueryBufferLimitDisconnections++;
      client.parser.reset();
      client.close('query buffer limit');
      return;
    }
    try {
      this.processInput(client);
    } catch (err) {
      // Command errors are contained in call(); reaching here means a fault in request handling
      // itself. Drop this connection, keep serving everyone else, and log it loudly.
      this.log.warning(`Closing client after an internal error: ${this.clientDescription(client)}: ${(err as Error).stack ?? String(err)}`);
      client.close('internal error');
    }
  }

  /** Runs every complete request buffered for the client, then writes the replies once. */
  processInput(client: Client): void {
    if (client.pausedArgv !== null) return;
    // One clock read for the batch: each command's end time is the next one's start.
    this.tickMs = performance.now();
    this.tickValid = true;
    try {
      this.runBuffered(client);
    } finally {
      this.tickValid = false;
    }
    client.flush();
  }

  private runBuffered(client: Client): void {
    for (;;) {
      if (client.closed || client.closeAfterReply) break;
      const argv = client.parser.next();
      if (argv === null) break;
      if (argv instanceof ProtocolError) {
        this.protocolError(client, argv);
        break;
      }
      if (this.runRequest(client, argv) === 'postponed') break;
    }
  }

  private runRequest(client: Client, argv: string[]): 'done' | 'postponed' {
    // CLIENT REPLY: OFF mutes every reply, SKIP mutes the reply of the command after it.
    const skipThis = client.skipNextReply;
    client.reply.muted = client.replyMode === 'off' || skipThis;
    const outcome = dispatch(this, client, argv);
    if (outcome === 'postponed') {
      client.pausedArgv = argv;
      this.clientPause.hold(client);
      client.socket.pause();
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

  private protocolError(client: Client, err: ProtocolError): void {
    client.reply.error('ERR ' + err.message);
    if (this.log.isEnabled('verbose')) {
      this.log.verbose(`Protocol error (${err.logReason}) from client: ${this.clientDescription(client)}`);
    }
    client.parser.reset();
    client.closeAfterReply = true;
  }

  /** Queues pushed bytes (pub/sub, MONITOR) for a client other than the running one. */
  deliverPush(client: Client, frame: Buffer): void {
    if (client.closed) return;
    client.reply.raw(frame);
    this.schedulePendingFlush(client);
    this.enforceOutputLimit(client);
  }

  private schedulePendingFlush(client: Client): void {
    // A flag and an array, not a Set: a fan-out to many subscribers calls this per delivery.
    if (client.flushPending) return;
    client.flushPending = true;
    this.pendingFlush.push(client);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      this.flushPendingNow();
    });
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

  onClientClosed(client: Client, _reason: string): void {
    this.clientsById.delete(client.id);
    this.pubsub.removeClient(client);
    this.unwatchAll(client);
    this.monitors.delete(client);
    this.clientPause.forget(client);
  }

  // ----------------------------------------------------- per-command hooks

  lookupCommand(argv: readonly string[]): Command | undefined {
    const name = argv[0];
    let command = this.commandsBySpelling.get(name);
    if (command === undefined) {
      command = this.commands.get(name.toLowerCase());
      if (command === undefined) return undefined;
      // Remember this spelling ("GET", "Get"...) so the hot path skips toLowerCase().
      if (this.commandsBySpelling.size < MAX_COMMAND_SPELLINGS) this.commandsBySpelling.set(name, command);
    }
    if (command.subcommands !== null && argv.length > 1) {
      return command.subcommands.get(argv[1].toLowerCase());
    }
    return command;
  }

  /** Slowlog, latency and MONITOR after a command ran (Redis's call() epilogue). */
  afterCall(client: Client, command: Command, originalArgv: string[], durationMicros: number): void {
    let argv = originalArgv;
    if (client.redacted !== null) {
      argv = argv.slice();
      for (const i of client.redacted) if (i < argv.length) argv[i] = '(redacted)';
      client.redacted = null;
    }
    const durationMs = durationMicros / 1000;
    if (durationMs >= 1) this.latency.addSampleIfNeeded(command.isFast ? 'fast-command' : 'command', Math.floor(durationMs));
    const slower = this.slowlogThresholdMicros;
    if (this.latencyTracking) {
      const stats = command.stats;
      stats.latencyHistogram ??= newLatencyHistogram();
      // Redis records whole microseconds, in nanoseconds.
      recordLatency(stats.latencyHistogram, durationMicros * 1000);
    }
    if (slower >= 0 && durationMicros >= slower && !command.skipSlowlog) {
      this.slowlog.push(argv, durationMicros, client.remoteAddress, client.name);
    }
    if (this.monitors.size > 0 && !command.skipMonitor && !command.isAdmin) this.feedMonitors(client, argv);
  }

  private feedMonitors(client: Client, argv: readonly string[]): void {
    // Microsecond timestamp, as Redis prints it (wall clock via the cron-synced offset).
    const nowMicros = Math.floor((performance.now() + this.wallOffsetMs) * 1000);
    const seconds = Math.floor(nowMicros / 1e6);
    let line = `${seconds}.${String(nowMicros - seconds * 1e6).padStart(6, '0')} [${client.dbIndex} ${client.remoteAddress}]`;
    for (const a of argv) line += ' ' + quoteRepr(a);
    const frame = Buffer.from('+' + line + '\r\n', 'latin1');
    for (const m of this.monitors) this.deliverPush(m, frame);
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

  // ------------------------------------------------------- keyspace events

  private onKeyExpired(db: Db, key: string): void {
    this.stats.expiredKeys++;
    this.propagator.add(db.id, ['DEL', key]);
    this.notifyKeyspaceEvent(NOTIFY_EXPIRED, 'expired', key, db.id);
    this.signalModifiedKey(db, key);
  }

  notifyKeyspaceEvent(classFlag: number, event: string, key: string, dbIndex: number): void {
    const flags = this.notifyFlags;
    if ((flags & classFlag) === 0) return;
    if (flags & NOTIFY_KEYSPACE) this.publish(`__keyspace@${dbIndex}__:${key}`, event);
    if (flags & NOTIFY_KEYEVENT) this.publish(`__keyevent@${dbIndex}__:${event}`, key);
  }

  // ------------------------------------------------------------------ WATCH

  watchKey(client: ClientState, db: Db, key: string): void {
    this.watches.watch(client, db, key);
  }

  unwatchAll(client: ClientState): void {
    this.watches.unwatchAll(client);
    client.watchDirty = false;
  }

  watchedKeyExpired(client: ClientState): boolean {
    return client.watchedKeys.size > 0 && this.watches.anyWatchedKeyExpired(client);
  }

  signalModifiedKey(db: Db, key: string): void {
    // Hot path (every write): no id string is built unless someone watches something.
    if (this.watches.size === 0) return;
    this.watches.touch(db, key);
  }

  signalFlushedDb(dbIndex: number): void {
    if (this.watches.size === 0) return;
    for (const db of this.keyspace.dbs) {
      if (dbIndex < 0 || db.id === dbIndex) this.watches.touchAllInDb(db, null);
    }
  }

  signalSwappedDb(index1: number, index2: number): void {
    const db1 = this.keyspace.dbs[index1];
    const db2 = this.keyspace.dbs[index2];
    if (this.watches.size === 0 || db1 === undefined || db2 === undefined) return;
    this.watches.touchAllInDb(db1, db2);
    this.watches.touchAllInDb(db2, db1);
  }

  callQueued(client: ClientState, command: Command, argv: string[]): void {
    call(this, client as Client, command, argv);
  }

  // ---------------------------------------------------------------- pub/sub

  publish(channel: string, message: string): number {
    return this.pubsub.publish(channel, message);
  }

  publishShard(channel: string, message: string): number {
    return this.pubsub.publishShard(channel, message);
  }

  subscribe(client: ClientState, channel: string): boolean {
    return this.pubsub.subscribe(client as Client, channel);
  }

  unsubscribe(client: ClientState, channel: string): boolean {
    return this.pubsub.unsubscribe(client as Client, channel);
  }

  psubscribe(client: ClientState, pattern: string): boolean {
    return this.pubsub.psubscribe(client as Client, pattern);
  }

  punsubscribe(client: ClientState, pattern: string): boolean {
    return this.pubsub.punsubscribe(client as Client, pattern);
  }

  ssubscribe(client: ClientState, channel: string): boolean {
    return this.pubsub.ssubscribe(client as Client, channel);
  }

  sunsubscribe(client: ClientState, channel: string): boolean {
    return this.pubsub.sunsubscribe(client as Client, channel);
  }

  channelNames(): Iterable<string> {
    return this.pubsub.channels.keys();
  }

  shardChannelNames(): Iterable<string> {
    return this.pubsub.shardChannels.keys();
  }

  channelSubscriberCount(channel: string): number {
    return this.pubsub.channels.get(channel)?.size ?? 0;
  }

  shardChannelSubscriberCount(channel: string): number {
    return this.pubsub.shardChannels.get(channel)?.size ?? 0;
  }

  patternCount(): number {
    return this.pubsub.patterns.size;
  }

  // ------------------------------------------------------------ clients

  clients(): Iterable<ClientState> {
    return this.clientsById.values();
  }

  clientById(id: number): ClientState | undefined {
    return this.clientsById.get(id);
  }

  addMonitor(client: ClientState): void {
    client.isMonitor = true;
    this.monitors.add(client as Client);
  }

  removeMonitor(client: ClientState): void {
    client.isMonitor = false;
    this.monitors.delete(client as Client);
  }

  setProtocol(client: ClientState, resp: 2 | 3): void {
    client.reply.resp = resp;
  }

  get monitorCount(): number {
    return this.monitors.size;
  }

  get watchedKeyCount(): number {
    return this.watches.size;
  }

  // ---------------------------------------------------------- client pause

  pauseClients(untilMs: number, writesOnly: boolean): void {
    this.clientPause.pause(untilMs, writesOnly);
  }

  unpauseClients(): void {
    this.clientPause.unpause();
  }

  /** Clients held by CLIENT PAUSE: Redis counts them as blocked (INFO blocked_clients). */
  get pausedClientCount(): number {
    return this.clientPause.heldCount;
  }

  /** Runs a held client's postponed request, then whatever it sent meanwhile. */
  private resumePaused(client: Client): void {
    const argv = client.pausedArgv;
    client.pausedArgv = null;
    if (client.closed || argv === null) return;
    client.socket.resume();
    if (this.runRequest(client, argv) === 'postponed') return;
    this.processInput(client);
  }

  // ------------------------------------------------------------------ cron

  private startCron(): void {
    if (this.cronTimer) clearInterval(this.cronTimer);
    const hz = Math.min(500, Math.max(1, this.config.num('hz')));
    this.cronTimer = setInterval(() => this.cron(hz), Math.floor(1000 / hz));
    this.cronTimer.unref();
  }

  private cron(hz: number): void {
    refreshAccessClock();
    this.wallOffsetMs = Date.now() - performance.now();
    setNowMs(Date.now());
    const expiredBefore = this.stats.expiredKeys;
    const cycleStart = performance.now();
    // Active expiry would propagate DELs: Redis skips it while clients are paused.
    if (!this.clientPause.inEffect()) this.keyspace.activeExpireCycle(hz);
    const cycleMs = performance.now() - cycleStart;
    this.expireCycleMicros += Math.round(cycleMs * 1000);
    this.latency.addSampleIfNeeded('expire-cycle', Math.floor(cycleMs));
    if (this.stats.expiredKeys !== expiredBefore) this.flushPendingNow();
    const now = Date.now();
    const timeoutSec = this.config.num('timeout');
    for (const client of this.clientsById.values()) {
      if (timeoutSec > 0 && !client.isPubSub && !client.isMonitor && client.pausedArgv === null &&
          now - client.lastInteractionMs > timeoutSec * 1000) {
        this.log.verbose('Closing idle client');
        client.close('idle timeout');
        continue;
      }
      if (client.softLimitSinceMs !== 0) this.enforceOutputLimit(client);
    }
    this.rates.sample(now);
  }

  private flushPendingNow(): void {
    const clients = this.pendingFlush;
    this.pendingFlush = [];
    for (const c of clients) {
      c.flushPending = false;
      if (!c.closed) c.flush();
    }
  }

  // -------------------------------------------------------------- INFO etc.

  /** Mean of the recent ops/sec samples (INFO instantaneous_ops_per_sec). */
  get instantaneousOpsPerSec(): number {
    return this.rates.opsPerSec;
  }

  /** Average bytes/s over the recent samples (INFO instantaneous_*_kbps). */
  instantaneousRates(): { inputBytesPerSec: number; outputBytesPerSec: number } {
    return this.rates.bytesPerSec();
  }

  /** Updates and returns the peak memory seen (Redis also samples it in its cron). */
  notePeakMemory(usedBytes: number): number {
    if (usedBytes > this.peakMemoryBytes) this.peakMemoryBytes = usedBytes;
    return this.peakMemoryBytes;
  }

  logWarning(message: string): void {
    this.log.warning(message);
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
    st.totalReadsProcessed = 0;
    st.totalWritesProcessed = 0;
    st.totalErrorReplies = 0;
    st.unexpectedErrorReplies = 0;
    st.errorCounts.clear();
    this.keyspace.resetStats();
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

  /** rename-command directives: the command answers to its new name only ("" removes it). */
  private applyCommandRenames(): void {
    for (const { from, to } of this.config.renamedCommands) {
      const command = this.commands.get(from);
      if (command === undefined) continue;
      this.commands.delete(from);
      if (to !== '') this.commands.set(to, command);
    }
  }

  infoText(sections: readonly string[]): string {
    return buildInfo(this, sections);
  }

  shutdown(options: ShutdownOptions): string | null {
    if (options.save === true) {
      return 'ERR Errors trying to SHUTDOWN. Check logs.';
    }
    this.log.warning('User requested shutdown...');
    this.log.notice('Redis is now ready to exit, bye bye...');
    void this.close();
    return null;
  }

  /** Stops listening, closes every client, stops timers. */
  async close(): Promise<void> {
    if (this.cronTimer) clearInterval(this.cronTimer);
    this.cronTimer = null;
    this.clientPause.stopTimer();
    for (const client of [...this.clientsById.values()]) {
      client.flush();
      client.close('server shutdown');
    }
    await this.listeners.close();
    this.resolveClosed();
    if (this.onShutdown) this.onShutdown();
  }
}

const PROTECTED_MODE_ERROR = '-DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. In this mode connections are only accepted from the loopback interface. If you want to connect from external computers to Redis you may adopt one of the following solutions: 1) Just disable protected mode sending the command \'CONFIG SET protected-mode no\' from the loopback interface by connecting to Redis from the same host the server is running, however MAKE SURE Redis is not publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable the protected mode by editing the Redis configuration file, and setting the protected mode option to \'no\', and then restarting the server. 3) If you started the server manually just for testing, restart it with the \'--protected-mode no\' option. 4) Setup a an authentication password for the default user. NOTE: You only need to do one of the above things in order for the server to start accepting connections from the outside.\r\n';
