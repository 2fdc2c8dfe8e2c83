// The ACL command family (Redis 7.0's ACL container): SETUSER, GETUSER, DELUSER, LIST, USERS,
// WHOAMI, CAT, GENPASS, LOG, DRYRUN, SAVE, LOAD, HELP, answered from ctx.server.acl.

import { randomBytes } from 'node:crypto';
import { ACL_CATEGORIES } from './acl-categories.js';
import type { AclSelectorInfo, CommandContext } from './context.js';
import { ERR_NOT_INTEGER } from './errors.js';
import { replyHelp, replySubcommandSyntaxError } from './help.js';
import type { CommandFlag, CommandHandler, CommandSpec } from './types.js';
import { parseInt64 } from '../util/numbers.js';
import type { ReplyWriter } from '../protocol/writer.js';

const GENPASS_MAX_BITS = 4096;
const DEFAULT_LOG_COUNT = 10;

const HELP = [
  'CAT [<category>]',
  '    Lists the ACL categories, or the commands and subcommands of one category.',
  'DELUSER <username> [<username> ...]',
  '    Deletes users and closes their connections.',
  'DRYRUN <username> <command> [<arg> ...]',
  '    Tells whether the user may run the command line, without running it.',
  'GETUSER <username>',
  "    Describes a user's flags, password hashes and permissions.",
  'GENPASS [<bits>]',
  '    Replies with a random password of 256 bits, or of the given number of bits.',
  'LIST',
  '    Lists the users as rules, in the ACL file format.',
  'LOAD',
  '    Replaces the users with those of the ACL file.',
  'LOG [<count> | RESET]',
  '    Lists recent permission denials and failed authentications, or empties the log.',
  'SAVE',
  '    Writes the users to the ACL file.',
  'SETUSER <username> <attribute> [<attribute> ...]',
  '    Creates a user or changes its rules.',
  'USERS',
  '    Lists the user names.',
  'WHOAMI',
  "    Replies with the connection's user name.",
];

const NO_ACL_FILE = 'ERR This Redis instance is not configured to use an ACL file. You may want to specify users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis configuration file set) in order to store users in the Redis configuration.';

/** A long argument as getLongFromObjectOrReply reads it; null after replying the error. */
function longArg(ctx: CommandContext, text: string): number | null {
  const parsed = parseInt64(text);
  if (parsed === null) {
    ctx.reply.error(ERR_NOT_INTEGER);
    return null;
  }
  return typeof parsed === 'bigint' ? (parsed > 0n ? Number.MAX_SAFE_INTEGER : Number.MIN_SAFE_INTEGER) : parsed;
}

function setuser(ctx: CommandContext, argv: string[]): void {
  // Rules may hold passwords: none of them reaches SLOWLOG or MONITOR.
  for (let j = 2; j < argv.length; j++) ctx.redactArgument(j);
  const error = ctx.server.acl.setUser(argv[2], argv.slice(3));
  if (error === null) ctx.reply.ok();
  else ctx.reply.error('ERR ' + error);
}

function deluser(ctx: CommandContext, argv: string[]): void {
  const names = argv.slice(2);
  if (names.includes('default')) {
    ctx.reply.error("ERR The 'default' user cannot be removed");
    return;
  }
  ctx.reply.integer(ctx.server.acl.deleteUsers(names, ctx.client));
}

function replySelector(r: ReplyWriter, s: AclSelectorInfo): void {
  r.bulk('commands');
  r.bulk(s.commands);
  r.bulk('keys');
  r.bulk(s.keys);
  r.bulk('channels');
  r.bulk(s.channels);
}

function getuser(ctx: CommandContext, argv: string[]): void {
  const info = ctx.server.acl.userInfo(argv[2]);
  const r = ctx.reply;
  if (info === null) {
    r.nullBulk();
    return;
  }
  r.mapLength(6);
  r.bulk('flags');
  r.setLength(info.flags.length);
  for (const f of info.flags) r.bulk(f);
  r.bulk('passwords');
  r.bulkArray(info.passwords);
  replySelector(r, info.root);
  r.bulk('selectors');
  r.arrayLength(info.selectors.length);
  for (const s of info.selectors) {
    r.mapLength(3);
    replySelector(r, s);
  }
}

function list(ctx: CommandContext): void {
  ctx.reply.bulkArray(ctx.server.acl.listLines());
}

function users(ctx: CommandContext): void {
  ctx.reply.bulkArray(ctx.server.acl.userNames());
}

function whoami(ctx: CommandContext): void {
  ctx.reply.bulk(ctx.client.user.name);
}

function load(ctx: CommandContext): void {
  const acl = ctx.server.acl;
  if (acl.aclFile === '') {
    ctx.reply.error(NO_ACL_FILE);
    return;
  }
  const error = acl.load(ctx.client);
  if (error === null) ctx.reply.ok();
  else ctx.reply.error(error);
}

function save(ctx: CommandContext): void {
  const acl = ctx.server.acl;
  if (acl.aclFile === '') {
    ctx.reply.error(NO_ACL_FILE);
    return;
  }
  const error = acl.save();
  if (error === null) ctx.reply.ok();
  else ctx.reply.error(error);
}

function cat(ctx: CommandContext, argv: string[]): void {
  if (argv.length === 2) {
    ctx.reply.bulkArray(ACL_CATEGORIES);
    return;
  }
  if (argv.length !== 3) {
    replySubcommandSyntaxError(ctx, argv);
    return;
  }
  const names = ctx.server.acl.commandsInCategory(argv[2]);
  if (names === null) {
    ctx.reply.error(`ERR Unknown category '${argv[2].slice(0, 128)}'`);
    return;
  }
  ctx.reply.bulkArray(names);
}

function genpass(ctx: CommandContext, argv: string[]): void {
  if (argv.length > 3) {
    replySubcommandSyntaxError(ctx, argv);
    return;
  }
  let bits = 256;
  if (argv.length === 3) {
    const parsed = longArg(ctx, argv[2]);
    if (parsed === null) return;
    bits = parsed;
  }
  if (bits <= 0 || bits > GENPASS_MAX_BITS) {
    ctx.reply.error(`ERR ACL GENPASS argument must be the number of bits for the output password, a positive number up to ${GENPASS_MAX_BITS}`);
    return;
  }
  const chars = Math.floor((bits + 3) / 4);
  ctx.reply.bulk(randomBytes(Math.ceil(chars / 2)).toString('hex').slice(0, chars));
}

function log(ctx: CommandContext, argv: string[]): void {
  if (argv.length > 3) {
    replySubcommandSyntaxError(ctx, argv);
    return;
  }
  const acl = ctx.server.acl;
  let count = DEFAULT_LOG_COUNT;
  if (argv.length === 3) {
    if (argv[2].toLowerCase() === 'reset') {
      acl.resetLog();
      ctx.reply.ok();
      return;
    }
    const parsed = longArg(ctx, argv[2]);
    if (parsed === null) return;
    count = Math.max(0, parsed);
  }
  const entries = acl.logEntries(count);
  const r = ctx.reply;
  r.arrayLength(entries.length);
  for (const e of entries) {
    r.mapLength(7);
    r.bulk('count');
    r.integer(e.count);
    r.bulk('reason');
    r.bulk(e.reason);
    r.bulk('context');
    r.bulk(e.context);
    r.bulk('object');
    r.bulk(e.object);
    r.bulk('username');
    r.bulk(e.username);
    r.bulk('age-seconds');
    r.double(e.ageSeconds);
    r.bulk('client-info');
    r.bulk(e.clientInfo);
  }
}

function dryrun(ctx: CommandContext, argv: string[]): void {
  const outcome = ctx.server.acl.dryRun(argv[2], argv.slice(3));
  if (outcome === null) ctx.reply.ok();
  else if ('error' in outcome) ctx.reply.error(outcome.error);
  else ctx.reply.bulk(outcome.denied);
}

function help(ctx: CommandContext, argv: string[]): void {
  replyHelp(ctx, argv[0], HELP);
}

const FLAGS: readonly CommandFlag[] = ['noscript', 'loading', 'stale', 'sentinel'];
const ADMIN_FLAGS: readonly CommandFlag[] = ['admin', ...FLAGS];

function sub(name: string, arity: number, flags: readonly CommandFlag[], summary: string, since: string, handler: CommandHandler): CommandSpec {
  return { name, arity, flags, acl: [], summary, since, group: 'server', handler };
}

export const aclCommands: CommandSpec[] = [
  {
    name: 'acl', arity: -2, flags: ['sentinel'], acl: [],
    summary: 'Groups the commands that manage ACL users.', since: '6.0.0', group: 'server', complexity: 'Depends on subcommand.',
    subcommands: [
      sub('cat', -2, FLAGS, 'Lists the ACL categories, or the commands of one.', '6.0.0', cat),
      sub('deluser', -3, ADMIN_FLAGS, 'Deletes ACL users and closes their connections.', '6.0.0', deluser),
      sub('dryrun', -4, ADMIN_FLAGS, 'Tells whether a user may run a command line, without running it.', '7.0.0', dryrun),
      sub('genpass', -2, FLAGS, 'Returns a random password of the given number of bits.', '6.0.0', genpass),
      sub('getuser', 3, ADMIN_FLAGS, "Describes a user's flags, passwords and permissions.", '6.0.0', getuser),
      sub('help', 2, ['loading', 'stale', 'sentinel'], 'Lists the ACL subcommands.', '6.0.0', help),
      sub('list', 2, ADMIN_FLAGS, 'Lists the users as rules, in the ACL file format.', '6.0.0', list),
      sub('load', 2, ADMIN_FLAGS, 'Replaces the users with those of the ACL file.', '6.0.0', load),
      sub('log', -2, ADMIN_FLAGS, 'Lists recent permission denials and failed authentications.', '6.0.0', log),
      sub('save', 2, ADMIN_FLAGS, 'Writes the users to the ACL file.', '6.0.0', save),
      sub('setuser', -3, ADMIN_FLAGS, 'Creates a user or changes its rules.', '6.0.0', setuser),
      sub('users', 2, ADMIN_FLAGS, 'Lists the user names.', '6.0.0', users),
      sub('whoami', 2, FLAGS, "Returns the connection's user name.", '6.0.0', whoami),
    ],
  },
];
