// The worker thread behind BlockingSocketIo (blocking-sockets.ts): it owns MIGRATE's TCP
// connections and does their I/O on its own event loop while the main thread waits for the
// answer (Atomics.wait), which is how the node blocks on a socket as Redis's syncio.c does.
//
// The worker runs `blockingSocketWorker` from its source text (Function.prototype.toString) in
// an eval'd worker, so it starts the same from dist/ and from the TypeScript sources under a
// test runner. The function therefore uses nothing from outside its body: the modules it needs
// are its parameters and its settings come in `workerData`. Only type imports are allowed here.

import type * as NetModule from 'node:net';
import type * as WorkerThreadsModule from 'node:worker_threads';

/** Slots of the shared Int32Array both threads see. */
export const STATE_SLOTS = {
  /** Sequence number of the last request answered (the main thread waits on it). */
  done: 0,
  /** Bumped on every socket event: the main thread's sign that the worker is alive. */
  progress: 1,
} as const;
export const STATE_SLOT_COUNT = 2;

export type SocketRequest =
  | { op: 'connect'; seq: number; host: string; port: number; timeoutMs: number }
  | {
    op: 'exchange'; seq: number; id: number; data: Uint8Array; lineCount: number;
    maxLineBytes: number; timeoutMs: number;
  }
  /** Not answered: the main thread does not wait for a close. */
  | { op: 'close'; id: number };

export interface ExchangeFailure {
  /** The request could not be written (else a reply line could not be read). */
  writing: boolean;
  /** Nothing happened on the socket for the timeout (ETIMEDOUT; else an error or EOF). */
  timedOut: boolean;
}

export type SocketResponse =
  /** id 0: the connection could not be made within the timeout. */
  | { op: 'connect'; seq: number; id: number; fault: string | null }
  | { op: 'exchange'; seq: number; lines: string[]; failure: ExchangeFailure | null; fault: string | null };

export interface WorkerSetup {
  port: WorkerThreadsModule.MessagePort;
  state: Int32Array;
  slots: typeof STATE_SLOTS;
  /** Writes go out in slices of this size, each with its own timeout (syncWrite per 64 KB). */
  writeSliceBytes: number;
  /** Past this much unread input a socket stops reading (the kernel's buffer then fills). */
  maxUnreadBytes: number;
  /** setTimeout's longest delay. */
  maxTimerMs: number;
}

/** The worker's whole program; see the comment at the top of the file. */
export function blockingSocketWorker(net: typeof NetModule, threads: typeof WorkerThreadsModule): void {
  const setup = threads.workerData as WorkerSetup;
  const { port, state, slots } = setup;

  interface Peer {
    socket: NetModule.Socket;
    /** Bytes received and not yet read as lines (at most maxUnreadBytes + one chunk). */
    unread: Buffer;
    /** The peer closed its side (EOF once `unread` is consumed). */
    ended: boolean;
    /** The socket failed or was closed: no more I/O. */
    failed: boolean;
    /** Woken by every event on the socket (data, end, error, a write completing). */
    wake: (() => void) | null;
  }

  const peers = new Map<number, Peer>();
  let nextId = 1;

  const noteProgress = (): void => {
    Atomics.add(state, slots.progress, 1);
  };

  const wakePeer = (peer: Peer): void => {
    noteProgress();
    const wake = peer.wake;
    peer.wake = null;
    if (wake !== null) wake();
  };

  /** Resolves true at the peer's next event, false after `timeoutMs` without one. */
  const nextEvent = (peer: Peer, timeoutMs: number): Promise<boolean> => new Promise((resolve) => {
    const timer = setTimeout(() => {
      peer.wake = null;
      resolve(false);
    }, Math.min(Math.max(timeoutMs, 1), setup.maxTimerMs));
    peer.wake = () => {
      clearTimeout(timer);
      resolve(true);
    };
  });

  /** The new connection's id, or 0 when it could not be made within `timeoutMs`. */
  const connect = (host: string, portNumber: number, timeoutMs: number): Promise<number> => new Promise((resolve) => {
    // getaddrinfo("") fails in Redis; Node would take an empty host for localhost.
    if (host === '' || !Number.isInteger(portNumber) || portNumber <= 0 || portNumber > 65535) {
      resolve(0);
      return;
    }
    const socket = net.connect({ host, port: portNumber, allowHalfOpen: true });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(0);
    }, Math.min(Math.max(timeoutMs, 1), setup.maxTimerMs));
    socket.once('error', () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(0);
    });
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      socket.setNoDelay(true);
      const peer: Peer = { socket, unread: Buffer.alloc(0), ended: false, failed: false, wake: null };
      socket.on('data', (chunk: Buffer) => {
        peer.unread = peer.unread.length === 0 ? chunk : Buffer.concat([peer.unread, chunk]);
        if (peer.unread.length > setup.maxUnreadBytes) socket.pause();
        wakePeer(peer);
      });
      socket.on('end', () => {
        peer.ended = true;
        wakePeer(peer);
      });
      // The failure is what the next exchange reports (as Redis finds it on its next syscall).
      socket.on('error', () => {
        peer.failed = true;
        wakePeer(peer);
      });
      socket.on('close', () => {
        peer.failed = true;
        wakePeer(peer);
      });
      const id = nextId++;
      peers.set(id, peer);
      noteProgress();
      resolve(id);
    });
  });

  /** Writes `data` in slices, each allowed `timeoutMs`; null when all of it was written. */
  const write = async (peer: Peer, data: Uint8Array, timeoutMs: number): Promise<ExchangeFailure | null> => {
    for (let pos = 0; pos < data.length; pos += setup.writeSliceBytes) {
      if (peer.failed) return { writing: true, timedOut: false };
      const slice = data.subarray(pos, Math.min(data.length, pos + setup.writeSliceBytes));
      let written = false;
      let writeError = false;
      peer.socket.write(slice, (err) => {
        if (err) writeError = true;
        else written = true;
        wakePeer(peer);
      });
      while (!written) {
        if (writeError || peer.failed) return { writing: true, timedOut: false };
        if (!(await nextEvent(peer, timeoutMs))) return { writing: true, timedOut: true };
      }
    }
    return null;
  };

  /**
   * One line as syncReadLine gives it: up to `maxLineBytes` bytes before "\n", a trailing "\r"
   * dropped; a "\n" with nothing before it counts as a failed read. null: not there yet.
   */
  const takeLine = (peer: Peer, maxLineBytes: number): string | 'empty' | null => {
    const unread = peer.unread;
    const scan = Math.min(unread.length, maxLineBytes);
    const newline = unread.subarray(0, scan).indexOf(10);
    let lineBytes: number;
    let consumed: number;
    if (newline >= 0) {
      lineBytes = newline > 0 && unread[newline - 1] === 13 ? newline - 1 : newline;
      consumed = newline + 1;
      if (newline === 0) {
        peer.unread = unread.subarray(1);
        return 'empty';
      }
    } else if (unread.length >= maxLineBytes) {
      lineBytes = maxLineBytes;
      consumed = maxLineBytes;
    } else {
      return null;
    }
    const line = unread.toString('latin1', 0, lineBytes);
    peer.unread = unread.subarray(consumed);
    if (peer.socket.isPaused() && peer.unread.length <= setup.maxUnreadBytes) peer.socket.resume();
    return line;
  };

  const readLine = async (peer: Peer, maxLineBytes: number, timeoutMs: number): Promise<string | ExchangeFailure> => {
    for (;;) {
      const line = takeLine(peer, maxLineBytes);
      if (line === 'empty') return { writing: false, timedOut: false };
      if (line !== null) return line;
      if (peer.ended || peer.failed) return { writing: false, timedOut: false };
      if (!(await nextEvent(peer, timeoutMs))) return { writing: false, timedOut: true };
    }
  };

  const exchange = async (request: Extract<SocketRequest, { op: 'exchange' }>): Promise<{ lines: string[]; failure: ExchangeFailure | null }> => {
    const peer = peers.get(request.id);
    const lines: string[] = [];
    if (peer === undefined) return { lines, failure: { writing: true, timedOut: false } };
    const writeFailure = await write(peer, request.data, request.timeoutMs);
    if (writeFailure !== null) return { lines, failure: writeFailure };
    while (lines.length < request.lineCount) {
      const line = await readLine(peer, request.maxLineBytes, request.timeoutMs);
      if (typeof line !== 'string') return { lines, failure: line };
      lines.push(line);
    }
    return { lines, failure: null };
  };

  const answer = (response: SocketResponse): void => {
    port.postMessage(response);
    Atomics.store(state, slots.done, response.seq);
    Atomics.notify(state, slots.done);
  };

  const describe = (err: unknown): string => (err instanceof Error ? err.stack ?? err.message : String(err));

  port.on('message', (request: SocketRequest) => {
    noteProgress();
    if (request.op === 'close') {
      const peer = peers.get(request.id);
      peers.delete(request.id);
      if (peer !== undefined) {
        peer.failed = true;
        peer.socket.destroy();
      }
      return;
    }
    if (request.op === 'connect') {
      connect(request.host, request.port, request.timeoutMs).then(
        (id) => answer({ op: 'connect', seq: request.seq, id, fault: null }),
        (err: unknown) => answer({ op: 'connect', seq: request.seq, id: 0, fault: describe(err) }),
      );
      return;
    }
    exchange(request).then(
      (result) => answer({ op: 'exchange', seq: request.seq, lines: result.lines, failure: result.failure, fault: null }),
      (err: unknown) => answer({ op: 'exchange', seq: request.seq, lines: [], failure: { writing: false, timedOut: false }, fault: describe(err) }),
    );
  });
}
