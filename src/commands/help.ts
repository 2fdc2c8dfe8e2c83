// The replies every container command (CLIENT, CONFIG, OBJECT, PUBSUB, ...) shares: the HELP
// listing and the "unknown subcommand" error (networking.c addReplyHelp and
// addReplySubcommandSyntaxError), kept in one place so their bytes cannot drift apart.

import type { CommandContext } from './context.js';
import { cStringPrefix } from '../util/repr.js';

/**
 * Redis's addReplyHelp: a header naming the command (upper-cased, as typed), the given lines,
 * then HELP's own entry, each as a simple string.
 */
export function replyHelp(ctx: CommandContext, commandName: string, lines: readonly string[]): void {
  const r = ctx.reply;
  r.arrayLength(lines.length + 3);
  r.simple(`${commandName.toUpperCase()} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:`);
  for (const line of lines) r.simple(line);
  r.simple('HELP');
  r.simple('    Prints this help.');
}

/**
 * Redis's addReplySubcommandSyntaxError, for a subcommand that is unknown or has an argument
 * count the arity check let through.
 */
export function replySubcommandSyntaxError(ctx: CommandContext, argv: readonly string[]): void {
  ctx.reply.error(`ERR unknown subcommand or wrong number of arguments for '${cStringPrefix(argv[1], 128)}'. Try ${argv[0].toUpperCase()} HELP.`);
}
