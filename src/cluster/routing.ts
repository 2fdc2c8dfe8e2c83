/**
 * Which node serves a command (Redis's getNodeByQuery and clusterRedirectClient), as the check
 * the engine runs after ACL in cluster mode. The check is in the list only when cluster-enabled
 * is yes, so a standalone node pays nothing.
 */
import type { ServerApi } from '../commands/context.js';
import { commandKeys } from '../commands/introspection.js';
import type { Command } from '../commands/types.js';
import { DROPPED, type CommandCheck } from '../engine/checks.js';
import type { Client } from '../engine/client.js';
import type { Config } from '../config/config.js';
import type { Db } from '../store/db.js';
import { keyHashSlot } from './key-slot.js';
import type { ClusterNode } from './node.js';
import type { ClusterState } from './state.js';

export const CROSSSLOT_ERROR = "CROSSSLOT Keys in request don't hash to the same slot";
export const TRYAGAIN_ERROR = 'TRYAGAIN Multiple keys request during rehashing of slot';
export const CLUSTERDOWN_STATE_ERROR = 'CLUSTERDOWN The cluster is down';
export const CLUSTERDOWN_RO_ERROR = 'CLUSTERDOWN The cluster is down and only accepts read commands';
export const CLUSTERDOWN_UNBOUND_ERROR = 'CLUSTERDOWN Hash slot not served';

/** One command of the request (EXEC routes its whole queue). */
interface RoutedCommand {
  command: Command;
  argv: readonly string[];
}

/** The verdict: serve here (null), or the error reply that redirects or refuses. */
export type Route = null | string;

/** A verdict with the slot of the request's keys (-1 when it names none, or was refused before one was known). */
export interface RoutedRequest {
  route: Route;
  slot: number;
}

const SHARD_PUBSUB = new Set(['ssubscribe', 'sunsubscribe', 'spublish']);

/** The keys (or shard channels) a command names, as argv positions. */
function routedKeys(command: Command, argv: readonly string[]): number[] {
  if (SHARD_PUBSUB.has(command.fullName)) {
    // Their channels are not keys, yet the legacy key range Redis routes by covers them.
    const last = command.fullName === 'spublish' ? Math.min(1, argv.length - 1) : argv.length - 1;
    const positions: number[] = [];
    for (let i = 1; i <= last; i++) positions.push(i);
    return positions;
  }
  return commandKeys(command, argv).map((key) => key.pos);
}

export interface RoutingContext {
  readonly state: ClusterState;
  readonly config: Config;
  readonly db0: Db;
  readonly server: ServerApi;
}

/** The node of a preferred-endpoint MOVED/ASK target, as Redis prints it. */
function endpointOf(config: Config, node: ClusterNode): string {
  switch (config.str('cluster-preferred-endpoint-type')) {
    case 'hostname': return node.hostname !== '' ? node.hostname : '?';
    case 'unknown-endpoint': return '';
    default: return node.ip;
  }
}

function isWriteCommand(server: ServerApi, command: Command, argv: readonly string[]): boolean {
  if (command.isWrite) return true;
  if (command.runtimeFlags === null) return false;
  // A script declaring flags writes unless it said no-writes (Redis's scriptFlagsToCmdFlags).
  return command.runtimeFlags(server, argv)?.mayReplicate === true;
}

/**
 * Redis's getNodeByQuery + clusterRedirectClient: null when this node serves the request, else
 * the error to reply (MOVED/ASK redirections, CROSSSLOT, TRYAGAIN, CLUSTERDOWN).
 */
export function routeRequest(ctx: RoutingContext, client: Client, command: Command, argv: readonly string[]): Route {
  return findRoute(ctx, client, command, argv);
}

/** routeRequest with the request's slot (scripts remember the first slot they touch). */
export function routeWithSlot(ctx: RoutingContext, client: Client, command: Command, argv: readonly string[]): RoutedRequest {
  const route = findRoute(ctx, client, command, argv);
  return { route, slot: routedSlot };
}

/**
 * The slot of the request findRoute judged last (-1 when it names none, or was refused before
 * one was known): a module variable, so the per-command check allocates nothing to return it.
 */
let routedSlot = -1;

function findRoute(ctx: RoutingContext, client: Client, command: Command, argv: readonly string[]): Route {
  routedSlot = -1;
  // Most commands name one key at a fixed place (GET, SET, INCR, HSET...): judged without
  // extracting key references.
  const keyIndex = command.singleKeyIndex;
  if (keyIndex > 0 && keyIndex < argv.length && !command.isExec) return routeSingleKey(ctx, client, command, argv, argv[keyIndex]);
  return routeGeneral(ctx, client, command, argv);
}

/**
 * Whether a key of a migrating or importing slot is here, judged as Redis's getNodeByQuery judges
 * it (LOOKUP_NOEXPIRE: an expired key counts as missing but stays until something expires it) at
 * the clock's real time: the routing check runs before call() sets the command's time, and the
 * previous command's time would count a key that expired since as present (served here and
 * found missing, instead of ASK).
 */
function keyExistsNow(ctx: RoutingContext, key: string): boolean {
  return ctx.db0.holds(key, false) && !ctx.db0.isExpired(key, Date.now());
}

function routeSingleKey(ctx: RoutingContext, client: Client, command: Command, argv: readonly string[], key: string): Route {
  const state = ctx.state;
  const slot = keyHashSlot(key);
  const owner = state.slots[slot];
  if (owner === null) return CLUSTERDOWN_UNBOUND_ERROR;
  let migrating = false;
  let importing = false;
  let missingKeys = 0;
  let existingKeys = 0;
  if (owner === state.myself && state.migratingTo[slot] !== null) migrating = true;
  else if (state.importingFrom[slot] !== null) importing = true;
  if (migrating || importing) {
    if (keyExistsNow(ctx, key)) existingKeys++;
    else missingKeys++;
  }
  return verdict(ctx, client, command, argv, slot, owner, false, false, migrating, importing, missingKeys, existingKeys);
}

function routeGeneral(ctx: RoutingContext, client: Client, command: Command, argv: readonly string[]): Route {
  const state = ctx.state;
  const myself = state.myself;
  let commands: readonly RoutedCommand[];
  if (command.isExec) {
    if (!client.inMulti) return null;
    commands = client.multiQueue;
  } else {
    commands = [{ command, argv }];
  }
  const isShardPubsub = SHARD_PUBSUB.has(command.fullName);

  let firstKey: string | null = null;
  let slot = 0;
  let owner: ClusterNode | null = null;
  let multipleKeys = false;
  let migrating = false;
  let importing = false;
  let missingKeys = 0;
  let existingKeys = 0;
  for (const routed of commands) {
    for (const pos of routedKeys(routed.command, routed.argv)) {
      const key = routed.argv[pos];
      const keySlot = keyHashSlot(key);
      if (firstKey === null) {
        firstKey = key;
        slot = keySlot;
        owner = state.slots[slot];
        if (owner === null) return CLUSTERDOWN_UNBOUND_ERROR;
        if (owner === myself && state.migratingTo[slot] !== null) migrating = true;
        else if (state.importingFrom[slot] !== null) importing = true;
      } else if (key !== firstKey) {
        if (keySlot !== slot) return CROSSSLOT_ERROR;
        multipleKeys = true;
      }
      if ((migrating || importing) && !isShardPubsub) {
        if (keyExistsNow(ctx, key)) existingKeys++;
        else missingKeys++;
      }
    }
  }
  if (owner === null) return null;
  return verdict(ctx, client, command, argv, slot, owner, isShardPubsub, multipleKeys, migrating, importing, missingKeys, existingKeys);
}

/** The redirection (or refusal) for a request whose keys all hash to `slot`, served by `owner`. */
function verdict(
  ctx: RoutingContext, client: Client, command: Command, argv: readonly string[], slot: number, owner: ClusterNode,
  isShardPubsub: boolean, multipleKeys: boolean, migrating: boolean, importing: boolean, missingKeys: number, existingKeys: number,
): Route {
  const state = ctx.state;
  const myself = state.myself;
  const isWrite = command.isExec
    ? client.multiQueue.some((queued) => isWriteCommand(ctx.server, queued.command, queued.argv))
    : isWriteCommand(ctx.server, command, argv);
  if (state.state !== 'ok') {
    if (isShardPubsub) {
      if (!ctx.config.bool('cluster-allow-pubsubshard-when-down')) return CLUSTERDOWN_STATE_ERROR;
    } else if (!ctx.config.bool('cluster-allow-reads-when-down')) {
      return CLUSTERDOWN_STATE_ERROR;
    } else if (!command.isExec && isWrite) {
      // Redis judges the command's own flags here (EXEC itself is no write).
      return CLUSTERDOWN_RO_ERROR;
    }
  }

  routedSlot = slot;
  if ((migrating || importing) && command.fullName === 'migrate') return null;
  if (migrating && missingKeys > 0) {
    if (existingKeys > 0) return TRYAGAIN_ERROR;
    const target = state.migratingTo[slot] as ClusterNode;
    // processCommand redirects only to another node: a slot "migrating" to myself is served.
    if (target === myself) return null;
    return `ASK ${slot} ${endpointOf(ctx.config, target)}:${target.port}`;
  }
  if (importing && (client.asking || command.spec.flags.includes('asking'))) {
    return multipleKeys && missingKeys > 0 ? TRYAGAIN_ERROR : null;
  }
  if ((client.clusterReadOnly || isShardPubsub) && !isWrite && myself.isReplica && myself.replicaOf === owner) return null;
  if (owner !== myself) return `MOVED ${slot} ${endpointOf(ctx.config, owner)}:${owner.port}`;
  return null;
}

/** Whether Redis routes the command at all: it names keys (or may), or it is EXEC. */
function routes(command: Command): boolean {
  return command.isExec || (command.spec.keySpecs?.length ?? 0) > 0 || command.spec.getKeys !== undefined;
}

/**
 * The routing check. A refused EXEC ends the transaction and gets the redirection itself (not
 * EXECABORT); any other refused command inside MULTI makes EXEC fail, as a refused command does.
 */
export function clusterRoutingCheck(ctx: RoutingContext): CommandCheck {
  return {
    name: 'cluster',
    appliesTo: routes,
    // Cluster mode routes every keyed command, also on a quiet node (where the other checks are
    // skipped: they would pass).
    runsWhenQuiet: true,
    // Redis routes no command of the primary's link (mustObeyClient).
    passesReplayingClients: true,
    run: (client, command, argv) => {
      if (client.replaysData) return null;
      const route = routeRequest(ctx, client, command, argv);
      if (route === null) return null;
      if (!command.isExec) return route;
      command.stats.rejectedCalls++;
      client.discardTransaction();
      client.reply.error(route);
      return DROPPED;
    },
  };
}

/**
 * Redis's clusterRedirectBlockedClientIfNeeded: the error that ends a block on keys whose slot
 * this node no longer serves (MOVED, or CLUSTERDOWN when unassigned or the cluster is down),
 * else null. `isWrite`: the blocked command writes (a READONLY client's read may stay on a replica).
 */
export function blockedClientRedirect(ctx: RoutingContext, client: Client, keys: readonly string[], isWrite: boolean): string | null {
  const state = ctx.state;
  if (state.state === 'fail') return CLUSTERDOWN_STATE_ERROR;
  if (keys.length === 0) return null;
  const slot = keyHashSlot(keys[0]);
  let node = state.slots[slot];
  const myself = state.myself;
  if (client.clusterReadOnly && !isWrite && myself.isReplica && myself.replicaOf === node) node = myself;
  if (node === myself || state.importingFrom[slot] !== null) return null;
  if (node === null) return CLUSTERDOWN_UNBOUND_ERROR;
  return `MOVED ${slot} ${endpointOf(ctx.config, node)}:${node.port}`;
}
