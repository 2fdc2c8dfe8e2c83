import { afterEach, describe, expect, it } from 'vitest';
import { ListValue } from '../../src/store/types/list.js';
import { PropagationLog } from '../helpers/propagation.js';
import { prng } from '../helpers/random.js';
import { withServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

describe('list commands', () => {
  const server = withServer({ 'enable-debug-command': 'yes' });

  afterEach(async () => {
    await server.r2.call('DEBUG', 'QUICKLIST-PACKED-THRESHOLD', '0');
    await server.r2.call('CONFIG', 'SET', 'list-max-listpack-size', '-2');
    for (const db of server.running.server.keyspace.dbs) db.flush();
  });

  /** The stored list value (to check which representation it uses). */
  function stored(key: string): ListValue {
    const value = server.db().peek(key);
    if (!(value instanceof ListValue)) throw new Error(`${key} is not a list`);
    return value;
  }

  it('pushes, reads and pops through ioredis in RESP2 and RESP3', async () => {
    for (const r of [server.r2, server.r3]) {
      expect(await r.rpush('l', 'a', 'b', 'c')).toBe(3);
      expect(await r.lpush('l', 'z')).toBe(4);
      expect(await r.lrange('l', 0, -1)).toEqual(['z', 'a', 'b', 'c']);
      expect(await r.lindex('l', -1)).toBe('c');
      expect(await r.lindex('l', 10)).toBeNull();
      expect(await r.lpop('l', 2)).toEqual(['z', 'a']);
      expect(await r.rpop('l')).toBe('c');
      expect(await r.lpop('missing')).toBeNull();
      expect(await r.call('LPOP', 'missing', '2')).toBeNull();
      expect(await r.call('LPOP', 'l', '0')).toEqual([]);
      expect(await r.llen('l')).toBe(1);
      expect(await r.lmpop(1, 'l', 'LEFT', 'COUNT', 5)).toEqual(['l', ['b']]);
      expect(await r.exists('l')).toBe(0);
    }
  });

  it('keeps a small list in one listpack and moves a growing one to the deque, as Redis fills one node', async () => {
    const r = server.r2;
    await r.rpush('small', ...Array.from({ length: 10 }, (_, i) => `item:${i}`));
    expect(stored('small').isCompact).toBe(true);
    expect(await r.object('ENCODING', 'small')).toBe('quicklist');
    await r.rpush('grow', ...Array.from({ length: 2000 }, (_, i) => `item:${i}`));
    expect(stored('grow').isCompact).toBe(false);
    // The fill is the list's own, fixed when it was created.
    await r.config('SET', 'list-max-listpack-size', '3');
    await r.rpush('three', '1', '2', '3');
    expect(stored('three').isCompact).toBe(true);
    await r.rpush('three', '4');
    expect(stored('three').isCompact).toBe(false);
    expect(stored('three').nodes().map((n) => n.count)).toEqual([3, 1]);
    await r.rpush('small', 'more');
    expect(stored('small').isCompact).toBe(true);
    // An element at the packed threshold gets a plain node, as DEBUG QUICKLIST-PACKED-THRESHOLD sets it.
    expect(await r.call('DEBUG', 'QUICKLIST-PACKED-THRESHOLD', '100b')).toBe('OK');
    await r.config('SET', 'list-max-listpack-size', '-2');
    await r.rpush('plain', 'a', 'x'.repeat(100), 'b');
    expect(stored('plain').nodes().map((n) => n.plain)).toEqual([false, true, false]);
    expect(await r.lrange('plain', 0, -1)).toEqual(['a', 'x'.repeat(100), 'b']);
  });

  it('a big list behaves like an array under random edits at every position', async () => {
    const r = server.r2;
    const rand = prng(7);
    const model = Array.from({ length: 20000 }, (_, i) => String(i));
    for (let i = 0; i < model.length; i += 1000) await r.rpush('big', ...model.slice(i, i + 1000));
    for (let step = 0; step < 300; step++) {
      const i = Math.floor(rand() * model.length);
      const op = step % 6;
      if (op === 0) {
        expect(await r.lindex('big', i)).toBe(model[i]);
        expect(await r.lindex('big', i - model.length)).toBe(model[i]);
      } else if (op === 1) {
        await r.lset('big', i, `set${step}`);
        model[i] = `set${step}`;
      } else if (op === 2) {
        expect(await r.linsert('big', 'BEFORE', model[i], `ins${step}`)).toBe(model.length + 1);
        model.splice(model.indexOf(model[i]), 0, `ins${step}`);
      } else if (op === 3) {
        expect(await r.lrange('big', i, i + 5)).toEqual(model.slice(i, i + 6));
      } else if (op === 4) {
        expect(await r.lrem('big', 1, model[i])).toBe(1);
        model.splice(model.indexOf(model[i]), 1);
      } else {
        expect(await r.lpop('big')).toBe(model.shift());
        expect(await r.rpush('big', `tail${step}`)).toBe(model.push(`tail${step}`));
      }
    }
    expect(await r.llen('big')).toBe(model.length);
    expect(await r.lrange('big', 0, -1)).toEqual(model);
    await r.ltrim('big', 100, -101);
    expect(await r.lrange('big', 0, -1)).toEqual(model.slice(100, -100));
    expect(await r.lpos('big', model[500], 'COUNT', 0)).toEqual([400]);
  });

  it('propagates writes as Redis does, and nothing for writes that change nothing', async () => {
    const log = new PropagationLog(server.running);
    const r = server.r2;
    await r.rpush('p', 'a', 'b', 'c', 'd');
    await r.lpushx('nokey', 'x');
    await r.lrem('p', 0, 'nope');
    await r.linsert('p', 'AFTER', 'nope', 'x');
    await r.ltrim('p', 0, -1);
    await r.ltrim('nokey', 0, 1);
    await r.lmpop(2, 'nokey', 'p', 'RIGHT', 'COUNT', 10);
    await r.rpush('p', 'a', 'b');
    await r.call('BLMPOP', '0', '1', 'p', 'LEFT', 'COUNT', '1');
    await r.call('BRPOP', 'p', '0');
    await r.rpush('p', 'x');
    await r.call('BRPOPLPUSH', 'p', 'q', '0');
    await r.lpop('q', 0);
    await r.lpop('q', 5);
    expect(log.lines()).toEqual([
      'rpush p a b c d', 'RPOP p 4', 'rpush p a b', 'LPOP p 1', 'RPOP p', 'rpush p x', 'RPOPLPUSH p q', 'lpop q 5',
    ]);
  });

  it('CLIENT PAUSE WRITE holds a blocking pop until unpaused; then it blocks and is served', async () => {
    const c = await server.connect();
    const admin = await server.connect();
    expect(await admin.call('CLIENT', 'PAUSE', '100000', 'WRITE')).toBe('+OK\r\n');
    c.send('BLPOP', 'paused', '0');
    await waitFor(() => server.running.server.blockedClientCount === 1, 5000, 'held by the pause');
    expect(server.running.server.blocking.blockedCount).toBe(0);
    expect(await admin.call('CLIENT', 'UNPAUSE')).toBe('+OK\r\n');
    await waitFor(() => server.running.server.blocking.blockedCount === 1, 5000, 'blocked on the key');
    await admin.call('RPUSH', 'paused', 'v');
    expect(await c.readReply()).toBe('*2\r\n$6\r\npaused\r\n$1\r\nv\r\n');
  });

  it('elements of every listpack encoding come back byte for byte', async () => {
    const r = server.r2;
    const values = ['127', '32767', '2147483647', '9223372036854775807', '-9223372036854775808', '9223372036854775808',
      '0', '12', '-1', '007', 'x'.repeat(31), 'y'.repeat(8191), 'z'.repeat(65535), '', '\x00\xff'];
    await r.rpush('enc', ...values.map((v) => Buffer.from(v, 'latin1')));
    expect((await r.lrangeBuffer('enc', 0, -1)).map((b) => b.toString('latin1'))).toEqual(values);
    for (let i = 0; i < values.length; i++) expect((await r.lindexBuffer('enc', i - values.length))?.toString('latin1')).toBe(values[i]);
    expect(await r.lpos('enc', '9223372036854775807')).toBe(3);
    expect(await r.lpos('enc', '7')).toBeNull();
  });
});
