import { it } from 'vitest';
import { describeDifferential, type Step } from '../helpers/differential.js';

// Bitmap commands against redis-server 7.0.15, byte for byte, in RESP2 and RESP3. Each
// sequence has its own keys.

const setGet: Step[] = [
  ['SETBIT', 'b:a', '7', '1'], ['GET', 'b:a'], ['SETBIT', 'b:a', '7', '1'], ['SETBIT', 'b:a', '7', '0'], ['GET', 'b:a'],
  ['SETBIT', 'b:a', '100', '1'], ['STRLEN', 'b:a'], ['GETBIT', 'b:a', '100'], ['GETBIT', 'b:a', '99'],
  ['GETBIT', 'b:a', '100000'], ['GETBIT', 'b:missing', '5'],
  ['SET', 'b:int', '1'], ['GETBIT', 'b:int', '2'], ['GETBIT', 'b:int', '3'], ['SETBIT', 'b:int', '6', '1'], ['GET', 'b:int'],
  ['SETBIT', 'b:e', '-1', '1'], ['SETBIT', 'b:e', '4294967296', '1'], ['SETBIT', 'b:e', 'x', '1'], ['SETBIT', 'b:e', '0', '2'],
  ['SETBIT', 'b:e', '0', '-1'], ['SETBIT', 'b:e', '0', 'x'], ['GETBIT', 'b:e', '-1'], ['GETBIT', 'b:e', '4294967296'],
  ['GETBIT', 'b:e', '#1'], ['SETBIT', 'b:e', '#1', '1'], ['GETBIT', 'b:e', '4294967295'],
  ['HSET', 'b:h', 'f', 'v'], ['SETBIT', 'b:h', '0', '1'], ['GETBIT', 'b:h', '0'], ['GETBIT', 'b:e'],
];

const counting: Step[] = [
  ['SET', 'c:s', 'foobar'], ['BITCOUNT', 'c:s'], ['BITCOUNT', 'c:s', '0', '0'], ['BITCOUNT', 'c:s', '1', '1'],
  ['BITCOUNT', 'c:s', '1', '1', 'BYTE'], ['BITCOUNT', 'c:s', '5', '30', 'BIT'], ['BITCOUNT', 'c:s', '-2', '-1'],
  ['BITCOUNT', 'c:s', '-1', '-2'], ['BITCOUNT', 'c:s', '-10', '-20', 'BIT'], ['BITCOUNT', 'c:s', '0', '-1', 'bit'],
  ['BITCOUNT', 'c:s', '3', '3', 'BIT'], ['BITCOUNT', 'c:s', '9', '12', 'BIT'], ['BITCOUNT', 'c:s', '0', '1000'],
  ['BITCOUNT', 'c:s', '0'], ['BITCOUNT', 'c:s', '0', '1', 'FOO'], ['BITCOUNT', 'c:s', 'a', '1'], ['BITCOUNT', 'c:s', '0', '1', 'BIT', 'x'],
  ['BITCOUNT', 'c:missing'], ['BITCOUNT', 'c:missing', '0'], ['BITCOUNT', 'c:missing', '0', '1', 'FOO'],
  ['SET', 'c:int', '12345'], ['BITCOUNT', 'c:int'], ['BITCOUNT', 'c:int', '1', '2'],
  ['HSET', 'c:h', 'f', 'v'], ['BITCOUNT', 'c:h'], ['BITCOUNT'],
];

const positions: Step[] = [
  ['SET', 'p:s', '\xff\xf0\x00'], ['BITPOS', 'p:s', '0'], ['BITPOS', 'p:s', '1'], ['BITPOS', 'p:s', '0', '2'],
  ['BITPOS', 'p:s', '1', '2'], ['BITPOS', 'p:s', '1', '1', '-1'], ['BITPOS', 'p:s', '0', '0', '0'],
  ['BITPOS', 'p:s', '0', '0', '-1', 'BYTE'], ['BITPOS', 'p:s', '0', '3', '9', 'BIT'], ['BITPOS', 'p:s', '1', '7', '15', 'BIT'],
  ['BITPOS', 'p:s', '0', '0', '11', 'BIT'], ['BITPOS', 'p:s', '0', '12', '-1', 'BIT'], ['BITPOS', 'p:s', '1', '12', '-1', 'BIT'],
  ['BITPOS', 'p:s', '1', '-1', '-2'], ['BITPOS', 'p:s', '1', '100'], ['BITPOS', 'p:s', '0', '-100', '100'],
  ['SET', 'p:ones', '\xff\xff\xff'], ['BITPOS', 'p:ones', '0'], ['BITPOS', 'p:ones', '0', '0'], ['BITPOS', 'p:ones', '0', '0', '-1'],
  ['BITPOS', 'p:ones', '0', '1', '20', 'BIT'], ['BITPOS', 'p:ones', '0', '5', '5', 'BIT'],
  ['SET', 'p:zeros', '\x00\x00\x00'], ['BITPOS', 'p:zeros', '1'], ['BITPOS', 'p:zeros', '1', '0', '-1', 'BIT'],
  ['BITPOS', 'p:zeros', '0', '7', '9', 'BIT'],
  ['SET', 'p:mix', '\x00\x01\x80\x00'], ['BITPOS', 'p:mix', '1', '3', '22', 'BIT'], ['BITPOS', 'p:mix', '1', '16', '22', 'BIT'],
  ['BITPOS', 'p:mix', '1', '17', '30', 'BIT'], ['BITPOS', 'p:mix', '0', '15', '16', 'BIT'],
  ['BITPOS', 'p:missing', '0'], ['BITPOS', 'p:missing', '1'], ['BITPOS', 'p:missing', '1', '0', '1', 'FOO'],
  ['BITPOS', 'p:s', '2'], ['BITPOS', 'p:s', 'x'], ['BITPOS', 'p:s', '1', 'x'], ['BITPOS', 'p:s', '1', '0', 'x'],
  ['BITPOS', 'p:s', '1', '0', '1', 'FOO'], ['BITPOS', 'p:s', '1', '0', '1', 'BIT', 'x'], ['SET', 'p:int', '10'],
  ['BITPOS', 'p:int', '1'], ['HSET', 'p:h', 'f', 'v'], ['BITPOS', 'p:h', '1'],
];

const operations: Step[] = [
  ['SET', 'o:a', '\xff\x0f\xaa'], ['SET', 'o:b', '\x0f\xf0'], ['BITOP', 'AND', 'o:r', 'o:a', 'o:b'], ['GET', 'o:r'],
  ['BITOP', 'OR', 'o:r', 'o:a', 'o:b'], ['GET', 'o:r'], ['BITOP', 'xor', 'o:r', 'o:a', 'o:b', 'o:missing'], ['GET', 'o:r'],
  ['BITOP', 'NOT', 'o:r', 'o:a'], ['GET', 'o:r'], ['BITOP', 'AND', 'o:r', 'o:a', 'o:missing'], ['GET', 'o:r'],
  ['BITOP', 'OR', 'o:r', 'o:missing', 'o:missing2'], ['EXISTS', 'o:r'], ['BITOP', 'NOT', 'o:r', 'o:a', 'o:b'],
  ['BITOP', 'NAND', 'o:r', 'o:a'], ['HSET', 'o:h', 'f', 'v'], ['BITOP', 'AND', 'o:r', 'o:a', 'o:h'], ['BITOP', 'AND', 'o:r'],
  ['SET', 'o:long1', 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEF'], ['SET', 'o:long2', 'ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210zyxwvu'],
  ['BITOP', 'AND', 'o:r2', 'o:long1', 'o:long2'], ['GET', 'o:r2'], ['BITOP', 'XOR', 'o:r2', 'o:long1', 'o:long2', 'o:b'],
  ['GET', 'o:r2'], ['SET', 'o:int', '123'], ['BITOP', 'OR', 'o:r3', 'o:int', 'o:b'], ['GET', 'o:r3'],
  ['BITOP', 'AND', 'o:h', 'o:a'], ['GET', 'o:h'],
];

const fields: Step[] = [
  ['BITFIELD', 'f:a', 'SET', 'i8', '0', '-100', 'GET', 'i8', '0', 'GET', 'u8', '0', 'GET', 'u4', '4'],
  ['BITFIELD', 'f:a', 'INCRBY', 'i8', '0', '-100', 'OVERFLOW', 'SAT', 'INCRBY', 'i8', '0', '-100', 'OVERFLOW', 'FAIL', 'INCRBY', 'i8', '0', '-1'],
  ['BITFIELD', 'f:a', 'OVERFLOW', 'WRAP', 'INCRBY', 'u2', '#3', '7', 'GET', 'u2', '#3', 'SET', 'u3', '#1', '15'],
  ['BITFIELD', 'f:b', 'SET', 'i64', '0', '-9223372036854775808', 'INCRBY', 'i64', '0', '-1', 'GET', 'i64', '0'],
  ['BITFIELD', 'f:b', 'OVERFLOW', 'SAT', 'INCRBY', 'i64', '0', '-1', 'SET', 'u63', '64', '-1', 'GET', 'u63', '64'],
  ['BITFIELD', 'f:b', 'OVERFLOW', 'FAIL', 'SET', 'u8', '0', '256', 'SET', 'i8', '0', '-129', 'SET', 'i8', '0', '127'],
  ['BITFIELD', 'f:c', 'OVERFLOW', 'SAT', 'SET', 'u8', '0', '-5', 'SET', 'i4', '8', '100', 'SET', 'i4', '12', '-100', 'GET', 'u16', '0'],
  ['BITFIELD', 'f:c', 'OVERFLOW', 'SAT', 'INCRBY', 'u8', '0', '-300', 'INCRBY', 'u8', '0', '300', 'INCRBY', 'i1', '30', '-1'],
  ['BITFIELD', 'f:d', 'GET', 'u8', '1000', 'GET', 'i16', '#3'], ['EXISTS', 'f:d'], ['BITFIELD', 'f:d'], ['EXISTS', 'f:d'],
  ['BITFIELD_RO', 'f:a', 'GET', 'i8', '0', 'GET', 'u63', '3'], ['BITFIELD_RO', 'f:a', 'SET', 'i8', '0', '1'],
  ['BITFIELD_RO', 'f:a', 'GET', 'i8'], ['BITFIELD_RO', 'f:missing', 'GET', 'u1', '0'],
  ['SET', 'f:int', '255'], ['BITFIELD', 'f:int', 'GET', 'u8', '0', 'INCRBY', 'u8', '0', '1'], ['GET', 'f:int'],
];

const fieldErrors: Step[] = [
  ['BITFIELD', 'e:a', 'GET', 'u64', '0'], ['BITFIELD', 'e:a', 'GET', 'i65', '0'], ['BITFIELD', 'e:a', 'GET', 'i0', '0'],
  ['BITFIELD', 'e:a', 'GET', 'U8', '0'], ['BITFIELD', 'e:a', 'GET', 'x8', '0'], ['BITFIELD', 'e:a', 'GET', 'i', '0'],
  ['BITFIELD', 'e:a', 'GET', 'i08', '0'], ['BITFIELD', 'e:a', 'GET', 'i8', '-1'], ['BITFIELD', 'e:a', 'GET', 'i8', 'x'],
  ['BITFIELD', 'e:a', 'GET', 'i8', '#x'], ['BITFIELD', 'e:a', 'GET', 'i8', '#-1'], ['BITFIELD', 'e:a', 'GET', 'i8', '4294967296'],
  ['BITFIELD', 'e:a', 'GET', 'i8', '#536870912'], ['BITFIELD', 'e:a', 'GET', 'i8'], ['BITFIELD', 'e:a', 'SET', 'i8', '0'],
  ['BITFIELD', 'e:a', 'SET', 'i8', '0', 'x'], ['BITFIELD', 'e:a', 'INCRBY', 'i8', '0', '1.5'], ['BITFIELD', 'e:a', 'OVERFLOW'],
  ['BITFIELD', 'e:a', 'OVERFLOW', 'FOO'], ['BITFIELD', 'e:a', 'FOO'], ['BITFIELD', 'e:a', 'GET', 'i8', '0', 'FOO'],
  ['BITFIELD', 'e:a', 'OVERFLOW', 'SAT', 'GET', 'u8', '0', 'SET', 'u8', '0', '1', 'GET', 'u9', '0', 'SET', 'x', '0', '0'],
  ['EXISTS', 'e:a'], ['BITFIELD_RO', 'e:a', 'INCRBY', 'i8', '0', '1'], ['BITFIELD_RO', 'e:a', 'GET', 'i8', '0', 'FOO'],
  ['HSET', 'e:h', 'f', 'v'], ['BITFIELD', 'e:h', 'GET', 'u8', '0'], ['BITFIELD', 'e:h', 'SET', 'u8', '0', '1'],
  ['BITFIELD_RO', 'e:h', 'GET', 'u8', '0'], ['BITFIELD', 'e:h', 'FOO'],
];

describeDifferential('bitmap commands', (servers) => {
  for (const resp of [2, 3] as const) {
    it(`SETBIT and GETBIT match in RESP${resp}`, async () => {
      await servers.run(setGet, resp);
    });
    it(`BITCOUNT matches in RESP${resp}`, async () => {
      await servers.run(counting, resp);
    });
    it(`BITPOS matches in RESP${resp}`, async () => {
      await servers.run(positions, resp);
    });
    it(`BITOP matches in RESP${resp}`, async () => {
      await servers.run(operations, resp);
    });
    it(`BITFIELD and BITFIELD_RO match in RESP${resp}`, async () => {
      await servers.run(fields, resp);
    });
    it(`BITFIELD errors match in RESP${resp}`, async () => {
      await servers.run(fieldErrors, resp);
    });
  }
  // Found by the fuzzer: Redis's overflow check wraps around in int64 for a SET value far below
  // a signed field's range, and then saturates (or wraps) as if the value were too large.
  it('BITFIELD SET far outside a field matches, int64 wrap-around included', async () => {
    await servers.run([
      ['BITFIELD', 'b:q', 'OVERFLOW', 'SAT', 'SET', 'i47', '11', '-9223372036854775807', 'GET', 'i47', '11'],
      ['BITFIELD', 'b:q', 'OVERFLOW', 'SAT', 'SET', 'i8', '0', '-9223372036854775808', 'GET', 'i8', '0'],
      ['BITFIELD', 'b:q', 'OVERFLOW', 'SAT', 'SET', 'i8', '0', '-200', 'GET', 'i8', '0'],
      ['BITFIELD', 'b:q', 'OVERFLOW', 'FAIL', 'SET', 'i16', '0', '-9223372036854775807', 'GET', 'i16', '0'],
      ['BITFIELD', 'b:q', 'OVERFLOW', 'WRAP', 'SET', 'i16', '0', '-9223372036854775807', 'GET', 'i16', '0'],
      ['BITFIELD', 'b:q', 'OVERFLOW', 'SAT', 'SET', 'i64', '0', '-9223372036854775808', 'INCRBY', 'i64', '0', '-1'],
      ['BITFIELD', 'b:q', 'OVERFLOW', 'SAT', 'SET', 'u8', '0', '-1', 'INCRBY', 'u8', '0', '-9223372036854775808'],
      ['BITFIELD', 'b:q', 'OVERFLOW', 'WRAP', 'SET', 'u63', '1', '-1', 'INCRBY', 'u63', '1', '9223372036854775807'],
      ['GET', 'b:q'],
    ]);
  });
  it('bitmap results are raw strings', async () => {
    await servers.run([
      ['SET', 'x:i', '1'], ['SETBIT', 'x:i', '0', '0'], ['OBJECT', 'ENCODING', 'x:i'], ['SETBIT', 'x:n', '3', '1'],
      ['OBJECT', 'ENCODING', 'x:n'], ['BITOP', 'NOT', 'x:r', 'x:n'], ['OBJECT', 'ENCODING', 'x:r'],
      ['SET', 'x:j', '7'], ['BITFIELD', 'x:j', 'GET', 'u8', '0'], ['OBJECT', 'ENCODING', 'x:j'],
      ['BITFIELD', 'x:j', 'SET', 'u8', '0', '55'], ['OBJECT', 'ENCODING', 'x:j'],
    ]);
  });
});
