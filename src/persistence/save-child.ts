// The writer child of a background save, seen from the server: Redis forks a child per
// BGSAVE / AOF rewrite, tools find it with `pgrep -P <server pid>`, it writes temp-<its pid>.rdb
// (or temp-rewriteaof-bg-<its pid>.aof), and killing it fails the save. Here the server produces
// the point-in-time image itself (snapshot.ts, no pause) and this sink streams it over a pipe to
// a small Node process (save-writer.ts) that writes, checksums and fsyncs the file and exits 0.
//
// - The temporary file is created here, right after the spawn (its name needs the child's pid),
//   so it exists once BGSAVE has replied, and a save given up before the child opened it cannot
//   leave one behind (the child opens it without O_CREAT).
// - Backpressure: the pipe is the bound. Past PIPE_QUEUE_HIGH_BYTES waiting in the pipe's
//   write side the producer's walk is told to wait, and resumes when it has drained into the
//   pipe. Entries serialized early for writes still queue meanwhile (each key at most once, so
//   the excess is bounded by the dataset, as with any copy-on-write).
// - The child never outlives the server: stdin closing without the end frame makes it remove the
//   file and exit; every child still running when the server process exits is killed.

import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { closeSync, openSync, unlinkSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { dirname, join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { SnapshotSink } from './snapshot.js';

/** Bytes waiting to enter the pipe past which the producer pauses. */
export const PIPE_QUEUE_HIGH_BYTES = 4 * 1024 * 1024;
const FRAME_HEADER_BYTES = 4;
/** What is kept of the child's report (one short line is expected). */
const REPORT_LIMIT_BYTES = 1024;
/** Redis's child exit status for a kill on purpose (SIGUSR1), which is not an error. */
const NO_ERROR_EXIT_STATUS = 255;
const SIGUSR1_NUMBER = osConstants.signals.SIGUSR1;
/**
 * A small heap: the child holds one pipe read at a time. Where Node has the flag, SIGUSR1 never
 * opens the child's inspector (Node 20 has not: a SIGUSR1 arriving before the writer's own
 * handler is installed would, which is why the server stops its children with SIGKILL).
 */
const CHILD_NODE_FLAGS = [
  '--max-old-space-size=32', '--max-semi-space-size=1',
  ...(process.allowedNodeEnvironmentFlags.has('--disable-sigusr1') ? ['--disable-sigusr1'] : []),
];

/** INFO stats' total_forks and latest_fork_usec (a spawn is this server's fork). */
export class ForkStats {
  totalForks = 0;
  latestForkMicros = 0;
}

/** How the child ended. */
export type ChildEnd =
  | { kind: 'ok' }
  /** Exit status other than 0 and 255; `stage`/`code` from its report (open, write, fsync). */
  | { kind: 'error'; stage: string | null; code: string | null }
  /** Killed by a signal (255, Redis's no-error status, counts as SIGUSR1). */
  | { kind: 'signal'; signalNumber: number };

export interface SaveChildOptions {
  dir: string;
  /** temp-<pid>.rdb: prefix 'temp-', suffix '.rdb'. */
  namePrefix: string;
  nameSuffix: string;
  /** 'rdb': the child appends the RDB checksum trailer; 'raw': the bytes as they are. */
  format: 'rdb' | 'raw';
  /** rdbchecksum (RDB format): the CRC64, or 8 zero bytes. */
  checksum: boolean;
  stats: ForkStats;
  /**
   * A diskless full sync's child: no file (dir and the name parts are unused), the child only
   * checksums the image and hands the trailer back (`trailer()`).
   */
  trailerOnly?: boolean;
}

/** RDB's checksum trailer. */
const CHECKSUM_BYTES = 8;

/** Children running now, killed if the server process exits under them. */
const running = new Set<SaveChild>();
let exitHookInstalled = false;

function killAllOnExit(): void {
  // The process is exiting: a file that cannot be removed now can only be left to the next save.
  for (const child of running) child.kill();
}

function writerScriptPath(): string {
  const here = fileURLToPath(import.meta.url);
  // Compiled, the writer sits beside this module; run from the TypeScript sources (the test
  // runner), the compiled writer is used (npm test builds first).
  if (here.endsWith('.js')) return join(dirname(here), 'save-writer.js');
  return join(dirname(here), '..', '..', 'dist', 'persistence', 'save-writer.js');
}

export class SaveChild implements SnapshotSink {
  readonly pid: number;
  /** The temporary file: dir/<prefix><pid><suffix>. */
  readonly tempPath: string;
  readonly fileName: string;
  /** The producer leaves the checksum trailer to the child (an RDB image). */
  readonly appendsChecksum: boolean;
  /** Why the temporary file could not be created (the save then fails as the child exits). */
  readonly openFailure: NodeJS.ErrnoException | null = null;
  /** Settles when the child has ended (after its pipes closed). */
  readonly ended: Promise<ChildEnd>;
  private readonly process: ChildProcessByStdio<Writable, Readable, null>;
  private report = '';
  private inputClosed = false;
  private alive = true;

  private readonly trailerOnly: boolean;

  /** Spawns the writer now; throws when the process cannot be started. */
  constructor(options: SaveChildOptions) {
    this.trailerOnly = options.trailerOnly === true;
    const template = this.trailerOnly ? '-' : join(options.dir, `${options.namePrefix}{pid}${options.nameSuffix}`);
    const mode = options.format === 'raw' ? 'raw' : options.checksum ? 'rdb' : 'rdb-nochecksum';
    const startedNs = process.hrtime.bigint();
    const child = spawn(process.execPath, [...CHILD_NODE_FLAGS, writerScriptPath(), template, mode], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    options.stats.latestForkMicros = Number((process.hrtime.bigint() - startedNs) / 1000n);
    if (child.pid === undefined) {
      // The 'error' event that follows carries the same failure; nothing more to do with it.
      child.on('error', () => undefined);
      throw new Error('the writer process could not be started');
    }
    options.stats.totalForks++;
    this.process = child;
    this.pid = child.pid;
    this.fileName = this.trailerOnly ? '' : `${options.namePrefix}${child.pid}${options.nameSuffix}`;
    this.tempPath = this.trailerOnly ? '' : join(options.dir, this.fileName);
    this.appendsChecksum = options.format === 'rdb';
    running.add(this);
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      process.on('exit', killAllOnExit);
    }
    child.stdin.on('error', () => {
      // EPIPE: the child is gone; its exit, reported through `ended`, is the failure to act on.
    });
    child.stdout.on('data', (data: Buffer) => {
      if (this.report.length < REPORT_LIMIT_BYTES) this.report += data.toString('latin1', 0, REPORT_LIMIT_BYTES - this.report.length);
    });
    this.ended = new Promise((resolve) => {
      child.once('close', (code, signal) => {
        this.alive = false;
        running.delete(this);
        resolve(this.endOf(code, signal));
      });
    });
    if (this.trailerOnly) return;
    try {
      closeSync(openSync(this.tempPath, 'w', 0o644));
    } catch (err) {
      this.openFailure = err as NodeJS.ErrnoException;
      // No end frame: the child exits 1 without touching the file.
      this.closeInput();
    }
  }

  private endOf(code: number | null, signal: NodeJS.Signals | null): ChildEnd {
    if (signal !== null) return { kind: 'signal', signalNumber: osConstants.signals[signal] };
    if (code === 0) return { kind: 'ok' };
    if (code === NO_ERROR_EXIT_STATUS) return { kind: 'signal', signalNumber: SIGUSR1_NUMBER };
    const [stage, errno] = this.report.split('\n')[0].split(' ');
    if (this.openFailure !== null) return { kind: 'error', stage: 'open', code: this.openFailure.code ?? null };
    return { kind: 'error', stage: stage === '' || stage === undefined ? null : stage, code: errno ?? null };
  }

  // ------------------------------------------------------------------ SnapshotSink

  write(chunk: Buffer): void {
    if (this.inputClosed || chunk.length === 0) return;
    // The chunk is a view the producer reuses: the frame is a copy of it.
    const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + chunk.length);
    frame.writeUInt32LE(chunk.length, 0);
    frame.set(chunk, FRAME_HEADER_BYTES);
    this.process.stdin.write(frame);
  }

  ready(): boolean {
    return this.inputClosed || this.process.stdin.writableLength < PIPE_QUEUE_HIGH_BYTES;
  }

  onReady(resume: () => void): void {
    if (this.ready()) {
      setImmediate(resume);
      return;
    }
    // A child that dies meanwhile never drains: its end aborts the producer instead.
    this.process.stdin.once('drain', resume);
  }

  /** Bytes written into the pipe's write side and not yet taken by the kernel. */
  get queuedBytes(): number {
    return this.process.stdin.writableLength;
  }

  // ------------------------------------------------------------------ end

  /** The image is complete: the end frame, then the child checksums, fsyncs and exits 0. */
  finish(): void {
    if (this.inputClosed) return;
    const end = Buffer.alloc(FRAME_HEADER_BYTES);
    this.process.stdin.write(end);
    this.closeInput();
  }

  /**
   * Stops the child (SIGKILL: at once, whatever it is doing; Redis's SIGUSR1 would start Node's
   * inspector in a child not yet running its handler) and removes its temporary file; returns
   * the removal's failure, if any.
   */
  kill(): NodeJS.ErrnoException | null {
    this.closeInput();
    // A child that already ended makes kill() a no-op (its end is reported through `ended`).
    if (this.alive) this.process.kill('SIGKILL');
    return this.removeTempFile();
  }

  /** A trailer-only child that ended 'ok': the checksum trailer it computed. */
  trailer(): Buffer | null {
    if (!this.trailerOnly || this.report.length !== CHECKSUM_BYTES) return null;
    return Buffer.from(this.report, 'latin1');
  }

  /** Removes the temporary file (rdbRemoveTempFile): the failure, if it is still there. */
  removeTempFile(): NodeJS.ErrnoException | null {
    if (this.trailerOnly) return null;
    try {
      unlinkSync(this.tempPath);
    } catch (err) {
      const failure = err as NodeJS.ErrnoException;
      return failure.code === 'ENOENT' ? null : failure;
    }
    return null;
  }

  private closeInput(): void {
    if (this.inputClosed) return;
    this.inputClosed = true;
    this.process.stdin.end();
  }
}
