// @ts-check
// CPU per applied SET on a replica, and per SET served on a primary, cinnabar beside
// redis-server in the same run (rounds alternate so machine load falls on both alike):
// - standalone: one primary, one replica, `redis-benchmark -t set` on the primary;
// - cluster: 3 primaries x 1 replica (`redis-cli --cluster create`), `redis-benchmark --cluster`.
// Every process (servers and the benchmark) runs pinned to one CPU (`taskset -c $BENCH_CPU`,
// default 1), so the figures are CPU time per command, not throughput on a shared machine.
// CPU time is utime+stime of each server process from /proc (all its threads), taken around the
// benchmark and after the replicas have applied the whole stream; commands are INFO
// commandstats' cmdstat_set calls of each node (a replica counts the SETs it applied). Before
// the load, each node's idle CPU (crons, the cluster bus) is sampled for BENCH_IDLE_MS (5000):
// it is part of the per-SET figures too, in proportion to the run's length.
//
//   npm run build && node bench/replica-cost.mjs [rounds=3] [standalone|cluster|both]
//   BENCH_N requests (default 200000) after BENCH_WARM_UP unmeasured ones per primary (20000),
//   BENCH_PORT first port of 20 (default 42000), BENCH_KEYSPACE random keys (-r, default 100000;
//   0 for one key), BENCH_CPU the CPU list every process is pinned to (default 1; 0,1 unpins),
//   BENCH_KINDS=cinnabar,redis, BENCH_NODE_ARGS extra node flags for cinnabar (e.g.
//   --perf-basic-prof), BENCH_PERF=replica|primary: `perf record -g` of the first such node of
//   the last cinnabar round into /tmp/replica-cost-<target>.perf.data.

import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { cpuTicks, redisBenchmarkRps, until, waitPort, WARM_UP_REQUESTS } from './lib.mjs';

const ROUNDS = Number(process.argv[2] ?? 3);
const SHAPES = (process.argv[3] ?? 'both') === 'both' ? ['standalone', 'cluster'] : [process.argv[3]];
const REQUESTS = Number(process.env.BENCH_N ?? 200_000);
const BASE_PORT = Number(process.env.BENCH_PORT ?? 42_000);
const CPU = process.env.BENCH_CPU ?? '1';
const KINDS = /** @type {Array<'cinnabar' | 'redis'>} */ ((process.env.BENCH_KINDS ?? 'cinnabar,redis').split(','));
const NODE_ARGS = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter((a) => a !== '');
const PERF_TARGET = process.env.BENCH_PERF ?? '';
/** Where cinnabar nodes' stdout goes (node-<port>.out), e.g. for --trace-deopt; '' drops it. */
const STDOUT_DIR = process.env.BENCH_STDOUT_DIR ?? '';
const IDLE_MS = Number(process.env.BENCH_IDLE_MS ?? 5000);
/** redis-benchmark -r: random keys out of this many; 0 sets one key (as bench/replication.mjs does). */
const KEYSPACE = Number(process.env.BENCH_KEYSPACE ?? 100_000);
const SERVER = fileURLToPath(new URL('../dist/bundle/cinnabar-server.js', import.meta.url));

/** @typedef {{ port: number, proc: import('node:child_process').ChildProcess, dir: string, client: Redis }} Node */

/** @param {'cinnabar' | 'redis'} kind @param {number} port @param {string[]} extra @returns {Promise<Node>} */
async function startNode(kind, port, extra) {
  const dir = mkdtempSync(join(tmpdir(), `replica-cost-${kind}-`));
  const args = ['--port', String(port), '--save', '', '--appendonly', 'no', '--dir', dir, ...extra];
  const proc = kind === 'redis'
    ? spawn('taskset', ['-c', CPU, 'redis-server', ...args], { stdio: 'ignore', cwd: dir })
    : spawn('taskset', ['-c', CPU, 'node', ...NODE_ARGS, SERVER, ...args], { stdio: ['ignore', STDOUT_DIR === '' ? 'ignore' : openSync(join(STDOUT_DIR, `node-${port}.out`), 'w'), 'ignore'], cwd: dir });
  await waitPort(port);
  const client = new Redis({ port, maxRetriesPerRequest: 1, retryStrategy: () => 100 });
  client.on('error', () => undefined);
  return { port, proc, dir, client };
}

/** Killed and gone (the next round binds the same ports). @param {Node[]} nodes */
async function stopNodes(nodes) {
  await Promise.all(nodes.map(async (n) => {
    n.client.disconnect();
    if (n.proc.exitCode === null && n.proc.signalCode === null) {
      const exited = new Promise((r) => n.proc.once('exit', r));
      n.proc.kill('SIGKILL');
      await exited;
    }
    rmSync(n.dir, { recursive: true, force: true });
  }));
}

/** @param {Redis} client @param {string} field */
async function infoField(client, field) {
  const info = /** @type {string} */ (await client.info());
  const m = new RegExp(`^${field}:(.*)$`, 'm').exec(info);
  return m === null ? '' : m[1].trim();
}

/** @param {Redis} client */
async function setCalls(client) {
  const info = /** @type {string} */ (await client.info('commandstats'));
  const m = /^cmdstat_set:calls=(\d+)/m.exec(info);
  return m === null ? 0 : Number(m[1]);
}

/** Every replica has applied its primary's whole stream. @param {Array<[Node, Node]>} pairs */
async function replicasCaughtUp(pairs) {
  await until(async () => {
    for (const [primary, replica] of pairs) {
      const p = await infoField(primary.client, 'master_repl_offset');
      const r = await infoField(replica.client, 'slave_repl_offset');
      if (p !== r) return false;
    }
    return true;
  }, 120_000, 20);
}

/** [utime, stime] of a process, in clock ticks. @param {number} pid */
function cpuSplit(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return [Number(fields[11]), Number(fields[12])];
}

/** read(2) calls a process made so far (/proc/<pid>/io syscr). @param {number} pid */
function readSyscalls(pid) {
  const m = /^syscr: (\d+)$/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'));
  return m === null ? 0 : Number(m[1]);
}

/** @param {string[]} args @param {number} [requests] */
function benchmark(args, requests = REQUESTS) {
  const keyspace = KEYSPACE > 0 ? ['-r', String(KEYSPACE)] : [];
  return redisBenchmarkRps(['-h', '127.0.0.1', ...args, '-t', 'set', '-c', '50', ...keyspace], 'set', requests, ['taskset', '-c', CPU]);
}

/** perf record of one process while `run` runs. @param {number} pid @param {() => unknown} run */
async function withPerf(pid, run) {
  const perf = spawn('perf', ['record', '-g', '-F', '999', '-p', String(pid), '-o', `/tmp/replica-cost-${PERF_TARGET}.perf.data`], { stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 300));
  try {
    return await run();
  } finally {
    perf.kill('SIGINT');
    await new Promise((r) => perf.once('exit', r));
  }
}

/**
 * Runs the load and measures: CPU us per SET of each role (mean over its nodes).
 * @param {Node[]} primaries @param {Node[]} replicas @param {string[]} benchArgs @param {boolean} profile
 */
async function measure(primaries, replicas, benchArgs, profile) {
  const pairs = /** @type {Array<[Node, Node]>} */ (primaries.map((p, i) => [p, replicas[i]]));
  await replicasCaughtUp(pairs);
  const all = [...primaries, ...replicas];
  // Unmeasured: V8 compiles the nodes' code during their first requests (lib.mjs WARM_UP_REQUESTS).
  if (WARM_UP_REQUESTS > 0) {
    benchmark(benchArgs, WARM_UP_REQUESTS * primaries.length);
    await replicasCaughtUp(pairs);
  }
  // What the nodes cost doing nothing (crons, the cluster bus), over IDLE_MS.
  const idleBefore = all.map((n) => cpuTicks(/** @type {number} */ (n.proc.pid)));
  await new Promise((r) => setTimeout(r, IDLE_MS));
  const idleTicks = all.map((n, i) => cpuTicks(/** @type {number} */ (n.proc.pid)) - idleBefore[i]);
  const idleMsPerSec = (/** @type {number[]} */ ticks) => (ticks.reduce((a, b) => a + b, 0) * 10 * 1000) / IDLE_MS / ticks.length;
  const callsBefore = await Promise.all(all.map((n) => setCalls(n.client)));
  const ticksBefore = all.map((n) => cpuTicks(/** @type {number} */ (n.proc.pid)));
  const splitBefore = all.map((n) => cpuSplit(/** @type {number} */ (n.proc.pid)));
  const readsBefore = replicas.map((n) => readSyscalls(/** @type {number} */ (n.proc.pid)));
  const load = () => benchmark(benchArgs);
  const target = PERF_TARGET === 'replica' ? replicas[0] : primaries[0];
  const rps = profile ? await withPerf(/** @type {number} */ (target.proc.pid), load) : load();
  await replicasCaughtUp(pairs);
  const ticksAfter = all.map((n) => cpuTicks(/** @type {number} */ (n.proc.pid)));
  const splitAfter = all.map((n) => cpuSplit(/** @type {number} */ (n.proc.pid)));
  const readsAfter = replicas.map((n) => readSyscalls(/** @type {number} */ (n.proc.pid)));
  const callsAfter = await Promise.all(all.map((n) => setCalls(n.client)));
  const perSet = all.map((_, i) => ((ticksAfter[i] - ticksBefore[i]) * 10_000) / Math.max(1, callsAfter[i] - callsBefore[i]));
  const mean = (/** @type {number[]} */ v) => v.reduce((a, b) => a + b, 0) / v.length;
  const userPerSet = all.map((_, i) => ((splitAfter[i][0] - splitBefore[i][0]) * 10_000) / Math.max(1, callsAfter[i] - callsBefore[i]));
  return {
    rps,
    primaryUs: mean(perSet.slice(0, primaries.length)),
    replicaUs: mean(perSet.slice(primaries.length)),
    primaryIdle: idleMsPerSec(idleTicks.slice(0, primaries.length)),
    replicaIdle: idleMsPerSec(idleTicks.slice(primaries.length)),
    primaryUserUs: mean(userPerSet.slice(0, primaries.length)),
    replicaUserUs: mean(userPerSet.slice(primaries.length)),
    setsPerRead: mean(replicas.map((_, i) => (callsAfter[primaries.length + i] - callsBefore[primaries.length + i]) / Math.max(1, readsAfter[i] - readsBefore[i]))),
  };
}

/** @param {'cinnabar' | 'redis'} kind @param {boolean} profile */
async function standalone(kind, profile) {
  const nodes = [];
  try {
    nodes.push(await startNode(kind, BASE_PORT + 1, []));
    nodes.push(await startNode(kind, BASE_PORT + 2, ['--replicaof', '127.0.0.1', String(BASE_PORT + 1)]));
    await until(async () => (await infoField(nodes[1].client, 'master_link_status')) === 'up', 60_000);
    return await measure([nodes[0]], [nodes[1]], ['-p', String(BASE_PORT + 1)], profile);
  } finally {
    await stopNodes(nodes);
  }
}

/** @param {'cinnabar' | 'redis'} kind @param {boolean} profile */
async function cluster(kind, profile) {
  /** @type {Node[]} */
  const nodes = [];
  try {
    for (let i = 0; i < 6; i++) {
      const port = BASE_PORT + 11 + i;
      nodes.push(await startNode(kind, port, ['--cluster-enabled', 'yes', '--cluster-port', String(port + 100),
        '--cluster-config-file', `nodes-${port}.conf`, '--cluster-node-timeout', '5000']));
    }
    const created = spawnSync('redis-cli', ['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`),
      '--cluster-replicas', '1', '--cluster-yes'], { encoding: 'utf8', timeout: 120_000 });
    if (created.status !== 0) throw new Error(`redis-cli --cluster create failed:\n${created.stdout}${created.stderr}`);
    /** @type {Node[]} */
    let primaries = [];
    /** @type {Node[]} */
    let replicas = [];
    await until(async () => {
      primaries = [];
      replicas = [];
      for (const n of nodes) {
        const info = /** @type {string} */ (await n.client.call('CLUSTER', 'INFO'));
        if (!info.includes('cluster_state:ok') || !info.includes('cluster_known_nodes:6')) return false;
        const role = await infoField(n.client, 'role');
        if (role === 'master') primaries.push(n);
        else if ((await infoField(n.client, 'master_link_status')) === 'up') replicas.push(n);
        else return false;
      }
      return primaries.length === 3 && replicas.length === 3;
    }, 60_000, 100);
    // Each replica beside its own primary.
    const ordered = await Promise.all(primaries.map(async (p) => {
      for (const candidate of replicas) {
        if (Number(await infoField(candidate.client, 'master_port')) === p.port) return candidate;
      }
      throw new Error(`no replica of ${p.port}`);
    }));
    return await measure(primaries, ordered, ['--cluster', '-p', String(nodes[0].port)], profile);
  } finally {
    await stopNodes(nodes);
  }
}

const fmt = (/** @type {number[]} */ v) => `${Math.min(...v).toFixed(1)}-${Math.max(...v).toFixed(1)}`;
for (const shape of SHAPES) {
  /** @type {Record<string, Array<{ rps: number, primaryUs: number, replicaUs: number, primaryIdle: number, replicaIdle: number, primaryUserUs: number, replicaUserUs: number, setsPerRead: number }>>} */
  const results = { cinnabar: [], redis: [] };
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? KINDS : [...KINDS].reverse();
    for (const kind of order) {
      const profile = PERF_TARGET !== '' && kind === 'cinnabar' && round === ROUNDS - 1;
      const r = shape === 'cluster' ? await cluster(kind, profile) : await standalone(kind, profile);
      results[kind].push(r);
      console.log(`${shape} ${kind} round ${round + 1}: primary ${r.primaryUs.toFixed(2)} us/SET (user ${r.primaryUserUs.toFixed(2)}), replica ${r.replicaUs.toFixed(2)} us/SET applied (user ${r.replicaUserUs.toFixed(2)}), ${r.rps.toFixed(0)} SET/s; idle CPU ms/s primary ${r.primaryIdle.toFixed(1)}, replica ${r.replicaIdle.toFixed(1)}; replica SETs per read(2) ${r.setsPerRead.toFixed(1)}`);
    }
  }
  for (const kind of KINDS) {
    const r = results[kind];
    console.log(`${shape} ${kind}: primary ${fmt(r.map((x) => x.primaryUs))} us/SET, replica ${fmt(r.map((x) => x.replicaUs))} us/SET applied (${r.length} rounds)`);
  }
}
process.exit(0);
