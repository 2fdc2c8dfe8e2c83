import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EventCollector } from '../helpers/events.js';
import { PropagationLog } from '../helpers/propagation.js';
import { waitFor } from '../helpers/wait.js';
import { withServer } from '../helpers/server.js';

describe('expiry commands', () => {
  const server = withServer({ hz: 10, 'notify-keyspace-events': 'Egx', 'enable-debug-command': 'yes' });
  let keyEvents: EventCollector;
  let log: PropagationLog;

  beforeAll(async () => {
    keyEvents = await EventCollector.start(server.port, { pattern: '__keyevent@0__:*' });
    log = new PropagationLog(server.running);
  });

  afterAll(() => {
    keyEvents.close();
  });

  beforeEach(async () => {
    await server.r2.flushall();
    server.running.server.keyspace.activeExpireEnabled = true;
    // Every notification of earlier tests has arrived once the marker has (the flush raises none).
    await keyEvents.drain();
    keyEvents.clear();
    log.clear();
  });

  /** The next keyevent notification as "event key". */
  async function nextEvent(): Promise<string> {
    const [line] = await keyEvents.take(1);
    return line;
  }

  it('sets deadlines in every unit and reads them back', async () => {
    await server.r2.set('k', 'v');
    expect(await server.r2.ttl('k')).toBe(-1);
    expect(await server.r2.pttl('k')).toBe(-1);
    expect(await server.r2.expiretime('k')).toBe(-1);
    expect(await server.r2.pexpiretime('k')).toBe(-1);
    expect(await server.r2.ttl('missing')).toBe(-2);
    expect(await server.r2.pexpiretime('missing')).toBe(-2);

    expect(await server.r2.expire('k', 100)).toBe(1);
    expect(await server.r2.ttl('k')).toBe(100);
    expect(await server.r2.pexpire('k', 50_800)).toBe(1);
    expect(await server.r2.ttl('k')).toBe(51); // rounded to the nearest second
    const atSec = Math.floor(Date.now() / 1000) + 1000;
    expect(await server.r2.expireat('k', atSec)).toBe(1);
    expect(await server.r2.expiretime('k')).toBe(atSec);
    expect(await server.r2.pexpireat('k', atSec * 1000 + 123)).toBe(1);
    expect(await server.r2.pexpiretime('k')).toBe(atSec * 1000 + 123);
    expect(await server.r2.expire('missing', 10)).toBe(0);
  });

  it('applies NX, XX, GT and LT', async () => {
    await server.r2.set('k', 'v');
    expect(await server.r2.call('EXPIRE', 'k', '100', 'XX')).toBe(0);
    expect(await server.r2.call('EXPIRE', 'k', '100', 'GT')).toBe(0);
    expect(await server.r2.call('EXPIRE', 'k', '100', 'nx')).toBe(1);
    expect(await server.r2.call('EXPIRE', 'k', '200', 'NX')).toBe(0);
    expect(await server.r2.call('EXPIRE', 'k', '50', 'GT')).toBe(0);
    expect(await server.r2.call('EXPIRE', 'k', '200', 'GT')).toBe(1);
    expect(await server.r2.call('EXPIRE', 'k', '300', 'LT')).toBe(0);
    expect(await server.r2.call('EXPIRE', 'k', '150', 'LT', 'XX')).toBe(1);
    expect(await server.r2.ttl('k')).toBe(150);
    await server.r2.set('p', 'v');
    expect(await server.r2.call('EXPIRE', 'p', '100', 'LT')).toBe(1);
  });

  it('replies with Redis errors for bad options and times', async () => {
    await server.r2.set('k', 'v');
    expect(await server.raw.call('EXPIRE', 'k', '10', 'NX', 'XX')).toBe('-ERR NX and XX, GT or LT options at the same time are not compatible\r\n');
    expect(await server.raw.call('EXPIRE', 'k', '10', 'NX', 'LT')).toBe('-ERR NX and XX, GT or LT options at the same time are not compatible\r\n');
    expect(await server.raw.call('EXPIRE', 'k', '10', 'GT', 'LT')).toBe('-ERR GT and LT options at the same time are not compatible\r\n');
    expect(await server.raw.call('EXPIRE', 'k', '10', 'ab')).toBe('-ERR Unsupported option ab\r\n');
    expect(await server.raw.call('EXPIRE', 'k', '')).toBe('-ERR value is not an integer or out of range\r\n');
    expect(await server.raw.call('EXPIRE', 'k', '1.5')).toBe('-ERR value is not an integer or out of range\r\n');
    expect(await server.raw.call('EXPIRE', 'k', '9223370399119966')).toBe("-ERR invalid expire time in 'expire' command\r\n");
    expect(await server.raw.call('EXPIRE', 'k', '9223372036854776')).toBe("-ERR invalid expire time in 'expire' command\r\n");
    expect(await server.raw.call('EXPIRE', 'k', '-9223372036854776')).toBe("-ERR invalid expire time in 'expire' command\r\n");
    expect(await server.raw.call('PEXPIRE', 'k', '9223372036854770000')).toBe("-ERR invalid expire time in 'pexpire' command\r\n");
    expect(await server.raw.call('EXPIREAT', 'k', '9223372036854776')).toBe("-ERR invalid expire time in 'expireat' command\r\n");
    expect(await server.r2.ttl('k')).toBe(-1);
    expect(await server.raw.call('PEXPIREAT', 'k', '9223372036854770000')).toBe(':1\r\n');
    expect(await server.r2.ttl('k')).toBeGreaterThan(1e12);
    expect(await server.raw.call('PEXPIREAT', 'k', '-9223372036854770000')).toBe(':1\r\n');
    expect(await server.r2.exists('k')).toBe(0);
  });

  it('propagates absolute PEXPIREAT, and DEL for a deadline in the past', async () => {
    await server.r2.set('k', 'v');
    log.clear();
    const before = Date.now();
    await server.r2.call('EXPIRE', 'k', '100', 'NX');
    await server.r2.pexpireat('k', 99_999_999_999_999);
    const [first, second] = log.lines();
    const [name, key, at, flag] = first.split(' ');
    expect([name, key, flag]).toEqual(['PEXPIREAT', 'k', 'NX']);
    expect(Number(at)).toBeGreaterThanOrEqual(before + 100_000);
    expect(Number(at)).toBeLessThanOrEqual(Date.now() + 100_000);
    expect(second).toBe('pexpireat k 99999999999999');
    log.clear();
    expect(await server.r2.expire('k', -1)).toBe(1);
    expect(await server.r2.exists('k')).toBe(0);
    expect(log.lines()).toEqual(['DEL k']);
    log.clear();
    await server.r2.set('k', 'v', 'EX', 100);
    log.clear();
    expect(await server.r2.persist('k')).toBe(1);
    expect(await server.r2.persist('k')).toBe(0);
    expect(await server.r2.persist('missing')).toBe(0);
    expect(log.lines()).toEqual(['persist k']);
  });

  it('propagates the keys SCAN and RANDOMKEY expire lazily as separate DELs, other commands\' in MULTI/EXEC', async () => {
    // Redis's CMD_TOUCHES_ARBITRARY_KEYS: run directly, these commands' expiries go out like
    // active expiry's, one DEL each; MGET's two expiries are one transaction.
    expect(await server.raw.call('DEBUG', 'SET-ACTIVE-EXPIRE', '0')).toBe('+OK\r\n');
    try {
      for (const command of [['SCAN', '0'], ['RANDOMKEY'], ['MGET', 'lazy:1', 'lazy:2']]) {
        await server.r2.flushall();
        await server.r2.set('lazy:1', 'v', 'PX', 1);
        await server.r2.set('lazy:2', 'v', 'PX', 1);
        const expiredAt = Date.now() + 2;
        await waitFor(() => Date.now() > expiredAt, 1000);
        log.clear();
        await server.r2.call(command[0], ...command.slice(1));
        const lines = log.lines();
        if (command[0] === 'MGET') {
          expect(lines).toEqual(['MULTI', 'DEL lazy:1', 'DEL lazy:2', 'EXEC']);
        } else {
          expect(lines.sort(), command[0]).toEqual(['DEL lazy:1', 'DEL lazy:2']);
        }
      }
    } finally {
      await server.raw.call('DEBUG', 'SET-ACTIVE-EXPIRE', '1');
    }
  });

  it('notifies expire, persist, del and expired', async () => {
    await server.r2.set('k', 'v');
    await server.r2.expire('k', 100);
    expect(await nextEvent()).toBe('expire k');
    await server.r2.persist('k');
    expect(await nextEvent()).toBe('persist k');
    await server.r2.expire('k', 0);
    expect(await nextEvent()).toBe('del k');
    server.running.server.keyspace.activeExpireEnabled = false;
    await server.r2.set('lazy', 'v', 'PX', 1);
    expect(await nextEvent()).toBe('expire lazy'); // SET with PX notifies 'expire' too
    await new Promise((r) => setTimeout(r, 5));
    expect(await server.r2.dbsize()).toBe(1);
    expect(await server.r2.get('lazy')).toBeNull();
    expect(await nextEvent()).toBe('expired lazy');
    expect(await server.r2.dbsize()).toBe(0);
  });

  it('actively expires a key within about 100 ms of its deadline at hz 10', async () => {
    // The server sets the deadline between these two clock reads: the earliest bound proves
    // the key never expires early, the latest bounds how late the active cycle may be.
    const sentMs = Date.now();
    await server.r2.set('soon', 'v', 'PX', 150);
    const repliedMs = Date.now();
    expect(await nextEvent()).toBe('expire soon');
    // The 'expired' event comes from the active cycle: nothing reads the key.
    expect(await nextEvent()).toBe('expired soon');
    const expiredMs = Date.now();
    expect(expiredMs - (sentMs + 150)).toBeGreaterThanOrEqual(0);
    expect(expiredMs - (repliedMs + 150)).toBeLessThan(160);
    expect(await server.r2.dbsize()).toBe(0);
  });

  it('expires many keys actively without any access', async () => {
    const pipeline = server.r2.pipeline();
    for (let i = 0; i < 300; i++) pipeline.set(`v:${i}`, 'x', 'PX', 50);
    for (let i = 0; i < 20; i++) pipeline.set(`p:${i}`, 'x');
    await pipeline.exec();
    const start = Date.now();
    while ((await server.r2.dbsize()) > 20 && Date.now() - start < 3000) await new Promise((r) => setTimeout(r, 20));
    expect(await server.r2.dbsize()).toBe(20);
  });

  it('keeps expired keys until accessed when active expiry is off', async () => {
    server.running.server.keyspace.activeExpireEnabled = false;
    await server.r2.set('k', 'v', 'PX', 20);
    await new Promise((r) => setTimeout(r, 250));
    expect(await server.r2.dbsize()).toBe(1);
    expect(await server.r2.ttl('k')).toBe(-2);
    expect(await server.r2.dbsize()).toBe(0);
  });

  it('a write after expiry starts from an empty key (no resurrection)', async () => {
    await server.r2.set('x', 'foo', 'PX', 10);
    await new Promise((r) => setTimeout(r, 20));
    await server.r2.append('x', 'bar');
    expect(await server.r2.get('x')).toBe('bar');
    expect(await server.r2.ttl('x')).toBe(-1);
  });

  it('replies integers in RESP3 too', async () => {
    await server.r3.set('k', 'v');
    expect(await server.r3.expire('k', 10)).toBe(1);
    expect(await server.r3.ttl('k')).toBe(10);
  });
});
