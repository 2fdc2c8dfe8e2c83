// DUMP and RESTORE (cluster.c), and the DEBUG subcommands built on the RDB codec: OBJECT,
// RELOAD, DIGEST, DIGEST-VALUE, SET-SKIP-CHECKSUM-VALIDATION (debug.c). Values are serialized
// only through store/rdb/codecs.ts; a type without a codec is refused by name.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandContext, ServerApi } from './context.js';
import type { DebugSubcommand } from './debug.js';
import { leadingNumber } from './debug.js';
import { ERR_NO_SUCH_KEY, ERR_SYNTAX, intArg, isKeyword } from './errors.js';
import { integersShared, refcountOf } from './keys.js';
import { keyAt, type ArgumentDoc, type CommandSpec } from './types.js';
import { NOTIFY_GENERIC } from '../config/keyspace-events.js';
import type { Db } from '../store/db.js';
import {
  debugObjectSuffix, digestValue, MissingCodecError, writeTypedValue, writeValue,
} from '../store/rdb/codecs.js';
import { isObjectType } from '../store/rdb/constants.js';
import { Digest } from '../store/rdb/digest.js';
import { sealDumpPayload, verifyDumpPayload } from '../store/rdb/dump-payload.js';
import { RdbFormatError } from '../store/rdb/errors.js';
import { readValueOrShallow } from '../store/rdb/shallow.js';
import { loadImage, type AccessTracking, type RdbLoadResult } from '../store/rdb/image.js';
import { RdbReader } from '../store/rdb/reader.js';
import { RdbWriter } from '../store/rdb/writer.js';
import { encodingName, type RedisValue } from '../store/values.js';
import { INT64_MAX } from '../util/numbers.js';

const ERR_BUSYKEY = 'BUSYKEY Target key name already exists.';
const ERR_BAD_PAYLOAD = 'ERR DUMP payload version or checksum are wrong';
const ERR_BAD_FORMAT = 'ERR Bad data format';
/** The 24-bit LRU clock Redis keeps per object (seconds, wrapping). */
const LRU_CLOCK_MAX = 0xffffff;

/** Per-server switches of this family (DEBUG SET-SKIP-CHECKSUM-VALIDATION). */
interface DumpState {
  skipChecksumValidation: boolean;
}
const states = new WeakMap<ServerApi, DumpState>();

/** DEBUG SET-SKIP-CHECKSUM-VALIDATION is on: DUMP payloads (and FUNCTION RESTORE's) skip their CRC. */
export function skipsChecksumValidation(server: ServerApi): boolean {
  return stateOf(server).skipChecksumValidation;
}

function stateOf(server: ServerApi): DumpState {
  let state = states.get(server);
  if (state === undefined) {
    state = { skipChecksumValidation: false };
    states.set(server, state);
  }
  return state;
}

/** maxmemory-policy's family: what RDB records per key and RESTORE IDLETIME/FREQ may set. */
function accessTracking(ctx: CommandContext): AccessTracking {
  const policy = ctx.server.config.str('maxmemory-policy');
  if (policy.endsWith('-lfu')) return 'lfu';
  if (policy.endsWith('-lru')) return 'lru';
  return 'none';
}

// ------------------------------------------------------------------------------------- DUMP

/**
 * The DUMP payload of a value (cluster.c createDumpPayload), as DUMP replies it and MIGRATE
 * sends it; throws MissingCodecError for a type without an RDB codec.
 */
export function createDumpPayload(value: RedisValue, config: ServerApi['config']): Buffer {
  const out = new RdbWriter({ compress: config.bool('rdbcompression') });
  writeTypedValue(value, out, { settings: config });
  return sealDumpPayload(out);
}

/** The reply for a value DUMP or MIGRATE cannot serialize. */
export function missingCodecReply(ctx: CommandContext, err: MissingCodecError): void {
  ctx.reply.error(`ERR ${err.message}`);
}

/** The DUMP payload of a value, or null once a type without an RDB codec was answered with its error. */
export function dumpPayloadOrReply(ctx: CommandContext, value: RedisValue): Buffer | null {
  try {
    return createDumpPayload(value, ctx.server.config);
  } catch (err) {
    if (!(err instanceof MissingCodecError)) throw err;
    missingCodecReply(ctx, err);
    return null;
  }
}

function dump(ctx: CommandContext, argv: string[]): void {
  const value = ctx.db.lookupRead(argv[1]);
  if (value === undefined) {
    ctx.reply.nullBulk();
    return;
  }
  const payload = dumpPayloadOrReply(ctx, value);
  if (payload !== null) ctx.reply.bulk(payload);
}

// ---------------------------------------------------------------------------------- RESTORE

interface RestoreOptions {
  replace: boolean;
  absttl: boolean;
  idleSeconds: number;
  frequency: number;
}

/** RESTORE's options from argv[4...]; null after replying with Redis's error. */
function parseRestoreOptions(ctx: CommandContext, argv: string[]): RestoreOptions | null {
  const options: RestoreOptions = { replace: false, absttl: false, idleSeconds: -1, frequency: -1 };
  for (let j = 4; j < argv.length; j++) {
    const arg = argv[j];
    const more = argv.length - j - 1;
    if (isKeyword(arg, 'REPLACE')) {
      options.replace = true;
    } else if (isKeyword(arg, 'ABSTTL')) {
      options.absttl = true;
    } else if (isKeyword(arg, 'IDLETIME') && more >= 1 && options.frequency === -1) {
      const idle = intArg(ctx.reply, argv[++j]);
      if (idle === null) return null;
      if (idle < 0) {
        ctx.reply.error('ERR Invalid IDLETIME value, must be >= 0');
        return null;
      }
      // Past the 24-bit clock every idle time looks the same; a bigint cannot matter.
      options.idleSeconds = typeof idle === 'bigint' ? Number.MAX_SAFE_INTEGER : idle;
    } else if (isKeyword(arg, 'FREQ') && more >= 1 && options.idleSeconds === -1) {
      const freq = intArg(ctx.reply, argv[++j]);
      if (freq === null) return null;
      if (freq < 0 || freq > 255) {
        ctx.reply.error('ERR Invalid FREQ value, must be >= 0 and <= 255');
        return null;
      }
      options.frequency = Number(freq);
    } else {
      ctx.reply.error(ERR_SYNTAX);
      return null;
    }
  }
  return options;
}

/**
 * sanitize-dump-payload for this RESTORE: `yes` always checks deeply, `no` never, `clients`
 * for every client but the primary's link, the AOF loader (whose data Redis trusts) and a user
 * with the skip-sanitize-payload flag.
 */
function deepSanitizes(ctx: CommandContext): boolean {
  const mode = ctx.server.config.str('sanitize-dump-payload');
  if (mode === 'clients') return !ctx.client.replaysData && !ctx.client.user.skipsPayloadSanitizing;
  return mode === 'yes';
}

/** The value a DUMP payload holds; null after replying with Redis's error. */
function payloadValue(ctx: CommandContext, payloadText: string): RedisValue | null {
  const payload = Buffer.from(payloadText, 'latin1');
  if (!verifyDumpPayload(payload, stateOf(ctx.server).skipChecksumValidation)) {
    ctx.reply.error(ERR_BAD_PAYLOAD);
    return null;
  }
  // Redis reads the value from the whole payload (footer included), so a value that runs into
  // the footer bytes is read as it does; the footer's own position is only the nominal end.
  const input = new RdbReader(payload, 0, payload.length);
  try {
    const type = input.u8();
    if (!isObjectType(type)) throw new RdbFormatError(`Not an object type: ${type}`);
    // Without deep sanitization, the checks Redis's shallow mode skips and this engine does not
    // need are relaxed, and a payload only the deep checks refuse is kept undecoded.
    const shallowSanitize = !deepSanitizes(ctx);
    const value = readValueOrShallow(type, input, { settings: ctx.server.config, shallowSanitize }, shallowSanitize);
    if (value === null) throw new RdbFormatError('Empty collection');
    return value;
  } catch (err) {
    if (!(err instanceof RdbFormatError)) throw err;
    // rdbReportError in a RESTORE: the reason at verbose level (an empty collection has none).
    if (err.message !== 'Empty collection') ctx.server.admin.logVerbose(`Internal error in RDB reading offset 0, function at rdb.c:0 -> ${err.message}`);
    ctx.reply.error(ERR_BAD_FORMAT);
    return null;
  }
}

/** ttl + now as C's int64 arithmetic gives it (wrapping, as Redis's does, on overflow). */
function absoluteDeadline(ttl: number | bigint, absttl: boolean): number {
  if (absttl) return Number(ttl);
  const sum = BigInt(ttl) + BigInt(Date.now());
  return Number(sum > INT64_MAX ? BigInt.asIntN(64, sum) : sum);
}

function restore(ctx: CommandContext, argv: string[]): void {
  const options = parseRestoreOptions(ctx, argv);
  if (options === null) return;
  const db = ctx.db;
  const key = argv[1];
  if (!options.replace && db.lookup(key) !== undefined) {
    ctx.reply.error(ERR_BUSYKEY);
    return;
  }
  const ttl = intArg(ctx.reply, argv[2]);
  if (ttl === null) return;
  if (ttl < 0) {
    ctx.reply.error('ERR Invalid TTL value, must be >= 0');
    return;
  }
  const value = payloadValue(ctx, argv[3]);
  if (value === null) return;

  const deleted = options.replace && db.delete(key);
  const hasTtl = ttl !== 0 && ttl !== 0n;
  const deadline = hasTtl ? absoluteDeadline(ttl, options.absttl) : 0;
  if (hasTtl && deadline <= Date.now()) {
    // Already expired: the key is not created; a replaced key is deleted and that is what
    // replicas see.
    if (deleted) {
      ctx.rewritePropagation(['DEL', key]);
      ctx.server.events.signalModifiedKey(db, key);
      ctx.server.events.notify(NOTIFY_GENERIC, 'del', key, db.id);
      ctx.markDirty();
    }
    ctx.reply.ok();
    return;
  }
  db.set(key, value);
  if (hasTtl) {
    db.setExpire(key, deadline);
    if (!options.absttl) {
      // Replicas get the absolute deadline, so a later replay lands on the same instant.
      const propagated = argv.slice();
      propagated[2] = String(deadline);
      propagated.push('ABSTTL');
      ctx.rewritePropagation(propagated);
    }
  }
  // objectSetLRUOrLFU: FREQ counts under an LFU policy, IDLETIME under any other.
  if (accessTracking(ctx) === 'lfu') {
    if (options.frequency >= 0) db.setLfuFrequency(key, options.frequency);
  } else if (options.idleSeconds >= 0) {
    db.backdateAccess(key, Math.min(options.idleSeconds, LRU_CLOCK_MAX));
  }
  ctx.server.events.signalModifiedKey(db, key);
  ctx.server.events.notify(NOTIFY_GENERIC, 'restore', key, db.id);
  ctx.reply.ok();
  ctx.markDirty();
}

// ------------------------------------------------------------------------------ DEBUG OBJECT

/** Stable pseudo-addresses for "Value at:" (there are no pointers here to print). */
const addresses = new WeakMap<object, number>();
let nextAddress = 0x7f0000100000;

function addressOf(value: RedisValue, db: Db, key: string): string {
  if (typeof value !== 'string') {
    let address = addresses.get(value);
    if (address === undefined) {
      address = nextAddress;
      nextAddress += 0x40;
      addresses.set(value, address);
    }
    return `0x${address.toString(16)}`;
  }
  // A plain string is an immutable value, re-created by each write: derive one from its key.
  let h = 0x811c9dc5 ^ db.id;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return `0x7f${((h >>> 0) & 0xffffff0).toString(16).padStart(7, '0')}0`;
}

function debugObject(ctx: CommandContext, argv: string[]): void {
  const db = ctx.db;
  const key = argv[2];
  // Redis looks the key up in the dict itself: no expiry, no access-time change.
  const value = db.peek(key);
  if (value === undefined) {
    ctx.reply.error(ERR_NO_SUCH_KEY);
    return;
  }
  const settings = ctx.server.config;
  const out = new RdbWriter({ compress: settings.bool('rdbcompression') });
  let suffix: string;
  try {
    writeValue(value, out, { settings });
    suffix = debugObjectSuffix(value, settings);
  } catch (err) {
    if (!(err instanceof MissingCodecError)) throw err;
    missingCodecReply(ctx, err);
    return;
  }
  const idle = db.idleSeconds(key);
  const lru = (Math.floor(Date.now() / 1000) - idle) & LRU_CLOCK_MAX;
  ctx.reply.simple(
    `Value at:${addressOf(value, db, key)} refcount:${refcountOf(value, integersShared(ctx.server.config))} encoding:${encodingName(value)} ` +
    `serializedlength:${out.length} lru:${lru} lru_seconds_idle:${idle}${suffix}`,
  );
}

// ------------------------------------------------------------------------------ DEBUG DIGEST

/** computeDatasetDigest: every db's id, and every key with its value, folded together. */
function datasetDigest(dbs: readonly Db[]): Digest {
  const final = new Digest();
  const keyDigest = new Digest();
  for (const db of dbs) {
    if (db.size === 0) continue;
    final.mixUint32BE(db.id);
    const hasExpires = db.expiresCount > 0;
    db.forEachEntry((key, value) => {
      keyDigest.reset();
      keyDigest.mix(key);
      digestValue(value, hasExpires && db.getExpire(key) !== undefined, keyDigest);
      final.xorDigest(keyDigest);
    });
  }
  return final;
}

function debugDigest(ctx: CommandContext): void {
  let digest: Digest;
  try {
    digest = datasetDigest(ctx.server.keyspace.dbs);
  } catch (err) {
    if (!(err instanceof MissingCodecError)) throw err;
    missingCodecReply(ctx, err);
    return;
  }
  ctx.reply.simple(digest.hex());
}

function debugDigestValue(ctx: CommandContext, argv: string[]): void {
  const db = ctx.db;
  const digests: string[] = [];
  const digest = new Digest();
  try {
    for (let j = 2; j < argv.length; j++) {
      digest.reset();
      // Logically expired keys still count: the lookup is the dict's own.
      const value = db.peek(argv[j]);
      if (value !== undefined) digestValue(value, db.getExpire(argv[j]) !== undefined, digest);
      digests.push(digest.hex());
    }
  } catch (err) {
    if (!(err instanceof MissingCodecError)) throw err;
    missingCodecReply(ctx, err);
    return;
  }
  ctx.reply.arrayLength(digests.length);
  for (const d of digests) ctx.reply.simple(d);
}

// ------------------------------------------------------------------------------ DEBUG RELOAD

/** The RDB file: dbfilename in dir (the process works in dir only when the CLI started it). */
function rdbPath(server: ServerApi): string {
  return join(server.config.str('dir'), server.config.str('dbfilename'));
}

function debugReload(ctx: CommandContext, argv: string[]): void {
  let merge = false;
  let flush = true;
  let save = true;
  for (let j = 2; j < argv.length; j++) {
    if (isKeyword(argv[j], 'MERGE')) merge = true;
    else if (isKeyword(argv[j], 'NOFLUSH')) flush = false;
    else if (isKeyword(argv[j], 'NOSAVE')) save = false;
    else {
      ctx.reply.error('ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.');
      return;
    }
  }
  const server = ctx.server;
  // Like Redis, the dataset is saved as the RDB file of the working directory (rdbSave: "DB saved
  // on disk", the change count reset), then read back from it.
  if (save && !server.persistence.saveNow()) {
    ctx.reply.error('ERR Error trying to save the DB');
    return;
  }
  if (flush) {
    server.events.signalFlushedDb(-1);
    for (const db of server.keyspace.dbs) db.flush();
    server.keyspace.functions.clear();
  }
  let image: Buffer;
  try {
    image = readFileSync(rdbPath(server));
  } catch (err) {
    server.admin.logWarning(`DEBUG RELOAD: ${(err as Error).message}`);
    ctx.reply.error('ERR Error trying to load the RDB dump');
    return;
  }
  let loaded: RdbLoadResult;
  try {
    loaded = loadImage(image, {
      dbs: server.keyspace.dbs,
      settings: server.config,
      dropExpired: true,
      replaceExisting: merge,
      verifyChecksum: server.config.bool('rdbchecksum') && !stateOf(server).skipChecksumValidation, keepUnsanitized: server.config.str('sanitize-dump-payload') !== 'yes',
      tracking: accessTracking(ctx),
      nowMs: Date.now(),
    });
  } catch (err) {
    if (!(err instanceof RdbFormatError)) throw err;
    server.admin.logWarning(`Error loading the RDB image: ${err.message}`);
    ctx.reply.error('ERR Error trying to load the RDB dump');
    return;
  }
  // Libraries in the image join the registry; with MERGE one of the same name is replaced.
  for (const code of loaded.functionCodes) {
    const error = server.scripting.functions.restoreLibrary(code, merge);
    if (error !== null) {
      server.admin.logWarning(`Failed creating function, ${error}`);
      ctx.reply.error('ERR Error trying to load the RDB dump');
      return;
    }
  }
  server.admin.logWarning('DB reloaded by DEBUG RELOAD');
  ctx.reply.ok();
}

// ------------------------------------------------------------------------------------ tables

export const dumpDebugSubcommands: readonly DebugSubcommand[] = [
  {
    name: 'OBJECT', minArgs: 3, maxArgs: 3,
    help: ['OBJECT <key>', '    Shows how the value at <key> is stored, and its serialized length.'],
    run: debugObject,
  },
  {
    name: 'RELOAD', minArgs: 2, maxArgs: Number.MAX_SAFE_INTEGER,
    help: [
      'RELOAD [option ...]',
      '    Serializes the dataset in RDB format and loads it back. Options:',
      '    * MERGE: keys already present are replaced by the loaded ones.',
      '    * NOFLUSH: the dataset is not emptied first (a conflicting key fails the load',
      '      unless MERGE).',
      '    * NOSAVE: loads the RDB file of the working directory instead.',
    ],
    run: debugReload,
  },
  {
    name: 'DIGEST', minArgs: 2, maxArgs: 2,
    help: ['DIGEST', '    A hex signature of the whole dataset (equal datasets, equal signatures).'],
    run: debugDigest,
  },
  {
    name: 'DIGEST-VALUE', minArgs: 2, maxArgs: Number.MAX_SAFE_INTEGER,
    help: ['DIGEST-VALUE <key> [<key> ...]', '    A hex signature of the value at each <key>.'],
    run: debugDigestValue,
  },
  {
    name: 'SET-SKIP-CHECKSUM-VALIDATION', minArgs: 3, maxArgs: 3,
    help: ['SET-SKIP-CHECKSUM-VALIDATION <0|1>', '    1 skips the CRC64 check of RESTORE payloads and RDB images.'],
    run(ctx, argv) {
      stateOf(ctx.server).skipChecksumValidation = leadingNumber(argv[2], true) !== 0;
      ctx.reply.ok();
    },
  },
];

/** RESTORE's arguments, which RESTORE-ASKING takes as they are. */
const RESTORE_ARGUMENTS: ArgumentDoc[] = [
  { name: 'key', type: 'key' },
  { name: 'ttl', type: 'integer' },
  { name: 'serialized-value', type: 'string' },
  { name: 'replace', type: 'pure-token', token: 'REPLACE', optional: true },
  { name: 'absttl', type: 'pure-token', token: 'ABSTTL', optional: true },
  { name: 'seconds', type: 'integer', token: 'IDLETIME', optional: true },
  { name: 'frequency', type: 'integer', token: 'FREQ', optional: true },
];

export const dumpCommands: CommandSpec[] = [
  {
    name: 'dump', arity: 2, flags: ['readonly'], acl: ['keyspace', 'read', 'slow'],
    keySpecs: [keyAt(1, 'RO', 'access')], tips: ['nondeterministic_output'],
    summary: 'Serializes the value at a key in the RDB format RESTORE reads.', since: '2.6.0', group: 'generic',
    handler: dump,
  },
  {
    name: 'restore', arity: -4, flags: ['write', 'denyoom'], acl: ['keyspace', 'write', 'slow', 'dangerous'],
    keySpecs: [keyAt(1, 'OW', 'update')],
    summary: 'Creates a key from a DUMP payload.', since: '2.6.0', group: 'generic',
    arguments: RESTORE_ARGUMENTS,
    handler: restore,
  },
  {
    // What MIGRATE sends in cluster mode: RESTORE that an importing slot accepts without ASKING.
    name: 'restore-asking', arity: -4, flags: ['write', 'denyoom', 'asking'], acl: ['keyspace', 'write', 'slow', 'dangerous'],
    keySpecs: [keyAt(1, 'OW', 'update')],
    summary: 'Creates a key from a DUMP payload during a cluster migration.', since: '3.0.0', group: 'server',
    arguments: RESTORE_ARGUMENTS,
    handler: restore,
  },
];
