// @ts-check
// Worker thread of bench/run.mjs's big pipeline test: one connection that sends PING every
// ~intervalMs and records each round trip, while the main thread drives a huge pipeline on another
// connection. It runs in its own thread so that the main thread's work (writing and parsing
// hundreds of MiB) cannot delay a PONG's handling and pass for server latency.
//
// workerData: { port: number, intervalMs: number }
// Messages out: { type: 'ready' } after the first PONG; { type: 'done', result: ProbeResult }
// after the main thread posts { type: 'stop' }; { type: 'failed', error } if the connection fails.
// One PING is outstanding at a time: a stalled server shows as one long round trip rather than
// as a queue of PINGs answered together.

import net from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';

/**
 * @typedef {{ roundTripsMs: number[], sentAtMs: number[], unansweredMs: number | null, unansweredSentAtMs: number | null }} ProbeResult
 * `sentAtMs[i]`: when round trip i started, as performance.timeOrigin + performance.now() (a
 * clock the main thread shares), so that a slow PING can be placed in the pipeline's timeline.
 */

/** How long to wait, after 'stop', for the PING in flight before counting it as unanswered. */
const STOP_GRACE_MS = 10_000;
const PING = '*1\r\n$4\r\nPING\r\n';
const PONG = '+PONG\r\n';

const { port, intervalMs } = /** @type {{ port: number, intervalMs: number }} */ (workerData);
const parent = /** @type {import('node:worker_threads').MessagePort} */ (parentPort);

/** @type {(() => void) | null} */
let resolveStopped = null;
/** Settles when the main thread posts 'stop'. */
const stopped = new Promise((resolve) => { resolveStopped = () => resolve(undefined); });
let stopping = false;
/** Resolves the PING in flight with its reply line. */
/** @type {((reply: string) => void) | null} */
let onReply = null;
let received = '';

const socket = net.createConnection({ port, host: '127.0.0.1' });
socket.setNoDelay(true);
socket.setEncoding('latin1');
socket.on('data', (text) => {
  received += text;
  if (!received.includes('\n')) return; // a reply split across reads
  const reply = received;
  received = '';
  const resolve = onReply;
  onReply = null;
  resolve?.(reply);
});
socket.on('error', (err) => fail(err.message));
socket.on('close', () => fail('connection closed'));

parent.on('message', (message) => {
  if (message?.type !== 'stop') return;
  stopping = true;
  resolveStopped?.();
});

let finished = false;

/** @param {string} error */
function fail(error) {
  if (finished) return;
  finished = true;
  parent.postMessage({ type: 'failed', error });
  socket.destroy();
}

/** @param {number} ms */
function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function run() {
  await new Promise((resolve) => socket.once('connect', resolve));
  /** @type {number[]} */
  const roundTripsMs = [];
  /** @type {number[]} */
  const sentAtMs = [];
  /** @type {number | null} */
  let unansweredMs = null;
  /** @type {number | null} */
  let unansweredSentAtMs = null;
  // After 'stop' the PING in flight still counts (it was sent during the pipeline), but a server
  // that never answers must not hang the bench: it gets STOP_GRACE_MS, then counts as unanswered.
  const graceOver = stopped.then(() => sleep(STOP_GRACE_MS)).then(() => null);
  while (!stopping && !finished) {
    const sentAt = performance.now();
    /** @type {Promise<string>} */
    const reply = new Promise((resolve) => { onReply = resolve; });
    socket.write(PING);
    const text = await Promise.race([reply, graceOver]);
    const elapsed = performance.now() - sentAt;
    if (finished) return;
    if (text === null) {
      unansweredMs = elapsed;
      unansweredSentAtMs = performance.timeOrigin + sentAt;
      break;
    }
    if (text !== PONG) {
      fail(`PING replied ${JSON.stringify(text.slice(0, 80))}`);
      return;
    }
    roundTripsMs.push(elapsed);
    sentAtMs.push(performance.timeOrigin + sentAt);
    if (roundTripsMs.length === 1) parent.postMessage({ type: 'ready' });
    await Promise.race([sleep(Math.max(0, intervalMs - elapsed)), stopped]);
  }
  if (finished) return;
  finished = true;
  socket.destroy();
  /** @type {ProbeResult} */
  const result = { roundTripsMs, sentAtMs, unansweredMs, unansweredSentAtMs };
  parent.postMessage({ type: 'done', result });
  // The main thread terminates this worker once it has the result.
}

run().catch((err) => fail(err instanceof Error ? err.message : String(err)));
