// The live configuration: typed values for every directive of the table, parsed from redis.conf
// text, command-line flags and CONFIG SET with Redis's rules and error texts.

import { readFileSync } from 'node:fs';
import { resolve as resolvePath, dirname } from 'node:path';
import { globMatch } from '../util/glob.js';
import { splitInlineArgs } from '../util/split-args.js';
import type {
  BoolDirectiveName, CanonicalDirectiveName, DirectiveName, NumericDirectiveName, TextDirectiveName,
} from './directives.js';
import { LIVE_FIELDS, type LiveFieldName, type LiveSettings } from './live.js';
import { ConfigFileError, type ConfigRewriteLines, type ConfigValue, type DirectiveSpec } from './types.js';
import type { ConfigView } from './view.js';

const MAX_INCLUDE_DEPTH = 16;

/** Directives Redis 7.0 still accepts in a file, with one argument, and ignores. */
const DEPRECATED_DIRECTIVES = new Set(['list-max-ziplist-entries', 'list-max-ziplist-value', 'lua-replicate-commands']);

/** Where a directive was last set while loading, to report a problem with its final value. */
interface SourceLine {
  lineNumber: number;
  lineText: string;
  /** Order of the lines across files: the earliest offending line is reported first. */
  sequence: number;
}

/** State of one load (a file with its includes, then the flags): Redis's reading_config_file. */
interface LoadSession {
  /** The last line that set each directive (canonical name). */
  readonly lastLine: Map<string, SourceLine>;
  /** Lines of known directives seen so far. */
  linesSeen: number;
}

/** A live field and how it is computed, grouped by directive for refreshes. */
interface LiveBinding {
  field: LiveFieldName;
  fromValue: (value: ConfigValue) => unknown;
}

const MEMORY_UNITS: Record<string, number> = {
  b: 1, k: 1000, kb: 1024, m: 1e6, mb: 1024 * 1024, g: 1e9, gb: 1024 * 1024 * 1024,
};

/** Parses Redis memory notation: 1k = 1000, 1kb = 1024, m/mb, g/gb; case-insensitive. */
export function parseMemory(text: string): number | null {
  const m = /^(-?\d+)(b|k|kb|m|mb|g|gb)?$/i.exec(text);
  if (m === null) return null;
  const unit = m[2] === undefined ? 1 : MEMORY_UNITS[m[2].toLowerCase()];
  return Number(m[1]) * unit;
}

/** Formats bytes the way CONFIG REWRITE does: the largest exact unit among gb, mb, kb. */
export function formatMemory(bytes: number): string {
  const gb = 1024 * 1024 * 1024;
  const mb = 1024 * 1024;
  if (bytes !== 0 && bytes % gb === 0) return `${bytes / gb}gb`;
  if (bytes !== 0 && bytes % mb === 0) return `${bytes / mb}mb`;
  if (bytes !== 0 && bytes % 1024 === 0) return `${bytes / 1024}kb`;
  return String(bytes);
}

function parseStrictInteger(text: string): number | null {
  if (!/^-?(0|[1-9]\d*)$/.test(text)) return null;
  const n = Number(text);
  return Number.isFinite(n) ? n : null;
}

export type ChangeListener = (value: ConfigValue) => void;

/**
 * A side effect that can fail (re-listening on a new port): returns an error text, and is run
 * again with the old value when a later directive of the same CONFIG SET fails.
 */
export type ConfigApplier = (value: ConfigValue) => string | null;

export interface SetOptions {
  /** enable-protected-configs allows this client to change protected directives. */
  allowProtected: boolean;
  /** A dataset is being loaded: directives marked denyLoading are refused with LOADING. */
  loading?: boolean;
  /** Called with the argv index of every sensitive value (redacted from SLOWLOG/MONITOR). */
  redact?: (argIndex: number) => void;
}

/** A `rename-command` line of the config file, applied when the command table is built. */
export interface CommandRename {
  from: string;
  to: string;
}

type Parsed = { value: ConfigValue } | { error: string };

/** A `sentinel <option> ...` line kept for the sentinel (its arguments after "sentinel"). */
export interface SentinelConfigLine {
  args: string[];
  lineNumber: number;
  lineText: string;
}

export class Config implements ConfigView {
  private readonly byName = new Map<string, DirectiveSpec>();
  private readonly values = new Map<string, ConfigValue>();
  private readonly defaults = new Map<string, ConfigValue>();
  private readonly listeners = new Map<string, ChangeListener[]>();
  private readonly anyChangeListeners: Array<() => void> = [];
  private readonly appliers = new Map<string, ConfigApplier>();
  /** Canonical name -> the live fields it feeds. */
  private readonly liveBindings = new Map<string, LiveBinding[]>();
  /** The object behind `live`, written only by store(). */
  private readonly liveValues: LiveSettings;
  /**
   * Typed values of the directives read on the hot path (config/live.ts lists them), always
   * equal to what get() returns: updated by config files, flags, CONFIG SET and its rollback.
   */
  readonly live: Readonly<LiveSettings>;
  /** The config file this server was started with, if any (for CONFIG REWRITE and INFO). */
  configFile: string | null = null;
  /** rename-command directives, in file order. */
  readonly renamedCommands: CommandRename[] = [];
  /** Told which directive's side effect failed in CONFIG SET, before the rollback (the server logs it). */
  onApplyFailure: ((name: string) => void) | null = null;
  /** Names of the commands that exist, to validate rename-command (set before loading). */
  commandExists: ((name: string) => boolean) | null = null;
  /**
   * `user <name> <rules...>` lines, in order, as their arguments after "user" (the ACL users are
   * created from them once the server exists).
   */
  readonly users: string[][] = [];
  /**
   * Checks a `user` line (all its words, "user" first) against the names of earlier ones: null,
   * or the error. Set before loading; absent, lines are taken unchecked.
   */
  userLineCheck: ((tokens: readonly string[], seenNames: ReadonlySet<string>) => string | null) | null = null;
  /** CONFIG REWRITE's `user` lines, or null to drop them (an aclfile holds the users). */
  userLines: (() => string[] | null) | null = null;
  /**
   * The process is a sentinel (redis-sentinel, --sentinel): `sentinel ...` lines are collected
   * in `sentinelLines` for the sentinel to read after the file, as Redis queues them.
   */
  sentinelMode = false;
  readonly sentinelLines: SentinelConfigLine[] = [];
  /** Writes the sentinel's lines during CONFIG REWRITE (set by the sentinel process). */
  sentinelRewrite: ((lines: ConfigRewriteLines) => void) | null = null;

  constructor(readonly table: readonly DirectiveSpec[]) {
    for (const spec of table) {
      this.byName.set(spec.name, spec);
      if (spec.alias) this.byName.set(spec.alias, spec);
      const parsed = this.parseValue(spec, splitDefault(spec));
      if ('error' in parsed) throw new Error(`bad default for ${spec.name}: ${parsed.error}`);
      this.values.set(spec.name, parsed.value);
      this.defaults.set(spec.name, parsed.value);
    }
    // Every field is assigned here, in LIVE_FIELDS order, so all Config instances share one
    // object shape and reads of `live` stay monomorphic.
    const live: Partial<Record<LiveFieldName, unknown>> = {};
    for (const field of Object.keys(LIVE_FIELDS) as LiveFieldName[]) {
      const { directive, fromValue } = LIVE_FIELDS[field];
      const spec = this.byName.get(directive);
      if (spec === undefined) throw new Error(`live field ${field}: directive ${directive} is not in the table`);
      live[field] = fromValue(this.values.get(spec.name) as ConfigValue);
      const bindings = this.liveBindings.get(spec.name) ?? [];
      bindings.push({ field, fromValue });
      this.liveBindings.set(spec.name, bindings);
    }
    // Complete now: the loop above assigned every key of LIVE_FIELDS with its converter's type.
    this.liveValues = live as LiveSettings;
    this.live = this.liveValues;
  }

  /** The table entry for a name or alias, any case (names from clients and files). */
  spec(name: string): DirectiveSpec | undefined {
    return this.byName.get(name.toLowerCase());
  }

  /** The current value of a directive, by canonical name or alias. */
  get(name: DirectiveName): ConfigValue {
    const v = this.values.get(name) ?? this.valueOfAlias(name);
    if (v === undefined) throw new Error(`unknown directive ${name}`);
    return v;
  }

  private valueOfAlias(name: string): ConfigValue | undefined {
    const spec = this.byName.get(name);
    return spec === undefined ? undefined : this.values.get(spec.name);
  }

  /** An 'int' or 'memory' (bytes) directive. */
  num(name: NumericDirectiveName): number {
    return this.get(name) as number;
  }

  /** A yes/no directive. */
  bool(name: BoolDirectiveName): boolean {
    return this.get(name) as boolean;
  }

  /** A string, enum or special directive, as stored (canonical text). */
  str(name: TextDirectiveName): string {
    return this.get(name) as string;
  }

  /** The value of a table entry, for code that walks the table (CONFIG REWRITE). */
  valueOf(spec: DirectiveSpec): ConfigValue {
    return this.values.get(spec.name) as ConfigValue;
  }

  /** The text value of a string, enum or special table entry. */
  textOf(spec: DirectiveSpec): string {
    const v = this.valueOf(spec);
    if (typeof v !== 'string') throw new Error(`${spec.name} is not a text directive`);
    return v;
  }

  /** Stores a value and refreshes the live fields it feeds: the one writer of both. */
  private store(spec: DirectiveSpec, value: ConfigValue): void {
    this.values.set(spec.name, value);
    const bindings = this.liveBindings.get(spec.name);
    if (bindings === undefined) return;
    const live = this.liveValues as Record<LiveFieldName, unknown>;
    for (const { field, fromValue } of bindings) live[field] = fromValue(value);
  }

  private canonicalName(name: DirectiveName): CanonicalDirectiveName {
    const spec = this.byName.get(name);
    if (spec === undefined) throw new Error(`unknown directive ${name}`);
    return spec.name as CanonicalDirectiveName;
  }

  defaultValue(spec: DirectiveSpec): ConfigValue {
    return this.defaults.get(spec.name) as ConfigValue;
  }

  isDefault(spec: DirectiveSpec): boolean {
    return this.values.get(spec.name) === this.defaults.get(spec.name);
  }

  /** Called after any directive's value changed (not during loading). */
  onAnyChange(listener: () => void): void {
    this.anyChangeListeners.push(listener);
  }

  /** Called after a directive's value changed (not during loading, before the server exists). */
  onChange(name: DirectiveName, listener: ChangeListener): void {
    const canonical = this.canonicalName(name);
    const list = this.listeners.get(canonical) ?? [];
    list.push(listener);
    this.listeners.set(canonical, list);
  }

  /** Registers the fallible side effect of a directive (one per directive). */
  setApplier(name: DirectiveName, applier: ConfigApplier): void {
    this.appliers.set(this.canonicalName(name), applier);
  }

  /** Text of a value as CONFIG GET shows it. */
  format(spec: DirectiveSpec): string {
    return this.formatValue(spec, this.values.get(spec.name) as ConfigValue);
  }

  formatValue(spec: DirectiveSpec, v: ConfigValue): string {
    if (spec.display !== undefined && typeof v === 'string') return spec.display(v);
    if (typeof v === 'boolean') return v ? 'yes' : 'no';
    if (spec.percent === true && typeof v === 'number' && v < 0) return `${-v}%`;
    return String(v);
  }

  /** Text of a value as CONFIG REWRITE writes it (memory with units). */
  formatForFile(spec: DirectiveSpec): string {
    const v = this.values.get(spec.name);
    if (spec.kind === 'memory' && typeof v === 'number') return v < 0 && spec.percent ? `${-v}%` : formatMemory(v);
    if (spec.display !== undefined && typeof v === 'string') return spec.display(v);
    if (typeof v === 'boolean') return v ? 'yes' : 'no';
    return String(v);
  }

  /** Parses arguments into a typed value without applying it. */
  parseValue(spec: DirectiveSpec, args: readonly string[]): Parsed {
    if (spec.kind === 'special') {
      if (!spec.parse) return { error: 'no parser' };
      const current = this.values.get(spec.name);
      return spec.parse(args, typeof current === 'string' ? current : '');
    }
    if (spec.kind === 'enum') return parseEnum(spec, args);
    if (args.length !== 1) return { error: 'wrong number of arguments' };
    const text = args[0];
    switch (spec.kind) {
      case 'bool': {
        const lower = text.toLowerCase();
        if (lower === 'yes') return { value: true };
        if (lower === 'no') return { value: false };
        return { error: "argument must be 'yes' or 'no'" };
      }
      case 'int':
      case 'memory':
        return parseNumeric(spec, text);
      case 'string': {
        const problem = spec.validate ? spec.validate(text) : null;
        if (problem !== null) return { error: problem };
        return { value: text };
      }
    }
  }

  /** Refuses values of reserved directives other than their default. */
  private check(spec: DirectiveSpec, value: ConfigValue): string | null {
    if (spec.reservedFor !== undefined && value !== this.defaults.get(spec.name)) {
      return `'${spec.name}' can only be '${spec.defaultText}' in this version of Cinnabar (${spec.reservedFor} comes in a later version)`;
    }
    return null;
  }

  private notify(spec: DirectiveSpec, value: ConfigValue): void {
    for (const listener of this.listeners.get(spec.name) ?? []) listener(value);
    for (const listener of this.anyChangeListeners) listener();
  }

  private apply(spec: DirectiveSpec, value: ConfigValue): void {
    const previous = this.values.get(spec.name);
    this.store(spec, value);
    if (previous !== value) this.notify(spec, value);
  }

  /**
   * Sets one directive from raw arguments at run time, as one directive line alone would (no
   * file-loading rules: a `save` line replaces the list). Refuses reserved values. Returns an
   * error or null.
   */
  setFromArgs(name: string, args: readonly string[]): string | null {
    const spec = this.spec(name);
    if (!spec) return 'Bad directive or wrong number of arguments';
    const parsed = this.parseArgs(spec, args);
    if ('error' in parsed) return parsed.error;
    const problem = this.check(spec, parsed.value);
    if (problem) return problem;
    this.apply(spec, parsed.value);
    return null;
  }

  /** Parses a directive line's arguments (file or flags) into a value, without storing it. */
  private parseArgs(spec: DirectiveSpec, args: readonly string[]): Parsed {
    if (!spec.multiArg && args.length !== 1) return { error: 'wrong number of arguments' };
    // Like Redis, a multi-argument directive given as one non-empty argument is split again,
    // so `--save "900 1"` works from a command line, while `--save ""` stays an empty list.
    if (spec.multiArg && args.length === 1 && args[0] !== '') {
      const split = splitInlineArgs(args[0]);
      if (split !== null) args = split.length === 0 ? [''] : split;
    }
    return this.parseValue(spec, args.length === 0 && spec.kind !== 'enum' ? [''] : args);
  }

  /**
   * CONFIG SET with several name/value pairs, all or nothing, in Redis's order: look every name
   * up (redacting sensitive values even after an error), parse every value, then run the
   * fallible side effects, rolling everything back on the first failure. Returns an error reply
   * text (with its "ERR " prefix) or null.
   */
  setMany(pairs: ReadonlyArray<[string, string]>, options: SetOptions): string | null {
    const specs: DirectiveSpec[] = [];
    let unknownName: string | null = null;
    let failure: { name: string; reason: string } | null = null;
    let deniedWhileLoading = false;
    for (let i = 0; i < pairs.length; i++) {
      const name = pairs[i][0];
      const spec = this.spec(name);
      if (!spec) {
        if (unknownName === null && failure === null) unknownName = name;
        continue;
      }
      if (spec.sensitive === true && options.redact) options.redact(3 + i * 2);
      if (unknownName !== null || failure !== null) continue;
      if (!spec.mutable) {
        failure = { name, reason: "can't set immutable config" };
      } else if (spec.protectedConfig === true && !options.allowProtected) {
        failure = { name, reason: "can't set protected config" };
      } else if (spec.denyLoading === true && options.loading === true) {
        deniedWhileLoading = true;
      } else if (specs.includes(spec)) {
        failure = { name, reason: 'duplicate parameter' };
      }
      specs.push(spec);
    }
    // The loading error first: clients may handle it differently from a plain ERR.
    if (deniedWhileLoading) return 'LOADING Redis is loading the dataset in memory';
    if (unknownName !== null) return `ERR Unknown option or number of arguments for CONFIG SET - '${unknownName}'`;
    if (failure !== null) return setError(failure.name, failure.reason);

    const staged: ConfigValue[] = [];
    for (let i = 0; i < specs.length; i++) {
      const spec = specs[i];
      const text = pairs[i][1];
      const args = spec.multiArg ? splitInlineArgs(text) ?? [text] : [text];
      const parsed = this.parseValue(spec, spec.multiArg && args.length === 0 && spec.kind !== 'enum' ? [''] : args);
      if ('error' in parsed) return setError(spec.name, parsed.error);
      const problem = this.check(spec, parsed.value);
      if (problem) return setError(spec.name, problem);
      staged.push(parsed.value);
    }
    return this.commit(specs, staged);
  }

  /** Stores staged values and runs the appliers; restores everything if one fails. */
  private commit(specs: readonly DirectiveSpec[], staged: readonly ConfigValue[]): string | null {
    const previous = specs.map((s) => this.values.get(s.name) as ConfigValue);
    for (let i = 0; i < specs.length; i++) this.store(specs[i], staged[i]);
    const applied: number[] = [];
    for (let i = 0; i < specs.length; i++) {
      const applier = this.appliers.get(specs[i].name);
      if (applier === undefined || staged[i] === previous[i]) continue;
      const problem = applier(staged[i]);
      if (problem === null) {
        applied.push(i);
        continue;
      }
      this.onApplyFailure?.(specs[i].name);
      for (let j = 0; j < specs.length; j++) this.store(specs[j], previous[j]);
      for (const j of applied) this.appliers.get(specs[j].name)?.(previous[j]);
      return setError(specs[i].name, problem);
    }
    for (let i = 0; i < specs.length; i++) if (staged[i] !== previous[i]) this.notify(specs[i], staged[i]);
    return null;
  }

  /**
   * CONFIG GET: a name without glob characters is looked up exactly (hidden directives and
   * aliases included, reported under the name asked for); a pattern matches visible names and
   * aliases. Each directive name is reported once.
   */
  matching(patterns: readonly string[]): Array<[string, string]> {
    const out: Array<[string, string]> = [];
    const seen = new Set<string>();
    for (const pattern of patterns) {
      if (!/[[*?]/.test(pattern)) {
        const spec = this.spec(pattern);
        if (spec === undefined || seen.has(pattern)) continue;
        seen.add(pattern);
        out.push([pattern, this.format(spec)]);
        continue;
      }
      for (const spec of this.table) {
        if (spec.hidden) continue;
        for (const name of spec.alias ? [spec.name, spec.alias] : [spec.name]) {
          if (seen.has(name)) continue;
          if (globMatch(pattern, name, true)) {
            seen.add(name);
            out.push([name, this.format(spec)]);
          }
        }
      }
    }
    return out;
  }

  /**
   * Loads redis.conf text (a file, with the command-line flags appended as more lines, as
   * redis-server does). Each directive takes its final value: lines are applied in order (a
   * later line replaces an earlier one; `save` lines append, an empty `save ""` clears), and
   * only then are reserved directives checked, so a file's `save 900 1` followed by a flag
   * `--save ""` loads. Lines are numbered from 1 in each file, as Redis reports them. Throws
   * ConfigFileError on the first bad line, or for a reserved directive left at a value other
   * than its default (reported at the last line that set it).
   */
  loadText(text: string, baseDir: string): void {
    const session: LoadSession = { lastLine: new Map(), linesSeen: 0 };
    this.loadLines(text, baseDir, 0, session);
    this.checkFinalValues(session);
  }

  private loadLines(text: string, baseDir: string, depth: number, session: LoadSession): void {
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i].trim();
      if (line === '' || line.startsWith('#')) continue;
      const args = splitInlineArgs(line);
      if (args === null) throw new ConfigFileError(i + 1, line, 'Unbalanced quotes in configuration line');
      if (args.length === 0) continue;
      const name = args[0].toLowerCase();
      const rest = args.slice(1);
      const spec = this.spec(name);
      if (spec !== undefined) {
        const error = this.loadDirective(spec, rest, session);
        if (error !== null) throw new ConfigFileError(i + 1, line, error);
        session.lastLine.set(spec.name, { lineNumber: i + 1, lineText: line, sequence: session.linesSeen++ });
        continue;
      }
      if (DEPRECATED_DIRECTIVES.has(name) && rest.length === 1) continue;
      if (name === 'include' && rest.length === 1) {
        this.include(rest[0], baseDir, depth, session);
        continue;
      }
      if (name === 'rename-command' && rest.length === 2) {
        const problem = this.addRename(rest[0], rest[1]);
        if (problem !== null) throw new ConfigFileError(i + 1, line, problem);
        continue;
      }
      if (name === 'user' && rest.length >= 1) {
        const problem = this.userLineCheck?.(args, new Set(this.users.map((u) => u[0]))) ?? null;
        if (problem !== null) throw new ConfigFileError(i + 1, line, problem);
        this.users.push(rest);
        continue;
      }
      if (name === 'sentinel') {
        // A bare "sentinel" line only asks for sentinel mode (the command line decides that).
        if (rest.length === 0) continue;
        if (!this.sentinelMode) throw new ConfigFileError(i + 1, line, 'sentinel directive while not in sentinel mode');
        this.sentinelLines.push({ args: rest, lineNumber: i + 1, lineText: line });
        continue;
      }
      throw new ConfigFileError(i + 1, line, 'Bad directive or wrong number of arguments');
    }
  }

  /**
   * One known directive's line: parsed and stored without the reserved check (that waits for
   * the final value). A directive that appends in files (save) replaces its default on its
   * first line and appends on later ones, as Redis's config loading does.
   */
  private loadDirective(spec: DirectiveSpec, args: readonly string[], session: LoadSession): string | null {
    const parsed = this.parseArgs(spec, args);
    if ('error' in parsed) return parsed.error;
    let value = parsed.value;
    if (spec.appendsInFile === true && session.lastLine.has(spec.name)) {
      const current = this.values.get(spec.name);
      if (typeof current === 'string' && typeof value === 'string' && current !== '' && value !== '') value = `${current} ${value}`;
    }
    this.apply(spec, value);
    return null;
  }

  /** After every line: reserved directives must have ended at their defaults. */
  private checkFinalValues(session: LoadSession): void {
    let first: { source: SourceLine; problem: string } | null = null;
    for (const spec of this.table) {
      const problem = this.check(spec, this.values.get(spec.name) as ConfigValue);
      if (problem === null) continue;
      const source = session.lastLine.get(spec.name);
      // Only a loaded line can move a reserved directive off its default (setFromArgs and
      // CONFIG SET refuse it), so a missing line is a broken invariant.
      if (source === undefined) throw new Error(`${spec.name}: reserved value without a source line`);
      if (first === null || source.sequence < first.source.sequence) first = { source, problem };
    }
    if (first !== null) throw new ConfigFileError(first.source.lineNumber, first.source.lineText, first.problem);
  }

  private include(file: string, baseDir: string, depth: number, session: LoadSession): void {
    const path = resolvePath(baseDir, file);
    if (depth >= MAX_INCLUDE_DEPTH) throw new IncludeError(`Fatal error, can't open config file '${path}': include nesting too deep`);
    let content: string;
    try {
      content = readFileSync(path, 'latin1');
    } catch (err) {
      throw new IncludeError(`Fatal error, can't open config file '${path}': ${describeFsError(err)}`);
    }
    this.loadLines(content, dirname(path), depth + 1, session);
  }

  /** rename-command: checked against the command table as Redis checks it at load time. */
  private addRename(from: string, to: string): string | null {
    const source = from.toLowerCase();
    const target = to.toLowerCase();
    if (!this.commandIsLive(source)) return 'No such command in rename-command';
    if (target !== '' && this.commandIsLive(target)) return 'Target command name already exists';
    this.renamedCommands.push({ from: source, to: target });
    return null;
  }

  /** Whether a command answers to `name` after the renames seen so far. */
  private commandIsLive(name: string): boolean {
    let live = this.commandExists === null ? true : this.commandExists(name);
    for (const r of this.renamedCommands) {
      if (r.from === name) live = false;
      if (r.to === name) live = true;
    }
    return live;
  }
}

/** A config file named by `include` could not be read: Redis logs this and exits. */
export class IncludeError extends Error {}

function describeFsError(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e.code === 'ENOENT') return 'No such file or directory';
  if (e.code === 'EACCES') return 'Permission denied';
  if (e.code === 'EISDIR') return 'Is a directory';
  return e.message;
}

function setError(name: string, reason: string): string {
  return `ERR CONFIG SET failed (possibly related to argument '${name}') - ${reason}`;
}

function parseNumeric(spec: DirectiveSpec, text: string): Parsed {
  let n: number | null;
  if (spec.kind === 'memory') {
    if (spec.percent === true && text.endsWith('%')) {
      const percent = parseStrictInteger(text.slice(0, -1));
      if (percent === null || percent < 0) return { error: 'argument must be a memory or percent value' };
      if (percent > 100) return { error: 'percentage argument must be less or equal to 100' };
      return { value: -percent };
    }
    n = /^\d/.test(text) ? parseMemory(text) : null;
    if (n === null) return { error: spec.percent === true ? 'argument must be a memory or percent value' : 'argument must be a memory value' };
  } else {
    n = parseStrictInteger(text);
    if (n === null) return { error: "argument couldn't be parsed into an integer" };
  }
  const min = spec.min ?? -Number.MAX_SAFE_INTEGER;
  const max = spec.max ?? Number.MAX_SAFE_INTEGER;
  if (n < min || n > max) return { error: `argument must be between ${min} and ${formatMax(max)} inclusive` };
  return { value: spec.normalize ? spec.normalize(n) : n };
}

/** Enums; a multi-argument enum (shutdown-on-sigterm) keeps its words in the table's order. */
function parseEnum(spec: DirectiveSpec, args: readonly string[]): Parsed {
  const values = spec.values ?? [];
  const invalid = { error: `argument(s) must be one of the following: ${values.join(', ')}` };
  if (args.length === 0 || (!spec.multiArg && args.length !== 1)) return invalid;
  const chosen = new Set<string>();
  for (const a of args) {
    const lower = a.toLowerCase();
    if (!values.includes(lower)) return invalid;
    chosen.add(lower);
  }
  if (!spec.multiArg) return { value: [...chosen][0] };
  // 'default' is the empty flag set: it only shows when nothing else is chosen.
  const words = values.filter((v) => chosen.has(v) && (v !== values[0] || chosen.size === 1));
  return { value: words.join(' ') };
}

function splitDefault(spec: DirectiveSpec): string[] {
  if (spec.kind !== 'special') return [spec.defaultText];
  const args = splitInlineArgs(spec.defaultText);
  return args === null || args.length === 0 ? [''] : args;
}

function formatMax(max: number): string {
  return max >= Number.MAX_SAFE_INTEGER ? '9223372036854775807' : String(max);
}

/** Renders the fatal start-up message Redis prints for a bad config line. */
export function formatConfigFileError(err: ConfigFileError, version: string): string {
  return `\n*** FATAL CONFIG FILE ERROR (Redis ${version}) ***\n` +
    `Reading the configuration file, at line ${err.lineNumber}\n` +
    `>>> '${err.lineText}'\n${err.reason}\n`;
}
