// The open-files limit and maxclients, as Redis's adjustOpenFilesLimit() sees them: every client
// is a file descriptor, and Redis keeps 32 more for itself (listening sockets, log, persistence).
// When the limit cannot hold maxclients + 32, maxclients is lowered to fit, with Redis's warnings,
// so that connections past the limit get "-ERR max number of clients reached" instead of being
// reset by the accept loop running out of descriptors.
//
// Node cannot call getrlimit()/setrlimit(): the limit is read from /proc/self/limits. Node itself
// raises the soft limit to the hard one when it starts, which is all an unprivileged process can
// do, so the limit read here is already the best Redis's raising loop could reach.

import { readFileSync } from 'node:fs';
import type { Config } from '../config/config.js';
import { describeSystemError } from '../util/errno.js';
import type { ServerLog } from './log.js';

/** Descriptors Redis keeps out of maxclients (CONFIG_MIN_RESERVED_FDS). */
export const RESERVED_FDS = 32;
/** What Redis assumes when the limit cannot be read. */
const ASSUMED_LIMIT = 1024;

export interface OpenFilesLimit {
  soft: number;
  hard: number;
}

/** Parses the "Max open files" row of a /proc/<pid>/limits text ("unlimited" is Infinity). */
export function parseOpenFilesLimit(text: string): OpenFilesLimit | null {
  const m = /^Max open files\s+(\S+)\s+(\S+)/m.exec(text);
  if (m === null) return null;
  const value = (s: string): number => (s === 'unlimited' ? Infinity : Number(s));
  const soft = value(m[1]);
  const hard = value(m[2]);
  if (Number.isNaN(soft) || Number.isNaN(hard)) return null;
  return { soft, hard };
}

/** This process's open-files limit, or the reason it could not be read. */
export function readOpenFilesLimit(path = '/proc/self/limits'): OpenFilesLimit | { error: string } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    return { error: describeSystemError(err) };
  }
  return parseOpenFilesLimit(text) ?? { error: 'Invalid argument' };
}

/** The outcome for a requested maxclients: the value that fits, and the warnings Redis logs. */
export interface MaxClientsFit {
  maxclients: number;
  warnings: string[];
  /** The limit is too small to run at all (Redis exits). */
  fatal: boolean;
}

/** Redis's adjustOpenFilesLimit() decision for `requested` clients under `limit`. */
export function fitMaxClients(requested: number, limit: OpenFilesLimit | { error: string }): MaxClientsFit {
  const maxfiles = requested + RESERVED_FDS;
  if ('error' in limit) {
    return {
      maxclients: ASSUMED_LIMIT - RESERVED_FDS,
      warnings: [`Unable to obtain the current NOFILE limit (${limit.error}), assuming ${ASSUMED_LIMIT} and setting the max clients configuration accordingly.`],
      fatal: false,
    };
  }
  const current = limit.soft;
  if (current >= maxfiles) return { maxclients: requested, warnings: [], fatal: false };
  if (current <= RESERVED_FDS) {
    return {
      maxclients: requested,
      warnings: [`Your current 'ulimit -n' of ${current} is not enough for the server to start. Please increase your open file limit to at least ${maxfiles}. Exiting.`],
      fatal: true,
    };
  }
  const reduced = current - RESERVED_FDS;
  return {
    maxclients: reduced,
    warnings: [
      `You requested maxclients of ${requested} requiring at least ${maxfiles} max file descriptors.`,
      // Raising the hard limit needs privileges this process does not have (Node already raised
      // the soft limit as far as it goes): setrlimit() would fail with EPERM, as Redis reports.
      `Server can't set maximum open files to ${maxfiles} because of OS error: Operation not permitted.`,
      `Current maximum open files is ${current}. maxclients has been reduced to ${reduced} to compensate for low ulimit. If you need higher maxclients increase 'ulimit -n'.`,
    ],
    fatal: false,
  };
}

/**
 * At start-up: lowers maxclients to what the open-files limit holds (CONFIG GET then reports the
 * lowered value). Returns the fatal message when the server cannot start at all.
 */
export function adjustOpenFilesLimit(config: Config, log: ServerLog, limit = readOpenFilesLimit()): string | null {
  const fit = fitMaxClients(config.num('maxclients'), limit);
  for (const w of fit.warnings) log.warning(w);
  if (fit.fatal) return fit.warnings[0];
  if (fit.maxclients !== config.num('maxclients')) {
    const problem = config.setFromArgs('maxclients', [String(fit.maxclients)]);
    if (problem !== null) throw new Error(`maxclients ${fit.maxclients} refused: ${problem}`);
  }
  return null;
}

/**
 * CONFIG SET maxclients: a value the limit cannot hold is refused with Redis's error (and its
 * warnings logged); the Config then keeps the old value.
 */
export function installMaxClientsCheck(config: Config, log: ServerLog, readLimit = () => readOpenFilesLimit()): void {
  config.setApplier('maxclients', (value) => {
    const fit = fitMaxClients(Number(value), readLimit());
    if (fit.maxclients === Number(value) && !fit.fatal) return null;
    for (const w of fit.warnings) log.warning(w);
    return `The operating system is not able to handle the specified number of clients, try with ${fit.maxclients}`;
  });
}
