// The primary's replication stream applied on this replica (Redis's master client,
// CLIENT_MASTER): commands parsed from the link and run through a client with no socket of its
// own, whose replies are dropped (the primary reads none, except the ACK a REPLCONF GETACK asks
// for). The applied offset (reploff) advances by the bytes of each whole command, and of a whole
// MULTI ... EXEC at its EXEC; those same bytes are then proxied verbatim into this node's own
// stream (replication.feed), so sub-replicas and the backlog see the primary's offsets.

import { ProtocolError, RespParser, materializeBigArgs } from '../../protocol/parser.js';
import type { Client } from '../../engine/client.js';
import type { Connection } from '../../engine/connection.js';

/** Longest argument accepted from the primary (it is not bound by proto-max-bulk-len, as in Redis). */
const PRIMARY_MAX_BULK_BYTES = Number.MAX_SAFE_INTEGER;

/** How often a stream held back by a busy script looks whether the script ended. */
const BUSY_RETRY_MS = 10;

export interface ApplierHost {
  /** Runs one command for the primary's client (checks, call(), propagation to the AOF). */
  runCommand(client: Client, argv: string[]): void;
  /** Runs `apply` with the dataset treating no key as expired (the primary's commands see every key). */
  withoutExpiry(apply: () => void): void;
  /** The applied bytes, into this node's own replication stream. */
  feed(bytes: Buffer): void;
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

export class StreamApplier {
  private readonly parser = new RespParser({ maxBulkLenBytes: PRIMARY_MAX_BULK_BYTES, authRequired: false });
  /** Stream bytes received since the link started (the offset of the last is readReploff). */
  private receivedBytes = 0;
  /** Stream bytes applied since the link started. */
  private appliedBytes = 0;
  /** Received bytes not yet applied, oldest first, until they are fed on. */
  private raw: Buffer[] = [];
  /** A command postponed by CLIENT PAUSE: the stream waits for it (its end, in received bytes). */
  private postponedEnd = -1;
  private stopped = false;
  /** The retry while a busy script holds the stream back. */
  private busyRetry: NodeJS.Timeout | null = null;

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

  /** No more commands run (the link is going away). */
  stop(): void {
    this.stopped = true;
    if (this.busyRetry !== null) clearTimeout(this.busyRetry);
    this.busyRetry = null;
    this.raw = [];
    this.parser.reset();
  }

  /** Bytes from the link. */
  receive(chunk: Buffer): void {
    if (this.stopped || chunk.length === 0) return;
    this.receivedBytes += chunk.length;
    this.raw.push(chunk);
    this.parser.feed(chunk);
    const unapplied = this.receivedBytes - this.appliedBytes;
    if (unapplied > this.host.unappliedLimitBytes) {
      this.host.overBound(unapplied);
      return;
    }
    this.applyPending();
  }

  /** CLIENT PAUSE released the postponed command (it has run by now): go on with the stream. */
  resume(): void {
    if (this.stopped || this.postponedEnd < 0 || this.client.pausedArgv !== null) return;
    const end = this.postponedEnd;
    this.postponedEnd = -1;
    this.commandApplied(end);
    this.applyPending();
  }

  private applyPending(): void {
    // One expiry-free window for everything applicable now, not one per command.
    this.host.withoutExpiry(() => this.applyAvailable());
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
      if (bigArgs !== null) materializeBigArgs(argv, bigArgs);
      const end = this.receivedBytes - parser.pendingBytes;
      // REPLCONF GETACK runs too: it sends the ACK with reploff as it is before the command.
      this.host.runCommand(client, argv);
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
    const count = end - this.appliedBytes;
    if (count <= 0) return;
    this.appliedBytes = end;
    this.host.feed(this.takeRaw(count));
  }

  private takeRaw(count: number): Buffer {
    const first = this.raw[0];
    if (first.length === count) {
      this.raw.shift();
      return first;
    }
    if (first.length > count) {
      this.raw[0] = first.subarray(count);
      return first.subarray(0, count);
    }
    const out = Buffer.allocUnsafe(count);
    let filled = 0;
    while (filled < count) {
      const piece = this.raw[0];
      const take = Math.min(piece.length, count - filled);
      piece.copy(out, filled, 0, take);
      filled += take;
      if (take === piece.length) this.raw.shift();
      else this.raw[0] = piece.subarray(take);
    }
    return out;
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
