// CLIENT PAUSE / UNPAUSE (Redis's pauseClients / unpauseClients): until when commands are
// held, whether only writes are, and which clients wait with a postponed request. The Server
// parks a client here when dispatch() postpones it and resumes it through `resume`.

import type { Command } from '../commands/types.js';
import type { Client } from '../engine/client.js';
import type { PauseGate } from '../engine/checks.js';

/** Longest delay setTimeout honours: beyond it the timer fires at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export class ClientPause implements PauseGate {
  /**
   * Wall-clock end of the pause, 0 when none is set. Read on every command through `untilMs !== 0`
   * (a field, not a getter); an expired pause is only noticed by the slower checks below.
   */
  untilMs = 0;
  private writesOnly = false;
  private readonly waiting = new Set<Client>();
  private timer: NodeJS.Timeout | null = null;
  /** The pause in place before a shutdown's hold (Redis's PAUSE_DURING_SHUTDOWN), to restore. */
  private beforeShutdownHold: { untilMs: number; writesOnly: boolean } | null = null;

  /** `resume` re-runs a held client's postponed request once the pause ends. */
  constructor(private readonly resume: (client: Client) => void) {}

  pause(untilMs: number, writesOnly: boolean): void {
    // A new pause never shortens an existing one, nor narrows ALL to WRITE (Redis's rule).
    if (this.untilMs > Date.now()) {
      if (!this.writesOnly && writesOnly) writesOnly = false;
      untilMs = Math.max(untilMs, this.untilMs);
    }
    this.untilMs = untilMs;
    this.writesOnly = writesOnly;
    this.armTimer();
  }

  /** Long pauses wait in steps, each re-checking the deadline. */
  private armTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    const remainingMs = Math.max(0, this.untilMs - Date.now());
    this.timer = setTimeout(() => {
      if (this.untilMs > Date.now()) this.armTimer();
      else this.unpause();
    }, Math.min(remainingMs, MAX_TIMER_MS));
  }

  /**
   * Holds every command until releaseForShutdown (a signal's final save runs in turns of the
   * event loop; nothing else may run meanwhile). A pause set before is restored afterwards.
   */
  holdForShutdown(): void {
    if (this.beforeShutdownHold !== null) return;
    this.beforeShutdownHold = { untilMs: this.untilMs, writesOnly: this.writesOnly };
    this.stopTimer();
    this.untilMs = Number.MAX_SAFE_INTEGER;
    this.writesOnly = false;
  }

  /** The shutdown was cancelled: the earlier pause goes on, or the held clients resume. */
  releaseForShutdown(): void {
    const before = this.beforeShutdownHold;
    if (before === null) return;
    this.beforeShutdownHold = null;
    if (before.untilMs > Date.now()) {
      this.untilMs = before.untilMs;
      this.writesOnly = before.writesOnly;
      this.armTimer();
    } else {
      this.unpause();
    }
  }

  /** Ends the pause and resumes the held clients in the order they were held. */
  unpause(): void {
    this.untilMs = 0;
    this.stopTimer();
    // Copied first: a resumed client may be held again (a new pause), re-entering the set.
    const held = [...this.waiting];
    this.waiting.clear();
    for (const client of held) this.resume(client);
  }

  /** A pause is set and not yet over (active expiry and lazy-expiry deletes wait for it). */
  inEffect(): boolean {
    return this.untilMs !== 0 && this.untilMs > Date.now();
  }

  /** Whether `command` from `client` must wait (Redis's blockPostponeClient conditions). */
  isPausedFor(command: Command, client: Client, mayReplicate: () => boolean): boolean {
    if (!this.inEffect()) return false;
    // Inside MULTI commands are only queued; the EXEC is what waits.
    if (client.inMulti && command.fullName !== 'exec') return false;
    if (!this.writesOnly) return true;
    const root = command.parent ?? command;
    if (root.spec.name === 'exec') {
      return client.multiQueue.some((q) => q.mayReplicate);
    }
    return mayReplicate();
  }

  /** Parks a client whose request was postponed. */
  hold(client: Client): void {
    this.waiting.add(client);
  }

  /** Drops a closed client. */
  forget(client: Client): void {
    this.waiting.delete(client);
  }

  /** Clients held by CLIENT PAUSE: Redis counts them as blocked (INFO blocked_clients). */
  get heldCount(): number {
    return this.waiting.size;
  }

  stopTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
