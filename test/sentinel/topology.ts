// Real processes for the sentinel tests: redis-server primaries and replicas, cinnabar-sentinel
// and redis-sentinel processes, each in its own scratch directory on a free port, and a cleanup
// that kills whatever is still running.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { ListenerExitedError, onFreePort, waitForPort } from '../helpers/net.js';
import { run, type Proc } from '../helpers/process.js';
import { waitFor } from '../helpers/wait.js';

export const SENTINEL_CLI = fileURLToPath(new URL('../../dist/bundle/cinnabar-sentinel.js', import.meta.url));

export interface Node {
  readonly port: number;
  readonly proc: Proc;
  readonly dir: string;
  readonly client: Redis;
}

export interface SentinelNode extends Node {
  readonly configFile: string;
}

export class Topology {
  private readonly nodes: Node[] = [];
  private readonly clients: Redis[] = [];

  private async started(proc: Proc, port: number, dir: string): Promise<Node> {
    try {
      await waitForPort(port, 15_000, proc.pid);
    } catch (err) {
      await proc.kill();
      rmSync(dir, { recursive: true, force: true });
      if (err instanceof ListenerExitedError) throw err;
      throw new Error(`${(err as Error).message}\n${proc.output}`);
    }
    // Sentinels kill the clients of instances they reconfigure: this one reconnects.
    const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => 50 });
    // A killed instance's client keeps trying in vain until cleanup: not an error of the test.
    client.on('error', () => undefined);
    await client.connect();
    const node = { port, proc, dir, client };
    this.nodes.push(node);
    return node;
  }

  /** A redis-server primary (no `replicaOf`) or replica. */
  redis(replicaOf?: number, extra: string[] = []): Promise<Node> {
    return onFreePort((port) => this.redisOn(port, replicaOf, extra));
  }

  private redisOn(port: number, replicaOf: number | undefined, extra: string[]): Promise<Node> {
    const dir = mkdtempSync(join(tmpdir(), 'cinnabar-sentinel-redis-'));
    const args = ['--port', String(port), '--save', '', '--appendonly', 'no', '--dir', dir, ...extra];
    if (replicaOf !== undefined) args.push('--replicaof', '127.0.0.1', String(replicaOf));
    return this.started(run('redis-server', args, { cwd: dir }), port, dir);
  }

  /** A sentinel (cinnabar's, or redis-sentinel's with `reference`) with these config lines. */
  sentinel(lines: string[], reference = false): Promise<SentinelNode> {
    return onFreePort((port) => this.sentinelOn(port, lines, reference));
  }

  private async sentinelOn(port: number, lines: string[], reference: boolean): Promise<SentinelNode> {
    const dir = mkdtempSync(join(tmpdir(), 'cinnabar-sentinel-'));
    const configFile = join(dir, 'sentinel.conf');
    writeFileSync(configFile, [`port ${port}`, `dir ${dir}`, ...lines, ''].join('\n'));
    const proc = reference
      ? run('redis-sentinel', [configFile], { cwd: dir })
      : run(process.execPath, [SENTINEL_CLI, configFile], { cwd: dir });
    const node = await this.started(proc, port, dir);
    return { ...node, configFile };
  }

  /** A client that is closed at cleanup. */
  client(port: number): Redis {
    const c = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 1, retryStrategy: () => 50 });
    c.on('error', () => undefined);
    this.clients.push(c);
    return c;
  }

  track(c: Redis): Redis {
    // Reconnection attempts during a failover are expected, not errors of the test.
    c.on('error', () => undefined);
    this.clients.push(c);
    return c;
  }

  async cleanup(): Promise<void> {
    for (const c of this.clients.splice(0)) c.disconnect();
    const nodes = this.nodes.splice(0);
    for (const n of nodes) n.client.disconnect();
    // Every process gets its SIGKILL at once; then each exit is awaited.
    await Promise.all(nodes.map((n) => n.proc.kill()));
  }
}

/** SENTINEL MASTER/REPLICAS entries as objects. */
export function fieldsOf(flat: unknown): Record<string, string> {
  const list = flat as string[];
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < list.length; i += 2) out[list[i]] = list[i + 1];
  return out;
}

export async function sentinelMaster(client: Redis, name = 'mymaster'): Promise<Record<string, string>> {
  return fieldsOf(await client.call('SENTINEL', 'MASTER', name));
}

export async function waitForMasterField(client: Redis, field: string, check: (value: string) => boolean, timeoutMs: number, name = 'mymaster'): Promise<void> {
  await waitFor(async () => check((await sentinelMaster(client, name))[field] ?? ''), timeoutMs, `SENTINEL MASTER ${field}`);
}
