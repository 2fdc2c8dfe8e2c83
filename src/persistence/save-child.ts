// The writer child of a background save, seen from the server: Redis forks a child per
// BGSAVE / AOF rewrite, tools find it with `pgrep -P <server pid>`, it writes temp-<its pid>.rdb
// (or temp-rewriteaof-bg-<its pid>.aof), and killing it fails the save. Here the server produces
// the point-in-time image itself (snapshot.ts, no pause) and this sink streams it over a pipe to
// a small Node process (save-writer.ts) that writes, checksums and fsyncs the file.
//
// - The writer process outlives its save and serves the next one: starting a process from Node
//   forks the whole server first (libuv's spawn), which costs time in proportion to the memory
//   the server maps, 25 ms and more at a million keys, plus copy-on-write faults until the
//   child has replaced itself, all of it a stall of the event loop. So one writer is started
//   while the server is still small (prepareSaveWriter, at start-up) and kept idle between saves;
//   a save spawns one only when none is idle (the first one was killed, or two saves overlap).
//   The writer is then a child of the server all along, as a forked child is during its save.
// - The temporary file is created here, right after the writer is taken (its name needs the
//   writer's pid), so it exists once BGSAVE has replied, and a save given up before the writer
//   opened it cannot leave one behind (the writer opens it without O_CREAT).
// - Backpressure: the pipe is the bound. Past PIPE_QUEUE_HIGH_BYTES waiting in the pipe's
//   write side the producer's walk is told to wait, and resumes when it has drained into the
//   pipe. Entries serialized early for writes still queue meanwhile (each key at most once, so
//   the excess is bounded by the dataset, as with any copy-on-write).
// - A save is stopped by killing its writer (SIGKILL), as Redis kills its child; the next save
//   starts another. The writer never outlives the server: stdin closing makes it remove a file
//   it was writing and exit; every writer still running when the server process exits is killed.

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

/** One writer process: idle, or writing the file of one save (its current job). */
class WriterProcess {
  readonly pid: number;
  readonly stdin: Writable;
  alive = true;
  /** The save it works for now; null while idle. */
  job: SaveChild | null = null;
  /** Its report lines not yet ended by a newline. */
  private partialLine = '';

  constructor(private readonly process: ChildProcessByStdio<Writable, Readable, null>, pid: number) {
    this.pid = pid;
    this.stdin = process.stdin;
    process.stdin.on('error', () => {
      // EPIPE: the writer is gone; its exit, reported through the job's `ended`, is what to act on.
    });
    process.stdout.on('data', (data: Buffer) => this.onReport(data));
    process.once('close', (code, signal) => {
      this.alive = false;
      writers.delete(this);
      if (standby === this) standby = null;
      const job = this.job;
      this.job = null;
      job?.writerExited(code, signal);
    });
  }

  private onReport(data: Buffer): void {
    // One short line per save is expected; a writer that says more is not believed beyond it.
    if (this.partialLine.length + data.length > REPORT_LIMIT_BYTES) {
      this.kill();
      return;
    }
    this.partialLine += data.toString('latin1');
    for (let newline = this.partialLine.indexOf('\n'); newline >= 0; newline = this.partialLine.indexOf('\n')) {
      const line = this.partialLine.slice(0, newline);
      this.partialLine = this.partialLine.slice(newline + 1);
      this.job?.reported(line);
    }
  }

  /**
   * Idle: neither the writer nor its pipes keep the server's process alive (a server closed
   * in-process, as in tests, must be able to exit). Working: they do, like any pending I/O.
   */
  holdsProcess(hold: boolean): void {
    const stdout = this.process.stdout as Readable & { ref?: () => void; unref?: () => void };
    const stdin = this.process.stdin as Writable & { ref?: () => void; unref?: () => void };
    if (hold) {
      this.process.ref();
      stdout.ref?.();
      stdin.ref?.();
    } else {
      this.process.unref();
      stdout.unref?.();
      stdin.unref?.();
    }
  }

  kill(): void {
    if (this.alive) this.process.kill('SIGKILL');
  }
}

/** Every writer process running now, killed if the server process exits under them. */
const writers = new Set<WriterProcess>();
/** The idle writer the next save takes (at most one is kept). */
let standby: WriterProcess | null = null;
let exitHookInstalled = false;

function killAllOnExit(): void {
  // The process is exiting: a file that cannot be removed now can only be left to the next save.
  for (const writer of writers) {
    writer.job?.kill();
    writer.kill();
  }
}

function writerScriptPath(): string {
  const here = fileURLToPath(import.meta.url);
  // Compiled, the writer sits beside this module; run from the TypeScript sources (the test
  // runner), the compiled writer is used (npm test builds first).
  if (here.endsWith('.js')) return join(dirname(here), 'save-writer.js');
  return join(dirname(here), '..', '..', 'dist', 'persistence', 'save-writer.js');
}

/**
 * Called with a writer's pid each time it takes a save, as a fork child starts (the server sets
 * its oom-score-adj class there, as Redis's child does after fork). One per process.
 */
let backgroundChildHook: (pid: number) => void = () => undefined;

export function setBackgroundChildHook(hook: (pid: number) => void): void {
  backgroundChildHook = hook;
}

/** Starts a writer process; throws when it cannot be started. */
function spawnWriter(): WriterProcess {
  const child = spawn(process.execPath, [...CHILD_NODE_FLAGS, writerScriptPath()], { stdio: ['pipe', 'pipe', 'inherit'] });
  if (child.pid === undefined) {
    // The 'error' event that follows carries the same failure; nothing more to do with it.
    child.on('error', () => undefined);
    throw new Error('the writer process could not be started');
  }
  const writer = new WriterProcess(child, child.pid);
  writers.add(writer);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', killAllOnExit);
  }
  return writer;
}

/**
 * Starts the idle writer the first save will take, while starting one is still cheap (call it
 * before the dataset is loaded). A failure here is left to the first save, which tries again and
 * reports it as Redis reports a failed fork. Returns why it could not be started, if so.
 */
export function prepareSaveWriter(): Error | null {
  if (standby !== null) return null;
  try {
    standby = spawnWriter();
  } catch (err) {
    return err as Error;
  }
  standby.holdsProcess(false);
  return null;
}

/** The idle writer, or a new one when there is none (that spawn is the stall the standby avoids). */
function takeWriter(): WriterProcess {
  const idle = standby;
  standby = null;
  const writer = idle !== null && idle.alive ? idle : spawnWriter();
  writer.holdsProcess(true);
  return writer;
}

/** A writer whose save ended well: kept idle for the next save, or let go when one is kept already. */
function releaseWriter(writer: WriterProcess): void {
  writer.job = null;
  if (!writer.alive) return;
  if (standby === null) {
    standby = writer;
    writer.holdsProcess(false);
    return;
  }
  // Closing its input ends an idle writer (exit 0).
  writer.stdin.end();
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
  /** Settles when the save's part in the writer has ended (its file complete, or the writer gone). */
  readonly ended: Promise<ChildEnd>;
  private readonly writer: WriterProcess;
  private settle: (end: ChildEnd) => void = () => undefined;
  /** What the writer reported for this save before exiting (its failure line). */
  private report = '';
  private reportedTrailer: Buffer | null = null;
  private inputClosed = false;
  private over = false;

  private readonly trailerOnly: boolean;

  /** Takes the idle writer (or starts one) for this save; throws when none can be started. */
  constructor(options: SaveChildOptions) {
    this.trailerOnly = options.trailerOnly === true;
    const template = this.trailerOnly ? '-' : join(options.dir, `${options.namePrefix}{pid}${options.nameSuffix}`);
    const mode = options.format === 'raw' ? 'raw' : options.checksum ? 'rdb' : 'rdb-nochecksum';
    const startedNs = process.hrtime.bigint();
    const writer = takeWriter();
    options.stats.latestForkMicros = Number((process.hrtime.bigint() - startedNs) / 1000n);
    options.stats.totalForks++;
    this.writer = writer;
    writer.job = this;
    this.pid = writer.pid;
    backgroundChildHook(writer.pid);
    this.fileName = this.trailerOnly ? '' : `${options.namePrefix}${writer.pid}${options.nameSuffix}`;
    this.tempPath = this.trailerOnly ? '' : join(options.dir, this.fileName);
    this.appendsChecksum = options.format === 'rdb';
    this.ended = new Promise((resolve) => {
      this.settle = resolve;
    });
    const jobHeader = Buffer.from(JSON.stringify({ template, mode }), 'utf8');
    this.writeFrame(jobHeader);
    if (this.trailerOnly) return;
    try {
      closeSync(openSync(this.tempPath, 'w', 0o644));
    } catch (err) {
      this.openFailure = err as NodeJS.ErrnoException;
      // Its input closed before the end frame, the writer exits 1 without touching the file.
      this.closeInput();
    }
  }

  /** The writer's report line for this save: "ok" (with the trailer in hex when asked for one), or a failure. */
  reported(line: string): void {
    if (this.over) return;
    if (line === 'ok' || line.startsWith('ok ')) {
      if (this.trailerOnly) this.reportedTrailer = Buffer.from(line.slice(3), 'hex');
      this.end({ kind: 'ok' });
      releaseWriter(this.writer);
      return;
    }
    // A failure line; the writer exits next, and its exit ends the save.
    if (this.report.length < REPORT_LIMIT_BYTES) this.report += line + '\n';
  }

  /** The writer exited during this save. */
  writerExited(code: number | null, signal: NodeJS.Signals | null): void {
    this.end(this.endOf(code, signal));
  }

  private end(end: ChildEnd): void {
    if (this.over) return;
    this.over = true;
    this.settle(end);
  }

  private endOf(code: number | null, signal: NodeJS.Signals | null): ChildEnd {
    if (signal !== null) return { kind: 'signal', signalNumber: osConstants.signals[signal] };
    if (code === NO_ERROR_EXIT_STATUS) return { kind: 'signal', signalNumber: SIGUSR1_NUMBER };
    const [stage, errno] = this.report.split('\n')[0].split(' ');
    if (this.openFailure !== null) return { kind: 'error', stage: 'open', code: this.openFailure.code ?? null };
    // Exit 0 without "ok": the writer's input closed before the save's end frame.
    return { kind: 'error', stage: stage === '' || stage === undefined ? null : stage, code: errno ?? null };
  }

  // ------------------------------------------------------------------ SnapshotSink

  write(chunk: Buffer): void {
    if (this.inputClosed || chunk.length === 0) return;
    this.writeFrame(chunk);
  }

  private writeFrame(payload: Buffer): void {
    // The payload is a view the producer reuses: the frame is a copy of it.
    const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + payload.length);
    frame.writeUInt32LE(payload.length, 0);
    frame.set(payload, FRAME_HEADER_BYTES);
    this.writer.stdin.write(frame);
  }

  ready(): boolean {
    return this.inputClosed || this.writer.stdin.writableLength < PIPE_QUEUE_HIGH_BYTES;
  }

  onReady(resume: () => void): void {
    if (this.ready()) {
      setImmediate(resume);
      return;
    }
    // A writer that dies meanwhile never drains: its end aborts the producer instead.
    this.writer.stdin.once('drain', resume);
  }

  /** Bytes written into the pipe's write side and not yet taken by the kernel. */
  get queuedBytes(): number {
    return this.writer.stdin.writableLength;
  }

  // ------------------------------------------------------------------ end

  /** The image is complete: the end frame, then the writer checksums, fsyncs and reports "ok". */
  finish(): void {
    if (this.inputClosed) return;
    this.inputClosed = true;
    this.writer.stdin.write(Buffer.alloc(FRAME_HEADER_BYTES));
  }

  /**
   * Stops the save by killing its writer (SIGKILL: at once, whatever it is doing; Redis's SIGUSR1
   * would start Node's inspector in a child not yet running its handler) and removes its
   * temporary file; returns the removal's failure, if any.
   */
  kill(): NodeJS.ErrnoException | null {
    // A save that already ended leaves its writer alone (it may be serving another save now);
    // its end is reported through `ended`.
    if (!this.over) {
      this.inputClosed = true;
      this.writer.kill();
    }
    return this.removeTempFile();
  }

  /** A trailer-only save that ended 'ok': the checksum trailer the writer computed. */
  trailer(): Buffer | null {
    if (this.reportedTrailer === null || this.reportedTrailer.length !== CHECKSUM_BYTES) return null;
    return this.reportedTrailer;
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
    this.writer.stdin.end();
  }
}
