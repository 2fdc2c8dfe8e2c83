// Argument splitting shared by inline requests and redis.conf lines (Redis's sdssplitargs rules).

function isHexDigit(c: string): boolean {
  return /^[0-9a-fA-F]$/.test(c);
}

/**
 * Splits an inline request like Redis's sdssplitargs: whitespace separated, "double quotes" with
 * C escapes (\n, \xHH ...), 'single quotes' with \' only. A closing quote must be followed by a
 * space or the end. Returns null on unbalanced quotes.
 */
export function splitInlineArgs(line: string): string[] | null {
  const out: string[] = [];
  let i = 0;
  const n = line.length;
  for (;;) {
    while (i < n && isSpace(line.charCodeAt(i))) i++;
    if (i >= n) return out;
    let current = '';
    let inDouble = false;
    let inSingle = false;
    let done = false;
    while (!done) {
      const c = i < n ? line[i] : '';
      if (inDouble) {
        if (c === '') return null;
        if (c === '\\' && line[i + 1] === 'x' && i + 3 < n + 0 && isHexDigit(line[i + 2] ?? '') && isHexDigit(line[i + 3] ?? '')) {
          current += String.fromCharCode(parseInt(line.slice(i + 2, i + 4), 16));
          i += 3;
        } else if (c === '\\' && i + 1 < n) {
          i++;
          const e = line[i];
          current += e === 'n' ? '\n' : e === 'r' ? '\r' : e === 't' ? '\t' : e === 'b' ? '\b' : e === 'a' ? '\x07' : e;
        } else if (c === '"') {
          if (i + 1 < n && !isSpace(line.charCodeAt(i + 1))) return null;
          done = true;
        } else {
          current += c;
        }
      } else if (inSingle) {
        if (c === '') return null;
        if (c === '\\' && line[i + 1] === "'") {
          i++;
          current += "'";
        } else if (c === "'") {
          if (i + 1 < n && !isSpace(line.charCodeAt(i + 1))) return null;
          done = true;
        } else {
          current += c;
        }
      } else if (c === '' || c === ' ' || c === '\n' || c === '\r' || c === '\t' || c === '\0') {
        done = true;
      } else if (c === '"') {
        inDouble = true;
      } else if (c === "'") {
        inSingle = true;
      } else {
        current += c;
      }
      if (i < n) i++;
    }
    out.push(current);
  }
}

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9 || c === 11 || c === 12;
}
