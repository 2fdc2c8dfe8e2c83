import { it } from 'vitest';
import { describeDifferential, keyspaceEventsMatch, type Step } from '../helpers/differential.js';

/** [pattern, key] pairs: KEYS runs with that single key in the db, so reply order never varies. */
const GLOB_CASES: Array<[string, string]> = [
  ['*', 'anything'], ['h?llo', 'hello'], ['h?llo', 'hllo'], ['h*llo', 'hllo'], ['h*llo', 'heeeello'],
  ['h[ae]llo', 'hello'], ['h[ae]llo', 'hillo'], ['h[^e]llo', 'hallo'], ['h[^e]llo', 'hello'], ['h[b-a]llo', 'hbllo'],
  ['h\\*llo', 'h*llo'], ['h\\*llo', 'hello'], ['\\', '\\'], ['a\\', 'a\\'], ['[\\]]', ']'], ['[\\', '\\'],
  ['[a', 'a'], ['[^a', 'b'], ['[]', ']'], ['[', '['], ['[^', 'x'], ['a[]b', 'ab'], ['[-a]', '-'], ['[a-]', '-'],
  ['*a*b*c*', 'xxaxxbxxcxx'], ['*a*b*c*', 'xxaxxcxxbxx'], ['a*?', 'a'], ['*x', 'xxxxxxxxxxxxy'],
  ['[\u00c0-\u00ff]', '\u00e9'], ['[a-\u00ff]', '\u00e9'], ['[a-\u00ff]', 'b'], ['[\u0000-\u00ff]', 'z'],
  ['[a-c-e]', 'd'], ['[a-c-e]', '-'], ['[\\a-c]', 'b'], ['a?c', 'a\u0000c'], ['HELLO', 'hello'],
];

function globSteps(): Step[] {
  const steps: Step[] = [];
  for (const [pattern, key] of GLOB_CASES) steps.push(['SET', key, 'v'], ['KEYS', pattern], ['DEL', key]);
  return steps;
}

describeDifferential('keyspace commands', (servers) => {
  for (const resp of [2, 3] as const) {
    it(`DEL, UNLINK, EXISTS, TOUCH, TYPE, DBSIZE match in RESP${resp}`, async () => {
      await servers.run([
        ['SET', 'a', '1'], ['SET', 'b', '2'], ['HSET', 'h', 'f', 'v'],
        ['EXISTS', 'a', 'a', 'nope', 'h'], ['TOUCH', 'a', 'nope'], ['TYPE', 'a'], ['TYPE', 'h'], ['TYPE', 'nope'],
        ['DBSIZE'], ['DEL', 'a', 'a', 'nope'], ['UNLINK', 'b', 'h'], ['DBSIZE'],
        ['DEL'], ['UNLINK'], ['EXISTS'], ['TOUCH'], ['TYPE'], ['TYPE', 'a', 'b'], ['DBSIZE', 'x'],
      ], resp);
    });

    it(`KEYS glob matching equals stringmatchlen in RESP${resp}`, async () => {
      await servers.run([...globSteps(), ['KEYS'], ['KEYS', 'a', 'b']], resp);
    });

    it(`SCAN replies and errors match in RESP${resp}`, async () => {
      await servers.run([
        ['SCAN', '0'], ['SET', 'only', 'v'], ['SCAN', '0'], ['SCAN', '0', 'COUNT', '100'], ['SCAN', '0', 'MATCH', 'o*'],
        ['SCAN', '0', 'MATCH', 'x*'], ['SCAN', '0', 'TYPE', 'string'], ['SCAN', '0', 'TYPE', 'STRING'], ['SCAN', '0', 'TYPE', 'hash'],
        ['SCAN', '0', 'type', 'string', 'match', '*', 'count', '5'],
        ['SCAN', 'abc'], ['SCAN', ' 0'], ['SCAN', '0 '], ['SCAN', '1.5'], ['SCAN', '18446744073709551616'], ['SCAN', '0x1'],
        ['SCAN', '0', 'COUNT', '0'], ['SCAN', '0', 'COUNT', '-1'], ['SCAN', '0', 'COUNT', 'x'], ['SCAN', '0', 'COUNT'],
        ['SCAN', '0', 'MATCH'], ['SCAN', '0', 'FOO', 'bar'], ['SCAN'],
      ], resp);
    });

    it(`RANDOMKEY, RENAME and RENAMENX match in RESP${resp}`, async () => {
      await servers.run([
        ['RANDOMKEY'], ['SET', 'a', '1'], ['RANDOMKEY'],
        ['RENAME', 'a', 'b'], ['GET', 'b'], ['EXISTS', 'a'], ['RENAME', 'nope', 'x'], ['RENAMENX', 'nope', 'x'],
        ['RENAME', 'b', 'b'], ['RENAMENX', 'b', 'b'], ['RENAME', 'nope', 'nope'],
        ['SET', 'c', '3'], ['RENAMENX', 'b', 'c'], ['RENAMENX', 'b', 'd'], ['GET', 'd'],
        ['SET', 'v', 'x', 'EX', '100'], ['RENAME', 'v', 'w'], ['TTL', 'w'], ['SET', 'e', '1', 'EX', '50'], ['RENAME', 'd', 'e'], ['TTL', 'e'],
        ['RENAME', 'a'], ['RENAMENX', 'a', 'b', 'c'],
      ], resp);
    });

    it(`COPY and MOVE match in RESP${resp}`, async () => {
      await servers.run([
        ['SET', 's', 'val', 'EX', '100'], ['HSET', 'h', 'f', 'v'],
        ['COPY', 's', 's2'], ['GET', 's2'], ['TTL', 's2'], ['COPY', 'h', 's2'], ['COPY', 'h', 's2', 'REPLACE'], ['HGETALL', 's2'],
        ['TTL', 's2'], ['COPY', 'nope', 'x'], ['COPY', 's', 's'], ['COPY', 's', 's', 'DB', '0'], ['COPY', 's', 's', 'DB', '1'],
        ['COPY', 's', 's', 'DB', '1'], ['COPY', 's', 's', 'db', '1', 'replace'], ['COPY', 's', 'x', 'DB', '16'],
        ['COPY', 's', 'x', 'DB', '-1'], ['COPY', 's', 'x', 'DB', 'x'], ['COPY', 's', 'x', 'DB', '2147483648'], ['COPY', 's', 'x', 'DB'], ['COPY', 's', 'x', 'BAD'],
        ['COPY', 's'],
        ['MOVE', 's2', '2'], ['MOVE', 's2', '2'], ['SET', 'm', '1'], ['MOVE', 'm', '0'], ['MOVE', 'm', '16'], ['MOVE', 'm', 'x'],
        ['MOVE', 'm', '99999999999'], ['MOVE', 's', '1'], ['SELECT', '2'], ['HGETALL', 's2'], ['SELECT', '1'], ['TTL', 's'],
        ['MOVE', 'm'],
      ], resp);
    });

    it(`RENAME, MOVE and COPY REPLACE raise the "new" key event as Redis does, RESP${resp}`, async () => {
      // Redis adds the target with dbAdd (after deleting any old one): "new" comes first, over
      // an existing target too.
      await keyspaceEventsMatch(await servers.connect(resp), await servers.connect(resp), 'KEAn', [
        ['SET', 'a', '1'], ['RENAME', 'a', 'b'], ['SET', 'c', '2'], ['RENAME', 'b', 'c'], ['RENAMENX', 'c', 'd'],
        ['MOVE', 'd', '1'], ['SET', 'e', '1'], ['COPY', 'e', 'f'], ['COPY', 'e', 'f', 'REPLACE'], ['COPY', 'e', 'f'],
        ['SELECT', '1'], ['SET', 'e', 'x'], ['MOVE', 'e', '0'], ['COPY', 'd', 'e', 'DB', '0', 'REPLACE'],
      ]);
    });

    it(`OBJECT and MEMORY USAGE of a missing key raise no keymiss event, RESP${resp}`, async () => {
      // objectCommandLookup reads with LOOKUP_NONOTIFY, MEMORY USAGE with a plain dictFind.
      await keyspaceEventsMatch(await servers.connect(resp), await servers.connect(resp), 'KEAm', [
        ['OBJECT', 'ENCODING', 'nokey'], ['OBJECT', 'FREQ', 'nokey'], ['OBJECT', 'IDLETIME', 'nokey'], ['OBJECT', 'REFCOUNT', 'nokey'],
        ['MEMORY', 'USAGE', 'nokey'], ['GET', 'nokey'], ['EXISTS', 'nokey'], ['TYPE', 'nokey'],
        ['SET', 'k', 'v'], ['OBJECT', 'ENCODING', 'k'],
      ]);
    });

    it(`SWAPDB, FLUSHDB and FLUSHALL match in RESP${resp}`, async () => {
      await servers.run([
        ['SET', 'zero', '0'], ['SELECT', '1'], ['SET', 'one', '1'], ['SWAPDB', '0', '1'], ['GET', 'zero'], ['GET', 'one'],
        ['SWAPDB', '1', '1'], ['SWAPDB', 'a', '1'], ['SWAPDB', '0', 'b'], ['SWAPDB', '0', '16'], ['SWAPDB', '-1', '0'], ['SWAPDB', '4294967296', '0'],
        ['SWAPDB', '0'], ['DBSIZE'], ['FLUSHDB', 'ASYNC'], ['DBSIZE'], ['FLUSHDB', 'sync'], ['FLUSHDB', 'x'],
        ['FLUSHDB', 'SYNC', 'ASYNC'], ['SELECT', '0'], ['DBSIZE'], ['FLUSHALL', 'async'], ['DBSIZE'], ['FLUSHALL', 'x'],
      ], resp);
    });

    it(`OBJECT subcommands match in RESP${resp}`, async () => {
      await servers.run([
        ['SET', 'int', '123'], ['SET', 'zero', '0'], ['SET', 'edge', '9999'], ['SET', 'big', '10000'], ['SET', 'neg', '-1'],
        ['SET', 'str', 'hello'], ['SET', 'long', 'x'.repeat(45)], ['SET', 'app', 'a'], ['APPEND', 'app', 'b'],
        ['HSET', 'h', 'f', 'v'], ['INCR', 'counter'],
        ['OBJECT', 'ENCODING', 'int'], ['OBJECT', 'ENCODING', 'str'], ['OBJECT', 'ENCODING', 'long'],
        ['OBJECT', 'ENCODING', 'app'], ['OBJECT', 'ENCODING', 'h'], ['OBJECT', 'ENCODING', 'nope'],
        ['OBJECT', 'REFCOUNT', 'int'], ['OBJECT', 'REFCOUNT', 'zero'], ['OBJECT', 'REFCOUNT', 'edge'],
        ['OBJECT', 'REFCOUNT', 'big'], ['OBJECT', 'REFCOUNT', 'neg'], ['OBJECT', 'REFCOUNT', 'str'],
        ['OBJECT', 'REFCOUNT', 'app'], ['OBJECT', 'REFCOUNT', 'h'], ['OBJECT', 'REFCOUNT', 'counter'], ['OBJECT', 'REFCOUNT', 'nope'],
        ['OBJECT', 'FREQ', 'str'], ['OBJECT', 'FREQ', 'nope'], ['OBJECT', 'IDLETIME', 'nope'],
        ['OBJECT', 'HELP', 'x'], ['OBJECT'], ['OBJECT', 'ENCODING'],
        ['OBJECT', 'ENCODING', 'a', 'b'], ['OBJECT', 'NOPE'], ['OBJECT', 'NOPE', 'x'],
      ], resp);
    });
  }
});
