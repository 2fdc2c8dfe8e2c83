// Differential testing: the same command sequence goes to cinnabar and to the reference
// redis-server over raw sockets; every reply must be byte for byte identical.

import { afterAll, beforeAll, describe, expect } from 'vitest';
import type { RunningServer } from '../../src/index.js';
import { startCinnabar } from './cinnabar.js';
import { redisServerPath, startReferenceServer, type ReferenceServer } from './reference.js';
import { RawConnection } from './resp.js';

export const referenceAvailable = redisServerPath() !== null;

/** A step: a command (array of arguments) expecting one reply, or an explicit reply count. */
export type Step = string[] | { args: string[]; replies: number } | { sleepMs: number };

export interface Pair {
  ours: RawConnection;
  theirs: RawConnection;
}

export interface DifferentialServers {
  cinnabarPort(): number;
  referencePort(): number;
  /** Opens a connection to each server, optionally switching both to RESP3 first. */
  connect(resp?: 2 | 3): Promise<Pair>;
  /** Runs the steps on fresh connections (after FLUSHALL) and compares every reply. */
  run(steps: Step[], resp?: 2 | 3): Promise<void>;
}

/**
 * Declares a describe block with a cinnabar and a redis-server for its tests; skipped, with a
 * note, when redis-server is not installed.
 */
export function describeDifferential(name: string, body: (servers: DifferentialServers) => void): void {
  const block = referenceAvailable ? describe : describe.skip;
  block(`${name} (differential against redis-server)`, () => {
    let ours: RunningServer;
    let theirs: ReferenceServer;
    const open: RawConnection[] = [];
    beforeAll(async () => {
      [ours, theirs] = await Promise.all([startCinnabar({ 'enable-debug-command': 'yes' }), startReferenceServer()]);
    });
    afterAll(async () => {
      for (const c of open) c.close();
      await Promise.all([ours?.close(), theirs?.stop()]);
    });
    const connect = async (resp: 2 | 3 = 2): Promise<Pair> => {
      const pair = { ours: await RawConnection.connect(ours.port), theirs: await RawConnection.connect(theirs.port) };
      open.push(pair.ours, pair.theirs);
      if (resp === 3) {
        await pair.ours.call('HELLO', '3');
        await pair.theirs.call('HELLO', '3');
      }
      return pair;
    };
    const servers: DifferentialServers = {
      cinnabarPort: () => ours.port,
      referencePort: () => theirs.port,
      connect,
      run: async (steps, resp = 2) => {
        const pair = await connect(resp);
        await pair.ours.call('FLUSHALL');
        await pair.theirs.call('FLUSHALL');
        for (let i = 0; i < steps.length; i++) {
          const step = steps[i];
          if ('sleepMs' in step) {
            await new Promise((r) => setTimeout(r, step.sleepMs));
            continue;
          }
          const args = Array.isArray(step) ? step : step.args;
          const count = Array.isArray(step) ? 1 : step.replies;
          pair.ours.send(...args);
          pair.theirs.send(...args);
          for (let r = 0; r < count; r++) {
            const [a, b] = await Promise.all([pair.ours.readReply(), pair.theirs.readReply()]);
            expect(a, `step ${i} (${args.join(' ')}) reply ${r}, RESP${resp}`).toBe(b);
          }
        }
        pair.ours.close();
        pair.theirs.close();
      },
    };
    body(servers);
  });
}

async function callBoth(pair: Pair, ...args: string[]): Promise<void> {
  pair.ours.send(...args);
  pair.theirs.send(...args);
  const [a, b] = await Promise.all([pair.ours.readReply(), pair.theirs.readReply()]);
  expect(a, args.join(' ')).toBe(b);
}

/**
 * Runs the steps on `admin` with these keyspace event classes on (notify-keyspace-events), and
 * every event a pattern subscriber on `sub` receives must match in order. Closes both pairs.
 */
export async function keyspaceEventsMatch(admin: Pair, sub: Pair, classes: string, steps: string[][]): Promise<void> {
  await callBoth(admin, 'FLUSHALL');
  await callBoth(admin, 'CONFIG', 'SET', 'notify-keyspace-events', classes);
  await callBoth(sub, 'PSUBSCRIBE', '__key*__:*');
  await callBoth(sub, 'SUBSCRIBE', 'marker');
  for (const step of steps) await callBoth(admin, ...step);
  await callBoth(admin, 'PUBLISH', 'marker', 'end');
  await callBoth(admin, 'CONFIG', 'SET', 'notify-keyspace-events', '');
  // Everything before the marker message must match one by one.
  for (;;) {
    const [a, b] = await Promise.all([sub.ours.readReply(), sub.theirs.readReply()]);
    expect(a, 'keyspace event').toBe(b);
    if (a.includes('marker')) break;
  }
  for (const c of [admin.ours, admin.theirs, sub.ours, sub.theirs]) c.close();
}
