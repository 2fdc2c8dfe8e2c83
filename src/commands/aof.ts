// The append-only file's commands: BGREWRITEAOF, and DEBUG LOADAOF / AOF-FLUSH-SLEEP (used by
// Redis's tests). The work is the AOF service's (ctx.server.aof, src/persistence/aof/).

import type { CommandContext } from './context.js';
import { leadingNumber, type DebugSubcommand } from './debug.js';
import type { CommandSpec } from './types.js';

function bgrewriteaof(ctx: CommandContext): void {
  const outcome = ctx.server.aof.bgrewriteaof();
  if ('status' in outcome) ctx.reply.simple(outcome.status);
  else ctx.reply.error(outcome.error);
}

export const aofCommands: readonly CommandSpec[] = [
  {
    name: 'bgrewriteaof', arity: 1, flags: ['admin', 'noscript', 'no_async_loading'], acl: ['admin', 'slow', 'dangerous'],
    summary: 'Asynchronously rewrites the append-only file to disk.', since: '1.0.0', group: 'server', handler: bgrewriteaof,
  },
];

export const aofDebugSubcommands: readonly DebugSubcommand[] = [
  {
    name: 'AOF-FLUSH-SLEEP', minArgs: 3, maxArgs: 3,
    help: ['AOF-FLUSH-SLEEP <microsec>', '    Server will sleep before flushing the AOF, this is used for testing.'],
    run: (ctx, argv) => {
      ctx.server.aof.setFlushSleep(leadingNumber(argv[2], true));
      ctx.reply.ok();
    },
  },
  {
    name: 'LOADAOF', minArgs: 2, maxArgs: Number.MAX_SAFE_INTEGER,
    help: ['LOADAOF', '    Flush the AOF buffers on disk and reload the AOF in memory.'],
    run: (ctx) => {
      ctx.server.aof.debugLoadAof();
      // What the load ran is not a change to save or propagate again.
      ctx.server.dirty = 0;
      ctx.reply.ok();
    },
  },
];
