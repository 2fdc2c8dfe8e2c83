// One connection: its socket, request parser, reply writer and per-client state. A Client is
// also the CommandContext its commands run with, so running a command allocates nothing.

import type { Socket } from 'node:net';
import type { ClientReplyMode, ClientState, CommandContext } from '../commands/context.js';
import type { Command } from '../commands/types.js';
import { RespParser, type ParserLimits } from '../protocol/parser.js';
import { ReplyWriter } from '../protocol/writer.js';
import type { Db } from '../store/db.js';
import { formatPeerAddress, isLocalPeer } from '../util/net-address.js';
import type { Server } from './server.js';

export class Client implements ClientState, CommandContext {
  readonly reply = new ReplyWriter();
  readonly parser: RespParser;
  /** Shared with the parser: updated on AUTH and when proto-max-bulk-len changes. */
  readonly parserLimits: ParserLimits;
  name = '';
  libName = '';
  libVersion = '';
  dbIndex = 0;
  db: Db;
  authenticated: boolean;
  user = 'default';
  readonly remoteAddress: string;
  readonly localAddress: string;
  /** Redis's islocalClient(), fixed for the connection's life. */
  readonly isLocal: boolean;
  readonly createdAtMs = Date.now();
  lastInteractionMs = Date.now();
  lastCommandName = 'NULL';
  inMulti = false;
  multiQueue: Array<{ command: Command; argv: string[] }> = [];
  multiDirty = false;
  readonly watchedKeys = new Set<string>();
  watchDirty = false;
  readonly channels = new Set<string>();
  readonly patterns = new Set<string>();
  readonly shardChannels = new Set<string>();
  isMonitor = false;
  replyMode: ClientReplyMode = 'on';
  /** Set after CLIENT REPLY SKIP: the next command's reply is dropped. */
  skipNextReply = false;
  noEvict = false;
  noTouch = false;
  closeAfterReply = false;
  closed = false;
  /** Queued in the server's end-of-turn flush list (pushed pub/sub or MONITOR output). */
  flushPending = false;
  /** Set while this client's read loop is suspended (CLIENT PAUSE); holds the pending request. */
  pausedArgv: string[] | null = null;
  totalBytesIn = 0;
  totalBytesOut = 0;
  /** Largest batch of replies written at once (CLIENT LIST rbp). */
  replyPeakBytes = 0;
  /** When the output buffer first went over the soft limit (0 = not over). */
  softLimitSinceMs = 0;
  /** Set by the dispatcher around each command. */
  command!: Command;
  /** Propagation state of the running command (see markDirty & co). */
  propagationOverride: string[] | null = null;
  propagationPrevented = false;
  readonly server: Server;

  constructor(
    readonly id: number,
    readonly socket: Socket,
    server: Server,
  ) {
    this.server = server;
    this.db = server.keyspace.dbs[0];
    this.authenticated = !server.authRequired();
    this.remoteAddress = formatPeerAddress(socket.remoteAddress, socket.remotePort);
    this.localAddress = formatPeerAddress(socket.localAddress, socket.localPort);
    this.isLocal = isLocalPeer(socket.remoteAddress);
    this.parserLimits = {
      maxBulkLenBytes: server.config.num('proto-max-bulk-len'),
      authRequired: !this.authenticated,
    };
    this.parser = new RespParser(this.parserLimits);
    this.reply.onError = (text: string) => server.countErrorReply(text);
  }

  get client(): ClientState {
    return this;
  }

  get isPubSub(): boolean {
    return this.channels.size + this.patterns.size + this.shardChannels.size > 0;
  }

  get outputBufferBytes(): number {
    return this.reply.lengthBytes + (this.socket.writableLength ?? 0);
  }

  get queryBufferBytes(): number {
    return this.parser.pendingBytes;
  }

  get queryBufferCapacityBytes(): number {
    return this.parser.bufferCapacityBytes;
  }

  markDirty(n = 1): void {
    this.server.dirty += n;
  }

  rewritePropagation(argv: string[]): void {
    this.propagationOverride = argv;
  }

  preventPropagation(): void {
    this.propagationPrevented = true;
  }

  alsoPropagate(dbIndex: number, argv: string[]): void {
    this.server.propagator.add(dbIndex, argv);
  }

  selectDb(index: number): boolean {
    const db = this.server.keyspace.dbs[index];
    if (db === undefined) return false;
    this.dbIndex = index;
    this.db = db;
    return true;
  }

  /** Argument indexes of the running command to show as "(redacted)". */
  redacted: number[] | null = null;

  redactArgument(index: number): void {
    if (this.redacted === null) this.redacted = [];
    this.redacted.push(index);
  }

  onAuthenticated(): void {
    this.parserLimits.authRequired = false;
  }

  resetConnectionState(): void {
    const server = this.server;
    if (this.inMulti) {
      this.inMulti = false;
      this.multiQueue = [];
      this.multiDirty = false;
    }
    server.unwatchAll(this);
    server.pubsub.removeClient(this);
    if (this.isMonitor) server.removeMonitor(this);
    this.selectDb(0);
    server.setProtocol(this, 2);
    this.name = '';
    this.replyMode = 'on';
    this.skipNextReply = false;
    this.reply.muted = false;
    this.noEvict = false;
    this.noTouch = false;
    this.user = 'default';
    this.authenticated = !server.authRequired();
    this.parserLimits.authRequired = !this.authenticated;
  }

  close(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.server.onClientClosed(this, reason);
    this.socket.destroy();
  }

  /** Writes what the command(s) produced to the socket in one write. */
  flush(): void {
    const out = this.reply.take();
    if (out !== null && out.length > this.replyPeakBytes) this.replyPeakBytes = out.length;
    if (out !== null && !this.closed) {
      this.totalBytesOut += out.length;
      this.server.stats.totalNetOutputBytes += out.length;
      this.server.stats.totalWritesProcessed++;
      this.socket.write(out);
    }
    if (this.closeAfterReply && !this.closed) {
      this.closed = true;
      this.server.onClientClosed(this, 'close after reply');
      // Redis close()s the descriptor once the reply is out: a peer still sending must see the
      // connection gone (its writes fail), not a half-closed socket that keeps swallowing data.
      this.socket.end(() => this.socket.destroy());
    }
  }

  /** Redis's CLIENT LIST flag letters, in catClientInfoString's order. */
  flagsText(): string {
    let flags = '';
    if (this.isMonitor) flags += 'O';
    if (this.isPubSub) flags += 'P';
    if (this.inMulti) flags += 'x';
    // A client held by CLIENT PAUSE is a blocked client in Redis (BLOCKED_POSTPONE).
    if (this.pausedArgv !== null) flags += 'b';
    if (this.watchDirty) flags += 'd';
    if (this.closeAfterReply) flags += 'c';
    if (this.noEvict) flags += 'e';
    if (this.noTouch) flags += 'T';
    return flags === '' ? 'N' : flags;
  }

  /** The socket's file descriptor, when the platform exposes it (-1 otherwise). */
  get fd(): number {
    const handle = (this.socket as unknown as { _handle?: { fd?: unknown } | null })._handle;
    const fd = handle?.fd;
    return typeof fd === 'number' ? fd : -1;
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
    const qbuf = running ? this.parser.bufferLengthBytes : this.parser.pendingBytes;
    const qbufFree = Math.max(0, this.parser.bufferCapacityBytes - qbuf);
    const argvMem = argvBytes(running ? currentArgv : this.pausedArgv);
    let multiMem = 0;
    if (this.inMulti) {
      // Redis counts the argument bytes plus one pointer per argument of each queued command.
      for (const q of this.multiQueue) multiMem += argvBytes(q.argv) + POINTER_BYTES * q.argv.length;
    }
    const rbs = this.reply.capacityBytes;
    const rbp = Math.max(this.replyPeakBytes, this.reply.lengthBytes);
    const socketPending = this.socket.writableLength ?? 0;
    const oll = socketPending === 0 ? 0 : Math.ceil(socketPending / REPLY_CHUNK_BYTES);
    const totMem = this.parser.bufferCapacityBytes + argvMem + multiMem + rbs + socketPending;
    const events = (this.closed ? '' : 'r') + (socketPending > 0 ? 'w' : '');
    const cmd = running ? this.command.fullName : this.lastCommandName;
    return `id=${this.id} addr=${this.remoteAddress} laddr=${this.localAddress} fd=${this.fd} name=${this.name}` +
      ` age=${nowSec - Math.floor(this.createdAtMs / 1000)} idle=${nowSec - Math.floor(this.lastInteractionMs / 1000)}` +
      ` flags=${this.flagsText()} db=${this.dbIndex} sub=${this.channels.size} psub=${this.patterns.size}` +
      ` ssub=${this.shardChannels.size} multi=${this.inMulti ? this.multiQueue.length : -1}` +
      ` qbuf=${qbuf} qbuf-free=${qbufFree} argv-mem=${argvMem} multi-mem=${multiMem} rbs=${rbs} rbp=${rbp}` +
      ` obl=${this.reply.lengthBytes} oll=${oll} omem=${socketPending} tot-mem=${totMem} events=${events}` +
      ` cmd=${cmd} user=${this.user} redir=-1 resp=${this.reply.resp}`;
  }
}

/** Size of a pointer in Redis's argv arrays, which multi-mem counts. */
const POINTER_BYTES = 8;
/** Redis's reply list node size, to express pending socket bytes as a node count (oll). */
const REPLY_CHUNK_BYTES = 16 * 1024;

function argvBytes(argv: readonly string[] | null): number {
  if (argv === null) return 0;
  let total = 0;
  for (const a of argv) total += a.length;
  return total;
}
