#!/usr/bin/env node
// @ts-check
// Side-by-side benchmark of cinnabar against redis-server 7.0 on this machine.
//
// The primary figure is server CPU time per request: utime+stime of the server process over the
// requests it served. On this small shared machine requests/s swings with whatever else runs
// (redis-benchmark itself shares the two cores), while the CPU a server spends per request moves
// less (it still rises under load: fewer requests arrive per read, so more syscalls per request),
// so targets are judged on CPU first; the requests/s ratio is shown next to it and has its own
// targets.
//
// Throughput: redis-benchmark (50 clients, non-pipelined and -P 16) against both servers for
// PING_INLINE, PING_MBULK, SET, GET, INCR, HSET, MSET and PUBLISH with 1 and 100 subscribers;
// data types non-pipelined: LPUSH, RPUSH, LPOP, RPOP, SADD, SPOP, ZADD, ZPOPMIN, LRANGE_100,
// LRANGE_600, XADD; scripts non-pipelined: EVALSHA of a script making 1 and 10 INCR calls (a
// test whose command cinnabar does not have yet is reported as missing); ACL: SET and GET of
// bench: keys as the default user and as a user limited to `~bench:* +@all`, on each server.
// Runs alternate between the two servers (which one goes first flips every round). Per test the
// CPU per request is reported as the range over the rounds (min-max) on each side, and judged on
// the ratio of the medians, cinnabar / redis (1.50 = cinnabar spends 1.5x redis's CPU per
// request): with 3 rounds the median ignores one disturbed round without flattering either side
// the way a best-of would. Requests/s keeps the best round of each side: it is the figure least
// disturbed by other load.
// Large values: SET and GET with 100 KiB and 1 MiB values (-d), 10 clients, few requests,
// non-pipelined, judged on CPU per request like the rest.
// Big pipeline latency: on a fresh server one connection pipelines 600 SETs of 1 MiB values and
// then 600 GETs of them while reading the replies; a second connection (in a worker thread, so
// the pipeline's I/O in this thread cannot delay it) sends PING every ~5 ms and records the
// round trips. Worst and p99 PING, and the server CPU for the whole pipeline, on both servers.
// Memory: fresh servers loaded through a pipelined raw socket, then VmRSS of both processes after
// a short settle; one case per shape: 1,000,000 keys key:0..key:999999 with 10-byte values;
// 100,000 lists of 10 short items; 100,000 hashes of 10 short fields; 1,000,000 members in one
// sorted set; 1,000,000 entries in one stream.
//
// Targets (cpu ratio = cinnabar CPU / redis CPU per request, lower is better; rps ratio =
// cinnabar / redis requests/s, higher is better):
//   non-pipelined, every test:  cpu ratio <= 1.5, rps ratio >= 0.9
//   -P 16, SET and GET:         cpu ratio <= 1.6, rps ratio >= 0.7  (other -P 16 tests: info)
//   large values:               cpu ratio <= 1.5                    (rps ratio: info)
//   big pipeline:               cinnabar's worst PING <= 2x redis-server's
//   memory, 1M keys:            RSS ratio cinnabar / redis <= 1.65
//   data types, non-pipelined:  cpu ratio <= 1.6, rps ratio >= 0.85
//   scripts, non-pipelined:     rps ratio >= 0.6                    (cpu ratio: info)
//   ACL user, SET and GET:      its requests/s >= 0.95 of the default user's on cinnabar
//   memory, data-type cases:    RSS growth ratio cinnabar / redis <= 1.6 each (what loading added:
//                               these datasets are small beside an empty Node process)
//
// Environment knobs (all optional):
//   BENCH_ROUNDS=3            rounds per test
//   BENCH_N=80000             requests per non-pipelined run (scaled down for heavy tests)
//   BENCH_N_PIPELINED=400000  requests per -P 16 run
//   BENCH_ONLY=SET,GET        run only these tests (names as printed, BIG_PIPELINE_PING included)
//   BENCH_SKIP_MEMORY=1       skip the memory cases (BENCH_ONLY names them MEMORY_STRINGS, MEMORY_LISTS,
//                             MEMORY_HASHES, MEMORY_ZSET, MEMORY_STREAM)
//   BENCH_SKIP_THROUGHPUT=1   skip the redis-benchmark runs (large values included)
//   BENCH_SKIP_LARGE=1        skip the large-value tests and the big pipeline latency test
//   BENCH_EMPTY_DIR=1         start the throughput servers in an empty directory (no RDB at start-up,
//                             so no replication backlog) instead of as deployed (see startDeployed)
//   BENCH_PIPELINE_KEYS=600   1 MiB values SET then GET by the big pipeline test
//   BENCH_MEMORY_KEYS=1000000 keys for the strings memory case
//   BENCH_SETTLE_MS=2000      wait between loading and reading VmRSS
//   CINNABAR_ENTRY=/path/cinnabar-server.js  another build of cinnabar (e.g. an experiment), started
//                             with node directly; by default the launcher bin/cinnabar-server
//                             starts it, as users run it (heap limit, malloc settings)
//   CINNABAR_NODE_FLAGS="--max-semi-space-size=16"  extra node flags for cinnabar
//   BENCH_JSON=/path.json     also write the results as JSON
//   BENCH_STRICT=1            exit with status 1 when a target is missed

import { createHash } from 'node:crypto';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, PingProbe } from './lib.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CINNABAR_ENTRY = process.env.CINNABAR_ENTRY ?? path.join(ROOT, 'dist/bundle/cinnabar-server.js');
const CINNABAR_LAUNCHER = path.join(ROOT, 'bin/cinnabar-server');

const env = process.env;
const CLIENTS = 50;
const PIPELINE = 16;
const ROUNDS = positiveInt(env.BENCH_ROUNDS, 3);
const REQUESTS_PLAIN = positiveInt(env.BENCH_N, 80_000);
const REQUESTS_PIPELINED = positiveInt(env.BENCH_N_PIPELINED, 400_000);
const MEMORY_KEYS = positiveInt(env.BENCH_MEMORY_KEYS, 1_000_000);
const MEMORY_VALUE_BYTES = 10;
const RUN_TIMEOUT_MS = 90_000;
const READY_TIMEOUT_MS = 15_000;
const SETTLE_MS = positiveInt(env.BENCH_SETTLE_MS, 2_000);
const CINNABAR_NODE_FLAGS = (env.CINNABAR_NODE_FLAGS ?? '').split(/\s+/).filter((f) => f !== '');
const ONLY = env.BENCH_ONLY ? new Set(env.BENCH_ONLY.split(',').map((s) => s.trim().toUpperCase())) : null;
/** Whether BENCH_ONLY lets a test run (names compare case-insensitively: SET_1MiB, set_1mib). @param {string} name */
function selected(name) {
  return ONLY === null || ONLY.has(name.toUpperCase());
}

/** Targets per kind of run: `cpu` caps the CPU ratio, `rps` floors the requests/s ratio. */
const TARGETS = {
  plain: { cpu: 1.5, rps: 0.9 },
  pipelined: { cpu: 1.6, rps: 0.7 },
  large: { cpu: 1.5, rps: null },
  types: { cpu: 1.6, rps: 0.85 },
  scripts: { cpu: null, rps: 0.6 },
  acl: { cpu: null, rps: null },
};
/**
 * ACL: a user limited to `~bench:* +@all` against the default user on the same server, same
 * commands: requests/s of the limited user >= this fraction of the default user's.
 */
const TARGET_ACL_RPS_FRACTION = 0.95;
const ACL_USER = 'bench';
const ACL_PASSWORD = 'bench-password';
const TARGET_PIPELINED_TESTS = new Set(['SET', 'GET']);
const TARGET_RSS_RATIO = 1.65;
/** RSS targets of the data-type memory cases (lists, hashes, sorted sets, streams). */
const TARGET_TYPE_RSS_RATIO = 1.6;
const TARGET_PIPELINE_WORST_PING_RATIO = 2;

const SKIP_LARGE = env.BENCH_SKIP_LARGE === '1';
const EMPTY_DIR = env.BENCH_EMPTY_DIR === '1';
/** Clients for the large-value runs: 50 clients of 1 MiB requests only queue up behind each other. */
const LARGE_CLIENTS = 10;
const PIPELINE_TEST = 'BIG_PIPELINE_PING';
const PIPELINE_KEYS = positiveInt(env.BENCH_PIPELINE_KEYS, 600);
const PIPELINE_VALUE_BYTES = 1_048_576;
const PIPELINE_PING_INTERVAL_MS = 5;
/** Bound on the whole pipeline (writing, replies, last PING); past it the run counts as failed. */
const PIPELINE_TIMEOUT_MS = 120_000;

const PUBLISH_CHANNEL = 'chan';
const PUBLISH_MESSAGE = 'msg';
/** Bytes of one RESP2 "message" push for PUBLISH chan msg, to check every delivery arrived. */
const MESSAGE_FRAME_BYTES = Buffer.byteLength(
  `*3\r\n$7\r\nmessage\r\n$${PUBLISH_CHANNEL.length}\r\n${PUBLISH_CHANNEL}\r\n$${PUBLISH_MESSAGE.length}\r\n${PUBLISH_MESSAGE}\r\n`,
);

/**
 * @typedef {{
 *   name: string,
 *   benchArgs: string[],
 *   probe: string[],
 *   subscribers?: number,
 *   requestScale?: number,
 *   setup?: string[][],
 *   large?: { valueBytes: number, requests: number },
 *   group?: 'types' | 'scripts' | 'acl',
 * }} TestSpec
 * `probe` is sent once to cinnabar before the test: an error reply means the command is not
 * there yet (or broken), and the test is reported as missing instead of being run.
 * `requestScale` shrinks -n for tests whose every request costs much more (fan-out to 100).
 * `setup` commands are sent to each server before each of its runs (outside the CPU measurement);
 * an error reply fails the run. GET tests use it to give redis-benchmark's key the value size they are
 * about, whatever an earlier test (another size) left there.
 * `large` marks a large-value test: -d valueBytes, a fixed -n, LARGE_CLIENTS clients, and only
 * non-pipelined (at -P 16 a run would mostly measure how 16 MiB requests queue).
 * `group` marks a data-type test ('types': lists, sets, sorted sets, streams) or a scripting test
 * ('scripts': EVALSHA) or an ACL comparison ('acl': the same SET/GET as the default user and as
 * a user limited by key pattern): non-pipelined only, with the group's own targets and table.
 */

/** The key redis-benchmark's SET and GET use when no -r is given. */
const BENCH_KEY = 'key:__rand_int__';

/**
 * SET and GET of `valueBytes`-byte values, as redis-benchmark -d sends them (all 'x').
 * @param {string} label @param {number} valueBytes @param {number} requests @returns {TestSpec[]}
 */
function largeValueTests(label, valueBytes, requests) {
  const large = { valueBytes, requests };
  const benchArgs = ['-d', String(valueBytes)];
  return [
    { name: `SET_${label}`, benchArgs: ['-t', 'set', ...benchArgs], probe: ['SET', 'bench:probe:string', 'x'], large },
    {
      name: `GET_${label}`, benchArgs: ['-t', 'get', ...benchArgs], probe: ['GET', 'bench:probe:string'], large,
      setup: [['SET', BENCH_KEY, 'x'.repeat(valueBytes)]],
    },
  ];
}

/**
 * LRANGE of the first `count` items of a 600-item list, as redis-benchmark's LRANGE_<count>.
 * @param {number[]} counts @returns {TestSpec[]}
 */
function lrangeTests(counts) {
  const key = 'bench:lrange';
  const fill = [['DEL', key], ['RPUSH', key, ...Array.from({ length: 600 }, () => 'xxx')]];
  return counts.map((count) => ({
    name: `LRANGE_${count}`, benchArgs: ['LRANGE', key, '0', String(count - 1)],
    probe: ['LRANGE', 'bench:probe:list', '0', '1'], setup: fill, group: 'types',
  }));
}

/** A script whose body is `calls` INCRs of its key: EVALSHA_<calls>CALL. */
const SCRIPT_CALLS = [1, 10];

/**
 * EVALSHA of a script making 1 and 10 INCR calls, loaded with SCRIPT LOAD before each run.
 * @returns {TestSpec[]}
 */
function scriptTests() {
  return SCRIPT_CALLS.map((calls) => {
    const body = `${"redis.call('incr', KEYS[1]) ".repeat(calls)}return redis.call('get', KEYS[1])`;
    const sha = createHash('sha1').update(body).digest('hex');
    return {
      name: `EVALSHA_${calls}CALL`, benchArgs: ['EVALSHA', sha, '1', 'bench:script:counter'],
      probe: ['EVAL', body, '1', 'bench:probe:counter'], setup: [['SCRIPT', 'LOAD', body]], group: 'scripts',
    };
  });
}

/**
 * SET and GET of keys under bench:, as the default user and as a user allowed only `~bench:*`
 * (every request then passes the key-pattern check): SET_ACL_USER against SET_DEFAULT_USER.
 * @returns {TestSpec[]}
 */
function aclTests() {
  const setUser = ['ACL', 'SETUSER', ACL_USER, 'reset', 'on', `>${ACL_PASSWORD}`, '~bench:*', '+@all'];
  const login = ['--user', ACL_USER, '-a', ACL_PASSWORD];
  const set = ['SET', 'bench:acl:__rand_int__', 'xxx'];
  const get = ['GET', 'bench:acl:__rand_int__'];
  const fill = ['SET', 'bench:acl:__rand_int__', 'xxx'];
  /** @type {TestSpec[]} */
  const tests = [];
  for (const [name, command] of /** @type {const} */ ([['SET', set], ['GET', get]])) {
    const setup = [setUser, fill];
    tests.push(
      { name: `${name}_DEFAULT_USER`, benchArgs: [...command], probe: ['ACL', 'WHOAMI'], setup, group: 'acl' },
      { name: `${name}_ACL_USER`, benchArgs: [...login, ...command], probe: ['ACL', 'WHOAMI'], setup, group: 'acl' },
    );
  }
  return tests;
}

/** @type {TestSpec[]} */
const TESTS = [
  { name: 'PING_INLINE', benchArgs: ['-t', 'ping_inline'], probe: ['PING'] },
  { name: 'PING_MBULK', benchArgs: ['-t', 'ping_mbulk'], probe: ['PING'] },
  { name: 'SET', benchArgs: ['-t', 'set'], probe: ['SET', 'bench:probe:string', 'x'] },
  // redis-benchmark's default -d is 3: the value its SET test writes.
  { name: 'GET', benchArgs: ['-t', 'get'], probe: ['GET', 'bench:probe:string'], setup: [['SET', BENCH_KEY, 'xxx']] },
  { name: 'INCR', benchArgs: ['-t', 'incr'], probe: ['INCR', 'bench:probe:counter'] },
  { name: 'HSET', benchArgs: ['-t', 'hset'], probe: ['HSET', 'bench:probe:hash', 'field', 'value'] },
  { name: 'MSET', benchArgs: ['-t', 'mset'], probe: ['MSET', 'bench:probe:m1', 'a', 'bench:probe:m2', 'b'] },
  {
    name: 'PUBLISH_1SUB', benchArgs: ['PUBLISH', PUBLISH_CHANNEL, PUBLISH_MESSAGE],
    probe: ['PUBLISH', 'bench:probe:channel', 'x'], subscribers: 1,
  },
  {
    name: 'PUBLISH_100SUBS', benchArgs: ['PUBLISH', PUBLISH_CHANNEL, PUBLISH_MESSAGE],
    probe: ['PUBLISH', 'bench:probe:channel', 'x'], subscribers: 100, requestScale: 0.25,
  },
  // Sized so that one run takes a few seconds on cinnabar here.
  // Data types, as redis-benchmark's own tests send them (keys mylist, myset, myzset); LRANGE
  // reads a list of 600 three-byte items made fresh for each run (redis-benchmark's lrange tests
  // would run an LPUSH pass inside the measurement); redis-benchmark 7.0 has no XADD test.
  { name: 'LPUSH', benchArgs: ['-t', 'lpush'], probe: ['LPUSH', 'bench:probe:list', 'x'], group: 'types' },
  { name: 'RPUSH', benchArgs: ['-t', 'rpush'], probe: ['RPUSH', 'bench:probe:list', 'x'], group: 'types' },
  { name: 'LPOP', benchArgs: ['-t', 'lpop'], probe: ['LPOP', 'bench:probe:list'], group: 'types' },
  { name: 'RPOP', benchArgs: ['-t', 'rpop'], probe: ['RPOP', 'bench:probe:list'], group: 'types' },
  { name: 'SADD', benchArgs: ['-t', 'sadd'], probe: ['SADD', 'bench:probe:set', 'x'], group: 'types' },
  { name: 'SPOP', benchArgs: ['-t', 'spop'], probe: ['SPOP', 'bench:probe:set'], group: 'types' },
  { name: 'ZADD', benchArgs: ['-t', 'zadd'], probe: ['ZADD', 'bench:probe:zset', '1', 'x'], group: 'types' },
  { name: 'ZPOPMIN', benchArgs: ['-t', 'zpopmin'], probe: ['ZPOPMIN', 'bench:probe:zset'], group: 'types' },
  ...lrangeTests([100, 600]),
  {
    name: 'XADD', benchArgs: ['XADD', 'bench:stream', '*', 'myfield', 'myvalue'],
    probe: ['XADD', 'bench:probe:stream', '*', 'f', 'v'], group: 'types',
  },
  ...scriptTests(),
  ...aclTests(),
  ...largeValueTests('100KiB', 102_400, 20_000),
  ...largeValueTests('1MiB', 1_048_576, 2_000),
];

// ------------------------------------------------------------------ small helpers

/** @param {string | undefined} text @param {number} fallback */
function positiveInt(text, fallback) {
  const n = Number(text);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

/** @param {number} ms */
function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** @param {unknown} err */
function messageOf(err) {
  return err instanceof Error ? err.message : String(err);
}

/** Encodes one command as a RESP multibulk request. @param {readonly string[]} argv */
function encodeCommand(argv) {
  let out = `*${argv.length}\r\n`;
  for (const a of argv) out += `$${Buffer.byteLength(a)}\r\n${a}\r\n`;
  return out;
}

/** @param {string} command */
function haveCommand(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

// ------------------------------------------------------------------ child processes

/** Every child we started, so that exit paths (errors, SIGINT) can stop them all. */
/** @type {Set<import('node:child_process').ChildProcess>} */
const children = new Set();

/**
 * @param {string} command @param {string[]} args
 * @param {import('node:child_process').SpawnOptions} options
 */
function startChild(command, args, options) {
  const child = spawn(command, args, options);
  children.add(child);
  child.once('exit', () => children.delete(child));
  // A failed spawn (ENOENT) emits 'error'; the exit handling above and callers cover the rest.
  child.once('error', (err) => {
    children.delete(child);
    process.stderr.write(`bench: could not run ${command}: ${err.message}\n`);
  });
  return child;
}

function killAllChildren() {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  children.clear();
}

process.on('exit', () => {
  killAllChildren();
  removeWorkDir();
});
for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM', 'SIGHUP'])) {
  process.on(signal, () => {
    process.stderr.write(`\nbench: ${signal}, stopping servers\n`);
    killAllChildren();
    process.exit(130);
  });
}

// ------------------------------------------------------------------ raw RESP connection

/** A minimal RESP client: sends commands, collects complete top-level replies as raw text. */
class RawClient {
  /** @param {net.Socket} socket */
  constructor(socket) {
    this.socket = socket;
    /** @type {Buffer} */
    this.pending = Buffer.alloc(0);
    /** @type {Array<(reply: string) => void>} */
    this.waiters = [];
    /** @type {string[]} */
    this.replies = [];
    socket.on('data', (chunk) => this.onData(chunk));
  }

  /** @param {number} port @returns {Promise<RawClient>} */
  static connect(port) {
    return new Promise((resolve, reject) => {
      const socket = net.createConnection({ port, host: '127.0.0.1' });
      socket.setNoDelay(true);
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.off('error', reject);
        // Errors after connecting surface as a closed connection to the waiter (timeout).
        socket.on('error', () => socket.destroy());
        resolve(new RawClient(socket));
      });
    });
  }

  /** @param {Buffer} chunk */
  onData(chunk) {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    for (;;) {
      const end = replyEnd(this.pending, 0);
      if (end < 0) return;
      const reply = this.pending.toString('latin1', 0, end);
      this.pending = this.pending.subarray(end);
      const waiter = this.waiters.shift();
      if (waiter) waiter(reply);
      else this.replies.push(reply);
    }
  }

  /** Sends a command and resolves with its raw reply (e.g. "+OK\r\n"). @param {string[]} argv */
  command(argv, timeoutMs = 5_000) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no reply to ${argv[0]} within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push((reply) => {
        clearTimeout(timer);
        resolve(reply);
      });
      this.socket.write(encodeCommand(argv));
    });
  }

  close() {
    this.socket.destroy();
  }
}

/**
 * Index just past the complete RESP2/RESP3 reply starting at `start`, or -1 if incomplete.
 * @param {Buffer} buf @param {number} start @returns {number}
 */
function replyEnd(buf, start) {
  if (start >= buf.length) return -1;
  const lineEnd = buf.indexOf('\r\n', start);
  if (lineEnd < 0) return -1;
  const type = String.fromCharCode(buf[start]);
  const header = buf.toString('latin1', start + 1, lineEnd);
  const afterLine = lineEnd + 2;
  if ('$=!'.includes(type)) {
    const len = Number(header);
    if (len < 0) return afterLine;
    return buf.length >= afterLine + len + 2 ? afterLine + len + 2 : -1;
  }
  if ('*~>%|'.includes(type)) {
    const count = Number(header);
    if (count < 0) return afterLine;
    const items = type === '%' || type === '|' ? count * 2 : count;
    let at = afterLine;
    for (let i = 0; i < items; i++) {
      at = replyEnd(buf, at);
      if (at < 0) return -1;
    }
    return at;
  }
  return afterLine; // + - : , # _ ( single-line replies
}

// ------------------------------------------------------------------ servers

/**
 * @typedef {{
 *   label: string,
 *   port: number,
 *   child: import('node:child_process').ChildProcess,
 *   logFile: string,
 *   exitNote: string | null,
 * }} RunningServer
 */

/** Server logs and --dir of both servers; removed on every exit path. */
const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cinnabar-bench-'));

function removeWorkDir() {
  fs.rmSync(workDir, { recursive: true, force: true });
}

/**
 * @param {'redis' | 'cinnabar'} kind
 * @param {string} dataDir the server's --dir (an RDB found there is loaded at start-up)
 * @returns {Promise<RunningServer>}
 */
async function startServer(kind, dataDir = workDir) {
  const port = await freePort();
  const logFile = path.join(workDir, `${kind}-${port}.log`);
  const logFd = fs.openSync(logFile, 'w');
  const serverArgs = ['--port', String(port), '--save', '', '--appendonly', 'no', '--dir', dataDir];
  const child = kind === 'redis'
    ? startChild('redis-server', serverArgs, { stdio: ['ignore', logFd, logFd] })
    : process.env.CINNABAR_ENTRY === undefined
      // The launcher execs node (same PID); extra node flags reach it through NODE_OPTIONS.
      ? startChild(CINNABAR_LAUNCHER, serverArgs, {
        stdio: ['ignore', logFd, logFd],
        env: { ...process.env, NODE_OPTIONS: [process.env.NODE_OPTIONS ?? '', ...CINNABAR_NODE_FLAGS].join(' ').trim() },
      })
      : startChild(process.execPath, [...CINNABAR_NODE_FLAGS, CINNABAR_ENTRY, ...serverArgs], { stdio: ['ignore', logFd, logFd] });
  fs.closeSync(logFd);
  /** @type {RunningServer} */
  const server = { label: kind, port, child, logFile, exitNote: null };
  child.once('exit', (code, signal) => {
    server.exitNote = `${kind} exited (code ${code}, signal ${signal})`;
  });
  await waitReady(server);
  return server;
}

/**
 * A server as deployed: a primary that once had a replica, restarted in a data directory holding the
 * RDB its earlier run saved. Both servers then keep a replication backlog from start-up (Redis 7.0
 * restores it when the RDB it loads carries replication info, which a primary writes once it has a
 * backlog), so every write is also appended to the backlog, as on a production primary.
 * @param {'redis' | 'cinnabar'} kind @returns {Promise<RunningServer>}
 */
async function startDeployed(kind) {
  const dataDir = path.join(workDir, `${kind}-data`);
  fs.mkdirSync(dataDir, { recursive: true });
  const earlier = await startServer(kind, dataDir);
  try {
    await attachReplicaOnce(earlier.port);
    const client = await RawClient.connect(earlier.port);
    try {
      await client.command(['SET', 'bench:deployed', 'yes'], 5_000);
      // The sync's own background save (the replica left before taking it) must end before SAVE.
      const deadline = Date.now() + 10_000;
      while (/rdb_bgsave_in_progress:1/.test(await client.command(['INFO', 'persistence'], 5_000))) {
        if (Date.now() > deadline) throw new Error(`${kind}: the sync's background save did not end`);
        await sleep(20);
      }
      const saved = await client.command(['SAVE'], 30_000);
      if (!saved.startsWith('+OK')) throw new Error(`${kind}: SAVE replied ${JSON.stringify(saved)}`);
    } finally {
      client.close();
    }
  } finally {
    await stopServer(earlier);
  }
  const server = await startServer(kind, dataDir);
  const client = await RawClient.connect(server.port);
  try {
    const info = await client.command(['INFO', 'replication'], 5_000);
    if (!/repl_backlog_active:1/.test(info)) {
      throw new Error(`${kind} restarted from its RDB without a replication backlog:\n${info}`);
    }
  } finally {
    client.close();
  }
  return server;
}

/**
 * Plays a replica that asks for a full sync and leaves once the primary has started it: enough for
 * the primary to create its replication backlog (kept for repl-backlog-ttl after the replica left).
 * @param {number} port
 */
function attachReplicaOnce(port) {
  return new Promise((resolve, reject) => {
    const socket = net.createConnection({ port, host: '127.0.0.1' });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no FULLRESYNC from port ${port} within 10 s`));
    }, 10_000);
    let seen = '';
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    socket.on('data', (chunk) => {
      seen += chunk.toString('latin1');
      if (!seen.includes('+FULLRESYNC')) return;
      clearTimeout(timer);
      socket.destroy();
      resolve(undefined);
    });
    socket.write('PSYNC ? -1\r\n');
  });
}

/** Waits until the server answers PING. @param {RunningServer} server */
async function waitReady(server) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let lastError = '';
  while (Date.now() < deadline) {
    if (server.exitNote !== null) break;
    try {
      const client = await RawClient.connect(server.port);
      try {
        const reply = await client.command(['PING'], 2_000);
        if (reply.startsWith('+PONG')) return;
        lastError = `PING replied ${JSON.stringify(reply)}`;
      } finally {
        client.close();
      }
    } catch (err) {
      lastError = messageOf(err);
    }
    await sleep(50);
  }
  throw new Error(`${server.label} did not start on port ${server.port}: ${server.exitNote ?? lastError}\n${logTail(server)}`);
}

/** @param {RunningServer} server */
function logTail(server) {
  try {
    let lines = fs.readFileSync(server.logFile, 'latin1').trimEnd().split('\n');
    // A crashed node (heap out of memory) ends with V8's native stack, which would push the
    // "FATAL ERROR: ..." line that says what happened out of the tail.
    const nativeStack = lines.indexOf('----- Native stack trace -----');
    if (nativeStack > 0) lines = lines.slice(0, nativeStack);
    return lines.slice(-15).map((l) => `    | ${l}`).join('\n');
  } catch (err) {
    return `    (no log: ${messageOf(err)})`;
  }
}

/**
 * After a failed run: gives a server that just died the moment its exit takes to be reported,
 * so the failure is blamed on the crash (and the server restarted) rather than on the test.
 * @param {RunningServer} server
 */
async function noticeExit(server) {
  if (server.exitNote !== null) return;
  await Promise.race([new Promise((resolve) => server.child.once('exit', resolve)), sleep(500)]);
}

/** @param {RunningServer} server */
async function stopServer(server) {
  if (server.exitNote !== null) return;
  const exited = new Promise((resolve) => server.child.once('exit', resolve));
  server.child.kill('SIGTERM');
  const timedOut = await Promise.race([exited.then(() => false), sleep(5_000).then(() => true)]);
  if (timedOut) server.child.kill('SIGKILL');
}

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ). */
const CLOCK_TICKS_PER_SEC = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'latin1' }).stdout.trim()) || 100;

/**
 * CPU time (user + system, all threads) the server process used so far, in microseconds.
 * Throughput on a shared 2-core machine swings with other load; CPU per request does much less,
 * so it is reported next to requests/s.
 * @param {RunningServer} server
 */
function cpuMicros(server) {
  const stat = fs.readFileSync(`/proc/${server.child.pid}/stat`, 'latin1');
  // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / CLOCK_TICKS_PER_SEC;
}

/** Resident set size in bytes, from /proc. @param {RunningServer} server */
function rssBytes(server) {
  return statusBytes(server, 'VmRSS');
}

/** The highest resident set size the server reached so far. @param {RunningServer} server */
function peakRssBytes(server) {
  return statusBytes(server, 'VmHWM');
}

/** A "kB" field of /proc/<pid>/status, in bytes. @param {RunningServer} server @param {string} field */
function statusBytes(server, field) {
  const pid = server.child.pid;
  const status = fs.readFileSync(`/proc/${pid}/status`, 'latin1');
  const match = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(status);
  if (!match) throw new Error(`no ${field} for pid ${pid}`);
  return Number(match[1]) * 1024;
}

// ------------------------------------------------------------------ subscribers

/** Raw sockets subscribed to the benchmark channel; they count and discard what arrives. */
class Subscribers {
  /** @param {net.Socket[]} sockets */
  constructor(sockets) {
    this.sockets = sockets;
    this.receivedBytes = 0;
  }

  /** @param {number} port @param {number} count @returns {Promise<Subscribers>} */
  static async start(port, count) {
    /** @type {net.Socket[]} */
    const sockets = [];
    const group = new Subscribers(sockets);
    try {
      for (let i = 0; i < count; i++) {
        const client = await RawClient.connect(port);
        sockets.push(client.socket);
        const reply = await client.command(['SUBSCRIBE', PUBLISH_CHANNEL]);
        if (!reply.includes('subscribe')) throw new Error(`SUBSCRIBE replied ${JSON.stringify(reply.slice(0, 120))}`);
        // From now on only message pushes arrive: count their bytes, keep nothing.
        client.socket.removeAllListeners('data');
        client.socket.on('data', (chunk) => { group.receivedBytes += chunk.length; });
      }
    } catch (err) {
      group.close();
      throw err;
    }
    return group;
  }

  /**
   * Waits until `expectedBytes` arrived or the time is up; returns the delivered fraction.
   * @param {number} expectedBytes
   */
  async awaitDelivery(expectedBytes, timeoutMs = 15_000) {
    const deadline = Date.now() + timeoutMs;
    while (this.receivedBytes < expectedBytes && Date.now() < deadline) await sleep(20);
    return expectedBytes === 0 ? 1 : this.receivedBytes / expectedBytes;
  }

  close() {
    for (const s of this.sockets) s.destroy();
  }
}

// ------------------------------------------------------------------ redis-benchmark runs

/**
 * @typedef {{ rps: number, cpuMicrosPerRequest?: number } | { error: string }} RunOutcome
 */

/**
 * One redis-benchmark run; its --csv output has a header line and one row per test.
 * @param {number} port @param {string[]} testArgs @param {number} requests @param {number} pipeline
 * @param {number} clients
 * @returns {Promise<RunOutcome>}
 */
function runRedisBenchmark(port, testArgs, requests, pipeline, clients) {
  const args = ['-h', '127.0.0.1', '-p', String(port), '-c', String(clients), '-n', String(requests),
    '-P', String(pipeline), '--csv', ...testArgs];
  return new Promise((resolve) => {
    const child = startChild('redis-benchmark', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('latin1').on('data', (d) => { stdout += d; });
    child.stderr?.setEncoding('latin1').on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
    child.once('error', (err) => {
      clearTimeout(timer);
      resolve({ error: `redis-benchmark: ${err.message}` });
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (signal === 'SIGKILL') {
        resolve({ error: `timed out after ${RUN_TIMEOUT_MS / 1000}s` });
        return;
      }
      const rps = parseCsvRps(stdout);
      if (rps !== null) {
        resolve({ rps });
        return;
      }
      const serverError = /Error from server: (.*)/.exec(stdout + stderr);
      const detail = serverError ? serverError[1].trim() : (stderr || stdout).trim().split('\n').pop() ?? '';
      resolve({ error: `no result (exit ${code}): ${detail.slice(0, 100)}` });
    });
  });
}

/** The rps column of the first data row of redis-benchmark --csv output. @param {string} csv */
function parseCsvRps(csv) {
  const lines = csv.split('\n').map((l) => l.trim()).filter((l) => l.startsWith('"'));
  const header = lines.find((l) => l.startsWith('"test"'));
  const row = lines.find((l) => !l.startsWith('"test"'));
  if (!header || !row) return null;
  const columns = header.split(',').map((c) => c.replace(/"/g, ''));
  const cells = row.split('","').map((c) => c.replace(/"/g, ''));
  const rps = Number(cells[columns.indexOf('rps')]);
  return Number.isFinite(rps) && rps > 0 ? rps : null;
}

/**
 * Checks cinnabar can run the test's command. Returns null when it can, else the reason.
 * @param {RunningServer} server @param {TestSpec} test
 */
async function probe(server, test) {
  let client;
  try {
    client = await RawClient.connect(server.port);
    const reply = await client.command(test.probe);
    if (reply.startsWith('-')) return reply.slice(1).trim().slice(0, 100);
    return null;
  } catch (err) {
    return `probe failed: ${messageOf(err)}`;
  } finally {
    client?.close();
  }
}

/**
 * Sends a test's setup command. Returns null when it succeeded, else the reason.
 * @param {RunningServer} server @param {string[]} argv
 */
async function sendSetup(server, argv) {
  let client;
  try {
    client = await RawClient.connect(server.port);
    const reply = await client.command(argv, 30_000);
    return reply.startsWith('-') ? reply.slice(1).trim().slice(0, 100) : null;
  } catch (err) {
    await noticeExit(server);
    return server.exitNote ?? messageOf(err);
  } finally {
    client?.close();
  }
}

/**
 * One test in one mode against one server, with its subscribers if it needs them.
 * @param {RunningServer} server @param {TestSpec} test @param {number} pipeline
 * @returns {Promise<RunOutcome & { delivered?: number }>}
 */
async function runOne(server, test, pipeline) {
  const base = pipeline > 1 ? REQUESTS_PIPELINED : REQUESTS_PLAIN;
  const requests = test.large?.requests ?? Math.max(1_000, Math.round(base * (test.requestScale ?? 1)));
  const clients = test.large !== undefined ? LARGE_CLIENTS : CLIENTS;
  for (const command of test.setup ?? []) {
    const problem = await sendSetup(server, command);
    if (problem !== null) return { error: `setup ${command[0]}: ${problem}` };
  }
  const subscriberCount = test.subscribers ?? 0;
  /** @type {Subscribers | null} */
  let subscribers = null;
  try {
    if (subscriberCount > 0) subscribers = await Subscribers.start(server.port, subscriberCount);
  } catch (err) {
    return { error: `subscribers: ${messageOf(err)}`.slice(0, 110) };
  }
  try {
    const cpuBefore = cpuMicros(server);
    const outcome = await runRedisBenchmark(server.port, test.benchArgs, requests, pipeline, clients);
    if ('error' in outcome) await noticeExit(server);
    if (server.exitNote !== null) return { error: `${server.exitNote}\n${logTail(server)}` };
    if (!('rps' in outcome)) return outcome;
    /** @type {number | undefined} */
    let delivered;
    if (subscribers !== null) delivered = await subscribers.awaitDelivery(requests * subscriberCount * MESSAGE_FRAME_BYTES);
    // Includes connection setup and, for PUBLISH, the fan-out still being written out.
    const cpuMicrosPerRequest = (cpuMicros(server) - cpuBefore) / requests;
    return { ...outcome, cpuMicrosPerRequest, delivered };
  } finally {
    subscribers?.close();
  }
}

// ------------------------------------------------------------------ throughput phase

/**
 * @typedef {{
 *   test: string, pipeline: number, large: boolean, group: 'types' | 'scripts' | null,
 *   redis: number[], cinnabar: number[],
 *   cpu: { redis: number[], cinnabar: number[] },
 *   redisError: string | null, cinnabarError: string | null,
 *   delivered: { redis: number, cinnabar: number } | null,
 * }} ThroughputRow
 */

/** @param {{ redis: RunningServer, cinnabar: RunningServer }} servers */
async function throughputPhase(servers) {
  const tests = TESTS.filter((t) => env.BENCH_SKIP_THROUGHPUT !== '1' && selected(t.name) && !(SKIP_LARGE && t.large));
  /** @type {ThroughputRow[]} */
  const rows = [];
  for (const test of tests) {
    for (const pipeline of test.large || test.group ? [1] : [1, PIPELINE]) {
      rows.push({
        test: test.name, pipeline, large: test.large !== undefined, group: test.group ?? null, redis: [], cinnabar: [],
        cpu: { redis: [], cinnabar: [] }, redisError: null, cinnabarError: null, delivered: null,
      });
    }
  }
  for (let round = 0; round < ROUNDS; round++) {
    process.stderr.write(`round ${round + 1}/${ROUNDS}:`);
    for (const row of rows) {
      const test = /** @type {TestSpec} */ (tests.find((t) => t.name === row.test));
      if (row.cinnabarError === null) {
        servers.cinnabar = await ensureCinnabar(servers.cinnabar);
        const missing = await probe(servers.cinnabar, test);
        if (missing !== null) row.cinnabarError = `missing/failing: ${missing}`;
      }
      // Alternate which server goes first so that drifting background load hits both alike.
      const order = round % 2 === 0 ? /** @type {const} */ (['redis', 'cinnabar']) : /** @type {const} */ (['cinnabar', 'redis']);
      for (const side of order) {
        const errorKey = side === 'redis' ? 'redisError' : 'cinnabarError';
        if (row[errorKey] !== null) continue;
        if (side === 'cinnabar') servers.cinnabar = await ensureCinnabar(servers.cinnabar);
        const outcome = await runOne(servers[side], test, row.pipeline);
        if ('error' in outcome) {
          row[errorKey] = outcome.error;
          continue;
        }
        row[side].push(outcome.rps);
        if (outcome.cpuMicrosPerRequest !== undefined) row.cpu[side].push(outcome.cpuMicrosPerRequest);
        if (outcome.delivered !== undefined) {
          row.delivered ??= { redis: 1, cinnabar: 1 };
          row.delivered[side] = Math.min(row.delivered[side], outcome.delivered);
        }
      }
      process.stderr.write('.');
    }
    process.stderr.write('\n');
  }
  return rows;
}

/** Restarts cinnabar if a previous test crashed it, so one bad command does not sink the rest. */
/** @param {RunningServer} server */
async function ensureCinnabar(server) {
  if (server.exitNote === null) return server;
  process.stderr.write(`\nbench: ${server.exitNote}; restarting cinnabar\n${logTail(server)}\n`);
  return startServer('cinnabar');
}

// ------------------------------------------------------------------ memory phase

/**
 * One memory case: `commands` requests made by `command(i)` load a fresh server, then VmRSS is
 * compared. `verify` checks the data arrived; `replyLines` is the number of lines each reply
 * takes (1 for +OK and integers, 2 for a bulk string), to count replies without parsing them.
 * `judgeOn`: 'total' compares the loaded processes' RSS; 'growth' compares what loading added
 * (loaded - empty RSS), for datasets small beside an empty Node process (~60 MB against
 * redis-server's ~12 MB), where the total would measure the runtime rather than the data.
 * @typedef {{
 *   name: string, description: string, items: number, itemLabel: string, commands: number,
 *   command: (i: number) => string[], replyLines: number, targetRatio: number,
 *   verify: (client: RawClient) => Promise<string>, judgeOn: 'total' | 'growth',
 * }} MemoryCase
 */

const MEMORY_LIST_ITEMS = 10;
const MEMORY_HASH_FIELDS = 10;
/** Members a ZADD of the sorted-set case carries, so loading takes few round trips. */
const MEMORY_ZADD_BATCH = 100;

/**
 * Expects `argv` to answer the integer `want`. @param {RawClient} client @param {string[]} argv
 * @param {number} want
 */
async function expectInteger(client, argv, want) {
  const reply = await client.command(argv);
  return reply === `:${want}\r\n` ? '' : `${argv.join(' ')} replied ${JSON.stringify(reply.slice(0, 40))}, expected ${want}`;
}

/** @type {MemoryCase[]} */
const MEMORY_CASES = [
  {
    name: 'STRINGS', description: `${MEMORY_KEYS.toLocaleString('en-US')} keys, ${MEMORY_VALUE_BYTES}-byte values`,
    items: MEMORY_KEYS, itemLabel: 'key', commands: MEMORY_KEYS, replyLines: 1, targetRatio: TARGET_RSS_RATIO, judgeOn: 'total',
    command: (i) => ['SET', `key:${i}`, memoryValue(i)],
    verify: (client) => verifyKeys(client, MEMORY_KEYS),
  },
  {
    name: 'LISTS', description: `100,000 lists of ${MEMORY_LIST_ITEMS} short items`,
    items: 100_000, itemLabel: 'list', commands: 100_000, replyLines: 1, targetRatio: TARGET_TYPE_RSS_RATIO, judgeOn: 'growth',
    command: (i) => ['RPUSH', `list:${i}`, ...Array.from({ length: MEMORY_LIST_ITEMS }, (_, j) => `item:${j}`)],
    verify: async (client) => (await expectInteger(client, ['DBSIZE'], 100_000)) || expectInteger(client, ['LLEN', 'list:99999'], MEMORY_LIST_ITEMS),
  },
  {
    name: 'HASHES', description: `100,000 hashes of ${MEMORY_HASH_FIELDS} short fields`,
    items: 100_000, itemLabel: 'hash', commands: 100_000, replyLines: 1, targetRatio: TARGET_TYPE_RSS_RATIO, judgeOn: 'growth',
    command: (i) => ['HSET', `hash:${i}`, ...Array.from({ length: MEMORY_HASH_FIELDS }, (_, j) => [`field:${j}`, `v${i % 1000}`]).flat()],
    verify: async (client) => (await expectInteger(client, ['DBSIZE'], 100_000)) || expectInteger(client, ['HLEN', 'hash:99999'], MEMORY_HASH_FIELDS),
  },
  {
    name: 'ZSET', description: '1,000,000 members in one sorted set',
    items: 1_000_000, itemLabel: 'member', commands: 1_000_000 / MEMORY_ZADD_BATCH, replyLines: 1, targetRatio: TARGET_TYPE_RSS_RATIO, judgeOn: 'growth',
    command: (i) => {
      const argv = ['ZADD', 'bench:zset'];
      for (let j = i * MEMORY_ZADD_BATCH; j < (i + 1) * MEMORY_ZADD_BATCH; j++) argv.push(String((j * 7919) % 1_000_003), `member:${j}`);
      return argv;
    },
    verify: (client) => expectInteger(client, ['ZCARD', 'bench:zset'], 1_000_000),
  },
  {
    name: 'STREAM', description: '1,000,000 entries of one field-value pair in one stream',
    items: 1_000_000, itemLabel: 'entry', commands: 1_000_000, replyLines: 2, targetRatio: TARGET_TYPE_RSS_RATIO, judgeOn: 'growth',
    command: (i) => ['XADD', 'bench:stream', '*', 'sensor', String(i % 977)],
    verify: (client) => expectInteger(client, ['XLEN', 'bench:stream'], 1_000_000),
  },
];

/**
 * Sends `count` commands through one pipelined connection, a bounded window of batches in
 * flight; replies are counted by their lines, and the first error reply fails the load.
 * @param {number} port @param {number} count @param {(i: number) => string[]} command @param {number} replyLines
 */
async function loadCommands(port, count, command, replyLines) {
  const client = await RawClient.connect(port);
  const batchSize = 2_000;
  const window = 8; // batches in flight: enough to keep the server busy, bounded memory here
  let linesSeen = 0;
  let errorReply = '';
  /** Whether the previous chunk ended a line, so that this chunk starts a new reply. */
  let atLineStart = true;
  /** @type {Array<() => void>} */
  let progressWaiters = [];
  client.socket.removeAllListeners('data');
  client.socket.on('data', (chunk) => {
    const text = chunk.toString('latin1');
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) linesSeen++;
    if (errorReply === '') {
      // An error reply is a line starting with '-'; the replies expected here never hold one.
      const at = atLineStart && text.startsWith('-') ? 0 : text.indexOf('\n-') + 1;
      if (at > 0 || (atLineStart && text.startsWith('-'))) errorReply = text.slice(at + 1).split('\r\n')[0];
    }
    atLineStart = text.endsWith('\n');
    const waiters = progressWaiters;
    progressWaiters = [];
    for (const w of waiters) w();
  });
  const closed = new Promise((resolve) => client.socket.once('close', resolve));
  let connectionLost = false;
  void closed.then(() => {
    connectionLost = true;
    for (const w of progressWaiters) w();
  });
  /** @param {number} replies */
  const waitForReplies = async (replies) => {
    while (linesSeen < replies * replyLines && !connectionLost && errorReply === '') {
      await new Promise((resolve) => progressWaiters.push(() => resolve(undefined)));
    }
  };
  try {
    for (let first = 0; first < count; first += batchSize) {
      let chunk = '';
      const last = Math.min(count, first + batchSize);
      for (let i = first; i < last; i++) chunk += encodeCommand(command(i));
      client.socket.write(chunk, 'latin1');
      await waitForReplies(first - batchSize * (window - 1));
      if (connectionLost) throw new Error('connection lost while loading');
      if (errorReply !== '') throw new Error(`${command(0)[0]} failed while loading: ${errorReply}`);
    }
    await waitForReplies(count);
    if (connectionLost) throw new Error('connection lost while loading');
    if (errorReply !== '') throw new Error(`${command(0)[0]} failed while loading: ${errorReply}`);
  } finally {
    client.close();
  }
}

/** A distinct, non-numeric value of exactly MEMORY_VALUE_BYTES bytes. @param {number} i */
function memoryValue(i) {
  return 'v' + String(i).padStart(MEMORY_VALUE_BYTES - 1, '0');
}

/**
 * Spot-checks a few keys of the strings case, then DBSIZE.
 * @param {RawClient} client @param {number} keyCount @returns {Promise<string>} '' when all good
 */
async function verifyKeys(client, keyCount) {
  const step = Math.max(1, Math.floor(keyCount / 50));
  for (let i = 0; i < keyCount; i += step) {
    const want = memoryValue(i);
    const reply = await client.command(['GET', `key:${i}`]);
    if (reply !== `$${want.length}\r\n${want}\r\n`) return `GET key:${i} replied ${JSON.stringify(reply.slice(0, 40))}`;
  }
  return expectInteger(client, ['DBSIZE'], keyCount);
}

/**
 * @typedef {{ side: string, baselineBytes: number, loadedBytes: number, loadMs: number, error: string | null }} MemoryRow
 */

/** @param {'redis' | 'cinnabar'} kind @param {MemoryCase} memoryCase @returns {Promise<MemoryRow>} */
async function measureMemory(kind, memoryCase) {
  const server = await startServer(kind);
  /** @type {MemoryRow} */
  const row = { side: kind, baselineBytes: 0, loadedBytes: 0, loadMs: 0, error: null };
  try {
    await sleep(500);
    row.baselineBytes = rssBytes(server);
    const started = performance.now();
    await loadCommands(server.port, memoryCase.commands, memoryCase.command, memoryCase.replyLines);
    row.loadMs = performance.now() - started;
    await sleep(SETTLE_MS);
    row.loadedBytes = rssBytes(server);
    const client = await RawClient.connect(server.port);
    try {
      const problem = await memoryCase.verify(client);
      if (problem !== '') row.error = problem;
    } finally {
      client.close();
    }
  } catch (err) {
    row.error = server.exitNote !== null ? `${server.exitNote}\n${logTail(server)}` : messageOf(err);
  } finally {
    await stopServer(server);
  }
  return row;
}

// ------------------------------------------------------------------ big pipeline latency phase

/**
 * Writes `keys` SETs of `valueBytes`-byte values and then as many GETs of them on one
 * connection, as fast as the socket takes them, while reading and checking the replies. Resolves
 * once every reply arrived; rejects on a wrong reply, a lost connection or after `timeoutMs`.
 * The replies are parsed as a stream (payloads are skipped, never gathered): this side must not
 * be the bottleneck, nor hold hundreds of MiB.
 * @param {number} port @param {number} keys @param {number} valueBytes @param {number} timeoutMs
 */
async function runBigPipeline(port, keys, valueBytes, timeoutMs) {
  const client = await RawClient.connect(port);
  const socket = client.socket;
  socket.removeAllListeners('data');
  const expected = keys * 2;
  const bulkHeader = `$${valueBytes}\r\n`;
  let replies = 0;
  /** Payload bytes (with their CRLF) of the GET reply being read still to skip. */
  let bulkLeft = 0;
  /** The start of a reply line split across reads. */
  let partialLine = '';
  /** @type {(err: Error | null) => void} */
  let settle = () => {};
  /** Settles once: resolved by the last reply, rejected by the first problem. */
  const done = new Promise((resolve, reject) => {
    const timer = setTimeout(() => settle(new Error(`not done after ${timeoutMs / 1000}s (${replies}/${expected} replies)`)), timeoutMs);
    settle = (err) => {
      clearTimeout(timer);
      settle = () => {};
      if (err === null) resolve(undefined);
      else reject(err);
    };
  });
  // The writer below only races against `done`; this keeps an early failure from being reported
  // as an unhandled rejection before the final await.
  done.catch(() => {});
  socket.on('close', () => settle(new Error(`connection closed after ${replies}/${expected} replies`)));
  socket.on('data', (/** @type {Buffer} */ chunk) => {
    let at = 0;
    while (at < chunk.length) {
      if (bulkLeft > 0) {
        const take = Math.min(bulkLeft, chunk.length - at);
        bulkLeft -= take;
        at += take;
        if (bulkLeft === 0 && ++replies === expected) settle(null);
        continue;
      }
      const lineEnd = chunk.indexOf(10, at);
      if (lineEnd < 0) {
        partialLine += chunk.toString('latin1', at);
        return;
      }
      const line = partialLine + chunk.toString('latin1', at, lineEnd + 1);
      partialLine = '';
      at = lineEnd + 1;
      // The first `keys` replies answer the SETs, the rest the GETs (bulk of valueBytes each).
      const want = replies < keys ? '+OK\r\n' : bulkHeader;
      if (line !== want) {
        settle(new Error(`reply ${replies + 1} was ${JSON.stringify(line.slice(0, 80))}, expected ${JSON.stringify(want)}`));
        socket.destroy();
        return;
      }
      if (want === bulkHeader) bulkLeft = valueBytes + 2;
      else ++replies;
    }
  });
  try {
    const value = Buffer.alloc(valueBytes, 'x');
    for (let i = 0; i < keys; i++) {
      const key = `bigpipe:${i}`;
      // One writev per SET; the 1 MiB value is handed over as is, not copied into a string.
      socket.cork();
      socket.write(`*3\r\n$3\r\nSET\r\n$${key.length}\r\n${key}\r\n$${valueBytes}\r\n`, 'latin1');
      socket.write(value);
      socket.write('\r\n', 'latin1');
      socket.uncork();
      // Wait only while the kernel's socket buffer is full: the server always has input queued.
      if (socket.writableNeedDrain) await Promise.race([new Promise((resolve) => socket.once('drain', resolve)), done]);
    }
    let gets = '';
    for (let i = 0; i < keys; i++) {
      const key = `bigpipe:${i}`;
      gets += `*2\r\n$3\r\nGET\r\n$${key.length}\r\n${key}\r\n`;
    }
    socket.write(gets, 'latin1');
    await done;
  } finally {
    client.close();
  }
}

/**
 * @template T
 * @param {Promise<T>} promise @param {number} ms @param {string} what
 * @returns {Promise<T>}
 */
function withTimeout(promise, ms, what) {
  /** @type {NodeJS.Timeout | undefined} */
  let timer;
  const timeout = new Promise((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms / 1000}s`)), ms);
  });
  return /** @type {Promise<T>} */ (Promise.race([promise, timeout])).finally(() => clearTimeout(timer));
}

/**
 * @typedef {{
 *   side: 'redis' | 'cinnabar',
 *   pipelineMs: number,
 *   cpuMicros: number,
 *   peakRssBytes: number,
 *   pings: number,
 *   p50Ms: number | null, p99Ms: number | null, worstMs: number | null,
 *   worstAtMs: number | null,
 *   unansweredMs: number | null,
 *   error: string | null,
 * }} PipelineRow
 * `cpuMicros`: server CPU from the first SET written to the last GET reply read.
 * `worstAtMs`: when the slowest PING was sent, from the first SET written (negative: before).
 * `unansweredMs`: a PING still unanswered 10 s after the pipeline ended, with its wait so far
 * (also counted as the worst); null when every PING was answered.
 */

/**
 * The big pipeline with a PING prober alongside, on a fresh server (the values take ~600 MiB).
 * @param {'redis' | 'cinnabar'} kind @returns {Promise<PipelineRow>}
 */
async function measurePipelineLatency(kind) {
  const server = await startServer(kind);
  /** @type {PipelineRow} */
  const row = {
    side: kind, pipelineMs: 0, cpuMicros: 0, peakRssBytes: 0, pings: 0,
    p50Ms: null, p99Ms: null, worstMs: null, worstAtMs: null, unansweredMs: null, error: null,
  };
  const probe = new PingProbe(server.port, PIPELINE_PING_INTERVAL_MS);
  try {
    await withTimeout(probe.ready, 5_000, 'first PING');
    const cpuBefore = cpuMicros(server);
    const started = performance.now();
    const startedAtMs = performance.timeOrigin + started;
    await runBigPipeline(server.port, PIPELINE_KEYS, PIPELINE_VALUE_BYTES, PIPELINE_TIMEOUT_MS);
    row.pipelineMs = performance.now() - started;
    row.cpuMicros = cpuMicros(server) - cpuBefore;
    const result = await withTimeout(probe.stop(), 15_000, 'PING worker');
    const sorted = [...result.roundTripsMs].sort((a, b) => a - b);
    row.pings = sorted.length;
    row.unansweredMs = result.unansweredMs;
    if (sorted.length > 0) {
      row.p50Ms = percentile(sorted, 0.5);
      row.p99Ms = percentile(sorted, 0.99);
    }
    // The slowest round trip, or the unanswered PING's wait when there is one (it is longer).
    if (result.unansweredMs !== null && result.unansweredSentAtMs !== null) {
      row.worstMs = result.unansweredMs;
      row.worstAtMs = result.unansweredSentAtMs - startedAtMs;
    } else if (sorted.length > 0) {
      const slowest = result.roundTripsMs.indexOf(sorted[sorted.length - 1]);
      row.worstMs = result.roundTripsMs[slowest];
      row.worstAtMs = result.sentAtMs[slowest] - startedAtMs;
    }
    row.peakRssBytes = peakRssBytes(server);
  } catch (err) {
    await noticeExit(server);
    row.error = server.exitNote !== null ? `${server.exitNote}\n${logTail(server)}` : messageOf(err);
  } finally {
    await probe.terminate();
    await stopServer(server);
  }
  return row;
}

/** Nearest-rank percentile of ascending `sorted` (non-empty). @param {number[]} sorted @param {number} q */
function percentile(sorted, q) {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

// ------------------------------------------------------------------ report

/** @param {number} n */
function formatRps(n) {
  return n.toLocaleString('en-US', { maximumFractionDigits: 0 });
}

/** @param {number} bytes */
function formatMiB(bytes) {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** @param {string} text @param {number} width */
function pad(text, width) {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

/** @param {string} text @param {number} width */
function padLeft(text, width) {
  return text.length >= width ? text : ' '.repeat(width - text.length) + text;
}

/** The first line of an error, without the argument echo of "unknown command". @param {string} text */
function shortError(text) {
  const line = text.split('\n')[0];
  const cut = line.indexOf(', with args beginning with');
  return (cut >= 0 ? line.slice(0, cut) : line).slice(0, 80);
}

/** @param {number[]} values (non-empty) */
function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Microseconds with about three significant digits (0.84, 12.3, 1234). @param {number} us */
function formatMicros(us) {
  return us < 10 ? us.toFixed(2) : us < 100 ? us.toFixed(1) : us.toFixed(0);
}

/** "min-max" over the rounds, or the one value. @param {number[]} values (non-empty) */
function formatRange(values) {
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  return values.length === 1 || formatMicros(lo) === formatMicros(hi) ? formatMicros(lo) : `${formatMicros(lo)}-${formatMicros(hi)}`;
}

/**
 * @typedef {{ cpu: number | null, rps: number | null }} Target
 * `cpu`: highest allowed cinnabar/redis CPU per request; `rps`: lowest allowed cinnabar/redis
 * requests/s; null where the figure is information only.
 */

/** @param {ThroughputRow} row @returns {Target} */
function targetFor(row) {
  if (row.large) return TARGETS.large;
  if (row.group !== null) return TARGETS[row.group];
  if (row.pipeline === 1) return TARGETS.plain;
  return TARGET_PIPELINED_TESTS.has(row.test) ? TARGETS.pipelined : { cpu: null, rps: null };
}

/** @param {number[]} values */
function cpuStats(values) {
  return values.length === 0 ? null : { min: Math.min(...values), median: median(values), max: Math.max(...values), runs: values };
}

/**
 * Prints one table of throughput rows; returns the missed targets and the rows for the JSON.
 * @param {ThroughputRow[]} rows @param {string} title
 * @returns {{ failures: string[], summaries: object[] }}
 */
function printThroughput(rows, title) {
  /** @type {string[]} */
  const failures = [];
  /** @type {object[]} */
  const summaries = [];
  if (rows.length === 0) return { failures, summaries };
  console.log(`\n${title}`);
  console.log('  cpu us/req: server CPU (utime+stime) per request in microseconds, min-max over the rounds');
  console.log('  cpu ratio:  cinnabar CPU / redis CPU per request (medians of the rounds); 1.50 = cinnabar spends 1.5x redis\'s CPU; lower is better');
  console.log('  rps ratio:  cinnabar / redis requests/s (best round of each); higher is better');
  const header = `${pad('test', 16)}${pad('mode', 5)}${padLeft('redis cpu us', 14)}${padLeft('cinnabar cpu us', 17)}${padLeft('cpu ratio', 11)}${padLeft('target', 8)}${padLeft('rps ratio', 11)}${padLeft('target', 8)}${padLeft('redis rps', 11)}${padLeft('cinnabar rps', 14)}  status`;
  console.log(header);
  console.log('-'.repeat(header.length + 6));
  for (const row of rows) {
    const redis = row.redis.length > 0 ? Math.max(...row.redis) : null;
    const cinnabar = row.cinnabar.length > 0 ? Math.max(...row.cinnabar) : null;
    const rpsRatio = redis !== null && cinnabar !== null ? cinnabar / redis : null;
    const cpuRedis = cpuStats(row.cpu.redis);
    const cpuCinnabar = cpuStats(row.cpu.cinnabar);
    const cpuRatio = cpuRedis !== null && cpuCinnabar !== null && cpuRedis.median > 0 ? cpuCinnabar.median / cpuRedis.median : null;
    const target = targetFor(row);
    const mode = row.pipeline === 1 ? 'P1' : `P${row.pipeline}`;
    const cpuMissed = target.cpu !== null && (cpuRatio === null || cpuRatio > target.cpu);
    const rpsMissed = target.rps !== null && (rpsRatio === null || rpsRatio < target.rps);
    let status;
    if (row.cinnabarError !== null && cinnabar === null) status = `FAIL cinnabar: ${shortError(row.cinnabarError)}`;
    else if (row.redisError !== null && redis === null) status = `FAIL redis: ${shortError(row.redisError)}`;
    else if (target.cpu === null && target.rps === null) status = 'info';
    else if (cpuMissed && rpsMissed) status = 'CPU AND RPS MISSED';
    else if (cpuMissed) status = 'CPU ABOVE TARGET';
    else if (rpsMissed) status = 'RPS BELOW TARGET';
    else status = 'ok';
    // A run that failed in a later round still leaves its earlier figures: say so.
    if (status !== 'info' && !status.startsWith('FAIL') && (row.cinnabarError ?? row.redisError) !== null) {
      status += ` (later round failed: ${shortError(/** @type {string} */ (row.cinnabarError ?? row.redisError))})`;
    }
    if (row.delivered !== null && (row.delivered.cinnabar < 0.999 || row.delivered.redis < 0.999)) {
      status += ` (delivered: redis ${(row.delivered.redis * 100).toFixed(1)}%, cinnabar ${(row.delivered.cinnabar * 100).toFixed(1)}%)`;
    }
    if (cpuMissed) failures.push(`${row.test} ${mode}: cpu ratio ${cpuRatio === null ? 'no figure' : cpuRatio.toFixed(2)} > ${target.cpu}`);
    if (rpsMissed) failures.push(`${row.test} ${mode}: rps ratio ${rpsRatio === null ? 'no figure' : rpsRatio.toFixed(2)} < ${target.rps}`);
    console.log(
      pad(row.test, 16) + pad(mode, 5)
      + padLeft(cpuRedis === null ? '-' : formatRange(cpuRedis.runs), 14)
      + padLeft(cpuCinnabar === null ? '-' : formatRange(cpuCinnabar.runs), 17)
      + padLeft(cpuRatio === null ? '-' : cpuRatio.toFixed(2), 11)
      + padLeft(target.cpu === null ? '' : `<=${target.cpu}`, 8)
      + padLeft(rpsRatio === null ? '-' : rpsRatio.toFixed(2), 11)
      + padLeft(target.rps === null ? '' : `>=${target.rps}`, 8)
      + padLeft(redis === null ? '-' : formatRps(redis), 11)
      + padLeft(cinnabar === null ? '-' : formatRps(cinnabar), 14)
      + `  ${status}`,
    );
    summaries.push({
      test: row.test, mode, status,
      cpuMicrosPerRequest: { redis: cpuRedis, cinnabar: cpuCinnabar }, cpuRatio, cpuTarget: target.cpu,
      redisRps: redis, cinnabarRps: cinnabar, rpsRatio, rpsTarget: target.rps,
      runs: { redis: row.redis, cinnabar: row.cinnabar },
      redisError: row.redisError, cinnabarError: row.cinnabarError, delivered: row.delivered,
    });
  }
  return { failures, summaries };
}

/**
 * The ACL comparison: on each server, the limited user's figures beside the default user's for
 * the same test (requests/s: best round; CPU per request: median of the rounds).
 * @param {ThroughputRow[]} rows
 * @returns {{ failures: string[], summaries: object[] }}
 */
function printAcl(rows) {
  /** @type {string[]} */
  const failures = [];
  /** @type {object[]} */
  const summaries = [];
  if (rows.length === 0) return { failures, summaries };
  console.log(`\nACL user vs default user (${CLIENTS} clients, non-pipelined, ${ROUNDS} alternating rounds, -n ${REQUESTS_PLAIN}; user ${ACL_USER}: ~bench:* +@all)`);
  console.log('  rps fraction: the limited user\'s requests/s / the default user\'s (best rounds); cpu fraction: CPU per request likewise (medians)');
  const header = `${pad('test', 8)}${pad('server', 10)}${padLeft('default rps', 13)}${padLeft('acl rps', 11)}${padLeft('rps fraction', 14)}${padLeft('target', 8)}${padLeft('default cpu us', 16)}${padLeft('acl cpu us', 12)}${padLeft('cpu fraction', 14)}  status`;
  console.log(header);
  console.log('-'.repeat(header.length + 6));
  for (const name of ['SET', 'GET']) {
    const plain = rows.find((r) => r.test === `${name}_DEFAULT_USER`);
    const limited = rows.find((r) => r.test === `${name}_ACL_USER`);
    if (plain === undefined || limited === undefined) continue;
    for (const side of /** @type {const} */ (['redis', 'cinnabar'])) {
      const error = side === 'redis' ? plain.redisError ?? limited.redisError : plain.cinnabarError ?? limited.cinnabarError;
      const rpsPlain = plain[side].length > 0 ? Math.max(...plain[side]) : null;
      const rpsLimited = limited[side].length > 0 ? Math.max(...limited[side]) : null;
      const cpuPlain = cpuStats(plain.cpu[side]);
      const cpuLimited = cpuStats(limited.cpu[side]);
      const rpsFraction = rpsPlain !== null && rpsLimited !== null ? rpsLimited / rpsPlain : null;
      const cpuFraction = cpuPlain !== null && cpuLimited !== null && cpuPlain.median > 0 ? cpuLimited.median / cpuPlain.median : null;
      // The target is cinnabar's; redis-server's line shows what the same check costs there.
      const judged = side === 'cinnabar';
      const missed = judged && (rpsFraction === null || rpsFraction < TARGET_ACL_RPS_FRACTION);
      let status = judged ? (missed ? 'RPS BELOW TARGET' : 'ok') : 'info';
      if (error !== null) status = `FAIL ${side}: ${shortError(error)}`;
      if (missed) failures.push(`${name} as ACL user on cinnabar: ${rpsFraction === null ? 'no figure' : rpsFraction.toFixed(3)} of the default user's requests/s < ${TARGET_ACL_RPS_FRACTION}`);
      console.log(
        pad(name, 8) + pad(side, 10)
        + padLeft(rpsPlain === null ? '-' : formatRps(rpsPlain), 13)
        + padLeft(rpsLimited === null ? '-' : formatRps(rpsLimited), 11)
        + padLeft(rpsFraction === null ? '-' : rpsFraction.toFixed(3), 14)
        + padLeft(judged ? `>=${TARGET_ACL_RPS_FRACTION}` : '', 8)
        + padLeft(cpuPlain === null ? '-' : formatMicros(cpuPlain.median), 16)
        + padLeft(cpuLimited === null ? '-' : formatMicros(cpuLimited.median), 12)
        + padLeft(cpuFraction === null ? '-' : cpuFraction.toFixed(3), 14)
        + `  ${status}`,
      );
      summaries.push({ test: name, server: side, rpsDefault: rpsPlain, rpsAclUser: rpsLimited, rpsFraction, cpuDefault: cpuPlain, cpuAclUser: cpuLimited, cpuFraction, status });
    }
  }
  return { failures, summaries };
}

/** @param {number | null} ms */
function formatMs(ms) {
  return ms === null ? '-' : ms < 10 ? ms.toFixed(2) : ms.toFixed(1);
}

/**
 * @param {PipelineRow[]} rows
 * @returns {{ failures: string[], worstRatio: number | null, p99Ratio: number | null, cpuRatio: number | null }}
 */
function printPipeline(rows) {
  console.log(`\nPING under a big pipeline (${PIPELINE_KEYS} SETs then ${PIPELINE_KEYS} GETs of ${formatMiB(PIPELINE_VALUE_BYTES)} values pipelined on one connection; PING every ~${PIPELINE_PING_INTERVAL_MS} ms on another; fresh servers, one run each)`);
  console.log('  server CPU and pipeline time: from the first SET written to the last GET reply read; PING round trips in ms;');
  console.log('  "worst sent at": seconds into the pipeline when the slowest PING was sent');
  const header = `${pad('server', 10)}${padLeft('pipeline', 10)}${padLeft('server CPU', 12)}${padLeft('peak RSS', 12)}${padLeft('PINGs', 7)}${padLeft('p50 ms', 9)}${padLeft('p99 ms', 9)}${padLeft('worst ms', 10)}${padLeft('worst sent at', 15)}`;
  console.log(header);
  console.log('-'.repeat(header.length));
  for (const row of rows) {
    if (row.error !== null) {
      console.log(`${pad(row.side, 10)}  FAIL: ${row.error}`);
      continue;
    }
    const unanswered = row.unansweredMs !== null ? `  (one PING unanswered after ${formatMs(row.unansweredMs)} ms)` : '';
    console.log(`${pad(row.side, 10)}${padLeft(`${(row.pipelineMs / 1000).toFixed(2)}s`, 10)}${padLeft(`${(row.cpuMicros / 1e6).toFixed(2)}s`, 12)}${padLeft(formatMiB(row.peakRssBytes), 12)}${padLeft(String(row.pings), 7)}${padLeft(formatMs(row.p50Ms), 9)}${padLeft(formatMs(row.p99Ms), 9)}${padLeft(formatMs(row.worstMs), 10)}${padLeft(row.worstAtMs === null ? '-' : `${(row.worstAtMs / 1000).toFixed(2)}s`, 15)}${unanswered}`);
  }
  const redis = rows.find((r) => r.side === 'redis');
  const cinnabar = rows.find((r) => r.side === 'cinnabar');
  /** @param {(row: PipelineRow) => number | null} pick */
  const ratioOf = (pick) => {
    const r = redis && redis.error === null ? pick(redis) : null;
    const c = cinnabar && cinnabar.error === null ? pick(cinnabar) : null;
    return r !== null && c !== null && r > 0 ? c / r : null;
  };
  const worstRatio = ratioOf((row) => row.worstMs);
  const p99Ratio = ratioOf((row) => row.p99Ms);
  const cpuRatio = ratioOf((row) => row.cpuMicros);
  const ok = worstRatio !== null && worstRatio <= TARGET_PIPELINE_WORST_PING_RATIO;
  /** @param {number | null} r */
  const show = (r) => (r === null ? '-' : r.toFixed(2));
  console.log(`worst PING cinnabar/redis: ${show(worstRatio)}  (target <= ${TARGET_PIPELINE_WORST_PING_RATIO})  ${ok ? 'ok' : worstRatio === null ? 'FAIL' : 'ABOVE TARGET'}`);
  console.log(`p99 PING cinnabar/redis: ${show(p99Ratio)}  (info);  pipeline server CPU cinnabar/redis: ${show(cpuRatio)}  (info)`);
  const failures = ok ? [] : [worstRatio === null ? 'big pipeline PING test did not complete' : `big pipeline worst PING ratio ${worstRatio.toFixed(2)} > ${TARGET_PIPELINE_WORST_PING_RATIO}`];
  return { failures, worstRatio, p99Ratio, cpuRatio };
}

/**
 * @param {MemoryCase} memoryCase @param {MemoryRow[]} rows
 * @returns {{ failures: string[], ratio: number | null }}
 */
function printMemory(memoryCase, rows) {
  console.log(`\nMemory ${memoryCase.name}: ${memoryCase.description} (VmRSS ${SETTLE_MS / 1000}s after loading)`);
  const perItem = `bytes/${memoryCase.itemLabel}`;
  const header = `${pad('server', 10)}${padLeft('empty RSS', 12)}${padLeft('loaded RSS', 13)}${padLeft('delta', 12)}${padLeft(perItem, Math.max(11, perItem.length + 2))}${padLeft('load time', 11)}`;
  console.log(header);
  console.log('-'.repeat(header.length));
  for (const row of rows) {
    if (row.error !== null && row.loadedBytes === 0) {
      console.log(`${pad(row.side, 10)}  FAIL: ${shortError(row.error)}`);
      continue;
    }
    const delta = row.loadedBytes - row.baselineBytes;
    console.log(`${pad(row.side, 10)}${padLeft(formatMiB(row.baselineBytes), 12)}${padLeft(formatMiB(row.loadedBytes), 13)}${padLeft(formatMiB(delta), 12)}${padLeft(bytesPerItem(memoryCase, row).toFixed(0), Math.max(11, perItem.length + 2))}${padLeft(`${(row.loadMs / 1000).toFixed(2)}s`, 11)}${row.error ? `  WARNING: ${row.error}` : ''}`);
  }
  const redis = rows.find((r) => r.side === 'redis');
  const cinnabar = rows.find((r) => r.side === 'cinnabar');
  if (!redis || !cinnabar || redis.loadedBytes === 0 || cinnabar.loadedBytes === 0 || cinnabar.error !== null) {
    console.log(`RSS ratio cinnabar/redis: -  (target <= ${memoryCase.targetRatio})  FAIL`);
    return { failures: [`memory ${memoryCase.name} did not complete`], ratio: null };
  }
  const totalRatio = cinnabar.loadedBytes / redis.loadedBytes;
  const growthRatio = (cinnabar.loadedBytes - cinnabar.baselineBytes) / (redis.loadedBytes - redis.baselineBytes);
  const ratio = memoryCase.judgeOn === 'total' ? totalRatio : growthRatio;
  const ok = ratio <= memoryCase.targetRatio;
  const judged = memoryCase.judgeOn === 'total'
    ? `RSS ratio cinnabar/redis: ${totalRatio.toFixed(2)}  (target <= ${memoryCase.targetRatio})  ${ok ? 'ok' : 'ABOVE TARGET'};  growth ratio ${growthRatio.toFixed(2)} (info)`
    : `RSS growth ratio cinnabar/redis: ${growthRatio.toFixed(2)}  (target <= ${memoryCase.targetRatio})  ${ok ? 'ok' : 'ABOVE TARGET'};  total RSS ratio ${totalRatio.toFixed(2)} (info)`;
  console.log(judged);
  console.log(`memory per ${memoryCase.itemLabel} (RSS growth / items loaded): redis ${bytesPerItem(memoryCase, redis).toFixed(0)} bytes, cinnabar ${bytesPerItem(memoryCase, cinnabar).toFixed(0)} bytes`);
  return { failures: ok ? [] : [`memory ${memoryCase.name}: RSS ${memoryCase.judgeOn} ratio ${ratio.toFixed(2)} > ${memoryCase.targetRatio}`], ratio };
}

/** RSS growth per item loaded. @param {MemoryCase} memoryCase @param {MemoryRow} row */
function bytesPerItem(memoryCase, row) {
  return (row.loadedBytes - row.baselineBytes) / memoryCase.items;
}

// ------------------------------------------------------------------ main

async function main() {
  for (const tool of ['redis-server', 'redis-benchmark']) {
    if (!haveCommand(tool)) throw new Error(`${tool} not found on PATH`);
  }
  if (!fs.existsSync(CINNABAR_ENTRY)) throw new Error(`${CINNABAR_ENTRY} missing: run npm run build`);
  const startedMs = Date.now();
  const nodeFlags = CINNABAR_NODE_FLAGS.length > 0 ? ` (node flags: ${CINNABAR_NODE_FLAGS.join(' ')})` : '';
  console.log(`cinnabar vs redis-server: ${os.cpus().length} cpus, node ${process.version}${nodeFlags}, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(`server CPU from /proc utime+stime (${CLOCK_TICKS_PER_SEC} ticks/s): runs under ~1s of server CPU carry a few % of rounding`);

  const servers = EMPTY_DIR
    ? { redis: await startServer('redis'), cinnabar: await startServer('cinnabar') }
    : { redis: await startDeployed('redis'), cinnabar: await startDeployed('cinnabar') };
  /** @type {ThroughputRow[]} */
  let rows;
  try {
    rows = await throughputPhase(servers);
  } finally {
    await stopServer(servers.redis);
    await stopServer(servers.cinnabar);
  }
  const throughput = printThroughput(
    rows.filter((r) => !r.large && r.group === null),
    `Throughput (${CLIENTS} clients, ${ROUNDS} alternating rounds, -n ${REQUESTS_PLAIN} / -P ${PIPELINE}: -n ${REQUESTS_PIPELINED})`,
  );
  const types = printThroughput(
    rows.filter((r) => r.group === 'types'),
    `Data types (${CLIENTS} clients, non-pipelined, ${ROUNDS} alternating rounds, -n ${REQUESTS_PLAIN})`,
  );
  const scripts = printThroughput(
    rows.filter((r) => r.group === 'scripts'),
    `Scripts (${CLIENTS} clients, non-pipelined, ${ROUNDS} alternating rounds, -n ${REQUESTS_PLAIN})`,
  );
  const aclRows = rows.filter((r) => r.group === 'acl');
  const acl = printAcl(aclRows);
  const largeSizes = TESTS.filter((t) => t.large !== undefined && t.name.startsWith('SET_'))
    .map((t) => `-d ${t.large?.valueBytes} -n ${t.large?.requests}`).join(', ');
  const large = printThroughput(
    rows.filter((r) => r.large),
    `Large values (${LARGE_CLIENTS} clients, non-pipelined, ${ROUNDS} alternating rounds; ${largeSizes})`,
  );

  /** @type {ReturnType<typeof printPipeline> | null} */
  let pipeline = null;
  /** @type {PipelineRow[]} */
  let pipelineRows = [];
  if (!SKIP_LARGE && selected(PIPELINE_TEST)) {
    process.stderr.write('big pipeline latency...\n');
    pipelineRows = [await measurePipelineLatency('redis'), await measurePipelineLatency('cinnabar')];
    pipeline = printPipeline(pipelineRows);
  }

  /** @type {string[]} */
  const memoryFailures = [];
  /** @type {object[]} */
  const memoryJson = [];
  if (env.BENCH_SKIP_MEMORY !== '1') {
    for (const memoryCase of MEMORY_CASES.filter((c) => selected(`MEMORY_${c.name}`))) {
      process.stderr.write(`memory ${memoryCase.name}...\n`);
      const memoryRows = [await measureMemory('redis', memoryCase), await measureMemory('cinnabar', memoryCase)];
      const memory = printMemory(memoryCase, memoryRows);
      memoryFailures.push(...memory.failures);
      memoryJson.push({
        case: memoryCase.name, description: memoryCase.description, targetRatio: memoryCase.targetRatio, rssRatio: memory.ratio,
        rows: memoryRows.map((row) => ({ ...row, bytesPerItem: row.loadedBytes > 0 ? bytesPerItem(memoryCase, row) : null })),
      });
    }
  }

  const failures = [...throughput.failures, ...types.failures, ...scripts.failures, ...acl.failures, ...large.failures, ...(pipeline?.failures ?? []), ...memoryFailures];
  console.log('\nSummary, judged on server CPU per request (cpu ratio = cinnabar / redis, lower is better), then requests/s (rps ratio = cinnabar / redis, higher is better)');
  console.log(`  targets: non-pipelined: cpu <= ${TARGETS.plain.cpu}, rps >= ${TARGETS.plain.rps} on every test; -P ${PIPELINE} SET and GET: cpu <= ${TARGETS.pipelined.cpu}, rps >= ${TARGETS.pipelined.rps};`);
  console.log(`           large values: cpu <= ${TARGETS.large.cpu}; big pipeline: worst PING <= ${TARGET_PIPELINE_WORST_PING_RATIO}x redis; RSS for ${MEMORY_KEYS.toLocaleString('en-US')} keys <= ${TARGET_RSS_RATIO}x redis`);
  console.log(`           data types: cpu <= ${TARGETS.types.cpu}, rps >= ${TARGETS.types.rps} non-pipelined; RSS growth of each data-type memory case <= ${TARGET_TYPE_RSS_RATIO}x redis`);
  console.log(`           scripts (EVALSHA): rps >= ${TARGETS.scripts.rps} non-pipelined (cpu shown)`);
  console.log(`           ACL: SET/GET as a user limited to ~bench:* at >= ${TARGET_ACL_RPS_FRACTION} of the default user's requests/s (same server; cpu shown)`);
  if (failures.length === 0) console.log('  all targets met');
  for (const f of failures) console.log(`  MISSED  ${f}`);
  console.log(`  (bench took ${((Date.now() - startedMs) / 1000).toFixed(0)}s; load average now ${os.loadavg()[0].toFixed(2)})`);

  if (env.BENCH_JSON) {
    const report = {
      date: new Date().toISOString(), nodeFlags: CINNABAR_NODE_FLAGS, rounds: ROUNDS,
      targets: { ...TARGETS, pipelinedTests: [...TARGET_PIPELINED_TESTS], rssRatio: TARGET_RSS_RATIO, pipelineWorstPingRatio: TARGET_PIPELINE_WORST_PING_RATIO },
      throughput: throughput.summaries,
      dataTypes: types.summaries,
      scripts: scripts.summaries,
      acl: acl.summaries,
      largeValues: large.summaries,
      pipelineLatency: pipeline === null ? null : {
        keys: PIPELINE_KEYS, valueBytes: PIPELINE_VALUE_BYTES, pingIntervalMs: PIPELINE_PING_INTERVAL_MS,
        rows: pipelineRows, worstRatio: pipeline.worstRatio, p99Ratio: pipeline.p99Ratio, cpuRatio: pipeline.cpuRatio,
      },
      memory: memoryJson,
      failures,
    };
    fs.writeFileSync(env.BENCH_JSON, JSON.stringify(report, null, 2));
  }
  return env.BENCH_STRICT === '1' && failures.length > 0 ? 1 : 0;
}

main().then(
  (code) => {
    killAllChildren();
    process.exit(code);
  },
  (err) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    killAllChildren();
    process.exit(2);
  },
);
