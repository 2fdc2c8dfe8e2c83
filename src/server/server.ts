// The node: TCP listeners, connected clients, the keyspace, pub/sub, WATCH, client pause, the
// cron (active expiry, timeouts, output limits), and the services commands reach through
// ServerApi.

import { randomBytes } from 'node:crypto';
import net, { type Socket } from 'node:net';
import type { ClientState, ServerApi, ServerStats, ShutdownOptions } from '../commands/context.js';
import type { Command } from '../commands/types.js';
import { allCommands, buildCommandTable } from '../commands/registry.js';
import { COMMAND_FAMILIES } from '../commands/index.js';
import type { Config } from '../config/config.js';
import { outputBufferLimitsFromText, type OutputBufferLimit } from '../config/directives.js';
import { keyspaceEventsFromString, NOTIFY_KEYEVENT, NOTIFY_KEYSPACE, NOTIFY_EXPIRED, NOTIFY_KEY_MISS, NOTIFY_NEW } from '../config/keyspace-events.js';
import { ProtocolError } from '../protocol/parser.js';
import { refreshAccessClock, type Db, type KeyspaceHooks } from '../store/db.js';
import { setNowMs } from '../store/clock.js';
import { Keyspace } from '../store/keyspace.js';
import { quoteRepr } from '../util/repr.js';
import { Client } from './client.js';
import { call, dispatch } from './dispatcher.js';
import { buildInfo } from './info.js';
import { LatencyMonitor } from './latency.js';
import { newLatencyHistogram, recordLatency } from '../util/latency-histogram.js';
import { bindHosts, probeListen } from './port-check.js';
import { usedMemoryBytes } from '../util/memory.js';
import type { ServerLog } from './log.js';
import { Propagator } from './propagation.js';
import { PubSubHub } from './pubsub.js';
import { SlowLog } from './slowlog.js';
import { WatchRegistry } from './watch.js';

export { REDIS_VERSION } from '../util/version.js';

/** Distinct command-name spellings remembered by lookupCommand. */
const MAX_COMMAND_SPELLINGS = 4096;

interface Listener {
  server: net.Server;
  host: string;
}

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
  /** Network byte-rate samples for INFO instantaneous_input/output_kbps. */
  private netSamples: Array<[number, number]> = [];
  private lastNetSample = { timeMs: Date.now(), input: 0, output: 0 };
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
  };
  readonly clientsById = new Map<number, Client>();
  private readonly monitors = new Set<Client>();
  /** Command names as clients spell them, to their command (bounded: spellings are few). */
  private readonly commandsBySpelling = new Map<string, Command>();
  private readonly pendingFlush = new Set<Client>();
  private flushScheduled = false;
  private nextClientId = 1;
  private listeners: Listener[] = [];
  private cronTimer: NodeJS.Timeout | null = null;
  private pauseUntilMs = 0;
  private pauseWritesOnly = false;
  private readonly pausedClients = new Set<Client>();
  private pauseTimer: NodeJS.Timeout | null = null;
  private notifyFlags = 0;
  private outputLimits: Record<'normal' | 'replica' | 'pubsub', OutputBufferLimit>;
  /** Ops/sec sampling for INFO instantaneous_ops_per_sec. */
  private opsSamples: number[] = [];
  private lastOpsSample = { timeMs: Date.now(), commands: 0 };
  port = 0;
  /** performance.now() at the end of the last command of the current read batch. */
  tickMs = 0;
  /** True while tickMs is fresh (inside processInput): call() then skips a clock read. */
  tickValid = false;
  /** Date.now() - performance.now(), refreshed by the cron so the command clock follows wall time. */
  wallOffsetMs = Date.now() - performance.now();
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
      expiryPaused: () => this.pauseUntilMs !== 0 && this.pauseUntilMs > Date.now(),
      keyMiss: (db, key) => this.notifyKeyspaceEvent(NOTIFY_KEY_MISS, 'keymiss', key, db.id),
      keyAdded: (db, key) => this.notifyKeyspaceEvent(NOTIFY_NEW, 'new', key, db.id),
    });
    this.pubsub = new PubSubHub((client, frame) => this.deliverPush(client, frame));
    this.watches = new WatchRegistry(this.keyspace.dbs);
    this.commands = buildCommandTable(COMMAND_FAMILIES);
    this.applyCommandRenames();
    this.latencyTracking = config.bool('latency-tracking');
    config.onChange('latency-tracking', (v) => { this.latencyTracking = v === true; });
    config.setApplier('port', (v) => this.applyListenChange(Number(v), config.str('bind'), 'Unable to listen on this port'));
    config.setApplier('bind', (v) => this.applyListenChange(config.num('port'), String(v), 'Failed to bind to specified addresses.'));
    this.slowlog = new SlowLog(() => config.num('slowlog-max-len'));
    this.latency = new LatencyMonitor(() => config.num('latency-monitor-threshold'));
    this.notifyFlags = keyspaceEventsFromString(config.str('notify-keyspace-events'));
    config.onChange('notify-keyspace-events', (v) => { this.notifyFlags = keyspaceEventsFromString(String(v)); });
    this.outputLimits = outputBufferLimitsFromText(config.str('client-output-buffer-limit'));
    config.onChange('client-output-buffer-limit', (v) => { this.outputLimits = outputBufferLimitsFromText(String(v)); });
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
    if (mode === 'local') return isLoopback(client.socket.remoteAddress);
    return false;
  }

  // ---------------------------------------------------------------- listening

  async listen(): Promise<number> {
    const port = this.config.num('port');
    const binds = this.config.str('bind').split(' ').filter((b) => b !== '');
    const hosts = binds.length === 0 ? ['*', '-::*'] : binds;
    let boundPort = port;
    const wantsAll = hosts.some((h) => h.replace(/^-/, '') === '*');
    const wantsAll6 = hosts.some((h) => h.replace(/^-/, '') === '::*');
    const specific = hosts.map((h) => h.replace(/^-/, '')).filter((h) => h !== '*' && h !== '::*');
    const plan: Array<{ host: string; optional: boolean }> = [];
    if (wantsAll && wantsAll6) plan.push({ host: '::', optional: true }, { host: '0.0.0.0', optional: false });
    else if (wantsAll) plan.push({ host: '0.0.0.0', optional: false });
    else if (wantsAll6) plan.push({ host: '::', optional: true });
    for (const h of hosts) {
      const host = h.replace(/^-/, '');
      if (specific.includes(host)) plan.push({ host, optional: h.startsWith('-') });
    }
    let dualStack = false;
    for (const { host, optional } of plan) {
      if (host === '0.0.0.0' && dualStack) continue;
      try {
        const server = await this.listenOne(host, boundPort, host === '::');
        const address = server.address();
        if (address !== null && typeof address === 'object') boundPort = address.port;
        if (host === '::') dualStack = true;
        this.listeners.push({ server, host });
      } catch (err) {
        if (optional) continue;
        const e = err as NodeJS.ErrnoException;
        this.log.warning(`Warning: Could not create server TCP listening socket ${host}:${boundPort}: ${e.message}`);
        this.log.warning(`Failed listening on port ${boundPort} (TCP), aborting.`);
        throw err;
      }
    }
    this.port = boundPort;
    this.startCron();
    return boundPort;
  }

  private listenOne(host: string, port: number, dualStack: boolean): Promise<net.Server> {
    return new Promise((resolve, reject) => {
      const server = net.createServer({ noDelay: true }, (socket) => this.accept(socket));
      server.maxConnections = this.config.num('maxclients') + 32;
      const onError = (err: Error): void => { server.close(); reject(err); };
      server.once('error', onError);
      server.listen({ host, port, ipv6Only: !dualStack && host.includes(':'), backlog: this.config.num('tcp-backlog') }, () => {
        server.off('error', onError);
        server.on('error', (err) => this.log.warning(`Accept error: ${err.message}`));
        resolve(server);
      });
    });
  }

  private accept(socket: Socket): void {
    if (this.clientsById.size >= this.config.num('maxclients')) {
      socket.end('-ERR max number of clients reached\r\n');
      this.stats.rejectedConnections++;
      return;
    }
    if (this.config.bool('protected-mode') && !this.authRequired() && !isLoopback(socket.remoteAddress)) {
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
      this.pausedClients.add(client);
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
    this.pendingFlush.add(client);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      for (const c of this.pendingFlush) c.flush();
      this.pendingFlush.clear();
    });
  }

  /** Closes a client whose output passed the hard limit, or the soft limit for too long. */
  enforceOutputLimit(client: Client): boolean {
    const limits = client.isPubSub ? this.outputLimits.pubsub : this.outputLimits.normal;
    if (limits.hardBytes === 0 && limits.softBytes === 0) return false;
    // Bytes the socket has not handed to the kernel yet grow without bound when the peer
    // stops reading: they count, as Redis counts its unsent reply list.
    const used = client.outputBufferBytes;
    let over = limits.hardBytes > 0 && used >= limits.hardBytes;
    if (limits.softBytes > 0 && used >= limits.softBytes) {
      // Over the soft limit, the client must stay there for more than soft-seconds (Redis:
      // elapsed > soft_limit_seconds); the cron re-checks clients with a start time set.
      const nowMs = Date.now();
      if (client.softLimitSinceMs === 0) client.softLimitSinceMs = nowMs;
      else if (nowMs - client.softLimitSinceMs > limits.softSeconds * 1000) over = true;
    } else {
      client.softLimitSinceMs = 0;
    }
    if (!over) return false;
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
    this.pausedClients.delete(client);
    this.pendingFlush.delete(client);
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
    const now = Date.now();
    let line = `${Math.floor(now / 1000)}.${String((now % 1000) * 1000).padStart(6, '0')} [${client.dbIndex} ${client.remoteAddress}]`;
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
    // A new pause never shortens an existing one, nor narrows ALL to WRITE (Redis's rule).
    if (this.pauseUntilMs > Date.now()) {
      if (!this.pauseWritesOnly && writesOnly) writesOnly = false;
      untilMs = Math.max(untilMs, this.pauseUntilMs);
    }
    this.pauseUntilMs = untilMs;
    this.pauseWritesOnly = writesOnly;
    this.armPauseTimer();
  }

  /** setTimeout fires at once beyond 2^31-1 ms, so long pauses wait in steps. */
  private armPauseTimer(): void {
    if (this.pauseTimer) clearTimeout(this.pauseTimer);
    const remainingMs = Math.max(0, this.pauseUntilMs - Date.now());
    this.pauseTimer = setTimeout(() => {
      if (this.pauseUntilMs > Date.now()) this.armPauseTimer();
      else this.unpauseClients();
    }, Math.min(remainingMs, MAX_TIMER_MS));
  }

  /** Clients held by CLIENT PAUSE: Redis counts them as blocked (INFO blocked_clients). */
  get pausedClientCount(): number {
    return this.pausedClients.size;
  }

  unpauseClients(): void {
    this.pauseUntilMs = 0;
    if (this.pauseTimer) clearTimeout(this.pauseTimer);
    this.pauseTimer = null;
    const waiting = [...this.pausedClients];
    this.pausedClients.clear();
    for (const client of waiting) {
      const argv = client.pausedArgv;
      client.pausedArgv = null;
      if (client.closed || argv === null) continue;
      client.socket.resume();
      if (this.runRequest(client, argv) === 'postponed') continue;
      this.processInput(client);
    }
  }

  /** Cheap check for the hot path: any pause set (expiry is checked by isPausedFor). */
  get pauseActive(): boolean {
    return this.pauseUntilMs !== 0;
  }

  isPausedFor(command: Command, client: Client): boolean {
    if (this.pauseUntilMs === 0 || this.pauseUntilMs <= Date.now()) return false;
    if (client.inMulti && command.fullName !== 'exec') return false;
    if (!this.pauseWritesOnly) return true;
    const root = command.parent ?? command;
    if (root.spec.name === 'exec') {
      return client.multiQueue.some((q) => q.command.mayReplicate);
    }
    return command.mayReplicate;
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
    if (!this.pauseActive || this.pauseUntilMs <= Date.now()) this.keyspace.activeExpireCycle(hz);
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
    if (now - this.lastOpsSample.timeMs >= 100) {
      const ops = this.stats.totalCommandsProcessed - this.lastOpsSample.commands;
      this.opsSamples.push(Math.round((ops * 1000) / (now - this.lastOpsSample.timeMs)));
      if (this.opsSamples.length > 16) this.opsSamples.shift();
      this.lastOpsSample = { timeMs: now, commands: this.stats.totalCommandsProcessed };
      this.sampleNetworkRates(now);
    }
  }

  private flushPendingNow(): void {
    for (const c of this.pendingFlush) c.flush();
    this.pendingFlush.clear();
  }

  get instantaneousOpsPerSec(): number {
    if (this.opsSamples.length === 0) return 0;
    return Math.round(this.opsSamples.reduce((a, b) => a + b, 0) / this.opsSamples.length);
  }

  // -------------------------------------------------------------- INFO etc.

  private sampleNetworkRates(now: number): void {
    const elapsedMs = now - this.lastNetSample.timeMs;
    if (elapsedMs <= 0) return;
    const input = this.stats.totalNetInputBytes;
    const output = this.stats.totalNetOutputBytes;
    this.netSamples.push([
      ((input - this.lastNetSample.input) * 1000) / elapsedMs,
      ((output - this.lastNetSample.output) * 1000) / elapsedMs,
    ]);
    if (this.netSamples.length > 16) this.netSamples.shift();
    this.lastNetSample = { timeMs: now, input, output };
  }

  /** Average bytes/s over the recent samples (INFO instantaneous_*_kbps). */
  instantaneousRates(): { inputBytesPerSec: number; outputBytesPerSec: number } {
    if (this.netSamples.length === 0) return { inputBytesPerSec: 0, outputBytesPerSec: 0 };
    let input = 0;
    let output = 0;
    for (const [i, o] of this.netSamples) {
      input += i;
      output += o;
    }
    return { inputBytesPerSec: input / this.netSamples.length, outputBytesPerSec: output / this.netSamples.length };
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
    st.totalErrorReplies = 0;
    st.unexpectedErrorReplies = 0;
    st.errorCounts.clear();
    this.keyspace.resetStats();
    this.expireCycleMicros = 0;
    this.opsSamples = [];
    this.netSamples = [];
    this.lastOpsSample = { timeMs: Date.now(), commands: 0 };
    this.lastNetSample = { timeMs: Date.now(), input: 0, output: 0 };
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

  /**
   * CONFIG SET port/bind: checks synchronously that the new addresses can be bound (Redis replies
   * only after listening), then moves the listeners. Returns Redis's error text on failure.
   */
  private applyListenChange(port: number, bind: string, failure: string): string | null {
    if (this.listeners.length === 0) return null; // not listening yet: listen() will use the config
    if (port !== 0 && probeListen(bindHosts(bind), port) !== null) return failure;
    void this.relisten();
    return null;
  }

  private async relisten(): Promise<void> {
    const old = this.listeners;
    this.listeners = [];
    // Closing stops accepting at once; established connections stay open.
    for (const l of old) l.server.close();
    try {
      await this.listen();
    } catch (err) {
      this.log.warning(`Failed to listen on the new address: ${(err as Error).message}`);
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
    if (this.pauseTimer) clearTimeout(this.pauseTimer);
    for (const client of [...this.clientsById.values()]) {
      client.flush();
      client.close('server shutdown');
    }
    await Promise.all(this.listeners.map((l) => new Promise<void>((resolve) => l.server.close(() => resolve()))));
    this.listeners = [];
    this.resolveClosed();
    if (this.onShutdown) this.onShutdown();
  }
}

/** Longest delay setTimeout honours. */
const MAX_TIMER_MS = 2 ** 31 - 1;

function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}


const PROTECTED_MODE_ERROR = '-DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. In this mode connections are only accepted from the loopback interface. If you want to connect from external computers to Redis you may adopt one of the following solutions: 1) Just disable protected mode sending the command \'CONFIG SET protected-mode no\' from the loopback interface by connecting to Redis from the same host the server is running, however MAKE SURE Redis is not publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable the protected mode by editing the Redis configuration file, and setting the protected mode option to \'no\', and then restarting the server. 3) If you started the server manually just for testing, restart it with the \'--protected-mode no\' option. 4) Setup a an authentication password for the default user. NOTE: You only need to do one of the above things in order for the server to start accepting connections from the outside.\r\n';
