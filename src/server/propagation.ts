// The single propagation point. Every write hands its effects here as RESP commands; one
// command execution (or one EXEC) becomes one unit: a lone effect goes out as is, several are
// wrapped in MULTI/EXEC, as Redis 7.0 does. A SELECT precedes an effect whose db differs from
// the last one sent. The stream's bytes are counted as the replication offset; replication and
// AOF subscribe as listeners.

export interface PropagatedCommand {
  dbIndex: number;
  argv: string[];
}

/** Receives each encoded chunk of the stream (a unit, SELECTs included) and its bytes. */
export type PropagationListener = (chunk: Buffer) => void;

export function encodeCommand(argv: readonly string[]): string {
  let out = '*' + argv.length + '\r\n';
  for (const a of argv) out += '$' + a.length + '\r\n' + a + '\r\n';
  return out;
}

export class Propagator {
  private readonly listeners: PropagationListener[] = [];
  private pending: PropagatedCommand[] = [];
  /** Depth of nested units (EXEC around commands): flush only when the outermost ends. */
  private depth = 0;
  /** Db of the last effect written to the stream; -1 forces a SELECT first. */
  private lastDbIndex = -1;
  /** Bytes ever propagated (master_repl_offset). */
  offsetBytes = 0;

  subscribe(listener: PropagationListener): void {
    this.listeners.push(listener);
  }

  get hasListeners(): boolean {
    return this.listeners.length > 0;
  }

  /** Starts a unit; effects added until the matching end() go out together. */
  begin(): void {
    this.depth++;
  }

  add(dbIndex: number, argv: string[]): void {
    this.pending.push({ dbIndex, argv });
    if (this.depth === 0) this.flush();
  }

  end(): void {
    this.depth--;
    if (this.depth === 0) this.flush();
  }

  /** The effects queued in the current unit (for tests and for inspection). */
  get pendingEffects(): readonly PropagatedCommand[] {
    return this.pending;
  }

  private flush(): void {
    const effects = this.pending;
    if (effects.length === 0) return;
    this.pending = [];
    // Like Redis without a backlog: with nobody consuming the stream, nothing is encoded or counted.
    if (this.listeners.length === 0) return;
    const wrap = effects.length > 1;
    let text = '';
    if (wrap) {
      text += this.selectIfNeeded(effects[0].dbIndex);
      text += encodeCommand(['MULTI']);
    }
    for (const e of effects) {
      text += this.selectIfNeeded(e.dbIndex);
      text += encodeCommand(e.argv);
    }
    if (wrap) text += encodeCommand(['EXEC']);
    const chunk = Buffer.from(text, 'latin1');
    this.offsetBytes += chunk.length;
    for (const listener of this.listeners) listener(chunk);
  }

  private selectIfNeeded(dbIndex: number): string {
    if (dbIndex === this.lastDbIndex) return '';
    this.lastDbIndex = dbIndex;
    return encodeCommand(['SELECT', String(dbIndex)]);
  }

  /** Forgets the selected db, so the next effect is preceded by SELECT (new stream consumer). */
  resetSelectedDb(): void {
    this.lastDbIndex = -1;
  }
}
