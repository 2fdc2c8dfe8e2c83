#!/usr/bin/env node
// @ts-check
// A cache workload at maxmemory against cinnabar (dist/) and redis-server 7.0, for the eviction
// policies: keys drawn from a Zipf distribution (s = 1) over DISTINCT keys, each request a GET
// and, on a miss, a SET of a VALUE_BYTES value (the read-through cache pattern). After a warm-up
// of as many requests, the hit ratio over MEASURED requests is reported with used_memory as each
// server reports it against maxmemory, and evicted_keys.
//
//   node bench/eviction-zipf.mjs [policy ...]     (default: allkeys-lru allkeys-lfu)
//   env: DISTINCT (1000000), REQUESTS (1000000 measured, as many warm-up), MAXMEMORY (20mb),
//        VALUE_BYTES (100), BATCH (200 GETs per round trip)
// Both servers get the same seeded request sequence. Loopback only; bounded by REQUESTS.

import { spawn } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';

const DISTINCT = Number(process.env.DISTINCT ?? 1_000_000);
const REQUESTS = Number(process.env.REQUESTS ?? 1_000_000);
const MAXMEMORY = process.env.MAXMEMORY ?? '20mb';
const VALUE_BYTES = Number(process.env.VALUE_BYTES ?? 100);
const BATCH = Number(process.env.BATCH ?? 200);
const policies = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['allkeys-lru', 'allkeys-lfu'];
const CINNABAR = fileURLToPath(new URL('../dist/bundle/cinnabar-server.js', import.meta.url));

/** The cumulative Zipf(s=1) weights of ranks 1..n, normalised. */
function zipfCdf(n) {
  const cdf = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) cdf[i] = sum += 1 / (i + 1);
  for (let i = 0; i < n; i++) cdf[i] /= sum;
  return cdf;
}

/** A small seeded generator (mulberry32), so both servers see the same requests. */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick(cdf, u) {
  let lo = 0;
  let hi = cdf.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cdf[mid] < u) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

async function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      s.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
    s.on('error', reject);
  });
}

async function start(kind, policy) {
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
    '--maxmemory', MAXMEMORY, '--maxmemory-policy', policy];
  const child = kind === 'redis'
    ? spawn('redis-server', args, { stdio: 'ignore' })
    : spawn(process.execPath, [CINNABAR, ...args], { stdio: 'ignore' });
  // Wait for the port before connecting (the client then needs no reconnect logic).
  for (let i = 0; ; i++) {
    const open = await new Promise((resolve) => {
      const probe = net.connect(port, '127.0.0.1', () => { probe.destroy(); resolve(true); });
      probe.on('error', () => resolve(false));
    });
    if (open) break;
    if (i > 100) throw new Error(`${kind} did not start`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const client = new Redis({ port, lazyConnect: true, enableReadyCheck: false });
  await client.connect();
  return { client, stop: () => { client.disconnect(); child.kill('SIGKILL'); } };
}

async function info(client, name) {
  const text = await client.info();
  const line = text.split('\r\n').find((l) => l.startsWith(`${name}:`));
  return line === undefined ? '' : line.slice(name.length + 1);
}

async function run(kind, policy, cdf) {
  const { client, stop } = await start(kind, policy);
  const next = random(42);
  const value = 'v'.repeat(VALUE_BYTES);
  let hits = 0;
  let counted = 0;
  let maxUsed = 0;
  try {
    for (let done = 0; done < 2 * REQUESTS; done += BATCH) {
      const keys = [];
      for (let i = 0; i < BATCH; i++) keys.push(`key:${pick(cdf, next())}`);
      const gets = client.pipeline();
      for (const k of keys) gets.get(k);
      const replies = (await gets.exec()) ?? [];
      const sets = client.pipeline();
      let misses = 0;
      replies.forEach(([err, reply], i) => {
        if (err === null && reply !== null) {
          if (done >= REQUESTS) hits++;
        } else {
          sets.set(keys[i], value);
          misses++;
        }
      });
      if (done >= REQUESTS) counted += BATCH;
      if (misses > 0) await sets.exec();
      if (done % (BATCH * 500) === 0 && done >= REQUESTS) maxUsed = Math.max(maxUsed, Number(await info(client, 'used_memory')));
    }
    const used = Number(await info(client, 'used_memory'));
    const maxmemory = Number(await info(client, 'maxmemory'));
    return {
      kind, policy, hitRatio: hits / counted, keys: await client.dbsize(), used, maxUsed: Math.max(maxUsed, used), maxmemory,
      evicted: Number(await info(client, 'evicted_keys')),
    };
  } finally {
    stop();
  }
}

const cdf = zipfCdf(DISTINCT);
console.log(`Zipf s=1 over ${DISTINCT} keys, ${REQUESTS} warm-up + ${REQUESTS} measured GET/SET-on-miss, ${VALUE_BYTES} B values, maxmemory ${MAXMEMORY}`);
for (const policy of policies) {
  for (const kind of ['redis', 'cinnabar']) {
    const r = await run(kind, policy, cdf);
    console.log(`${policy.padEnd(12)} ${kind.padEnd(9)} hit ratio ${(r.hitRatio * 100).toFixed(2)}%  keys ${r.keys}  used_memory ${r.used} (max seen ${r.maxUsed}) = ${(r.maxUsed / r.maxmemory * 100).toFixed(1)}% of maxmemory  evicted ${r.evicted}`);
  }
}
