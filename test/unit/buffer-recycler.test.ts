import { describe, expect, it } from 'vitest';
import { BufferRecycler, RECYCLE_MIN_BYTES } from '../../src/util/buffer-recycler.js';

describe('BufferRecycler', () => {
  it('hands back kept Buffers of exactly the size asked for', () => {
    const recycler = new BufferRecycler(10 * RECYCLE_MIN_BYTES, 4);
    const buf = Buffer.allocUnsafeSlow(RECYCLE_MIN_BYTES * 2);
    recycler.give(buf);
    expect(recycler.take(RECYCLE_MIN_BYTES * 2 + 1)).toBeNull();
    expect(recycler.take(RECYCLE_MIN_BYTES * 2)).toBe(buf);
    expect(recycler.take(RECYCLE_MIN_BYTES * 2)).toBeNull();
  });

  it('refuses small Buffers and views that do not own their whole allocation', () => {
    const recycler = new BufferRecycler(10 * RECYCLE_MIN_BYTES, 4);
    recycler.give(Buffer.allocUnsafeSlow(RECYCLE_MIN_BYTES - 1));
    const whole = Buffer.allocUnsafeSlow(RECYCLE_MIN_BYTES * 3);
    recycler.give(whole.subarray(0, RECYCLE_MIN_BYTES * 2));
    recycler.give(whole.subarray(RECYCLE_MIN_BYTES));
    expect(recycler.take(RECYCLE_MIN_BYTES - 1)).toBeNull();
    expect(recycler.take(RECYCLE_MIN_BYTES * 2)).toBeNull();
  });

  it('keeps at most its byte bound and its count per size', () => {
    const size = RECYCLE_MIN_BYTES;
    const recycler = new BufferRecycler(3 * size, 2);
    for (let i = 0; i < 5; i++) recycler.give(Buffer.allocUnsafeSlow(size));
    expect(recycler.take(size)).not.toBeNull();
    expect(recycler.take(size)).not.toBeNull();
    expect(recycler.take(size)).toBeNull();
    recycler.give(Buffer.allocUnsafeSlow(2 * size));
    recycler.give(Buffer.allocUnsafeSlow(2 * size)); // over the 3-size byte bound: dropped
    expect(recycler.take(2 * size)).not.toBeNull();
    expect(recycler.take(2 * size)).toBeNull();
    recycler.give(Buffer.allocUnsafeSlow(size));
    recycler.clear();
    expect(recycler.take(size)).toBeNull();
  });
});
