import { expect, it } from 'vitest';
import { describeDifferential, type Pair } from '../helpers/differential.js';

/** The bytes of a bulk reply given as raw RESP text. */
function bulkBytes(reply: string): string {
  const m = /^\$(\d+)\r\n/.exec(reply);
  if (m === null) throw new Error(`not a bulk reply: ${JSON.stringify(reply.slice(0, 60))}`);
  return reply.slice(m[0].length, m[0].length + Number(m[1]));
}

async function both(pair: Pair, ...args: string[]): Promise<[string, string]> {
  return Promise.all([pair.ours.call(...args), pair.theirs.call(...args)]);
}

describeDifferential('DUMP / RESTORE', (servers) => {
  it('DUMP payloads of strings are byte for byte redis-server\'s', async () => {
    const pair = await servers.connect();
    await both(pair, 'FLUSHALL');
    const values = ['', 'a', '0', '-1', '127', '128', '-128', '-129', '32767', '32768', '-32769', '2147483647', '2147483648',
      '-2147483648', '-2147483649', '12345678901', '9223372036854775807', '-9223372036854775808', '01', '+1', ' 1', '1.5',
      'x'.repeat(20), 'x'.repeat(21), 'abc'.repeat(50), 'hello world '.repeat(100), '\x00\xff\r\n'.repeat(30)];
    let rnd = 7;
    let noise = '';
    for (let i = 0; i < 500; i++) { rnd = (rnd * 1103515245 + 12345) & 0x7fffffff; noise += String.fromCharCode(rnd & 0xff); }
    values.push(noise);
    for (let i = 0; i < values.length; i++) {
      await both(pair, 'SET', `s${i}`, values[i]);
      const [a, b] = await both(pair, 'DUMP', `s${i}`);
      expect(a, `DUMP of ${JSON.stringify(values[i].slice(0, 30))}`).toBe(b);
    }
  });
});
