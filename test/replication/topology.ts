// Real processes on loopback for the replication tests: a cinnabar primary (the built CLI) and
// redis-server 7.0 replicas, each in a scratch directory, with raw connections to drive them and
// waits on INFO fields and log lines. Everything started is killed by stopAll().

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onFreePort, waitForPort } from '../helpers/net.js';
import { run, runCli, type Proc } from '../helpers/process.js';
import { redisServerPath } from '../helpers/reference.js';
import { RawConnection } from '../helpers/resp.js';
import { waitFor } from '../helpers/wait.js';

export interface Node {
  readonly proc: Proc;
  readonly port: number;
  readonly dir: string;
  /** A connection for the test's commands. */
  readonly conn: RawConnection;
}

const started: Node[] = [];
const connections: RawConnection[] = [];

function scratch(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

async function connect(port: number): Promise<RawConnection> {
  const conn = await RawConnection.connect(port);
  connections.push(conn);
  return conn;
}

/** A cinnabar primary with DEBUG enabled and no save points. */
export function startCinnabarNode(args: readonly string[] = []): Promise<Node> {
  return onFreePort((port) => startCinnabarNodeOn(port, args));
}

async function startCinnabarNodeOn(port: number, args: readonly string[]): Promise<Node> {
  const dir = scratch('cinnabar-repl-');
  const proc = runCli(['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--enable-debug-command', 'yes', ...args], { cwd: dir });
  const node = { proc, port, dir, conn: null as unknown as RawConnection };
  started.push(node);
  await waitForPort(port, 15_000, proc.pid);
  await proc.waitFor(/Ready to accept connections/, 15_000);
  return Object.assign(node, { conn: await connect(port) });
}

/** A redis-server 7.0 replicating `primaryPort` (replicaof given at start unless told otherwise). */
export function startRedisNode(primaryPort: number | null, args: readonly string[] = []): Promise<Node> {
  const path = redisServerPath();
  if (path === null) return Promise.reject(new Error('redis-server is not installed'));
  return onFreePort((port) => startRedisNodeOn(path, port, primaryPort, args));
}

async function startRedisNodeOn(path: string, port: number, primaryPort: number | null, args: readonly string[]): Promise<Node> {
  const dir = scratch('cinnabar-repl-ref-');
  const replicaof = primaryPort === null ? [] : ['--replicaof', '127.0.0.1', String(primaryPort)];
  const proc = run(path, ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no',
    '--enable-debug-command', 'yes', ...replicaof, ...args], { cwd: dir });
  const node = { proc, port, dir, conn: null as unknown as RawConnection };
  started.push(node);
  await waitForPort(port, 15_000, proc.pid);
  return Object.assign(node, { conn: await connect(port) });
}

/** Another connection to a node (closed by stopAll). */
export function connectTo(node: Node): Promise<RawConnection> {
  return connect(node.port);
}

export async function stopAll(): Promise<void> {
  for (const conn of connections.splice(0)) conn.close();
  for (const node of started.splice(0)) {
    await node.proc.kill();
    rmSync(node.dir, { recursive: true, force: true });
  }
}

/** The text of a bulk or status reply. */
export function replyText(reply: string): string {
  if (reply.startsWith('$')) return reply.slice(reply.indexOf('\r\n') + 2, -2);
  return reply.slice(1, -2);
}

/** INFO <section> as a map of fields. */
export async function info(conn: RawConnection, section: string): Promise<Map<string, string>> {
  const text = replyText(await conn.call('INFO', section));
  const fields = new Map<string, string>();
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0 && !line.startsWith('#')) fields.set(line.slice(0, colon), line.slice(colon + 1));
  }
  return fields;
}

/** Waits until the replica's link is up and it processed everything the primary produced. */
export async function waitInSync(primary: Node, replica: Node, timeoutMs = 20_000): Promise<void> {
  await waitFor(async () => {
    const r = await info(replica.conn, 'replication');
    if (r.get('master_link_status') !== 'up') return false;
    const p = await info(primary.conn, 'replication');
    return r.get('slave_repl_offset') === p.get('master_repl_offset');
  }, timeoutMs, `replica on ${replica.port} in sync with ${primary.port}`);
}

export async function digest(node: Node): Promise<string> {
  return replyText(await node.conn.call('DEBUG', 'DIGEST'));
}

/** A mixed dataset: every type, expiring keys, two databases. */
export async function loadDataset(conn: RawConnection, prefix: string, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    conn.send('SET', `${prefix}:s:${i}`, `value-${i}`);
    conn.send('RPUSH', `${prefix}:l:${i % 10}`, `e${i}`);
    conn.send('HSET', `${prefix}:h:${i % 7}`, `f${i}`, String(i));
    conn.send('SADD', `${prefix}:set:${i % 5}`, String(i * 3));
    conn.send('ZADD', `${prefix}:z:${i % 3}`, String(i / 7), `m${i}`);
    if (i % 50 === 0) conn.send('XADD', `${prefix}:x`, '*', 'i', String(i));
    if (i % 20 === 0) conn.send('SET', `${prefix}:ttl:${i}`, 'v', 'EX', '1000');
  }
  conn.send('SELECT', '3');
  conn.send('SET', `${prefix}:db3`, 'x');
  conn.send('SELECT', '0');
  const expected = count * 5 + Math.ceil(count / 50) + Math.ceil(count / 20) + 3;
  for (let i = 0; i < expected; i++) {
    const reply = await conn.readReply();
    if (reply.startsWith('-')) throw new Error(`load failed: ${reply}`);
  }
}
