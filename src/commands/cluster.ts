// CLUSTER and its subcommands, ASKING, READONLY and READWRITE (Redis's clusterCommand). The
// subcommands parse their arguments here and act through ctx.server.cluster (src/cluster/);
// MEET, FORGET, LINKS and FAILOVER go to the cluster bus.

import type { ClusterApi, ClusterEndpointView, CommandContext } from './context.js';
import { ERR_NOT_INTEGER, ERR_SYNTAX, isKeyword } from './errors.js';
import { replyHelp, replySubcommandSyntaxError } from './help.js';
import type { CommandFlag, CommandSpec } from './types.js';
import { parseInt64 } from '../util/numbers.js';

const CLUSTER_DISABLED = 'ERR This instance has cluster support disabled';
const SLOTS = 16384;

const HELP = [
  'ADDSLOTS <slot> [<slot> ...]',
  '    Assign slots to current node.',
  'ADDSLOTSRANGE <start slot> <end slot> [<start slot> <end slot> ...]',
  '    Assign slots which are between <start-slot> and <end-slot> to current node.',
  'BUMPEPOCH',
  '    Advance the cluster config epoch.',
  'COUNT-FAILURE-REPORTS <node-id>',
  '    Return number of failure reports for <node-id>.',
  'COUNTKEYSINSLOT <slot>',
  '    Return the number of keys in <slot>.',
  'DELSLOTS <slot> [<slot> ...]',
  '    Delete slots information from current node.',
  'DELSLOTSRANGE <start slot> <end slot> [<start slot> <end slot> ...]',
  '    Delete slots information which are between <start-slot> and <end-slot> from current node.',
  'FAILOVER [FORCE|TAKEOVER]',
  '    Promote current replica node to being a master.',
  'FORGET <node-id>',
  '    Remove a node from the cluster.',
  'GETKEYSINSLOT <slot> <count>',
  '    Return key names stored by current node in a slot.',
  'FLUSHSLOTS',
  '    Delete current node own slots information.',
  'INFO',
  '    Return information about the cluster.',
  'KEYSLOT <key>',
  '    Return the hash slot for <key>.',
  'MEET <ip> <port> [<bus-port>]',
  '    Connect nodes into a working cluster.',
  'MYID',
  '    Return the node id.',
  'NODES',
  '    Return cluster configuration seen by node. Output format:',
  '    <id> <ip:port> <flags> <master> <pings> <pongs> <epoch> <link> <slot> ...',
  'REPLICATE <node-id>',
  '    Configure current node as replica to <node-id>.',
  'RESET [HARD|SOFT]',
  '    Reset current node (default: soft).',
  'SET-CONFIG-EPOCH <epoch>',
  '    Set config epoch of current node.',
  'SETSLOT <slot> (IMPORTING <node-id>|MIGRATING <node-id>|STABLE|NODE <node-id>)',
  '    Set slot state.',
  'REPLICAS <node-id>',
  '    Return <node-id> replicas.',
  'SAVECONFIG',
  '    Force saving cluster configuration on disk.',
  'SLOTS',
  '    Return information about slots range mappings. Each range is made of:',
  '    start, end, master and replicas IP addresses, ports and ids',
  'SHARDS',
  '    Return information about slot range mappings and the nodes associated with them.',
  'LINKS',
  '    Return information about all network links between this node and its peers.',
  '    Output format is an array where each array element is a map containing attributes of a link',
];

/** The cluster service, or null after replying that cluster support is disabled. */
function clusterOf(ctx: CommandContext): ClusterApi | null {
  const cluster = ctx.server.cluster;
  if (cluster === null) ctx.reply.error(CLUSTER_DISABLED);
  return cluster;
}

/** A CLUSTER handler that runs only in cluster mode. */
function withCluster(handler: (ctx: CommandContext, argv: string[], cluster: ClusterApi) => void): (ctx: CommandContext, argv: string[]) => void {
  return (ctx, argv) => {
    const cluster = clusterOf(ctx);
    if (cluster !== null) handler(ctx, argv, cluster);
  };
}

/** Redis's getSlotOrReply. */
function slotArg(ctx: CommandContext, text: string): number | null {
  const slot = parseInt64(text);
  if (slot === null || typeof slot === 'bigint' || slot < 0 || slot >= SLOTS) {
    ctx.reply.error('ERR Invalid or out of range slot');
    return null;
  }
  return slot;
}

/** getLongLongFromObjectOrReply. */
function integerArg(ctx: CommandContext, text: string): number | bigint | null {
  const value = parseInt64(text);
  if (value === null) ctx.reply.error(ERR_NOT_INTEGER);
  return value;
}

function replyResult(ctx: CommandContext, error: string | null): void {
  if (error === null) ctx.reply.ok();
  else ctx.reply.error(error);
}

function addOrDelSlots(ctx: CommandContext, argv: string[], cluster: ClusterApi, del: boolean): void {
  const ranges: Array<[number, number]> = [];
  for (let j = 2; j < argv.length; j++) if (slotArg(ctx, argv[j]) === null) return;
  for (let j = 2; j < argv.length; j++) {
    const slot = slotArg(ctx, argv[j]) as number;
    ranges.push([slot, slot]);
  }
  replyResult(ctx, cluster.updateSlots(ranges, del));
}

function addOrDelSlotsRange(ctx: CommandContext, argv: string[], cluster: ClusterApi, del: boolean): void {
  if (argv.length % 2 === 1) {
    ctx.reply.error(`ERR wrong number of arguments for '${argv[0].toLowerCase()}|${argv[1].toLowerCase()}' command`);
    return;
  }
  const ranges: Array<[number, number]> = [];
  for (let j = 2; j < argv.length; j += 2) {
    const start = slotArg(ctx, argv[j]);
    if (start === null) return;
    const end = slotArg(ctx, argv[j + 1]);
    if (end === null) return;
    if (start > end) {
      ctx.reply.error(`ERR start slot number ${start} is greater than end slot number ${end}`);
      return;
    }
    ranges.push([start, end]);
  }
  // Redis checks each range against the slots as they are and against the ranges before it.
  replyResult(ctx, cluster.updateSlots(ranges, del));
}

function setSlot(ctx: CommandContext, argv: string[], cluster: ClusterApi): void {
  if (cluster.isReplica) {
    ctx.reply.error('ERR Please use SETSLOT only with masters.');
    return;
  }
  const slot = slotArg(ctx, argv[2]);
  if (slot === null) return;
  const action = argv[3].toLowerCase();
  if ((action === 'migrating' || action === 'importing' || action === 'node') && argv.length === 5) {
    replyResult(ctx, cluster.setSlot(slot, action, argv[4]));
  } else if (action === 'stable' && argv.length === 4) {
    replyResult(ctx, cluster.setSlot(slot, 'stable', ''));
  } else {
    ctx.reply.error('ERR Invalid CLUSTER SETSLOT action or number of arguments. Try CLUSTER HELP');
  }
}

/** One node of a CLUSTER SLOTS range (Redis's addNodeToNodeReply). */
function replyEndpoint(ctx: CommandContext, node: ClusterEndpointView): void {
  const r = ctx.reply;
  r.arrayLength(4);
  if (node.endpoint === null) r.nullBulk();
  else r.bulk(node.endpoint);
  r.integer(node.port);
  r.bulk(node.name);
  r.mapLength(node.extra.length);
  for (const [name, value] of node.extra) {
    r.bulk(name);
    r.bulk(value);
  }
}

function slots(ctx: CommandContext, _argv: string[], cluster: ClusterApi): void {
  const ranges = cluster.slotsView();
  const r = ctx.reply;
  r.arrayLength(ranges.length);
  for (const range of ranges) {
    r.arrayLength(2 + range.nodes.length);
    r.integer(range.start);
    r.integer(range.end);
    for (const node of range.nodes) replyEndpoint(ctx, node);
  }
}

function shards(ctx: CommandContext, _argv: string[], cluster: ClusterApi): void {
  const r = ctx.reply;
  const list = cluster.shardsView();
  r.arrayLength(list.length);
  for (const shard of list) {
    r.mapLength(2);
    r.bulk('slots');
    r.arrayLength(shard.slots.length);
    for (const bound of shard.slots) r.integer(bound);
    r.bulk('nodes');
    r.arrayLength(shard.nodes.length);
    for (const node of shard.nodes) {
      const hasPort = node.port !== 0;
      const hasHostname = node.hostname !== '';
      r.mapLength(6 + (hasPort ? 1 : 0) + (hasHostname ? 1 : 0));
      r.bulk('id');
      r.bulk(node.id);
      if (hasPort) {
        r.bulk('port');
        r.integer(node.port);
      }
      r.bulk('ip');
      r.bulk(node.ip);
      r.bulk('endpoint');
      r.bulk(node.endpoint);
      if (hasHostname) {
        r.bulk('hostname');
        r.bulk(node.hostname);
      }
      r.bulk('role');
      r.bulk(node.role);
      r.bulk('replication-offset');
      r.integer(node.replicationOffset);
      r.bulk('health');
      r.bulk(node.health);
    }
  }
}

function countKeysInSlot(ctx: CommandContext, argv: string[], cluster: ClusterApi): void {
  const slot = integerArg(ctx, argv[2]);
  if (slot === null) return;
  if (typeof slot === 'bigint' || slot < 0 || slot >= SLOTS) {
    ctx.reply.error('ERR Invalid slot');
    return;
  }
  ctx.reply.integer(cluster.countKeysInSlot(slot));
}

function getKeysInSlot(ctx: CommandContext, argv: string[], cluster: ClusterApi): void {
  const slot = integerArg(ctx, argv[2]);
  if (slot === null) return;
  const maxKeys = integerArg(ctx, argv[3]);
  if (maxKeys === null) return;
  if (typeof slot === 'bigint' || slot < 0 || slot >= SLOTS || maxKeys < 0) {
    ctx.reply.error('ERR Invalid slot or number of keys');
    return;
  }
  const count = typeof maxKeys === 'bigint' ? Number.MAX_SAFE_INTEGER : maxKeys;
  ctx.reply.bulkArray(cluster.keysInSlot(slot, count));
}

function setConfigEpoch(ctx: CommandContext, argv: string[], cluster: ClusterApi): void {
  const epoch = integerArg(ctx, argv[2]);
  if (epoch === null) return;
  replyResult(ctx, cluster.setConfigEpoch(BigInt(epoch)));
}

function reset(ctx: CommandContext, argv: string[], cluster: ClusterApi): void {
  let hard = false;
  if (argv.length === 3) {
    if (isKeyword(argv[2], 'HARD')) hard = true;
    else if (!isKeyword(argv[2], 'SOFT')) {
      ctx.reply.error(ERR_SYNTAX);
      return;
    }
  } else if (argv.length > 3) {
    replySubcommandSyntaxError(ctx, argv);
    return;
  }
  replyResult(ctx, cluster.reset(hard, ctx.db.size));
}

function busSubcommand(name: 'meet' | 'forget' | 'links' | 'failover'): (ctx: CommandContext, argv: string[], cluster: ClusterApi) => void {
  return (ctx, argv, cluster) => {
    if (!cluster.busCommand(name, ctx, argv)) ctx.reply.error(`ERR unknown subcommand '${argv[1]}'. Try CLUSTER HELP.`);
  };
}

/** A subcommand spec; `exact` arity > 0, at-least arity < 0, as Redis declares them. */
function sub(
  name: string, arity: number, flags: readonly CommandFlag[], summary: string, since: string,
  handler: (ctx: CommandContext, argv: string[], cluster: ClusterApi) => void, tips?: readonly string[],
): CommandSpec {
  return {
    name, arity, flags, acl: [], summary, since, group: 'cluster', handler: withCluster(handler),
    ...(tips === undefined ? {} : { tips }),
  };
}

const ADMIN: readonly CommandFlag[] = ['no_async_loading', 'admin', 'stale'];
const NONDETERMINISTIC = ['nondeterministic_output'];

export const clusterCommands: CommandSpec[] = [
  {
    name: 'cluster', arity: -2, flags: [], acl: [], summary: 'A container for cluster commands.', since: '3.0.0', group: 'cluster',
    subcommands: [
      sub('addslots', -3, ADMIN, 'Assigns new hash slots to this node.', '3.0.0', (ctx, argv, c) => addOrDelSlots(ctx, argv, c, false)),
      sub('addslotsrange', -4, ADMIN, 'Assigns ranges of hash slots to this node.', '7.0.0', (ctx, argv, c) => addOrDelSlotsRange(ctx, argv, c, false)),
      sub('bumpepoch', 2, ADMIN, 'Advances the config epoch of this node.', '3.0.0', (ctx, _argv, c) => {
        const { bumped, epoch } = c.bumpEpoch();
        ctx.reply.simple(`${bumped ? 'BUMPED' : 'STILL'} ${epoch}`);
      }, NONDETERMINISTIC),
      sub('count-failure-reports', 3, ['admin', 'stale'], 'Counts the failure reports about a node.', '3.0.0', (ctx, argv, c) => {
        const count = c.countFailureReports(argv[2]);
        if (typeof count === 'string') ctx.reply.error(count);
        else ctx.reply.integer(count);
      }, NONDETERMINISTIC),
      sub('countkeysinslot', 3, ['stale'], 'Counts the keys of a hash slot on this node.', '3.0.0', countKeysInSlot),
      sub('delslots', -3, ADMIN, 'Unassigns hash slots.', '3.0.0', (ctx, argv, c) => addOrDelSlots(ctx, argv, c, true)),
      sub('delslotsrange', -4, ADMIN, 'Unassigns ranges of hash slots.', '7.0.0', (ctx, argv, c) => addOrDelSlotsRange(ctx, argv, c, true)),
      sub('failover', -2, ADMIN, 'Makes a replica take over its primary.', '3.0.0', (ctx, argv, c) => {
        if (argv.length > 3) replySubcommandSyntaxError(ctx, argv);
        else busSubcommand('failover')(ctx, argv, c);
      }),
      sub('flushslots', 2, ADMIN, "Unassigns all of this node's slots.", '3.0.0', (ctx, _argv, c) => replyResult(ctx, c.flushSlots())),
      sub('forget', 3, ADMIN, 'Removes a node from the nodes table.', '3.0.0', busSubcommand('forget')),
      sub('getkeysinslot', 4, ['stale'], 'Lists key names of a hash slot on this node.', '3.0.0', getKeysInSlot, NONDETERMINISTIC),
      sub('help', 2, ['loading', 'stale'], 'Shows the CLUSTER subcommands.', '5.0.0', (ctx, argv) => replyHelp(ctx, argv[0], HELP)),
      sub('info', 2, ['stale'], 'Reports the cluster state of this node.', '3.0.0', (ctx, _argv, c) => ctx.reply.verbatim(c.infoText()), NONDETERMINISTIC),
      sub('keyslot', 3, ['stale'], 'Gives the hash slot of a key.', '3.0.0', (ctx, argv, c) => ctx.reply.integer(c.keySlot(argv[2]))),
      sub('links', 2, ['stale'], 'Lists the bus links to and from other nodes.', '7.0.0', busSubcommand('links'), NONDETERMINISTIC),
      sub('meet', -4, ADMIN, 'Joins another node into the cluster.', '3.0.0', (ctx, argv, c) => {
        if (argv.length > 5) replySubcommandSyntaxError(ctx, argv);
        else busSubcommand('meet')(ctx, argv, c);
      }),
      sub('myid', 2, ['stale'], 'Gives the id of this node.', '3.0.0', (ctx, _argv, c) => ctx.reply.bulk(c.myId)),
      sub('nodes', 2, ['stale'], 'Lists the nodes of the cluster as this node sees them.', '3.0.0', (ctx, _argv, c) => ctx.reply.verbatim(c.nodesText()), NONDETERMINISTIC),
      sub('replicas', 3, ['admin', 'stale'], 'Lists the replicas of a primary.', '5.0.0', replicaLines, NONDETERMINISTIC),
      sub('replicate', 3, ADMIN, 'Makes this node a replica of a primary.', '3.0.0', (ctx, argv, c) => replyResult(ctx, c.replicate(argv[2]))),
      sub('reset', -2, ['admin', 'stale', 'noscript'], 'Resets this node.', '3.0.0', reset),
      sub('saveconfig', 2, ADMIN, 'Writes the cluster configuration to disk.', '3.0.0', (ctx, _argv, c) => {
        const failure = c.saveConfig();
        if (failure === null) ctx.reply.ok();
        else ctx.reply.error(`ERR error saving the cluster node config: ${failure}`);
      }),
      sub('set-config-epoch', 3, ADMIN, 'Sets the config epoch of a new node.', '3.0.0', setConfigEpoch),
      sub('setslot', -4, ADMIN, 'Binds a hash slot to a node, or marks its migration.', '3.0.0', setSlot),
      sub('shards', 2, ['stale'], 'Lists the shards of the cluster.', '7.0.0', shards, NONDETERMINISTIC),
      sub('slaves', 3, ['admin', 'stale'], 'Lists the replicas of a primary (old name).', '3.0.0', replicaLines, NONDETERMINISTIC),
      sub('slots', 2, ['stale'], 'Lists the slot ranges and their nodes.', '3.0.0', slots, NONDETERMINISTIC),
    ],
  },
  {
    name: 'asking', arity: 1, flags: ['fast'], acl: ['connection'],
    summary: 'Lets the next command use a slot this node is importing.', since: '3.0.0', group: 'cluster', complexity: 'O(1)',
    handler: (ctx) => {
      if (clusterOf(ctx) === null) return;
      ctx.client.asking = true;
      ctx.client.askingFresh = true;
      ctx.reply.ok();
    },
  },
];

function replicaLines(ctx: CommandContext, argv: string[], cluster: ClusterApi): void {
  const lines = cluster.replicaLines(argv[2]);
  if (typeof lines === 'string') {
    ctx.reply.error(lines);
    return;
  }
  ctx.reply.arrayLength(lines.length);
  for (const line of lines) ctx.reply.bulk(line);
}

/** READONLY / READWRITE (in connection.ts's table). */
export function clusterReadMode(readOnly: boolean): (ctx: CommandContext) => void {
  return (ctx) => {
    if (clusterOf(ctx) === null) return;
    ctx.client.clusterReadOnly = readOnly;
    ctx.reply.ok();
  };
}
