// Script flags: the "#!lua flags=..." shebang of an EVAL script and the flags of a registered
// function, with what they change about the command running them (Redis's script.c rules).

import { sha1Latin1 } from '../util/sha1.js';
import { splitInlineArgs } from '../util/split-args.js';

export const SCRIPT_FLAG_NAMES = ['no-writes', 'allow-oom', 'allow-stale', 'no-cluster', 'allow-cross-slot-keys'] as const;
export type ScriptFlagName = (typeof SCRIPT_FLAG_NAMES)[number];

export interface ScriptFlags {
  /** An EVAL script without a shebang: Redis's backward-compatible mode (flags from the command). */
  readonly compatMode: boolean;
  readonly noWrites: boolean;
  readonly allowOom: boolean;
  readonly allowStale: boolean;
  readonly noCluster: boolean;
  readonly allowCrossSlot: boolean;
}

export const COMPAT_FLAGS: ScriptFlags = {
  compatMode: true,
  noWrites: false,
  allowOom: false,
  allowStale: false,
  noCluster: false,
  allowCrossSlot: false,
};

/** Flags from a list of names, or the first name that is not a flag. */
export function flagsFromNames(names: readonly string[]): ScriptFlags | { unknown: string } {
  const set = new Set<string>();
  for (const name of names) {
    if (!(SCRIPT_FLAG_NAMES as readonly string[]).includes(name)) return { unknown: name };
    set.add(name);
  }
  return {
    compatMode: false,
    noWrites: set.has('no-writes'),
    allowOom: set.has('allow-oom'),
    allowStale: set.has('allow-stale'),
    noCluster: set.has('no-cluster'),
    allowCrossSlot: set.has('allow-cross-slot-keys'),
  };
}

export interface ParsedScriptBody {
  flags: ScriptFlags;
  /** Bytes of the shebang line (the code compiled starts at its newline, keeping line numbers). */
  shebangLength: number;
}

/** Redis's evalExtractShebangFlags: the flags of a script body, or the error text. */
export function parseShebang(body: string): ParsedScriptBody | { error: string } {
  if (!body.startsWith('#!')) return { flags: COMPAT_FLAGS, shebangLength: 0 };
  const end = body.indexOf('\n');
  if (end < 0) return { error: 'Invalid script shebang' };
  const parts = splitInlineArgs(body.slice(0, end));
  if (parts === null || parts.length === 0) return { error: 'Invalid engine in script shebang' };
  if (parts[0] !== '#!lua') return { error: `Unexpected engine in script shebang: ${parts[0]}` };
  const names: string[] = [];
  for (let i = 1; i < parts.length; i++) {
    const part = parts[i];
    if (!part.startsWith('flags=')) return { error: `Unknown lua shebang option: ${part}` };
    const list = part.slice(6);
    // sdssplitlen of an empty string yields no parts: "flags=" declares no flags.
    if (list.length > 0) names.push(...list.split(','));
  }
  const flags = flagsFromNames(names);
  if ('unknown' in flags) return { error: `Unexpected flag in script shebang: ${flags.unknown}` };
  return { flags, shebangLength: end };
}

/** Lowercase hex SHA1 of a script body (binary safe: the body is latin1). */
export function sha1Hex(body: string): string {
  sha1Latin1(body, digest);
  return digest.toString('hex');
}

const digest = Buffer.alloc(20);
