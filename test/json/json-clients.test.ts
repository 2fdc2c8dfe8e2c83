// node-redis's @redis/json client (shipped with the `redis` package) running a scripted session
// of every JSON command against cinnabar, unchanged: its argument building and reply parsing
// must meet RedisJSON's replies. ioredis's `call` path is covered in json-commands.test.ts.

import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCinnabar } from '../helpers/cinnabar.js';
import type { RunningServerInternal } from '../../src/server/start.js';

describe('node-redis @redis/json session', () => {
  let running: RunningServerInternal;
  let client: ReturnType<typeof createClient>;

  beforeAll(async () => {
    running = await startCinnabar();
    client = createClient({ socket: { port: running.port, host: '127.0.0.1', reconnectStrategy: false } });
    await client.connect();
  });

  afterAll(async () => {
    await client.quit();
    await running.close();
  });

  it('runs every JSON command', async () => {
    const json = client.json;
    expect(await json.set('user:1', '$', { name: 'Ann', age: 30, tags: ['a'], settings: { theme: 'dark', on: true } })).toBe('OK');
    expect(await json.get('user:1')).toEqual({ name: 'Ann', age: 30, tags: ['a'], settings: { theme: 'dark', on: true } });
    expect(await json.get('user:1', { path: '$.settings.theme' })).toEqual(['dark']);
    expect(await json.set('user:1', '$.settings.theme', 'light', { condition: 'XX' })).toBe('OK');
    expect(await json.set('user:1', '$.settings.theme', 'x', { condition: 'NX' })).toBeNull();
    expect(await json.type('user:1', { path: '$.age' })).toEqual(['integer']);
    expect(await json.numIncrBy('user:1', '$.age', 2)).toEqual([32]);
    expect(await json.numMultBy('user:1', '$.age', 2)).toEqual([64]);
    expect(await json.strAppend('user:1', '!', { path: '$.name' })).toEqual([4]);
    expect(await json.strLen('user:1', { path: '$.name' })).toEqual([4]);
    expect(await json.arrAppend('user:1', '$.tags', 'b', 'c')).toEqual([3]);
    expect(await json.arrInsert('user:1', '$.tags', 0, 'z')).toEqual([4]);
    expect(await json.arrIndex('user:1', '$.tags', 'b')).toEqual([2]);
    expect(await json.arrLen('user:1', { path: '$.tags' })).toEqual([4]);
    expect(await json.arrPop('user:1', { path: '$.tags', index: -1 })).toEqual(['c']);
    expect(await json.arrTrim('user:1', '$.tags', 0, 1)).toEqual([2]);
    expect(await json.toggle('user:1', '$.settings.on')).toEqual([0]);
    expect(await json.objKeys('user:1', { path: '$.settings' })).toEqual([['theme', 'on']]);
    expect(await json.objLen('user:1', { path: '$.settings' })).toEqual([2]);
    expect(await json.merge('user:1', '$.settings', { theme: null, lang: 'en' })).toBe('OK');
    expect(await json.get('user:1', { path: '$.settings' })).toEqual([{ lang: 'en', on: false }]);
    expect(await json.mSet([{ key: 'a', path: '$', value: { n: 1 } }, { key: 'b', path: '$', value: { n: 2 } }])).toBe('OK');
    expect(await json.mGet(['a', 'b', 'missing'], '$.n')).toEqual([[1], [2], null]);
    // @redis/json leaves JSON.RESP out; the generic path sends it.
    expect(await client.sendCommand(['JSON.RESP', 'a', '$'])).toEqual([['{', 'n', 1]]);
    expect(typeof (await json.debugMemory('a'))).toBe('number');
    expect(await json.clear('user:1', { path: '$.tags' })).toBe(1);
    expect(await json.del('user:1', { path: '$.age' })).toBe(1);
    expect(await json.forget('a', { path: '$.n' })).toBe(1);
    expect(await json.get('user:1')).toEqual({ name: 'Ann!', tags: [], settings: { lang: 'en', on: false } });
    expect(await json.del('user:1')).toBe(1);
    expect(await json.get('user:1')).toBeNull();
  });
});
