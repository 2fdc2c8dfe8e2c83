// maxmemory with eviction over TCP: used_memory following the dataset, each maxmemory-policy
// choosing the keys Redis's would, the OOM refusals, "evicted" keyspace events and the DELs
// propagated for evicted keys. Access times and LFU counters are set through the store (aging
// keys without sleeping); the limit is always set a little above the measured used_memory.

import net from 'node:net';
import type { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventCollector } from '../helpers/events.js';
import { PropagationLog } from '../helpers/propagation.js';
import { freePort, waitForPort } from '../helpers/net.js';
import { runCli } from '../helpers/process.js';
import { RawConnection } from '../helpers/resp.js';
import { withServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

const OOM = "OOM command not allowed when used memory > 'maxmemory'.";

async function infoField(r: Redis, section: string, name: string): Promise<string> {
  const text = await r.info(section);
  const line = text.split('\r\n').find((l) => l.startsWith(`${name}:`));
  if (line === undefined) throw new Error(`INFO ${section} has no ${name}`);
  return line.slice(name.length + 1);
}

async function usedMemory(r: Redis): Promise<number> {
  return Number(await infoField(r, 'memory', 'used_memory'));
}

/**
 * used_memory without the clients' part: the cron resizes idle clients' reply buffers (16 KB
 * down to 1 KB), which moves used_memory by 15 KB a client whenever it happens.
 */
async function usedMemoryBesideClients(r: Redis): Promise<number> {
  const text = await r.info('memory');
  const field = (name: string): number => Number(new RegExp(`^${name}:(\\d+)\r$`, 'm').exec(text)?.[1]);
  return field('used_memory') - field('mem_clients_normal');
}

/** Writes `count` keys `prefix:i` with values of `valueBytes`, pipelined. */
async function fill(r: Redis, prefix: string, count: number, valueBytes: number, ttlSec = 0): Promise<void> {
  const pipeline = r.pipeline();
  const value = 'v'.repeat(valueBytes);
  for (let i = 0; i < count; i++) {
    if (ttlSec > 0) pipeline.set(`${prefix}:${i}`, value, 'EX', ttlSec + i);
    else pipeline.set(`${prefix}:${i}`, value);
  }
  await pipeline.exec();
}

async function keysWith(r: Redis, prefix: string): Promise<Set<string>> {
  return new Set(await r.keys(`${prefix}:*`));
}

describe('used_memory', () => {
  const s = withServer();

  it('rises with keys and falls back after DEL and FLUSHALL, without waiting for a collection', async () => {
    const r = s.r2;
    await r.flushall();
    const empty = await usedMemoryBesideClients(r);
    await fill(r, 'k', 10_000, 100);
    const full = await usedMemoryBesideClients(r);
    // 10k keys of 100 bytes: key string, Map entry, value string (about 190 B each).
    expect(full - empty).toBeGreaterThan(10_000 * 150);
    expect(full - empty).toBeLessThan(10_000 * 250);
    expect(Number(await infoField(r, 'memory', 'used_memory_dataset'))).toBeGreaterThan(10_000 * 100);
    const pipeline = r.pipeline();
    for (let i = 0; i < 5_000; i++) pipeline.del(`k:${i}`);
    await pipeline.exec();
    const half = await usedMemoryBesideClients(r);
    expect(Math.abs((half - empty) * 2 - (full - empty))).toBeLessThan((full - empty) * 0.02);
    await r.flushall();
    expect(Math.abs((await usedMemoryBesideClients(r)) - empty)).toBeLessThan(16_384);
  });

  it('follows in-place changes of containers (RPUSH, HSET, SADD, ZADD, XADD, APPEND)', async () => {
    const r = s.r2;
    await r.flushall();
    const empty = await usedMemoryBesideClients(r);
    for (let i = 0; i < 2000; i++) {
      await r.rpush('list', `element:${i}`);
      await r.hset('hash', `field:${i}`, `value:${i}`);
      await r.sadd('set', `member:${i}`);
      await r.zadd('zset', i, `member:${i}`);
      await r.append('str', 'abcdefghij');
    }
    await r.xadd('stream', '*', 'a', 'b');
    const grown = await usedMemoryBesideClients(r) - empty;
    // Five containers of 2000 elements of 10-15 bytes: at least 40 B an element each.
    expect(grown).toBeGreaterThan(5 * 2000 * 40);
    expect(Number(await r.memory('USAGE', 'hash'))).toBeGreaterThan(2000 * 60);
    await r.del('list', 'hash', 'set', 'zset', 'str', 'stream');
    expect(Math.abs((await usedMemoryBesideClients(r)) - empty)).toBeLessThan(16_384);
  });

  it('INFO shows maxmemory, maxmemory_human and maxmemory_policy', async () => {
    const r = s.r2;
    await r.config('SET', 'maxmemory', '100mb');
    await r.config('SET', 'maxmemory-policy', 'allkeys-lru');
    try {
      expect(await infoField(r, 'memory', 'maxmemory')).toBe(String(100 * 1024 * 1024));
      expect(await infoField(r, 'memory', 'maxmemory_human')).toBe('100.00M');
      expect(await infoField(r, 'memory', 'maxmemory_policy')).toBe('allkeys-lru');
      expect(await infoField(r, 'stats', 'evicted_keys')).toBe('0');
    } finally {
      await r.config('SET', 'maxmemory', '0');
      await r.config('SET', 'maxmemory-policy', 'noeviction');
    }
  });
});

describe('maxmemory policies', () => {
  const s = withServer({ 'enable-debug-command': 'yes' });

  beforeEach(async () => {
    await s.r2.config('SET', 'maxmemory', '0');
    await s.r2.flushall();
    await s.r2.config('RESETSTAT');
    await s.r2.config('SET', 'maxmemory-samples', '20');
    // The limits below sit a few KB above used_memory: the cron shrinking an idle client's reply
    // buffer (16 KB to 1 KB) meanwhile would leave the writes under the limit (as Redis's own
    // tests, the sizes are kept fixed).
    await s.r2.call('DEBUG', 'REPLYBUFFER', 'RESIZING', '0');
  });

  afterEach(async () => {
    await s.r2.config('SET', 'maxmemory', '0');
    await s.r2.config('SET', 'maxmemory-policy', 'noeviction');
    await s.r2.call('DEBUG', 'REPLYBUFFER', 'RESIZING', '1');
  });

  /** Sets maxmemory `headroomBytes` above what is used now. */
  async function limitAbove(headroomBytes: number): Promise<number> {
    const limit = (await usedMemory(s.r2)) + headroomBytes;
    await s.r2.config('SET', 'maxmemory', String(limit));
    return limit;
  }

  it('noeviction refuses writes with the OOM error, keeps reads and deletes, and accepts writes after a DEL', async () => {
    const r = s.r2;
    await r.config('SET', 'maxmemory-policy', 'noeviction');
    const limit = await limitAbove(20_000);
    let refused: string | null = null;
    for (let i = 0; i < 1000 && refused === null; i++) {
      try {
        await r.set(`k:${i}`, 'x'.repeat(100));
      } catch (err) {
        refused = (err as Error).message;
      }
    }
    expect(refused).toBe(OOM);
    expect(await r.get('k:0')).toBe('x'.repeat(100));
    // Far past the limit (client buffers move used_memory a little around it).
    await r.config('SET', 'maxmemory', '1');
    await expect(r.lpush('list', 'a')).rejects.toThrow(OOM);
    expect(await infoField(r, 'stats', 'evicted_keys')).toBe('0');
    await r.config('SET', 'maxmemory', String(limit));
    const keys = await r.keys('k:*');
    await r.del(...keys.slice(0, 50));
    expect(await r.set('after', 'ok')).toBe('OK');
  });

  it('allkeys-lru evicts the least recently used keys', async () => {
    const r = s.r2;
    await fill(r, 'cold', 100, 500);
    await fill(r, 'hot', 100, 500);
    for (let i = 0; i < 100; i++) s.db().backdateAccess(`cold:${i}`, 1000);
    await r.config('SET', 'maxmemory-policy', 'allkeys-lru');
    const limit = await limitAbove(0);
    await fill(r, 'new', 40, 500);
    expect(await usedMemory(r)).toBeLessThanOrEqual(limit);
    expect((await keysWith(r, 'hot')).size).toBe(100);
    expect((await keysWith(r, 'new')).size).toBe(40);
    expect((await keysWith(r, 'cold')).size).toBeLessThan(70);
    expect(Number(await infoField(r, 'stats', 'evicted_keys'))).toBe(100 - (await keysWith(r, 'cold')).size);
  });

  it('allkeys-lfu evicts the least frequently used keys', async () => {
    const r = s.r2;
    await r.config('SET', 'maxmemory-policy', 'allkeys-lfu');
    await fill(r, 'rare', 100, 500);
    await fill(r, 'often', 100, 500);
    for (let i = 0; i < 100; i++) {
      s.db().setLfuFrequency(`rare:${i}`, 0);
      s.db().setLfuFrequency(`often:${i}`, 50);
    }
    expect(await r.object('FREQ', 'often:0')).toBe(50);
    await limitAbove(0);
    await fill(r, 'new', 40, 500);
    expect((await keysWith(r, 'often')).size).toBe(100);
    expect((await keysWith(r, 'new')).size).toBe(40);
    expect((await keysWith(r, 'rare')).size).toBeLessThan(70);
  });

  it('allkeys-random evicts keys to stay under the limit', async () => {
    const r = s.r2;
    await r.config('SET', 'maxmemory-policy', 'allkeys-random');
    await fill(r, 'old', 200, 500);
    const limit = await limitAbove(0);
    await fill(r, 'new', 50, 500);
    expect(await usedMemory(r)).toBeLessThanOrEqual(limit);
    expect(await r.dbsize()).toBeLessThan(250);
    expect(Number(await infoField(r, 'stats', 'evicted_keys'))).toBe(250 - (await r.dbsize()));
  });

  for (const policy of ['volatile-lru', 'volatile-lfu', 'volatile-random', 'volatile-ttl']) {
    it(`${policy} evicts only keys with a TTL, then refuses writes`, async () => {
      const r = s.r2;
      await r.config('SET', 'maxmemory-policy', policy);
      await fill(r, 'persistent', 100, 500);
      await fill(r, 'volatile', 30, 500, 10_000);
      await limitAbove(0);
      let refused: string | null = null;
      for (let i = 0; i < 100 && refused === null; i++) {
        try {
          await r.set(`new:${i}`, 'v'.repeat(500));
        } catch (err) {
          refused = (err as Error).message;
        }
      }
      expect(refused).toBe(OOM);
      expect((await keysWith(r, 'persistent')).size).toBe(100);
      expect((await keysWith(r, 'volatile')).size).toBe(0);
    });
  }

  it('volatile-ttl evicts the keys nearest their expiry first', async () => {
    const r = s.r2;
    await r.config('SET', 'maxmemory-policy', 'volatile-ttl');
    // TTLs 10000 + i seconds: volatile:0 expires first.
    await fill(r, 'volatile', 100, 500, 10_000);
    await limitAbove(0);
    await fill(r, 'new', 20, 500);
    const left = await keysWith(r, 'volatile');
    expect(left.size).toBeLessThan(85);
    for (let i = 0; i < 100; i++) {
      if (!left.has(`volatile:${i}`)) expect(i).toBeLessThan(50);
    }
  });

  it('lowering maxmemory evicts in the background until under the limit', async () => {
    const r = s.r2;
    await r.config('SET', 'maxmemory-policy', 'allkeys-lru');
    await fill(r, 'k', 1000, 500);
    const used = await usedMemory(r);
    await r.config('SET', 'maxmemory', String(used - 250_000));
    await waitFor(async () => (await usedMemory(r)) <= used - 250_000, 5000, 'eviction to reach the limit');
    expect(await r.dbsize()).toBeLessThan(1000);
    expect(await r.dbsize()).toBeGreaterThan(400);
  });

  it('refuses commands queued in MULTI past the limit, but not EXEC or DISCARD', async () => {
    const r = s.r2;
    await r.config('SET', 'maxmemory-policy', 'noeviction');
    await fill(r, 'k', 10, 100);
    const c = await s.connect();
    expect(await c.call('MULTI')).toBe('+OK\r\n');
    await r.config('SET', 'maxmemory', '1');
    expect(await c.call('GET', 'k:0')).toBe(`-${OOM}\r\n`);
    expect(await c.call('DISCARD')).toBe('+OK\r\n');
    expect(await c.call('GET', 'k:0')).toBe(`$100\r\n${'v'.repeat(100)}\r\n`);
  });

  it("a script's write is refused when the script started out of memory", async () => {
    const r = s.r2;
    await r.config('SET', 'maxmemory-policy', 'noeviction');
    await fill(r, 'k', 10, 100);
    await r.config('SET', 'maxmemory', '1');
    await expect(r.eval("return redis.call('set', 'x', 'y')", 0)).rejects.toThrow(/^OOM command not allowed when used memory > 'maxmemory'\. script: /);
    expect(await r.eval("return redis.call('get', 'k:0')", 0)).toBe('v'.repeat(100));
    // A script declaring flags without allow-oom is a deny-oom command: refused before it runs.
    await expect(r.eval("#!lua\nreturn redis.call('get', 'k:0')", 0)).rejects.toThrow(new RegExp(`^${OOM.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
    expect(await r.eval("#!lua flags=allow-oom\nreturn redis.call('set', 'x', 'y')", 0)).toBe('OK');
    expect(await r.eval("#!lua flags=no-writes\nreturn redis.call('get', 'k:0')", 0)).toBe('v'.repeat(100));
  });
});

describe('evictions seen from outside', () => {
  const s = withServer({ 'notify-keyspace-events': 'Ee' });

  it('fire "evicted" events and propagate each eviction as a DEL (UNLINK with lazyfree-lazy-eviction)', async () => {
    const r = s.r2;
    const events = await EventCollector.start(s.port);
    const propagated = new PropagationLog(s.running);
    await r.config('SET', 'maxmemory-policy', 'allkeys-lru');
    await fill(r, 'k', 100, 500);
    propagated.clear();
    await r.config('SET', 'maxmemory', '1');
    await waitFor(async () => (await r.dbsize()) === 0, 5000, 'every key to be evicted');
    const evicted = Number(await infoField(r, 'stats', 'evicted_keys'));
    expect(evicted).toBe(100);
    expect((await events.take(100)).sort()).toEqual(Array.from({ length: 100 }, (_, i) => `evicted k:${i}`).sort());
    expect(propagated.lines().sort()).toEqual(Array.from({ length: 100 }, (_, i) => `DEL k:${i}`).sort());

    await r.config('SET', 'maxmemory', '0');
    await r.config('SET', 'lazyfree-lazy-eviction', 'yes');
    // A hashtable set of 100 members: a free effort over 64, so a background free for Redis.
    await r.sadd('last', ...Array.from({ length: 100 }, (_, i) => `member:${i}`));
    await r.config('RESETSTAT');
    propagated.clear();
    await r.config('SET', 'maxmemory', '1');
    await waitFor(async () => (await r.dbsize()) === 0, 5000, 'the key to be evicted');
    expect(propagated.lines()).toEqual(['UNLINK last']);
    expect(await infoField(r, 'memory', 'lazyfreed_objects')).toBe('1');
    await r.config('SET', 'maxmemory', '0');
    events.close();
  });
});

describe('maxmemory-clients', () => {
  const s = withServer();

  it('frees a closing client\'s output at once: the next write is not judged by it', async () => {
    const r = s.r2;
    await r.flushall();
    await r.set('big', 'v'.repeat(1024 * 1024));
    // Clients that never read: each GET's megabyte waits in their output.
    const readers: net.Socket[] = [];
    for (let i = 0; i < 6; i++) {
      const reader = net.connect(s.port, '127.0.0.1');
      reader.on('error', () => undefined);
      await new Promise<void>((resolve) => reader.once('connect', () => resolve()));
      reader.pause();
      for (let j = 0; j < 16; j++) reader.write('*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n');
      readers.push(reader);
    }
    const clientsBytes = async (): Promise<number> => Number(/mem_clients_normal:(\d+)/.exec(await r.info('memory'))?.[1]);
    await waitFor(async () => (await clientsBytes()) > 6 * 8 * 1024 * 1024, 5000, 'the output piling up');
    const used = Number(/used_memory:(\d+)/.exec(await r.info('memory'))?.[1]);
    // Room for the dataset and a little more, not for the readers' output.
    await r.config('SET', 'maxmemory', String(used - 6 * 1024 * 1024), 'maxmemory-policy', 'noeviction');
    try {
      // A write now is refused: the readers' output counts.
      await expect(r.set('k', 'v')).rejects.toThrow(/OOM/);
      for (const reader of readers) reader.destroy();
      // Asked again at once (within the server's sampling interval of client memory), not
      // after a pause that would let a stale figure expire.
      const deadline = Date.now() + 5000;
      while (String(await r.client('LIST')).includes('cmd=get')) expect(Date.now()).toBeLessThan(deadline);
      expect(await r.set('k', 'v')).toBe('OK');
    } finally {
      await r.config('SET', 'maxmemory', '0');
    }
  });

  it('closes the client using the most memory, never a NO-EVICT one, and counts it', async () => {
    const r = s.r2;
    await r.client('NO-EVICT', 'ON');
    // A subscriber that never reads: PUBLISH fills its output buffer.
    const subscriber = net.connect(s.port, '127.0.0.1');
    subscriber.on('error', () => undefined);
    await new Promise<void>((resolve) => subscriber.once('connect', () => resolve()));
    subscriber.write('*2\r\n$9\r\nSUBSCRIBE\r\n$2\r\nch\r\n');
    subscriber.pause();
    const subscribers = async (): Promise<number> => ((await r.pubsub('NUMSUB', 'ch')) as [string, number])[1];
    await waitFor(async () => (await subscribers()) === 1, 5000, 'the subscriber');
    // Room for the other clients (16 KB reply buffers each, as Redis's) and this one's 100 KB
    // PUBLISH requests; the subscriber's unread messages outgrow it within a few.
    await r.config('SET', 'maxmemory-clients', '512kb');
    try {
      const message = 'm'.repeat(100_000);
      for (let i = 0; i < 500 && (await subscribers()) === 1; i++) await r.publish('ch', message);
      expect(await subscribers()).toBe(0);
      expect(Number(await infoField(r, 'stats', 'evicted_clients'))).toBe(1);
      expect(await r.ping()).toBe('PONG');
    } finally {
      await r.config('SET', 'maxmemory-clients', '0');
      subscriber.destroy();
    }
  });
});

describe('maxmemory-clients, judged as Redis judges it', () => {
  const s = withServer({ 'enable-debug-command': 'yes' });

  /** CLIENT LIST's line for the client named `name`, or null once it is gone. */
  async function clientLine(r: Redis, name: string): Promise<string | null> {
    const list = String(await r.client('LIST'));
    return list.split('\n').find((line) => line.includes(` name=${name} `)) ?? null;
  }

  async function namedConnection(name: string): Promise<RawConnection> {
    const c = await RawConnection.connect(s.port);
    expect(await c.call('CLIENT', 'SETNAME', name)).toBe('+OK\r\n');
    return c;
  }

  it('evicts a client after the read that filled its query buffer, not at the next cron', async () => {
    const r = s.r2;
    await r.client('NO-EVICT', 'ON');
    const maxmemoryBytes = 6 * 1024 * 1024;
    await r.config('SET', 'maxmemory', String(maxmemoryBytes), 'maxmemory-clients', '7%');
    // With the cron stopped, only the check after the read can evict.
    await r.call('DEBUG', 'PAUSE-CRON', '1');
    try {
      const limitBytes = Math.floor(maxmemoryBytes * 7 / 100);
      const half = await namedConnection('half');
      const halfBytes = Math.floor(limitBytes / 2);
      // An incomplete request (no final CRLF): its argument waits in the query buffer.
      half.socket.write(`*1\r\n$${halfBytes}\r\n${'v'.repeat(halfBytes)}`);
      await waitFor(async () => /qbuf=(\d+)/.exec((await clientLine(r, 'half')) ?? '')?.[1] === String(halfBytes), 5000, 'the half request read');
      const full = await namedConnection('full');
      const gone = new Promise<void>((resolve) => full.socket.once('close', () => resolve()));
      full.socket.write(`*1\r\n$${limitBytes}\r\n${'v'.repeat(limitBytes)}`);
      await gone;
      expect(await clientLine(r, 'full')).toBeNull();
      expect(await clientLine(r, 'half')).not.toBeNull();
      half.close();
    } finally {
      await r.call('DEBUG', 'PAUSE-CRON', '0');
      await r.config('SET', 'maxmemory-clients', '0', 'maxmemory', '0');
    }
  });

  it('counts watched keys, subscriptions and tracking prefixes in a client\'s memory', async () => {
    const r = s.r2;
    await r.client('NO-EVICT', 'ON');
    await r.config('SET', 'maxmemory-clients', '200000');
    try {
      const cases: Array<{ name: string; command: (j: number) => string[] }> = [
        { name: 'watcher', command: (j) => ['WATCH', String(j)] },
        { name: 'psubscriber', command: (j) => ['PSUBSCRIBE', String(j)] },
        { name: 'subscriber', command: (j) => ['SUBSCRIBE', String(j)] },
        { name: 'tracker', command: (j) => ['CLIENT', 'TRACKING', 'on', 'PREFIX', String(j).padStart(12, '0'), 'BCAST'] },
      ];
      for (const { name, command } of cases) {
        const c = await namedConnection(name);
        const before = Number(/tot-mem=(\d+)/.exec((await clientLine(r, name)) ?? '')?.[1]);
        let closed = false;
        c.socket.once('close', () => { closed = true; });
        let sent = 0;
        // Each adds a few dozen bytes: 200 KB is reached within a few thousand.
        for (; sent < 20_000 && !closed; sent++) c.socket.write(encodeArgv(command(sent)));
        await waitFor(() => closed, 10_000, `${name} evicted`);
        expect(before).toBeLessThan(200_000);
        expect(await clientLine(r, name)).toBeNull();
      }
    } finally {
      await r.config('SET', 'maxmemory-clients', '0');
    }
  });
});

function encodeArgv(argv: readonly string[]): string {
  return `*${argv.length}\r\n${argv.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;
}

describe('eviction with tracking clients (a server process of its own: its event loop not shared with the clients)', () => {
  it('invalidations sent for evicted keys do not make the next commands evict again (no feedback loop)', async () => {
    const port = await freePort();
    const server = runCli(['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
      '--maxmemory-policy', 'allkeys-lru', '--maxmemory-eviction-tenacity', '100', '--enable-debug-command', 'yes']);
    const conns: RawConnection[] = [];
    try {
      await waitForPort(port, 15_000);
      const r = await RawConnection.connect(port);
      conns.push(r);
      // Client reply buffers keep their sizes (as Redis's client-eviction tests keep them): the
      // cron growing the trackers' buffers back to 16 KB would move used_memory by 150 KB
      // between the steps below, and evict for that, not for the invalidations.
      expect(await r.call('DEBUG', 'REPLYBUFFER', 'RESIZING', '0')).toBe('+OK\r\n');
      // Ten RESP3 clients track every key; each eviction sends each of them a 1 KB invalidation.
      const trackers = await Promise.all(Array.from({ length: 10 }, () => RawConnection.connect(port)));
      conns.push(...trackers);
      for (const t of trackers) {
        await t.call('HELLO', '3');
        expect(await t.call('CLIENT', 'TRACKING', 'on')).toBe('+OK\r\n');
      }
      const keyName = (j: number): string => `${j}${'x'.repeat(1000)}`;
      const track = async (j: number): Promise<void> => {
        expect(await r.call('SET', keyName(j), 'x')).toBe('+OK\r\n');
        for (const t of trackers) await t.call('GET', keyName(j));
      };
      for (let j = 0; j < 300; j++) await track(j);
      const field = async (section: string, name: string): Promise<number> => {
        const text = await r.call('INFO', section);
        const line = text.split('\r\n').find((l) => l.startsWith(`${name}:`));
        return Number(line?.slice(name.length + 1));
      };
      for (let round = 0; round < 5; round++) {
        await r.call('CONFIG', 'SET', 'maxmemory', '0');
        for (let j = 0; j < 300; j++) if (await r.call('EXISTS', keyName(j)) === ':0\r\n') await track(j);
        await r.call('CONFIG', 'RESETSTAT');
        await r.call('CONFIG', 'SET', 'maxmemory', String((await field('memory', 'used_memory')) - 40_000));
        // About 40 keys go; their invalidations, queued for the trackers, must not count as
        // used memory for the commands that follow (Redis writes them out before reading more).
        const evicted = await field('stats', 'evicted_keys');
        expect(await r.call('DBSIZE')).toBe(`:${300 - evicted}\r\n`);
        expect(evicted).toBeGreaterThan(10);
        expect(evicted).toBeLessThan(100);
      }
    } finally {
      for (const c of conns) c.close();
      await server.kill();
    }
  }, 60_000);
});
