// The small server modules split out of server.ts, tested on their own: the bind plan, CLIENT
// PAUSE's merge and hold rules, and the instantaneous rate sampling.
import { afterEach, describe, expect, it } from 'vitest';
import type { ServerStats } from '../../src/commands/context.js';
import type { Command } from '../../src/commands/types.js';
import type { Client } from '../../src/engine/client.js';
import { NodeAlerts } from '../../src/engine/node-alerts.js';
import { ClientPause } from '../../src/server/client-pause.js';
import { bindPlan } from '../../src/server/listeners.js';
import { InstantaneousRates } from '../../src/server/rates.js';

describe('bindPlan', () => {
  it('listens dual-stack by default, IPv4 wildcard as the fallback; an empty bind on nothing', () => {
    expect(bindPlan('* -::*')).toEqual([{ host: '::', optional: true }, { host: '0.0.0.0', optional: false }]);
    expect(bindPlan('')).toEqual([]);
  });

  it('keeps specific addresses in order, "-" marking optional ones', () => {
    expect(bindPlan('127.0.0.1 -::1')).toEqual([{ host: '127.0.0.1', optional: false }, { host: '::1', optional: true }]);
    expect(bindPlan('::* 10.0.0.1')).toEqual([{ host: '::', optional: true }, { host: '10.0.0.1', optional: false }]);
  });
});

/** Just the fields ClientPause reads. */
function fakeCommand(name: string, mayReplicate: boolean): Command {
  return { fullName: name, parent: null, spec: { name }, mayReplicate } as unknown as Command;
}

function fakeClient(inMulti = false, queued: Command[] = []): Client {
  return { inMulti, multiQueue: queued.map((command) => ({ command, argv: [], mayReplicate: command.mayReplicate })) } as unknown as Client;
}

describe('ClientPause', () => {
  const pauses: ClientPause[] = [];
  const newPause = (resumed: Client[] = []): ClientPause => {
    const p = new ClientPause((c) => resumed.push(c), new NodeAlerts());
    pauses.push(p);
    return p;
  };
  afterEach(() => {
    for (const p of pauses.splice(0)) p.stopTimer();
  });

  const get = fakeCommand('get', false);
  const set = fakeCommand('set', true);
  const exec = fakeCommand('exec', false);

  it('WRITE holds only commands that may replicate, ALL holds everything', () => {
    const p = newPause();
    p.pause(Date.now() + 60_000, true);
    expect(p.isPausedFor(get, fakeClient(), () => get.mayReplicate)).toBe(false);
    expect(p.isPausedFor(set, fakeClient(), () => set.mayReplicate)).toBe(true);
    // EXEC waits when its queue holds a write; commands inside MULTI are only queued.
    expect(p.isPausedFor(exec, fakeClient(true, [get]), () => exec.mayReplicate)).toBe(false);
    expect(p.isPausedFor(exec, fakeClient(true, [get, set]), () => exec.mayReplicate)).toBe(true);
    expect(p.isPausedFor(set, fakeClient(true), () => set.mayReplicate)).toBe(false);
    p.pause(Date.now() + 60_000, false);
    expect(p.isPausedFor(get, fakeClient(), () => get.mayReplicate)).toBe(true);
  });

  it('a new pause neither shortens the current one nor narrows ALL to WRITE', () => {
    const p = newPause();
    const untilMs = Date.now() + 60_000;
    p.pause(untilMs, false);
    p.pause(Date.now() + 1_000, true);
    expect(p.untilMs).toBe(untilMs);
    expect(p.isPausedFor(get, fakeClient(), () => get.mayReplicate)).toBe(true);
  });

  it('an expired pause holds nothing and unpause resumes held clients in order', () => {
    const resumed: Client[] = [];
    const p = newPause(resumed);
    p.pause(Date.now() - 1, false);
    expect(p.inEffect()).toBe(false);
    expect(p.isPausedFor(get, fakeClient(), () => get.mayReplicate)).toBe(false);
    const a = fakeClient();
    const b = fakeClient();
    const gone = fakeClient();
    p.hold(a);
    p.hold(gone);
    p.hold(b);
    p.forget(gone);
    expect(p.heldCount).toBe(2);
    p.unpause();
    expect(resumed).toEqual([a, b]);
    expect(p.heldCount).toBe(0);
    expect(p.untilMs).toBe(0);
  });

  it('keeps pauses per purpose: ending one leaves the others, the strictest type applies', () => {
    const resumed: Client[] = [];
    const p = newPause(resumed);
    p.pause(Number.MAX_SAFE_INTEGER, true, 'failover');
    p.pause(Date.now() + 60_000, false);
    expect(p.isPausedFor(get, fakeClient(), () => get.mayReplicate)).toBe(true);
    const reader = fakeClient();
    p.hold(reader);
    // CLIENT UNPAUSE ends only its own pause: the failover's WRITE pause goes on, reads resume.
    p.unpause();
    expect(resumed).toEqual([reader]);
    expect(p.inEffect()).toBe(true);
    expect(p.isPausedFor(get, fakeClient(), () => get.mayReplicate)).toBe(false);
    expect(p.isPausedFor(set, fakeClient(), () => set.mayReplicate)).toBe(true);
    const writer = fakeClient();
    p.hold(writer);
    p.unpause('shutdown');
    expect(p.heldCount).toBe(1);
    p.unpause('failover');
    expect(resumed).toEqual([reader, writer]);
    expect(p.untilMs).toBe(0);
  });
});

describe('InstantaneousRates', () => {
  function stats(): ServerStats {
    return { totalCommandsProcessed: 0, totalNetInputBytes: 0, totalNetOutputBytes: 0, totalNetReplInputBytes: 0, totalNetReplOutputBytes: 0 } as ServerStats;
  }

  it('samples every 100 ms and averages the last samples', () => {
    const st = stats();
    const rates = new InstantaneousRates(st);
    const t0 = Date.now() + 1000;
    rates.reset(t0);
    st.totalCommandsProcessed = 50;
    rates.sample(t0 + 99); // too early: no sample
    expect(rates.opsPerSec).toBe(0);
    st.totalNetInputBytes = 1000;
    st.totalNetOutputBytes = 3000;
    st.totalNetReplInputBytes = 200;
    st.totalNetReplOutputBytes = 400;
    rates.sample(t0 + 100);
    expect(rates.opsPerSec).toBe(500);
    expect(rates.bytesPerSec()).toEqual({ inputBytesPerSec: 10_000, outputBytesPerSec: 30_000, replInputBytesPerSec: 2000, replOutputBytesPerSec: 4000 });
    st.totalCommandsProcessed = 60;
    rates.sample(t0 + 200);
    expect(rates.opsPerSec).toBe(300); // mean of 500 and 100
  });

  it('keeps only the 16 most recent samples', () => {
    const st = stats();
    const rates = new InstantaneousRates(st);
    const t0 = Date.now() + 1000;
    rates.reset(t0);
    let t = t0;
    for (let i = 0; i < 16; i++) {
      st.totalCommandsProcessed += 1000;
      rates.sample((t += 100));
    }
    expect(rates.opsPerSec).toBe(10_000);
    for (let i = 0; i < 16; i++) rates.sample((t += 100));
    expect(rates.opsPerSec).toBe(0);
  });
});
