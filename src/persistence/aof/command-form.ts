// The command form of a base file (aof-use-rdb-preamble no), as Redis's rewriteAppendOnlyFileRio
// writes it: a #TS annotation when aof-timestamp-enabled, FUNCTION LOAD per library, then per
// non-empty db a SELECT and per key the commands that rebuild it (SET; RPUSH, SADD, ZADD, HMSET
// with at most 64 items each; a stream's XADDs, XSETID, XGROUP CREATE, CREATECONSUMER and
// XCLAIMs of its pending entries), followed by PEXPIREAT for a key with a deadline.

import { serializeCompact } from '../../json/serialize.js';
import { encodedCommandBytes, writeCommand } from '../../protocol/command-encoder.js';
import type { Keyspace } from '../../store/keyspace.js';
import type { RedisValue } from '../../store/values.js';
import { StreamWalker, type StreamValue } from '../../store/types/stream.js';
import type { PairSink } from '../../store/types/stream-node.js';
import { u64Text } from '../../store/types/stream-id.js';
import { formatDouble17g } from '../../util/numbers.js';
import { NONE as ZSET_NONE } from '../../store/types/zset.js';
import type { UnsanitizedValue } from '../../store/types/unsanitized.js';
import { sealDumpPayload } from '../../store/rdb/dump-payload.js';
import { RdbWriter } from '../../store/rdb/writer.js';

/** AOF_REWRITE_ITEMS_PER_CMD. */
const ITEMS_PER_COMMAND = 64;
/** Encoded commands are handed on in chunks of about this size. */
const CHUNK_BYTES = 64 * 1024;

class CommandChunker {
  private buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  private used = 0;

  constructor(private readonly sink: (chunk: Buffer) => void) {}

  raw(text: string): void {
    this.ensure(text.length);
    this.used += this.buffer.latin1Write(text, this.used);
  }

  command(argv: readonly string[]): void {
    const size = encodedCommandBytes(argv);
    this.ensure(size);
    this.used = writeCommand(this.buffer, this.used, argv);
  }

  private ensure(size: number): void {
    if (this.used + size <= this.buffer.length) return;
    this.flush();
    if (size > this.buffer.length) this.buffer = Buffer.allocUnsafe(size);
  }

  flush(): void {
    if (this.used === 0) return;
    this.sink(Buffer.from(this.buffer.subarray(0, this.used)));
    this.used = 0;
  }
}

/** Writes the whole dataset as commands to `sink`, synchronously (a point-in-time image). */
export function writeCommandForm(keyspace: Keyspace, timestampSec: number | null, sink: (chunk: Buffer) => void): void {
  const out = new CommandChunker(sink);
  if (timestampSec !== null) out.raw(`#TS:${timestampSec}\r\n`);
  for (const lib of keyspace.functions.libraries.values()) out.command(['FUNCTION', 'LOAD', lib.code]);
  for (const db of keyspace.dbs) {
    if (db.size === 0) continue;
    out.command(['SELECT', String(db.id)]);
    db.forEachEntry((key, value) => {
      writeValue(out, key, value);
      const deadline = db.getExpire(key);
      if (deadline !== undefined) out.command(['PEXPIREAT', key, String(deadline)]);
    });
  }
  out.flush();
}

function writeValue(out: CommandChunker, key: string, value: RedisValue): void {
  if (typeof value === 'string') {
    out.command(['SET', key, value]);
    return;
  }
  switch (value.kind) {
    case 'string':
      out.command(['SET', key, value.toString()]);
      return;
    case 'list': {
      const items: string[] = [];
      const cursor = value.cursor(0, true);
      for (let e = cursor.next(); e !== null; e = cursor.next()) items.push(e);
      batched(out, 'RPUSH', key, items, 1);
      return;
    }
    case 'set': {
      const items: string[] = [];
      for (let i = 0; i < value.size; i++) items.push(value.memberAt(i));
      batched(out, 'SADD', key, items, 1);
      return;
    }
    case 'hash': {
      const items: string[] = [];
      value.forEachPair((field, v) => items.push(field, v));
      batched(out, 'HMSET', key, items, 2);
      return;
    }
    case 'zset': {
      const items: string[] = [];
      for (let pos = value.first(); pos !== ZSET_NONE; pos = value.next(pos)) items.push(formatDouble17g(value.scoreAt(pos)), value.memberAt(pos));
      batched(out, 'ZADD', key, items, 2);
      return;
    }
    case 'stream':
      writeStream(out, key, value);
      return;
    case 'ReJSON-RL':
      // The whole document in one command (RedisJSON has no rewrite callback; the RDB preamble
      // is the usual form).
      out.command(['JSON.SET', key, '$', serializeCompact(value.root)]);
      return;
    case 'unsanitized':
      // Its elements cannot be walked (Redis would walk the corrupt payload and crash or write
      // garbage): the key is rebuilt from its serialization, which loading keeps undecoded again
      // unless sanitize-dump-payload is yes.
      out.command(['RESTORE', key, '0', unsanitizedPayload(value).toString('latin1')]);
      return;
  }
}

/** The DUMP payload of a value kept undecoded: its own bytes, sealed. */
function unsanitizedPayload(value: UnsanitizedValue): Buffer {
  const writer = new RdbWriter({ compress: false });
  writer.u8(value.rdbType);
  writer.bytes(value.body);
  return sealDumpPayload(writer);
}

/** Commands of at most 64 items (an item is `width` arguments), as Redis splits them. */
function batched(out: CommandChunker, name: string, key: string, items: readonly string[], width: number): void {
  const step = ITEMS_PER_COMMAND * width;
  for (let i = 0; i < items.length; i += step) out.command([name, key, ...items.slice(i, i + step)]);
}

class ArgvSink implements PairSink {
  argv: string[] = [];
  bulk(value: string): void {
    this.argv.push(value);
  }
}

function writeStream(out: CommandChunker, key: string, stream: StreamValue): void {
  const walker = new StreamWalker(stream);
  walker.forward(null, null, false);
  let any = false;
  const sink = new ArgvSink();
  while (walker.next()) {
    any = true;
    const e = walker.entry;
    sink.argv = ['XADD', key, `${u64Text(e.msHi, e.msLo)}-${u64Text(e.seqHi, e.seqLo)}`];
    walker.writePairs(sink);
    out.command(sink.argv);
  }
  // An empty stream is created by an entry trimmed away at once (XADD MAXLEN 0).
  if (!any) out.command(['XADD', key, 'MAXLEN', '0', '0-1', 'x', 'y']);
  out.command(['XSETID', key, stream.lastId.toString(), 'ENTRIESADDED', String(stream.entriesAdded), 'MAXDELETEDID', stream.maxDeletedId.toString()]);
  if (stream.groups === null) return;
  for (const name of stream.sortedGroupNames()) {
    const group = stream.groups.get(name);
    if (group === undefined) continue;
    out.command(['XGROUP', 'CREATE', key, name, group.lastId.toString(), 'ENTRIESREAD', String(group.entriesRead)]);
    for (const consumer of group.sortedConsumers()) {
      if (consumer.pending.size === 0) {
        out.command(['XGROUP', 'CREATECONSUMER', key, name, consumer.name]);
        continue;
      }
      for (const p of consumer.pending) {
        out.command(['XCLAIM', key, name, consumer.name, '0', `${u64Text(p.msHi, p.msLo)}-${u64Text(p.seqHi, p.seqLo)}`,
          'TIME', String(p.deliveryTimeMs), 'RETRYCOUNT', String(p.deliveryCount), 'JUSTID', 'FORCE']);
      }
    }
  }
}
