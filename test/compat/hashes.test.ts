import { it } from 'vitest';
import { describeDifferential, type Step } from '../helpers/differential.js';

// Every sequence uses its own key names: the replies must match redis-server byte for byte,
// in RESP2 and in RESP3. Only deterministic outputs appear here (small, listpack-ordered hashes;
// HRANDFIELD only where the answer is forced).

const basics: Step[] = [
  ['HSET', 'b:h', 'f1', 'v1', 'f2', 'v2'], ['HSET', 'b:h', 'f1', 'new', 'f3', 'v3'],
  ['HGET', 'b:h', 'f1'], ['HGET', 'b:h', 'nope'], ['HGET', 'b:missing', 'f1'],
  ['HMGET', 'b:h', 'f1', 'nope', 'f3'], ['HMGET', 'b:missing', 'a', 'b'],
  ['HLEN', 'b:h'], ['HLEN', 'b:missing'],
  ['HSTRLEN', 'b:h', 'f2'], ['HSTRLEN', 'b:h', 'nope'], ['HSTRLEN', 'b:missing', 'x'],
  ['HEXISTS', 'b:h', 'f2'], ['HEXISTS', 'b:h', 'nope'], ['HEXISTS', 'b:missing', 'f'],
  ['HKEYS', 'b:h'], ['HVALS', 'b:h'], ['HGETALL', 'b:h'],
  ['HKEYS', 'b:missing'], ['HVALS', 'b:missing'], ['HGETALL', 'b:missing'],
  ['HSETNX', 'b:h', 'f1', 'x'], ['HSETNX', 'b:h', 'f9', 'x'], ['HSETNX', 'b:new', 'f', 'v'],
  ['HMSET', 'b:h', 'f4', 'v4', 'f5', ''], ['HGETALL', 'b:h'],
  ['HDEL', 'b:h', 'f1', 'f1', 'nope', 'f3'], ['HDEL', 'b:missing', 'x'], ['HGETALL', 'b:h'],
  ['HSET', 'b:h', 'f1', 'again'], ['HKEYS', 'b:h'],
  ['HDEL', 'b:new', 'f', 'g'], ['HLEN', 'b:new'], ['HGETALL', 'b:new'],
  ['HSET', 'b:bin', 'k\x00\xff', 'v\r\n\x01'], ['HGET', 'b:bin', 'k\x00\xff'], ['HSTRLEN', 'b:bin', 'k\x00\xff'],
];

const errors: Step[] = [
  ['SET', 'e:str', 'x'],
  ['HSET', 'e:h', 'a'], ['HSET', 'e:h', 'a', '1', 'b'], ['HMSET', 'e:h', 'a', '1', 'b'], ['HSET', 'e:h'],
  ['HSETNX', 'e:h', 'a'], ['HGET', 'e:h'], ['HMGET', 'e:h'], ['HDEL', 'e:h'], ['HLEN'], ['HSTRLEN', 'e:h'],
  ['HEXISTS', 'e:h'], ['HKEYS'], ['HINCRBY', 'e:h', 'a'], ['HRANDFIELD'], ['HSCAN', 'e:h'],
  ['HSET', 'e:str', 'a', '1'], ['HSETNX', 'e:str', 'a', '1'], ['HMSET', 'e:str', 'a', '1'],
  ['HGET', 'e:str', 'a'], ['HMGET', 'e:str', 'a'], ['HDEL', 'e:str', 'a'], ['HLEN', 'e:str'],
  ['HSTRLEN', 'e:str', 'a'], ['HEXISTS', 'e:str', 'a'], ['HKEYS', 'e:str'], ['HVALS', 'e:str'],
  ['HGETALL', 'e:str'], ['HINCRBY', 'e:str', 'a', '1'], ['HINCRBYFLOAT', 'e:str', 'a', '1'],
  ['HRANDFIELD', 'e:str'], ['HRANDFIELD', 'e:str', '0'], ['HRANDFIELD', 'e:str', '3', 'WITHVALUES'],
  ['HSCAN', 'e:str', '0'], ['HSCAN', 'e:str', 'x'],
  ['GET', 'e:str'],
];

const increments: Step[] = [
  ['HINCRBY', 'i:h', 'n', '5'], ['HINCRBY', 'i:h', 'n', '-7'], ['HGET', 'i:h', 'n'],
  ['HINCRBY', 'i:h', 'n', 'x'], ['HINCRBY', 'i:h', 'n', '1.5'], ['HINCRBY', 'i:h', 'n', ' 1'],
  ['HINCRBY', 'i:h', 'n', '9223372036854775808'],
  ['HSET', 'i:h', 'big', '9223372036854775806'], ['HINCRBY', 'i:h', 'big', '1'], ['HINCRBY', 'i:h', 'big', '1'],
  ['HSET', 'i:h', 'low', '-9223372036854775807'], ['HINCRBY', 'i:h', 'low', '-1'], ['HINCRBY', 'i:h', 'low', '-1'],
  ['HINCRBY', 'i:h', 'low', '9223372036854775807'],
  ['HSET', 'i:h', 's', ' 11', 't', '11 ', 'u', 'abc', 'z', '007', 'w', '1.0'],
  ['HINCRBY', 'i:h', 's', '1'], ['HINCRBY', 'i:h', 't', '1'], ['HINCRBY', 'i:h', 'u', '1'],
  ['HINCRBY', 'i:h', 'z', '1'], ['HINCRBY', 'i:h', 'w', '1'],
  ['HINCRBYFLOAT', 'i:f', 'x', '10.5'], ['HINCRBYFLOAT', 'i:f', 'x', '0.1'], ['HINCRBYFLOAT', 'i:f', 'x', '-5'],
  ['HINCRBYFLOAT', 'i:f', 'y', '1.23'], ['HINCRBYFLOAT', 'i:f', 'y', '0.77'], ['HINCRBYFLOAT', 'i:f', 'y', '-0.1'],
  ['HINCRBYFLOAT', 'i:f', 'z', '5.0e3'], ['HINCRBYFLOAT', 'i:f', 'z', '-5000'], ['HGET', 'i:f', 'z'],
  ['HINCRBYFLOAT', 'i:f', 'big', '17179869184'], ['HINCRBYFLOAT', 'i:f', 'big', '17179869184'],
  ['HINCRBYFLOAT', 'i:f', 'x', 'abc'], ['HINCRBYFLOAT', 'i:f', 'x', 'nan'], ['HINCRBYFLOAT', 'i:f', 'x', 'inf'],
  ['HINCRBYFLOAT', 'i:f', 'x', '-inf'], ['HINCRBYFLOAT', 'i:f', 'x', ''],
  ['HSET', 'i:f', 'bad', '1\x002', 'sp', ' 1', 'huge', '1e308', 'hex', '0x10', 'inf', 'inf'],
  ['HINCRBYFLOAT', 'i:f', 'bad', '1'], ['HINCRBYFLOAT', 'i:f', 'sp', '1'], ['HINCRBYFLOAT', 'i:f', 'huge', '1e308'],
  ['HINCRBYFLOAT', 'i:f', 'hex', '1'], ['HINCRBYFLOAT', 'i:f', 'inf', '1'],
  ['HINCRBYFLOAT', 'i:f', 'p', '0.1'], ['HINCRBYFLOAT', 'i:f', 'p', '0.2'], ['HINCRBYFLOAT', 'i:f', 'p', '1.23456789012345678'],
  ['HINCRBYFLOAT', 'i:f', 'q', '1e-20'], ['HINCRBYFLOAT', 'i:f', 'q', '3.0e2'],
  ['HINCRBYFLOAT', 'i:f', 'n', '3'],
  // 'huge' made the hash a hashtable, whose order is Redis's dict order: read fields by name.
  ['HMGET', 'i:f', 'x', 'y', 'z', 'big', 'bad', 'sp', 'huge', 'hex', 'inf', 'p', 'q', 'n'], ['HLEN', 'i:f'], ['HGETALL', 'i:h'],
  ['HINCRBYFLOAT', 'i:nokey', 'x', 'inf'], ['HLEN', 'i:nokey'],
];

const randomAndScan: Step[] = [
  ['HSET', 'r:h', 'a', '1', 'b', '2', 'c', '3'],
  ['HRANDFIELD', 'r:h', '0'], ['HRANDFIELD', 'r:h', '0', 'WITHVALUES'], ['HRANDFIELD', 'r:missing'],
  ['HRANDFIELD', 'r:missing', '5'], ['HRANDFIELD', 'r:missing', '-5', 'WITHVALUES'],
  ['HRANDFIELD', 'r:h', '3'], ['HRANDFIELD', 'r:h', '10', 'WITHVALUES'], ['HRANDFIELD', 'r:h', '3', 'withvalues'],
  ['HRANDFIELD', 'r:h', 'x'], ['HRANDFIELD', 'r:h', '1', 'WITHVALUE'], ['HRANDFIELD', 'r:h', '1', 'WITHVALUES', 'x'],
  ['HRANDFIELD', 'r:h', '-9223372036854775808'], ['HRANDFIELD', 'r:h', '-9223372036854775808', 'WITHVALUES'],
  ['HRANDFIELD', 'r:h', '-9223372036854770000', 'WITHVALUES'], ['HRANDFIELD', 'r:h', '9223372036854775807', 'WITHVALUES'],
  ['HRANDFIELD', 'r:h', '9223372036854775807'], ['HRANDFIELD', 'r:h', '9223372036854775808'],
  ['HSET', 'r:one', 'only', 'val'],
  ['HRANDFIELD', 'r:one'], ['HRANDFIELD', 'r:one', '-3'], ['HRANDFIELD', 'r:one', '-3', 'WITHVALUES'],
  ['HRANDFIELD', 'r:one', '1', 'WITHVALUES'], ['HRANDFIELD', 'r:one', '-1'],
  ['HSCAN', 'r:h', '0'], ['HSCAN', 'r:h', '123'], ['HSCAN', 'r:h', '0', 'MATCH', 'a*'], ['HSCAN', 'r:h', '0', 'match', '[bc]'],
  ['HSCAN', 'r:h', '0', 'COUNT', '1'], ['HSCAN', 'r:h', '0', 'COUNT', '0'], ['HSCAN', 'r:h', '0', 'COUNT', 'x'],
  ['HSCAN', 'r:h', '0', 'COUNT', '-1'], ['HSCAN', 'r:h', '0', 'MATCH'], ['HSCAN', 'r:h', '0', 'TYPE', 'string'],
  ['HSCAN', 'r:h', '0', 'MATCH', '*', 'COUNT', '100'], ['HSCAN', 'r:h', 'x'], ['HSCAN', 'r:h', ' 1'],
  ['HSCAN', 'r:h', '-1'], ['HSCAN', 'r:h', '+5'], ['HSCAN', 'r:h', ''], ['HSCAN', 'r:h', '18446744073709551616'],
  ['HSCAN', 'r:h', '1.5'], ['HSCAN', 'r:missing', '0'], ['HSCAN', 'r:missing', '0', 'COUNT', '0'],
  ['HSCAN', 'r:missing', 'bad'],
];

/**
 * Prefixes every key (argument 1) so each run has fresh keys even where FLUSHALL, which
 * servers.run sends first, is not available yet.
 */
function keyed(steps: Step[], prefix: string): Step[] {
  return steps.map((step) => (Array.isArray(step) && step.length > 1 ? [step[0], prefix + step[1], ...step.slice(2)] : step));
}

describeDifferential('hash commands', (servers) => {
  for (const resp of [2, 3] as const) {
    it(`reads and writes match in RESP${resp}`, async () => {
      await servers.run(keyed(basics, `basics${resp}:`), resp);
    });
    it(`argument and type errors match in RESP${resp}`, async () => {
      await servers.run(keyed(errors, `errors${resp}:`), resp);
    });
    it(`HINCRBY and HINCRBYFLOAT match in RESP${resp}`, async () => {
      await servers.run(keyed(increments, `increments${resp}:`), resp);
    });
    it(`deterministic HRANDFIELD and HSCAN replies match in RESP${resp}`, async () => {
      await servers.run(keyed(randomAndScan, `randomAndScan${resp}:`), resp);
    });
  }
});
