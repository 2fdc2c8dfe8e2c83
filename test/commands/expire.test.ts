import Redis from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/index.js';
import { startCinnabar } from '../helpers/cinnabar.js';
import { RawConnection } from '../helpers/resp.js';

/** Splits an encoded propagation chunk into its commands, each as a space-joined line. */
function commandsOf(chunks: readonly string[]): string[] {
  const out: string[] = [];
  for (const chunk of chunks) {
    const lines = chunk.split('\r\n');
    let i = 0;
    while (i < lines.length && lines[i].startsWith('*')) {
      const n = Number(lines[i].slice(1));
      const args: string[] = [];
      for (let j = 0; j < n; j++) args.push(lines[i + 2 + j * 2]);
      out.push(args.join(' '));
      i += 1 + n * 2;
    }
  }
  return out.filter((c) => !c.startsWith('SELECT'));
}

describe('expiry commands', () => {
  let running: RunningServer;
  let r2: Redis;
  let r3: Redis;
  let raw: RawConnection;
  let events: RawConnection;
  const propagated: string[] = [];

  beforeAll(async () => {
    running = await startCinnabar({ hz: 10, 'notify-keyspace-events': 'Egx' });
    r2 = new Redis({ port: running.port, protocol: 2, lazyConnect: true, enableReadyCheck: false });
    r3 = new Redis({ port: running.port, protocol: 3, lazyConnect: true, enableReadyCheck: false });
    await Promise.all([r2.connect(), r3.connect()]);
    raw = await RawConnection.connect(running.port);
    events = await RawConnection.connect(running.port);
    await events.call('HELLO', '3');
    events.send('PSUBSCRIBE', '__keyevent@0__:*');
    await events.readReply();
    running.server.propagator.subscribe((chunk) => propagated.push(chunk.toString('latin1')));
  });

  afterAll(async () => {
    raw.close();
    events.close();
    r2.disconnect();
    r3.disconnect();
    await running.close();
  });

  beforeEach(async () => {
    await r2.flushall();
    running.server.keyspace.activeExpireEnabled = true;
    // Drain pending notifications from earlier tests (the flush itself publishes none).
    while (events.pending.length > 0) await events.readReply();
    propagated.length = 0;
  });

  /** The next keyevent notification as "event key". */
  async function nextEvent(): Promise<string> {
    const parts = (await events.readReply()).split('\r\n');
    // >4 pmessage pattern channel message: channel at 6, message at 8
    return `${parts[6].slice('__keyevent@0__:'.length)} ${parts[8]}`;
  }

  it('sets deadlines in every unit and reads them back', async () => {
    await r2.set('k', 'v');
    expect(await r2.ttl('k')).toBe(-1);
    expect(await r2.pttl('k')).toBe(-1);
    expect(await r2.expiretime('k')).toBe(-1);
    expect(await r2.pexpiretime('k')).toBe(-1);
    expect(await r2.ttl('missing')).toBe(-2);
    expect(await r2.pexpiretime('missing')).toBe(-2);

    expect(await r2.expire('k', 100)).toBe(1);
    expect(await r2.ttl('k')).toBe(100);
    expect(await r2.pexpire('k', 50_800)).toBe(1);
    expect(await r2.ttl('k')).toBe(51); // rounded to the nearest second
    const atSec = Math.floor(Date.now() / 1000) + 1000;
    expect(await r2.expireat('k', atSec)).toBe(1);
    expect(await r2.expiretime('k')).toBe(atSec);
    expect(await r2.pexpireat('k', atSec * 1000 + 123)).toBe(1);
    expect(await r2.pexpiretime('k')).toBe(atSec * 1000 + 123);
    expect(await r2.expire('missing', 10)).toBe(0);
  });

  it('applies NX, XX, GT and LT', async () => {
    await r2.set('k', 'v');
    expect(await r2.call('EXPIRE', 'k', '100', 'XX')).toBe(0);
    expect(await r2.call('EXPIRE', 'k', '100', 'GT')).toBe(0);
    expect(await r2.call('EXPIRE', 'k', '100', 'nx')).toBe(1);
    expect(await r2.call('EXPIRE', 'k', '200', 'NX')).toBe(0);
    expect(await r2.call('EXPIRE', 'k', '50', 'GT')).toBe(0);
    expect(await r2.call('EXPIRE', 'k', '200', 'GT')).toBe(1);
    expect(await r2.call('EXPIRE', 'k', '300', 'LT')).toBe(0);
    expect(await r2.call('EXPIRE', 'k', '150', 'LT', 'XX')).toBe(1);
    expect(await r2.ttl('k')).toBe(150);
    await r2.set('p', 'v');
    expect(await r2.call('EXPIRE', 'p', '100', 'LT')).toBe(1);
  });

  it('replies with Redis errors for bad options and times', async () => {
    await r2.set('k', 'v');
    expect(await raw.call('EXPIRE', 'k', '10', 'NX', 'XX')).toBe('-ERR NX and XX, GT or LT options at the same time are not compatible\r\n');
    expect(await raw.call('EXPIRE', 'k', '10', 'NX', 'LT')).toBe('-ERR NX and XX, GT or LT options at the same time are not compatible\r\n');
    expect(await raw.call('EXPIRE', 'k', '10', 'GT', 'LT')).toBe('-ERR GT and LT options at the same time are not compatible\r\n');
    expect(await raw.call('EXPIRE', 'k', '10', 'ab')).toBe('-ERR Unsupported option ab\r\n');
    expect(await raw.call('EXPIRE', 'k', '')).toBe('-ERR value is not an integer or out of range\r\n');
    expect(await raw.call('EXPIRE', 'k', '1.5')).toBe('-ERR value is not an integer or out of range\r\n');
    expect(await raw.call('EXPIRE', 'k', '9223370399119966')).toBe("-ERR invalid expire time in 'expire' command\r\n");
    expect(await raw.call('EXPIRE', 'k', '9223372036854776')).toBe("-ERR invalid expire time in 'expire' command\r\n");
    expect(await raw.call('EXPIRE', 'k', '-9223372036854776')).toBe("-ERR invalid expire time in 'expire' command\r\n");
    expect(await raw.call('PEXPIRE', 'k', '9223372036854770000')).toBe("-ERR invalid expire time in 'pexpire' command\r\n");
    expect(await raw.call('EXPIREAT', 'k', '9223372036854776')).toBe("-ERR invalid expire time in 'expireat' command\r\n");
    expect(await r2.ttl('k')).toBe(-1);
    expect(await raw.call('PEXPIREAT', 'k', '9223372036854770000')).toBe(':1\r\n');
    expect(await r2.ttl('k')).toBeGreaterThan(1e12);
    expect(await raw.call('PEXPIREAT', 'k', '-9223372036854770000')).toBe(':1\r\n');
    expect(await r2.exists('k')).toBe(0);
  });

  it('propagates absolute PEXPIREAT, and DEL for a deadline in the past', async () => {
    await r2.set('k', 'v');
    propagated.length = 0;
    const before = Date.now();
    await r2.call('EXPIRE', 'k', '100', 'NX');
    await r2.pexpireat('k', 99_999_999_999_999);
    const [first, second] = commandsOf(propagated);
    const [name, key, at, flag] = first.split(' ');
    expect([name, key, flag]).toEqual(['PEXPIREAT', 'k', 'NX']);
    expect(Number(at)).toBeGreaterThanOrEqual(before + 100_000);
    expect(Number(at)).toBeLessThanOrEqual(Date.now() + 100_000);
    expect(second).toBe('pexpireat k 99999999999999');
    propagated.length = 0;
    expect(await r2.expire('k', -1)).toBe(1);
    expect(await r2.exists('k')).toBe(0);
    expect(commandsOf(propagated)).toEqual(['DEL k']);
    propagated.length = 0;
    await r2.set('k', 'v', 'EX', 100);
    propagated.length = 0;
    expect(await r2.persist('k')).toBe(1);
    expect(await r2.persist('k')).toBe(0);
    expect(await r2.persist('missing')).toBe(0);
    expect(commandsOf(propagated)).toEqual(['persist k']);
  });

  it('notifies expire, persist, del and expired', async () => {
    await r2.set('k', 'v');
    await r2.expire('k', 100);
    expect(await nextEvent()).toBe('expire k');
    await r2.persist('k');
    expect(await nextEvent()).toBe('persist k');
    await r2.expire('k', 0);
    expect(await nextEvent()).toBe('del k');
    running.server.keyspace.activeExpireEnabled = false;
    await r2.set('lazy', 'v', 'PX', 1);
    expect(await nextEvent()).toBe('expire lazy'); // SET with PX notifies 'expire' too
    await new Promise((r) => setTimeout(r, 5));
    expect(await r2.dbsize()).toBe(1);
    expect(await r2.get('lazy')).toBeNull();
    expect(await nextEvent()).toBe('expired lazy');
    expect(await r2.dbsize()).toBe(0);
  });

  it('actively expires a key within about 100 ms of its deadline at hz 10', async () => {
    await r2.set('soon', 'v', 'PX', 150);
    const deadline = Date.now() + 150;
    expect(await nextEvent()).toBe('expire soon');
    // The 'expired' event comes from the active cycle: nothing reads the key.
    expect(await nextEvent()).toBe('expired soon');
    const lateMs = Date.now() - deadline;
    expect(lateMs).toBeGreaterThanOrEqual(0);
    expect(lateMs).toBeLessThan(160);
    expect(await r2.dbsize()).toBe(0);
  });

  it('expires many keys actively without any access', async () => {
    const pipeline = r2.pipeline();
    for (let i = 0; i < 300; i++) pipeline.set(`v:${i}`, 'x', 'PX', 50);
    for (let i = 0; i < 20; i++) pipeline.set(`p:${i}`, 'x');
    await pipeline.exec();
    const start = Date.now();
    while ((await r2.dbsize()) > 20 && Date.now() - start < 3000) await new Promise((r) => setTimeout(r, 20));
    expect(await r2.dbsize()).toBe(20);
  });

  it('keeps expired keys until accessed when active expiry is off', async () => {
    running.server.keyspace.activeExpireEnabled = false;
    await r2.set('k', 'v', 'PX', 20);
    await new Promise((r) => setTimeout(r, 250));
    expect(await r2.dbsize()).toBe(1);
    expect(await r2.ttl('k')).toBe(-2);
    expect(await r2.dbsize()).toBe(0);
  });

  it('a write after expiry starts from an empty key (no resurrection)', async () => {
    await r2.set('x', 'foo', 'PX', 10);
    await new Promise((r) => setTimeout(r, 20));
    await r2.append('x', 'bar');
    expect(await r2.get('x')).toBe('bar');
    expect(await r2.ttl('x')).toBe(-1);
  });

  it('replies integers in RESP3 too', async () => {
    await r3.set('k', 'v');
    expect(await r3.expire('k', 10)).toBe(1);
    expect(await r3.ttl('k')).toBe(10);
  });
});
