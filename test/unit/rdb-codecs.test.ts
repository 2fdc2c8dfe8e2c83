import { afterEach, describe, expect, it } from 'vitest';
import type { RdbSettings } from '../../src/store/rdb/codec.js';
import { RDB_TYPE_HASH_LISTPACK, RDB_TYPE_LIST_QUICKLIST_2, RDB_TYPE_STREAM_LISTPACKS_2 } from '../../src/store/rdb/constants.js';
import { Digest } from '../../src/store/rdb/digest.js';
import { RdbFormatError } from '../../src/store/rdb/errors.js';
import { lpFromArray } from '../../src/store/encodings/listpack.js';
import { hashCodec } from '../../src/store/types/hash-rdb.js';
import { RdbReader } from '../../src/store/rdb/reader.js';
import { RdbWriter } from '../../src/store/rdb/writer.js';
import { HEAD, ListValue, setPackedThreshold, TAIL } from '../../src/store/types/list.js';
import { listCodec } from '../../src/store/types/list-rdb.js';
import { ConsumerGroup, PendingEntry } from '../../src/store/types/stream-groups.js';
import { StreamId } from '../../src/store/types/stream-id.js';
import { streamCodec } from '../../src/store/types/stream-rdb.js';
import { StreamValue, StreamWalker, TRIM_MAXLEN } from '../../src/store/types/stream.js';
import { prng } from '../helpers/random.js';

// The list and stream codecs against themselves: random values are written, read back and
// written again. The loaded value must hold the same data, the same layout (quicklist nodes,
// stream nodes with their tombstones, groups and PELs), write the very same bytes, digest the
// same, and keep behaving the same (an append after loading lands where it lands on the original).

function settingsOf(values: Record<string, number>): RdbSettings {
  return { num: (name) => values[name] ?? 0 };
}

function serialize<V>(codec: { write(v: V, out: RdbWriter, ctx: { settings: RdbSettings }): void }, value: V,
  settings: RdbSettings, compress: boolean): Buffer {
  const out = new RdbWriter({ compress });
  codec.write(value, out, { settings });
  return out.finish();
}

function digestOf<V>(codec: { digest(v: V, d: Digest): void }, value: V): string {
  const d = new Digest();
  codec.digest(value, d);
  return d.hex();
}

function listContents(list: ListValue): string[] {
  const out: string[] = [];
  if (list.length === 0) return out;
  const cursor = list.cursor(0, true);
  for (let v = cursor.next(); v !== null; v = cursor.next()) out.push(v);
  return out;
}

function element(rand: () => number): string {
  switch (Math.floor(rand() * 7)) {
    case 0: return String(Math.floor(rand() * 100000) - 50000);
    case 1: return String(Math.floor(rand() * 2 ** 52));
    case 2: return 'x'.repeat(Math.floor(rand() * 400));
    case 3: return ['', '007', '-0', '9223372036854775807', '-9223372036854775808'][Math.floor(rand() * 5)];
    default: return `item-${Math.floor(rand() * 1000)}`;
  }
}

describe('list codec round trip', () => {
  afterEach(() => {
    setPackedThreshold(0);
  });

  for (const seed of [1, 2, 3, 4, 5, 6]) {
    it(`writes, reads and rewrites random lists identically (seed ${seed})`, () => {
      const rand = prng(seed);
      const fill = [-2, -1, 1, 4, 16, 128][seed % 6];
      const depth = [0, 1, 2][seed % 3];
      if (seed % 2 === 0) setPackedThreshold(200);
      const settings = settingsOf({ 'list-max-listpack-size': fill, 'list-compress-depth': depth });
      for (let round = 0; round < 20; round++) {
        const list = new ListValue(fill, depth);
        const model: string[] = [];
        const ops = Math.floor(rand() * (round < 8 ? 10 : 400)) + 1;
        for (let i = 0; i < ops; i++) {
          const r = rand();
          const v = element(rand);
          if (r < 0.5) {
            list.push(v, TAIL);
            model.push(v);
          } else if (r < 0.8) {
            list.push(v, HEAD);
            model.unshift(v);
          } else if (model.length > 0 && r < 0.9) {
            const fromHead = rand() < 0.5;
            expect(list.pop(fromHead ? HEAD : TAIL)).toBe(fromHead ? model.shift() : model.pop());
          } else if (model.length > 0) {
            const at = Math.floor(rand() * model.length);
            list.setAt(at, v);
            model[at] = v;
          }
        }
        expect(listContents(list)).toEqual(model);
        if (model.length === 0) continue;
        for (const compress of [true, false]) {
          const bytes = serialize(listCodec, list, settings, compress);
          const loaded = listCodec.read(RDB_TYPE_LIST_QUICKLIST_2, new RdbReader(bytes), { settings });
          if (loaded === null) throw new Error('empty list loaded');
          expect(listContents(loaded)).toEqual(model);
          expect(serialize(listCodec, loaded, settings, compress).equals(bytes), `seed ${seed} round ${round}`).toBe(true);
          expect(digestOf(listCodec, loaded)).toBe(digestOf(listCodec, list));
          expect(listCodec.debugObjectSuffix?.(loaded, settings)).toBe(listCodec.debugObjectSuffix?.(list, settings));
        }
      }
    });
  }
});

// ------------------------------------------------------------------------------------ streams

/** Everything a stream holds, as plain data (nodes with tombstones, counters, groups). */
function streamState(stream: StreamValue): unknown {
  const nodes: unknown[] = [];
  for (const node of stream.nodes) {
    nodes.push([node.msHi, node.msLo, node.seqHi, node.seqLo, node.live, node.deleted, node.lpBytes, node.fields.join(',')]);
  }
  const entries: unknown[] = [];
  const walker = new StreamWalker(stream);
  walker.forward(null, null, true);
  while (walker.next()) {
    const pairs: string[] = [];
    walker.writePairs({ bulk: (v) => { pairs.push(v); } });
    entries.push([walker.entry.idText(), walker.entry.deleted, pairs]);
  }
  const groups: unknown[] = [];
  for (const name of stream.sortedGroupNames()) {
    const group = stream.group(name) as ConsumerGroup;
    const pending: unknown[] = [];
    for (const e of group.pending) pending.push([e.idText(), e.deliveryTimeMs, e.deliveryCount, e.consumer?.name ?? null]);
    const consumers = group.sortedConsumers().map((c) => {
      const owned: string[] = [];
      for (const e of c.pending) owned.push(e.idText());
      return [c.name, c.seenTimeMs, owned];
    });
    groups.push([name, group.lastId.toString(), group.entriesRead, pending, consumers]);
  }
  return {
    nodes, entries, groups, length: stream.length, lastId: stream.lastId.toString(), firstId: stream.firstId.toString(),
    maxDeletedId: stream.maxDeletedId.toString(), entriesAdded: stream.entriesAdded,
  };
}

function appendTo(stream: StreamValue, id: StreamId, pairs: string[], maxBytes: number, maxEntries: number): void {
  let bytes = 0;
  for (const p of pairs) bytes += p.length;
  stream.append(id, pairs, 0, pairs.length / 2, bytes, maxBytes, maxEntries);
}

describe('stream codec round trip', () => {
  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
    it(`writes, reads and rewrites random streams identically, node boundaries and groups included (seed ${seed})`, () => {
      const rand = prng(seed);
      const int = (n: number): number => Math.floor(rand() * n);
      const settings = settingsOf({});
      for (let round = 0; round < 15; round++) {
        const maxEntries = [0, 1, 3, 100][int(4)];
        const maxBytes = [0, 60, 500, 4096][int(4)];
        const stream = new StreamValue();
        let ms = [0, 1, 1641544570597, 4294967296 * 7, 2 ** 52][int(5)];
        const ids: StreamId[] = [];
        const count = round < 3 ? round : 1 + int(300);
        for (let i = 0; i < count; i++) {
          ms += int(3);
          const id = rand() < 0.05 ? new StreamId(0xffffffff, ms % 4294967296, 0xffffffff, int(5)) : StreamId.of(ms, i);
          if (id.compare(stream.lastId) <= 0) continue;
          const pairs = rand() < 0.7 ? ['name', element(rand), 'n', String(i)] : [element(rand), element(rand)];
          appendTo(stream, id, pairs, maxBytes, maxEntries);
          ids.push(id);
          if (id.msHi === 0xffffffff) break;
        }
        for (let i = 0; i < ids.length / 4; i++) {
          const id = ids[int(ids.length)];
          if (stream.delete(id) && stream.maxDeletedId.compare(id) < 0) stream.maxDeletedId.copyFrom(id);
        }
        if (rand() < 0.3) stream.trim({ strategy: TRIM_MAXLEN, maxLength: int(stream.length + 1), minId: StreamId.zero(), approximate: rand() < 0.5, limit: 0 });
        const groupCount = int(4);
        for (let g = 0; g < groupCount; g++) {
          const group = stream.createGroup(`group-${int(10)}`, ids.length > 0 ? ids[int(ids.length)] : StreamId.zero(), rand() < 0.3 ? -1 : int(1000));
          if (group === null) continue;
          const consumers = int(4);
          for (let c = 0; c < consumers; c++) {
            const consumer = group.createConsumer(`consumer-${c}-${element(rand).slice(0, 10)}`, 1700000000000 + int(100000));
            if (consumer === null) continue;
            for (let p = 0; p < int(5) && ids.length > 0; p++) {
              const id = ids[int(ids.length)];
              if (group.pending.get(id) !== undefined) continue;
              const entry = new PendingEntry(id.msHi, id.msLo, id.seqHi, id.seqLo, 1700000000000 + int(5000),
                rand() < 0.1 ? 2n ** 60n : 1 + int(20), consumer);
              group.pending.insert(entry, id);
              consumer.pending.insert(entry, id);
            }
          }
        }
        for (const compress of [true, false]) {
          const bytes = serialize(streamCodec, stream, settings, compress);
          const loaded = streamCodec.read(RDB_TYPE_STREAM_LISTPACKS_2, new RdbReader(bytes), { settings });
          if (loaded === null) throw new Error('no stream loaded');
          const where = `seed ${seed} round ${round}`;
          expect(streamState(loaded), where).toEqual(streamState(stream));
          expect(serialize(streamCodec, loaded, settings, compress).equals(bytes), where).toBe(true);
          expect(digestOf(streamCodec, loaded)).toBe(digestOf(streamCodec, stream));
          // The loaded stream goes on as the original does (its last node takes the next entry).
          if (!stream.lastId.isMax() && compress) {
            const next = stream.lastId.clone();
            next.increment();
            const copy = stream.clone();
            appendTo(copy, next, ['name', 'after'], maxBytes, maxEntries);
            appendTo(loaded, next, ['name', 'after'], maxBytes, maxEntries);
            expect(streamState(loaded), where).toEqual(streamState(copy));
            expect(serialize(streamCodec, loaded, settings, true).equals(serialize(streamCodec, copy, settings, true)), where).toBe(true);
          }
        }
      }
    });
  }
});

describe('hash codec refusals', () => {
  /** A RDB_TYPE_HASH_LISTPACK value: the listpack as one RDB string. */
  function listpackHashBytes(pairs: readonly string[]): Buffer {
    const out = new RdbWriter({ compress: false });
    out.string(lpFromArray(pairs));
    return out.finish();
  }

  function refusalOf(pairs: readonly string[], maxEntries: number): string {
    const bytes = listpackHashBytes(pairs);
    try {
      hashCodec.read(RDB_TYPE_HASH_LISTPACK, new RdbReader(bytes, 0, bytes.length), { settings: settingsOf({ 'hash-max-listpack-entries': maxEntries }), shallowSanitize: true });
    } catch (err) {
      if (err instanceof RdbFormatError) return err.message;
      throw err;
    }
    return 'accepted';
  }

  it('a listpack with a repeated field is refused; converting to a hashtable, with the reason Redis panics with there', () => {
    const dup = ['a', '1', 'b', '2', 'a', '3'];
    expect(refusalOf(dup, 128)).toBe('Hash listpack integrity check failed.');
    expect(refusalOf(dup, 1)).toBe('listpack with dup elements');
    expect(refusalOf(['a', '1', 'b'], 1)).toBe('Hash listpack integrity check failed.');
    expect(refusalOf(['a', '1', 'b', '2'], 1)).toBe('accepted');
  });
});
