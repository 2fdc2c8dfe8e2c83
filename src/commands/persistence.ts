// SAVE and BGSAVE: the RDB file written now, or in the background (src/persistence/).

import type { CommandContext } from './context.js';
import { ERR_SYNTAX, isKeyword } from './errors.js';
import type { CommandSpec } from './types.js';

function save(ctx: CommandContext): void {
  const error = ctx.server.persistence.save();
  if (error === null) ctx.reply.ok();
  else ctx.reply.error(error);
}

function bgsave(ctx: CommandContext, argv: string[]): void {
  let schedule = false;
  if (argv.length > 1) {
    if (argv.length !== 2 || !isKeyword(argv[1], 'SCHEDULE')) {
      ctx.reply.error(ERR_SYNTAX);
      return;
    }
    schedule = true;
  }
  const outcome = ctx.server.persistence.bgsave(schedule, ctx.client.inMulti);
  if ('status' in outcome) ctx.reply.simple(outcome.status);
  else ctx.reply.error(outcome.error);
}

export const persistenceCommands: readonly CommandSpec[] = [
  {
    name: 'save', arity: 1, flags: ['no_async_loading', 'admin', 'noscript', 'no_multi'], acl: ['admin', 'slow', 'dangerous'],
    summary: 'Writes the dataset to the RDB file now, blocking the server.', since: '1.0.0', group: 'server', handler: save,
  },
  {
    name: 'bgsave', arity: -1, flags: ['no_async_loading', 'admin', 'noscript'], acl: ['admin', 'slow', 'dangerous'],
    summary: 'Writes the dataset to the RDB file while the server keeps serving.', since: '1.0.0', group: 'server', handler: bgsave,
  },
];
