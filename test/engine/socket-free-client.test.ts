// The engine runs commands for clients without a socket (scripts, the AOF loader, a replica's
// primary link): the same sequence sent over TCP and through a socket-free client must give the
// same reply bytes, and the socket-free client's writes must propagate like any other.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CapturingConnection, DiscardingConnection } from '../../src/engine/connection.js';
import type { Server } from '../../src/server/server.js';
import type { RunningServerInternal } from '../../src/server/start.js';
import { startCinnabar } from '../helpers/cinnabar.js';
import { RawConnection } from '../helpers/resp.js';
import { PROPAGATE_REPL } from '../../src/engine/propagation.js';

const SEQUENCE: string[][] = [
  ['PING'],
  ['SET', 'k', 'v1'],
  ['GET', 'k'],
  ['INCR', 'counter'],
  ['HSET', 'h', 'f', 'x'],
  ['GET', 'h'],
  ['MULTI'],
  ['SET', 'k', 'v2'],
  ['INCRBY', 'counter', '5'],
  ['HGETALL', 'h'],
  ['EXEC'],
  ['MULTI'],
  ['NOSUCHCOMMAND'],
  ['EXEC'],
  ['GET'],
  ['HELLO', '3'],
  ['HGETALL', 'h'],
  ['SET', 'ex', 'v', 'EX', '100'],
  ['MGET', 'k', 'missing', 'ex'],
  ['DEL', 'k', 'h', 'ex', 'counter'],
];

/** Keys the sequence touches, one copy per side, so both sides start from nothing. */
function namespaced(argv: string[], prefix: string): string[] {
  const keys = new Set(['k', 'counter', 'h', 'ex', 'missing']);
  const withKeys = new Set(['get', 'set', 'incr', 'incrby', 'hset', 'hgetall', 'mget', 'del']);
  if (!withKeys.has(argv[0].toLowerCase())) return argv;
  return argv.map((a, i) => (i > 0 && keys.has(a) ? prefix + a : a));
}

describe('socket-free clients', () => {
  let running: RunningServerInternal;
  let server: Server;

  beforeAll(async () => {
    running = await startCinnabar();
    server = running.server;
  });

  afterAll(async () => {
    await running.close();
  });

  it('get the same replies as a TCP client, MULTI/EXEC and RESP3 included', async () => {
    const tcp = await RawConnection.connect(running.port);
    const overTcp: string[] = [];
    for (const argv of SEQUENCE) overTcp.push(await tcp.call(...namespaced(argv, 'tcp:')));
    tcp.close();

    const connection = new CapturingConnection();
    const client = server.createClient(connection);
    const socketFree: string[] = [];
    for (const argv of SEQUENCE) {
      server.runCommand(client, namespaced(argv, 'mem:'));
      socketFree.push(connection.takeOutput().toString('latin1'));
    }
    // HELLO's map carries the client id, which differs by construction.
    const withoutId = (reply: string): string => reply.replace(/(\$2\r\nid\r\n:)\d+/, '$1ID');
    expect(socketFree.map(withoutId)).toEqual(overTcp.map(withoutId));
    // Like Redis's fake clients, it is not among the listed clients.
    expect([...server.clients.all()].some((c) => c === client)).toBe(false);
  });

  it('propagates its writes (a MULTI/EXEC as one unit) and reads without side effects', () => {
    const chunks: string[] = [];
    server.propagator.subscribe((unit) => chunks.push(unit.owned().toString('latin1')), PROPAGATE_REPL);
    server.propagator.resetSelectedDb();
    const client = server.createClient(new DiscardingConnection());
    server.runCommand(client, ['SET', 'prop:a', '1']);
    server.runCommand(client, ['GET', 'prop:a']);
    server.runCommand(client, ['MULTI']);
    server.runCommand(client, ['INCR', 'prop:a']);
    server.runCommand(client, ['SET', 'prop:b', 'x', 'EX', '100']);
    server.runCommand(client, ['EXEC']);
    expect(chunks[0]).toBe('*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$6\r\nprop:a\r\n$1\r\n1\r\n');
    expect(chunks).toHaveLength(2);
    expect(chunks[1]).toMatch(/^\*1\r\n\$5\r\nMULTI\r\n\*2\r\n\$4\r\nINCR\r\n\$6\r\nprop:a\r\n\*5\r\n\$3\r\nSET\r\n\$6\r\nprop:b\r\n\$1\r\nx\r\n\$4\r\nPXAT\r\n\$13\r\n\d{13}\r\n\*1\r\n\$4\r\nEXEC\r\n$/);
    expect(server.keyspace.dbs[0].peek('prop:a')).toBe('2');
  });

  it('run through checks a capability inserts, only for the commands they apply to', async () => {
    const guarded = await startCinnabar();
    try {
      const dispatcher = guarded.server.dispatcher;
      const client = guarded.server.createClient(new CapturingConnection());
      const connection = client.connection as CapturingConnection;
      guarded.server.runCommand(client, ['GET', 'x']); // cached: the checks that apply to GET
      dispatcher.insertCheck({
        name: 'read-only-test',
        appliesTo: (command) => command.isWrite,
        run: () => 'READONLY You can\'t write against a read only replica.',
      }, 'pause');
      expect(dispatcher.checks.map((c) => c.name).slice(-3)).toEqual(['read-only-test', 'pause', 'multi-queue']);
      connection.takeOutput();
      guarded.server.runCommand(client, ['SET', 'x', '1']);
      guarded.server.runCommand(client, ['GET', 'x']);
      expect(connection.takeOutput().toString('latin1')).toBe('-READONLY You can\'t write against a read only replica.\r\n$-1\r\n');
    } finally {
      await guarded.close();
    }
  });

  it('see the checks a network client sees (NOAUTH when a password is required)', async () => {
    const secured = await startCinnabar({ requirepass: 'pw' });
    try {
      const connection = new CapturingConnection();
      const client = secured.server.createClient(connection);
      secured.server.runCommand(client, ['GET', 'x']);
      expect(connection.takeOutput().toString('latin1')).toBe('-NOAUTH Authentication required.\r\n');
      secured.server.runCommand(client, ['AUTH', 'pw']);
      secured.server.runCommand(client, ['GET', 'x']);
      expect(connection.takeOutput().toString('latin1')).toBe('+OK\r\n$-1\r\n');
    } finally {
      await secured.close();
    }
  });
});
