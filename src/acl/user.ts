// An ACL user (Redis's user struct): flags, SHA-256 password hashes and selectors, the root one
// first. Clients point at their user object, so a change made by ACL SETUSER (applied to a copy,
// then copied in whole) reaches every connection authenticated as that user.

import { createHash, timingSafeEqual } from 'node:crypto';
import type { UserRef } from '../commands/context.js';
import { applySelectorRule, newSelector, selectorFromRuleSet, type AclCommandSet, type RuleError, type Selector } from './selector.js';

/** Length of a password hash in hex (SHA-256). */
export const HASH_HEX_LENGTH = 64;

export type PayloadSanitizing = 'unset' | 'skip' | 'sanitize';

export class AclUser implements UserRef {
  /** Redis keeps on and off as two flags: a new user has neither "on" nor a reset. */
  enabled = false;
  nopass = false;
  sanitize: PayloadSanitizing = 'unset';

  get skipsPayloadSanitizing(): boolean {
    return this.sanitize === 'skip';
  }
  /** Hex SHA-256 hashes, in the order they were added. */
  passwords: string[] = [];
  /** The root selector first. */
  selectors: Selector[];
  /**
   * Some selector allows every command, key and channel: the permission check is skipped. The
   * one field the hot path reads for such a user (the default user, usually).
   */
  fullAccess = false;
  /** The description ACL LIST shows, kept until the next change (Redis's acl_string). */
  description: string | null = null;

  constructor(readonly name: string, commands: AclCommandSet) {
    this.selectors = [newSelector(true, commands)];
  }

  get root(): Selector {
    return this.selectors[0];
  }

  /** Takes every rule of `other` (Redis's ACLCopyUser); the name stays. */
  copyFrom(other: AclUser): void {
    this.enabled = other.enabled;
    this.nopass = other.nopass;
    this.sanitize = other.sanitize;
    this.passwords = [...other.passwords];
    this.selectors = other.selectors.map((s) => s.copy());
    this.description = other.description;
    this.refresh();
  }

  /** Recomputes what is derived from the rules. */
  refresh(): void {
    this.fullAccess = this.selectors.some((s) => s.allCommands && s.allKeys && s.allChannels);
  }

  /** Whether `password` is one of the user's (all hashes compared, in constant time each). */
  passwordMatches(password: string): boolean {
    const hashed = Buffer.from(hashPassword(password), 'latin1');
    let matched = false;
    for (const stored of this.passwords) {
      if (timingSafeEqual(hashed, Buffer.from(stored, 'latin1'))) matched = true;
    }
    return matched;
  }
}

/** The hex SHA-256 of a password given as a latin1 (byte) string. */
export function hashPassword(password: string): string {
  return createHash('sha256').update(password, 'latin1').digest('hex');
}

/** A 64-character lower-case hex string (Redis's ACLCheckPasswordHash). */
function validHash(text: string): boolean {
  return /^[0-9a-f]{64}$/.test(text);
}

/**
 * Applies one user rule (Redis's ACLSetUser): flags, passwords, selectors, reset, or a rule of
 * the root selector. Returns why it was refused, or null.
 */
export function applyUserRule(u: AclUser, op: string, commands: AclCommandSet): RuleError | null {
  u.description = null;
  try {
    return applyRule(u, op, commands);
  } finally {
    u.refresh();
  }
}

function applyRule(u: AclUser, op: string, commands: AclCommandSet): RuleError | null {
  if (op.length === 0) return null;
  const lower = op.toLowerCase();
  switch (lower) {
    case 'on':
      u.enabled = true;
      return null;
    case 'off':
      u.enabled = false;
      return null;
    case 'skip-sanitize-payload':
      u.sanitize = 'skip';
      return null;
    case 'sanitize-payload':
      u.sanitize = 'sanitize';
      return null;
    case 'nopass':
      u.nopass = true;
      u.passwords = [];
      return null;
    case 'resetpass':
      u.nopass = false;
      u.passwords = [];
      return null;
    case 'clearselectors':
      u.selectors = [u.selectors[0]];
      return null;
    case 'reset':
      applyRule(u, 'resetpass', commands);
      applyRule(u, 'resetkeys', commands);
      applyRule(u, 'resetchannels', commands);
      if (commands.pubsubDefaultAll()) applyRule(u, 'allchannels', commands);
      applyRule(u, 'off', commands);
      applyRule(u, 'sanitize-payload', commands);
      applyRule(u, 'clearselectors', commands);
      applyRule(u, '-@all', commands);
      return null;
    default:
      break;
  }
  const first = op[0];
  if (first === '>' || first === '#') {
    let hash: string;
    if (first === '>') {
      hash = hashPassword(op.slice(1));
    } else {
      hash = op.slice(1);
      if (!validHash(hash)) return 'EBADMSG';
    }
    if (!u.passwords.includes(hash)) u.passwords.push(hash);
    u.nopass = false;
    return null;
  }
  if (first === '<' || first === '!') {
    let hash: string;
    if (first === '<') {
      hash = hashPassword(op.slice(1));
    } else {
      hash = op.slice(1);
      if (!validHash(hash)) return 'EBADMSG';
    }
    const at = u.passwords.indexOf(hash);
    if (at < 0) return 'ENODEV';
    u.passwords.splice(at, 1);
    return null;
  }
  if (first === '(' && op[op.length - 1] === ')') {
    const selector = selectorFromRuleSet(op, commands);
    if (typeof selector === 'string') return selector;
    u.selectors.push(selector);
    return null;
  }
  return applySelectorRule(u.root, op, commands);
}

/** Redis's ACLSetUserStringError texts. */
export function ruleErrorText(error: RuleError): string {
  switch (error) {
    case 'ENOENT': return 'Unknown command or category name in ACL';
    case 'EINVAL': return 'Syntax error';
    case 'EEXIST': return "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns";
    case 'EISDIR': return "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not have any effect. Try 'resetchannels' to start with an empty list of channels";
    case 'ENODEV': return 'The password you are trying to remove from the user does not exist';
    case 'EBADMSG': return 'The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters';
    case 'EALREADY': return 'Duplicate user found. A user can only be defined once in config files';
    case 'ECHILD': return 'Allowing first-arg of a subcommand is not supported';
  }
}

/**
 * Joins a selector given over several arguments ("(+get" "~key)") into one (Redis's
 * ACLMergeSelectorArguments); null when a "(" is never closed, with the index of its argument.
 */
export function mergeSelectorArguments(args: readonly string[]): { merged: string[] } | { unmatchedAt: number } {
  const merged: string[] = [];
  let openAt = -1;
  let selector = '';
  for (let j = 0; j < args.length; j++) {
    const op = args[j];
    if (op[0] === '(' && op[op.length - 1] !== ')') {
      selector = op;
      openAt = j;
      continue;
    }
    if (openAt !== -1) {
      selector += ' ' + op;
      if (op[op.length - 1] === ')') {
        openAt = -1;
        merged.push(selector);
      }
      continue;
    }
    merged.push(op);
  }
  if (openAt !== -1) return { unmatchedAt: openAt };
  return { merged };
}

/** The default user as Redis creates it: every permission, no password. */
export function createDefaultUser(commands: AclCommandSet, name = 'default'): AclUser {
  const u = new AclUser(name, commands);
  for (const op of ['+@all', '~*', '&*', 'on', 'nopass']) applyUserRule(u, op, commands);
  return u;
}

/**
 * A config file's `user <name> <rules...>` line checked as Redis's ACLAppendUserForLoading does
 * (syntax only; unknown commands are reported when the users load): null, or the error in
 * Redis's "Error in user declaration" form. `seen` holds the names of earlier lines.
 */
export function checkConfiguredUser(tokens: readonly string[], seen: ReadonlySet<string>, commands: AclCommandSet): string | null {
  const declarationError = (index: number, error: RuleError): string => `Error in user declaration '${tokens[index]}': ${ruleErrorText(error)}`;
  if (seen.has(tokens[1])) return declarationError(1, 'EALREADY');
  const merged = mergeSelectorArguments(tokens.slice(2));
  if ('unmatchedAt' in merged) return declarationError(merged.unmatchedAt, 'EINVAL');
  const probe = new AclUser(tokens[1], commands);
  for (let j = 0; j < merged.merged.length; j++) {
    const error = applyUserRule(probe, merged.merged[j], commands);
    // Redis reports the argument at the rule's index among the merged rules, counted from "user".
    if (error !== null && error !== 'ENOENT') return declarationError(j, error);
  }
  return null;
}
