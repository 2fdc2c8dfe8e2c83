// `cinnabar up`: a local cluster or sentinel topology in one command, in the foreground. It
// forms the topology with the fixtures of src/topology (progress lines while it forms), prints
// a table of the nodes, and on Ctrl-C or SIGTERM stops every process it started (a clean
// shutdown first, then SIGKILL). A busy port is named and nothing starts.

import { NodeClient } from '../topology/node-client.js';
import { startCluster, type ClusterTopology } from '../topology/cluster.js';
import { startSentinels, type SentinelTopology } from '../topology/sentinels.js';
import type { TopologyNode } from '../topology/types.js';

/** How long the nodes get for a clean shutdown (final save, nodes.conf) before SIGKILL. */
const SHUTDOWN_GRACE_MS = 10_000;

export interface UpOptions {
  cluster?: string;
  sentinel?: boolean;
  replicas?: string;
  sentinels?: string;
  port?: string;
  dir?: string;
  bind?: string;
}

interface Row {
  id: string;
  role: string;
  address: string;
  slots: string;
  log: string;
}

function wholeNumber(text: string, what: string, min: number): number {
  if (!/^\d+$/.test(text) || Number(text) < min) throw new Error(`${what} must be a whole number >= ${min}, not '${text}'`);
  return Number(text);
}

function parseShape(text: string): { primaries: number; replicasPerPrimary: number } {
  const m = /^(\d+)x(\d+)$/i.exec(text);
  if (m === null) throw new Error(`--cluster takes NxR (primaries x replicas per primary, e.g. 3x1), not '${text}'`);
  return { primaries: wholeNumber(m[1], 'the number of primaries', 1), replicasPerPrimary: wholeNumber(m[2], 'the replicas per primary', 0) };
}

function table(rows: Row[]): string {
  const header: Row = { id: 'NODE ID', role: 'ROLE', address: 'ADDRESS', slots: 'SLOTS', log: 'LOG FILE' };
  const all = [header, ...rows];
  const width = (k: keyof Row): number => Math.max(...all.map((r) => r[k].length));
  const keys: Array<keyof Row> = ['id', 'role', 'address', 'slots', 'log'];
  return all.map((r) => keys.map((k, i) => (i === keys.length - 1 ? r[k] : r[k].padEnd(width(k)))).join('  ')).join('\n');
}

async function clusterRows(topology: ClusterTopology): Promise<Row[]> {
  const state = await topology.state();
  const byAddress = new Map(topology.nodes.map((n) => [n.address, n]));
  const rows = state.map((s) => ({
    id: s.id,
    role: s.role === 'replica' ? `replica of ${s.primaryId?.slice(0, 8) ?? '?'}` : 'primary',
    address: s.address,
    slots: s.slots.map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`)).join(',') || '-',
    log: byAddress.get(s.address)?.logFile ?? '-',
  }));
  // Primaries in slot order, each followed by its replicas.
  const primaries = rows.filter((r) => r.role === 'primary').sort((a, b) => Number(a.slots.split('-')[0]) - Number(b.slots.split('-')[0]));
  return primaries.flatMap((p) => [p, ...rows.filter((r) => r.role === `replica of ${p.id.slice(0, 8)}`)]);
}

async function nodeId(node: TopologyNode): Promise<string> {
  const client = new NodeClient(node.host, node.port);
  try {
    if (node.role === 'sentinel') return await client.text('SENTINEL', 'MYID');
    return (await client.info('server')).get('run_id') ?? '-';
  } finally {
    client.close();
  }
}

async function sentinelRows(topology: SentinelTopology): Promise<Row[]> {
  return Promise.all(topology.nodes.map(async (n) => ({
    id: await nodeId(n), role: n.role, address: n.address, slots: '-', log: n.logFile,
  })));
}

/** Runs `cinnabar up`; resolves with the process exit code once everything stopped. */
export async function up(options: UpOptions, out: (line: string) => void): Promise<number> {
  if ((options.cluster === undefined) === (options.sentinel !== true)) {
    throw new Error('cinnabar up needs either --cluster NxR or --sentinel');
  }
  const stop = new AbortController();
  let stopping: NodeJS.Signals | null = null;
  let formed = false;
  let resolveStopped: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => { resolveStopped = resolve; });
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping !== null) return;
    stopping = signal;
    out(`${signal} received: stopping every node`);
    // While forming, abort (the nodes are killed and forming rejects); once formed, the nodes
    // get a clean shutdown below.
    if (!formed) stop.abort();
    resolveStopped();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const common = {
    host: options.bind ?? '127.0.0.1',
    dir: options.dir,
    persistence: options.dir !== undefined,
    signal: stop.signal,
    onProgress: (m: string) => out(m),
  };
  const startedAt = Date.now();
  let topology: ClusterTopology | SentinelTopology;
  let rows: Row[];
  try {
    if (options.cluster !== undefined) {
      const basePort = wholeNumber(options.port ?? '7000', '--port', 1);
      const shape = parseShape(options.cluster);
      out(`forming a cluster of ${shape.primaries} primaries with ${shape.replicasPerPrimary} replica(s) each on ports ${basePort}-${basePort + shape.primaries * (1 + shape.replicasPerPrimary) - 1}`);
      const cluster = await startCluster({ ...common, ...shape, basePort });
      topology = cluster;
      rows = await clusterRows(cluster);
      out(`cluster ok in ${((Date.now() - startedAt) / 1000).toFixed(1)} s: all 16384 slots covered`);
    } else {
      const basePort = wholeNumber(options.port ?? '6380', '--port', 1);
      const replicas = wholeNumber(options.replicas ?? '2', '--replicas', 0);
      const sentinels = wholeNumber(options.sentinels ?? '3', '--sentinels', 1);
      out(`starting a primary with ${replicas} replica(s) on ports ${basePort}-${basePort + replicas} and ${sentinels} sentinel(s) from port ${basePort + 20_000}`);
      const s = await startSentinels({ ...common, basePort, replicas, sentinels });
      topology = s;
      rows = await sentinelRows(s);
      out(`sentinels agree in ${((Date.now() - startedAt) / 1000).toFixed(1)} s: master name ${s.masterName} at ${s.primary.host}:${s.primary.port}`);
    }
  } catch (err) {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (stopping !== null) {
      out('stopped');
      return 0;
    }
    throw err;
  }
  formed = true;
  if (stopping !== null) {
    await topology.close();
    out('stopped');
    return 0;
  }
  out('');
  out(table(rows));
  out('');
  out('Running in the foreground: Ctrl-C or SIGTERM stops every node.');
  await stopped;
  await topology.close({ graceMs: SHUTDOWN_GRACE_MS });
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  out('stopped');
  return 0;
}
