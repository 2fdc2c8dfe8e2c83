// The Lua debugger (SCRIPT DEBUG SYNC or YES, then EVAL) against redis-server: each session's
// stops, listings, variable dumps, traces, logged commands and replies, breakpoints, errors, its
// <endsession> mark and the EVAL's reply must be the same bytes, and the connection must close
// after it. While a SYNC session waits on its client, other clients wait too, as on Redis; a
// forked (YES) session runs on a copy of the dataset and the server serves everyone meanwhile.

import { expect, it } from 'vitest';
import { describeDifferential, type DifferentialServers } from '../helpers/differential.js';
import { RawConnection, encodeCommand } from '../helpers/resp.js';

/** A debugger command: words sent as a multi-bulk request, or raw bytes. */
type DebuggerInput = string[] | Buffer;

interface Scenario {
  name: string;
  script: string;
  keysAndArgs?: string[];
  /** Commands sent after the EVAL, one reply each; the last one must end the session. */
  commands: DebuggerInput[];
}

const steps = (count: number): string[][] => Array.from({ length: count }, () => ['s']);

const SCENARIOS: Scenario[] = [
  {
    name: 'stepping, print, list, breakpoints, trace, eval, redis, maxlen, help',
    script: "local a = 1\nlocal b = {1,2,'x'}\nredis.call('set','k',a)\nfor i=1,2 do\n  a = a + i\nend\nreturn a",
    keysAndArgs: ['1', 'k1', 'arg1'],
    commands: [
      ['s'], ['p'], ['print', 'b'], ['s'], ['s'], ['list'], ['whole'], ['b', '5'], ['b'], ['c'], ['p'], ['t'],
      ['e', 'redis.call("get","k")'], ['r', 'get', 'k'], ['maxlen', '10'], ['p', 'b'], ['help'],
      ['hello\0world'], ['\0hello'], ['n'], ['c'], ['c'],
    ],
  },
  {
    name: 'functions, while and repeat loops, redis.debug',
    script:
      "local function f(x)\n  local y = x * 2\n  redis.debug('in f', y, {a=1})\n  return y\nend\nlocal t = {}\n" +
      't[1] = f(3)\nwhile #t < 3 do\n  t[#t+1] = f(#t)\nend\nrepeat\n  t[#t] = nil\nuntil #t == 1\nreturn t',
    commands: [['s'], ['s'], ['s'], ['s'], ['t'], ['p'], ...steps(19)],
  },
  {
    name: 'redis.breakpoint()',
    script: "redis.breakpoint()\nlocal x = redis.call('incr','cnt')\nredis.breakpoint()\nx = x + 1\nreturn x",
    commands: [['c'], ['c'], ['c']],
  },
  { name: 'abort', script: 'local a = 1\nreturn a', commands: [['abort']] },
  { name: 'eval that does not compile', script: "return 'hello'", commands: [['eval', "return 'hello'", '0'], ['c']] },
  {
    name: 'a redis command with many arguments',
    script: "return 'hello'",
    commands: [Buffer.concat([Buffer.from('*101\r\n$5\r\nredis\r\n'), Buffer.from('$4\r\ntest\r\n'.repeat(100))]), ['c']],
  },
  {
    name: 'replies and errors of the commands a stepped script calls',
    script: "local x = redis.call('set','k','v')\nlocal y = redis.pcall('lpush','k','v')\nlocal z = redis.call('hgetall','nohash')\nreturn {x,y}",
    commands: steps(4),
  },
  {
    name: 'values, list ranges, breakpoint arguments, globals',
    script: "local s = 'a\\n\\1b'\nlocal n = 3.14159265\nlocal big = 1e20\nlocal f = function() end\nreturn 1",
    keysAndArgs: ['1', 'k1', 'arg1'],
    commands: [
      ['n'], ['n'], ['n'], ['n'], ['n'], ['l', '2', '1'], ['l', '0'], ['b', 'x', '-3', '99', '0'], ['maxlen', '0'],
      ['print', 'ARGV'], ['print', 'KEYS'], ['c'],
    ],
  },
  {
    name: 'loops on one line and generic for',
    script: 'local x = 0\nfor i=1,3 do x = x + i end\nfor k,v in pairs({a=1}) do x = x + v end\nreturn x',
    commands: steps(9),
  },
  {
    name: 'RESP3 replies as the debugger shows them',
    script:
      "redis.setresp(3)\nredis.call('hset','h','a','1')\nlocal m = redis.call('hgetall','h')\nredis.call('sadd','s','x')\n" +
      "local s = redis.call('smembers','s')\nredis.call('zadd','z','1.5','m')\nlocal d = redis.call('zscore','z','m')\n" +
      "local n = redis.call('get','nokey')\nlocal e = redis.call('exists','h')\nreturn 1",
    commands: [...steps(9), ['p']],
  },
  { name: 'a protocol error', script: 'return 1', commands: [Buffer.from('garbage\r\n')] },
  { name: 'if and else', script: "local c = 1\nif c then\n  return redis.call('ping')\nelse\n  return 2\nend", commands: steps(3) },
  {
    name: 'constant conditions, which 5.1 compiles to no instruction',
    script: "local n = 0\nif true then\n  n = 1\nend\nwhile true do\n  n = n + 1\n  if n > 2 then break end\nend\nreturn n",
    commands: steps(12),
  },
];

/** SYNC: the session runs in the server; YES: in a forked copy whose changes are thrown away. */
type DebugMode = 'SYNC' | 'YES';

const END_OF_SESSION = '+<endsession>\r\n';

/**
 * One session on each server: the scenario's commands until the session ends (then 'c' until it
 * does), each reply compared; then the EVAL's reply, and the connection closes.
 */
async function compareSession(servers: DifferentialServers, scenario: Scenario, mode: DebugMode): Promise<void> {
  const pair = await servers.connect();
  try {
    await debugAndCompare(pair.ours, pair.theirs, scenario, mode);
  } finally {
    // A session left open would hold every other client of the server.
    pair.ours.close();
    pair.theirs.close();
  }
}

async function debugAndCompare(oursConnection: RawConnection, theirsConnection: RawConnection, scenario: Scenario, mode: DebugMode): Promise<void> {
  await oursConnection.call('FLUSHALL');
  await theirsConnection.call('FLUSHALL');
  const both = [oursConnection, theirsConnection];
  const exchange = async (request: Buffer, label: string): Promise<string> => {
    for (const c of both) c.write(request);
    const [ours, theirs] = await Promise.all(both.map((c) => c.readReply()));
    expect(ours, label).toBe(theirs);
    return ours;
  };
  await exchange(encodeCommand(['SCRIPT', 'DEBUG', mode]), `SCRIPT DEBUG ${mode}`);
  let reply = await exchange(encodeCommand(['EVAL', scenario.script, ...(scenario.keysAndArgs ?? ['0'])]), 'EVAL');
  const commands = [...scenario.commands, ...Array.from({ length: 20 }, () => ['c'])];
  for (const [i, command] of commands.entries()) {
    if (reply.endsWith(END_OF_SESSION)) break;
    reply = await exchange(Buffer.isBuffer(command) ? command : encodeCommand(command), `${scenario.name}: command ${i}`);
  }
  expect(reply.endsWith(END_OF_SESSION), 'the session ended').toBe(true);
  const [ours, theirs] = await Promise.all(both.map((c) => c.readReply()));
  expect(ours, `${scenario.name}: the EVAL's reply`).toBe(theirs);
  await Promise.all(both.map((c) => c.waitClosed()));
}

describeDifferential('SCRIPT DEBUG', (servers) => {
  for (const mode of ['SYNC', 'YES'] as const) {
    for (const scenario of SCENARIOS) {
      it(`a ${mode} debugging session: ${scenario.name}`, async () => {
        await compareSession(servers, scenario, mode);
      });
    }
  }

  it('refuses a bad mode, EVALSHA while debugging, and SCRIPT DEBUG in a pipeline', async () => {
    const pair = await servers.connect();
    for (const c of [pair.ours, pair.theirs]) c.write(Buffer.concat([encodeCommand(['PING']), encodeCommand(['SCRIPT', 'DEBUG', 'SYNC'])]));
    for (let i = 0; i < 2; i++) {
      const [ours, theirs] = await Promise.all([pair.ours.readReply(), pair.theirs.readReply()]);
      expect(ours).toBe(theirs);
    }
    const calls = [['SCRIPT', 'DEBUG', 'maybe'], ['SCRIPT', 'DEBUG', 'sync'], ['EVALSHA', 'abc', '0'], ['EVALSHA', 'a'.repeat(40), '0'], ['SCRIPT', 'DEBUG', 'no'], ['EVAL', 'return 1', '0']];
    for (const args of calls) {
      const [ours, theirs] = await Promise.all([pair.ours.call(...args), pair.theirs.call(...args)]);
      expect(ours, args.join(' ')).toBe(theirs);
    }
  });

  it('holds every other client until the session ends, then serves them', async () => {
    const debugging = await RawConnection.connect(servers.cinnabarPort());
    const other = await RawConnection.connect(servers.cinnabarPort());
    try {
      expect(await debugging.call('SCRIPT', 'DEBUG', 'SYNC')).toBe('+OK\r\n');
      expect(await debugging.call('EVAL', "redis.call('set','held','1')\nreturn 1", '0')).toContain('Stopped at 1');
      other.send('INCR', 'held');
      await expect(other.readReply(300)).rejects.toThrow();
      // The script's write is there once the session ends; the held INCR runs after it.
      expect(await debugging.call('c')).toBe('*1\r\n+<endsession>\r\n');
      expect(await debugging.readReply()).toBe(':1\r\n');
      expect(await other.readReply()).toBe(':2\r\n');
    } finally {
      debugging.close();
      other.close();
    }
  });

  it('a client that leaves mid-session lets the script run to its end', async () => {
    const debugging = await RawConnection.connect(servers.cinnabarPort());
    const other = await RawConnection.connect(servers.cinnabarPort());
    try {
      await debugging.call('SCRIPT', 'DEBUG', 'SYNC');
      await debugging.call('EVAL', "redis.call('set','left','1')\nredis.call('set','left','2')\nreturn 1", '0');
      debugging.close();
      expect(await other.call('GET', 'left')).toBe('$1\r\n2\r\n');
    } finally {
      other.close();
    }
  });

  it('logs the refusals of the commands a stepped script calls as Redis does (OOM)', async () => {
    const admin = await servers.connect();
    try {
      for (const c of [admin.ours, admin.theirs]) await c.call('CONFIG', 'SET', 'maxmemory', '1');
      await compareSession(servers, {
        name: 'refusals',
        script: "local a = redis.pcall('set','x','y')\nlocal b = redis.pcall('get')\nlocal c = redis.pcall('nosuch')\nreturn 1",
        commands: steps(4),
      }, 'SYNC');
    } finally {
      for (const c of [admin.ours, admin.theirs]) await c.call('CONFIG', 'SET', 'maxmemory', '0');
    }
  });

  it('a forked session (YES) keeps nothing it changed, and others are served meanwhile', async () => {
    const pair = await servers.connect();
    const others = await servers.connect();
    try {
      for (const c of [pair.ours, pair.theirs]) {
        expect(await c.call('SET', 'forked', 'before')).toBe('+OK\r\n');
        expect(await c.call('SCRIPT', 'DEBUG', 'YES')).toBe('+OK\r\n');
        expect(await c.call('EVAL', "redis.call('set','forked','inside')\nreturn redis.call('get','forked')", '0')).toContain('Stopped at 1');
      }
      // The server itself goes on while the session waits on its client.
      expect(await others.ours.call('SET', 'meanwhile', '1')).toBe(await others.theirs.call('SET', 'meanwhile', '1'));
      const [ours, theirs] = await Promise.all([pair.ours.call('c'), pair.theirs.call('c')]);
      expect(ours).toBe(theirs);
      expect(await pair.ours.readReply()).toBe(await pair.theirs.readReply());
      await Promise.all([pair.ours.waitClosed(), pair.theirs.waitClosed()]);
      expect(await others.ours.call('GET', 'forked')).toBe('$6\r\nbefore\r\n');
      expect(await others.theirs.call('GET', 'forked')).toBe('$6\r\nbefore\r\n');
    } finally {
      for (const c of [pair.ours, pair.theirs, others.ours, others.theirs]) c.close();
    }
  });
});
