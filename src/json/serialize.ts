// Serializing documents byte for byte as RedisJSON does: its compact form (serde_json's
// writer: escapes, shortest round-trip floats laid out as the ryu crate lays them out) and the
// INDENT/NEWLINE/SPACE form of JSON.GET, whose formatter has its own rules for empty containers.

import { JsonFloat, JsonObject, type JsonNode } from './model.js';

/** JSON.GET's formatting options; null where the option was not given. */
export interface FormatOptions {
  indent: string | null;
  newline: string | null;
  space: string | null;
}

const HEX = '0123456789abcdef';
// Bytes that need escaping: control characters, '"' and '\'.
// eslint-disable-next-line no-control-regex
const NEEDS_ESCAPE = /[\u0000-\u001f"\\]/;

/** A string (UTF-8 bytes as latin1) as a JSON string literal. */
export function quoteString(s: string): string {
  if (!NEEDS_ESCAPE.test(s)) return `"${s}"`;
  let out = '"';
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let escaped: string | null = null;
    if (c === 0x22) escaped = '\\"';
    else if (c === 0x5c) escaped = '\\\\';
    else if (c < 0x20) {
      switch (c) {
        case 0x08: escaped = '\\b'; break;
        case 0x0c: escaped = '\\f'; break;
        case 0x0a: escaped = '\\n'; break;
        case 0x0d: escaped = '\\r'; break;
        case 0x09: escaped = '\\t'; break;
        default: escaped = `\\u00${HEX[c >> 4]}${HEX[c & 15]}`;
      }
    }
    if (escaped !== null) {
      out += s.slice(start, i) + escaped;
      start = i + 1;
    }
  }
  return out + s.slice(start) + '"';
}

/**
 * A double as the ryu crate writes it (serde_json's float output): shortest round-trip digits,
 * "1.0" for integral values up to 16 digits, plain decimals between 1e-5 and 1e16, else
 * scientific notation "1e16", "1.5e-7".
 */
export function formatFloat(value: number): string {
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  // serde_json writes non-finite floats as null; documents never hold them (operations refuse).
  if (!Number.isFinite(value)) return 'null';
  const sign = value < 0 ? '-' : '';
  const exp = Math.abs(value).toExponential();
  const ePos = exp.indexOf('e');
  const digits = exp.slice(0, ePos).replace('.', '');
  const e10 = Number(exp.slice(ePos + 1));
  const length = digits.length;
  const kk = e10 + 1;
  const k = kk - length;
  let body: string;
  if (k >= 0 && kk <= 16) body = digits + '0'.repeat(k) + '.0';
  else if (kk > 0 && kk <= 16) body = `${digits.slice(0, kk)}.${digits.slice(kk)}`;
  else if (kk > -5 && kk <= 0) body = `0.${'0'.repeat(-kk)}${digits}`;
  else if (length === 1) body = `${digits}e${kk - 1}`;
  else body = `${digits[0]}.${digits.slice(1)}e${kk - 1}`;
  return sign + body;
}

/** A scalar's text (numbers, booleans, null, strings). */
function scalarText(node: JsonNode): string {
  if (node === null) return 'null';
  switch (typeof node) {
    case 'boolean': return node ? 'true' : 'false';
    case 'number':
    case 'bigint': return String(node);
    case 'string': return quoteString(node);
    default: return node instanceof JsonFloat ? formatFloat(node.value) : '';
  }
}

/** The compact serialization (JSON.GET without formatting options). */
export function serializeCompact(node: JsonNode): string {
  if (node === null || typeof node !== 'object' || node instanceof JsonFloat) return scalarText(node);
  const parts: string[] = [];
  writeCompact(node, parts);
  return parts.join('');
}

function writeCompact(node: JsonNode, out: string[]): void {
  if (node === null || typeof node !== 'object' || node instanceof JsonFloat) {
    out.push(scalarText(node));
    return;
  }
  if (Array.isArray(node)) {
    out.push('[');
    for (let i = 0; i < node.length; i++) {
      if (i > 0) out.push(',');
      writeCompact(node[i], out);
    }
    out.push(']');
    return;
  }
  out.push('{');
  const { keys, values } = node;
  for (let i = 0; i < keys.length; i++) {
    out.push(i > 0 ? `,${quoteString(keys[i])}:` : `${quoteString(keys[i])}:`);
    writeCompact(values[i], out);
  }
  out.push('}');
}

/** A list of nodes as a JSON array (a JSONPath reply), compact. */
export function serializeList(nodes: readonly JsonNode[]): string {
  const parts: string[] = ['['];
  for (let i = 0; i < nodes.length; i++) {
    if (i > 0) parts.push(',');
    writeCompact(nodes[i], parts);
  }
  parts.push(']');
  return parts.join('');
}

/**
 * The formatted serialization, following RedisJSON's formatter: a newline plus indentation
 * before each element and before a closing bracket, but only when the container's last event
 * was a value (so an empty container, or one whose last element was an empty container... as
 * the formatter's single flag has it).
 */
export class FormattedWriter {
  private depth = 0;
  private hasValue = false;
  private readonly out: string[] = [];

  constructor(private readonly options: FormatOptions) {}

  static serialize(node: JsonNode, options: FormatOptions): string {
    const writer = new FormattedWriter(options);
    writer.value(node);
    return writer.out.join('');
  }

  /** Serializes entries as an object (JSON.GET of several paths). */
  static serializeEntries(entries: readonly (readonly [string, JsonNode])[], options: FormatOptions): string {
    const writer = new FormattedWriter(options);
    writer.object(entries.map((e) => e[0]), entries.map((e) => e[1]));
    return writer.out.join('');
  }

  private newLine(): void {
    const { newline, indent } = this.options;
    if (newline !== null) this.out.push(newline);
    if (indent !== null) for (let i = 0; i < this.depth; i++) this.out.push(indent);
  }

  value(node: JsonNode): void {
    if (node === null || typeof node !== 'object' || node instanceof JsonFloat) {
      this.out.push(scalarText(node));
      return;
    }
    if (Array.isArray(node)) this.array(node);
    else this.object(node.keys, node.values);
  }

  array(items: readonly JsonNode[]): void {
    this.depth++;
    this.hasValue = false;
    this.out.push('[');
    for (let i = 0; i < items.length; i++) {
      if (i > 0) this.out.push(',');
      this.newLine();
      this.value(items[i]);
      this.hasValue = true;
    }
    this.depth--;
    if (this.hasValue) this.newLine();
    this.out.push(']');
  }

  object(keys: readonly string[], values: readonly JsonNode[]): void {
    this.depth++;
    this.hasValue = false;
    this.out.push('{');
    for (let i = 0; i < keys.length; i++) {
      if (i > 0) this.out.push(',');
      this.newLine();
      this.out.push(quoteString(keys[i]), ':');
      if (this.options.space !== null) this.out.push(this.options.space);
      this.value(values[i]);
      this.hasValue = true;
    }
    this.depth--;
    if (this.hasValue) this.newLine();
    this.out.push('}');
  }
}

/** Compact or formatted, as the options say. */
export function serialize(node: JsonNode, options: FormatOptions | null): string {
  if (options === null || (options.indent === null && options.newline === null && options.space === null)) return serializeCompact(node);
  return FormattedWriter.serialize(node, options);
}

/** A list of nodes (JSONPath results) as a JSON array, compact or formatted. */
export function serializeNodes(nodes: JsonNode[], options: FormatOptions | null): string {
  if (options === null || (options.indent === null && options.newline === null && options.space === null)) return serializeList(nodes);
  return FormattedWriter.serialize(nodes, options);
}

export { JsonObject };
