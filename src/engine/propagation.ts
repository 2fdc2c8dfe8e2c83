// The single propagation point. Every write hands its effects here as RESP commands; one
// command execution (or one EXEC) becomes one unit: a lone effect goes out as is, several are
// wrapped in MULTI/EXEC, as Redis 7.0 does. A SELECT precedes an effect whose db differs from
// the last one sent. Replication (which counts the bytes as its offset) and the AOF subscribe
// as listeners.

import { encodedCommandBytes, writeCommand } from '../protocol/command-encoder.js';

export interface PropagatedCommand {
  dbIndex: number;
  argv: string[];
}

/**
 * Receives each encoded chunk of the stream (a unit, SELECTs included) and the db its first
 * command runs in (a consumer starting a new file needs a SELECT of its own before it).
 */
export type PropagationListener = (chunk: Buffer, firstDbIndex: number) => void;

export class Propagator {
  private readonly listeners: PropagationListener[] = [];
  private pending: PropagatedCommand[] = [];
  /** Depth of nested units (EXEC around commands): flush only when the outermost ends. */
  private depth = 0;
  /** Db of the last effect written to the stream; -1 forces a SELECT first. */
  private lastDbIndex = -1;
  /** Units handed to the listeners so far (the dispatcher compares it around a command for WAIT). */
  unitsEmitted = 0;
  /**
   * While an AOF loads nothing is propagated (Redis's shouldPropagate is false while loading):
   * the replayed commands' effects are already in the files, and replicas never see them.
   */
  suspended = false;

  subscribe(listener: PropagationListener): void {
    this.listeners.push(listener);
  }

  unsubscribe(listener: PropagationListener): void {
    const at = this.listeners.indexOf(listener);
    if (at >= 0) this.listeners.splice(at, 1);
  }

  get hasListeners(): boolean {
    return this.listeners.length > 0;
  }

  /** Starts a unit; effects added until the matching end() go out together. */
  begin(): void {
    this.depth++;
  }

  add(dbIndex: number, argv: string[]): void {
    // Like Redis without a backlog: with nobody consuming the stream, nothing is kept, encoded
    // or counted (and the write path allocates nothing for it).
    if (this.listeners.length === 0 || this.suspended) return;
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
    // The unit as one list of commands (SELECTs, MULTI/EXEC included), then one exact-size Buffer.
    const unit: (readonly string[])[] = [];
    const wrap = effects.length > 1;
    if (wrap) {
      this.selectIfNeeded(unit, effects[0].dbIndex);
      unit.push(MULTI);
    }
    for (const e of effects) {
      this.selectIfNeeded(unit, e.dbIndex);
      unit.push(e.argv);
    }
    if (wrap) unit.push(EXEC);
    let size = 0;
    for (const argv of unit) size += encodedCommandBytes(argv);
    const chunk = Buffer.allocUnsafe(size);
    let at = 0;
    for (const argv of unit) at = writeCommand(chunk, at, argv);
    const firstDbIndex = effects[0].dbIndex;
    this.unitsEmitted++;
    for (const listener of this.listeners) listener(chunk, firstDbIndex);
  }

  private selectIfNeeded(unit: (readonly string[])[], dbIndex: number): void {
    if (dbIndex === this.lastDbIndex) return;
    this.lastDbIndex = dbIndex;
    unit.push(['SELECT', String(dbIndex)]);
  }

  /** The db the stream's last SELECT chose (-1: none since the last reset). */
  get selectedDb(): number {
    return this.lastDbIndex;
  }

  /** Forgets the selected db, so the next effect is preceded by SELECT (new stream consumer). */
  resetSelectedDb(): void {
    this.lastDbIndex = -1;
  }
}

const MULTI: readonly string[] = ['MULTI'];
const EXEC: readonly string[] = ['EXEC'];
