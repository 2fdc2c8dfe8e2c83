import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/index.js';
import { startCinnabar } from '../helpers/cinnabar.js';
import { RawConnection } from '../helpers/resp.js';

/** The fields of one CLIENT LIST line, in order. */
function fields(line: string): Array<[string, string]> {
  return line.trim().split(' ').map((pair) => {
    const eq = pair.indexOf('=');
    return [pair.slice(0, eq), pair.slice(eq + 1)];
  });
}

/** The body of a bulk or verbatim reply. */
function bulkBody(reply: string): string {
  const body = reply.slice(reply.indexOf('\r\n') + 2, -2);
  return reply.startsWith('=') ? body.slice(4) : body;
}

const FIELD_ORDER = [
  'id', 'addr', 'laddr', 'fd', 'name', 'age', 'idle', 'flags', 'db', 'sub', 'psub', 'ssub', 'multi', 'qbuf',
  'qbuf-free', 'argv-mem', 'multi-mem', 'rbs', 'rbp', 'obl', 'oll', 'omem', 'tot-mem', 'events', 'cmd', 'user',
  'redir', 'resp',
];

describe('CLIENT', () => {
  let server: RunningServer;
  const open: Array<RawConnection | Redis> = [];
  const raw = async (): Promise<RawConnection> => {
    const c = await RawConnection.connect(server.port);
    open.push(c);
    return c;
  };
  beforeAll(async () => { server = await startCinnabar(); });
  afterAll(async () => {
    for (const c of open) {
      if (c instanceof RawConnection) c.close();
      else c.disconnect();
    }
    await server.close();
  });

  it('CLIENT ID and CLIENT INFO describe the calling connection in Redis 7.0 field order', async () => {
    const c = await raw();
    const id = Number((await c.call('CLIENT', 'ID')).slice(1, -2));
    expect(id).toBeGreaterThan(0);
    const info = await c.call('CLIENT', 'INFO');
    expect(info.startsWith('$')).toBe(true);
    const f = fields(bulkBody(info));
    expect(f.map(([k]) => k)).toEqual(FIELD_ORDER);
    const map = new Map(f);
    expect(map.get('id')).toBe(String(id));
    expect(map.get('addr')).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(map.get('laddr')).toBe(`127.0.0.1:${server.port}`);
    expect(Number(map.get('fd'))).toBeGreaterThan(0);
    expect(map.get('flags')).toBe('N');
    expect(map.get('multi')).toBe('-1');
    // The request "*2\r\n$6\r\nCLIENT\r\n$4\r\nINFO\r\n" is still in the query buffer, as in Redis.
    expect(map.get('qbuf')).toBe('26');
    expect(map.get('argv-mem')).toBe('10');
    expect(map.get('cmd')).toBe('client|info');
    expect(map.get('user')).toBe('default');
    expect(map.get('resp')).toBe('2');
    expect(bulkBody(info).endsWith('\n')).toBe(true);
  });

  it('CLIENT INFO is a verbatim string in RESP3', async () => {
    const c = await raw();
    await c.call('HELLO', '3');
    const info = await c.call('CLIENT', 'INFO');
    expect(info.startsWith('=')).toBe(true);
    expect(info.slice(info.indexOf('\r\n') + 2, info.indexOf('\r\n') + 6)).toBe('txt:');
    expect(bulkBody(info)).toMatch(/ resp=3\n$/);
  });

  it('CLIENT LIST lists every connection, filters by TYPE and ID, and validates its arguments', async () => {
    const a = await raw();
    const b = await raw();
    const idA = (await a.call('CLIENT', 'ID')).slice(1, -2);
    const idB = (await b.call('CLIENT', 'ID')).slice(1, -2);
    const all = bulkBody(await a.call('CLIENT', 'LIST'));
    expect(all).toContain(`id=${idA} `);
    expect(all).toContain(`id=${idB} `);
    const onlyB = bulkBody(await a.call('CLIENT', 'LIST', 'ID', idB, '999999'));
    expect(onlyB.split('\n').filter((l) => l !== '')).toHaveLength(1);
    expect(onlyB).toMatch(new RegExp(`^id=${idB} .* cmd=client\\|id `));
    expect(await a.call('CLIENT', 'LIST', 'ID', 'x')).toBe('-ERR Invalid client ID\r\n');
    expect(await a.call('CLIENT', 'LIST', 'TYPE', 'bogus')).toBe("-ERR Unknown client type 'bogus'\r\n");
    expect(await a.call('CLIENT', 'LIST', 'TYPE')).toBe('-ERR syntax error\r\n');
    expect(await a.call('CLIENT', 'LIST', 'FOO', 'BAR', 'BAZ')).toBe('-ERR syntax error\r\n');
    expect(await a.call('CLIENT', 'LIST', 'TYPE', 'master')).toBe('$0\r\n\r\n');
    await b.call('SUBSCRIBE', 'chan');
    const pubsub = bulkBody(await a.call('CLIENT', 'LIST', 'TYPE', 'pubsub'));
    expect(pubsub).toMatch(new RegExp(`^id=${idB} .* flags=P .* sub=1 `));
    const normal = bulkBody(await a.call('CLIENT', 'LIST', 'TYPE', 'normal'));
    expect(normal).not.toContain(`id=${idB} `);
    expect(normal).toContain(`id=${idA} `);
  });

  it('shows MULTI state, names and the last command of other clients', async () => {
    const a = await raw();
    const b = await raw();
    const idB = (await b.call('CLIENT', 'ID')).slice(1, -2);
    await b.call('CLIENT', 'SETNAME', 'worker-1');
    await b.call('MULTI');
    await b.call('SET', 'k', 'v');
    const line = bulkBody(await a.call('CLIENT', 'LIST', 'ID', idB));
    const map = new Map(fields(line));
    expect(map.get('name')).toBe('worker-1');
    expect(map.get('flags')).toBe('x');
    expect(map.get('multi')).toBe('1');
    // One queued command: its argument bytes (3+1+1) plus one pointer per argument.
    expect(map.get('multi-mem')).toBe(String(5 + 3 * 8));
    expect(map.get('cmd')).toBe('set');
    expect(map.get('qbuf')).toBe('0');
    await b.call('DISCARD');
  });

  it('cmd= shows the command being looked up, NULL after an unknown one, as Redis records it', async () => {
    const a = await raw();
    const b = await raw();
    const idB = (await b.call('CLIENT', 'ID')).slice(1, -2);
    await b.call('NOSUCHCMD');
    expect(bulkBody(await a.call('CLIENT', 'LIST', 'ID', idB))).toContain(' cmd=NULL ');
    await b.call('GET', 'a', 'b');
    expect(bulkBody(await a.call('CLIENT', 'LIST', 'ID', idB))).toContain(' cmd=get ');
  });

  it('CLIENT SETNAME / GETNAME, with Redis validation, and an empty name clears it', async () => {
    const c = await raw();
    expect(await c.call('CLIENT', 'GETNAME')).toBe('$-1\r\n');
    expect(await c.call('CLIENT', 'SETNAME', 'foo bar')).toBe('-ERR Client names cannot contain spaces, newlines or special characters.\r\n');
    expect(await c.call('CLIENT', 'SETNAME', 'caf\xe9')).toBe('-ERR Client names cannot contain spaces, newlines or special characters.\r\n');
    expect(await c.call('CLIENT', 'SETNAME', 'myname')).toBe('+OK\r\n');
    expect(await c.call('CLIENT', 'GETNAME')).toBe('$6\r\nmyname\r\n');
    expect(bulkBody(await c.call('CLIENT', 'INFO'))).toContain(' name=myname ');
    expect(await c.call('CLIENT', 'SETNAME', '')).toBe('+OK\r\n');
    expect(await c.call('CLIENT', 'GETNAME')).toBe('$-1\r\n');
    expect(await c.call('CLIENT', 'SETNAME')).toBe("-ERR wrong number of arguments for 'client|setname' command\r\n");
  });

  it('CLIENT SETINFO accepts LIB-NAME and LIB-VER as Redis 7.2 does', async () => {
    const c = await raw();
    expect(await c.call('CLIENT', 'SETINFO', 'LIB-NAME', 'mylib')).toBe('+OK\r\n');
    expect(await c.call('CLIENT', 'SETINFO', 'lib-ver', '1.2.3')).toBe('+OK\r\n');
    expect(await c.call('CLIENT', 'SETINFO', 'lib-name', 'bad name')).toBe('-ERR lib-name cannot contain spaces, newlines or special characters.\r\n');
    expect(await c.call('CLIENT', 'SETINFO', 'color', 'red')).toBe("-ERR Unrecognized option 'color'\r\n");
    expect(await c.call('CLIENT', 'SETINFO', 'lib-name')).toBe("-ERR wrong number of arguments for 'client|setinfo' command\r\n");
  });

  it('CLIENT KILL: argument errors', async () => {
    const c = await raw();
    expect(await c.call('CLIENT', 'KILL')).toBe("-ERR wrong number of arguments for 'client|kill' command\r\n");
    expect(await c.call('CLIENT', 'KILL', 'ID', '10', 'wrong_arg')).toBe('-ERR syntax error\r\n');
    for (const bad of ['str', '-1', '0']) {
      expect(await c.call('CLIENT', 'KILL', 'ID', bad)).toBe('-ERR client-id should be greater than 0\r\n');
    }
    expect(await c.call('CLIENT', 'KILL', 'TYPE', 'wrong_type')).toBe("-ERR Unknown client type 'wrong_type'\r\n");
    expect(await c.call('CLIENT', 'KILL', 'USER', 'wrong_user')).toBe("-ERR No such user 'wrong_user'\r\n");
    expect(await c.call('CLIENT', 'KILL', 'SKIPME', 'maybe')).toBe('-ERR syntax error\r\n');
    expect(await c.call('CLIENT', 'KILL', '1.2.3.4:5')).toBe('-ERR No such client\r\n');
  });

  it('CLIENT KILL by address (old form), by ID and LADDR; SKIPME no kills the caller after replying', async () => {
    const killer = await raw();
    const victim1 = await raw();
    const victim2 = await raw();
    const addr1 = new Map(fields(bulkBody(await victim1.call('CLIENT', 'INFO')))).get('addr') ?? '';
    expect(await killer.call('CLIENT', 'KILL', addr1)).toBe('+OK\r\n');
    await victim1.waitClosed();
    const id2 = (await victim2.call('CLIENT', 'ID')).slice(1, -2);
    expect(await killer.call('CLIENT', 'KILL', 'ID', id2, 'TYPE', 'pubsub')).toBe(':0\r\n');
    expect(await killer.call('CLIENT', 'KILL', 'ID', id2, 'USER', 'default')).toBe(':1\r\n');
    await victim2.waitClosed();
    const idK = (await killer.call('CLIENT', 'ID')).slice(1, -2);
    expect(await killer.call('CLIENT', 'KILL', 'ID', idK)).toBe(':0\r\n');
    expect(await killer.call('CLIENT', 'KILL', 'ID', idK, 'LADDR', `127.0.0.1:${server.port}`, 'SKIPME', 'no')).toBe(':1\r\n');
    await killer.waitClosed();
    const probe = await raw();
    expect(await probe.call('PING')).toBe('+PONG\r\n');
  });

  it('CLIENT REPLY OFF / ON / SKIP', async () => {
    const c = await raw();
    c.send('CLIENT', 'REPLY', 'OFF');
    c.send('PING', 'silenced-1');
    c.send('PING', 'silenced-2');
    expect(await c.call('CLIENT', 'REPLY', 'ON')).toBe('+OK\r\n');
    expect(await c.call('PING', 'heard')).toBe('$5\r\nheard\r\n');
    c.send('CLIENT', 'REPLY', 'SKIP');
    c.send('PING', 'skipped');
    expect(await c.call('PING', 'after')).toBe('$5\r\nafter\r\n');
    // ON right after SKIP: the pending skip is lifted and ON itself replies.
    c.send('CLIENT', 'REPLY', 'SKIP');
    expect(await c.call('CLIENT', 'REPLY', 'ON')).toBe('+OK\r\n');
    expect(await c.call('PING')).toBe('+PONG\r\n');
    expect(await c.call('CLIENT', 'REPLY', 'MAYBE')).toBe('-ERR syntax error\r\n');
    expect(c.pending).toBe('');
  });

  it('CLIENT NO-EVICT and NO-TOUCH set the e and T flags', async () => {
    const c = await raw();
    expect(await c.call('CLIENT', 'NO-EVICT', 'on')).toBe('+OK\r\n');
    expect(await c.call('CLIENT', 'NO-TOUCH', 'ON')).toBe('+OK\r\n');
    expect(bulkBody(await c.call('CLIENT', 'INFO'))).toContain(' flags=eT ');
    expect(await c.call('CLIENT', 'NO-EVICT', 'off')).toBe('+OK\r\n');
    expect(await c.call('CLIENT', 'NO-TOUCH', 'off')).toBe('+OK\r\n');
    expect(bulkBody(await c.call('CLIENT', 'INFO'))).toContain(' flags=N ');
    expect(await c.call('CLIENT', 'NO-EVICT', 'x')).toBe('-ERR syntax error\r\n');
    expect(await c.call('CLIENT', 'NO-TOUCH', 'x')).toBe('-ERR syntax error\r\n');
  });

  it('CLIENT NO-TOUCH keeps reads from updating the access time of keys, except TOUCH', async () => {
    const quiet = await raw();
    const normal = await raw();
    expect(await normal.call('SET', 'nt-key', 'v')).toBe('+OK\r\n');
    expect(await quiet.call('CLIENT', 'NO-TOUCH', 'on')).toBe('+OK\r\n');
    const idle = async (): Promise<number> => Number((await normal.call('OBJECT', 'IDLETIME', 'nt-key')).slice(1, -2));
    const deadline = Date.now() + 5000;
    while ((await idle()) < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(await idle()).toBeGreaterThanOrEqual(1);
    expect(await quiet.call('GET', 'nt-key')).toBe('$1\r\nv\r\n');
    expect(await idle()).toBeGreaterThanOrEqual(1);
    expect(await quiet.call('TOUCH', 'nt-key')).toBe(':1\r\n');
    expect(await idle()).toBe(0);
  });

  it('CLIENT UNBLOCK replies 0 for a client that is not blocked and validates its arguments', async () => {
    const c = await raw();
    const other = await raw();
    const id = (await other.call('CLIENT', 'ID')).slice(1, -2);
    expect(await c.call('CLIENT', 'UNBLOCK', id)).toBe(':0\r\n');
    expect(await c.call('CLIENT', 'UNBLOCK', id, 'ERROR')).toBe(':0\r\n');
    expect(await c.call('CLIENT', 'UNBLOCK', '123456789')).toBe(':0\r\n');
    expect(await c.call('CLIENT', 'UNBLOCK', id, 'SOON')).toBe('-ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR\r\n');
    expect(await c.call('CLIENT', 'UNBLOCK', 'abc')).toBe('-ERR value is not an integer or out of range\r\n');
    expect(await c.call('CLIENT', 'UNBLOCK', id, 'TIMEOUT', 'x')).toBe("-ERR unknown subcommand or wrong number of arguments for 'UNBLOCK'. Try CLIENT HELP.\r\n");
  });

  it('CLIENT PAUSE WRITE holds writes but not reads until UNPAUSE', async () => {
    const admin = await raw();
    const writer = await raw();
    const reader = await raw();
    expect(await admin.call('CLIENT', 'PAUSE', '100000', 'WRITE')).toBe('+OK\r\n');
    writer.send('SET', 'paused-key', 'v');
    expect(await reader.call('GET', 'paused-key')).toBe('$-1\r\n');
    // The held writer shows as blocked.
    const list = bulkBody(await admin.call('CLIENT', 'LIST'));
    expect(list).toMatch(/ flags=b .* cmd=set /);
    expect(writer.pending).toBe('');
    expect(await admin.call('CLIENT', 'UNPAUSE')).toBe('+OK\r\n');
    expect(await writer.readReply()).toBe('+OK\r\n');
    expect(await reader.call('GET', 'paused-key')).toBe('$1\r\nv\r\n');
  });

  it('CLIENT PAUSE ends by itself after its timeout; arity and argument errors', async () => {
    const admin = await raw();
    const writer = await raw();
    const started = Date.now();
    expect(await admin.call('CLIENT', 'PAUSE', '150')).toBe('+OK\r\n');
    expect(await writer.call('PING')).toBe('+PONG\r\n');
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(await admin.call('CLIENT', 'PAUSE', '100', 'SOME')).toBe('-ERR CLIENT PAUSE mode must be WRITE or ALL\r\n');
    expect(await admin.call('CLIENT', 'PAUSE', 'abc')).toBe('-ERR timeout is not an integer or out of range\r\n');
    expect(await admin.call('CLIENT', 'PAUSE', '-1')).toBe('-ERR timeout is negative\r\n');
    expect(await admin.call('CLIENT', 'PAUSE', '1', 'ALL', 'x')).toBe("-ERR unknown subcommand or wrong number of arguments for 'PAUSE'. Try CLIENT HELP.\r\n");
    expect(await admin.call('CLIENT', 'PAUSE', '0')).toBe('+OK\r\n');
    expect(await writer.call('SET', 'x', '1')).toBe('+OK\r\n');
  });

  it('CLIENT HELP, unknown subcommands and arity errors', async () => {
    const c = await raw();
    const help = await c.call('CLIENT', 'HELP');
    expect(help).toMatch(/^\*\d+\r\n\+CLIENT <subcommand> \[<arg> \[value\] \[opt\] \.\.\.\]\. Subcommands are:\r\n/);
    for (const sub of ['GETNAME', 'ID', 'INFO', 'KILL', 'LIST', 'PAUSE', 'REPLY', 'SETNAME', 'UNBLOCK', 'NO-EVICT', 'HELP']) {
      expect(help).toContain(`+${sub}`);
    }
    expect(await c.call('CLIENT', 'FOO')).toBe("-ERR unknown subcommand 'FOO'. Try CLIENT HELP.\r\n");
    expect(await c.call('CLIENT')).toBe("-ERR wrong number of arguments for 'client' command\r\n");
    expect(await c.call('CLIENT', 'ID', 'x')).toBe("-ERR wrong number of arguments for 'client|id' command\r\n");
  });

  for (const protocol of [2, 3] as const) {
    it(`works through ioredis in RESP${protocol}`, async () => {
      const client = new Redis({ port: server.port, protocol, lazyConnect: true, enableReadyCheck: false });
      open.push(client);
      await client.connect();
      expect(await client.client('SETNAME', `io${protocol}`)).toBe('OK');
      expect(await client.client('GETNAME')).toBe(`io${protocol}`);
      const id = await client.client('ID');
      expect(typeof id).toBe('number');
      const info = String(await client.client('INFO'));
      expect(info).toContain(`id=${id} `);
      expect(info).toContain(` resp=${protocol}\n`);
      const list = String(await client.client('LIST'));
      expect(list).toContain(`name=io${protocol} `);
      client.disconnect();
    });
  }
});
