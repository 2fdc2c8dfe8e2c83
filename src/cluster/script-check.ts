/**
 * What a script may touch in cluster mode (Redis's scriptVerifyClusterState): every command it
 * runs is routed as if sent by its caller (the caller's ASKING and READONLY count); keys served
 * elsewhere are refused, and unless the script allows cross-slot keys (an EVAL without a
 * shebang, or the allow-cross-slot-keys flag) all its keys must share the first slot it used,
 * its declared keys' slot included.
 */
import { commandKeys } from '../commands/introspection.js';
import type { Command } from '../commands/types.js';
import type { Client } from '../engine/client.js';
import type { ScriptRun } from '../scripting/script-run.js';
import { keyHashSlot } from './key-slot.js';
import { CLUSTERDOWN_RO_ERROR, CLUSTERDOWN_STATE_ERROR, routeWithSlot, type RoutingContext } from './routing.js';

/** The slot of the keys a script's command declared (EVAL's numkeys keys), -1 for none. */
function declaredSlot(run: ScriptRun, lookup: (argv: readonly string[]) => Command | undefined): number {
  const caller = lookup(run.callerArgv);
  if (caller === undefined) return -1;
  const keys = commandKeys(caller, run.callerArgv);
  return keys.length === 0 ? -1 : keyHashSlot(run.callerArgv[keys[0].pos]);
}

/** The refusal of a command a script calls (the text without "ERR "), or null. */
export function scriptClusterRefusal(
  ctx: RoutingContext, run: ScriptRun, command: Command, argv: readonly string[],
  lookup: (argv: readonly string[]) => Command | undefined,
): string | null {
  const caller = run.caller.client as Client;
  if (caller.replaysData) return null;
  const { route, slot } = routeWithSlot(ctx, caller, command, argv);
  if (route !== null) {
    if (route === CLUSTERDOWN_RO_ERROR) return 'Script attempted to execute a write command while the cluster is down and readonly';
    if (route === CLUSTERDOWN_STATE_ERROR) return 'Script attempted to execute a command while the cluster is down';
    return 'Script attempted to access a non local key in a cluster node';
  }
  if (slot === -1 || run.flags.compatMode || run.flags.allowCrossSlot) return null;
  if (run.clusterSlot === null) run.clusterSlot = declaredSlot(run, lookup);
  if (run.clusterSlot === -1) {
    run.clusterSlot = slot;
  } else if (run.clusterSlot !== slot) {
    return 'Script attempted to access keys that do not hash to the same slot';
  }
  return null;
}
