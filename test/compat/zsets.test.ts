import { expect, it } from 'vitest';
import { describeDifferential, type Step } from '../helpers/differential.js';

// Every sequence uses its own key names: the replies must match redis-server byte for byte, in
// RESP2 and RESP3. Only deterministic outputs appear (ZRANDMEMBER only where the answer is forced).

const adds: Step[] = [
  ['ZADD', 'z', '1', 'a', '2', 'b', '3', 'c'], ['ZADD', 'z', '1', 'a'], ['ZADD', 'z', 'CH', '5', 'a', '6', 'new'],
  ['ZRANGE', 'z', '0', '-1', 'WITHSCORES'], ['ZADD', 'z', 'NX', '9', 'a', '9', 'nx'], ['ZADD', 'z', 'XX', '9', 'b', '9', 'xx'],
  ['ZADD', 'z', 'XX', 'CH', '10', 'b', '1', 'c'], ['ZADD', 'z', 'GT', 'CH', '1', 'b', '20', 'c'], ['ZADD', 'z', 'LT', 'CH', '0', 'b', '30', 'c'],
  ['ZADD', 'z', 'XX', 'GT', '100', 'a'], ['ZADD', 'z', 'INCR', '1.5', 'a'], ['ZADD', 'z', 'INCR', 'NX', '1', 'a'],
  ['ZADD', 'z', 'INCR', 'XX', '1', 'missing'], ['ZADD', 'z', 'INCR', 'GT', '-1', 'a'], ['ZADD', 'z', 'INCR', 'LT', '-1', 'a'],
  ['ZRANGE', 'z', '0', '-1', 'WITHSCORES'], ['ZCARD', 'z'], ['ZCARD', 'nokey'],
  ['ZADD', 'z', 'NX', 'XX', '1', 'a'], ['ZADD', 'z', 'GT', 'LT', '1', 'a'], ['ZADD', 'z', 'NX', 'GT', '1', 'a'],
  ['ZADD', 'z', 'INCR', '1', 'a', '2', 'b'], ['ZADD', 'z', '1'], ['ZADD', 'z', '1', 'a', '2'], ['ZADD', 'z', 'NX'],
  ['ZADD', 'z', 'x', 'a'], ['ZADD', 'z', 'nan', 'a'], ['ZADD', 'z', '1', 'a', 'bad', 'b'], ['ZADD', 'z', ' 1', 'a'],
  ['ZADD', 'z', '1e400', 'a'], ['ZADD', 'z', '1e-400', 'a'], ['ZADD', 'z', '0x10', 'hex'], ['ZADD', 'z', '4e-320', 'tiny'],
  ['ZADD', 'z', 'inf', 'pinf', '-inf', 'ninf', '+inf', 'pinf2', '-Infinity', 'ninf2'],
  ['ZADD', 'z', 'INCR', '-inf', 'pinf'], ['ZINCRBY', 'z', 'inf', 'ninf'], ['ZINCRBY', 'z', '1', 'fresh'],
  ['ZINCRBY', 'z', '2.5', 'fresh'], ['ZINCRBY', 'z', 'x', 'fresh'], ['ZINCRBY', 'z', 'nx', 'fresh'],
  ['ZRANGE', 'z', '0', '-1', 'WITHSCORES'], ['ZSCORE', 'z', 'pinf'], ['ZSCORE', 'z', 'ninf'], ['ZSCORE', 'z', 'nope'],
  ['ZSCORE', 'nokey', 'a'], ['ZMSCORE', 'z', 'a', 'nope', 'pinf'], ['ZMSCORE', 'nokey', 'a', 'b'],
  ['ZADD', 'xxnew', 'XX', '1', 'a'], ['EXISTS', 'xxnew'], ['ZADD', 'xxnew', 'XX', 'INCR', '1', 'a'],
  ['ZADD', 'f', '0.1', 'a', '1e20', 'b', '-0', 'c', '123456789012345678', 'd', '3.0', 'e', '1e-5', 'g', '-1.5e300', 'h'],
  ['ZRANGE', 'f', '0', '-1', 'WITHSCORES'], ['ZSCORE', 'f', 'c'], ['ZINCRBY', 'f', '0.2', 'a'],
  ['ZADD', 'neg0', '-0', 'x'], ['ZSCORE', 'neg0', 'x'],
  ['ZADD', 'p', '0x1p3', 'h1', '0X1.8P1', 'h2', '0x.8', 'h3', '0x1.fffffffffffffp1023', 'h4', 'INFINITY', 'h5', 'Inf', 'h6'],
  ['ZADD', 'p', '1e309', 'x'], ['ZADD', 'p', '-nan', 'x'], ['ZADD', 'p', 'nan(123)', 'x'], ['ZADD', 'p', '0x1p-1080', 'x'],
  ['ZADD', 'p', '0x1p-1074', 'tiny'], ['ZADD', 'p', '1e-310', 'sub'], ['ZADD', 'p', '.5', 'half'], ['ZADD', 'p', '5.', 'five'],
  ['ZADD', 'p', '+.5e+1', 'plus'], ['ZADD', 'p', '1e', 'x'], ['ZADD', 'p', '0x', 'x'], ['ZADD', 'p', '1.5\x00', 'x'],
  ['ZRANGE', 'p', '0', '-1', 'WITHSCORES'],
  ['ZRANGEBYSCORE', 'p', '(0x1p3', '+inf'], ['ZRANGEBYSCORE', 'p', '-inf', '0x10'], ['ZCOUNT', 'p', '  (1', ' inf'],
  ['ZCOUNT', 'p', '1e-400', '1e400'], ['ZCOUNT', 'p', '(nan', '1'],
];

const reads: Step[] = [
  ['ZADD', 'r', '1', 'one', '2', 'two', '3', 'three', '4', 'four', '5', 'five'],
  ['ZRANK', 'r', 'three'], ['ZREVRANK', 'r', 'three'], ['ZRANK', 'r', 'nope'], ['ZRANK', 'nokey', 'a'],
  ['ZRANGE', 'r', '0', '2'], ['ZRANGE', 'r', '-2', '-1', 'WITHSCORES'], ['ZRANGE', 'r', '3', '1'], ['ZRANGE', 'r', '10', '20'],
  ['ZRANGE', 'r', '-100', '100'], ['ZRANGE', 'r', '0', '-1', 'REV'], ['ZRANGE', 'r', '0', '1', 'REV', 'WITHSCORES'],
  ['ZREVRANGE', 'r', '0', '1'], ['ZREVRANGE', 'r', '1', '-1', 'WITHSCORES'],
  ['ZRANGE', 'r', '2', '4', 'BYSCORE'], ['ZRANGE', 'r', '(2', '4', 'BYSCORE', 'WITHSCORES'], ['ZRANGE', 'r', '-inf', '+inf', 'BYSCORE'],
  ['ZRANGE', 'r', '4', '2', 'BYSCORE', 'REV'], ['ZRANGE', 'r', '(4', '(2', 'BYSCORE', 'REV'], ['ZRANGE', 'r', '0', '10', 'BYSCORE', 'LIMIT', '1', '2'],
  ['ZRANGE', 'r', '0', '10', 'BYSCORE', 'LIMIT', '-1', '2'], ['ZRANGE', 'r', '0', '10', 'BYSCORE', 'LIMIT', '1', '-1'],
  ['ZRANGE', 'r', '0', '10', 'BYSCORE', 'LIMIT', '10', '2'], ['ZRANGE', 'r', '0', '10', 'BYSCORE', 'LIMIT', '0', '0'],
  ['ZRANGE', 'r', '10', '0', 'BYSCORE', 'REV', 'LIMIT', '1', '2', 'WITHSCORES'],
  ['ZRANGEBYSCORE', 'r', '2', '4'], ['ZRANGEBYSCORE', 'r', '2', '4', 'WITHSCORES', 'LIMIT', '1', '1'], ['ZRANGEBYSCORE', 'r', '(1', '(5'],
  ['ZREVRANGEBYSCORE', 'r', '4', '2'], ['ZREVRANGEBYSCORE', 'r', '+inf', '-inf', 'WITHSCORES', 'LIMIT', '0', '3'],
  ['ZRANGEBYSCORE', 'r', '5', '1'], ['ZRANGEBYSCORE', 'r', '(3', '3'], ['ZRANGEBYSCORE', 'r', '', ''], ['ZRANGEBYSCORE', 'r', ' 2', '3'],
  ['ZRANGEBYSCORE', 'r', '2 ', '3'], ['ZRANGEBYSCORE', 'r', 'x', '3'], ['ZRANGEBYSCORE', 'r', 'nan', '3'], ['ZRANGEBYSCORE', 'r', '(', '3'],
  ['ZRANGEBYSCORE', 'r', '1e400', 'inf'], ['ZRANGEBYSCORE', 'r', '-1e400', '0x3'],
  ['ZCOUNT', 'r', '2', '4'], ['ZCOUNT', 'r', '(2', '(4'], ['ZCOUNT', 'r', '-inf', '+inf'], ['ZCOUNT', 'r', '5', '1'],
  ['ZCOUNT', 'r', 'a', '1'], ['ZCOUNT', 'nokey', '0', '1'],
  ['ZRANGE', 'r', '0', '1', 'LIMIT', '0', '1'], ['ZRANGE', 'r', '0', '1', 'LIMIT', '0', '-1'], ['ZRANGE', 'r', '[a', '[z', 'BYLEX', 'WITHSCORES'],
  ['ZRANGE', 'r', '0', '1', 'BYSCORE', 'BYLEX'], ['ZRANGE', 'r', '0', '1', 'REV', 'REV'], ['ZRANGE', 'r', '0', '1', 'LIMIT', '0'],
  ['ZRANGE', 'r', '0', '1', 'bogus'], ['ZRANGE', 'r', 'a', '1'], ['ZRANGE', 'r', '0', '1', 'BYSCORE', 'LIMIT', 'x', '1'],
  ['ZRANGEBYSCORE', 'r', '0', '1', 'BYSCORE'], ['ZREVRANGE', 'r', '0', '1', 'REV'], ['ZRANGE', 'nokey', '0', '-1'],
  ['ZRANGE', 'nokey', '0', '-1', 'WITHSCORES'],
];

const lex: Step[] = [
  ['ZADD', 'l', '0', 'a', '0', 'b', '0', 'c', '0', 'd', '0', 'e', '0', 'f', '0', 'g'],
  ['ZRANGEBYLEX', 'l', '-', '+'], ['ZRANGEBYLEX', 'l', '[b', '[d'], ['ZRANGEBYLEX', 'l', '(b', '(d'], ['ZRANGEBYLEX', 'l', '[b', '+', 'LIMIT', '1', '2'],
  ['ZREVRANGEBYLEX', 'l', '+', '-'], ['ZREVRANGEBYLEX', 'l', '[d', '[b'], ['ZREVRANGEBYLEX', 'l', '+', '(c', 'LIMIT', '1', '10'],
  ['ZRANGE', 'l', '[c', '+', 'BYLEX'], ['ZRANGE', 'l', '+', '[c', 'BYLEX', 'REV', 'LIMIT', '0', '2'],
  ['ZRANGEBYLEX', 'l', '+', '-'], ['ZRANGEBYLEX', 'l', '-', '-'], ['ZRANGEBYLEX', 'l', '+', '+'], ['ZRANGEBYLEX', 'l', '[d', '[b'],
  ['ZRANGEBYLEX', 'l', '[b', '(b'], ['ZRANGEBYLEX', 'l', 'b', '[d'], ['ZRANGEBYLEX', 'l', '[b', 'd'], ['ZRANGEBYLEX', 'l', '', '+'],
  ['ZRANGEBYLEX', 'l', '-x', '+'], ['ZRANGEBYLEX', 'l', '[', '+'], ['ZRANGEBYLEX', 'l', '(', '[b'],
  ['ZLEXCOUNT', 'l', '-', '+'], ['ZLEXCOUNT', 'l', '[b', '(e'], ['ZLEXCOUNT', 'l', '(g', '+'], ['ZLEXCOUNT', 'l', 'x', '+'],
  ['ZLEXCOUNT', 'nokey', '-', '+'],
  ['ZREMRANGEBYLEX', 'l', '[b', '[c'], ['ZRANGE', 'l', '0', '-1'], ['ZREMRANGEBYLEX', 'l', '(f', '+'], ['ZRANGE', 'l', '0', '-1'],
  ['ZREMRANGEBYLEX', 'l', 'x', '+'], ['ZREMRANGEBYLEX', 'l', '-', '+'], ['EXISTS', 'l'],
];

const removals: Step[] = [
  ['ZADD', 'd', '1', 'a', '2', 'b', '3', 'c', '4', 'd', '5', 'e', '6', 'f'],
  ['ZREM', 'd', 'a', 'nope', 'a'], ['ZREM', 'nokey', 'a'], ['ZREMRANGEBYRANK', 'd', '0', '0'], ['ZRANGE', 'd', '0', '-1'],
  ['ZREMRANGEBYRANK', 'd', '-1', '-1'], ['ZREMRANGEBYRANK', 'd', '5', '10'], ['ZREMRANGEBYRANK', 'd', 'x', '1'],
  ['ZREMRANGEBYSCORE', 'd', '(3', '4'], ['ZRANGE', 'd', '0', '-1', 'WITHSCORES'], ['ZREMRANGEBYSCORE', 'd', 'x', '1'],
  ['ZREMRANGEBYSCORE', 'd', '-inf', '+inf'], ['EXISTS', 'd'], ['ZREMRANGEBYSCORE', 'nokey', '0', '1'], ['ZREMRANGEBYRANK', 'nokey', '0', '1'],
  ['ZADD', 'd2', '1', 'a', '2', 'b'], ['ZREM', 'd2', 'a', 'b', 'c'], ['EXISTS', 'd2'],
];

const pops: Step[] = [
  ['ZADD', 'p', '1', 'a', '2', 'b', '3', 'c', '4', 'd', '5', 'e'],
  ['ZPOPMIN', 'p'], ['ZPOPMAX', 'p'], ['ZPOPMIN', 'p', '2'], ['ZPOPMAX', 'p', '0'], ['ZPOPMIN', 'p', '-1'], ['ZPOPMIN', 'p', 'x'],
  ['ZPOPMIN', 'p', '1', '2'], ['ZPOPMAX', 'p', '10'], ['EXISTS', 'p'], ['ZPOPMIN', 'nokey'], ['ZPOPMIN', 'nokey', '3'],
  ['ZADD', 'p', '1', 'a', '2', 'b', '3', 'c'], ['ZADD', 'q', '7', 'x'],
  ['ZMPOP', '2', 'nokey', 'p', 'MIN'], ['ZMPOP', '2', 'nokey', 'p', 'MAX', 'COUNT', '10'], ['ZMPOP', '2', 'p', 'q', 'MIN', 'COUNT', '5'],
  ['ZMPOP', '1', 'nokey', 'MIN'], ['ZMPOP', '0', 'p', 'MIN'], ['ZMPOP', 'x', 'p', 'MIN'], ['ZMPOP', '2', 'p', 'MIN'],
  ['ZMPOP', '1', 'p', 'LEFT'], ['ZMPOP', '1', 'p', 'MIN', 'COUNT', '0'], ['ZMPOP', '1', 'p', 'MIN', 'COUNT', 'x'],
  ['ZMPOP', '1', 'p', 'MIN', 'COUNT', '1', 'COUNT', '1'], ['ZMPOP', '1', 'p', 'MIN', 'COUNT'], ['ZMPOP', '1', 'p', 'MIN', 'extra'],
];

const setOps: Step[] = [
  ['ZADD', 'a', '1', 'x', '2', 'y', '3', 'z'], ['ZADD', 'b', '10', 'y', '20', 'z', '30', 'w'], ['ZADD', 'c', '5', 'z'],
  ['ZUNION', '2', 'a', 'b'], ['ZUNION', '2', 'a', 'b', 'WITHSCORES'], ['ZUNION', '3', 'a', 'b', 'c', 'WEIGHTS', '1', '2', '3', 'WITHSCORES'],
  ['ZUNION', '2', 'a', 'b', 'AGGREGATE', 'MIN', 'WITHSCORES'], ['ZUNION', '2', 'a', 'b', 'AGGREGATE', 'max', 'WITHSCORES'],
  ['ZINTER', '2', 'a', 'b', 'WITHSCORES'], ['ZINTER', '3', 'a', 'b', 'c', 'WITHSCORES'], ['ZINTER', '2', 'a', 'nokey'],
  ['ZINTER', '2', 'a', 'a', 'WEIGHTS', '2', '3', 'WITHSCORES'], ['ZDIFF', '2', 'a', 'b', 'WITHSCORES'], ['ZDIFF', '1', 'a'],
  ['ZDIFF', '2', 'a', 'a'], ['ZDIFF', '3', 'b', 'a', 'c', 'WITHSCORES'],
  ['ZUNIONSTORE', 'u', '2', 'a', 'b'], ['ZRANGE', 'u', '0', '-1', 'WITHSCORES'], ['ZINTERSTORE', 'i', '2', 'a', 'b', 'AGGREGATE', 'MAX'],
  ['ZRANGE', 'i', '0', '-1', 'WITHSCORES'], ['ZDIFFSTORE', 'df', '2', 'b', 'a'], ['ZRANGE', 'df', '0', '-1', 'WITHSCORES'],
  ['ZINTERSTORE', 'i', '2', 'a', 'nokey'], ['EXISTS', 'i'], ['ZUNIONSTORE', 'u', '1', 'nokey'], ['EXISTS', 'u'],
  ['ZINTERCARD', '2', 'a', 'b'], ['ZINTERCARD', '2', 'a', 'b', 'LIMIT', '1'], ['ZINTERCARD', '2', 'a', 'b', 'LIMIT', '0'],
  ['ZINTERCARD', '2', 'a', 'b', 'LIMIT', '-1'], ['ZINTERCARD', '0', 'a'], ['ZINTERCARD', '3', 'a', 'b'],
  ['ZUNION', '0', 'a'], ['ZUNION', '-1', 'a'], ['ZUNION', 'x', 'a'], ['ZUNION', '3', 'a', 'b'], ['ZUNIONSTORE', 'u', '0', 'a'],
  ['ZUNION', '2', 'a', 'b', 'WEIGHTS', '1'], ['ZUNION', '2', 'a', 'b', 'WEIGHTS', '1', 'x'], ['ZUNION', '2', 'a', 'b', 'AGGREGATE', 'AVG'],
  ['ZUNION', '2', 'a', 'b', 'AGGREGATE'], ['ZUNIONSTORE', 'u', '2', 'a', 'b', 'WITHSCORES'], ['ZDIFF', '2', 'a', 'b', 'WEIGHTS', '1', '1'],
  ['ZINTERCARD', '2', 'a', 'b', 'WITHSCORES'],
  ['ZADD', 'infs', 'inf', 'x', '-inf', 'y'], ['ZADD', 'infs2', '-inf', 'x', 'inf', 'y'], ['ZUNION', '2', 'infs', 'infs2', 'WITHSCORES'],
  ['ZINTER', '2', 'infs', 'infs2', 'WEIGHTS', '0', '1', 'WITHSCORES'],
  ['SADD', 'set', 'x', 'w', 'q'], ['SADD', 'ints', '3', '1', '2'], ['ZUNION', '2', 'a', 'set', 'WITHSCORES'],
  ['ZINTER', '2', 'set', 'b', 'WEIGHTS', '2', '3', 'WITHSCORES'], ['ZDIFF', '2', 'set', 'b', 'WITHSCORES'],
  ['ZUNIONSTORE', 'us', '2', 'ints', 'set'], ['ZRANGE', 'us', '0', '-1', 'WITHSCORES'], ['OBJECT', 'ENCODING', 'us'],
  ['ZINTERCARD', '2', 'set', 'a'], ['ZINTER', '2', 'set', 'set', 'WITHSCORES'],
  ['SET', 'str', 'v'], ['ZUNION', '2', 'a', 'str'], ['ZUNIONSTORE', 'str', '1', 'a'], ['TYPE', 'str'],
];

const rangeStore: Step[] = [
  ['ZADD', 's', '1', 'a', '2', 'b', '3', 'c', '4', 'd'],
  ['ZRANGESTORE', 'dst', 's', '0', '1'], ['ZRANGE', 'dst', '0', '-1', 'WITHSCORES'], ['OBJECT', 'ENCODING', 'dst'],
  ['ZRANGESTORE', 'dst', 's', '2', '4', 'BYSCORE', 'LIMIT', '1', '5'], ['ZRANGE', 'dst', '0', '-1', 'WITHSCORES'],
  ['ZRANGESTORE', 'dst', 's', '[c', '-', 'BYLEX', 'REV'], ['ZRANGE', 'dst', '0', '-1', 'WITHSCORES'],
  ['ZRANGESTORE', 'dst', 's', '5', '10', 'BYSCORE'], ['EXISTS', 'dst'], ['ZRANGESTORE', 'dst', 'nokey', '0', '-1'],
  ['ZRANGESTORE', 'dst', 's', '0', '-1', 'WITHSCORES'], ['ZRANGESTORE', 's', 's', '1', '2'], ['ZRANGE', 's', '0', '-1'],
  ['SET', 'str', 'x'], ['ZRANGESTORE', 'dst', 'str', '0', '-1'],
];

const encodings: Step[] = [
  ['CONFIG', 'SET', 'zset-max-listpack-entries', '4'], ['CONFIG', 'SET', 'zset-max-listpack-value', '8'],
  ['ZADD', 'e', '1', 'a', '2', 'b', '3', 'c', '4', 'd'], ['OBJECT', 'ENCODING', 'e'], ['ZADD', 'e', '5', 'e'], ['OBJECT', 'ENCODING', 'e'],
  ['ZREM', 'e', 'a', 'b', 'c'], ['OBJECT', 'ENCODING', 'e'], ['ZRANGE', 'e', '0', '-1', 'WITHSCORES'],
  ['ZADD', 'e2', '1', 'short'], ['ZADD', 'e2', '2', 'muchlongermember'], ['OBJECT', 'ENCODING', 'e2'],
  ['ZADD', 'e3', '1', 'muchlongermember'], ['OBJECT', 'ENCODING', 'e3'],
  ['ZADD', 'e4', '1', 'a', '2', 'b', '3', 'c', '4', 'd', '5', 'e'], ['OBJECT', 'ENCODING', 'e4'],
  ['ZUNIONSTORE', 'u', '1', 'e4'], ['OBJECT', 'ENCODING', 'u'], ['ZINTERSTORE', 'u2', '2', 'e4', 'e'], ['OBJECT', 'ENCODING', 'u2'],
  ['ZRANGESTORE', 'rs', 'e4', '0', '3'], ['OBJECT', 'ENCODING', 'rs'], ['ZRANGESTORE', 'rs', 'e4', '0', '4'], ['OBJECT', 'ENCODING', 'rs'],
  ['ZRANGESTORE', 'rs', 'e4', '0', '10', 'BYSCORE'], ['OBJECT', 'ENCODING', 'rs'],
  ['ZRANGESTORE', 'rs', 'e4', '0', '3', 'BYSCORE'], ['OBJECT', 'ENCODING', 'rs'], ['COPY', 'e4', 'e4copy'], ['OBJECT', 'ENCODING', 'e4copy'],
  ['ZRANGE', 'e4copy', '0', '-1', 'WITHSCORES'],
  ['CONFIG', 'SET', 'zset-max-listpack-entries', '0'], ['ZADD', 'e5', '1', 'a'], ['OBJECT', 'ENCODING', 'e5'],
  ['CONFIG', 'SET', 'zset-max-ziplist-entries', '128'], ['CONFIG', 'SET', 'zset-max-ziplist-value', '64'],
  ['ZADD', 'big', '1e17', 'x', '0.5', 'y', '4611686018427387904', 'z', '-4611686018427387904', 'w', '9007199254740993', 'v'],
  ['ZSCAN', 'big', '0'], ['ZRANGE', 'big', '0', '-1', 'WITHSCORES'],
  ['ZSCAN', 'big', '0', 'MATCH', '[xy]'], ['ZSCAN', 'big', '0', 'COUNT', '0'], ['ZSCAN', 'big', 'x'], ['ZSCAN', 'nokey', '0'],
  ['ZSCAN', 'big', '0', 'TYPE', 'zset'],
  ['ZRANDMEMBER', 'nokey'], ['ZRANDMEMBER', 'nokey', '5'], ['ZRANDMEMBER', 'big', '0'], ['ZRANDMEMBER', 'big', '10', 'WITHSCORES'],
  ['ZRANDMEMBER', 'big', '5'], ['ZRANDMEMBER', 'big', 'x'], ['ZRANDMEMBER', 'big', '1', 'WITHSCORE'], ['ZRANDMEMBER', 'big', '1', 'WITHSCORES', 'x'],
  ['ZRANDMEMBER', 'big', '-9223372036854775808'], ['ZRANDMEMBER', 'big', '9223372036854775807', 'WITHSCORES'],
  ['DUMP', 'e4'], ['DUMP', 'e'], ['DUMP', 'big'], ['DEBUG', 'DIGEST-VALUE', 'e4', 'big', 'e'],
  ['ZADD', 'one', '7', 'only'], ['ZRANDMEMBER', 'one'], ['ZRANDMEMBER', 'one', '-3', 'WITHSCORES'], ['ZRANDMEMBER', 'one', '1'],
];

const wrongType: Step[] = [
  ['SET', 's', 'x'], ['ZADD', 's', '1', 'a'], ['ZINCRBY', 's', '1', 'a'], ['ZREM', 's', 'a'], ['ZCARD', 's'], ['ZSCORE', 's', 'a'],
  ['ZMSCORE', 's', 'a'], ['ZRANK', 's', 'a'], ['ZCOUNT', 's', '0', '1'], ['ZLEXCOUNT', 's', '-', '+'], ['ZRANGE', 's', '0', '1'],
  ['ZRANGEBYSCORE', 's', '0', '1'], ['ZRANGEBYLEX', 's', '-', '+'], ['ZREMRANGEBYRANK', 's', '0', '1'],
  ['ZPOPMIN', 's'], ['ZMPOP', '1', 's', 'MIN'], ['ZRANDMEMBER', 's'], ['ZRANDMEMBER', 's', '2'], ['ZSCAN', 's', '0'],
  ['ZCOUNT', 's', 'x', '1'], ['ZADD', 's', 'x', 'a'], ['ZADD', 's', 'XX', '1', 'a'],
  ['HSET', 'h', 'f', 'v'], ['ZADD', 'h', '1', 'a'], ['ZINTERCARD', '1', 'h'],
];

/** Prefixes every key argument of these steps so each run has fresh keys. */
function keyed(steps: Step[], prefix: string): Step[] {
  const multi = new Set(['ZUNION', 'ZINTER', 'ZDIFF', 'ZINTERCARD', 'ZMPOP']);
  const stores = new Set(['ZUNIONSTORE', 'ZINTERSTORE', 'ZDIFFSTORE']);
  return steps.map((step) => {
    if (!Array.isArray(step) || step.length < 2) return step;
    const [name, ...rest] = step;
    const upper = name.toUpperCase();
    if (upper === 'CONFIG' || upper === 'OBJECT' && rest[0] !== 'ENCODING') return step;
    if (upper === 'OBJECT') return [name, rest[0], prefix + rest[1]];
    if (upper === 'COPY' || upper === 'ZRANGESTORE') return [name, prefix + rest[0], prefix + rest[1], ...rest.slice(2)];
    if (multi.has(upper) || stores.has(upper)) {
      const offset = stores.has(upper) ? 1 : 0;
      const out = [...rest];
      if (offset === 1) out[0] = prefix + out[0];
      const n = Number(out[offset]);
      for (let i = 0; i < n && offset + 1 + i < out.length; i++) out[offset + 1 + i] = prefix + out[offset + 1 + i];
      return [name, ...out];
    }
    return [name, prefix + rest[0], ...rest.slice(1)];
  });
}

const COMMAND_NAMES = [
  'zadd', 'zincrby', 'zrem', 'zcard', 'zscore', 'zmscore', 'zrank', 'zrevrank', 'zcount', 'zlexcount', 'zrange', 'zrangestore',
  'zrangebyscore', 'zrevrangebyscore', 'zrangebylex', 'zrevrangebylex', 'zrevrange', 'zremrangebyscore', 'zremrangebyrank',
  'zremrangebylex', 'zunion', 'zinter', 'zdiff', 'zunionstore', 'zinterstore', 'zdiffstore', 'zintercard', 'zpopmin', 'zpopmax',
  'zmpop', 'bzpopmin', 'bzpopmax', 'bzmpop', 'zrandmember', 'zscan', 'geoadd', 'geopos', 'geodist', 'geohash', 'geosearch',
  'geosearchstore', 'georadius', 'georadius_ro', 'georadiusbymember', 'georadiusbymember_ro',
];

const introspection: Step[] = [
  ['COMMAND', 'INFO', ...COMMAND_NAMES],
  ['COMMAND', 'GETKEYS', 'ZUNIONSTORE', 'd', '2', 'a', 'b', 'WEIGHTS', '1', '2'],
  ['COMMAND', 'GETKEYS', 'ZMPOP', '2', 'a', 'b', 'MIN'], ['COMMAND', 'GETKEYS', 'BZMPOP', '0', '1', 'a', 'MAX'],
  ['COMMAND', 'GETKEYS', 'BZPOPMIN', 'a', 'b', '0'],
  ['COMMAND', 'GETKEYS', 'GEORADIUS', 'k', '1', '2', '3', 'km', 'STORE', 'x', 'STOREDIST', 'y'],
  ['COMMAND', 'GETKEYS', 'GEORADIUSBYMEMBER', 'k', 'm', '3', 'km', 'STOREDIST', 'y'],
];

describeDifferential('sorted-set commands', (servers) => {
  it('COMMAND INFO and GETKEYS of the sorted-set and geo commands match', async () => {
    await servers.run(introspection, 2);
  });

  it('DUMP payloads restore across both servers (listpack and skiplist)', async () => {
    const pair = await servers.connect(2);
    for (const conn of [pair.ours, pair.theirs]) {
      await conn.call('FLUSHALL');
      await conn.call('CONFIG', 'SET', 'zset-max-listpack-entries', '8');
    }
    const big: string[] = [];
    for (let i = 0; i < 20; i++) big.push(String(i * 1.25), `m${i}`);
    for (const conn of [pair.ours, pair.theirs]) {
      await conn.call('ZADD', 'small', '1', 'a', '2.5', 'b', '-inf', 'c');
      await conn.call('ZADD', 'big', ...big);
    }
    for (const key of ['small', 'big']) {
      const payloads = [await pair.ours.call('DUMP', key), await pair.theirs.call('DUMP', key)];
      expect(payloads[0]).toBe(payloads[1]);
      const raw = payloads[0];
      const body = raw.slice(raw.indexOf('\r\n') + 2, raw.length - 2);
      for (const conn of [pair.ours, pair.theirs]) {
        expect(await conn.call('RESTORE', `${key}:copy`, '0', Buffer.from(body, 'latin1'))).toBe('+OK\r\n');
      }
      const replies = [];
      for (const conn of [pair.ours, pair.theirs]) {
        replies.push(await conn.call('ZRANGE', `${key}:copy`, '0', '-1', 'WITHSCORES'), await conn.call('OBJECT', 'ENCODING', `${key}:copy`));
      }
      expect(replies.slice(0, 2)).toEqual(replies.slice(2));
    }
    for (const conn of [pair.ours, pair.theirs]) await conn.call('CONFIG', 'SET', 'zset-max-listpack-entries', '128');
  });

  for (const resp of [2, 3] as const) {
    it(`ZADD and ZINCRBY options, scores and errors match in RESP${resp}`, async () => {
      await servers.run(keyed(adds, `adds${resp}:`), resp);
    });
    it(`ranks and rank / score ranges match in RESP${resp}`, async () => {
      await servers.run(keyed(reads, `reads${resp}:`), resp);
    });
    it(`lex ranges match in RESP${resp}`, async () => {
      await servers.run(keyed(lex, `lex${resp}:`), resp);
    });
    it(`removals match in RESP${resp}`, async () => {
      await servers.run(keyed(removals, `rem${resp}:`), resp);
    });
    it(`pops match in RESP${resp}`, async () => {
      await servers.run(keyed(pops, `pops${resp}:`), resp);
    });
    it(`union, intersection and difference match in RESP${resp}`, async () => {
      await servers.run(keyed(setOps, `ops${resp}:`), resp);
    });
    it(`ZRANGESTORE matches in RESP${resp}`, async () => {
      await servers.run(keyed(rangeStore, `rs${resp}:`), resp);
    });
    it(`encodings, ZSCAN and forced ZRANDMEMBER replies match in RESP${resp}`, async () => {
      await servers.run(keyed(encodings, `enc${resp}:`), resp);
    });
    it(`type errors match in RESP${resp}`, async () => {
      await servers.run(keyed(wrongType, `wt${resp}:`), resp);
    });
  }
});
