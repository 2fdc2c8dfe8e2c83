import { it } from 'vitest';
import { describeDifferential, type Step } from '../helpers/differential.js';

// Each sequence uses its own key names and runs in RESP2 and RESP3; every reply must match
// redis-server 7.0.15 byte for byte. No TTL values are read back (time would make them differ),
// only their presence through conditions that do not depend on the clock.

const getSet: Step[] = [
  ['GET', 's:missing'], ['SET', 's:a', 'hello'], ['GET', 's:a'], ['SET', 's:empty', ''], ['GET', 's:empty'],
  ['SET', 's:bin', 'a\x00b\r\n\xff'], ['GET', 's:bin'], ['STRLEN', 's:bin'],
  ['SET', 's:a', 'x', 'NX'], ['SET', 's:a', 'x', 'XX'], ['GET', 's:a'], ['SET', 's:b', 'y', 'XX'], ['GET', 's:b'],
  ['SET', 's:b', 'y', 'nx'], ['SET', 's:b', 'z', 'NX', 'GET'], ['SET', 's:b', 'z2', 'XX', 'GET'], ['GET', 's:b'],
  ['SET', 's:c', 'v', 'GET'], ['SET', 's:c', 'w', 'GET', 'get'], ['SET', 's:c', 'w', 'KEEPTTL'],
  ['SET', 's:c', 'w', 'EX', '100'], ['SET', 's:c', 'w2', 'KEEPTTL', 'GET'], ['GET', 's:c'],
  ['SET', 's:d', 'v', 'PX', '100000'], ['SET', 's:d', 'v', 'EXAT', '99999999999'], ['SET', 's:d', 'v', 'PXAT', '99999999999999'],
  ['SET', 's:d', 'v', 'ex', '10', 'ex', '20'],
  ['SETNX', 's:e', '1'], ['SETNX', 's:e', '2'], ['GET', 's:e'],
  ['SETEX', 's:f', '100', 'val'], ['GET', 's:f'], ['PSETEX', 's:g', '100000', 'val'], ['GET', 's:g'],
  ['GETSET', 's:h', 'one'], ['GETSET', 's:h', 'two'], ['GET', 's:h'],
  ['GETDEL', 's:h'], ['GETDEL', 's:h'], ['GET', 's:h'],
  ['GETEX', 's:a'], ['GETEX', 's:a', 'EX', '100'], ['GETEX', 's:a', 'PX', '100000'], ['GETEX', 's:a', 'PERSIST'],
  ['GETEX', 's:a', 'EXAT', '99999999999'], ['GETEX', 's:a', 'PXAT', '99999999999999'], ['GETEX', 's:missing', 'EX', '1'],
  ['GETEX', 's:a', 'PXAT', '1'], ['GET', 's:a'],
  ['MSET', 's:m1', 'a', 's:m2', 'b', 's:m1', 'c'], ['MGET', 's:m1', 's:m2', 's:missing', 's:m1'],
  ['MSETNX', 's:m3', 'x', 's:m1', 'y'], ['MSETNX', 's:m3', 'x', 's:m4', 'y'], ['MGET', 's:m3', 's:m4'],
  ['HSET', 's:hash', 'f', 'v'], ['MGET', 's:hash', 's:m3'],
];

const setErrors: Step[] = [
  ['SET', 'e:k'], ['SET', 'e:k', 'v', 'NX', 'XX'], ['SET', 'e:k', 'v', 'XX', 'NX'], ['SET', 'e:k', 'v', 'EX'],
  ['SET', 'e:k', 'v', 'EX', '10', 'PX', '100'], ['SET', 'e:k', 'v', 'KEEPTTL', 'EX', '10'], ['SET', 'e:k', 'v', 'EX', '10', 'KEEPTTL'],
  ['SET', 'e:k', 'v', 'PERSIST'], ['SET', 'e:k', 'v', 'EX', 'abc'], ['SET', 'e:k', 'v', 'EX', '0'], ['SET', 'e:k', 'v', 'EX', '-1'],
  ['SET', 'e:k', 'v', 'PX', '0'], ['SET', 'e:k', 'v', 'EX', '9223372036854775807'], ['SET', 'e:k', 'v', 'PX', '9223372036854775807'],
  ['SET', 'e:k', 'v', 'EXAT', '9223372036854775'], ['SET', 'e:k', 'v', 'EX', '1.5'], ['SET', 'e:k', 'v', 'foo'],
  ['SETEX', 'e:k', '0', 'v'], ['SETEX', 'e:k', '-5', 'v'], ['SETEX', 'e:k', 'x', 'v'], ['PSETEX', 'e:k', '0', 'v'],
  ['SETEX', 'e:k', '10'], ['SETNX', 'e:k'], ['GET', 'e:k'],
  ['GETEX', 'e:k', 'EX'], ['GETEX', 'e:k', 'PERSIST', 'EX', '10'], ['GETEX', 'e:k', 'KEEPTTL'], ['GETEX', 'e:k', 'NX'],
  ['SET', 'e:k', 'v'], ['GETEX', 'e:k', 'EX', '0'], ['GETEX', 'e:k', 'PX', 'x'], ['GETEX', 'e:k', 'EX', '10', 'EX', '20'],
  ['HSET', 'e:h', 'f', 'v'], ['GET', 'e:h'], ['SET', 'e:h', 'v', 'GET'], ['GETEX', 'e:h'], ['GETDEL', 'e:h'],
  ['GETSET', 'e:h', 'v'], ['APPEND', 'e:h', 'x'], ['STRLEN', 'e:h'], ['SETRANGE', 'e:h', '0', 'x'],
  ['GETRANGE', 'e:h', '0', '1'], ['INCR', 'e:h'], ['INCRBYFLOAT', 'e:h', '1'], ['SET', 'e:h', 'v', 'NX', 'GET'],
  ['MSET', 'e:a'], ['MSET', 'e:a', '1', 'e:b'], ['MSETNX', 'e:a', '1', 'e:b'], ['MGET'],
];

const ranges: Step[] = [
  ['APPEND', 'r:a', 'hello'], ['APPEND', 'r:a', ' world'], ['GET', 'r:a'], ['STRLEN', 'r:a'], ['STRLEN', 'r:missing'],
  ['SET', 'r:n', '123'], ['APPEND', 'r:n', '45'], ['GET', 'r:n'], ['INCR', 'r:n'],
  ['GETRANGE', 'r:a', '0', '4'], ['GETRANGE', 'r:a', '-5', '-1'], ['GETRANGE', 'r:a', '-1', '-5'], ['GETRANGE', 'r:a', '5', '3'],
  ['GETRANGE', 'r:a', '0', '-1'], ['GETRANGE', 'r:a', '-100', '100'], ['GETRANGE', 'r:a', '100', '200'],
  ['GETRANGE', 'r:missing', '0', '-1'], ['GETRANGE', 'r:a', 'x', '1'], ['GETRANGE', 'r:a', '0', '9223372036854775807'],
  ['SUBSTR', 'r:a', '1', '3'], ['SUBSTR', 'r:a', '-3', '-2'],
  ['SETRANGE', 'r:a', '6', 'WORLD'], ['GET', 'r:a'], ['SETRANGE', 'r:a', '15', '!'], ['GET', 'r:a'],
  ['SETRANGE', 'r:b', '3', 'xy'], ['GET', 'r:b'], ['SETRANGE', 'r:c', '0', ''], ['GET', 'r:c'],
  ['SETRANGE', 'r:a', '0', ''], ['SETRANGE', 'r:a', '-1', 'x'], ['SETRANGE', 'r:a', 'x', 'y'],
  ['SETRANGE', 'r:a', '536870911', 'ab'], ['SETRANGE', 'r:d', '536870912', 'a'], ['SETRANGE', 'r:d', '536870911', ''],
  ['SET', 'r:i', '1234'], ['SETRANGE', 'r:i', '1', '9'], ['GET', 'r:i'], ['GETRANGE', 'r:i', '1', '2'],
];

const counters: Step[] = [
  ['INCR', 'c:a'], ['INCR', 'c:a'], ['DECR', 'c:a'], ['INCRBY', 'c:a', '100'], ['DECRBY', 'c:a', '50'], ['GET', 'c:a'],
  ['INCRBY', 'c:a', '-1000'], ['DECR', 'c:new'], ['DECRBY', 'c:new2', '-7'],
  ['SET', 'c:big', '9223372036854775806'], ['INCR', 'c:big'], ['INCR', 'c:big'], ['GET', 'c:big'],
  ['SET', 'c:small', '-9223372036854775807'], ['DECR', 'c:small'], ['DECR', 'c:small'], ['DECRBY', 'c:small', '1'],
  ['SET', 'c:mid', '9007199254740991'], ['INCR', 'c:mid'], ['INCRBY', 'c:mid', '9007199254740993'], ['DECRBY', 'c:mid', '-5'],
  ['INCRBY', 'c:x', '9223372036854775807'], ['INCRBY', 'c:x', '1'], ['DECRBY', 'c:y', '-9223372036854775808'],
  ['DECRBY', 'c:y', '9223372036854775807'], ['INCRBY', 'c:y', '-9223372036854775808'],
  ['INCRBY', 'c:a', '9223372036854775808'], ['INCRBY', 'c:a', '1.5'], ['INCRBY', 'c:a', ' 1'], ['INCRBY', 'c:a', '+1'],
  ['INCRBY', 'c:a', '01'], ['INCRBY', 'c:a', '-0'],
  ['SET', 'c:s', 'abc'], ['INCR', 'c:s'], ['SET', 'c:s', ' 1'], ['INCR', 'c:s'], ['SET', 'c:s', '1 '], ['INCR', 'c:s'],
  ['SET', 'c:s', '007'], ['INCR', 'c:s'], ['SET', 'c:s', ''], ['INCR', 'c:s'], ['SET', 'c:s', '12345678901234567890'], ['INCR', 'c:s'],
  ['SET', 'c:f', '10.5'], ['INCRBYFLOAT', 'c:f', '0.1'], ['INCRBYFLOAT', 'c:f', '-5'], ['INCRBYFLOAT', 'c:f', '1e3'],
  ['INCRBYFLOAT', 'c:g', '1.1'], ['INCRBYFLOAT', 'c:g', '2.2'], ['INCRBYFLOAT', 'c:g', '3.3e-5'], ['INCRBYFLOAT', 'c:g', '-3.3000330'],
  ['INCRBYFLOAT', 'c:h', '0.1'], ['INCRBYFLOAT', 'c:h', '0.2'], ['INCRBYFLOAT', 'c:h', '1e30'], ['INCRBYFLOAT', 'c:h', '-1e30'],
  ['INCRBYFLOAT', 'c:i', '5.0e3'], ['INCRBYFLOAT', 'c:i', '2.0e2'], ['INCRBYFLOAT', 'c:i', '0x10'], ['INCRBYFLOAT', 'c:i', '1e400'],
  ['INCRBYFLOAT', 'c:j', '3'], ['INCRBYFLOAT', 'c:j', '.5'], ['INCRBYFLOAT', 'c:j', '5.'], ['INCRBYFLOAT', 'c:j', '+1'],
  ['INCRBYFLOAT', 'c:j', '1e-20'], ['INCRBYFLOAT', 'c:k', '0.0000001'], ['INCRBYFLOAT', 'c:k', '-0.0000001'],
  ['INCRBYFLOAT', 'c:j', 'inf'], ['INCRBYFLOAT', 'c:j', '-inf'], ['INCRBYFLOAT', 'c:j', 'nan'], ['INCRBYFLOAT', 'c:j', 'abc'],
  ['INCRBYFLOAT', 'c:j', ' 1'], ['INCRBYFLOAT', 'c:j', '1 '], ['INCRBYFLOAT', 'c:j', ''], ['INCRBYFLOAT', 'c:j', '1e99999'],
  ['INCRBYFLOAT', 'c:j', '1e-99999'], ['SET', 'c:bad', '1.2.3'], ['INCRBYFLOAT', 'c:bad', '1'], ['SET', 'c:inf', 'inf'],
  ['INCRBYFLOAT', 'c:inf', '1'], ['SET', 'c:sp', ' 11'], ['INCRBYFLOAT', 'c:sp', '1'],
  ['INCR'], ['INCRBY', 'c:a'], ['DECRBY', 'c:a', '1', '2'], ['INCRBYFLOAT', 'c:a'],
];

const lcs: Step[] = [
  ['MSET', 'l:a', 'ohmytext', 'l:b', 'mynewtext'], ['LCS', 'l:a', 'l:b'], ['LCS', 'l:a', 'l:b', 'LEN'],
  ['LCS', 'l:a', 'l:b', 'IDX'], ['LCS', 'l:a', 'l:b', 'IDX', 'WITHMATCHLEN'], ['LCS', 'l:a', 'l:b', 'IDX', 'MINMATCHLEN', '4'],
  ['LCS', 'l:a', 'l:b', 'IDX', 'MINMATCHLEN', '4', 'WITHMATCHLEN'], ['LCS', 'l:a', 'l:b', 'IDX', 'MINMATCHLEN', '-3'],
  ['LCS', 'l:a', 'l:b', 'LEN', 'IDX'], ['LCS', 'l:a', 'l:b', 'MINMATCHLEN'], ['LCS', 'l:a', 'l:b', 'MINMATCHLEN', 'x'],
  ['LCS', 'l:a', 'l:b', 'FOO'], ['LCS', 'l:a', 'l:missing'], ['LCS', 'l:missing', 'l:missing', 'IDX'],
  ['LCS', 'l:missing', 'l:b', 'LEN'], ['HSET', 'l:h', 'f', 'v'], ['LCS', 'l:a', 'l:h'], ['LCS', 'l:h', 'l:a', 'FOO'],
  ['MSET', 'l:c', 'AGGTABQWERTY', 'l:d', 'GXTXAYBQWTY'], ['LCS', 'l:c', 'l:d'], ['LCS', 'l:c', 'l:d', 'IDX', 'WITHMATCHLEN'],
  ['MSET', 'l:e', 'aaaa', 'l:f', 'aa'], ['LCS', 'l:e', 'l:f', 'IDX'], ['LCS', 'l:f', 'l:e', 'IDX', 'WITHMATCHLEN'],
];

describeDifferential('string commands', (servers) => {
  for (const resp of [2, 3] as const) {
    it(`GET/SET family and options match in RESP${resp}`, async () => {
      await servers.run(getSet, resp);
    });
    it(`SET/GETEX/MSET errors match in RESP${resp}`, async () => {
      await servers.run(setErrors, resp);
    });
    it(`APPEND, GETRANGE, SETRANGE match in RESP${resp}`, async () => {
      await servers.run(ranges, resp);
    });
    it(`INCR family and INCRBYFLOAT formatting match in RESP${resp}`, async () => {
      await servers.run(counters, resp);
    });
    it(`LCS matches in RESP${resp}`, async () => {
      await servers.run(lcs, resp);
    });
  }
  it('OBJECT ENCODING of string results matches', async () => {
    await servers.run([
      ['SET', 'o:int', '12345'], ['OBJECT', 'ENCODING', 'o:int'], ['SET', 'o:emb', 'hello'], ['OBJECT', 'ENCODING', 'o:emb'],
      ['SET', 'o:raw', 'x'.repeat(45)], ['OBJECT', 'ENCODING', 'o:raw'], ['APPEND', 'o:emb', '!'], ['OBJECT', 'ENCODING', 'o:emb'],
      ['SETRANGE', 'o:int', '0', '9'], ['OBJECT', 'ENCODING', 'o:int'], ['INCR', 'o:cnt'], ['OBJECT', 'ENCODING', 'o:cnt'],
      ['SET', 'o:i2', '1'], ['SETRANGE', 'o:i2', '0', ''], ['OBJECT', 'ENCODING', 'o:i2'], ['APPEND', 'o:new', '42'],
      ['OBJECT', 'ENCODING', 'o:new'], ['INCRBYFLOAT', 'o:fl', '1.5'], ['OBJECT', 'ENCODING', 'o:fl'],
      ['SET', 'o:str', 'foo'], ['GETRANGE', 'o:str', '0', '0'], ['OBJECT', 'ENCODING', 'o:str'],
    ]);
  });
  // Found by the fuzzer: an integer-looking INCRBYFLOAT result is an embstr in Redis, not an int;
  // COPY keeps it so, an in-place change makes it raw, INCR makes it an int.
  it('OBJECT ENCODING of an integer-looking INCRBYFLOAT result matches', async () => {
    await servers.run([
      ['INCRBYFLOAT', 'f:a', '0'], ['OBJECT', 'ENCODING', 'f:a'], ['INCRBYFLOAT', 'f:b', '2.5'],
      ['INCRBYFLOAT', 'f:b', '0.5'], ['GET', 'f:b'], ['OBJECT', 'ENCODING', 'f:b'], ['COPY', 'f:b', 'f:c'],
      ['OBJECT', 'ENCODING', 'f:c'], ['SETRANGE', 'f:c', '0', ''], ['OBJECT', 'ENCODING', 'f:c'],
      ['APPEND', 'f:c', ''], ['OBJECT', 'ENCODING', 'f:c'], ['INCR', 'f:b'], ['OBJECT', 'ENCODING', 'f:b'],
      ['INCRBYFLOAT', 'f:d', '1e20'], ['OBJECT', 'ENCODING', 'f:d'], ['SETBIT', 'f:a', '0', '0'], ['OBJECT', 'ENCODING', 'f:a'],
    ]);
  });
});
