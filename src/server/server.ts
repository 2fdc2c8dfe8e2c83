// The node: TCP listeners, connected clients, the keyspace, pub/sub, WATCH, client pause, the
// cron (active expiry, timeouts, output limits), and the services commands reach through
// ServerApi.

import { randomBytes } from 'node:crypto';
import net, { type Socket } from 'node:net';
import type { ClientState, ServerApi, ServerStats, ShutdownOptions } from '../commands/context.js';
import type { Command } from '../commands/types.js';
import { buildCommandTable } from '../commands/registry.js';
import { COMMAND_FAMILIES } from '../commands/index.js';
import type { Config } from '../config/config.js';
import { outputBufferLimitsFromText, type OutputBufferLimit } from '../config/directives.js';
import { keyspaceEventsFromString, NOTIFY_KEYEVENT, NOTIFY_KEYSPACE, NOTIFY_EXPIRED } from '../config/keyspace-events.js';
import { ProtocolError } from '../protocol/parser.js';
import type { Db } from '../store/db.js';
import { Keyspace } from '../store/keyspace.js';
import { Client } from './client.js';
import { dispatch } from './dispatcher.js';
import { buildInfo } from './info.js';
import { LatencyMonitor } from './latency.js';
import type { ServerLog } from './log.js';
import { Propagator } from './propagation.js';
import { PubSubHub } from './pubsub.js';
import { SlowLog } from './slowlog.js';

export { REDIS_VERSION } from '../util/version.js';

interface Listener {
  server: net.Server;
  host: string;
}

export class Server implements ServerApi {
  readonly keyspace: Keyspace;
  readonly propagator = new Propagator();
  readonly pubsub: PubSubHub;
  readonly commands: Map<string, Command>;
  readonly startTimeMs = Date.now();
  readonly runId = randomBytes(20).toString('hex');
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
  private readonly watchers = new Map<string, Set<Client>>();
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
  /** Resolves when the server has stopped (SHUTDOWN or close()). */
  readonly closed: Promise<void>;
  private resolveClosed!: () => void;
  /** Hook for the process entry point to exit after SHUTDOWN. */
  onShutdown: (() => void) | null = null;

  constructor(readonly config: Config, readonly log: ServerLog) {
    this.keyspace = new Keyspace(config.num('databases'), {
      keyExpired: (db, key) => this.onKeyExpired(db, key),
    });
    this.pubsub = new PubSubHub((client, frame) => this.deliverPush(client, frame));
    this.commands = buildCommandTable(COMMAND_FAMILIES);
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
    if (client.parser.pendingBytes > this.config.num('client-query-buffer-limit')) {
      this.log.warning(`Closing client that reached max query buffer length: ${this.clientDescription(client)} (qbuf initial bytes: ...)`);
      this.stats.clientQueryBufferLimitDisconnections++;
      client.parser.reset();
      client.close('query buffer limit');
      return;
    }
    this.processInput(client);
  }

  /** Runs every complete request buffered for the client, then writes the replies once. */
  processInput(client: Client): void {
    if (client.pausedArgv !== null) return;
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
    client.flush();
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
    client.reply.error(err.message);
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
    const used = client.outputBufferBytes;
    const now = Date.now();
    let over = false;
    if (limits.hardBytes > 0 && used >= limits.hardBytes) over = true;
    if (limits.softBytes > 0 && used >= limits.softBytes) {
      if (client.softLimitSinceMs === 0) client.softLimitSinceMs = now;
      else if (now - client.softLimitSinceMs >= limits.softSeconds * 1000) over = true;
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
    let command = this.commands.get(name);
    if (command === undefined) command = this.commands.get(name.toLowerCase());
    if (command === undefined) return undefined;
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
    const slower = this.config.num('slowlog-log-slower-than');
    if (slower >= 0 && durationMicros >= slower && !command.skipSlowlog) {
      this.slowlog.push(argv, durationMicros, client.remoteAddress, client.name);
    }
    if (this.monitors.size > 0 && !command.skipMonitor && !command.isAdmin) this.feedMonitors(client, argv);
  }

  private feedMonitors(client: Client, argv: readonly string[]): void {
    const now = Date.now();
    let line = `${Math.floor(now / 1000)}.${String((now % 1000) * 1000).padStart(6, '0')} [${client.dbIndex} ${client.remoteAddress}]`;
    for (const a of argv) line += ' "' + escapeForMonitor(a) + '"';
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
    const id = `${db.id}\0${key}`;
    if (client.watchedKeys.has(id)) return;
    client.watchedKeys.add(id);
    let set = this.watchers.get(id);
    if (set === undefined) {
      set = new Set();
      this.watchers.set(id, set);
    }
    set.add(client as Client);
  }

  unwatchAll(client: ClientState): void {
    for (const id of client.watchedKeys) {
      const set = this.watchers.get(id);
      if (set === undefined) continue;
      set.delete(client as Client);
      if (set.size === 0) this.watchers.delete(id);
    }
    client.watchedKeys.clear();
    client.watchDirty = false;
  }

  signalModifiedKey(db: Db, key: string): void {
    if (this.watchers.size === 0) return;
    const set = this.watchers.get(`${db.id}\0${key}`);
    if (set === undefined) return;
    for (const c of set) c.watchDirty = true;
  }

  signalFlushedDb(dbIndex: number): void {
    if (this.watchers.size === 0) return;
    const prefix = dbIndex < 0 ? null : `${dbIndex}\0`;
    for (const [id, set] of this.watchers) {
      if (prefix !== null && !id.startsWith(prefix)) continue;
      const key = id.slice(id.indexOf('\0') + 1);
      const db = this.keyspace.dbs[Number(id.slice(0, id.indexOf('\0')))];
      // Redis marks watchers dirty only when the key existed (touchAllWatchedKeysInDb).
      if (db !== undefined && !db.has(key) && prefix !== null) continue;
      for (const c of set) c.watchDirty = true;
    }
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
    return this.watchers.size;
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
    if (this.pauseTimer) clearTimeout(this.pauseTimer);
    this.pauseTimer = setTimeout(() => this.unpauseClients(), Math.max(0, untilMs - Date.now()));
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

  get pauseActive(): boolean {
    return this.pauseUntilMs > Date.now();
  }

  isPausedFor(command: Command, client: Client): boolean {
    if (this.pauseUntilMs === 0 || this.pauseUntilMs <= Date.now()) return false;
    if (client.inMulti && command.fullName !== 'exec') return false;
    if (!this.pauseWritesOnly) return true;
    const root = command.parent ?? command;
    if (root.spec.name === 'exec') {
      return client.multiQueue.some((q) => q.command.isWrite || q.command.spec.flags.includes('may_replicate'));
    }
    return command.isWrite || command.spec.flags.includes('may_replicate');
  }

  // ------------------------------------------------------------------ cron

  private startCron(): void {
    if (this.cronTimer) clearInterval(this.cronTimer);
    const hz = Math.min(500, Math.max(1, this.config.num('hz')));
    this.cronTimer = setInterval(() => this.cron(hz), Math.floor(1000 / hz));
    this.cronTimer.unref();
  }

  private cron(hz: number): void {
    const expiredBefore = this.stats.expiredKeys;
    this.keyspace.activeExpireCycle(hz);
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

function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}

function escapeForMonitor(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 92) out += '\\\\';
    else if (c === 34) out += '\\"';
    else if (c === 10) out += '\\n';
    else if (c === 13) out += '\\r';
    else if (c === 9) out += '\\t';
    else if (c === 7) out += '\\a';
    else if (c === 8) out += '\\b';
    else if (c < 32 || c > 126) out += '\\x' + c.toString(16).padStart(2, '0');
    else out += text[i];
  }
  return out;
}

const PROTECTED_MODE_ERROR = '-DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. In this mode connections are only accepted from the loopback interface. If you want to connect from external computers to Redis you may adopt one of the following solutions: 1) Just disable protected mode sending the command \'CONFIG SET protected-mode no\' from the loopback interface by connecting to Redis from the same host the server is running, however MAKE SURE Redis is not publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable the protected mode by editing the Redis configuration file, and setting the protected mode option to \'no\', and then restarting the server. 3) If you started the server manually just for testing, restart it with the \'--protected-mode no\' option. 4) Setup a an authentication password for the default user. NOTE: You only need to do one of the above things in order for the server to start accepting connections from the outside.\r\n';
