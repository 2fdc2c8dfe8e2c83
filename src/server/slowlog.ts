// The slow log: commands slower than slowlog-log-slower-than microseconds, newest first,
// bounded by slowlog-max-len, arguments truncated the way Redis truncates them.

import type { SlowLogApi, SlowLogEntry } from '../commands/context.js';

/** At most this many arguments are kept per entry; the last slot says how many were dropped. */
const MAX_ARGC = 32;
/** Longer arguments are cut to this many bytes plus a note of what was dropped. */
const MAX_ARG_BYTES = 128;

export class SlowLog implements SlowLogApi {
  private list: SlowLogEntry[] = [];
  private nextId = 0;

  constructor(private readonly maxLen: () => number) {}

  push(argv: readonly string[], durationMicros: number, peer: string, clientName: string): void {
    const kept: string[] = [];
    const argc = Math.min(argv.length, MAX_ARGC);
    for (let i = 0; i < argc; i++) {
      if (argc !== argv.length && i === argc - 1) {
        kept.push(`... (${argv.length - argc + 1} more arguments)`);
        break;
      }
      const a = argv[i];
      kept.push(a.length > MAX_ARG_BYTES ? `${a.slice(0, MAX_ARG_BYTES)}... (${a.length - MAX_ARG_BYTES} more bytes)` : a);
    }
    this.list.unshift({
      id: this.nextId++,
      timestampSec: Math.floor(Date.now() / 1000),
      durationMicros,
      argv: kept,
      peer,
      clientName,
    });
    this.trim();
  }

  trim(): void {
    const max = this.maxLen();
    if (this.list.length > max) this.list.length = max;
  }

  entries(): readonly SlowLogEntry[] {
    return this.list;
  }

  reset(): void {
    this.list = [];
  }
}
