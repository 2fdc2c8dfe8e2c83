// Loading the multi-part AOF at start-up and for DEBUG LOADAOF (aof.c loadAppendOnlyFiles and
// loadSingleAppendOnlyFile): the base file (RDB or commands), then each incremental file, every
// command run through a socket-free client of the engine. A tail cut short (a crash mid-write)
// is truncated away when aof-load-truncated allows and it is in the last file; a malformed
// file is refused with Redis's log lines. Statuses mirror Redis's AOF_* results.

import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readFileSync, readSync, renameSync, statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { describeSystemError } from '../../util/errno.js';
import type { ServerLog } from '../../server/log.js';
import { AofFileReader } from './file-reader.js';
import { AofFatalError } from './errors.js';
import type { AofManifest } from './manifest.js';
import { persistManifest } from './manifest-file.js';

export type AofLoadStatus = 'ok' | 'not-exist' | 'empty' | 'open-error' | 'failed' | 'truncated';

/** What loading needs from the node. */
export interface AofLoadHost {
  readonly log: ServerLog;
  /** The dir directive: appendonlydir and an old-style appendonly.aof live there. */
  readonly dir: string;
  readonly dirName: string;
  readonly appendFilename: string;
  readonly loadTruncated: boolean;
  /**
   * Starts one file's replay: a fresh client that runs commands and says whether it is in MULTI.
   * With `mayWait`, a script it runs may go on past busy-reply-threshold in turns of the event
   * loop (its run() then returns when the command will be done); without, every command ends
   * before run() returns.
   */
  newReplayClient(mayWait: boolean): AofReplayClient;
  /** Whether the load runs in turns of the event loop (a replayed command may make it wait). */
  readonly inTurns: boolean;
  /** Loads an RDB image (a base file or an old-style preamble); returns its length, throws on bad data. */
  loadRdb(image: Buffer): number;
}

export interface AofReplayClient {
  /** Known to the command table (else the load fails as Redis's "Unknown command"). */
  knows(argv: readonly string[]): boolean;
  /** Null when the command is done; else a promise of its end (a slow script yielding). */
  run(argv: string[]): Promise<void> | null;
  readonly inMulti: boolean;
  close(): void;
}

export function aofDirPath(host: Pick<AofLoadHost, 'dir' | 'dirName'>): string {
  return join(host.dir, host.dirName);
}

/**
 * An appendonly.aof left by Redis before 7.0 (or by a node with this directory's older layout)
 * moves into the AOF directory as its base, as Redis's aofUpgradePrepare does.
 */
function upgradeIfNeeded(host: AofLoadHost, manifest: AofManifest): AofManifest {
  const oldPath = join(host.dir, host.appendFilename);
  if (!existsSync(oldPath)) return manifest;
  const dirPath = aofDirPath(host);
  const dirExists = existsSync(dirPath);
  const upgrade = !dirExists || manifest.isEmpty ||
    (manifest.base !== null && manifest.incr.length === 0 && manifest.base.name === host.appendFilename &&
      !existsSync(join(dirPath, host.appendFilename)));
  if (!upgrade) return manifest;
  ensureAofDir(host);
  const m = manifest.copy();
  m.base = { name: host.appendFilename, seq: 1, type: 'b' };
  m.currentBaseSeq = 1;
  persistManifest(host.log, dirPath, host.appendFilename, m, true);
  try {
    renameSync(oldPath, join(dirPath, host.appendFilename));
  } catch (err) {
    host.log.warning(`Error trying to move the old AOF file ${host.appendFilename} into dir ${host.dirName}: ${describeSystemError(err)}`);
    throw new AofFatalError();
  }
  host.log.notice(`Successfully migrated an old-style AOF file (${host.appendFilename}) into the AOF directory (${host.dirName}).`);
  return m;
}


export function ensureAofDir(host: AofLoadHost): void {
  try {
    const path = aofDirPath(host);
    if (!existsSync(path)) {
      // One mkdir(2) with 0755, no parents: a missing dir directive is an error, as in Redis.
      mkdirSync(path, { mode: 0o755 });
    }
  } catch (err) {
    host.log.warning(`Can't open or create append-only dir ${host.dirName}: ${describeSystemError(err)}`);
    throw new AofFatalError();
  }
}


export interface AofLoadOutcome {
  status: AofLoadStatus;
  manifest: AofManifest;
  /** Sizes after loading (aof_current_size, aof_rewrite_base_size). */
  totalSizeBytes: number;
  baseSizeBytes: number;
}

function fileSize(host: AofLoadHost, name: string): number | 'not-exist' | 'open-error' {
  try {
    return statSync(join(aofDirPath(host), name)).size;
  } catch (err) {
    host.log.warning(`Unable to obtain the AOF file ${name} length. stat: ${describeSystemError(err)}`);
    return (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'not-exist' : 'open-error';
  }
}

/** Commands replayed between two chances for the event loop (Redis: every 1024 loops). */
const COMMANDS_PER_STEP = 1024;

/**
 * Where a load pauses: between batches of commands (undefined), or until a replayed command
 * that went on in turns of the event loop has ended (a script in the file past
 * busy-reply-threshold, as Redis's scriptInterrupt serves clients while it runs).
 */
export type LoadPause = Promise<void> | undefined;

/** A load as steps: the generator yields between batches of commands (see runToEnd / runInTurns). */
export type LoadSteps<T> = Generator<LoadPause, T, void>;

/** Runs a load without pausing (DEBUG LOADAOF inside a transaction, tests). */
export function runToEnd<T>(steps: LoadSteps<T>): T {
  for (;;) {
    const next = steps.next();
    if (next.done === true) return next.value;
    // Only a load with inTurns replays commands that can go on after run() returns.
    if (next.value !== undefined) throw new Error('a blocking AOF load was asked to wait for a command');
  }
}

/**
 * Runs a load letting the event loop serve clients (LOADING replies) between steps; `cancelled`
 * stops it. `first` is a step already taken (a load that began at once and had to wait).
 */
export async function runInTurns<T>(steps: LoadSteps<T>, cancelled: () => boolean, first?: IteratorResult<LoadPause, T>): Promise<T | null> {
  let next = first ?? steps.next();
  for (;;) {
    if (next.done === true) return next.value;
    await (next.value ?? new Promise((resolve) => setImmediate(resolve)));
    if (cancelled()) {
      steps.return(undefined as never);
      return null;
    }
    next = steps.next();
  }
}

export function loadAppendOnlyFiles(host: AofLoadHost, manifestIn: AofManifest): AofLoadOutcome {
  return runToEnd(loadAppendOnlyFilesSteps(host, manifestIn));
}

/** Bytes of the base and incr files the manifest names (the loading_total_bytes of INFO). */
export function manifestFilesBytes(host: AofLoadHost, manifest: AofManifest): number {
  let total = 0;
  for (const f of manifest.loadOrder) {
    try {
      total += statSync(join(aofDirPath(host), f.name)).size;
    } catch {
      // A missing file fails the load itself, with Redis's line; here it only counts as 0 bytes.
      continue;
    }
  }
  return total;
}

export function* loadAppendOnlyFilesSteps(host: AofLoadHost, manifestIn: AofManifest, progress?: (bytes: number) => void): LoadSteps<AofLoadOutcome> {
  const manifest = upgradeIfNeeded(host, manifestIn);
  const outcome: AofLoadOutcome = { status: 'not-exist', manifest, totalSizeBytes: 0, baseSizeBytes: 0 };
  if (manifest.isEmpty) return outcome;
  const files = manifest.loadOrder;
  let total = 0;
  for (const f of files) {
    const size = fileSize(host, f.name);
    if (typeof size !== 'number') {
      outcome.status = size === 'not-exist' ? 'failed' : size;
      return outcome;
    }
    total += size;
  }
  if (total === 0) {
    outcome.status = 'empty';
    return outcome;
  }
  let status: AofLoadStatus = 'ok';
  for (let i = 0; i < files.length; i++) {
    const f = files[i];
    const isBase = f.type === 'b';
    const lastFile = i === files.length - 1;
    if (isBase) outcome.baseSizeBytes = total === 0 ? 0 : (fileSize(host, f.name) as number);
    const startedAt = performance.now();
    status = yield* loadSingleFileSteps(host, f.name, progress);
    if (status === 'ok' || (status === 'truncated' && lastFile)) {
      const seconds = ((performance.now() - startedAt) / 1000).toFixed(3);
      host.log.notice(`DB loaded from ${isBase ? 'base' : 'incr'} file ${f.name}: ${seconds} seconds`);
    }
    // An empty incremental file is fine when some file has data.
    if (!isBase && status === 'empty') status = 'ok';
    if (status === 'truncated' && !lastFile) {
      status = 'failed';
      host.log.warning('Fatal error: the truncated file is not the last file');
    }
    if (status === 'open-error' || status === 'failed') break;
  }
  outcome.status = status;
  if (status === 'ok' || status === 'truncated' || status === 'empty') {
    // The sizes after a truncation are the files' new lengths.
    let after = 0;
    for (const f of files) after += statSync(join(aofDirPath(host), f.name)).size;
    outcome.totalSizeBytes = after;
  }
  return outcome;
}

/** One file: RDB part if it starts with "REDIS", then commands. */
export function loadSingleFile(host: AofLoadHost, name: string): AofLoadStatus {
  return runToEnd(loadSingleFileSteps(host, name));
}

function* loadSingleFileSteps(host: AofLoadHost, name: string, progress?: (bytes: number) => void): LoadSteps<AofLoadStatus> {
  const path = join(aofDirPath(host), name);
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      host.log.warning(`The append log file ${name} doesn't exist: ${describeSystemError(err)}`);
      return 'not-exist';
    }
    host.log.warning(`Fatal error: can't open the append log file ${name} for reading: ${describeSystemError(err)}`);
    return 'open-error';
  }
  try {
    const sizeBytes = fstatSync(fd).size;
    if (sizeBytes === 0) return 'empty';
    return yield* replay(host, fd, sizeBytes, path, name, progress);
  } finally {
    closeSync(fd);
  }
}

function* replay(host: AofLoadHost, fd: number, sizeBytes: number, path: string, name: string, progress?: (bytes: number) => void): LoadSteps<AofLoadStatus> {
  const log = host.log;
  let startOffset = 0;
  const signature = Buffer.alloc(5);
  const read = readSync(fd, signature, 0, 5, 0);
  if (read === 5 && signature.latin1Slice(0, 5) === 'REDIS') {
    const oldStyle = name === host.appendFilename;
    log.notice(oldStyle ? 'Reading RDB preamble from AOF file...' : 'Reading RDB base file on AOF loading...');
    try {
      startOffset = host.loadRdb(readFileSync(path));
    } catch (err) {
      log.warning(`${(err as Error).message}`);
      log.warning(oldStyle
        ? `Error reading the RDB preamble of the AOF file ${name}, AOF loading aborted`
        : `Error reading the RDB base file ${name}, AOF loading aborted`);
      // Redis's readerr path: the RDB load failed before EOF of the stream.
      return truncatedOrFailed(host, path, name, -1, true);
    }
    if (oldStyle) log.notice('Reading the remaining AOF tail...');
  }
  const input = new AofFileReader(fd, sizeBytes, startOffset);
  const client = host.newReplayClient(host.inTurns);
  let validUpTo = 0;
  let validBeforeMulti = 0;
  let commands = 0;
  let reportedOffset = 0;
  try {
    for (;;) {
      const header = input.line();
      if (header === null) break;
      if (header.charCodeAt(0) === 35) continue; // '#': an annotation (#TS:...)
      if (header.charCodeAt(0) !== 42) return formatError(host, name); // not '*'
      if (header.length === 1) return truncatedOrFailed(host, path, name, validUpTo, false);
      const argc = atoi(header.slice(1));
      if (argc < 1) return formatError(host, name);
      const argv: string[] = [];
      for (let j = 0; j < argc; j++) {
        const lenLine = input.line();
        if (lenLine === null) return truncatedOrFailed(host, path, name, validUpTo, false);
        if (lenLine.charCodeAt(0) !== 36) return formatError(host, name); // not '$'
        const len = atoi(lenLine.slice(1));
        const arg = len > 0 ? input.bytes(len) : '';
        if (arg === null) return truncatedOrFailed(host, path, name, validUpTo, false);
        if (input.bytes(2) === null) return truncatedOrFailed(host, path, name, validUpTo, false);
        argv.push(arg);
      }
      input.trim();
      if (!client.knows(argv)) {
        log.warning(`Unknown command '${argv[0]}' reading the append only file ${name}`);
        return 'failed';
      }
      if (argv[0].toLowerCase() === 'multi') validBeforeMulti = validUpTo;
      const pending = client.run(argv);
      if (pending !== null) yield pending;
      if (host.loadTruncated) validUpTo = input.offset;
      if (++commands % COMMANDS_PER_STEP === 0) {
        progress?.(input.offset - reportedOffset);
        reportedOffset = input.offset;
        yield;
      }
    }
    if (client.inMulti) {
      log.warning(`Revert incomplete MULTI/EXEC transaction in AOF file ${name}`);
      return truncatedOrFailed(host, path, name, validBeforeMulti, false);
    }
    return 'ok';
  } finally {
    client.close();
  }
}



/** C's atoi / strtol prefix parse. */
function atoi(text: string): number {
  const match = /^[ \t\n\v\f\r]*([+-]?\d+)/.exec(text);
  return match === null ? 0 : Number(match[1]);
}

function formatError(host: AofLoadHost, name: string): AofLoadStatus {
  host.log.warning(`Bad file format reading the append only file ${name}: make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>`);
  return 'failed';
}

/** Redis's uxeof path: truncate at the last whole command when allowed, else refuse. */
function truncatedOrFailed(host: AofLoadHost, path: string, name: string, validUpTo: number, rdbFailed: boolean): AofLoadStatus {
  const log = host.log;
  // A failed RDB part is a read error that is not an end of file in Redis unless the stream
  // ran out; either way the RDB part cannot be truncated into a valid file.
  if (rdbFailed) {
    log.warning(`Unexpected end of file reading the append only file ${name}. You can: 1) Make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>. 2) Alternatively you can set the 'aof-load-truncated' configuration option to yes and restart the server.`);
    return 'failed';
  }
  if (host.loadTruncated) {
    log.warning(`!!! Warning: short read while loading the AOF file ${name}!!!`);
    log.warning(`!!! Truncating the AOF ${name} at offset ${validUpTo} !!!`);
    let truncated = false;
    if (validUpTo === -1) {
      log.warning('Last valid command offset is invalid');
    } else {
      try {
        truncateSync(path, validUpTo);
        truncated = true;
      } catch (err) {
        log.warning(`Error truncating the AOF file ${name}: ${describeSystemError(err)}`);
      }
    }
    if (truncated) {
      log.warning(`AOF ${name} loaded anyway because aof-load-truncated is enabled`);
      return 'truncated';
    }
  }
  log.warning(`Unexpected end of file reading the append only file ${name}. You can: 1) Make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>. 2) Alternatively you can set the 'aof-load-truncated' configuration option to yes and restart the server.`);
  return 'failed';
}
