// @ts-check
// Failover time: kill -9 of a redis-server primary (two replicas, three sentinels,
// down-after-milliseconds 1000) until +switch-master, for cinnabar-sentinel and for
// redis-sentinel 7.0 in the same set-up. Prints the median of ROUNDS runs and, per failover
// step, when its event arrived (milliseconds after the kill, median over the runs).
//
//   npm run build && node bench/sentinel-failover.mjs [rounds=10]

import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { freePort, median, until, waitPort } from './lib.mjs';

const ROUNDS = Number(process.argv[2] ?? 10);
const SENTINEL = fileURLToPath(new URL('../dist/bundle/cinnabar-sentinel.js', import.meta.url));
const STEPS = ['+sdown', '+odown', '+elected-leader', '+selected-slave', '+promoted-slave', '+switch-master'];

/** @param {boolean} reference */
async function round(reference) {
  /** @type {import('node:child_process').ChildProcess[]} */
  const procs = [];
  /** @type {Redis[]} */
  const clients = [];
  try {
    const startRedis = async (/** @type {number | null} */ master) => {
      const port = await freePort();
      const dir = mkdtempSync(join(tmpdir(), 'failover-bench-'));
      const args = ['--port', String(port), '--save', '', '--dir', dir];
      if (master !== null) args.push('--replicaof', '127.0.0.1', String(master));
      const p = spawn('redis-server', args, { stdio: 'ignore', cwd: dir });
      procs.push(p);
      await waitPort(port);
      return { port, proc: p };
    };
    const primary = await startRedis(null);
    await startRedis(primary.port);
    await startRedis(primary.port);
    /** @type {number[]} */
    const sentinelPorts = [];
    for (let i = 0; i < 3; i++) {
      const port = await freePort();
      const dir = mkdtempSync(join(tmpdir(), 'failover-bench-s-'));
      const conf = join(dir, 'sentinel.conf');
      writeFileSync(conf, `port ${port}\ndir ${dir}\nsentinel monitor mymaster 127.0.0.1 ${primary.port} 2\nsentinel down-after-milliseconds mymaster 1000\n`);
      const p = reference
        ? spawn('redis-sentinel', [conf], { stdio: 'ignore', cwd: dir })
        : spawn(process.execPath, [SENTINEL, conf], { stdio: 'ignore', cwd: dir });
      procs.push(p);
      await waitPort(port);
      sentinelPorts.push(port);
    }
    for (const port of sentinelPorts) {
      const c = new Redis({ port });
      clients.push(c);
      await until(async () => {
        const m = /** @type {string[]} */ (await c.call('SENTINEL', 'MASTER', 'mymaster'));
        const f = Object.fromEntries(m.flatMap((v, i) => (i % 2 === 0 ? [[v, m[i + 1]]] : [])));
        return f['num-slaves'] === '2' && f['num-other-sentinels'] === '2';
      });
    }
    /** @type {Map<string, number>} */
    const firstSeen = new Map();
    let t0 = 0;
    for (const port of sentinelPorts) {
      const sub = new Redis({ port });
      clients.push(sub);
      sub.on('pmessage', (_p, channel) => {
        if (t0 !== 0 && !firstSeen.has(channel)) firstSeen.set(channel, performance.now() - t0);
      });
      await sub.psubscribe('*');
    }
    t0 = performance.now();
    primary.proc.kill('SIGKILL');
    await until(async () => firstSeen.has('+switch-master'));
    return firstSeen;
  } finally {
    for (const c of clients) c.disconnect();
    for (const p of procs) p.kill('SIGKILL');
  }
}

for (const reference of [false, true]) {
  /** @type {Map<string, number>[]} */
  const runs = [];
  for (let i = 0; i < ROUNDS; i++) runs.push(await round(reference));
  const name = reference ? 'redis-sentinel' : 'cinnabar-sentinel';
  const total = runs.map((r) => /** @type {number} */ (r.get('+switch-master')));
  console.log(`${name}: kill -9 -> +switch-master median ${median(total).toFixed(0)} ms (min ${Math.min(...total).toFixed(0)}, max ${Math.max(...total).toFixed(0)}, ${ROUNDS} runs)`);
  for (const step of STEPS) {
    const times = runs.map((r) => r.get(step)).filter((t) => t !== undefined);
    if (times.length > 0) console.log(`  ${step.padEnd(18)} ${median(/** @type {number[]} */ (times)).toFixed(0)} ms`);
  }
}
