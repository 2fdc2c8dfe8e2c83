// The full-sync payload framing on the replica side: `$<len>` and `$EOF:<mark>`, with the mark
// or the end split across socket reads, and the stream bytes that follow in the same read.

import { describe, expect, it } from 'vitest';
import { parsePayloadHeader, RdbTransfer, type PayloadSink } from '../../src/replication/replica/rdb-transfer.js';
import { LinkBuffer, LineTooLongError } from '../../src/replication/replica/link-buffer.js';

const MARK = 'a'.repeat(20) + 'b'.repeat(20);

/** Keeps what the transfer passes on. */
class CollectingSink implements PayloadSink {
  private readonly chunks: Buffer[] = [];

  write(chunk: Buffer): void {
    this.chunks.push(Buffer.from(chunk));
  }

  take(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

function feed(transfer: RdbTransfer, data: Buffer, pieceBytes: number): Buffer | null {
  let rest: Buffer | null = null;
  for (let at = 0; at < data.length; at += pieceBytes) {
    rest = transfer.push(data.subarray(at, Math.min(data.length, at + pieceBytes)));
    if (rest !== null) {
      const after = data.subarray(Math.min(data.length, at + pieceBytes));
      return Buffer.concat([rest, after]);
    }
  }
  return rest;
}

describe('RdbTransfer', () => {
  it('parses both headers as Redis does', () => {
    expect(parsePayloadHeader(`$EOF:${MARK}`)).toEqual({ mark: MARK });
    expect(parsePayloadHeader('$1234')).toEqual({ sizeBytes: 1234 });
    expect(parsePayloadHeader('$12abc')).toEqual({ sizeBytes: 12 });
    expect(parsePayloadHeader('+OK')).toBeNull();
  });

  for (const pieceBytes of [1, 7, 39, 40, 41, 1000]) {
    it(`finds the EOF mark across reads of ${pieceBytes} bytes and returns what follows`, () => {
      const payload = Buffer.from('REDIS0010' + 'x'.repeat(300) + 'a'.repeat(19));
      const stream = Buffer.from('*1\r\n$4\r\nPING\r\n');
      const sink = new CollectingSink();
      const transfer = new RdbTransfer({ mark: MARK }, sink);
      const rest = feed(transfer, Buffer.concat([payload, Buffer.from(MARK), stream]), pieceBytes);
      expect(transfer.done).toBe(true);
      expect(sink.take().equals(payload)).toBe(true);
      expect(rest?.equals(stream)).toBe(true);
    });

    it(`stops after exactly <len> bytes in reads of ${pieceBytes} bytes`, () => {
      const payload = Buffer.from('REDIS0010' + 'y'.repeat(500));
      const stream = Buffer.from('*1\r\n$4\r\nPING\r\n');
      const sink = new CollectingSink();
      const transfer = new RdbTransfer({ sizeBytes: payload.length }, sink);
      const rest = feed(transfer, Buffer.concat([payload, stream]), pieceBytes);
      expect(transfer.readBytes).toBe(payload.length);
      expect(sink.take().equals(payload)).toBe(true);
      expect(rest?.equals(stream)).toBe(true);
    });
  }
});

describe('LinkBuffer', () => {
  it('reads CRLF and bare LF lines, keepalive newlines as empty lines', () => {
    const input = new LinkBuffer();
    input.push(Buffer.from('\n\n+FULLRESYNC id 0\r\n$EO'));
    expect(input.readLine()).toBe('');
    expect(input.readLine()).toBe('');
    expect(input.readLine()).toBe('+FULLRESYNC id 0');
    expect(input.readLine()).toBeNull();
    expect(input.takeAll().toString()).toBe('$EO');
  });

  it('refuses an endless line', () => {
    const input = new LinkBuffer();
    input.push(Buffer.alloc(10_000, 65));
    expect(() => input.readLine()).toThrow(LineTooLongError);
  });
});
