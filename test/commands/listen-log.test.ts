// What Redis logs when CONFIG SET port/bind cannot listen, and that moving the bind onto an
// address this server already holds works (Redis closes its sockets before binding again).

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServerInternal } from '../../src/server/start.js';
import { RawConnection } from '../helpers/resp.js';

describe('CONFIG SET port/bind failures are logged as Redis logs them', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cinnabar-listen-log-'));
  const logfile = join(dir, 'server.log');
  let server: RunningServerInternal;
  let c: RawConnection;
  const blocker = net.createServer();
  let busyPort = 0;

  beforeAll(async () => {
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    busyPort = (blocker.address() as net.AddressInfo).port;
    server = await startServer({ port: 0, directives: { bind: '127.0.0.1', logfile, loglevel: 'notice' } });
    c = await RawConnection.connect(server.port);
  });
  afterAll(async () => {
    c.close();
    await server.close();
    blocker.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const logTail = (n: number): string[] => readFileSync(logfile, 'utf8').trimEnd().split('\n').slice(-n)
    .map((l) => l.replace(/^\d+:M [^#*]+[#*] /, ''));

  it('a port in use', async () => {
    expect(await c.call('CONFIG', 'SET', 'port', String(busyPort))).toBe(
      "-ERR CONFIG SET failed (possibly related to argument 'port') - Unable to listen on this port. Check server logs.\r\n");
    expect(logTail(2)).toEqual([
      `Warning: Could not create server TCP listening socket 127.0.0.1:${busyPort}: bind: Address already in use`,
      'Failed applying new configuration. Possibly related to new port setting. Restoring previous settings.',
    ]);
  });

  it('an address that is not this machine\'s', async () => {
    // 192.0.2.0/24 is reserved for documentation: never assigned, so bind() says EADDRNOTAVAIL.
    expect(await c.call('CONFIG', 'SET', 'bind', '127.0.0.1 192.0.2.1')).toBe(
      "-ERR CONFIG SET failed (possibly related to argument 'bind') - Failed to bind to specified addresses.\r\n");
    expect(logTail(3)).toEqual([
      `Warning: Could not create server TCP listening socket 192.0.2.1:${server.server.port}: bind: Cannot assign requested address`,
      'Failed to bind',
      'Failed applying new configuration. Possibly related to new bind setting. Restoring previous settings.',
    ]);
    expect(await c.call('CONFIG', 'GET', 'bind')).toBe('*2\r\n$4\r\nbind\r\n$9\r\n127.0.0.1\r\n');
  });

  it('a bind keeping the address already listened on succeeds', async () => {
    expect(await c.call('CONFIG', 'SET', 'bind', '127.0.0.1 -::1')).toBe('+OK\r\n');
    let again: RawConnection | null = null;
    for (let i = 0; i < 100 && again === null; i++) {
      again = await RawConnection.connect(server.server.port).catch(() => null);
      if (again === null) await new Promise((r) => setTimeout(r, 20));
    }
    expect(again).not.toBeNull();
    expect(await again!.call('PING')).toBe('+PONG\r\n');
    again!.close();
  });
});
