// DEBUG CLUSTERLINK KILL <to|from|all> <node-id>: drops links to or from a node (Redis's tests
// use it to lose a message on purpose; the cron reconnects).

import type { DebugSubcommand } from './debug.js';
import { ERR_NOT_INTEGER } from './errors.js';
import { replySubcommandSyntaxError } from './help.js';
import { parseInt64 } from '../util/numbers.js';

export const clusterDebugSubcommands: readonly DebugSubcommand[] = [
  {
    name: 'DROP-CLUSTER-PACKET-FILTER', minArgs: 3, maxArgs: 3,
    help: ['DROP-CLUSTER-PACKET-FILTER <packet-type>', '    Drop all packets that match the filtered type. Set to -1 allow all packets.'],
    run(ctx, argv) {
      const type = parseInt64(argv[2] as string);
      if (type === null || typeof type === 'bigint') {
        ctx.reply.error(ERR_NOT_INTEGER);
        return;
      }
      // A server setting in Redis: accepted (and without effect) when cluster mode is off.
      ctx.server.cluster?.setDropPacketFilter(type);
      ctx.reply.ok();
    },
  },
  {
    name: 'CLUSTERLINK', minArgs: 5, maxArgs: 5,
    help: ['CLUSTERLINK KILL <to|from|all> <node-id>', '    Kills the link based on the direction to/from (both) with the provided node.'],
    run(ctx, argv) {
      if ((argv[2] as string).toUpperCase() !== 'KILL') {
        replySubcommandSyntaxError(ctx, argv);
        return;
      }
      const cluster = ctx.server.cluster;
      if (cluster === null) {
        ctx.reply.error('ERR Debug option only available for cluster mode enabled setup!');
        return;
      }
      const direction = (argv[3] as string).toLowerCase();
      if (direction !== 'to' && direction !== 'from' && direction !== 'all') {
        ctx.reply.error(`ERR Unknown direction ${argv[3] as string}`);
        return;
      }
      const refusal = cluster.killLinks(argv[4] as string, direction);
      if (refusal !== null) ctx.reply.error(refusal);
      else ctx.reply.ok();
    },
  },
];
