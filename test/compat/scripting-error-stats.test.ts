import { expect, it } from 'vitest';
import { describeDifferential, type Pair } from '../helpers/differential.js';
import type { RawConnection } from '../helpers/resp.js';

// Who an error inside a script is charged to, against redis-server: a command the script was
// refused counts as rejected (not the EVAL around it as failed), an error a called command
// replied is counted once, and an EVAL or FCALL whose reply is such an error still fails.

/** The statistics an error touches, with the timing fields (which differ run to run) left out. */
async function errorStats(conn: RawConnection): Promise<string[]> {
  const lines: string[] = [];
  for (const section of ['commandstats', 'errorstats', 'stats']) {
    const text = await conn.call('INFO', section);
    for (const line of text.split('\r\n')) {
      if (line.startsWith('cmdstat_config')) continue;
      if (line.startsWith('cmdstat_')) lines.push(line.replace(/usec=\d+,usec_per_call=[\d.]+,/, ''));
      else if (line.startsWith('errorstat_') || line.startsWith('total_error_replies:')) lines.push(line);
    }
  }
  // INFO lists commands in its own table order, which is not what this test is about.
  return lines.sort();
}

/** Runs `steps` on both servers after CONFIG RESETSTAT; the replies and the statistics must match. */
async function sameStats(pair: Pair, steps: string[][]): Promise<void> {
  for (const conn of [pair.ours, pair.theirs]) await conn.call('CONFIG', 'RESETSTAT');
  for (const step of steps) expect(await pair.ours.call(...step)).toBe(await pair.theirs.call(...step));
  expect(await errorStats(pair.ours)).toEqual(await errorStats(pair.theirs));
}

const lib = "#!lua name=statslib\nredis.register_function('fpcall', function(keys) return redis.pcall('set', keys[1], 'y') end)\n"
  + "redis.register_function('fselect', function() return redis.call('select', 99) end)";

describeDifferential('scripting error statistics', (servers) => {
  it('a command refused inside a script is charged to that command, raised or caught', async () => {
    const pair = await servers.connect();
    for (const conn of [pair.ours, pair.theirs]) await conn.call('CONFIG', 'SET', 'maxmemory', '1');
    try {
      await sameStats(pair, [['EVAL', "return redis.call('set','x','y')", '1', 'x']]);
      await sameStats(pair, [['EVAL', "local t = redis.pcall('set','x','y') return t['err']", '1', 'x']]);
      await sameStats(pair, [['EVAL', "return redis.pcall('set','x','y')", '1', 'x']]);
      await sameStats(pair, [['EVAL_RO', "return redis.call('set','x','y')", '1', 'x']]);
      await sameStats(pair, [['FUNCTION', 'LOAD', 'REPLACE', lib], ['FCALL', 'fpcall', '1', 'x']]);
    } finally {
      for (const conn of [pair.ours, pair.theirs]) await conn.call('CONFIG', 'SET', 'maxmemory', '0');
    }
  });

  it("an error a called command replied fails the script once, whoever replies it", async () => {
    const pair = await servers.connect();
    await sameStats(pair, [['EVAL', "return redis.call('select',99)", '0']]);
    await sameStats(pair, [['EVAL', "local t = redis.pcall('select',99) return t['err']", '0']]);
    await sameStats(pair, [['EVAL', "return redis.pcall('select',99)", '0']]);
    await sameStats(pair, [['EVAL', "return {1, redis.pcall('select',99)}", '0']]);
    await sameStats(pair, [['EVAL', "return redis.call('nosuchcommand')", '0']]);
    await sameStats(pair, [['EVAL', "error('plain')", '0']]);
    await sameStats(pair, [['FUNCTION', 'LOAD', 'REPLACE', lib], ['FCALL', 'fselect', '0']]);
    await sameStats(pair, [['MULTI'], ['EVAL', "return redis.call('select',99)", '0'], ['EXEC']]);
  });
});
