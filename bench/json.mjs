// @ts-check
// JSON documents (issue 21's measures), cinnabar alone: JSON against strings of the same bytes.
// - CPU: one server holding a 10 KB document and the same 10 KB as a string. redis-benchmark
//   (50 clients, non-pipelined) runs JSON.GET of one field, GET of the string, JSON.SET of one
//   field and SET of the string (and, for context, JSON.GET and JSON.SET of the whole document);
//   the server's CPU time per request (utime+stime from /proc) is compared. Target: the
//   one-field JSON paths cost no more CPU than moving the whole string. Rounds alternate the
//   order of the workloads so load on the machine falls on all alike; medians are reported.
// - Memory: a fresh server per case loads 100,000 small documents (JSON.SET key $ doc) or the
//   same texts as strings (SET key doc); what loading added to VmRSS is compared, with
//   used_memory beside it.
//
//   npm run build && node bench/json.mjs [rounds=5]
//   BENCH_N=100000 requests per workload and round; BENCH_DOCS=100000 keys per memory case;
//   BENCH_SETTLE_MS=2000 wait before reading VmRSS; BENCH_SKIP_CPU=1, BENCH_SKIP_MEMORY=1.

import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { cpuTicks, freePort, median, waitPort } from './lib.mjs';

const ROUNDS = Number(process.argv[2] ?? 5);
const REQUESTS = Number(process.env.BENCH_N ?? 100_000);
const DOCS = Number(process.env.BENCH_DOCS ?? 100_000);
const SETTLE_MS = Number(process.env.BENCH_SETTLE_MS ?? 2_000);
const LAUNCHER = fileURLToPath(new URL('../bin/cinnabar-server', import.meta.url));
const CLOCK_TICKS_PER_SEC = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'latin1' }).stdout.trim()) || 100;
/** Commands per pipeline while loading the memory cases. */
const LOAD_BATCH = 1_000;

/** @typedef {{ port: number, proc: import('node:child_process').ChildProcess, client: Redis }} Server */

/** @returns {Promise<Server>} */
async function startServer() {
  const port = await freePort();
  const proc = spawn(LAUNCHER, ['--port', String(port), '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  await waitPort(port);
  const client = new Redis({ port, maxRetriesPerRequest: 1 });
  return { port, proc, client };
}

/** @param {Server} server */
function stopServer(server) {
  server.client.disconnect();
  server.proc.kill('SIGKILL');
}

/** @param {Server} server */
function pidOf(server) {
  return /** @type {number} */ (server.proc.pid);
}

/** A "kB" field of /proc/<pid>/status, in bytes. @param {number} pid @param {string} field */
function statusBytes(pid, field) {
  const match = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'latin1'));
  if (!match) throw new Error(`no ${field} for pid ${pid}`);
  return Number(match[1]) * 1024;
}

/** @param {number} ms */
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ------------------------------------------------------------------ CPU per request

/**
 * A user profile of about 10 KB: scalar fields, a settings object (the one field read and
 * written is settings.theme), a list of addresses and of recent events.
 */
function profileDocument() {
  /** @type {Record<string, unknown>} */
  const doc = { id: 1000, name: 'Paul John', email: 'paul.john@example.com', active: true, score: 1234.5 };
  doc.settings = { theme: 'dark', notifications: true, language: 'en-GB', timezone: 'Europe/London', pageSize: 50 };
  for (let i = 0; i < 40; i++) doc[`attribute_${i}`] = `value number ${i} of this profile`;
  doc.addresses = Array.from({ length: 12 }, (_, i) => ({ street: `${i + 1} Example Road`, city: 'London', zip: `N${i} 1AA`, primary: i === 0 }));
  doc.events = Array.from({ length: 40 }, (_, i) => ({ at: 1_700_000_000 + i * 3600, kind: i % 3 === 0 ? 'login' : 'view', ok: true }));
  let text = JSON.stringify(doc);
  // Padded to 10 KB exactly, so the string and the document move the same bytes.
  const padding = 10_240 - text.length - ',"note":""'.length;
  if (padding < 0) throw new Error(`the profile is ${text.length} bytes, over 10 KB`);
  doc.note = 'n'.repeat(padding);
  text = JSON.stringify(doc);
  return text;
}

/**
 * Server CPU per request of one workload: redis-benchmark runs `argv` REQUESTS times.
 * @param {Server} server @param {string[]} argv
 */
function cpuPerRequest(server, argv) {
  const before = cpuTicks(pidOf(server));
  const out = spawnSync('redis-benchmark', ['-p', String(server.port), '-n', String(REQUESTS), '-c', '50', '--csv', ...argv],
    { encoding: 'utf8', timeout: 600_000, maxBuffer: 64 * 1024 * 1024 });
  const ticks = cpuTicks(pidOf(server)) - before;
  const lines = out.stdout.trim().split('\n').filter((l) => l.startsWith('"') && !l.startsWith('"test"'));
  if (out.status !== 0 || lines.length === 0) throw new Error(`redis-benchmark ${argv[0]} failed:\n${out.stdout.slice(0, 2000)}${out.stderr}`);
  // The test name is the command line, quotes unescaped: the figures are read from the end
  // (rps, then avg, min, p50, p95, p99, max latency).
  const fields = lines[lines.length - 1].split('","');
  const rps = Number(fields[fields.length - 7]);
  return { rps, cpuMicros: (ticks * 1e6) / CLOCK_TICKS_PER_SEC / REQUESTS };
}

async function cpuSection() {
  const text = profileDocument();
  const server = await startServer();
  try {
    await server.client.call('JSON.SET', 'doc', '$', text);
    await server.client.set('str', text);
    const theme = await server.client.call('JSON.GET', 'doc', '$.settings.theme');
    const whole = await server.client.call('JSON.GET', 'doc');
    if (theme !== '["dark"]' || whole !== text || (await server.client.strlen('str')) !== 10_240) {
      throw new Error(`the data did not load as expected: ${String(theme)}, ${String(whole).length} bytes`);
    }
    /** @type {{ name: string, argv: string[] }[]} */
    const workloads = [
      { name: 'JSON.GET one field', argv: ['JSON.GET', 'doc', '$.settings.theme'] },
      { name: 'GET 10 KB string', argv: ['GET', 'str'] },
      { name: 'JSON.SET one field', argv: ['JSON.SET', 'doc', '$.settings.theme', '"light"'] },
      { name: 'SET 10 KB string', argv: ['SET', 'str', text] },
      { name: 'JSON.GET whole document', argv: ['JSON.GET', 'doc'] },
      { name: 'JSON.SET whole document', argv: ['JSON.SET', 'doc', '$', text] },
    ];
    /** @type {Map<string, { rps: number, cpuMicros: number }[]>} */
    const results = new Map(workloads.map((w) => [w.name, []]));
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? workloads : [...workloads].reverse();
      for (const w of order) results.get(w.name)?.push(cpuPerRequest(server, w.argv));
      process.stdout.write('.');
    }
    process.stdout.write('\n');
    const cpu = (/** @type {string} */ name) => median((results.get(name) ?? []).map((r) => r.cpuMicros));
    const rps = (/** @type {string} */ name) => median((results.get(name) ?? []).map((r) => r.rps));
    console.log(`CPU per request, one cinnabar, ${ROUNDS} rounds of ${REQUESTS} requests (50 clients), medians:`);
    console.log('| workload | server CPU us/request | requests/s |');
    console.log('|---|---|---|');
    for (const w of workloads) console.log(`| ${w.name} | ${cpu(w.name).toFixed(2)} | ${rps(w.name).toFixed(0)} |`);
    console.log('');
    console.log('| ratio (CPU per request) | value | target |');
    console.log('|---|---|---|');
    console.log(`| JSON.GET one field / GET 10 KB string | ${(cpu('JSON.GET one field') / cpu('GET 10 KB string')).toFixed(2)} | <= 1 |`);
    console.log(`| JSON.SET one field / SET 10 KB string | ${(cpu('JSON.SET one field') / cpu('SET 10 KB string')).toFixed(2)} | <= 1 |`);
    console.log(`| JSON.GET whole document / GET 10 KB string | ${(cpu('JSON.GET whole document') / cpu('GET 10 KB string')).toFixed(2)} | (context) |`);
    console.log(`| JSON.SET whole document / SET 10 KB string | ${(cpu('JSON.SET whole document') / cpu('SET 10 KB string')).toFixed(2)} | (context) |`);
  } finally {
    stopServer(server);
  }
}

// ------------------------------------------------------------------ memory

/** A small document (about 130 bytes), distinct per key. @param {number} i */
function smallDocument(i) {
  return JSON.stringify({ id: i, name: `user ${i}`, email: `user-${i}@example.com`, age: 20 + (i % 50), active: i % 2 === 0, score: (i % 1000) / 4, tags: ['a', `t${i % 10}`] });
}

/**
 * RSS growth of a fresh server loaded with DOCS keys by `command(i)`.
 * @param {(i: number) => string[]} command @param {(client: Redis) => Promise<boolean>} verify
 */
async function loadedGrowth(command, verify) {
  const server = await startServer();
  try {
    await sleep(SETTLE_MS);
    const emptyRss = statusBytes(pidOf(server), 'VmRSS');
    for (let start = 0; start < DOCS; start += LOAD_BATCH) {
      const pipeline = server.client.pipeline();
      for (let i = start; i < Math.min(DOCS, start + LOAD_BATCH); i++) {
        const [name, ...args] = command(i);
        pipeline.call(name, ...args);
      }
      const replies = await pipeline.exec();
      const failed = replies?.find(([err]) => err !== null);
      if (failed) throw failed[0];
    }
    if (!(await verify(server.client))) throw new Error('the keys did not load as expected');
    await sleep(SETTLE_MS);
    const rss = statusBytes(pidOf(server), 'VmRSS');
    const info = /** @type {string} */ (await server.client.info('memory'));
    const usedMemory = Number(/used_memory:(\d+)/.exec(info)?.[1] ?? NaN);
    return { growth: rss - emptyRss, rss, usedMemory };
  } finally {
    stopServer(server);
  }
}

async function memorySection() {
  const json = await loadedGrowth((i) => ['JSON.SET', `doc:${i}`, '$', smallDocument(i)],
    async (c) => (await c.dbsize()) === DOCS && (await c.call('JSON.GET', `doc:${DOCS - 1}`)) === smallDocument(DOCS - 1));
  const strings = await loadedGrowth((i) => ['SET', `doc:${i}`, smallDocument(i)],
    async (c) => (await c.dbsize()) === DOCS && (await c.get(`doc:${DOCS - 1}`)) === smallDocument(DOCS - 1));
  const mb = (/** @type {number} */ b) => (b / 1024 / 1024).toFixed(1);
  console.log(`Memory, ${DOCS.toLocaleString('en-US')} small documents (${smallDocument(0).length}-${smallDocument(DOCS - 1).length} bytes each), a fresh server per case:`);
  console.log('| data | RSS growth MB | bytes/key | RSS MB | used_memory MB |');
  console.log('|---|---|---|---|---|');
  for (const [name, r] of /** @type {const} */ ([['JSON documents', json], ['strings', strings]])) {
    console.log(`| ${name} | ${mb(r.growth)} | ${(r.growth / DOCS).toFixed(0)} | ${mb(r.rss)} | ${mb(r.usedMemory)} |`);
  }
  console.log(`RSS growth ratio JSON / strings: ${(json.growth / strings.growth).toFixed(2)}`);
}

if (process.env.BENCH_SKIP_CPU !== '1') await cpuSection();
if (process.env.BENCH_SKIP_MEMORY !== '1') await memorySection();
