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

function loadAofDone(ctx: CommandContext): void {
  // What the load ran is not a change to save or propagate again.
  ctx.server.dirty = 0;
  ctx.reply.ok();
}

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
      const admin = ctx.server.admin;
      const outcome = ctx.server.aof.debugLoadAof(admin.canContinueLater(ctx));
      if (outcome === 'loaded') {
        loadAofDone(ctx);
        return;
      }
      if (typeof outcome === 'string') {
        ctx.reply.error(outcome);
        return;
      }
      const finish = admin.continueLater(ctx);
      outcome.then((loaded) => {
        // Stopped by a shutdown: the process is exiting, as Redis exits from inside the load.
        if (!loaded) return;
        loadAofDone(ctx);
        finish(false);
      }, (err: unknown) => {
        // A fault of ours after the handler returned: no call() is around to contain it.
        admin.logWarning(`Internal error running 'debug|loadaof': ${(err as Error).stack ?? String(err)}`);
        ctx.reply.error("ERR internal error running 'debug|loadaof'");
        finish(true);
      });
    },
  },
];
