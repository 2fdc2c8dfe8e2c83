// A whole dataset in the RDB file format (rdb.c rdbSaveRio / rdbLoadRioWithLoadingCtx):
//   "REDIS0010", AUX fields, FUNCTION2 libraries, then per non-empty db SELECTDB + RESIZEDB and
//   its keys ([EXPIRETIME_MS] [IDLE|FREQ] type key value), EOF, CRC64 of all before (LE; zero
//   when rdbchecksum is off).
// DEBUG RELOAD round-trips the dataset through it in memory; the persistence capability writes
// and reads the same bytes as files.

import {
  isObjectType, RDB_OPCODE_AUX, RDB_OPCODE_EOF, RDB_OPCODE_EXPIRETIME, RDB_OPCODE_EXPIRETIME_MS, RDB_OPCODE_FREQ,
  RDB_OPCODE_FUNCTION, RDB_OPCODE_FUNCTION2, RDB_OPCODE_IDLE, RDB_OPCODE_MODULE_AUX, RDB_OPCODE_RESIZEDB,
  RDB_OPCODE_SELECTDB, RDB_VERSION,
} from './constants.js';
import type { RdbSaveContext, RdbSettings } from './codec.js';
import { rdbTypeOf, writeValue } from './codecs.js';
import { Crc64, crc64 } from './crc64.js';
import { corrupt, RdbShortInput } from './errors.js';
import { RdbReader } from './reader.js';
import { readValueOrShallow } from './shallow.js';
import { RdbWriter } from './writer.js';
import type { Db } from '../db.js';
import type { RedisValue } from '../values.js';

const MAGIC = 'REDIS';
const MAGIC_BYTES = 9;
const CHECKSUM_BYTES = 8;

/** How the dataset records each key's access information (maxmemory-policy's family). */
export type AccessTracking = 'lru' | 'lfu' | 'none';

export interface RdbSaveOptions {
  /** rdbcompression. */
  compress: boolean;
  /** rdbchecksum: without it the trailer is eight zero bytes. */
  checksum: boolean;
  /** AUX fields in order (redis-ver, redis-bits, ctime, used-mem, ..., aof-base). */
  aux: ReadonlyArray<readonly [string, string]>;
  /** Function library sources (FUNCTION2 records). */
  functionCodes: readonly string[];
  /** LRU: an IDLE record (seconds) per key; LFU: a FREQ record (the counter) per key. */
  tracking: AccessTracking;
  /** Configuration the value writers consult. */
  settings: RdbSettings;
}

/** The file's start: magic and version, AUX fields, FUNCTION2 libraries. */
export function writeImageHeader(out: RdbWriter, aux: RdbSaveOptions['aux'], functionCodes: readonly string[]): void {
  out.latin1(`${MAGIC}${String(RDB_VERSION).padStart(4, '0')}`);
  for (const [key, value] of aux) {
    out.u8(RDB_OPCODE_AUX);
    out.string(key);
    out.string(value);
  }
  for (const code of functionCodes) {
    out.u8(RDB_OPCODE_FUNCTION2);
    out.string(code);
  }
}

/** SELECTDB; with sizes, the RESIZEDB hint that follows it at the start of a db's keys. */
export function writeSelectDb(out: RdbWriter, dbId: number, sizes?: { keys: number; expires: number }): void {
  out.u8(RDB_OPCODE_SELECTDB);
  out.len(dbId);
  if (sizes === undefined) return;
  out.u8(RDB_OPCODE_RESIZEDB);
  out.len(sizes.keys);
  out.len(sizes.expires);
}

/** What precedes a key's type byte: its deadline and its access record. */
export interface EntryMeta {
  deadlineMs: number | undefined;
  /** Seconds idle (under LRU tracking) or the LFU counter (under LFU); ignored with 'none'. */
  access: number;
}

/** rdbSaveKeyValuePair: [EXPIRETIME_MS] [IDLE|FREQ] type key value. */
export function writeEntry(out: RdbWriter, key: string, value: RedisValue, meta: EntryMeta, tracking: AccessTracking, ctx: RdbSaveContext): void {
  if (meta.deadlineMs !== undefined) {
    out.u8(RDB_OPCODE_EXPIRETIME_MS);
    out.millis(meta.deadlineMs);
  }
  if (tracking === 'lru') {
    out.u8(RDB_OPCODE_IDLE);
    out.len(meta.access);
  } else if (tracking === 'lfu') {
    out.u8(RDB_OPCODE_FREQ);
    out.u8(meta.access);
  }
  out.u8(rdbTypeOf(value));
  out.string(key);
  writeValue(value, out, ctx);
}

/** EOF; the CRC64 trailer is the caller's (it may have hashed the bytes as they went). */
export function writeImageEof(out: RdbWriter): void {
  out.u8(RDB_OPCODE_EOF);
}

/** Serializes every database at once (MissingCodecError when a value's type has no codec). */
export function saveImage(dbs: readonly Db[], options: RdbSaveOptions): Buffer {
  const out = new RdbWriter({ compress: options.compress }, 64 * 1024);
  const ctx = { settings: options.settings };
  writeImageHeader(out, options.aux, options.functionCodes);
  const meta: EntryMeta = { deadlineMs: undefined, access: 0 };
  for (const db of dbs) {
    if (db.size === 0) continue;
    writeSelectDb(out, db.id, { keys: db.size, expires: db.expiresCount });
    db.forEachEntry((key, value) => {
      meta.deadlineMs = db.getExpire(key);
      meta.access = options.tracking === 'lru' ? db.idleSeconds(key) : options.tracking === 'lfu' ? db.lfuFrequency(key) : 0;
      writeEntry(out, key, value, meta, options.tracking, ctx);
    });
  }
  writeImageEof(out);
  const trailerAt = out.length;
  for (let i = 0; i < CHECKSUM_BYTES; i++) out.u8(0);
  const image = out.finish();
  if (options.checksum) crc64(image, 0, trailerAt).writeLE(image, trailerAt);
  return image;
}

/** Where loaded keys go, and what the loader needs to know about the node. */
export interface RdbLoadTarget {
  readonly dbs: readonly Db[];
  readonly settings: RdbSettings;
  /** Keys already past their deadline are dropped (a primary's load); false keeps them. */
  readonly dropExpired: boolean;
  /** DEBUG RELOAD MERGE: a key already present is replaced instead of failing the load. */
  readonly replaceExisting: boolean;
  /** Verify the trailer (rdbchecksum and not DEBUG SET-SKIP-CHECKSUM-VALIDATION). */
  readonly verifyChecksum: boolean;
  /**
   * sanitize-dump-payload is not `yes`: Redis loads files with shallow checks only, so a record
   * only this engine's decoding refuses is kept undecoded (store/rdb/shallow.ts).
   */
  readonly keepUnsanitized?: boolean;
  readonly tracking: AccessTracking;
  readonly nowMs: number;
  /** An empty collection was skipped (Redis logs the first ten). */
  readonly onEmptyKey?: (key: string) => void;
  /** A key past its deadline was dropped (a primary's start-up puts its DEL into the backlog). */
  readonly onExpiredKey?: (dbIndex: number, key: string) => void;
}

export interface RdbLoadResult {
  keysLoaded: number;
  keysExpired: number;
  emptyKeysSkipped: number;
  aux: Map<string, string>;
  /** FUNCTION2 library sources, in order, for the scripting capability to compile. */
  functionCodes: string[];
  /** Bytes the image took (an AOF with an RDB preamble goes on with commands there). */
  endOffset: number;
}

/**
 * Loads an RDB image into `target.dbs` (which the caller has emptied or not, as it wishes).
 * Throws RdbFormatError for anything malformed; keys loaded before the error stay (as in
 * Redis, where a failed load leaves a partial dataset).
 */
export function loadImage(image: Buffer, target: RdbLoadTarget): RdbLoadResult {
  const loader = new RdbImageLoader(image, target);
  loader.step(Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY);
  return loader.result;
}

/**
 * The same load in steps (a server loading its file at start-up serves clients in between):
 * each step() reads records until a byte or key budget is spent, or the image ends.
 *
 * The image may also arrive while it is read (`RdbImageLoader.incremental`, a replica parsing
 * its primary's payload as it comes, as Redis's rdbLoadRio reads a socket or a growing file):
 * `append` hands over bytes, `endInput` says there are no more. A record cut by the end of the
 * bytes so far is read again from its start once more have come; the window of unread bytes is
 * rebuilt only when they have doubled, so a record arriving in many pieces is re-read a
 * logarithmic number of times and the loader holds at most about twice the largest record plus
 * what was appended and not read yet.
 */
export class RdbImageLoader {
  readonly result: RdbLoadResult = { keysLoaded: 0, keysExpired: 0, emptyKeysSkipped: 0, aux: new Map(), functionCodes: [], endOffset: 0 };
  /** The bytes being read; `base` is the image offset of its first byte. */
  private window: Buffer;
  private base = 0;
  private input: RdbReader;
  /** Appended bytes not yet in the window. */
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private inputEnded: boolean;
  /** After a cut record: unread bytes needed before it is read again. */
  private retryAtBytes = 0;
  private starved = false;
  /** The RDB version, 0 until the header was read. */
  private version = 0;
  private readonly ctx: { settings: RdbSettings };
  private db: Db;
  private dbIndex = 0;
  private finished = false;
  /** The checksum of the bytes read so far, hashed step by step (null when not verified). */
  private readonly crc: Crc64 | null;
  /** Window offset up to which the checksum has hashed. */
  private crcDone = 0;

  /** Checks the header of a whole image; throws RdbFormatError for a wrong signature or version. */
  constructor(image: Buffer, private readonly target: RdbLoadTarget, complete = true) {
    this.window = image;
    this.input = new RdbReader(image, 0);
    this.inputEnded = complete;
    this.ctx = { settings: target.settings };
    this.db = target.dbs[0];
    this.crc = target.verifyChecksum ? new Crc64() : null;
    if (complete) this.readHeader();
  }

  /** A loader for an image that arrives in pieces (see the class comment). */
  static incremental(target: RdbLoadTarget): RdbImageLoader {
    return new RdbImageLoader(Buffer.alloc(0), target, false);
  }

  get done(): boolean {
    return this.finished;
  }

  /** Bytes of the image read so far. */
  get loadedBytes(): number {
    return this.base + this.input.pos;
  }

  /** Bytes appended or in the window and not read yet. */
  get bufferedBytes(): number {
    return this.input.end - this.input.pos + this.pendingBytes;
  }

  /** The last step stopped because the bytes so far end inside a record: it needs more. */
  get needsInput(): boolean {
    return this.starved && !this.finished;
  }

  /** More of an incremental image; the loader keeps `chunk`, which the caller must not reuse. */
  append(chunk: Buffer): void {
    if (this.inputEnded) throw new Error('RDB input appended after its end');
    if (chunk.length === 0) return;
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
  }

  /** No more bytes will come: a record cut at the end is now a short read (RdbFormatError). */
  endInput(): void {
    this.inputEnded = true;
  }

  /** The pending bytes join the unread rest of the window, when the retry rule allows. */
  private refill(): void {
    if (this.pendingBytes === 0) return;
    const unread = this.input.end - this.input.pos;
    if (!this.inputEnded && unread + this.pendingBytes < this.retryAtBytes) return;
    this.hashUpTo(this.input.pos);
    this.base += this.input.pos;
    const pieces = unread > 0 ? [this.window.subarray(this.input.pos), ...this.pending] : this.pending;
    this.window = pieces.length === 1 ? pieces[0] : Buffer.concat(pieces, unread + this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    this.crcDone = 0;
    this.input = new RdbReader(this.window, 0);
    this.retryAtBytes = 0;
    this.starved = false;
  }

  private readHeader(): void {
    const image = this.window;
    if (image.length < MAGIC_BYTES || image.latin1Slice(0, MAGIC.length) !== MAGIC) corrupt('Wrong signature trying to load DB');
    const versionText = image.latin1Slice(MAGIC.length, MAGIC_BYTES);
    const version = /^\d{4}$/.test(versionText) ? Number(versionText) : 0;
    if (version < 1 || version > RDB_VERSION) corrupt(`Can't handle RDB format version ${versionText}`);
    this.version = version;
    this.input.pos = MAGIC_BYTES;
  }

  /** Reads records until `maxBytes` more bytes or `maxKeys` keys went by; true once the image ended. */
  step(maxBytes: number, maxKeys: number): boolean {
    if (this.finished) return true;
    this.refill();
    // A cut record is not read again before more bytes came (or the input ended).
    if (this.starved && !this.inputEnded) return false;
    if (this.version === 0) {
      if (this.input.end < MAGIC_BYTES && !this.inputEnded) {
        this.starved = true;
        this.retryAtBytes = MAGIC_BYTES;
        return false;
      }
      this.readHeader();
    }
    const { input, target, result, ctx } = this;
    input.partial = !this.inputEnded;
    const stopAt = input.pos + maxBytes;
    let keys = 0;
    let deadline = -1;
    let idleSeconds = -1;
    let lfuCounter = -1;
    let recordStart = input.pos;
    try {
      for (;;) {
        // Only between keys (a key's opcodes and its value are read together).
        if (deadline === -1 && idleSeconds === -1 && lfuCounter === -1) {
          recordStart = input.pos;
          if (input.pos >= stopAt || keys >= maxKeys) {
            this.hashUpTo(input.pos);
            return false;
          }
        }
        const type = input.u8();
        if (type === RDB_OPCODE_EXPIRETIME) {
          deadline = input.seconds32() * 1000;
          continue;
        }
        if (type === RDB_OPCODE_EXPIRETIME_MS) {
          deadline = input.millis();
          continue;
        }
        if (type === RDB_OPCODE_FREQ) {
          lfuCounter = input.u8();
          continue;
        }
        if (type === RDB_OPCODE_IDLE) {
          idleSeconds = input.len();
          continue;
        }
        if (type === RDB_OPCODE_EOF) break;
        if (type === RDB_OPCODE_SELECTDB) {
          const id = input.len();
          if (id >= target.dbs.length) corrupt(`Data file was created with a server configured to handle more than ${target.dbs.length} databases`);
          this.db = target.dbs[id];
          this.dbIndex = id;
          continue;
        }
        if (type === RDB_OPCODE_RESIZEDB) {
          input.len();
          input.len();
          continue;
        }
        if (type === RDB_OPCODE_AUX) {
          const key = input.string();
          result.aux.set(key, input.string());
          continue;
        }
        if (type === RDB_OPCODE_FUNCTION2) {
          result.functionCodes.push(input.string());
          continue;
        }
        if (type === RDB_OPCODE_FUNCTION || type === RDB_OPCODE_MODULE_AUX || !isObjectType(type)) {
          // Pre-release function records and module data need machinery this server has not got.
          corrupt(`Unsupported RDB record ${type}`);
        }
        const key = input.string();
        const value = readValueOrShallow(type, input, ctx, target.keepUnsanitized === true);
        if (value === null) {
          result.emptyKeysSkipped++;
          target.onEmptyKey?.(key);
        } else if (target.dropExpired && deadline !== -1 && deadline < target.nowMs) {
          result.keysExpired++;
          target.onExpiredKey?.(this.dbIndex, key);
        } else {
          addKey(target, this.db, key, value, deadline, idleSeconds, lfuCounter);
          result.keysLoaded++;
        }
        keys++;
        deadline = -1;
        idleSeconds = -1;
        lfuCounter = -1;
      }
      if (this.version >= 5) {
        const trailerAt = input.pos;
        input.bytes(CHECKSUM_BYTES);
        if (this.crc !== null) {
          const image = this.window;
          this.hashUpTo(trailerAt);
          const stored = image.subarray(trailerAt, trailerAt + CHECKSUM_BYTES);
          const unset = stored.every((b) => b === 0);
          if (!unset && !this.crc.equalsLE(image, trailerAt)) corrupt('RDB CRC error');
        }
      }
    } catch (err) {
      if (!(err instanceof RdbShortInput)) throw err;
      // The record is read again from its start once enough more bytes have come.
      input.pos = recordStart;
      this.hashUpTo(recordStart);
      this.starved = true;
      this.retryAtBytes = Math.max(2 * (input.end - recordStart), 1);
      return false;
    }
    result.endOffset = this.base + input.pos;
    this.finished = true;
    return true;
  }

  private hashUpTo(end: number): void {
    if (this.crc === null || end <= this.crcDone) return;
    this.crc.update(this.window, this.crcDone, end);
    this.crcDone = end;
  }
}

function addKey(
  target: RdbLoadTarget, db: Db, key: string, value: RedisValue, deadline: number, idleSeconds: number, lfuCounter: number,
): void {
  // A key already there is replaced; only DEBUG RELOAD MERGE accepts that (Redis panics).
  if (!db.addForLoad(key, value, deadline === -1 ? undefined : deadline) && !target.replaceExisting) {
    corrupt(`RDB has duplicated key '${key}' in DB ${db.id}`);
  }
  // objectSetLRUOrLFU: a FREQ record counts under LFU, an IDLE record otherwise.
  if (target.tracking === 'lfu') {
    if (lfuCounter >= 0) db.setLfuFrequency(key, lfuCounter);
  } else if (idleSeconds >= 0) {
    db.backdateAccess(key, idleSeconds);
  }
}
