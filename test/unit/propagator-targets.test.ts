// The propagator's two targets (the AOF and replication, Redis's PROPAGATE_AOF and
// PROPAGATE_REPL): effects sent to one target only (redis.set_repl) make each target a unit of
// its own effects, wrapped as Redis's propagatePendingCommands wraps them, and each target keeps
// its own SELECT state.

import { describe, expect, it } from 'vitest';
import { PROPAGATE_ALL, PROPAGATE_AOF, PROPAGATE_REPL, Propagator } from '../../src/engine/propagation.js';
import { decodeCommands } from '../helpers/propagation.js';

function streams(): { propagator: Propagator; aof: string[][]; repl: string[][]; units: { aof: number; repl: number } } {
  const propagator = new Propagator();
  const aof: string[][] = [];
  const repl: string[][] = [];
  const units = { aof: 0, repl: 0 };
  propagator.subscribe((unit) => {
    units.aof++;
    aof.push(...decodeCommands(unit.owned().toString('latin1')));
  }, PROPAGATE_AOF);
  propagator.subscribe((unit) => {
    units.repl++;
    repl.push(...decodeCommands(unit.owned().toString('latin1')));
  }, PROPAGATE_REPL);
  return { propagator, aof, repl, units };
}

describe('propagation targets', () => {
  it('hands the same unit to both targets when every effect goes to both', () => {
    const { propagator, aof, repl } = streams();
    propagator.add(0, ['SET', 'a', '1']);
    propagator.begin();
    propagator.add(0, ['SET', 'b', '2'], PROPAGATE_ALL);
    propagator.add(1, ['SET', 'c', '3']);
    propagator.end();
    const expected = [['SELECT', '0'], ['SET', 'a', '1'], ['MULTI'], ['SET', 'b', '2'], ['SELECT', '1'], ['SET', 'c', '3'], ['EXEC']];
    expect(aof).toEqual(expected);
    expect(repl).toEqual(expected);
  });

  it('gives each target its own effects, wrapped when the command had several', () => {
    const { propagator, aof, repl } = streams();
    propagator.begin();
    propagator.add(0, ['set', 'a', '1']);
    propagator.add(0, ['set', 'c', '3'], PROPAGATE_AOF);
    propagator.add(0, ['set', 'r', '5'], PROPAGATE_REPL);
    propagator.add(0, ['set', 'd', '4']);
    propagator.end();
    expect(aof).toEqual([['SELECT', '0'], ['MULTI'], ['set', 'a', '1'], ['set', 'c', '3'], ['set', 'd', '4'], ['EXEC']]);
    expect(repl).toEqual([['SELECT', '0'], ['MULTI'], ['set', 'a', '1'], ['set', 'r', '5'], ['set', 'd', '4'], ['EXEC']]);
  });

  it('sends a target an empty MULTI/EXEC when none of several effects were its own, and nothing for a lone one', () => {
    const { propagator, aof, repl, units } = streams();
    propagator.add(0, ['set', 'x', '1'], PROPAGATE_AOF);
    expect(units).toEqual({ aof: 1, repl: 0 });
    propagator.begin();
    propagator.add(0, ['set', 'y', '1'], PROPAGATE_AOF);
    propagator.add(0, ['set', 'z', '1'], PROPAGATE_AOF);
    propagator.end();
    expect(aof).toEqual([['SELECT', '0'], ['set', 'x', '1'], ['MULTI'], ['set', 'y', '1'], ['set', 'z', '1'], ['EXEC']]);
    expect(repl).toEqual([['SELECT', '0'], ['MULTI'], ['EXEC']]);
  });

  it('keeps a SELECT state per target: the EXEC goes in the last effect\'s db, as Redis sends it', () => {
    const { propagator, aof, repl } = streams();
    propagator.begin();
    propagator.add(0, ['set', 'a', '1']);
    propagator.add(5, ['set', 'b', '1'], PROPAGATE_AOF);
    propagator.end();
    expect(repl).toEqual([['SELECT', '0'], ['MULTI'], ['set', 'a', '1'], ['SELECT', '5'], ['EXEC']]);
    // Both streams are now in db 5 and share units again.
    propagator.add(5, ['set', 'c', '1']);
    propagator.add(0, ['set', 'd', '1'], PROPAGATE_REPL);
    propagator.add(0, ['set', 'e', '1']);
    expect(aof.slice(-3)).toEqual([['set', 'c', '1'], ['SELECT', '0'], ['set', 'e', '1']]);
    expect(repl.slice(-4)).toEqual([['set', 'c', '1'], ['SELECT', '0'], ['set', 'd', '1'], ['set', 'e', '1']]);
  });

  it('resets only the replication stream\'s SELECT for a new stream consumer', () => {
    const { propagator, aof, repl } = streams();
    propagator.add(3, ['set', 'a', '1']);
    propagator.resetSelectedDb();
    expect(propagator.selectedDb).toBe(-1);
    propagator.add(3, ['set', 'b', '1']);
    expect(aof).toEqual([['SELECT', '3'], ['set', 'a', '1'], ['set', 'b', '1']]);
    expect(repl).toEqual([['SELECT', '3'], ['set', 'a', '1'], ['SELECT', '3'], ['set', 'b', '1']]);
    expect(propagator.selectedDb).toBe(3);
  });

  it('drops an effect whose targets nobody listens to, as Redis does with the AOF off', () => {
    const propagator = new Propagator();
    const repl: string[][] = [];
    propagator.subscribe((unit) => repl.push(...decodeCommands(unit.owned().toString('latin1'))), PROPAGATE_REPL);
    propagator.begin();
    propagator.add(0, ['set', 'a', '1'], PROPAGATE_AOF);
    propagator.add(0, ['set', 'b', '1'], PROPAGATE_AOF);
    propagator.end();
    propagator.begin();
    propagator.add(0, ['set', 'c', '1'], PROPAGATE_AOF);
    propagator.add(0, ['set', 'd', '1']);
    propagator.end();
    expect(repl).toEqual([['SELECT', '0'], ['set', 'd', '1']]);
  });

  it('counts one unit per command whatever its targets', () => {
    const { propagator } = streams();
    const before = propagator.unitsEmitted;
    propagator.add(0, ['set', 'a', '1'], PROPAGATE_AOF);
    propagator.add(0, ['set', 'b', '1']);
    expect(propagator.unitsEmitted - before).toBe(2);
  });
});
