import { expect, it } from 'vitest';
import { describeDifferential, type Pair, type Step } from '../helpers/differential.js';
import { prng } from '../helpers/random.js';
import { waitFor } from '../helpers/wait.js';

// Every sequence uses its own key names: the replies must match redis-server byte for byte, in
// RESP2 and in RESP3, errors included.

const BIG = 'x'.repeat(9000);

const basics: Step[] = [
  ['LPUSH', 'l', 'a', 'b', 'c'], ['RPUSH', 'l', '1', '-5', '9223372036854775807', '9223372036854775808', '007', ''],
  ['LRANGE', 'l', '0', '-1'], ['LLEN', 'l'], ['LLEN', 'missing'],
  ['LINDEX', 'l', '0'], ['LINDEX', 'l', '-1'], ['LINDEX', 'l', '8'], ['LINDEX', 'l', '9'], ['LINDEX', 'l', '-10'],
  ['LINDEX', 'missing', '0'], ['LINDEX', 'missing', 'x'],
  ['LRANGE', 'l', '2', '4'], ['LRANGE', 'l', '-3', '-1'], ['LRANGE', 'l', '-100', '100'], ['LRANGE', 'l', '0', '-100'],
  ['LRANGE', 'l', '5', '2'], ['LRANGE', 'l', '9', '20'], ['LRANGE', 'missing', '0', '-1'],
  ['LRANGE', 'l', '-9223372036854775808', '9223372036854775807'],
  ['LSET', 'l', '0', 'A'], ['LSET', 'l', '-1', 'Z'], ['LSET', 'l', '9', 'x'], ['LSET', 'l', '-10', 'x'], ['LSET', 'missing', '0', 'x'],
  ['LINSERT', 'l', 'BEFORE', 'b', 'bb'], ['LINSERT', 'l', 'after', 'Z', 'zz'], ['LINSERT', 'l', 'AFTER', 'nope', 'x'],
  ['LINSERT', 'missing', 'BEFORE', 'a', 'b'], ['LINSERT', 'l', 'before', '1', '42'], ['LRANGE', 'l', '0', '-1'],
  ['LPUSHX', 'l', 'px'], ['RPUSHX', 'l', 'rx1', 'rx2'], ['LPUSHX', 'missing', 'a'], ['RPUSHX', 'missing', 'a'], ['EXISTS', 'missing'],
  ['RPUSH', 'r', 'a', 'b', 'a', 'c', 'a', 'b', 'a'], ['LREM', 'r', '2', 'a'], ['LRANGE', 'r', '0', '-1'],
  ['LREM', 'r', '-1', 'b'], ['LRANGE', 'r', '0', '-1'], ['LREM', 'r', '0', 'a'], ['LRANGE', 'r', '0', '-1'],
  ['LREM', 'r', '0', 'nope'], ['LREM', 'missing', '0', 'a'], ['LREM', 'r', '0', 'b'], ['LREM', 'r', '0', 'c'], ['EXISTS', 'r'],
  ['RPUSH', 'n', '1', '01', '1'], ['LREM', 'n', '0', '1'], ['LRANGE', 'n', '0', '-1'],
  ['RPUSH', 't', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9'], ['LTRIM', 't', '1', '-2'], ['LRANGE', 't', '0', '-1'],
  ['LTRIM', 't', '-3', '100'], ['LRANGE', 't', '0', '-1'], ['LTRIM', 't', '5', '2'], ['EXISTS', 't'], ['LTRIM', 'missing', '0', '1'],
  ['RPUSH', 'bin', 'a\x00b', '\xff\r\n', BIG], ['LRANGE', 'bin', '0', '-1'], ['LPOS', 'bin', BIG], ['RPOP', 'bin'],
];

const pops: Step[] = [
  ['RPUSH', 'p', 'a', 'b', 'c', 'd', 'e', 'f', 'g'],
  ['LPOP', 'p'], ['RPOP', 'p'], ['LPOP', 'p', '2'], ['RPOP', 'p', '2'], ['LPOP', 'p', '0'], ['RPOP', 'p', '0'],
  ['LPOP', 'p', '100'], ['EXISTS', 'p'], ['LPOP', 'p'], ['RPOP', 'p', '1'], ['LPOP', 'p', '0'],
  ['LPOP', 'p', '-1'], ['LPOP', 'p', 'x'], ['RPOP', 'p', '1', '2'], ['LPOP', 'p', '9223372036854775808'],
  ['RPUSH', 'm1', '1', '2', '3'], ['RPUSH', 'm2', 'a', 'b'],
  ['LMPOP', '2', 'nope', 'm1', 'LEFT'], ['LMPOP', '2', 'm2', 'm1', 'RIGHT', 'COUNT', '5'], ['LMPOP', '1', 'm2', 'left'],
  ['LMPOP', '2', 'm1', 'm2', 'right', 'count', '1'], ['LMPOP', '1', 'm1', 'LEFT', 'COUNT', '10'], ['LMPOP', '1', 'm1', 'LEFT'],
  ['LMPOP', '0', 'm1', 'LEFT'], ['LMPOP', '-1', 'm1', 'LEFT'], ['LMPOP', 'x', 'm1', 'LEFT'], ['LMPOP', '2', 'm1', 'LEFT'],
  ['LMPOP', '1', 'm1', 'UP'], ['LMPOP', '1', 'm1', 'LEFT', 'COUNT'], ['LMPOP', '1', 'm1', 'LEFT', 'COUNT', '0'],
  ['LMPOP', '1', 'm1', 'LEFT', 'COUNT', '-1'], ['LMPOP', '1', 'm1', 'LEFT', 'COUNT', '1', 'COUNT', '2'],
  ['LMPOP', '1', 'm1', 'LEFT', 'foo'], ['LMPOP', '3', 'a', 'b', 'LEFT'], ['LMPOP', '1'],
  ['RPUSH', 'm3', 'x'], ['BLMPOP', '0', '1', 'm3', 'LEFT', 'COUNT', '3'], ['BLMPOP', '0.01', '1', 'm3', 'RIGHT'],
  ['BLMPOP', 'x', '1', 'm3', 'LEFT'], ['BLMPOP', '0', '0', 'm3', 'LEFT'], ['BLMPOP', '-1', '1', 'm3', 'LEFT'],
  ['BLMPOP', '0', '1', 'm3', 'LEFT', 'COUNT', '0'],
];

const moves: Step[] = [
  ['RPUSH', 's', '1', '2', '3'], ['RPUSH', 'd', 'x'],
  ['LMOVE', 's', 'd', 'LEFT', 'RIGHT'], ['LMOVE', 's', 'd', 'right', 'left'], ['LRANGE', 'd', '0', '-1'],
  ['RPOPLPUSH', 's', 'd'], ['EXISTS', 's'], ['RPOPLPUSH', 's', 'd'], ['LMOVE', 's', 'd', 'LEFT', 'LEFT'],
  ['LMOVE', 'd', 'd', 'LEFT', 'RIGHT'], ['LRANGE', 'd', '0', '-1'], ['RPOPLPUSH', 'd', 'new'], ['LRANGE', 'new', '0', '-1'],
  ['LMOVE', 's', 'd', 'UP', 'LEFT'], ['LMOVE', 's', 'd', 'LEFT', 'DOWN'],
  ['SET', 'str', 'v'], ['LMOVE', 'str', 'd', 'LEFT', 'LEFT'], ['LMOVE', 'd', 'str', 'LEFT', 'LEFT'], ['RPOPLPUSH', 'd', 'str'],
  ['LRANGE', 'd', '0', '-1'], ['BLMOVE', 'd', 'new', 'RIGHT', 'LEFT', '0'], ['BRPOPLPUSH', 'd', 'new', '0'],
  ['BLMOVE', 'str', 'new', 'RIGHT', 'LEFT', '0'], ['BLMOVE', 'd', 'str', 'RIGHT', 'LEFT', '0'],
  ['BLMOVE', 'empty', 'new', 'RIGHT', 'LEFT', '0.01'], ['BRPOPLPUSH', 'empty', 'new', '0.01'],
  ['BLMOVE', 'd', 'new', 'LEFT', 'LEFT', 'x'], ['BRPOPLPUSH', 'd', 'new', '-1'],
  ['BLPOP', 'empty', 'd', '0'], ['BRPOP', 'd', 'new', '0'], ['BLPOP', 'empty', '0.01'],
];

const lposSteps: Step[] = [
  ['RPUSH', 'p', 'a', 'b', 'c', '1', '2', '3', 'c', 'c'],
  ['LPOS', 'p', 'a'], ['LPOS', 'p', 'c'], ['LPOS', 'p', 'c', 'RANK', '2'], ['LPOS', 'p', 'c', 'RANK', '4'],
  ['LPOS', 'p', 'c', 'RANK', '-1'], ['LPOS', 'p', 'c', 'RANK', '-2'], ['LPOS', 'p', 'c', 'RANK', '0'],
  ['LPOS', 'p', 'c', 'COUNT', '0'], ['LPOS', 'p', 'c', 'COUNT', '1'], ['LPOS', 'p', 'c', 'COUNT', '2', 'RANK', '-1'],
  ['LPOS', 'p', 'c', 'COUNT', '0', 'MAXLEN', '3'], ['LPOS', 'p', 'c', 'COUNT', '0', 'MAXLEN', '3', 'RANK', '-1'],
  ['LPOS', 'p', 'c', 'MAXLEN', '1'], ['LPOS', 'p', 'x', 'COUNT', '2'], ['LPOS', 'p', 'x'],
  ['LPOS', 'missing', 'c'], ['LPOS', 'missing', 'c', 'COUNT', '0'],
  ['LPOS', 'p', 'c', 'COUNT', '-1'], ['LPOS', 'p', 'c', 'COUNT', 'x'], ['LPOS', 'p', 'c', 'MAXLEN', '-1'],
  ['LPOS', 'p', 'c', 'RANK', 'x'], ['LPOS', 'p', 'c', 'RANK'], ['LPOS', 'p', 'c', 'FOO', '1'],
  ['LPOS', 'p', 'c', 'RANK', '-9223372036854775808'], ['LPOS', 'p', 'c', 'RANK', '-9223372036854775808', 'COUNT', '1'],
  ['LPOS', 'p', 'c', 'RANK', '9223372036854775807'], ['LPOS', 'missing', 'c', 'RANK', '0'],
  ['LPOS', 'p', '1'], ['LPOS', 'p', '01'],
];

const errors: Step[] = [
  ['SET', 'str', 'x'],
  ['LPUSH', 'str', 'a'], ['RPUSH', 'str', 'a'], ['LPUSHX', 'str', 'a'], ['RPUSHX', 'str', 'a'], ['LPOP', 'str'],
  ['RPOP', 'str', '2'], ['LLEN', 'str'], ['LINDEX', 'str', '0'], ['LINDEX', 'str', 'x'], ['LSET', 'str', '0', 'a'],
  ['LINSERT', 'str', 'BEFORE', 'a', 'b'], ['LINSERT', 'str', 'MIDDLE', 'a', 'b'], ['LRANGE', 'str', '0', '-1'],
  ['LRANGE', 'str', 'x', '1'], ['LTRIM', 'str', '0', '1'], ['LPOS', 'str', 'a'], ['LREM', 'str', '0', 'a'],
  ['LMPOP', '1', 'str', 'LEFT'], ['BLPOP', 'str', '0'], ['BLMPOP', '0', '1', 'str', 'LEFT'],
  ['RPUSH', 'l', 'a'],
  ['LPUSH', 'l'], ['LPOP'], ['LINDEX', 'l'], ['LSET', 'l', '0'], ['LINSERT', 'l', 'BEFORE', 'a'], ['LRANGE', 'l', '0'],
  ['LTRIM', 'l'], ['LPOS', 'l'], ['LREM', 'l', '0'], ['LMOVE', 'l', 'd', 'LEFT'], ['RPOPLPUSH', 'l'], ['LMPOP', '1', 'l'],
  ['BLPOP', 'l'], ['BLMOVE', 'l', 'd', 'LEFT', 'LEFT'], ['BRPOPLPUSH', 'l', 'd'], ['BLMPOP', '0', '1', 'l'],
  ['LINDEX', 'l', 'x'], ['LINDEX', 'l', '1.5'], ['LSET', 'l', 'x', 'v'], ['LRANGE', 'l', '0', 'x'], ['LTRIM', 'l', 'x', '0'],
  ['LREM', 'l', 'x', 'a'], ['LINSERT', 'l', 'MIDDLE', 'a', 'b'], ['LINDEX', 'l', '9223372036854775808'],
  ['BLPOP', 'l2', 'abc'], ['BLPOP', 'l2', '-0.5'], ['BLPOP', 'l2', 'inf'], ['BLPOP', 'l2', '1e30'], ['BLPOP', 'l2', ' 1'],
  ['BLPOP', 'l2', 'nan'], ['BLPOP', 'l2', ''], ['BLPOP', 'l2', '9.3e15'], ['BRPOP', 'l2', '0x0.0001p-20'],
  ['DEBUG', 'QUICKLIST-PACKED-THRESHOLD', '-1'], ['DEBUG', 'QUICKLIST-PACKED-THRESHOLD', '5gb'],
  ['DEBUG', 'QUICKLIST-PACKED-THRESHOLD', '1x'], ['DEBUG', 'QUICKLIST-PACKED-THRESHOLD', '1.5'],
  ['DEBUG', 'QUICKLIST-PACKED-THRESHOLD', '4294967296'], ['DEBUG', 'QUICKLIST-PACKED-THRESHOLD', '0'],
];

/** Lists of each shape and size report their encoding as Redis does, before and after edits. */
const encodings: Step[] = [
  ['RPUSH', 'small', 'a', 'b'], ['OBJECT', 'ENCODING', 'small'],
  ['RPUSH', 'big', ...Array.from({ length: 1000 }, (_, i) => `item:${i}`)], ['OBJECT', 'ENCODING', 'big'],
  ['LTRIM', 'big', '0', '1'], ['OBJECT', 'ENCODING', 'big'], ['LRANGE', 'big', '0', '-1'],
  ['RPUSH', 'huge', BIG], ['OBJECT', 'ENCODING', 'huge'], ['LSET', 'huge', '0', 'small'], ['OBJECT', 'ENCODING', 'huge'],
  ['CONFIG', 'SET', 'list-max-listpack-size', '2'], ['RPUSH', 'cnt', '1', '2', '3'], ['OBJECT', 'ENCODING', 'cnt'],
  ['CONFIG', 'SET', 'list-max-ziplist-size', '-5'], ['CONFIG', 'GET', 'list-max-listpack-size'],
  ['RPUSH', 'cnt2', '1', '2', '3'], ['OBJECT', 'ENCODING', 'cnt2'],
  ['CONFIG', 'SET', 'list-max-listpack-size', '-2'],
  ['DEBUG', 'QUICKLIST-PACKED-THRESHOLD', '10b'], ['RPUSH', 'plain', 'aa', 'x'.repeat(20), 'bb'],
  ['LSET', 'plain', '0', 'y'.repeat(30)], ['LSET', 'plain', '1', 'cc'], ['LINSERT', 'plain', 'BEFORE', 'bb', 'z'.repeat(11)],
  ['LRANGE', 'plain', '0', '-1'], ['OBJECT', 'ENCODING', 'plain'], ['DEBUG', 'QUICKLIST-PACKED-THRESHOLD', '0'],
  ['COPY', 'big', 'big2'], ['LRANGE', 'big2', '0', '-1'], ['OBJECT', 'ENCODING', 'big2'], ['TYPE', 'big2'],
];

const LIST_COMMANDS = [
  'lpush', 'rpush', 'lpushx', 'rpushx', 'lpop', 'rpop', 'lrange', 'lindex', 'lset', 'linsert', 'llen', 'lrem', 'ltrim',
  'lpos', 'lmove', 'rpoplpush', 'lmpop', 'blpop', 'brpop', 'blmove', 'brpoplpush', 'blmpop',
];

const introspection: Step[] = [
  ...LIST_COMMANDS.map((name) => ['COMMAND', 'INFO', name]),
  ['COMMAND', 'GETKEYS', 'LMPOP', '2', 'a', 'b', 'LEFT'], ['COMMAND', 'GETKEYS', 'BLMPOP', '0', '2', 'a', 'b', 'LEFT'],
  ['COMMAND', 'GETKEYSANDFLAGS', 'BLPOP', 'a', 'b', '0'], ['COMMAND', 'GETKEYSANDFLAGS', 'LMOVE', 'a', 'b', 'LEFT', 'LEFT'],
  ['COMMAND', 'GETKEYS', 'BRPOPLPUSH', 'a', 'b', '0'],
];

function keyed(steps: Step[], prefix: string): Step[] {
  const keyPositions: Record<string, number[]> = {
    LMOVE: [1, 2], RPOPLPUSH: [1, 2], BLMOVE: [1, 2], BRPOPLPUSH: [1, 2], COPY: [1, 2],
  };
  return steps.map((step) => {
    if (!Array.isArray(step) || step.length < 2) return step;
    const name = step[0].toUpperCase();
    if (['CONFIG', 'DEBUG', 'COMMAND', 'OBJECT'].includes(name)) {
      return name === 'OBJECT' ? [...step.slice(0, 2), prefix + step[2]] : step;
    }
    if (name === 'LMPOP' || name === 'BLMPOP') {
      const at = name === 'LMPOP' ? 1 : 2;
      const n = Number(step[at]);
      if (!Number.isInteger(n) || n < 1) return step;
      return step.map((a, i) => (i > at && i <= at + n ? prefix + a : a));
    }
    if (name === 'BLPOP' || name === 'BRPOP' || name === 'EXISTS') {
      const last = name === 'EXISTS' ? step.length : step.length - 1;
      return step.map((a, i) => (i >= 1 && i < last ? prefix + a : a));
    }
    const positions = keyPositions[name] ?? [1];
    return step.map((a, i) => (positions.includes(i) ? prefix + a : a));
  });
}

/** Waits until both servers count `n` clients blocked on keys. */
async function bothBlocked(admin: Pair, n: number): Promise<void> {
  const count = async (c: Pair['ours']): Promise<number> => {
    const info = await c.call('INFO', 'clients');
    return Number(/blocked_clients:(\d+)/.exec(info)?.[1] ?? -1);
  };
  await waitFor(async () => (await count(admin.ours)) === n && (await count(admin.theirs)) === n, 5000, `${n} blocked clients on both`);
}

async function same(pair: Pair, what: string): Promise<void> {
  const [a, b] = await Promise.all([pair.ours.readReply(), pair.theirs.readReply()]);
  expect(a, what).toBe(b);
}

function sendBoth(pair: Pair, ...args: string[]): void {
  pair.ours.send(...args);
  pair.theirs.send(...args);
}

async function callBoth(pair: Pair, ...args: string[]): Promise<void> {
  sendBoth(pair, ...args);
  await same(pair, args.join(' '));
}

/** A seeded random sequence of list commands over a few keys (one of them a string). */
function randomSteps(seed: number, count: number): Step[] {
  const rand = prng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)];
  const int = (min: number, max: number): number => min + Math.floor(rand() * (max - min + 1));
  const keys = ['f1', 'f2', 'f3', 'fstr', 'fnone'];
  const elements = ['a', 'b', 'c', '1', '-7', '300', '9223372036854775807', '01', '', 'x'.repeat(70), 'y'.repeat(5000)];
  const index = (): string => String(pick([int(-12, 12), int(-12, 12), 0, -1, 9223372036854775807]));
  const steps: Step[] = [['SET', 'fstr', 'v']];
  for (let i = 0; i < count; i++) {
    const k = pick(keys);
    const some = (): string[] => Array.from({ length: int(1, 4) }, () => pick(elements));
    const end = (): string => pick(['LEFT', 'RIGHT', 'left']);
    switch (int(0, 17)) {
      case 0: case 1: steps.push([pick(['LPUSH', 'RPUSH']), k, ...some()]); break;
      case 2: steps.push([pick(['LPUSHX', 'RPUSHX']), k, ...some()]); break;
      case 3: steps.push(rand() < 0.5 ? [pick(['LPOP', 'RPOP']), k] : [pick(['LPOP', 'RPOP']), k, String(int(-1, 5))]); break;
      case 4: steps.push(['LINDEX', k, index()]); break;
      case 5: steps.push(['LSET', k, index(), pick(elements)]); break;
      case 6: steps.push(['LINSERT', k, pick(['BEFORE', 'AFTER']), pick(elements), pick(elements)]); break;
      case 7: case 8: steps.push(['LRANGE', k, index(), index()]); break;
      case 9: steps.push(['LTRIM', k, index(), index()]); break;
      case 10: steps.push(['LREM', k, String(int(-3, 3)), pick(elements)]); break;
      case 11: {
        const opts: string[] = [];
        if (rand() < 0.4) opts.push('RANK', String(pick([int(-3, 3), 1])));
        if (rand() < 0.4) opts.push('COUNT', String(int(0, 3)));
        if (rand() < 0.3) opts.push('MAXLEN', String(int(0, 6)));
        steps.push(['LPOS', k, pick(elements), ...opts]);
        break;
      }
      case 12: steps.push(['LMOVE', k, pick(keys), end(), end()]); break;
      case 13: steps.push(['RPOPLPUSH', k, pick(keys)]); break;
      case 14: steps.push(['LMPOP', '2', k, pick(keys), end(), ...(rand() < 0.5 ? ['COUNT', String(int(1, 4))] : [])]); break;
      case 15: steps.push(['LLEN', k]); break;
      case 16: steps.push(['CONFIG', 'SET', 'list-max-listpack-size', String(pick([-2, -1, 1, 2, 5]))]); break;
      default: steps.push(['DEBUG', 'QUICKLIST-PACKED-THRESHOLD', pick(['0', '60b', '1kb'])]);
    }
  }
  steps.push(['LRANGE', 'f1', '0', '-1'], ['LRANGE', 'f2', '0', '-1'], ['LRANGE', 'f3', '0', '-1']);
  steps.push(['CONFIG', 'SET', 'list-max-listpack-size', '-2'], ['DEBUG', 'QUICKLIST-PACKED-THRESHOLD', '0']);
  return steps;
}

describeDifferential('list commands', (servers) => {
  // LIST_FUZZ_SEEDS=50 LIST_FUZZ_COMMANDS=3000 runs a longer local search.
  const seeds = Number(process.env.LIST_FUZZ_SEEDS ?? 3);
  const commands = Number(process.env.LIST_FUZZ_COMMANDS ?? 600);
  for (let seed = 1; seed <= seeds; seed++) {
    it(`a random sequence of list commands matches (seed ${seed})`, async () => {
      await servers.run(randomSteps(seed, commands), seed % 2 === 0 ? 3 : 2);
    });
  }

  for (const resp of [2, 3] as const) {
    it(`reads and writes match in RESP${resp}`, async () => {
      await servers.run(keyed(basics, `basics${resp}:`), resp);
    });
    it(`pops with counts, LMPOP and their null replies match in RESP${resp}`, async () => {
      await servers.run(keyed(pops, `pops${resp}:`), resp);
    });
    it(`LMOVE, RPOPLPUSH and the blocking moves served at once match in RESP${resp}`, async () => {
      await servers.run(keyed(moves, `moves${resp}:`), resp);
    });
    it(`LPOS options and errors match in RESP${resp}`, async () => {
      await servers.run(keyed(lposSteps, `lpos${resp}:`), resp);
    });
    it(`argument, arity and type errors match in RESP${resp}`, async () => {
      await servers.run(keyed(errors, `errors${resp}:`), resp);
    });
    it(`OBJECT ENCODING through size changes and plain elements matches in RESP${resp}`, async () => {
      await servers.run(keyed(encodings, `enc${resp}:`), resp);
    });
    it(`COMMAND INFO and key extraction of the list commands match in RESP${resp}`, async () => {
      await servers.run(introspection, resp);
    });

    it(`blocked clients are served in blocking order, timed out and unblocked alike (RESP${resp})`, async () => {
      const admin = await servers.connect(resp);
      await callBoth(admin, 'FLUSHALL');
      const waiters = [await servers.connect(resp), await servers.connect(resp), await servers.connect(resp), await servers.connect(resp)];
      sendBoth(waiters[0], 'BLPOP', 'q', 'q2', '0');
      await bothBlocked(admin, 1);
      sendBoth(waiters[1], 'BLMPOP', '0', '2', 'q2', 'q', 'RIGHT', 'COUNT', '2');
      await bothBlocked(admin, 2);
      sendBoth(waiters[2], 'BRPOPLPUSH', 'q', 'dst', '0');
      await bothBlocked(admin, 3);
      sendBoth(waiters[3], 'BLMOVE', 'q', 'dst', 'LEFT', 'RIGHT', '0');
      await bothBlocked(admin, 4);
      await callBoth(admin, 'RPUSH', 'q', 'a', 'b', 'c', 'd');
      for (let i = 0; i < 3; i++) await same(waiters[i], `waiter ${i}`);
      await callBoth(admin, 'LRANGE', 'dst', '0', '-1');
      await callBoth(admin, 'MULTI');
      await callBoth(admin, 'RPUSH', 'q', 'e');
      await callBoth(admin, 'LPUSH', 'q', 'f');
      await callBoth(admin, 'EXEC');
      await same(waiters[3], 'waiter 3');
      await callBoth(admin, 'LRANGE', 'q', '0', '-1');
      await callBoth(admin, 'LRANGE', 'dst', '0', '-1');
      // A timeout, then CLIENT UNBLOCK in both forms.
      await callBoth(waiters[0], 'BRPOP', 'none', '0.05');
      sendBoth(waiters[1], 'CLIENT', 'ID');
      const [idOurs, idTheirs] = await Promise.all([waiters[1].ours.readReply(), waiters[1].theirs.readReply()]);
      for (const how of ['TIMEOUT', 'ERROR']) {
        sendBoth(waiters[1], 'BLMPOP', '0', '1', 'none', 'LEFT');
        await bothBlocked(admin, 1);
        admin.ours.send('CLIENT', 'UNBLOCK', idOurs.slice(1, -2), how);
        admin.theirs.send('CLIENT', 'UNBLOCK', idTheirs.slice(1, -2), how);
        await same(admin, 'CLIENT UNBLOCK');
        await same(waiters[1], `unblocked with ${how}`);
      }
    });
  }

  it('keyspace events of list commands match', async () => {
    const sub = await servers.connect();
    const admin = await servers.connect();
    await callBoth(admin, 'FLUSHALL');
    await callBoth(admin, 'CONFIG', 'SET', 'notify-keyspace-events', 'KEA');
    await callBoth(sub, 'PSUBSCRIBE', '__key*__:*');
    const steps: string[][] = [
      ['RPUSH', 'k', 'a', 'b', 'c', 'd'], ['LPUSH', 'k', 'z'], ['LPOP', 'k'], ['RPOP', 'k', '2'], ['LSET', 'k', '0', 'A'],
      ['LINSERT', 'k', 'AFTER', 'A', 'B'], ['LINSERT', 'k', 'AFTER', 'nope', 'B'], ['LREM', 'k', '0', 'B'], ['LREM', 'k', '0', 'nope'],
      ['LTRIM', 'k', '0', '-1'], ['LMOVE', 'k', 'k2', 'LEFT', 'RIGHT'], ['RPOPLPUSH', 'k2', 'k'], ['LMPOP', '1', 'k', 'LEFT', 'COUNT', '5'],
      ['RPUSH', 'k', 'x'], ['LTRIM', 'k', '1', '0'], ['RPUSHX', 'k', 'x'], ['RPUSH', 'k', 'y'], ['BLPOP', 'k3', 'k', '0'],
    ];
    for (const step of steps) {
      await callBoth(admin, ...step);
      // The step's events, then the PING reply that follows them on both connections.
      sendBoth(sub, 'PING');
      for (;;) {
        const [ours, theirs] = await Promise.all([sub.ours.readReply(), sub.theirs.readReply()]);
        expect(ours, `events after ${step.join(' ')}`).toBe(theirs);
        if (theirs.includes('pong')) break;
      }
    }
    await callBoth(admin, 'CONFIG', 'SET', 'notify-keyspace-events', '');
  });
});
