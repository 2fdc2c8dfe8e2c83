// @ts-check
// What a cluster node costs doing nothing, cinnabar beside redis-server: a 3-primary, 1-replica
// cluster (`redis-cli --cluster create`) left alone; after it settled, each node's CPU ticks
// (utime + stime from /proc) over a window, and the bus messages each node sent per second
// (CLUSTER INFO), which depend on cluster-node-timeout (a ping to every peer not pinged for half
// of it, plus one a second to a random node).
//
//   npm run build && node bench/cluster-idle.mjs
//   BENCH_PORT first of 12 ports (default 42300; bus ports are port + 100),
//   BENCH_NODE_TIMEOUT_MS (5000), BENCH_SETTLE_S (30), BENCH_IDLE_S (20),
//   BENCH_KINDS=cinnabar,redis, BENCH_PERF=1: `perf record -g` of the first cinnabar node over
//   the window into /tmp/cluster-idle.perf.data (with --perf-basic-prof).

import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { cpuTicks, until, waitPort } from './lib.mjs';

const SERVER = fileURLToPath(new URL('../dist/bundle/cinnabar-server.js', import.meta.url));
const BASE_PORT = Number(process.env.BENCH_PORT ?? 42_300);
const NODE_TIMEOUT_MS = process.env.BENCH_NODE_TIMEOUT_MS ?? '5000';
const SETTLE_S = Number(process.env.BENCH_SETTLE_S ?? 30);
const IDLE_S = Number(process.env.BENCH_IDLE_S ?? 20);
const KINDS = (process.env.BENCH_KINDS ?? 'cinnabar,redis').split(',');
const PERF = process.env.BENCH_PERF === '1';

/** @param {Redis} client */
async function messagesSent(client) {
  const info = /** @type {string} */ (await client.call('CLUSTER', 'INFO'));
  return Number(/cluster_stats_messages_sent:(\d+)/.exec(info)?.[1] ?? 0);
}

for (const kind of KINDS) {
  /** @type {Array<{ port: number, proc: import('node:child_process').ChildProcess, dir: string }>} */
  const nodes = [];
  /** @type {Redis[]} */
  const clients = [];
  try {
    for (let i = 0; i < 6; i++) {
      const port = BASE_PORT + i;
      const dir = mkdtempSync(join(tmpdir(), `cluster-idle-${kind}-`));
      const args = ['--port', String(port), '--cluster-enabled', 'yes', '--cluster-port', String(port + 100),
        '--cluster-config-file', `nodes-${port}.conf`, '--cluster-node-timeout', NODE_TIMEOUT_MS,
        '--save', '', '--appendonly', 'no', '--dir', dir];
      const proc = kind === 'redis'
        ? spawn('redis-server', args, { stdio: 'ignore', cwd: dir })
        : spawn('node', [...(PERF ? ['--perf-basic-prof'] : []), SERVER, ...args], { stdio: 'ignore', cwd: dir });
      nodes.push({ port, proc, dir });
    }
    for (const n of nodes) await waitPort(n.port);
    const created = spawnSync('redis-cli', ['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`),
      '--cluster-replicas', '1', '--cluster-yes'], { encoding: 'utf8', timeout: 120_000 });
    if (created.status !== 0) throw new Error(`redis-cli --cluster create failed:\n${created.stdout}${created.stderr}`);
    for (const n of nodes) {
      const client = new Redis({ port: n.port, maxRetriesPerRequest: 1 });
      client.on('error', () => undefined);
      clients.push(client);
    }
    await until(async () => {
      for (const c of clients) {
        const info = /** @type {string} */ (await c.call('CLUSTER', 'INFO'));
        if (!info.includes('cluster_state:ok') || !info.includes('cluster_known_nodes:6')) return false;
      }
      return true;
    }, 60_000, 200);
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
    for (const c of clients) c.disconnect();
    await Promise.all(nodes.map(async (n) => {
      if (n.proc.exitCode === null && n.proc.signalCode === null) {
        const exited = new Promise((r) => n.proc.once('exit', r));
        n.proc.kill('SIGKILL');
        await exited;
      }
      rmSync(n.dir, { recursive: true, force: true });
    }));
  }
}
process.exit(0);
