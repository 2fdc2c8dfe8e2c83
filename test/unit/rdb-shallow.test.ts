// The shallow reader (store/rdb/shallow.ts) under mutated payloads of every type it keeps: it
// returns a kept value or null, or throws RdbFormatError, never anything else, reads nothing past
// the record's end, and keeps exactly the bytes it consumed.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RdbFormatError } from '../../src/store/rdb/errors.js';
import { RdbReader } from '../../src/store/rdb/reader.js';
import { readShallow } from '../../src/store/rdb/shallow.js';
import { keepsUnsanitized } from '../../src/store/types/unsanitized.js';
import type { RunningServerInternal } from '../../src/server/start.js';
import { startCinnabar } from '../helpers/cinnabar.js';
import { mutatePayload, prng } from '../helpers/random.js';
import { RawConnection } from '../helpers/resp.js';

describe('shallow reading of kept RDB types', () => {
  let server: RunningServerInternal;
  let c: RawConnection;
  beforeAll(async () => {
    server = await startCinnabar({ save: '', 'list-max-listpack-size': 4 });
    c = await RawConnection.connect(server.port);
  });
  afterAll(async () => {
    c.close();
    await server.close();
  });

  /** The DUMP payload of `key` as bytes. */
  async function dump(key: string): Promise<Buffer> {
    const reply = await c.call('DUMP', key);
    const m = /^\$(\d+)\r\n/.exec(reply);
    if (m === null) throw new Error(`no ${key}: ${reply}`);
    return Buffer.from(reply.slice(m[0].length, m[0].length + Number(m[1])), 'latin1');
  }

  it('reads sound payloads whole, and mutated ones into a value, null or RdbFormatError', async () => {
    await c.call('RPUSH', 'l', 'a', 'b', '1', '300', 'long'.repeat(20), 'c', 'd', 'e');
    await c.call('SADD', 'si', '1', '2', '-40000');
    await c.call('ZADD', 'z', '1', 'a', '2.5', 'b');
    await c.call('HSET', 'h', 'f', 'v', 'g', '12');
    await c.call('XADD', 'x', '5-1', 'f', 'v', 'g', 'w');
    await c.call('XADD', 'x', '6-0', 'other', '1');
    await c.call('XGROUP', 'CREATE', 'x', 'grp', '0');
    await c.call('XREADGROUP', 'GROUP', 'grp', 'alice', 'COUNT', '1', 'STREAMS', 'x', '>');
    const seeds: Buffer[] = [];
    for (const key of ['l', 'si', 'z', 'h', 'x']) seeds.push(await dump(key));
    for (const seed of seeds) {
      expect(keepsUnsanitized(seed[0])).toBe(true);
      const input = new RdbReader(seed, 1, seed.length - 10);
      const kept = readShallow(seed[0], input);
      expect(input.atEnd).toBe(true);
      expect(kept?.body).toEqual(seed.subarray(1, seed.length - 10));
    }
    const rand = prng(57);
    let refused = 0;
    let kept = 0;
    for (let n = 0; n < 4000; n++) {
      const seed = seeds[n % seeds.length];
      const copy = mutatePayload(seed, rand);
      // The record may end anywhere before the footer; the reader must stay inside it.
      const end = copy.length - 10;
      const input = new RdbReader(copy, 1, end);
      try {
        const value = readShallow(copy[0], input);
        expect(input.pos).toBeLessThanOrEqual(end);
        if (value !== null) {
          expect(value.body).toEqual(copy.subarray(1, input.pos));
          kept++;
        }
      } catch (err) {
        expect(err, `mutation ${n} of ${seed.toString('hex')}`).toBeInstanceOf(RdbFormatError);
        refused++;
      }
    }
    expect(refused).toBeGreaterThan(300);
    expect(kept).toBeGreaterThan(300);
  });
});
