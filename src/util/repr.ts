// Redis's sdscatrepr: the C-escaped, double-quoted form of a binary-safe string. CONFIG REWRITE,
// the generated config file of startServer() and MONITOR all print arguments this way, and
// sdssplitargs (split-args.ts) reads it back unchanged.

/** The escaped body without the surrounding quotes (what MONITOR wraps in its own quotes). */
export function escapeRepr(text: string): string {
  let out = '';
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
  return out;
}

/** sdscatrepr's full output: the escaped text between double quotes. */
export function quoteRepr(text: string): string {
  return '"' + escapeRepr(text) + '"';
}
