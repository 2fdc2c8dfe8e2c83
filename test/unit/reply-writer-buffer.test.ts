import { describe, expect, it } from 'vitest';
import { REPLY_BUFFER_BYTES, ReplyWriter } from '../../src/protocol/writer.js';

// The writer's reply buffer: Redis's 16 KB per client, resized by the cron, kept between
// batches; what a batch hands out must stay intact while the buffer serves the next replies
// (the handed-out bytes may wait in libuv's queue).

function bytesOf(out: Buffer | Buffer[] | null): string {
  if (out === null) return '';
  return Buffer.isBuffer(out) ? out.toString('latin1') : Buffer.concat(out).toString('latin1');
}

describe('ReplyWriter buffer', () => {
  it('sends a big shared value by reference, and later replies leave the batch it went in untouched', () => {
    const w = new ReplyWriter();
    const value = Buffer.alloc(20_000, 'v');
    w.ok();
    w.bulkShared(value);
    w.integer(7);
    const first = w.take();
    expect(Array.isArray(first)).toBe(true);
    const pieces = first as Buffer[];
    expect(pieces).toContain(value);
    const expected = `+OK\r\n$20000\r\n${'v'.repeat(20_000)}\r\n:7\r\n`;
    expect(bytesOf(pieces)).toBe(expected);
    // The next batches reuse the kept buffer: the pieces handed out before must not change.
    for (let i = 0; i < 3; i++) {
      w.bulk('x'.repeat(40));
      expect(bytesOf(w.take())).toBe(`$40\r\n${'x'.repeat(40)}\r\n`);
    }
    expect(bytesOf(pieces)).toBe(expected);
    expect(w.capacityBytes).toBe(REPLY_BUFFER_BYTES);
  });

  it('grows for a batch bigger than the buffer, then goes back to the buffer\'s size', () => {
    const w = new ReplyWriter();
    w.resizeBuffer(1024);
    expect(w.bufferBytes).toBe(1024);
    w.bulk('y'.repeat(3000));
    expect(w.capacityBytes).toBeGreaterThanOrEqual(3000);
    expect(bytesOf(w.take())).toBe(`$3000\r\n${'y'.repeat(3000)}\r\n`);
    expect(w.capacityBytes).toBe(1024);
    // The peak counts what the batch filled of the buffer, at most its size.
    expect(w.bufferPeakBytes).toBe(REPLY_BUFFER_BYTES);
    w.resetPeak(0);
    expect(w.bufferPeakBytes).toBe(0);
    w.ok();
    w.take();
    expect(w.bufferPeakBytes).toBe(5);
    w.bulk('z'.repeat(2000));
    w.take();
    expect(w.bufferPeakBytes).toBe(1024);
  });
});
