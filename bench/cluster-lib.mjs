// @ts-check
// A 3-primary, 1-replica cluster of cinnabar or redis-server nodes for the cluster benches
// (cluster.mjs, cluster-idle.mjs): six fresh nodes in temporary directories, joined with
// `redis-cli --cluster create`, returned once every node reports cluster_state:ok with six known
// nodes and every replica has synced (a replica that never synced counts as too old to take
// over: cluster-replica-validity-factor).

import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort, until, waitPort } from './lib.mjs';

/**
 * @typedef {{ port: number, proc: import('node:child_process').ChildProcess, dir: string }} ClusterNode
 * @typedef {{ nodes: ClusterNode[], clients: Redis[] }} RunningCluster
 * @typedef {{
 *   kind: 'cinnabar' | 'redis',
 *   cinnabarCommand: string[],
 *   nodeTimeoutMs: number,
 *   dirPrefix: string,
 *   basePort?: number,
 * }} ClusterOptions
 * cinnabarCommand: the program and its leading arguments that start a cinnabar node (the
 * launcher, or node with flags and the bundle); basePort: the first of 12 ports to use (a shared
 * machine's assigned range), else free ephemeral ones.
 */

const NODES = 6;
const SETTLE_TIMEOUT_MS = 60_000;

/** @param {ClusterOptions} options @returns {Promise<RunningCluster>} */
export async function startCluster(options) {
  const { kind, cinnabarCommand, nodeTimeoutMs, dirPrefix, basePort = 0 } = options;
  /** @type {ClusterNode[]} */
  const nodes = [];
  /** @type {Redis[]} */
  const clients = [];
  // Twelve distinct ports (a free port's +10000 may be out of range or taken: bus ports are
  // chosen the same way), all picked before any node binds one.
  const ports = new Set();
  if (basePort > 0) for (let i = 0; i < 2 * NODES; i++) ports.add(basePort + i);
  while (ports.size < 2 * NODES) ports.add(await freePort());
  const picked = [...ports];
  const running = { nodes, clients };
  try {
    for (let i = 0; i < NODES; i++) {
      const port = picked[2 * i];
      const dir = mkdtempSync(join(tmpdir(), `${dirPrefix}-${kind}-`));
      const args = ['--port', String(port), '--cluster-enabled', 'yes', '--cluster-port', String(picked[2 * i + 1]),
        '--cluster-config-file', `nodes-${port}.conf`, '--cluster-node-timeout', String(nodeTimeoutMs),
        '--save', '', '--appendonly', 'no', '--dir', dir];
      const [program, ...leading] = kind === 'redis' ? ['redis-server'] : cinnabarCommand;
      nodes.push({ port, proc: spawn(program, [...leading, ...args], { stdio: 'ignore', cwd: dir }), dir });
    }
    for (const n of nodes) await waitPort(n.port);
    const created = spawnSync('redis-cli', ['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`),
      '--cluster-replicas', '1', '--cluster-yes'], { encoding: 'utf8', timeout: 120_000 });
    if (created.status !== 0) throw new Error(`redis-cli --cluster create failed:\n${created.stdout}${created.stderr}`);
    for (const n of nodes) {
      const c = new Redis({ port: n.port, maxRetriesPerRequest: 1, retryStrategy: () => 100 });
      c.on('error', () => undefined);
      clients.push(c);
    }
    await until(async () => {
      for (const c of clients) {
        const info = /** @type {string} */ (await c.call('CLUSTER', 'INFO'));
        if (!info.includes('cluster_state:ok') || !info.includes(`cluster_known_nodes:${NODES}`)) return false;
      }
      return true;
    }, SETTLE_TIMEOUT_MS);
    await until(async () => {
      let synced = 0;
      for (const c of clients) {
        const info = /** @type {string} */ (await c.info('replication'));
        if (info.includes('master_link_status:up')) synced++;
      }
      return synced === NODES / 2;
    }, SETTLE_TIMEOUT_MS);
    return running;
  } catch (err) {
    await stopCluster(running);
    throw err;
  }
}

/** Disconnects the clients, kills every node still running and removes the directories. @param {RunningCluster} cluster */
export async function stopCluster(cluster) {
  for (const c of cluster.clients) c.disconnect();
  await Promise.all(cluster.nodes.map(async (n) => {
    if (n.proc.exitCode === null && n.proc.signalCode === null) {
      const exited = new Promise((r) => n.proc.once('exit', r));
      n.proc.kill('SIGKILL');
      await exited;
    }
    rmSync(n.dir, { recursive: true, force: true });
  }));
}
