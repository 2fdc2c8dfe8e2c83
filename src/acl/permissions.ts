// Whether a user may run a command line (Redis's ACLCheckAllUserCommandPerm): each selector is
// asked in turn; the first that allows the command, every key it names with the access its key
// specs declare, and every channel, lets it run. The keys come from the command table's key
// specs (the same extraction as COMMAND GETKEYS), the channels from its channel specs.

import { commandKeys, singleKeyFlags, type KeyReference } from '../commands/introspection.js';
import type { Command, KeySpecFlag } from '../commands/types.js';
import { globMatch } from '../util/glob.js';
import { patternMatches, PERM_READ, PERM_WRITE, type Selector } from './selector.js';
import type { AclUser } from './user.js';

/** Redis's ACL_OK / ACL_DENIED_*: the order matters, a later kind of denial is reported first. */
export const ACL_OK = 0;
export const DENIED_COMMAND = 1;
export const DENIED_KEY = 2;
export const DENIED_AUTH = 3;
export const DENIED_CHANNEL = 4;

export type Denial = typeof DENIED_COMMAND | typeof DENIED_KEY | typeof DENIED_AUTH | typeof DENIED_CHANNEL;

export interface PermissionResult {
  result: typeof ACL_OK | Denial;
  /** The argv index of the key or channel refused. */
  index: number;
}

/** Read/write permissions a key reference needs (access = read; insert, delete, update = write). */
function neededPermissions(flags: readonly KeySpecFlag[]): number {
  let needed = 0;
  for (const f of flags) {
    if (f === 'access') needed |= PERM_READ;
    else if (f === 'insert' || f === 'delete' || f === 'update') needed |= PERM_WRITE;
  }
  return needed;
}

function keyAllowed(s: Selector, key: string, needed: number): boolean {
  if (s.allKeys) return true;
  const keys = s.keys;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    if ((k.flags & needed) !== needed) continue;
    if (patternMatches(k, key)) return true;
  }
  return false;
}

/** A channel (glob-matched) or a channel pattern (compared literally) against the rules. */
export function channelAllowed(channels: readonly string[], channel: string, isPattern: boolean): boolean {
  for (const rule of channels) {
    if (isPattern ? rule === channel : globMatch(rule, channel)) return true;
  }
  return false;
}

/**
 * The keys of the command line being checked, extracted once for all its selectors (one check
 * runs at a time: module state avoids an allocation per check).
 */
let cachedKeys: KeyReference[] | null = null;

function keysOf(command: Command, argv: readonly string[]): KeyReference[] {
  return (cachedKeys ??= commandKeys(command, argv));
}

function commandAllowed(s: Selector, command: Command, argv: readonly string[]): boolean {
  if (s.allCommands || command.noAuth || s.allowed[command.id] === 1) return true;
  // A denied command may still be allowed with a given first argument (+select|0).
  const firstArgs = s.firstArgs?.get(command.id);
  if (firstArgs === undefined || argv.length < 2) return false;
  const arg = argv[command.parent !== null ? 2 : 1];
  if (arg === undefined) return false;
  const lower = arg.toLowerCase();
  return firstArgs.some((a) => a.toLowerCase() === lower);
}

function checkSelector(s: Selector, command: Command, argv: readonly string[], out: PermissionResult): void {
  if (!commandAllowed(s, command, argv)) {
    out.result = DENIED_COMMAND;
    out.index = 0;
    return;
  }
  const single = command.singleKeyIndex;
  if (!s.allKeys && single !== 0 && single < argv.length) {
    if (!keyAllowed(s, argv[single], neededPermissions(singleKeyFlags(command, argv, single)))) {
      out.result = DENIED_KEY;
      out.index = single;
      return;
    }
  } else if (!s.allKeys && command.hasKeys && single === 0) {
    for (const ref of keysOf(command, argv)) {
      if (!keyAllowed(s, argv[ref.pos], neededPermissions(ref.flags))) {
        out.result = DENIED_KEY;
        out.index = ref.pos;
        return;
      }
    }
  }
  const channels = command.channels;
  if (!s.allChannels && channels !== null && channels.access !== 'unsubscribe') {
    const stop = channels.count === -1 ? argv.length : Math.min(argv.length, channels.start + channels.count);
    for (let i = channels.start; i < stop; i++) {
      if (!channelAllowed(s.channels, argv[i], channels.pattern)) {
        out.result = DENIED_CHANNEL;
        out.index = i;
        return;
      }
    }
  }
  out.result = ACL_OK;
  out.index = 0;
}

/** The result object checkCommand returns, reused: read it before the next check. */
const lastResult: PermissionResult = { result: ACL_OK, index: 0 };

/**
 * Checks a command line against every selector of the user. When none allows it: the command
 * denial if no selector allowed the command, else the key or channel denial at the furthest
 * argument (Redis's choice of the one error to report and log).
 */
export function checkCommand(u: AclUser, command: Command, argv: readonly string[]): PermissionResult {
  cachedKeys = null;
  const attempt = lastResult;
  let relevant: PermissionResult['result'] = DENIED_COMMAND;
  let lastIndex = 0;
  const selectors = u.selectors;
  for (let i = 0; i < selectors.length; i++) {
    checkSelector(selectors[i], command, argv, attempt);
    if (attempt.result === ACL_OK) {
      cachedKeys = null;
      return attempt;
    }
    if (attempt.result > relevant || (attempt.result === relevant && attempt.index > lastIndex)) {
      relevant = attempt.result;
      lastIndex = attempt.index;
    }
  }
  cachedKeys = null;
  attempt.result = relevant;
  attempt.index = lastIndex;
  return attempt;
}

/** Whether some selector allows this channel (Redis's ACLUserCheckChannelPerm). */
export function userChannelAllowed(u: AclUser, channel: string, isPattern: boolean): boolean {
  for (const s of u.selectors) {
    if (s.allChannels || channelAllowed(s.channels, channel, isPattern)) return true;
  }
  return false;
}
