// Pub/sub commands: SUBSCRIBE, UNSUBSCRIBE, PSUBSCRIBE, PUNSUBSCRIBE, PUBLISH, SSUBSCRIBE,
// SUNSUBSCRIBE, SPUBLISH and PUBSUB introspection, with cluster mode off (pubsub.c). The
// subscription registry and the fan-out live in server/pubsub.ts behind ServerApi.pubsub.

import type { ClientState, CommandContext, ServerApi } from './context.js';
import { replyHelp, replySubcommandSyntaxError } from './help.js';
import type { CommandSpec } from './types.js';
import { globMatch } from '../util/glob.js';

type SubscriptionKind = 'subscribe' | 'unsubscribe' | 'psubscribe' | 'punsubscribe' | 'ssubscribe' | 'sunsubscribe';

/** What SUBSCRIBE/PSUBSCRIBE (and their UN- forms) report: channels plus patterns. */
function channelAndPatternCount(client: ClientState): number {
  return client.channels.size + client.patterns.size;
}

/**
 * One confirmation frame: [kind, name or null, count]. Like any push it is written even under
 * CLIENT REPLY OFF (Redis marks these replies CLIENT_PUSHING, which bypasses the mute).
 */
function confirm(ctx: CommandContext, kind: SubscriptionKind, name: string | null, count: number): void {
  const r = ctx.reply;
  const muted = r.muted;
  r.muted = false;
  r.pushLength(3);
  r.bulk(kind);
  if (name === null) r.nullBulk();
  else r.bulk(name);
  r.integer(count);
  r.muted = muted;
}

/**
 * Redis refuses subscriptions to clients that must get exactly one reply per command
 * (CLIENT_DENY_BLOCKING, set while EXEC runs); plain and pattern SUBSCRIBE are still let
 * through inside a transaction for backward compatibility, SSUBSCRIBE is not.
 */
function refusedInExec(ctx: CommandContext, commandName: string, allowedInMulti: boolean): boolean {
  if (!ctx.client.inMulti || allowedInMulti) return false;
  ctx.reply.error(`ERR ${commandName} isn't allowed for a DENY BLOCKING client`);
  return true;
}

/**
 * The three subscription namespaces (channels, patterns, shard channels) differ only in which
 * set of the client they fill, which hub call does it, and what count the replies carry; one
 * pair of functions below serves all six commands through these descriptions.
 */
interface SubscriptionClass {
  readonly commandName: string;
  readonly subscribeKind: SubscriptionKind;
  readonly unsubscribeKind: SubscriptionKind;
  /** Whether EXEC may run the subscribe command (see refusedInExec). */
  readonly allowedInMulti: boolean;
  names(client: ClientState): ReadonlySet<string>;
  add(server: ServerApi, client: ClientState, name: string): void;
  remove(server: ServerApi, client: ClientState, name: string): void;
  /** The count the confirmations report after each change. */
  count(client: ClientState): number;
}

const CHANNELS: SubscriptionClass = {
  commandName: 'SUBSCRIBE', subscribeKind: 'subscribe', unsubscribeKind: 'unsubscribe', allowedInMulti: true,
  names: (client) => client.channels,
  add: (server, client, name) => server.pubsub.subscribe(client, name),
  remove: (server, client, name) => server.pubsub.unsubscribe(client, name),
  count: channelAndPatternCount,
};

const PATTERNS: SubscriptionClass = {
  commandName: 'PSUBSCRIBE', subscribeKind: 'psubscribe', unsubscribeKind: 'punsubscribe', allowedInMulti: true,
  names: (client) => client.patterns,
  add: (server, client, name) => server.pubsub.psubscribe(client, name),
  remove: (server, client, name) => server.pubsub.punsubscribe(client, name),
  count: channelAndPatternCount,
};

const SHARD_CHANNELS: SubscriptionClass = {
  commandName: 'SSUBSCRIBE', subscribeKind: 'ssubscribe', unsubscribeKind: 'sunsubscribe', allowedInMulti: false,
  names: (client) => client.shardChannels,
  add: (server, client, name) => server.pubsub.ssubscribe(client, name),
  remove: (server, client, name) => server.pubsub.sunsubscribe(client, name),
  // Shard subscriptions are counted apart from the other two.
  count: (client) => client.shardChannels.size,
};

/** SUBSCRIBE, PSUBSCRIBE, SSUBSCRIBE: one confirmation per name, even for a repeated one. */
function subscribeGeneric(ctx: CommandContext, argv: string[], cls: SubscriptionClass): void {
  if (refusedInExec(ctx, cls.commandName, cls.allowedInMulti)) return;
  const client = ctx.client;
  for (let i = 1; i < argv.length; i++) {
    cls.add(ctx.server, client, argv[i]);
    confirm(ctx, cls.subscribeKind, argv[i], cls.count(client));
  }
}

/** The UN- forms: the names given, or every current subscription of the class when none is. */
function unsubscribeGeneric(ctx: CommandContext, argv: string[], cls: SubscriptionClass): void {
  const client = ctx.client;
  if (argv.length > 1) {
    for (let i = 1; i < argv.length; i++) {
      cls.remove(ctx.server, client, argv[i]);
      confirm(ctx, cls.unsubscribeKind, argv[i], cls.count(client));
    }
    return;
  }
  const current = cls.names(client);
  if (current.size === 0) {
    // Subscribed to nothing: Redis still answers, with a null name.
    confirm(ctx, cls.unsubscribeKind, null, cls.count(client));
    return;
  }
  // A copy: removing while iterating the live set would be fragile.
  for (const name of [...current]) {
    cls.remove(ctx.server, client, name);
    confirm(ctx, cls.unsubscribeKind, name, cls.count(client));
  }
}

function subscribe(ctx: CommandContext, argv: string[]): void {
  subscribeGeneric(ctx, argv, CHANNELS);
}

function unsubscribe(ctx: CommandContext, argv: string[]): void {
  unsubscribeGeneric(ctx, argv, CHANNELS);
}

function psubscribe(ctx: CommandContext, argv: string[]): void {
  subscribeGeneric(ctx, argv, PATTERNS);
}

function punsubscribe(ctx: CommandContext, argv: string[]): void {
  unsubscribeGeneric(ctx, argv, PATTERNS);
}

function ssubscribe(ctx: CommandContext, argv: string[]): void {
  subscribeGeneric(ctx, argv, SHARD_CHANNELS);
}

function sunsubscribe(ctx: CommandContext, argv: string[]): void {
  unsubscribeGeneric(ctx, argv, SHARD_CHANNELS);
}

/**
 * PUBLISH and SPUBLISH change no data, yet Redis (cluster mode off) forces them into the
 * replication stream so that replicas' subscribers get the message too.
 */
function publish(ctx: CommandContext, argv: string[]): void {
  const receivers = ctx.server.pubsub.publish(argv[1], argv[2]);
  spread(ctx, argv, false);
  ctx.reply.integer(receivers);
}

function spublish(ctx: CommandContext, argv: string[]): void {
  const receivers = ctx.server.pubsub.publishShard(argv[1], argv[2]);
  spread(ctx, argv, true);
  ctx.reply.integer(receivers);
}

/** In cluster mode the bus carries the message to the other nodes (replicas included). */
function spread(ctx: CommandContext, argv: string[], sharded: boolean): void {
  const cluster = ctx.server.cluster;
  if (cluster !== null) cluster.propagatePublish(argv[1], argv[2], sharded);
  else ctx.alsoPropagate(ctx.db.id, argv);
}

// ------------------------------------------------------------------- PUBSUB

function replyChannelList(ctx: CommandContext, argv: string[], names: Iterable<string>): void {
  if (argv.length > 3) {
    replySubcommandSyntaxError(ctx, argv);
    return;
  }
  const pattern = argv.length === 3 ? argv[2] : null;
  const matched: string[] = [];
  for (const name of names) {
    if (pattern === null || globMatch(pattern, name)) matched.push(name);
  }
  ctx.reply.bulkArray(matched);
}

function pubsubChannels(ctx: CommandContext, argv: string[]): void {
  replyChannelList(ctx, argv, ctx.server.pubsub.channelNames());
}

function pubsubShardChannels(ctx: CommandContext, argv: string[]): void {
  replyChannelList(ctx, argv, ctx.server.pubsub.shardChannelNames());
}

function replySubscriberCounts(ctx: CommandContext, argv: string[], count: (channel: string) => number): void {
  // A flat array of name, count pairs (not a map, even in RESP3).
  ctx.reply.arrayLength((argv.length - 2) * 2);
  for (let i = 2; i < argv.length; i++) {
    ctx.reply.bulk(argv[i]);
    ctx.reply.integer(count(argv[i]));
  }
}

function pubsubNumsub(ctx: CommandContext, argv: string[]): void {
  replySubscriberCounts(ctx, argv, (c) => ctx.server.pubsub.channelSubscriberCount(c));
}

function pubsubShardNumsub(ctx: CommandContext, argv: string[]): void {
  replySubscriberCounts(ctx, argv, (c) => ctx.server.pubsub.shardChannelSubscriberCount(c));
}

function pubsubNumpat(ctx: CommandContext): void {
  ctx.reply.integer(ctx.server.pubsub.patternCount());
}

const PUBSUB_HELP = [
  'CHANNELS [<pattern>]',
  '    Channels that have subscribers, optionally only those matching <pattern>.',
  'NUMPAT',
  '    How many pattern subscriptions exist, over all clients.',
  'NUMSUB [<channel> ...]',
  '    The subscriber count of each channel named (pattern subscribers not counted).',
  'SHARDCHANNELS [<pattern>]',
  '    Shard channels that have subscribers, optionally only those matching <pattern>.',
  'SHARDNUMSUB [<shardchannel> ...]',
  '    The subscriber count of each shard channel named.',
];

function pubsubHelp(ctx: CommandContext, argv: string[]): void {
  replyHelp(ctx, argv[0], PUBSUB_HELP);
}

const SUBSCRIBE_FLAGS = ['pubsub', 'noscript', 'loading', 'stale', 'sentinel'] as const;
const SHARD_SUBSCRIBE_FLAGS = ['pubsub', 'noscript', 'loading', 'stale'] as const;
const INTROSPECTION_FLAGS = ['pubsub', 'loading', 'stale'] as const;
/** Shard channels are declared as not-key key specs, so cluster routing can hash them. */
const SHARD_CHANNELS_SPEC = { flags: ['not_key'], begin: { type: 'index', index: 1 }, find: { type: 'range', lastKey: -1, keyStep: 1, limit: 0 } } as const;
const SHARD_CHANNEL_SPEC = { flags: ['not_key'], begin: { type: 'index', index: 1 }, find: { type: 'range', lastKey: 0, keyStep: 1, limit: 0 } } as const;

export const pubsubCommands: CommandSpec[] = [
  {
    name: 'subscribe', arity: -2, flags: SUBSCRIBE_FLAGS, acl: ['pubsub', 'slow'], channels: { access: 'subscribe', pattern: false, start: 1, count: -1 },
    summary: 'Starts listening for messages published to the given channels.', since: '2.0.0', group: 'pubsub',
    complexity: 'O(N), N = channels named',
    arguments: [{ name: 'channel', type: 'string', multiple: true }],
    handler: subscribe,
  },
  {
    name: 'unsubscribe', arity: -1, flags: SUBSCRIBE_FLAGS, acl: ['pubsub', 'slow'], channels: { access: 'unsubscribe', pattern: false, start: 1, count: -1 },
    summary: 'Stops listening to the given channels, or to every channel when none is named.', since: '2.0.0', group: 'pubsub',
    complexity: 'O(N), N = subscribers of each channel named',
    arguments: [{ name: 'channel', type: 'string', optional: true, multiple: true }],
    handler: unsubscribe,
  },
  {
    name: 'psubscribe', arity: -2, flags: SUBSCRIBE_FLAGS, acl: ['pubsub', 'slow'], channels: { access: 'subscribe', pattern: true, start: 1, count: -1 },
    summary: 'Starts listening for messages published to channels matching glob patterns.', since: '2.0.0', group: 'pubsub',
    complexity: 'O(N), N = patterns this client has',
    arguments: [{ name: 'pattern', type: 'pattern', multiple: true }],
    handler: psubscribe,
  },
  {
    name: 'punsubscribe', arity: -1, flags: SUBSCRIBE_FLAGS, acl: ['pubsub', 'slow'], channels: { access: 'unsubscribe', pattern: true, start: 1, count: -1 },
    summary: 'Stops listening to the given patterns, or to every pattern when none is named.', since: '2.0.0', group: 'pubsub',
    complexity: 'O(N+M), N = patterns of this client, M = patterns server-wide',
    arguments: [{ name: 'pattern', type: 'pattern', optional: true, multiple: true }],
    handler: punsubscribe,
  },
  {
    name: 'publish', arity: 3, flags: ['pubsub', 'loading', 'stale', 'fast', 'may_replicate', 'sentinel'], acl: ['pubsub', 'fast'], channels: { access: 'publish', pattern: false, start: 1, count: 1 },
    summary: 'Sends a message to a channel and reports how many clients received it.', since: '2.0.0', group: 'pubsub',
    complexity: 'O(N+M), N = channel subscribers, M = patterns subscribed server-wide',
    arguments: [{ name: 'channel', type: 'string' }, { name: 'message', type: 'string' }],
    handler: publish,
  },
  {
    name: 'ssubscribe', arity: -2, flags: SHARD_SUBSCRIBE_FLAGS, acl: ['pubsub', 'slow'], channels: { access: 'subscribe', pattern: false, start: 1, count: -1 },
    keySpecs: [SHARD_CHANNELS_SPEC],
    summary: 'Starts listening for messages published to the given shard channels.', since: '7.0.0', group: 'pubsub',
    complexity: 'O(N), N = shard channels named',
    arguments: [{ name: 'shardchannel', type: 'string', multiple: true }],
    handler: ssubscribe,
  },
  {
    name: 'sunsubscribe', arity: -1, flags: SHARD_SUBSCRIBE_FLAGS, acl: ['pubsub', 'slow'], channels: { access: 'unsubscribe', pattern: false, start: 1, count: -1 },
    keySpecs: [SHARD_CHANNELS_SPEC],
    summary: 'Stops listening to the given shard channels, or to all of them when none is named.', since: '7.0.0', group: 'pubsub',
    complexity: 'O(N), N = subscribers of each shard channel named',
    arguments: [{ name: 'shardchannel', type: 'string', optional: true, multiple: true }],
    handler: sunsubscribe,
  },
  {
    name: 'spublish', arity: 3, flags: ['pubsub', 'loading', 'stale', 'fast', 'may_replicate'], acl: ['pubsub', 'fast'], channels: { access: 'publish', pattern: false, start: 1, count: 1 },
    keySpecs: [SHARD_CHANNEL_SPEC],
    summary: 'Sends a message to a shard channel and reports how many clients received it.', since: '7.0.0', group: 'pubsub',
    complexity: 'O(N), N = subscribers of the shard channel',
    arguments: [{ name: 'shardchannel', type: 'string' }, { name: 'message', type: 'string' }],
    handler: spublish,
  },
  {
    name: 'pubsub', arity: -2, flags: [], acl: ['slow'],
    summary: 'Groups the commands that inspect the pub/sub state.', since: '2.8.0', group: 'pubsub',
    complexity: 'See each subcommand',
    subcommands: [
      {
        name: 'channels', arity: -2, flags: INTROSPECTION_FLAGS, acl: ['pubsub', 'slow'],
        summary: 'Lists the channels that have subscribers, optionally filtered by a glob pattern.', since: '2.8.0', group: 'pubsub',
        complexity: 'O(N), N = channels with subscribers (pattern matching per channel)',
        arguments: [{ name: 'pattern', type: 'pattern', optional: true }],
        handler: pubsubChannels,
      },
      {
        name: 'numsub', arity: -2, flags: INTROSPECTION_FLAGS, acl: ['pubsub', 'slow'],
        summary: 'Reports how many clients subscribe to each given channel (patterns excluded).', since: '2.8.0', group: 'pubsub',
        complexity: 'O(N), N = channels asked for',
        arguments: [{ name: 'channel', type: 'string', optional: true, multiple: true }],
        handler: pubsubNumsub,
      },
      {
        name: 'numpat', arity: 2, flags: INTROSPECTION_FLAGS, acl: ['pubsub', 'slow'],
        summary: 'Reports how many distinct patterns have subscribers.', since: '2.8.0', group: 'pubsub',
        complexity: 'O(1)',
        handler: pubsubNumpat,
      },
      {
        name: 'shardchannels', arity: -2, flags: INTROSPECTION_FLAGS, acl: ['pubsub', 'slow'],
        summary: 'Lists the shard channels that have subscribers, optionally filtered by a glob pattern.', since: '7.0.0', group: 'pubsub',
        complexity: 'O(N), N = shard channels with subscribers (pattern matching per channel)',
        arguments: [{ name: 'pattern', type: 'pattern', optional: true }],
        handler: pubsubShardChannels,
      },
      {
        name: 'shardnumsub', arity: -2, flags: INTROSPECTION_FLAGS, acl: ['pubsub', 'slow'],
        summary: 'Reports how many clients subscribe to each given shard channel.', since: '7.0.0', group: 'pubsub',
        complexity: 'O(N), N = shard channels asked for',
        arguments: [{ name: 'shardchannel', type: 'string', optional: true, multiple: true }],
        handler: pubsubShardNumsub,
      },
      {
        name: 'help', arity: 2, flags: ['loading', 'stale'], acl: ['slow'],
        summary: 'Describes the PUBSUB subcommands.', since: '6.2.0', group: 'pubsub',
        complexity: 'O(1)',
        handler: pubsubHelp,
      },
    ],
  },
];
