import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MutableString, encodingName } from '../../src/store/values.js';
import { addLongDouble, formatLongDoubleHuman, parseLongDouble } from '../../src/util/numbers.js';
import { EventCollector } from '../helpers/events.js';
import { PropagationLog } from '../helpers/propagation.js';
import { withServer } from '../helpers/server.js';

describe('string commands', () => {
  const server = withServer({ 'notify-keyspace-events': 'KEg$xn' });
  let log: PropagationLog;
  let keyEvents: EventCollector;

  beforeAll(async () => {
    log = new PropagationLog(server.running);
    keyEvents = await EventCollector.start(server.port);
  });

  afterAll(() => {
    keyEvents.close();
  });

  beforeEach(() => {
    log.clear();
    keyEvents.clear();
  });

  it('SET with EX/PX propagates an absolute PXAT and fires set + expire', async () => {
    const before = Date.now();
    expect(await server.r2.set('p:ex', 'v', 'EX', 100)).toBe('OK');
    const after = Date.now();
    expect(log.commands).toHaveLength(1);
    const [name, key, value, unit, at] = log.commands[0];
    expect([name, key, value, unit]).toEqual(['SET', 'p:ex', 'v', 'PXAT']);
    expect(Number(at)).toBeGreaterThanOrEqual(before + 100_000);
    expect(Number(at)).toBeLessThanOrEqual(after + 100_000);
    expect(server.db().getExpire('p:ex')).toBe(Number(at));
    expect(await keyEvents.seen(3)).toEqual(['new p:ex', 'set p:ex', 'expire p:ex']);
  });

  it('SET GET propagates without GET; GETSET propagates as SET; NX failure propagates nothing', async () => {
    await server.r2.set('p:g', 'old');
    log.clear();
    expect(await server.r2.call('SET', 'p:g', 'new', 'get', 'GET')).toBe('old');
    expect(await server.r2.getset('p:g', 'newer')).toBe('new');
    expect(await server.r2.set('p:g', 'x', 'NX')).toBeNull();
    expect(log.commands).toEqual([['SET', 'p:g', 'new'], ['SET', 'p:g', 'newer']]);
  });

  it('SET clears a TTL, KEEPTTL keeps it, and INCR/APPEND/SETRANGE keep it', async () => {
    await server.r2.set('t:a', '1', 'EX', 1000);
    await server.r2.set('t:a', '2', 'KEEPTTL');
    expect(server.db().getExpire('t:a')).toBeGreaterThan(Date.now());
    await server.r2.incr('t:a');
    await server.r2.append('t:a', '0');
    await server.r2.setrange('t:a', 0, '9');
    expect(server.db().getExpire('t:a')).toBeGreaterThan(Date.now());
    expect(await server.r2.get('t:a')).toBe('90');
    await server.r2.set('t:a', 'plain');
    expect(server.db().getExpire('t:a')).toBeUndefined();
  });

  it('an EXAT in the past leaves a key that is gone on the next read', async () => {
    expect(await server.r2.set('t:past', 'v', 'PXAT', 1)).toBe('OK');
    expect(await server.r2.get('t:past')).toBeNull();
    expect(await server.r2.exists('t:past')).toBe(0);
  });

  it('GETEX propagates PEXPIREAT, PERSIST, or DEL for a deadline already past', async () => {
    await server.r2.set('p:x', 'v');
    await keyEvents.settle(2);
    log.clear();
    expect(await server.r2.getex('p:x')).toBe('v');
    expect(await server.r2.call('GETEX', 'p:x', 'PERSIST')).toBe('v'); // no TTL: nothing changes
    expect(log.commands).toEqual([]);
    expect(await server.r2.getex('p:x', 'PX', 50_000)).toBe('v');
    expect(log.commands[0][0]).toBe('PEXPIREAT');
    expect(Number(log.commands[0][2])).toBe(server.db().getExpire('p:x'));
    expect(await server.r2.call('GETEX', 'p:x', 'PERSIST')).toBe('v');
    expect(server.db().getExpire('p:x')).toBeUndefined();
    expect(await server.r2.getex('p:x', 'EXAT', 1)).toBe('v');
    expect(await server.r2.exists('p:x')).toBe(0);
    expect(log.commands.slice(1)).toEqual([['PERSIST', 'p:x'], ['DEL', 'p:x']]);
    expect(await keyEvents.seen(3)).toEqual(['expire p:x', 'persist p:x', 'del p:x']);
  });

  it('GETDEL propagates DEL and fires del only when a key was removed', async () => {
    await server.r2.set('p:d', 'v');
    await keyEvents.settle(2);
    log.clear();
    expect(await server.r2.getdel('p:d')).toBe('v');
    expect(await server.r2.getdel('p:d')).toBeNull();
    expect(log.commands).toEqual([['DEL', 'p:d']]);
    expect(await keyEvents.seen(1)).toEqual(['del p:d']);
  });

  it('INCRBYFLOAT propagates SET ... KEEPTTL with the formatted result', async () => {
    expect(await server.r2.incrbyfloat('p:f', '1.1')).toBe('1.1');
    expect(await server.r3.incrbyfloat('p:f', '2.2')).toBe('3.3');
    expect(log.commands).toEqual([['SET', 'p:f', '1.1', 'KEEPTTL'], ['SET', 'p:f', '3.3', 'KEEPTTL']]);
    expect(await keyEvents.seen(3)).toEqual(['new p:f', 'incrbyfloat p:f', 'incrbyfloat p:f']);
  });

  it('INCR family: events, dirty count, and exact int64 arithmetic beyond 2^53', async () => {
    const dirtyBefore = server.running.server.dirty;
    expect(await server.r2.incr('n:a')).toBe(1);
    expect(await server.r2.decrby('n:a', 5)).toBe(-4);
    expect(server.running.server.dirty - dirtyBefore).toBe(2);
    expect(await keyEvents.seen(3)).toEqual(['new n:a', 'incrby n:a', 'incrby n:a']);
    await server.r2.set('n:big', '9007199254740992');
    expect(await server.raw.call('INCRBY', 'n:big', '9007199254740993')).toBe(':18014398509481985\r\n');
    expect(await server.r2.get('n:big')).toBe('18014398509481985');
    await server.r2.set('n:max', '9223372036854775807');
    await expect(server.r2.incr('n:max')).rejects.toThrow('ERR increment or decrement would overflow');
    expect(await server.r2.get('n:max')).toBe('9223372036854775807');
    await expect(server.r2.call('DECRBY', 'n:max', '-9223372036854775808')).rejects.toThrow('ERR decrement would overflow');
    expect(await server.raw.call('INCRBY', 'n:neg', '-9223372036854775808')).toBe(':-9223372036854775808\r\n');
    expect(await server.raw.call('DECR', 'n:neg')).toBe('-ERR increment or decrement would overflow\r\n');
  });

  it('APPEND and SETRANGE turn values into raw MutableStrings; SET gives a plain string back', async () => {
    await server.r2.set('m:a', '12');
    expect(encodingName(server.db().peek('m:a') ?? '')).toBe('int');
    expect(await server.r2.append('m:a', 'x')).toBe(3);
    expect(server.db().peek('m:a')).toBeInstanceOf(MutableString);
    for (let i = 0; i < 1000; i++) await server.r2.append('m:a', 'y');
    expect(await server.r2.strlen('m:a')).toBe(1003);
    await server.r2.set('m:a', 'short');
    expect(typeof server.db().peek('m:a')).toBe('string');
    expect(await server.r2.setrange('m:a', 7, 'Z')).toBe(8);
    expect(await server.r2.getBuffer('m:a')).toEqual(Buffer.from('short\0\0Z', 'latin1'));
    expect(encodingName(server.db().peek('m:a') ?? '')).toBe('raw');
  });

  it('SETRANGE and APPEND respect proto-max-bulk-len and leave data intact', async () => {
    await server.r2.set('lim:a', 'abc');
    await expect(server.r2.setrange('lim:a', 536870910, 'xyz')).rejects.toThrow('ERR string exceeds maximum allowed size (proto-max-bulk-len)');
    await expect(server.r2.setrange('lim:a', -1, 'x')).rejects.toThrow('ERR offset is out of range');
    expect(await server.r2.get('lim:a')).toBe('abc');
    expect(await server.r2.setrange('lim:none', 10, '')).toBe(0);
    expect(await server.r2.exists('lim:none')).toBe(0);
  });

  it('binary values round-trip through every read and write path', async () => {
    const bytes = '\x00\xff\r\n\x80abc';
    expect(await server.raw.call('SET', 'bin:a', bytes)).toBe('+OK\r\n');
    expect(await server.raw.call('GET', 'bin:a')).toBe(`$8\r\n${bytes}\r\n`);
    expect(await server.raw.call('APPEND', 'bin:a', '\x01')).toBe(':9\r\n');
    expect(await server.raw.call('GETRANGE', 'bin:a', '0', '2')).toBe('$3\r\n\x00\xff\r\r\n');
    expect(await server.raw.call('MGET', 'bin:a', 'bin:none')).toBe(`*2\r\n$9\r\n${bytes}\x01\r\n$-1\r\n`);
    expect(await server.raw.call('LCS', 'bin:a', 'bin:a', 'LEN')).toBe(':9\r\n');
  });

  it('MSET and MSETNX fire set per key and count dirty per pair', async () => {
    const dirtyBefore = server.running.server.dirty;
    expect(await server.r2.mset('ms:a', '1', 'ms:b', '2')).toBe('OK');
    expect(await server.r2.msetnx('ms:b', '3', 'ms:c', '4')).toBe(0);
    expect(await server.r2.msetnx('ms:c', '3', 'ms:d', '4')).toBe(1);
    expect(server.running.server.dirty - dirtyBefore).toBe(4);
    expect(await server.r2.mget('ms:a', 'ms:b', 'ms:c', 'ms:d')).toEqual(['1', '2', '3', '4']);
    expect(await keyEvents.seen(8)).toEqual([
      'new ms:a', 'set ms:a', 'new ms:b', 'set ms:b', 'new ms:c', 'set ms:c', 'new ms:d', 'set ms:d',
    ]);
  });

  it('SET on a watched key makes EXEC fail', async () => {
    await server.r2.set('w:a', '1');
    await server.r3.watch('w:a');
    await server.r2.incr('w:a');
    const result = await server.r3.multi().get('w:a').exec();
    expect(result).toBeNull();
  });

  it('LCS handles longer inputs and refuses a table beyond proto-max-bulk-len', async () => {
    const a = 'ab'.repeat(300);
    const b = 'ba'.repeat(300);
    await server.r2.mset('lcs:a', a, 'lcs:b', b);
    expect(await server.r2.call('LCS', 'lcs:a', 'lcs:b', 'LEN')).toBe(599);
    expect(((await server.r2.call('LCS', 'lcs:a', 'lcs:b')) as string).length).toBe(599);
    await server.r2.set('lcs:big', 'x'.repeat(12000));
    await expect(server.r2.call('LCS', 'lcs:big', 'lcs:big')).rejects.toThrow(
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
