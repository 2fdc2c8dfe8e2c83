// MIGRATE between real servers: cinnabar -> cinnabar, cinnabar -> redis-server 7.0 and
// redis-server -> cinnabar, with the data compared by DEBUG DIGEST-VALUE after the move; the
// options, the errors as Redis words them, the cached connections, timeouts, and what is
// propagated (against redis-server's own replication stream).
//
// MIGRATE blocks the whole node while it talks to the target (as Redis does), so an in-process
// cinnabar may only migrate to a server in another process, or to a fake target in this
// process that needs no JavaScript to run meanwhile (the kernel accepts its connections).

import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServerInternal } from '../../src/server/start.js';
import { spawnCinnabar, startCinnabar, type CinnabarProcess } from '../helpers/cinnabar.js';
import { referenceAvailable } from '../helpers/differential.js';
import { EventCollector } from '../helpers/events.js';
import { PropagationPair } from '../helpers/propagation.js';
import { startReferenceServer, type ReferenceServer } from '../helpers/reference.js';
import { RawConnection } from '../helpers/resp.js';
import { connectIoredis } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

const HOST = '127.0.0.1';
/**
 * A value bigger than what loopback's socket buffers take while nobody reads (the send buffer
 * up to tcp_wmem's 4 MB maximum, the receive buffer near its 128 KB default).
 */
const HUGE_BYTES = 16 * 1024 * 1024;

/** A dataset of every type, some keys with a TTL, written through `client`. */
async function writeDataset(client: Redis, prefix: string): Promise<string[]> {
  const k = (name: string): string => `${prefix}${name}`;
  const many = (n: number, f: (i: number) => string[]): string[] => Array.from({ length: n }, (_, i) => f(i)).flat();
  await client.set(k('str'), 'hello');
  await client.set(k('int'), '12345');
  await client.set(k('big-str'), 'x'.repeat(100_000), 'PX', 500_000);
  await client.rpush(k('list'), 'a', 'b', '3');
  await client.rpush(k('big-list'), ...many(300, (i) => [`item-${i}`]));
  await client.hset(k('hash'), 'f', 'v', 'g', '2');
  await client.hset(k('big-hash'), ...many(300, (i) => [`field-${i}`, `value-${i}`]));
  await client.sadd(k('intset'), '1', '2', '3');
  await client.sadd(k('set'), ...many(300, (i) => [`member-${i}`]));
  await client.zadd(k('zset'), '1', 'a', '2.5', 'b');
  await client.zadd(k('big-zset'), ...many(300, (i) => [String(i / 3), `m-${i}`]));
  await client.xadd(k('stream'), '1-1', 'f', 'v');
  await client.xadd(k('stream'), '2-1', 'f', 'w', 'g', 'x');
  await client.xgroup('CREATE', k('stream'), 'group', '0');
  await client.xreadgroup('GROUP', 'group', 'consumer', 'COUNT', '1', 'STREAMS', k('stream'), '>');
  await client.geoadd(k('geo'), '13.361389', '38.115556', 'Palermo');
  await client.pfadd(k('hll'), 'a', 'b', 'c');
  for (const name of ['str', 'list', 'hash', 'zset', 'stream']) await client.pexpire(k(name), 600_000);
  return ['str', 'int', 'big-str', 'list', 'big-list', 'hash', 'big-hash', 'intset', 'set', 'zset', 'big-zset', 'stream', 'geo', 'hll'].map(k);
}

async function digests(client: Redis, keys: string[]): Promise<string[]> {
  return (await client.call('DEBUG', 'DIGEST-VALUE', ...keys)) as string[];
}

/**
 * Moves a full dataset with one MIGRATE ... KEYS into db 5 of the target and checks that the
 * values are equal there, gone here, and their TTLs kept.
 */
async function moveDataset(source: Redis, target: Redis, targetPort: number, prefix: string): Promise<void> {
  const keys = await writeDataset(source, prefix);
  const before = await digests(source, keys);
  const ttlsBefore = await Promise.all(keys.map((key) => source.pttl(key)));
  expect(await source.call('MIGRATE', HOST, String(targetPort), '', '5', '5000', 'KEYS', ...keys)).toBe('OK');
  expect(await source.exists(...keys)).toBe(0);
  await target.select(5);
  expect(await digests(target, keys)).toEqual(before);
  const ttlsAfter = await Promise.all(keys.map((key) => target.pttl(key)));
  for (let i = 0; i < keys.length; i++) {
    if (ttlsBefore[i] === -1) {
      expect(ttlsAfter[i], keys[i]).toBe(-1);
    } else {
      expect(ttlsAfter[i], keys[i]).toBeGreaterThan(0);
      expect(ttlsAfter[i], keys[i]).toBeLessThanOrEqual(ttlsBefore[i]);
    }
  }
  await target.select(0);
}

function cachedSockets(info: string): number {
  const match = /migrate_cached_sockets:(\d+)/.exec(info);
  if (match === null) throw new Error('no migrate_cached_sockets in INFO');
  return Number(match[1]);
}

/** The calls of one command in INFO commandstats (0 when never called). */
function callsOf(info: string, command: string): number {
  const match = new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(info);
  return match === null ? 0 : Number(match[1]);
}

/**
 * A target in this process that accepts connections and never answers (the kernel accepts them
 * even while an in-process source blocks this process); it counts the connections it accepted.
 */
class FakeTarget {
  accepted = 0;
  private readonly sockets = new Set<net.Socket>();

  private constructor(private readonly server: net.Server) {}

  static async start(): Promise<FakeTarget> {
    const server = net.createServer();
    const target = new FakeTarget(server);
    server.on('connection', (socket) => {
      target.accepted++;
      target.sockets.add(socket);
      socket.on('error', () => socket.destroy());
      socket.on('close', () => target.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
    return target;
  }

  get port(): number {
    const address = this.server.address();
    if (address === null || typeof address === 'string') throw new Error('not listening');
    return address.port;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** A target in a child process that closes every connection at once; it reports each one. */
class HangUpTarget {
  accepted = 0;

  private constructor(private readonly child: ChildProcess, readonly port: number) {}

  static async start(): Promise<HangUpTarget> {
    const code = `const s = require('net').createServer((c) => { process.stdout.write('accepted\\n'); c.destroy(); });
      s.listen(0, '${HOST}', () => process.stdout.write('port ' + s.address().port + '\\n'));`;
    const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    let target: HangUpTarget | null = null;
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (target !== null) target.accepted = output.split('accepted').length - 1;
    });
    await waitFor(() => /port \d+/.test(output), 10_000, 'the hang-up target to listen');
    target = new HangUpTarget(child, Number(/port (\d+)/.exec(output)?.[1]));
    return target;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGKILL');
    await exited;
  }
}

describe('MIGRATE between two cinnabar servers', () => {
  let source: RunningServerInternal;
  let target: CinnabarProcess;
  let guarded: CinnabarProcess;
  let src: Redis;
  let dst: Redis;

  beforeAll(async () => {
    [source, target, guarded] = await Promise.all([
      startCinnabar({ 'enable-debug-command': 'yes' }),
      spawnCinnabar(['--enable-debug-command', 'yes', '--save', '']),
      spawnCinnabar(['--requirepass', 'secret', '--save', '']),
    ]);
    [src, dst] = await Promise.all([connectIoredis(source.port, 2), connectIoredis(target.port, 2)]);
  });
  afterAll(async () => {
    src?.disconnect();
    dst?.disconnect();
    await Promise.all([source?.close(), target?.stop(), guarded?.stop()]);
  });

  it('moves every type with its TTL; the values are equal on the target', async () => {
    await moveDataset(src, dst, target.port, 'cc:');
  });

  it('COPY keeps the key here; an existing key on the target needs REPLACE', async () => {
    await src.rpush('copied', 'a', 'b');
    const port = String(target.port);
    expect(await src.call('MIGRATE', HOST, port, 'copied', '0', '5000', 'COPY')).toBe('OK');
    expect(await src.lrange('copied', 0, -1)).toEqual(['a', 'b']);
    expect(await dst.lrange('copied', 0, -1)).toEqual(['a', 'b']);
    await src.rpush('copied', 'c');
    await expect(src.call('MIGRATE', HOST, port, 'copied', '0', '5000', 'COPY'))
      .rejects.toThrow(/^ERR Target instance replied with error: BUSYKEY Target key name already exists\.$/);
    expect(await src.call('MIGRATE', HOST, port, 'copied', '0', '5000', 'copy', 'replace')).toBe('OK');
    expect(await dst.lrange('copied', 0, -1)).toEqual(['a', 'b', 'c']);
    expect(await src.exists('copied')).toBe(1);
    expect(await src.call('MIGRATE', HOST, port, 'copied', '0', '5000', 'REPLACE')).toBe('OK');
    expect(await src.exists('copied')).toBe(0);
  });

  it('KEYS moves the keys that exist, each deleted with a "del" event; NOKEY when none does', async () => {
    const port = String(target.port);
    expect(await src.call('MIGRATE', HOST, port, 'nothing-here', '0', '5000')).toBe('NOKEY');
    expect(await src.call('MIGRATE', HOST, port, '', '0', '5000', 'KEYS', 'none-1', 'none-2')).toBe('NOKEY');
    await src.mset('k1', '1', 'k2', '2');
    await src.config('SET', 'notify-keyspace-events', 'KEg');
    const events = await EventCollector.start(source.port, { pattern: '__keyevent@0__:*' });
    try {
      const seen = await events.during(async () => {
        expect(await src.call('MIGRATE', HOST, port, '', '0', '5000', 'KEYS', 'none-1', 'k1', 'none-2', 'k2')).toBe('OK');
      });
      expect(seen).toEqual(['del k1', 'del k2']);
    } finally {
      await events.close();
      await src.config('SET', 'notify-keyspace-events', '');
    }
    expect(await src.exists('k1', 'k2')).toBe(0);
    expect(await dst.mget('k1', 'k2')).toEqual(['1', '2']);
  });

  it('refuses bad arguments with Redis\'s errors before connecting anywhere', async () => {
    await src.set('arg-key', 'v');
    const port = String(target.port);
    const cases: Array<[string[], string]> = [
      [[HOST, port, 'arg-key', '0', '5000', 'KEYS', 'a'], 'ERR When using MIGRATE KEYS option, the key argument must be set to the empty string'],
      [[HOST, port, 'arg-key', '0', '5000', 'AUTH'], 'ERR syntax error'],
      [[HOST, port, 'arg-key', '0', '5000', 'AUTH2', 'user'], 'ERR syntax error'],
      [[HOST, port, 'arg-key', '0', '5000', 'MOVE'], 'ERR syntax error'],
      // Options are read before the numbers.
      [[HOST, port, 'arg-key', 'x', 'y', 'MOVE'], 'ERR syntax error'],
      [[HOST, port, 'arg-key', '0', 'soon'], 'ERR value is not an integer or out of range'],
      [[HOST, port, 'arg-key', 'first', '5000'], 'ERR value is not an integer or out of range'],
    ];
    const raw = await RawConnection.connect(source.port);
    try {
      for (const [args, error] of cases) expect(await raw.call('MIGRATE', ...args), args.join(' ')).toBe(`-${error}\r\n`);
      expect(await raw.call('MIGRATE', HOST, port, 'arg-key')).toBe('-ERR wrong number of arguments for \'migrate\' command\r\n');
    } finally {
      raw.close();
    }
    expect(await src.get('arg-key')).toBe('v');
  });

  it('passes the target\'s errors back, and a connection it cannot make is IOERR', async () => {
    await src.set('err-key', 'v');
    await expect(src.call('MIGRATE', HOST, String(target.port), 'err-key', '100000', '5000'))
      .rejects.toThrow(/^ERR Target instance replied with error: ERR DB index is out of range$/);
    const closed = await FakeTarget.start();
    const port = closed.port;
    await closed.close();
    await expect(src.call('MIGRATE', HOST, String(port), 'err-key', '0', '1000')).rejects.toThrow(/^IOERR error or timeout connecting to the client$/);
    expect(await src.get('err-key')).toBe('v');
  });

  it('AUTH and AUTH2 authenticate on the target; a wrong password is the target\'s error', async () => {
    await src.mset('a1', '1', 'a2', '2', 'a3', '3');
    const port = String(guarded.port);
    await expect(src.call('MIGRATE', HOST, port, 'a1', '0', '5000'))
      .rejects.toThrow(/^ERR Target instance replied with error: NOAUTH Authentication required\.$/);
    await expect(src.call('MIGRATE', HOST, port, 'a1', '0', '5000', 'AUTH', 'wrong'))
      .rejects.toThrow(/^ERR Target instance replied with error: WRONGPASS invalid username-password pair or user is disabled\.$/);
    expect(await src.call('MIGRATE', HOST, port, 'a1', '0', '5000', 'AUTH', 'secret')).toBe('OK');
    expect(await src.call('MIGRATE', HOST, port, '', '0', '5000', 'AUTH2', 'default', 'secret', 'KEYS', 'a2', 'a3')).toBe('OK');
    expect(await src.exists('a1', 'a2', 'a3')).toBe(0);
    const guardedClient = await connectIoredis(guarded.port, 2);
    try {
      await guardedClient.auth('secret');
      expect(await guardedClient.mget('a1', 'a2', 'a3')).toEqual(['1', '2', '3']);
    } finally {
      guardedClient.disconnect();
    }
    // The passwords never reach the slow log.
    await src.config('SET', 'slowlog-log-slower-than', '0');
    await src.set('a4', '4');
    await src.call('MIGRATE', HOST, port, '', '0', '5000', 'AUTH2', 'default', 'secret', 'KEYS', 'a4');
    await src.config('SET', 'slowlog-log-slower-than', '10000');
    const log = JSON.stringify(await src.call('SLOWLOG', 'GET', '5'));
    expect(log).toContain('(redacted)');
    expect(log).not.toContain('secret');
  });

  it('MIGRATE inside MULTI/EXEC and from a script runs like any command', async () => {
    const port = String(target.port);
    const results = await src.multi().set('in-multi', 'm').call('MIGRATE', HOST, port, 'in-multi', '6', '5000').exists('in-multi').exec();
    expect(results?.map(([err, value]) => err ?? value)).toEqual(['OK', 'OK', 0]);
    await src.set('in-script', 's');
    expect(await src.eval(`return redis.call('MIGRATE', ARGV[1], ARGV[2], KEYS[1], '6', '5000')`, 1, 'in-script', HOST, port)).toBe('OK');
    await dst.select(6);
    expect(await dst.mget('in-multi', 'in-script')).toEqual(['m', 's']);
    await dst.select(0);
  });

  it('reuses the cached connection, SELECTs only when the db changes, and survives its loss', async () => {
    const port = String(target.port);
    await src.mset('c1', '1', 'c2', '2', 'c3', '3', 'c4', '4');
    await dst.config('RESETSTAT');
    const migrated = async (key: string, db: string): Promise<void> => {
      expect(await src.call('MIGRATE', HOST, port, key, db, '5000')).toBe('OK');
    };
    const sourceConnections = async (): Promise<string[]> => {
      const list = (await dst.client('LIST')) as string;
      return list.split('\n').filter((line) => line.includes('cmd=restore') || line.includes('cmd=select'));
    };
    const idOf = (line: string): string => /^id=(\d+)/.exec(line)?.[1] ?? 'none';
    await migrated('c1', '7');
    const first = await sourceConnections();
    expect(first).toHaveLength(1);
    await migrated('c2', '7');
    expect((await sourceConnections()).map(idOf)).toEqual([idOf(first[0])]);
    expect(cachedSockets(await src.info('stats'))).toBeGreaterThanOrEqual(1);
    let stats = await dst.info('commandstats');
    expect(callsOf(stats, 'restore')).toBe(2);
    expect(callsOf(stats, 'select')).toBe(1);
    await migrated('c3', '8');
    stats = await dst.info('commandstats');
    expect(callsOf(stats, 'select')).toBe(2);

    // The target drops the connection: the next MIGRATE finds it dead and retries on a new one.
    expect(await dst.client('KILL', 'ID', idOf(first[0]))).toBe(1);
    await migrated('c4', '8');
    expect(await dst.exists('c4')).toBe(0);
    await dst.select(8);
    expect(await dst.get('c4')).toBe('4');
    await dst.select(0);
  });

  it('the cron closes a connection unused for more than 10 seconds', async () => {
    await src.set('idle-key', 'v');
    expect(await src.call('MIGRATE', HOST, String(target.port), 'idle-key', '0', '5000')).toBe('OK');
    expect(cachedSockets(await src.info('stats'))).toBeGreaterThan(0);
    const start = Date.now();
    await waitFor(async () => cachedSockets(await src.info('stats')) === 0, 15_000, 'the idle connection to close');
    expect(Date.now() - start).toBeGreaterThanOrEqual(9000);
  }, 25_000);

  it('a target that never answers times out with Redis\'s error, once, and the keys stay', async () => {
    const silent = await FakeTarget.start();
    try {
      await src.mset('t1', '1', 't2', '2');
      const started = Date.now();
      await expect(src.call('MIGRATE', HOST, String(silent.port), '', '0', '300', 'KEYS', 't1', 't2'))
        .rejects.toThrow(/^IOERR error or timeout reading to target instance$/);
      expect(Date.now() - started).toBeGreaterThanOrEqual(290);
      // A timeout is not retried: one connection reached the target (accepted once this
      // process runs again, with any other queued behind it in the same accept loop).
      await waitFor(() => silent.accepted > 0, 5000, 'the connection to be accepted');
      expect(silent.accepted).toBe(1);
      expect(await src.mget('t1', 't2')).toEqual(['1', '2']);
    } finally {
      await silent.close();
    }
  });

  it('a target that stops reading makes the write time out: IOERR ... writing, the key stays', async () => {
    const silent = await FakeTarget.start();
    try {
      // More than the kernel buffers of both ends hold, so the write cannot finish (random
      // bytes: LZF would shrink anything regular to nothing; not compressed, which is slow).
      await src.config('SET', 'rdbcompression', 'no');
      await src.set('huge', randomBytes(HUGE_BYTES));
      const cachedBefore = cachedSockets(await src.info('stats'));
      await expect(src.call('MIGRATE', HOST, String(silent.port), 'huge', '0', '300'))
        .rejects.toThrow(/^IOERR error or timeout writing to target instance$/);
      expect(await src.strlen('huge')).toBe(HUGE_BYTES);
      // The failed connection is not kept.
      expect(cachedSockets(await src.info('stats'))).toBe(cachedBefore);
    } finally {
      await src.del('huge');
      await src.config('SET', 'rdbcompression', 'yes');
      await silent.close();
    }
  });

  it('a target that hangs up is retried once on a new connection, then reported', async () => {
    // In another process: this one is blocked while the MIGRATE runs.
    const rude = await HangUpTarget.start();
    try {
      await src.set('h1', '1');
      await expect(src.call('MIGRATE', HOST, String(rude.port), 'h1', '0', '5000')).rejects.toThrow(/^IOERR error or timeout (reading|writing) to target instance$/);
      await waitFor(() => rude.accepted >= 2, 5000, 'both connections to be reported');
      expect(rude.accepted).toBe(2);
      expect(await src.get('h1')).toBe('1');
    } finally {
      await rude.stop();
    }
  });
});

describe('MIGRATE holds every other client until it has finished', () => {
  let source: CinnabarProcess;

  beforeAll(async () => {
    source = await spawnCinnabar(['--save', '']);
  });
  afterAll(async () => {
    await source?.stop();
  });

  it('a write sent meanwhile runs after the key has moved, not between the DUMP and the delete', async () => {
    // A target that answers (the SELECT and the RESTORE) only after the test has sent its write
    // to the source.
    let releaseTarget: () => void = () => undefined;
    let sawRestore: () => void = () => undefined;
    const restoreSeen = new Promise<void>((resolve) => { sawRestore = resolve; });
    const accepted: net.Socket[] = [];
    const server = net.createServer((socket) => {
      accepted.push(socket);
      let received = '';
      socket.on('data', (chunk: Buffer) => {
        received += chunk.toString('latin1');
        if (!received.includes('RESTORE')) return;
        sawRestore();
        releaseTarget = () => socket.write('+OK\r\n+OK\r\n');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('not listening');
    const [migrating, writer] = await Promise.all([RawConnection.connect(source.port), RawConnection.connect(source.port)]);
    try {
      expect(await migrating.call('SET', 'moving', 'old')).toBe('+OK\r\n');
      migrating.send('MIGRATE', HOST, String(address.port), 'moving', '0', '10000');
      await restoreSeen;
      writer.send('SET', 'moving', 'new');
      writer.send('PING');
      // Nothing can be awaited here: this is the window in which a server that did not hold
      // its other clients would run the SET (and then delete its value with the MIGRATE).
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(writer.pending).toBe('');
      releaseTarget();
      expect(await migrating.readReply()).toBe('+OK\r\n');
      expect(await writer.readReply()).toBe('+OK\r\n');
      expect(await writer.readReply()).toBe('+PONG\r\n');
      expect(await writer.call('GET', 'moving')).toBe('$3\r\nnew\r\n');
    } finally {
      migrating.close();
      writer.close();
      // The source keeps its connection cached: closed here, or close() would wait for it.
      for (const socket of accepted) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

const describeReference = referenceAvailable ? describe : describe.skip;

describeReference('MIGRATE with redis-server 7.0', () => {
  let ours: RunningServerInternal;
  let theirs: ReferenceServer;
  let guardedTheirs: ReferenceServer;
  let oursClient: Redis;
  let theirsClient: Redis;

  beforeAll(async () => {
    [ours, theirs, guardedTheirs] = await Promise.all([
      startCinnabar({ 'enable-debug-command': 'yes' }),
      startReferenceServer(),
      startReferenceServer(['--requirepass', 'secret']),
    ]);
    [oursClient, theirsClient] = await Promise.all([connectIoredis(ours.port, 2), connectIoredis(theirs.port, 2)]);
  });
  afterAll(async () => {
    oursClient?.disconnect();
    theirsClient?.disconnect();
    await Promise.all([ours?.close(), theirs?.stop(), guardedTheirs?.stop()]);
  });

  it('cinnabar -> redis-server: the values are equal there', async () => {
    await moveDataset(oursClient, theirsClient, theirs.port, 'to-redis:');
  });

  it('redis-server -> cinnabar: the values are equal here', async () => {
    await moveDataset(theirsClient, oursClient, ours.port, 'from-redis:');
  });

  it('AUTH against redis-server, and its errors passed back', async () => {
    await oursClient.mset('r1', '1', 'r2', '2');
    const port = String(guardedTheirs.port);
    await expect(oursClient.call('MIGRATE', HOST, port, 'r1', '0', '5000', 'AUTH', 'wrong'))
      .rejects.toThrow(/^ERR Target instance replied with error: WRONGPASS invalid username-password pair or user is disabled\.$/);
    expect(await oursClient.call('MIGRATE', HOST, port, '', '0', '5000', 'AUTH', 'secret', 'KEYS', 'r1', 'r2')).toBe('OK');
    expect(await oursClient.exists('r1', 'r2')).toBe(0);
  });
});

describeReference('MIGRATE propagates as redis-server 7.0 does', () => {
  const pair = PropagationPair.register();
  let target: ReferenceServer;
  let oursClient: Redis;
  let theirsClient: Redis;

  beforeAll(async () => {
    target = await startReferenceServer();
    [oursClient, theirsClient] = await Promise.all([connectIoredis(pair.ours.port, 2), connectIoredis(pair.theirs.port, 2)]);
    // Keys expire only when MIGRATE looks them up (the pair's cinnabar refuses DEBUG).
    pair.ours.server.keyspace.activeExpireEnabled = false;
    await theirsClient.call('DEBUG', 'SET-ACTIVE-EXPIRE', '0');
  });
  afterAll(async () => {
    oursClient?.disconnect();
    theirsClient?.disconnect();
    await target?.stop();
  });

  /** Runs the same commands on both sides (ours migrating into db 1 of the target, theirs into db 2). */
  async function both(name: string, commands: (db: string) => string[][], expected?: string[][]): Promise<void> {
    for (const [client, db] of [[oursClient, '1'], [theirsClient, '2']] as const) {
      // Some cases end in an error reply (the target refusing a key): the stream is what counts.
      for (const argv of commands(db)) await client.call(argv[0], ...argv.slice(1)).catch((err: unknown) => err);
    }
    const { ours, theirs } = await pair.propagatedUntilMarker(name);
    expect(ours, name).toEqual(theirs);
    if (expected !== undefined) expect(theirs.slice(0, -1), name).toEqual(expected);
  }

  const migrate = (db: string, key: string, ...rest: string[]): string[] => ['MIGRATE', HOST, String(target.port), key, db, '5000', ...rest];

  it('the moved keys as one DEL; nothing with COPY', async () => {
    await both('one', (db) => [['SET', 'p1', 'v'], migrate(db, 'p1')], [['SET', 'p1', 'v'], ['DEL', 'p1']]);
    await both('keys', (db) => [['MSET', 'p2', 'v', 'p3', 'v'], migrate(db, '', 'KEYS', 'p2', 'missing', 'p3')], [['MSET', 'p2', 'v', 'p3', 'v'], ['DEL', 'p2', 'p3']]);
    await both('copy', (db) => [['SET', 'p4', 'v'], migrate(db, 'p4', 'COPY')], [['SET', 'p4', 'v']]);
  });

  it('only what the target acknowledged; a key named twice twice', async () => {
    await both('partial', (db) => [['MSET', 'p5', 'v', 'p6', 'v'], migrate(db, '', 'KEYS', 'p5', 'p6', 'p5')], [['MSET', 'p5', 'v', 'p6', 'v'], ['DEL', 'p5', 'p6']]);
    await both('twice', (db) => [['SET', 'p7', 'v'], migrate(db, '', 'REPLACE', 'KEYS', 'p7', 'p7')], [['SET', 'p7', 'v'], ['DEL', 'p7', 'p7']]);
  });

  it('keys found expired on the way, and MIGRATE inside MULTI/EXEC', async () => {
    const deadline = Date.now() + 50;
    await both('expired', () => [['MSET', 'p8', 'v', 'p9', 'v'], ['PEXPIREAT', 'p8', String(deadline)]]);
    await waitFor(() => Date.now() > deadline + 5, 1000, 'the deadline of p8 to pass');
    await both('expired-migrate', (db) => [migrate(db, '', 'KEYS', 'p8', 'p9')], [['MULTI'], ['DEL', 'p8'], ['DEL', 'p9'], ['EXEC']]);
    await both('multi', (db) => [['MULTI'], ['SET', 'p10', 'v'], migrate(db, 'p10'), ['EXEC']], [['MULTI'], ['SET', 'p10', 'v'], ['DEL', 'p10'], ['EXEC']]);
  });
});
