// What a client's replies travel over. The engine's Client does not know whether a socket is
// behind it: the server room gives network clients a socket connection; scripts, the AOF loader,
// a replica's link to its primary and tests get a socket-free one whose replies are kept in a
// buffer or dropped.

export interface Connection {
  /** "ip:port" of the peer, as CLIENT LIST addr= shows it ("" without a socket). */
  readonly remoteAddress: string;
  readonly localAddress: string;
  /** Connected from 127.0.0.1 or ::1 (Redis's islocalClient); true without a socket. */
  readonly isLocal: boolean;
  /** The socket's file descriptor, -1 when there is none (Redis shows fd=-1 for such clients). */
  readonly fd: number;
  /** Output handed to the connection and not yet written out (counted against output limits). */
  readonly pendingOutputBytes: number;
  /** Query buffer figures for CLIENT LIST (0 without a socket). */
  readonly queryBufferBytes: number;
  readonly queryBufferCapacityBytes: number;
  /** Arguments of an incomplete request parsed so far (client memory). */
  readonly partialRequestBytes: number;
  /** Query buffer length including requests already consumed in the current read. */
  readonly queryBufferUsedBytes: number;
  /**
   * Takes one batch of reply bytes (several Buffers when big values go out by reference: one
   * writev); the connection owns them from now on.
   */
  write(chunk: Buffer | readonly Buffer[]): void;
  /** Closes once what was written is out (QUIT, protocol errors). */
  end(): void;
  /** Closes now. */
  destroy(): void;
  /** Stops / restarts reading requests (CLIENT PAUSE holds a client this way). */
  pauseReading(): void;
  resumeReading(): void;
  /** Authentication lifts the request-size limits an unauthenticated connection has. */
  setAuthenticated(authenticated: boolean): void;
  /**
   * Calls `callback` once everything written so far has left (at once when nothing waits); never
   * after the connection closed. A replica's snapshot transfer paces itself by it.
   */
  whenDrained(callback: () => void): void;
}

/** A connection with no socket whose replies go nowhere (a replica applying its primary's stream). */
export class DiscardingConnection implements Connection {
  readonly remoteAddress: string = '';
  readonly localAddress: string = '';
  readonly isLocal = true;
  readonly fd = -1;
  readonly pendingOutputBytes: number = 0;
  readonly queryBufferBytes: number = 0;
  readonly queryBufferCapacityBytes: number = 0;
  readonly partialRequestBytes: number = 0;
  readonly queryBufferUsedBytes: number = 0;

  write(_chunk: Buffer | readonly Buffer[]): void {
    // Nobody reads this client's replies: dropping them is the point of this connection.
  }

  end(): void {}
  destroy(): void {}
  pauseReading(): void {}
  resumeReading(): void {}
  setAuthenticated(_authenticated: boolean): void {}
  whenDrained(callback: () => void): void {
    callback();
  }
}

/**
 * A connection with no socket that keeps every reply (scripts read them back, tests compare them
 * with what a socket client got). Bounded: past `limitBytes` the oldest output is an error.
 */
export class CapturingConnection extends DiscardingConnection {
  private chunks: Buffer[] = [];
  private capturedBytes = 0;

  constructor(private readonly limitBytes = DEFAULT_CAPTURE_LIMIT_BYTES) {
    super();
  }

  override write(chunk: Buffer | readonly Buffer[]): void {
    const parts = Buffer.isBuffer(chunk) ? [chunk] : chunk;
    for (const part of parts) {
      if (this.capturedBytes + part.length > this.limitBytes) {
        throw new Error(`socket-free client output over its ${this.limitBytes}-byte bound`);
      }
      // A shared value may change after the call returns: keep a copy.
      this.chunks.push(Buffer.from(part));
      this.capturedBytes += part.length;
    }
  }

  /** Everything written since the last call, as one Buffer. */
  takeOutput(): Buffer {
    const out = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks);
    this.chunks = [];
    this.capturedBytes = 0;
    return out;
  }
}

/** Default bound on a capturing connection's kept output (the largest reply it may hold). */
const DEFAULT_CAPTURE_LIMIT_BYTES = 1024 * 1024 * 1024;
