#!/usr/bin/env node
// @ts-check
// Replication figures, cinnabar beside redis-server 7.0 in the same run (rounds alternate which
// server goes first, so load on the machine falls on both alike):
// - Full sync: a primary holding BENCH_KEYS keys (DEBUG POPULATE: key:N -> value:N) and a fresh
//   replica that is sent REPLICAOF. Measured: the time from REPLICAOF until the replica reports
//   master_link_status:up holding every key; the primary's longest stall meanwhile, from a worker
//   thread (ping-probe.mjs) that sends PING every ~5 ms with one in flight, so a stalled primary
//   shows as one long round trip; and the CPU both processes spent (the primary's with its sync
//   child, Redis's fork or cinnabar's save writer). Diskless (7.0's default) with
//   repl-diskless-sync-delay 0, so the figure is the transfer, not the wait for more replicas;
//   BENCH_SYNC=disk for an RDB file instead.
// - SET with two replicas: a primary with two replicas in sync, `redis-benchmark -t set` with 50
//   clients, non-pipelined, on the primary, after an unmeasured warm-up run (lib.mjs
//   WARM_UP_REQUESTS). Measured: requests/s (target: cinnabar / redis >= 0.85)
//   and the CPU per request of the primary and of the three processes together, taken once both
//   replicas have applied the whole stream.
// - The same SET run against Node's floor (node-floor-server.mjs: a primary and two replicas that
//   do the least any Node server does for it), beside both servers (BENCH_SKIP_FLOOR=1 leaves it out).
//
//   npm run build && node bench/replication.mjs [rounds=3]
//   BENCH_KEYS=1000000  BENCH_N=100000 (SET requests)  BENCH_WARM_UP=20000 (requests before each measured run)  BENCH_SKIP_SYNC=1  BENCH_SKIP_SET=1
//   BENCH_SYNC=diskless|disk  BENCH_PORT: nodes take ports from here up (a shared machine's
//   assigned range) instead of free ephemeral ones

import { cpuTicks, cpuTicksWithChildren, freePort, median, PingProbe, redisBenchmarkRps, startBenchServer, stopBenchServer, until, WARM_UP_REQUESTS } from './lib.mjs';
import { FLOOR_ENABLED, floorInSync, startFloorNode, stopFloorNodes } from './node-floor.mjs';

const ROUNDS = Number(process.argv[2] ?? 3);
const KEYS = Number(process.env.BENCH_KEYS ?? 1_000_000);
const SET_REQUESTS = Number(process.env.BENCH_N ?? 100_000);
const BASE_PORT = Number(process.env.BENCH_PORT ?? 0);
/** Nodes started so far (their port's offset from BASE_PORT; earlier rounds' nodes are gone). */
let portsTaken = 0;
const SYNC_MODE = process.env.BENCH_SYNC === 'disk' ? 'disk' : 'diskless';
const PING_INTERVAL_MS = 5;
const SYNC_TIMEOUT_MS = 300_000;
const TICKS_PER_SECOND = 100;
/** @typedef {'cinnabar' | 'redis' | 'floor'} Kind */
/** @type {ReadonlyArray<'cinnabar' | 'redis'>} */
const KINDS = ['cinnabar', 'redis'];
/** @type {ReadonlyArray<Kind>} */
const SET_KINDS = FLOOR_ENABLED ? [...KINDS, 'floor'] : KINDS;

/** @typedef {import('./lib.mjs').BenchServer} Node */

/** A port for the next node. */
async function nextPort() {
  return BASE_PORT > 0 ? BASE_PORT + (portsTaken++ % 100) : freePort();
}

/** @param {'cinnabar' | 'redis'} kind @returns {Promise<Node>} */
async function startNode(kind) {
  const port = await nextPort();
  return startBenchServer(kind, port, {
    dirPrefix: 'repl-bench',
    extraArgs: ['--repl-diskless-sync', SYNC_MODE === 'diskless' ? 'yes' : 'no', '--repl-diskless-sync-delay', '0'],
  });
}

/** @param {Node[]} nodes */
async function stopNodes(nodes) {
  for (const node of nodes) await stopBenchServer(node);
}

/** @param {import('ioredis').Redis} client @returns {Promise<Record<string, string>>} */
async function replicationInfo(client) {
  const text = /** @type {string} */ (await client.info('replication'));
  /** @type {Record<string, string>} */
  const fields = {};
  for (const line of text.split('\r\n')) {
    const at = line.indexOf(':');
    if (at > 0) fields[line.slice(0, at)] = line.slice(at + 1);
  }
  return fields;
}

/** @param {Node} replica @param {Node} primary */
async function follow(replica, primary) {
  await replica.client.replicaof('127.0.0.1', primary.port);
}

/** Until the replica is linked and has applied all the primary has. @param {Node} replica @param {Node} primary */
async function inSync(replica, primary) {
  await until(async () => {
    const [mine, theirs] = await Promise.all([replicationInfo(replica.client), replicationInfo(primary.client)]);
    return mine.master_link_status === 'up' && mine.master_repl_offset === theirs.master_repl_offset;
  }, SYNC_TIMEOUT_MS, 20);
}

/**
 * @typedef {{ seconds: number, worstPingMs: number, primaryCpuSeconds: number, replicaCpuSeconds: number }} SyncResult
 */

/** @param {'cinnabar' | 'redis'} kind @returns {Promise<SyncResult>} */
async function fullSync(kind) {
  const nodes = [await startNode(kind), await startNode(kind)];
  const [primary, replica] = nodes;
  try {
    await primary.client.call('DEBUG', 'POPULATE', String(KEYS));
    const probe = new PingProbe(primary.port, PING_INTERVAL_MS);
    try {
      await probe.ready;
      const primaryTicks = cpuTicksWithChildren(primary.pid);
      const replicaTicks = cpuTicks(replica.pid);
      const started = performance.now();
      await follow(replica, primary);
      await until(async () => {
        const info = await replicationInfo(replica.client);
        return info.master_link_status === 'up' && Number(await replica.client.dbsize()) === KEYS;
      }, SYNC_TIMEOUT_MS, 20);
      const seconds = (performance.now() - started) / 1000;
      const result = await probe.stop();
      // Redis's fork child (and cinnabar's sync child) counts once the primary has reaped it.
      await until(async () => {
        const text = /** @type {string} */ (await primary.client.info('persistence'));
        return text.includes('rdb_bgsave_in_progress:0');
      }, SYNC_TIMEOUT_MS, 20);
      await new Promise((resolve) => setTimeout(resolve, 200));
      const roundTrips = result.unansweredMs === null ? result.roundTripsMs : [...result.roundTripsMs, result.unansweredMs];
      return {
        seconds,
        worstPingMs: Math.max(0, ...roundTrips),
        primaryCpuSeconds: (cpuTicksWithChildren(primary.pid) - primaryTicks) / TICKS_PER_SECOND,
        replicaCpuSeconds: (cpuTicks(replica.pid) - replicaTicks) / TICKS_PER_SECOND,
      };
    } finally {
      await probe.terminate();
    }
  } finally {
    await stopNodes(nodes);
  }
}

/**
 * @typedef {{ rps: number, primaryCpuUs: number, totalCpuUs: number }} SetResult
 */

/**
 * The SET run of `measure`: a warm-up, then the measured run, each followed by waiting for the
 * replicas to catch up (`inSync`); CPU of every node over the measured run and its catching up.
 * @param {number} port @param {number[]} pids @param {() => Promise<void>} inSync @returns {Promise<SetResult>}
 */
async function measureSets(port, pids, inSync) {
  const args = ['-p', String(port), '-t', 'set', '-c', '50'];
  if (WARM_UP_REQUESTS > 0) redisBenchmarkRps(args, 'set', WARM_UP_REQUESTS);
  await inSync();
  const before = pids.map((pid) => cpuTicks(pid));
  const rps = redisBenchmarkRps(args, 'set', SET_REQUESTS);
  await inSync();
  const spent = pids.map((pid, i) => cpuTicks(pid) - before[i]);
  const usPerRequest = (/** @type {number} */ ticks) => (ticks / TICKS_PER_SECOND) * 1e6 / SET_REQUESTS;
  return { rps, primaryCpuUs: usPerRequest(spent[0]), totalCpuUs: usPerRequest(spent.reduce((a, b) => a + b, 0)) };
}

/** @param {Kind} kind @returns {Promise<SetResult>} */
async function setWithTwoReplicas(kind) {
  if (kind === 'floor') return floorSetWithTwoReplicas();
  const nodes = [await startNode(kind), await startNode(kind), await startNode(kind)];
  const [primary, ...replicas] = nodes;
  try {
    for (const replica of replicas) await follow(replica, primary);
    return await measureSets(primary.port, nodes.map((n) => n.pid), async () => {
      for (const replica of replicas) await inSync(replica, primary);
    });
  } finally {
    await stopNodes(nodes);
  }
}

/** setWithTwoReplicas on Node's floor. @returns {Promise<SetResult>} */
async function floorSetWithTwoReplicas() {
  const primary = await startFloorNode(await nextPort());
  const nodes = [primary];
  try {
    for (let i = 0; i < 2; i++) nodes.push(await startFloorNode(await nextPort(), ['--replicaof', String(primary.port)]));
    return await measureSets(primary.port, nodes.map((n) => n.pid), () => floorInSync(primary, nodes.slice(1)));
  } finally {
    await stopFloorNodes(nodes);
  }
}

/** @param {number[]} values @param {number} digits */
function range(values, digits) {
  return `${Math.min(...values).toFixed(digits)}-${Math.max(...values).toFixed(digits)}`;
}

/**
 * ROUNDS runs of `measure` on each of `kinds`, the order reversed every other round.
 * @template {Kind} K @template T @param {(kind: K) => Promise<T>} measure @param {ReadonlyArray<K>} kinds
 * @returns {Promise<Record<K, T[]>>}
 */
async function alternatingRounds(measure, kinds) {
  const results = /** @type {Record<K, T[]>} */ ({});
  for (const kind of kinds) results[kind] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? kinds : [...kinds].reverse();
    for (const kind of order) results[kind].push(await measure(kind));
    process.stdout.write('.');
  }
  return results;
}

async function main() {
  console.log(`replication: cinnabar vs redis-server, ${ROUNDS} alternating rounds, ${SYNC_MODE} sync`);
  if (process.env.BENCH_SKIP_SYNC !== '1') {
    const sync = await alternatingRounds(fullSync, KINDS);
    console.log(`\nFull sync of ${KEYS.toLocaleString('en-US')} keys (REPLICAOF to link up with every key; worst PING to the primary meanwhile)`);
    for (const kind of KINDS) {
      const r = sync[kind];
      console.log(`  ${kind.padEnd(9)} time ${range(r.map((x) => x.seconds), 2)} s (median ${median(r.map((x) => x.seconds)).toFixed(2)})` +
        `  worst PING ${range(r.map((x) => x.worstPingMs), 1)} ms (median ${median(r.map((x) => x.worstPingMs)).toFixed(1)})` +
        `  CPU primary ${range(r.map((x) => x.primaryCpuSeconds), 2)} s, replica ${range(r.map((x) => x.replicaCpuSeconds), 2)} s`);
    }
    const ratio = median(sync.cinnabar.map((x) => x.seconds)) / median(sync.redis.map((x) => x.seconds));
    console.log(`  sync time ratio cinnabar/redis (medians): ${ratio.toFixed(2)}`);
  }
  if (process.env.BENCH_SKIP_SET !== '1') {
    const sets = await alternatingRounds(setWithTwoReplicas, SET_KINDS);
    console.log(`\nSET with two replicas (50 clients, non-pipelined, ${SET_REQUESTS.toLocaleString('en-US')} requests on the primary)`);
    for (const kind of SET_KINDS) {
      const r = sets[kind];
      console.log(`  ${kind.padEnd(9)} rps ${range(r.map((x) => x.rps), 0)}  CPU us/request primary ${range(r.map((x) => x.primaryCpuUs), 1)}` +
        `, all three ${range(r.map((x) => x.totalCpuUs), 1)}`);
    }
    const best = (/** @type {SetResult[]} */ r) => Math.max(...r.map((x) => x.rps));
    const rpsRatio = best(sets.cinnabar) / best(sets.redis);
    const cpuRatio = median(sets.cinnabar.map((x) => x.totalCpuUs)) / median(sets.redis.map((x) => x.totalCpuUs));
    console.log(`  rps ratio cinnabar/redis (best rounds): ${rpsRatio.toFixed(2)} (target >= 0.85)  ` +
      `CPU ratio, all three (medians): ${cpuRatio.toFixed(2)}`);
    if (FLOOR_ENABLED) {
      console.log(`  Node's floor: rps ratio floor/redis ${(best(sets.floor) / best(sets.redis)).toFixed(2)}, cinnabar/floor ${(best(sets.cinnabar) / best(sets.floor)).toFixed(2)} (best rounds)`);
    }
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
