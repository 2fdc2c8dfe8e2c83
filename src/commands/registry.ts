// Builds the command table from the family files' declarations.

import { categoryBits } from './acl-categories.js';
import type { Command, CommandSpec } from './types.js';

/** Commands a RESP2 client in subscribed mode may run (Redis's server.c rule). */
const PUBSUB_CONTEXT_ALLOWED = new Set([
  'ping', 'subscribe', 'ssubscribe', 'unsubscribe', 'sunsubscribe', 'psubscribe', 'punsubscribe', 'quit', 'reset',
]);

/** Ids for resolved commands, unique in the process (tables index per-command data by them). */
let nextCommandId = 0;

/** Commands run at once inside MULTI rather than queued (Redis's processCommand exceptions). */
const RUN_IN_MULTI = new Set(['exec', 'discard', 'multi', 'watch', 'quit', 'reset']);

function resolve(spec: CommandSpec, parent: Command | null): Command {
  const fullName = parent ? `${parent.fullName}|${spec.name}` : spec.name;
  const has = (flag: string): boolean => (spec.flags as readonly string[]).includes(flag);
  const command: Command = {
    id: nextCommandId++,
    spec,
    fullName,
    parent,
    subcommands: null,
    handler: spec.handler ?? null,
    arity: spec.arity,
    aclCategories: categoryBits(spec),
    hasKeys: spec.getKeys !== undefined || (spec.keySpecs ?? []).some((ks) => !ks.flags.includes('not_key')),
    singleKeyIndex: singleKeyIndex(spec),
    channels: spec.channels ?? null,
    isWrite: has('write'),
    isReadonly: has('readonly'),
    isAdmin: has('admin'),
    noAuth: has('no_auth'),
    noMulti: has('no_multi'),
    noScript: has('noscript'),
    allowBusy: has('allow_busy'),
    allowLoading: has('loading'),
    noAsyncLoading: has('no_async_loading'),
    allowStale: has('stale'),
    allowedInPubSub: parent === null && PUBSUB_CONTEXT_ALLOWED.has(spec.name),
    skipMonitor: has('skip_monitor'),
    skipSlowlog: has('skip_slowlog'),
    isFast: has('fast'),
    isProtected: has('protected'),
    mayReplicate: has('write') || has('may_replicate'),
    runsInMulti: parent === null && RUN_IN_MULTI.has(spec.name),
    isExec: parent === null && spec.name === 'exec',
    isTouch: parent === null && spec.name === 'touch',
    takesBigArgs: spec.takesBigArgs === true,
    touchesArbitraryKeys: spec.touchesArbitraryKeys === true,
    denyOom: has('denyoom'),
    runtimeFlags: spec.runtimeFlags ?? null,
    stats: { calls: 0, microseconds: 0, rejectedCalls: 0, failedCalls: 0, latencyHistogram: null },
  };
  if (spec.subcommands) {
    command.subcommands = new Map();
    for (const sub of spec.subcommands) command.subcommands.set(sub.name, resolve(sub, command));
  }
  return command;
}

/** See Command.singleKeyIndex. */
function singleKeyIndex(spec: CommandSpec): number {
  const specs = spec.keySpecs ?? [];
  if (specs.length !== 1 || spec.getKeys !== undefined) return 0;
  const only = specs[0];
  if (only.flags.includes('not_key') || only.flags.includes('incomplete')) return 0;
  if (only.begin.type !== 'index' || only.find.type !== 'range' || only.find.lastKey !== 0) return 0;
  return only.begin.index;
}

export function buildCommandTable(families: ReadonlyArray<readonly CommandSpec[]>): Map<string, Command> {
  const table = new Map<string, Command>();
  for (const family of families) {
    for (const spec of family) {
      if (table.has(spec.name)) throw new Error(`command ${spec.name} declared twice`);
      if (!spec.handler && !spec.subcommands) throw new Error(`command ${spec.name} has no handler`);
      table.set(spec.name, resolve(spec, null));
    }
  }
  return table;
}

/** Every command and subcommand, parents first (for COMMAND COUNT/LIST/INFO and INFO stats). */
export function* allCommands(table: ReadonlyMap<string, Command>): Iterable<Command> {
  for (const command of table.values()) {
    yield command;
    if (command.subcommands) yield* command.subcommands.values();
  }
}

/**
 * Redis's lookupCommandBySds: "get" or "client|list", case-insensitive (COMMAND INFO/DOCS and
 * LATENCY HISTOGRAM name commands this way).
 */
export function lookupCommandByFullName(table: ReadonlyMap<string, Command>, name: string): Command | undefined {
  const parts = name.toLowerCase().split('|');
  if (parts.length > 2) return undefined;
  const top = table.get(parts[0]);
  if (top === undefined || parts.length === 1) return top;
  return top.subcommands?.get(parts[1]);
}
