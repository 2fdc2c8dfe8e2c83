// The primary's replication stream applied on this replica (Redis's master client,
// CLIENT_MASTER): commands parsed from the link and run through a client with no socket of its
// own, whose replies are dropped (the primary reads none, except the ACK a REPLCONF GETACK asks
// for). The applied offset (reploff) advances by the bytes of each whole command, and of a whole
// MULTI ... EXEC at its EXEC; those same bytes are then proxied verbatim into this node's own
// stream (replication.feed), so sub-replicas and the backlog see the primary's offsets.

import { ProtocolError, RespParser } from '../../protocol/parser.js';
import type { Client } from '../../engine/client.js';
import type { Connection } from '../../engine/connection.js';

/** Longest argument accepted from the primary (it is not bound by proto-max-bulk-len, as in Redis). */
const PRIMARY_MAX_BULK_BYTES = Number.MAX_SAFE_INTEGER;

/** How often a stream held back by a busy script looks whether the script ended. */
const BUSY_RETRY_MS = 10;

export interface ApplierHost {
  /**
   * Runs `apply` as one batch of the primary's commands (one read's worth): one dispatcher
   * window, no key expiring (the primary's commands see every key), and the client's replies
   * handed on once at the end.
   */
  applyBatch(client: Client, apply: () => void): void;
  /**
   * Runs one command of a batch for the primary's client (checks, call(), propagation to the AOF),
   * with the big arguments the parser kept as Buffers: a big value is stored as it arrived, as on
   * the primary, not made a V8 string.
   */
  runRequest(client: Client, argv: string[], bigArgs: Array<Buffer | undefined> | null): void;
  /** Applied bytes, into this node's own replication stream; `bytes` is handed over for good. */
  feed(bytes: Buffer): void;
  /** Applied bytes that are a view of the link's read buffer: valid only during the call. */
  feedView(bytes: Buffer): void;
  /** The stream cannot be parsed: the link is closed and not cached (Redis's protocol error). */
  protocolError(message: string, sample: string): void;
  /** Bytes received and not yet applied passed the bound: the link is closed. */
  overBound(unappliedBytes: number): void;
  /** A script runs past busy-reply-threshold: the primary's commands wait until it ends. */
  busy(): boolean;
  /** The bound on bytes received and not yet applied (client-query-buffer-limit). */
  readonly unappliedLimitBytes: number;
}

/** What the primary's client is while the link is up, and what survives it (the cached primary). */
export interface PrimaryPosition {
  /** The primary's replication ID this replica follows. */
  replid: string;
  /** Offset of the last byte applied (reploff). */
  reploff: number;
  /** The db the stream last selected (-1 when not known). */
  dbIndex: number;
}

/**
 * Reads arrive in the link's one read buffer (see replica-side.ts), which the next read
 * overwrites: they are parsed and applied in place, and the bytes applied are fed on once per
 * read. Only what a read leaves unapplied (an incomplete command, an open MULTI, a command held
 * by CLIENT PAUSE or a busy script) is copied out, to `held`.
 */
export class StreamApplier {
  private readonly parser = new RespParser({ maxBulkLenBytes: PRIMARY_MAX_BULK_BYTES, authRequired: false });
  /** Stream bytes received since the link started (the offset of the last is readReploff). */
  private receivedBytes = 0;
  /** Stream bytes applied since the link started (reploff's part; a MULTI counts at its EXEC). */
  private appliedBytes = 0;
  /** Stream bytes fed on to this node's stream: appliedBytes once each read has been handled. */
  private fedBytes = 0;
  /**
   * Copies of the bytes received before the current read and not fed yet, oldest first: they
   * cover [fedBytes, start of the current read), or [fedBytes, receivedBytes) between reads.
   */
  private held: Buffer[] = [];
  /** The read being handled (a view of the read buffer), and the offset of its first byte. */
  private view: Buffer | null = null;
  private viewStart = 0;
  /** A command postponed by CLIENT PAUSE: the stream waits for it (its end, in received bytes). */
  private postponedEnd = -1;
  private stopped = false;
  /** The retry while a busy script holds the stream back. */
  private busyRetry: NodeJS.Timeout | null = null;
  private readonly runBatch = (): void => this.applyAvailable();

  constructor(
    private readonly host: ApplierHost,
    readonly client: Client,
    private readonly startOffset: number,
    readonly replid: string,
  ) {}

  /** slave_repl_offset: the last byte applied. */
  get reploff(): number {
    return this.startOffset + this.appliedBytes;
  }

  /** slave_read_repl_offset: the last byte received. */
  get readReploff(): number {
    return this.startOffset + this.receivedBytes;
  }

  /** What a cached primary keeps: the applied position (an unfinished MULTI is dropped). */
  position(): PrimaryPosition {
    return { replid: this.replid, reploff: this.reploff, dbIndex: this.client.dbIndex };
  }

  /** No more commands run (the link is going away); what was applied is fed on first. */
  stop(): void {
    if (this.stopped) return;
    this.feedApplied();
    this.stopped = true;
    if (this.busyRetry !== null) clearTimeout(this.busyRetry);
    this.busyRetry = null;
    this.held = [];
    this.view = null;
    this.parser.reset();
  }

  /**
   * Bytes from the link. `chunk` may be a view of a buffer the caller reuses once this returns:
   * nothing keeps it.
   */
  receive(chunk: Buffer): void {
    if (this.stopped || chunk.length === 0) return;
    this.viewStart = this.receivedBytes;
    this.view = chunk;
    this.receivedBytes += chunk.length;
    this.parser.feed(chunk);
    const unapplied = this.receivedBytes - this.appliedBytes;
    if (unapplied > this.host.unappliedLimitBytes) {
      this.view = null;
      this.host.overBound(unapplied);
      return;
    }
    this.applyPending();
    if (this.stopped) return;
    // The read buffer is about to be reused: copy out what is still needed.
    const keepFrom = Math.max(this.fedBytes, this.viewStart) - this.viewStart;
    if (keepFrom < chunk.length) this.held.push(Buffer.from(chunk.subarray(keepFrom)));
    this.view = null;
    this.parser.retainPending();
  }

  /** CLIENT PAUSE released the postponed command (it has run by now): go on with the stream. */
  resume(): void {
    if (this.stopped || this.postponedEnd < 0 || this.client.pausedArgv !== null) return;
    const end = this.postponedEnd;
    this.postponedEnd = -1;
    this.commandApplied(end);
    this.applyPending();
  }

  /** Everything applicable now, as one batch; then the applied bytes are fed on, once. */
  private applyPending(): void {
    this.host.applyBatch(this.client, this.runBatch);
    this.feedApplied();
  }

  private applyAvailable(): void {
    const client = this.client;
    const parser = this.parser;
    while (!this.stopped && this.postponedEnd < 0 && !client.closed) {
      if (this.host.busy()) {
        // Redis reads no input from its master while a script is busy; looked at again shortly.
        this.busyRetry ??= setTimeout(() => {
          this.busyRetry = null;
          this.applyPending();
        }, BUSY_RETRY_MS);
        return;
      }
      const argv = parser.next();
      if (argv === null) break;
      if (argv instanceof ProtocolError) {
        this.host.protocolError(argv.message, parser.peekPending(128));
        return;
      }
      const bigArgs = parser.takeBigArgs();
      const end = this.receivedBytes - parser.pendingBytes;
      // REPLCONF GETACK runs too: it sends the ACK with reploff as it is before the command.
      this.host.runRequest(client, argv, bigArgs);
      if (client.pausedArgv !== null) {
        this.postponedEnd = end;
        return;
      }
      this.commandApplied(end);
    }
  }

  /** A command ended at `end`: outside a transaction its bytes (and a whole EXEC's) count as applied. */
  private commandApplied(end: number): void {
    if (this.client.inMulti) return;
    if (end > this.appliedBytes) this.appliedBytes = end;
  }

  /** The bytes applied since the last feed go on to this node's stream, as one piece where possible. */
  private feedApplied(): void {
    let count = this.appliedBytes - this.fedBytes;
    if (count <= 0) return;
    this.fedBytes = this.appliedBytes;
    while (count > 0 && this.held.length > 0) {
      const piece = this.takeHeld(count);
      count -= piece.length;
      this.host.feed(piece);
    }
    if (count === 0) return;
    // The rest lies in the read being handled: [fedBytes - count, fedBytes) in stream offsets.
    const view = this.view as Buffer;
    const from = this.fedBytes - count - this.viewStart;
    this.host.feedView(view.subarray(from, from + count));
  }

  /** Up to `count` bytes from the front of `held`. */
  private takeHeld(count: number): Buffer {
    const first = this.held[0];
    if (first.length <= count) {
      this.held.shift();
      return first;
    }
    this.held[0] = first.subarray(count);
    return first.subarray(0, count);
  }
}

/**
 * The primary's client's connection: replies are dropped (Redis writes none to a master), the
 * peer is the primary's address, and closing it (CLIENT KILL TYPE master) drops the link.
 */
export class PrimaryLinkConnection implements Connection {
  readonly isLocal = false;
  readonly pendingOutputBytes: number = 0;
  readonly queryBufferBytes: number = 0;
  readonly queryBufferCapacityBytes: number = 0;
  readonly partialRequestBytes: number = 0;
  readonly queryBufferUsedBytes: number = 0;

  constructor(
    readonly remoteAddress: string,
    readonly localAddress: string,
    readonly fd: number,
    private readonly onClose: () => void,
    private readonly onResume: () => void,
  ) {}

  write(_chunk: Buffer | readonly Buffer[]): void {
    // The primary reads no replies to its stream: dropping them is what Redis does.
  }

  end(): void {
    this.onClose();
  }

  destroy(): void {
    this.onClose();
  }

  pauseReading(): void {
    // The applier itself stops at a postponed command (it sees client.pausedArgv).
  }

  resumeReading(): void {
    // Called just before the postponed command runs again: the stream goes on after it.
    setImmediate(this.onResume);
  }

  setAuthenticated(_authenticated: boolean): void {}

  whenDrained(callback: () => void): void {
    // Nothing written to this connection waits: replies to the primary are dropped.
    callback();
  }
}
