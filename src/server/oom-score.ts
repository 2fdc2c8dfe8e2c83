// oom-score-adj and oom-score-adj-values (Redis's setOOMScoreAdj): the Linux OOM killer's bias
// for this process, by role (primary, replica) and for background children, so that under
// memory pressure the kernel kills a save child first, then a replica, and a primary last.
//
// "yes"/"relative" adds the configured value to the score the process had when the adjustment
// started (kept as the base); "absolute" writes the value as it is. Turning it off puts the base
// back. Where /proc/self/oom_score_adj cannot be read or written, the change fails with Redis's
// log line and CONFIG SET's error.

import { readFileSync, writeFileSync } from 'node:fs';
import type { Config } from '../config/config.js';
import { strerror } from '../util/errno.js';
import type { ServerLog } from './log.js';

/** oom-score-adj-values' three classes, in its order. */
export type OomClass = 'primary' | 'replica' | 'child';
const CLASS_INDEX: Record<OomClass, number> = { primary: 0, replica: 1, child: 2 };
const OOM_SCORE_MIN = -1000;
const OOM_SCORE_MAX = 1000;

export class OomScore {
  /** The score before this server changed it, while it has (oom_score_adjusted_by_redis). */
  private base: number | null = null;

  constructor(private readonly config: Config, private readonly log: ServerLog, private readonly isReplica: () => boolean) {}

  /** The score a process of `cls` gets now, or null while oom-score-adj is no. */
  scoreFor(cls: OomClass): number | null {
    const mode = this.config.str('oom-score-adj');
    if (mode === 'no') return null;
    let value = Number(this.config.str('oom-score-adj-values').split(' ')[CLASS_INDEX[cls]]);
    if (mode !== 'absolute') value += this.base ?? 0;
    return Math.min(OOM_SCORE_MAX, Math.max(OOM_SCORE_MIN, value));
  }

  /** Sets this process's score for its role (or puts the base back); false after logging the failure. */
  apply(): boolean {
    const enabled = this.config.str('oom-score-adj') !== 'no';
    if (enabled && this.base === null) {
      try {
        this.base = Number.parseInt(readFileSync('/proc/self/oom_score_adj', 'latin1'), 10) || 0;
      } catch (err) {
        this.log.warning(`Unable to read oom_score_adj: ${strerror((err as NodeJS.ErrnoException).code)}`);
        return false;
      }
    }
    let value: number;
    if (enabled) {
      value = this.scoreFor(this.isReplica() ? 'replica' : 'primary') as number;
    } else if (this.base !== null) {
      value = this.base;
      this.base = null;
    } else {
      return true;
    }
    return this.write('self', value);
  }

  /** A background child's score (Redis's child sets CONFIG_OOM_BGCHILD itself after fork). */
  applyToChild(pid: number): void {
    const value = this.scoreFor('child');
    if (value !== null) this.write(String(pid), value);
  }

  private write(pid: string, value: number): boolean {
    try {
      writeFileSync(`/proc/${pid}/oom_score_adj`, `${value}\n`);
      return true;
    } catch (err) {
      this.log.warning(`Unable to write oom_score_adj: ${strerror((err as NodeJS.ErrnoException).code)}`);
      return false;
    }
  }
}
