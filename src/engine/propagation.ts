// The single propagation point. Every write hands its effects here as RESP commands; one
// command execution (or one EXEC) becomes one unit: a lone effect goes out as is, several are
// wrapped in MULTI/EXEC, as Redis 7.0 does. A SELECT precedes an effect whose db differs from
// the last one sent. Replication (which counts the bytes as its offset) and the AOF subscribe
// as listeners, each for its target (Redis's PROPAGATE_REPL, PROPAGATE_AOF). Nearly every effect
// goes to both, encoded once; a script's redis.set_repl() can send one to a single target, and
// each target then gets the unit made of its own effects (a stream of its own, with its own
// SELECT state, as Redis keeps aof_selected_db beside slaveseldb).

import { bigBuffers } from '../util/buffer-recycler.js';
import {
  encodedCommandBytes, writeArrayHeader, writeBulkHeader, writeCommand, writeText, type StreamArg,
} from '../protocol/command-encoder.js';

/**
 * Receives one part of a unit's bytes: source[start, end). `isValue`: the part is a whole big
 * argument Buffer (a value as it arrived), which the backlog may keep by reference; the other
 * parts are the propagator's reused buffer.
 */
export type UnitPartVisitor = (source: Buffer, start: number, end: number, isValue: boolean) => void;

/**
 * One unit of the stream as its listeners see it. The bytes are lent: they hold the unit only
 * while the listener runs (the propagator encodes the next unit into the same memory), so a
 * listener that keeps the unit copies what it needs or asks for owned().
 */
export interface PropagatedUnit {
  readonly lengthBytes: number;
  /** The db the unit's first command runs in (a consumer starting a new file SELECTs it first). */
  readonly firstDbIndex: number;
  /**
   * Hands the unit's bytes to `visit` in order, as ranges of lent buffers: the RESP framing from
   * the propagator's reused buffer, a big value straight from the Buffer it arrived in (a copy
   * into the framing first cost a 100 KB write as much again as the backlog's own copy).
   */
  forEachPart(visit: UnitPartVisitor): void;
  /** The unit in a Buffer of its own, never changed afterwards; one copy shared by every listener that asks. */
  owned(): Buffer;
  /** The unit was encoded in place in the propagator's encode target (see EncodeTarget). */
  readonly inEncodeTarget: boolean;
}

export type PropagationListener = (unit: PropagatedUnit) => void;

/** Where an effect goes: bits of Redis's PROPAGATE_AOF and PROPAGATE_REPL (redis.set_repl's values). */
export const PROPAGATE_AOF = 1;
export const PROPAGATE_REPL = 2;
export const PROPAGATE_ALL = PROPAGATE_AOF | PROPAGATE_REPL;
/** Each target's stream, in the order Redis's propagateNow feeds them. */
const TARGETS = [PROPAGATE_AOF, PROPAGATE_REPL] as const;

/**
 * Memory a listener lets the propagator encode small units into directly (the replication
 * backlog's tail block): `room` gives the buffer when `sizeBytes` fit at `freeAt`, else null. A
 * unit encoded there says so (PropagatedUnit.inEncodeTarget), and the listener that owns the
 * target commits its bytes instead of copying them.
 */
export interface EncodeTarget {
  room(sizeBytes: number): Buffer | null;
  readonly freeAt: number;
}

/**
 * A unit's encoded part (all of it but the big Buffer arguments lent by reference) up to this size
 * goes into one reused buffer (which grows to at most this); a larger one gets a buffer each. Big values are common (caches of rendered pages): a fresh buffer per
 * write left the garbage collector to reclaim the whole written volume.
 */
const SCRATCH_MAX_BYTES = 1024 * 1024;
/** A transaction's pending effects beyond this many release their list once written. */
const PENDING_KEEP_EFFECTS = 1024;

/** A Buffer argument at least this long is lent by reference instead of copied into the framing. */
const REFERENCED_ARG_BYTES = 16 * 1024;

class LentUnit implements PropagatedUnit {
  lengthBytes = 0;
  firstDbIndex = 0;
  inEncodeTarget = false;
  // The unit as ranges of lent buffers, in order (parallel lists reused from unit to unit).
  private partSources: Buffer[] = [];
  private partStarts: number[] = [];
  private partEnds: number[] = [];
  private partIsValue: boolean[] = [];
  private partCount = 0;
  /** Whether the unit is one buffer allocated for it alone (then it is its own owned copy). */
  private ownBuffer = false;
  /** Whether a listener took that buffer itself through owned(). */
  private handedOver = false;
  private ownedCopy: Buffer | null = null;

  /** Makes this the unit of one range (the common case: one command's framing, no lent value). */
  setOnly(firstDbIndex: number, source: Buffer, start: number, end: number, inEncodeTarget: boolean): void {
    this.inEncodeTarget = inEncodeTarget;
    this.partSources[0] = source;
    this.partStarts[0] = start;
    this.partEnds[0] = end;
    this.partIsValue[0] = false;
    this.partCount = 1;
    this.lengthBytes = end - start;
    this.firstDbIndex = firstDbIndex;
    this.ownBuffer = false;
    this.handedOver = false;
    this.ownedCopy = null;
  }

  /** Starts a new unit (parts follow through addPart). */
  reset(firstDbIndex: number, ownBuffer: boolean): void {
    this.inEncodeTarget = false;
    for (let i = 0; i < this.partCount; i++) this.partSources[i] = EMPTY;
    this.partCount = 0;
    this.lengthBytes = 0;
    this.firstDbIndex = firstDbIndex;
    this.ownBuffer = ownBuffer;
    this.handedOver = false;
    this.ownedCopy = null;
  }

  addPart(source: Buffer, start: number, end: number, isValue = false): void {
    if (end <= start) return;
    const at = this.partCount++;
    this.partSources[at] = source;
    this.partStarts[at] = start;
    this.partEnds[at] = end;
    this.partIsValue[at] = isValue;
    this.lengthBytes += end - start;
  }

  /** An own buffer no listener kept: free for the next big unit. */
  get reclaimable(): boolean {
    return this.ownBuffer && !this.handedOver;
  }

  forEachPart(visit: UnitPartVisitor): void {
    for (let i = 0; i < this.partCount; i++) visit(this.partSources[i], this.partStarts[i], this.partEnds[i], this.partIsValue[i]);
  }

  owned(): Buffer {
    if (this.ownBuffer) {
      this.handedOver = true;
      return this.partSources[0];
    }
    if (this.ownedCopy === null) {
      const copy = Buffer.allocUnsafe(this.lengthBytes);
      let at = 0;
      for (let i = 0; i < this.partCount; i++) at += this.partSources[i].copy(copy, at, this.partStarts[i], this.partEnds[i]);
      this.ownedCopy = copy;
    }
    return this.ownedCopy;
  }
}

const EMPTY = Buffer.alloc(0);

export class Propagator {
  private readonly listeners: PropagationListener[] = [];
  /** Each listener's target (parallel to `listeners`). */
  private readonly listenerTargets: number[] = [];
  /** The targets someone listens to (bits). */
  private listenedTargets = 0;
  // The current unit's effects as two parallel lists, reused from unit to unit: a write with
  // the stream listened to allocates nothing here (the objects and arrays a unit used to take
  // were most of the garbage a SET made on a primary with a backlog).
  private pendingDbs: number[] = [];
  private pendingArgvs: (readonly StreamArg[] | undefined)[] = [];
  private pendingTargets: number[] = [];
  private pendingCount = 0;
  /** An effect of the current unit goes to one target only (the unit is then made per target). */
  private pendingRestricted = false;
  /** Encoding target of every unit whose encoded part is up to SCRATCH_MAX_BYTES. */
  private scratch = Buffer.allocUnsafe(4096);
  private readonly unit = new LentUnit();
  /** Where the unit's current framing part starts in the encoding buffer (see writeLendingArgs). */
  private partFrom = 0;
  /** The listeners are being handed a unit (see flush). */
  private dispatching = false;
  /** Units made while `dispatching`, handed over once the current one has reached every listener. */
  private readonly deferredUnits: LentUnit[] = [];
  /** The target of each deferred unit (parallel to deferredUnits). */
  private readonly deferredTargets: number[] = [];
  /** Depth of nested units (EXEC around commands): flush only when the outermost ends. */
  private depth = 0;
  /** The outermost unit's effects go out without MULTI/EXEC around them (see begin). */
  private unwrapped = false;
  /** Db of the last effect written to the AOF's stream and to replication's; -1 forces a SELECT first. */
  private aofDb = -1;
  private replDb = -1;
  /** The db selected so far in the unit being encoded (see writeSelectIfNeeded). */
  private encodingDb = -1;
  /** Where small units are encoded in place when it has room (set by the listener that owns it). */
  encodeTarget: EncodeTarget | null = null;
  /** Units handed to the listeners so far (the dispatcher compares it around a command for WAIT). */
  unitsEmitted = 0;
  /**
   * While an AOF loads nothing is propagated (Redis's shouldPropagate is false while loading):
   * the replayed commands' effects are already in the files, and replicas never see them.
   */
  suspended = false;

  /** `target`: PROPAGATE_AOF or PROPAGATE_REPL, the effects the listener is handed. */
  subscribe(listener: PropagationListener, target: number): void {
    this.listeners.push(listener);
    this.listenerTargets.push(target);
    this.listenedTargets |= target;
  }

  unsubscribe(listener: PropagationListener): void {
    const at = this.listeners.indexOf(listener);
    if (at < 0) return;
    this.listeners.splice(at, 1);
    this.listenerTargets.splice(at, 1);
    this.listenedTargets = 0;
    for (const target of this.listenerTargets) this.listenedTargets |= target;
  }

  get hasListeners(): boolean {
    return this.listeners.length > 0;
  }

  /**
   * Starts a unit; effects added until the matching end() go out together. `unwrapped` (read for
   * the outermost unit only): several effects are not wrapped in MULTI/EXEC, as Redis propagates
   * the lazy expiries of a command that touches arbitrary keys (SCAN, RANDOMKEY).
   */
  begin(unwrapped = false): void {
    if (this.depth++ === 0) this.unwrapped = unwrapped;
  }

  /** `targets`: where the effect goes (PROPAGATE_ALL unless a script's redis.set_repl() narrowed it). */
  add(dbIndex: number, argv: readonly StreamArg[], targets = PROPAGATE_ALL): void {
    // Like Redis's shouldPropagate: an effect for targets nobody consumes (no backlog, AOF off) is
    // not kept, encoded or counted (and the write path allocates nothing for it); it does not
    // count towards a MULTI/EXEC either.
    const reached = targets & this.listenedTargets;
    if (reached === 0 || this.suspended) return;
    const at = this.pendingCount++;
    this.pendingDbs[at] = dbIndex;
    this.pendingArgvs[at] = argv;
    this.pendingTargets[at] = reached;
    if (reached !== this.listenedTargets) this.pendingRestricted = true;
    if (this.depth === 0) this.flush();
  }

  end(): void {
    this.depth--;
    if (this.depth === 0) {
      this.flush();
      this.unwrapped = false;
    }
  }

  private flush(): void {
    const count = this.pendingCount;
    if (count === 0) return;
    // Like Redis without a backlog: with nobody consuming the stream, nothing is encoded or counted.
    if (this.listeners.length === 0) {
      this.clearPending();
      return;
    }
    if (!this.oneStream()) {
      this.flushPerTarget();
      return;
    }
    this.encodingDb = this.listenedTargets & PROPAGATE_REPL ? this.replDb : this.aofDb;
    if (count === 1 && !this.dispatching && this.flushSmallCommand()) return;
    const dbs = this.pendingDbs;
    const argvs = this.pendingArgvs as (readonly StreamArg[])[];
    const firstDbIndex = dbs[0];
    // A lone effect goes out as is; several are wrapped in MULTI/EXEC (unless begin() said
    // otherwise; units made outside begin/end hold one effect). A SELECT precedes an
    // effect whose db differs from the previous one's (the MULTI's SELECT, when wrapped, is the
    // first effect's). Sizes first, then one pass of encoding.
    const wrap = count > 1 && !this.unwrapped;
    let sizeBytes = wrap ? MULTI_BYTES + EXEC_BYTES : 0;
    let db = this.encodingDb;
    for (let i = 0; i < count; i++) {
      if (dbs[i] !== db) {
        db = dbs[i];
        sizeBytes += encodedCommandBytes(selectArgv(db));
      }
      sizeBytes += encodedCommandBytes(argvs[i]);
    }
    // A unit made while the listeners still hold the previous one (a listener's work wrote
    // something) must not overwrite the lent bytes: it gets a buffer of its own and waits until
    // every listener has had the previous one, so all of them see the stream in the same order.
    const nested = this.dispatching;
    // Otherwise big Buffer arguments are lent as they are and only the rest is encoded.
    let referencedBytes = 0;
    if (!nested) for (let i = 0; i < count; i++) referencedBytes += referencedArgBytes(argvs[i]);
    const framingBytes = sizeBytes - referencedBytes;
    const ownBuffer = nested || framingBytes > SCRATCH_MAX_BYTES;
    let out: Buffer = this.scratch;
    if (ownBuffer) {
      out = (nested ? null : bigBuffers.take(sizeBytes)) ?? Buffer.allocUnsafe(sizeBytes);
    } else if (out.length < framingBytes) {
      out = this.scratch = Buffer.allocUnsafe(Math.min(SCRATCH_MAX_BYTES, 2 ** Math.ceil(Math.log2(framingBytes))));
    }
    const unit = nested ? new LentUnit() : this.unit;
    unit.reset(firstDbIndex, ownBuffer);
    const lendArgs = !ownBuffer && referencedBytes > 0;
    this.partFrom = 0;
    let at = 0;
    if (wrap) {
      at = this.writeSelectIfNeeded(out, at, firstDbIndex);
      at = writeCommand(out, at, MULTI);
    }
    for (let i = 0; i < count; i++) {
      at = this.writeSelectIfNeeded(out, at, dbs[i]);
      at = lendArgs ? this.writeLendingArgs(out, at, argvs[i], unit) : writeCommand(out, at, argvs[i]);
    }
    if (wrap) at = writeCommand(out, at, EXEC);
    unit.addPart(out, this.partFrom, at);
    this.clearPending();
    this.unitsEmitted++;
    this.aofDb = this.replDb = this.encodingDb;
    if (nested) {
      this.deferredUnits.push(unit);
      this.deferredTargets.push(PROPAGATE_ALL);
      return;
    }
    this.dispatchWithDeferred(unit, PROPAGATE_ALL);
    // A big unit's buffer belongs to whoever kept it: kept by nobody (the backlog copies), it
    // goes to the recycler, and the next write of the same size reuses it instead of leaving its
    // volume to the garbage collector. The lent parts must not hold buffers meanwhile.
    if (unit.reclaimable) bigBuffers.give(out);
    unit.reset(0, false);
  }

  /**
   * The unit of one command whose arguments are all small (most writes), encoded into the scratch
   * buffer in one pass with none of the general path's bookkeeping; false when the command does
   * not qualify (the general path then handles it).
   */
  private flushSmallCommand(): boolean {
    const argv = this.pendingArgvs[0] as readonly StreamArg[];
    const dbIndex = this.pendingDbs[0];
    let sizeBytes = encodedCommandBytes(argv);
    // Below the lending threshold in all, no argument can be lent by reference.
    if (sizeBytes >= REFERENCED_ARG_BYTES) return false;
    if (dbIndex !== this.encodingDb) sizeBytes += encodedCommandBytes(selectArgv(dbIndex));
    const target = this.encodeTarget;
    let out = target === null ? null : target.room(sizeBytes);
    let from = 0;
    if (out !== null) {
      from = (target as EncodeTarget).freeAt;
    } else {
      out = this.scratch;
      if (out.length < sizeBytes) out = this.scratch = Buffer.allocUnsafe(2 ** Math.ceil(Math.log2(sizeBytes)));
    }
    const at = writeCommand(out, this.writeSelectIfNeeded(out, from, dbIndex), argv);
    this.pendingCount = 0;
    this.pendingArgvs[0] = undefined;
    this.unitsEmitted++;
    this.aofDb = this.replDb = this.encodingDb;
    const unit = this.unit;
    unit.setOnly(dbIndex, out, from, at, out !== this.scratch);
    this.dispatchWithDeferred(unit, PROPAGATE_ALL);
    return true;
  }

  /**
   * Whether the unit is the same bytes for both targets: every effect goes to both, and both
   * streams last selected the same db (a target nobody listens to does not count).
   */
  private oneStream(): boolean {
    if (this.pendingRestricted) return false;
    return this.aofDb === this.replDb || this.listenedTargets !== PROPAGATE_ALL;
  }

  /**
   * The unit when the targets' streams differ (redis.set_repl() narrowed an effect, or one stream
   * had its SELECT state reset): each target with a listener gets the unit of its own effects in a
   * buffer of its own, as Redis's propagatePendingCommands feeds propagateNow: MULTI/EXEC around
   * them when the command had several effects, whatever their targets (a target may get an empty
   * MULTI/EXEC), the MULTI in the first effect's db, the EXEC in the last one's.
   */
  private flushPerTarget(): void {
    const count = this.pendingCount;
    const dbs = this.pendingDbs;
    const argvs = this.pendingArgvs as (readonly StreamArg[])[];
    const targets = this.pendingTargets;
    const wrap = count > 1 && !this.unwrapped;
    const nested = this.dispatching;
    const units: LentUnit[] = [];
    const unitTargets: number[] = [];
    for (const target of TARGETS) {
      if ((this.listenedTargets & target) === 0) continue;
      this.encodingDb = target === PROPAGATE_AOF ? this.aofDb : this.replDb;
      // Sizes first (SELECTs included), on a copy of the db state; then one pass of encoding.
      let db = this.encodingDb;
      let sizeBytes = 0;
      const sized = (dbIndex: number, argv: readonly StreamArg[]): void => {
        if (dbIndex !== db) {
          db = dbIndex;
          sizeBytes += encodedCommandBytes(selectArgv(dbIndex));
        }
        sizeBytes += encodedCommandBytes(argv);
      };
      if (wrap) sized(dbs[0], MULTI);
      for (let i = 0; i < count; i++) if ((targets[i] & target) !== 0) sized(dbs[i], argvs[i]);
      if (wrap) sized(dbs[count - 1], EXEC);
      if (sizeBytes === 0) continue;
      const out = Buffer.allocUnsafe(sizeBytes);
      let at = 0;
      let firstDbIndex = -1;
      const encode = (dbIndex: number, argv: readonly StreamArg[]): void => {
        if (firstDbIndex === -1) firstDbIndex = dbIndex;
        at = writeCommand(out, this.writeSelectIfNeeded(out, at, dbIndex), argv);
      };
      if (wrap) encode(dbs[0], MULTI);
      for (let i = 0; i < count; i++) if ((targets[i] & target) !== 0) encode(dbs[i], argvs[i]);
      if (wrap) encode(dbs[count - 1], EXEC);
      if (target === PROPAGATE_AOF) this.aofDb = this.encodingDb;
      else this.replDb = this.encodingDb;
      const unit = new LentUnit();
      unit.reset(firstDbIndex, true);
      unit.addPart(out, 0, at);
      units.push(unit);
      unitTargets.push(target);
    }
    this.clearPending();
    this.unitsEmitted++;
    if (nested) {
      for (let i = 0; i < units.length; i++) {
        this.deferredUnits.push(units[i]);
        this.deferredTargets.push(unitTargets[i]);
      }
      return;
    }
    this.dispatching = true;
    try {
      for (let i = 0; i < units.length; i++) this.dispatch(units[i], unitTargets[i]);
      this.dispatchDeferred();
    } finally {
      this.endDispatching();
    }
  }

  /** Hands `unit` to the listeners of `target`, then the units their work made meanwhile. */
  private dispatchWithDeferred(unit: PropagatedUnit, target: number): void {
    this.dispatching = true;
    try {
      this.dispatch(unit, target);
      this.dispatchDeferred();
    } finally {
      this.endDispatching();
    }
  }

  /**
   * Units written by listeners meanwhile, in the order they were made (bounded by what the
   * listeners' own work writes: each is one command's effects).
   */
  private dispatchDeferred(): void {
    for (let i = 0; i < this.deferredUnits.length; i++) this.dispatch(this.deferredUnits[i], this.deferredTargets[i]);
  }

  private endDispatching(): void {
    this.dispatching = false;
    if (this.deferredUnits.length > 0) {
      this.deferredUnits.length = 0;
      this.deferredTargets.length = 0;
    }
  }

  /**
   * writeCommand, except that each Buffer argument of REFERENCED_ARG_BYTES or more becomes a part
   * of `unit` of its own (the framing written so far ends the previous part; `partFrom` moves
   * past it).
   */
  private writeLendingArgs(out: Buffer, at: number, argv: readonly StreamArg[], unit: LentUnit): number {
    at = writeArrayHeader(out, at, argv.length);
    for (let j = 0; j < argv.length; j++) {
      const arg = argv[j];
      at = writeBulkHeader(out, at, arg.length);
      if (typeof arg === 'string') {
        at = writeText(out, at, arg);
      } else if (arg.length >= REFERENCED_ARG_BYTES) {
        unit.addPart(out, this.partFrom, at);
        unit.addPart(arg, 0, arg.length, true);
        this.partFrom = at;
      } else {
        at += arg.copy(out, at);
      }
      out[at++] = 13;
      out[at++] = 10;
    }
    return at;
  }

  private dispatch(unit: PropagatedUnit, target: number): void {
    const listeners = this.listeners;
    const targets = this.listenerTargets;
    for (let i = 0; i < listeners.length; i++) if ((targets[i] & target) !== 0) listeners[i](unit);
  }

  private clearPending(): void {
    const count = this.pendingCount;
    this.pendingCount = 0;
    this.pendingRestricted = false;
    if (count > PENDING_KEEP_EFFECTS) {
      this.pendingDbs = [];
      this.pendingArgvs = [];
      return;
    }
    // The argv lists are the commands' own: let them go with the unit.
    for (let i = 0; i < count; i++) this.pendingArgvs[i] = undefined;
  }

  private writeSelectIfNeeded(out: Buffer, at: number, dbIndex: number): number {
    if (dbIndex === this.encodingDb) return at;
    this.encodingDb = dbIndex;
    return writeCommand(out, at, selectArgv(dbIndex));
  }

  /** The db the replication stream's last SELECT chose (-1: none since the last reset). */
  get selectedDb(): number {
    return this.replDb;
  }

  /**
   * Forgets the replication stream's selected db, so its next effect is preceded by SELECT (a new
   * stream consumer; Redis sets slaveseldb to -1). The AOF's stream is left as it is.
   */
  resetSelectedDb(): void {
    this.replDb = -1;
  }
}

const MULTI: readonly string[] = ['MULTI'];
const EXEC: readonly string[] = ['EXEC'];
const MULTI_BYTES = encodedCommandBytes(MULTI);
const EXEC_BYTES = encodedCommandBytes(EXEC);
/** SELECT argv per db, made once (databases is bounded by its directive's range). */
const selectArgvs: (readonly string[])[] = [];

/** Bytes of `argv`'s Buffer arguments lent by reference rather than encoded. */
function referencedArgBytes(argv: readonly StreamArg[]): number {
  let total = 0;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (typeof arg !== 'string' && arg.length >= REFERENCED_ARG_BYTES) total += arg.length;
  }
  return total;
}

function selectArgv(dbIndex: number): readonly string[] {
  let argv = selectArgvs[dbIndex];
  if (argv === undefined) {
    argv = ['SELECT', String(dbIndex)];
    selectArgvs[dbIndex] = argv;
  }
  return argv;
}
