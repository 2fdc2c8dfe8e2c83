// @ts-check
// Cluster mode, cinnabar beside redis-server in the same shape: 3 primaries with 1 replica each,
// created with `redis-cli --cluster create`, cluster-node-timeout 1000.
// - Throughput: `redis-benchmark --cluster` SET and GET (50 clients, non-pipelined) against
//   each cluster, with the CPU time all six nodes spent per request (utime+stime from /proc), and
//   its split between the three primaries and the three replicas;
//   judged on the CPU ratio, requests/s beside it (target: requests/s ratio >= 0.85). Each measured
//   run follows an unmeasured warm-up run of the same test (lib.mjs WARM_UP_REQUESTS per primary).
// - Failover: kill -9 of a primary, then the time until its replica accepts a write to one of
//   the primary's slots (asked directly, every 10 ms); the median of ROUNDS runs per server
//   (target: cinnabar's median at most redis-server's).
// - Node's floor: the same throughput runs against a cluster of node-floor-server.mjs processes
//   (3 primaries answering a fixed CLUSTER NODES, a replica each), the least any Node server
//   spends on them (BENCH_SKIP_FLOOR=1 leaves it out).
// Rounds alternate between the two servers so load on the machine falls on both alike; the floor
// runs after them in each round.
//
//   npm run build && node bench/cluster.mjs [rounds=10]
//   BENCH_N=2000000 requests per redis-benchmark test (with --cluster, redis-benchmark's threads
//   stop at their 250 ms throughput tick, so a run's time is rounded up to a quarter second: a
//   200,000-request run of about a second carried up to 20% of error, 2,000,000 carry 2%); BENCH_WARM_UP=20000 before each; BENCH_SKIP_THROUGHPUT=1, BENCH_SKIP_FAILOVER=1;
//   BENCH_PORT: the first of 12 fixed ports (a shared machine's assigned range) instead of free
//   ephemeral ones.

import { fileURLToPath } from 'node:url';
/** @typedef {import('ioredis').Redis} Redis */
import { startCluster, stopCluster } from './cluster-lib.mjs';
import { cpuTicks, freePort, median, redisBenchmarkRps, until, WARM_UP_REQUESTS } from './lib.mjs';
import { FLOOR_ENABLED, startFloorCluster, stopFloorNodes } from './node-floor.mjs';

const ROUNDS = Number(process.argv[2] ?? 10);
const REQUESTS = Number(process.env.BENCH_N ?? 2_000_000);
const LAUNCHER = fileURLToPath(new URL('../bin/cinnabar-server', import.meta.url));
const KINDS = /** @type {const} */ (['cinnabar', 'redis']);
const BASE_PORT = Number(process.env.BENCH_PORT ?? 0);
const PRIMARIES = 3;

/** @typedef {import('./cluster-lib.mjs').ClusterNode} ClusterNode @typedef {import('./cluster-lib.mjs').RunningCluster} RunningCluster */

/** CLUSTER NODES as { id, port, primaryId, slots } per line. @param {string} text */
function parseNodes(text) {
  return text.trim().split('\n').map((line) => {
    const f = line.split(' ');
    return { id: f[0], port: Number(f[1].split(':')[1].split('@')[0]), flags: f[2], primaryId: f[3], slots: f.slice(8) };
  });
}

/** @param {{ nodes: Array<{ port: number, proc: import('node:child_process').ChildProcess }> }} cluster @param {string} test */
function throughput(cluster, test) {
  const args = ['--cluster', '-h', '127.0.0.1', '-p', String(cluster.nodes[0].port), '-t', test, '-c', '50'];
  // The warm-up each primary (and its replica) would get alone: the cluster splits the requests.
  if (WARM_UP_REQUESTS > 0) redisBenchmarkRps(args, test, WARM_UP_REQUESTS * PRIMARIES);
  const before = cluster.nodes.map((n) => cpuTicks(/** @type {number} */ (n.proc.pid)));
  const rps = redisBenchmarkRps(args, test, REQUESTS);
  const after = cluster.nodes.map((n) => cpuTicks(/** @type {number} */ (n.proc.pid)));
  // Both kinds of cluster list their primaries first (redis-cli --cluster create makes the
  // first three nodes primaries; the floor starts them first), and no failover has run yet.
  const perRequest = (/** @type {number} */ from, /** @type {number} */ to) =>
    (after.slice(from, to).reduce((sum, t, i) => sum + t - before[from + i], 0) * 10_000) / REQUESTS;
  return { rps, cpuMicrosPerRequest: perRequest(0, after.length), primaryMicros: perRequest(0, PRIMARIES), replicaMicros: perRequest(PRIMARIES, after.length) };
}

/** kill -9 of the first primary; ms until its replica accepts a write to one of its slots. @param {RunningCluster} cluster */
async function failover(cluster) {
  const nodes = parseNodes(/** @type {string} */ (await cluster.clients[0].call('CLUSTER', 'NODES')));
  const primary = nodes.find((n) => n.flags.includes('master') && n.slots.length > 0);
  if (primary === undefined) throw new Error('no primary with slots');
  const replica = nodes.find((n) => n.primaryId === primary.id);
  if (replica === undefined) throw new Error('the primary has no replica');
  const slot = Number(primary.slots[0].split('-')[0]);
  const primaryNode = /** @type {ClusterNode} */ (cluster.nodes.find((n) => n.port === primary.port));
  const replicaClient = /** @type {Redis} */ (cluster.clients[cluster.nodes.findIndex((n) => n.port === replica.port)]);
  // A key of that slot: keys named by CLUSTER GETKEYSINSLOT need keys; a hash tag search is simpler.
  let key = '';
  for (let i = 0; key === ''; i++) {
    if (Number(await replicaClient.call('CLUSTER', 'KEYSLOT', `k${i}`)) === slot) key = `k${i}`;
  }
  const t0 = performance.now();
  primaryNode.proc.kill('SIGKILL');
  await until(async () => (await replicaClient.set(key, 'v').then(() => true, () => false)), 60_000, 10);
  return performance.now() - t0;
}

/** @typedef {{ rps: number, cpuMicrosPerRequest: number, primaryMicros: number, replicaMicros: number }} Throughput */
/** @type {Record<string, { set: Throughput[], get: Throughput[], failoverMs: number[] }>} */
const results = { cinnabar: { set: [], get: [], failoverMs: [] }, redis: { set: [], get: [], failoverMs: [] }, floor: { set: [], get: [], failoverMs: [] } };
const throughputRounds = process.env.BENCH_SKIP_THROUGHPUT === '1' ? 0 : 3;
const failoverRounds = process.env.BENCH_SKIP_FAILOVER === '1' ? 0 : ROUNDS;
const floorRounds = FLOOR_ENABLED ? throughputRounds : 0;
for (let round = 0; round < Math.max(throughputRounds, failoverRounds); round++) {
  const order = round % 2 === 0 ? KINDS : [...KINDS].reverse();
  for (const kind of order) {
    const cluster = await startCluster({ kind, cinnabarCommand: [LAUNCHER], nodeTimeoutMs: 1000, dirPrefix: 'cluster-bench', basePort: BASE_PORT });
    try {
      if (round < throughputRounds) {
        results[kind].set.push(throughput(cluster, 'set'));
        results[kind].get.push(throughput(cluster, 'get'));
      }
      if (round < failoverRounds) results[kind].failoverMs.push(await failover(cluster));
    } finally {
      await stopCluster(cluster);
    }
    process.stdout.write('.');
  }
  if (round < floorRounds) {
    const floor = await startFloorCluster(BASE_PORT, freePort);
    try {
      results.floor.set.push(throughput(floor, 'set'));
      results.floor.get.push(throughput(floor, 'get'));
    } finally {
      await stopFloorNodes(floor.nodes);
    }
    process.stdout.write('.');
  }
}
process.stdout.write('\n');

const fmt = (/** @type {number[]} */ v) => `${Math.min(...v).toFixed(1)}-${Math.max(...v).toFixed(1)}`;
/** The CPU per request with its split by role (the replicas' share during GET is their background work). */
const cpuText = (/** @type {Throughput[]} */ v) =>
  `${fmt(v.map((x) => x.cpuMicrosPerRequest))} (primaries ${fmt(v.map((x) => x.primaryMicros))}, replicas ${v.map((x) => x.replicaMicros.toFixed(2)).join('/')})`;
for (const test of /** @type {const} */ (['set', 'get'])) {
  if (throughputRounds === 0) break;
  const c = results.cinnabar[test];
  const r = results.redis[test];
  const cpuRatio = median(c.map((x) => x.cpuMicrosPerRequest)) / median(r.map((x) => x.cpuMicrosPerRequest));
  const best = (/** @type {Throughput[]} */ v) => Math.max(...v.map((x) => x.rps));
  const rpsRatio = best(c) / best(r);
  console.log(`${test.toUpperCase()} --cluster: cpu us/request cinnabar ${cpuText(c)}, redis ${cpuText(r)}, ratio ${cpuRatio.toFixed(2)}; rps ratio ${rpsRatio.toFixed(2)} (best rounds ${best(c).toFixed(0)} / ${best(r).toFixed(0)})`);
  const f = results.floor[test];
  if (f.length > 0) {
    console.log(`  Node's floor: cpu us/request ${cpuText(f)}, best ${best(f).toFixed(0)} rps; rps ratio floor/redis ${(best(f) / best(r)).toFixed(2)}, cinnabar/floor ${(best(c) / best(f)).toFixed(2)}`);
  }
}
if (failoverRounds > 0) {
  for (const kind of KINDS) {
    const t = results[kind].failoverMs;
    console.log(`failover ${kind}: kill -9 -> replica accepts writes, median ${median(t).toFixed(0)} ms (min ${Math.min(...t).toFixed(0)}, max ${Math.max(...t).toFixed(0)}, ${t.length} runs)`);
  }
}
