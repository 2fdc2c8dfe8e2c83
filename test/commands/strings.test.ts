import Redis from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/index.js';
import { MutableString, encodingName } from '../../src/store/values.js';
import { addLongDouble, formatLongDoubleHuman, parseLongDouble } from '../../src/util/numbers.js';
import { startCinnabar } from '../helpers/cinnabar.js';
import { RawConnection } from '../helpers/resp.js';

/** Splits a propagated chunk (RESP arrays of bulk strings) into argv lists. */
function decodeCommands(text: string): string[][] {
  const out: string[][] = [];
  let pos = 0;
  const line = (): string => {
    const end = text.indexOf('\r\n', pos);
    const s = text.slice(pos, end);
    pos = end + 2;
    return s;
  };
  while (pos < text.length) {
    const count = Number(line().slice(1));
    const argv: string[] = [];
    for (let i = 0; i < count; i++) {
      const len = Number(line().slice(1));
      argv.push(text.slice(pos, pos + len));
      pos += len + 2;
    }
    out.push(argv);
  }
  return out;
}

describe('string commands', () => {
  let running: RunningServer;
  let r2: Redis;
  let r3: Redis;
  let sub: Redis;
  let raw: RawConnection;
  let propagated: string[][] = [];
  const events: string[] = [];

  beforeAll(async () => {
    running = await startCinnabar({ 'notify-keyspace-events': 'KEg$xn' });
    running.server.propagator.subscribe((chunk) => {
      for (const argv of decodeCommands(chunk.toString('latin1'))) {
        if (argv[0] !== 'SELECT') propagated.push(argv);
      }
    });
    r2 = new Redis({ port: running.port, protocol: 2, lazyConnect: true, enableReadyCheck: false });
    r3 = new Redis({ port: running.port, protocol: 3, lazyConnect: true, enableReadyCheck: false });
    sub = new Redis({ port: running.port, protocol: 2, lazyConnect: true, enableReadyCheck: false });
    await Promise.all([r2.connect(), r3.connect(), sub.connect()]);
    sub.on('pmessage', (_pattern: string, channel: string, message: string) => {
      if (channel.startsWith('__keyevent@')) events.push(`${channel.slice(channel.indexOf(':') + 1)} ${message}`);
    });
    await sub.psubscribe('__keyevent@*');
    raw = await RawConnection.connect(running.port);
  });

  afterAll(async () => {
    raw.close();
    r2.disconnect();
    r3.disconnect();
    sub.disconnect();
    await running.close();
  });

  beforeEach(() => {
    propagated = [];
    events.length = 0;
  });

  const db = () => running.server.keyspace.dbs[0];

  /** Waits until the subscriber has seen `count` events (they travel over another socket). */
  async function eventsSeen(count: number): Promise<string[]> {
    const deadline = Date.now() + 2000;
    while (events.length < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    return [...events];
  }

  /** Waits for the `count` events already caused, then forgets them. */
  async function settle(count: number): Promise<void> {
    await eventsSeen(count);
    events.length = 0;
  }

  it('SET with EX/PX propagates an absolute PXAT and fires set + expire', async () => {
    const before = Date.now();
    expect(await r2.set('p:ex', 'v', 'EX', 100)).toBe('OK');
    const after = Date.now();
    expect(propagated).toHaveLength(1);
    const [name, key, value, unit, at] = propagated[0];
    expect([name, key, value, unit]).toEqual(['SET', 'p:ex', 'v', 'PXAT']);
    expect(Number(at)).toBeGreaterThanOrEqual(before + 100_000);
    expect(Number(at)).toBeLessThanOrEqual(after + 100_000);
    expect(db().getExpire('p:ex')).toBe(Number(at));
    expect(await eventsSeen(3)).toEqual(['new p:ex', 'set p:ex', 'expire p:ex']);
  });

  it('SET GET propagates without GET; GETSET propagates as SET; NX failure propagates nothing', async () => {
    await r2.set('p:g', 'old');
    propagated = [];
    expect(await r2.call('SET', 'p:g', 'new', 'get', 'GET')).toBe('old');
    expect(await r2.getset('p:g', 'newer')).toBe('new');
    expect(await r2.set('p:g', 'x', 'NX')).toBeNull();
    expect(propagated).toEqual([['SET', 'p:g', 'new'], ['SET', 'p:g', 'newer']]);
  });

  it('SET clears a TTL, KEEPTTL keeps it, and INCR/APPEND/SETRANGE keep it', async () => {
    await r2.set('t:a', '1', 'EX', 1000);
    await r2.set('t:a', '2', 'KEEPTTL');
    expect(db().getExpire('t:a')).toBeGreaterThan(Date.now());
    await r2.incr('t:a');
    await r2.append('t:a', '0');
    await r2.setrange('t:a', 0, '9');
    expect(db().getExpire('t:a')).toBeGreaterThan(Date.now());
    expect(await r2.get('t:a')).toBe('90');
    await r2.set('t:a', 'plain');
    expect(db().getExpire('t:a')).toBeUndefined();
  });

  it('an EXAT in the past leaves a key that is gone on the next read', async () => {
    expect(await r2.set('t:past', 'v', 'PXAT', 1)).toBe('OK');
    expect(await r2.get('t:past')).toBeNull();
    expect(await r2.exists('t:past')).toBe(0);
  });

  it('GETEX propagates PEXPIREAT, PERSIST, or DEL for a deadline already past', async () => {
    await r2.set('p:x', 'v');
    await settle(2);
    propagated = [];
    expect(await r2.getex('p:x')).toBe('v');
    expect(await r2.call('GETEX', 'p:x', 'PERSIST')).toBe('v'); // no TTL: nothing changes
    expect(propagated).toEqual([]);
    expect(await r2.getex('p:x', 'PX', 50_000)).toBe('v');
    expect(propagated[0][0]).toBe('PEXPIREAT');
    expect(Number(propagated[0][2])).toBe(db().getExpire('p:x'));
    expect(await r2.call('GETEX', 'p:x', 'PERSIST')).toBe('v');
    expect(db().getExpire('p:x')).toBeUndefined();
    expect(await r2.getex('p:x', 'EXAT', 1)).toBe('v');
    expect(await r2.exists('p:x')).toBe(0);
    expect(propagated.slice(1)).toEqual([['PERSIST', 'p:x'], ['DEL', 'p:x']]);
    expect(await eventsSeen(3)).toEqual(['expire p:x', 'persist p:x', 'del p:x']);
  });

  it('GETDEL propagates DEL and fires del only when a key was removed', async () => {
    await r2.set('p:d', 'v');
    await settle(2);
    propagated = [];
    expect(await r2.getdel('p:d')).toBe('v');
    expect(await r2.getdel('p:d')).toBeNull();
    expect(propagated).toEqual([['DEL', 'p:d']]);
    expect(await eventsSeen(1)).toEqual(['del p:d']);
  });

  it('INCRBYFLOAT propagates SET ... KEEPTTL with the formatted result', async () => {
    expect(await r2.incrbyfloat('p:f', '1.1')).toBe('1.1');
    expect(await r3.incrbyfloat('p:f', '2.2')).toBe('3.3');
    expect(propagated).toEqual([['SET', 'p:f', '1.1', 'KEEPTTL'], ['SET', 'p:f', '3.3', 'KEEPTTL']]);
    expect(await eventsSeen(3)).toEqual(['new p:f', 'incrbyfloat p:f', 'incrbyfloat p:f']);
  });

  it('INCR family: events, dirty count, and exact int64 arithmetic beyond 2^53', async () => {
    const dirtyBefore = running.server.dirty;
    expect(await r2.incr('n:a')).toBe(1);
    expect(await r2.decrby('n:a', 5)).toBe(-4);
    expect(running.server.dirty - dirtyBefore).toBe(2);
    expect(await eventsSeen(3)).toEqual(['new n:a', 'incrby n:a', 'incrby n:a']);
    await r2.set('n:big', '9007199254740992');
    expect(await raw.call('INCRBY', 'n:big', '9007199254740993')).toBe(':18014398509481985\r\n');
    expect(await r2.get('n:big')).toBe('18014398509481985');
    await r2.set('n:max', '9223372036854775807');
    await expect(r2.incr('n:max')).rejects.toThrow('ERR increment or decrement would overflow');
    expect(await r2.get('n:max')).toBe('9223372036854775807');
    await expect(r2.call('DECRBY', 'n:max', '-9223372036854775808')).rejects.toThrow('ERR decrement would overflow');
    expect(await raw.call('INCRBY', 'n:neg', '-9223372036854775808')).toBe(':-9223372036854775808\r\n');
    expect(await raw.call('DECR', 'n:neg')).toBe('-ERR increment or decrement would overflow\r\n');
  });

  it('APPEND and SETRANGE turn values into raw MutableStrings; SET gives a plain string back', async () => {
    await r2.set('m:a', '12');
    expect(encodingName(db().peek('m:a') ?? '')).toBe('int');
    expect(await r2.append('m:a', 'x')).toBe(3);
    expect(db().peek('m:a')).toBeInstanceOf(MutableString);
    for (let i = 0; i < 1000; i++) await r2.append('m:a', 'y');
    expect(await r2.strlen('m:a')).toBe(1003);
    await r2.set('m:a', 'short');
    expect(typeof db().peek('m:a')).toBe('string');
    expect(await r2.setrange('m:a', 7, 'Z')).toBe(8);
    expect(await r2.getBuffer('m:a')).toEqual(Buffer.from('short\0\0Z', 'latin1'));
    expect(encodingName(db().peek('m:a') ?? '')).toBe('raw');
  });

  it('SETRANGE and APPEND respect proto-max-bulk-len and leave data intact', async () => {
    await r2.set('lim:a', 'abc');
    await expect(r2.setrange('lim:a', 536870910, 'xyz')).rejects.toThrow('ERR string exceeds maximum allowed size (proto-max-bulk-len)');
    await expect(r2.setrange('lim:a', -1, 'x')).rejects.toThrow('ERR offset is out of range');
    expect(await r2.get('lim:a')).toBe('abc');
    expect(await r2.setrange('lim:none', 10, '')).toBe(0);
    expect(await r2.exists('lim:none')).toBe(0);
  });

  it('binary values round-trip through every read and write path', async () => {
    const bytes = '\x00\xff\r\n\x80abc';
    expect(await raw.call('SET', 'bin:a', bytes)).toBe('+OK\r\n');
    expect(await raw.call('GET', 'bin:a')).toBe(`$8\r\n${bytes}\r\n`);
    expect(await raw.call('APPEND', 'bin:a', '\x01')).toBe(':9\r\n');
    expect(await raw.call('GETRANGE', 'bin:a', '0', '2')).toBe('$3\r\n\x00\xff\r\r\n');
    expect(await raw.call('MGET', 'bin:a', 'bin:none')).toBe(`*2\r\n$9\r\n${bytes}\x01\r\n$-1\r\n`);
    expect(await raw.call('LCS', 'bin:a', 'bin:a', 'LEN')).toBe(':9\r\n');
  });

  it('MSET and MSETNX fire set per key and count dirty per pair', async () => {
    const dirtyBefore = running.server.dirty;
    expect(await r2.mset('ms:a', '1', 'ms:b', '2')).toBe('OK');
    expect(await r2.msetnx('ms:b', '3', 'ms:c', '4')).toBe(0);
    expect(await r2.msetnx('ms:c', '3', 'ms:d', '4')).toBe(1);
    expect(running.server.dirty - dirtyBefore).toBe(4);
    expect(await r2.mget('ms:a', 'ms:b', 'ms:c', 'ms:d')).toEqual(['1', '2', '3', '4']);
    expect(await eventsSeen(8)).toEqual([
      'new ms:a', 'set ms:a', 'new ms:b', 'set ms:b', 'new ms:c', 'set ms:c', 'new ms:d', 'set ms:d',
    ]);
  });

  it('SET on a watched key makes EXEC fail', async () => {
    await r2.set('w:a', '1');
    await r3.watch('w:a');
    await r2.incr('w:a');
    const result = await r3.multi().get('w:a').exec();
    expect(result).toBeNull();
  });

  it('LCS handles longer inputs and refuses a table beyond proto-max-bulk-len', async () => {
    const a = 'ab'.repeat(300);
    const b = 'ba'.repeat(300);
    await r2.mset('lcs:a', a, 'lcs:b', b);
    expect(await r2.call('LCS', 'lcs:a', 'lcs:b', 'LEN')).toBe(599);
    expect(((await r2.call('LCS', 'lcs:a', 'lcs:b')) as string).length).toBe(599);
    await r2.set('lcs:big', 'x'.repeat(12000));
    await expect(r2.call('LCS', 'lcs:big', 'lcs:big')).rejects.toThrow(
      'ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len');
  });
});

describe('long double arithmetic behind INCRBYFLOAT', () => {
  /** a + b printed as INCRBYFLOAT would, or null when an input is refused. */
  function sum(a: string, b: string): string | null {
    const x = parseLongDouble(a);
    const y = parseLongDouble(b);
    if (x === null || y === null) return null;
    const total = addLongDouble(x, y);
    return total === null ? 'nan' : formatLongDoubleHuman(total);
  }

  it('matches x87 long double results (checked against glibc strtold/printf)', () => {
    expect(sum('1.1', '2.2')).toBe('3.3');
    expect(sum('0.1', '0.2')).toBe('0.3');
    expect(sum('1e30', '1')).toBe('1000000000000000000024696061952');
    expect(sum('3.0e3', '1.0e3')).toBe('4000');
    expect(sum('0x1.8p1', '0')).toBe('3');
    expect(sum('1e-30', '0')).toBe('0');
    expect(sum('-1e-20', '0')).toBe('0');
    expect(sum('123456789.123456789', '0.000000001')).toBe('123456789.12345678999554366');
    // The long double nearest 1e4000 lies just below it: 4000 digits, beginning with nines.
    const huge = sum('1e4000', '1') ?? '';
    expect(huge.length).toBe(4000);
    expect(huge.slice(0, 30)).toBe('999999999999999999996546387309');
    expect(huge.slice(-21)).toBe('206648276349901340672');
  });

  it('refuses what string2ld refuses', () => {
    for (const bad of ['', ' 1', '1 ', 'nan', '-nan', '1e', '.', '0x', '1e99999', '1e-99999', 'abc', '1.2.3', 'x'.repeat(6000)]) {
      expect(parseLongDouble(bad), JSON.stringify(bad)).toBeNull();
    }
    expect(sum('inf', '-inf')).toBe('nan');
    expect(formatLongDoubleHuman(parseLongDouble('-infinity') ?? { neg: false, mant: 0n, exp: 0, inf: false })).toBe('-inf');
    expect(sum('-0', '0')).toBe('0');
  });
});
