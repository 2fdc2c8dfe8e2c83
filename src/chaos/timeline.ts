// What happened during a chaos run, in order: faults, role changes (failovers), write outcomes
// per node, and the final check. The report and the summary are made from it. Bounded: past
// MAX_EVENTS the oldest write outcomes are folded into per-second counts only.

export type EventKind = 'fault' | 'heal' | 'role' | 'check' | 'note';

export interface TimelineEvent {
  atMs: number;
  kind: EventKind;
  node: string;
  text: string;
}

/** Writes per node and second: acknowledged (WAIT >= 1), unacknowledged, failed. */
export interface WriteBucket {
  acked: number;
  unacked: number;
  failed: number;
}

const MAX_EVENTS = 10_000;

export class Timeline {
  readonly startedAt = Date.now();
  readonly events: TimelineEvent[] = [];
  /** node -> second -> counts */
  readonly writes = new Map<string, Map<number, WriteBucket>>();
  droppedEvents = 0;

  now(): number {
    return Date.now() - this.startedAt;
  }

  add(kind: EventKind, node: string, text: string): void {
    if (this.events.length >= MAX_EVENTS) {
      this.droppedEvents++;
      return;
    }
    this.events.push({ atMs: this.now(), kind, node, text });
  }

  write(node: string, outcome: keyof WriteBucket): void {
    let perNode = this.writes.get(node);
    if (perNode === undefined) {
      perNode = new Map();
      this.writes.set(node, perNode);
    }
    const second = Math.floor(this.now() / 1000);
    let bucket = perNode.get(second);
    if (bucket === undefined) {
      bucket = { acked: 0, unacked: 0, failed: 0 };
      perNode.set(second, bucket);
    }
    bucket[outcome]++;
  }
}
