// CLIENT PAUSE / UNPAUSE (Redis's pauseClients / unpauseClients): until when commands are
// held, whether only writes are, and which clients wait with a postponed request. The Server
// parks a client here when dispatch() postpones it and resumes it through `resume`.
//
// As in Redis 7.0 a pause has a purpose (CLIENT PAUSE, a shutdown waiting for its replicas, a
// signal's final save, a coordinated FAILOVER, a synchronous script debugging session, during
// which Redis serves nobody else): each purpose keeps its own end and type, and
// what is in effect is the latest end and the strictest type among them. Ending one purpose
// (CLIENT UNPAUSE, a FAILOVER that finished) leaves the others in place.

import type { Command } from '../commands/types.js';
import type { Client } from '../engine/client.js';
import type { PauseGate } from '../engine/checks.js';
import type { NodeAlerts } from '../engine/node-alerts.js';

/** Longest delay setTimeout honours: beyond it the timer fires at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Why commands are held (Redis's pause_purpose, plus the hold of a signal's final save). */
export type PausePurpose = 'client' | 'shutdown' | 'shutdown-save' | 'failover' | 'debugger';

interface PauseEvent {
  untilMs: number;
  writesOnly: boolean;
}

export class ClientPause implements PauseGate {
  /**
   * Wall-clock end of the pause, 0 when none is set. Read on every command through `untilMs !== 0`
   * (a field, not a getter); an expired pause is only noticed by the slower checks below.
   */
  untilMs = 0;
  private writesOnly = false;
  private readonly purposes = new Map<PausePurpose, PauseEvent>();
  private readonly waiting = new Set<Client>();
  private timer: NodeJS.Timeout | null = null;

  /**
   * `resume` re-runs a held client's postponed request once the pause ends; `alerts` is raised
   * when a pause starts (the dispatcher's pause check must run again).
   */
  constructor(private readonly resume: (client: Client) => void, private readonly alerts: NodeAlerts) {}

  /** pauseClients: a purpose's pause never gets shorter, nor narrower (ALL to WRITE), by a new one. */
  pause(untilMs: number, writesOnly: boolean, purpose: PausePurpose = 'client'): void {
    const current = this.purposes.get(purpose);
    if (current !== undefined && current.untilMs > Date.now()) {
      untilMs = Math.max(untilMs, current.untilMs);
      writesOnly = writesOnly && current.writesOnly;
    }
    this.purposes.set(purpose, { untilMs, writesOnly });
    this.update();
  }

  /** unpauseClients: that purpose's pause ends; held clients resume once no pause is left. */
  unpause(purpose: PausePurpose = 'client'): void {
    // Without that purpose nothing changes, unless no pause is left at all (clients still held
    // by one that expired go now).
    if (!this.purposes.delete(purpose) && this.purposes.size > 0) return;
    this.update();
  }

  /**
   * Holds every command until releaseForShutdown (a signal's final save runs in turns of the
   * event loop; nothing else may run meanwhile).
   */
  holdForShutdown(): void {
    this.pause(Number.MAX_SAFE_INTEGER, false, 'shutdown-save');
  }

  /** The shutdown was cancelled: the other pauses go on, or the held clients resume. */
  releaseForShutdown(): void {
    this.unpause('shutdown-save');
  }

  /** updateClientPauseTypeAndEndTime: the latest end and strictest type of the purposes left. */
  private update(): void {
    const nowMs = Date.now();
    let untilMs = 0;
    let writesOnly = true;
    let nextEndMs = Number.POSITIVE_INFINITY;
    for (const [purpose, event] of this.purposes) {
      if (event.untilMs <= nowMs) {
        this.purposes.delete(purpose);
        continue;
      }
      untilMs = Math.max(untilMs, event.untilMs);
      writesOnly &&= event.writesOnly;
      nextEndMs = Math.min(nextEndMs, event.untilMs);
    }
    this.stopTimer();
    if (untilMs === 0) {
      this.untilMs = 0;
      this.writesOnly = false;
      this.releaseHeld();
      return;
    }
    const lessStrict = this.untilMs !== 0 && !this.writesOnly && writesOnly;
    this.untilMs = untilMs;
    this.alerts.raise();
    this.writesOnly = writesOnly;
    // A pause of everything that became a pause of writes: the held reads may run now (the
    // writes among them are held again).
    if (lessStrict) this.releaseHeld();
    // Long pauses wait in steps, each re-checking the deadline.
    this.timer = setTimeout(() => this.update(), Math.min(Math.max(0, nextEndMs - nowMs), MAX_TIMER_MS));
  }

  /** Resumes the held clients in the order they were held (those still paused are held again). */
  private releaseHeld(): void {
    // Copied first: a resumed client may be held again (a pause still in place), re-entering the set.
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
    // Replicas are never paused: their ACKs must keep coming (WAIT, a failover's catch-up).
    if (client.isReplica) return false;
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

  /** Stops the timer (the server is closing). */
  stopTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
