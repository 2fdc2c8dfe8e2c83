// CLIENT: connection introspection and control (ID, INFO, LIST, KILL, names, library info,
// PAUSE/UNPAUSE, REPLY, NO-EVICT, NO-TOUCH, UNBLOCK, HELP) and client-side caching's modes
// (TRACKING, CACHING, GETREDIR, TRACKINGINFO), following networking.c's clientCommand.

import type { ClientState, CommandContext, UserRef } from './context.js';
import { ERR_CLIENT_NAME, validClientName } from './connection.js';
import { ERR_NOT_INTEGER, ERR_SYNTAX, isKeyword } from './errors.js';
import { replyHelp, replySubcommandSyntaxError } from './help.js';
import type { CommandFlag, CommandSpec } from './types.js';
import { parseInt64 } from '../util/numbers.js';

const CLIENT_HELP: readonly string[] = [
  'CACHING (YES|NO)',
  '    Tracks (OPTIN mode) or leaves untracked (OPTOUT mode) the keys of the next command.',
  'GETREDIR',
  '    Replies with the id invalidation messages are redirected to, or -1.',
  'GETNAME',
  '    Replies with the name given to this connection, or a null reply.',
  'ID',
  '    Replies with the unique numeric id of this connection.',
  'INFO',
  '    Describes this connection, in the CLIENT LIST line format.',
  'KILL <ip:port>',
  '    Closes the connection coming from <ip:port>.',
  'KILL <option> <value> [<option> <value> [...]]',
  '    Closes every connection matching all the filters given:',
  '    * ADDR (<ip:port>|<unixsocket>:0)',
  '      the remote address of the connection.',
  '    * LADDR (<ip:port>|<unixsocket>:0)',
  '      the local address the connection reached.',
  '    * ID <client-id>',
  '      the connection with that id.',
  '    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)',
  '      the kind of connection.',
  '    * USER <username>',
  '      connections authenticated as that user.',
  '    * SKIPME (YES|NO)',
  '      whether this connection is spared (the default is YES).',
  'LIST [options ...]',
  '    Describes the connections, one line each. Options:',
  '    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)',
  '      only connections of this kind.',
  '    * ID <client-id> [<client-id> ...]',
  '      only the connections with these ids.',
  'UNPAUSE',
  '    Ends a pause started by CLIENT PAUSE.',
  'PAUSE <timeout> [WRITE|ALL]',
  '    Holds back the commands of every client, or only those that write, for <timeout> ms.',
  'REPLY (ON|OFF|SKIP)',
  '    Turns replies to this connection on or off, or drops the reply to the next command.',
  'SETNAME <name>',
  '    Gives this connection a name.',
  'SETINFO <LIB-NAME|LIB-VER> <value>',
  '    Records the client library name or version used by this connection.',
  'UNBLOCK <clientid> [TIMEOUT|ERROR]',
  '    Releases a client blocked in a blocking command.',
  'NO-EVICT (ON|OFF)',
  '    Exempts this connection from client eviction, or stops exempting it.',
  'NO-TOUCH (ON|OFF)',
  '    When ON, commands of this connection do not update the access time of keys they read.',
  'TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]',
  '         [OPTIN] [OPTOUT] [NOLOOP]',
  '    Turns client-side caching invalidation messages on or off.',
  'TRACKINGINFO',
  '    Describes the client-side caching mode of this connection.',
];

type ClientType = 'normal' | 'replica' | 'master' | 'pubsub';

/** getClientTypeByName: "slave" is kept as an alias of "replica". */
function clientTypeByName(name: string): ClientType | null {
  if (isKeyword(name, 'NORMAL')) return 'normal';
  if (isKeyword(name, 'SLAVE') || isKeyword(name, 'REPLICA')) return 'replica';
  if (isKeyword(name, 'PUBSUB')) return 'pubsub';
  if (isKeyword(name, 'MASTER')) return 'master';
  return null;
}

/** getClientType. */
function clientType(client: ClientState): ClientType {
  if (client.isPrimaryLink) return 'master';
  if (client.isReplica) return 'replica';
  return client.isPubSub ? 'pubsub' : 'normal';
}

function replyClientLines(ctx: CommandContext, clients: Iterable<ClientState>, argv: readonly string[]): void {
  let text = '';
  for (const c of clients) text += c.infoLine(c === ctx.client ? argv : null) + '\n';
  ctx.reply.verbatim(text);
}

/** Two prefixes overlap when one starts the other. */
function prefixesOverlap(a: string, b: string): boolean {
  return a.startsWith(b) || b.startsWith(a);
}

function clientTracking(ctx: CommandContext, argv: string[]): void {
  let redirect = 0;
  const options = { bcast: false, optin: false, optout: false, noloop: false };
  const prefixes: string[] = [];
  for (let j = 3; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    const opt = argv[j];
    if (isKeyword(opt, 'REDIRECT') && more > 0) {
      j++;
      if (redirect !== 0) {
        ctx.reply.error('ERR A client can only redirect to a single other client');
        return;
      }
      const id = parseInt64(argv[j]);
      if (id === null) {
        ctx.reply.error(ERR_NOT_INTEGER);
        return;
      }
      redirect = Number(id);
      if (ctx.server.clients.byId(redirect) === undefined) {
        ctx.reply.error('ERR The client ID you want redirect to does not exist');
        return;
      }
    } else if (isKeyword(opt, 'BCAST')) {
      options.bcast = true;
    } else if (isKeyword(opt, 'OPTIN')) {
      options.optin = true;
    } else if (isKeyword(opt, 'OPTOUT')) {
      options.optout = true;
    } else if (isKeyword(opt, 'NOLOOP')) {
      options.noloop = true;
    } else if (isKeyword(opt, 'PREFIX') && more > 0) {
      prefixes.push(argv[++j]);
    } else {
      ctx.reply.error(ERR_SYNTAX);
      return;
    }
  }
  const client = ctx.client;
  const current = client.tracking;
  if (isKeyword(argv[2], 'ON')) {
    if (!options.bcast && prefixes.length > 0) {
      ctx.reply.error('ERR PREFIX option requires BCAST mode to be enabled');
      return;
    }
    if (current !== null && current.bcast !== options.bcast) {
      ctx.reply.error("ERR You can't switch BCAST mode on/off before disabling tracking for this client, and then re-enabling it with a different mode.");
      return;
    }
    if (options.bcast && (options.optin || options.optout)) {
      ctx.reply.error('ERR OPTIN and OPTOUT are not compatible with BCAST');
      return;
    }
    if (options.optin && options.optout) {
      ctx.reply.error("ERR You can't specify both OPTIN mode and OPTOUT mode");
      return;
    }
    if ((options.optin && current?.optout === true) || (options.optout && current?.optin === true)) {
      ctx.reply.error("ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then re-enabling it with a different mode.");
      return;
    }
    if (options.bcast) {
      for (let i = 0; i < prefixes.length; i++) {
        const existing = current?.prefixes.find((p) => prefixesOverlap(p, prefixes[i]));
        if (existing !== undefined) {
          ctx.reply.error(`ERR Prefix '${prefixes[i]}' overlaps with an existing prefix '${existing}'. Prefixes for a single client must not overlap.`);
          return;
        }
        for (let j = i + 1; j < prefixes.length; j++) {
          if (prefixesOverlap(prefixes[i], prefixes[j])) {
            ctx.reply.error(`ERR Prefix '${prefixes[i]}' overlaps with another provided prefix '${prefixes[j]}'. Prefixes for a single client must not overlap.`);
            return;
          }
        }
      }
    }
    ctx.server.tracking.enable(client, redirect, options, prefixes);
  } else if (isKeyword(argv[2], 'OFF')) {
    ctx.server.tracking.disable(client);
  } else {
    ctx.reply.error(ERR_SYNTAX);
    return;
  }
  ctx.reply.ok();
}

function clientCaching(ctx: CommandContext, argv: string[]): void {
  const t = ctx.client.tracking;
  if (t === null) {
    ctx.reply.error('ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled');
    return;
  }
  if (isKeyword(argv[2], 'YES')) {
    if (!t.optin) {
      ctx.reply.error('ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.');
      return;
    }
  } else if (isKeyword(argv[2], 'NO')) {
    if (!t.optout) {
      ctx.reply.error('ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.');
      return;
    }
  } else {
    ctx.reply.error(ERR_SYNTAX);
    return;
  }
  t.caching = true;
  ctx.reply.ok();
}

function clientGetRedir(ctx: CommandContext): void {
  const t = ctx.client.tracking;
  ctx.reply.integer(t === null ? -1 : t.redirect);
}

function clientTrackingInfo(ctx: CommandContext): void {
  const t = ctx.client.tracking;
  const flags: string[] = [t === null ? 'off' : 'on'];
  if (t !== null) {
    if (t.bcast) flags.push('bcast');
    if (t.optin) {
      flags.push('optin');
      if (t.caching) flags.push('caching-yes');
    }
    if (t.optout) {
      flags.push('optout');
      if (t.caching) flags.push('caching-no');
    }
    if (t.noloop) flags.push('noloop');
    if (t.brokenRedirect) flags.push('broken_redirect');
  }
  const r = ctx.reply;
  r.mapLength(3);
  r.bulk('flags');
  r.setLength(flags.length);
  for (const f of flags) r.bulk(f);
  r.bulk('redirect');
  r.integer(t === null ? -1 : t.redirect);
  r.bulk('prefixes');
  r.bulkArray(t === null ? [] : t.prefixes);
}

function clientId(ctx: CommandContext): void {
  ctx.reply.integer(ctx.client.id);
}

function clientInfo(ctx: CommandContext, argv: string[]): void {
  ctx.reply.verbatim(ctx.client.infoLine(argv) + '\n');
}

function clientList(ctx: CommandContext, argv: string[]): void {
  if (argv.length === 4 && isKeyword(argv[2], 'TYPE')) {
    const type = clientTypeByName(argv[3]);
    if (type === null) {
      ctx.reply.error(`ERR Unknown client type '${argv[3]}'`);
      return;
    }
    const matching: ClientState[] = [];
    for (const c of ctx.server.clients.all()) if (clientType(c) === type) matching.push(c);
    replyClientLines(ctx, matching, argv);
    return;
  }
  if (argv.length > 3 && isKeyword(argv[2], 'ID')) {
    // Every id is validated before anything is listed; unknown ids are skipped silently.
    const matching: ClientState[] = [];
    for (let j = 3; j < argv.length; j++) {
      const id = parseInt64(argv[j]);
      if (id === null) {
        ctx.reply.error('ERR Invalid client ID');
        return;
      }
      const c = typeof id === 'number' ? ctx.server.clients.byId(id) : undefined;
      if (c !== undefined) matching.push(c);
    }
    replyClientLines(ctx, matching, argv);
    return;
  }
  if (argv.length !== 2) {
    ctx.reply.error(ERR_SYNTAX);
    return;
  }
  replyClientLines(ctx, ctx.server.clients.all(), argv);
}

interface KillFilter {
  addr: string | null;
  laddr: string | null;
  type: ClientType | null;
  id: number;
  user: UserRef | null;
  skipMe: boolean;
}

/** Parses CLIENT KILL's filter pairs; replies with the error and returns null when invalid. */
function parseKillFilter(ctx: CommandContext, argv: readonly string[]): KillFilter | null {
  const filter: KillFilter = { addr: null, laddr: null, type: null, id: 0, user: null, skipMe: true };
  for (let i = 2; i < argv.length; i += 2) {
    const option = argv[i];
    const hasValue = i + 1 < argv.length;
    const value = hasValue ? argv[i + 1] : '';
    if (hasValue && isKeyword(option, 'ID')) {
      const id = parseInt64(value);
      if (id === null || typeof id === 'bigint' || id < 1) {
        ctx.reply.error('ERR client-id should be greater than 0');
        return null;
      }
      filter.id = id;
    } else if (hasValue && isKeyword(option, 'TYPE')) {
      filter.type = clientTypeByName(value);
      if (filter.type === null) {
        ctx.reply.error(`ERR Unknown client type '${value}'`);
        return null;
      }
    } else if (hasValue && isKeyword(option, 'ADDR')) {
      filter.addr = value;
    } else if (hasValue && isKeyword(option, 'LADDR')) {
      filter.laddr = value;
    } else if (hasValue && isKeyword(option, 'USER')) {
      const user = ctx.server.acl.getUser(value);
      if (user === undefined) {
        ctx.reply.error(`ERR No such user '${value}'`);
        return null;
      }
      filter.user = user;
    } else if (hasValue && isKeyword(option, 'SKIPME')) {
      if (isKeyword(value, 'YES')) filter.skipMe = true;
      else if (isKeyword(value, 'NO')) filter.skipMe = false;
      else {
        ctx.reply.error(ERR_SYNTAX);
        return null;
      }
    } else {
      ctx.reply.error(ERR_SYNTAX);
      return null;
    }
  }
  return filter;
}

function matchesKillFilter(client: ClientState, filter: KillFilter): boolean {
  if (filter.addr !== null && client.remoteAddress !== filter.addr) return false;
  if (filter.laddr !== null && client.localAddress !== filter.laddr) return false;
  if (filter.type !== null && clientType(client) !== filter.type) return false;
  if (filter.id !== 0 && client.id !== filter.id) return false;
  if (filter.user !== null && client.user !== filter.user) return false;
  return true;
}

function clientKill(ctx: CommandContext, argv: string[]): void {
  const oldForm = argv.length === 3;
  let filter: KillFilter | null;
  if (oldForm) {
    // CLIENT KILL <addr>: the old form may kill the calling connection too.
    filter = { addr: argv[2], laddr: null, type: null, id: 0, user: null, skipMe: false };
  } else {
    filter = parseKillFilter(ctx, argv);
    if (filter === null) return;
  }
  let killed = 0;
  let killSelf = false;
  for (const c of Array.from(ctx.server.clients.all())) {
    if (!matchesKillFilter(c, filter)) continue;
    if (c === ctx.client) {
      if (filter.skipMe) continue;
      killSelf = true;
    } else {
      c.close('killed by CLIENT KILL');
    }
    killed++;
  }
  if (oldForm) {
    if (killed === 0) ctx.reply.error('ERR No such client');
    else ctx.reply.ok();
  } else {
    ctx.reply.integer(killed);
  }
  // Flagged only after the reply is queued, so the caller still receives it.
  if (killSelf) ctx.client.closeAfterReply = true;
}

function clientSetName(ctx: CommandContext, argv: string[]): void {
  const name = argv[2];
  if (!validClientName(name)) {
    ctx.reply.error(ERR_CLIENT_NAME);
    return;
  }
  ctx.client.name = name;
  ctx.reply.ok();
}

function clientGetName(ctx: CommandContext): void {
  if (ctx.client.name === '') ctx.reply.nullBulk();
  else ctx.reply.bulk(ctx.client.name);
}

/** CLIENT SETINFO (Redis 7.2): same character rule as names; an empty value clears it. */
function clientSetInfo(ctx: CommandContext, argv: string[]): void {
  const attr = argv[2];
  const value = argv[3];
  const isName = isKeyword(attr, 'LIB-NAME');
  if (!isName && !isKeyword(attr, 'LIB-VER')) {
    ctx.reply.error(`ERR Unrecognized option '${attr}'`);
    return;
  }
  if (!validClientName(value)) {
    ctx.reply.error(`ERR ${attr} cannot contain spaces, newlines or special characters.`);
    return;
  }
  if (isName) ctx.client.libName = value;
  else ctx.client.libVersion = value;
  ctx.reply.ok();
}

function clientReply(ctx: CommandContext, argv: string[]): void {
  const mode = argv[2];
  const client = ctx.client;
  if (isKeyword(mode, 'ON')) {
    // This command's own reply may be muted by a pending SKIP: ON lifts it before replying.
    client.replyMode = 'on';
    ctx.reply.muted = false;
    ctx.reply.ok();
  } else if (isKeyword(mode, 'OFF')) {
    client.replyMode = 'off';
  } else if (isKeyword(mode, 'SKIP')) {
    // SKIP means nothing while replies are off.
    if (client.replyMode !== 'off') client.replyMode = 'skip';
  } else {
    ctx.reply.error(ERR_SYNTAX);
  }
}

/** ON|OFF switches (NO-EVICT, NO-TOUCH); null after replying a syntax error. */
function onOffArg(ctx: CommandContext, arg: string): boolean | null {
  if (isKeyword(arg, 'ON')) return true;
  if (isKeyword(arg, 'OFF')) return false;
  ctx.reply.error(ERR_SYNTAX);
  return null;
}

function clientNoEvict(ctx: CommandContext, argv: string[]): void {
  const on = onOffArg(ctx, argv[2]);
  if (on === null) return;
  ctx.client.noEvict = on;
  ctx.reply.ok();
}

function clientNoTouch(ctx: CommandContext, argv: string[]): void {
  const on = onOffArg(ctx, argv[2]);
  if (on === null) return;
  ctx.client.noTouch = on;
  ctx.reply.ok();
}

function clientUnblock(ctx: CommandContext, argv: string[]): void {
  if (argv.length !== 3 && argv.length !== 4) {
    replySubcommandSyntaxError(ctx, argv);
    return;
  }
  if (argv.length === 4 && !isKeyword(argv[3], 'TIMEOUT') && !isKeyword(argv[3], 'ERROR')) {
    ctx.reply.error('ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR');
    return;
  }
  const id = parseInt64(argv[2]);
  if (id === null) {
    ctx.reply.error(ERR_NOT_INTEGER);
    return;
  }
  const target = typeof id === 'number' ? ctx.server.clients.byId(id) : undefined;
  // A client held by CLIENT PAUSE is not released here (Redis 7.0 would abort on it).
  const released = target !== undefined && ctx.server.blocking.unblockClient(target, argv.length === 4 && isKeyword(argv[3], 'ERROR'));
  ctx.reply.integer(released ? 1 : 0);
}

function clientPause(ctx: CommandContext, argv: string[]): void {
  if (argv.length !== 3 && argv.length !== 4) {
    replySubcommandSyntaxError(ctx, argv);
    return;
  }
  let writesOnly = false;
  if (argv.length === 4) {
    if (isKeyword(argv[3], 'WRITE')) writesOnly = true;
    else if (!isKeyword(argv[3], 'ALL')) {
      ctx.reply.error('ERR CLIENT PAUSE mode must be WRITE or ALL');
      return;
    }
  }
  const timeoutMs = parseInt64(argv[2]);
  if (timeoutMs === null) {
    ctx.reply.error('ERR timeout is not an integer or out of range');
    return;
  }
  if (timeoutMs < 0) {
    ctx.reply.error('ERR timeout is negative');
    return;
  }
  // A zero timeout ends at time 0, i.e. it pauses nothing (getTimeoutFromObjectOrReply).
  const untilMs = timeoutMs === 0 ? 0 : Date.now() + Number(timeoutMs);
  ctx.server.clients.pause(untilMs, writesOnly);
  ctx.reply.ok();
}

function clientUnpause(ctx: CommandContext): void {
  ctx.server.clients.unpause();
  ctx.reply.ok();
}

function clientHelp(ctx: CommandContext, argv: string[]): void {
  replyHelp(ctx, argv[0], CLIENT_HELP);
}

const BASE_FLAGS: readonly CommandFlag[] = ['noscript', 'loading', 'stale', 'sentinel'];
const ADMIN_FLAGS: readonly CommandFlag[] = ['admin', 'noscript', 'loading', 'stale', 'sentinel'];
const ACL = ['slow', 'connection'];
const ADMIN_ACL = ['admin', 'slow', 'dangerous', 'connection'];

export const clientCommands: CommandSpec[] = [
  {
    name: 'client', arity: -2, flags: ['sentinel'], acl: ['slow'],
    summary: 'Groups the commands that inspect and control client connections.', since: '2.4.0', group: 'connection',
    complexity: 'See each subcommand',
    subcommands: [
      {
        name: 'caching', arity: 3, flags: BASE_FLAGS, acl: ACL, handler: clientCaching,
        summary: "Tells whether the next command's keys are tracked (OPTIN / OPTOUT modes).", since: '6.0.0', group: 'connection', complexity: 'O(1)',
      },
      {
        name: 'getredir', arity: 2, flags: BASE_FLAGS, acl: ACL, handler: clientGetRedir,
        summary: 'Returns the id invalidations are redirected to, or -1.', since: '6.0.0', group: 'connection', complexity: 'O(1)',
      },
      {
        name: 'tracking', arity: -3, flags: BASE_FLAGS, acl: ACL, handler: clientTracking,
        summary: 'Turns client-side caching invalidations on or off.', since: '6.0.0', group: 'connection',
        complexity: 'O(1). Some options may introduce additional complexity.',
      },
      {
        name: 'trackinginfo', arity: 2, flags: BASE_FLAGS, acl: ACL, handler: clientTrackingInfo,
        summary: "Describes this connection's client-side caching mode.", since: '6.2.0', group: 'connection', complexity: 'O(1)',
      },
      {
        name: 'getname', arity: 2, flags: BASE_FLAGS, acl: ACL, handler: clientGetName,
        summary: 'Returns the name of this connection.', since: '2.6.9', group: 'connection', complexity: 'O(1)',
      },
      {
        name: 'help', arity: 2, flags: ['loading', 'stale', 'sentinel'], acl: ACL, handler: clientHelp,
        summary: 'Lists the CLIENT subcommands.', since: '5.0.0', group: 'connection', complexity: 'O(1)',
      },
      {
        name: 'id', arity: 2, flags: BASE_FLAGS, acl: ACL, handler: clientId,
        summary: 'Returns the unique id of this connection.', since: '5.0.0', group: 'connection', complexity: 'O(1)',
      },
      {
        name: 'info', arity: 2, flags: BASE_FLAGS, acl: ACL, tips: ['nondeterministic_output'], handler: clientInfo,
        summary: 'Describes this connection.', since: '6.2.0', group: 'connection', complexity: 'O(1)',
      },
      {
        name: 'kill', arity: -3, flags: ADMIN_FLAGS, acl: ADMIN_ACL, handler: clientKill,
        summary: 'Closes connections chosen by address, id, type or user.', since: '2.4.0', group: 'connection',
        complexity: 'O(N), N = connected clients',
      },
      {
        name: 'list', arity: -2, flags: ADMIN_FLAGS, acl: ADMIN_ACL, tips: ['nondeterministic_output'], handler: clientList,
        summary: 'Describes the open connections.', since: '2.4.0', group: 'connection',
        complexity: 'O(N), N = connected clients',
      },
      {
        name: 'no-evict', arity: 3, flags: ADMIN_FLAGS, acl: ADMIN_ACL, handler: clientNoEvict,
        summary: 'Exempts this connection from client eviction, or not.', since: '7.0.0', group: 'connection', complexity: 'O(1)',
      },
      {
        name: 'no-touch', arity: 3, flags: ['noscript', 'loading', 'stale'], acl: ACL, handler: clientNoTouch,
        summary: 'Stops or resumes updating key access times for reads of this connection.', since: '7.2.0',
        group: 'connection', complexity: 'O(1)',
      },
      {
        name: 'pause', arity: -3, flags: ADMIN_FLAGS, acl: ADMIN_ACL, handler: clientPause,
        summary: 'Holds back client commands, all or only writes, for a while.', since: '2.9.50', group: 'connection',
        complexity: 'O(1)',
      },
      {
        name: 'reply', arity: 3, flags: BASE_FLAGS, acl: ACL, handler: clientReply,
        summary: 'Turns replies to this connection on, off, or off for one command.', since: '3.2.0', group: 'connection',
        complexity: 'O(1)',
      },
      {
        name: 'setinfo', arity: 4, flags: BASE_FLAGS, acl: ACL,
        tips: ['request_policy:all_nodes', 'response_policy:all_succeeded'], handler: clientSetInfo,
        summary: 'Records the client library name or version of this connection.', since: '7.2.0', group: 'connection',
        complexity: 'O(1)',
      },
      {
        name: 'setname', arity: 3, flags: BASE_FLAGS, acl: ACL, handler: clientSetName,
        summary: 'Names this connection.', since: '2.6.9', group: 'connection', complexity: 'O(1)',
      },
      {
        name: 'unblock', arity: -3, flags: ADMIN_FLAGS, acl: ADMIN_ACL, handler: clientUnblock,
        summary: 'Releases a client blocked in a blocking command.', since: '5.0.0', group: 'connection',
        complexity: 'O(log N), N = connected clients',
      },
      {
        name: 'unpause', arity: 2, flags: ADMIN_FLAGS, acl: ADMIN_ACL, handler: clientUnpause,
        summary: 'Ends a client pause.', since: '6.2.0', group: 'connection',
        complexity: 'O(N), N = paused clients',
      },
    ],
  },
];
