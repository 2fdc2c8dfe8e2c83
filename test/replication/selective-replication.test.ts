// redis.set_repl() sends a script's commands to the AOF, to replicas, to both or to neither.
// Differential: the same script runs on a cinnabar primary (appendonly yes, no RDB preamble)
// with a cinnabar replica and on a redis-server pair alike; what the replica holds, what the
// primary holds, and what the primary holds after DEBUG LOADAOF (the AOF alone) must match.

import { afterEach, describe, expect, it } from 'vitest';
import { startCinnabarNode, startRedisNode, stopAll, waitInSync, type Node } from './topology.js';

afterEach(async () => {
  await stopAll();
});

const AOF_ARGS = ['--appendonly', 'yes', '--aof-use-rdb-preamble', 'no'];
const KEYS = ['a', 'none', 'aof', 'repl', 'all', 'other-db'];
const SCRIPT = `
redis.call('set', 'a', '1')
redis.set_repl(redis.REPL_NONE)
redis.call('set', 'none', '2')
redis.set_repl(redis.REPL_AOF)
redis.call('set', 'aof', '3')
redis.call('select', 4)
redis.call('set', 'other-db', 'x')
redis.call('select', 0)
redis.set_repl(redis.REPL_REPLICA)
redis.call('set', 'repl', '5')
redis.set_repl(redis.REPL_ALL)
return redis.call('set', 'all', '4')`;

async function outcome(primary: Node, replica: Node): Promise<string[]> {
  const replies: string[] = [];
  replies.push(await primary.conn.call('EVAL', SCRIPT, '0'));
  // A lone effect sent to the AOF only, then one to both.
  replies.push(await primary.conn.call('EVAL', "redis.set_repl(redis.REPL_AOF) return redis.call('incr', 'counter')", '0'));
  replies.push(await primary.conn.call('INCR', 'counter'));
  await waitInSync(primary, replica);
  const mget = (node: Node): Promise<string> => node.conn.call('MGET', ...KEYS, 'counter');
  replies.push(await mget(replica), await mget(primary));
  replies.push(await replica.conn.call('SELECT', '4'), await replica.conn.call('GET', 'other-db'), await replica.conn.call('SELECT', '0'));
  replies.push(await primary.conn.call('DEBUG', 'LOADAOF'), await mget(primary));
  replies.push(await primary.conn.call('SELECT', '4'), await primary.conn.call('GET', 'other-db'), await primary.conn.call('SELECT', '0'));
  return replies;
}

describe('redis.set_repl targets', () => {
  it('keeps each command out of the AOF or the replicas as redis-server does', async () => {
    const redisPrimary = await startRedisNode(null, AOF_ARGS);
    const redisReplica = await startRedisNode(redisPrimary.port);
    await waitInSync(redisPrimary, redisReplica);
    const expected = await outcome(redisPrimary, redisReplica);

    const primary = await startCinnabarNode(AOF_ARGS);
    const replica = await startCinnabarNode(['--replicaof', '127.0.0.1', String(primary.port)]);
    await waitInSync(primary, replica);
    const actual = await outcome(primary, replica);

    expect(actual).toEqual(expected);
    // The replica got a, repl, all and the second INCR; the reloaded AOF a, aof, other-db, all and both INCRs.
    expect(actual[3]).toBe('*7\r\n$1\r\n1\r\n$-1\r\n$-1\r\n$1\r\n5\r\n$1\r\n4\r\n$-1\r\n$1\r\n1\r\n');
    expect(actual[9]).toBe('*7\r\n$1\r\n1\r\n$-1\r\n$1\r\n3\r\n$-1\r\n$1\r\n4\r\n$-1\r\n$1\r\n2\r\n');
  });
});
