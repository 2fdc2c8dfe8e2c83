// HyperLogLog commands (Redis 7.0's hyperloglog.c): PFADD, PFCOUNT, PFMERGE, PFDEBUG and
// PFSELFTEST. An HLL is a string value holding Redis's exact bytes (store/types/hyperloglog.ts);
// a string that is not one gets Redis's WRONGTYPE text for HLLs, opcodes that do not add up get
// INVALIDOBJ, both at the moments Redis detects them.

import type { CommandContext } from './context.js';
import { ERR_WRONGTYPE, isKeyword } from './errors.js';
import { unshareString } from './strings.js';
import { keyAt, keysFrom, type CommandSpec } from './types.js';
import { NOTIFY_STRING } from '../config/keyspace-events.js';
import {
  HLL_ENCODING_DENSE, HLL_ENCODING_SPARSE, HLL_REGISTERS, cacheIsValid, cachedCardinality, cardinalityReply, countHll,
  countRegisters, createHll, decodeSparse, denseRegister, hllAdd, hllBytes, hllEncoding, hllSelfTest, hllSetRegister,
  invalidateCache, isHllString, mergeRegisters, sparseToDense, storeCardinality, terminatorOf,
} from '../store/types/hyperloglog.js';
import { isStringValue, type MutableString, type RedisValue, type StringValue } from '../store/values.js';

const ERR_NOT_HLL = 'WRONGTYPE Key is not a valid HyperLogLog string value.';
const ERR_CORRUPT_HLL = 'INVALIDOBJ Corrupted HLL object detected';

/**
 * isHLLObjectOrReply: the value as a checked HLL string, or null after the error (WRONGTYPE for
 * another type, the HLL WRONGTYPE for a string that is no HLL).
 */
function checkedHll(ctx: CommandContext, value: RedisValue): StringValue | null {
  if (!isStringValue(value)) {
    ctx.reply.error(ERR_WRONGTYPE);
    return null;
  }
  if (!isHllString(value)) {
    ctx.reply.error(ERR_NOT_HLL);
    return null;
  }
  return value;
}

function sparseMaxBytes(ctx: CommandContext): number {
  return ctx.server.config.live.hllSparseMaxBytes;
}

// ------------------------------------------------------------------------------------- PFADD

function pfadd(ctx: CommandContext, argv: string[]): void {
  const key = argv[1];
  const found = ctx.db.lookup(key);
  let hll: MutableString;
  let updated = 0;
  if (found === undefined) {
    hll = createHll();
    ctx.db.set(key, hll);
    updated++;
  } else {
    const value = checkedHll(ctx, found);
    if (value === null) return;
    hll = unshareString(ctx, key, value);
  }
  const maxBytes = sparseMaxBytes(ctx);
  for (let j = 2; j < argv.length; j++) {
    const result = hllAdd(hll, argv[j], maxBytes);
    if (result === 1) updated++;
    else if (result === -1) {
      ctx.reply.error(ERR_CORRUPT_HLL);
      return;
    }
  }
  if (updated > 0) {
    ctx.server.events.signalModifiedKey(ctx.db, key);
    ctx.server.events.notify(NOTIFY_STRING, 'pfadd', key, ctx.db.id);
    ctx.markDirty(updated);
    invalidateCache(hll);
  }
  ctx.reply.integer(updated > 0 ? 1 : 0);
}

// ----------------------------------------------------------------------------------- PFCOUNT

function pfcount(ctx: CommandContext, argv: string[]): void {
  if (argv.length > 2) {
    // The union's estimate; the keys themselves are left as they are.
    const max = new Uint8Array(HLL_REGISTERS);
    for (let j = 1; j < argv.length; j++) {
      const found = ctx.db.lookupRead(argv[j]);
      if (found === undefined) continue;
      const value = checkedHll(ctx, found);
      if (value === null) return;
      if (!mergeRegisters(max, hllBytes(value), terminatorOf(value))) {
        ctx.reply.error(ERR_CORRUPT_HLL);
        return;
      }
    }
    ctx.reply.integer(cardinalityReply(countRegisters(max)));
    return;
  }

  const key = argv[1];
  const found = ctx.db.lookupRead(key);
  if (found === undefined) {
    ctx.reply.integer(0);
    return;
  }
  const value = checkedHll(ctx, found);
  if (value === null) return;
  const hll = unshareString(ctx, key, value);
  if (cacheIsValid(hll)) {
    ctx.reply.integer(cachedCardinality(hll));
    return;
  }
  const card = countHll(hll.bytes(), terminatorOf(hll));
  if (card < 0) {
    ctx.reply.error(ERR_CORRUPT_HLL);
    return;
  }
  // The cache lives in the string: storing it is a change that WATCH and replicas must see.
  storeCardinality(hll, card);
  ctx.server.events.signalModifiedKey(ctx.db, key);
  ctx.markDirty();
  ctx.reply.integer(cardinalityReply(card));
}

// ----------------------------------------------------------------------------------- PFMERGE

function pfmerge(ctx: CommandContext, argv: string[]): void {
  const max = new Uint8Array(HLL_REGISTERS);
  let useDense = false;
  // The destination is read like the sources: its registers are part of the union.
  for (let j = 1; j < argv.length; j++) {
    const found = ctx.db.lookupRead(argv[j]);
    if (found === undefined) continue;
    const value = checkedHll(ctx, found);
    if (value === null) return;
    const bytes = hllBytes(value);
    if (hllEncoding(bytes) === HLL_ENCODING_DENSE) useDense = true;
    if (!mergeRegisters(max, bytes, terminatorOf(value))) {
      ctx.reply.error(ERR_CORRUPT_HLL);
      return;
    }
  }

  const key = argv[1];
  const found = ctx.db.lookup(key);
  let hll: MutableString;
  if (found === undefined) {
    hll = createHll();
    ctx.db.set(key, hll);
  } else {
    // Read and checked with the sources above: a string holding an HLL.
    if (!isStringValue(found)) {
      ctx.reply.error(ERR_WRONGTYPE);
      return;
    }
    hll = unshareString(ctx, key, found);
  }
  if (useDense && !sparseToDense(hll)) {
    ctx.reply.error(ERR_CORRUPT_HLL);
    return;
  }
  const maxBytes = sparseMaxBytes(ctx);
  for (let j = 0; j < HLL_REGISTERS; j++) {
    if (max[j] !== 0) hllSetRegister(hll, j, max[j], maxBytes);
  }
  invalidateCache(hll);
  ctx.server.events.signalModifiedKey(ctx.db, key);
  // A merge is a mass add: Redis names its event "pfadd".
  ctx.server.events.notify(NOTIFY_STRING, 'pfadd', key, ctx.db.id);
  ctx.markDirty();
  ctx.reply.ok();
}

// ----------------------------------------------------------------------------------- PFDEBUG

function pfdebug(ctx: CommandContext, argv: string[]): void {
  const sub = argv[1];
  const key = argv[2];
  const found = ctx.db.lookup(key);
  if (found === undefined) {
    ctx.reply.error('ERR The specified key does not exist');
    return;
  }
  const value = checkedHll(ctx, found);
  if (value === null) return;
  const hll = unshareString(ctx, key, value);

  if (isKeyword(sub, 'GETREG')) {
    if (hll.buf[4] === HLL_ENCODING_SPARSE) {
      if (!sparseToDense(hll)) {
        ctx.reply.error(ERR_CORRUPT_HLL);
        return;
      }
      // The encoding changed: propagate so replicas convert too.
      ctx.markDirty();
    }
    const bytes = hll.bytes();
    ctx.reply.arrayLength(HLL_REGISTERS);
    for (let j = 0; j < HLL_REGISTERS; j++) ctx.reply.integer(denseRegister(bytes, j));
  } else if (isKeyword(sub, 'DECODE')) {
    if (hll.buf[4] !== HLL_ENCODING_SPARSE) {
      ctx.reply.error('ERR HLL encoding is not sparse');
      return;
    }
    ctx.reply.bulk(decodeSparse(hll.bytes(), terminatorOf(hll)));
  } else if (isKeyword(sub, 'ENCODING')) {
    ctx.reply.simple(hll.buf[4] === HLL_ENCODING_DENSE ? 'dense' : 'sparse');
  } else if (isKeyword(sub, 'TODENSE')) {
    let converted = false;
    if (hll.buf[4] === HLL_ENCODING_SPARSE) {
      if (!sparseToDense(hll)) {
        ctx.reply.error(ERR_CORRUPT_HLL);
        return;
      }
      converted = true;
      ctx.markDirty();
    }
    ctx.reply.integer(converted ? 1 : 0);
  } else {
    ctx.reply.error(`ERR Unknown PFDEBUG subcommand '${sub}'`);
  }
}

// -------------------------------------------------------------------------------- PFSELFTEST

function pfselftest(ctx: CommandContext): void {
  const failure = hllSelfTest(sparseMaxBytes(ctx));
  if (failure === null) ctx.reply.ok();
  else ctx.reply.error(failure);
}

// ------------------------------------------------------------------------------------- table

export const hyperloglogCommands: readonly CommandSpec[] = [
  {
    name: 'pfadd', arity: -2, flags: ['write', 'denyoom', 'fast'], acl: ['write', 'hyperloglog', 'fast'],
    keySpecs: [keyAt(1, 'RW', 'insert')],
    summary: 'Adds elements to a HyperLogLog, creating it when missing.',
    since: '2.8.9', group: 'hyperloglog', complexity: 'O(1) per element',
    arguments: [{ name: 'key', type: 'key' }, { name: 'element', type: 'string', optional: true, multiple: true }],
    handler: pfadd,
  },
  {
    name: 'pfcount', arity: -2, flags: ['readonly', 'may_replicate'], acl: ['read', 'hyperloglog', 'slow'],
    keySpecs: [{
      ...keysFrom(1, 1, ['RW', 'access']),
      notes: 'RW because it may change the internal representation of the key, and propagate to replicas',
    }],
    summary: 'Estimates the number of distinct elements of one HyperLogLog or of the union of several.',
    since: '2.8.9', group: 'hyperloglog', complexity: 'O(1) for one key (cached), O(N) for N keys',
    arguments: [{ name: 'key', type: 'key', multiple: true }],
    handler: pfcount,
  },
  {
    name: 'pfmerge', arity: -2, flags: ['write', 'denyoom'], acl: ['write', 'hyperloglog', 'slow'],
    keySpecs: [keyAt(1, 'RW', 'access', 'insert'), keysFrom(2, 1, ['RO', 'access'])],
    summary: 'Merges HyperLogLogs into a destination one (itself included).',
    since: '2.8.9', group: 'hyperloglog', complexity: 'O(N) in the number of HyperLogLogs',
    arguments: [{ name: 'destkey', type: 'key' }, { name: 'sourcekey', type: 'key', multiple: true }],
    handler: pfmerge,
  },
  {
    name: 'pfdebug', arity: 3, flags: ['write', 'denyoom', 'admin'], acl: ['write', 'hyperloglog', 'admin', 'slow', 'dangerous'],
    keySpecs: [keyAt(2, 'RW', 'access')],
    summary: 'Inspects a HyperLogLog: registers, opcodes, encoding, or converts it to dense.',
    since: '2.8.9', group: 'hyperloglog', complexity: 'N/A',
    arguments: [{ name: 'subcommand', type: 'string' }, { name: 'key', type: 'key' }],
    handler: pfdebug,
  },
  {
    name: 'pfselftest', arity: 1, flags: ['admin'], acl: ['hyperloglog', 'admin', 'slow', 'dangerous'],
    summary: 'Checks the HyperLogLog implementation (register access and estimate error).',
    since: '2.8.9', group: 'hyperloglog', complexity: 'N/A',
    handler: pfselftest,
  },
];
