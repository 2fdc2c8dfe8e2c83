import { afterEach, describe, expect, it, vi } from 'vitest';
import { PropagationLog } from '../helpers/propagation.js';
import { withServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

describe('SORT and SORT_RO', () => {
  const server = withServer();

  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('sorts numbers, strings, and by other keys and hash fields', async () => {
    await server.r2.rpush('nums', '10', '2', '-1.5', '3e1');
    expect(await server.r2.sort('nums')).toEqual(['-1.5', '2', '10', '3e1']);
    expect(await server.r2.sort('nums', 'ALPHA')).toEqual(['-1.5', '10', '2', '3e1']);
    expect(await server.r3.sort('nums', 'LIMIT', 1, 2, 'DESC')).toEqual(['10', '2']);
    await server.r2.sadd('ids', '1', '2', '3');
    await server.r2.mset('w_1', '30', 'w_2', '10', 'w_3', '20');
    await server.r2.hset('o_1', 'name', 'c', 'age', '1');
    await server.r2.hset('o_2', 'name', 'a', 'age', '3');
    await server.r2.hset('o_3', 'name', 'b', 'age', '2');
    expect(await server.r2.sort('ids', 'BY', 'w_*')).toEqual(['2', '3', '1']);
    expect(await server.r2.sort('ids', 'BY', 'o_*->name', 'ALPHA')).toEqual(['2', '3', '1']);
    expect(await server.r2.sort('ids', 'BY', 'o_*->age', 'GET', '#', 'GET', 'o_*->name', 'GET', 'missing_*'))
      .toEqual(['1', 'c', null, '3', 'b', null, '2', 'a', null]);
    expect(await server.r2.call('SORT_RO', 'ids', 'BY', 'w_*', 'DESC')).toEqual(['1', '3', '2']);
    // BY a pattern without '*' does not sort: a list keeps its order, DESC reverses it.
    expect(await server.r2.sort('nums', 'BY', 'nosort', 'LIMIT', 0, 3, 'DESC')).toEqual(['3e1', '-1.5', '2']);
  });

  it('refuses other types and non-numbers with Redis errors', async () => {
    await server.r2.set('str', 'x');
    await expect(server.r2.sort('str')).rejects.toThrow(/^WRONGTYPE/);
    await server.r2.rpush('mixed', '1', 'x');
    await expect(server.r2.sort('mixed')).rejects.toThrow("One or more scores can't be converted into double");
    expect(await server.raw.call('SORT_RO', 'mixed', 'STORE', 'dst')).toBe('-ERR syntax error\r\n');
    expect(await server.raw.call('SORT', 'mixed', 'LIMIT', '1')).toBe('-ERR syntax error\r\n');
    expect(await server.raw.call('SORT', 'mixed', 'LIMIT', 'x', '1')).toBe('-ERR value is not an integer or out of range\r\n');
  });

  it('STORE writes a list, propagates SORT itself, raises sortstore, and serves a blocked BLPOP', async () => {
    const log = new PropagationLog(server.running);
    const events: string[] = [];
    vi.spyOn(server.running.server.events, 'notify').mockImplementation((_cls, event, key) => {
      events.push(`${event}:${key}`);
    });
    await server.r2.sadd('src', 'b', 'a', 'c');
    const waiter = await server.connect();
    waiter.send('BLPOP', 'out', '0');
    await waitFor(() => server.running.server.blocking.blockedCount === 1, 5000, 'BLPOP to block');
    // A set with BY <constant> and STORE is sorted as strings, so replicas store the same list.
    expect(await server.r2.sort('src', 'BY', 'nosort', 'STORE', 'out')).toBe(3);
    expect(await waiter.readReply()).toBe('*2\r\n$3\r\nout\r\n$1\r\na\r\n');
    expect(await server.r2.lrange('out', 0, -1)).toEqual(['b', 'c']);
    expect(await server.r2.sort('missing', 'STORE', 'out')).toBe(0);
    expect(await server.r2.exists('out')).toBe(0);
    expect(log.lines()).toEqual(['sadd src b a c', 'sort src BY nosort STORE out', 'LPOP out', 'sort missing STORE out']);
    expect(events).toEqual(['new:src', 'sadd:src', 'new:out', 'sortstore:out', 'lpop:out', 'keymiss:missing', 'del:out', 'keymiss:out']);
  });
});
