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

describe('the primary\'s view of its replicas', () => {
  it('lists them (CLIENT LIST flags=S, ROLE, INFO) and WAIT counts their acknowledgements', async () => {
    const primary = await startCinnabarNode(['--repl-diskless-sync-delay', '0']);
    const replica = await startRedisNode(primary.port);
    await waitInSync(primary, replica);
    expect(replyText(await primary.conn.call('CLIENT', 'LIST', 'TYPE', 'replica'))).toMatch(/ flags=S .* cmd=replconf /);
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
    const primary = await startCinnabarNode(['--repl-diskless-sync-delay', '0', '--min-replicas-to-write', '1']);
    expect(await primary.conn.call('SET', 'k', 'v')).toBe('-NOREPLICAS Not enough good replicas to write.\r\n');
    expect(await primary.conn.call('GET', 'k')).toBe('$-1\r\n');
    const replica = await startRedisNode(primary.port);
    await waitInSync(primary, replica);
    await waitFor(async () => (await info(primary.conn, 'replication')).get('min_slaves_good_slaves') === '1', 10_000, 'a good replica');
    expect(await primary.conn.call('SET', 'k', 'v')).toBe('+OK\r\n');
    await waitInSync(primary, replica);
    expect(await replica.conn.call('GET', 'k')).toBe('$1\r\nv\r\n');
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
