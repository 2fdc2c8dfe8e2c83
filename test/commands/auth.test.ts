import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/index.js';
import { startCinnabar } from '../helpers/cinnabar.js';
import { RawConnection } from '../helpers/resp.js';

describe('requirepass and AUTH', () => {
  let server: RunningServer;
  beforeAll(async () => { server = await startCinnabar({ requirepass: 's3cret' }); });
  afterAll(async () => { await server.close(); });

  it('refuses commands before AUTH and accepts both AUTH forms', async () => {
    const c = await RawConnection.connect(server.port);
    expect(await c.call('GET', 'k')).toBe('-NOAUTH Authentication required.\r\n');
    expect(await c.call('AUTH', 'wrong')).toBe('-WRONGPASS invalid username-password pair or user is disabled.\r\n');
    expect(await c.call('AUTH', 's3cret')).toBe('+OK\r\n');
    expect(await c.call('PING')).toBe('+PONG\r\n');
    const d = await RawConnection.connect(server.port);
    expect(await d.call('AUTH', 'default', 's3cret')).toBe('+OK\r\n');
    expect(await d.call('AUTH', 'someone', 's3cret')).toBe('-WRONGPASS invalid username-password pair or user is disabled.\r\n');
    c.close();
    d.close();
  });

  it('HELLO AUTH authenticates and switches protocol in one step', async () => {
    const c = await RawConnection.connect(server.port);
    expect(await c.call('HELLO', '3')).toMatch(/^-NOAUTH HELLO must be called with the client already authenticated/);
    const hello = await c.call('HELLO', '3', 'AUTH', 'default', 's3cret', 'SETNAME', 'me');
    expect(hello.startsWith('%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\nproto\r\n:3\r\n')).toBe(true);
    expect(await c.call('PING')).toBe('+PONG\r\n');
    c.close();
  });

  it('limits the request size of unauthenticated connections as Redis does', async () => {
    const c = await RawConnection.connect(server.port);
    c.write('*20\r\n');
    expect(await c.readReply()).toBe('-ERR Protocol error: unauthenticated multibulk length\r\n');
    await c.waitClosed();
  });
});
