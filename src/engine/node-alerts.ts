// Whether the node is "quiet": none of the node-wide conditions the check list reads (a pause,
// a load, a busy script, a failed save, a memory limit, a replica's role, cluster mode...) can
// refuse or hold a command now. While it is quiet the dispatcher lets a plain client's command
// skip the whole check list (about a sixth of a pipelined GET's CPU was spent walking it).
//
// Safety rests on one rule: whatever may turn a condition ON calls raise() before the next
// command is dispatched. Turning one OFF needs no notice: the dispatcher re-reads every
// condition on its cron tick and only then declares the node quiet again, so a stale "not
// quiet" costs speed for a tick, never correctness.

export class NodeAlerts {
  /** True only between a re-read that found every condition off and the next raise(). */
  quiet = false;

  /** A node-wide condition may have turned on: the full check list runs until the next re-read. */
  raise(): void {
    this.quiet = false;
  }
}
