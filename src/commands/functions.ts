// FUNCTION: the parts that act on the library registry without running code (FLUSH, LIST,
// HELP). Loading and calling functions need the scripting engine, a later capability; until it
// lands those subcommands are not registered, so they get Redis's unknown-subcommand error.

import type { CommandContext } from './context.js';
import { isKeyword } from './errors.js';
import { replyHelp, replySubcommandSyntaxError } from './help.js';
import type { CommandSpec } from './types.js';
import { globMatch } from '../util/glob.js';

function functionFlush(ctx: CommandContext, argv: string[]): void {
  if (argv.length > 3) {
    replySubcommandSyntaxError(ctx, argv);
    return;
  }
  if (argv.length === 3 && !isKeyword(argv[2], 'SYNC') && !isKeyword(argv[2], 'ASYNC')) {
    ctx.reply.error('ERR FUNCTION FLUSH only supports SYNC|ASYNC option');
    return;
  }
  ctx.server.keyspace.functions.clear();
  ctx.markDirty();
  ctx.reply.ok();
}

function functionList(ctx: CommandContext, argv: string[]): void {
  let withCode = false;
  let pattern: string | null = null;
  for (let i = 2; i < argv.length; i++) {
    if (!withCode && isKeyword(argv[i], 'WITHCODE')) {
      withCode = true;
      continue;
    }
    if (pattern === null && isKeyword(argv[i], 'LIBRARYNAME')) {
      if (i >= argv.length - 1) {
        ctx.reply.error('ERR library name argument was not given');
        return;
      }
      pattern = argv[++i];
      continue;
    }
    ctx.reply.error(`ERR Unknown argument ${argv[i]}`);
    return;
  }
  const libraries = [...ctx.server.keyspace.functions.libraries.values()]
    .filter((lib) => pattern === null || globMatch(pattern, lib.name, true));
  const r = ctx.reply;
  r.arrayLength(libraries.length);
  for (const lib of libraries) {
    r.mapLength(withCode ? 4 : 3);
    r.bulk('library_name');
    r.bulk(lib.name);
    r.bulk('engine');
    r.bulk(lib.engine);
    r.bulk('functions');
    r.arrayLength(lib.functions.size);
    for (const fn of lib.functions.values()) {
      r.mapLength(3);
      r.bulk('name');
      r.bulk(fn.name);
      r.bulk('description');
      if (fn.description === null) r.nullBulk();
      else r.bulk(fn.description);
      r.bulk('flags');
      r.setLength(fn.flags.length);
      for (const flag of fn.flags) r.bulk(flag);
    }
    if (withCode) {
      r.bulk('library_code');
      r.bulk(lib.code);
    }
  }
}

const FUNCTION_HELP: readonly string[] = [
  'LIST [LIBRARYNAME PATTERN] [WITHCODE]',
  '    Describes every library: name, engine, functions, and optionally its code.',
  'FLUSH [ASYNC|SYNC]',
  '    Deletes all the libraries.',
];

export const functionCommands: CommandSpec[] = [
  {
    name: 'function', arity: -2, flags: [], acl: ['slow'],
    summary: 'A container for function library commands.', since: '7.0.0', group: 'scripting',
    subcommands: [
      {
        name: 'flush', arity: -2, flags: ['write', 'noscript'], acl: ['write', 'slow', 'scripting'],
        summary: 'Deletes all function libraries.', since: '7.0.0', group: 'scripting', handler: functionFlush,
        tips: ['request_policy:all_shards', 'response_policy:all_succeeded'],
      },
      {
        name: 'list', arity: -2, flags: ['noscript'], acl: ['slow', 'scripting'],
        summary: 'Describes the loaded function libraries.', since: '7.0.0', group: 'scripting', handler: functionList,
        tips: ['nondeterministic_output_order'],
      },
      {
        name: 'help', arity: 2, flags: ['loading', 'stale'], acl: ['slow', 'scripting'],
        summary: 'Lists the FUNCTION subcommands.', since: '7.0.0', group: 'scripting',
        handler: (ctx) => replyHelp(ctx, 'function', FUNCTION_HELP),
      },
    ],
  },
];
