// Sorted-set scaling check: the CPU cost of ZADD (a new member) and of a ZRANGE of 10 members
// near the middle, measured on the skiplist encoding (dist/store/types/zset.js) at 10k, 100k and
// 1M members. Logarithmic structures show a cost that grows by a small constant per tenfold size.
//
//   npm run build && node bench/zset-scaling.mjs
//
// Each size is filled with random scores; then SAMPLE more inserts (and as many removals, to keep
// the size) and SAMPLE ranges of 10 from the middle rank are timed with process.cpuUsage().

import { ZSetValue } from '../dist/store/types/zset.js';

const SIZES = [10_000, 100_000, 1_000_000];
const SAMPLE = 20_000;
const RANGE_LENGTH = 10;

function cpuMicros(start) {
  const used = process.cpuUsage(start);
  return used.user + used.system;
}

function measure(size) {
  const zset = new ZSetValue(true);
  for (let i = 0; i < size; i++) zset.insert(`member:${i}`, Math.random() * 1e9);
  // ZADD of a new member at this size (each followed by removing one, so the size holds).
  let start = process.cpuUsage();
  for (let i = 0; i < SAMPLE; i++) {
    const member = `extra:${i}`;
    if (zset.find(member) === 0) zset.insert(member, Math.random() * 1e9);
  }
  const addMicros = cpuMicros(start);
  for (let i = 0; i < SAMPLE; i++) zset.remove(`extra:${i}`);
  // ZRANGE key mid mid+9: find the middle rank, walk 10 members reading member and score.
  const middle = Math.floor(size / 2);
  let checksum = 0;
  start = process.cpuUsage();
  for (let i = 0; i < SAMPLE; i++) {
    let p = zset.atRank(middle + (i % 100));
    for (let j = 0; j < RANGE_LENGTH && p !== 0; j++) {
      checksum += zset.memberAt(p).length + zset.scoreAt(p);
      p = zset.next(p);
    }
  }
  const rangeMicros = cpuMicros(start);
  return { size, addNs: (addMicros * 1000) / SAMPLE, rangeNs: (rangeMicros * 1000) / SAMPLE, checksum };
}

// A first small round lets the JIT settle before anything is recorded.
measure(10_000);
console.log('members    ZADD new member (ns/op)    ZRANGE 10 near the middle (ns/op)');
for (const size of SIZES) {
  const { addNs, rangeNs } = measure(size);
  console.log(`${String(size).padStart(9)}  ${addNs.toFixed(0).padStart(24)}  ${rangeNs.toFixed(0).padStart(34)}`);
}
