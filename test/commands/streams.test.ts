import { describe, expect, it } from 'vitest';
import { StreamValue } from '../../src/store/types/stream.js';
import { EventCollector } from '../helpers/events.js';
import { PropagationLog } from '../helpers/propagation.js';
import { withServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

// Stream commands against a running cinnabar: what the differential tests cannot compare byte
// for byte (clock readings: idle and delivery times), keyspace events, WATCH, the stored
// representation, and propagation of clock-chosen IDs.

describe('stream commands', () => {
  const server = withServer({ 'notify-keyspace-events': 'KEAn' });

  function stored(key: string): StreamValue {
    const value = server.db().peek(key);
    if (!(value instanceof StreamValue)) throw new Error(`${key} holds no stream`);
    return value;
  }

  it('adds with generated IDs that grow, and reads them back in RESP2 and RESP3', async () => {
    const first = await server.r2.xadd('gen', '*', 'f', 'v') as string;
    const second = await server.r2.xadd('gen', '*', 'f', 'w') as string;
    const [ms1, seq1] = first.split('-').map(Number);
    const [ms2, seq2] = second.split('-').map(Number);
    expect(ms2 > ms1 || (ms2 === ms1 && seq2 === seq1 + 1)).toBe(true);
    expect(Math.abs(ms1 - Date.now())).toBeLessThan(10_000);
    expect(await server.r2.xrange('gen', '-', '+')).toEqual([[first, ['f', 'v']], [second, ['f', 'w']]]);
    expect(await server.r3.xrevrange('gen', '+', '-', 'COUNT', 1)).toEqual([[second, ['f', 'w']]]);
    expect(await server.r2.xlen('gen')).toBe(2);
    expect(await server.r2.type('gen')).toBe('stream');
    expect(await server.r2.object('ENCODING', 'gen')).toBe('stream');
  });

  it('keeps an emptied stream as a key (streams are not removed when empty)', async () => {
    await server.r2.xadd('empty', '1-0', 'f', 'v');
    expect(await server.r2.xdel('empty', '1-0')).toBe(1);
    expect(await server.r2.exists('empty')).toBe(1);
    expect(await server.r2.xlen('empty')).toBe(0);
    expect(await server.r2.xadd('empty', '1-0', 'f', 'v').catch((e: Error) => e.message)).toMatch(/equal or smaller/);
  });

  it('raises Redis\'s keyspace events', async () => {
    const events = await EventCollector.start(server.port);
    try {
      const lines = await events.during(async () => {
        const raw = server.raw;
        for (const argv of [
          ['XADD', 'ev', '1-0', 'f', 'v'], ['XADD', 'ev', 'MAXLEN', '1', '2-0', 'f', 'v'], ['XADD', 'ev', 'MAXLEN', '5', '3-0', 'f', 'v'],
          ['XDEL', 'ev', '1-0'], ['XDEL', 'ev', '3-0'], ['XTRIM', 'ev', 'MAXLEN', '0'], ['XTRIM', 'ev', 'MAXLEN', '0'],
          ['XSETID', 'ev', '9-0'], ['XGROUP', 'CREATE', 'ev', 'g', '$'], ['XGROUP', 'CREATE', 'ev2', 'g', '$', 'MKSTREAM'],
          ['XGROUP', 'CREATECONSUMER', 'ev', 'g', 'c'], ['XGROUP', 'CREATECONSUMER', 'ev', 'g', 'c'], ['XADD', 'ev', '10-0', 'f', 'v'],
          ['XREADGROUP', 'GROUP', 'g', 'c2', 'STREAMS', 'ev', '>'], ['XREADGROUP', 'GROUP', 'g', 'c2', 'STREAMS', 'ev', '>'],
          ['XCLAIM', 'ev', 'g', 'c3', '0', '10-0'], ['XAUTOCLAIM', 'ev', 'g', 'c4', '0', '0'], ['XACK', 'ev', 'g', '10-0'],
          ['XGROUP', 'SETID', 'ev', 'g', '0'], ['XGROUP', 'DELCONSUMER', 'ev', 'g', 'c'], ['XGROUP', 'DELCONSUMER', 'ev', 'g', 'zz'],
          ['XGROUP', 'DESTROY', 'ev', 'g'], ['XADD', 'ev', 'NOMKSTREAM', '11-0', 'f', 'v'], ['XADD', 'ev3', 'NOMKSTREAM', '11-0', 'f', 'v'],
        ]) await raw.call(...argv);
      });
      // Checked against redis-server 7.0.15 with the same commands.
      expect(lines).toEqual([
        'new ev', 'xadd ev', 'xadd ev', 'xtrim ev', 'xadd ev', 'xdel ev', 'xtrim ev', 'xsetid ev', 'xgroup-create ev',
        'new ev2', 'xgroup-create ev2', 'xgroup-createconsumer ev', 'xadd ev', 'xgroup-createconsumer ev',
        'xgroup-createconsumer ev', 'xgroup-createconsumer ev', 'xgroup-setid ev', 'xgroup-delconsumer ev',
        'xgroup-destroy ev', 'xadd ev',
      ]);
    } finally {
      events.close();
    }
  });

  it('invalidates WATCH on XADD, XDEL, XTRIM but not on a no-op', async () => {
    const watcher = await server.connect();
    await server.raw.call('XADD', 'w', '1-0', 'f', 'v');
    for (const [change, expectAbort] of [
      [['XADD', 'w', '2-0', 'f', 'v'], true], [['XDEL', 'w', '9-0'], false], [['XDEL', 'w', '2-0'], true],
      [['XTRIM', 'w', 'MAXLEN', '5'], false], [['XTRIM', 'w', 'MAXLEN', '0'], true],
    ] as const) {
      await watcher.call('WATCH', 'w');
      await server.raw.call(...change);
      await watcher.call('MULTI');
      await watcher.call('PING');
      const reply = await watcher.call('EXEC');
      expect(reply, change.join(' ')).toBe(expectAbort ? '*-1\r\n' : '*1\r\n+PONG\r\n');
    }
  });

  it('reports idle and delivery times from the clock', async () => {
    await server.r2.xadd('t', '1-0', 'f', 'v');
    await server.r2.xadd('t', '2-0', 'f', 'v');
    await server.r2.xgroup('CREATE', 't', 'g', '0');
    const before = Date.now();
    await server.r2.xreadgroup('GROUP', 'g', 'alice', 'STREAMS', 't', '>');
    const after = Date.now();
    const pending = await server.r2.xpending('t', 'g', '-', '+', 10) as [string, string, number, number][];
    expect(pending.map((p) => [p[0], p[1], p[3]])).toEqual([['1-0', 'alice', 1], ['2-0', 'alice', 1]]);
    for (const p of pending) expect(p[2]).toBeGreaterThanOrEqual(0);
    const full = await server.r2.call('XINFO', 'STREAM', 't', 'FULL') as unknown[];
    const groups = full[full.indexOf('groups') + 1] as unknown[][];
    const groupPending = groups[0][groups[0].indexOf('pending') + 1] as [string, string, number, number][];
    for (const p of groupPending) {
      expect(p[2]).toBeGreaterThanOrEqual(before);
      expect(p[2]).toBeLessThanOrEqual(after);
    }
    const consumers = groups[0][groups[0].indexOf('consumers') + 1] as unknown[][];
    const seen = consumers[0][consumers[0].indexOf('seen-time') + 1] as number;
    expect(seen).toBeGreaterThanOrEqual(before);
    expect(seen).toBeLessThanOrEqual(after);
    const info = await server.r2.call('XINFO', 'CONSUMERS', 't', 'g') as unknown[][];
    expect(info[0].slice(0, 4)).toEqual(['name', 'alice', 'pending', 2]);
    expect(info[0][5]).toBeGreaterThanOrEqual(0);
    // IDLE moves the delivery time back; TIME sets it; a future TIME means now.
    await server.r2.xclaim('t', 'g', 'bob', 0, '1-0', 'IDLE', 100000, 'JUSTID');
    await server.r2.xclaim('t', 'g', 'bob', 0, '2-0', 'TIME', Date.now() + 1_000_000, 'JUSTID');
    const claimed = await server.r2.xpending('t', 'g', '-', '+', 10) as [string, string, number, number][];
    expect(claimed[0][2]).toBeGreaterThanOrEqual(100000);
    expect(claimed[0][2]).toBeLessThan(110000);
    expect(claimed[1][2]).toBeLessThan(10000);
    expect(await server.r2.xpending('t', 'g', 'IDLE', 50000, '-', '+', 10)).toHaveLength(1);
    // min-idle-time filters what XCLAIM and XAUTOCLAIM take.
    expect(await server.r2.xclaim('t', 'g', 'carol', 50000, '1-0', '2-0', 'JUSTID')).toEqual(['1-0']);
    expect(await server.r2.xautoclaim('t', 'g', 'dave', 50000, '0', 'JUSTID')).toEqual(['0-0', [], []]);
  });

  it('propagates XADD * with the ID it chose and XREADGROUP as XCLAIM with the delivery time', async () => {
    const log = new PropagationLog(server.running);
    const id = await server.r2.xadd('prop', '*', 'f', 'v') as string;
    await server.r2.xgroup('CREATE', 'prop', 'g', '0');
    await server.r2.xreadgroup('GROUP', 'g', 'c', 'STREAMS', 'prop', '>');
    const propagated = log.commands.filter((argv) => argv[0] !== 'MULTI' && argv[0] !== 'EXEC');
    expect(propagated[0]).toEqual(['xadd', 'prop', id, 'f', 'v']);
    const claim = propagated[2];
    expect(claim.slice(0, 7)).toEqual(['XCLAIM', 'prop', 'g', 'c', '0', id, 'TIME']);
    expect(Math.abs(Number(claim[7]) - Date.now())).toBeLessThan(10_000);
    expect(claim.slice(8)).toEqual(['RETRYCOUNT', '1', 'FORCE', 'JUSTID', 'LASTID', id]);
  });

  it('copies, renames and deletes streams with their groups', async () => {
    await server.r2.xadd('orig', '1-0', 'f', 'v');
    await server.r2.xgroup('CREATE', 'orig', 'g', '0');
    await server.r2.xreadgroup('GROUP', 'g', 'c', 'STREAMS', 'orig', '>');
    expect(await server.r2.copy('orig', 'copy')).toBe(1);
    await server.r2.xadd('orig', '2-0', 'f', 'w');
    await server.r2.xack('orig', 'g', '1-0');
    expect(await server.r2.xrange('copy', '-', '+')).toEqual([['1-0', ['f', 'v']]]);
    expect(await server.r2.xpending('copy', 'g')).toEqual([1, '1-0', '1-0', [['c', '1']]]);
    expect(await server.r2.rename('copy', 'moved')).toBe('OK');
    expect(await server.r2.xlen('moved')).toBe(1);
    expect(await server.r2.del('moved')).toBe(1);
    expect(stored('orig').length).toBe(2);
  });

  it('answers WRONGTYPE for every stream command on another type, and keeps the value', async () => {
    await server.r2.set('str', 'x');
    const raw = server.raw;
    for (const argv of [
      ['XADD', 'str', '*', 'f', 'v'], ['XRANGE', 'str', '-', '+'], ['XREVRANGE', 'str', '+', '-'], ['XLEN', 'str'],
      ['XDEL', 'str', '1'], ['XTRIM', 'str', 'MAXLEN', '0'], ['XREAD', 'STREAMS', 'str', '0'], ['XSETID', 'str', '1'],
      ['XGROUP', 'CREATE', 'str', 'g', '0'], ['XACK', 'str', 'g', '1'], ['XPENDING', 'str', 'g'],
      ['XCLAIM', 'str', 'g', 'c', '0', '1'], ['XAUTOCLAIM', 'str', 'g', 'c', '0', '0'], ['XINFO', 'STREAM', 'str'],
      ['XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 'str', '>'],
    ]) {
      expect(await raw.call(...argv), argv.join(' ')).toBe('-WRONGTYPE Operation against a key holding the wrong kind of value\r\n');
    }
    expect(await server.r2.get('str')).toBe('x');
  });

  it('keeps binary fields and values, and numbers in their exact text', async () => {
    const field = Buffer.from([0, 255, 13, 10, 128]);
    const value = Buffer.from([1, 2, 0, 254]);
    await server.r2.xadd('bin', '1-0', field, value, '-0', '007', '12', '-12', '1125899906842624', '9223372036854775807');
    const entries = await server.r2.xrangeBuffer('bin', '-', '+');
    const pairs = entries[0][1].map((b) => b.toString('latin1'));
    expect(pairs).toEqual([field.toString('latin1'), value.toString('latin1'), '-0', '007', '12', '-12', '1125899906842624', '9223372036854775807']);
  });

  it('serves XREAD BLOCK inside MULTI at once with a null reply', async () => {
    const conn = await server.connect();
    await conn.call('MULTI');
    await conn.call('XREAD', 'BLOCK', '0', 'STREAMS', 'nothing', '$');
    expect(await conn.call('EXEC')).toBe('*1\r\n*-1\r\n');
  });

  it('blocks XREAD until an entry arrives, a timeout, or CLIENT UNBLOCK', async () => {
    const reader = await server.connect();
    const id = (await reader.call('CLIENT', 'ID')).slice(1, -2);
    const blockedCount = async (): Promise<number> => Number(/blocked_clients:(\d+)/.exec(await server.r2.info('clients'))?.[1]);
    reader.send('XREAD', 'BLOCK', '0', 'STREAMS', 'blk', '$');
    await waitFor(async () => (await blockedCount()) === 1, 5000, 'the reader to block');
    expect(await server.r2.client('LIST')).toMatch(/flags=b .*cmd=xread/);
    await server.r2.xadd('blk', '5-0', 'f', 'v');
    expect(await reader.readReply()).toBe('*1\r\n*2\r\n$3\r\nblk\r\n*1\r\n*2\r\n$3\r\n5-0\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n');
    reader.send('XREAD', 'BLOCK', '0', 'STREAMS', 'blk', '$');
    await waitFor(async () => (await blockedCount()) === 1, 5000, 'the reader to block');
    expect(await server.r2.client('UNBLOCK', id)).toBe(1);
    expect(await reader.readReply()).toBe('*-1\r\n');
    reader.send('XREADGROUP', 'GROUP', 'nog', 'c', 'BLOCK', '0', 'STREAMS', 'blk', '>');
    expect(await reader.readReply()).toMatch(/^-NOGROUP/);
    await server.r2.xgroup('CREATE', 'blk', 'g', '$');
    reader.send('XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '0', 'STREAMS', 'blk', '>');
    await waitFor(async () => (await blockedCount()) === 1, 5000, 'the reader to block');
    expect(await server.r2.client('UNBLOCK', id, 'ERROR')).toBe(1);
    expect(await reader.readReply()).toBe('-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n');
    const started = Date.now();
    expect(await reader.call('XREAD', 'BLOCK', '30', 'STREAMS', 'blk', '$')).toBe('*-1\r\n');
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
  });

  it('reads far into a large stream without walking it from the start', async () => {
    const key = 'large';
    const conn = await server.connect();
    let batch = '';
    for (let i = 1; i <= 50_000; i++) {
      const v = String(i);
      batch += `*5\r\n$4\r\nXADD\r\n$5\r\n${key}\r\n$${v.length + 2}\r\n${v}-0\r\n$1\r\nf\r\n$${v.length}\r\n${v}\r\n`;
    }
    conn.write(batch);
    for (let i = 1; i <= 50_000; i++) await conn.readReply();
    expect(await server.r2.xlen(key)).toBe(50_000);
    expect(stored(key).nodes.size).toBe(500);
    expect(await server.r2.xrange(key, '37777', '37778')).toEqual([['37777-0', ['f', '37777']], ['37778-0', ['f', '37778']]]);
    expect(await server.r2.xrevrange(key, '25000', '-', 'COUNT', 1)).toEqual([['25000-0', ['f', '25000']]]);
    expect(await server.r2.xdel(key, '30000-0')).toBe(1);
    // "~" trims whole nodes, at most 100 nodes' worth unless LIMIT says otherwise.
    expect(await server.r2.xtrim(key, 'MAXLEN', '~', 10_000)).toBe(10_000);
    expect(await server.r2.xtrim(key, 'MAXLEN', '~', 10_000, 'LIMIT', 0)).toBe(29_999);
    expect(await server.r2.xlen(key)).toBe(10_000);
    expect(await server.r2.xrange(key, '-', '+', 'COUNT', 1)).toEqual([['40001-0', ['f', '40001']]]);
  });
});
