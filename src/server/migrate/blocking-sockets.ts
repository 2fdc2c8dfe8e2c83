// Blocking socket I/O for the main thread, as Redis's syncio.c gives MIGRATE: connect, write a
// request and read reply lines, each bounded by a timeout, with nothing else running meanwhile.
//
// Node cannot block on a socket, but it can block on a worker: the sockets live in a worker
// thread (blocking-socket-worker.ts) which does the I/O on its own event loop, and the main
// thread posts each request and waits with Atomics.wait until the worker has answered, then
// takes the answer with receiveMessageOnPort. While it waits the node runs nothing else (no
// command, no timer, no cron), which is exactly the guarantee Redis's MIGRATE relies on.
// The worker starts with the first request (MIGRATE is rare; a worker costs a few MB) and is
// unref'd, so it never keeps the process alive.

import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import {
  blockingSocketWorker, STATE_SLOT_COUNT, STATE_SLOTS, type ExchangeFailure, type SocketRequest,
  type SocketResponse, type WorkerSetup,
} from './blocking-socket-worker.js';

/** Redis writes the request in 64 KB slices, each with the whole timeout. */
const WRITE_SLICE_BYTES = 64 * 1024;
/** Input nobody reads yet (a target answering more than asked) stops being read past this. */
const MAX_UNREAD_BYTES = 64 * 1024;
/** setTimeout's longest delay: longer ones fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;
/**
 * How long the worker may show no sign of life beyond the request's own timeout before the
 * main thread gives up on it (a fault, never a normal outcome: the worker's own timers end
 * every operation within the timeout). It covers the worker's start-up on a loaded machine.
 */
const WORKER_GRACE_MS = 5000;

export interface ExchangeResult {
  lines: string[];
  failure: ExchangeFailure | null;
}

export class BlockingSocketIo {
  private worker: Worker | null = null;
  private port: MessagePort | null = null;
  private state: Int32Array | null = null;
  private seq = 0;

  /**
   * `workerLost` is told when the worker stopped answering (it is then terminated, and every
   * connection it held is gone); `logWarning` gets the worker's unexpected faults.
   */
  constructor(private readonly workerLost: () => void, private readonly logWarning: (message: string) => void) {}

  /** A connection to host:port made within `timeoutMs`: its id, or null. */
  connect(host: string, port: number, timeoutMs: number): number | null {
    const response = this.call({ op: 'connect', seq: 0, host, port, timeoutMs: clampTimer(timeoutMs) }, timeoutMs);
    if (response === null || response.op !== 'connect') return null;
    return response.id === 0 ? null : response.id;
  }

  /**
   * Writes `data` over the connection and reads `lineCount` reply lines of at most
   * `maxLineBytes` bytes; each step may wait `timeoutMs` for the socket.
   */
  exchange(id: number, data: Uint8Array, lineCount: number, maxLineBytes: number, timeoutMs: number): ExchangeResult {
    const response = this.call({ op: 'exchange', seq: 0, id, data, lineCount, maxLineBytes, timeoutMs: clampTimer(timeoutMs) }, timeoutMs);
    // A worker that stopped answering looks to the caller like a target that did.
    if (response === null || response.op !== 'exchange') return { lines: [], failure: { writing: false, timedOut: true } };
    return { lines: response.lines, failure: response.failure };
  }

  /** Closes a connection (nothing to wait for). */
  close(id: number): void {
    if (this.port === null) return;
    const request: SocketRequest = { op: 'close', id };
    this.port.postMessage(request);
  }

  /** Stops the worker and with it every connection. */
  shutdown(): void {
    const worker = this.worker;
    this.worker = null;
    this.port?.close();
    this.port = null;
    this.state = null;
    if (worker !== null) {
      worker.terminate().catch((err: unknown) => this.logWarning(`MIGRATE socket worker did not stop cleanly: ${String(err)}`));
    }
  }

  private start(): { port: MessagePort; state: Int32Array } {
    const channel = new MessageChannel();
    const state = new Int32Array(new SharedArrayBuffer(STATE_SLOT_COUNT * Int32Array.BYTES_PER_ELEMENT));
    const setup: WorkerSetup = {
      port: channel.port2, state, slots: STATE_SLOTS,
      writeSliceBytes: WRITE_SLICE_BYTES, maxUnreadBytes: MAX_UNREAD_BYTES, maxTimerMs: MAX_TIMER_MS,
    };
    const worker = new Worker(`(${blockingSocketWorker.toString()})(require('node:net'), require('node:worker_threads'))`, {
      eval: true, workerData: setup, transferList: [channel.port2],
    });
    worker.unref();
    worker.on('error', (err) => this.logWarning(`MIGRATE socket worker failed: ${err.stack ?? err.message}`));
    this.worker = worker;
    this.port = channel.port1;
    this.state = state;
    return { port: channel.port1, state };
  }

  /** Posts the request and blocks until its answer; null when the worker stopped answering. */
  private call(request: Exclude<SocketRequest, { op: 'close' }>, timeoutMs: number): SocketResponse | null {
    const { port, state } = this.port !== null && this.state !== null ? { port: this.port, state: this.state } : this.start();
    const seq = ++this.seq;
    request.seq = seq;
    if (request.op === 'exchange') {
      // Handed over, not copied, when the bytes own their whole buffer (a pooled Buffer's
      // memory is shared with others and must be copied).
      const data = request.data;
      const owned = data.byteOffset === 0 && data.byteLength === data.buffer.byteLength && data.buffer instanceof ArrayBuffer;
      if (!owned) request.data = new Uint8Array(data);
      port.postMessage(request, [request.data.buffer as ArrayBuffer]);
    } else {
      port.postMessage(request);
    }
    const stallLimitMs = Math.min(clampTimer(timeoutMs), MAX_TIMER_MS - WORKER_GRACE_MS) + WORKER_GRACE_MS;
    let progress = Atomics.load(state, STATE_SLOTS.progress);
    let progressAtMs = Date.now();
    for (;;) {
      const done = Atomics.load(state, STATE_SLOTS.done);
      if (done === seq) break;
      Atomics.wait(state, STATE_SLOTS.done, done, Math.min(stallLimitMs, 1000));
      if (Atomics.load(state, STATE_SLOTS.done) === seq) break;
      const now = Date.now();
      const current = Atomics.load(state, STATE_SLOTS.progress);
      if (current !== progress) {
        progress = current;
        progressAtMs = now;
      } else if (now - progressAtMs >= stallLimitMs) {
        this.lose('MIGRATE socket worker stopped answering; its connections are dropped');
        return null;
      }
    }
    for (;;) {
      const received = receiveMessageOnPort(port);
      if (received === undefined) {
        this.lose('MIGRATE socket worker answered without a message; its connections are dropped');
        return null;
      }
      const response = received.message as SocketResponse;
      if (response.seq !== seq) continue;
      if (response.fault !== null) this.logWarning(`MIGRATE socket worker fault: ${response.fault}`);
      return response;
    }
  }

  private lose(message: string): void {
    this.logWarning(message);
    this.shutdown();
    this.workerLost();
  }
}

function clampTimer(ms: number): number {
  return Math.min(Math.max(ms, 1), MAX_TIMER_MS);
}
