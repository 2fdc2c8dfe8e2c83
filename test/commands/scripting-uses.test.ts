import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/index.js';
import { startCinnabar } from '../helpers/cinnabar.js';
import { redisServerPath, startReferenceServer, type ReferenceServer } from '../helpers/reference.js';

// The scripts people run on Redis, unchanged, through ioredis's defineCommand (EVALSHA with a
// fallback to EVAL on NOSCRIPT): a lock, a sliding-window rate limiter, a token bucket, a script
// of 100 commands and a reliable job queue. Each scenario runs on cinnabar with explicit
// expectations, and on redis-server too when it is installed: both must end the same.

const RELEASE_LOCK = `
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('del', KEYS[1])
end
return 0`;

const SLIDING_WINDOW = `
local key, now, window, limit = KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('zremrangebyscore', key, '-inf', now - window)
if redis.call('zcard', key) >= limit then return 0 end
redis.call('zadd', key, now, ARGV[4])
redis.call('pexpire', key, window)
return 1`;

const TOKEN_BUCKET = `
local key = KEYS[1]
local rate, capacity, now, want = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local state = redis.call('hmget', key, 'tokens', 'ts')
local tokens = tonumber(state[1]) or capacity
local ts = tonumber(state[2]) or now
tokens = math.min(capacity, tokens + (now - ts) * rate / 1000)
local allowed = tokens >= want
if allowed then tokens = tokens - want end
redis.call('hset', key, 'tokens', tokens, 'ts', now)
return {allowed and 1 or 0, tostring(tokens)}`;

const HUNDRED_CALLS = `
for i = 1, 100 do redis.call('incr', KEYS[1]) end
return redis.call('get', KEYS[1])`;

// A reliable queue: delayed jobs in a sorted set, a wait list, a processing list with leases.
const ENQUEUE = `
redis.call('hset', 'job:' .. ARGV[1], 'payload', ARGV[2], 'attempts', 0, 'state', 'delayed')
redis.call('zadd', KEYS[1], ARGV[3], ARGV[1])
return 1`;

const PROMOTE = `
local due = redis.call('zrangebyscore', KEYS[1], '-inf', ARGV[1])
for _, id in ipairs(due) do
  redis.call('zrem', KEYS[1], id)
  redis.call('lpush', KEYS[2], id)
  redis.call('hset', 'job:' .. id, 'state', 'waiting')
end
return #due`;

const TAKE = `
local id = redis.call('rpoplpush', KEYS[1], KEYS[2])
if not id then return false end
redis.call('zadd', KEYS[3], tonumber(ARGV[1]) + tonumber(ARGV[2]), id)
redis.call('hset', 'job:' .. id, 'state', 'active')
redis.call('hincrby', 'job:' .. id, 'attempts', 1)
return id`;

const COMPLETE = `
if redis.call('lrem', KEYS[1], 1, ARGV[1]) == 0 then return redis.error_reply('ERR not processing ' .. ARGV[1]) end
redis.call('zrem', KEYS[2], ARGV[1])
redis.call('hset', 'job:' .. ARGV[1], 'state', 'done')
return 1`;

const REAP = `
local expired = redis.call('zrangebyscore', KEYS[1], '-inf', ARGV[1])
for _, id in ipairs(expired) do
  redis.call('zrem', KEYS[1], id)
  redis.call('lrem', KEYS[2], 1, id)
  redis.call('rpush', KEYS[3], id)
  redis.call('hset', 'job:' .. id, 'state', 'waiting')
end
return expired`;

interface Scripted extends Redis {
  releaseLock(key: string, token: string): Promise<number>;
  slidingWindow(key: string, now: number, windowMs: number, limit: number, member: string): Promise<number>;
  tokenBucket(key: string, ratePerSec: number, capacity: number, nowMs: number, want: number): Promise<[number, string]>;
  hundredCalls(key: string): Promise<string>;
  enqueue(delayed: string, id: string, payload: string, runAt: number): Promise<number>;
  promote(delayed: string, wait: string, now: number): Promise<number>;
  take(wait: string, processing: string, leases: string, now: number, leaseMs: number): Promise<string | null>;
  complete(processing: string, leases: string, id: string): Promise<number>;
  reap(leases: string, processing: string, wait: string, now: number): Promise<string[]>;
}

function scripted(port: number): Scripted {
  const redis = new Redis({ port, host: '127.0.0.1', lazyConnect: false, maxRetriesPerRequest: 1 });
  redis.defineCommand('releaseLock', { numberOfKeys: 1, lua: RELEASE_LOCK });
  redis.defineCommand('slidingWindow', { numberOfKeys: 1, lua: SLIDING_WINDOW });
  redis.defineCommand('tokenBucket', { numberOfKeys: 1, lua: TOKEN_BUCKET });
  redis.defineCommand('hundredCalls', { numberOfKeys: 1, lua: HUNDRED_CALLS });
  redis.defineCommand('enqueue', { numberOfKeys: 1, lua: ENQUEUE });
  redis.defineCommand('promote', { numberOfKeys: 2, lua: PROMOTE });
  redis.defineCommand('take', { numberOfKeys: 3, lua: TAKE });
  redis.defineCommand('complete', { numberOfKeys: 2, lua: COMPLETE });
  redis.defineCommand('reap', { numberOfKeys: 3, lua: REAP });
  return redis as Scripted;
}

/** Runs every scenario on one server and returns what was observed. */
async function runScenarios(redis: Scripted): Promise<Record<string, unknown>> {
  const seen: Record<string, unknown> = {};
  await redis.flushall();

  await redis.set('lock', 'token-a', 'PX', 10_000, 'NX');
  seen.lockWrongToken = await redis.releaseLock('lock', 'token-b');
  seen.lockRightToken = await redis.releaseLock('lock', 'token-a');
  seen.lockGone = await redis.exists('lock');

  const decisions: number[] = [];
  for (let i = 0; i < 15; i++) decisions.push(await redis.slidingWindow('rate:user', 1_000 + i * 10, 1_000, 10, `req${i}`));
  decisions.push(await redis.slidingWindow('rate:user', 2_100, 1_000, 10, 'later'));
  seen.windowDecisions = decisions;
  seen.windowSize = await redis.zcard('rate:user');

  const bucket: Array<[number, string]> = [];
  for (const [now, want] of [[0, 3], [100, 3], [200, 3], [1_200, 3], [1_300, 10]] as const) {
    bucket.push(await redis.tokenBucket('bucket', 5, 10, now, want));
  }
  seen.bucket = bucket;

  seen.hundred = await redis.hundredCalls('counter');
  seen.hundredAgain = await redis.hundredCalls('counter');

  for (let i = 1; i <= 5; i++) await redis.enqueue('q:delayed', `j${i}`, `payload ${i}`, i * 100);
  seen.promotedEarly = await redis.promote('q:delayed', 'q:wait', 250);
  seen.promotedRest = await redis.promote('q:delayed', 'q:wait', 1_000);
  const taken: Array<string | null> = [];
  for (let i = 0; i < 3; i++) taken.push(await redis.take('q:wait', 'q:processing', 'q:leases', 1_000, 500));
  seen.taken = taken;
  seen.completed = await redis.complete('q:processing', 'q:leases', taken[0] as string);
  seen.completeTwice = await redis.complete('q:processing', 'q:leases', taken[0] as string).catch((err: Error) => err.message);
  seen.reaped = await redis.reap('q:leases', 'q:processing', 'q:wait', 1_600);
  const retried: Array<string | null> = [];
  for (let i = 0; i < 5; i++) retried.push(await redis.take('q:wait', 'q:processing', 'q:leases', 2_000, 500));
  seen.retried = retried;
  seen.jobs = await Promise.all([1, 2, 3, 4, 5].map((i) => redis.hgetall(`job:j${i}`)));
  seen.lists = [await redis.lrange('q:wait', 0, -1), await redis.lrange('q:processing', 0, -1), await redis.zrange('q:leases', '0', '-1', 'WITHSCORES')];
  return seen;
}

describe('typical scripts run unchanged (ioredis defineCommand)', () => {
  let ours: RunningServer;
  let theirs: ReferenceServer | null = null;
  const clients: Redis[] = [];
  beforeAll(async () => {
    ours = await startCinnabar();
    if (redisServerPath() !== null) theirs = await startReferenceServer();
  });
  afterAll(async () => {
    for (const c of clients) c.disconnect();
    await Promise.all([ours?.close(), theirs?.stop()]);
  });

  it('locks, rate limiters, token buckets, 100-command scripts and a job queue behave as on Redis', async () => {
    const redis = scripted(ours.port);
    clients.push(redis);
    const seen = await runScenarios(redis);
    expect(seen.lockWrongToken).toBe(0);
    expect(seen.lockRightToken).toBe(1);
    expect(seen.lockGone).toBe(0);
    expect(seen.windowDecisions).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 1]);
    expect(seen.hundred).toBe('100');
    expect(seen.hundredAgain).toBe('200');
    expect(seen.promotedEarly).toBe(2);
    expect(seen.promotedRest).toBe(3);
    expect(seen.taken).toEqual(['j1', 'j2', 'j3']);
    expect(seen.completed).toBe(1);
    expect(seen.completeTwice).toBe('ERR not processing j1');
    expect(seen.reaped).toEqual(['j2', 'j3']);
    expect(seen.retried).toEqual(['j3', 'j2', 'j4', 'j5', null]);
    if (theirs !== null) {
      const reference = scripted(theirs.port);
      clients.push(reference);
      expect(seen).toEqual(await runScenarios(reference));
    }
  });
});
