// Commands as RESP bytes (argv -> "*<n>\r\n$<len>\r\n<arg>\r\n..."): the one encoder for every
// stream of commands the node produces — propagation (replicas, AOF), pub/sub frames, MONITOR
// lines — so each is encoded once, into one Buffer sized exactly, with no string building.

/** Decimal digits of a non-negative integer. */
function digitCount(n: number): number {
  let digits = 1;
  while (n >= 10) {
    n = Math.floor(n / 10);
    digits++;
  }
  return digits;
}

/** Writes the decimal form of a non-negative integer at `at`; returns the position after it. */
function writeDecimal(buf: Buffer, at: number, n: number): number {
  const end = at + digitCount(n);
  let i = end;
  do {
    buf[--i] = 48 + (n % 10);
    n = Math.floor(n / 10);
  } while (n > 0);
  return end;
}

/** Bytes of "<type><n>\r\n". */
function headerBytes(n: number): number {
  return 1 + digitCount(n) + 2;
}

function writeHeader(buf: Buffer, at: number, type: number, n: number): number {
  buf[at++] = type;
  at = writeDecimal(buf, at, n);
  buf[at++] = 13;
  buf[at++] = 10;
  return at;
}

/** Arguments up to this length are copied by a JS loop (a native call costs more below it). */
const SMALL_ARG_BYTES = 32;

function writeLatin1(buf: Buffer, at: number, text: string): number {
  const n = text.length;
  if (n <= SMALL_ARG_BYTES) {
    for (let i = 0; i < n; i++) buf[at++] = text.charCodeAt(i);
    return at;
  }
  return at + buf.latin1Write(text, at);
}

/**
 * An argument of a command stream: a latin1 string, or the bytes of a big value kept as the Buffer
 * it arrived in (propagated without ever becoming a V8 string).
 */
export type StreamArg = string | Buffer;

/** Bytes `argv` takes as a RESP array of bulk strings. */
export function encodedCommandBytes(argv: readonly StreamArg[]): number {
  let size = headerBytes(argv.length);
  for (let i = 0; i < argv.length; i++) size += headerBytes(argv[i].length) + argv[i].length + 2;
  return size;
}

/** Writes "*<n>\r\n" (an array of n elements); returns the position after it. */
export function writeArrayHeader(buf: Buffer, at: number, n: number): number {
  return writeHeader(buf, at, ARRAY_TYPE, n);
}

/** Writes "$<n>\r\n" (a bulk string of n bytes); returns the position after it. */
export function writeBulkHeader(buf: Buffer, at: number, n: number): number {
  return writeHeader(buf, at, BULK_TYPE, n);
}

/** Writes a latin1 string's bytes; returns the position after them. */
export function writeText(buf: Buffer, at: number, text: string): number {
  return writeLatin1(buf, at, text);
}

/**
 * Writes `argv` as a RESP array of bulk strings into `buf` at `at` (room already checked with
 * encodedCommandBytes); `type` is the aggregate's first byte ('*' array, '>' RESP3 push).
 * Returns the position after it.
 */
export function writeCommand(buf: Buffer, at: number, argv: readonly StreamArg[], type = ARRAY_TYPE): number {
  at = writeHeader(buf, at, type, argv.length);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    at = writeHeader(buf, at, BULK_TYPE, arg.length);
    at = typeof arg === 'string' ? writeLatin1(buf, at, arg) : at + arg.copy(buf, at);
    buf[at++] = 13;
    buf[at++] = 10;
  }
  return at;
}

/** `argv` as one RESP array of bulk strings (a command as clients send it). */
export function encodeCommand(argv: readonly string[]): Buffer {
  const buf = Buffer.allocUnsafe(encodedCommandBytes(argv));
  writeCommand(buf, 0, argv);
  return buf;
}

/** The same bytes with a RESP3 push header ('>' instead of '*'), for pub/sub messages. */
export function encodePush(argv: readonly string[]): Buffer {
  const buf = Buffer.allocUnsafe(encodedCommandBytes(argv));
  writeCommand(buf, 0, argv, PUSH_TYPE);
  return buf;
}

/** A status reply line "+<text>\r\n" (MONITOR's lines); `text` must hold no CR or LF. */
export function encodeStatus(text: string): Buffer {
  const buf = Buffer.allocUnsafe(text.length + 3);
  buf[0] = 43; // '+'
  const at = writeLatin1(buf, 1, text);
  buf[at] = 13;
  buf[at + 1] = 10;
  return buf;
}

const ARRAY_TYPE = 42; // '*'
const PUSH_TYPE = 62; // '>'
const BULK_TYPE = 36; // '$'
