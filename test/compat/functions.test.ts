import { expect, it } from 'vitest';
import { describeDifferential, type Step } from '../helpers/differential.js';

// FUNCTION and FCALL against redis-server: library metadata and registration errors, flags,
// LIST/STATS/DUMP/RESTORE/DELETE/FLUSH, and calling functions, in RESP2 and RESP3.

const lib = (name: string, body: string): string => `#!lua name=${name}\n${body}`;

// Libraries are listed in the order of Redis's dictionary, which is seeded at random per
// process: only one library at a time is listed or dumped here.
const loading: Step[] = [
  ['FUNCTION', 'FLUSH'],
  ['FUNCTION', 'LOAD', lib('x', 'return a')],
  ['FUNCTION', 'LOAD', lib('x', "redis.register_function('f', function(keys, args) return string.len(args[1]) end)")],
  ['FCALL', 'f', '0', 'abc'], ['FCALL', 'f', '0'],
  ['FUNCTION', 'LOAD', lib('y', "redis.register_function('g')")],
  ['FUNCTION', 'LOAD', lib('z', 'local x = string')], ['FUNCTION', 'LOAD', lib('z', "redis.call('ping')")],
  ['FUNCTION', 'LOAD', lib('z', "redis.register_function('bad-name', function() end)")],
  ['FUNCTION', 'LOAD', lib('z', "redis.register_function('a', function() end) redis.register_function('a', function() end)")],
  ['FUNCTION', 'LOAD', lib('z', "redis.register_function{function_name='a', callback=function() end, flags={'nope'}}")],
  ['FUNCTION', 'LOAD', lib('z', "redis.register_function{function_name='a', callback=function() end, other=1}")],
  ['FUNCTION', 'LOAD', lib('z', "redis.register_function{function_name='a'}")],
  ['FUNCTION', 'LOAD', lib('z', "redis.register_function{callback=function() end}")],
  ['FUNCTION', 'LOAD', lib('z', "redis.register_function('a', 1)")], ['FUNCTION', 'LOAD', lib('z', 'redis.register_function({}, 1)')],
  ['FUNCTION', 'LOAD', lib('z', "redis.register_function(1, 2, 3)")], ['FUNCTION', 'LOAD', lib('z', 'return (')],
  ['FUNCTION', 'LOAD', lib('z', "redis.log(redis.LOG_NOTICE, 'loading'); redis.register_function('zz', function() return redis.REDIS_VERSION end)")],
  ['FCALL', 'zz', '0'],
  ['FUNCTION', 'LOAD', lib('w', "redis.register_function{function_name='h', callback=function() return redis.call('set','a','b') end, flags={'no-writes'}, description='desc'}")],
  ['FCALL', 'h', '0'], ['FCALL_RO', 'f', '0', 'xy'], ['FCALL_RO', 'h', '0'],
  ['FUNCTION', 'LIST', 'LIBRARYNAME', 'x'], ['FUNCTION', 'LIST', 'WITHCODE', 'LIBRARYNAME', 'w'], ['FUNCTION', 'LIST', 'LIBRARYNAME'],
  ['FUNCTION', 'LIST', 'bogus'], ['FUNCTION', 'STATS'],
  ['FUNCTION', 'DELETE', 'w'], ['FUNCTION', 'DELETE', 'w'],
  ['FUNCTION', 'LOAD', lib('x', "redis.register_function('f', function() end)")],
  ['FUNCTION', 'LOAD', 'REPLACE', lib('x', "redis.register_function('f2', function(k, a) return {k[1], a[1]} end)")],
  ['FCALL', 'f2', '1', 'key', 'arg'], ['FCALL', 'f', '0'],
  ['FUNCTION', 'LOAD', lib('q', "redis.register_function('f2', function() return 2 end)")],
  ['FUNCTION', 'LOAD', "#!lua\nredis.register_function('f2', function() return 2 end)"],
  ['FUNCTION', 'LOAD', '#!lua name=q foo=bar\n'], ['FUNCTION', 'LOAD', '#!lua name=a name=b\n'], ['FUNCTION', 'LOAD', 'no shebang'],
  ['FUNCTION', 'LOAD', '#!lua name=q'], ['FUNCTION', 'LOAD', '#!js name=q\n'], ['FUNCTION', 'LOAD', lib('q', '')],
  ['FUNCTION', 'LOAD', lib('q-q', '')], ['FUNCTION', 'LOAD', 'bad', 'x'], ['FUNCTION', 'LOAD'],
  ['FCALL', 'nope', '0'], ['FCALL', 'f2', 'x'], ['FCALL', 'f2', '2', 'k'], ['FCALL', 'f2', '-1'],
  ['FUNCTION', 'KILL'], ['FUNCTION', 'FLUSH', 'bad'], ['FUNCTION', 'FLUSH'], ['FUNCTION', 'LIST'], ['FUNCTION', 'STATS'],
];

const dumpRestore: Step[] = [
  ['FUNCTION', 'FLUSH'],
  ['FUNCTION', 'LOAD', lib('one', "redis.register_function('one', function() return 1 end)")],
  ['FUNCTION', 'DUMP'], ['FUNCTION', 'DELETE', 'one'],
  ['FUNCTION', 'LOAD', lib('two', "redis.register_function{function_name='two', callback=function() return 2 end, flags={'no-writes', 'allow-stale'}}")],
  ['FUNCTION', 'DUMP'],
  ['FUNCTION', 'RESTORE', 'garbage'], ['FUNCTION', 'RESTORE', 'x', 'bogus'], ['FUNCTION', 'RESTORE', 'x', 'APPEND', 'y'],
];

describeDifferential('functions (FUNCTION, FCALL)', (servers) => {
  for (const resp of [2, 3] as const) {
    it(`loading, listing and calling functions match, RESP${resp}`, async () => {
      await servers.run(loading, resp);
    });
    it(`FUNCTION DUMP payloads and RESTORE errors match, RESP${resp}`, async () => {
      await servers.run(dumpRestore, resp);
    });
  }

  it('FUNCTION RESTORE with APPEND, REPLACE and FLUSH matches', async () => {
    const pair = await servers.connect();
    for (const c of [pair.ours, pair.theirs]) {
      await c.call('FUNCTION', 'FLUSH');
      await c.call('FUNCTION', 'LOAD', lib('one', "redis.register_function('one', function() return 1 end)"));
    }
    // The same payload for both: ours must read what redis-server wrote, and agree with it.
    const dumped = await pair.theirs.call('FUNCTION', 'DUMP');
    const payload = Buffer.from(dumped.slice(dumped.indexOf('\r\n') + 2, -2), 'latin1');
    for (const policy of [[], ['APPEND'], ['REPLACE'], ['FLUSH']]) {
      for (const step of [['FUNCTION', 'RESTORE', payload, ...policy], ['FUNCTION', 'LIST'], ['FCALL', 'one', '0']]) {
        const [a, b] = await Promise.all([pair.ours.call(...step), pair.theirs.call(...step)]);
        expect(a, `${String(step[1])} ${policy.join(' ')}`).toBe(b);
      }
    }
  });
});
