// A diskless transfer to two replicas, one of which parses the payload slowly (key-load-delay):
// the slow replica reads no further ahead of its parser than its bound, so the shared transfer
// goes at its pace, as with Redis's blocking socket reads. Stopped (SIGSTOP), it is timed out
// by repl-timeout, and only it: the fast replica took every byte it was sent, so it is not
// "behind" (Redis clears repl_last_partial_write once a replica's pending write completes), and
// the transfer completes for it.

import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { spawnCinnabar, type CinnabarProcess } from '../helpers/cinnabar.js';
import { connectIoredis } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';
import { expectSameDataset, replicationInfo, waitForLinkUp } from './helpers.js';

const started: CinnabarProcess[] = [];
const clients: Redis[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.disconnect();
  for (const s of started.splice(0)) {
    // A stopped replica is continued first, so that it exits like the others.
    s.child.kill('SIGCONT');
    await s.stop();
  }
});

async function node(args: string[]): Promise<{ proc: CinnabarProcess; client: Redis }> {
  const proc = await spawnCinnabar(['--enable-debug-command', 'yes', '--save', '', ...args]);
  started.push(proc);
  const client = await connectIoredis(proc.port, 2);
  clients.push(client);
  return { proc, client };
}

describe('diskless transfer paced by a slow replica', () => {
  it('times out the stopped replica only; the fast one completes', async () => {
    const primary = await node(['--repl-diskless-sync', 'yes', '--repl-diskless-sync-delay', '5', '--repl-diskless-sync-max-replicas', '2', '--rdbcompression', 'no']);
    // 40 MB: far more than the socket buffers and the slow replica's read-ahead.
    await primary.client.call('DEBUG', 'POPULATE', '4000', 'test', '10000');
    const slow = await node(['--repl-diskless-load', 'swapdb', '--key-load-delay', '1000']);
    const fast = await node([]);
    await slow.client.call('REPLICAOF', '127.0.0.1', String(primary.proc.port));
    await fast.client.call('REPLICAOF', '127.0.0.1', String(primary.proc.port));
    await waitFor(() => slow.proc.output().includes('Loading DB in memory'), 20_000, 'the slow replica to start loading');
    // Paced by the slow replica: after a second the transfer is far from over.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect((await replicationInfo(fast.client)).get('master_link_status')).toBe('down');
    await primary.client.config('SET', 'repl-timeout', '2');
    slow.proc.child.kill('SIGSTOP');
    await waitFor(() => primary.proc.output().includes('Disconnecting timedout replica (full sync)'), 20_000, 'the stopped replica timed out');
    await waitForLinkUp(fast.client, 60_000);
    const timedOut = primary.proc.output().split('\n').filter((line) => line.includes('Disconnecting timedout replica (full sync)'));
    expect(timedOut).toHaveLength(1);
    expect(timedOut[0]).not.toContain(`:${fast.proc.port}`);
    expect(primary.proc.output()).toContain('Diskless rdb transfer, done reading from pipe, 1 replicas still up');
    const { primaryDigest, replicaDigest } = await expectSameDataset(primary.client, fast.client);
    expect(replicaDigest).toBe(primaryDigest);
  }, 90_000);
});
