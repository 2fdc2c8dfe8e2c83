// Function libraries as Redis 7.0 handles them (functions.c): the "#!lua name=<lib>" metadata,
// building a library by running its code once (the engine's part), and putting libraries into
// the registry alone (FUNCTION LOAD [REPLACE]) or as a set (FUNCTION RESTORE APPEND|REPLACE|FLUSH).

import type { FunctionInfo, FunctionLibraries, FunctionLibrary } from '../store/functions.js';
import { RDB_OPCODE_FUNCTION, RDB_OPCODE_FUNCTION2 } from '../store/rdb/constants.js';
import { DUMP_PAYLOAD_FOOTER_BYTES, sealDumpPayload, verifyDumpPayload } from '../store/rdb/dump-payload.js';
import { RdbFormatError } from '../store/rdb/errors.js';
import { RdbReader } from '../store/rdb/reader.js';
import { RdbWriter } from '../store/rdb/writer.js';
import { splitInlineArgs } from '../util/split-args.js';

/** The one engine a library may name (case-insensitive, as Redis's engine dictionary). */
export const LUA_ENGINE_NAME = 'LUA';

export interface LibraryMetadata {
  engine: string;
  name: string;
  /** The code after the shebang, its newline kept so line numbers stay the user's. */
  body: string;
}

/** Redis's functionExtractLibMetaData: the library's engine and name, or the error text. */
export function parseLibraryMetadata(code: string): LibraryMetadata | { error: string } {
  if (!code.startsWith('#!')) return { error: 'Missing library metadata' };
  const end = code.indexOf('\n');
  if (end < 0) return { error: 'Invalid library metadata' };
  const parts = splitInlineArgs(code.slice(0, end));
  if (parts === null || parts.length === 0) return { error: 'Invalid library metadata' };
  let name: string | null = null;
  for (let i = 1; i < parts.length; i++) {
    const part = parts[i];
    if (part.slice(0, 5).toLowerCase() !== 'name=') return { error: `Invalid metadata value given: ${part}` };
    if (name !== null) return { error: 'Invalid metadata value, name argument was given multiple times' };
    name = part.slice(5);
  }
  if (name === null) return { error: 'Library name was not given' };
  return { engine: parts[0].slice(2), name, body: code.slice(end) };
}

/** Library and function names: letters, digits and underscores, at least one. */
export function isValidFunctionName(name: string): boolean {
  return /^[A-Za-z0-9_]+$/.test(name);
}

export const INVALID_NAME_ERROR =
  'Library names can only contain letters, numbers, or underscores(_) and must be at least one character long';

/** What a library's code registered when it ran (redis.register_function). */
export interface RegisteredFunction {
  name: string;
  description: string | null;
  flags: string[];
}

/**
 * Runs a library's code with the engine and returns what it registered, keyed as given; or the
 * error text ("Error compiling function: ...", "Error registering functions: ...").
 */
export type LibraryRunner = (library: FunctionLibrary, body: string) => Map<string, RegisteredFunction> | { error: string };

/**
 * Redis's functionsCreateWithLibraryCtx: builds the library from its code and links it into
 * `registry` (replacing a library of the same name when `replace`); the library, or the error.
 */
export function createLibrary(registry: FunctionLibraries, code: string, replace: boolean, run: LibraryRunner): FunctionLibrary | { error: string } {
  const metadata = parseLibraryMetadata(code);
  if ('error' in metadata) return metadata;
  if (!isValidFunctionName(metadata.name)) return { error: INVALID_NAME_ERROR };
  if (metadata.engine.toUpperCase() !== LUA_ENGINE_NAME) return { error: `Engine '${metadata.engine}' not found` };
  const old = registry.libraries.get(metadata.name);
  if (old !== undefined && !replace) return { error: `Library '${metadata.name}' already exists` };
  const library: FunctionLibrary = { name: metadata.name, engine: LUA_ENGINE_NAME, code, functions: new Map() };
  const registered = run(library, metadata.body);
  if ('error' in registered) return registered;
  if (registered.size === 0) return { error: 'No functions registered' };
  for (const fn of registered.values()) {
    const other = registry.functionNamed(fn.name);
    if (other !== undefined && other.library !== old) return { error: `Function ${fn.name} already exists` };
  }
  for (const fn of registered.values()) library.functions.set(fn.name, { ...fn, library } satisfies FunctionInfo);
  if (old !== undefined) registry.unlink(old);
  registry.link(library);
  return library;
}

/**
 * Redis's libraryJoin: adds every library of `source` to `target`, all or none. With `replace`
 * a library of the same name is replaced; without, it is an error. A function name held by
 * another library is always an error.
 */
export function joinLibraries(target: FunctionLibraries, source: readonly FunctionLibrary[], replace: boolean): string | null {
  const replaced: FunctionLibrary[] = [];
  for (const library of source) {
    const old = target.libraries.get(library.name);
    if (old === undefined) continue;
    if (!replace) {
      for (const lib of replaced) target.link(lib);
      return `Library ${library.name} already exists`;
    }
    target.unlink(old);
    replaced.push(old);
  }
  for (const library of source) {
    for (const fn of library.functions.values()) {
      if (target.functionNamed(fn.name) !== undefined) {
        for (const lib of replaced) target.link(lib);
        return `Function ${fn.name} already exists`;
      }
    }
  }
  for (const library of source) target.link(library);
  return null;
}

/** FUNCTION DUMP: every library's code as RDB FUNCTION2 records, sealed as a DUMP payload. */
export function dumpLibraries(libraries: Iterable<FunctionLibrary>, compress: boolean): Buffer {
  const writer = new RdbWriter({ compress });
  for (const library of libraries) {
    writer.u8(RDB_OPCODE_FUNCTION2);
    writer.string(library.code);
  }
  return sealDumpPayload(writer);
}

/**
 * The library codes of a FUNCTION RESTORE payload (FUNCTION2 records, or the pre-release
 * FUNCTION records rebuilt into code as Redis does); the error text when it is not one.
 */
export function readDumpedLibraries(payload: Buffer, skipChecksum: boolean): string[] | { error: string } {
  if (!verifyDumpPayload(payload, skipChecksum)) return { error: 'DUMP payload version or checksum are wrong' };
  const reader = new RdbReader(payload, 0, payload.length - DUMP_PAYLOAD_FOOTER_BYTES);
  const codes: string[] = [];
  try {
    while (!reader.atEnd) {
      const type = reader.u8();
      if (type === RDB_OPCODE_FUNCTION2) {
        codes.push(reader.string());
      } else if (type === RDB_OPCODE_FUNCTION) {
        const name = reader.string();
        const engine = reader.string();
        if (reader.len() !== 0) reader.string();
        codes.push(`#!${engine} name=${name}\n${reader.string()}`);
      } else {
        return { error: 'given type is not a function' };
      }
    }
  } catch (err) {
    if (!(err instanceof RdbFormatError)) throw err;
    return { error: 'failed loading the given functions payload' };
  }
  return codes;
}
