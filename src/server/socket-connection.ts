// A network client's Connection: its socket, its request parser, and the read loop.
//
// Reads bypass Node's Readable stream machinery: the socket is re-created over the accepted
// handle with the documented `onread` option, so the kernel's bytes land in one shared buffer
// and reach the parser through a plain callback. Profiles of redis-benchmark showed the
// Readable path (push, 'data' emit, per-read Buffer allocation, maybeReadMore ticks) costing
// about 4.5 us of the 11-13 us of user CPU per non-pipelined request. The parser copies out
// whatever part of a request is still incomplete before the buffer is reused.

import type { GatedOutput, ReplyGate } from '../persistence/aof/reply-gate.js';
import net, { type Socket } from 'node:net';
import { getSystemErrorName } from 'node:util';
import type { Connection } from '../engine/connection.js';
import { RespParser, type ParserLimits } from '../protocol/parser.js';
import { DirectWriter } from './direct-write.js';
import { formatPeerAddress, isLocalPeer } from '../util/net-address.js';
import { bigBuffers } from '../util/buffer-recycler.js';

/**
 * One read buffer for every connection: callbacks run one at a time and consume it at once.
 * 16 KB, Redis's PROTO_IOBUF_LEN: the rest of a big argument is read straight into its own
 * Buffer, so at most this much of it is ever copied.
 */
const READ_BUFFER_BYTES = 16 * 1024;
const sharedReadBuffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);

/**
 * A client whose last request carried a big argument reads into a buffer that holds a whole
 * request of that size, as Redis's query buffer keeps the size of the last big argument: one
 * read(2) per request instead of three (the shared buffer, the rest of the argument, EAGAIN).
 * Above this size the argument is read straight into its own Buffer as before (one copy less,
 * and the kernel rarely has that much ready at once).
 */
const MAX_BIG_READ_BUFFER_BYTES = 512 * 1024;
/** Room in a big read buffer for the request's lines before the big argument. */
const BIG_READ_HEADER_ROOM_BYTES = 1024;
/** Big read buffers come in multiples of this. */
const BIG_READ_STEP_BYTES = 4096;

/**
 * Request bytes one client may have processed in one event-loop turn before it yields to the
 * others (Redis reads at most one buffer per client per event-loop iteration): a client with a
 * huge pipeline cannot starve everyone else.
 */
const MAX_READ_BYTES_PER_TURN = 256 * 1024;

/**
 * Event-loop turns, counted by one setImmediate per turn in which something was read (not one
 * per connection): a connection compares its last turn with this to reset its byte budget.
 */
let currentTurn = 0;
let turnEndScheduled = false;
/** Connections that used up their budget this turn, resumed when the turn ends. */
let yielded: SocketConnection[] = [];

function endTurn(): void {
  turnEndScheduled = false;
  currentTurn++;
  const resumed = yielded;
  yielded = [];
  for (const connection of resumed) connection.endYield();
}

export interface SocketConnectionEvents {
  /** Bytes arrived and were fed to the parser: run what is complete. */
  onRequestBytes(byteCount: number): void;
  /** The socket closed or failed. */
  onClosed(): void;
  onError(err: Error): void;
}

export class SocketConnection implements Connection, GatedOutput {
  readonly parser: RespParser;
  /** Shared with the parser: updated on AUTH and when proto-max-bulk-len changes. */
  readonly parserLimits: ParserLimits;
  readonly remoteAddress: string;
  readonly localAddress: string;
  readonly isLocal: boolean;
  private readonly socket: Socket;
  private events: SocketConnectionEvents | null = null;
  /** True while reads land in the shared buffer (the parser must copy what it keeps). */
  private readonly readsShared: boolean;
  private bytesThisTurn = 0;
  private lastTurn = -1;
  private yielding = false;
  private pausedByEngine = false;
  /** The big argument's region handed out as the next read buffer, if any. */
  private directTarget: Buffer | null = null;
  /** Size of the read buffer for requests with big arguments; 0: the shared buffer. */
  private bigReadBytes = 0;
  /**
   * The big read buffer handed out for the next read, taken from the big-buffer recycler. Its
   * request's big argument keeps it as a view when the whole argument arrived in it (the value
   * then owns the allocation, recycled whole when it is overwritten); otherwise it is given back
   * once the read's requests are parsed. An idle client holds none.
   */
  private bigReadTarget: Buffer | null = null;
  /** Replies waiting for the AOF (see reply-gate.ts), oldest first; null when none wait. */
  held: GatedOutput['held'] = null;
  heldBytes = 0;
  private endWhenReleased = false;
  /** Callbacks waiting for the output to drain (whenDrained), and whether 'drain' is awaited. */
  private drainWaiters: Array<() => void> = [];
  private awaitingDrain = false;
  /** Writes straight to the handle (see direct-write.ts); null: through socket.write(). */
  private readonly direct: DirectWriter | null;

  /** Takes over an accepted socket (created with pauseOnConnect, so nothing was read yet). */
  constructor(accepted: Socket, maxBulkLenBytes: number, private readonly gate: ReplyGate, unixSocketPath: string | null = null) {
    this.parserLimits = { maxBulkLenBytes, authRequired: true };
    this.parser = new RespParser(this.parserLimits);
    const taken = takeOverSocket(accepted, () => this.nextReadBuffer(), (nread, buf) => this.onRead(buf, nread));
    this.socket = taken ?? accepted;
    this.readsShared = taken !== null;
    const socket = this.socket;
    if (unixSocketPath !== null) {
      // A Unix socket client: Redis names both ends "<path>:0" and counts it as local.
      this.remoteAddress = `${unixSocketPath}:0`;
      this.localAddress = this.remoteAddress;
      this.isLocal = true;
    } else {
      this.remoteAddress = formatPeerAddress(socket.remoteAddress, socket.remotePort);
      this.localAddress = formatPeerAddress(socket.localAddress, socket.localPort);
      this.isLocal = isLocalPeer(socket.remoteAddress);
    }
    if (taken === null) socket.on('data', (chunk: Buffer) => this.onRead(chunk, chunk.length));
    this.direct = taken === null ? null : DirectWriter.create((taken as unknown as { _handle?: unknown })._handle, {
      onWriteError: (status) => {
        if (this.socket.destroyed) return;
        const code = getSystemErrorName(status);
        this.socket.destroy(Object.assign(new Error(`write ${code}`), { code, errno: status, syscall: 'write' }));
      },
      onDrained: () => this.checkDrained(),
    });
  }

  /** Starts delivering requests to `events`. */
  start(events: SocketConnectionEvents): void {
    this.events = events;
    this.socket.on('error', (err) => events.onError(err));
    this.socket.on('close', () => {
      this.gate.forget(this);
      events.onClosed();
    });
    this.socket.resume();
  }

  setKeepAlive(delayMs: number): void {
    this.socket.setKeepAlive(true, delayMs);
  }

  /**
   * The buffer the next read goes into: the rest of a big argument being received when there is
   * one (read straight into its own Buffer, like Redis reading a big argument into its query
   * buffer), else the shared buffer.
   */
  private nextReadBuffer(): Buffer {
    const remainder = this.parser.bigArgRemainder();
    this.directTarget = remainder;
    if (remainder !== null) return remainder;
    if (this.bigReadBytes === 0) return sharedReadBuffer;
    // Kept across a read that found nothing (EAGAIN), which hands no buffer back.
    this.bigReadTarget ??= bigBuffers.take(this.bigReadBytes) ?? Buffer.allocUnsafeSlow(this.bigReadBytes);
    return this.bigReadTarget;
  }

  /**
   * Sizes the next reads by the big arguments the last read's requests announced: room for the
   * argument, its CRLF and the request's header lines, in 4 KB steps so that clients with
   * similar sizes share recycled buffers. The room past the argument stays with the value that
   * keeps the buffer, so it is kept small (at most ~25% of a 16 KB argument, 12% of 32 KB, 4% of
   * 100 KB, as jemalloc's size classes cost Redis); a request whose header is longer simply does not
   * arrive whole and takes the copying path. A read into the big buffer that announced no big
   * argument ends it (the client went back to small requests).
   */
  private sizeNextReads(chunk: Buffer): void {
    const bigArgBytes = this.parser.takeBigArgSeen();
    if (chunk === this.bigReadTarget) {
      this.bigReadTarget = null;
      // Unless its big argument kept it (a view, no copy), the buffer serves another read.
      if (!this.parser.chunkTaken) bigBuffers.give(chunk);
      if (bigArgBytes === 0) this.bigReadBytes = 0;
    }
    if (bigArgBytes === 0) return;
    const wanted = Math.ceil((bigArgBytes + 2 + BIG_READ_HEADER_ROOM_BYTES) / BIG_READ_STEP_BYTES) * BIG_READ_STEP_BYTES;
    this.bigReadBytes = wanted <= MAX_BIG_READ_BUFFER_BYTES ? wanted : 0;
  }

  private onRead(chunk: Buffer, nread: number): boolean {
    const events = this.events;
    if (events === null) return true;
    if (chunk === this.directTarget) {
      this.directTarget = null;
      this.parser.filledBigArgDirectly(chunk, nread);
    } else {
      this.parser.feed(chunk, nread, chunk === this.bigReadTarget);
    }
    events.onRequestBytes(nread);
    // The shared buffer (or the big one) is reused by the next read: keep a copy of any
    // incomplete request.
    if (this.readsShared) {
      this.parser.retainPending();
      this.sizeNextReads(chunk);
    }
    if (this.lastTurn !== currentTurn) {
      this.lastTurn = currentTurn;
      this.bytesThisTurn = 0;
    }
    this.bytesThisTurn += nread;
    if (!turnEndScheduled) {
      turnEndScheduled = true;
      setImmediate(endTurn);
    }
    if (this.bytesThisTurn > MAX_READ_BYTES_PER_TURN && !this.yielding) {
      this.yielding = true;
      yielded.push(this);
      this.socket.pause();
    }
    return true;
  }

  /** The turn in which this connection used up its read budget is over: read again. */
  endYield(): void {
    this.yielding = false;
    if (!this.pausedByEngine) this.socket.resume();
  }

  get fd(): number {
    const handle = (this.socket as unknown as { _handle?: { fd?: unknown } | null })._handle;
    const fd = handle?.fd;
    return typeof fd === 'number' ? fd : -1;
  }

  get pendingOutputBytes(): number {
    // With a direct writer nothing goes through the socket's own queue (see writeNow).
    const unsent = this.direct !== null ? this.direct.pendingBytes : this.socket.writableLength;
    return unsent + this.heldBytes;
  }

  get queryBufferBytes(): number {
    return this.parser.pendingBytes;
  }

  get queryBufferCapacityBytes(): number {
    return this.parser.bufferCapacityBytes;
  }

  /** Arguments of an incomplete request parsed so far (memory accounting). */
  get partialRequestBytes(): number {
    return this.parser.partialRequestBytes;
  }

  get queryBufferUsedBytes(): number {
    return this.parser.bufferLengthBytes;
  }

  write(chunk: Buffer | readonly Buffer[]): void {
    if (this.held !== null || this.gate.pending) {
      this.gate.hold(this, chunk);
      return;
    }
    this.writeNow(chunk);
  }

  writeNow(chunk: Buffer | readonly Buffer[]): void {
    const direct = this.direct;
    // With a direct writer nothing goes through socket.write() (end() sends no data), so the
    // handle's queue alone orders the writes.
    if (direct !== null) {
      // A destroyed socket's output is dropped, as socket.write() would drop it.
      if (!this.socket.destroyed) direct.write(chunk);
      return;
    }
    if (Buffer.isBuffer(chunk)) {
      this.socket.write(chunk);
      return;
    }
    // Corked, the pieces leave in one writev.
    const socket = this.socket;
    socket.cork();
    for (const part of chunk) socket.write(part);
    socket.uncork();
  }

  end(): void {
    if (this.held !== null) {
      this.endWhenReleased = true;
      return;
    }
    // Redis close()s the descriptor once the reply is out: a peer still sending must see the
    // connection gone (its writes fail), not a half-closed socket that keeps swallowing data.
    this.socket.end(() => this.socket.destroy());
  }

  releasedAll(): void {
    if (this.endWhenReleased) this.end();
    else this.checkDrained();
  }

  whenDrained(callback: () => void): void {
    this.drainWaiters.push(callback);
    this.checkDrained();
  }

  private checkDrained(): void {
    if (this.drainWaiters.length === 0 || this.socket.destroyed) return;
    if (this.pendingOutputBytes === 0) {
      const waiters = this.drainWaiters;
      this.drainWaiters = [];
      for (const waiter of waiters) waiter();
      return;
    }
    // Held output (waiting for the AOF) is released through releasedAll; direct writes report
    // onDrained; socket output drains.
    if (this.socket.writableLength > 0 && !this.awaitingDrain) {
      this.awaitingDrain = true;
      this.socket.once('drain', () => {
        this.awaitingDrain = false;
        this.checkDrained();
      });
    }
  }

  destroy(): void {
    this.gate.forget(this);
    this.socket.destroy();
  }

  /**
   * The socket, to be handed to another process (a forked debugging session): reading stops, and
   * once it is sent this connection has nothing left to write to.
   */
  socketForHandOver(): Socket {
    this.pauseReading();
    return this.socket;
  }

  /** Calls `callback` once the socket has closed (at once if it has). */
  whenClosed(callback: () => void): void {
    if (this.socket.destroyed) callback();
    else this.socket.once('close', () => callback());
  }

  pauseReading(): void {
    this.pausedByEngine = true;
    this.socket.pause();
  }

  resumeReading(): void {
    this.pausedByEngine = false;
    if (!this.yielding) this.socket.resume();
  }

  setAuthenticated(authenticated: boolean): void {
    this.parserLimits.authRequired = !authenticated;
  }
}

type ReadCallback = (nread: number, buf: Buffer) => boolean;
type ReadBufferSource = () => Buffer;

/**
 * Re-creates `accepted` over the same handle with reads into the shared buffer. Returns null
 * (the caller keeps the ordinary socket and its 'data' events) if this Node does not expose the
 * handle the way this relies on.
 */
function takeOverSocket(accepted: Socket, nextBuffer: ReadBufferSource, onRead: ReadCallback): Socket | null {
  const holder = accepted as unknown as { _handle?: object | null };
  const handle = holder._handle;
  if (handle === undefined || handle === null) return null;
  // Detach the handle from the accepting socket so destroying that one leaves it open; the
  // destroy still lets the listening server count the connection as gone.
  holder._handle = null;
  accepted.destroy();
  const options = {
    handle,
    readable: true,
    writable: true,
    // Reading starts in start(), once the client exists.
    pauseOnCreate: true,
    onread: { buffer: nextBuffer, callback: onRead },
  } as net.SocketConstructorOpts & { handle: object; pauseOnCreate: boolean };
  const socket = new net.Socket(options);
  socket.setNoDelay(true);
  return socket;
}
