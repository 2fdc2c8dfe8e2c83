// Connection commands: PING, ECHO, SELECT, AUTH, HELLO, QUIT, RESET.

import type { CommandContext } from './context.js';
import { ERR_DB_INDEX, ERR_SYNTAX, errWrongArity, intArg } from './errors.js';
import { clusterReadMode } from './cluster.js';
import type { CommandSpec } from './types.js';
import { REPLY_PONG } from '../protocol/writer.js';
import { REDIS_VERSION } from '../util/version.js';

const WRONGPASS = 'WRONGPASS invalid username-password pair or user is disabled.';

/** AUTH and HELLO AUTH: the ACL user's credentials; a failure is logged in ACL LOG. */
function authenticate(ctx: CommandContext, commandName: string, user: string, password: string): boolean {
  if (!ctx.server.acl.authenticate(ctx.client, user, password, commandName)) return false;
  ctx.onAuthenticated();
  return true;
}

function ping(ctx: CommandContext, argv: string[]): void {
  if (argv.length > 2) {
    ctx.reply.error(errWrongArity(ctx.command.fullName));
    return;
  }
  if (ctx.client.isPubSub && ctx.reply.resp === 2) {
    ctx.reply.arrayLength(2);
    ctx.reply.bulk('pong');
    ctx.reply.bulk(argv.length === 1 ? '' : argv[1]);
    return;
  }
  if (argv.length === 1) ctx.reply.raw(REPLY_PONG);
  else ctx.reply.bulk(argv[1]);
}

function echo(ctx: CommandContext, argv: string[]): void {
  ctx.reply.bulk(argv[1]);
}

function select(ctx: CommandContext, argv: string[]): void {
  const index = intArg(ctx.reply, argv[1]);
  if (index === null) return;
  if (ctx.server.cluster !== null && index !== 0) {
    ctx.reply.error('ERR SELECT is not allowed in cluster mode');
    return;
  }
  if (typeof index !== 'number' || index < 0 || !ctx.selectDb(index)) {
    ctx.reply.error(ERR_DB_INDEX);
    return;
  }
  ctx.reply.ok();
}

function auth(ctx: CommandContext, argv: string[]): void {
  if (argv.length > 3) {
    ctx.reply.error(ERR_SYNTAX);
    return;
  }
  ctx.redactArgument(1);
  if (argv.length === 2) {
    if (ctx.server.acl.defaultUserNoPass) {
      ctx.reply.error('ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?');
      return;
    }
    if (authenticate(ctx, argv[0], 'default', argv[1])) ctx.reply.ok();
    else ctx.reply.error(WRONGPASS);
    return;
  }
  ctx.redactArgument(2);
  if (authenticate(ctx, argv[0], argv[1], argv[2])) ctx.reply.ok();
  else ctx.reply.error(WRONGPASS);
}

/** CLIENT SETNAME's validation: no spaces, newlines or other non-printable characters. */
export function validClientName(name: string): boolean {
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c < 33 || c > 126) return false;
  }
  return true;
}

export const ERR_CLIENT_NAME = 'ERR Client names cannot contain spaces, newlines or special characters.';

function hello(ctx: CommandContext, argv: string[]): void {
  let version = 0;
  let next = 1;
  if (argv.length >= 2) {
    const v = intArg(ctx.reply, argv[next++], 'ERR Protocol version is not an integer or out of range');
    if (v === null) return;
    if (v !== 2 && v !== 3) {
      ctx.reply.error('NOPROTO unsupported protocol version');
      return;
    }
    version = v;
  }
  let newName: string | null = null;
  for (let j = next; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    const opt = argv[j].toUpperCase();
    if (opt === 'AUTH' && more >= 2) {
      ctx.redactArgument(j + 1);
      ctx.redactArgument(j + 2);
      if (!authenticate(ctx, argv[0], argv[j + 1], argv[j + 2])) {
        ctx.reply.error(WRONGPASS);
        return;
      }
      j += 2;
    } else if (opt === 'SETNAME' && more >= 1) {
      if (!validClientName(argv[j + 1])) {
        ctx.reply.error(ERR_CLIENT_NAME);
        return;
      }
      newName = argv[j + 1];
      j++;
    } else {
      ctx.reply.error(`ERR Syntax error in HELLO option '${argv[j]}'`);
      return;
    }
  }
  if (!ctx.client.authenticated) {
    ctx.reply.error('NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time');
    return;
  }
  if (newName !== null) ctx.client.name = newName;
  if (version !== 0) ctx.client.setProtocol(version as 2 | 3);
  const r = ctx.reply;
  r.mapLength(7);
  r.bulk('server');
  r.bulk('redis');
  r.bulk('version');
  r.bulk(REDIS_VERSION);
  r.bulk('proto');
  r.integer(r.resp);
  r.bulk('id');
  r.integer(ctx.client.id);
  r.bulk('mode');
  r.bulk(ctx.server.cluster !== null ? 'cluster' : ctx.server.config.sentinelMode ? 'sentinel' : 'standalone');
  r.bulk('role');
  r.bulk('master');
  r.bulk('modules');
  r.arrayLength(0);
}

function quit(ctx: CommandContext): void {
  ctx.reply.ok();
  ctx.client.closeAfterReply = true;
}

/** READONLY / READWRITE: replica reads in cluster mode; this node runs without cluster support. */
function reset(ctx: CommandContext): void {
  ctx.resetConnectionState();
  ctx.reply.simple('RESET');
}

export const connectionCommands: CommandSpec[] = [
  {
    name: 'ping', arity: -1, flags: ['fast', 'sentinel'], acl: ['fast', 'connection'],
    tips: ['request_policy:all_shards', 'response_policy:all_succeeded'],
    summary: 'Checks that the server is alive, optionally echoing a message.', since: '1.0.0', group: 'connection',
    handler: ping,
  },
  {
    name: 'echo', arity: 2, flags: ['fast', 'loading', 'stale'], acl: ['fast', 'connection'],
    summary: 'Returns the given message.', since: '1.0.0', group: 'connection', handler: echo,
  },
  {
    name: 'select', arity: 2, flags: ['loading', 'stale', 'fast'], acl: ['fast', 'connection'],
    summary: 'Switches the connection to another logical database.', since: '1.0.0', group: 'connection', handler: select,
  },
  {
    name: 'auth', arity: -2, flags: ['noscript', 'loading', 'stale', 'fast', 'no_auth', 'sentinel', 'allow_busy'],
    acl: ['fast', 'connection'],
    summary: 'Authenticates the connection as a user.', since: '1.0.0', group: 'connection', handler: auth,
  },
  {
    name: 'hello', arity: -1, flags: ['noscript', 'loading', 'stale', 'fast', 'no_auth', 'sentinel', 'allow_busy'],
    acl: ['fast', 'connection'],
    summary: 'Negotiates the protocol version, optionally authenticating and naming the connection.',
    since: '6.0.0', group: 'connection', handler: hello,
  },
  {
    name: 'quit', arity: -1, flags: ['allow_busy', 'noscript', 'loading', 'stale', 'fast', 'no_auth'], acl: ['fast', 'connection'],
    summary: 'Closes the connection after replying.', since: '1.0.0', group: 'connection', handler: quit,
  },
  {
    name: 'reset', arity: 1, flags: ['noscript', 'loading', 'stale', 'fast', 'no_auth', 'allow_busy'], acl: ['fast', 'connection'],
    summary: 'Returns the connection to its initial state.', since: '6.2.0', group: 'connection', handler: reset,
  },
  {
    name: 'readonly', arity: 1, flags: ['fast', 'loading', 'stale'], acl: ['connection'],
    summary: 'Lets a cluster replica connection serve reads.', since: '3.0.0', group: 'cluster', complexity: 'O(1)',
    handler: clusterReadMode(true),
  },
  {
    name: 'readwrite', arity: 1, flags: ['fast', 'loading', 'stale'], acl: ['connection'],
    summary: 'Ends the read-only mode of a cluster replica connection.', since: '3.0.0', group: 'cluster', complexity: 'O(1)',
    handler: clusterReadMode(false),
  },
];
