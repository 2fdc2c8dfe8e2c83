import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import type { Db } from '../../src/store/db.js';
import type { RawConnection } from '../helpers/resp.js';
import { withServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

const NULL_ARRAY = { 2: '*-1\r\n', 3: '_\r\n' } as const;

describe('transactions', () => {
  const server = withServer();
  const connect = (resp: 2 | 3 = 2): Promise<RawConnection> => server.connect(resp);

  afterEach(() => {
    for (const db of server.running.server.keyspace.dbs) db.flush();
    server.running.server.keyspace.activeExpireEnabled = true;
  });

  /** Runs a sequence and returns every reply. */
  async function run(c: RawConnection, ...commands: string[][]): Promise<string[]> {
    const out: string[] = [];
    for (const cmd of commands) out.push(await c.call(...cmd));
    return out;
  }

  const db0 = (): Db => server.db();

  for (const resp of [2, 3] as const) {
    it(`queues commands and runs them on EXEC (RESP${resp})`, async () => {
      const c = await connect(resp);
      expect(await run(c, ['MULTI'], ['SET', 'a', '1'], ['INCR', 'a'], ['GET', 'a'], ['GET', 'missing'])).toEqual(
        ['+OK\r\n', '+QUEUED\r\n', '+QUEUED\r\n', '+QUEUED\r\n', '+QUEUED\r\n']);
      expect(await c.call('EXEC')).toBe(`*4\r\n+OK\r\n:2\r\n$1\r\n2\r\n${resp === 3 ? '_' : '$-1'}\r\n`);
      // An empty transaction is an empty array.
      expect(await run(c, ['MULTI'], ['EXEC'])).toEqual(['+OK\r\n', '*0\r\n']);
    });

    it(`EXEC on a touched WATCH replies a null array (RESP${resp})`, async () => {
      const c = await connect(resp);
      const other = await connect();
      await run(c, ['SET', 'w', '1'], ['WATCH', 'w']);
      await other.call('SET', 'w', '2');
      expect(await run(c, ['MULTI'], ['SET', 'w', '3'], ['EXEC'])).toEqual(['+OK\r\n', '+QUEUED\r\n', NULL_ARRAY[resp]]);
      expect(await c.call('GET', 'w')).toBe('$1\r\n2\r\n');
    });
  }

  it('refuses misuse with Redis error texts, without ending the transaction', async () => {
    const c = await connect();
    expect(await c.call('EXEC')).toBe('-ERR EXEC without MULTI\r\n');
    expect(await c.call('DISCARD')).toBe('-ERR DISCARD without MULTI\r\n');
    expect(await c.call('MULTI')).toBe('+OK\r\n');
    expect(await c.call('MULTI')).toBe('-ERR MULTI calls can not be nested\r\n');
    expect(await c.call('WATCH', 'x')).toBe('-ERR WATCH inside MULTI is not allowed\r\n');
    expect(await c.call('SET', 'x', '1')).toBe('+QUEUED\r\n');
    expect(await c.call('EXEC')).toBe('*1\r\n+OK\r\n');
  });

  it('DISCARD drops the queue', async () => {
    const c = await connect();
    expect(await run(c, ['MULTI'], ['SET', 'd', '1'], ['DISCARD'], ['GET', 'd'], ['EXEC'])).toEqual(
      ['+OK\r\n', '+QUEUED\r\n', '+OK\r\n', '$-1\r\n', '-ERR EXEC without MULTI\r\n']);
  });

  it('aborts with EXECABORT after a queue-time error, and leaves MULTI', async () => {
    const c = await connect();
    expect(await run(c, ['MULTI'], ['SET', 'e', '1'], ['NOSUCHCMD'], ['SET', 'e'])).toEqual([
      '+OK\r\n', '+QUEUED\r\n',
      "-ERR unknown command 'NOSUCHCMD', with args beginning with: \r\n",
      "-ERR wrong number of arguments for 'set' command\r\n",
    ]);
    expect(await c.call('EXEC')).toBe('-EXECABORT Transaction discarded because of previous errors.\r\n');
    expect(await c.call('GET', 'e')).toBe('$-1\r\n');
    expect(await c.call('EXEC')).toBe('-ERR EXEC without MULTI\r\n');
  });

  it('aborts the transaction when EXEC itself is refused', async () => {
    const c = await connect();
    await run(c, ['MULTI'], ['SET', 'r', '1']);
    expect(await c.call('EXEC', 'extra')).toBe(
      "-EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' command\r\n");
    expect(await c.call('EXEC')).toBe('-ERR EXEC without MULTI\r\n');
    expect(await c.call('GET', 'r')).toBe('$-1\r\n');
  });

  it('does not roll back commands that fail at run time', async () => {
    const c = await connect();
    await c.call('SET', 's', 'abc');
    expect(await run(c, ['MULTI'], ['INCR', 's'], ['SET', 't', '1'])).toEqual(['+OK\r\n', '+QUEUED\r\n', '+QUEUED\r\n']);
    expect(await c.call('EXEC')).toBe('*2\r\n-ERR value is not an integer or out of range\r\n+OK\r\n');
    expect(await c.call('GET', 't')).toBe('$1\r\n1\r\n');
  });

  it('WATCH: untouched keys let EXEC run; the watcher\'s own write also counts', async () => {
    const c = await connect();
    await run(c, ['SET', 'x', '30'], ['WATCH', 'x', 'y', 'z']);
    expect(await run(c, ['MULTI'], ['PING'], ['EXEC'])).toEqual(['+OK\r\n', '+QUEUED\r\n', '*1\r\n+PONG\r\n']);
    // After EXEC nothing is watched any more.
    await c.call('SET', 'x', '40');
    expect(await run(c, ['MULTI'], ['PING'], ['EXEC'])).toEqual(['+OK\r\n', '+QUEUED\r\n', '*1\r\n+PONG\r\n']);
    await run(c, ['WATCH', 'x'], ['SET', 'x', '50']);
    expect(await run(c, ['MULTI'], ['PING'], ['EXEC'])).toEqual(['+OK\r\n', '+QUEUED\r\n', '*-1\r\n']);
    // ...and a failed EXEC unwatches too.
    await c.call('SET', 'x', '60');
    expect(await run(c, ['MULTI'], ['PING'], ['EXEC'])).toEqual(['+OK\r\n', '+QUEUED\r\n', '*1\r\n+PONG\r\n']);
  });

  it('UNWATCH and DISCARD clear the dirty flag and the watches', async () => {
    const c = await connect();
    expect(await c.call('UNWATCH')).toBe('+OK\r\n');
    await run(c, ['WATCH', 'x'], ['SET', 'x', '1'], ['UNWATCH']);
    expect(await run(c, ['MULTI'], ['PING'], ['EXEC'])).toEqual(['+OK\r\n', '+QUEUED\r\n', '*1\r\n+PONG\r\n']);
    await run(c, ['WATCH', 'x'], ['SET', 'x', '10'], ['MULTI'], ['DISCARD']);
    await c.call('SET', 'x', '10');
    expect(await run(c, ['MULTI'], ['INCR', 'x'], ['EXEC'])).toEqual(['+OK\r\n', '+QUEUED\r\n', '*1\r\n:11\r\n']);
    expect(server.running.server.watchedKeyCount).toBe(0);
  });

  it('WATCH remembers the database of the key', async () => {
    const c = await connect();
    await run(c, ['SELECT', '5'], ['SET', 'x', '30'], ['WATCH', 'x'], ['SELECT', '1'], ['SET', 'x', '10'], ['SELECT', '5']);
    expect(await run(c, ['MULTI'], ['PING'], ['EXEC'])).toEqual(['+OK\r\n', '+QUEUED\r\n', '*1\r\n+PONG\r\n']);
  });

  it('a watched key past its deadline fails EXEC even before anything removes it', async () => {
    server.running.server.keyspace.activeExpireEnabled = false;
    const c = await connect();
    await c.call('SET', 'k', '1');
    db0().setExpire('k', Date.now() + 30);
    await c.call('WATCH', 'k');
    await waitFor(() => db0().isExpired('k'));
    expect(await run(c, ['MULTI'], ['PING'], ['EXEC'])).toEqual(['+OK\r\n', '+QUEUED\r\n', '*-1\r\n']);
  });

  it('a key already stale when watched does not fail EXEC, nor does its deletion', async () => {
    server.running.server.keyspace.activeExpireEnabled = false;
    const c = await connect();
    await c.call('SET', 'stale', 'foo');
    db0().setExpire('stale', Date.now() - 1000);
    await c.call('WATCH', 'stale');
    expect(await run(c, ['MULTI'], ['PING'], ['EXEC'])).toEqual(['+OK\r\n', '+QUEUED\r\n', '*1\r\n+PONG\r\n']);

    await c.call('SET', 'stale', 'foo');
    db0().setExpire('stale', Date.now() - 1000);
    await c.call('WATCH', 'stale');
    // A read lazily deletes it: logically nothing changed for the watcher.
    expect(await c.call('GET', 'stale')).toBe('$-1\r\n');
    expect(await run(c, ['MULTI'], ['PING'], ['EXEC'])).toEqual(['+OK\r\n', '+QUEUED\r\n', '*1\r\n+PONG\r\n']);

    // But once deleted, re-creating it is a change.
    await c.call('SET', 'stale', 'foo');
    db0().setExpire('stale', Date.now() - 1000);
    await c.call('WATCH', 'stale');
    await c.call('GET', 'stale');
    await c.call('SET', 'stale', 'new');
    expect(await run(c, ['MULTI'], ['PING'], ['EXEC'])).toEqual(['+OK\r\n', '+QUEUED\r\n', '*-1\r\n']);
  });

  it('an expiry performed by the server touches the watchers', async () => {
    const c = await connect();
    await c.call('SET', 'x', 'foo');
    db0().setExpire('x', Date.now() + 20);
    await c.call('WATCH', 'x');
    await waitFor(() => db0().size === 0);
    expect(await run(c, ['MULTI'], ['PING'], ['EXEC'])).toEqual(['+OK\r\n', '+QUEUED\r\n', '*-1\r\n']);
  });

  describe('flushes and swaps (the registry rules behind FLUSHDB, FLUSHALL and SWAPDB)', () => {
    async function watchThenExec(c: RawConnection, dbIndex: number, key: string, act: () => void): Promise<string> {
      await c.call('SELECT', String(dbIndex));
      await c.call('WATCH', key);
      act();
      await c.call('MULTI');
      await c.call('PING');
      return c.call('EXEC');
    }
    const srv = (): typeof server.running.server => server.running.server;
    const flushDb = (i: number): void => { srv().events.signalFlushedDb(i); srv().keyspace.dbs[i].flush(); };
    const flushAll = (): void => { srv().events.signalFlushedDb(-1); for (const d of srv().keyspace.dbs) d.flush(); };
    const swap = (a: number, b: number): void => {
      srv().events.signalSwappedDb(a, b);
      srv().keyspace.dbs[a].swapContents(srv().keyspace.dbs[b]);
    };
    const stale = (i: number, key: string): void => {
      srv().keyspace.dbs[i].set(key, 'v');
      srv().keyspace.dbs[i].setExpire(key, Date.now() - 1000);
    };

    it('a flush touches watched keys that existed, and only those', async () => {
      const c = await connect();
      srv().keyspace.dbs[0].set('x', '30');
      expect(await watchThenExec(c, 0, 'x', () => flushAll())).toBe('*-1\r\n');
      expect(await watchThenExec(c, 0, 'x', () => flushAll())).toBe('*1\r\n+PONG\r\n');
      srv().keyspace.dbs[0].set('x', '30');
      expect(await watchThenExec(c, 0, 'x', () => flushDb(0))).toBe('*-1\r\n');
      srv().keyspace.dbs[0].set('x', '30');
      expect(await watchThenExec(c, 0, 'x', () => flushDb(1))).toBe('*1\r\n+PONG\r\n');
    });

    it('flushing a watched stale key is no change', async () => {
      srv().keyspace.activeExpireEnabled = false;
      const c = await connect();
      stale(0, 'x');
      expect(await watchThenExec(c, 0, 'x', () => flushDb(0))).toBe('*1\r\n+PONG\r\n');
    });

    it('SWAPDB touches keys that exist on either side, but not stale-for-nothing swaps', async () => {
      srv().keyspace.activeExpireEnabled = false;
      const c = await connect();
      srv().keyspace.dbs[0].set('x', '30');
      expect(await watchThenExec(c, 0, 'x', () => swap(0, 1))).toBe('*-1\r\n');
      flushAll();
      srv().keyspace.dbs[1].set('x', '30');
      expect(await watchThenExec(c, 0, 'x', () => swap(0, 1))).toBe('*-1\r\n');
      flushAll();
      stale(1, 'x');
      expect(await watchThenExec(c, 1, 'x', () => swap(0, 1))).toBe('*1\r\n+PONG\r\n');
      flushAll();
      stale(0, 'x');
      expect(await watchThenExec(c, 1, 'x', () => swap(0, 1))).toBe('*1\r\n+PONG\r\n');
      flushAll();
      stale(0, 'x');
      stale(1, 'x');
      expect(await watchThenExec(c, 1, 'x', () => swap(0, 1))).toBe('*1\r\n+PONG\r\n');
    });

    for (const [name, args] of [['flushdb', ['FLUSHDB']], ['flushall', ['FLUSHALL']], ['swapdb', ['SWAPDB', '0', '1']]] as const) {
      it(`${name.toUpperCase()} over the wire touches a watched key (when the command exists)`, async () => {
        if (!server.running.server.commands.has(name)) return;
        const c = await connect();
        const other = await connect();
        await c.call('SET', 'x', '1');
        await c.call('WATCH', 'x');
        await other.call(...args);
        expect(await run(c, ['MULTI'], ['PING'], ['EXEC'])).toEqual(['+OK\r\n', '+QUEUED\r\n', '*-1\r\n']);
      });
    }
  });

  it('allows SUBSCRIBE inside a transaction but refuses SSUBSCRIBE', async () => {
    const c = await connect();
    expect(await run(c, ['MULTI'], ['SSUBSCRIBE', 'sh'], ['SUBSCRIBE', 'ch'], ['EXEC'])).toEqual([
      '+OK\r\n', '+QUEUED\r\n', '+QUEUED\r\n',
      "*2\r\n-ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client\r\n*3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n",
    ]);
    expect(await c.call('MULTI')).toBe("-ERR Can't execute 'multi': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n");
    expect(await c.call('EXEC')).toBe("-EXECABORT Transaction discarded because of: Can't execute 'exec': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n");
  });

  it('refuses commands flagged no_multi inside MULTI and dooms the transaction', async () => {
    const noMulti = [...server.running.server.commands.values()].find((cmd) => cmd.noMulti && cmd.subcommands === null);
    if (noMulti === undefined) return; // none registered yet
    const c = await connect();
    await c.call('MULTI');
    const args = [noMulti.spec.name, ...Array.from({ length: Math.max(0, Math.abs(noMulti.arity) - 1) }, () => 'x')];
    expect(await c.call(...args)).toBe('-ERR Command not allowed inside a transaction\r\n');
    expect(await c.call('EXEC')).toBe('-EXECABORT Transaction discarded because of previous errors.\r\n');
  });

  it('forgets a transaction when its client disconnects', async () => {
    const c = await connect();
    const id = Number((await c.call('CLIENT', 'ID')).slice(1, -2));
    await run(c, ['MULTI'], ['SET', 'gone', '1']);
    c.close();
    // Other connections (the fixture's) stay open: wait for this one alone to be gone.
    await waitFor(() => !server.running.server.clients.byIdMap.has(id));
    const d = await connect();
    expect(await d.call('GET', 'gone')).toBe('$-1\r\n');
  });

  it('charges an error inside EXEC to the failing command, not to EXEC (INFO commandstats)', async () => {
    const c = await connect();
    await run(c, ['HSET', 'h', 'f', 'v'], ['CONFIG', 'RESETSTAT'], ['MULTI'], ['INCR', 'h']);
    expect(await c.call('EXEC')).toBe('*1\r\n-WRONGTYPE Operation against a key holding the wrong kind of value\r\n');
    const stats = await c.call('INFO', 'commandstats');
    expect(stats).toMatch(/cmdstat_exec:calls=1,[^\r]*,rejected_calls=0,failed_calls=0\r\n/);
    expect(stats).toMatch(/cmdstat_incr:calls=1,[^\r]*,rejected_calls=0,failed_calls=1\r\n/);
  });

  it('works through ioredis multi() and watch()', async () => {
    const r = new Redis({ port: server.running.port, protocol: 3, lazyConnect: true, enableReadyCheck: false });
    const other = new Redis({ port: server.running.port, protocol: 2, lazyConnect: true, enableReadyCheck: false });
    try {
      await r.connect();
      await other.connect();
      expect(await r.multi().set('io', '1').incr('io').get('io').exec()).toEqual([[null, 'OK'], [null, 2], [null, '2']]);
      await r.watch('io');
      await other.set('io', 'changed');
      expect(await r.multi().set('io', 'mine').exec()).toBeNull();
      expect(await r.get('io')).toBe('changed');
    } finally {
      r.disconnect();
      other.disconnect();
    }
  });
});
