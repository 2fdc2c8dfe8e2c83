// @ts-check
// Small helpers shared by the benchmark scripts: free ports, waiting for a listener or a
// condition, medians, a process's CPU time from /proc, the PING prober's worker, one
// cinnabar or redis-server process in a directory of its own, and a redis-benchmark run's
// requests/s (with the warm-up every measured run gets).

import { spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import Redis from 'ioredis';

const LAUNCHER = fileURLToPath(new URL('../bin/cinnabar-server', import.meta.url));

/**
 * @typedef {{ kind: 'cinnabar' | 'redis', port: number, pid: number, dir: string, client: Redis,
 *   proc: import('node:child_process').ChildProcess }} BenchServer
 */

/**
 * Starts one server (cinnabar through its launcher, as users run it) in a fresh temporary
 * directory, no save points, no AOF, DEBUG allowed locally, with a connected client.
 * @param {'cinnabar' | 'redis'} kind @param {number} port
 * @param {{ dirPrefix: string, extraArgs?: string[] }} options
 * @returns {Promise<BenchServer>}
 */
export async function startBenchServer(kind, port, options) {
  const dir = mkdtempSync(join(tmpdir(), `${options.dirPrefix}-${kind}-`));
  const args = ['--port', String(port), '--save', '', '--appendonly', 'no', '--dir', dir,
    ...(options.extraArgs ?? []), '--enable-debug-command', 'local', '--logfile', join(dir, 'node.log')];
  const log = openSync(join(dir, 'stdout.log'), 'w');
  const proc = spawn(kind === 'redis' ? 'redis-server' : LAUNCHER, args, { stdio: ['ignore', log, log], cwd: dir });
  closeSync(log);
  await waitPort(port);
  const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0 });
  await client.connect();
  return { kind, port, pid: proc.pid ?? 0, dir, client, proc };
}

/** Kills a server started by startBenchServer and removes its directory. @param {BenchServer} server */
export async function stopBenchServer(server) {
  server.client.disconnect();
  const exited = new Promise((resolve) => server.proc.once('exit', resolve));
  server.proc.kill('SIGKILL');
  await exited;
  rmSync(server.dir, { recursive: true, force: true });
}

/** @returns {Promise<number>} */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** @param {number} port @param {number} [timeoutMs] */
export async function waitPort(port, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => { s.destroy(); resolve(true); });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing on port ${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** @param {() => Promise<boolean> | boolean} check @param {number} [timeoutMs] @param {number} [pollMs] */
export async function until(check, timeoutMs = 60_000, pollMs = 50) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

/**
 * Requests per second of one redis-benchmark run: `args` (without -n and --csv), `requests`
 * requests, the row of `test`; `launcher` runs it through another program (`taskset -c 1`).
 * @param {string[]} args @param {string} test @param {number} requests @param {string[]} [launcher]
 * @returns {number}
 */
export function redisBenchmarkRps(args, test, requests, launcher = []) {
  const command = [...launcher, 'redis-benchmark', ...args, '-n', String(requests), '--csv'];
  const out = spawnSync(command[0], command.slice(1), { encoding: 'utf8', timeout: 600_000 });
  const row = out.stdout.split('\n').find((line) => line.startsWith(`"${test.toUpperCase()}"`));
  if (row === undefined) throw new Error(`redis-benchmark ${test}: ${out.stderr || out.stdout}`.slice(0, 300));
  return Number(JSON.parse(`[${row}]`)[1]);
}

/**
 * Requests of the unmeasured run that goes before each measured one. V8 compiles cinnabar's code
 * while it runs, so a freshly started process spends its first tens of thousands of requests
 * partly in the interpreter; a server in service is past that. Both servers get the same warm-up.
 */
export const WARM_UP_REQUESTS = Number(process.env.BENCH_WARM_UP ?? 20_000);

/** @param {number[]} values */
export function median(values) {
  const v = [...values].sort((a, b) => a - b);
  return v[Math.floor(v.length / 2)];
}

/** utime + stime of a process, in clock ticks (100 per second on Linux). @param {number} pid */
export function cpuTicks(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may hold spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

/**
 * cpuTicks plus the CPU of the process's children it has waited for (cutime + cstime): a save
 * or sync child's work, once reaped. @param {number} pid
 */
export function cpuTicksWithChildren(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
}

/**
 * The PING prober (bench/ping-probe.mjs) in a worker thread, with its 'ready' and 'done'
 * messages as promises; a 'failed' message, a worker error or exit rejects both.
 */
export class PingProbe {
  /** @param {number} port @param {number} intervalMs */
  constructor(port, intervalMs) {
    this.worker = new Worker(new URL('./ping-probe.mjs', import.meta.url), {
      workerData: { port, intervalMs },
    });
    /** @type {(err: Error) => void} */
    let failReady = () => {};
    /** @type {(err: Error) => void} */
    let failDone = () => {};
    /** @type {() => void} */
    let markReady = () => {};
    /** @type {(result: import('./ping-probe.mjs').ProbeResult) => void} */
    let markDone = () => {};
    /** @type {Promise<void>} */
    this.ready = new Promise((resolve, reject) => { markReady = resolve; failReady = reject; });
    /** @type {Promise<import('./ping-probe.mjs').ProbeResult>} */
    this.done = new Promise((resolve, reject) => { markDone = resolve; failDone = reject; });
    // Awaited later (or never, when the run fails first): no unhandled rejections meanwhile.
    this.ready.catch(() => {});
    this.done.catch(() => {});
    /** @param {Error} err */
    const fail = (err) => {
      failReady(err);
      failDone(err);
    };
    this.worker.on('message', (message) => {
      if (message.type === 'ready') markReady();
      else if (message.type === 'done') markDone(message.result);
      else if (message.type === 'failed') fail(new Error(`PING connection: ${message.error}`));
    });
    this.worker.on('error', (err) => fail(err));
    this.worker.on('exit', (code) => fail(new Error(`PING worker exited (code ${code})`)));
  }

  /** Asks for the result: the PING in flight is still awaited, then the worker reports. */
  stop() {
    this.worker.postMessage({ type: 'stop' });
    return this.done;
  }

  terminate() {
    return this.worker.terminate();
  }
}
