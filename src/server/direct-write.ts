// Writes to a client's socket handle without Node's Writable stream machinery.
//
// A reply is one small write that the kernel almost always takes whole at once. Through
// socket.write() each one also paid for the Writable's bookkeeping (state, a write request built
// per call, the after-write callback deferred to a nextTick): about 0.5 us of the ~1.5 us of user
// CPU per write, measured in a loop of small loopback writes. Here the bytes go to the handle's
// own write methods (what net.Socket itself calls underneath), with one request object reused for
// every write the kernel completed at once; a write it could not complete keeps its request and
// bytes until libuv reports it done, and libuv keeps every write in order.
//
// The reads of these sockets already bypass the Readable side the same way (socket-connection.ts).
// Whatever this relies on is checked once at start-up: when the binding or the handle's methods
// are not there, connections keep socket.write().

/** The parts of Node's stream_wrap binding this uses. */
interface StreamWrapBinding {
  WriteWrap: new () => WriteRequest;
  streamBaseState: Int32Array;
  kLastWriteWasAsync: number;
}

/** A WriteWrap: libuv's write request as JavaScript sees it. */
interface WriteRequest {
  handle: WritableHandle;
  oncomplete: (this: WriteRequest, status: number) => void;
  /** The writer that issued it and the bytes it still holds (while libuv writes them). */
  owner: DirectWriter | null;
  data: Buffer | readonly Buffer[] | null;
  sizeBytes: number;
}

/** The methods of a TCP or pipe handle this writes through. */
export interface WritableHandle {
  writeBuffer(req: WriteRequest, data: Buffer): number;
  writev(req: WriteRequest, chunks: readonly Buffer[], allBuffers: boolean): number;
}

function loadStreamWrap(): StreamWrapBinding | null {
  const binding = (process as unknown as { binding?: (name: string) => unknown }).binding;
  if (typeof binding !== 'function') return null;
  let loaded: unknown;
  try {
    loaded = binding.call(process, 'stream_wrap');
  } catch (err) {
    // A Node without the binding: every connection writes through socket.write() instead.
    process.emitWarning(`cinnabar: direct socket writes unavailable (${(err as Error).message})`);
    return null;
  }
  const candidate = loaded as Partial<StreamWrapBinding> | null;
  if (candidate === null || typeof candidate.WriteWrap !== 'function' || !(candidate.streamBaseState instanceof Int32Array) ||
      typeof candidate.kLastWriteWasAsync !== 'number') {
    return null;
  }
  return candidate as StreamWrapBinding;
}

const streamWrap = loadStreamWrap();

/** What the writer reports to its connection. */
export interface DirectWriteEvents {
  /** A write failed (status: a negative errno): the connection is to be destroyed. */
  onWriteError(status: number): void;
  /** Every write libuv held has completed. */
  onDrained(): void;
}

function onComplete(this: WriteRequest, status: number): void {
  const owner = this.owner;
  this.owner = null;
  this.data = null;
  if (owner !== null) owner.completed(this, status);
}

export class DirectWriter {
  /** Bytes of writes libuv still holds (the kernel's socket buffer was full). */
  pendingBytes = 0;
  /** A request no write holds, for the next write. */
  private spare: WriteRequest | null = null;

  private constructor(private readonly handle: WritableHandle, private readonly binding: StreamWrapBinding,
    private readonly events: DirectWriteEvents) {}

  /** A writer for `handle`, or null when this Node does not offer what it needs. */
  static create(handle: unknown, events: DirectWriteEvents): DirectWriter | null {
    if (streamWrap === null || typeof handle !== 'object' || handle === null) return null;
    const methods = handle as Partial<WritableHandle>;
    if (typeof methods.writeBuffer !== 'function' || typeof methods.writev !== 'function') return null;
    return new DirectWriter(handle as WritableHandle, streamWrap, events);
  }

  /** Writes `data` (pieces in one writev); false when the write failed at once (see onWriteError). */
  write(data: Buffer | readonly Buffer[]): boolean {
    const req = this.spare ?? this.newRequest();
    this.spare = null;
    const status = Buffer.isBuffer(data) ? this.handle.writeBuffer(req, data) : this.handle.writev(req, data, true);
    if (status !== 0) {
      this.spare = req;
      this.events.onWriteError(status);
      return false;
    }
    if (this.binding.streamBaseState[this.binding.kLastWriteWasAsync] === 0) {
      this.spare = req;
      return true;
    }
    // libuv writes the rest later from these bytes: the request keeps them until it completes.
    let sizeBytes = 0;
    if (Buffer.isBuffer(data)) sizeBytes = data.length;
    else for (const part of data) sizeBytes += part.length;
    req.owner = this;
    req.data = data;
    req.sizeBytes = sizeBytes;
    this.pendingBytes += sizeBytes;
    return true;
  }

  /**
   * libuv finished a held write (or cancelled it: the socket closed). Its request is not reused:
   * only requests that never went to libuv's queue are.
   */
  completed(req: WriteRequest, status: number): void {
    this.pendingBytes -= req.sizeBytes;
    req.sizeBytes = 0;
    if (status < 0) {
      this.events.onWriteError(status);
      return;
    }
    if (this.pendingBytes === 0) this.events.onDrained();
  }

  private newRequest(): WriteRequest {
    const req = new this.binding.WriteWrap();
    req.handle = this.handle;
    req.oncomplete = onComplete;
    req.owner = null;
    req.data = null;
    req.sizeBytes = 0;
    return req;
  }
}
