// REPLICAOF / SLAVEOF host port | NO ONE (Redis's replicaofCommand): the node follows a primary,
// or stops following one; FAILOVER hands a primary's role to one of its replicas. The link itself
// is the replica side's (src/replication/replica/), the failover src/replication/failover.ts.

import { parseInt64 } from '../util/numbers.js';
import type { CommandContext } from './context.js';
import { isKeyword } from './errors.js';
import type { ArgumentDoc, CommandSpec } from './types.js';
import type { DebugSubcommand } from './debug.js';

function replicaof(ctx: CommandContext, argv: string[]): void {
  const replication = ctx.server.replication;
  // A cluster node replicates whom the cluster says (CLUSTER REPLICATE, failovers).
  if (ctx.server.cluster !== null) {
    ctx.reply.error('ERR REPLICAOF not allowed in cluster mode.');
    return;
  }
  if (replication.failoverState !== 'no-failover') {
    ctx.reply.error('ERR REPLICAOF not allowed while failing over.');
    return;
  }
  if (isKeyword(argv[1], 'NO') && isKeyword(argv[2], 'ONE')) {
    replication.replicaOfNoOne(ctx.client.infoLine(argv));
    ctx.reply.ok();
    return;
  }
  // Following another primary flushes every replica, this client among them.
  if (ctx.client.isReplica) {
    ctx.reply.error('ERR Command is not valid when client is a replica.');
    return;
  }
  const port = parseInt64(argv[2]);
  if (port === null || port < 0 || port > 65535) {
    ctx.reply.error('ERR Invalid master port');
    return;
  }
  if (replication.replicaOf(argv[1], Number(port), ctx.client.infoLine(argv)) === 'already') {
    ctx.reply.simple('OK Already connected to specified master');
    return;
  }
  ctx.reply.ok();
}

/** FAILOVER [TO host port [FORCE]] [ABORT] [TIMEOUT ms]: hands the primary's role to a replica. */
function failover(ctx: CommandContext, argv: string[]): void {
  const error = ctx.server.replication.failoverCommand(argv);
  if (error !== null) ctx.reply.error(error);
  else ctx.reply.ok();
}

const ARGUMENTS: readonly ArgumentDoc[] = [
  {
    name: 'args', type: 'oneof', arguments: [
      { name: 'host-port', type: 'block', arguments: [{ name: 'host', type: 'string' }, { name: 'port', type: 'integer' }] },
      { name: 'no-one', type: 'block', arguments: [{ name: 'no', type: 'pure-token', token: 'NO' }, { name: 'one', type: 'pure-token', token: 'ONE' }] },
    ],
  },
];

export const replicaofCommands: readonly CommandSpec[] = [
  {
    name: 'replicaof', arity: 3, flags: ['no_async_loading', 'admin', 'noscript', 'stale'], acl: ['admin', 'slow', 'dangerous'],
    summary: 'Follows another server as its replica, or stops following one (NO ONE).', since: '5.0.0', group: 'server',
    complexity: 'O(1)', arguments: ARGUMENTS, handler: replicaof,
  },
  {
    name: 'slaveof', arity: 3, flags: ['no_async_loading', 'admin', 'noscript', 'stale'], acl: ['admin', 'slow', 'dangerous'],
    summary: 'The old name of REPLICAOF (deprecated since 5.0.0).', since: '1.0.0', group: 'server',
    complexity: 'O(1)', arguments: ARGUMENTS, handler: replicaof,
  },
  {
    name: 'failover', arity: -1, flags: ['admin', 'noscript', 'stale'], acl: ['admin', 'slow', 'dangerous'],
    summary: 'Hands this primary\'s role to one of its replicas once it caught up, without losing writes.', since: '6.2.0', group: 'server',
    complexity: 'O(1)', handler: failover,
    arguments: [
      {
        name: 'target', type: 'block', token: 'TO', optional: true, arguments: [
          { name: 'host', type: 'string' },
          { name: 'port', type: 'integer' },
          { name: 'force', type: 'pure-token', token: 'FORCE', optional: true },
        ],
      },
      { name: 'abort', type: 'pure-token', token: 'ABORT', optional: true },
      { name: 'milliseconds', type: 'integer', token: 'TIMEOUT', optional: true },
    ],
  },
];

/** DEBUG REPLICATE: feeds a command to the replicas without running it (tests of their errors). */
export const replicationDebugSubcommands: readonly DebugSubcommand[] = [
  {
    name: 'REPLICATE', minArgs: 3, maxArgs: Number.POSITIVE_INFINITY,
    help: ['REPLICATE <command> [<arg> ...]', '    Puts the command into the replication stream without running it here.'],
    run(ctx, argv) {
      ctx.server.replication.debugReplicate(argv.slice(2));
      ctx.reply.ok();
    },
  },
];
