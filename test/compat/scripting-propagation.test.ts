import { describe, expect, it } from 'vitest';
import { referenceAvailable } from '../helpers/differential.js';
import { PropagationPair } from '../helpers/propagation.js';

// What scripts and functions propagate, compared with redis-server's replication stream: their
// effects (not EVAL/FCALL), one alone, several wrapped in MULTI/EXEC, redis.set_repl honoured,
// numbers as "%.17g", the writes of a script that fails afterwards kept.

const CASES: Array<{ name: string; steps: string[][] }> = [
  { name: 'a script with one write propagates the write alone', steps: [['EVAL', "redis.call('set', KEYS[1], 'v')", '1', 'a']] },
  {
    name: 'a script with several writes propagates them in MULTI/EXEC',
    steps: [['EVAL', "redis.call('set', 'b', '1') redis.call('incr', 'b') redis.call('get', 'b') return redis.call('lpush', 'l', 'x')", '0']],
  },
  { name: 'a read-only script propagates nothing', steps: [['SET', 'c', '1'], ['EVAL', "return redis.call('get', 'c')", '0']] },
  {
    name: 'numbers go out as %.17g and rewrites apply inside scripts',
    steps: [['EVAL', "redis.call('set', 'n', 0.1) redis.call('expire', 'n', 100) return redis.call('incrbyfloat', 'f', 1.5)", '0']],
  },
  {
    name: 'redis.set_repl(REPL_NONE) stops propagation, REPL_ALL resumes it',
    steps: [['EVAL', "redis.set_repl(redis.REPL_NONE) redis.call('set', 'hidden', '1') redis.set_repl(redis.REPL_ALL) redis.call('set', 'shown', '1')", '0']],
  },
  {
    name: 'redis.set_repl(REPL_AOF) keeps writes from replicas, REPL_REPLICA sends them, in one MULTI/EXEC',
    steps: [['EVAL', "redis.call('set', 'sa', '1') redis.set_repl(redis.REPL_AOF) redis.call('set', 'sb', '1') redis.set_repl(redis.REPL_REPLICA) redis.call('set', 'sc', '1')", '0']],
  },
  { name: 'with the AOF off, a script whose writes all went to the AOF propagates nothing', steps: [['EVAL', "redis.set_repl(redis.REPL_AOF) redis.call('set', 'se', '1') redis.call('set', 'sf', '1')", '0']] },
  { name: 'the writes of a script that fails afterwards are propagated', steps: [['EVAL', "redis.call('set', 'd', '1') error('boom')", '0']] },
  {
    name: 'a function propagates its effects, not FCALL',
    steps: [
      ['FUNCTION', 'LOAD', "#!lua name=plib\nredis.register_function('pset', function(keys, args) redis.call('set', keys[1], args[1]) return redis.call('incr', 'fcount') end)"],
      ['FCALL', 'pset', '1', 'fk', 'fv'],
    ],
  },
  { name: 'SELECT inside a script puts the write in its database', steps: [['EVAL', "redis.call('select', 2) redis.call('set', 'in2', 'x') redis.call('select', 0) return redis.call('set', 'in0', 'y')", '0']] },
];

(referenceAvailable ? describe : describe.skip)('script propagation (differential against a redis-server replication stream)', () => {
  const pair = PropagationPair.register();

  for (const c of CASES) {
    it(c.name, async () => {
      for (const argv of c.steps) {
        const [a, b] = await Promise.all([pair.oursConn.call(...argv), pair.theirsConn.call(...argv)]);
        expect(a, argv.join(' ')).toBe(b);
      }
      const { ours, theirs } = await pair.propagatedUntilMarker(c.name);
      // PEXPIREAT deadlines differ by the moment each server ran the script.
      const stamp = (commands: string[][]): string[][] => commands.map((argv) => (argv[0] === 'PEXPIREAT' ? [argv[0], argv[1], '<deadline>'] : argv));
      expect(stamp(ours)).toEqual(stamp(theirs));
    });
  }
});
