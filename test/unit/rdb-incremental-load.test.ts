// RdbImageLoader fed an image in pieces (a replica parsing its primary's payload as it arrives):
// whatever the piece sizes, the loaded dataset and the checksum verdict are those of the whole
// image; a record cut by the end of the bytes so far is read again once more came; an image
// that ends early is corrupt only once the input is declared over.

import { describe, expect, it } from 'vitest';
import { RdbFormatError } from '../../src/store/rdb/errors.js';
import { RdbImageLoader, saveImage, type RdbLoadTarget } from '../../src/store/rdb/image.js';
import { Keyspace } from '../../src/store/keyspace.js';
import { prng } from '../helpers/random.js';

const settings = { num: (name: string) => (name === 'list-max-listpack-size' ? -2 : name.endsWith('entries') ? 128 : 64) };

function sourceImage(checksum: boolean): { image: Buffer; digest: string } {
  const keyspace = new Keyspace(2, { keyExpired: () => undefined });
  const [db0, db1] = keyspace.dbs;
  for (let i = 0; i < 2000; i++) db0.addForLoad(`key:${i}`, `value:${i}`, i % 7 === 0 ? Date.now() + 100_000 : undefined);
  db0.addForLoad('big', 'z'.repeat(300_000) + 'tail', undefined);
  db1.addForLoad('other', 'x'.repeat(70_000), undefined);
  const image = saveImage(keyspace.dbs, { compress: false, checksum, aux: [['redis-ver', '7.0.15']], functionCodes: [], tracking: 'none', settings });
  return { image, digest: dump(keyspace) };
}

function dump(keyspace: Keyspace): string {
  const lines: string[] = [];
  for (const db of keyspace.dbs) db.forEachEntry((key, value) => lines.push(`${db.id} ${key} ${typeof value === 'string' ? value.length : 'obj'} ${db.getExpire(key) ?? ''}`));
  return lines.sort().join('\n');
}

function target(keyspace: Keyspace): RdbLoadTarget {
  return { dbs: keyspace.dbs, settings, dropExpired: false, replaceExisting: false, verifyChecksum: true, tracking: 'none', nowMs: Date.now() };
}

/** Feeds `image` in pieces whose sizes come from `sizeOf`, stepping with a small budget after each. */
function loadInPieces(image: Buffer, sizeOf: () => number, end = image.length): { keyspace: Keyspace; loader: RdbImageLoader } {
  const keyspace = new Keyspace(2, { keyExpired: () => undefined });
  const loader = RdbImageLoader.incremental(target(keyspace));
  for (let at = 0; at < end;) {
    const size = Math.min(end - at, sizeOf());
    // A copy: the loader keeps what it is given.
    loader.append(Buffer.from(image.subarray(at, at + size)));
    at += size;
    while (!loader.done && !loader.needsInput) loader.step(4096, Number.POSITIVE_INFINITY);
  }
  loader.endInput();
  while (!loader.done) loader.step(4096, Number.POSITIVE_INFINITY);
  return { keyspace, loader };
}

describe('RdbImageLoader fed in pieces', () => {
  const { image, digest } = sourceImage(true);
  for (const pieces of ['7-byte', '64 KB', 'random']) {
    it(`loads the same dataset from ${pieces} pieces`, () => {
      const rand = prng(42);
      const sizeOf = pieces === '7-byte' ? () => 7 : pieces === '64 KB' ? () => 65536 : () => 1 + Math.floor(rand() * 100_000);
      const { keyspace, loader } = loadInPieces(image, sizeOf);
      expect(dump(keyspace)).toBe(digest);
      expect(loader.result.keysLoaded).toBe(2002);
      expect(loader.loadedBytes).toBe(image.length);
      expect(loader.bufferedBytes).toBe(0);
    });
  }

  it('re-reads a cut record a logarithmic number of times, holding about twice the record', () => {
    const keyspace = new Keyspace(2, { keyExpired: () => undefined });
    const loader = RdbImageLoader.incremental(target(keyspace));
    let steps = 0;
    for (let at = 0; at < image.length; at += 100) {
      loader.append(Buffer.from(image.subarray(at, Math.min(image.length, at + 100))));
      while (!loader.done && !loader.needsInput) {
        loader.step(Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY);
        steps++;
      }
    }
    loader.endInput();
    while (!loader.done) loader.step(Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY);
    expect(dump(keyspace)).toBe(digest);
    // 3000+ pieces, yet the big records are retried only as their bytes double.
    expect(steps).toBeLessThan(image.length / 100 / 2);
  });

  it('waits at the header and inside records, and fails as a short read only after the end of input', () => {
    const keyspace = new Keyspace(2, { keyExpired: () => undefined });
    const loader = RdbImageLoader.incremental(target(keyspace));
    loader.append(Buffer.from(image.subarray(0, 5)));
    expect(loader.step(1 << 20, Number.POSITIVE_INFINITY)).toBe(false);
    expect(loader.needsInput).toBe(true);
    loader.append(Buffer.from(image.subarray(5, image.length - 100)));
    expect(loader.step(Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY)).toBe(false);
    expect(loader.needsInput).toBe(true);
    loader.endInput();
    expect(() => loader.step(Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY)).toThrow(RdbFormatError);
  });

  it('verifies the checksum across pieces', () => {
    const bad = Buffer.from(image);
    bad[image.length - 1] ^= 0xff;
    expect(() => loadInPieces(bad, () => 9999)).toThrow(/RDB CRC error/);
    const { image: unchecked } = sourceImage(false);
    expect(loadInPieces(unchecked, () => 9999).loader.result.keysLoaded).toBe(2002);
  });

  it('refuses a wrong signature once the header has arrived', () => {
    const keyspace = new Keyspace(2, { keyExpired: () => undefined });
    const loader = RdbImageLoader.incremental(target(keyspace));
    loader.append(Buffer.from('REDIX0010'));
    expect(() => loader.step(100, 100)).toThrow(/Wrong signature/);
  });
});
