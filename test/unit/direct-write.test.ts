// Writes straight to a socket handle: order kept across writes the kernel could not take at
// once, the bytes libuv holds counted until written, drain reported, errors reported.

import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { DirectWriter } from '../../src/server/direct-write.js';

interface Pair {
  writer: net.Socket;
  reader: net.Socket;
  server: net.Server;
}

async function socketPair(): Promise<Pair> {
  const server = net.createServer({ pauseOnConnect: true });
  const accepted = new Promise<net.Socket>((resolve) => server.once('connection', resolve));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const writer = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
  await new Promise<void>((resolve) => writer.once('connect', resolve));
  return { writer, reader: await accepted, server };
}

function handleOf(socket: net.Socket): unknown {
  return (socket as unknown as { _handle: unknown })._handle;
}

const opened: Pair[] = [];

afterEach(() => {
  for (const pair of opened.splice(0)) {
    pair.writer.destroy();
    pair.reader.destroy();
    pair.server.close();
  }
});

describe('direct socket writes', () => {
  it('keeps the order of every write, counts what libuv holds, and reports the drain', async () => {
    const pair = await socketPair();
    opened.push(pair);
    let drained = 0;
    const errors: number[] = [];
    const direct = DirectWriter.create(handleOf(pair.writer), { onWriteError: (status) => errors.push(status), onDrained: () => drained++ });
    expect(direct).not.toBeNull();
    const writer = direct as DirectWriter;
    // The reader is paused: far more than the kernel's buffers take stays with libuv.
    const expected: Buffer[] = [];
    for (let i = 0; i < 400; i++) {
      const chunk = Buffer.alloc(64 * 1024, i % 251);
      chunk.writeUInt32BE(i, 0);
      expected.push(chunk);
      if (i % 3 === 0) {
        const half = chunk.length / 2;
        expect(writer.write([chunk.subarray(0, half), chunk.subarray(half)])).toBe(true);
      } else {
        expect(writer.write(chunk)).toBe(true);
      }
    }
    expect(writer.pendingBytes).toBeGreaterThan(0);
    expect(writer.pendingBytes).toBeLessThanOrEqual(400 * 64 * 1024);
    const received: Buffer[] = [];
    const total = 400 * 64 * 1024;
    let receivedBytes = 0;
    await new Promise<void>((resolve) => {
      pair.reader.on('data', (chunk: Buffer) => {
        received.push(chunk);
        receivedBytes += chunk.length;
        if (receivedBytes >= total) resolve();
      });
      pair.reader.resume();
    });
    expect(Buffer.concat(received).equals(Buffer.concat(expected))).toBe(true);
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(writer.pendingBytes).toBe(0);
    expect(drained).toBeGreaterThan(0);
    expect(errors).toEqual([]);
  });

  it('reports a write to a peer that is gone as an error', async () => {
    const pair = await socketPair();
    opened.push(pair);
    const errors: number[] = [];
    const writer = DirectWriter.create(handleOf(pair.writer), { onWriteError: (status) => errors.push(status), onDrained: () => {} }) as DirectWriter;
    pair.reader.resetAndDestroy();
    await new Promise<void>((resolve) => pair.writer.once('end', resolve).once('error', () => resolve()).resume());
    // The first write may still be accepted by the kernel; the reset shows on a later one.
    for (let i = 0; i < 50 && errors.length === 0; i++) {
      writer.write(Buffer.alloc(1024, 1));
      await new Promise<void>((resolve) => setTimeout(resolve, 5));
    }
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]).toBeLessThan(0);
  });
});
