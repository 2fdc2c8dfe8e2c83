import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/index.js';
import { startCinnabar } from '../helpers/cinnabar.js';
import { redisServerPath, startReferenceServer, type ReferenceServer } from '../helpers/reference.js';
import { waitFor } from '../helpers/wait.js';

// Busy scripts: past busy-reply-threshold other clients get BUSY, SCRIPT KILL / FUNCTION KILL
// end a script that has not written, a script that wrote cannot be killed and SHUTDOWN without
// NOSAVE is refused meanwhile. The same sequence runs on redis-server when it is installed, and
// every reply must be the same.

const LOOP_FOREVER = 'local i = 0 while true do i = i + 1 end';
// Writes, then runs for about 1.5 s of wall clock (long enough to be seen busy on a loaded machine).
const WRITE_THEN_SPIN = `
redis.call('set', 'busy:written', '1')
local t0 = redis.call('time')
while true do
  local t = redis.call('time')
  if (t[1] - t0[1]) * 1000000 + (t[2] - t0[2]) > 1500000 then break end
end
return 'finished'`;

async function reply(redis: Redis, ...args: string[]): Promise<unknown> {
  try {
    return await redis.call(args[0], ...args.slice(1));
  } catch (err) {
    return `error: ${(err as Error).message}`;
  }
}

/** Waits until the server answers BUSY (the script passed the threshold). */
async function untilBusy(redis: Redis): Promise<void> {
  await waitFor(async () => String(await reply(redis, 'PING')).startsWith('error: BUSY'), 10_000, 'the BUSY reply');
}

async function scenario(port: number): Promise<unknown[]> {
  const caller = new Redis({ port, host: '127.0.0.1' });
  const other = new Redis({ port, host: '127.0.0.1' });
  const seen: unknown[] = [];
  try {
    await other.config('SET', 'busy-reply-threshold', '50');
    await other.function('FLUSH');
    await other.flushall();

    const killed = reply(caller, 'EVAL', LOOP_FOREVER, '0');
    await untilBusy(other);
    for (const args of [['GET', 'x'], ['FUNCTION', 'STATS'], ['FUNCTION', 'KILL'], ['SHUTDOWN'], ['SCRIPT', 'KILL']]) seen.push(await reply(other, ...args));
    seen.push(await killed);
    seen.push(await reply(other, 'PING'));

    const unkillable = reply(caller, 'EVAL', WRITE_THEN_SPIN, '0');
    await untilBusy(other);
    for (const args of [['SCRIPT', 'KILL'], ['SHUTDOWN'], ['MULTI'], ['DISCARD']]) seen.push(await reply(other, ...args));
    seen.push(await unkillable);
    seen.push(await reply(other, 'GET', 'busy:written'));

    await other.function('LOAD', "#!lua name=busy\nredis.register_function('spin', function() while true do end end)");
    const fn = reply(caller, 'FCALL', 'spin', '0');
    await untilBusy(other);
    seen.push(await reply(other, 'PING'));
    seen.push(await reply(other, 'SCRIPT', 'KILL'));
    const stats = (await reply(other, 'FUNCTION', 'STATS')) as unknown[];
    // [running_script, [name, spin, command, [FCALL spin 0], duration_ms, N], engines, ...]
    const running = stats[1] as unknown[];
    seen.push([stats[0], running.slice(0, 4), running[4], typeof running[5], stats.slice(2)]);
    seen.push(await reply(other, 'FUNCTION', 'KILL'));
    seen.push(await fn);
    seen.push(await reply(caller, 'PING'));
  } finally {
    caller.disconnect();
    other.disconnect();
  }
  return seen;
}

describe('busy scripts', () => {
  let ours: RunningServer;
  let theirs: ReferenceServer | null = null;
  beforeAll(async () => {
    ours = await startCinnabar({ 'enable-debug-command': 'yes' });
    if (redisServerPath() !== null) theirs = await startReferenceServer();
  });
  afterAll(async () => {
    await Promise.all([ours?.close(), theirs?.stop()]);
  });

  it('answer BUSY, accept SCRIPT KILL and FUNCTION KILL, and refuse to kill a script that wrote', async () => {
    const seen = await scenario(ours.port);
    expect(seen[0]).toBe('error: BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.');
    expect(seen[4]).toBe('OK');
    expect(String(seen[5])).toMatch(/^error: ERR Script killed by user with SCRIPT KILL\.\.\. script: \w{40}, on @user_script:1\.$/);
    expect(seen[6]).toBe('PONG');
    expect(String(seen[7])).toMatch(/^error: UNKILLABLE /);
    expect(seen[11]).toBe('finished');
    expect(seen[12]).toBe('1');
    expect(seen[seen.length - 1]).toBe('PONG');
    if (theirs !== null) expect(seen).toEqual(await scenario(theirs.port));
  });

  it('serve a client blocked on a key the busy script pushed to only once the script ended', async () => {
    const caller = new Redis({ port: ours.port, host: '127.0.0.1' });
    const blocked = new Redis({ port: ours.port, host: '127.0.0.1' });
    const other = new Redis({ port: ours.port, host: '127.0.0.1' });
    try {
      await other.config('SET', 'busy-reply-threshold', '10');
      await other.del('busy:list');
      const popped = blocked.blpop('busy:list', 0);
      await waitFor(async () => /blocked_clients:1\r\n/.test(await other.info('clients')), 10_000, 'the BLPOP blocked');
      await other.call('DEBUG', 'SET-DISABLE-DENY-SCRIPTS', '1');
      // Pushes, then spins (yielding to the event loop) until a client named "release" exists.
      const script = reply(caller, 'EVAL', `redis.call('lpush', KEYS[1], 'first')
        while not string.find(redis.call('client', 'list'), 'name=release') do end
        redis.call('lpush', KEYS[1], 'second')
        return 'done'`, '1', 'busy:list');
      await untilBusy(other);
      // HELLO is one of the commands a busy server still runs.
      await other.call('HELLO', '2', 'SETNAME', 'release');
      expect(await script).toBe('done');
      // Served after the script: the head of the list is the second push.
      expect(await popped).toEqual(['busy:list', 'second']);
    } finally {
      await other.call('DEBUG', 'SET-DISABLE-DENY-SCRIPTS', '0');
      for (const c of [caller, blocked, other]) c.disconnect();
    }
  });
});
