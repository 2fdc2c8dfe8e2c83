// Transactions: MULTI, EXEC, DISCARD, WATCH, UNWATCH (multi.c). Queueing happens in the
// dispatcher (a rejected command there marks the transaction dirty); EXEC runs each queued
// command through the dispatcher's call(), inside the one propagation unit the dispatcher
// opened for EXEC, so the whole transaction reaches replicas/AOF as one MULTI/EXEC block.

import type { CommandContext } from './context.js';
import type { CommandSpec } from './types.js';

const ERR_EXECABORT = 'EXECABORT Transaction discarded because of previous errors.';

function multi(ctx: CommandContext): void {
  if (ctx.client.inMulti) {
    ctx.reply.error('ERR MULTI calls can not be nested');
    return;
  }
  ctx.client.inMulti = true;
  ctx.reply.ok();
}

function discard(ctx: CommandContext): void {
  if (!ctx.client.inMulti) {
    ctx.reply.error('ERR DISCARD without MULTI');
    return;
  }
  ctx.discardTransaction();
  ctx.reply.ok();
}

function exec(ctx: CommandContext): void {
  const client = ctx.client;
  if (!client.inMulti) {
    ctx.reply.error('ERR EXEC without MULTI');
    return;
  }
  // A watched key that reached its deadline counts as changed even if nobody removed it yet.
  if (!client.watchDirty && ctx.server.watches.watchedKeyExpired(client)) client.watchDirty = true;
  if (client.multiDirty || client.watchDirty) {
    // Queue-time errors win over a touched WATCH: the client must learn its commands were bad.
    if (client.multiDirty) ctx.reply.error(ERR_EXECABORT);
    else ctx.reply.nullArray();
    ctx.discardTransaction();
    return;
  }
  // Nothing can make this EXEC fail any more: drop the watches before running (Redis does).
  ctx.server.watches.unwatchAll(client);
  const queue = client.takeMultiQueue();
  ctx.reply.arrayLength(queue.length);
  // inMulti stays set while the queue runs: commands use it as Redis's CLIENT_DENY_BLOCKING,
  // so blocking commands answer at once and SSUBSCRIBE is refused.
  const acl = ctx.server.acl;
  for (let i = 0; i < queue.length; i++) {
    const { command, argv } = queue[i];
    // Permissions may have changed since the command was queued.
    const refusal = client.user.fullAccess ? null : acl.execRefusal(client, command, argv);
    if (refusal === null) ctx.call(command, argv);
    else ctx.reply.error(refusal);
  }
  ctx.discardTransaction();
}

function watch(ctx: CommandContext, argv: string[]): void {
  const client = ctx.client;
  if (client.inMulti) {
    ctx.reply.error('ERR WATCH inside MULTI is not allowed');
    return;
  }
  // Already doomed: more watches cannot change the outcome.
  if (!client.watchDirty) {
    for (let i = 1; i < argv.length; i++) ctx.server.watches.watchKey(client, ctx.db, argv[i]);
  }
  ctx.reply.ok();
}

function unwatch(ctx: CommandContext): void {
  ctx.server.watches.unwatchAll(ctx.client);
  ctx.reply.ok();
}

const TRANSACTION_FLAGS = ['noscript', 'loading', 'stale', 'fast', 'allow_busy'] as const;

export const transactionCommands: CommandSpec[] = [
  {
    name: 'multi', arity: 1, flags: TRANSACTION_FLAGS, acl: ['fast', 'transaction'],
    summary: 'Opens a transaction: following commands are queued until EXEC or DISCARD.', since: '1.2.0', group: 'transactions',
    complexity: 'O(1)', handler: multi,
  },
  {
    name: 'exec', arity: 1, flags: ['noscript', 'loading', 'stale', 'skip_slowlog'], acl: ['slow', 'transaction'],
    summary: 'Runs every queued command of the transaction, unless a watched key changed.', since: '1.2.0', group: 'transactions',
    complexity: 'The sum of the costs of the queued commands', handler: exec,
  },
  {
    name: 'discard', arity: 1, flags: TRANSACTION_FLAGS, acl: ['fast', 'transaction'],
    summary: 'Abandons the transaction and its queued commands, and forgets every watched key.', since: '2.0.0', group: 'transactions',
    complexity: 'O(N), N = queued commands', handler: discard,
  },
  {
    name: 'watch', arity: -2, flags: TRANSACTION_FLAGS, acl: ['fast', 'transaction'],
    keySpecs: [{ flags: ['RO'], begin: { type: 'index', index: 1 }, find: { type: 'range', lastKey: -1, keyStep: 1, limit: 0 } }],
    summary: 'Makes the next EXEC fail if any of the given keys changes before it.', since: '2.2.0', group: 'transactions',
    complexity: 'O(1) per key',
    arguments: [{ name: 'key', type: 'key', multiple: true }],
    handler: watch,
  },
  {
    name: 'unwatch', arity: 1, flags: TRANSACTION_FLAGS, acl: ['fast', 'transaction'],
    summary: 'Forgets every key watched by the connection.', since: '2.2.0', group: 'transactions',
    complexity: 'O(1)', handler: unwatch,
  },
];
