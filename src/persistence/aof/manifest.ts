// The AOF manifest of Redis 7.0's multi-part AOF: one line per file, "file <name> seq <n> type
// <b|h|i>", the base first, then history files, then incremental files. Names are the
// appendfilename with ".<seq>.base.rdb|.aof" or ".<seq>.incr.aof" after it. Parsing follows
// Redis's checks and error texts (aof.c aofLoadManifestFromFile), which its tests read.

import { quoteRepr } from '../../util/repr.js';
import { splitInlineArgs } from '../../util/split-args.js';

export type AofFileType = 'b' | 'h' | 'i';

export interface AofFileInfo {
  name: string;
  seq: number;
  type: AofFileType;
}

/** The manifest in memory. Changes are made on a copy, which replaces this once persisted. */
export class AofManifest {
  base: AofFileInfo | null = null;
  /** Oldest first. */
  incr: AofFileInfo[] = [];
  history: AofFileInfo[] = [];
  currentBaseSeq = 0;
  currentIncrSeq = 0;

  copy(): AofManifest {
    const m = new AofManifest();
    m.base = this.base === null ? null : { ...this.base };
    m.incr = this.incr.map((f) => ({ ...f }));
    m.history = this.history.map((f) => ({ ...f }));
    m.currentBaseSeq = this.currentBaseSeq;
    m.currentIncrSeq = this.currentIncrSeq;
    return m;
  }

  get isEmpty(): boolean {
    return this.base === null && this.incr.length === 0;
  }

  /** Base then incremental files: what loading reads, in order. */
  get loadOrder(): AofFileInfo[] {
    return this.base === null ? [...this.incr] : [this.base, ...this.incr];
  }

  /** A new base name; the previous base becomes history. */
  newBase(appendFilename: string, rdbFormat: boolean): AofFileInfo {
    if (this.base !== null) this.history.unshift({ ...this.base, type: 'h' });
    this.currentBaseSeq++;
    this.base = { name: `${appendFilename}.${this.currentBaseSeq}.base.${rdbFormat ? 'rdb' : 'aof'}`, seq: this.currentBaseSeq, type: 'b' };
    return this.base;
  }

  newIncr(appendFilename: string): AofFileInfo {
    this.currentIncrSeq++;
    const info: AofFileInfo = { name: `${appendFilename}.${this.currentIncrSeq}.incr.aof`, seq: this.currentIncrSeq, type: 'i' };
    this.incr.push(info);
    return info;
  }

  /** The incremental file to append to, made when there is none. */
  lastIncrOrNew(appendFilename: string): AofFileInfo {
    return this.incr.length > 0 ? this.incr[this.incr.length - 1] : this.newIncr(appendFilename);
  }

  /**
   * After a rewrite: the incremental files it covers become history (newest first at the head,
   * as Redis lists them); `keepLast` keeps the one being written to.
   */
  markRewrittenIncrAsHistory(keepLast: boolean): void {
    const covered = keepLast ? this.incr.slice(0, -1) : this.incr;
    this.incr = keepLast ? this.incr.slice(-1) : [];
    for (const f of covered) this.history.unshift({ ...f, type: 'h' });
  }

  format(): string {
    let text = '';
    const line = (f: AofFileInfo): void => {
      text += `file ${needsRepr(f.name) ? quoteRepr(f.name) : f.name} seq ${f.seq} type ${f.type}\n`;
    };
    if (this.base !== null) line(this.base);
    for (const f of this.history) line(f);
    for (const f of this.incr) line(f);
    return text;
  }
}

/** sdsneedsrepr: quotes, backslash, controls, spaces or non-printable bytes. */
function needsRepr(name: string): boolean {
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c === 92 || c === 34 || c <= 32 || c > 126) return true;
  }
  return false;
}

/** A manifest Redis would refuse: the log lines around it name the line and the reason. */
export class ManifestError extends Error {
  constructor(message: string, readonly lineNumber: number, readonly line: string | null) {
    super(message);
  }
}

/** fgets with a 1025-byte buffer: a line longer than 1024 bytes is "too long". */
const MANIFEST_MAX_LINE_BYTES = 1024;

export function parseManifest(text: string): AofManifest {
  const m = new AofManifest();
  let maxSeq = 0;
  let lineNumber = 0;
  let at = 0;
  if (text.length === 0) throw new ManifestError('Found an empty AOF manifest', 0, null);
  while (at < text.length) {
    const newline = text.indexOf('\n', at);
    // fgets reads at most 1024 bytes; the rest of a longer line is the next read.
    const end = newline < 0 ? text.length : newline + 1;
    const chunkEnd = Math.min(end, at + MANIFEST_MAX_LINE_BYTES);
    const raw = text.slice(at, chunkEnd);
    at = chunkEnd;
    lineNumber++;
    if (raw.startsWith('#')) continue;
    if (!raw.includes('\n')) throw new ManifestError('The AOF manifest file contains too long line', lineNumber, null);
    const line = raw.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
    if (line.length === 0) throw new ManifestError('Invalid AOF manifest file format', lineNumber, line);
    const argv = splitInlineArgs(line);
    if (argv === null || argv.length < 6 || argv.length % 2 !== 0) throw new ManifestError('Invalid AOF manifest file format', lineNumber, line);
    let name: string | null = null;
    let seq = 0;
    let type = '';
    for (let i = 0; i < argv.length; i += 2) {
      const key = argv[i].toLowerCase();
      if (key === 'file') {
        name = argv[i + 1];
        if (name.includes('/') || name.includes('\\')) throw new ManifestError("File can't be a path, just a filename", lineNumber, line);
      } else if (key === 'seq') {
        seq = atoll(argv[i + 1]);
      } else if (key === 'type') {
        type = argv[i + 1].charAt(0);
      }
      // Other keys are accepted for forward compatibility, as Redis does.
    }
    if (name === null || name === '' || seq === 0 || type === '') throw new ManifestError('Invalid AOF manifest file format', lineNumber, line);
    if (type === 'b') {
      if (m.base !== null) throw new ManifestError('Found duplicate base file information', lineNumber, line);
      m.base = { name, seq, type };
      m.currentBaseSeq = seq;
    } else if (type === 'h') {
      m.history.push({ name, seq, type });
    } else if (type === 'i') {
      if (seq <= maxSeq) throw new ManifestError('Found a non-monotonic sequence number', lineNumber, line);
      m.incr.push({ name, seq, type });
      m.currentIncrSeq = seq;
      maxSeq = seq;
    } else {
      throw new ManifestError('Unknown AOF file type', lineNumber, line);
    }
  }
  return m;
}

/** C's atoll: optional spaces and sign, the leading digits, 0 when there are none. */
function atoll(text: string): number {
  const match = /^[ \t\n\v\f\r]*([+-]?\d+)/.exec(text);
  return match === null ? 0 : Number(match[1]);
}
