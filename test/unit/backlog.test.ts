// The replication backlog keeps Redis 7.0's block rules, which decide the INFO figures
// (repl_backlog_histlen, repl_backlog_first_byte_offset) and which offsets PSYNC can continue from.

import { afterEach, describe, expect, it, vi } from 'vitest';
import { Backlog, BACKLOG_BLOCK_BYTES } from '../../src/replication/backlog.js';
import { MutableString } from '../../src/store/types/string.js';
import { bigBuffers, isHeld } from '../../src/util/buffer-recycler.js';

const bytes = (n: number, fill: number): Buffer => Buffer.alloc(n, fill);

describe('replication backlog', () => {
  it('starts after the stream offset it was created at and serves every held offset', () => {
    const backlog = new Backlog(1024 * 1024, 100);
    expect(backlog.firstByteOffset).toBe(101);
    expect(backlog.histlenBytes).toBe(0);
    expect(backlog.holds(101)).toBe(true);
    expect(backlog.bytesFrom(101)).toEqual([]);
    backlog.append(Buffer.from('abc'));
    backlog.append(Buffer.from('defg'));
    expect(backlog.histlenBytes).toBe(7);
    expect(backlog.lastByteOffset).toBe(107);
    expect(Buffer.concat(backlog.bytesFrom(103)).toString()).toBe('cdefg');
    expect(backlog.holds(108)).toBe(true);
    expect(backlog.holds(109)).toBe(false);
    expect(backlog.holds(100)).toBe(false);
    expect(() => backlog.bytesFrom(99)).toThrow(RangeError);
  });

  it('drops whole blocks from the front only while the rest still holds the configured size', () => {
    const sizeBytes = BACKLOG_BLOCK_BYTES * 2;
    const backlog = new Backlog(sizeBytes, 0);
    for (let i = 0; i < 10; i++) backlog.append(bytes(BACKLOG_BLOCK_BYTES, i));
    // Dropping one more full block would leave less than the configured size.
    expect(backlog.histlenBytes).toBe(sizeBytes + BACKLOG_BLOCK_BYTES);
    expect(backlog.firstByteOffset).toBe(7 * BACKLOG_BLOCK_BYTES + 1);
    const tail = Buffer.concat(backlog.bytesFrom(backlog.firstByteOffset));
    expect(tail.length).toBe(backlog.histlenBytes);
    expect(tail[0]).toBe(7);
    expect(tail[tail.length - 1]).toBe(9);
  });

  it('copies small units into the tail block and splits a unit across blocks', () => {
    const backlog = new Backlog(1024 * 1024, 0);
    const unit = Buffer.from('*1\r\n$4\r\nPING\r\n');
    let written = 0;
    while (written + unit.length <= BACKLOG_BLOCK_BYTES * 3) {
      backlog.append(unit);
      written += unit.length;
    }
    expect(backlog.allocatedBytes).toBe(BACKLOG_BLOCK_BYTES * 3);
    const all = Buffer.concat(backlog.bytesFrom(1));
    expect(all.length).toBe(written);
    expect(all.subarray(all.length - unit.length).equals(unit)).toBe(true);
    expect(all.indexOf(unit, BACKLOG_BLOCK_BYTES - 5)).toBeLessThanOrEqual(BACKLOG_BLOCK_BYTES);
  });

  it('trims at once when resized smaller', () => {
    const backlog = new Backlog(BACKLOG_BLOCK_BYTES * 8, 0);
    for (let i = 0; i < 8; i++) backlog.append(bytes(BACKLOG_BLOCK_BYTES, i));
    expect(backlog.histlenBytes).toBe(BACKLOG_BLOCK_BYTES * 8);
    backlog.resize(BACKLOG_BLOCK_BYTES);
    expect(backlog.histlenBytes).toBe(BACKLOG_BLOCK_BYTES * 2);
    expect(backlog.holds(backlog.firstByteOffset)).toBe(true);
    expect(Buffer.concat(backlog.bytesFrom(backlog.firstByteOffset))[0]).toBe(6);
  });

  it('keeps what a replica still has to be sent beyond the configured size, and lets it go after', () => {
    const sizeBytes = BACKLOG_BLOCK_BYTES * 2;
    const backlog = new Backlog(sizeBytes, 0);
    let pendingFrom = 1;
    backlog.retainFrom = () => pendingFrom;
    for (let i = 0; i < 10; i++) backlog.append(bytes(BACKLOG_BLOCK_BYTES, i));
    // A slow replica still needs everything from offset 1: the history outgrows the size.
    expect(backlog.histlenBytes).toBe(BACKLOG_BLOCK_BYTES * 10);
    expect(backlog.holds(1)).toBe(true);
    // It was sent up to the middle of block 6: the blocks before that one go; no more than the rule allows.
    pendingFrom = BACKLOG_BLOCK_BYTES * 5 + 10;
    backlog.release();
    expect(backlog.firstByteOffset).toBe(BACKLOG_BLOCK_BYTES * 5 + 1);
    pendingFrom = Number.POSITIVE_INFINITY;
    backlog.release();
    expect(backlog.histlenBytes).toBeLessThanOrEqual(sizeBytes + BACKLOG_BLOCK_BYTES);
    expect(backlog.histlenBytes).toBeGreaterThanOrEqual(sizeBytes);
  });
});

describe('replication backlog block reuse', () => {
  it('serves the right bytes after trimmed blocks were reused for new ones', () => {
    const sizeBytes = BACKLOG_BLOCK_BYTES * 4;
    const backlog = new Backlog(sizeBytes, 0);
    const stream: Buffer[] = [];
    // Units of varied small sizes, many times the backlog's size, each byte telling its offset.
    let offset = 0;
    for (let i = 0; i < 20_000; i++) {
      const unit = Buffer.alloc(20 + (i % 37));
      for (let j = 0; j < unit.length; j++) unit[j] = (offset + j) % 251;
      offset += unit.length;
      stream.push(unit);
      backlog.append(unit);
    }
    const all = Buffer.concat(stream);
    expect(backlog.lastByteOffset).toBe(all.length);
    expect(backlog.allocatedBytes).toBeLessThanOrEqual(sizeBytes + 2 * BACKLOG_BLOCK_BYTES);
    const held = Buffer.concat(backlog.bytesFrom(backlog.firstByteOffset));
    expect(held.equals(all.subarray(backlog.firstByteOffset - 1))).toBe(true);
  });

  it('never reuses a block whose slices were handed out (a socket may still be writing them)', () => {
    const sizeBytes = BACKLOG_BLOCK_BYTES * 2;
    const backlog = new Backlog(sizeBytes, 0);
    for (let i = 0; i < 4; i++) backlog.append(bytes(BACKLOG_BLOCK_BYTES, 10 + i));
    // A replica streams from here: the slices go to its socket as they are.
    const lent = backlog.bytesFrom(backlog.firstByteOffset);
    const copies = lent.map((slice) => Buffer.from(slice));
    // The stream goes on for many times the backlog's size: every lent block is trimmed.
    for (let i = 0; i < 40; i++) backlog.append(bytes(BACKLOG_BLOCK_BYTES / 2, 100 + (i % 100)));
    expect(backlog.firstByteOffset).toBeGreaterThan(4 * BACKLOG_BLOCK_BYTES);
    lent.forEach((slice, i) => expect(slice.equals(copies[i])).toBe(true));
    // Blocks never lent are still reused: memory stays bounded by the size rule.
    expect(backlog.allocatedBytes).toBeLessThanOrEqual(sizeBytes + 2 * BACKLOG_BLOCK_BYTES);
  });

  it('appends only the lent range of a longer buffer', () => {
    const backlog = new Backlog(1024 * 1024, 0);
    const scratch = Buffer.from('*1\r\n$4\r\nPING\r\nleftover from an earlier unit');
    backlog.append(scratch, 0, 14);
    expect(backlog.histlenBytes).toBe(14);
    expect(Buffer.concat(backlog.bytesFrom(1)).toString()).toBe('*1\r\n$4\r\nPING\r\n');
    // A range inside a buffer (a big value's bytes, referenced where the client's Buffer holds them).
    backlog.append(Buffer.from('xx$3\r\nabc'), 2);
    expect(Buffer.concat(backlog.bytesFrom(15)).toString()).toBe('$3\r\nabc');
  });
});

describe('replication backlog with big units', () => {
  it('serves the right bytes when big units reuse trimmed memory, within the size bound', () => {
    const sizeBytes = 1024 * 1024;
    const backlog = new Backlog(sizeBytes, 0);
    const stream: Buffer[] = [];
    for (let i = 0; i < 60; i++) {
      const unit = Buffer.alloc(100 * 1024 + i * 7, i);
      stream.push(unit);
      backlog.append(unit);
      // Blocks are at most a sixteenth of the configured size, whatever memory they reuse.
      expect(backlog.allocatedBytes).toBeLessThanOrEqual(sizeBytes + 2 * (sizeBytes / 16) + 100 * 1024);
    }
    const all = Buffer.concat(stream);
    const held = Buffer.concat(backlog.bytesFrom(backlog.firstByteOffset));
    expect(held.length).toBe(backlog.histlenBytes);
    expect(held.equals(all.subarray(backlog.firstByteOffset - 1))).toBe(true);
  });

  afterEach(() => {
    vi.restoreAllMocks();
  });

  for (const unitBytes of [100 * 1024 + 40, 1024 * 1024 + 40]) {
    it(`allocates no memory per unit once warm, for a steady stream of ${unitBytes}-byte units`, () => {
      const backlog = new Backlog(1024 * 1024, 0);
      const unit = Buffer.alloc(unitBytes, 1);
      // A small unit now and then shifts where blocks split, so the trimmed blocks vary in size.
      const odd = Buffer.alloc(3000, 2);
      for (let i = 0; i < 40; i++) backlog.append(i % 7 === 0 ? odd : unit);
      const allocations = vi.spyOn(Buffer, 'allocUnsafe');
      let appendedBytes = 0;
      for (let i = 0; i < 200; i++) {
        const next = i % 7 === 0 ? odd : unit;
        backlog.append(next);
        appendedBytes += next.length;
      }
      // Now and then a unit's remainder needs a block no spare fits (the spares are bounded by
      // repl-backlog-size): a small block, never the unit's volume again.
      const allocatedBytes = allocations.mock.calls.reduce((sum, [size]) => sum + size, 0);
      expect(allocatedBytes).toBeLessThan(appendedBytes * 0.03);
      const held = Buffer.concat(backlog.bytesFrom(backlog.firstByteOffset));
      expect(held.length).toBe(backlog.histlenBytes);
    });
  }
});

describe('replication backlog keeping big values by reference', () => {
  /** A stream of framed SETs: small framing copied, each value appended as a value part. */
  const feed = (backlog: Backlog, values: Buffer[], byReference: boolean): void => {
    values.forEach((value, i) => {
      backlog.append(Buffer.from(`*3\r\n$3\r\nSET\r\n$3\r\nk${i % 10}x\r\n$${value.length}\r\n`));
      backlog.append(value, 0, value.length, byReference);
      backlog.append(Buffer.from('\r\n'));
      if (i % 3 === 0) backlog.append(Buffer.from('*1\r\n$4\r\nPING\r\n'));
    });
  };
  // Sizes around the block sizes (16 KB, a sixteenth of the backlog), so values split across blocks.
  const values = (): Buffer[] => [20_000, 70_000, 16_384, 100_000, 17_000, 300_000, 65_536, 40_000].map((n, i) => {
    const value = Buffer.allocUnsafeSlow(n);
    for (let j = 0; j < n; j++) value[j] = (i * 31 + j) & 0xff;
    return value;
  });

  it('holds the same bytes under the same figures as copies would, without copying the values', () => {
    const copied = new Backlog(512 * 1024, 0);
    const referenced = new Backlog(512 * 1024, 0);
    const stream = values();
    for (let round = 0; round < 4; round++) {
      feed(copied, stream, false);
      feed(referenced, stream, true);
      expect([referenced.histlenBytes, referenced.firstByteOffset, referenced.allocatedBytes])
        .toEqual([copied.histlenBytes, copied.firstByteOffset, copied.allocatedBytes]);
    }
    for (const offset of [referenced.firstByteOffset, referenced.firstByteOffset + 12_345, referenced.lastByteOffset]) {
      expect(Buffer.concat(referenced.bytesFrom(offset)).equals(Buffer.concat(copied.bytesFrom(offset)))).toBe(true);
    }
    // The last value's bytes are its own Buffer's memory, not a copy.
    const last = stream[stream.length - 1];
    expect(referenced.bytesFrom(referenced.firstByteOffset).some((piece) => piece.buffer === last.buffer)).toBe(true);
    expect(copied.bytesFrom(copied.firstByteOffset).some((piece) => piece.buffer === last.buffer)).toBe(false);
  });

  it('copies a value that is a view of a larger buffer (its memory may be reused)', () => {
    const backlog = new Backlog(1024 * 1024, 0);
    const shared = Buffer.alloc(64 * 1024, 7);
    backlog.append(shared, 1000, 41_000, true);
    shared.fill(9);
    expect(Buffer.concat(backlog.bytesFrom(1)).every((byte) => byte === 7)).toBe(true);
  });

  it('makes the stored value copy before an in-place change, and recycles it only once let go', () => {
    const sizeBytes = 256 * 1024;
    const backlog = new Backlog(sizeBytes, 0);
    const memory = Buffer.allocUnsafeSlow(50_002);
    const argument: Buffer = memory.subarray(0, 50_000);
    argument.fill(5);
    const value = MutableString.over(argument);
    backlog.append(argument, 0, argument.length, true);
    expect(isHeld(argument)).toBe(true);
    // APPEND on the key while the stream holds the bytes: a private copy changes.
    const own = value.unshared();
    expect(own).not.toBe(value);
    // SET overwrote the key: the memory waits for the backlog instead of being reused.
    expect(value.releasableAllocation()).toBeNull();
    expect(bigBuffers.take(50_002)).toBeNull();
    // The stream moves on past it: the backlog recycles the memory itself.
    for (let i = 0; i < 12; i++) backlog.append(Buffer.alloc(BACKLOG_BLOCK_BYTES * 2, i));
    expect(isHeld(argument)).toBe(false);
    expect(bigBuffers.take(50_002)?.buffer).toBe(memory.buffer);
  });

  it('never recycles or changes in place a value whose bytes went to a socket', () => {
    const backlog = new Backlog(256 * 1024, 0);
    const argument: Buffer = Buffer.allocUnsafeSlow(50_000);
    argument.fill(6);
    const value = MutableString.over(argument);
    backlog.append(argument, 0, argument.length, true);
    const lent = backlog.bytesFrom(1);
    expect(value.releasableAllocation()).toBeNull();
    for (let i = 0; i < 12; i++) backlog.append(Buffer.alloc(BACKLOG_BLOCK_BYTES * 2, i));
    expect(backlog.firstByteOffset).toBeGreaterThan(50_000);
    // A write of `lent` may still be pending: the value's memory stays as it was.
    expect(bigBuffers.take(50_000)).toBeNull();
    expect(value.unshared()).not.toBe(value);
    expect(Buffer.concat(lent).every((byte) => byte === 6)).toBe(true);
  });
});
