import { afterEach, describe, expect, it } from 'vitest';
import { PropagationLog } from '../helpers/propagation.js';
import type { RawConnection } from '../helpers/resp.js';
import { withServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

const NULL_ARRAY = { 2: '*-1\r\n', 3: '_\r\n' } as const;
const NULL_BULK = { 2: '$-1\r\n', 3: '_\r\n' } as const;

/** The RESP2 reply of BLPOP and friends: [key, element]. */
function pair(key: string, element: string): string {
  return `*2\r\n$${key.length}\r\n${key}\r\n$${element.length}\r\n${element}\r\n`;
}

function bulk(text: string): string {
  return `$${text.length}\r\n${text}\r\n`;
}

describe('blocking on keys (BLPOP and the framework)', () => {
  const server = withServer({ 'enable-debug-command': 'yes' });
  const connect = (resp: 2 | 3 = 2): Promise<RawConnection> => server.connect(resp);
  const blocked = (): number => server.running.server.blocking.blockedCount;
  const waitBlocked = (n: number): Promise<void> => waitFor(() => blocked() === n, 5000, `${n} blocked clients`);

  afterEach(async () => {
    // Closed connections leave the registry when the server sees them go.
    await waitBlocked(0);
    for (const db of server.running.server.keyspace.dbs) db.flush();
  });

  it('BLPOP answers at once from a non-empty list, else blocks until a push serves it', async () => {
    const c = await connect();
    const other = await connect();
    await other.call('RPUSH', 'l', 'a', 'b');
    expect(await c.call('BLPOP', 'missing', 'l', '0')).toBe(pair('l', 'a'));
    expect(await c.call('BRPOP', 'l', '0')).toBe(pair('l', 'b'));
    expect(await other.call('EXISTS', 'l')).toBe(':0\r\n');
    c.send('BLPOP', 'l', '0');
    await waitBlocked(1);
    expect(await other.call('RPUSH', 'l', 'x', 'y')).toBe(':2\r\n');
    expect(await c.readReply()).toBe(pair('l', 'x'));
    expect(await other.call('LRANGE', 'l', '0', '-1')).toBe('*1\r\n$1\r\ny\r\n');
  });

  it('serves waiters in the order they blocked, one element each', async () => {
    const [a, b, c] = [await connect(), await connect(), await connect()];
    const pusher = await connect();
    a.send('BRPOP', 'q', '0');
    await waitBlocked(1);
    b.send('BRPOP', 'q', '0');
    await waitBlocked(2);
    c.send('BRPOP', 'q', '0');
    await waitBlocked(3);
    await pusher.call('LPUSH', 'q', '1', '2');
    expect(await a.readReply()).toBe(pair('q', '1'));
    expect(await b.readReply()).toBe(pair('q', '2'));
    expect(blocked()).toBe(1);
    await pusher.call('LPUSH', 'q', '3');
    expect(await c.readReply()).toBe(pair('q', '3'));
    expect(await pusher.call('EXISTS', 'q')).toBe(':0\r\n');
  });

  it('a client blocked on several keys is served from the key that became ready', async () => {
    const c = await connect();
    const other = await connect();
    c.send('BLPOP', 'k1', 'k2', 'k2', 'k1', '0');
    await waitBlocked(1);
    await other.call('RPUSH', 'k2', 'v');
    expect(await c.readReply()).toBe(pair('k2', 'v'));
  });

  for (const resp of [2, 3] as const) {
    it(`a fractional timeout ends the wait with a null array (RESP${resp})`, async () => {
      const c = await connect(resp);
      const started = Date.now();
      expect(await c.call('BLPOP', 'nothing', '0.05')).toBe(NULL_ARRAY[resp]);
      expect(Date.now() - started).toBeGreaterThanOrEqual(45);
      expect(await c.call('BRPOPLPUSH', 'nothing', 'dst', '0.01')).toBe(NULL_ARRAY[resp]);
      expect(await c.call('BLMPOP', '0.01', '1', 'nothing', 'LEFT')).toBe(NULL_ARRAY[resp]);
    });

    it(`inside MULTI a blocking command answers as timed out, at once (RESP${resp})`, async () => {
      const c = await connect(resp);
      await c.call('MULTI');
      for (const cmd of [['BLPOP', 'e', '0'], ['BRPOP', 'e', '0'], ['BLMPOP', '0', '1', 'e', 'LEFT'], ['BRPOPLPUSH', 'e', 'd', '0'], ['BLMOVE', 'e', 'd', 'LEFT', 'LEFT', '0']]) {
        expect(await c.call(...cmd)).toBe('+QUEUED\r\n');
      }
      expect(await c.call('EXEC')).toBe(`*5\r\n${NULL_ARRAY[resp]}${NULL_ARRAY[resp]}${NULL_ARRAY[resp]}${NULL_BULK[resp]}${NULL_BULK[resp]}`);
      expect(blocked()).toBe(0);
    });
  }

  it('rejects bad timeouts with Redis texts, and treats a tiny negative as forever', async () => {
    const c = await connect();
    expect(await c.call('BLPOP', 'l', '-1')).toBe('-ERR timeout is negative\r\n');
    expect(await c.call('BLPOP', 'l', 'abc')).toBe('-ERR timeout is not a float or out of range\r\n');
    expect(await c.call('BLPOP', 'l', 'nan')).toBe('-ERR timeout is not a float or out of range\r\n');
    expect(await c.call('BLPOP', 'l', 'inf')).toBe('-ERR timeout is negative\r\n');
    expect(await c.call('BLPOP', 'l', '9.3e15')).toBe('-ERR timeout is negative\r\n');
    expect(await c.call('BLMOVE', 'l', 'd', 'LEFT', 'UP', '0')).toBe('-ERR syntax error\r\n');
    c.send('BLPOP', 'l', '-1e-9');
    await waitBlocked(1);
    expect(server.running.server.blocking.timedCount).toBe(0);
    c.close();
  });

  it('a timeout of 0 waits forever and is not in the timeout table', async () => {
    const c = await connect();
    const admin = await connect();
    c.send('BLPOP', 'forever', '0');
    await waitBlocked(1);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(blocked()).toBe(1);
    const info = await admin.call('INFO', 'clients');
    expect(info).toContain('blocked_clients:1\r\n');
    expect(info).toContain('clients_in_timeout_table:0\r\n');
    expect(await admin.call('CLIENT', 'LIST')).toMatch(/flags=b .*cmd=blpop/);
    await admin.call('RPUSH', 'forever', 'x');
    expect(await c.readReply()).toBe(pair('forever', 'x'));
  });

  it('pushes inside MULTI/EXEC serve only when EXEC ends, with the last state', async () => {
    const c = await connect();
    const other = await connect();
    c.send('BLPOP', 'm', '0');
    await waitBlocked(1);
    for (const cmd of [['MULTI'], ['LPUSH', 'm', 'a'], ['LPUSH', 'm', 'b'], ['LPUSH', 'm', 'c']]) await other.call(...cmd);
    expect(blocked()).toBe(1);
    await other.call('EXEC');
    expect(await c.readReply()).toBe(pair('m', 'c'));
  });

  it('a key pushed then deleted or overwritten in one transaction wakes nobody', async () => {
    const c = await connect();
    const other = await connect();
    c.send('BLPOP', 'gone', '0');
    await waitBlocked(1);
    for (const cmd of [['MULTI'], ['LPUSH', 'gone', 'a'], ['DEL', 'gone'], ['EXEC']]) await other.call(...cmd);
    for (const cmd of [['MULTI'], ['LPUSH', 'gone', 'a'], ['DEL', 'gone'], ['SET', 'gone', 'str'], ['EXEC']]) await other.call(...cmd);
    expect(blocked()).toBe(1);
    // A key of another type does not serve a list waiter, and it stays blocked.
    await other.call('SET', 'gone', 'still a string');
    expect(blocked()).toBe(1);
    await other.call('DEL', 'gone');
    await other.call('LPUSH', 'gone', 'b');
    expect(await c.readReply()).toBe(pair('gone', 'b'));
  });

  it('a list renamed or moved into place, or arriving by SWAPDB, serves the waiter', async () => {
    const c = await connect();
    const other = await connect();
    c.send('BLPOP', 'dst', '0');
    await waitBlocked(1);
    await other.call('RPUSH', 'src', 'r1', 'r2');
    await other.call('RENAME', 'src', 'dst');
    expect(await c.readReply()).toBe(pair('dst', 'r1'));
    expect(await other.call('DEL', 'dst')).toBe(':1\r\n');
    c.send('BLPOP', 'dst', '0');
    await waitBlocked(1);
    await other.call('SELECT', '1');
    await other.call('RPUSH', 'dst', 'from-db1');
    await other.call('SWAPDB', '0', '1');
    expect(await c.readReply()).toBe(pair('dst', 'from-db1'));
    await other.call('FLUSHALL');
  });

  it('a blocked client reads nothing more until served (its pipeline waits)', async () => {
    const c = await connect();
    const other = await connect();
    c.write('*3\r\n$5\r\nBLPOP\r\n$1\r\np\r\n$1\r\n0\r\n*1\r\n$4\r\nPING\r\n*2\r\n$4\r\nLLEN\r\n$1\r\np\r\n');
    await waitBlocked(1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(c.pending).toBe('');
    await other.call('RPUSH', 'p', '1', '2');
    expect(await c.readReply()).toBe(pair('p', '1'));
    expect(await c.readReply()).toBe('+PONG\r\n');
    expect(await c.readReply()).toBe(':1\r\n');
  });

  it('a client that disconnects while blocked is forgotten', async () => {
    const c = await connect();
    const other = await connect();
    c.send('BLPOP', 'dc', '0');
    await waitBlocked(1);
    c.close();
    await waitBlocked(0);
    await other.call('RPUSH', 'dc', 'kept');
    expect(await other.call('LRANGE', 'dc', '0', '-1')).toBe('*1\r\n$4\r\nkept\r\n');
  });

  for (const resp of [2, 3] as const) {
    it(`CLIENT UNBLOCK releases with a timeout reply or an UNBLOCKED error (RESP${resp})`, async () => {
      const c = await connect(resp);
      const admin = await connect();
      const id = (await c.call('CLIENT', 'ID')).slice(1, -2);
      for (const [mode, expected] of [[[], NULL_ARRAY[resp]], [['TIMEOUT'], NULL_ARRAY[resp]], [['ERROR'], '-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n']] as const) {
        c.send('BLMPOP', '0', '1', 'u', 'RIGHT');
        await waitBlocked(1);
        expect(await admin.call('CLIENT', 'UNBLOCK', id, ...mode)).toBe(':1\r\n');
        expect(await c.readReply()).toBe(expected);
      }
      expect(await admin.call('CLIENT', 'UNBLOCK', id)).toBe(':0\r\n');
      expect(await admin.call('CLIENT', 'UNBLOCK', 'asd')).toBe('-ERR value is not an integer or out of range\r\n');
      expect(await admin.call('CLIENT', 'UNBLOCK', id, 'MAYBE')).toBe('-ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR\r\n');
      // Still usable afterwards.
      c.send('BLPOP', 'u', '0');
      await waitBlocked(1);
      await admin.call('LPUSH', 'u', 'foo');
      expect(await c.readReply()).toBe(resp === 2 ? pair('u', 'foo') : '*2\r\n$1\r\nu\r\n$3\r\nfoo\r\n');
    });
  }

  it('BLMOVE chains: the push of a served move serves the next waiter, circular moves settle', async () => {
    const a = await connect();
    const b = await connect();
    const other = await connect();
    a.send('BLMOVE', 'list1', 'list2', 'RIGHT', 'LEFT', '0');
    await waitBlocked(1);
    b.send('BLMOVE', 'list2', 'list3', 'LEFT', 'RIGHT', '0');
    await waitBlocked(2);
    await other.call('RPUSH', 'list1', 'foo');
    expect(await a.readReply()).toBe(bulk('foo'));
    expect(await b.readReply()).toBe(bulk('foo'));
    expect(await other.call('LRANGE', 'list3', '0', '-1')).toBe('*1\r\n$3\r\nfoo\r\n');
    expect(await other.call('EXISTS', 'list1', 'list2')).toBe(':0\r\n');

    a.send('BRPOPLPUSH', 'c1', 'c2', '0');
    await waitBlocked(1);
    b.send('BRPOPLPUSH', 'c2', 'c1', '0');
    await waitBlocked(2);
    await other.call('RPUSH', 'c1', 'foo');
    expect(await a.readReply()).toBe(bulk('foo'));
    expect(await b.readReply()).toBe(bulk('foo'));
    expect(await other.call('LRANGE', 'c1', '0', '-1')).toBe('*1\r\n$3\r\nfoo\r\n');
    expect(await other.call('EXISTS', 'c2')).toBe(':0\r\n');
  });

  it('a served BLMOVE whose destination is not a list gets WRONGTYPE and takes nothing', async () => {
    const a = await connect();
    const b = await connect();
    const other = await connect();
    await other.call('SET', 'target1', 'nolist');
    a.send('BRPOPLPUSH', 'src', 'target1', '0');
    await waitBlocked(1);
    b.send('BRPOPLPUSH', 'src', 'target2', '0');
    await waitBlocked(2);
    await other.call('RPUSH', 'src', 'a', 'b', 'c');
    expect(await a.readReply()).toBe('-WRONGTYPE Operation against a key holding the wrong kind of value\r\n');
    expect(await b.readReply()).toBe(bulk('c'));
    expect(await other.call('LRANGE', 'src', '0', '-1')).toBe('*2\r\n$1\r\na\r\n$1\r\nb\r\n');
  });

  it('BLMPOP with counts: each waiter takes up to its count, in blocking order', async () => {
    const [r1, r2, r3, r4] = [await connect(), await connect(), await connect(), await connect()];
    const other = await connect();
    r1.send('BLMPOP', '0', '2', 'b1', 'b2', 'LEFT', 'COUNT', '1');
    await waitBlocked(1);
    r2.send('BLMPOP', '0', '2', 'b1', 'b2', 'RIGHT', 'COUNT', '10');
    await waitBlocked(2);
    r3.send('BLMPOP', '0', '2', 'b1', 'b2', 'LEFT', 'COUNT', '10');
    await waitBlocked(3);
    r4.send('BLMPOP', '0', '2', 'b1', 'b2', 'RIGHT', 'COUNT', '1');
    await waitBlocked(4);
    for (const cmd of [['MULTI'], ['LPUSH', 'b1', 'a', 'b', 'c', 'd', 'e'], ['LPUSH', 'b2', '1', '2', '3', '4', '5'], ['EXEC']]) await other.call(...cmd);
    expect(await r1.readReply()).toBe('*2\r\n$2\r\nb1\r\n*1\r\n$1\r\ne\r\n');
    expect(await r2.readReply()).toBe('*2\r\n$2\r\nb1\r\n*4\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n');
    expect(await r3.readReply()).toBe('*2\r\n$2\r\nb2\r\n*5\r\n$1\r\n5\r\n$1\r\n4\r\n$1\r\n3\r\n$1\r\n2\r\n$1\r\n1\r\n');
    expect(blocked()).toBe(1);
    await other.call('LPUSH', 'b2', '1', '2', '3');
    expect(await r4.readReply()).toBe('*2\r\n$2\r\nb2\r\n*1\r\n$1\r\n1\r\n');
  });

  it('served pops propagate as their non-blocking form, each after the push that served it', async () => {
    const log = new PropagationLog(server.running);
    const a = await connect();
    const other = await connect();
    const cases: Array<[string[], string]> = [
      [['BLPOP', 'x', '0'], 'LPOP x'],
      [['BRPOP', 'x', '0'], 'RPOP x'],
      [['BLMPOP', '0', '1', 'x', 'LEFT', 'COUNT', '5'], 'LPOP x 3'],
      [['BLMOVE', 'x', 'y', 'LEFT', 'RIGHT', '0'], 'LMOVE x y left right'],
      [['BRPOPLPUSH', 'x', 'y', '0'], 'RPOPLPUSH x y'],
    ];
    for (const [cmd, propagated] of cases) {
      log.clear();
      a.send(...cmd);
      await waitBlocked(1);
      await other.call('RPUSH', 'x', '1', '2', '3');
      await a.readReply();
      await other.call('DEL', 'x', 'y', 'z');
      expect(log.lines().slice(0, 2)).toEqual(['RPUSH x 1 2 3', propagated]);
    }
    // Served at once, the blocking forms are rewritten the same way.
    await other.call('RPUSH', 'x', '1', '2', '3', '4');
    log.clear();
    await a.call('BLPOP', 'x', '0');
    await a.call('BLMPOP', '0', '1', 'x', 'RIGHT', 'COUNT', '2');
    await a.call('BLMOVE', 'x', 'y', 'Left', 'right', '0');
    expect(log.lines()).toEqual(['LPOP x', 'RPOP x 2', 'LMOVE x y Left right']);
  });

  it('a key that expired before it could serve is deleted (its DEL propagated) and serves nobody', async () => {
    const log = new PropagationLog(server.running);
    const c = await connect();
    const other = await connect();
    await other.call('DEBUG', 'SET-ACTIVE-EXPIRE', '0');
    try {
      c.send('BRPOP', 'k', '0');
      await waitBlocked(1);
      for (const cmd of [['MULTI'], ['RPUSH', 'k', 'hello'], ['PEXPIRE', 'k', '100'], ['DEBUG', 'SLEEP', '0.2'], ['EXEC']]) await other.call(...cmd);
      expect(blocked()).toBe(1);
      expect(log.lines().map((line) => line.replace(/^(pexpireat k) \d+$/i, '$1 *'))).toEqual(['MULTI', 'RPUSH k hello', 'PEXPIREAT k *', 'EXEC', 'DEL k']);
      // The same through SWAPDB: the swapped-in key is already past its deadline.
      log.clear();
      await other.call('SELECT', '1');
      await other.call('RPUSH', 'k', 'hello');
      await other.call('PEXPIRE', 'k', '10');
      await new Promise((resolve) => setTimeout(resolve, 20));
      await other.call('SWAPDB', '1', '0');
      expect(blocked()).toBe(1);
      expect(log.lines().slice(-2)).toEqual(['SWAPDB 1 0', 'DEL k']);
    } finally {
      await other.call('DEBUG', 'SET-ACTIVE-EXPIRE', '1');
      c.close();
    }
  });

  it('a push that makes a WATCHed destination change through a served BRPOPLPUSH fails that EXEC', async () => {
    const blockedClient = await connect();
    const watcher = await connect();
    const other = await connect();
    blockedClient.send('BRPOPLPUSH', 'srclist', 'dstlist', '0');
    await waitBlocked(1);
    for (const cmd of [['WATCH', 'dstlist'], ['MULTI'], ['PING']]) await watcher.call(...cmd);
    await other.call('LPUSH', 'srclist', 'element');
    expect(await blockedClient.readReply()).toBe(bulk('element'));
    expect(await watcher.call('EXEC')).toBe('*-1\r\n');
  });

  it('counts the blocked call once and settles its statistics when served', async () => {
    const c = await connect();
    const other = await connect();
    await other.call('CONFIG', 'RESETSTAT');
    c.send('BRPOP', 'st', '0');
    await waitBlocked(1);
    expect(await other.call('INFO', 'commandstats')).toMatch(/cmdstat_brpop:calls=1,/);
    await other.call('LPUSH', 'st', 'v');
    await c.readReply();
    const stats = await other.call('INFO', 'commandstats');
    expect(stats).toMatch(/cmdstat_brpop:calls=1,.*failed_calls=0/);
    expect(stats).not.toContain('cmdstat_rpop');
  });
});
