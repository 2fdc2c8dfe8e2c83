// Users and selectors back as rule strings (ACL LIST, ACL GETUSER, ACL SAVE, CONFIG REWRITE), in
// Redis's canonical order: flags, password hashes, keys, channels, then commands as "+@all" or
// "-@all" followed by the categories that fit best and the single commands that still differ
// (Redis's ACLDescribeSelectorCommandRules, the same greedy choice).

import { ACL_CATEGORIES } from '../commands/acl-categories.js';
import type { Command } from '../commands/types.js';
import {
  changeCategoryPermission, changeCommandPermission, PERM_ALL, PERM_READ, PERM_WRITE,
  Selector, type AclCommandSet, type KeyPattern,
} from './selector.js';
import type { AclUser } from './user.js';

export function keyPatternText(k: KeyPattern): string {
  if (k.flags === PERM_ALL) return '~' + k.pattern;
  if (k.flags === PERM_READ) return '%R~' + k.pattern;
  if (k.flags === PERM_WRITE) return '%W~' + k.pattern;
  throw new Error('invalid key pattern flags');
}

/** Commands of one category allowed (on) and denied (off) in `allowed`. */
function countCategory(allowed: Uint8Array, bit: number, commands: AclCommandSet): { on: number; off: number } {
  let on = 0;
  let off = 0;
  for (const command of commands.all) {
    if ((command.aclCategories & bit) === 0) continue;
    if (allowed[command.id] === 1) on++;
    else off++;
  }
  return { on, off };
}

/** The command rules of a selector, "+@all -@string +incr" or "-@all +@set +acl". */
export function describeCommandRules(s: Selector, commands: AclCommandSet): string {
  const parts: string[] = [];
  const additive = !s.futureCommands;
  // The rules are applied to a scratch selector as they are chosen, so the single-command pass
  // knows what still differs.
  const fake = new Selector(false, s.allowed.length);
  if (additive) {
    parts.push('-@all');
  } else {
    parts.push('+@all');
    fake.allowed.fill(1);
  }
  // The commands no chosen category has covered yet.
  const remaining = new Selector(false, s.allowed.length);
  remaining.allowed.set(s.allowed);
  const applied = new Array<boolean>(ACL_CATEGORIES.length).fill(false);
  for (;;) {
    let best = -1;
    let minDiff = Number.MAX_SAFE_INTEGER;
    let maxSame = 0;
    for (let j = 0; j < ACL_CATEGORIES.length; j++) {
      if (applied[j]) continue;
      const { on, off } = countCategory(remaining.allowed, 1 << j, commands);
      const diff = additive ? off : on;
      const same = additive ? on : off;
      if (same > diff && (diff < minDiff || (diff === minDiff && same > maxSame))) {
        best = j;
        minDiff = diff;
        maxSame = same;
      }
    }
    if (best === -1) break;
    const bit = 1 << best;
    changeCategoryPermission(fake, bit, additive, commands);
    changeCategoryPermission(remaining, bit, !additive, commands);
    parts.push(`${additive ? '+' : '-'}@${ACL_CATEGORIES[best]}`);
    applied[best] = true;
  }
  describeSingleCommands(s, fake, parts, commands.top);
  return parts.join(' ');
}

function describeSingleCommands(s: Selector, fake: Selector, parts: string[], level: Iterable<Command>): void {
  for (const command of level) {
    const userBit = s.allowed[command.id] === 1;
    const fakeBit = fake.allowed[command.id] === 1;
    if (userBit !== fakeBit) {
      parts.push(`${userBit ? '+' : '-'}${command.fullName}`);
      changeCommandPermission(fake, command, userBit);
    }
    if (command.subcommands !== null) describeSingleCommands(s, fake, parts, command.subcommands.values());
    const firstArgs = userBit ? undefined : s.firstArgs?.get(command.id);
    if (firstArgs !== undefined) {
      for (const arg of firstArgs) parts.push(`+${command.fullName}|${arg}`);
    }
  }
}

/** A selector's rules: keys, channels, commands (Redis's ACLDescribeSelector). */
export function describeSelector(s: Selector, commands: AclCommandSet): string {
  let out = '';
  if (s.allKeys) out += '~* ';
  else for (const k of s.keys) out += keyPatternText(k) + ' ';
  if (s.allChannels) {
    out += '&* ';
  } else {
    out += 'resetchannels ';
    for (const c of s.channels) out += '&' + c + ' ';
  }
  return out + describeCommandRules(s, commands);
}

/** Flags of a user in Redis's order (ACLUserFlags), as GETUSER lists them. */
export function userFlags(u: AclUser): string[] {
  const flags: string[] = [];
  flags.push(u.enabled ? 'on' : 'off');
  if (u.nopass) flags.push('nopass');
  if (u.sanitize === 'skip') flags.push('skip-sanitize-payload');
  if (u.sanitize === 'sanitize') flags.push('sanitize-payload');
  return flags;
}

/** The whole user as rules (Redis's ACLDescribeUser), kept on the user until it changes. */
export function describeUser(u: AclUser, commands: AclCommandSet): string {
  if (u.description !== null) return u.description;
  let out = '';
  for (const f of userFlags(u)) out += f + ' ';
  for (const p of u.passwords) out += '#' + p + ' ';
  for (const s of u.selectors) {
    const text = describeSelector(s, commands);
    out += s.root ? text : ` (${text})`;
  }
  u.description = out;
  return out;
}

/** Keys as GETUSER shows them: "~*", or the patterns separated by spaces. */
export function selectorKeysText(s: Selector): string {
  return s.allKeys ? '~*' : s.keys.map(keyPatternText).join(' ');
}

export function selectorChannelsText(s: Selector): string {
  return s.allChannels ? '&*' : s.channels.map((c) => '&' + c).join(' ');
}
