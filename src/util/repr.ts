// How C code prints binary-safe strings, for replies and files that must match Redis byte for
// byte: sdscatrepr (CONFIG REWRITE, startServer()'s generated config file and MONITOR quote
// arguments this way, and sdssplitargs in split-args.ts reads it back unchanged), and "%.Ns"
// (error replies that echo an argument).

/** sdscatrepr's full output: the escaped text between double quotes. */
export function quoteRepr(text: string): string {
  let out = '"';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 92 || c === 34) out += '\\' + text[i];
    else if (c === 10) out += '\\n';
    else if (c === 13) out += '\\r';
    else if (c === 9) out += '\\t';
    else if (c === 7) out += '\\a';
    else if (c === 8) out += '\\b';
    // isprint() in the C locale: bytes 32..126; the rest as two lower-case hex digits.
    else if (c < 32 || c > 126) out += '\\x' + c.toString(16).padStart(2, '0');
    else out += text[i];
  }
  return out + '"';
}

/** What C's "%.Ns" prints of an argument: at most N bytes, and nothing from a NUL byte on. */
export function cStringPrefix(text: string, maxBytes: number): string {
  const nul = text.indexOf('\0');
  return text.slice(0, nul < 0 || nul > maxBytes ? maxBytes : nul);
}
