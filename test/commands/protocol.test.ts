import net from 'node:net';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/index.js';
import { startCinnabar } from '../helpers/cinnabar.js';
import { prng } from '../helpers/random.js';
import { encodeCommand, RawConnection } from '../helpers/resp.js';

const MB = 1024 * 1024;

describe('protocol robustness', () => {
  let server: RunningServer;
  const open: RawConnection[] = [];
  const raw = async (): Promise<RawConnection> => {
    const c = await RawConnection.connect(server.port);
    open.push(c);
    return c;
  };
  beforeAll(async () => {
    server = await startCinnabar({ 'client-query-buffer-limit': '1mb', 'proto-max-bulk-len': '1mb' });
  });
  afterAll(async () => {
    for (const c of open) c.close();
    await server.close();
  });

  /** Sends bytes, expects this exact error reply, then the server closing the connection. */
  async function expectProtocolError(bytes: string | Buffer, error: string): Promise<void> {
    const c = await raw();
    c.write(bytes);
    expect(await c.readReply()).toBe(`-ERR Protocol error: ${error}\r\n`);
    await c.waitClosed();
  }

  it('ignores empty lines, empty and negative multibulk counts', async () => {
    const c = await raw();
    c.write('\r\n');
    c.write('*-10\r\n');
    c.write('*0\r\n');
    c.write('\n   \r\n');
    expect(await c.call('PING')).toBe('+PONG\r\n');
  });

  it('answers malformed requests with Redis errors and closes the connection', async () => {
    await expectProtocolError('*3000000000\r\n', 'invalid multibulk length');
    await expectProtocolError('*abc\r\n', 'invalid multibulk length');
    await expectProtocolError('*-0\r\n', 'invalid multibulk length');
    await expectProtocolError('*3\r\n$3\r\nSET\r\n$1\r\nx\r\nfooz\r\n', "expected '$', got 'f'");
    await expectProtocolError('*3\r\n$3\r\nSET\r\n$1\r\nx\r\n$-10\r\n', 'invalid bulk length');
    await expectProtocolError('*3\r\n$3\r\nSET\r\n$1\r\nx\r\n$2000000000\r\n', 'invalid bulk length');
    await expectProtocolError('*3\r\n$3\r\nSET\r\n$1\r\nx\r\n$blabla\r\n', 'invalid bulk length');
    await expectProtocolError('*1\r\nfoo\r\n', "expected '$', got 'f'");
    await expectProtocolError('set """test-key""" test-value\r\nping\r\n', 'unbalanced quotes in request');
  });

  it('refuses a bulk longer than proto-max-bulk-len', async () => {
    await expectProtocolError(`*2\r\n$3\r\nGET\r\n$${MB + 1}\r\n`, 'invalid bulk length');
    const c = await raw();
    // Exactly the limit is fine (and goes through the large-argument path).
    const value = Buffer.alloc(MB - 100, 0x61);
    expect(await c.call('ECHO', value)).toBe(`$${value.length}\r\n${value.toString('latin1')}\r\n`);
  });

  it('refuses over-long inline requests and length lines (64KB without a newline)', async () => {
    await expectProtocolError(Buffer.alloc(70 * 1024, 0x41), 'too big inline request');
    await expectProtocolError('*' + '1'.repeat(70 * 1024), 'too big mbulk count string');
    await expectProtocolError('*1\r\n$' + '1'.repeat(70 * 1024), 'too big bulk count string');
    // Redis searches lines with strchr, which stops at a NUL byte: a NUL before the newline hides it.
    await expectProtocolError(Buffer.concat([Buffer.from([0]), Buffer.alloc(70 * 1024, 0x0a)]), 'too big inline request');
  });

  it('closes a client whose query buffer passes client-query-buffer-limit, serving the others', async () => {
    const bystander = await raw();
    const greedy = await raw();
    // proto-max-bulk-len allows a bulk of 1MB, and the buffer limit is 1MB: announce one bulk,
    // then pipeline more than the limit before it completes.
    greedy.write(`*2\r\n$4\r\nECHO\r\n$${MB}\r\n`);
    greedy.write(Buffer.alloc(MB + 64 * 1024, 0x62));
    await greedy.waitClosed();
    expect(greedy.pending).toBe('');
    expect(await bystander.call('PING')).toBe('+PONG\r\n');
    const fresh = await raw();
    expect(await fresh.call('PING')).toBe('+PONG\r\n');
  });

  it('does not run commands pipelined after QUIT or after a protocol error', async () => {
    const c = await raw();
    c.write(Buffer.concat([encodeCommand(['QUIT']), encodeCommand(['SET', 'after-quit', 'x'])]));
    expect(await c.readReply()).toBe('+OK\r\n');
    await c.waitClosed();
    const d = await raw();
    d.write(Buffer.concat([Buffer.from('*1\r\nxx\r\n'), encodeCommand(['SET', 'after-error', 'x'])]));
    expect(await d.readReply()).toBe("-ERR Protocol error: expected '$', got 'x'\r\n");
    await d.waitClosed();
    const e = await raw();
    expect(await e.call('EXISTS', 'after-quit', 'after-error')).toBe(':0\r\n');
  });

  it('handles arguments split across many tiny writes', async () => {
    const c = await raw();
    const bytes = encodeCommand(['ECHO', 'x'.repeat(40000)]);
    for (let i = 0; i < bytes.length; i += 997) {
      c.write(bytes.subarray(i, i + 997));
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    expect(await c.readReply()).toBe(`$40000\r\n${'x'.repeat(40000)}\r\n`);
  });
});

// Harmless commands only: a mutation of these must never pause, kill or stop the server.
const SEEDS: string[][] = [
  ['SET', 'k', 'v'], ['GET', 'k'], ['HSET', 'h', 'f', 'v'], ['HGETALL', 'h'], ['ECHO', 'hello'], ['PING'],
  ['CLIENT', 'LIST'], ['CLIENT', 'INFO'], ['CLIENT', 'SETNAME', 'fz'], ['COMMAND', 'INFO', 'get'],
  ['COMMAND', 'GETKEYS', 'set', 'a', 'b'], ['COMMAND', 'GETKEYSANDFLAGS', 'mset', 'a', 'b'], ['COMMAND', 'DOCS', 'get'],
  ['INCR', 'n'], ['APPEND', 'k', 'x'], ['MSET', 'a', '1', 'b', '2'], ['MULTI'], ['EXEC'], ['HELLO', '3'],
];
const SPECIALS = ['*', '$', '\r', '\n', '-', '0', '9', '\x00', ' ', '"', "'", '\\', '%', '~', '>'];

function fuzzCase(rand: () => number): Buffer {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)];
  const kind = rand();
  if (kind < 0.15) {
    // Pure noise.
    const out = Buffer.alloc(1 + Math.floor(rand() * 200));
    for (let i = 0; i < out.length; i++) out[i] = Math.floor(rand() * 256);
    return out;
  }
  if (kind < 0.3) {
    // Inline text with quotes, escapes and spaces.
    let line = '';
    const n = 1 + Math.floor(rand() * 40);
    for (let i = 0; i < n; i++) line += rand() < 0.4 ? pick(SPECIALS) : pick(['a', 'SET', 'GET', 'x', '\\x4', '\\x41']);
    return Buffer.from(line + (rand() < 0.8 ? '\r\n' : ''), 'latin1');
  }
  // A valid pipeline, then mutated.
  let bytes = Buffer.concat(Array.from({ length: 1 + Math.floor(rand() * 3) }, () => encodeCommand(pick(SEEDS))));
  const mutations = 1 + Math.floor(rand() * 4);
  for (let m = 0; m < mutations; m++) {
    const at = Math.floor(rand() * bytes.length);
    const op = rand();
    if (op < 0.35) {
      bytes[at] = rand() < 0.5 ? pick(SPECIALS).charCodeAt(0) : Math.floor(rand() * 256);
    } else if (op < 0.6) {
      bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from(pick(SPECIALS), 'latin1'), bytes.subarray(at)]);
    } else if (op < 0.8) {
      bytes = bytes.subarray(0, at);
    } else {
      const digits = String(Math.floor(rand() * 1e10) - 5);
      bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from(digits), bytes.subarray(at)]);
    }
  }
  return bytes;
}

/** Sends one case and waits (briefly) for the server to answer or close; never hangs. */
function runCase(port: number, payload: Buffer): Promise<void> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve();
    };
    const timer = setTimeout(finish, 40);
    socket.on('error', finish);
    socket.on('close', finish);
    socket.on('data', () => undefined);
    socket.on('connect', () => {
      socket.write(payload);
      socket.write(encodeCommand(['PING']));
    });
  });
}

describe('protocol fuzzing', () => {
  let server: RunningServer;
  beforeAll(async () => { server = await startCinnabar(); });
  afterAll(async () => { await server.close(); });

  it('survives 2000 random and mutated requests and keeps answering', async () => {
    const rand = prng(0xc1a0);
    const cases = Array.from({ length: 2000 }, () => fuzzCase(rand));
    const concurrency = 50;
    for (let i = 0; i < cases.length; i += concurrency) {
      await Promise.all(cases.slice(i, i + concurrency).map((payload) => runCase(server.port, payload)));
    }
    const probe = await RawConnection.connect(server.port);
    expect(await probe.call('PING')).toBe('+PONG\r\n');
    // Every fuzz connection is gone: nothing leaked in the client table.
    const clientCount = async (): Promise<number> => (await probe.call('CLIENT', 'LIST')).split('\n').filter((l) => l.includes('id=')).length;
    const deadline = Date.now() + 5000;
    while ((await clientCount()) > 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(await clientCount()).toBe(1);
    expect(await probe.call('SET', 'after-fuzz', 'ok')).toBe('+OK\r\n');
    expect(await probe.call('GET', 'after-fuzz')).toBe('$2\r\nok\r\n');
    probe.close();
  }, 60_000);
});

describe('RESP3 and RESP2 with the usual client libraries', () => {
  let server: RunningServer;
  beforeAll(async () => { server = await startCinnabar(); });
  afterAll(async () => { await server.close(); });

  it('ioredis 6 defaults to RESP3 and decodes maps, nulls and verbatim strings', async () => {
    const io = new Redis({ port: server.port, lazyConnect: true, enableReadyCheck: false });
    await io.connect();
    try {
      const hello = (await io.call('HELLO')) as unknown;
      expect(JSON.stringify(hello)).toContain('"proto"');
      expect(String(await io.client('INFO'))).toContain(' resp=3\n');
      expect(await io.hset('io-h', 'f1', 'v1', 'f2', 'v2')).toBe(2);
      expect(await io.hgetall('io-h')).toEqual({ f1: 'v1', f2: 'v2' });
      expect(await io.get('io-missing')).toBeNull();
      expect(await io.client('GETNAME')).toBeNull();
    } finally {
      io.disconnect();
    }
  });

  for (const RESP of [2, 3] as const) {
    it(`node-redis 6 works in RESP${RESP}, including its CLIENT SETINFO handshake`, async () => {
      const client = createClient({ socket: { port: server.port, host: '127.0.0.1' }, RESP });
      client.on('error', () => undefined);
      await client.connect();
      try {
        expect(await client.ping()).toBe('PONG');
        expect(await client.set('nr-k', 'v')).toBe('OK');
        expect(await client.get('nr-k')).toBe('v');
        expect(await client.hSet(`nr-h${RESP}`, { a: '1', b: '2' })).toBe(2);
        expect(await client.hGetAll(`nr-h${RESP}`)).toEqual({ a: '1', b: '2' });
        const info = await client.clientInfo();
        expect(info.resp).toBe(RESP);
        expect(info.libName ?? 'node-redis').toContain('node-redis');
        expect(await client.sendCommand(['CLIENT', 'GETNAME'])).toBeNull();
      } finally {
        client.destroy();
      }
    });
  }
});
