// Redis's bug report (debug.c's bugReportStart, printCrashReport and bugReportEnd), written to
// the log when the process dies by a signal it reports, then the death by that signal itself, so
// the exit status and a core dump (where enabled) are the signal's, as with Redis.
//
// Which signals: SIGABRT sent to the process (an operator's or a supervisor's `kill -ABRT`, the
// usual way to get a state dump of a stuck server), and the SIGSEGV of DEBUG SEGFAULT. A real
// memory fault inside Node is not one of them: a JavaScript listener for SIGSEGV, SIGBUS, SIGFPE
// or SIGILL would run after the faulting instruction returned to it and fault again, so those keep
// their default action (the process dies at once, without a report).
//
// Left out, because a Node process has nothing faithful to print there: the C stack trace and
// registers, the code around the instruction pointer, and the fast memory test that
// crash-memcheck-enabled asks for.

import { quoteRepr } from '../util/repr.js';
import { REDIS_VERSION } from '../util/version.js';
import type { ServerLog } from './log.js';

export type ReportedSignal = 'SIGABRT' | 'SIGSEGV';

const SIGNAL_NUMBER: Record<ReportedSignal, number> = { SIGABRT: 6, SIGSEGV: 11 };
/** siginfo's si_code for a signal sent with kill(2), the only way these reach a listener. */
const SI_USER = 0;
/** sdscatrepr of at most this many bytes of each argument, as logCurrentClient prints them. */
const ARGUMENT_REPR_BYTES = 128;

/** What the report reads from the server. */
export interface CrashReportSource {
  readonly log: ServerLog;
  /** crash-log-enabled: without it the process dies by the signal with no report. */
  crashLogEnabled(): boolean;
  /** INFO all. */
  infoText(): string;
  /** CLIENT LIST's lines. */
  clientListText(): string;
  /** The crash-relevant settings as CONFIG REWRITE writes them (getConfigDebugInfo). */
  configDebugText(): string;
}

/** The client whose command brought the process down (DEBUG SEGFAULT), for its own section. */
export interface CrashingClient {
  /** Its CLIENT LIST line. */
  infoLine: string;
  argv: readonly string[];
}

/** Who sent the signal, when known (Redis prints it for a signal sent with kill). */
export interface SignalSender {
  pid: number;
  uid: number;
}

/** Logs the report (when enabled), then dies by `signal` with its default action. */
export function crashBySignal(source: CrashReportSource, signal: ReportedSignal, sender: SignalSender | null,
  crashing: CrashingClient | null): void {
  if (source.crashLogEnabled()) {
    const log = source.log;
    log.warningRaw('\n\n=== REDIS BUG REPORT START: Cut & paste starting from here ===\n');
    log.warning(`Redis ${REDIS_VERSION} crashed by signal: ${SIGNAL_NUMBER[signal]}, si_code: ${SI_USER}`);
    if (sender !== null) log.warning(`Killed by PID: ${sender.pid}, UID: ${sender.uid}`);
    log.warningRaw(`\n------ INFO OUTPUT ------\n${source.infoText()}`);
    log.warningRaw(`\n------ CLIENT LIST OUTPUT ------\n${source.clientListText()}`);
    if (crashing !== null) {
      log.warningRaw(`\n------ CURRENT CLIENT INFO ------\n${crashing.infoLine}\n`);
      crashing.argv.forEach((arg, j) => log.warningRaw(`argv[${j}]: '${quoteRepr(arg.slice(0, ARGUMENT_REPR_BYTES))}'\n`));
    }
    // No modules can be loaded here: the section is there, empty, as on a Redis without modules.
    log.warningRaw('\n------ MODULES INFO OUTPUT ------\n');
    log.warningRaw(`\n------ CONFIG DEBUG OUTPUT ------\n${source.configDebugText()}`);
    // The end marker as Redis writes it (tools cut the report by it); Redis's advice after it
    // (its issue tracker, redis-server --test-memory) is about Redis, so it is not repeated here.
    log.warningRaw('\n=== REDIS BUG REPORT END. Make sure to include from START to END. ===\n\n');
  }
  // Without listeners Node gives the signal back its default action: the process ends by it.
  process.removeAllListeners(signal);
  process.kill(process.pid, signal);
}
