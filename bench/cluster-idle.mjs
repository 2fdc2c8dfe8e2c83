// @ts-check
// What a cluster node costs doing nothing, cinnabar beside redis-server: a 3-primary, 1-replica
// cluster (`redis-cli --cluster create`) left alone; after it settled, each node's CPU ticks
// (utime + stime from /proc) over a window, and the bus messages each node sent per second
// (CLUSTER INFO), which depend on cluster-node-timeout (a ping to every peer not pinged for half
// of it, plus one a second to a random node).
//
//   npm run build && node bench/cluster-idle.mjs
//   BENCH_PORT first of 12 ports (default: free ephemeral ports),
//   BENCH_NODE_TIMEOUT_MS (5000), BENCH_SETTLE_S (30), BENCH_IDLE_S (20),
//   BENCH_KINDS=cinnabar,redis, BENCH_PERF=1: `perf record -g` of the first cinnabar node over
//   the window into /tmp/cluster-idle.perf.data (with --perf-basic-prof).

import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
/** @typedef {import('ioredis').Redis} Redis */
import { startCluster, stopCluster } from './cluster-lib.mjs';
import { cpuTicks } from './lib.mjs';

const SERVER = fileURLToPath(new URL('../dist/bundle/cinnabar-server.js', import.meta.url));
const BASE_PORT = Number(process.env.BENCH_PORT ?? 0);
const NODE_TIMEOUT_MS = Number(process.env.BENCH_NODE_TIMEOUT_MS ?? 5000);
const SETTLE_S = Number(process.env.BENCH_SETTLE_S ?? 30);
const IDLE_S = Number(process.env.BENCH_IDLE_S ?? 20);
const KINDS = /** @type {Array<'cinnabar' | 'redis'>} */ ((process.env.BENCH_KINDS ?? 'cinnabar,redis').split(','));
const PERF = process.env.BENCH_PERF === '1';

/** @param {Redis} client */
async function messagesSent(client) {
  const info = /** @type {string} */ (await client.call('CLUSTER', 'INFO'));
  return Number(/cluster_stats_messages_sent:(\d+)/.exec(info)?.[1] ?? 0);
}

for (const kind of KINDS) {
  const cinnabarCommand = ['node', ...(PERF ? ['--perf-basic-prof'] : []), SERVER];
  const cluster = await startCluster({ kind, cinnabarCommand, nodeTimeoutMs: NODE_TIMEOUT_MS, dirPrefix: 'cluster-idle', basePort: BASE_PORT });
  const { nodes, clients } = cluster;
  try {
    await new Promise((r) => setTimeout(r, SETTLE_S * 1000));
    const ticksBefore = nodes.map((n) => cpuTicks(/** @type {number} */ (n.proc.pid)));
    const sentBefore = await Promise.all(clients.map(messagesSent));
    const perf = PERF && kind === 'cinnabar'
      ? spawn('perf', ['record', '-g', '-F', '999', '-p', String(nodes[0].proc.pid), '-o', '/tmp/cluster-idle.perf.data'], { stdio: 'ignore' })
      : null;
    await new Promise((r) => setTimeout(r, IDLE_S * 1000));
    if (perf !== null) {
      perf.kill('SIGINT');
      await new Promise((r) => perf.once('exit', r));
    }
    const ticks = nodes.map((n, i) => cpuTicks(/** @type {number} */ (n.proc.pid)) - ticksBefore[i]);
    const sent = await Promise.all(clients.map(messagesSent));
    const cpuMsPerSec = ticks.map((t) => (t * 10) / IDLE_S);
    const mean = cpuMsPerSec.reduce((a, b) => a + b, 0) / cpuMsPerSec.length;
    console.log(`${kind}: idle CPU ms/s per node ${cpuMsPerSec.map((v) => v.toFixed(1)).join(' ')} (mean ${mean.toFixed(1)}, ${(mean / 10).toFixed(2)}% of a core); ` +
      `bus messages sent/s per node ${sent.map((s, i) => ((s - sentBefore[i]) / IDLE_S).toFixed(1)).join(' ')}`);
  } finally {
    await stopCluster(cluster);
  }
}
process.exit(0);
