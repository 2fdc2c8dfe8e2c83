// The debugger's reader of its client's commands (Redis's ldbReplParseCommand): a forgiving
// multi-bulk parser over what the client sent, which is searched as a C string (a NUL byte ends
// the searches, as strchr/strstr stop there). Arguments are 1 to 1024 bytes; so is the count.

/** Past this many buffered bytes the session ends with "max client buffer reached". */
export const MAX_DEBUGGER_INPUT_BYTES = 1 << 20;
const MAX_ARGS = 1024;
const MAX_ARG_BYTES = 1024;

export type DebuggerInput = string[] | 'incomplete' | 'protocol-error';

/** indexOf as strstr on a C string: a match must end before the first NUL at or after `from`. */
function cIndexOf(buffer: string, needle: string, from: number): number {
  const at = buffer.indexOf(needle, from);
  if (at < 0) return -1;
  const nul = buffer.indexOf('\0', from);
  return nul >= 0 && nul < at + needle.length ? -1 : at;
}

/** atoi: optional blanks and sign, then digits up to the first other byte (0 when none). */
export function atoi(text: string): number {
  const match = /^[ \t\n\v\f\r]*([+-]?\d+)/.exec(text);
  return match === null ? 0 : Number.parseInt(match[1], 10);
}

/** One command from the start of `buffer` (latin1), or why there is none yet. */
export function parseDebuggerCommand(buffer: string): DebuggerInput {
  if (buffer.length === 0) return 'incomplete';
  const star = cIndexOf(buffer, '*', 0);
  if (star < 0) return 'protocol-error';
  const countEnd = cIndexOf(buffer, '\r\n', star);
  if (countEnd < 0) return 'incomplete';
  const count = atoi(buffer.slice(star + 1, countEnd));
  if (count <= 0 || count > MAX_ARGS) return 'protocol-error';
  const argv: string[] = [];
  let pos = countEnd + 2;
  while (argv.length < count) {
    if (pos >= buffer.length || buffer.charCodeAt(pos) === 0) return 'incomplete';
    if (buffer[pos] !== '$') return 'protocol-error';
    const lengthEnd = cIndexOf(buffer, '\r\n', pos);
    if (lengthEnd < 0) return 'incomplete';
    const length = atoi(buffer.slice(pos + 1, lengthEnd));
    if (length <= 0 || length > MAX_ARG_BYTES) return 'protocol-error';
    pos = lengthEnd + 2;
    if (pos + length + 2 > buffer.length) return 'incomplete';
    argv.push(buffer.slice(pos, pos + length));
    pos += length;
    if (buffer[pos] !== '\r' || buffer[pos + 1] !== '\n') return 'protocol-error';
    pos += 2;
  }
  return argv;
}

/** The command word as Redis compares it (strcasecmp stops at a NUL byte). */
export function commandWord(arg: string): string {
  const nul = arg.indexOf('\0');
  return (nul < 0 ? arg : arg.slice(0, nul)).toLowerCase();
}
