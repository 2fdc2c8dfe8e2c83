// Real cluster nodes for the multi-process tests: cinnabar-server (or redis-server, for the
// differential timing) processes with cluster-enabled yes, each in its own directory on free
// ports, redis-cli --cluster to build the cluster, and a cleanup that kills everything.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort, ListenerExitedError, onFreePort, waitForPort } from '../helpers/net.js';
import { CLI, run, type Proc } from '../helpers/process.js';
import { waitFor } from '../helpers/wait.js';

export interface ClusterNodeProc {
  readonly port: number;
  readonly busPort: number;
  readonly proc: Proc;
  readonly dir: string;
  readonly client: Redis;
}

export class ClusterTopology {
  readonly nodes: ClusterNodeProc[] = [];
  private readonly extraClients: Redis[] = [];

  constructor(private readonly nodeTimeoutMs = 2000) {}

  /** Starts one node; `reference` runs redis-server instead of cinnabar-server. */
  node(reference = false, extra: string[] = []): Promise<ClusterNodeProc> {
    return onFreePort((port) => this.nodeOn(port, reference, extra));
  }

  private async nodeOn(port: number, reference: boolean, extra: string[]): Promise<ClusterNodeProc> {
    let busPort = await freePort();
    while (busPort === port) busPort = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'cinnabar-cluster-'));
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--cluster-enabled', 'yes', '--cluster-port', String(busPort),
      '--cluster-node-timeout', String(this.nodeTimeoutMs), '--save', '', '--appendonly', 'no', '--dir', dir, ...extra];
    const proc = reference ? run('redis-server', args, { cwd: dir }) : run(process.execPath, [CLI, ...args], { cwd: dir });
    try {
      await waitForPort(port, 20_000, proc.pid);
    } catch (err) {
      await proc.kill();
      rmSync(dir, { recursive: true, force: true });
      if (err instanceof ListenerExitedError) throw err;
      throw new Error(`${(err as Error).message}\n${proc.output}`);
    }
    const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => 100 });
    client.on('error', () => undefined);
    try {
      await client.connect();
    } catch (err) {
      client.disconnect();
      // A node listens on its client port before its bus port (as Redis does): one whose bus port
      // was taken by another process meanwhile exits after waitForPort saw it listening.
      const exited = await Promise.race([proc.exited, new Promise<null>((resolve) => setTimeout(() => resolve(null), 2000))]);
      await proc.kill();
      rmSync(dir, { recursive: true, force: true });
      if (exited !== null) throw new ListenerExitedError(`the node on ${port} exited: ${proc.output.slice(-500)}`);
      throw err;
    }
    const node = { port, busPort, proc, dir, client };
    this.nodes.push(node);
    return node;
  }

  /**
   * Starts a stopped node again on its ports and directory (nodes.conf and data files kept),
   * with `extra` arguments; its client reconnects by itself.
   */
  async restart(node: ClusterNodeProc, extra: string[] = []): Promise<ClusterNodeProc> {
    await node.proc.kill();
    const args = ['--port', String(node.port), '--bind', '127.0.0.1', '--cluster-enabled', 'yes', '--cluster-port', String(node.busPort),
      '--cluster-node-timeout', String(this.nodeTimeoutMs), '--save', '', '--appendonly', 'no', '--dir', node.dir, ...extra];
    const proc = run(process.execPath, [CLI, ...args], { cwd: node.dir });
    const restarted = { ...node, proc };
    this.nodes[this.nodes.indexOf(node)] = restarted;
    await waitForPort(node.port, 20_000, proc.pid);
    return restarted;
  }

  /** `redis-cli --cluster <args>`; resolves with its exit and output. */
  async redisCli(args: string[], timeoutMs = 60_000): Promise<{ code: number | null; output: string }> {
    const proc = run('redis-cli', ['--cluster', ...args]);
    const exit = await proc.waitExit(timeoutMs);
    return { code: exit.code, output: proc.output };
  }

  /** 3 primaries x 1 replica (or as asked), created with redis-cli --cluster create. */
  async create(primaries = 3, replicasEach = 1, reference = false): Promise<void> {
    // allSettled: when one start fails, the others still in flight are in `nodes` by the time it
    // throws, so cleanup() stops them all (Promise.all left them running past the test).
    const starts = await Promise.allSettled(Array.from({ length: primaries * (1 + replicasEach) }, () => this.node(reference)));
    const failed = starts.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
    const started = starts.map((s) => (s as PromiseFulfilledResult<ClusterNodeProc>).value);
    const result = await this.redisCli(['create', ...started.map((n) => `127.0.0.1:${n.port}`),
      '--cluster-replicas', String(replicasEach), '--cluster-yes'], 120_000);
    if (result.code !== 0) throw new Error(`redis-cli --cluster create failed (${result.code}):\n${result.output}`);
    await waitFor(async () => {
      for (const node of started) {
        if (node.proc.exit !== null) continue;
        const info = await node.client.call('CLUSTER', 'INFO') as string;
        if (!info.includes('cluster_state:ok')) return false;
      }
      return true;
    }, 30_000, 'cluster_state:ok on every node');
    // A replica that never synced cannot be elected (its data age is unknown): wait for the links.
    await waitFor(async () => {
      for (const node of started) {
        const info = await node.client.call('INFO', 'replication') as string;
        if (info.includes('role:slave') && !info.includes('master_link_status:up')) return false;
      }
      return true;
    }, 30_000, 'every replica linked to its primary');
  }

  /** CLUSTER NODES of a node, parsed: name -> {addr, flags, primary, slots}. */
  async clusterNodes(node: ClusterNodeProc): Promise<Map<string, { addr: string; flags: string[]; primary: string; slots: string[] }>> {
    const text = await node.client.call('CLUSTER', 'NODES') as string;
    const out = new Map<string, { addr: string; flags: string[]; primary: string; slots: string[] }>();
    for (const line of text.split('\n')) {
      if (line === '') continue;
      const parts = line.split(' ');
      out.set(parts[0]!, { addr: parts[1]!, flags: parts[2]!.split(','), primary: parts[3]!, slots: parts.slice(8) });
    }
    return out;
  }

  async myId(node: ClusterNodeProc): Promise<string> {
    return await node.client.call('CLUSTER', 'MYID') as string;
  }

  /** ROLE's first element ('master' or 'slave'); '' when the node does not answer. */
  async roleOf(node: ClusterNodeProc): Promise<string> {
    try {
      return ((await node.client.call('ROLE')) as unknown[])[0] as string;
    } catch {
      return '';
    }
  }

  /** The running nodes that are primaries serving slots, in the order they were started. */
  async primaries(): Promise<ClusterNodeProc[]> {
    const out: ClusterNodeProc[] = [];
    for (const node of this.nodes) {
      if (node.proc.exit !== null) continue;
      const view = await this.clusterNodes(node);
      const me = [...view.values()].find((n) => n.flags.includes('myself'));
      if (me !== undefined && me.flags.includes('master') && me.slots.length > 0) out.push(node);
    }
    return out;
  }

  /** The running node that replicates the node named `primaryId`. */
  async replicaOf(primaryId: string): Promise<ClusterNodeProc> {
    for (const node of this.nodes) {
      if (node.proc.exit !== null) continue;
      const me = [...(await this.clusterNodes(node)).values()].find((n) => n.flags.includes('myself'));
      if (me?.primary === primaryId) return node;
    }
    throw new Error(`no replica of ${primaryId}`);
  }

  /** A client the cleanup closes. */
  track(client: Redis): Redis {
    this.extraClients.push(client);
    return client;
  }

  async cleanup(): Promise<void> {
    for (const client of this.extraClients) client.disconnect();
    await Promise.all(this.nodes.map(async (node) => {
      node.client.disconnect();
      await node.proc.kill();
      rmSync(node.dir, { recursive: true, force: true });
    }));
  }
}
