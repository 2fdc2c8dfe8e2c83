// FAILOVER between cinnabar processes: the argument checks with Redis's texts, a coordinated
// failover under write load (the target continues the old primary's history, both former
// members resume with partial resyncs, the datasets agree), a timeout that gives up on a
// stopped replica, ABORT, and FORCE onto a stopped target once it resumes.

import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/wait.js';
import { connectTo, digest, info, loadDataset, startCinnabarNode, stopAll, waitInSync, type Node } from './topology.js';

afterEach(async () => {
  await stopAll();
});

async function field(node: Node, section: string, name: string): Promise<string> {
  return (await info(node.conn, section)).get(name) ?? '';
}

async function waitNoFailover(node: Node, timeoutMs = 20_000): Promise<void> {
  await waitFor(async () => (await field(node, 'replication', 'master_failover_state')) === 'no-failover', timeoutMs, 'the failover to end');
}

async function threeNodes(): Promise<[Node, Node, Node]> {
  const primary = await startCinnabarNode(['--repl-diskless-sync-delay', '0']);
  const a = await startCinnabarNode(['--repl-diskless-sync-delay', '0']);
  const b = await startCinnabarNode(['--repl-diskless-sync-delay', '0']);
  await loadDataset(primary.conn, 'pre', 200);
  for (const replica of [a, b]) {
    expect(await replica.conn.call('REPLICAOF', '127.0.0.1', String(primary.port))).toBe('+OK\r\n');
  }
  await waitInSync(primary, a);
  await waitInSync(primary, b);
  return [primary, a, b];
}

describe('FAILOVER', () => {
  it('refuses what Redis refuses, with its texts', async () => {
    const primary = await startCinnabarNode();
    expect(await primary.conn.call('FAILOVER')).toBe('-ERR FAILOVER requires connected replicas.\r\n');
    expect(await primary.conn.call('FAILOVER', 'ABORT')).toBe('-ERR No failover in progress.\r\n');
    expect(await primary.conn.call('FAILOVER', 'TIMEOUT', '0')).toBe('-ERR FAILOVER timeout must be greater than 0\r\n');
    expect(await primary.conn.call('FAILOVER', 'TO', 'h', 'x')).toBe('-ERR value is not an integer or out of range\r\n');
    expect(await primary.conn.call('FAILOVER', 'FORCE', 'FORCE')).toBe('-ERR syntax error\r\n');
    expect(await primary.conn.call('FAILOVER', 'TO', 'h')).toBe('-ERR syntax error\r\n');
    const replica = await startCinnabarNode();
    await replica.conn.call('REPLICAOF', '127.0.0.1', String(primary.port));
    await waitInSync(primary, replica);
    expect(await primary.conn.call('FAILOVER', 'FORCE', 'TIMEOUT', '100')).toBe('-ERR FAILOVER with force option requires both a timeout and target HOST and IP.\r\n');
    expect(await primary.conn.call('FAILOVER', 'TO', '127.0.0.1', '1')).toBe('-ERR FAILOVER target HOST and PORT is not a replica.\r\n');
    expect(await replica.conn.call('FAILOVER')).toBe('-ERR FAILOVER is not valid when server is a replica.\r\n');
    expect(await primary.conn.call('PSYNC', 'x', '1', 'FAILOVER')).toBe("-ERR PSYNC FAILOVER can't be sent to a master.\r\n");
    expect(await replica.conn.call('PSYNC', 'x', '1', 'FAILOVER')).toBe('-ERR PSYNC FAILOVER replid must match my replid.\r\n');
    expect(await field(primary, 'replication', 'master_failover_state')).toBe('no-failover');
  }, 60_000);

  it('hands the role to a replica under write load without losing a write', async () => {
    const [primary, a, b] = await threeNodes();
    const writer = await connectTo(primary);
    let acknowledged = 0;
    let refused = '';
    let writing = true;
    // One write at a time; those paused by the failover end as READONLY on the former primary.
    const load = (async () => {
      while (writing) {
        const reply = await writer.call('INCR', 'counter');
        if (reply.startsWith(':')) acknowledged = Number(reply.slice(1, -2));
        else { refused = reply; break; }
      }
    })();
    await waitFor(() => acknowledged > 200, 20_000, 'writes');
    const partialBefore = Number(await field(a, 'stats', 'sync_partial_ok'));
    expect(await primary.conn.call('FAILOVER', 'TO', '127.0.0.1', String(a.port))).toBe('+OK\r\n');
    await waitNoFailover(primary);
    writing = false;
    await load;
    expect(refused === '' || refused.startsWith('-READONLY')).toBe(true);
    expect(await field(primary, 'replication', 'role')).toBe('slave');
    expect(await field(primary, 'replication', 'master_port')).toBe(String(a.port));
    expect(await field(a, 'replication', 'role')).toBe('master');
    expect(await b.conn.call('REPLICAOF', '127.0.0.1', String(a.port))).toBe('+OK\r\n');
    await waitInSync(a, primary);
    await waitInSync(a, b);
    // Both former members continued the history: partial resyncs only.
    expect(Number(await field(a, 'stats', 'sync_partial_ok')) - partialBefore).toBe(2);
    expect(await field(a, 'stats', 'sync_full')).toBe('0');
    expect(Number((await a.conn.call('GET', 'counter')).split('\r\n')[1])).toBeGreaterThanOrEqual(acknowledged);
    const expected = await digest(a);
    expect(await digest(primary)).toBe(expected);
    expect(await digest(b)).toBe(expected);
    expect(primary.proc.output).toMatch(/Failover target 127\.0\.0\.1:\d+ is synced, failing over\./);
    expect(a.proc.output).toMatch(/MASTER MODE enabled \(failover request from '/);
    // The log's role letter follows the role, as Redis's (S while a primary is followed).
    expect(a.proc.output).toMatch(/^\d+:S \d+ \w+ \d+ [\d:.]+ \* Connecting to MASTER 127\.0\.0\.1:\d+$/m);
    expect(a.proc.output).toMatch(/^\d+:M \d+ \w+ \d+ [\d:.]+ \* MASTER MODE enabled \(failover request from '/m);
  }, 90_000);

  it('gives up after TIMEOUT when the replica does not catch up, and can be aborted', async () => {
    const [primary, a, b] = await threeNodes();
    process.kill(a.proc.pid, 'SIGSTOP');
    try {
      await primary.conn.call('SET', 'case', '1');
      expect(await primary.conn.call('FAILOVER', 'TO', '127.0.0.1', String(a.port), 'TIMEOUT', '500')).toBe('+OK\r\n');
      expect(await field(primary, 'replication', 'master_failover_state')).toBe('waiting-for-sync');
      // Reads go on while writes wait.
      expect(await primary.conn.call('GET', 'case')).toBe('$1\r\n1\r\n');
      expect(await primary.conn.call('REPLICAOF', 'NO', 'ONE')).toBe('-ERR REPLICAOF not allowed while failing over.\r\n');
      await waitNoFailover(primary);
      expect(primary.proc.output).toContain(`FAILOVER to 127.0.0.1:${a.port} aborted: Replica never caught up before timeout`);

      expect(await primary.conn.call('FAILOVER', 'TO', '127.0.0.1', String(a.port), 'TIMEOUT', '60000')).toBe('+OK\r\n');
      expect(await primary.conn.call('FAILOVER', 'TIMEOUT', '10')).toBe('-ERR FAILOVER already in progress.\r\n');
      const held = await connectTo(primary);
      held.send('SET', 'case', '2');
      expect(await primary.conn.call('FAILOVER', 'ABORT')).toBe('+OK\r\n');
      expect(await held.readReply()).toBe('+OK\r\n');
      expect(await field(primary, 'replication', 'master_failover_state')).toBe('no-failover');
    } finally {
      process.kill(a.proc.pid, 'SIGCONT');
    }
    await waitInSync(primary, a);
    await waitInSync(primary, b);
    expect(await field(primary, 'replication', 'role')).toBe('master');
    expect(await field(primary, 'stats', 'sync_partial_ok')).toBe('0');
    expect(await digest(a)).toBe(await digest(primary));
  }, 90_000);

  it('FORCE fails over to a target that never caught up once it answers', async () => {
    const [primary, a, b] = await threeNodes();
    process.kill(a.proc.pid, 'SIGSTOP');
    let stopped = true;
    try {
      await primary.conn.call('SET', 'case', '3');
      expect(await primary.conn.call('FAILOVER', 'TO', '127.0.0.1', String(a.port), 'TIMEOUT', '100', 'FORCE')).toBe('+OK\r\n');
      await waitFor(async () => (await field(primary, 'replication', 'master_failover_state')) === 'failover-in-progress', 20_000, 'the forced handover');
      expect(await field(primary, 'replication', 'role')).toBe('slave');
      process.kill(a.proc.pid, 'SIGCONT');
      stopped = false;
      await waitNoFailover(primary);
    } finally {
      if (stopped) process.kill(a.proc.pid, 'SIGCONT');
    }
    expect(primary.proc.output).toContain(`FAILOVER to 127.0.0.1:${a.port} time out exceeded, failing over.`);
    expect(await field(a, 'replication', 'role')).toBe('master');
    await b.conn.call('REPLICAOF', '127.0.0.1', String(a.port));
    await waitInSync(a, primary);
    await waitInSync(a, b);
    expect(await field(a, 'stats', 'sync_full')).toBe('0');
    const expected = await digest(a);
    expect(await digest(primary)).toBe(expected);
    expect(await digest(b)).toBe(expected);
  }, 90_000);

  it('aborts when the target refuses the PSYNC, and the primary carries on', async () => {
    const [primary, a, b] = await threeNodes();
    expect(await a.conn.call('ACL', 'SETUSER', 'default', '-psync')).toBe('+OK\r\n');
    expect(await primary.conn.call('FAILOVER', 'TO', '127.0.0.1', String(a.port))).toBe('+OK\r\n');
    await waitNoFailover(primary);
    await waitFor(() => primary.proc.output.includes('aborted: Failover target rejected psync request'), 20_000, 'the abort');
    expect(await field(primary, 'replication', 'role')).toBe('master');
    expect(await primary.conn.call('SET', 'after', '1')).toBe('+OK\r\n');
    expect(await a.conn.call('ACL', 'SETUSER', 'default', '+psync')).toBe('+OK\r\n');
    await waitInSync(primary, a);
    await waitInSync(primary, b);
    expect(await field(primary, 'stats', 'sync_full')).toBe('2');
    expect(await digest(a)).toBe(await digest(primary));
  }, 90_000);
});
