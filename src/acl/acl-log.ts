// ACL LOG: the recent denials (commands, keys, channels) and failed authentications, newest
// first, at most acllog-max-len entries. An event like one of the 10 newest (same reason,
// context, object and user, within 60 seconds) bumps that entry's count instead of adding one.

import { DENIED_AUTH, DENIED_CHANNEL, DENIED_COMMAND, DENIED_KEY, type Denial } from './permissions.js';

/** Events further apart than this are separate entries (ACL_LOG_GROUPING_MAX_TIME_DELTA). */
const GROUPING_MAX_DELTA_MS = 60_000;
/** How many of the newest entries a new event is compared with. */
const GROUPING_SCAN = 10;

export type AclLogContext = 'toplevel' | 'multi' | 'lua' | 'module';

export interface AclLogEntry {
  count: number;
  reason: Denial;
  context: AclLogContext;
  object: string;
  username: string;
  /** When the entry last happened (ms since the epoch). */
  timeMs: number;
  /** CLIENT LIST's line of the client, at the last event. */
  clientInfo: string;
}

export function reasonText(reason: Denial): string {
  switch (reason) {
    case DENIED_COMMAND: return 'command';
    case DENIED_KEY: return 'key';
    case DENIED_CHANNEL: return 'channel';
    case DENIED_AUTH: return 'auth';
  }
}

export class AclLog {
  /** Newest first; never longer than maxEntries() after an add. */
  private entries: AclLogEntry[] = [];

  constructor(private readonly maxEntries: () => number) {}

  add(event: Omit<AclLogEntry, 'count'>): void {
    const scan = Math.min(GROUPING_SCAN, this.entries.length);
    for (let i = 0; i < scan; i++) {
      const e = this.entries[i];
      if (e.reason === event.reason && e.context === event.context && Math.abs(e.timeMs - event.timeMs) <= GROUPING_MAX_DELTA_MS &&
          e.object === event.object && e.username === event.username) {
        this.entries.splice(i, 1);
        this.entries.unshift(e);
        e.count++;
        e.timeMs = event.timeMs;
        e.clientInfo = event.clientInfo;
        return;
      }
    }
    this.entries.unshift({ count: 1, ...event });
    const max = this.maxEntries();
    if (this.entries.length > max) this.entries.length = max;
  }

  /** The newest `count` entries. */
  newest(count: number): readonly AclLogEntry[] {
    return this.entries.slice(0, Math.max(0, count));
  }

  reset(): void {
    this.entries = [];
  }
}
