// FUNCTION and FCALL: function libraries. LIST and FLUSH act on the registry kept with the
// dataset; loading, restoring and calling go through the scripting engine (src/scripting/).

import type { CommandContext } from './context.js';
import { skipsChecksumValidation } from './dump.js';
import { isKeyword } from './errors.js';
import { replyHelp, replySubcommandSyntaxError } from './help.js';
import { RO_KEYS_NOTE, RW_KEYS_NOTE, scriptKeys } from './scripting.js';
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
      for (const flag of fn.flags) r.simple(flag);
    }
    if (withCode) {
      r.bulk('library_code');
      r.bulk(lib.code);
    }
  }
}


function functionRestore(ctx: CommandContext, argv: string[]): void {
  if (argv.length > 4) {
    replySubcommandSyntaxError(ctx, argv);
    return;
  }
  let policy: 'APPEND' | 'REPLACE' | 'FLUSH' = 'APPEND';
  if (argv.length === 4) {
    const given = argv[3].toUpperCase();
    if (given !== 'APPEND' && given !== 'REPLACE' && given !== 'FLUSH') {
      ctx.reply.error('ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.');
      return;
    }
    policy = given;
  }
  ctx.server.scripting.functions.restore(ctx, argv[2], policy, skipsChecksumValidation(ctx.server));
}

function functionKill(ctx: CommandContext): void {
  const refusal = ctx.server.scripting.kill(false);
  if (refusal === null) ctx.reply.ok();
  else ctx.reply.error(refusal);
}

const FUNCTION_HELP: readonly string[] = [
  'LOAD [REPLACE] <FUNCTION CODE>',
  '    Create a new library with the given library name and code.',
  'DELETE <LIBRARY NAME>',
  '    Delete the given library.',
  'LIST [LIBRARYNAME PATTERN] [WITHCODE]',
  '    Return general information on all the libraries:',
  '    * Library name',
  '    * The engine used to run the Library',
  '    * Library description',
  '    * Functions list',
  '    * Library code (if WITHCODE is given)',
  '    It also possible to get only function that matches a pattern using LIBRARYNAME argument.',
  'STATS',
  '    Return information about the current function running:',
  '    * Function name',
  '    * Command used to run the function',
  '    * Duration in MS that the function is running',
  '    If no function is running, return nil',
  '    In addition, returns a list of available engines.',
  'KILL',
  '    Kill the current running function.',
  'FLUSH [ASYNC|SYNC]',
  '    Delete all the libraries.',
  '    When called without the optional mode argument, the behavior is determined by the',
  '    lazyfree-lazy-user-flush configuration directive. Valid modes are:',
  '    * ASYNC: Asynchronously flush the libraries.',
  '    * SYNC: Synchronously flush the libraries.',
  'DUMP',
  '    Return a serialized payload representing the current libraries, can be restored using FUNCTION RESTORE command',
  'RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]',
  '    Restore the libraries represented by the given payload, it is possible to give a restore policy to',
  '    control how to handle existing libraries (default APPEND):',
  '    * FLUSH: delete all existing libraries.',
  '    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.',
  '    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old',
  '      libraries with the new libraries (notice that even on this option there is a chance of failure',
  '      in case of functions name collision with another library).',
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
      {
        name: 'load', arity: -3, flags: ['write', 'denyoom', 'noscript'], acl: ['write', 'slow', 'scripting'],
        summary: 'Creates a library from its code.', since: '7.0.0', group: 'scripting',
        handler: (ctx, argv) => ctx.server.scripting.functions.load(ctx, argv),
        tips: ['request_policy:all_shards', 'response_policy:all_succeeded'],
      },
      {
        name: 'delete', arity: 3, flags: ['write', 'noscript'], acl: ['write', 'slow', 'scripting'],
        summary: 'Deletes a library and its functions.', since: '7.0.0', group: 'scripting',
        handler: (ctx, argv) => ctx.server.scripting.functions.delete(ctx, argv[2]),
        tips: ['request_policy:all_shards', 'response_policy:all_succeeded'],
      },
      {
        name: 'dump', arity: 2, flags: ['noscript'], acl: ['slow', 'scripting'],
        summary: 'Serializes every library into a payload for FUNCTION RESTORE.', since: '7.0.0', group: 'scripting',
        handler: (ctx) => ctx.server.scripting.functions.dump(ctx),
      },
      {
        name: 'restore', arity: -3, flags: ['write', 'denyoom', 'noscript'], acl: ['write', 'slow', 'scripting'],
        summary: 'Restores libraries from a FUNCTION DUMP payload.', since: '7.0.0', group: 'scripting',
        handler: functionRestore,
        tips: ['request_policy:all_shards', 'response_policy:all_succeeded'],
      },
      {
        name: 'stats', arity: 2, flags: ['noscript', 'allow_busy'], acl: ['slow', 'scripting'],
        summary: 'Shows the running function and the libraries per engine.', since: '7.0.0', group: 'scripting',
        handler: (ctx) => ctx.server.scripting.functions.stats(ctx),
        tips: ['nondeterministic_output', 'request_policy:all_shards', 'response_policy:special'],
      },
      {
        name: 'kill', arity: 2, flags: ['noscript', 'allow_busy'], acl: ['slow', 'scripting'],
        summary: 'Ends the running function when it has written nothing.', since: '7.0.0', group: 'scripting',
        handler: functionKill,
        tips: ['request_policy:all_shards', 'response_policy:one_succeeded'],
      },
    ],
  },
  {
    name: 'fcall', arity: -3, flags: ['noscript', 'skip_monitor', 'may_replicate', 'no_mandatory_keys', 'stale'], acl: ['slow', 'scripting'],
    keySpecs: [scriptKeys(['RW', 'access', 'update'], RW_KEYS_NOTE)],
    summary: 'Runs a function.', since: '7.0.0', group: 'scripting',
    handler: (ctx, argv) => ctx.server.scripting.functions.fcall(ctx, argv, false),
    runtimeFlags: (server, argv) => server.scripting.commandFlags(argv, 'fcall'),
  },
  {
    name: 'fcall_ro', arity: -3, flags: ['readonly', 'noscript', 'stale', 'skip_monitor', 'no_mandatory_keys'], acl: ['slow', 'scripting'],
    keySpecs: [scriptKeys(['RO', 'access'], RO_KEYS_NOTE)],
    summary: 'Runs a read-only function.', since: '7.0.0', group: 'scripting',
    handler: (ctx, argv) => ctx.server.scripting.functions.fcall(ctx, argv, true),
    runtimeFlags: (server, argv) => server.scripting.commandFlags(argv, 'fcall'),
  },
];
