// An ACL selector (Redis's aclSelector): which commands, keys and channels it allows. Every user
// has a root selector (the rules given outside parentheses) and may have more, each given as
// "(...)"; a command runs when one selector allows it whole. Commands are kept as one byte per
// command id of the table, so a check reads one array slot.

import type { Command } from '../commands/types.js';
import { categoryBit } from '../commands/acl-categories.js';
import { globMatch, isLiteralPattern } from '../util/glob.js';
import { splitInlineArgs } from '../util/split-args.js';

/** Key pattern permissions (%R~, %W~, ~ is both). */
export const PERM_READ = 1;
export const PERM_WRITE = 2;
export const PERM_ALL = PERM_READ | PERM_WRITE;

export interface KeyPattern {
  pattern: string;
  flags: number;
  /**
   * The pattern's shape, so the usual ones cost a string comparison: 'prefix' ("app:*", `prefix`
   * holds "app:"), 'literal' (no glob character), else 'glob'.
   */
  shape: 'prefix' | 'literal' | 'glob';
  prefix: string;
}

/** A key pattern with its shape worked out. */
export function keyPattern(pattern: string, flags: number): KeyPattern {
  const body = pattern.slice(0, -1);
  if (pattern.endsWith('*') && isLiteralPattern(body)) return { pattern, flags, shape: 'prefix', prefix: body };
  if (isLiteralPattern(pattern)) return { pattern, flags, shape: 'literal', prefix: pattern };
  return { pattern, flags, shape: 'glob', prefix: '' };
}

/** Redis's stringmatchlen of the pattern against a key, short-cut by the pattern's shape. */
export function patternMatches(k: KeyPattern, key: string): boolean {
  if (k.shape === 'prefix') return key.startsWith(k.prefix);
  if (k.shape === 'literal') return key === k.pattern;
  return globMatch(k.pattern, key);
}

/** Why a rule was refused (Redis's errno values of ACLSetUser), see ruleErrorText. */
export type RuleError = 'ENOENT' | 'EINVAL' | 'EEXIST' | 'EISDIR' | 'ENODEV' | 'EBADMSG' | 'EALREADY' | 'ECHILD';

/** What rules need to know of the node: its commands (by their original names) and a log. */
export interface AclCommandSet {
  /** Every command and subcommand of the table before renames, each parent before its subcommands. */
  readonly all: readonly Command[];
  /** The top-level commands, in table order. */
  readonly top: readonly Command[];
  /** One more than the largest command id (the size of a selector's command array). */
  readonly slots: number;
  /** "get" or "config|get", any case, by the original names (Redis's ACLLookupCommand). */
  lookup(name: string): Command | undefined;
  /** The command a command line names, by the node's current names (Redis's lookupCommand). */
  lookupLine(argv: readonly string[]): Command | undefined;
  /** acl-pubsub-default is allchannels: new selectors start with every channel. */
  pubsubDefaultAll(): boolean;
  warn(message: string): void;
}

export class Selector {
  allKeys = false;
  allChannels = false;
  /** Every command, with no exception (Redis's SELECTOR_FLAG_ALLCOMMANDS). */
  allCommands = false;
  /**
   * Set by +@all / allcommands and cleared only by -@all / nocommands (Redis's reserved last bit):
   * descriptions start from "+@all" then, and commands added later would be allowed.
   */
  futureCommands = false;
  /** 1 at a command's id when it is allowed. */
  allowed: Uint8Array;
  /** Allowed first arguments of otherwise denied commands (+select|0), by command id. */
  firstArgs: Map<number, string[]> | null = null;
  keys: KeyPattern[] = [];
  channels: string[] = [];

  constructor(readonly root: boolean, slots: number) {
    this.allowed = new Uint8Array(slots);
  }

  copy(): Selector {
    const s = new Selector(this.root, this.allowed.length);
    s.allKeys = this.allKeys;
    s.allChannels = this.allChannels;
    s.allCommands = this.allCommands;
    s.futureCommands = this.futureCommands;
    s.allowed.set(this.allowed);
    if (this.firstArgs !== null) {
      s.firstArgs = new Map();
      for (const [id, args] of this.firstArgs) s.firstArgs.set(id, [...args]);
    }
    s.keys = this.keys.map((k) => ({ ...k }));
    s.channels = [...this.channels];
    return s;
  }
}

/** A new selector with no permission; channels as acl-pubsub-default says. */
export function newSelector(root: boolean, commands: AclCommandSet): Selector {
  const s = new Selector(root, commands.slots);
  s.allChannels = commands.pubsubDefaultAll();
  return s;
}

function setCommandBit(s: Selector, id: number, allow: boolean): void {
  if (id >= s.allowed.length) return;
  if (allow) {
    s.allowed[id] = 1;
  } else {
    s.allowed[id] = 0;
    s.allCommands = false;
  }
}

/** Allows or denies a command; a container's subcommands follow it (ACLChangeSelectorPerm). */
export function changeCommandPermission(s: Selector, command: Command, allow: boolean): void {
  setCommandBit(s, command.id, allow);
  s.firstArgs?.delete(command.id);
  if (command.subcommands !== null) {
    for (const sub of command.subcommands.values()) setCommandBit(s, sub.id, allow);
  }
}

/** +@category / -@category over the whole table, subcommands included. */
export function changeCategoryPermission(s: Selector, bit: number, allow: boolean, commands: AclCommandSet): void {
  for (const command of commands.top) {
    if ((command.aclCategories & bit) !== 0) changeCommandPermission(s, command, allow);
    if (command.subcommands === null) continue;
    for (const sub of command.subcommands.values()) {
      if ((sub.aclCategories & bit) !== 0) changeCommandPermission(s, sub, allow);
    }
  }
}

function allCommandsOn(s: Selector): void {
  s.allowed.fill(1);
  s.allCommands = true;
  s.futureCommands = true;
  s.firstArgs = null;
}

function allCommandsOff(s: Selector): void {
  s.allowed.fill(0);
  s.allCommands = false;
  s.futureCommands = false;
  s.firstArgs = null;
}

/** Redis's ACLStringHasSpaces: isspace() or NUL anywhere. */
export function hasSpaces(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0 || c === 32 || (c >= 9 && c <= 13)) return true;
  }
  return false;
}

function addFirstArg(s: Selector, id: number, arg: string): void {
  s.firstArgs ??= new Map();
  const list = s.firstArgs.get(id);
  if (list === undefined) {
    s.firstArgs.set(id, [arg]);
    return;
  }
  const lower = arg.toLowerCase();
  if (list.some((a) => a.toLowerCase() === lower)) return;
  list.push(arg);
}

/** Applies one selector rule (Redis's ACLSetSelector); returns why it was refused, or null. */
export function applySelectorRule(s: Selector, op: string, commands: AclCommandSet): RuleError | null {
  const lower = op.toLowerCase();
  if (lower === 'allkeys' || op === '~*') {
    s.allKeys = true;
    s.keys = [];
  } else if (lower === 'resetkeys') {
    s.allKeys = false;
    s.keys = [];
  } else if (lower === 'allchannels' || op === '&*') {
    s.allChannels = true;
    s.channels = [];
  } else if (lower === 'resetchannels') {
    s.allChannels = false;
    s.channels = [];
  } else if (lower === 'allcommands' || lower === '+@all') {
    allCommandsOn(s);
  } else if (lower === 'nocommands' || lower === '-@all') {
    allCommandsOff(s);
  } else if (op[0] === '~' || op[0] === '%') {
    return addKeyPattern(s, op);
  } else if (op[0] === '&') {
    if (s.allChannels) return 'EISDIR';
    const pattern = op.slice(1);
    if (hasSpaces(pattern)) return 'EINVAL';
    if (!s.channels.includes(pattern)) s.channels.push(pattern);
    s.allChannels = false;
  } else if (op[0] === '+' && op[1] !== '@') {
    return allowCommand(s, op.slice(1), commands);
  } else if (op[0] === '-' && op[1] !== '@') {
    const command = commands.lookup(op.slice(1));
    if (command === undefined) return 'ENOENT';
    changeCommandPermission(s, command, false);
  } else if ((op[0] === '+' || op[0] === '-') && op[1] === '@') {
    const bit = categoryBit(op.slice(2));
    if (bit === 0) return 'ENOENT';
    changeCategoryPermission(s, bit, op[0] === '+', commands);
  } else {
    return 'EINVAL';
  }
  return null;
}

function addKeyPattern(s: Selector, op: string): RuleError | null {
  if (s.allKeys) return 'EEXIST';
  let flags = 0;
  let offset = 1;
  if (op[0] === '%') {
    for (; offset < op.length; offset++) {
      const c = op[offset].toUpperCase();
      if (c === 'R' && (flags & PERM_READ) === 0) {
        flags |= PERM_READ;
      } else if (c === 'W' && (flags & PERM_WRITE) === 0) {
        flags |= PERM_WRITE;
      } else if (op[offset] === '~') {
        offset++;
        break;
      } else {
        return 'EINVAL';
      }
    }
  } else {
    flags = PERM_ALL;
  }
  const pattern = op.slice(offset);
  if (hasSpaces(pattern)) return 'EINVAL';
  const existing = s.keys.find((k) => k.pattern === pattern);
  if (existing === undefined) s.keys.push(keyPattern(pattern, flags));
  else existing.flags |= flags;
  s.allKeys = false;
  return null;
}

/** +command, +container|subcommand, or +command|first-arg (deprecated, logged). */
function allowCommand(s: Selector, name: string, commands: AclCommandSet): RuleError | null {
  const bar = name.lastIndexOf('|');
  if (bar < 0) {
    const command = commands.lookup(name);
    if (command === undefined) return 'ENOENT';
    changeCommandPermission(s, command, true);
    return null;
  }
  const command = commands.lookup(name.slice(0, bar));
  if (command === undefined) return 'ENOENT';
  if (command.parent !== null) return 'ECHILD';
  const arg = name.slice(bar + 1);
  if (arg === '') return 'EINVAL';
  if (command.subcommands !== null) {
    const sub = commands.lookup(name);
    if (sub === undefined) return 'ENOENT';
    changeCommandPermission(s, sub, true);
    return null;
  }
  commands.warn(`Deprecation warning: Allowing a first arg of an otherwise blocked command is a misuse of ACL and may get disabled in the future (offender: +${name})`);
  addFirstArg(s, command.id, arg);
  return null;
}

/** A selector from "(rule rule ...)" (Redis's aclCreateSelectorFromOpSet). */
export function selectorFromRuleSet(text: string, commands: AclCommandSet): Selector | RuleError {
  const s = newSelector(false, commands);
  // sdssplitargs: quoting is allowed inside the parentheses; an unbalanced quote yields no rules.
  const rules = splitInlineArgs(text.slice(1, -1)) ?? [];
  for (const rule of rules) {
    const error = applySelectorRule(s, rule, commands);
    if (error !== null) return error;
  }
  return s;
}

/**
 * A command set without commands, to check the syntax of rules before the command table exists
 * (the config file's `user` lines): unknown commands are only reported when the users load.
 */
export function syntaxOnlyCommandSet(): AclCommandSet {
  return {
    all: [], top: [], slots: 0,
    lookup: () => undefined,
    lookupLine: () => undefined,
    pubsubDefaultAll: () => false,
    warn: () => undefined,
  };
}

/**
 * The command set of a node's table: `original` is the table before rename-command, `lookupLine`
 * the lookup by current names.
 */
export function commandSetOf(
  original: ReadonlyMap<string, Command>,
  lookupLine: (argv: readonly string[]) => Command | undefined,
  pubsubDefaultAll: () => boolean,
  warn: (message: string) => void,
): AclCommandSet {
  const top = [...original.values()];
  const all: Command[] = [];
  let slots = 0;
  for (const command of top) {
    all.push(command);
    if (command.subcommands !== null) all.push(...command.subcommands.values());
  }
  for (const command of all) slots = Math.max(slots, command.id + 1);
  return {
    all, top, slots, lookupLine, pubsubDefaultAll, warn,
    lookup: (name) => {
      const parts = name.toLowerCase().split('|');
      if (parts.length > 2) return undefined;
      const command = original.get(parts[0]);
      if (command === undefined || parts.length === 1) return command;
      return command.subcommands?.get(parts[1]);
    },
  };
}
