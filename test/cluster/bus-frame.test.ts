import { beforeAll, describe, expect, it } from 'vitest';
import { encodeFrame, FRAME_HEADER_BYTES, FrameError, FrameReader, MAX_FRAME_BYTES } from '../../src/cluster/bus/frame.js';
import { decodeMsgpack, encodeMsgpack, loadMsgpack, MsgpackError, type MsgValue } from '../../src/cluster/bus/msgpack.js';
import { encodeHeader, parseMessage, type MessageHeader } from '../../src/cluster/bus/messages.js';
import { SLOT_BITMAP_BYTES } from '../../src/cluster/key-slot.js';

const samples: MsgValue[] = [
  null, true, false, 0, 1, 127, 128, 255, 256, 65535, 65536, 2 ** 32 - 1, 2 ** 32, Number.MAX_SAFE_INTEGER,
  -1, -32, -33, -128, -129, -32768, -32769, -(2 ** 31), -(2 ** 31) - 1, Number.MIN_SAFE_INTEGER, 1.5, -0.25,
  '', 'a', 'x'.repeat(31), 'x'.repeat(32), 'y'.repeat(255), 'z'.repeat(256), 'w'.repeat(70000), '\u0000\u00ff\u0080',
  Buffer.from([1, 2, 3]), Buffer.alloc(300), Buffer.alloc(70000, 5),
  2n ** 63n + 5n, -(2n ** 63n), 2n ** 64n - 1n,
  [], [1, 'two', [3]], new Array(20).fill(7), { a: 1, b: { c: [null, true] } },
];

// The bus loads msgpackr when it starts; these tests use the codec without a bus.
beforeAll(loadMsgpack);

describe('cluster bus msgpack', () => {
  it('round-trips every kind of value', () => {
    for (const value of samples) expect(decodeMsgpack(encodeMsgpack(value))).toEqual(value);
  });

  it('encodes to the MessagePack bytes the specification gives', () => {
    expect(encodeMsgpack({ a: [1, -1, 'b'] }).toString('hex')).toBe('81a16193' + '01ff' + 'a162');
    expect(encodeMsgpack(300).toString('hex')).toBe('cd012c');
    expect(encodeMsgpack(new Uint8Array([9])).toString('hex')).toBe('c40109');
  });

  it('refuses truncated, trailing, unknown and lying input', () => {
    const bad = ['a5616263', '01ff', 'c1', 'dd7fffffff', '81a161', '8101c0', 'c6ffffffff00'];
    for (const hex of bad) expect(() => decodeMsgpack(Buffer.from(hex, 'hex')), hex).toThrow(MsgpackError);
  });

  it('refuses nesting past its bound', () => {
    expect(() => decodeMsgpack(Buffer.alloc(1000, 0x91))).toThrow(MsgpackError);
  });

  it('never throws anything but MsgpackError on random bytes', () => {
    let seed = 7;
    const rand = (): number => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed; };
    for (let i = 0; i < 3000; i += 1) {
      const bytes = Buffer.alloc(1 + (rand() % 40));
      for (let j = 0; j < bytes.length; j += 1) bytes[j] = rand() & 0xff;
      try {
        decodeMsgpack(bytes);
      } catch (err) {
        expect(err).toBeInstanceOf(MsgpackError);
      }
    }
  });
});

describe('cluster bus frames', () => {
  it('reassembles frames split at every byte and packed together', () => {
    const payloads: MsgValue[] = [{ type: 'ping', n: 1 }, 'x'.repeat(1000), [1, 2, 3]];
    const stream = Buffer.concat(payloads.map((p) => encodeFrame(p)));
    const reader = new FrameReader();
    const got: MsgValue[] = [];
    for (let i = 0; i < stream.length; i += 1) got.push(...reader.push(stream.subarray(i, i + 1)));
    expect(got).toEqual(payloads);
    expect(reader.pendingBytes).toBe(0);
    expect(new FrameReader().push(stream)).toEqual(payloads);
  });

  it('refuses a bad signature, an oversized length and a bad payload', () => {
    expect(() => new FrameReader().push(Buffer.from('PING\r\n\r\n'))).toThrow(FrameError);
    const big = Buffer.alloc(FRAME_HEADER_BYTES);
    big.write('Cnb1', 0, 'latin1');
    big.writeUInt32BE(MAX_FRAME_BYTES + 1, 4);
    expect(() => new FrameReader().push(big)).toThrow(FrameError);
    const junk = Buffer.concat([Buffer.from('Cnb1'), Buffer.from([0, 0, 0, 1, 0xc1])]);
    expect(() => new FrameReader().push(junk)).toThrow(FrameError);
  });
});

describe('cluster bus message header', () => {
  const header = (currentEpoch: bigint, configEpoch: bigint): MessageHeader => ({
    type: 'ping', sender: 'a'.repeat(40), myip: '', port: 7000, pport: 0, cport: 17000, flags: 1, stateOk: true,
    currentEpoch, configEpoch, offset: 5, slots: new Uint8Array(SLOT_BITMAP_BYTES).fill(3), primary: null, mflags: 0, hostname: '',
  });

  it('carries epochs as small integers while they fit, and any 64-bit epoch exactly', () => {
    for (const [current, config] of [[0n, 0n], [7n, 3n], [2n ** 53n - 1n, 2n ** 53n], [2n ** 64n - 1n, 2n ** 63n]] as const) {
      const frame = encodeFrame({ ...encodeHeader(header(current, config)), g: [] });
      const [payload] = new FrameReader().push(frame);
      const message = parseMessage(payload as MsgValue);
      expect([message.currentEpoch, message.configEpoch]).toEqual([current, config]);
    }
    // A real epoch is packed as a fixint (0x07), not as a 64-bit integer (0xcf + 8 bytes).
    const packed = encodeMsgpack(encodeHeader(header(7n, 3n)));
    expect(packed.includes(Buffer.from('a2636507', 'hex'))).toBe(true);
  });
});
