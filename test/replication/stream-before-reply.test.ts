// The replicas get a write before its client gets the reply (Redis writes to replicas first in
// beforeSleep): a client that saw +OK and then reads a replica does not race the stream. Here
// the replica is a raw socket in this process: when the client's reply arrives, the stream
// bytes of that write must have arrived already (loopback writes land in the receiving socket
// at once, and the event loop reports sockets in the order they became readable).

import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServerInternal } from '../../src/server/start.js';
import { startCinnabar } from '../helpers/cinnabar.js';
import { encodeCommand } from '../helpers/resp.js';
import { waitFor } from '../helpers/wait.js';

/** A socket whose received bytes are kept as latin1 text. */
class Receiver {
  text = '';
  private readonly listeners: Array<() => void> = [];

  constructor(readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.text += chunk.toString('latin1');
      for (const listener of this.listeners) listener();
    });
  }

  static connect(port: number): Promise<Receiver> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => resolve(new Receiver(socket)));
      socket.once('error', reject);
    });
  }

  onData(listener: () => void): void {
    this.listeners.push(listener);
  }

  async until(test: (text: string) => boolean, what: string): Promise<void> {
    await waitFor(() => test(this.text), 10_000, what);
  }
}

describe('the stream leaves before the replies of the writes in it', () => {
  let primary: RunningServerInternal;
  let replica: Receiver;
  let client: Receiver;

  beforeAll(async () => {
    primary = await startCinnabar({ 'repl-diskless-sync-delay': 0 });
    replica = await Receiver.connect(primary.port);
    replica.socket.write('REPLCONF capa eof capa psync2\r\n');
    await replica.until((t) => t === '+OK\r\n', 'REPLCONF answered');
    replica.text = '';
    replica.socket.write('PSYNC ? -1\r\n');
    await replica.until((t) => {
      const m = /^\+FULLRESYNC [0-9a-f]{40} \d+\r\n\$EOF:([0-9a-f]{40})\r\n/.exec(t);
      return m !== null && t.indexOf(m[1], m[0].length) > 0;
    }, 'the snapshot');
    const offset = /^\+FULLRESYNC [0-9a-f]{40} (\d+)/.exec(replica.text)?.[1] ?? '0';
    replica.text = '';
    // The stream starts on the first ACK after a diskless transfer.
    replica.socket.write(encodeCommand(['REPLCONF', 'ACK', offset]));
    client = await Receiver.connect(primary.port);
  });

  afterAll(async () => {
    client?.socket.destroy();
    replica?.socket.destroy();
    await primary?.close();
  });

  it('has the replica holding each write when its +OK arrives', async () => {
    const seenAtReply: boolean[] = [];
    let current = '';
    client.onData(() => {
      if (client.text.endsWith('+OK\r\n')) seenAtReply.push(replica.text.includes(`$${current.length}\r\n${current}\r\n`));
    });
    for (let i = 0; i < 20; i++) {
      current = `written-${i}`;
      client.text = '';
      client.socket.write(encodeCommand(['SET', current, String(i)]));
      await client.until((t) => t === '+OK\r\n', `the reply to SET ${current}`);
    }
    expect(seenAtReply).toEqual(new Array<boolean>(20).fill(true));
    // A pipeline of writes: one stream write, then the replies.
    client.text = '';
    current = 'pipelined-9';
    const pipeline: Buffer[] = [];
    for (let i = 0; i < 10; i++) pipeline.push(encodeCommand(['SET', `pipelined-${i}`, String(i)]));
    client.socket.write(Buffer.concat(pipeline));
    await client.until((t) => t === '+OK\r\n'.repeat(10), 'the pipeline replies');
    expect(seenAtReply[seenAtReply.length - 1]).toBe(true);
  });

  it('sends a reply too big to wait right after the stream', async () => {
    const big = 'x'.repeat(300 * 1024);
    const replies: string[] = [];
    client.text = '';
    client.socket.write(encodeCommand(['SET', 'big', big]));
    await client.until((t) => t === '+OK\r\n', 'SET big');
    // GETSET replies with the old value (bigger than the batch the reply may wait with).
    client.text = '';
    const expected = `$${big.length}\r\n${big}\r\n`;
    client.onData(() => {
      if (client.text === expected) replies.push(replica.text.includes('$5\r\nsmall\r\n') ? 'after-stream' : 'before-stream');
    });
    client.socket.write(encodeCommand(['GETSET', 'big', 'small']));
    await client.until((t) => t === expected, 'the GETSET reply');
    expect(replies).toEqual(['after-stream']);
  });
});
