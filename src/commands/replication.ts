// The primary side's commands of replication (SYNC, PSYNC, REPLCONF, WAIT) and ROLE; their
// logic is src/replication/.

import { timeoutArg } from './blocking.js';
import type { DebugSubcommand } from './debug.js';
import type { CommandContext } from './context.js';
import { intArg } from './errors.js';
import type { CommandSpec } from './types.js';

function sync(ctx: CommandContext, argv: string[]): void {
  ctx.server.replication.primary.sync(ctx, argv);
}

function replconf(ctx: CommandContext, argv: string[]): void {
  ctx.server.replication.primary.replconf(ctx, argv);
}

function wait(ctx: CommandContext, argv: string[]): void {
  const primary = ctx.server.replication.primary;
  const refusal = primary.waitRefusal;
  if (refusal !== null) {
    ctx.reply.error(refusal);
    return;
  }
  const numReplicas = intArg(ctx.reply, argv[1]);
  if (numReplicas === null) return;
  const deadlineMs = timeoutArg(ctx, argv[2], 'milliseconds');
  if (deadlineMs === null) return;
  primary.wait(ctx, Number(numReplicas), deadlineMs);
}

function role(ctx: CommandContext): void {
  ctx.server.replication.roleReply(ctx.reply);
}

const INTERNAL_FLAGS = ['admin', 'noscript', 'no_async_loading', 'no_multi'] as const;
const INTERNAL_ACL = ['admin', 'slow', 'dangerous'];

export const replicationCommands: readonly CommandSpec[] = [
  {
    name: 'sync', arity: 1, flags: INTERNAL_FLAGS, acl: INTERNAL_ACL,
    summary: 'Asks for a full copy of the dataset and the write stream after it (a replica\'s old protocol).', since: '1.0.0', group: 'server', handler: sync,
  },
  {
    name: 'psync', arity: -3, flags: INTERNAL_FLAGS, acl: INTERNAL_ACL,
    summary: 'Asks to continue the write stream from an offset, or for a full copy when that cannot be done.', since: '2.8.0', group: 'server', handler: sync,
    arguments: [{ name: 'replicationid', type: 'string' }, { name: 'offset', type: 'integer' }],
  },
  {
    name: 'replconf', arity: -1, flags: ['admin', 'noscript', 'loading', 'stale', 'allow_busy'], acl: INTERNAL_ACL,
    summary: 'Tells the primary about a replica (port, address, capabilities) and acknowledges the stream.', since: '3.0.0', group: 'server', complexity: 'O(1)', handler: replconf,
  },
  {
    name: 'wait', arity: 3, flags: ['noscript'], acl: ['slow', 'connection'], tips: ['request_policy:all_shards', 'response_policy:agg_min'],
    summary: 'Blocks until this connection\'s writes reached a number of replicas, or until a timeout.', since: '3.0.0', group: 'generic', complexity: 'O(1)', handler: wait,
    arguments: [{ name: 'numreplicas', type: 'integer' }, { name: 'timeout', type: 'integer' }],
  },
  {
    name: 'role', arity: 1, flags: ['noscript', 'loading', 'stale', 'fast'], acl: ['admin', 'fast', 'dangerous'],
    summary: 'Reports whether this node is a primary or a replica, with its offsets and links.', since: '2.8.12', group: 'server', complexity: 'O(1)', handler: role,
  },
];
