// The primary side against real redis-server 7.0 replicas: full sync (diskless and from the
// disk), the stream after it under write load, partial resync from the backlog after a link
// drop, replicas sharing one snapshot, and the bookkeeping around them (INFO, ROLE, WAIT,
// CLIENT LIST/KILL, min-replicas-to-write). Datasets are compared with DEBUG DIGEST, whose value
// the two servers compute the same way.

import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/wait.js';
import { connectTo, digest, info, loadDataset, replyText, startCinnabarNode, startRedisNode, stopAll, waitInSync, type Node } from './topology.js';

afterEach(async () => {
  await stopAll();
});

/** Writes of several kinds while replicas follow (SET with TTLs, INCR, list and hash changes, a transaction). */
async function writeLoad(primary: Node, rounds: number): Promise<void> {
  const conn = await connectTo(primary);
  for (let i = 0; i < rounds; i++) {
    conn.send('SET', `load:${i}`, `v${i}`, 'PX', '600000');
    conn.send('INCR', 'load:counter');
    conn.send('LPUSH', 'load:list', String(i));
    conn.send('HINCRBY', 'load:hash', `f${i % 13}`, '1');
    if (i % 25 === 0) {
      conn.send('MULTI');
      conn.send('DEL', `load:${i - 1}`);
      conn.send('SELECT', '2');
      conn.send('EXEC');
    }
  }
  const replies = rounds * 4 + Math.ceil(rounds / 25) * 4;
  for (let i = 0; i < replies; i++) await conn.readReply();
}

describe('a redis-server replica of cinnabar', () => {
  it('gets the dataset by a diskless full sync, then follows the stream', async () => {
    const primary = await startCinnabarNode(['--repl-diskless-sync-delay', '0']);
    await loadDataset(primary.conn, 'pre', 400);
    const replica = await startRedisNode(primary.port);
    await waitInSync(primary, replica);
    await writeLoad(primary, 500);
    await waitInSync(primary, replica);
    expect(await digest(replica)).toBe(await digest(primary));
    await primary.proc.waitFor(/Starting BGSAVE for SYNC with target: replicas sockets/);
    await primary.proc.waitFor(/Synchronization with replica 127\.0\.0\.1:\d+ succeeded/);
    const stats = await info(primary.conn, 'stats');
    expect(stats.get('sync_full')).toBe('1');
    expect(Number(stats.get('total_net_repl_output_bytes'))).toBeGreaterThan(Number((await info(primary.conn, 'replication')).get('master_repl_offset')));
    const repl = await info(primary.conn, 'replication');
    expect(repl.get('connected_slaves')).toBe('1');
    expect(repl.get('slave0')).toMatch(new RegExp(`^ip=127\\.0\\.0\\.1,port=${replica.port},state=online,offset=\\d+,lag=\\d+$`));
  }, 60_000);

  it('continues from the backlog after its link is killed (+CONTINUE, sync_partial_ok)', async () => {
    const primary = await startCinnabarNode(['--repl-diskless-sync-delay', '0']);
    await loadDataset(primary.conn, 'pre', 200);
    const replica = await startRedisNode(primary.port);
    await waitInSync(primary, replica);
    await writeLoad(primary, 100);
    expect(await primary.conn.call('CLIENT', 'KILL', 'TYPE', 'replica')).toBe(':1\r\n');
    await writeLoad(primary, 200);
    await waitInSync(primary, replica);
    expect(await digest(replica)).toBe(await digest(primary));
    const stats = await info(primary.conn, 'stats');
    expect([stats.get('sync_full'), stats.get('sync_partial_ok'), stats.get('sync_partial_err')]).toEqual(['1', '1', '0']);
    await primary.proc.waitFor(/Partial resynchronization request from 127\.0\.0\.1:\d+ accepted\. Sending \d+ bytes of backlog starting from offset \d+\./);
    await replica.proc.waitFor(/Successful partial resynchronization with master/);
    // CONFIG RESETSTAT restarts the sync and fork counters too (psync2-master-restart counts on it).
    expect(await primary.conn.call('CONFIG', 'RESETSTAT')).toBe('+OK\r\n');
    const reset = await info(primary.conn, 'stats');
    expect([reset.get('sync_full'), reset.get('sync_partial_ok'), reset.get('sync_partial_err'), reset.get('total_forks')]).toEqual(['0', '0', '0', '0']);
    expect(await primary.conn.call('CLIENT', 'KILL', 'TYPE', 'replica')).toBe(':1\r\n');
    await waitFor(async () => (await info(primary.conn, 'stats')).get('sync_partial_ok') === '1', 10_000, 'the second partial resync');
    expect((await info(primary.conn, 'stats')).get('sync_full')).toBe('0');
  }, 60_000);

  it('takes a full sync again when the backlog no longer holds its offset', async () => {
    const primary = await startCinnabarNode(['--repl-diskless-sync-delay', '0', '--repl-backlog-size', '16384']);
    const replica = await startRedisNode(primary.port);
    await waitInSync(primary, replica);
    // Stop the replica from reconnecting while the backlog moves past its offset.
    replica.conn.send('DEBUG', 'SLEEP', '2');
    await primary.conn.call('CLIENT', 'KILL', 'TYPE', 'replica');
    await writeLoad(primary, 800);
    await replica.conn.readReply(10_000);
    await waitInSync(primary, replica);
    expect(await digest(replica)).toBe(await digest(primary));
    const stats = await info(primary.conn, 'stats');
    expect([stats.get('sync_full'), stats.get('sync_partial_err')]).toEqual(['2', '1']);
    await primary.proc.waitFor(/Unable to partial resync with replica 127\.0\.0\.1:\d+ for lack of backlog/);
  }, 60_000);

  it('gets the file of a background save when diskless sync is off ($<length> framing)', async () => {
    const primary = await startCinnabarNode(['--repl-diskless-sync', 'no']);
    await loadDataset(primary.conn, 'disk', 300);
    const replica = await startRedisNode(primary.port);
    await waitInSync(primary, replica);
    await writeLoad(primary, 200);
    await waitInSync(primary, replica);
    expect(await digest(replica)).toBe(await digest(primary));
    await primary.proc.waitFor(/Starting BGSAVE for SYNC with target: disk/);
    await primary.proc.waitFor(/Background saving terminated with success/);
  }, 60_000);

  it('shares one snapshot between replicas that arrive together (repl-diskless-sync-max-replicas)', async () => {
    const primary = await startCinnabarNode(['--repl-diskless-sync-delay', '60', '--repl-diskless-sync-max-replicas', '2']);
    await loadDataset(primary.conn, 'two', 300);
    const first = await startRedisNode(primary.port);
    await primary.proc.waitFor(/Delay next BGSAVE for diskless SYNC/);
    const second = await startRedisNode(primary.port);
    await waitInSync(primary, first);
    await waitInSync(primary, second);
    await writeLoad(primary, 100);
    await waitInSync(primary, first);
    await waitInSync(primary, second);
    const expected = await digest(primary);
    expect(await digest(first)).toBe(expected);
    expect(await digest(second)).toBe(expected);
    await primary.proc.waitFor(/Diskless rdb transfer, done reading from pipe, 2 replicas still up\./);
    expect(primary.proc.output.match(/Starting BGSAVE for SYNC/g)).toHaveLength(1);
  }, 60_000);
});

describe('limits on attached replicas', () => {
  it('closes a replica that stops reading past client-output-buffer-limit replica, which then syncs again', async () => {
    const primary = await startCinnabarNode(['--repl-diskless-sync-delay', '0', '--client-output-buffer-limit', 'replica 1mb 0 0']);
    const replica = await startRedisNode(primary.port);
    await waitInSync(primary, replica);
    // The replica's event loop stops: its socket fills and the primary's output for it grows.
    replica.conn.send('DEBUG', 'SLEEP', '3');
    const value = 'x'.repeat(512 * 1024);
    for (let i = 0; i < 40; i++) primary.conn.send('SET', `big:${i}`, value);
    for (let i = 0; i < 40; i++) expect(await primary.conn.readReply()).toBe('+OK\r\n');
    await primary.proc.waitFor(/Client id=\d+ addr=127\.0\.0\.1:\d+ .* scheduled to be closed ASAP for overcoming of output buffer limits\./, 10_000);
    await replica.conn.readReply(10_000);
    await waitInSync(primary, replica, 30_000);
    expect(await digest(replica)).toBe(await digest(primary));
  }, 60_000);

  it('keeps the stream a syncing replica still needs beyond repl-backlog-size (one buffer shared with the backlog)', async () => {
    const primary = await startCinnabarNode(['--repl-diskless-sync-delay', '0', '--repl-backlog-size', '16384', '--client-output-buffer-limit', 'replica 0 0 0']);
    const first = await startRedisNode(primary.port);
    await waitInSync(primary, first);
    await loadDataset(primary.conn, 'slow', 100);
    expect(await primary.conn.call('CONFIG', 'SET', 'rdb-key-save-delay', '200000')).toBe('+OK\r\n');
    const second = await startRedisNode(primary.port);
    // The second snapshot's line (the first one's is in the log already): from then on the
    // second replica waits for its snapshot and the stream it will need is kept.
    await primary.proc.waitFor(/Background RDB transfer started by pid[\s\S]*Background RDB transfer started by pid/, 30_000);
    await writeLoad(primary, 2000);
    const memory = await info(primary.conn, 'memory');
    const repl = await info(primary.conn, 'replication');
    expect(Number(repl.get('repl_backlog_histlen'))).toBeGreaterThan(16384 * 4);
    expect(Number(memory.get('mem_total_replication_buffers'))).toBeGreaterThan(16384 * 4);
    expect(memory.get('mem_replication_backlog')).toBe('16384');
    expect(Number(memory.get('mem_clients_slaves'))).toBe(Number(memory.get('mem_total_replication_buffers')) - 16384);
    expect(await primary.conn.call('CONFIG', 'SET', 'rdb-key-save-delay', '0')).toBe('+OK\r\n');
    await waitInSync(primary, second, 30_000);
    expect(await digest(second)).toBe(await digest(primary));
    // Once nobody needs it, the history is back within the configured size.
    await waitFor(async () => Number((await info(primary.conn, 'replication')).get('repl_backlog_histlen')) <= 16384 * 2, 10_000, 'the backlog trimmed');
  }, 60_000);

  it('frees the backlog repl-backlog-ttl seconds after the last replica left, with a new replication ID', async () => {
    const primary = await startCinnabarNode(['--repl-diskless-sync-delay', '0', '--repl-backlog-ttl', '1']);
    const replica = await startRedisNode(primary.port);
    await waitInSync(primary, replica);
    const before = await info(primary.conn, 'replication');
    expect(before.get('repl_backlog_active')).toBe('1');
    expect(await replica.conn.call('REPLICAOF', 'NO', 'ONE')).toBe('+OK\r\n');
    await primary.proc.waitFor(/Replication backlog freed after 1 seconds without connected replicas\./, 10_000);
    const after = await info(primary.conn, 'replication');
    expect(after.get('repl_backlog_active')).toBe('0');
    expect(after.get('master_replid')).not.toBe(before.get('master_replid'));
  }, 30_000);

  it('drops a stopped replica after repl-timeout while the one keeping up gets the snapshot', async () => {
    const primary = await startCinnabarNode(['--repl-diskless-sync-delay', '5', '--repl-diskless-sync-max-replicas', '2', '--rdbcompression', 'no']);
    // 80 MB: more than a stopped reader's socket can absorb (Linux grows a loopback receive
    // buffer up to tcp_rmem's 32 MB by default, plus the 4 MB send buffer), so the stopped
    // replica stops taking bytes long before the end of the snapshot, even on a quiet machine.
    expect(await primary.conn.call('DEBUG', 'POPULATE', '8000', 'big', '10000')).toBe('+OK\r\n');
    // About 3.2 s of snapshot (0.4 ms a key).
    expect(await primary.conn.call('CONFIG', 'SET', 'rdb-key-save-delay', '400')).toBe('+OK\r\n');
    expect(await primary.conn.call('CONFIG', 'SET', 'repl-timeout', '2')).toBe('+OK\r\n');
    const fast = await startRedisNode(primary.port);
    const stopped = await startRedisNode(primary.port);
    await primary.proc.waitFor(/Background RDB transfer started by pid/, 30_000);
    process.kill(stopped.proc.pid, 'SIGSTOP');
    try {
      // Dropped by the full-sync rule while the snapshot is stuck on its socket, or (where the
      // kernel took the whole snapshot into its buffers, as a quiet machine here did) by the
      // streaming rule right after: either way after repl-timeout, and alone.
      await primary.proc.waitFor(new RegExp(`Disconnecting timedout replica \\((full|streaming) sync\\): 127\\.0\\.0\\.1:${stopped.port}`), 30_000);
    } finally {
      process.kill(stopped.proc.pid, 'SIGCONT');
    }
    expect(primary.proc.output).not.toMatch(new RegExp(`Disconnecting timedout replica \\((full|streaming) sync\\): 127\\.0\\.0\\.1:${fast.port}`));
    await waitInSync(primary, fast, 30_000);
    expect(await digest(fast)).toBe(await digest(primary));
  }, 120_000);

  it('keeps a replica that was behind and caught up while a stopped one holds the snapshot back', async () => {
    // As Redis's "diskless timeout replicas drop during rdb pipe": the snapshot goes out at full
    // speed, so the replica keeping up is at times behind when the next bytes come (a partial
    // write in Redis's terms); once its socket drained that must no longer count against it.
    const primary = await startCinnabarNode(['--repl-diskless-sync-delay', '5', '--repl-diskless-sync-max-replicas', '2', '--rdbcompression', 'no']);
    // 80 MB, more than a stopped reader's socket buffers take (see the test above).
    expect(await primary.conn.call('DEBUG', 'POPULATE', '8000', 'big', '10000')).toBe('+OK\r\n');
    const slow = await startCinnabarNode(['--repl-diskless-load', 'swapdb', '--key-load-delay', '500']);
    const fast = await startCinnabarNode();
    expect(await slow.conn.call('REPLICAOF', '127.0.0.1', String(primary.port))).toBe('+OK\r\n');
    expect(await fast.conn.call('REPLICAOF', '127.0.0.1', String(primary.port))).toBe('+OK\r\n');
    await slow.proc.waitFor(/Loading DB in memory/, 30_000);
    expect(await primary.conn.call('CONFIG', 'SET', 'repl-timeout', '2')).toBe('+OK\r\n');
    process.kill(slow.proc.pid, 'SIGSTOP');
    try {
      await primary.proc.waitFor(new RegExp(`Disconnecting timedout replica \\(full sync\\): 127\\.0\\.0\\.1:${slow.port}`), 30_000);
      await primary.proc.waitFor(/Diskless rdb transfer, done reading from pipe, 1 replicas still up\./, 30_000);
    } finally {
      process.kill(slow.proc.pid, 'SIGCONT');
    }
    expect(primary.proc.output).not.toMatch(new RegExp(`Disconnecting timedout replica \\((full|streaming) sync\\): 127\\.0\\.0\\.1:${fast.port}`));
    await waitInSync(primary, fast, 30_000);
    expect(await digest(fast)).toBe(await digest(primary));
  }, 120_000);

  it('stops the snapshot when the last replica receiving it goes away', async () => {
    const primary = await startCinnabarNode(['--repl-diskless-sync-delay', '0', '--rdb-key-save-delay', '2000']);
    await loadDataset(primary.conn, 'slow', 400);
    const replica = await startRedisNode(primary.port);
    await primary.proc.waitFor(/Background RDB transfer started by pid/);
    await replica.proc.kill();
    await primary.proc.waitFor(/Diskless rdb transfer, last replica dropped, killing fork child\./);
    await primary.proc.waitFor(/Background transfer terminated by signal 10/);
    expect((await info(primary.conn, 'persistence')).get('rdb_bgsave_in_progress')).toBe('0');
    expect(await primary.conn.call('BGSAVE')).toBe('+Background saving started\r\n');
  }, 30_000);

  it('stops a save to disk nobody needs once its last replica left, unless save points keep it', async () => {
    const primary = await startCinnabarNode(['--repl-diskless-sync', 'no', '--save', '', '--rdb-key-save-delay', '1000000']);
    await loadDataset(primary.conn, 'disk', 10);
    const saving = async (): Promise<string | undefined> => (await info(primary.conn, 'persistence')).get('rdb_bgsave_in_progress');
    const first = await startRedisNode(primary.port);
    const second = await startRedisNode(primary.port);
    await waitFor(async () => (await primary.conn.call('INFO', 'replication')).split('state=wait_bgsave').length === 3, 10_000, 'both replicas waiting for the save');
    expect(await saving()).toBe('1');
    // One replica still waits for the file: the save goes on.
    expect(await first.conn.call('REPLICAOF', 'NO', 'ONE')).toBe('+OK\r\n');
    await waitFor(async () => (await info(primary.conn, 'replication')).get('connected_slaves') === '1', 10_000, 'the first replica gone');
    expect(await saving()).toBe('1');
    expect(await second.conn.call('REPLICAOF', 'NO', 'ONE')).toBe('+OK\r\n');
    await waitFor(async () => (await saving()) === '0', 5000, 'the save stopped');
    await primary.proc.waitFor(/Background saving terminated by signal 10/);
    expect((await info(primary.conn, 'persistence')).get('rdb_last_bgsave_status')).toBe('ok');
    // With save points the file is wanted for itself: it goes on without replicas.
    expect(await primary.conn.call('CONFIG', 'SET', 'save', '900 1')).toBe('+OK\r\n');
    expect(await second.conn.call('REPLICAOF', '127.0.0.1', String(primary.port))).toBe('+OK\r\n');
    await waitFor(async () => (await saving()) === '1', 10_000, 'a save for the replica');
    expect(await second.conn.call('REPLICAOF', 'NO', 'ONE')).toBe('+OK\r\n');
    await waitFor(async () => (await info(primary.conn, 'replication')).get('connected_slaves') === '0', 10_000, 'the replica gone');
    expect(await saving()).toBe('1');
  }, 60_000);
});

describe('the primary\'s view of its replicas', () => {
  it('lists them (CLIENT LIST flags=S, ROLE, INFO) and WAIT counts their acknowledgements', async () => {
    const primary = await startCinnabarNode(['--repl-diskless-sync-delay', '0']);
    const replica = await startRedisNode(primary.port);
    await waitInSync(primary, replica);
    expect(replyText(await primary.conn.call('CLIENT', 'LIST', 'TYPE', 'replica'))).toMatch(/ flags=S .* cmd=replconf /);
    // INFO counts clients without the replicas (the test's own connection only), as Redis does.
    expect((await info(primary.conn, 'clients')).get('connected_clients')).toBe('1');
    const role = await primary.conn.call('ROLE');
    expect(role).toMatch(new RegExp(`^\\*3\\r\\n\\$6\\r\\nmaster\\r\\n:\\d+\\r\\n\\*1\\r\\n\\*3\\r\\n\\$9\\r\\n127\\.0\\.0\\.1\\r\\n\\$${String(replica.port).length}\\r\\n${replica.port}\\r\\n\\$\\d+\\r\\n\\d+\\r\\n$`));
    expect(await primary.conn.call('SET', 'w', '1')).toBe('+OK\r\n');
    expect(await primary.conn.call('WAIT', '1', '5000')).toBe(':1\r\n');
    expect(await replica.conn.call('GET', 'w')).toBe('$1\r\n1\r\n');
    // Two replicas asked for, one exists: WAIT gives up at its timeout with the count it has.
    expect(await primary.conn.call('WAIT', '2', '100')).toBe(':1\r\n');
    // A connection that wrote nothing waits for nothing.
    const idle = await connectTo(primary);
    expect(await idle.call('WAIT', '1', '0')).toBe(':1\r\n');
    expect(await primary.conn.call('WAIT', 'x', '0')).toBe('-ERR value is not an integer or out of range\r\n');
    expect(await primary.conn.call('WAIT', '1', '-1')).toBe('-ERR timeout is negative\r\n');
  }, 60_000);

  it('refuses writes without enough good replicas (min-replicas-to-write)', async () => {
    const primary = await startCinnabarNode(['--repl-diskless-sync-delay', '0']);
    // FUNCTION LOAD is a write: loaded before the limit is set.
    expect(await primary.conn.call('FUNCTION', 'LOAD', "#!lua name=lib\nredis.register_function('w', function() return redis.call('set','k','v') end)")).toBe('$3\r\nlib\r\n');
    expect(await primary.conn.call('CONFIG', 'SET', 'min-replicas-to-write', '1')).toBe('+OK\r\n');
    expect(await primary.conn.call('SET', 'k', 'v')).toBe('-NOREPLICAS Not enough good replicas to write.\r\n');
    expect(await primary.conn.call('GET', 'k')).toBe('$-1\r\n');
    // Scripts too: one without flags at its first write, a function that may write before it runs.
    expect(await primary.conn.call('EVAL', "return redis.call('set','k','v')", '0')).toMatch(/^-NOREPLICAS Not enough good replicas to write\. script: [0-9a-f]{40}, on @user_script:1\.\r\n$/);
    expect(await primary.conn.call('EVAL', "return redis.call('get','k')", '0')).toBe('$-1\r\n');
    expect(await primary.conn.call('FCALL', 'w', '0')).toBe('-NOREPLICAS Not enough good replicas to write.\r\n');
    const replica = await startRedisNode(primary.port);
    await waitInSync(primary, replica);
    await waitFor(async () => (await info(primary.conn, 'replication')).get('min_slaves_good_slaves') === '1', 10_000, 'a good replica');
    expect(await primary.conn.call('SET', 'k', 'v')).toBe('+OK\r\n');
    await waitInSync(primary, replica);
    expect(await replica.conn.call('GET', 'k')).toBe('$1\r\nv\r\n');
    // DEBUG REPLICATE: into the stream only.
    expect(await primary.conn.call('DEBUG', 'REPLICATE', 'SET', 'only-there', '1')).toBe('+OK\r\n');
    await waitInSync(primary, replica);
    expect(await replica.conn.call('GET', 'only-there')).toBe('$1\r\n1\r\n');
    expect(await primary.conn.call('GET', 'only-there')).toBe('$-1\r\n');
  }, 60_000);

  it('answers REPLCONF and SYNC misuse with Redis\'s errors', async () => {
    const primary = await startCinnabarNode();
    const reference = await startRedisNode(null);
    const cases: string[][] = [
      ['REPLCONF', 'listening-port'],
      ['REPLCONF', 'listening-port', 'x'],
      ['REPLCONF', 'nonsense', '1'],
      ['REPLCONF', 'capa', 'eof', 'capa', 'somethingnew'],
      ['REPLCONF', 'ip-address', 'x'.repeat(300)],
      ['REPLCONF', 'rdb-only', '2'],
      ['REPLCONF', 'rdb-filter-only', 'keys'],
      ['REPLCONF', 'rdb-filter-only', '"unbalanced'],
      ['REPLCONF'],
      ['PSYNC', 'x'],
      ['PSYNC', '?', 'notanumber'],
    ];
    for (const argv of cases) {
      expect(await primary.conn.call(...argv), argv.join(' ')).toBe(await reference.conn.call(...argv));
    }
    // ACK and GETACK from a client that is no replica are not answered: the next reply is PING's.
    for (const node of [primary, reference]) {
      node.conn.send('REPLCONF', 'ACK', '100');
      node.conn.send('REPLCONF', 'GETACK', '*');
      expect(await node.conn.call('PING')).toBe('+PONG\r\n');
    }
  }, 60_000);
});

/** A replica played by the test over a raw socket: the exact bytes the primary sends. */
class RawReplica {
  private buffer = Buffer.alloc(0);
  private waiters: Array<() => void> = [];
  closed = false;

  constructor(readonly socket: import('node:net').Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      for (const w of this.waiters.splice(0)) w();
    });
    socket.on('close', () => {
      this.closed = true;
      for (const w of this.waiters.splice(0)) w();
    });
  }

  static async connect(port: number): Promise<RawReplica> {
    const net = await import('node:net');
    const socket = net.connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return new RawReplica(socket);
  }

  send(text: string): void {
    this.socket.write(text);
  }

  /** Waits until the received bytes satisfy `test`, returning them. */
  async until(test: (bytes: Buffer) => boolean, timeoutMs = 10_000): Promise<Buffer> {
    const deadline = Date.now() + timeoutMs;
    while (!test(this.buffer)) {
      if (this.closed) throw new Error(`closed; have ${JSON.stringify(this.buffer.toString('latin1').slice(0, 200))}`);
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error(`timed out; have ${JSON.stringify(this.buffer.toString('latin1').slice(0, 200))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.waiters.push(() => { clearTimeout(timer); resolve(); });
      });
    }
    return this.buffer;
  }

  /** Drops the first `n` bytes received. */
  consume(n: number): void {
    this.buffer = this.buffer.subarray(n);
  }

  close(): void {
    this.socket.destroy();
  }
}

describe('the protocol as a replica sees it', () => {
  it('sends no PING to a replica attached right after start-up until repl-ping-replica-period passes', async () => {
    // Redis's replication cron has its first (pinging) loop as the node starts, before anyone
    // can attach: a replica attached at once sees the first write first.
    const primary = await startCinnabarNode(['--repl-ping-replica-period', '3600']);
    const raw = await RawReplica.connect(primary.port);
    raw.send('SYNC\r\n');
    const head = (await raw.until((b) => /^\n*\$\d+\r\n/.test(b.toString('latin1')))).toString('latin1');
    const m = /^(\n*)\$(\d+)\r\n/.exec(head);
    if (m === null) throw new Error('no bulk payload');
    const payloadEnd = m[0].length + Number(m[2]);
    await raw.until((b) => b.length >= payloadEnd);
    raw.consume(payloadEnd);
    expect(await primary.conn.call('SET', 'first', '1')).toBe('+OK\r\n');
    const stream = await raw.until((b) => b.toString('latin1').includes('$5\r\nfirst\r\n'));
    expect(stream.toString('latin1')).toBe('*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$5\r\nfirst\r\n$1\r\n1\r\n');
    raw.close();
  }, 30_000);

  it('frames a diskless transfer with the EOF mark and starts the stream on the first ACK', async () => {
    const primary = await startCinnabarNode(['--repl-diskless-sync-delay', '0', '--repl-ping-replica-period', '1']);
    expect(await primary.conn.call('SET', 'before', '1')).toBe('+OK\r\n');
    const raw = await RawReplica.connect(primary.port);
    raw.send('REPLCONF listening-port 4444\r\nREPLCONF capa eof capa psync2\r\n');
    await raw.until((b) => b.toString('latin1') === '+OK\r\n+OK\r\n');
    raw.consume(10);
    raw.send('PSYNC ? -1\r\n');
    const head = (await raw.until((b) => /^\+FULLRESYNC [0-9a-f]{40} \d+\r\n\$EOF:[0-9a-f]{40}\r\n/.test(b.toString('latin1')))).toString('latin1');
    const m = /^\+FULLRESYNC ([0-9a-f]{40}) (\d+)\r\n\$EOF:([0-9a-f]{40})\r\n/.exec(head);
    if (m === null) throw new Error('no FULLRESYNC');
    const [prefix, replid, offset, mark] = m;
    expect(replid).toBe((await info(primary.conn, 'replication')).get('master_replid'));
    raw.consume(prefix.length);
    const rdb = await raw.until((b) => b.includes(mark));
    const end = rdb.indexOf(mark);
    expect(rdb.subarray(0, 9).toString('latin1')).toBe('REDIS0010');
    expect(rdb.subarray(0, end).includes(Buffer.from('before'))).toBe(true);
    raw.consume(end + mark.length);
    // A write now is kept for the replica until it acknowledges the snapshot.
    expect(await primary.conn.call('SET', 'after', '2')).toBe('+OK\r\n');
    expect((await info(primary.conn, 'replication')).get('slave0')).toMatch(/^ip=127\.0\.0\.1,port=4444,state=online,offset=0,lag=\d+$/);
    raw.send(`*3\r\n$8\r\nREPLCONF\r\n$3\r\nACK\r\n$${offset.length}\r\n${offset}\r\n`);
    const stream = await raw.until((b) => b.toString('latin1').includes('$5\r\nafter\r\n'));
    expect(stream.toString('latin1')).toMatch(/^(\*1\r\n\$4\r\nPING\r\n)*\*2\r\n\$6\r\nSELECT\r\n\$1\r\n0\r\n\*3\r\n\$3\r\nSET\r\n\$5\r\nafter\r\n\$1\r\n2\r\n/);
    // PING every repl-ping-replica-period second, into the stream.
    await raw.until((b) => b.toString('latin1').endsWith('*1\r\n$4\r\nPING\r\n'));
    raw.close();
    await primary.proc.waitFor(/Connection with replica 127\.0\.0\.1:4444 lost\./);
  }, 30_000);

  it('drops a replica that stops acknowledging for repl-timeout', async () => {
    const primary = await startCinnabarNode(['--repl-diskless-sync-delay', '0', '--repl-timeout', '1']);
    const raw = await RawReplica.connect(primary.port);
    // Pipelined, PSYNC would find REPLCONF's +OK still pending (an error, as in Redis): one at a time.
    raw.send('REPLCONF capa eof\r\n');
    await raw.until((b) => b.toString('latin1') === '+OK\r\n');
    raw.consume(5);
    raw.send('PSYNC ? -1\r\n');
    const head = (await raw.until((b) => /\$EOF:([0-9a-f]{40})\r\n[^]*\1/.test(b.toString('latin1')))).toString('latin1');
    const offset = /FULLRESYNC [0-9a-f]{40} (\d+)/.exec(head)?.[1] ?? '0';
    raw.send(`REPLCONF ACK ${offset}\r\n`);
    await primary.proc.waitFor(/Disconnecting timedout replica \(streaming sync\): 127\.0\.0\.1:<unknown-replica-port>/, 10_000);
    await waitFor(() => raw.closed, 5000, 'the connection closed');
    expect((await info(primary.conn, 'replication')).get('connected_slaves')).toBe('0');
  }, 30_000);

  it('serves redis-cli --rdb and --functions-rdb (rdb-only, rdb-filter-only) and SYNC\'s old framing', async () => {
    const primary = await startCinnabarNode(['--repl-diskless-sync-delay', '0']);
    await loadDataset(primary.conn, 'cli', 200);
    expect(await primary.conn.call('FUNCTION', 'LOAD', "#!lua name=lib\nredis.register_function('f', function() return 1 end)")).toBe('$3\r\nlib\r\n');
    const { run } = await import('../helpers/process.js');
    const { join } = await import('node:path');
    const full = run('redis-cli', ['-p', String(primary.port), '--rdb', join(primary.dir, 'full.rdb')]);
    expect((await full.waitExit(20_000)).code).toBe(0);
    const functionsOnly = run('redis-cli', ['-p', String(primary.port), '--functions-rdb', join(primary.dir, 'functions.rdb')]);
    expect((await functionsOnly.waitExit(20_000)).code).toBe(0);
    // The files load in redis-server: all the data, or the library alone.
    const loadedFull = await startRedisNode(null, ['--dir', primary.dir, '--dbfilename', 'full.rdb']);
    expect(await digest(loadedFull)).toBe(await digest(primary));
    const loadedFunctions = await startRedisNode(null, ['--dir', primary.dir, '--dbfilename', 'functions.rdb']);
    expect(await loadedFunctions.conn.call('DBSIZE')).toBe(':0\r\n');
    expect(await loadedFunctions.conn.call('FCALL', 'f', '0')).toBe(':1\r\n');
    // rdb-only replicas are closed after their snapshot and never counted as replicas.
    expect((await info(primary.conn, 'replication')).get('connected_slaves')).toBe('0');
    // SYNC (no capa eof): the file of a background save as $<length>, then the stream, no FULLRESYNC line.
    const raw = await RawReplica.connect(primary.port);
    raw.send('SYNC\r\n');
    const bulk = await raw.until((b) => {
      const m = /^(?:\n)*\$(\d+)\r\n/.exec(b.toString('latin1'));
      return m !== null && b.length >= m[0].length + Number(m[1]);
    });
    const m = /^(\n*)\$(\d+)\r\n/.exec(bulk.toString('latin1'));
    if (m === null) throw new Error('no bulk');
    expect(bulk.subarray(m[0].length, m[0].length + 9).toString('latin1')).toBe('REDIS0010');
    raw.consume(m[0].length + Number(m[2]));
    expect(await primary.conn.call('SET', 'synced', 'yes')).toBe('+OK\r\n');
    await raw.until((b) => b.toString('latin1').includes('$6\r\nsynced\r\n'));
    raw.close();
  }, 60_000);
});

describe('a replica\'s connection carries no replies', () => {
  it('closes a replica whose command produced a reply, and refuses it the keyspace', async () => {
    const primary = await startCinnabarNode(['--repl-diskless-sync-delay', '0']);
    const reference = await startRedisNode(null, ['--repl-diskless-sync-delay', '0']);
    for (const node of [primary, reference]) {
      const replica = await RawReplica.connect(node.port);
      replica.send('PSYNC replicationid -1\r\n');
      await replica.until((b) => /^\+FULLRESYNC [0-9a-f]{40} 0\r\n/.test(b.toString('latin1')));
      replica.send('GET foo\r\n');
      await waitFor(() => replica.closed, 10_000, 'the replica closed');
      expect(await node.conn.call('PING')).toBe('+PONG\r\n');
    }
    await primary.proc.waitFor(/Replica generated a reply to command 'get', disconnecting it: id=\d+ addr=/);
    await primary.proc.waitFor(/== CRITICAL == This master is sending an error to its replica: /);
    await primary.proc.waitFor(/Replica can't interact with the keyspace/);
    const sync = await RawReplica.connect(primary.port);
    sync.send('SYNC\r\nXINFO HELP\r\n');
    await waitFor(() => sync.closed, 10_000, 'the SYNC replica closed');
    await primary.proc.waitFor(/Replica generated a reply to command 'xinfo\|help', disconnecting it: /);
  }, 30_000);
});

describe('shutting down with replicas attached', () => {
  it('waits for a lagging replica (shutdown-timeout) and exits once it caught up', async () => {
    const primary = await startCinnabarNode(['--repl-diskless-sync-delay', '0', '--shutdown-timeout', '20']);
    const replica = await startRedisNode(primary.port);
    await waitInSync(primary, replica);
    process.kill(replica.proc.pid, 'SIGSTOP');
    try {
      expect(await primary.conn.call('SET', 'last', 'write')).toBe('+OK\r\n');
      primary.conn.send('SHUTDOWN');
      await primary.proc.waitFor(/Waiting for replicas before shutting down\./);
      // Writes wait meanwhile; reads go on.
      const other = await connectTo(primary);
      expect(await other.call('GET', 'last')).toBe('$5\r\nwrite\r\n');
    } finally {
      process.kill(replica.proc.pid, 'SIGCONT');
    }
    expect((await primary.proc.waitExit(20_000)).code).toBe(0);
    expect(primary.proc.output).toMatch(/1 of 1 replicas are in sync when shutting down\./);
    expect(await replica.conn.call('GET', 'last')).toBe('$5\r\nwrite\r\n');
  }, 60_000);

  it('SHUTDOWN ABORT ends the wait: the caller gets an error and writes resume', async () => {
    const primary = await startCinnabarNode(['--repl-diskless-sync-delay', '0', '--shutdown-timeout', '60']);
    const replica = await startRedisNode(primary.port);
    await waitInSync(primary, replica);
    process.kill(replica.proc.pid, 'SIGSTOP');
    try {
      expect(await primary.conn.call('SET', 'k', '1')).toBe('+OK\r\n');
      primary.conn.send('SHUTDOWN');
      await primary.proc.waitFor(/Waiting for replicas before shutting down\./);
      const other = await connectTo(primary);
      expect(await other.call('SHUTDOWN', 'ABORT')).toBe('+OK\r\n');
      expect(await primary.conn.readReply()).toBe('-ERR Errors trying to SHUTDOWN. Check logs.\r\n');
      expect(await other.call('SET', 'k', '2')).toBe('+OK\r\n');
    } finally {
      process.kill(replica.proc.pid, 'SIGCONT');
    }
    await primary.proc.waitFor(/Shutdown manually aborted\./);
    await waitInSync(primary, replica);
    expect(await replica.conn.call('GET', 'k')).toBe('$1\r\n2\r\n');
  }, 60_000);
});
