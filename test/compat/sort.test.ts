import { it } from 'vitest';
import { describeDifferential, type Step } from '../helpers/differential.js';

// SORT and SORT_RO against redis-server, byte for byte in RESP2 and RESP3. Every reply here is
// deterministic: sorts order everything (ties broken by the element itself in numeric mode), and
// BY <constant> (no sorting) only reads sets that are intsets, whose order is ascending.

const weights: Step[] = [
  ['SADD', 'ids', '3', '1', '2', '10', '7'],
  // Ties would show the set's own order, which differs between servers: none here.
  ['SADD', 'names', 'bob', 'al', 'cy', 'Dee', 'b\x00z', '10', '9'],
  ['MSET', 'w_1', '50', 'w_2', '-3.5', 'w_3', '1e2', 'w_7', '0x10', 'w_10', ' 7'],
  ['HSET', 'h_1', 'f', 'z', 'n', '4'], ['HSET', 'h_2', 'f', 'a', 'n', '2'], ['HSET', 'h_3', 'f', 'm', 'n', '-1'],
  ['SET', 'h_7', 'not a hash'], ['HSET', 'w_bob', 'x', 'y'],
  ['MSET', 'n_bob', 'b', 'n_al', 'c', 'n_cy', 'a', 'n_Dee', 'D', 'n_10', 'e', 'n_9', 'bb', 'n_b\x00z', 'A'],
];

const basics: Step[] = [
  ...weights,
  ['SORT', 'ids'], ['SORT', 'ids', 'DESC'], ['SORT', 'ids', 'ASC'], ['SORT', 'ids', 'desc', 'asc'],
  ['SORT', 'ids', 'ALPHA'], ['SORT', 'ids', 'ALPHA', 'DESC'], ['SORT_RO', 'ids'], ['SORT_RO', 'ids', 'alpha', 'desc'],
  ['SORT', 'names', 'ALPHA'], ['SORT', 'names', 'ALPHA', 'DESC'], ['SORT', 'names'],
  ['SORT', 'ids', 'LIMIT', '0', '2'], ['SORT', 'ids', 'LIMIT', '2', '10'], ['SORT', 'ids', 'LIMIT', '-5', '2'],
  ['SORT', 'ids', 'LIMIT', '1', '-1'], ['SORT', 'ids', 'LIMIT', '5', '1'], ['SORT', 'ids', 'LIMIT', '4', '0'],
  ['SORT', 'ids', 'LIMIT', '9223372036854775807', '9223372036854775807'], ['SORT', 'ids', 'LIMIT', '1', '2', 'LIMIT', '0', '1'],
  ['SORT', 'ids', 'DESC', 'LIMIT', '1', '3'],
  ['SORT', 'missing'], ['SORT', 'missing', 'LIMIT', '0', '0'], ['SORT', 'missing', 'BY', 'nosort', 'DESC', 'LIMIT', '1', '1'],
  ['SORT_RO', 'missing', 'GET', '#'],
];

const patterns: Step[] = [
  ...weights,
  ['SORT', 'ids', 'BY', 'w_*'], ['SORT', 'ids', 'BY', 'w_*', 'DESC'], ['SORT', 'ids', 'BY', 'w_*', 'LIMIT', '1', '2'],
  ['SORT', 'ids', 'BY', 'h_*->n'], ['SORT', 'ids', 'BY', 'h_*->n', 'DESC', 'LIMIT', '0', '3'],
  ['SORT', 'ids', 'BY', 'h_*->f', 'ALPHA'], ['SORT', 'ids', 'BY', 'h_*->f', 'ALPHA', 'DESC'],
  ['SORT', 'ids', 'BY', 'nosuch_*'], ['SORT', 'ids', 'BY', 'nosuch_*', 'DESC'],
  ['SORT', 'ids', 'BY', 'nosort'], ['SORT', 'ids', 'BY', 'nosort', 'DESC'], ['SORT', 'ids', 'BY', 'nosort', 'LIMIT', '1', '2'],
  ['SORT', 'ids', 'BY', 'h_*->'], ['SORT', 'ids', 'BY', 'h_*->', 'ALPHA'],
  ['SORT', 'names', 'BY', 'n_*', 'ALPHA'], ['SORT', 'names', 'BY', 'n_*', 'ALPHA', 'DESC'],
  ['SORT', 'ids', 'GET', '#'], ['SORT', 'ids', 'GET', 'w_*'], ['SORT', 'ids', 'GET', '#', 'GET', 'w_*', 'GET', 'h_*->f'],
  ['SORT', 'ids', 'GET', 'h_*->n', 'GET', 'h_*->nope', 'GET', 'h_*'], ['SORT', 'ids', 'GET', 'const'],
  ['SORT', 'ids', 'GET', '#', 'LIMIT', '1', '2', 'DESC'], ['SORT', 'ids', 'BY', 'w_*', 'GET', '#', 'GET', 'w_*'],
  ['SORT', 'ids', 'GET', 'w_*->'], ['SORT', 'ids', 'GET', '*'], ['SORT', 'ids', 'GET', '#x'], ['SORT', 'ids', 'GET', '**'],
  ['SORT_RO', 'names', 'BY', 'n_*', 'ALPHA', 'GET', 'n_*', 'GET', '#'],
  ['SORT', 'ids', 'BY', 'w_*', 'ALPHA'], ['SORT', 'ids', 'BY', 'w_*->x'],
  ['SORT', 'names', 'BY', 'w_*'], ['SORT', 'names', 'BY', 'w_*->x'],
];

const lists: Step[] = [
  ...weights,
  ['RPUSH', 'l', '3', '1', '2', '10', '7', '1', '3'],
  ['RPUSH', 'ls', 'b', 'a', 'b\x00z', 'c', 'b\x00a', 'B', 'a', '', '10', '9'],
  ['SORT', 'l'], ['SORT', 'l', 'DESC'], ['SORT', 'l', 'ALPHA'], ['SORT', 'l', 'LIMIT', '2', '3'],
  ['SORT', 'l', 'BY', 'nosort'], ['SORT', 'l', 'BY', 'nosort', 'DESC'], ['SORT', 'l', 'BY', 'nosort', 'LIMIT', '1', '3'],
  ['SORT', 'l', 'BY', 'nosort', 'DESC', 'LIMIT', '1', '3'], ['SORT', 'l', 'BY', 'nosort', 'LIMIT', '5', '10'],
  ['SORT', 'l', 'BY', 'nosort', 'DESC', 'LIMIT', '6', '10'], ['SORT', 'l', 'BY', 'nosort', 'LIMIT', '7', '1'],
  ['SORT', 'l', 'BY', 'nosort', 'LIMIT', '-1', '-1'], ['SORT', 'l', 'BY', 'nosort', 'GET', '#', 'GET', 'w_*'],
  ['SORT', 'l', 'BY', 'w_*'], ['SORT', 'l', 'BY', 'w_*', 'LIMIT', '2', '2'], ['SORT', 'l', 'BY', 'h_*->f', 'ALPHA', 'DESC'],
  ['SORT', 'l', 'BY', 'nosuch_*', 'ALPHA'], ['SORT', 'l', 'BY', 'nosuch_*', 'ALPHA', 'DESC'],
  // Ties (equal strings up to a NUL for strcoll, missing BY keys) keep the list's order.
  ['SORT', 'ls', 'ALPHA'], ['SORT', 'ls', 'ALPHA', 'DESC'], ['SORT', 'ls'], ['SORT', 'ls', 'BY', 'n_*', 'ALPHA'],
  ['SORT', 'ls', 'ALPHA', 'STORE', 'ls:sorted'], ['LRANGE', 'ls:sorted', '0', '-1'],
  ['SORT', 'l', 'STORE', 'l:sorted'], ['LRANGE', 'l:sorted', '0', '-1'], ['TYPE', 'l:sorted'], ['OBJECT', 'ENCODING', 'l:sorted'],
  ['SORT', 'l', 'GET', '#', 'GET', 'w_*', 'STORE', 'l:sorted'], ['LRANGE', 'l:sorted', '0', '-1'],
  ['SORT', 'l', 'LIMIT', '0', '0', 'STORE', 'l:sorted'], ['EXISTS', 'l:sorted'], ['SORT', 'l', 'LIMIT', '0', '0', 'STORE', 'l:sorted'],
  ['SET', 'l:str', 'x'], ['SORT', 'l', 'STORE', 'l:str'], ['TYPE', 'l:str'], ['SORT', 'l', 'STORE', 'l'], ['LRANGE', 'l', '0', '-1'],
  ['SORT', 'missing', 'STORE', 'l:str'], ['EXISTS', 'l:str'],
  ['SORT', 'ids', 'BY', 'nosort', 'STORE', 'ids:sorted'], ['LRANGE', 'ids:sorted', '0', '-1'],
  ['SORT', 'names', 'BY', 'nosort', 'STORE', 'names:sorted'], ['LRANGE', 'names:sorted', '0', '-1'],
  ['SORT', 'names', 'BY', 'nosort', 'DESC', 'LIMIT', '1', '3', 'STORE', 'names:sorted'], ['LRANGE', 'names:sorted', '0', '-1'],
  ['SORT', 'names', 'BY', 'nosort', 'GET', 'n_*', 'STORE', 'names:sorted'], ['LRANGE', 'names:sorted', '0', '-1'],
  ['SORT', 'ids', 'STORE', 'a', 'STORE', 'b'], ['EXISTS', 'a'], ['LRANGE', 'b', '0', '-1'],
  ['RPUSH', 'bad', '1', 'x', '2'], ['SORT', 'bad'], ['SORT', 'bad', 'STORE', 'bad:out'], ['EXISTS', 'bad:out'],
  ['RPUSH', 'nums3', ' 5', '0x10', '-inf', '1\x00junk', '', '3.5e1', '+7', '.5'], ['SORT', 'nums3'], ['SORT', 'nums3', 'DESC'],
  // Last: after an out-of-range score Redis's errno stays ERANGE until some call resets it, so
  // a later numeric SORT on the same connection may fail there too (not reproduced here).
  ['RPUSH', 'nums2', 'nan'], ['SORT', 'nums2'], ['RPUSH', 'nums', '1e400', '2'], ['SORT', 'nums'],
];

const sortedSets: Step[] = [
  ...weights,
  ['ZADD', 'z', '1', 'a', '5', 'b', '2', 'c', '10', 'd', '3', 'e'], ['OBJECT', 'ENCODING', 'z'],
  ['SORT', 'z', 'ALPHA'], ['OBJECT', 'ENCODING', 'z'], ['SORT', 'z', 'ALPHA', 'DESC'], ['SORT', 'z'],
  ['SORT', 'z', 'BY', 'nosort'], ['SORT', 'z', 'BY', 'nosort', 'DESC'], ['SORT', 'z', 'BY', 'nosort', 'LIMIT', '1', '2'],
  ['SORT', 'z', 'BY', 'nosort', 'DESC', 'LIMIT', '1', '2'], ['SORT', 'z', 'BY', 'nosort', 'LIMIT', '4', '5'],
  ['SORT', 'z', 'BY', 'nosort', 'DESC', 'LIMIT', '0', '0'], ['SORT', 'z', 'BY', 'nosort', 'LIMIT', '10', '1'],
  ['SORT', 'z', 'BY', 'nosort', 'GET', '#', 'GET', 'n_*'], ['SORT', 'z', 'BY', 'nosort', 'STORE', 'zl'], ['LRANGE', 'zl', '0', '-1'],
  ['SORT', 'z', 'ALPHA', 'STORE', 'zl'], ['LRANGE', 'zl', '0', '-1'], ['SORT_RO', 'z', 'BY', 'nosort', 'DESC'],
  ['ZADD', 'zi', '-100', 'a', '200', 'b', '-300', 'c', '1000000', 'd', '+inf', 'max', '-inf', 'min'],
  ['SORT', 'zi', 'BY', 'nosort'], ['SORT', 'zi', 'BY', 'nosort', 'DESC'], ['OBJECT', 'ENCODING', 'zi'],
  ['ZADD', 'zn', '3', '30', '1', '10', '2', '2.5', '0', '-7'], ['SORT_RO', 'zn'], ['SORT', 'zn', 'DESC', 'LIMIT', '1', '2'],
  ['SORT', 'zn', 'BY', 'w_*'], ['OBJECT', 'ENCODING', 'zn'],
];

const errors: Step[] = [
  ...weights,
  ['SET', 'str', 'v'], ['HSET', 'hash', 'a', '1'],
  ['SORT'], ['SORT_RO'], ['SORT', 'str'], ['SORT', 'hash'], ['SORT_RO', 'str', 'ALPHA'],
  ['SORT', 'ids', 'LIMIT'], ['SORT', 'ids', 'LIMIT', '1'], ['SORT', 'ids', 'LIMIT', 'x', '1'], ['SORT', 'ids', 'LIMIT', '1', 'x'],
  ['SORT', 'ids', 'LIMIT', '1.5', '2'], ['SORT', 'ids', 'LIMIT', '9223372036854775808', '1'], ['SORT', 'ids', 'BY'], ['SORT', 'ids', 'GET'],
  ['SORT', 'ids', 'FOO'], ['SORT', 'ids', 'ALPHA', 'x'], ['SORT_RO', 'ids', 'STORE', 'dst'], ['SORT', 'str', 'FOO'],
  ['SORT', 'str', 'LIMIT', 'x', 'y'], ['SORT', 'names'], ['SORT', 'names', 'BY', 'w_*'], ['SORT', 'names', 'LIMIT', '0', '1'],
  ['SORT', 'names', 'GET', '#'],
];

const introspection: Step[] = [
  ['COMMAND', 'INFO', 'SORT', 'SORT_RO'],
  ['COMMAND', 'GETKEYS', 'SORT', 'abc', 'STORE', 'def'], ['COMMAND', 'GETKEYS', 'SORT_RO', 'abc'],
  ['COMMAND', 'GETKEYS', 'SORT', 'abc', 'STORE', 'invalid', 'STORE', 'stillbad', 'STORE', 'def'],
  ['COMMAND', 'GETKEYS', 'SORT', 'abc', 'LIMIT', 'STORE', 'x', 'y'], ['COMMAND', 'GETKEYS', 'SORT', 'abc', 'STORE'],
  ['COMMAND', 'GETKEYS', 'SORT', 'abc', 'GET', 'STORE', 'BY', 'x', 'store', 'limit', 'z'],
  ['COMMAND', 'GETKEYSANDFLAGS', 'SORT', 'abc', 'STORE', 'def'], ['COMMAND', 'GETKEYSANDFLAGS', 'SORT_RO', 'abc', 'GET', '#'],
  ['COMMAND', 'INFO', 'SADD', 'SREM', 'SMEMBERS', 'SISMEMBER', 'SMISMEMBER', 'SCARD', 'SPOP', 'SRANDMEMBER', 'SMOVE'],
  ['COMMAND', 'INFO', 'SINTER', 'SINTERCARD', 'SINTERSTORE', 'SUNION', 'SUNIONSTORE', 'SDIFF', 'SDIFFSTORE', 'SSCAN'],
  ['COMMAND', 'GETKEYS', 'SINTERCARD', '2', 'a', 'b', 'LIMIT', '1'], ['COMMAND', 'GETKEYS', 'SMOVE', 'a', 'b', 'm'],
  ['COMMAND', 'GETKEYS', 'SINTERSTORE', 'd', 'a', 'b'],
];

// The list STORE writes is a bare quicklist (fill -2, no compression) whatever the list
// settings: its DUMP shows that layout, and later pushes keep filling 8 KB nodes.
const storedListLayout: Step[] = [
  ['CONFIG', 'SET', 'list-max-listpack-size', '4'], ['CONFIG', 'SET', 'list-compress-depth', '1'],
  ['RPUSH', 'src', 'k', 'j', 'i', 'h', 'g', 'f', 'e', 'd', 'c', 'b', 'a'], ['SORT', 'src', 'ALPHA', 'STORE', 'dst'],
  ['DUMP', 'dst'], ['RPUSH', 'dst', 'x', 'y', 'z'], ['LPUSH', 'dst', 'w'], ['DUMP', 'dst'], ['DUMP', 'src'],
  ['SORT', 'src', 'BY', 'nosort', 'STORE', 'src'], ['DUMP', 'src'],
  ['CONFIG', 'SET', 'list-max-listpack-size', '-2'], ['CONFIG', 'SET', 'list-compress-depth', '0'],
];

// BY weights with a LIMIT window: Redis sorts with pqsort, and elements of equal weight (here
// many, and every missing one) come out in the order its partitioning leaves them.
function windowedTies(): Step[] {
  const steps: Step[] = [];
  for (const size of [5, 10, 41, 90]) {
    const key = `ties${size}`;
    const elements = Array.from({ length: size }, (_, i) => `e${(i * 37) % size}`);
    steps.push(['RPUSH', key, ...elements]);
    for (let i = 0; i < size; i += 3) steps.push(['SET', `w_e${i}`, String(i % 4)]);
    for (const [offset, count] of [[0, 3], [1, 4], [size - 3, 3], [Math.floor(size / 2), 5], [0, size - 1]]) {
      steps.push(['SORT', key, 'BY', 'w_*', 'LIMIT', String(offset), String(count), 'ALPHA']);
      steps.push(['SORT', key, 'BY', 'w_*', 'LIMIT', String(offset), String(count), 'ALPHA', 'DESC']);
      steps.push(['SORT', key, 'BY', 'nosuch_*', 'LIMIT', String(offset), String(count), 'ALPHA', 'GET', '#', 'GET', 'w_*']);
      steps.push(['SORT', key, 'BY', 'w_*', 'LIMIT', String(offset), String(count)]);
    }
  }
  return steps;
}

describeDifferential('SORT and SORT_RO', (servers) => {
  for (const resp of [2, 3] as const) {
    it(`sorts, limits and orders sets like Redis in RESP${resp}`, async () => {
      await servers.run(basics, resp);
    });
    it(`BY and GET patterns match in RESP${resp}`, async () => {
      await servers.run(patterns, resp);
    });
    it(`lists, BY nosort orders and STORE match in RESP${resp}`, async () => {
      await servers.run(lists, resp);
    });
    it(`sorted sets (converted to skiplist by SORT) match in RESP${resp}`, async () => {
      await servers.run(sortedSets, resp);
    });
    it(`the list STORE writes has Redis's default quicklist layout in RESP${resp}`, async () => {
      await servers.run(storedListLayout, resp);
    });
    it(`equal weights in a LIMIT window come out in pqsort's order, RESP${resp}`, async () => {
      await servers.run(windowedTies(), resp);
    });
    it(`errors match in RESP${resp}`, async () => {
      await servers.run(errors, resp);
    });
    it(`COMMAND INFO and GETKEYS match in RESP${resp}`, async () => {
      await servers.run(introspection, resp);
    });
  }
});
