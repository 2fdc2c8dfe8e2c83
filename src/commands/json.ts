// JSON commands (RedisJSON 2.x, built in): JSON.SET/GET/MGET/MSET/MERGE/DEL/FORGET/TYPE/CLEAR/
// TOGGLE/NUMINCRBY/NUMMULTBY/STRAPPEND/STRLEN/ARRAPPEND/ARRINDEX/ARRINSERT/ARRLEN/ARRPOP/ARRTRIM/
// OBJKEYS/OBJLEN/RESP/DEBUG. Replies and error texts are the module's (redis_json/src/commands.rs
// of RedisJSON 2.6): a legacy path (".a.b") answers with one value and errors when nothing
// matches, a JSONPath ("$..a") answers with one entry per match (null where the match has the
// wrong type). Keyspace events are module events ("d") named after the command.

import type { CommandContext } from './context.js';
import { ERR_SYNTAX, ERR_WRONGTYPE, errWrongArity } from './errors.js';
import { keysFrom, type CommandSpec, type KeySpec } from './types.js';
import { NOTIFY_MODULE } from '../config/keyspace-events.js';
import { evaluate, type Match, type PathToken } from '../json/evaluate.js';
import { moduleMemoryBytes } from '../json/memory.js';
import { JsonFloat, JsonObject, cloneNode, isInteger, kindOf, nodesEqual, normalizeInteger, type JsonNode } from '../json/model.js';
import { mergeNode, nodeAt, pathsForUpdate } from '../json/mutate.js';
import { ERR_NOT_UTF8, JsonSyntaxError, isUtf8, parseJson } from '../json/parse.js';
import { PathError, compilePath, userPath, type CompiledPath, type UserPath } from '../json/path.js';
import { serialize, serializeCompact, serializeNodes, FormattedWriter, type FormatOptions } from '../json/serialize.js';
import { JsonValue } from '../store/types/json.js';

// ------------------------------------------------------------------------------------ errors

const ERR_NO_KEY = "ERR could not perform this operation on a key that doesn't exist";
const ERR_NEW_AT_ROOT = 'ERR new objects must be created at the root';
const ERR_NOT_INTEGER_ARG = "Couldn't parse as integer";
const ERR_WRONG_REPLY_FORMAT = 'ERR wrong reply format';
const ERR_FORMAT_RESP2 = 'ERR FORMAT argument is not supported on RESP2';
const ERR_PATH_MISSING = 'ERR Path does not exist';

function pathMissing(path: string): string {
  return `ERR Path '${path}' does not exist`;
}

function pathMissingOr(path: string, or: string): string {
  return `ERR Path '${path}' does not exist or ${or}`;
}

function wrongPathType(expected: string, found: string): string {
  return `WRONGTYPE wrong type of path value - expected ${expected} but found ${found}`;
}

/** A failure that ends the command with this error reply (thrown from deep helpers). */
class ReplyError extends Error {
  constructor(readonly reply: string) {
    super(reply);
    this.name = 'ReplyError';
  }
}

function fail(reply: string): never {
  throw new ReplyError(reply);
}

/** Runs a handler body, turning the module's error cases into error replies. */
function guarded(body: (ctx: CommandContext, argv: string[]) => void): (ctx: CommandContext, argv: string[]) => void {
  return (ctx, argv) => {
    try {
      body(ctx, argv);
    } catch (err) {
      if (err instanceof ReplyError) ctx.reply.error(err.reply);
      else if (err instanceof PathError || err instanceof JsonSyntaxError) ctx.reply.error(err.message);
      else throw err;
    }
  };
}

// ------------------------------------------------------------------------------------ helpers

function arityError(ctx: CommandContext): never {
  return fail(errWrongArity(ctx.command.fullName));
}

function arg(ctx: CommandContext, argv: string[], index: number): string {
  if (index >= argv.length) arityError(ctx);
  return argv[index];
}

/** A command argument as the module reads one: it must be UTF-8. */
function textArg(ctx: CommandContext, argv: string[], index: number): string {
  const value = arg(ctx, argv, index);
  if (!isUtf8(value)) fail(ERR_NOT_UTF8);
  return value;
}

function integerArg(ctx: CommandContext, argv: string[], index: number): number {
  const text = arg(ctx, argv, index);
  if (!/^-?\d+$/.test(text)) fail(ERR_NOT_INTEGER_ARG);
  const value = BigInt(text);
  if (value > 0x7fffffffffffffffn || value < -0x8000000000000000n) fail(ERR_NOT_INTEGER_ARG);
  return Number(value);
}

/** A client's JSON value (the module's parser, its error texts without a prefix). */
function documentArg(text: string): JsonNode {
  if (!isUtf8(text)) fail(ERR_NOT_UTF8);
  return parseJson(text);
}

/** The document at `key`: undefined when missing; WRONGTYPE for another type. */
function lookup(ctx: CommandContext, key: string, forWrite: boolean): JsonValue | undefined {
  const value = forWrite ? ctx.db.lookup(key) : ctx.db.lookupRead(key);
  if (value === undefined) return undefined;
  if (!(value instanceof JsonValue)) fail(ERR_WRONGTYPE);
  return value;
}

function requireDoc(ctx: CommandContext, key: string, forWrite: boolean): JsonValue {
  const doc = lookup(ctx, key, forWrite);
  if (doc === undefined) fail(ERR_NO_KEY);
  return doc;
}

function compiled(path: UserPath): CompiledPath {
  return compilePath(path.path);
}

function matches(path: UserPath, root: JsonNode, withPaths: boolean): Match[] {
  return evaluate(compiled(path).steps, root, withPaths);
}

function afterWrite(ctx: CommandContext, key: string, event: string): void {
  ctx.server.events.signalModifiedKey(ctx.db, key);
  ctx.server.events.notify(NOTIFY_MODULE, event, key, ctx.db.id);
  ctx.markDirty(1);
}

/** A path of matches, or its node (a path of [] is the root). */
function pathOf(m: Match): PathToken[] {
  return m.path ?? [];
}

function isResp3(ctx: CommandContext): boolean {
  return ctx.reply.resp === 3;
}

/** RedisJSON's type name of a node. */
function typeName(node: JsonNode): string {
  return kindOf(node);
}

/** A reply of one number as the module gives it (RESP3 paths: integer or double). */
function replyNumber(ctx: CommandContext, node: JsonNode): void {
  if (typeof node === 'number') ctx.reply.integer(node);
  else if (typeof node === 'bigint') {
    if (node > 0x7fffffffffffffffn) ctx.reply.double(Number(node));
    else ctx.reply.integer(node);
  } else if (node instanceof JsonFloat) ctx.reply.double(node.value);
  else ctx.reply.nullBulk();
}

/** RESP3 form of a value (FORMAT EXPAND1 / EXPAND): scalars natively, containers as JSON or expanded. */
function replyResp3Value(ctx: CommandContext, node: JsonNode, expand: boolean): void {
  if (node === null) ctx.reply.nullBulk();
  else if (typeof node === 'boolean') ctx.reply.boolean(node);
  else if (isInteger(node) || node instanceof JsonFloat) replyNumber(ctx, node);
  else if (typeof node === 'string') ctx.reply.bulk(node);
  else if (!expand) ctx.reply.bulk(serializeCompact(node));
  else if (Array.isArray(node)) {
    ctx.reply.arrayLength(node.length);
    for (const item of node) replyResp3Value(ctx, item, expand);
  } else {
    ctx.reply.mapLength(node.size);
    for (let i = 0; i < node.keys.length; i++) {
      ctx.reply.bulk(node.keys[i]);
      replyResp3Value(ctx, node.values[i], expand);
    }
  }
}

type ReplyFormat = 'STRING' | 'STRINGS' | 'EXPAND1' | 'EXPAND';

function replyFormatArg(text: string): ReplyFormat {
  if (text === 'STRING' || text === 'STRINGS' || text === 'EXPAND1' || text === 'EXPAND') return text;
  return fail(ERR_WRONG_REPLY_FORMAT);
}

// ------------------------------------------------------------------------------------ JSON.GET

/** The longest of JSON.GET's option words: a longer argument is a path. */
const GET_OPTION_MAX_LENGTH = 8;

function jsonGet(ctx: CommandContext, argv: string[]): void {
  const key = arg(ctx, argv, 1);
  const paths: UserPath[] = [];
  const options: FormatOptions = { indent: null, newline: null, space: null };
  let format: ReplyFormat = 'STRING';
  const resp3 = isResp3(ctx);
  for (let i = 2; i < argv.length; i++) {
    const a = textArg(ctx, argv, i);
    const upper = a.length > GET_OPTION_MAX_LENGTH ? '' : a.toUpperCase();
    if (upper === 'FORMAT') {
      if (!resp3 && paths.length === 0) fail(ERR_FORMAT_RESP2);
      const next = textArg(ctx, argv, ++i);
      if (next.toUpperCase() === 'STRINGS') fail(ERR_WRONG_REPLY_FORMAT);
      format = replyFormatArg(next);
    } else if (upper === 'INDENT') options.indent = textArg(ctx, argv, ++i);
    else if (upper === 'NEWLINE') options.newline = textArg(ctx, argv, ++i);
    else if (upper === 'SPACE') options.space = textArg(ctx, argv, ++i);
    else if (upper === 'NOESCAPE') continue;
    else paths.push(userPath(a));
  }
  if (paths.length === 0) paths.push(userPath('.'));
  const doc = lookup(ctx, key, false);
  if (doc === undefined) {
    ctx.reply.nullBulk();
    return;
  }
  const root = doc.root;
  const legacy = paths.every((p) => p.legacy);
  if (resp3 && (format === 'EXPAND1' || format === 'EXPAND')) {
    ctx.reply.arrayLength(paths.length);
    for (const p of paths) {
      let found: JsonNode[];
      try {
        found = matches(p, root, false).map((m) => m.node);
      } catch (err) {
        if (!(err instanceof PathError)) throw err;
        found = [];
      }
      ctx.reply.arrayLength(found.length);
      for (const node of found) replyResp3Value(ctx, node, format === 'EXPAND');
    }
    return;
  }
  if (paths.length > 1) {
    // One entry per distinct path (the module builds a map keyed by the path as given).
    const entries: [string, JsonNode][] = [];
    const seen = new Set<string>();
    let missing: string | null = null;
    for (const p of paths) {
      let found: JsonNode[];
      try {
        found = matches(p, root, false).map((m) => m.node);
      } catch (err) {
        // A path that does not compile is left out of the reply, as the module does.
        if (!(err instanceof PathError)) throw err;
        continue;
      }
      let value: JsonNode;
      if (legacy) {
        if (found.length === 0) {
          if (missing === null) missing = p.original;
          continue;
        }
        value = found[0];
      } else value = found;
      if (seen.has(p.original)) continue;
      seen.add(p.original);
      entries.push([p.original, value]);
    }
    if (missing !== null) fail(pathMissing(missing));
    ctx.reply.bulk(FormattedWriter.serializeEntries(entries, options));
    return;
  }
  const p = paths[0];
  const found = matches(p, root, false).map((m) => m.node);
  if (legacy) {
    if (found.length === 0) fail(pathMissing(p.path));
    ctx.reply.bulk(serialize(found[0], options));
  } else ctx.reply.bulk(serializeNodes(found, options));
}

// ------------------------------------------------------------------------------------ JSON.SET and co

type SetMode = 'none' | 'nx' | 'xx' | 'merge';

/** Where a value goes: replace the node at a path, or add a key to the object at a path. */
type Update = { t: 'replace'; path: PathToken[] } | { t: 'add'; path: PathToken[]; key: string };

/** RedisJSON's find_paths: existing matches to replace, else (static paths) the key to add. */
function findUpdates(root: JsonNode, path: UserPath, mode: SetMode): Update[] {
  const query = compiled(path);
  if (mode !== 'nx') {
    let found = evaluate(query.steps, root, true).map(pathOf);
    if (mode !== 'merge') found = pathsForUpdate(found);
    if (found.length > 0) return found.map((p) => ({ t: 'replace', path: p }));
  }
  if (mode === 'xx') return [];
  if (!query.isStatic) fail('Err wrong static path');
  const steps = query.steps;
  if (steps.length < 1) fail('Err path must end with object key to set');
  const last = steps[steps.length - 1];
  if (last.t === 'key' || last.t === 'keys') {
    const key = last.t === 'key' ? last.name : last.names[0];
    const parents = evaluate(steps.slice(0, -1), root, true).map(pathOf);
    return parents.map((p) => ({ t: 'add', path: p, key }));
  }
  if (evaluate(steps, root, false).length === 0) fail('ERR array index out of range');
  return [];
}

/** Applies updates; true when anything changed. */
function applyUpdates(doc: JsonValue, updates: Update[], value: JsonNode, merge: boolean): boolean {
  let changed = false;
  updates.forEach((u, i) => {
    const v = i === updates.length - 1 ? value : cloneNode(value);
    if (u.t === 'replace') {
      if (merge ? doc.merge(u.path, v) : doc.replace(u.path, v)) changed = true;
    } else {
      const parent = nodeAt(doc.root, u.path);
      if (parent instanceof JsonObject && doc.addKey(parent, u.key, v)) changed = true;
    }
  });
  return changed;
}

function jsonSet(ctx: CommandContext, argv: string[]): void {
  const key = arg(ctx, argv, 1);
  const path = userPath(textArg(ctx, argv, 2));
  const text = arg(ctx, argv, 3);
  let mode: SetMode = 'none';
  for (let i = 4; i < argv.length; i++) {
    const a = argv[i].toUpperCase();
    if (a === 'NX' && mode === 'none') mode = 'nx';
    else if (a === 'XX' && mode === 'none') mode = 'xx';
    else if (a === 'FORMAT') formatArg(ctx, argv, ++i);
    else fail(ERR_SYNTAX);
  }
  const doc = lookup(ctx, key, true);
  const value = documentArg(text);
  const isRoot = path.path === '$';
  if (doc === undefined) {
    if (mode === 'xx') {
      ctx.reply.nullBulk();
      return;
    }
    if (!isRoot) fail(ERR_NEW_AT_ROOT);
    ctx.db.set(key, new JsonValue(value));
    ctx.reply.ok();
    afterWrite(ctx, key, 'json.set');
    return;
  }
  if (isRoot) {
    if (mode === 'nx') {
      ctx.reply.nullBulk();
      return;
    }
    doc.setRoot(value);
    ctx.reply.ok();
    afterWrite(ctx, key, 'json.set');
    return;
  }
  const updates = findUpdates(doc.root, path, mode);
  if (updates.length > 0 && applyUpdates(doc, updates, value, false)) {
    ctx.reply.ok();
    afterWrite(ctx, key, 'json.set');
  } else ctx.reply.nullBulk();
}

/** JSON.SET/MERGE's FORMAT: JSON (and STRING, parsed the same way) is what is built in. */
function formatArg(ctx: CommandContext, argv: string[], index: number): void {
  const format = textArg(ctx, argv, index);
  if (format !== 'JSON' && format !== 'STRING') fail('ERR wrong format');
}

function jsonMerge(ctx: CommandContext, argv: string[]): void {
  const key = arg(ctx, argv, 1);
  const path = userPath(textArg(ctx, argv, 2));
  const text = arg(ctx, argv, 3);
  for (let i = 4; i < argv.length; i++) {
    if (argv[i].toUpperCase() === 'FORMAT') formatArg(ctx, argv, ++i);
    else fail(ERR_SYNTAX);
  }
  const doc = lookup(ctx, key, true);
  const value = documentArg(text);
  const isRoot = path.path === '$';
  if (doc === undefined) {
    if (!isRoot) fail(ERR_NEW_AT_ROOT);
    ctx.db.set(key, new JsonValue(mergeNode(null, value, { deltaBytes: 0 })));
    ctx.reply.ok();
    afterWrite(ctx, key, 'json.merge');
    return;
  }
  if (isRoot) {
    doc.merge([], value);
    ctx.reply.ok();
    afterWrite(ctx, key, 'json.merge');
    return;
  }
  const updates = findUpdates(doc.root, path, 'merge');
  if (updates.length > 0 && applyUpdates(doc, updates, value, true)) {
    ctx.reply.ok();
    afterWrite(ctx, key, 'json.merge');
  } else ctx.reply.nullBulk();
}

function jsonMset(ctx: CommandContext, argv: string[]): void {
  if (argv.length < 4) arityError(ctx);
  // Every triplet is checked (type, path, value) before anything changes.
  const planned: { key: string; updates: Update[] | null; value: JsonNode }[] = [];
  for (let i = 1; i < argv.length; i += 3) {
    const key = argv[i];
    const doc = lookup(ctx, key, true);
    const path = userPath(textArg(ctx, argv, i + 1));
    let updates: Update[] | null;
    if (path.path === '$') updates = null;
    else if (doc !== undefined) updates = findUpdates(doc.root, path, 'none');
    else fail(ERR_NEW_AT_ROOT);
    const value = documentArg(arg(ctx, argv, i + 2));
    planned.push({ key, updates, value });
  }
  for (const { key, updates, value } of planned) {
    let changed: boolean;
    if (updates === null) {
      const doc = lookup(ctx, key, true);
      if (doc === undefined) ctx.db.set(key, new JsonValue(value));
      else doc.setRoot(value);
      changed = true;
    } else {
      const doc = lookup(ctx, key, true);
      changed = doc !== undefined && updates.length > 0 && applyUpdates(doc, updates, value, false);
    }
    if (changed) afterWrite(ctx, key, 'json.mset');
  }
  ctx.reply.ok();
}

// ------------------------------------------------------------------------------------ reads

function jsonMget(ctx: CommandContext, argv: string[]): void {
  if (argv.length < 3) arityError(ctx);
  const path = userPath(textArg(ctx, argv, argv.length - 1));
  const count = argv.length - 2;
  ctx.reply.arrayLength(count);
  for (let i = 1; i <= count; i++) {
    const value = ctx.db.lookupRead(argv[i]);
    if (!(value instanceof JsonValue)) {
      ctx.reply.nullBulk();
      continue;
    }
    let found: JsonNode[];
    try {
      found = matches(path, value.root, false).map((m) => m.node);
    } catch (err) {
      if (!(err instanceof PathError)) throw err;
      ctx.reply.nullBulk();
      continue;
    }
    if (path.legacy) {
      if (found.length === 0) ctx.reply.nullBulk();
      else ctx.reply.bulk(serializeCompact(found[0]));
    } else ctx.reply.bulk(serializeNodes(found, null));
  }
}

function optionalPath(ctx: CommandContext, argv: string[], index: number): UserPath {
  return userPath(index < argv.length ? textArg(ctx, argv, index) : '.');
}

function jsonType(ctx: CommandContext, argv: string[]): void {
  const key = arg(ctx, argv, 1);
  const path = optionalPath(ctx, argv, 2);
  const doc = lookup(ctx, key, false);
  const resp3 = isResp3(ctx);
  if (resp3) ctx.reply.arrayLength(1);
  if (path.legacy) {
    const found = doc === undefined ? [] : matches(path, doc.root, false);
    if (found.length === 0) ctx.reply.nullBulk();
    else ctx.reply.bulk(typeName(found[0].node));
    return;
  }
  if (doc === undefined) {
    ctx.reply.nullBulk();
    return;
  }
  const found = matches(path, doc.root, false);
  ctx.reply.arrayLength(found.length);
  for (const m of found) ctx.reply.bulk(typeName(m.node));
}

/** For JSONPath commands: each match's node when `accept` takes it, else null. */
function filtered(path: UserPath, root: JsonNode, accept: (n: JsonNode) => boolean): (Match | null)[] {
  return matches(path, root, true).map((m) => (accept(m.node) ? m : null));
}

const isString = (n: JsonNode): boolean => typeof n === 'string';
const isArray = (n: JsonNode): boolean => Array.isArray(n);
const isObject = (n: JsonNode): boolean => n instanceof JsonObject;
const isBool = (n: JsonNode): boolean => typeof n === 'boolean';
const isNumeric = (n: JsonNode): boolean => isInteger(n) || n instanceof JsonFloat;

function replyIntegersOrNull(ctx: CommandContext, values: (number | null)[]): void {
  ctx.reply.arrayLength(values.length);
  for (const v of values) {
    if (v === null) ctx.reply.nullBulk();
    else ctx.reply.integer(v);
  }
}

function jsonStrlen(ctx: CommandContext, argv: string[]): void {
  const key = arg(ctx, argv, 1);
  const path = optionalPath(ctx, argv, 2);
  if (path.legacy) {
    const doc = lookup(ctx, key, false);
    if (doc === undefined) {
      ctx.reply.nullBulk();
      return;
    }
    const found = matches(path, doc.root, false);
    if (found.length === 0) fail(pathMissing(path.path));
    const node = found[0].node;
    if (typeof node !== 'string') fail(wrongPathType('string', typeName(node)));
    ctx.reply.integer(node.length);
    return;
  }
  const doc = requireDoc(ctx, key, false);
  replyIntegersOrNull(ctx, filtered(path, doc.root, isString).map((m) => (m === null ? null : (m.node as string).length)));
}

function jsonArrlen(ctx: CommandContext, argv: string[]): void {
  const key = arg(ctx, argv, 1);
  const path = optionalPath(ctx, argv, 2);
  const doc = lookup(ctx, key, false);
  if (doc === undefined) {
    if (path.legacy) {
      ctx.reply.nullBulk();
      return;
    }
    fail(ERR_NO_KEY);
  }
  const found = filtered(path, doc.root, isArray);
  if (path.legacy) {
    if (found.length === 0) fail(pathMissing(path.original));
    const first = found[0];
    if (first === null) fail(pathMissingOr(path.original, 'not an array'));
    ctx.reply.integer((first.node as JsonNode[]).length);
    return;
  }
  replyIntegersOrNull(ctx, found.map((m) => (m === null ? null : (m.node as JsonNode[]).length)));
}

function jsonObjlen(ctx: CommandContext, argv: string[]): void {
  const key = arg(ctx, argv, 1);
  const path = optionalPath(ctx, argv, 2);
  const doc = lookup(ctx, key, false);
  if (path.legacy) {
    if (doc === undefined) {
      ctx.reply.nullBulk();
      return;
    }
    const found = matches(path, doc.root, false);
    if (found.length === 0) {
      ctx.reply.nullBulk();
      return;
    }
    const node = found[0].node;
    if (!(node instanceof JsonObject)) fail(wrongPathType('object', typeName(node)));
    ctx.reply.integer(node.size);
    return;
  }
  if (doc === undefined) fail(pathMissingOr(path.path, 'not an object'));
  replyIntegersOrNull(ctx, filtered(path, doc.root, isObject).map((m) => (m === null ? null : (m.node as JsonObject).size)));
}

function jsonObjkeys(ctx: CommandContext, argv: string[]): void {
  const key = arg(ctx, argv, 1);
  const path = optionalPath(ctx, argv, 2);
  if (path.legacy) {
    const doc = lookup(ctx, key, false);
    if (doc === undefined) {
      ctx.reply.nullBulk();
      return;
    }
    const found = matches(path, doc.root, false);
    if (found.length === 0) {
      ctx.reply.nullBulk();
      return;
    }
    const node = found[0].node;
    if (!(node instanceof JsonObject)) fail(pathMissingOr(path.path, 'not an object'));
    ctx.reply.bulkArray(node.keys);
    return;
  }
  const doc = requireDoc(ctx, key, false);
  const found = filtered(path, doc.root, isObject);
  ctx.reply.arrayLength(found.length);
  for (const m of found) {
    if (m === null) ctx.reply.nullBulk();
    else ctx.reply.bulkArray((m.node as JsonObject).keys);
  }
}

/** ARRINDEX's [start, end) over an array of `length` (normalize_arr_indices). */
function arrIndexRange(start: number, end: number, length: number): [number, number] {
  const s = start < 0 ? Math.max(0, length + start) : Math.min(start, length - 1);
  const e = end === 0 ? length : end < 0 ? Math.max(0, length + end) : Math.min(end, length);
  return [s, e];
}

function firstIndex(array: JsonNode[], value: JsonNode, start: number, end: number): number {
  if (array.length === 0) return -1;
  const [s, e] = arrIndexRange(start, end, array.length);
  for (let i = s; i < e; i++) if (nodesEqual(array[i], value)) return i;
  return -1;
}

function jsonArrindex(ctx: CommandContext, argv: string[]): void {
  const key = arg(ctx, argv, 1);
  const path = userPath(textArg(ctx, argv, 2));
  const text = textArg(ctx, argv, 3);
  const start = argv.length > 4 ? integerArg(ctx, argv, 4) : 0;
  const end = argv.length > 5 ? integerArg(ctx, argv, 5) : 0;
  if (argv.length > 6) arityError(ctx);
  const doc = lookup(ctx, key, false);
  let value: JsonNode;
  try {
    value = parseJson(text);
  } catch (err) {
    if (err instanceof JsonSyntaxError) fail(`ERR ${err.message}`);
    throw err;
  }
  if (doc === undefined) fail(pathMissing(path.original));
  const found = matches(path, doc.root, false);
  if (path.legacy) {
    if (found.length === 0) fail(pathMissing(path.path));
    const node = found[0].node;
    if (!Array.isArray(node)) fail(wrongPathType('array', typeName(node)));
    ctx.reply.integer(firstIndex(node, value, start, end));
    return;
  }
  ctx.reply.arrayLength(found.length);
  for (const m of found) {
    if (Array.isArray(m.node)) ctx.reply.integer(firstIndex(m.node, value, start, end));
    else ctx.reply.nullBulk();
  }
}

// ------------------------------------------------------------------------------------ writes at paths

/**
 * The common shape of the path-changing commands: the matches of the accepted type, changed in
 * mutation order; `change` returns the reply value for one match. Legacy paths fail with
 * `legacyError` when nothing of the type matches and answer with the last change's value.
 */
function changeAt<T>(
  ctx: CommandContext, key: string, path: UserPath, event: string, accept: (n: JsonNode) => boolean,
  change: (doc: JsonValue, path: PathToken[]) => T, legacyErrorPath: string, legacyError: string,
): { legacy: T | undefined; results: (T | null)[] } {
  const doc = requireDoc(ctx, key, true);
  const found = filtered(path, doc.root, accept);
  const order = found.map((m, i) => ({ m, i })).filter((e) => e.m !== null) as { m: Match; i: number }[];
  order.sort((a, b) => comparePaths(pathOf(a.m), pathOf(b.m)));
  if (path.legacy && order.length === 0) fail(pathMissingOr(legacyErrorPath, legacyError));
  const results: (T | null)[] = found.map(() => null);
  let last: T | undefined;
  for (const { m, i } of order) {
    const r = change(doc, pathOf(m));
    results[i] = r;
    last = r;
  }
  if (order.length > 0) afterWrite(ctx, key, event);
  return { legacy: last, results };
}

function comparePaths(a: PathToken[], b: PathToken[]): number {
  return pathsForUpdate([a, b])[0] === a ? -1 : 1;
}

function setNode(doc: JsonValue, path: PathToken[], value: JsonNode): void {
  doc.replace(path, value);
}

function getNode(doc: JsonValue, path: PathToken[]): JsonNode {
  const node = nodeAt(doc.root, path);
  if (node === undefined) fail(ERR_PATH_MISSING);
  return node;
}

function jsonToggle(ctx: CommandContext, argv: string[]): void {
  const key = arg(ctx, argv, 1);
  const path = userPath(textArg(ctx, argv, 2));
  const { legacy, results } = changeAt(ctx, key, path, 'json.toggle', isBool, (doc, p) => {
    const value = !(getNode(doc, p) as boolean);
    setNode(doc, p, value);
    return value;
  }, path.path, 'not a bool');
  if (path.legacy) ctx.reply.bulk(legacy ? 'true' : 'false');
  else replyIntegersOrNull(ctx, results.map((r) => (r === null ? null : r ? 1 : 0)));
}

const I64_MIN = -(1n << 63n);
const I64_MAX = (1n << 63n) - 1n;

/** i64 wrapping arithmetic, as the module's integer path. */
function wrapI64(value: bigint): bigint {
  return BigInt.asIntN(64, value);
}

function numOp(ctx: CommandContext, argv: string[], multiply: boolean): void {
  const key = arg(ctx, argv, 1);
  const path = userPath(textArg(ctx, argv, 2));
  const text = textArg(ctx, argv, 3);
  const event = multiply ? 'json.nummultby' : 'json.numincrby';
  let operand: JsonNode | null = null;
  const parseOperand = (): JsonNode => {
    if (operand !== null) return operand;
    try {
      operand = parseJson(text);
    } catch (err) {
      if (err instanceof JsonSyntaxError) fail(`ERR ${err.message}`);
      throw err;
    }
    if (!isNumeric(operand)) fail('bad input number');
    return operand;
  };
  const { legacy, results } = changeAt(ctx, key, path, event, isNumeric, (d, p) => {
    const current = getNode(d, p);
    const by = parseOperand();
    let result: JsonNode;
    const byInt = isInteger(by) && BigInt(by) >= I64_MIN && BigInt(by) <= I64_MAX;
    const curInt = isInteger(current) && BigInt(current) >= I64_MIN && BigInt(current) <= I64_MAX;
    if (curInt && byInt) {
      const a = BigInt(current as number | bigint);
      const b = BigInt(by as number | bigint);
      result = normalizeInteger(wrapI64(multiply ? a * b : a + b));
    } else {
      const a = current instanceof JsonFloat ? current.value : Number(current);
      const b = by instanceof JsonFloat ? by.value : Number(by);
      const r = multiply ? a * b : a + b;
      if (!Number.isFinite(r)) fail('result is not a number');
      result = new JsonFloat(r);
    }
    setNode(d, p, result);
    return result;
  }, path.path, 'does not contains a number');
  if (isResp3(ctx)) {
    ctx.reply.arrayLength(results.length);
    for (const r of results) {
      if (r === null) ctx.reply.nullBulk();
      else replyNumber(ctx, r);
    }
  } else if (path.legacy) ctx.reply.bulk(serializeCompact(legacy ?? null));
  else ctx.reply.bulk(serializeNodes(results.map((r) => r ?? null), null));
}

function jsonStrappend(ctx: CommandContext, argv: string[]): void {
  const key = arg(ctx, argv, 1);
  let path: UserPath;
  let text: string;
  if (argv.length > 3) {
    path = userPath(textArg(ctx, argv, 2));
    text = textArg(ctx, argv, 3);
  } else {
    path = userPath('.');
    text = textArg(ctx, argv, 2);
  }
  let suffix: string | null = null;
  const suffixOf = (): string => {
    if (suffix !== null) return suffix;
    let parsed: JsonNode;
    try {
      parsed = parseJson(text);
    } catch (err) {
      if (err instanceof JsonSyntaxError) fail(`ERR ${err.message}`);
      throw err;
    }
    if (typeof parsed !== 'string') fail(wrongPathType('string', text));
    suffix = parsed;
    return parsed;
  };
  const { legacy, results } = changeAt(ctx, key, path, 'json.strappend', isString, (doc, p) => {
    const value = (getNode(doc, p) as string) + suffixOf();
    setNode(doc, p, value);
    return value.length;
  }, path.path, 'not a string');
  if (path.legacy) ctx.reply.integer(legacy ?? 0);
  else replyIntegersOrNull(ctx, results);
}

function valuesFrom(ctx: CommandContext, argv: string[], from: number): JsonNode[] {
  if (argv.length <= from) arityError(ctx);
  const values: JsonNode[] = [];
  for (let i = from; i < argv.length; i++) values.push(documentArg(argv[i]));
  return values;
}

function jsonArrappend(ctx: CommandContext, argv: string[]): void {
  const key = arg(ctx, argv, 1);
  const path = userPath(textArg(ctx, argv, 2));
  const values = valuesFrom(ctx, argv, 3);
  const { legacy, results } = changeAt(ctx, key, path, 'json.arrappend', isArray, (doc, p) => {
    const array = getNode(doc, p) as JsonNode[];
    doc.insertItems(array, array.length, values.map(cloneNode));
    return array.length;
  }, path.original, 'not an array');
  if (path.legacy) ctx.reply.integer(legacy ?? 0);
  else replyIntegersOrNull(ctx, results);
}

function jsonArrinsert(ctx: CommandContext, argv: string[]): void {
  const key = arg(ctx, argv, 1);
  const path = userPath(textArg(ctx, argv, 2));
  const index = integerArg(ctx, argv, 3);
  const values = valuesFrom(ctx, argv, 4);
  const { legacy, results } = changeAt(ctx, key, path, 'json.arrinsert', isArray, (doc, p) => {
    const array = getNode(doc, p) as JsonNode[];
    const at = index < 0 ? array.length + index : index;
    if (at < 0 || at > array.length) fail('ERR index out of bounds');
    doc.insertItems(array, at, values.map(cloneNode));
    return array.length;
  }, path.path, 'not an array');
  if (path.legacy) ctx.reply.integer(legacy ?? 0);
  else replyIntegersOrNull(ctx, results);
}

function jsonArrpop(ctx: CommandContext, argv: string[]): void {
  const key = arg(ctx, argv, 1);
  const resp3 = isResp3(ctx);
  let format: ReplyFormat = 'STRINGS';
  let i = 2;
  if (i < argv.length && argv[i].toUpperCase() === 'FORMAT' && i + 1 < argv.length) {
    format = replyFormatArg(textArg(ctx, argv, i + 1));
    if (format === 'STRING') fail(ERR_WRONG_REPLY_FORMAT);
    if (!resp3) fail(ERR_FORMAT_RESP2);
    i += 2;
  }
  let path: UserPath;
  let index: number;
  if (i < argv.length) {
    path = userPath(textArg(ctx, argv, i));
    index = -1;
    if (i + 1 < argv.length && /^-?\d+$/.test(argv[i + 1])) index = integerArg(ctx, argv, i + 1);
  } else {
    path = userPath('.');
    index = Number.MAX_SAFE_INTEGER;
  }
  if (path.legacy && format !== 'STRINGS') fail('Legacy paths are supported only with FORMAT STRINGS');
  const { legacy, results } = changeAt(ctx, key, path, 'json.arrpop', isArray, (doc, p) => {
    const array = getNode(doc, p) as JsonNode[];
    if (array.length === 0) return undefined;
    const at = index < 0 ? Math.max(0, array.length + index) : Math.min(index, array.length - 1);
    return doc.removeItems(array, at, 1)[0];
  }, path.path, 'not an array');
  const replyPopped = (v: JsonNode | undefined | null, isNull: boolean): void => {
    if (isNull || v === undefined) ctx.reply.nullBulk();
    else if (resp3 && format !== 'STRINGS') replyResp3Value(ctx, v ?? null, format === 'EXPAND');
    else ctx.reply.bulk(serializeCompact(v ?? null));
  };
  if (path.legacy) {
    replyPopped(legacy, false);
    return;
  }
  ctx.reply.arrayLength(results.length);
  for (const r of results) replyPopped(r, r === null);
}

function jsonArrtrim(ctx: CommandContext, argv: string[]): void {
  const key = arg(ctx, argv, 1);
  const path = userPath(textArg(ctx, argv, 2));
  const start = integerArg(ctx, argv, 3);
  const stop = integerArg(ctx, argv, 4);
  const { legacy, results } = changeAt(ctx, key, path, 'json.arrtrim', isArray, (doc, p) => {
    const array = getNode(doc, p) as JsonNode[];
    const len = array.length;
    const norm = (i: number): number => (i < 0 ? Math.max(0, len + i) : Math.min(i, len - 1));
    const s0 = norm(stop);
    const st = start < 0 || start < len ? norm(start) : s0 + 1;
    if (st > s0 || len === 0) doc.clearContainer(array);
    else {
      doc.removeItems(array, s0 + 1, len - s0 - 1);
      doc.removeItems(array, 0, st);
    }
    return array.length;
  }, path.path, 'not an array');
  if (path.legacy) ctx.reply.integer(legacy ?? 0);
  else replyIntegersOrNull(ctx, results);
}

function jsonClear(ctx: CommandContext, argv: string[]): void {
  const key = arg(ctx, argv, 1);
  const path = optionalPath(ctx, argv, 2);
  const doc = requireDoc(ctx, key, true);
  const found = matches(path, doc.root, true).filter((m) => {
    const n = m.node;
    if (Array.isArray(n)) return n.length > 0;
    if (n instanceof JsonObject) return n.size > 0;
    if (n instanceof JsonFloat) return n.value !== 0;
    if (isInteger(n)) return n !== 0 && n !== 0n;
    return false;
  });
  let cleared = 0;
  for (const m of found) {
    const node = nodeAt(doc.root, pathOf(m));
    if (Array.isArray(node) || node instanceof JsonObject) doc.clearContainer(node);
    else if (node !== undefined && (isInteger(node) || node instanceof JsonFloat)) setNode(doc, pathOf(m), 0);
    else continue;
    cleared++;
  }
  if (cleared > 0) afterWrite(ctx, key, 'json.clear');
  ctx.reply.integer(cleared);
}

function jsonDel(ctx: CommandContext, argv: string[]): void {
  const key = arg(ctx, argv, 1);
  const path = optionalPath(ctx, argv, 2);
  const doc = lookup(ctx, key, true);
  if (doc === undefined) {
    ctx.reply.integer(0);
    return;
  }
  let deleted = 0;
  if (path.path === '$') {
    ctx.db.delete(key);
    deleted = 1;
  } else {
    const paths = pathsForUpdate(matches(path, doc.root, true).map(pathOf));
    for (const p of paths) {
      if (p.length === 0) continue;
      if (doc.remove(p)) deleted++;
    }
  }
  if (deleted > 0) afterWrite(ctx, key, 'json.del');
  ctx.reply.integer(deleted);
}

// ------------------------------------------------------------------------------------ JSON.RESP, JSON.DEBUG

function replyResp(ctx: CommandContext, node: JsonNode): void {
  if (node === null) ctx.reply.nullBulk();
  else if (typeof node === 'boolean') ctx.reply.simple(node ? 'true' : 'false');
  else if (isInteger(node) || node instanceof JsonFloat) replyNumber(ctx, node);
  else if (typeof node === 'string') ctx.reply.bulk(node);
  else if (Array.isArray(node)) {
    ctx.reply.arrayLength(node.length + 1);
    ctx.reply.simple('[');
    for (const item of node) replyResp(ctx, item);
  } else {
    ctx.reply.arrayLength(node.size * 2 + 1);
    ctx.reply.simple('{');
    for (let i = 0; i < node.keys.length; i++) {
      ctx.reply.bulk(node.keys[i]);
      replyResp(ctx, node.values[i]);
    }
  }
}

function jsonResp(ctx: CommandContext, argv: string[]): void {
  const key = arg(ctx, argv, 1);
  const path = optionalPath(ctx, argv, 2);
  const doc = lookup(ctx, key, false);
  if (doc === undefined) {
    ctx.reply.nullBulk();
    return;
  }
  const found = matches(path, doc.root, false);
  if (path.legacy) {
    if (found.length === 0) fail(pathMissing(path.path));
    replyResp(ctx, found[0].node);
    return;
  }
  ctx.reply.arrayLength(found.length);
  for (const m of found) replyResp(ctx, m.node);
}

function jsonDebug(ctx: CommandContext, argv: string[]): void {
  const sub = textArg(ctx, argv, 1).toUpperCase();
  if (sub === 'HELP') {
    ctx.reply.bulkArray(['MEMORY <key> [path] - reports memory usage', 'HELP                - this message']);
    return;
  }
  if (sub !== 'MEMORY') fail('ERR unknown subcommand - try `JSON.DEBUG HELP`');
  const key = arg(ctx, argv, 2);
  const path = optionalPath(ctx, argv, 3);
  const doc = lookup(ctx, key, false);
  if (path.legacy) {
    if (doc === undefined) {
      ctx.reply.integer(0);
      return;
    }
    const found = matches(path, doc.root, false);
    if (found.length === 0) fail(pathMissing(path.path));
    ctx.reply.integer(moduleMemoryBytes(found[0].node));
    return;
  }
  const found = doc === undefined ? [] : matches(path, doc.root, false);
  ctx.reply.arrayLength(found.length);
  for (const m of found) ctx.reply.integer(moduleMemoryBytes(m.node));
}

// ------------------------------------------------------------------------------------ table

const KEY_RO: KeySpec = { flags: ['RO', 'access'], begin: { type: 'index', index: 1 }, find: { type: 'range', lastKey: 0, keyStep: 1, limit: 0 } };
const KEY_RW: KeySpec = { flags: ['RW', 'update'], begin: { type: 'index', index: 1 }, find: { type: 'range', lastKey: 0, keyStep: 1, limit: 0 } };
const KEY_RW_INSERT: KeySpec = { flags: ['RW', 'insert', 'update'], begin: { type: 'index', index: 1 }, find: { type: 'range', lastKey: 0, keyStep: 1, limit: 0 } };
const KEY_RW_DELETE: KeySpec = { flags: ['RW', 'delete'], begin: { type: 'index', index: 1 }, find: { type: 'range', lastKey: 0, keyStep: 1, limit: 0 } };
const KEY_DEBUG: KeySpec = { flags: ['RO'], begin: { type: 'index', index: 2 }, find: { type: 'range', lastKey: 0, keyStep: 1, limit: 0 } };

interface JsonCommand {
  name: string;
  write: boolean;
  denyoom?: boolean;
  fast?: boolean;
  keySpec: KeySpec;
  summary: string;
  handler: (ctx: CommandContext, argv: string[]) => void;
}

const DEFINITIONS: readonly JsonCommand[] = [
  { name: 'json.del', write: true, fast: true, keySpec: KEY_RW_DELETE, summary: 'Deletes the values at a path (the key at the root).', handler: jsonDel },
  { name: 'json.forget', write: true, fast: true, keySpec: KEY_RW_DELETE, summary: 'Deletes the values at a path (JSON.DEL).', handler: jsonDel },
  { name: 'json.get', write: false, keySpec: KEY_RO, summary: 'Gets the values at paths, serialized.', handler: jsonGet },
  { name: 'json.mget', write: false, keySpec: keysFrom(1, 1, ['RO', 'access'], -2), summary: 'Gets the values at a path from several keys.', handler: jsonMget },
  { name: 'json.set', write: true, denyoom: true, keySpec: KEY_RW_INSERT, summary: 'Sets the value at a path.', handler: jsonSet },
  { name: 'json.mset', write: true, denyoom: true, keySpec: keysFrom(1, 3, ['RW', 'insert', 'update']), summary: 'Sets values at paths of several keys.', handler: jsonMset },
  { name: 'json.merge', write: true, denyoom: true, keySpec: KEY_RW_INSERT, summary: 'Merges a value into the values at a path (RFC 7396).', handler: jsonMerge },
  { name: 'json.type', write: false, fast: true, keySpec: KEY_RO, summary: 'Gets the type of the values at a path.', handler: jsonType },
  { name: 'json.numincrby', write: true, keySpec: KEY_RW, summary: 'Increments the numbers at a path.', handler: (ctx: CommandContext, argv: string[]) => numOp(ctx, argv, false) },
  { name: 'json.nummultby', write: true, keySpec: KEY_RW, summary: 'Multiplies the numbers at a path.', handler: (ctx: CommandContext, argv: string[]) => numOp(ctx, argv, true) },
  { name: 'json.toggle', write: true, denyoom: true, keySpec: KEY_RW, summary: 'Toggles the booleans at a path.', handler: jsonToggle },
  { name: 'json.strappend', write: true, denyoom: true, keySpec: KEY_RW, summary: 'Appends to the strings at a path.', handler: jsonStrappend },
  { name: 'json.strlen', write: false, fast: true, keySpec: KEY_RO, summary: 'Gets the lengths of the strings at a path.', handler: jsonStrlen },
  { name: 'json.arrappend', write: true, denyoom: true, keySpec: KEY_RW, summary: 'Appends values to the arrays at a path.', handler: jsonArrappend },
  { name: 'json.arrindex', write: false, keySpec: KEY_RO, summary: 'Finds a value in the arrays at a path.', handler: jsonArrindex },
  { name: 'json.arrinsert', write: true, denyoom: true, keySpec: KEY_RW, summary: 'Inserts values into the arrays at a path.', handler: jsonArrinsert },
  { name: 'json.arrlen', write: false, fast: true, keySpec: KEY_RO, summary: 'Gets the lengths of the arrays at a path.', handler: jsonArrlen },
  { name: 'json.arrpop', write: true, keySpec: KEY_RW, summary: 'Removes and returns an element of the arrays at a path.', handler: jsonArrpop },
  { name: 'json.arrtrim', write: true, keySpec: KEY_RW, summary: 'Trims the arrays at a path to a range.', handler: jsonArrtrim },
  { name: 'json.objkeys', write: false, keySpec: KEY_RO, summary: 'Gets the keys of the objects at a path.', handler: jsonObjkeys },
  { name: 'json.objlen', write: false, fast: true, keySpec: KEY_RO, summary: 'Gets the number of keys of the objects at a path.', handler: jsonObjlen },
  { name: 'json.clear', write: true, keySpec: KEY_RW, summary: 'Empties the containers and zeroes the numbers at a path.', handler: jsonClear },
  { name: 'json.debug', write: false, keySpec: KEY_DEBUG, summary: 'Debugging: MEMORY <key> [path], HELP.', handler: jsonDebug },
  { name: 'json.resp', write: false, keySpec: KEY_RO, summary: 'Gets the values at a path in RESP form.', handler: jsonResp },
];

export const jsonCommands: CommandSpec[] = DEFINITIONS.map((c) => ({
  name: c.name,
  // The module registers its commands with arity -1 and checks arguments itself.
  arity: -1,
  flags: c.write ? (c.denyoom ? ['write', 'denyoom', 'module'] : ['write', 'module']) : c.fast ? ['readonly', 'fast', 'module'] : ['readonly', 'module'],
  acl: [c.write ? 'write' : 'read', 'json', c.fast ? 'fast' : 'slow'],
  keySpecs: [c.keySpec],
  summary: c.summary,
  since: '2.0.0',
  group: 'module',
  handler: guarded(c.handler),
}));
