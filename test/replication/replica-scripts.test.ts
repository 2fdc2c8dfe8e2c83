// Scripts and functions on a replica, differential: the same calls go to a cinnabar replica of a
// cinnabar primary and to a redis-server replica of a redis-server primary, and the replies must
// be the same bytes. A read-only replica refuses a script that may write before it runs (its
// shebang flags make EVAL and FCALL writes) and a write a flagless script attempts; a replica whose
// link is down with replica-serve-stale-data no runs only scripts declaring allow-stale, and those
// only call commands allowed on a stale replica. Nothing a script tried may reach the dataset.

import { afterEach, describe, expect, it } from 'vitest';
import { startCinnabarNode, startRedisNode, stopAll, waitInSync, type Node } from './topology.js';

afterEach(async () => {
  await stopAll();
});

const LIBRARY = `#!lua name=replicalib
redis.register_function('writes', function() return redis.call('set', 'x', 'from-script') end)
redis.register_function{function_name='reads', callback=function() return 'hello' end, flags={'no-writes'}}
redis.register_function{function_name='stale_ok', callback=function() return 'hello' end, flags={'allow-stale', 'no-writes'}}
redis.register_function{function_name='stale_get', callback=function() return redis.call('get', 'x') end, flags={'allow-stale', 'no-writes'}}
redis.register_function{function_name='stale_ping', callback=function() return redis.call('ping') end, flags={'allow-stale', 'no-writes'}}`;

/** The calls made on the replica, in order; REPLICAOF to a dead port makes the link stale midway. */
async function replicaReplies(primary: Node, replica: Node): Promise<string[]> {
  expect(await primary.conn.call('SET', 'x', 'from-primary')).toBe('+OK\r\n');
  expect(await primary.conn.call('FUNCTION', 'LOAD', LIBRARY)).toBe('$10\r\nreplicalib\r\n');
  await waitInSync(primary, replica);
  const r = replica.conn;
  const replies: string[] = [];
  // Read-only replica, link up.
  replies.push(await r.call('FCALL', 'writes', '0'));
  replies.push(await r.call('FCALL_RO', 'writes', '0'));
  replies.push(await r.call('FCALL', 'reads', '0'));
  replies.push(await r.call('EVAL', "return redis.call('set', 'x', 'from-eval')", '0'));
  replies.push(await r.call('EVAL', "#!lua\nreturn redis.call('set', 'x', 'from-eval')", '0'));
  replies.push(await r.call('EVAL', "#!lua flags=no-writes\nreturn redis.call('get', 'x')", '0'));
  replies.push(await r.call('MULTI'), await r.call('FCALL', 'writes', '0'), await r.call('EXEC'));
  replies.push(await r.call('GET', 'x'));
  // Stale replica.
  replies.push(await r.call('CONFIG', 'SET', 'replica-serve-stale-data', 'no'));
  replies.push(await r.call('REPLICAOF', '127.0.0.1', '1'));
  for (const name of ['reads', 'stale_ok', 'stale_get', 'stale_ping', 'writes']) replies.push(await r.call('FCALL', name, '0'));
  replies.push(await r.call('EVAL', 'return 1', '0'));
  replies.push(await r.call('EVAL', "#!lua flags=allow-stale,no-writes\nreturn redis.call('get', 'x')", '0'));
  replies.push(await r.call('EVAL', "#!lua flags=allow-stale,no-writes\nreturn redis.call('info', 'nosuchsection')", '0'));
  return replies;
}

describe('scripts on a replica', () => {
  it('are refused and limited as redis-server refuses and limits them, and write nothing', async () => {
    const redisPrimary = await startRedisNode(null);
    const redisReplica = await startRedisNode(redisPrimary.port);
    const expected = await replicaReplies(redisPrimary, redisReplica);

    const primary = await startCinnabarNode();
    const replica = await startCinnabarNode(['--replicaof', '127.0.0.1', String(primary.port)]);
    const actual = await replicaReplies(primary, replica);

    expect(actual).toEqual(expected);
    // The replica's value is still the primary's (the GET above, and after it went stale).
    expect(actual[9]).toBe('$12\r\nfrom-primary\r\n');
    expect(expected).toContain("-READONLY You can't write against a read only replica.\r\n");
  }, 60_000);
});
