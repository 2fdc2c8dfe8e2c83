// @ts-check
// Starting, querying and stopping node-floor-server.mjs processes for the topology benches: a
// primary with replicas (replication.mjs) and a 3-shard cluster with a replica per shard
// (cluster.mjs). BENCH_SKIP_FLOOR=1 leaves the floor out of both.

import { spawn } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { until, waitPort } from './lib.mjs';

const SERVER = fileURLToPath(new URL('./node-floor-server.mjs', import.meta.url));
export const FLOOR_ENABLED = process.env.BENCH_SKIP_FLOOR !== '1';

/** @typedef {{ port: number, pid: number, proc: import('node:child_process').ChildProcess }} FloorNode */

/** @param {number} port @param {string[]} [args] @returns {Promise<FloorNode>} */
export async function startFloorNode(port, args = []) {
  const proc = spawn(process.execPath, [SERVER, '--port', String(port), ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
  await waitPort(port);
  return { port, pid: proc.pid ?? 0, proc };
}

/** FLOOR.APPLIED of the node on `port`: the SETs it has applied. @param {number} port @returns {Promise<number>} */
export function floorApplied(port) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write('*1\r\n$13\r\nFLOOR.APPLIED\r\n'));
    let text = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk) => {
      text += chunk;
      if (!text.endsWith('\r\n')) return;
      socket.destroy();
      if (text.startsWith(':')) resolve(Number(text.slice(1, -2)));
      else reject(new Error(`FLOOR.APPLIED: ${text.trim()}`));
    });
    socket.on('error', reject);
  });
}

/** Waits until every one of `replicas` has applied what `primary` has. @param {FloorNode} primary @param {FloorNode[]} replicas */
export async function floorInSync(primary, replicas) {
  const target = await floorApplied(primary.port);
  for (const replica of replicas) await until(async () => (await floorApplied(replica.port)) >= target, 60_000, 10);
}

/** @param {FloorNode[]} nodes */
export async function stopFloorNodes(nodes) {
  await Promise.all(nodes.map((node) => new Promise((resolve) => {
    if (node.proc.exitCode !== null || node.proc.signalCode !== null) {
      resolve(undefined);
      return;
    }
    node.proc.once('exit', resolve);
    node.proc.kill('SIGKILL');
  })));
}

/** The shard map of a floor cluster: 16384 slots split as redis-cli --cluster create splits them for 3. */
const SHARD_SLOTS = ['0-5460', '5461-10922', '10923-16383'];

/**
 * Three floor primaries, each answering CLUSTER NODES with the three shards, and a floor replica
 * of each: the shape of cluster.mjs's clusters. Ports from `basePort` up (6 of them), else free ones.
 * @param {number} basePort @param {() => Promise<number>} freePort @returns {Promise<{ nodes: FloorNode[] }>}
 */
export async function startFloorCluster(basePort, freePort) {
  /** @type {number[]} */
  const ports = [];
  for (let i = 0; i < 2 * SHARD_SLOTS.length; i++) ports.push(basePort > 0 ? basePort + i : await freePort());
  const shards = SHARD_SLOTS.map((slots, i) => `${ports[i]}:${slots}`).join(',');
  /** @type {FloorNode[]} */
  const nodes = [];
  try {
    for (let i = 0; i < SHARD_SLOTS.length; i++) nodes.push(await startFloorNode(ports[i], ['--shards', shards]));
    for (let i = 0; i < SHARD_SLOTS.length; i++) nodes.push(await startFloorNode(ports[SHARD_SLOTS.length + i], ['--replicaof', String(ports[i])]));
  } catch (err) {
    await stopFloorNodes(nodes);
    throw err;
  }
  return { nodes };
}
