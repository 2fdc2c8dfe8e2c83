import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCinnabar } from '../helpers/cinnabar.js';
import { RawConnection } from '../helpers/resp.js';
import type { RunningServerInternal } from '../../src/server/start.js';

const OK = '+OK\r\n';
const invalidate = (...keys: string[]): string => `>2\r\n$10\r\ninvalidate\r\n*${keys.length}\r\n${keys.map((k) => `$${k.length}\r\n${k}\r\n`).join('')}`;

describe('client-side caching', () => {
  let server: RunningServerInternal;
  let writer: RawConnection;
  beforeAll(async () => {
    server = await startCinnabar();
    writer = await RawConnection.connect(server.port);
  });
  afterAll(async () => {
    writer.close();
    await server.close();
  });

  async function resp3(): Promise<RawConnection> {
    const c = await RawConnection.connect(server.port);
    expect(await c.call('HELLO', '3')).toMatch(/^%7/);
    return c;
  }

  it('invalidates a key read by a RESP3 client once, when another client writes it', async () => {
    const c = await resp3();
    expect(await c.call('CLIENT', 'TRACKING', 'on')).toBe(OK);
    expect(await c.call('GET', 'k1')).toBe('_\r\n');
    expect(await writer.call('SET', 'k1', 'v')).toBe(OK);
    expect(await c.readReply()).toBe(invalidate('k1'));
    // Forgotten once invalidated: a second write sends nothing until the key is read again.
    expect(await writer.call('SET', 'k1', 'w')).toBe(OK);
    expect(await c.call('PING')).toBe('+PONG\r\n');
    expect(await c.call('CLIENT', 'TRACKING', 'off')).toBe(OK);
    c.close();
  });

  it('sends the invalidation of a client\'s own write after its reply, and not at all with NOLOOP', async () => {
    const c = await resp3();
    expect(await c.call('CLIENT', 'TRACKING', 'on')).toBe(OK);
    await c.call('GET', 'own');
    c.send('SET', 'own', '1');
    expect(await c.readReply()).toBe(OK);
    expect(await c.readReply()).toBe(invalidate('own'));
    expect(await c.call('CLIENT', 'TRACKING', 'on', 'NOLOOP')).toBe(OK);
    await c.call('GET', 'own');
    expect(await c.call('SET', 'own', '2')).toBe(OK);
    expect(await c.call('PING')).toBe('+PONG\r\n');
    c.close();
  });

  it('redirects to a RESP2 subscriber of __redis__:invalidate, and reports a broken redirect', async () => {
    const sub = await RawConnection.connect(server.port);
    const subId = (await sub.call('CLIENT', 'ID')).slice(1, -2);
    expect(await sub.call('SUBSCRIBE', '__redis__:invalidate')).toMatch(/subscribe/);
    const c = await RawConnection.connect(server.port);
    expect(await c.call('CLIENT', 'TRACKING', 'on', 'REDIRECT', subId)).toBe(OK);
    expect(await c.call('CLIENT', 'GETREDIR')).toBe(`:${subId}\r\n`);
    await c.call('MGET', 'r1', 'r2');
    expect(await writer.call('MSET', 'r1', 'a', 'r2', 'b')).toBe(OK);
    expect(await sub.readReply()).toBe('*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n*1\r\n$2\r\nr1\r\n');
    expect(await sub.readReply()).toBe('*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n*1\r\n$2\r\nr2\r\n');
    expect(await writer.call('FLUSHALL')).toBe(OK);
    expect(await sub.readReply()).toBe('*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n$-1\r\n');
    sub.close();
    await c.call('HELLO', '3');
    await c.call('GET', 'r1');
    await writer.call('SET', 'r1', 'x');
    expect(await c.readReply()).toBe(`>2\r\n$21\r\ntracking-redir-broken\r\n:${subId}\r\n`);
    expect(await c.call('CLIENT', 'TRACKINGINFO')).toBe(`%3\r\n$5\r\nflags\r\n~2\r\n$2\r\non\r\n$15\r\nbroken_redirect\r\n$8\r\nredirect\r\n:${subId}\r\n$8\r\nprefixes\r\n*0\r\n`);
    c.close();
  });

  it('broadcasts changed keys under BCAST prefixes, sorted, once per event-loop turn', async () => {
    const c = await resp3();
    expect(await c.call('CLIENT', 'TRACKING', 'on', 'BCAST', 'PREFIX', 'a:', 'PREFIX', 'b:')).toBe(OK);
    expect(await c.call('CLIENT', 'TRACKING', 'on', 'BCAST', 'PREFIX', 'a:x')).toBe("-ERR Prefix 'a:x' overlaps with an existing prefix 'a:'. Prefixes for a single client must not overlap.\r\n");
    expect(await writer.call('MSET', 'a:2', '1', 'a:1', '1', 'c:1', '1')).toBe(OK);
    expect(await c.readReply()).toBe(invalidate('a:1', 'a:2'));
    expect(await c.call('CLIENT', 'TRACKINGINFO')).toBe('%3\r\n$5\r\nflags\r\n~2\r\n$2\r\non\r\n$5\r\nbcast\r\n$8\r\nredirect\r\n:0\r\n$8\r\nprefixes\r\n*2\r\n$2\r\na:\r\n$2\r\nb:\r\n');
    expect(await writer.call('INFO', 'stats')).toMatch(/tracking_total_prefixes:2\r\n/);
    c.close();
  });

  it('tracks only what OPTIN / OPTOUT and CLIENT CACHING ask for', async () => {
    const c = await resp3();
    expect(await c.call('CLIENT', 'CACHING', 'yes')).toMatch(/can be called only when the client is in tracking mode/);
    expect(await c.call('CLIENT', 'TRACKING', 'on', 'OPTIN')).toBe(OK);
    await c.call('GET', 'not-cached');
    expect(await c.call('CLIENT', 'CACHING', 'yes')).toBe(OK);
    await c.call('GET', 'cached');
    await writer.call('MSET', 'not-cached', '1', 'cached', '1');
    expect(await c.readReply()).toBe(invalidate('cached'));
    expect(await c.call('CLIENT', 'CACHING', 'no')).toBe('-ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.\r\n');
    expect(await c.call('CLIENT', 'TRACKING', 'on', 'OPTOUT')).toMatch(/You can't switch OPTIN\/OPTOUT mode/);
    c.close();
  });

  it('keeps the tracking table under tracking-table-max-keys, invalidating what it drops', async () => {
    const c = await resp3();
    expect(await writer.call('CONFIG', 'SET', 'tracking-table-max-keys', '2')).toBe(OK);
    expect(await c.call('CLIENT', 'TRACKING', 'on')).toBe(OK);
    for (const k of ['m1', 'm2', 'm3']) await c.call('GET', k);
    // The next command finds the table over the limit and drops the oldest key.
    c.send('PING');
    expect(await c.readReply()).toBe(invalidate('m1'));
    expect(await c.readReply()).toBe('+PONG\r\n');
    expect(await writer.call('INFO', 'stats')).toMatch(/tracking_total_keys:2\r\n/);
    expect(await writer.call('CONFIG', 'SET', 'tracking-table-max-keys', '1000000')).toBe(OK);
    expect(await c.call('CLIENT', 'LIST', 'ID', (await c.call('CLIENT', 'ID')).slice(1, -2))).toMatch(/flags=t .* redir=0 resp=3/);
    c.close();
  });
});
