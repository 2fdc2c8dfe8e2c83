// COMMAND and its subcommands (COUNT, INFO, DOCS, LIST, GETKEYS, GETKEYSANDFLAGS, HELP), answered
// from the declarative command table. Reply shapes follow Redis 7.0's server.c
// (addReplyCommandInfo, addReplyCommandKeySpecs, addReplyCommandDocs); the legacy first/last/step
// triple and the "movablekeys" flag are derived from the key specs as populateCommandLegacyRangeSpec
// derives them; keys are extracted as getKeysFromCommandWithSpecs does.

import { replyHelp } from './help.js';
import type { CommandContext } from './context.js';
import { ERR_SYNTAX, isKeyword } from './errors.js';
import type { ArgumentDoc, Command, CommandFlag, CommandSpec, KeySpec, KeySpecFlag } from './types.js';
import { allCommands, lookupCommandByFullName } from './registry.js';
import { ACL_CATEGORIES, categoryBits, categoryNames } from './acl-categories.js';
import type { ReplyWriter } from '../protocol/writer.js';
import { globMatch } from '../util/glob.js';
import { parseInt64 } from '../util/numbers.js';

/** Command flags COMMAND INFO shows, in Redis's order; may_replicate, sentinel, only_sentinel and protected stay hidden. */
const SHOWN_FLAGS: readonly CommandFlag[] = [
  'write', 'readonly', 'denyoom', 'module', 'admin', 'pubsub', 'noscript', 'blocking', 'loading', 'stale',
  'skip_monitor', 'skip_slowlog', 'asking', 'fast', 'no_auth', 'no_mandatory_keys', 'no_async_loading',
  'no_multi', 'movablekeys', 'allow_busy',
];

const KEY_SPEC_FLAGS: readonly KeySpecFlag[] = [
  'RO', 'RW', 'OW', 'RM', 'access', 'update', 'insert', 'delete', 'not_key', 'incomplete', 'variable_flags',
];

/** What COMMAND INFO derives from a spec once: shown flags, full categories, legacy key range. */
interface DerivedInfo {
  flags: CommandFlag[];
  acl: string[];
  firstKey: number;
  lastKey: number;
  keyStep: number;
}

const derivedCache = new WeakMap<CommandSpec, DerivedInfo>();

/** populateCommandLegacyRangeSpec: [firstKey, lastKey, keyStep, movable]. */
export function legacyRange(specs: readonly KeySpec[]): [number, number, number, boolean] {
  if (specs.length === 0) return [0, 0, 0, false];
  const only = specs[0];
  if (specs.length === 1 && only.begin.type === 'index' && only.find.type === 'range') {
    const first = only.begin.index;
    const last = only.find.lastKey >= 0 ? first + only.find.lastKey : only.find.lastKey;
    return [first, last, only.find.keyStep, only.flags.includes('incomplete')];
  }
  let movable = false;
  let first = Number.MAX_SAFE_INTEGER;
  let last = 0;
  let prevLast = 0;
  for (const ks of specs) {
    if (ks.begin.type !== 'index' || ks.find.type !== 'range') {
      movable = true;
      continue;
    }
    if (ks.find.keyStep !== 1 || (prevLast !== 0 && prevLast !== ks.begin.index - 1)) {
      movable = true;
      continue;
    }
    if (ks.flags.includes('incomplete')) movable = true;
    first = Math.min(first, ks.begin.index);
    const lastAbs = ks.find.lastKey >= 0 ? ks.find.lastKey + ks.begin.index : ks.find.lastKey;
    // Redis compares as unsigned, so a negative (to-the-end) last key always wins.
    last = unsignedMax(last, lastAbs);
    prevLast = last;
  }
  if (first === Number.MAX_SAFE_INTEGER) return [0, 0, 0, true];
  return [first, last, 1, movable];
}

function unsignedMax(a: number, b: number): number {
  const ua = a < 0 ? 2 ** 32 + a : a;
  const ub = b < 0 ? 2 ** 32 + b : b;
  return ua >= ub ? a : b;
}

function derive(spec: CommandSpec): DerivedInfo {
  let info = derivedCache.get(spec);
  if (info !== undefined) return info;
  const [firstKey, lastKey, keyStep, movable] = legacyRange(spec.keySpecs ?? []);
  const flags = SHOWN_FLAGS.filter((f) => spec.flags.includes(f) || (f === 'movablekeys' && movable));
  info = { flags, acl: categoryNames(categoryBits(spec)), firstKey, lastKey, keyStep };
  derivedCache.set(spec, info);
  return info;
}

// ------------------------------------------------------------------ replies

function replyStatusSet(r: ReplyWriter, items: readonly string[]): void {
  r.setLength(items.length);
  for (const item of items) r.simple(item);
}

function replyKeySpecFlags(r: ReplyWriter, flags: readonly KeySpecFlag[]): void {
  replyStatusSet(r, KEY_SPEC_FLAGS.filter((f) => flags.includes(f)));
}

function replyKeySpec(r: ReplyWriter, ks: KeySpec): void {
  r.mapLength(ks.notes !== undefined ? 4 : 3);
  if (ks.notes !== undefined) {
    r.bulk('notes');
    r.bulk(ks.notes);
  }
  r.bulk('flags');
  replyKeySpecFlags(r, ks.flags);
  r.bulk('begin_search');
  r.mapLength(2);
  r.bulk('type');
  const begin = ks.begin;
  r.bulk(begin.type);
  r.bulk('spec');
  if (begin.type === 'index') {
    r.mapLength(1);
    r.bulk('index');
    r.integer(begin.index);
  } else if (begin.type === 'keyword') {
    r.mapLength(2);
    r.bulk('keyword');
    r.bulk(begin.keyword);
    r.bulk('startfrom');
    r.integer(begin.startFrom);
  } else {
    r.mapLength(0);
  }
  r.bulk('find_keys');
  r.mapLength(2);
  r.bulk('type');
  const find = ks.find;
  r.bulk(find.type);
  r.bulk('spec');
  if (find.type === 'range') {
    r.mapLength(3);
    r.bulk('lastkey');
    r.integer(find.lastKey);
    r.bulk('keystep');
    r.integer(find.keyStep);
    r.bulk('limit');
    r.integer(find.limit);
  } else if (find.type === 'keynum') {
    r.mapLength(3);
    r.bulk('keynumidx');
    r.integer(find.keyNumIndex);
    r.bulk('firstkey');
    r.integer(find.firstKey);
    r.bulk('keystep');
    r.integer(find.keyStep);
  } else {
    r.mapLength(0);
  }
}

/** addReplyCommandInfo: the 10-element description of a command (or a null for an unknown one). */
function replyCommandInfo(r: ReplyWriter, command: Command | undefined): void {
  if (command === undefined) {
    r.nullBulk(); // addReplyNull: "$-1" in RESP2
    return;
  }
  const spec = command.spec;
  const info = derive(spec);
  r.arrayLength(10);
  r.bulk(command.fullName);
  r.integer(spec.arity);
  replyStatusSet(r, info.flags);
  r.integer(info.firstKey);
  r.integer(info.lastKey);
  r.integer(info.keyStep);
  replyStatusSet(r, info.acl.map((c) => '@' + c));
  const tips = spec.tips ?? [];
  r.setLength(tips.length);
  for (const tip of tips) r.bulk(tip);
  const keySpecs = spec.keySpecs ?? [];
  r.setLength(keySpecs.length);
  for (const ks of keySpecs) replyKeySpec(r, ks);
  if (command.subcommands === null) {
    r.setLength(0);
  } else {
    r.arrayLength(command.subcommands.size);
    for (const sub of command.subcommands.values()) replyCommandInfo(r, sub);
  }
}

function docMapLength(arg: ArgumentDoc, keySpecIndex: number): number {
  let n = 2;
  if (keySpecIndex >= 0) n++;
  if (arg.token !== undefined) n++;
  if (arg.optional === true || arg.multiple === true) n++;
  if (arg.type === 'oneof' || arg.type === 'block') n++;
  return n;
}

/** addReplyCommandArgList. Key arguments are numbered against the key specs in order of appearance. */
function replyArgumentDocs(r: ReplyWriter, args: readonly ArgumentDoc[], keySpecCount: number, keyCounter: { next: number }): void {
  r.arrayLength(args.length);
  for (const arg of args) {
    const keySpecIndex = arg.type === 'key' && keySpecCount > 0 ? Math.min(keyCounter.next++, keySpecCount - 1) : -1;
    r.mapLength(docMapLength(arg, keySpecIndex));
    r.bulk('name');
    r.bulk(arg.name);
    r.bulk('type');
    r.bulk(arg.type);
    if (keySpecIndex >= 0) {
      r.bulk('key_spec_index');
      r.integer(keySpecIndex);
    }
    if (arg.token !== undefined) {
      r.bulk('token');
      r.bulk(arg.token);
    }
    if (arg.optional === true || arg.multiple === true) {
      r.bulk('flags');
      const flags: string[] = [];
      if (arg.optional === true) flags.push('optional');
      if (arg.multiple === true) flags.push('multiple');
      replyStatusSet(r, flags);
    }
    if (arg.type === 'oneof' || arg.type === 'block') {
      r.bulk('arguments');
      replyArgumentDocs(r, arg.arguments ?? [], keySpecCount, keyCounter);
    }
  }
}

/** addReplyCommandDocs, with the documentation our table carries (no history or doc flags). */
function replyCommandDocs(r: ReplyWriter, command: Command): void {
  const spec = command.spec;
  const hasArgs = spec.arguments !== undefined && spec.arguments.length > 0;
  let len = 3;
  if (spec.complexity !== undefined) len++;
  if (hasArgs) len++;
  if (command.subcommands !== null) len++;
  r.mapLength(len);
  r.bulk('summary');
  r.bulk(spec.summary);
  r.bulk('since');
  r.bulk(spec.since);
  r.bulk('group');
  r.bulk(spec.group.replace(/_/g, '-'));
  if (spec.complexity !== undefined) {
    r.bulk('complexity');
    r.bulk(spec.complexity);
  }
  if (hasArgs) {
    r.bulk('arguments');
    replyArgumentDocs(r, spec.arguments ?? [], spec.keySpecs?.length ?? 0, { next: 0 });
  }
  if (command.subcommands !== null) {
    r.bulk('subcommands');
    r.mapLength(command.subcommands.size);
    for (const sub of command.subcommands.values()) {
      r.bulk(sub.fullName);
      replyCommandDocs(r, sub);
    }
  }
}

// --------------------------------------------------------------- handlers

function command(ctx: CommandContext): void {
  const table = ctx.server.commands;
  ctx.reply.arrayLength(table.size);
  for (const c of table.values()) replyCommandInfo(ctx.reply, c);
}

function commandCount(ctx: CommandContext): void {
  ctx.reply.integer(ctx.server.commands.size);
}

function commandInfo(ctx: CommandContext, argv: string[]): void {
  if (argv.length === 2) {
    command(ctx);
    return;
  }
  ctx.reply.arrayLength(argv.length - 2);
  for (let i = 2; i < argv.length; i++) replyCommandInfo(ctx.reply, lookupCommandByFullName(ctx.server.commands, argv[i]));
}

function commandDocs(ctx: CommandContext, argv: string[]): void {
  const found: Command[] = [];
  if (argv.length === 2) {
    for (const c of ctx.server.commands.values()) found.push(c);
  } else {
    for (let i = 2; i < argv.length; i++) {
      const c = lookupCommandByFullName(ctx.server.commands, argv[i]);
      if (c !== undefined) found.push(c);
    }
  }
  ctx.reply.mapLength(found.length);
  for (const c of found) {
    ctx.reply.bulk(c.fullName);
    replyCommandDocs(ctx.reply, c);
  }
}

type ListFilter = (command: Command) => boolean;

function commandList(ctx: CommandContext, argv: string[]): void {
  let filter: ListFilter | null = null;
  for (let i = 2; i < argv.length; i++) {
    const more = argv.length - 1 - i;
    if (!isKeyword(argv[i], 'FILTERBY') || more !== 2) {
      ctx.reply.error(ERR_SYNTAX);
      return;
    }
    const kind = argv[i + 1];
    const arg = argv[i + 2];
    if (isKeyword(kind, 'MODULE')) {
      // No modules can be loaded, so no command belongs to one.
      filter = () => false;
    } else if (isKeyword(kind, 'ACLCAT')) {
      const category = arg.toLowerCase();
      filter = ACL_CATEGORIES.includes(category) ? (c) => derive(c.spec).acl.includes(category) : () => false;
    } else if (isKeyword(kind, 'PATTERN')) {
      filter = (c) => globMatch(arg, c.fullName, true);
    } else {
      ctx.reply.error(ERR_SYNTAX);
      return;
    }
    i += 2;
  }
  const names: string[] = [];
  for (const c of allCommands(ctx.server.commands)) if (filter === null || filter(c)) names.push(c.fullName);
  ctx.reply.bulkArray(names);
}

function commandHelp(ctx: CommandContext, argv: string[]): void {
  replyHelp(ctx, argv[0], COMMAND_HELP);
}

const COMMAND_HELP: readonly string[] = [
  '(no subcommand)',
  '    Describes every command of this server.',
  'COUNT',
  '    Replies with the number of commands of this server.',
  'LIST',
  '    Replies with the names of every command and subcommand.',
  'INFO [<command-name> ...]',
  '    Describes the given commands (arity, flags, key positions, categories...).',
  '    Without names, describes every command.',
  'DOCS [<command-name> ...]',
  '    Replies with the documentation of the given commands.',
  '    Without names, documents every command.',
  'GETKEYS <full-command>',
  '    Replies with the key arguments of a complete command line.',
  'GETKEYSANDFLAGS <full-command>',
  '    Replies with the key arguments of a complete command line and how each is accessed.',
];

// ------------------------------------------------------------------ keys

/** One key of a command line: its position in argv and its key-spec flags. */
export interface KeyReference {
  pos: number;
  flags: readonly KeySpecFlag[];
}

/** getKeysUsingKeySpecs without partial results: null when a spec cannot be resolved. */
export function keysFromSpecs(specs: readonly KeySpec[], argv: readonly string[]): KeyReference[] | null {
  const argc = argv.length;
  const keys: KeyReference[] = [];
  for (const ks of specs) {
    if (ks.flags.includes('not_key')) continue;
    let first = 0;
    const begin = ks.begin;
    if (begin.type === 'index') {
      first = begin.index;
    } else if (begin.type === 'keyword') {
      first = findKeyword(argv, begin.keyword, begin.startFrom);
      if (first === 0) continue; // keyword absent: this spec names no key
    } else {
      return null;
    }
    let last: number;
    let step: number;
    const find = ks.find;
    if (find.type === 'range') {
      step = find.keyStep;
      if (find.lastKey >= 0) last = first + find.lastKey;
      else if (find.limit === 0) last = argc + find.lastKey;
      else last = first + (Math.trunc((argc - first) / find.limit) + find.lastKey);
    } else if (find.type === 'keynum') {
      step = find.keyStep;
      if (find.keyNumIndex >= argc || first + find.keyNumIndex >= argc) return null;
      const numKeys = parseInt64(argv[first + find.keyNumIndex]);
      if (numKeys === null || numKeys < 0 || typeof numKeys === 'bigint') return null;
      first += find.firstKey;
      last = first + numKeys - 1;
    } else {
      return null;
    }
    if (last >= argc || last < first || first >= argc) return null;
    for (let i = first; i <= last; i += step) keys.push({ pos: i, flags: ks.flags });
    if (ks.flags.includes('incomplete')) return null;
  }
  return keys;
}

/** The position after the keyword, searching as Redis does (the end index itself is not examined). */
function findKeyword(argv: readonly string[], keyword: string, startFrom: number): number {
  const argc = argv.length;
  const start = startFrom > 0 ? startFrom : argc + startFrom;
  const end = startFrom > 0 ? argc - 1 : 1;
  const forward = start <= end;
  for (let i = start; i !== end; i = forward ? i + 1 : i - 1) {
    if (i >= argc || i < 1) break;
    if (argv[i].toUpperCase() === keyword.toUpperCase()) return i + 1;
  }
  return 0;
}

/** Key flags the native key-finding functions of Redis give, for commands with variable flags. */
const SET_GET_FLAGS: readonly KeySpecFlag[] = ['RW', 'access', 'update'];
const SET_FLAGS: readonly KeySpecFlag[] = ['OW', 'update'];

const VARIABLE_KEY_FLAGS: Record<string, (argv: readonly string[], pos: number) => readonly KeySpecFlag[]> = {
  set: (argv) => {
    for (let i = 3; i < argv.length; i++) if (isKeyword(argv[i], 'GET')) return SET_GET_FLAGS;
    return SET_FLAGS;
  },
  bitfield: (argv) => (bitfieldIsReadOnly(argv) ? ['RO', 'access'] : ['RW', 'access', 'update']),
  sort: (_argv, pos) => (pos === 1 ? ['RO', 'access'] : ['OW', 'update']),
  sort_ro: () => ['RO', 'access'],
  migrate: () => ['RW', 'access', 'delete'],
};

/** bitfieldGetKeys: read-only unless a SET/INCRBY (or something unparsable) appears. */
function bitfieldIsReadOnly(argv: readonly string[]): boolean {
  for (let i = 2; i < argv.length; i++) {
    const remaining = argv.length - i - 1;
    if (isKeyword(argv[i], 'GET') && remaining >= 2) i += 2;
    else if (isKeyword(argv[i], 'OVERFLOW') && remaining >= 1) i += 1;
    else return false;
  }
  return true;
}

/**
 * The flags of the key at `pos` of a command with one key at a fixed index (Command.singleKeyIndex):
 * its spec's, or for variable flags (SET, BITFIELD...) those of the command's own key finder.
 */
export function singleKeyFlags(command: Command, argv: readonly string[], pos: number): readonly KeySpecFlag[] {
  const spec = (command.spec.keySpecs as readonly KeySpec[])[0];
  if (!spec.flags.includes('variable_flags')) return spec.flags;
  const flagsOf = VARIABLE_KEY_FLAGS[command.fullName];
  return flagsOf ? flagsOf(argv, pos) : [];
}

/** getKeysFromCommandWithSpecs: key specs first when reliable, then the command's own finder. */
export function commandKeys(command: Command, argv: readonly string[]): KeyReference[] {
  const specs = command.spec.keySpecs ?? [];
  const hasKeySpec = specs.some((ks) => !ks.flags.includes('not_key'));
  const hasVariableFlags = specs.some((ks) => ks.flags.includes('variable_flags'));
  if (hasKeySpec && !hasVariableFlags) {
    const keys = keysFromSpecs(specs, argv);
    if (keys !== null) return keys;
  }
  let positions: number[] | null = null;
  if (command.spec.getKeys) positions = command.spec.getKeys(argv);
  else if (hasVariableFlags) positions = keysFromSpecs(specs, argv)?.map((k) => k.pos) ?? null;
  if (positions === null) return [];
  const flagsOf = VARIABLE_KEY_FLAGS[command.fullName];
  return positions.map((pos) => ({ pos, flags: flagsOf ? flagsOf(argv, pos) : [] }));
}

function hasKeys(command: Command): boolean {
  return command.spec.getKeys !== undefined || (command.spec.keySpecs ?? []).some((ks) => !ks.flags.includes('not_key'));
}

function getKeys(ctx: CommandContext, argv: string[], withFlags: boolean): void {
  const line = argv.slice(2);
  const target = ctx.server.lookupCommand(line);
  if (target === undefined) {
    ctx.reply.error('ERR Invalid command specified');
    return;
  }
  if (!hasKeys(target)) {
    ctx.reply.error('ERR The command has no key arguments');
    return;
  }
  const arity = target.spec.arity;
  if ((arity > 0 && arity !== line.length) || line.length < -arity) {
    ctx.reply.error('ERR Invalid number of arguments specified for command');
    return;
  }
  let keys: KeyReference[];
  try {
    keys = commandKeys(target, line);
  } catch (err) {
    // A family's key finder tripping over odd input must not take the server down.
    ctx.reply.error(`ERR Invalid arguments specified for command (${(err as Error).message})`);
    return;
  }
  if (keys.length === 0) {
    if (target.spec.flags.includes('no_mandatory_keys')) ctx.reply.arrayLength(0);
    else ctx.reply.error('ERR Invalid arguments specified for command');
    return;
  }
  const r = ctx.reply;
  r.arrayLength(keys.length);
  for (const key of keys) {
    if (!withFlags) {
      r.bulk(line[key.pos]);
      continue;
    }
    r.arrayLength(2);
    r.bulk(line[key.pos]);
    replyKeySpecFlags(r, key.flags);
  }
}

const FLAGS: readonly CommandFlag[] = ['loading', 'stale', 'sentinel'];
const ACL = ['slow', 'connection'];

export const introspectionCommands: CommandSpec[] = [
  {
    name: 'command', arity: -1, flags: FLAGS, acl: ACL, tips: ['nondeterministic_output_order'], handler: command,
    summary: 'Describes the commands of this server.', since: '2.8.13', group: 'server',
    complexity: 'O(N), N = commands in the table',
    subcommands: [
      {
        name: 'count', arity: 2, flags: FLAGS, acl: ACL, handler: commandCount,
        summary: 'Counts the commands of this server.', since: '2.8.13', group: 'server', complexity: 'O(1)',
      },
      {
        name: 'docs', arity: -2, flags: FLAGS, acl: ACL, tips: ['nondeterministic_output_order'], handler: commandDocs,
        summary: 'Documents commands.', since: '7.0.0', group: 'server',
        complexity: 'O(N), N = commands named',
      },
      {
        name: 'getkeys', arity: -4, flags: FLAGS, acl: ACL, handler: (ctx, argv) => getKeys(ctx, argv, false),
        summary: 'Extracts the key names from a full command line.', since: '2.8.13', group: 'server',
        complexity: 'O(N), N = arguments',
      },
      {
        name: 'getkeysandflags', arity: -4, flags: FLAGS, acl: ACL, handler: (ctx, argv) => getKeys(ctx, argv, true),
        summary: 'Extracts the key names from a full command line, with how each key is used.', since: '7.0.0',
        group: 'server', complexity: 'O(N), N = arguments',
      },
      {
        name: 'help', arity: 2, flags: FLAGS, acl: ACL, handler: commandHelp,
        summary: 'Lists the COMMAND subcommands.', since: '5.0.0', group: 'server', complexity: 'O(1)',
      },
      {
        name: 'info', arity: -2, flags: FLAGS, acl: ACL, tips: ['nondeterministic_output_order'], handler: commandInfo,
        summary: 'Describes the given commands.', since: '2.8.13', group: 'server',
        complexity: 'O(N), N = commands named',
      },
      {
        name: 'list', arity: -2, flags: FLAGS, acl: ACL, tips: ['nondeterministic_output_order'], handler: commandList,
        summary: 'Lists command names, optionally filtered.', since: '7.0.0', group: 'server',
        complexity: 'O(N), N = commands in the table',
      },
    ],
  },
];
