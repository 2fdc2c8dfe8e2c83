// A point-in-time RDB image of the whole dataset, produced while the server keeps serving: the
// producer behind BGSAVE and the save points now, and behind replication's full sync and the
// AOF rewrite's RDB preamble later. Node cannot fork a copy-on-write child, so:
//
// - The keyspace is serialized in slices of the event loop, each bounded in time, walking every
//   database's live Map (V8 Map iterators survive insertions and deletions, visiting every
//   entry present throughout exactly once). The bytes go to a sink as they are produced.
// - Point in time: each db whose maps the snapshot has not finished carries a hook
//   (Db.snapshotHook, one field check per change when no snapshot runs). Before a key changes,
//   or is handed to a command that may change it in place, the hook serializes the key's entry
//   as it still is, or notes the key as absent when it did not exist at the start; either way
//   the key is "handled" and the walk skips it. An entry of another db than the one being
//   walked is written after a SELECTDB of its own (the RDB loader follows SELECTDB anywhere).
// - FLUSHDB/FLUSHALL give the old maps to the snapshot (they never change again); SWAPDB swaps
//   the hooks with the maps.
//
// Memory: the keys the walk has passed in the db being walked (Sets of bounded size), plus the
// keys handled early; no copy of values is kept (an early entry is serialized at once and
// joins the output).

import { performance } from 'node:perf_hooks';
import type { AccessPolicy, Db, DbMaps, DbSnapshotHook } from '../store/db.js';
import { storedIdleSeconds, storedLfuCounter, storedValue } from '../store/db.js';
import type { RdbSaveContext } from '../store/rdb/codec.js';
import { Crc64 } from '../store/rdb/crc64.js';
import type { AccessTracking, EntryMeta, RdbSaveOptions } from '../store/rdb/image.js';
import { writeEntry, writeImageEof, writeImageHeader, writeSelectDb } from '../store/rdb/image.js';
import { RdbWriter } from '../store/rdb/writer.js';

/** Where the image goes: a file now, a replica's socket or an AOF base file later. */
export interface SnapshotSink {
  /** Takes the next bytes (a view valid only during the call: copy to keep). Throws on failure. */
  write(chunk: Buffer): void;
  /** False while the consumer wants nothing more for now; onReady is then called once. */
  ready?(): boolean;
  onReady?(resume: () => void): void;
  /**
   * The sink computes the image's CRC64 and appends the trailer itself (a writer process does,
   * off the main thread): the producer then writes no trailer.
   */
  readonly appendsChecksum?: boolean;
}

export interface SnapshotOptions extends RdbSaveOptions {
  /** The access policy LFU counters decay by (under LFU tracking). */
  accessPolicy: AccessPolicy;
  /** Time one slice of the event loop may take. */
  sliceBudgetMs: number;
  /** rdb-key-save-delay, read as the snapshot goes: microseconds per key (tests slow saves). */
  keyDelayMicros(): number;
}

export type SnapshotOutcome = 'ok' | 'error' | 'aborted';

/** Output gathered by hooks between slices is written out once it reaches this size. */
const FLUSH_AT_BYTES = 1024 * 1024;
/** The walk checks the clock once per this many keys. */
const KEYS_PER_CLOCK_CHECK = 32;
/** Bytes serialized after which the clock is looked at even before KEYS_PER_CLOCK_CHECK keys (big values). */
const BYTES_PER_CLOCK_CHECK = 256 * 1024;
const CHECKSUM_BYTES = 8;
/** A gap between slices shorter than this means the loop was idle: the slice takes its full budget. */
const IDLE_GAP_MS = 0.3;
/** The shortest slice under load. */
const MIN_SLICE_MS = 0.5;
/** Size of each Set of a KeySet (see there). */
const KEYS_PER_PART = 65_536;

/**
 * A set of keys in Sets of bounded size: one Set of a million keys would stall the event loop
 * for tens of milliseconds each time V8 grows its table; a 64K-key Set grows in about a
 * millisecond. Used for the keys the walk has passed (a million at a million keys) and the keys
 * writes touched first (as many as the writes during the snapshot reach); lookups go through
 * every part, a few for either.
 */
class KeySet {
  private readonly parts: Array<Set<string>> = [new Set()];

  add(key: string): void {
    let last = this.parts[this.parts.length - 1];
    if (last.size >= KEYS_PER_PART) {
      last = new Set();
      this.parts.push(last);
    }
    last.add(key);
  }

  has(key: string): boolean {
    const parts = this.parts;
    for (let i = 0; i < parts.length; i++) if (parts[i].has(key)) return true;
    return false;
  }

  clear(): void {
    this.parts.length = 0;
    this.parts.push(new Set());
  }
}

/** One database's maps as they were when the snapshot started, and the keys already handled. */
class Source implements DbSnapshotHook {
  /** Keys a hook has seen: serialized early, noted as absent, or already passed (the walk skips them). */
  readonly early = new KeySet();
  /** Keys the walk has serialized (a hook leaves them alone). */
  readonly passed = new KeySet();
  walk: Iterator<string> | null = null;
  /** The RESIZEDB hint went out with this db's first SELECTDB. */
  announced = false;
  readonly keyCount: number;
  readonly expiresCount: number;

  constructor(private readonly producer: SnapshotProducer, readonly dbId: number, readonly maps: DbMaps) {
    this.keyCount = maps.data.size;
    this.expiresCount = maps.expires.size;
  }

  beforeChange(key: string, write: boolean): void {
    this.producer.handleEarly(this, key, write);
  }

  beforeFlush(): void {
    // The db lets go of these maps: nobody changes them any more, the walk reads them as they are.
  }
}

export class SnapshotProducer {
  readonly startedAtMs = Date.now();
  readonly keysTotal: number;
  keysProcessed = 0;
  /** Bytes of entries serialized early because a write was about to change them. */
  keptBytes = 0;
  /** Why the snapshot failed (outcome 'error'). */
  failure: Error | null = null;
  /** Bytes handed to the sink so far. */
  bytesOut = 0;
  readonly done: Promise<SnapshotOutcome>;
  private resolveDone!: (outcome: SnapshotOutcome) => void;
  private state: 'running' | SnapshotOutcome = 'running';
  private readonly sources: Source[] = [];
  private next = 0;
  private readonly out: RdbWriter;
  /** The db the output's last SELECTDB chose (-1: none yet). */
  private outDb = -1;
  private readonly crc: Crc64 | null;
  private readonly ctx: RdbSaveContext;
  private readonly meta: EntryMeta = { deadlineMs: undefined, access: 0 };
  private readonly tracking: AccessTracking;
  private timer: NodeJS.Timeout | null = null;
  private immediate: NodeJS.Immediate | null = null;
  /** When the last slice ended (fairBudgetMs measures the loop's other work since). */
  private lastSliceEndMs = 0;
  /** Pacing under rdb-key-save-delay: keys serialized since the pace (of this delay) started. */
  private paceDelayMs = 0;
  private paceStartMs = 0;
  private pacedKeys = 0;

  /**
   * Captures the dataset now: the header (AUX fields and function libraries, as they are now)
   * and a hook on every non-empty db. Nothing is written to the sink before start(). Throws
   * while another snapshot is in progress (callers check, as Redis checks for an active child).
   */
  constructor(
    private readonly dbs: readonly Db[], private readonly options: SnapshotOptions, private readonly sink: SnapshotSink,
    /** False for a snapshot run to its end at once (runToEnd): nothing can change meanwhile. */
    private readonly concurrent = true,
  ) {
    this.out = new RdbWriter({ compress: options.compress }, 256 * 1024);
    this.crc = options.checksum && sink.appendsChecksum !== true ? new Crc64() : null;
    this.ctx = { settings: options.settings };
    this.tracking = options.tracking;
    this.done = new Promise((resolve) => { this.resolveDone = resolve; });
    writeImageHeader(this.out, options.aux, options.functionCodes);
    // One snapshot at a time, as Redis runs one child at a time: a second would take the hooks.
    if (concurrent) for (const db of dbs) if (db.snapshotHook !== null) throw new Error('another snapshot is in progress');
    let total = 0;
    for (const db of dbs) {
      if (db.size === 0) continue;
      const source = new Source(this, db.id, db.snapshotMaps());
      if (concurrent) db.snapshotHook = source;
      this.sources.push(source);
      total += source.keyCount;
    }
    this.keysTotal = total;
  }

  get running(): boolean {
    return this.state === 'running';
  }

  /** Produces the image in slices of the event loop; `done` tells the outcome. */
  start(): void {
    // The turn that started the snapshot already did the command's work (the header, the
    // writer's file): the first slice is judged by the time since then, as a later one would be,
    // not given the whole budget on top of it.
    this.lastSliceEndMs = performance.now();
    this.schedule();
  }

  /** Produces the whole image now, blocking (SAVE, a shutdown's final save). */
  runToEnd(): SnapshotOutcome {
    if (this.immediate !== null || this.timer !== null) throw new Error('runToEnd after start');
    while (this.state === 'running') this.slice(Number.POSITIVE_INFINITY, true);
    return this.state;
  }

  /** Stops: hooks removed, nothing more goes to the sink; `done` resolves 'aborted'. */
  abort(): void {
    this.settle('aborted');
  }

  // ------------------------------------------------------------------------ the walk

  private schedule(): void {
    if (this.state !== 'running' || this.immediate !== null || this.timer !== null) return;
    this.immediate = setImmediate(() => {
      this.immediate = null;
      this.slice(this.fairBudgetMs(), false);
    });
  }

  /**
   * The next slice's budget: the whole sliceBudgetMs when the loop had nothing else to do since
   * the last slice, else about as long as that other work took (at least MIN_SLICE_MS), so that
   * under load clients and the snapshot share the thread about evenly: a client with one request
   * in flight is served once per loop turn, and a long slice would divide its throughput.
   */
  private fairBudgetMs(): number {
    const otherWorkMs = performance.now() - this.lastSliceEndMs;
    if (otherWorkMs < IDLE_GAP_MS) return this.options.sliceBudgetMs;
    return Math.min(this.options.sliceBudgetMs, Math.max(MIN_SLICE_MS, otherWorkMs));
  }

  private slice(budgetMs: number, blocking: boolean): void {
    if (this.state !== 'running') return;
    try {
      this.walk(budgetMs, blocking);
    } finally {
      this.lastSliceEndMs = performance.now();
    }
  }

  private walk(budgetMs: number, blocking: boolean): void {
    try {
      const deadline = performance.now() + budgetMs;
      let sinceClockCheck = 0;
      let bytesAtClockCheck = this.bytesOut + this.out.length;
      while (this.state === 'running') {
        if (this.next >= this.sources.length) {
          this.finish();
          return;
        }
        const delayMicros = this.options.keyDelayMicros();
        if (delayMicros !== 0 && !this.paced(delayMicros, blocking)) return;
        const source = this.sources[this.next];
        source.walk ??= source.maps.data.keys();
        const step = source.walk.next();
        if (step.done === true) {
          this.release(source);
          this.next++;
          continue;
        }
        const key = step.value;
        if (source.early.has(key)) continue;
        source.passed.add(key);
        this.serialize(source, key);
        // Big values: what a slice produced leaves in pieces, and the clock is read by bytes too.
        if (this.out.length >= FLUSH_AT_BYTES) this.flushOut();
        const producedBytes = this.bytesOut + this.out.length;
        if (++sinceClockCheck >= KEYS_PER_CLOCK_CHECK || producedBytes - bytesAtClockCheck >= BYTES_PER_CLOCK_CHECK) {
          sinceClockCheck = 0;
          bytesAtClockCheck = producedBytes;
          if (performance.now() >= deadline) break;
        }
      }
      this.flushOut();
    } catch (err) {
      this.fail(err);
      return;
    }
    if (this.state !== 'running' || blocking) return;
    const sink = this.sink;
    if (sink.ready !== undefined && sink.onReady !== undefined && !sink.ready()) {
      sink.onReady(() => this.schedule());
      return;
    }
    this.schedule();
  }

  /**
   * rdb-key-save-delay: whether the next key may go now (key n is due n delays after the pace
   * started, so a timer's wake-up serves every key that became due). Blocking, it sleeps;
   * otherwise it writes out what it has and comes back with a timer.
   */
  private paced(delayMicros: number, blocking: boolean): boolean {
    // A negative delay is nanoseconds in Redis's debugDelay.
    const delayMs = delayMicros > 0 ? delayMicros / 1000 : -delayMicros / 1e6;
    const now = performance.now();
    if (delayMs !== this.paceDelayMs) {
      this.paceDelayMs = delayMs;
      this.paceStartMs = now;
      this.pacedKeys = 0;
    }
    const waitMs = this.paceStartMs + this.pacedKeys * delayMs - now;
    if (waitMs <= 0) {
      this.pacedKeys++;
      return true;
    }
    if (blocking) {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, waitMs);
      this.pacedKeys++;
      return true;
    }
    this.flushOut();
    this.timer = setTimeout(() => {
      this.timer = null;
      this.slice(this.options.sliceBudgetMs, false);
    }, Math.max(1, Math.ceil(waitMs)));
    return false;
  }

  /** A hook's call: the key's entry goes out now (or the key is noted as absent). */
  handleEarly(source: Source, key: string, write: boolean): void {
    if (this.state !== 'running' || source.early.has(key)) return;
    // From now on the walk skips the key, even when it comes back later in the Map's order (a
    // key deleted and added again moves to the end, where the walk would meet it twice).
    source.early.add(key);
    if (source.passed.has(key) || !source.maps.data.has(key)) return;
    try {
      const before = this.out.length;
      this.serialize(source, key);
      if (write) this.keptBytes += this.out.length - before;
      if (this.out.length >= FLUSH_AT_BYTES) this.flushOut();
    } catch (err) {
      // A failed snapshot must never fail the command that triggered the hook.
      this.fail(err);
    }
  }

  private serialize(source: Source, key: string): void {
    const stored = source.maps.data.get(key);
    if (stored === undefined) return;
    if (this.outDb !== source.dbId) {
      writeSelectDb(this.out, source.dbId, source.announced ? undefined : { keys: source.keyCount, expires: source.expiresCount });
      source.announced = true;
      this.outDb = source.dbId;
    }
    const meta = this.meta;
    meta.deadlineMs = source.maps.expires.get(key);
    meta.access = this.tracking === 'lru' ? storedIdleSeconds(stored)
      : this.tracking === 'lfu' ? storedLfuCounter(stored, this.options.accessPolicy) : 0;
    writeEntry(this.out, key, storedValue(stored), meta, this.tracking, this.ctx);
    this.keysProcessed++;
  }

  private flushOut(): void {
    if (this.out.length === 0) return;
    const chunk = this.out.view();
    if (this.crc !== null) this.crc.update(chunk);
    this.bytesOut += chunk.length;
    this.sink.write(chunk);
    this.out.reset();
  }

  private finish(): void {
    writeImageEof(this.out);
    this.flushOut();
    if (this.sink.appendsChecksum === true) {
      this.settle('ok');
      return;
    }
    const trailer = Buffer.alloc(CHECKSUM_BYTES);
    if (this.crc !== null) this.crc.writeLE(trailer, 0);
    this.bytesOut += trailer.length;
    this.sink.write(trailer);
    this.settle('ok');
  }

  /** A db's walk ended: its hook goes, wherever SWAPDB has taken its maps. */
  private release(source: Source): void {
    if (this.concurrent) for (const db of this.dbs) if (db.snapshotHook === source) db.snapshotHook = null;
    source.early.clear();
    source.passed.clear();
  }

  private fail(err: unknown): void {
    this.failure = err instanceof Error ? err : new Error(String(err));
    this.settle('error');
  }

  private settle(outcome: SnapshotOutcome): void {
    if (this.state !== 'running') return;
    this.state = outcome;
    if (this.timer !== null) clearTimeout(this.timer);
    if (this.immediate !== null) clearImmediate(this.immediate);
    this.timer = null;
    this.immediate = null;
    for (const source of this.sources) this.release(source);
    this.resolveDone(outcome);
  }
}
