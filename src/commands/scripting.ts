// EVAL, EVALSHA, EVAL_RO, EVALSHA_RO and SCRIPT: Lua scripts run by the node's scripting engine
// (src/scripting/), which these handlers reach through ctx.server.scripting.

import type { CommandContext } from './context.js';
import { isKeyword } from './errors.js';
import { replyHelp } from './help.js';
import { leadingNumber, type DebugSubcommand } from './debug.js';
import type { CommandSpec, KeySpec } from './types.js';

/** The keys of EVAL and FCALL: numkeys at argv[2], then that many keys. */
export function scriptKeys(flags: KeySpec['flags'], notes?: string): KeySpec {
  return {
    flags,
    begin: { type: 'index', index: 2 },
    find: { type: 'keynum', keyNumIndex: 0, firstKey: 1, keyStep: 1 },
    ...(notes === undefined ? {} : { notes }),
  };
}

export const RW_KEYS_NOTE = 'We cannot tell how the keys will be used so we assume the worst, RW and UPDATE';
export const RO_KEYS_NOTE = 'We cannot tell how the keys will be used so we assume the worst, RO and ACCESS';

function scriptFlush(ctx: CommandContext, argv: string[]): void {
  // Without a mode, lazyfree-lazy-user-flush would choose; both modes drop the cache at once here.
  if (argv.length > 3 || (argv.length === 3 && !isKeyword(argv[2], 'SYNC') && !isKeyword(argv[2], 'ASYNC'))) {
    ctx.reply.error('ERR SCRIPT FLUSH only support SYNC|ASYNC option');
    return;
  }
  ctx.server.scripting.scriptFlush();
  ctx.reply.ok();
}

function scriptExists(ctx: CommandContext, argv: string[]): void {
  const found = ctx.server.scripting.scriptExists(argv.slice(2));
  ctx.reply.arrayLength(found.length);
  for (const exists of found) ctx.reply.integer(exists ? 1 : 0);
}

function scriptKill(ctx: CommandContext): void {
  const refusal = ctx.server.scripting.kill(true);
  if (refusal === null) ctx.reply.ok();
  else ctx.reply.error(refusal);
}

/** SCRIPT DEBUG YES|SYNC|NO: how this client's next EVAL runs (scripting/debugger/). */
function scriptDebug(ctx: CommandContext, argv: string[]): void {
  // The session writes to the client directly: replies still waiting would come after it.
  if (ctx.client.reply.lengthBytes > 0) {
    ctx.reply.error('ERR SCRIPT DEBUG must be called outside a pipeline');
    return;
  }
  const mode = argv[2].toLowerCase();
  if (mode !== 'no' && mode !== 'yes' && mode !== 'sync') {
    ctx.reply.error('ERR Use SCRIPT DEBUG YES/SYNC/NO');
    return;
  }
  ctx.client.scriptDebugMode = mode;
  ctx.reply.ok();
}

const SCRIPT_HELP: readonly string[] = [
  'DEBUG (YES|SYNC|NO)',
  '    Set the debug mode for subsequent scripts executed.',
  'EXISTS <sha1> [<sha1> ...]',
  '    Return information about the existence of the scripts in the script cache.',
  'FLUSH [ASYNC|SYNC]',
  '    Flush the Lua scripts cache. Very dangerous on replicas.',
  '    When called without the optional mode argument, the behavior is determined by the',
  '    lazyfree-lazy-user-flush configuration directive. Valid modes are:',
  '    * ASYNC: Asynchronously flush the scripts cache.',
  '    * SYNC: Synchronously flush the scripts cache.',
  'KILL',
  '    Kill the currently executing Lua script.',
  'LOAD <script>',
  '    Load a script into the scripts cache without executing it.',
];

export const scriptingCommands: CommandSpec[] = [
  {
    name: 'eval', arity: -3, flags: ['noscript', 'skip_monitor', 'may_replicate', 'no_mandatory_keys', 'stale'], acl: ['slow', 'scripting'],
    keySpecs: [scriptKeys(['RW', 'access', 'update'], RW_KEYS_NOTE)],
    summary: 'Runs a Lua script on the server.', since: '2.6.0', group: 'scripting',
    handler: (ctx, argv) => ctx.server.scripting.eval(ctx, argv, false, false),
    runtimeFlags: (server, argv) => server.scripting.commandFlags(argv, 'eval'),
  },
  {
    name: 'evalsha', arity: -3, flags: ['noscript', 'skip_monitor', 'may_replicate', 'no_mandatory_keys', 'stale'], acl: ['slow', 'scripting'],
    keySpecs: [scriptKeys(['RW', 'access', 'update'])],
    summary: 'Runs a cached Lua script by its SHA1 digest.', since: '2.6.0', group: 'scripting',
    handler: (ctx, argv) => ctx.server.scripting.eval(ctx, argv, true, false),
    runtimeFlags: (server, argv) => server.scripting.commandFlags(argv, 'evalsha'),
  },
  {
    name: 'eval_ro', arity: -3, flags: ['readonly', 'noscript', 'stale', 'skip_monitor', 'no_mandatory_keys'], acl: ['slow', 'scripting'],
    keySpecs: [scriptKeys(['RO', 'access'], RO_KEYS_NOTE)],
    summary: 'Runs a read-only Lua script on the server.', since: '7.0.0', group: 'scripting',
    handler: (ctx, argv) => ctx.server.scripting.eval(ctx, argv, false, true),
    runtimeFlags: (server, argv) => server.scripting.commandFlags(argv, 'eval'),
  },
  {
    name: 'evalsha_ro', arity: -3, flags: ['readonly', 'noscript', 'stale', 'skip_monitor', 'no_mandatory_keys'], acl: ['slow', 'scripting'],
    keySpecs: [scriptKeys(['RO', 'access'])],
    summary: 'Runs a cached read-only Lua script by its SHA1 digest.', since: '7.0.0', group: 'scripting',
    handler: (ctx, argv) => ctx.server.scripting.eval(ctx, argv, true, true),
    runtimeFlags: (server, argv) => server.scripting.commandFlags(argv, 'evalsha'),
  },
  {
    name: 'script', arity: -2, flags: [], acl: ['slow'],
    summary: 'A container for Lua script cache commands.', since: '2.6.0', group: 'scripting',
    subcommands: [
      {
        name: 'flush', arity: -2, flags: ['noscript'], acl: ['slow', 'scripting'],
        summary: 'Removes every script from the script cache.', since: '2.6.0', group: 'scripting', handler: scriptFlush,
        tips: ['request_policy:all_nodes', 'response_policy:all_succeeded'],
      },
      {
        name: 'debug', arity: 3, flags: ['noscript'], acl: ['slow', 'scripting'],
        summary: 'Sets the debug mode of the scripts this client runs next.', since: '3.2.0', group: 'scripting', handler: scriptDebug,
      },
      {
        name: 'kill', arity: 2, flags: ['noscript', 'allow_busy'], acl: ['slow', 'scripting'],
        summary: 'Ends the running script when it has written nothing.', since: '2.6.0', group: 'scripting', handler: scriptKill,
        tips: ['request_policy:all_shards', 'response_policy:one_succeeded'],
      },
      {
        name: 'exists', arity: -3, flags: ['noscript'], acl: ['slow', 'scripting'],
        summary: 'Tells which SHA1 digests are in the script cache.', since: '2.6.0', group: 'scripting', handler: scriptExists,
        tips: ['request_policy:all_shards', 'response_policy:agg_logical_and'],
      },
      {
        name: 'help', arity: 2, flags: ['loading', 'stale'], acl: ['slow', 'scripting'],
        summary: 'Lists the SCRIPT subcommands.', since: '5.0.0', group: 'scripting',
        handler: (ctx) => replyHelp(ctx, 'script', SCRIPT_HELP),
      },
      {
        name: 'load', arity: 3, flags: ['noscript', 'stale'], acl: ['slow', 'scripting'],
        summary: 'Compiles a script into the script cache without running it.', since: '2.6.0', group: 'scripting',
        handler: (ctx, argv) => ctx.server.scripting.scriptLoad(ctx, argv[2]),
        tips: ['request_policy:all_nodes', 'response_policy:all_succeeded'],
      },
    ],
  },
];

export const scriptingDebugSubcommands: readonly DebugSubcommand[] = [
  {
    name: 'SET-DISABLE-DENY-SCRIPTS', minArgs: 3, maxArgs: 3,
    help: ['SET-DISABLE-DENY-SCRIPTS <0|1>', '    Lets scripts call commands that are not allowed from scripts (1), or not (0).'],
    run: (ctx, argv) => {
      ctx.server.scripting.setDisableDenyScripts(leadingNumber(argv[2], true) !== 0);
      ctx.reply.ok();
    },
  },
];
