// The Propagator lends each unit's bytes to its listeners (one reused buffer, nothing allocated per
// write); what a listener keeps must come from owned(). These check the lending contract itself:
// owned copies never change afterwards, a unit made while listeners still hold the previous one
// gets memory of its own, and big units are not squeezed through the reused buffer.

import { describe, expect, it } from 'vitest';
import { PROPAGATE_REPL, Propagator, type PropagatedUnit } from '../../src/engine/propagation.js';
import { Backlog } from '../../src/replication/backlog.js';
import { decodeCommands } from '../helpers/propagation.js';

const lent = (unit: PropagatedUnit): string => {
  let text = '';
  unit.forEachPart((source, start, end) => {
    text += source.toString('latin1', start, end);
  });
  return text;
};
const partSources = (unit: PropagatedUnit): Buffer[] => {
  const sources: Buffer[] = [];
  unit.forEachPart((source) => sources.push(source));
  return sources;
};

describe('Propagator lending', () => {
  it('lends the same memory unit after unit, while owned() copies stay as they were', () => {
    const propagator = new Propagator();
    const owned: Buffer[] = [];
    const lentBuffers = new Set<ArrayBufferLike>();
    propagator.subscribe((unit) => {
      for (const source of partSources(unit)) lentBuffers.add(source.buffer);
      owned.push(unit.owned());
      // Asked twice by different listeners, the copy is made once.
      expect(unit.owned()).toBe(owned[owned.length - 1]);
    }, PROPAGATE_REPL);
    for (let i = 0; i < 100; i++) propagator.add(0, ['SET', `k${i}`, `v${i}`]);
    expect(lentBuffers.size).toBe(1);
    const commands = owned.flatMap((chunk) => decodeCommands(chunk.toString('latin1')));
    expect(commands[0]).toEqual(['SELECT', '0']);
    expect(commands.slice(1)).toEqual(Array.from({ length: 100 }, (_, i) => ['SET', `k${i}`, `v${i}`]));
  });

  it('wraps a unit of several effects in MULTI/EXEC with the SELECTs each db change needs', () => {
    const propagator = new Propagator();
    const seen: string[] = [];
    propagator.subscribe((unit) => seen.push(lent(unit)), PROPAGATE_REPL);
    propagator.begin();
    propagator.add(2, ['INCR', 'a']);
    propagator.add(2, ['INCR', 'b']);
    propagator.add(5, ['DEL', 'c']);
    propagator.end();
    expect(seen).toHaveLength(1);
    expect(decodeCommands(seen[0])).toEqual([
      ['SELECT', '2'], ['MULTI'], ['INCR', 'a'], ['INCR', 'b'], ['SELECT', '5'], ['DEL', 'c'], ['EXEC'],
    ]);
    expect(propagator.unitsEmitted).toBe(1);
  });

  it('holds a unit made by a listener until every listener had the lent one, in memory of its own', () => {
    const propagator = new Propagator();
    const seen: string[] = [];
    let reacted = false;
    propagator.subscribe((unit) => {
      const before = lent(unit);
      if (!reacted) {
        reacted = true;
        // A listener's own work writes (e.g. a client closed for its output limit).
        propagator.add(0, ['DEL', 'nested']);
      }
      // The lent bytes were not overwritten by the nested unit.
      expect(lent(unit)).toBe(before);
      seen.push(before);
    }, PROPAGATE_REPL);
    propagator.subscribe((unit) => seen.push(`second:${lent(unit)}`), PROPAGATE_REPL);
    propagator.add(0, ['SET', 'outer', 'x']);
    const outer = '*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$5\r\nouter\r\n$1\r\nx\r\n';
    const nested = '*2\r\n$3\r\nDEL\r\n$6\r\nnested\r\n';
    // Every listener sees the stream in the same order: the unit that was being handed out first.
    expect(seen).toEqual([outer, `second:${outer}`, nested, `second:${nested}`]);
  });

  it('encodes a big unit into a buffer of its own, which owned() hands over without a copy', () => {
    const propagator = new Propagator();
    const value = 'v'.repeat(1_200_000);
    const units: { bytes: Buffer[]; owned: Buffer }[] = [];
    propagator.subscribe((unit) => units.push({ bytes: partSources(unit), owned: unit.owned() }), PROPAGATE_REPL);
    propagator.add(0, ['SET', 'big', value]);
    propagator.add(0, ['SET', 'small', 'x']);
    expect(units[0].bytes).toEqual([units[0].owned]);
    expect(units[0].bytes[0]).toBe(units[0].owned);
    expect(decodeCommands(units[0].owned.toString('latin1'))).toEqual([['SELECT', '0'], ['SET', 'big', value]]);
    // The next small unit goes back to the reused buffer and leaves the big one untouched.
    expect(units[1].bytes[0]).not.toBe(units[0].owned);
    expect(decodeCommands(units[0].owned.toString('latin1'))[1][2]).toBe(value);
  });

  it('lends a big Buffer argument by reference between parts of the framing, and owned() joins them', () => {
    const propagator = new Propagator();
    const value = Buffer.alloc(100 * 1024, 'z');
    const seen: { sources: Buffer[]; text: string; owned: string; lengthBytes: number }[] = [];
    propagator.subscribe((unit) => {
      seen.push({ sources: partSources(unit), text: lent(unit), owned: unit.owned().toString('latin1'), lengthBytes: unit.lengthBytes });
    }, PROPAGATE_REPL);
    propagator.begin();
    propagator.add(0, ['SET', 'a', value]);
    propagator.add(0, ['SET', 'b', Buffer.from('small')]);
    propagator.end();
    const [unit] = seen;
    // Framing before the value, the value itself, framing after it (CRLF, the next SET, EXEC).
    expect(unit.sources).toHaveLength(3);
    expect(unit.sources[1]).toBe(value);
    expect(unit.owned).toBe(unit.text);
    expect(unit.lengthBytes).toBe(unit.text.length);
    expect(decodeCommands(unit.text)).toEqual([
      ['SELECT', '0'], ['MULTI'], ['SET', 'a', value.toString('latin1')], ['SET', 'b', 'small'], ['EXEC'],
    ]);
  });
});

describe('Propagator encoding in place into the backlog', () => {
  it('gives the backlog the same history, block for block, as copying every unit', () => {
    const runs = [true, false].map((inPlace) => {
      const propagator = new Propagator();
      // A small backlog: units cross block boundaries and trimmed blocks are reused.
      const backlog = new Backlog(64 * 1024, 0);
      let inPlaceUnits = 0;
      let offset = 0;
      propagator.subscribe((unit) => {
        offset += unit.lengthBytes;
        if (unit.inEncodeTarget) {
          inPlaceUnits++;
          backlog.commitTail(unit.lengthBytes);
        } else {
          unit.forEachPart((source, start, end) => backlog.append(source, start, end));
        }
      }, PROPAGATE_REPL);
      // A second listener sees the same bytes either way (lent from the backlog's tail).
      const seen: string[] = [];
      propagator.subscribe((unit) => seen.push(unit.owned().toString('latin1')), PROPAGATE_REPL);
      if (inPlace) propagator.encodeTarget = backlog;
      const big = Buffer.alloc(20_000, 'b');
      for (let i = 0; i < 3000; i++) {
        const db = i % 7 === 0 ? 1 : 0;
        if (i % 500 === 250) propagator.add(db, ['SET', `big${i}`, big]);
        else if (i % 100 === 50) {
          propagator.begin();
          propagator.add(db, ['INCR', `n${i}`]);
          propagator.add(db, ['SET', `m${i}`, 'x'.repeat(i % 300)]);
          propagator.end();
        } else propagator.add(db, ['SET', `k${i}`, 'v'.repeat(i % 200)]);
      }
      return { history: Buffer.concat(backlog.bytesFrom(backlog.firstByteOffset)), first: backlog.firstByteOffset, histlen: backlog.histlenBytes, offset, inPlaceUnits, seen };
    });
    const [inPlace, copied] = runs;
    expect(inPlace.inPlaceUnits).toBeGreaterThan(2000);
    expect(copied.inPlaceUnits).toBe(0);
    expect(inPlace.offset).toBe(copied.offset);
    expect(inPlace.first).toBe(copied.first);
    expect(inPlace.histlen).toBe(copied.histlen);
    expect(inPlace.history.equals(copied.history)).toBe(true);
    expect(inPlace.seen).toEqual(copied.seen);
  });
});
