// The replica's link reads into one reused buffer and applies the stream in place, feeding the
// applied bytes on once per read. A primary played by the test writes the stream in pieces it
// chooses (a command split across reads, a transaction open across reads, a big argument in
// several reads, a pipeline ending mid-command, commands held by CLIENT PAUSE), and checks that
// the replica applies each command once it is whole, counts reploff by whole commands (a MULTI
// at its EXEC), and passes on exactly the bytes it received: live to a sub-replica attached
// from the start, and from its backlog to one that asks afterwards.

import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServerInternal } from '../../src/server/start.js';
import { crc64 } from '../../src/store/rdb/crc64.js';
import { startCinnabar } from '../helpers/cinnabar.js';
import { encodeCommand, RawConnection } from '../helpers/resp.js';
import { waitFor } from '../helpers/wait.js';

const REPLID = 'a'.repeat(40);

/** An empty RDB image: header, EOF, CRC64 trailer. */
function emptyImage(): Buffer {
  const body = Buffer.from('REDIS0010\xff', 'latin1');
  const trailer = Buffer.alloc(8);
  crc64(body).writeLE(trailer, 0);
  return Buffer.concat([body, trailer]);
}

/** Receives bytes and hands out whole RESP commands (arrays of bulk strings) as text arrays. */
class CommandReader {
  private pending = Buffer.alloc(0);

  push(chunk: Buffer): string[][] {
    this.pending = Buffer.concat([this.pending, chunk]);
    const commands: string[][] = [];
    for (;;) {
      const parsed = this.parseOne();
      if (parsed === null) return commands;
      commands.push(parsed);
    }
  }

  private parseOne(): string[] | null {
    const buf = this.pending;
    let pos = buf.indexOf('\r\n');
    if (pos < 0 || buf[0] !== 42 /* '*' */) return null;
    const count = Number(buf.toString('latin1', 1, pos));
    pos += 2;
    const args: string[] = [];
    for (let i = 0; i < count; i++) {
      const lineEnd = buf.indexOf('\r\n', pos);
      if (lineEnd < 0) return null;
      const len = Number(buf.toString('latin1', pos + 1, lineEnd));
      if (buf.length < lineEnd + 2 + len + 2) return null;
      args.push(buf.toString('latin1', lineEnd + 2, lineEnd + 2 + len));
      pos = lineEnd + 2 + len + 2;
    }
    this.pending = buf.subarray(pos);
    return args;
  }
}

/** The primary: answers the handshake, sends an empty image, then the stream the test writes. */
class ScriptedPrimary {
  readonly server = net.createServer((socket) => this.accept(socket));
  private link: net.Socket | null = null;
  /** Every stream byte written so far (offsets 1..streamed.length). */
  private sent: Buffer[] = [];
  streamedBytes = 0;

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as net.AddressInfo).port;
  }

  get linked(): boolean {
    return this.link !== null;
  }

  private accept(socket: net.Socket): void {
    const reader = new CommandReader();
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => {
      for (const argv of reader.push(chunk)) {
        const name = argv[0].toUpperCase();
        if (name === 'PING') socket.write('+PONG\r\n');
        else if (name === 'REPLCONF' && argv[1].toUpperCase() !== 'ACK') socket.write('+OK\r\n');
        else if (name === 'PSYNC') {
          const image = emptyImage();
          socket.write(`+FULLRESYNC ${REPLID} 0\r\n$${image.length}\r\n`);
          socket.write(image);
          this.link = socket;
        }
      }
    });
  }

  /** Stream bytes, in one write. */
  send(bytes: Buffer | string): void {
    const chunk = typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes;
    (this.link as net.Socket).write(chunk);
    this.sent.push(chunk);
    this.streamedBytes += chunk.length;
  }

  get streamed(): Buffer {
    return Buffer.concat(this.sent);
  }

  close(): void {
    this.link?.destroy();
    this.server.close();
  }
}

/** A sub-replica played over a raw socket: PSYNC from an offset, then every byte that follows. */
class RawSubReplica {
  private received = Buffer.alloc(0);

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => { this.received = Buffer.concat([this.received, chunk]); });
    socket.on('error', () => undefined);
  }

  static async psync(port: number, replid: string, offset: number): Promise<RawSubReplica> {
    const socket = net.connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const sub = new RawSubReplica(socket);
    socket.write('REPLCONF capa eof capa psync2\r\n');
    await waitFor(() => sub.received.toString('latin1') === '+OK\r\n', 5000, 'REPLCONF\'s +OK');
    sub.received = Buffer.alloc(0);
    socket.write(`PSYNC ${replid} ${offset}\r\n`);
    const head = `+CONTINUE ${replid}\r\n`;
    await waitFor(() => sub.received.length >= head.length, 5000, '+CONTINUE');
    expect(sub.received.subarray(0, head.length).toString('latin1')).toBe(head);
    sub.received = sub.received.subarray(head.length);
    return sub;
  }

  /** The stream bytes received after +CONTINUE. */
  get stream(): Buffer {
    return this.received;
  }

  close(): void {
    this.socket.destroy();
  }
}

describe('the replica link reads the stream in place', () => {
  let primary: ScriptedPrimary;
  let replica: RunningServerInternal;
  let conn: RawConnection;

  const replicationField = async (field: string): Promise<number> => {
    const text = await conn.call('INFO', 'replication');
    const m = new RegExp(`${field}:(\\d+)`).exec(text);
    return m === null ? -1 : Number(m[1]);
  };
  /** The replica has read every byte written so far (so the next write is another read). */
  const readAll = async (): Promise<void> => {
    await waitFor(async () => (await replicationField('slave_read_repl_offset')) === primary.streamedBytes, 10_000, `slave_read_repl_offset ${primary.streamedBytes}`);
  };
  const appliedOffset = (): Promise<number> => replicationField('slave_repl_offset');

  beforeAll(async () => {
    primary = new ScriptedPrimary();
    const port = await primary.listen();
    replica = await startCinnabar({ 'repl-diskless-load': 'on-empty-db' });
    conn = await RawConnection.connect(replica.port);
    expect(await conn.call('REPLICAOF', '127.0.0.1', String(port))).toBe('+OK\r\n');
    await waitFor(async () => (await conn.call('INFO', 'replication')).includes('master_link_status:up'), 10_000, 'the link');
  });

  afterAll(async () => {
    conn.close();
    await replica.close();
    primary.close();
  });

  it('applies whole commands, counts offsets by them, and passes the primary\'s bytes on verbatim', async () => {
    const live = await RawSubReplica.psync(replica.port, REPLID, 1);

    primary.send(encodeCommand(['SELECT', '0']));
    await readAll();
    expect(await appliedOffset()).toBe(primary.streamedBytes);

    // One command in three reads: nothing applied until its last byte.
    const before = primary.streamedBytes;
    const set = encodeCommand(['SET', 'a', '1']).toString('latin1');
    primary.send(set.slice(0, 11));
    await readAll();
    primary.send(set.slice(11, 22));
    await readAll();
    expect(await appliedOffset()).toBe(before);
    expect(await conn.call('EXISTS', 'a')).toBe(':0\r\n');
    primary.send(set.slice(22));
    await readAll();
    expect(await appliedOffset()).toBe(primary.streamedBytes);
    expect(await conn.call('GET', 'a')).toBe('$1\r\n1\r\n');

    // A transaction open across reads counts at its EXEC.
    const beforeMulti = primary.streamedBytes;
    primary.send(encodeCommand(['MULTI']));
    await readAll();
    primary.send(encodeCommand(['SET', 'b', '2']));
    await readAll();
    primary.send(Buffer.concat([encodeCommand(['INCR', 'c']), encodeCommand(['EXEC']).subarray(0, 5)]));
    await readAll();
    expect(await appliedOffset()).toBe(beforeMulti);
    expect(await conn.call('EXISTS', 'b')).toBe(':0\r\n');
    primary.send(encodeCommand(['EXEC']).subarray(5));
    await readAll();
    expect(await appliedOffset()).toBe(primary.streamedBytes);
    expect(await conn.call('MGET', 'b', 'c')).toBe('*2\r\n$1\r\n2\r\n$1\r\n1\r\n');

    // A big argument arriving in several reads.
    const value = Buffer.alloc(200_000);
    for (let i = 0; i < value.length; i++) value[i] = 97 + (i % 26);
    const bigSet = encodeCommand(['SET', 'big', value]);
    for (let at = 0; at < bigSet.length; at += 70_000) {
      primary.send(bigSet.subarray(at, Math.min(bigSet.length, at + 70_000)));
      await readAll();
    }
    expect(await appliedOffset()).toBe(primary.streamedBytes);
    expect(await conn.call('STRLEN', 'big')).toBe(':200000\r\n');
    expect(await conn.call('GETRANGE', 'big', '199990', '-1')).toBe(`$10\r\n${value.subarray(199_990).toString('latin1')}\r\n`);

    // A pipeline ending mid-command: the whole commands are applied, the rest waits.
    const pipeline = Buffer.concat(Array.from({ length: 500 }, (_, i) => encodeCommand(['RPUSH', 'list', String(i)])));
    const cut = pipeline.length - 7;
    primary.send(pipeline.subarray(0, cut));
    await readAll();
    const lastCommandBytes = encodeCommand(['RPUSH', 'list', '499']).length;
    expect(await appliedOffset()).toBe(primary.streamedBytes - (lastCommandBytes - (pipeline.length - cut)));
    expect(await conn.call('LLEN', 'list')).toBe(':499\r\n');
    primary.send(pipeline.subarray(cut));
    await readAll();
    expect(await conn.call('LLEN', 'list')).toBe(':500\r\n');
    expect(await appliedOffset()).toBe(primary.streamedBytes);

    // Writes held by CLIENT PAUSE: received, not applied, then applied once the pause ends.
    expect(await conn.call('CLIENT', 'PAUSE', '100000', 'WRITE')).toBe('+OK\r\n');
    const beforePause = primary.streamedBytes;
    primary.send(Buffer.concat([encodeCommand(['SET', 'p', '1']), encodeCommand(['SET', 'q', '2'])]));
    await readAll();
    expect(await appliedOffset()).toBe(beforePause);
    primary.send(encodeCommand(['SET', 'r', '3']));
    await readAll();
    expect(await appliedOffset()).toBe(beforePause);
    expect(await conn.call('CLIENT', 'UNPAUSE')).toBe('+OK\r\n');
    await waitFor(async () => (await appliedOffset()) === primary.streamedBytes, 10_000, 'the held writes applied');
    expect(await conn.call('MGET', 'p', 'q', 'r')).toBe('*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n');

    // The replica's own stream is the primary's, byte for byte: live, and from the backlog.
    const streamed = primary.streamed;
    expect(await replicationField('master_repl_offset')).toBe(streamed.length);
    await waitFor(() => live.stream.length >= streamed.length, 10_000, 'the live sub-replica to get every byte');
    expect(live.stream.equals(streamed)).toBe(true);
    const late = await RawSubReplica.psync(replica.port, REPLID, 1);
    await waitFor(() => late.stream.length >= streamed.length, 10_000, 'the backlog\'s bytes');
    expect(late.stream.equals(streamed)).toBe(true);
    live.close();
    late.close();
  }, 60_000);
});
