import { it } from 'vitest';
import { describeDifferential, type Step } from '../helpers/differential.js';
import { prng } from '../helpers/random.js';

// HyperLogLogs compared with redis-server byte for byte: the same PFADD/PFMERGE sequences, then
// GET of the stored string (sparse opcodes, dense registers, cached cardinality), PFCOUNT's
// estimate, PFDEBUG's views, errors, and values corrupted on purpose. RESP2 and RESP3.

/** A header: "HYLL", the encoding byte, three unused bytes, the cached cardinality (stale). */
function header(encoding: number, card = '\0\0\0\0\0\0\0\x80'): string {
  return 'HYLL' + String.fromCharCode(encoding) + '\0\0\0' + card;
}

function elements(random: () => number, count: number, prefix: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    // Mostly text, sometimes arbitrary bytes of every length class of the hash (0-7 tail bytes).
    if (random() < 0.2) {
      let s = '';
      const len = Math.floor(random() * 20);
      for (let j = 0; j < len; j++) s += String.fromCharCode(Math.floor(random() * 256));
      out.push(s);
    } else {
      out.push(`${prefix}${Math.floor(random() * 1e9)}`);
    }
  }
  return out;
}

const basics: Step[] = [
  ['PFADD', 'b:h'], ['EXISTS', 'b:h'], ['TYPE', 'b:h'], ['OBJECT', 'ENCODING', 'b:h'], ['GET', 'b:h'], ['STRLEN', 'b:h'],
  ['PFCOUNT', 'b:h'], ['PFADD', 'b:h', 'a', 'b', 'c'], ['GET', 'b:h'], ['PFADD', 'b:h', 'a', 'b', 'c'],
  ['GETRANGE', 'b:h', '15', '15'], ['PFCOUNT', 'b:h'], ['GET', 'b:h'], ['GETRANGE', 'b:h', '15', '15'],
  ['PFADD', 'b:h', 'a'], ['GETRANGE', 'b:h', '15', '15'], ['PFADD', 'b:h', '1', '2', '3'], ['GETRANGE', 'b:h', '15', '15'],
  ['PFADD', 'b:h', ''], ['PFADD', 'b:h', '\x00\xff\r\n'], ['PFCOUNT', 'b:h'], ['PFCOUNT', 'b:h'], ['GET', 'b:h'],
  ['PFDEBUG', 'ENCODING', 'b:h'], ['PFDEBUG', 'decode', 'b:h'], ['PFDEBUG', 'GetReg', 'b:h'], ['PFDEBUG', 'encoding', 'b:h'],
  ['GET', 'b:h'], ['PFDEBUG', 'TODENSE', 'b:h'], ['PFDEBUG', 'TODENSE', 'b:h'], ['PFDEBUG', 'DECODE', 'b:h'],
  ['PFCOUNT', 'b:h'], ['GET', 'b:h'], ['OBJECT', 'ENCODING', 'b:h'],
  ['PFCOUNT', 'b:missing'], ['PFCOUNT', 'b:missing', 'b:missing2'], ['EXISTS', 'b:missing'],
  ['PFADD', 'b:one', 'x'], ['PFCOUNT', 'b:one', 'b:h', 'b:missing'], ['GET', 'b:one'], ['GET', 'b:h'],
  // An HLL written back with SET is an embstr or a plain raw string: still an HLL.
  ['PFADD', 'b:small', 'q'], ['GET', 'b:small'],
  ['SET', 'b:copy', header(1, '\0\0\0\0\0\0\0\0') + '\x7f\xff'], ['OBJECT', 'ENCODING', 'b:copy'], ['PFCOUNT', 'b:copy', 'b:one'],
  ['OBJECT', 'ENCODING', 'b:copy'], ['PFCOUNT', 'b:copy'], ['OBJECT', 'ENCODING', 'b:copy'], ['PFADD', 'b:copy', 'z'], ['GET', 'b:copy'],
];

const introspection: Step[] = [
  ['COMMAND', 'INFO', 'pfadd', 'pfcount', 'pfmerge', 'pfdebug', 'pfselftest'],
  ['COMMAND', 'GETKEYS', 'PFMERGE', 'd', 's1', 's2'], ['COMMAND', 'GETKEYSANDFLAGS', 'PFMERGE', 'd', 's1', 's2'],
  ['COMMAND', 'GETKEYSANDFLAGS', 'PFCOUNT', 'a', 'b'], ['COMMAND', 'GETKEYSANDFLAGS', 'PFDEBUG', 'GETREG', 'k'],
  ['COMMAND', 'GETKEYS', 'PFADD', 'k'], ['COMMAND', 'GETKEYS', 'PFSELFTEST'],
];

const errors: Step[] = [
  ['SET', 'e:str', 'not an hll at all'], ['HSET', 'e:hash', 'f', 'v'], ['SET', 'e:int', '12345'],
  ['PFADD'], ['PFCOUNT'], ['PFMERGE'], ['PFDEBUG'], ['PFDEBUG', 'GETREG'], ['PFDEBUG', 'GETREG', 'e:h', 'x'], ['PFSELFTEST', 'x'],
  ['PFADD', 'e:str', 'a'], ['PFADD', 'e:hash', 'a'], ['PFADD', 'e:int'], ['PFCOUNT', 'e:str'], ['PFCOUNT', 'e:hash'],
  ['PFCOUNT', 'e:missing', 'e:str'], ['PFCOUNT', 'e:hash', 'e:str'], ['PFMERGE', 'e:str'], ['PFMERGE', 'e:new', 'e:str'],
  ['PFMERGE', 'e:new', 'e:hash'], ['PFMERGE', 'e:hash', 'e:new'], ['EXISTS', 'e:new'], ['GET', 'e:str'],
  ['PFDEBUG', 'GETREG', 'e:missing'], ['PFDEBUG', 'nosuch', 'e:missing'], ['PFDEBUG', 'GETREG', 'e:str'],
  ['PFDEBUG', 'ENCODING', 'e:hash'], ['PFADD', 'e:h', 'a'], ['PFDEBUG', 'nosuch', 'e:h'], ['PFDEBUG', 'bad\r\nname', 'e:h'],
  ['PFDEBUG', 'TODENSE', 'e:h'], ['PFDEBUG', 'DECODE', 'e:h'],
  // Too short, bad magic, unknown encoding, dense of the wrong length: not an HLL.
  ['SET', 'e:short', 'HYLL\x01'], ['PFCOUNT', 'e:short'], ['PFADD', 'e:short', 'x'],
  ['SET', 'e:magic', 'HYLX' + header(1).slice(4) + '\x7f\xff'], ['PFCOUNT', 'e:magic'],
  ['SET', 'e:enc', header(2) + '\x7f\xff'], ['PFCOUNT', 'e:enc'], ['PFMERGE', 'e:enc2', 'e:enc'],
  ['SET', 'e:dense', header(0) + '\x7f\xff'], ['PFCOUNT', 'e:dense'], ['PFDEBUG', 'GETREG', 'e:dense'],
  ['SET', 'e:dense2', header(0) + '\0'.repeat(12289)], ['PFCOUNT', 'e:dense2'],
];

/** Values corrupted by hand: each rule Redis checks, and where it checks it. */
const corrupt: Step[] = [
  // Redis's own cases: bytes after the last opcode, a broken magic, an invalid encoding.
  ['PFADD', 'c:tail', 'a', 'b', 'c'], ['APPEND', 'c:tail', 'hello'], ['PFCOUNT', 'c:tail'], ['GET', 'c:tail'],
  ['PFADD', 'c:tail', 'x', 'y', 'z'], ['PFCOUNT', 'c:tail'], ['PFCOUNT', 'c:tail', 'c:tail'], ['PFMERGE', 'c:m', 'c:tail'],
  ['EXISTS', 'c:m'], ['PFDEBUG', 'DECODE', 'c:tail'], ['PFDEBUG', 'GETREG', 'c:tail'], ['PFDEBUG', 'TODENSE', 'c:tail'],
  ['PFADD', 'c:magic', 'a'], ['SETRANGE', 'c:magic', '0', '0123'], ['PFCOUNT', 'c:magic'],
  ['PFADD', 'c:enc', 'a'], ['SETRANGE', 'c:enc', '4', 'x'], ['PFCOUNT', 'c:enc'],
  ['PFADD', 'c:len', 'a'], ['SETRANGE', 'c:len', '4', '\x00'], ['PFCOUNT', 'c:len'],
  // Opcodes that stop short of 16384 registers, or run past them (ZERO, XZERO and VAL).
  ['SET', 'c:short', header(1) + '\x7f\xfe'], ['PFCOUNT', 'c:short'], ['PFADD', 'c:short', 'a', 'b'], ['GET', 'c:short'],
  ['SET', 'c:over', header(1) + '\x7f\xff\x00'], ['PFCOUNT', 'c:over'], ['PFDEBUG', 'DECODE', 'c:over'],
  ['SET', 'c:val', header(1) + '\x7f\xff\x83'], ['PFCOUNT', 'c:val'], ['PFCOUNT', 'c:val', 'c:missing'],
  ['PFDEBUG', 'TODENSE', 'c:val'], ['PFMERGE', 'c:val2', 'c:val'], ['PFADD', 'c:val', 'a'], ['GET', 'c:val'],
  ['SET', 'c:xz', header(1) + '\x7f\xff\x40\x00'], ['PFCOUNT', 'c:xz'], ['PFCOUNT', 'c:xz', 'c:xz'], ['PFDEBUG', 'GETREG', 'c:xz'],
  ['SET', 'c:empty', header(1)], ['PFCOUNT', 'c:empty'], ['PFADD', 'c:empty', 'a'], ['PFDEBUG', 'DECODE', 'c:empty'],
  ['PFADD', 'c:empty'], ['PFMERGE', 'c:empty'], ['GET', 'c:empty'],
  // An XZERO cut by the end of the string (its second byte read from past the end), then split.
  ['SET', 'c:cut', header(1) + '\x7f\xbf\x7b'], ['PFDEBUG', 'DECODE', 'c:cut'], ['PFCOUNT', 'c:cut'],
  ['PFADD', 'c:cut', 'a13', 'b13', 'c', 'd', 'e'], ['GET', 'c:cut'], ['PFDEBUG', 'DECODE', 'c:cut'], ['PFCOUNT', 'c:cut'],
  ['SET', 'c:cut2', header(1) + '\x40\xff\x60'], ['PFADD', 'c:cut2', 'k1', 'k2', 'k3', 'k4', 'k5', 'k6'], ['GET', 'c:cut2'],
  // Here the split's last byte lands past the end, and the next XZERO cut short reads it there.
  ['SET', 'c:cut3', header(1) + '\x3f\x7f'], ['PFADD', 'c:cut3', 'a13', 'b13', 'c', 'd', 'e'], ['PFDEBUG', 'DECODE', 'c:cut3'],
  ['PFCOUNT', 'c:cut3'], ['SETRANGE', 'c:cut3', '16', '\x3f'], ['PFDEBUG', 'DECODE', 'c:cut3'], ['PFADD', 'c:cut3', 'f', 'g', 'h'],
  ['PFDEBUG', 'DECODE', 'c:cut3'], ['GET', 'c:cut3'],
  // Registers no hash produces: values above 51 (outside every term) and all 63 (no finite estimate).
  ['SET', 'c:dense63', header(0) + '\xff'.repeat(12288)], ['PFCOUNT', 'c:dense63'], ['GET', 'c:dense63'], ['PFCOUNT', 'c:dense63'],
  ['PFCOUNT', 'c:dense63', 'c:missing'], ['PFADD', 'c:dense63', 'a'], ['PFMERGE', 'c:d63', 'c:dense63'], ['GET', 'c:d63'],
  ['SET', 'c:dense52', header(0) + '\xcd\x34\xd3'.repeat(4096)], ['PFCOUNT', 'c:dense52'], ['GET', 'c:dense52'],
  ['SET', 'c:dense50', header(0) + '\xb2\x2c\xcb'.repeat(4096)], ['PFCOUNT', 'c:dense50'], ['GET', 'c:dense50'],
  // A valid cache is answered as it is, whatever it says.
  ['SET', 'c:cache', header(1, '\x01\x02\x03\x04\x05\x06\x07\x7f') + '\x7f\xff'], ['PFCOUNT', 'c:cache'],
  ['SET', 'c:cache2', header(1, '\xff\xff\xff\xff\xff\xff\x1f\x00') + '\x7f\xff'], ['PFCOUNT', 'c:cache2'],
  ['SET', 'c:cache3', header(1, '\x05\0\0\0\0\0\0\0') + '\x40\x00'], ['PFCOUNT', 'c:cache3'], ['PFCOUNT', 'c:cache3', 'c:x'],
];

/** Growth past the sparse limit, with GET after each batch, at several hll-sparse-max-bytes. */
function growth(seed: number): Step[] {
  const random = prng(seed);
  const steps: Step[] = [];
  for (const maxBytes of ['3000', '200', '0', '12000']) {
    steps.push(['CONFIG', 'SET', 'hll-sparse-max-bytes', maxBytes]);
    const key = `g:${maxBytes}`;
    for (const batch of [1, 5, 40, 200, 600, 1500, 3000]) {
      steps.push(['PFADD', key, ...elements(random, batch, `${key}:`)]);
      steps.push(['GET', key], ['PFDEBUG', 'ENCODING', key], ['PFCOUNT', key], ['GET', key]);
    }
    steps.push(['PFDEBUG', 'GETREG', key]);
  }
  steps.push(['CONFIG', 'SET', 'hll-sparse-max-bytes', '3000']);
  return steps;
}

/** PFMERGE: sparse stays sparse, any dense input makes the result dense, dest-only creates. */
function merges(seed: number): Step[] {
  const random = prng(seed);
  const steps: Step[] = [
    ['PFMERGE', 'm:fresh'], ['GET', 'm:fresh'], ['PFDEBUG', 'ENCODING', 'm:fresh'],
    ['PFMERGE', 'm:fresh2', 'm:nothing', 'm:nothing2'], ['GET', 'm:fresh2'], ['EXISTS', 'm:nothing'],
  ];
  for (let round = 0; round < 6; round++) {
    const sizes = [Math.floor(random() * 300), Math.floor(random() * 900), round % 2 === 0 ? 5000 : 20];
    for (let k = 0; k < 3; k++) steps.push(['PFADD', `m:s${k}`, ...elements(random, sizes[k], `r${round}k${k}:`)]);
    steps.push(
      ['PFMERGE', 'm:sparse', 'm:s0', 'm:s1'], ['GET', 'm:sparse'], ['PFDEBUG', 'ENCODING', 'm:sparse'],
      ['PFCOUNT', 'm:sparse'], ['PFCOUNT', 'm:s0', 'm:s1'], ['GET', 'm:s0'],
      ['PFMERGE', 'm:all', 'm:s0', 'm:s1', 'm:s2'], ['GET', 'm:all'], ['PFCOUNT', 'm:all'],
      ['PFCOUNT', 'm:s0', 'm:s1', 'm:s2', 'm:missing'],
      ['PFMERGE', 'm:s0', 'm:s0'], ['GET', 'm:s0'], ['PFMERGE', 'm:s1'], ['GET', 'm:s1'],
      ['PFMERGE', 'm:s1', 'm:s0'], ['GET', 'm:s1'], ['PFCOUNT', 'm:s1'],
    );
  }
  // A merge whose sparse result outgrows the limit turns dense on the way.
  steps.push(
    ['CONFIG', 'SET', 'hll-sparse-max-bytes', '300'], ['PFADD', 'm:big', ...elements(random, 400, 'big:')],
    ['CONFIG', 'SET', 'hll-sparse-max-bytes', '3000'], ['PFADD', 'm:small'], ['PFMERGE', 'm:small', 'm:big'],
    ['PFDEBUG', 'ENCODING', 'm:big'], ['CONFIG', 'SET', 'hll-sparse-max-bytes', '100'], ['PFMERGE', 'm:tiny', 'm:small'],
    ['GET', 'm:tiny'], ['PFDEBUG', 'ENCODING', 'm:tiny'], ['CONFIG', 'SET', 'hll-sparse-max-bytes', '3000'],
  );
  return steps;
}

/** Valid HLLs of every size with random bytes overwritten, then read and written. */
function fuzz(seed: number, rounds: number): Step[] {
  const random = prng(seed);
  const steps: Step[] = [];
  for (let round = 0; round < rounds; round++) {
    const key = `f:${round % 5}`;
    const size = Math.floor(random() * (round % 7 === 0 ? 3000 : 300));
    steps.push(['DEL', key], ['PFADD', key, ...elements(random, size, 'f')]);
    const corruptions = 1 + Math.floor(random() * 4);
    for (let i = 0; i < corruptions; i++) {
      // Offsets past the header unless the round means to hit it; STRLEN is the same on both.
      const offset = round % 11 === 0 ? Math.floor(random() * 20) : 16 + Math.floor(random() * (size < 100 ? 40 : 300));
      steps.push(['SETRANGE', key, String(offset), String.fromCharCode(Math.floor(random() * 256))]);
    }
    const op = round % 6;
    if (op === 0) steps.push(['PFCOUNT', key]);
    else if (op === 1) steps.push(['PFADD', key, ...elements(random, 1 + Math.floor(random() * 20), 'g')]);
    else if (op === 2) steps.push(['PFDEBUG', 'TODENSE', key]);
    else if (op === 3) steps.push(['PFMERGE', 'f:dest', key]);
    else if (op === 4) steps.push(['PFCOUNT', key, 'f:dest']);
    else steps.push(['PFDEBUG', 'DECODE', key]);
    steps.push(['GET', key], ['PFCOUNT', key], ['GET', key]);
  }
  return steps;
}

/** Arbitrary bytes after a sparse header: every opcode mix, as PFADD/PFCOUNT/PFMERGE see it. */
function randomSparse(seed: number, rounds: number): Step[] {
  const random = prng(seed);
  const steps: Step[] = [];
  for (let round = 0; round < rounds; round++) {
    let body = '';
    const len = Math.floor(random() * 40);
    for (let i = 0; i < len; i++) body += String.fromCharCode(Math.floor(random() * 256));
    // Often start with a long XZERO, so the opcodes come near 16384 registers.
    if (round % 3 === 0 && len > 2) body = '\x7f' + String.fromCharCode(0xff - Math.floor(random() * 100)) + body.slice(2);
    const key = `r:${round % 10}`;
    steps.push(['SET', key, header(1) + body]);
    const op = round % 6;
    if (op === 0) steps.push(['PFCOUNT', key]);
    else if (op === 1) steps.push(['PFADD', key, `a${round}`, `b${round}`, 'c']);
    else if (op === 2) steps.push(['PFDEBUG', 'DECODE', key]);
    else if (op === 3) steps.push(['PFDEBUG', 'GETREG', key]);
    else if (op === 4) steps.push(['PFMERGE', key, `r:${(round + 1) % 10}`]);
    else steps.push(['PFCOUNT', key, `r:${(round + 7) % 10}`]);
    steps.push(['GET', key]);
  }
  return steps;
}

/** Which arguments of a step are keys: from the first (index 1) or only one, by command. */
const ALL_KEYS = new Set(['PFCOUNT', 'PFMERGE', 'DEL', 'EXISTS']);
const KEY_AT_2 = new Set(['PFDEBUG', 'OBJECT']);
const NO_KEYS = new Set(['CONFIG', 'PFSELFTEST']);

/**
 * Prefixes every key so each run has fresh keys even where FLUSHALL, which servers.run sends
 * first, is not available yet.
 */
function keyed(steps: Step[], prefix: string): Step[] {
  return steps.map((step) => {
    if (!Array.isArray(step)) return step;
    const command = step[0].toUpperCase();
    if (NO_KEYS.has(command)) return step;
    if (ALL_KEYS.has(command)) return [step[0], ...step.slice(1).map((key) => prefix + key)];
    const at = KEY_AT_2.has(command) ? 2 : 1;
    return step.length > at ? step.map((arg, i) => (i === at ? prefix + arg : arg)) : step;
  });
}

describeDifferential('HyperLogLog commands', (servers) => {
  for (const resp of [2, 3] as const) {
    it(`reads, writes and PFDEBUG views match in RESP${resp}`, async () => {
      await servers.run(keyed(basics, `basics${resp}:`), resp);
    });
    it(`COMMAND INFO and key extraction match in RESP${resp}`, async () => {
      await servers.run(introspection, resp);
    });
    it(`argument, type and not-an-HLL errors match in RESP${resp}`, async () => {
      await servers.run(keyed(errors, `errors${resp}:`), resp);
    });
    it(`corrupt values are detected at the same moments in RESP${resp}`, async () => {
      await servers.run(keyed(corrupt, `corrupt${resp}:`), resp);
    });
  }
  it('sparse and dense bytes match through growth at several hll-sparse-max-bytes', async () => {
    await servers.run(keyed(growth(11), 'growth:'), 2);
  }, 60_000);
  it('PFMERGE results match byte for byte (sparse, dense, destination only)', async () => {
    await servers.run(keyed(merges(12), 'merges:'), 3);
  }, 60_000);
  it('randomly corrupted HLLs behave the same', async () => {
    await servers.run(keyed(fuzz(13, 150), 'fuzz:'), 2);
    await servers.run(keyed(randomSparse(14, 600), 'sparse:'), 3);
  }, 120_000);
});
