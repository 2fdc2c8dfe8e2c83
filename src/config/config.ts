// The live configuration: typed values for every directive of the table, parsed from redis.conf
// text, command-line flags and CONFIG SET with Redis's rules and error texts.

import { readFileSync } from 'node:fs';
import { resolve as resolvePath, dirname } from 'node:path';
import { globMatch } from '../util/glob.js';
import { splitInlineArgs } from '../util/split-args.js';
import { ConfigFileError, type ConfigValue, type DirectiveSpec } from './types.js';

const MAX_INCLUDE_DEPTH = 16;

/** Parses Redis memory notation: 1k = 1000, 1kb = 1024, m/mb, g/gb; case-insensitive. */
export function parseMemory(text: string): number | null {
  const m = /^(-?\d+)(b|k|kb|m|mb|g|gb)?$/i.exec(text);
  if (m === null) return null;
  const units: Record<string, number> = { b: 1, k: 1000, kb: 1024, m: 1e6, mb: 1024 * 1024, g: 1e9, gb: 1024 * 1024 * 1024 };
  const unit = m[2] === undefined ? 1 : units[m[2].toLowerCase()];
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

export class Config {
  private readonly byName = new Map<string, DirectiveSpec>();
  private readonly values = new Map<string, ConfigValue>();
  private readonly listeners = new Map<string, ChangeListener[]>();
  /** The config file this server was started with, if any (for CONFIG REWRITE and INFO). */
  configFile: string | null = null;

  constructor(readonly table: readonly DirectiveSpec[]) {
    for (const spec of table) {
      this.byName.set(spec.name, spec);
      if (spec.alias) this.byName.set(spec.alias, spec);
      const parsed = this.parseValue(spec, splitDefault(spec));
      if ('error' in parsed) throw new Error(`bad default for ${spec.name}: ${parsed.error}`);
      this.values.set(spec.name, parsed.value);
    }
  }

  spec(name: string): DirectiveSpec | undefined {
    return this.byName.get(name.toLowerCase());
  }

  get(name: string): ConfigValue {
    const v = this.values.get(name);
    if (v === undefined) throw new Error(`unknown directive ${name}`);
    return v;
  }

  num(name: string): number {
    return this.get(name) as number;
  }

  bool(name: string): boolean {
    return this.get(name) as boolean;
  }

  str(name: string): string {
    return this.get(name) as string;
  }

  onChange(name: string, listener: ChangeListener): void {
    const list = this.listeners.get(name) ?? [];
    list.push(listener);
    this.listeners.set(name, list);
  }

  /** Text of a value as CONFIG GET shows it. */
  format(spec: DirectiveSpec): string {
    const v = this.values.get(spec.name);
    if (typeof v === 'boolean') return v ? 'yes' : 'no';
    return String(v);
  }

  /** Text of a value as CONFIG REWRITE writes it (memory with units, quoted when needed). */
  formatForFile(spec: DirectiveSpec): string {
    const v = this.values.get(spec.name);
    if (spec.kind === 'memory' && typeof v === 'number') return formatMemory(v);
    if (typeof v === 'boolean') return v ? 'yes' : 'no';
    return String(v);
  }

  /** Parses arguments into a typed value without applying it. */
  parseValue(spec: DirectiveSpec, args: readonly string[]): { value: ConfigValue } | { error: string } {
    if (spec.kind === 'special') {
      if (!spec.parse) return { error: 'no parser' };
      return spec.parse(args);
    }
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
      case 'memory': {
        const n = spec.kind === 'memory' ? parseMemory(text) : parseStrictInteger(text);
        if (n === null) {
          return { error: spec.kind === 'memory' ? 'argument must be a memory value' : "argument couldn't be parsed into an integer" };
        }
        const min = spec.min ?? -Number.MAX_SAFE_INTEGER;
        const max = spec.max ?? Number.MAX_SAFE_INTEGER;
        if (n < min || n > max) return { error: `argument must be between ${min} and ${formatMax(max)} inclusive` };
        return { value: n };
      }
      case 'enum': {
        const values = spec.values ?? [];
        const lower = text.toLowerCase();
        const found = values.find((v) => v === lower);
        if (found === undefined) return { error: `argument(s) must be one of the following: ${values.join(', ')}` };
        return { value: found };
      }
      case 'string': {
        const problem = spec.validate ? spec.validate(text) : null;
        if (problem !== null) return { error: problem };
        return { value: text };
      }
    }
  }

  /** Applies a parsed value, checking reserved directives. Returns an error text or null. */
  private check(spec: DirectiveSpec, value: ConfigValue): string | null {
    if (spec.reservedFor !== undefined) {
      const defaultParsed = this.parseValue(spec, splitDefault(spec));
      if ('value' in defaultParsed && defaultParsed.value !== value) {
        return `'${spec.name}' can only be '${spec.defaultText}' in this version of Cinnabar: ${spec.reservedFor} is not implemented yet`;
      }
    }
    return null;
  }

  private apply(spec: DirectiveSpec, value: ConfigValue): void {
    const previous = this.values.get(spec.name);
    this.values.set(spec.name, value);
    if (previous !== value) for (const listener of this.listeners.get(spec.name) ?? []) listener(value);
  }

  /** Sets one directive from raw arguments (config file / flags). Returns an error or null. */
  setFromArgs(name: string, args: readonly string[]): string | null {
    const spec = this.spec(name);
    if (!spec) return 'Bad directive or wrong number of arguments';
    if (!spec.multiArg && args.length !== 1) return 'wrong number of arguments';
    const parsed = this.parseValue(spec, args);
    if ('error' in parsed) return parsed.error;
    const problem = this.check(spec, parsed.value);
    if (problem) return problem;
    this.apply(spec, parsed.value);
    return null;
  }

  /**
   * CONFIG SET with several name/value pairs, all or nothing. Returns an error reply text
   * (without "ERR ") or null.
   */
  setMany(pairs: ReadonlyArray<[string, string]>): string | null {
    const staged: Array<[DirectiveSpec, ConfigValue]> = [];
    const seen = new Set<string>();
    for (const [name, text] of pairs) {
      const spec = this.spec(name);
      if (!spec || spec.hidden === true && spec.reservedFor !== undefined) {
        return `Unknown option or number of arguments for CONFIG SET - '${name}'`;
      }
      if (seen.has(spec.name)) return `CONFIG SET failed (possibly related to argument '${name}') - duplicate parameter`;
      seen.add(spec.name);
      if (!spec.mutable) return `CONFIG SET failed (possibly related to argument '${name}') - can't set immutable config`;
      if (spec.protectedConfig && this.str('enable-protected-configs') === 'no') {
        return `CONFIG SET failed (possibly related to argument '${name}') - can't set protected config`;
      }
      const args = spec.multiArg ? splitInlineArgs(text) ?? [text] : [text];
      const parsed = this.parseValue(spec, spec.multiArg && args.length === 0 ? [''] : args);
      if ('error' in parsed) return `CONFIG SET failed (possibly related to argument '${name}') - ${parsed.error}`;
      const problem = this.check(spec, parsed.value);
      if (problem) return `CONFIG SET failed (possibly related to argument '${name}') - ${problem}`;
      staged.push([spec, parsed.value]);
    }
    for (const [spec, value] of staged) this.apply(spec, value);
    return null;
  }

  /** CONFIG GET: every visible directive whose name or alias matches one of the patterns. */
  matching(patterns: readonly string[]): Array<[string, string]> {
    const out: Array<[string, string]> = [];
    const seen = new Set<string>();
    for (const pattern of patterns) {
      const lowered = pattern.toLowerCase();
      for (const spec of this.table) {
        if (spec.hidden) continue;
        for (const name of spec.alias ? [spec.name, spec.alias] : [spec.name]) {
          if (seen.has(name)) continue;
          if (globMatch(lowered, name, true)) {
            seen.add(name);
            out.push([name, this.format(spec)]);
          }
        }
      }
    }
    return out;
  }

  /**
   * Loads redis.conf text. Lines are numbered across the whole text, as Redis reports them.
   * Throws ConfigFileError on the first bad line.
   */
  loadText(text: string, baseDir: string, depth = 0): void {
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i].trim();
      if (line === '' || line.startsWith('#')) continue;
      const args = splitInlineArgs(line);
      if (args === null) throw new ConfigFileError(i + 1, line, 'Unbalanced quotes in configuration line');
      if (args.length === 0) continue;
      const name = args[0].toLowerCase();
      const rest = args.slice(1);
      if (name === 'include' && rest.length === 1) {
        if (depth >= MAX_INCLUDE_DEPTH) throw new ConfigFileError(i + 1, line, 'include nesting too deep');
        const path = resolvePath(baseDir, rest[0]);
        let content: string;
        try {
          content = readFileSync(path, 'latin1');
        } catch (err) {
          throw new ConfigFileError(i + 1, line, `Fatal error, can't open config file '${path}': ${(err as Error).message}`);
        }
        this.loadText(content, dirname(path), depth + 1);
        continue;
      }
      if (name === 'sentinel') throw new ConfigFileError(i + 1, line, 'sentinel directive while not in sentinel mode');
      const spec = this.spec(name);
      if (!spec || (rest.length === 0 && !spec.multiArg) || (!spec.multiArg && rest.length !== 1)) {
        throw new ConfigFileError(i + 1, line, 'Bad directive or wrong number of arguments');
      }
      const error = this.setFromArgs(name, rest.length === 0 ? [''] : rest);
      if (error !== null) throw new ConfigFileError(i + 1, line, error);
    }
  }
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
