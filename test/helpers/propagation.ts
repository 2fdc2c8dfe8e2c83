// What a server hands to replication and the AOF, decoded for assertions: every chunk the
// Propagator emits is a sequence of RESP arrays of bulk strings.

import type { RunningServerInternal } from '../../src/server/start.js';

/** Splits propagated bytes (latin1 text) into argv lists. */
export function decodeCommands(text: string): string[][] {
  const out: string[][] = [];
  let pos = 0;
  const line = (): string => {
    const end = text.indexOf('\r\n', pos);
    const s = text.slice(pos, end);
    pos = end + 2;
    return s;
  };
  while (pos < text.length) {
    const count = Number(line().slice(1));
    const argv: string[] = [];
    for (let i = 0; i < count; i++) {
      const len = Number(line().slice(1));
      argv.push(text.slice(pos, pos + len));
      pos += len + 2;
    }
    out.push(argv);
  }
  return out;
}

/** Records the commands `running` propagates from now on, SELECTs left out. */
export class PropagationLog {
  readonly commands: string[][] = [];

  constructor(running: RunningServerInternal) {
    running.server.propagator.subscribe((chunk) => {
      for (const argv of decodeCommands(chunk.toString('latin1'))) {
        if (argv[0] !== 'SELECT') this.commands.push(argv);
      }
    });
  }

  /** The recorded commands as space-joined lines ("SET k v"). */
  lines(): string[] {
    return this.commands.map((argv) => argv.join(' '));
  }

  clear(): void {
    this.commands.length = 0;
  }
}
